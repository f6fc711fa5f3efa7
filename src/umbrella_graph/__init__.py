"""umbrella-graph: map protective umbrellas (保护伞) and relationship networks (关系网).

Data flows one way::

    sources -> Case (validated, typed tables) -> CaseGraph (memory) / Neo4j
            -> signals and scores -> explanations, views, reports

The public API is listed in ``__all__``; names are imported lazily so that
``import umbrella_graph`` stays fast and never imports optional back ends (``neo4j``)
until they are used.
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
    "personalized_pagerank": "algorithms",
    "personalized_pagerank_many": "algorithms",
    "communities": "algorithms",
    "modularity": "algorithms",
    "betweenness": "algorithms",
    "adamic_adar": "algorithms",
    "resource_allocation": "algorithms",
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
    "infer_gang_side": "scoring",
    "UmbrellaClassifier": "scoring",
    "Explanation": "scoring",
    "EvidencePath": "scoring",
    # synthetic cases, accuracy and baselines
    "generate_city": "synth",
    "SynthCity": "synth",
    "evaluate": "metrics",
    "baseline_scores": "baselines",
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

if TYPE_CHECKING:  # pragma: no cover
    from .algorithms import (
        adamic_adar,
        betweenness,
        communities,
        modularity,
        personalized_pagerank,
        personalized_pagerank_many,
        resource_allocation,
    )
    from .backends import MemoryBackend, Neo4jBackend, connect, from_neo4j, to_neo4j
    from .baselines import baseline_scores
    from .case import Case, LoadReport
    from .errors import (
        BackendError,
        CaseError,
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
    from .metrics import evaluate
    from .network import NetworkAnalysis, analyze_network, load_edges
    from .reporting import report
    from .scoring import (
        EvidencePath,
        Explanation,
        UmbrellaClassifier,
        explain,
        infer_gang_side,
        pair_features,
        score_umbrellas,
    )
    from .synth import SynthCity, generate_city
    from .validate import case_from_frames
    from .views import NetworkView, view_case, view_gang, view_pair


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'umbrella_graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
