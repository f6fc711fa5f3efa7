"""Neo4j as a compute backend: what the server computes for the scorer.

The scorer (:mod:`umbrella_graph.scoring`) owns the meaning of every number; this module
owns the Cypher. It runs three kinds of work on the server, each with values only as
parameters (the vocabulary, weights and quantiles come from the caller):

* **record selection and projection** (:func:`read_scoring_case`): the columns the
  scorer reads, and nothing else, of every record, in the order they were loaded.
  Names, phone and ID numbers, memo, subject and lead texts, lead sources and extra
  columns stay on the server (a required name is replaced by the record's id);
* **aggregates over the whole case** (:func:`ordinary_amount_quantiles`): the quantiles
  of the ordinary transfers (family money and wages left out: a pattern match over
  ``TIE`` and ``ROLE_IN`` on the server), returned as the order statistics around each
  quantile so the caller interpolates exactly as NumPy does;
* **per-pair aggregations** (:func:`member_pairs`, :func:`lead_pairs`): one row per
  official x gang, grouped and aggregated in Cypher.

``docs/neo4j.md`` ("Scoring on the server") says what still runs in this process and why.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...case import Case
from ...errors import BackendError
from ...schema import TABLES
from .connection import _checked_meta, _Guard, _read, _session, _where
from .cypher import _NAME_EXPR, _label, _rtype
from .reader import _read_table

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver, Session

__all__ = ["read_scoring_case", "ordinary_amount_quantiles", "member_pairs", "lead_pairs", "display_names",
           "stored_vocabulary",
           "SCORING_OMITTED"]

#: Columns that never leave the server when scoring: the scorer reads no names, personal
#: numbers or free text (see ``scoring/_context.py``). Required ones are filled with the
#: record's id. Extra (non-schema) columns are omitted too.
SCORING_OMITTED: dict[str, frozenset[str]] = {
    "people": frozenset({"name", "gender", "birth_date", "id_number", "phone"}),
    "gangs": frozenset({"name"}),
    "villages": frozenset({"name"}),
    "companies": frozenset({"name"}),
    "transactions": frozenset({"memo"}),
    "contracts": frozenset({"subject"}),
    "leads": frozenset({"text", "source"}),
    "labels": frozenset(),
}


def _open(driver: Driver, database: str | None, action: str) -> tuple[_Guard, Session]:
    guard = _Guard(_where(driver), database, action)
    return guard, _session(driver, database)


def _scoring_columns(table: str, stored: Sequence[str]) -> list[str]:
    """The columns of ``table`` read for scoring (schema columns, not omitted, that were stored)."""
    omit = SCORING_OMITTED.get(table, frozenset())
    schema = [c.name for c in TABLES[table].columns]
    return [c for c in schema if c in stored and c not in omit]


def read_scoring_case(driver: Driver, *, database: str | None = None) -> Case:
    """The case stored in Neo4j, projected to what the scorer reads.

    Every record of every table the scorer uses, in the order it was loaded, with only
    the columns of :data:`SCORING_OMITTED`'s complement: the same case as
    :func:`~umbrella_graph.backends.from_neo4j` minus names (replaced by ids), personal
    numbers, free text and extra columns. Scoring it gives the same scores to the bit.

    Raises
    ------
    BackendError
        The server cannot be used, the database holds no case, or its load did not finish.
    """
    from ...validate import case_from_frames

    guard, s = _open(driver, database, "reading the case metadata")
    frames: dict[str, pd.DataFrame] = {}
    with guard(), s:
        meta = _checked_meta(s, guard, database)
        tables: dict[str, dict[str, Any]] = json.loads(meta["tables"])
        guard.action = "listing the nodes"
        starts: list[str] | None = None
        for t, info in tables.items():
            guard.action = f"reading the scoring columns of table {t}"
            df, starts = _read_table(s, database, guard, t, info,
                                     columns=_scoring_columns(t, info["columns"]), starts=starts)
            for c in TABLES[t].columns:
                if c.required and c.name not in df.columns:
                    # a required name the scorer never reads: the record's id stands in
                    df[c.name] = df["id"].to_numpy(dtype=object) if "id" in df.columns else ""
            frames[t] = df
    return case_from_frames(frames, name=meta.get("name"))


def _distinct(session: Session, rtype: str, prop: str) -> list[Any]:
    got = _read(session, f"MATCH ()-[x:{_rtype(rtype)}]->() RETURN collect(DISTINCT x.{prop})")
    return list(got[0][0]) if got else []


def _numpy_virtual_index(n: int, q: float) -> float:
    """NumPy's virtual index of quantile ``q`` of ``n`` sorted values (method 'linear')."""
    return float((np.float64(n) - 1) * np.float64(q))


