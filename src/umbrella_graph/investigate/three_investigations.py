"""One case, three investigations (一案三查).

When a gang case is opened the campaign investigates three things at once:

1. **the gang itself** (``part="gang"``): the gang, its listed (and inferred) members,
   the companies they hold roles in, and its activity period;
2. **its protective umbrellas** (``part="umbrella"``): officials the scorer
   (:func:`umbrella_graph.scoring.score_umbrellas`) ranks as suspected umbrellas of the
   gang, with their top signals and the records on their evidence paths;
3. **supervisory responsibility** (``part="supervision"``): officials who were
   responsible for the place and the trades where the gang grew, during its activity:

   * *territorial*: posts whose jurisdiction is the gang's village or one of its
     ancestors at village, town or district level (``villages.parent_id``);
   * *sector*: posts whose position or unit names a regulator of a gang company's sector
     (:data:`SECTOR_REGULATORS`) with a jurisdiction that covers the company's village;

   with tenure (``officials.start_date``/``end_date``) overlapping the gang's activity,
   and two indicators of neglect: contracts to gang companies the official approved, and
   whether any enforcement event happened in the jurisdiction (or on the gang) while the
   official was in post and the gang active.

Activity period of a gang: from the earliest to the latest of its listed members'
``start_date``/``end_date``, the dates of transactions *inside* the gang (both ends are
members or gang companies) and the times of events on the gang.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..domain import is_governing, is_justice, is_police, regulated_sectors, sectors_of, vocabulary
from ..errors import ParameterError
from ..graph import CaseGraph
from ..scoring import explain, score_umbrellas
from ..scoring.facts import event_gang_ids
from ._common import (
    CONTROL_ROLES,
    check_gang,
    check_graph,
    check_number,
    cite,
    evidence_channels,
    fmt_date,
    gang_companies,
    inferred_side,
    scorer_companies,
    village_ancestors,
)

__all__ = [
    "accountability",
    "gang_activity",
    "ACCOUNTABILITY_COLUMNS",
    "SECTOR_REGULATORS",
    "GOVERNING_LEVELS",
    "GOVERNING_POSITIONS",
    "POLICE_KEYWORDS",
    "JUSTICE_KEYWORDS",
]

logger = logging.getLogger(__name__)

#: The columns of :func:`accountability`, in order.
ACCOUNTABILITY_COLUMNS: tuple[str, ...] = (
    "gang_id", "part", "entity_id", "entity_kind", "role", "position", "unit", "jurisdiction_id",
    "start", "end", "score", "n_contracts_approved", "n_enforcement", "reason", "evidence",
)

#: The trades and their regulators: :mod:`umbrella_graph.domain`'s ``sectors``
#: vocabulary (``name -> {"keywords": ..., "regulators": ...}``), the one the scorer uses.
SECTOR_REGULATORS: dict[str, Any] = vocabulary()["sectors"]

#: Village levels whose governing posts carry territorial responsibility.
GOVERNING_LEVELS: tuple[str, ...] = ("village", "town", "district")

#: Keywords of posts that *govern* a place (the domain's ``governing`` vocabulary; see
#: :func:`umbrella_graph.domain.is_governing`).
GOVERNING_POSITIONS: tuple[str, ...] = tuple(vocabulary()["governing"]["keywords"])

#: Keywords of police posts (the domain's ``police`` vocabulary; see
#: :func:`umbrella_graph.domain.is_police`).
POLICE_KEYWORDS: tuple[str, ...] = tuple(vocabulary()["police"])

#: Keywords of judicial posts: courts, procuratorate, political-legal committee (the
#: domain's ``justice`` vocabulary; see :func:`umbrella_graph.domain.is_justice`).
JUSTICE_KEYWORDS: tuple[str, ...] = tuple(vocabulary()["justice"]["keywords"])

_DTYPES: dict[str, str] = {
    "gang_id": "string", "part": "string", "entity_id": "string", "entity_kind": "string",
    "role": "string", "position": "string", "unit": "string", "jurisdiction_id": "string",
    "start": "datetime64[ns]", "end": "datetime64[ns]", "score": "float64",
    "n_contracts_approved": "Int64", "n_enforcement": "Int64", "reason": "string", "evidence": "string",
}


def _sectors_of(sector: Any) -> list[str]:
    """The trades a company sector belongs to (:func:`umbrella_graph.domain.sectors_of`)."""
    if not isinstance(sector, str) or not sector.strip():
        return []
    return sorted(sectors_of([sector])[0])


def _post_text(*texts: Any) -> str:
    return " ".join(str(x) for x in texts if isinstance(x, str))


def _ts(x: Any) -> pd.Timestamp | None:
    if x is None or x is pd.NaT or pd.isna(x):
        return None
    return pd.Timestamp(x)


def _company_table(graph: CaseGraph, g: str, members: list[str], inferred: bool) -> pd.DataFrame:
    """The gang's companies: ``company_id, sector, village_id, reason, evidence``.

    Companies listed members control (company_roles), then, when ``inferred``, those the
    scorer ties to the gang (front men, large transfers) with enough confidence.
    """
    case = graph.case
    roles = case["company_roles"]
    comp = case["companies"].set_index(case["companies"]["id"].astype(str))
    rows: list[dict[str, Any]] = []
    for rec in gang_companies(graph, g, members).to_dict("records"):
        cid = str(rec["company_id"])
        r = roles[(roles["company_id"] == cid).fillna(False).to_numpy()
                  & roles["person_id"].isin(members).fillna(False).to_numpy()
                  & roles["role"].isin(list(CONTROL_ROLES)).fillna(False).to_numpy()]
        kinds = ", ".join(sorted(set(r["role"].dropna().astype(str)))) or "a role"
        reason = (f"{len(r)} listed member(s) hold {kinds} (company_roles table)" if len(r) else
                  f"not held by listed members; the scorer ties it to the gang "
                  f"(confidence {float(rec['confidence']):.2f}: {rec['reasons']})")
        rows.append({"company_id": cid, "sector": rec["sector"], "village_id": rec["village_id"],
                     "reason": reason, "evidence": cite(r["_file"], r["_row"])})
    if inferred:
        seen = {r["company_id"] for r in rows}
        for rec in scorer_companies(graph, g).to_dict("records"):
            cid = str(rec["company_id"])
            if cid in seen or cid not in comp.index:
                continue
            rows.append({"company_id": cid, "sector": comp["sector"].get(cid),
                         "village_id": comp["village_id"].get(cid),
                         "reason": (f"not held by listed members; the scorer ties it to the gang "
                                    f"(confidence {float(rec['confidence']):.2f}: {rec['reasons']})"),
                         "evidence": ""})
    cols = ["company_id", "sector", "village_id", "reason", "evidence"]
    return pd.DataFrame(rows, columns=cols)


def gang_activity(graph: CaseGraph, gang_id: str, *, inferred: bool = True) -> dict[str, Any]:
    """The activity period of a gang and what it rests on.

    Parameters
    ----------
    graph : CaseGraph
    gang_id : str
    inferred : bool, default True
        Also count the companies the scorer ties to the gang.

    Returns
    -------
    dict
        ``start``, ``end`` (Timestamps or None), ``n_member_dates``,
        ``n_internal_transactions``, ``n_events``, ``members`` (listed member ids),
        ``companies`` (company ids) and ``company_table`` (``company_id, sector,
        village_id, reason, evidence``: why each company is the gang's).

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a", "b"], "name": ["甲", "乙"]}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
    ...     members=pd.DataFrame({"person_id": ["a", "b"], "gang_id": ["G1", "G1"],
    ...                           "start_date": ["2018-01-01", None]}),
    ...     transactions=pd.DataFrame({"src": ["a"], "dst": ["b"], "amount": [500],
    ...                                "date": ["2020-05-01"]}))
    >>> act = gang_activity(build_graph(case), "G1")
    >>> str(act["start"].date()), str(act["end"].date()), act["n_internal_transactions"]
    ('2018-01-01', '2020-05-01', 1)
    """
    graph = check_graph(graph, "gang_activity")
    check_gang(graph, gang_id, "gang_activity")
    case = graph.case
    m = case["members"]
    m = m[(m["gang_id"] == gang_id).fillna(False).to_numpy()]
    members = sorted(set(m["person_id"].astype(str)))
    comps = _company_table(graph, gang_id, members, inferred)
    companies = comps["company_id"].astype(str).tolist()
    inside = set(members) | set(companies)
    dates: list[pd.Timestamp] = []
    md = pd.concat([m["start_date"], m["end_date"]]).dropna()
    dates.extend(pd.to_datetime(md).tolist())
    tx = case["transactions"]
    internal = tx[(tx["src"].isin(inside) & tx["dst"].isin(inside)).fillna(False).to_numpy()]
    dates.extend(pd.to_datetime(internal["date"].dropna()).tolist())
    ev = case["events"]
    evg = ev[(event_gang_ids(graph)["gang_id"] == gang_id).fillna(False).to_numpy()]
    dates.extend(pd.to_datetime(evg["time"].dropna()).tolist())
    return {
        "start": min(dates) if dates else None,
        "end": max(dates) if dates else None,
        "n_member_dates": len(md),
        "n_internal_transactions": len(internal),
        "n_events": len(evg),
        "members": members,
        "companies": companies,
        "company_table": comps,
    }


def _gang_rows(graph: CaseGraph, g: str, act: dict[str, Any], inferred: bool) -> list[dict[str, Any]]:
    case = graph.case
    gangs = case["gangs"].set_index(case["gangs"]["id"].astype(str))
    rows: list[dict[str, Any]] = []
    village = gangs["village_id"].get(g)
    village = village if isinstance(village, str) else None
    period = f"{fmt_date(act['start'])} to {fmt_date(act['end'])}"
    rows.append({
        "entity_id": g, "entity_kind": "gang", "role": "gang", "jurisdiction_id": village,
        "start": act["start"], "end": act["end"],
        "reason": (f"the gang: {len(act['members'])} listed members, {len(act['companies'])} companies; "
                   f"active {period} (from {act['n_member_dates']} member dates, "
                   f"{act['n_internal_transactions']} transactions inside the gang, "
                   f"{act['n_events']} enforcement events)"),
        "evidence": f"{gangs['_file'].get(g)}:{int(gangs['_row'].get(g))}",
    })
    m = case["members"]
    m = m[(m["gang_id"] == g).fillna(False).to_numpy()]
    m = m.assign(_r=m["role"].map({"leader": 0, "core": 1, "member": 2}).fillna(3))
    m = m.sort_values(["_r", "person_id"])
    for mr in m.to_dict("records"):
        role = mr["role"] if isinstance(mr["role"], str) else "member"
        rows.append({
            "entity_id": str(mr["person_id"]), "entity_kind": "person", "role": role,
            "start": _ts(mr["start_date"]), "end": _ts(mr["end_date"]),
            "reason": f"listed {role} of the gang (members table)",
            "evidence": f"{mr['_file']}:{int(mr['_row'])}",
        })
    if inferred:
        inf = inferred_side(graph, [g]).sort_values(["confidence", "person_id"], ascending=[False, True])
        for rec in inf.to_dict("records"):
            what = "front man (白手套)" if rec["side"] == "front_man" else "likely unlisted member"
            rows.append({
                "entity_id": str(rec["person_id"]), "entity_kind": "person", "role": str(rec["side"]),
                "reason": (f"not listed; {what} by the scorer's inference "
                           f"(confidence {float(rec['confidence']):.2f}: {rec['reasons']})"),
            })
    for rec in act["company_table"].to_dict("records"):
        sector = rec["sector"] if isinstance(rec["sector"], str) else "unknown sector"
        rows.append({
            "entity_id": str(rec["company_id"]), "entity_kind": "company", "role": "company",
            "jurisdiction_id": rec["village_id"] if isinstance(rec["village_id"], str) else None,
            "reason": f"gang company ({sector}): {rec['reason']}",
            "evidence": rec["evidence"],
        })
    return rows


def _umbrella_rows(graph: CaseGraph, g: str, scores: pd.DataFrame, min_score: float, top: int,
                   explain_paths: bool, seed: int) -> list[dict[str, Any]]:
    s = scores[(scores["gang_id"].astype(str) == g).to_numpy()]
    if not len(s):
        return []
    s = s.sort_values(["score", "official_id"], ascending=[False, True]).reset_index(drop=True)
    n_off = len(s)
    s = s.assign(_gr=np.arange(1, len(s) + 1))
    s = s[s["score"] >= min_score].head(top)
    rows: list[dict[str, Any]] = []
    posts = graph.case["officials"]
    for rec in s.to_dict("records"):
        o = str(rec["official_id"])
        pos = posts[(posts["person_id"] == o).fillna(False).to_numpy()]
        first = pos.iloc[0] if len(pos) else None
        signals = str(rec.get("top_signals") or "")
        n_ch, chs = evidence_channels(pd.DataFrame([rec]))
        reason = (f"suspected umbrella: score {float(rec['score']):.2f}, rank {int(rec['_gr'])} of "
                  f"{n_off} officials for this gang; top signals: {signals or 'none'}; "
                  f"{int(n_ch[0])} evidence channel(s)" + (f" ({chs[0].replace(';', ', ')})" if chs[0] else ""))
        evidence = ""
        if explain_paths:
            evidence, extra = _evidence(graph, o, g, seed)
            if extra:
                reason += "; " + extra
        rows.append({
            "entity_id": o, "entity_kind": "person", "role": "suspected umbrella",
            "position": None if first is None else first["position"],
            "unit": None if first is None else first["unit"],
            "jurisdiction_id": None if first is None else first["jurisdiction_id"],
            "start": None if first is None else _ts(first["start_date"]),
            "end": None if first is None else _ts(first["end_date"]),
            "score": float(rec["score"]), "reason": reason, "evidence": evidence,
        })
    return rows


def _evidence(graph: CaseGraph, o: str, g: str, seed: int) -> tuple[str, str]:
    """``(citations, summary)`` of the records on the scorer's evidence paths."""
    ex = explain(graph, o, g, k=3, seed=seed)
    frame = ex.to_frame()
    n_paths = len(ex.paths)
    if not len(frame) or "file" not in frame.columns:
        return "", f"{n_paths} evidence path(s)"
    frame = frame.drop_duplicates(["file", "row"])
    return cite(frame["file"], frame["row"]), f"{n_paths} evidence path(s), {len(frame)} record(s)"


