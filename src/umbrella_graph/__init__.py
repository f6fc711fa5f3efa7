"""umbrella-graph: map protective umbrellas (保护伞) and relationship networks (关系网).

Data flows one way::

    sources -> Case (validated, typed tables) -> CaseGraph (memory) / Neo4j
            -> signals and scores -> explanations, views, reports

The public API is listed in ``__all__``: the case-level workflow (load, build, score,
explain, investigate, view, report, export). The tools around it live in their own
modules, each with its own ``__all__``:

* :mod:`umbrella_graph.algorithms`: sparse-matrix algorithms over node positions
  (personalized PageRank, communities, modularity, betweenness, link prediction);
* :mod:`umbrella_graph.metrics` (:func:`~umbrella_graph.metrics.evaluate`) and
  :mod:`umbrella_graph.baselines` (:func:`~umbrella_graph.baselines.baseline_scores`):
  accuracy against a known truth;
* :mod:`umbrella_graph.synth`: synthetic cities (:func:`~umbrella_graph.synth.generate_city`).

Their old top-level names (``umbrella_graph.generate_city``, ...) still work until 0.3,
with a :class:`FutureWarning`. Names are imported lazily so that ``import
umbrella_graph`` stays fast and never imports optional back ends (``neo4j``) until they
are used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "UmbrellaGraphError": "errors",
    "CaseError": "errors",
    "ParameterError": "errors",
    "NotFittedError": "errors",
    "BackendError": "errors",
    "InsufficientMemoryError": "errors",
    "Problem": "errors",
    # case and loading
    "Case": "case",
    "LoadReport": "case",
    "case_from_frames": "validate",
    "load_case": "io",
    "load_graph_tables": "io",
    "load_neo4j_import": "io",
    "load_ftm": "io",
    # graph
    "CaseGraph": "graph",
    "build_graph": "graph",
    "from_networkx": "graph",
    # graph backends (Neo4j: the driver is imported only when a Neo4j name is used)
    "MemoryBackend": "backends",
    "Neo4jBackend": "backends",
    "to_neo4j": "backends",
    "from_neo4j": "backends",
    "connect": "backends",
    # investigations
    "find_tipoffs": "investigate",
    "accountability": "investigate",
    "triage_leads": "investigate",
    "plan_disruption": "investigate",
    "DisruptionPlan": "investigate",
    "disruption_curve": "investigate",
    # umbrella scoring
    "score_umbrellas": "scoring",
    "explain": "scoring",
    "pair_features": "scoring",
    "candidate_pairs": "scoring",
    "infer_gang_side": "scoring",
    "UmbrellaClassifier": "scoring",
    "Explanation": "scoring",
    "EvidencePath": "scoring",
    # views and the report
    "NetworkView": "views",
    "view_gang": "views",
    "view_pair": "views",
    "view_case": "views",
    "report": "reporting",
    # any network in, any tool out (generic networks, exports)
    "load_edges": "network",
    "analyze_network": "network",
    "NetworkAnalysis": "network",
    "to_ftm": "io",
    "write_ftm": "io",
    "write_case": "export",
    "write_gexf": "export",
    "write_graphml": "export",
    "write_cytoscape": "export",
    "write_i2": "export",
}

__all__ = sorted([*_EXPORTS, "__version__"])

#: Names that left the top level for their own module (old name -> module), still
#: reachable here with a FutureWarning until 0.3.
_MOVED: dict[str, str] = {
    "personalized_pagerank": "algorithms",
    "personalized_pagerank_many": "algorithms",
    "communities": "algorithms",
    "modularity": "algorithms",
    "betweenness": "algorithms",
    "adamic_adar": "algorithms",
    "resource_allocation": "algorithms",
    "evaluate": "metrics",
    "baseline_scores": "baselines",
    "generate_city": "synth",
    "SynthCity": "synth",
}

if TYPE_CHECKING:  # pragma: no cover
    from .backends import MemoryBackend, Neo4jBackend, connect, from_neo4j, to_neo4j
    from .case import Case, LoadReport
    from .errors import (
        BackendError,
        CaseError,
        InsufficientMemoryError,
        NotFittedError,
        ParameterError,
        Problem,
        UmbrellaGraphError,
    )
    from .export import write_case, write_cytoscape, write_gexf, write_graphml, write_i2
    from .graph import CaseGraph, build_graph, from_networkx
    from .investigate import (
        DisruptionPlan,
        accountability,
        disruption_curve,
        find_tipoffs,
        plan_disruption,
        triage_leads,
    )
    from .io import load_case, load_ftm, load_graph_tables, load_neo4j_import, to_ftm, write_ftm
    from .network import NetworkAnalysis, analyze_network, load_edges
    from .reporting import report
    from .scoring import (
        EvidencePath,
        Explanation,
        UmbrellaClassifier,
        candidate_pairs,
        explain,
        infer_gang_side,
        pair_features,
        score_umbrellas,
    )
    from .validate import case_from_frames
    from .views import NetworkView, view_case, view_gang, view_pair


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        from ._compat import moved_attribute

        return moved_attribute(__name__, _MOVED, name)  # warns; not cached, so it warns each time
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
