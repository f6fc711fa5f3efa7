"""Graph backends: where a case graph lives, and the queries every backend answers.

* :class:`MemoryBackend`: the in-memory :class:`~umbrella_graph.graph.CaseGraph`.
* :class:`Neo4jBackend`: a Neo4j database, queried with parameterised Cypher;
  :func:`to_neo4j` loads a case into it, :func:`from_neo4j` reads it back into a
  ``CaseGraph`` (the same graph the in-memory loader builds), :func:`connect` opens a
  checked driver.

The queries (:func:`neighbourhood`, :func:`evidence_paths`, :func:`money_flow`) are
written once in :class:`GraphBackend` and give identical DataFrames on every backend.

The ``neo4j`` driver is imported only when a Neo4j name is first used, so importing this
package (or scoring) never loads it.

Examples
--------
>>> import pandas as pd
>>> from umbrella_graph import case_from_frames, build_graph
>>> from umbrella_graph.backends import neighbourhood
>>> case = case_from_frames(
...     people=pd.DataFrame({"id": ["a", "b"], "name": ["甲", "乙"]}),
...     ties=pd.DataFrame({"src": ["a"], "dst": ["b"], "kind": ["spouse"]}))
>>> neighbourhood(build_graph(case), "a")["id"].tolist()
['a', 'b']
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from .._compat import legacy_positional
from .base import GraphBackend
from .memory import MemoryBackend

if TYPE_CHECKING:  # pragma: no cover
    from ..graph import CaseGraph
    from .neo4j import (
        LoadSummary,
        Neo4jBackend,
        case_fingerprint,
        clear_database,
        connect,
        from_neo4j,
        to_neo4j,
    )

__all__ = [
    "GraphBackend",
    "MemoryBackend",
    "Neo4jBackend",
    "LoadSummary",
    "to_neo4j",
    "from_neo4j",
    "connect",
    "clear_database",
    "case_fingerprint",
    "as_backend",
    "neighbourhood",
    "evidence_paths",
    "money_flow",
]

_NEO4J_NAMES = frozenset({"Neo4jBackend", "LoadSummary", "to_neo4j", "from_neo4j", "connect",
                          "clear_database", "case_fingerprint"})


def __getattr__(name: str) -> Any:
    if name in _NEO4J_NAMES:
        value = getattr(importlib.import_module(".neo4j", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def as_backend(source: CaseGraph | GraphBackend) -> GraphBackend:
    """A backend for ``source``: a backend as is, a ``CaseGraph`` wrapped in :class:`MemoryBackend`."""
    from ..errors import ParameterError
    from ..graph import CaseGraph

    if isinstance(source, GraphBackend):
        return source
    if isinstance(source, CaseGraph):
        return MemoryBackend(source)
    raise ParameterError.invalid("source", "as_backend", "a CaseGraph or a GraphBackend",
                                 type(source).__name__)


@legacy_positional(["hops", "kinds"], after=2)
def neighbourhood(source: CaseGraph | GraphBackend, node_id: str, *, hops: int = 1,
                  kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """The nodes within ``hops`` hops of ``node_id`` (see :meth:`GraphBackend.neighbourhood`)."""
    return as_backend(source).neighbourhood(node_id, hops=hops, kinds=kinds)


@legacy_positional(["max_hops", "limit", "kinds"], after=3)
def evidence_paths(source: CaseGraph | GraphBackend, official_id: str, gang_id: str, *,
                   max_hops: int = 3, limit: int = 10,
                   kinds: Iterable[str] | None = None) -> pd.DataFrame:
    """Shortest record chains from an official to a gang (see :meth:`GraphBackend.evidence_paths`)."""
    return as_backend(source).evidence_paths(official_id, gang_id, max_hops=max_hops, limit=limit,
                                             kinds=kinds)


@legacy_positional(["start", "end"], after=2)
def money_flow(source: CaseGraph | GraphBackend, person_id: str, *, start: Any = None,
               end: Any = None) -> pd.DataFrame:
    """Payments into and out of a person between two dates (see :meth:`GraphBackend.money_flow`)."""
    return as_backend(source).money_flow(person_id, start=start, end=end)
