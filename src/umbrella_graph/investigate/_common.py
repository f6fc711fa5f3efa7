"""Helpers shared by the investigations: durations, gang sides, officials' families.

Private to :mod:`umbrella_graph.investigate`; the public functions document what these
helpers decide (who counts as the gang's side, who speaks for an official).
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..graph import CaseGraph
from ..schema import CONTROL_ROLES, MEMBER_ROLES
from ..scoring import gang_companies as scorer_gang_companies
from ..scoring import infer_gang_side
from ..scoring.facts import gang_side_ids
from ..scoring.tipoff import SIDE_MIN_CONFIDENCE

__all__: list[str] = []

logger = logging.getLogger(__name__)

_ROLE_RANK = {r: i for i, r in enumerate(MEMBER_ROLES)}
_NUMBER = (int, float, np.integer, np.floating)


def check_graph(graph: Any, func: str) -> CaseGraph:
    """Raise a :class:`ParameterError` unless ``graph`` is a :class:`CaseGraph`."""
    if not isinstance(graph, CaseGraph):
        raise ParameterError.invalid("graph", func, "a CaseGraph (use build_graph(case))",
                                     type(graph).__name__)
    return graph


def parse_duration(value: Any, param: str, func: str) -> pd.Timedelta:
    """A positive duration from ``"48h"``, ``"2D"``, a timedelta or a number of hours.

    Bare numbers (and numeric strings such as ``"48"``) are hours. Zero, negative, NaN,
    booleans and unparseable text raise :class:`ParameterError`.
    """
    td: pd.Timedelta | None = None
    if isinstance(value, bool) or value is None:
        td = None
    elif isinstance(value, _dt.timedelta | np.timedelta64):
        td = pd.Timedelta(value)
    elif isinstance(value, _NUMBER):
        if math.isfinite(float(value)):
            td = pd.Timedelta(hours=float(value))
    elif isinstance(value, str):
        text = value.strip()
        try:
            td = pd.Timedelta(hours=float(text))
        except ValueError:
            try:
                td = pd.Timedelta(text)
            except (ValueError, TypeError):
                td = None
    if td is None or td is pd.NaT or not td > pd.Timedelta(0):
        raise ParameterError.invalid(param, func, "a positive duration", value) from None
    return td


def check_kinds(kinds: Any, allowed: Iterable[str], func: str, param: str = "kinds") -> tuple[str, ...]:
    """A non-empty tuple of values from ``allowed`` (a single string is one value)."""
    allowed = tuple(allowed)
    if isinstance(kinds, str):
        kinds = (kinds,)
    try:
        out = tuple(dict.fromkeys(str(k) for k in kinds))
    except TypeError:
        raise ParameterError.invalid(param, func, "a non-empty list of " + ", ".join(allowed), kinds) from None
    if not out or any(k not in allowed for k in out):
        raise ParameterError.invalid(param, func, "a non-empty list of " + ", ".join(allowed), kinds)
    return out


def check_number(value: Any, param: str, func: str, *, low: float, high: float | None = None,
                 integer: bool = False) -> float:
    """A real number in ``[low, high]`` (an int if ``integer``)."""
    ok = isinstance(value, _NUMBER) and not isinstance(value, bool) and math.isfinite(float(value))
    if integer:
        ok = ok and float(value) == int(value)
    if ok and float(value) >= low and (high is None or float(value) <= high):
        return float(value)
    kind = "an integer" if integer else "a number"
    rng = f" >= {low:g}" if high is None else f" in [{low:g}, {high:g}]"
    raise ParameterError.invalid(param, func, kind + rng, value)


def check_gang(graph: CaseGraph, gang_id: Any, func: str) -> str:
    """``gang_id`` as a str if it names a gang of the case."""
    if not isinstance(gang_id, str) or gang_id not in set(graph.gangs):
        raise ParameterError.invalid("gang_id", func, "the id of a gang in the case", gang_id)
    return gang_id


#: People the scorer places on a gang's side with at least this confidence count as the
#: gang's side in the investigations (listed members always do): the tip-off test's own
#: threshold, one number for both.
INFERRED_MIN_CONFIDENCE = SIDE_MIN_CONFIDENCE


def inferred_side(graph: CaseGraph, gangs: list[str]) -> pd.DataFrame:
    """People the scorer infers to act for a gang without being listed.

    Uses :func:`umbrella_graph.scoring.infer_gang_side` (front men who control a gang
    company, likely unlisted members) and keeps people with a confidence of at least
    :data:`INFERRED_MIN_CONFIDENCE`. Returns ``person_id, gang_id, side, confidence``
    (``side`` is ``front_man`` or ``inferred``), ``reasons`` (the scorer's, citing ids);
    empty if the scorer offers no inference.
    """
    cols = {"person_id": "string", "gang_id": "string", "side": "string", "confidence": "float64",
            "reasons": "string"}
    empty = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})  # type: ignore[call-overload]
    fn = infer_gang_side
    if not gangs:
        return empty
    parts = []
    for g in gangs:
        res = fn(graph, g)
        if not isinstance(res, pd.DataFrame) or not {"person_id", "confidence"} <= set(res.columns):
            continue
        kind = res["kind"].astype(str) if "kind" in res.columns else pd.Series("inferred", index=res.index)
        keep = (kind != "listed").to_numpy() & (res["confidence"].to_numpy(dtype=float) >= INFERRED_MIN_CONFIDENCE)
        r = res[keep]
        parts.append(pd.DataFrame({"person_id": r["person_id"].astype(str).to_numpy(), "gang_id": g,
                                   "side": np.where(kind[keep].to_numpy() == "front_man", "front_man", "inferred"),
                                   "confidence": r["confidence"].to_numpy(dtype=float),
                                   "reasons": (r["reasons"].astype(str).to_numpy() if "reasons" in r.columns
                                               else "")}))
    if not parts:
        return empty
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["person_id", "gang_id"])
    return out.astype(cols).reset_index(drop=True)


def scorer_companies(graph: CaseGraph, gang_id: str) -> pd.DataFrame:
    """Companies the scorer ties to a gang (:func:`umbrella_graph.scoring.gang_companies`)
    with a confidence of at least :data:`INFERRED_MIN_CONFIDENCE`: ``company_id,
    confidence, reasons``."""
    cols = {"company_id": "string", "confidence": "float64", "reasons": "string"}
    empty = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()})  # type: ignore[call-overload]
    res = scorer_gang_companies(graph, gang_id)
    if not isinstance(res, pd.DataFrame) or not {"company_id", "confidence"} <= set(res.columns):
        return empty
    res = res[res["confidence"].to_numpy(dtype=float) >= INFERRED_MIN_CONFIDENCE]
    out = pd.DataFrame({"company_id": res["company_id"].astype(str).to_numpy(),
                        "confidence": res["confidence"].to_numpy(dtype=float),
                        "reasons": (res["reasons"].astype(str).to_numpy() if "reasons" in res.columns else "")})
    return out.astype(cols).reset_index(drop=True)


def gang_side(graph: CaseGraph, gangs: list[str] | None = None, *, inferred: bool = True) -> pd.DataFrame:
    """The people on each gang's side: the one definition,
    :func:`umbrella_graph.scoring.facts.gang_side_ids`.

    Returns ``person_id, gang_id, side`` with ``side`` the listed role (``leader``,
    ``core``, ``member``), or ``front_man`` / ``inferred`` for unlisted people the scorer
    places on the gang's side with confidence >= 0.5 (when ``inferred``). Only people
    (not companies) are returned.
    """
    return gang_side_ids(graph, gangs, inferred=inferred)


def gang_companies(graph: CaseGraph, gang_id: str, people: Iterable[str] | None = None) -> pd.DataFrame:
    """The gang's companies: the one definition, :func:`umbrella_graph.scoring.gang_companies`.

    Companies the scorer ties to the gang with a confidence of at least
    :data:`INFERRED_MIN_CONFIDENCE` (listed members control them, work there or move
    large sums with them). ``n_roles`` and ``via_people`` say which of ``people``
    (default: the listed members) hold a controlling role (:data:`CONTROL_ROLES`) there.

    Returns ``company_id, sector, village_id, n_roles, via_people, confidence, reasons``
    (``via_people``: sorted ids, ";"-joined), sorted by company id.
    """
    case = graph.case
    if people is None:
        m = case["members"]
        people = m.loc[(m["gang_id"] == gang_id).fillna(False).to_numpy(), "person_id"].astype(str)
    pset = set(people)
    sc = scorer_companies(graph, gang_id).sort_values("company_id").reset_index(drop=True)
    roles = case["company_roles"]
    r = roles[roles["person_id"].isin(pset).fillna(False).to_numpy()
              & roles["role"].isin(list(CONTROL_ROLES)).fillna(False).to_numpy()
              & roles["company_id"].isin(set(sc["company_id"])).fillna(False).to_numpy()]
    g = r.groupby(r["company_id"].astype(str), sort=True).agg(
        n_roles=("person_id", "size"),
        via_people=("person_id", lambda s: ";".join(sorted(set(s.astype(str))))))
    comp = case["companies"].set_index(case["companies"]["id"].astype(str))
    out = pd.DataFrame({"company_id": sc["company_id"].astype(str).to_numpy()})
    out["sector"] = comp["sector"].reindex(out["company_id"]).to_numpy()
    out["village_id"] = comp["village_id"].reindex(out["company_id"]).to_numpy()
    out["n_roles"] = g["n_roles"].reindex(out["company_id"]).fillna(0).to_numpy(dtype=np.int64)
    out["via_people"] = g["via_people"].reindex(out["company_id"]).fillna("").to_numpy()
    out["confidence"] = sc["confidence"].to_numpy(dtype=float)
    out["reasons"] = sc["reasons"].to_numpy()
    return out.astype({"company_id": "string", "sector": "string", "village_id": "string",
                       "via_people": "string", "reasons": "string"})


def village_ancestors(graph: CaseGraph) -> dict[str, list[str]]:
    """Each village id -> itself followed by its ancestors (parent, grandparent...)."""
    v = graph.case["villages"]
    parent = dict(zip(v["id"].astype(str), v["parent_id"].astype("string"), strict=True))
    out: dict[str, list[str]] = {}
    for vid in parent:
        chain = [vid]
        seen = {vid}
        p = parent.get(vid)
        while isinstance(p, str) and p not in seen and p in parent:
            chain.append(p)
            seen.add(p)
            p = parent.get(p)
        out[vid] = chain
    return out


def fmt_date(t: Any) -> str:
    """``YYYY-MM-DD`` or ``"?"`` for a missing date."""
    if t is None or t is pd.NaT or (isinstance(t, float) and math.isnan(t)) or pd.isna(t):
        return "?"
    return pd.Timestamp(t).strftime("%Y-%m-%d")


def cite(files: Iterable[Any], rows: Iterable[Any], limit: int = 5) -> str:
    """``"contacts.csv:12, contacts.csv:40 (+3 more)"`` for record provenance."""
    pairs = [f"{f}:{int(r)}" for f, r in zip(files, rows, strict=True)]
    if len(pairs) <= limit:
        return ", ".join(pairs)
    return ", ".join(pairs[:limit]) + f" (+{len(pairs) - limit} more)"


#: Scorer signals that are context, not independent evidence: the leads themselves
#: (allegations), the official's jurisdiction (opportunity) and the structural signals
#: (network position). They do not count as evidence channels.
CONTEXT_SIGNALS: frozenset[str] = frozenset({"leads", "jurisdiction", "ppr", "community", "link", "brokerage"})

#: A signal counts as an evidence channel when it contributes at least this to a score.
MIN_CONTRIBUTION = 0.01


def evidence_channels(scores: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Per :func:`umbrella_graph.scoring.score_umbrellas` row: how many evidence channels
    (``contrib_NAME`` columns, :data:`CONTEXT_SIGNALS` left out) contribute at least
    :data:`MIN_CONTRIBUTION`, and their names ";"-joined."""
    prefix = "contrib_"
    cols = [c for c in scores.columns if str(c).startswith(prefix) and str(c)[len(prefix):] not in CONTEXT_SIGNALS]
    names = [str(c)[len(prefix):] for c in cols]
    if not cols:
        return np.zeros(len(scores), dtype=np.int64), [""] * len(scores)
    vals = scores[cols].apply(pd.to_numeric, errors="coerce").fillna(0.0).to_numpy(dtype=float)
    pos = vals >= MIN_CONTRIBUTION
    joined = [";".join(n for n, p in zip(names, row, strict=True) if p) for row in pos]
    return pos.sum(axis=1).astype(np.int64), joined