def _descendants(graph: CaseGraph) -> dict[str, set[str]]:
    """Each village id -> itself and every place below it."""
    out: dict[str, set[str]] = {}
    for vid, chain in village_ancestors(graph).items():
        for a in chain:
            out.setdefault(a, set()).add(vid)
    return out


def _supervision_rows(graph: CaseGraph, g: str, act: dict[str, Any]) -> list[dict[str, Any]]:
    case = graph.case
    anc = village_ancestors(graph)
    desc = _descendants(graph)
    villages = case["villages"].set_index(case["villages"]["id"].astype(str))
    level = villages["level"].astype("string")
    gangs = case["gangs"].set_index(case["gangs"]["id"].astype(str))
    gv = gangs["village_id"].get(g)
    gv = gv if isinstance(gv, str) else None
    comps = act["company_table"]
    a_start, a_end = act["start"], act["end"]

    # places of territorial responsibility: gang village and its ancestors up to district
    terr: dict[str, str] = {}
    if gv is not None:
        for v in anc.get(gv, [gv]):
            lv = level.get(v)
            if lv is None or pd.isna(lv) or str(lv) in GOVERNING_LEVELS:
                terr[v] = str(lv) if lv is not None and not pd.isna(lv) else "place"
    # sector groups per company, and the places covering each company
    comp_groups: list[tuple[str, str, list[str], set[str]]] = []
    for crec in comps.to_dict("records"):
        groups = _sectors_of(crec["sector"])
        cv = crec["village_id"] if isinstance(crec["village_id"], str) else None
        cover = set(anc.get(cv, [cv])) if cv else set()
        if groups and cover:
            comp_groups.append((str(crec["company_id"]), str(crec["sector"]), groups, cover))

    contracts = case["contracts"]
    gang_cos = set(act["companies"])
    con_g = contracts[contracts["company_id"].isin(gang_cos).fillna(False).to_numpy()]
    ev = case["events"]
    ev_gang = event_gang_ids(graph)["gang_id"][ev["time"].notna().to_numpy()].reset_index(drop=True)
    ev = ev[ev["time"].notna().to_numpy()].reset_index(drop=True)

    rows: list[dict[str, Any]] = []
    posts = case["officials"]
    # the vocabulary questions once for all posts (per row they cost 10 s on a 100k city)
    post_unit = [_post_text(p, u) for p, u in zip(posts["position"], posts["unit"], strict=True)]
    governs = is_governing([_post_text(p) for p in posts["position"]])
    police = is_police(post_unit)
    judicial = is_justice(post_unit)
    regulates = regulated_sectors(post_unit)
    for i, rec in enumerate(posts.to_dict("records")):
        jur = rec["jurisdiction_id"] if isinstance(rec["jurisdiction_id"], str) else None
        if jur is None:
            continue
        grounds: list[str] = []
        roles: list[str] = []
        if jur in terr:
            where = (f"the gang's own village {jur}" if jur == gv
                     else f"{jur} (the {terr[jur]} containing the gang's village {gv})")
            if bool(governs[i]):
                grounds.append(f"governs {where}")
                roles.append("territorial")
            elif bool(police[i]):
                grounds.append(f"police post responsible for {where}")
                roles.append("public security")
            elif bool(judicial[i]):
                grounds.append(f"judicial post (court, procuratorate, political-legal committee) responsible for {where}")
                roles.append("judicial")
        for cid, sector, groups, cover in comp_groups:
            hit = [grp for grp in groups if grp in regulates[i]]
            if hit and jur in cover:
                names = ", ".join(str(SECTOR_REGULATORS[h].get("label", h)) for h in hit)
                grounds.append(f"regulates {names} ({sector}) in {jur}, covering gang company {cid}")
                if "sector regulator" not in roles:
                    roles.append("sector regulator")
        if not grounds:
            continue
        p_start, p_end = _ts(rec["start_date"]), _ts(rec["end_date"])
        # tenure overlap with the activity period (unknown dates count as overlapping)
        if a_start is not None and p_end is not None and p_end < a_start:
            continue
        if a_end is not None and p_start is not None and p_start > a_end:
            continue
        o_start = max([d for d in (p_start, a_start) if d is not None], default=None)
        o_end = min([d for d in (p_end, a_end) if d is not None], default=None)
        o = str(rec["person_id"])
        # neglect 1: contracts to gang companies approved by this official during the post
        ck = con_g[(con_g["approver_id"] == o).fillna(False).to_numpy()]
        if p_start is not None:
            ck = ck[(ck["date"] >= p_start).fillna(True).to_numpy()]
        if p_end is not None:
            ck = ck[(ck["date"] <= p_end).fillna(True).to_numpy()]
        # neglect 2: enforcement in the jurisdiction (or on the gang) during post x activity
        below = desc.get(jur, {jur})
        e = ev[(ev["jurisdiction_id"].isin(below).fillna(False)
                | (ev_gang == g).fillna(False)).to_numpy()]
        if o_start is not None:
            e = e[(e["time"] >= o_start).to_numpy()]
        if o_end is not None:
            e = e[(e["time"] <= o_end + pd.Timedelta(days=1)).to_numpy()]
        tenure = f"in post {fmt_date(p_start)} to {fmt_date(p_end) if p_end is not None else 'present'}"
        overlap = f"overlapping the gang's activity {fmt_date(o_start)} to {fmt_date(o_end)}"
        reason = "; ".join(grounds) + f"; {tenure}, {overlap}"
        if len(ck):
            reason += (f"; approved {len(ck)} contract(s) to gang companies worth "
                       f"{float(ck['amount'].fillna(0).sum()):,.0f}")
        if len(e):
            reason += f"; {len(e)} enforcement event(s) in the jurisdiction or on the gang in that time"
        else:
            reason += "; no enforcement event in the jurisdiction or on the gang in that time"
        evid = [f"{rec['_file']}:{int(rec['_row'])}"]
        if len(ck):
            evid.append(cite(ck["_file"], ck["_row"]))
        if len(e):
            evid.append(cite(e["_file"], e["_row"]))
        rows.append({
            "entity_id": o, "entity_kind": "person",
            "role": "; ".join(roles),
            "position": rec["position"], "unit": rec["unit"], "jurisdiction_id": jur,
            "start": p_start, "end": p_end,
            "n_contracts_approved": len(ck), "n_enforcement": len(e),
            "reason": reason, "evidence": ", ".join(evid),
            "_k": (list(terr).index(jur) if jur in terr else len(terr), o, fmt_date(p_start)),
        })
    rows.sort(key=lambda r: r.pop("_k"))
    return rows


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in ACCOUNTABILITY_COLUMNS})  # type: ignore[call-overload]


