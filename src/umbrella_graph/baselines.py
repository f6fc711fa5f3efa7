"""Naive umbrella scores that the project's scorer must beat: :func:`baseline_scores`.

Each baseline scores every official x gang pair from the structure of the case graph
alone, without the evidence logic (who paid whom, when calls fell, which contracts went
where):

``degree``
    the official's number of distinct neighbours (the same for every gang);
``betweenness``
    the official's shortest-path betweenness (sampled from 500 sources on large graphs);
``direct_contacts``
    the number of contacts (summing ``count``) between the official and the gang's
    listed members;
``ppr``
    personalised PageRank from the gang's listed members.

All use the *collapsed* person-level graph: ties, transactions, contacts, company roles,
contracts and memberships, one undirected edge per connected pair weighted by the number
of records (:meth:`~umbrella_graph.graph.CaseGraph.adjacency` with ``weight="count"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .algorithms import betweenness, personalized_pagerank_many
from .errors import ParameterError, check_seed
from .graph import CaseGraph

__all__ = ["baseline_scores", "BASELINES", "COLLAPSED_KINDS"]

#: The baseline methods.
BASELINES = ("degree", "betweenness", "direct_contacts", "ppr")
#: Edge kinds of the collapsed graph the baselines walk on.
COLLAPSED_KINDS = ("tie", "transaction", "contact", "company_role", "contract", "approval", "member")
#: Above this many nodes betweenness is estimated from sampled sources.
_EXACT_BETWEENNESS_MAX = 3000
_BETWEENNESS_SOURCES = 500


def baseline_scores(graph: CaseGraph, method: str, *, seed: int = 0) -> pd.DataFrame:
    """Score every official x gang pair with a naive baseline.

    Parameters
    ----------
    graph : CaseGraph
    method : {"degree", "betweenness", "direct_contacts", "ppr"}
    seed : int, default 0
        Seed of the source sample of estimated betweenness (graphs over 3,000 nodes).

    Returns
    -------
    DataFrame
        ``official_id, gang_id, score``, one row per official x gang, sorted by
        official then gang.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["o", "m", "x"], "name": ["甲", "乙", "丙"]}),
    ...     officials=pd.DataFrame({"person_id": ["o"], "position": ["镇长"]}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["帮"]}),
    ...     members=pd.DataFrame({"person_id": ["m"], "gang_id": ["G1"]}),
    ...     contacts=pd.DataFrame({"src": ["o", "o"], "dst": ["m", "x"], "kind": "call",
    ...                            "time": "2020-01-01 10:00", "count": [3, 1]}))
    >>> baseline_scores(build_graph(case), "direct_contacts")
      official_id gang_id  score
    0           o      G1    3.0
    """
    if method not in BASELINES:
        raise ParameterError.invalid("method", "baseline_scores", "one of " + ", ".join(BASELINES), method)
    seed = check_seed(seed, "baseline_scores")
    officials = graph.officials
    gangs = graph.gangs
    pos = graph.index_of(officials)
    n_o, n_g = len(officials), len(gangs)
    if method == "direct_contacts":
        S = _direct_contacts(graph, officials, gangs)
    elif method == "ppr":
        A = graph.adjacency(COLLAPSED_KINDS, weight="count")
        seeds = _listed_members(graph, gangs)
        S = np.zeros((n_o, n_g))
        has = [i for i, s in enumerate(seeds) if len(s)]
        if has and n_o:
            R = personalized_pagerank_many(A, [seeds[i] for i in has])
            S[:, has] = R[:, pos].T
    else:
        A = graph.adjacency(COLLAPSED_KINDS, weight=None)
        if method == "degree":
            per = np.diff(A.indptr)[pos].astype(float)
        else:
            n = A.shape[0]
            k = None if n <= _EXACT_BETWEENNESS_MAX else _BETWEENNESS_SOURCES
            per = betweenness(A, k=k, seed=int(seed), weighted=False)[pos]
        S = np.repeat(per[:, None], n_g, axis=1)
    return pd.DataFrame({
        "official_id": np.repeat(np.asarray(officials, dtype=object), n_g),
        "gang_id": np.tile(np.asarray(gangs, dtype=object), n_o),
        "score": S.reshape(-1).astype(float),
    })


def _listed_members(graph: CaseGraph, gangs: list[str]) -> list[np.ndarray]:
    m = graph.case["members"]
    out = []
    for g in gangs:
        p = graph.index_of(m.loc[m["gang_id"] == g, "person_id"].astype(str))
        out.append(np.unique(p[p >= 0]))
    return out


def _direct_contacts(graph: CaseGraph, officials: list[str], gangs: list[str]) -> np.ndarray:
    c = graph.case["contacts"]
    m = graph.case["members"][["person_id", "gang_id"]].dropna().astype(str).drop_duplicates()
    S = np.zeros((len(officials), len(gangs)))
    if not len(c) or not len(m) or not officials:
        return S
    cnt = c["count"].fillna(1).astype(float).to_numpy()
    both = pd.DataFrame({"a": np.concatenate([c["src"].astype(str), c["dst"].astype(str)]),
                         "b": np.concatenate([c["dst"].astype(str), c["src"].astype(str)]),
                         "n": np.concatenate([cnt, cnt])})
    both = both[both["a"].isin(set(officials))]
    hits = both.merge(m, left_on="b", right_on="person_id")
    agg = hits.groupby(["a", "gang_id"], sort=False)["n"].sum()
    oi = pd.Index(officials).get_indexer(agg.index.get_level_values(0))
    gi = pd.Index(gangs).get_indexer(agg.index.get_level_values(1))
    S[oi, gi] = agg.to_numpy()
    return S