def _numpy_lerp(a: float, b: float, t: float) -> float:
    """NumPy's interpolation between neighbouring order statistics (``numpy._lerp``)."""
    a64, b64, t64 = np.float64(a), np.float64(b), np.float64(t)
    diff = b64 - a64
    out = b64 - diff * (1 - t64) if t64 >= 0.5 else a64 + diff * t64
    return float(a64 if a64 == b64 else out)


def quantile_from_window(n: int, q: float, start: int, window: Sequence[float]) -> float:
    """``numpy.quantile(values, q)`` of ``n`` sorted values, from the few around it.

    ``window`` holds the sorted values ``start, start + 1, ...``; it must cover the two
    order statistics NumPy interpolates between.
    """
    v = _numpy_virtual_index(n, q)
    lo = int(np.clip(np.floor(v), 0, n - 1))
    hi = int(np.clip(lo + 1, 0, n - 1))
    gamma = v - np.floor(v)
    if v < 0:
        lo, hi, gamma = 0, 0, 0.0
    elif v >= n - 1:
        lo, hi, gamma = n - 1, n - 1, 0.0
    try:
        a, b = window[lo - start], window[hi - start]
    except IndexError:  # pragma: no cover - the window is wide enough by construction
        raise BackendError("the server returned too few order statistics for a quantile") from None
    return _numpy_lerp(float(a), float(b), float(gamma))


def ordinary_amount_quantiles(driver: Driver, quantiles: Sequence[float], *, family_kinds: Sequence[str],
                              employee_roles: Sequence[str], database: str | None = None
                              ) -> tuple[int, dict[float, float]]:
    """Quantiles of the case's ordinary transfers, computed on the server.

    Ordinary: a payment between two different nodes with a positive, finite amount,
    whose ends are not at most two family ties apart (a ``TIE`` whose ``kind`` is in
    ``family_kinds``, the stored spellings the caller's vocabulary calls family) and
    which is not a wage (from a company to a person it employs: a ``ROLE_IN`` whose
    ``role`` is in ``employee_roles``).

    Returns
    -------
    (int, dict)
        The number of ordinary transfers and ``{q: value}``, equal to
        ``numpy.quantile(amounts, q)`` (empty when there are none).
    """
    guard, s = _open(driver, database, "computing amount quantiles")
    t_pay, t_tie, t_role = _rtype("PAID"), _rtype("TIE"), _rtype("ROLE_IN")
    q = (f"MATCH (a)-[p:{t_pay}]->(b) WHERE a <> b AND p.amount > 0 AND p.amount < 1.0e308 "
         f"AND NOT EXISTS {{ MATCH (a)-[t:{t_tie}]-(b) WHERE t.kind IN $family }} "
         f"AND NOT EXISTS {{ MATCH (a)-[t1:{t_tie}]-()-[t2:{t_tie}]-(b) "
         "WHERE t1.kind IN $family AND t2.kind IN $family } "
         f"AND NOT EXISTS {{ MATCH (b)-[r:{t_role}]->(a) WHERE r.role IN $employee }} "
         "WITH toFloat(p.amount) AS amount ORDER BY amount "
         "WITH collect(amount) AS a WITH a, size(a) AS n "
         "WITH a, n, [q IN $qs | CASE WHEN floor(q * (n - 1)) >= 1 "
         "THEN toInteger(floor(q * (n - 1))) - 1 ELSE 0 END] AS starts "
         "RETURN n, [i IN starts | [i, a[i .. i + 4]]]")
    with guard(), s:
        guard.reached = True
        got = _read(s, q, {"family": list(family_kinds), "employee": list(employee_roles),
                           "qs": [float(x) for x in quantiles]})
    n = int(got[0][0]) if got else 0
    if n == 0:
        return 0, {}
    out: dict[float, float] = {}
    for qv, (start, window) in zip(quantiles, got[0][1], strict=True):
        start = max(int(start), 0)
        out[float(qv)] = quantile_from_window(n, float(qv), start, window)
    return n, out


