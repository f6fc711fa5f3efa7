"""Lead triage (线索排摸): which petitions and tips deserve a team first.

Every row of the ``leads`` table (a petition, a hotline tip, a referral) names a person
and maybe a gang. :func:`triage_leads` ranks them by how much *independent graph
evidence* supports them:

* the named official's umbrella score with the named gang (or, if no gang is named, his
  best score with any gang) from :func:`umbrella_graph.scoring.score_umbrellas`, minus
  the share the leads themselves add to it (``contrib_leads``): ``pair_score``;
* how many independent evidence channels (money, relayed money, contracts, contacts,
  contacts before raids, kinship, membership: every signal except the context signals of
  :data:`CONTEXT_SIGNALS`) contribute at least :data:`MIN_CONTRIBUTION` to that score:
  ``n_channels``;
* how many independent leads (distinct sources) name the same person: ``n_sources``.

The support score (0..1) is::

    support = 0.7 * pair_score
            + 0.2 * min(n_channels, 4) / 4
            + 0.1 * min(n_sources - 1, 2) / 2

so graph evidence dominates, corroborating channels come next and repeated tips from
other sources only break near-ties. A lead about a person who holds no post gets
``pair_score = 0`` and ``n_channels = 0``. A lead about an official with no evidence link
to any gang (no channel contributes to any of his scores) keeps only what the context
signals give (small by design) and no channel: it ranks low and its reason says so.

The text of a lead is sensitive and never copied into the output.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..graph import CaseGraph
from ..scoring import score_umbrellas
from ._common import CONTEXT_SIGNALS, MIN_CONTRIBUTION, check_graph, evidence_channels

__all__ = ["triage_leads", "LEAD_COLUMNS", "SUPPORT_WEIGHTS", "CONTEXT_SIGNALS", "MIN_CONTRIBUTION"]

logger = logging.getLogger(__name__)

#: The columns of :func:`triage_leads`, in order.
LEAD_COLUMNS: tuple[str, ...] = (
    "rank", "group", "lead_id", "date", "source", "subject_id", "gang_id", "is_official",
    "matched_gang_id", "pair_score", "pair_rank", "n_channels", "channels", "n_leads_official",
    "n_sources_official", "support", "reason", "file", "row",
)

#: Weights of the support score: graph score, evidence channels, independent sources.
SUPPORT_WEIGHTS: tuple[float, float, float] = (0.7, 0.2, 0.1)

_DTYPES: dict[str, str] = {
    "rank": "int64", "group": "int64", "lead_id": "string", "date": "datetime64[ns]",
    "source": "string", "subject_id": "string", "gang_id": "string", "is_official": "bool",
    "matched_gang_id": "string", "pair_score": "float64", "pair_rank": "Int64",
    "n_channels": "int64", "channels": "string", "n_leads_official": "int64",
    "n_sources_official": "int64", "support": "float64", "reason": "string", "file": "string",
    "row": "int64",
}


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in LEAD_COLUMNS})  # type: ignore[call-overload]


def _score(graph: CaseGraph, seed: int) -> pd.DataFrame:
    res: pd.DataFrame = score_umbrellas(graph, seed=seed)
    return res


def triage_leads(graph: CaseGraph, *, scores: pd.DataFrame | None = None, seed: int = 0) -> pd.DataFrame:
    """Rank leads by the independent graph evidence that supports them.

    Parameters
    ----------
    graph : CaseGraph
        The case graph; its ``leads`` table is ranked.
    scores : pandas.DataFrame, optional
        A :func:`umbrella_graph.scoring.score_umbrellas` result to reuse (columns
        ``official_id``, ``gang_id``, ``score`` and the ``contrib_*`` columns); computed
        with ``seed`` when None.
    seed : int, default 0
        Passed to the scorer.

    Returns
    -------
    pandas.DataFrame
        One row per lead, best supported first, columns :data:`LEAD_COLUMNS`: ``rank``
        (1 = most supported), ``group`` (leads about the same person share a group;
        group 1 holds the best-ranked lead), the lead's ``lead_id``, ``date``, ``source``,
        ``subject_id``, ``gang_id`` (named gang, if any), ``is_official``,
        ``matched_gang_id`` (the gang the evidence was measured against: the named gang,
        else the official's best), ``pair_score`` (0..1), ``pair_rank`` (the official's
        rank among the gang's officials), ``n_channels`` and ``channels`` (evidence
        channels adding to that score), ``n_leads_official`` and ``n_sources_official``
        (leads and distinct sources naming the same person), ``support`` (see the module
        docstring), ``reason`` (in words; never the lead text), ``file`` and ``row`` of
        the lead record.

    Raises
    ------
    ParameterError
        If ``scores`` lacks the score columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["o1", "o2", "x"], "name": ["甲", "乙", "丙"]}),
    ...     officials=pd.DataFrame({"person_id": ["o1", "o2"], "position": ["镇长", "民警"]}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
    ...     leads=pd.DataFrame({"id": ["L1", "L2", "L3"], "date": ["2021-01-01"] * 3,
    ...                         "subject_id": ["o1", "o2", "x"], "gang_id": ["G1", None, None],
    ...                         "text": ["...", "...", "..."]}))
    >>> scores = pd.DataFrame({"official_id": ["o1", "o2"], "gang_id": ["G1", "G1"],
    ...                        "score": [0.9, 0.05], "contrib_money": [0.5, 0.0],
    ...                        "contrib_tipoff": [0.3, 0.0]})
    >>> t = triage_leads(build_graph(case), scores=scores)
    >>> t[["rank", "lead_id", "pair_score", "n_channels", "support"]]
       rank lead_id  pair_score  n_channels  support
    0     1      L1        0.90           2    0.730
    1     2      L2        0.05           0    0.035
    2     3      L3        0.00           0    0.000
    >>> print(t["reason"].iat[1])
    names official o2 (民警), no gang named; no evidence link to any gang in the graph (no evidence channel adds to any of his scores): ranks low
    """
    func = "triage_leads"
    graph = check_graph(graph, func)
    case = graph.case
    leads = case["leads"]
    if not len(leads):
        return _empty()
    if scores is None:
        scores = _score(graph, seed)
    need = {"official_id", "gang_id", "score"}
    if not need <= set(scores.columns):
        raise ParameterError.invalid("scores", func, "a score_umbrellas result (official_id, gang_id, score)",
                                     "a frame without those columns")
    sc = scores.copy()
    sc["official_id"] = sc["official_id"].astype(str)
    sc["gang_id"] = sc["gang_id"].astype(str)
    sc["score"] = pd.to_numeric(sc["score"], errors="coerce").fillna(0.0)
    if "contrib_leads" in sc.columns:  # the leads' own share of the score is not independent
        sc["score"] = (sc["score"] - pd.to_numeric(sc["contrib_leads"], errors="coerce").fillna(0.0)).clip(0, 1)
    n_ch, ch_names = evidence_channels(sc)
    sc["_n_ch"] = n_ch
    sc["_ch"] = ch_names
    sc = sc.sort_values(["gang_id", "score", "official_id"], ascending=[True, False, True])
    sc["_grank"] = sc.groupby("gang_id").cumcount() + 1
    sc["_gsize"] = sc.groupby("gang_id")["official_id"].transform("size")
    by_pair = sc.set_index(["official_id", "gang_id"])
    best = sc.sort_values(["official_id", "score", "gang_id"], ascending=[True, False, True])
    best = best.drop_duplicates("official_id").set_index("official_id")
    linked = sc.groupby("official_id")["_n_ch"].max()

    officials = set(graph.officials)
    posts = case["officials"].drop_duplicates("person_id").set_index(
        case["officials"].drop_duplicates("person_id")["person_id"].astype(str))
    subj = leads["subject_id"].astype(str)
    src = leads["source"].astype("string").fillna("(no source)")
    n_leads = subj.map(subj.value_counts())
    n_sources = subj.map(pd.DataFrame({"s": subj, "src": src}).drop_duplicates().groupby("s").size())
    w_score, w_ch, w_src = SUPPORT_WEIGHTS

    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(leads.to_dict("records")):
        o = str(rec["subject_id"])
        named = rec["gang_id"] if isinstance(rec["gang_id"], str) else None
        is_off = o in officials
        nl, ns = int(n_leads.iat[i]), int(n_sources.iat[i])
        match: str | None = None
        score, prank, nch, chs = 0.0, None, 0, ""
        parts: list[str] = []
        if not is_off:
            parts.append(f"names {o}, who holds no post in the case; the graph cannot support an umbrella "
                         "claim about him")
        else:
            pos = posts["position"].get(o)
            who = f"names official {o}" + (f" ({pos})" if isinstance(pos, str) else "")
            has_link = int(linked.get(o, 0)) > 0
            if named is not None:
                match = named
                key = (o, named)
                who += f" with the named gang {named}"
            elif o in best.index:
                match = str(best.loc[o, "gang_id"])
                key = (o, match)
                who += ", no gang named"
            else:
                key = None
                who += ", no gang named"
            parts.append(who)
            if key is not None and key in by_pair.index and has_link:
                r = by_pair.loc[key]
                score = float(r["score"])
                prank = int(r["_grank"])
                nch, chs = int(r["_n_ch"]), str(r["_ch"])
                where = "with it" if named is not None else f"best with gang {match}"
                parts.append(f"graph evidence {where}: score {score:.2f} (rank {prank} of {int(r['_gsize'])} "
                             f"officials), {nch} evidence channel(s)" + (f" ({chs.replace(';', ', ')})" if chs else ""))
                if named is not None and nch == 0 and o in best.index and int(best.loc[o, "_n_ch"]) > 0:
                    parts.append(f"his evidence points to gang {best.loc[o, 'gang_id']} instead "
                                 f"(score {float(best.loc[o, 'score']):.2f})")
            elif not has_link:
                score = float(by_pair.loc[key, "score"]) if key is not None and key in by_pair.index else 0.0
                parts.append("no evidence link to any gang in the graph (no evidence channel adds to any "
                             "of his scores): ranks low")
                prank = int(by_pair.loc[key, "_grank"]) if key is not None and key in by_pair.index else None
            else:
                parts.append("no score for this official and gang")
        if nl > 1:
            parts.append(f"{nl - 1} other lead(s) name the same person, from {ns} distinct source(s) in all")
        support = w_score * score + w_ch * min(nch, 4) / 4 + w_src * min(max(ns - 1, 0), 2) / 2
        if not is_off:
            support = min(support, w_src * min(max(ns - 1, 0), 2) / 2)
        rows.append({
            "lead_id": str(rec["id"]), "date": rec["date"], "source": rec["source"],
            "subject_id": o, "gang_id": named, "is_official": is_off, "matched_gang_id": match,
            "pair_score": round(score, 6), "pair_rank": prank, "n_channels": nch, "channels": chs,
            "n_leads_official": nl, "n_sources_official": ns, "support": round(support, 6),
            "reason": "; ".join(parts), "file": rec["_file"], "row": int(rec["_row"]),
        })
    out = pd.DataFrame(rows)
    out = out.sort_values(["support", "date", "lead_id"], ascending=[False, True, True]).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    first = out.drop_duplicates("subject_id")["subject_id"].tolist()
    out["group"] = out["subject_id"].map({s: i + 1 for i, s in enumerate(first)})
    out = out[list(LEAD_COLUMNS)].astype(_DTYPES)
    logger.info("triage_leads: ranked %d leads in %d groups", len(out), len(first))
    return out
