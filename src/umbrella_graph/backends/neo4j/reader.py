"""Reading the stored case back: :func:`from_neo4j`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...errors import BackendError
from ...graph import CaseGraph, build_graph
from ...schema import RELATIONS, TABLES
from .codecs import _META_TABLES, _MULTI, _frame, _projection
from .connection import _all_eids, _checked_meta, _chunked, _Guard, _session, _where
from .cypher import _kind_label, _rtype

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver, Session


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
        meta = _checked_meta(s, guard, database)
        tables: dict[str, dict[str, Any]] = json.loads(meta["tables"])
        starts: list[str] | None = None
        for t, info in tables.items():
            guard.action = f"reading table {t}"
            frames[t], starts = _read_table(s, database, guard, t, info, starts=starts)
    case = case_from_frames(frames, name=meta.get("name"))
    return build_graph(case)


def _read_table(s: Session, database: str | None, guard: _Guard, t: str, info: dict[str, Any], *,
                columns: Sequence[str] | None = None,
                starts: list[str] | None = None) -> tuple[pd.DataFrame, list[str] | None]:
    """Table ``t`` of the stored case: every stored column, or only ``columns`` (with the
    provenance ``_file``/``_row``), in load order. Also returns the element ids of all nodes
    (the starts of the relationship reads), listed once on first need and passed back in."""
    spec = TABLES[t]
    keep = None if columns is None else [*columns, "_file", "_row"]
    sub = info if keep is None else {**info, "columns": keep, "dtypes": {}}
    records: list[dict[str, Any]] = []
    if spec.node_kind is not None:
        lab = _kind_label(spec.node_kind)
        q = (f"UNWIND $ids AS e MATCH (x:{lab}) WHERE elementId(x) = e "
             f"RETURN collect({_projection('x', t, keep)})")
        records = _chunked(s, q, _all_eids(s, lab))
    elif t in _META_TABLES:
        stored = info["columns"]
        idx = [stored.index(c) for c in (keep or stored)]
        records = [{stored[i]: r[i] for i in idx} for r in info.get("records", [])]
    else:
        if starts is None:
            starts = _all_eids(s)
        for rel in (r for r in RELATIONS if r.table == t):
            src_req = spec.column(rel.src).required
            dst_req = spec.column(rel.dst).required
            proj = keep if keep is None else [
                c for c in keep if not (c == rel.src and src_req or c == rel.dst and dst_req)]
            where_primary = " WHERE x._primary = true" if t in _MULTI else ""
            q = (f"UNWIND $ids AS e MATCH (a) WHERE elementId(a) = e "
                 f"MATCH (a)-[x:{_rtype(rel.rel_type)}]->(b){where_primary} "
                 f"RETURN collect([a.id, b.id, {_projection('x', t, proj)}])")
            for a, b, p in _chunked(s, q, starts):
                p.pop("_primary", None)
                if src_req:
                    p[rel.src] = a
                if dst_req:
                    p[rel.dst] = b
                records.append(p)
    df = _frame(records, sub, t)
    if len(df) != int(info["rows"]):
        raise BackendError(
            f"database {database or '(default)'} on {guard.where}: table {t} has {len(df):,} "
            f"records in the store but {int(info['rows']):,} were loaded: the store was "
            "changed after loading; reload the case")
    return df, starts