def stored_vocabulary(driver: Driver, *, database: str | None = None) -> dict[str, list[Any]]:
    """The distinct stored spellings of tie kinds, company roles and member roles.

    The caller maps them through its vocabulary (family or not, employee or not) and
    passes the matching spellings back as parameters.
    """
    guard, s = _open(driver, database, "reading the stored vocabulary")
    with guard(), s:
        guard.reached = True
        return {"tie_kinds": _distinct(s, "TIE", "kind"), "company_roles": _distinct(s, "ROLE_IN", "role"),
                "member_roles": _distinct(s, "MEMBER_OF", "role")}


def member_pairs(driver: Driver, role_weight: Mapping[str, float], default_weight: float, *,
                 database: str | None = None) -> pd.DataFrame:
    """Officials on a gang's member list, grouped per (official, gang) on the server.

    ``role_weight`` maps stored role spellings to weights (others: ``default_weight``);
    the strongest role of each pair is kept.

    Returns
    -------
    pandas.DataFrame
        ``official_id``, ``gang_id``, ``weight`` (the pair's strongest role weight).
    """
    guard, s = _open(driver, database, "grouping officials' memberships")
    q = (f"MATCH (p:{_label('Official')})-[m:{_rtype('MEMBER_OF')}]->(g:{_label('Gang')}) "
         "WITH p.id AS o, g.id AS g, max(coalesce($weights[coalesce(m.role, '')], $default)) AS w "
         "RETURN collect([o, g, w])")
    with guard(), s:
        guard.reached = True
        got = _read(s, q, {"weights": {str(k): float(v) for k, v in role_weight.items()},
                           "default": float(default_weight)})
    rows = got[0][0] if got else []
    return pd.DataFrame(rows or [], columns=["official_id", "gang_id", "weight"]).astype(
        {"official_id": str, "gang_id": str, "weight": float})


def lead_pairs(driver: Driver, *, database: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Leads naming an official, counted per (official, gang) and per official, on the server.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``official_id, gang_id, leads`` for leads that also name a gang, and
        ``official_id, leads`` for leads that name none.
    """
    guard, s = _open(driver, database, "counting leads")
    q = (f"MATCH (l:{_label('Lead')})-[:{_rtype('NAMES')}]->(o:{_label('Official')}) "
         f"OPTIONAL MATCH (l)-[:{_rtype('NAMES_GANG')}]->(g:{_label('Gang')}) "
         "WITH o.id AS o, g.id AS g, count(*) AS n RETURN collect([o, g, n])")
    with guard(), s:
        guard.reached = True
        got = _read(s, q)
    rows = got[0][0] if got else []
    df = pd.DataFrame(rows or [], columns=["official_id", "gang_id", "leads"])
    named = df[df["gang_id"].notna()].astype({"official_id": str, "gang_id": str, "leads": float})
    other = (df[df["gang_id"].isna()].drop(columns="gang_id")
             .astype({"official_id": str, "leads": float}))
    return named.reset_index(drop=True), other.reset_index(drop=True)


def display_names(driver: Driver, ids: Sequence[str], *, database: str | None = None) -> dict[str, str]:
    """Display names of the given node ids only (what a printed top of a ranking needs).

    Ids the store does not hold are left out; a node without a name gets its id.
    """
    guard, s = _open(driver, database, "looking up display names")
    q = f"UNWIND $ids AS i MATCH (x:{_label('Entity')} {{id: i}}) RETURN collect([x.id, {_NAME_EXPR}])"
    with guard(), s:
        guard.reached = True
        got = _read(s, q, {"ids": sorted({str(i) for i in ids})})
    rows = got[0][0] if got else []
    return {str(i): (str(n) if n is not None else str(i)) for i, n in rows or []}