def accountability(
    graph: CaseGraph,
    gang_id: str | None = None,
    *,
    scores: pd.DataFrame | None = None,
    min_score: float = 0.5,
    top: int = 10,
    inferred: bool = True,
    explain: bool = True,
    seed: int = 0,
) -> pd.DataFrame:
    """One case, three investigations (一案三查): the gang, its umbrellas, its supervisors.

    Parameters
    ----------
    graph : CaseGraph
        The case graph.
    gang_id : str, optional
        One gang; default every gang of the case.
    scores : pandas.DataFrame, optional
        A :func:`umbrella_graph.scoring.score_umbrellas` result to reuse; computed (with
        ``seed``) when None and the scorer is available. Pass an empty frame to skip the
        umbrella part.
    min_score : float, default 0.5
        Officials scoring at least this for the gang are listed as suspected umbrellas.
    top : int, default 10
        At most this many suspected umbrellas per gang (highest scores first).
    inferred : bool, default True
        List people the scorer infers to be on the gang's side (when it can).
    explain : bool, default True
        Cite the records on each suspected umbrella's evidence paths
        (:func:`umbrella_graph.scoring.explain`).
    seed : int, default 0
        Passed to the scorer.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ACCOUNTABILITY_COLUMNS`: ``gang_id``, ``part`` (``gang``,
        ``umbrella``, ``supervision``), ``entity_id``, ``entity_kind`` (``gang``,
        ``person``, ``company``), ``role`` (member role, ``company``, ``suspected
        umbrella``, ``territorial`` or ``sector regulator``), the post's ``position``,
        ``unit``, ``jurisdiction_id``, ``start``/``end`` (membership, activity or tenure),
        ``score`` (umbrella score), ``n_contracts_approved`` and ``n_enforcement``
        (supervision rows), ``reason`` (why the row is listed, in words, with record
        counts) and ``evidence`` (``file:row`` of the records). Ordered by gang, part,
        then as listed within a part.

    Raises
    ------
    ParameterError
        For an unknown ``gang_id`` or out-of-range ``min_score``/``top``.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["boss", "head"], "name": ["李", "王"]}),
    ...     villages=pd.DataFrame({"id": ["T1", "V1"], "name": ["某镇", "某村"],
    ...                            "parent_id": [None, "T1"], "level": ["town", "village"]}),
    ...     officials=pd.DataFrame({"person_id": ["head"], "position": ["镇长"],
    ...                             "jurisdiction_id": ["T1"], "start_date": ["2015-01-01"]}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["某团伙"], "village_id": ["V1"]}),
    ...     members=pd.DataFrame({"person_id": ["boss"], "gang_id": ["G1"], "role": ["leader"],
    ...                           "start_date": ["2017-01-01"]}))
    >>> acc = accountability(build_graph(case), "G1", scores=pd.DataFrame())
    >>> acc[["part", "entity_id", "role"]]
              part entity_id         role
    0         gang        G1         gang
    1         gang      boss       leader
    2  supervision      head  territorial
    >>> print(acc["reason"].iat[2])
    governs T1 (the town containing the gang's village V1); in post 2015-01-01 to present, overlapping the gang's activity 2017-01-01 to 2017-01-01; no enforcement event in the jurisdiction or on the gang in that time
    """
    func = "accountability"
    graph = check_graph(graph, func)
    min_score = check_number(min_score, "min_score", func, low=0.0, high=1.0)
    top_n = int(check_number(top, "top", func, low=0, integer=True))
    gangs = list(graph.gangs) if gang_id is None else [check_gang(graph, gang_id, func)]
    if not gangs:
        return _empty()
    if scores is None:
        scores = _score(graph, gangs, seed)
    elif len(scores) and not {"official_id", "gang_id", "score"} <= set(scores.columns):
        raise ParameterError.invalid("scores", func, "a score_umbrellas result (official_id, gang_id, score)",
                                     "a frame without those columns")
    rows: list[dict[str, Any]] = []
    for g in gangs:
        act = gang_activity(graph, g, inferred=inferred)
        parts = [("gang", _gang_rows(graph, g, act, inferred))]
        if len(scores):
            parts.append(("umbrella", _umbrella_rows(graph, g, scores, min_score, top_n, explain, seed)))
        parts.append(("supervision", _supervision_rows(graph, g, act)))
        for part, prow in parts:
            for r in prow:
                rows.append({"gang_id": g, "part": part, **r})
    if not rows:
        return _empty()
    out = pd.DataFrame(rows)
    for c in ACCOUNTABILITY_COLUMNS:
        if c not in out.columns:
            out[c] = None
    out = out[list(ACCOUNTABILITY_COLUMNS)]
    for c in ("start", "end"):
        out[c] = pd.to_datetime(out[c])
    out = out.astype(_DTYPES)
    logger.info("accountability: %d rows for %d gang(s)", len(out), len(gangs))
    return out.reset_index(drop=True)


def _score(graph: CaseGraph, gangs: list[str], seed: int) -> pd.DataFrame:
    res: pd.DataFrame = score_umbrellas(graph, gangs=gangs, seed=seed)
    return res
