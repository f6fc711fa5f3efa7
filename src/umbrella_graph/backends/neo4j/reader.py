"""Reading the stored case back: :func:`from_neo4j`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...errors import BackendError
from ...graph import CaseGraph, build_graph
from ...schema import RELATIONS, TABLES
from .codecs import _META_TABLES, _MULTI, STORE_FORMAT, _frame, _projection
from .connection import _all_eids, _chunked, _Guard, _read_meta, _session, _where
from .cypher import _kind_label, _rtype

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver


# ---------------------------------------------------------------------------------------
# from_neo4j
# ---------------------------------------------------------------------------------------
def from_neo4j(driver: Driver, *, database: str | None = None) -> CaseGraph:
    """Read the case stored in Neo4j back into a :class:`~umbrella_graph.graph.CaseGraph`.

    Reads the case tables (typed columns, extra columns and provenance) from the nodes,
    relationships and the ``CaseMeta`` node written by :func:`to_neo4j`, validates them
    like any other input, and builds the same graph as the in-memory loader:
    ``from_neo4j(driver).case.equals(case)`` after ``to_neo4j(case, driver)``.

    Raises
    ------
    BackendError
        The server cannot be used, the database holds no case, or its load did not finish.
    """
    from ...validate import case_from_frames

    guard = _Guard(_where(driver), database, "reading the case metadata")
    frames: dict[str, pd.DataFrame] = {}
    with guard(), _session(driver, database) as s:
        meta = _read_meta(s)
        guard.reached = True
        where = f"database {database or '(default)'} on {guard.where}"
        if meta is None:
            raise BackendError(f"{where} holds no umbrella-graph case: load one with to_neo4j or "
                               "`umbrella-graph load CASE_DIR --neo4j URI`")
        if meta.get("format") != STORE_FORMAT:
            raise BackendError(f"{where} holds a case stored in format {meta.get('format')!r}; this "
                               f"version of umbrella-graph reads format {STORE_FORMAT}: reload the case")
        if meta.get("status") != "complete":
            raise BackendError(f"the load into {where} did not finish: run to_neo4j (or umbrella-graph "
                               "load) again to complete it")
        tables: dict[str, dict[str, Any]] = json.loads(meta["tables"])
        guard.action = "listing the nodes"
        starts = _all_eids(s)
        for t, info in tables.items():
            spec = TABLES[t]
            guard.action = f"reading table {t}"
            records: list[dict[str, Any]] = []
            if spec.node_kind is not None:
                lab = _kind_label(spec.node_kind)
                q = (f"UNWIND $ids AS e MATCH (x:{lab}) WHERE elementId(x) = e "
                     f"RETURN collect({_projection('x', t)})")
                records = _chunked(s, q, _all_eids(s, lab))
            elif t in _META_TABLES:
                records = [dict(zip(info["columns"], r, strict=True)) for r in info.get("records", [])]
            else:
                for rel in (r for r in RELATIONS if r.table == t):
                    where_primary = " WHERE x._primary = true" if t in _MULTI else ""
                    q = (f"UNWIND $ids AS e MATCH (a) WHERE elementId(a) = e "
                         f"MATCH (a)-[x:{_rtype(rel.rel_type)}]->(b){where_primary} "
                         f"RETURN collect([a.id, b.id, {_projection('x', t)}])")
                    src_req = spec.column(rel.src).required
                    dst_req = spec.column(rel.dst).required
                    for a, b, p in _chunked(s, q, starts):
                        p.pop("_primary", None)
                        if src_req:
                            p[rel.src] = a
                        if dst_req:
                            p[rel.dst] = b
                        records.append(p)
            df = _frame(records, info, t)
            if len(df) != int(info["rows"]):
                raise BackendError(
                    f"{where}: table {t} has {len(df):,} records in the store but {int(info['rows']):,} "
                    "were loaded: the store was changed after loading; reload the case")
            frames[t] = df
    case = case_from_frames(frames, name=meta.get("name"))
    return build_graph(case)


