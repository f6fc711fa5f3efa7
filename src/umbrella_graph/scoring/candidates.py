"""Candidate pairs: the official x gang pairs with any evidence path, found from the gang's side.

A city has thousands of officials and hundreds of gangs, but an official can only be
evidence-linked to a gang through records that touch both: the *gang side*
(:func:`~umbrella_graph.scoring.infer_gang_side`: listed members, gang companies, front
men, inferred members) on one end and the *official's circle*
(:func:`umbrella_graph.domain.official_circle`: himself, his spouse, his relatives) on the
other. :func:`candidate_pairs` walks out from every gang's side along exactly the
records the evidence signals read, at most three hops:

* **money**: a transfer from the side to the circle (side -> relative -> tie -> official);
* **relay**: side -> intermediary -> circle within 30 days;
* **contacts**: calls and meetings of the circle with the side (before, around or after
  the gang's raids), and the tip-off tests built on them;
* **kinship**: a relative on the gang side, or employed by a gang company (company role
  -> relative -> tie);
* **contracts**: contracts to gang companies the official issued, approved, or his
  unit or village issued;
* **member**: the official on the gang's member list;
* **jurisdiction**: his post governs the gang's place or its companies' places (the
  administrative tree), or regulates its trade there;
* **leads**: petitions or tips naming him with the gang.

The candidates are collected by running the evidence steps of
:func:`~umbrella_graph.scoring.pair_features` themselves and keeping every pair any of
their records touches, so a pair outside the candidates has every evidence feature zero
*by construction* (not by a threshold): pruning loses no evidence. The structural
signals (PageRank, communities, link prediction; small weights, they only order pairs of
similar evidence) are computed for the candidates only. Nothing here is quadratic in
officials or gangs: the work is proportional to the records touching a gang side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..graph import CaseGraph
from ._context import check_ids
from .facts import facts_of
from .signals import CHANNELS_OF_EVIDENCE

__all__ = ["candidate_pairs", "CHANNELS_OF_EVIDENCE"]

def candidate_pairs(
    graph: CaseGraph,
    *,
    gangs: list[str] | None = None,
    officials: list[str] | None = None,
) -> pd.DataFrame:
    """The official x gang pairs with any evidence path from the gang's side.

    See the module docstring for the paths followed. Every pair not listed has every
    evidence feature of :func:`~umbrella_graph.scoring.pair_features` zero, so
    :func:`~umbrella_graph.scoring.score_umbrellas` scores the candidates only (unless
    ``all_pairs=True``).

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph`.
    gangs, officials : list of str, optional
        Restrict to these ids (default: all).

    Returns
    -------
    pandas.DataFrame
        One row per candidate, sorted by ``official_id`` then ``gang_id``:
        ``official_id``, ``gang_id`` and ``via`` (the evidence channels that reach the
        pair, ``"; "``-joined in the order of :data:`CHANNELS_OF_EVIDENCE`).
        ``attrs["pairs_total"]`` is the number of official x gang pairs requested and
        ``attrs["pairs_not_scored"]`` how many of them are not candidates.

    Raises
    ------
    ParameterError
        For a graph that is not a CaseGraph or unknown ids (not echoed).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> c = candidate_pairs(g)
    >>> c.columns.tolist()
    ['official_id', 'gang_id', 'via']
    >>> c.attrs["pairs_total"] == len(c) + c.attrs["pairs_not_scored"]
    True
    """
    func = "candidate_pairs"
    ctx = facts_of(graph, func)
    oi = check_ids(ctx, officials, "officials", func)
    gi = check_ids(ctx, gangs, "gangs", func)
    off, gang, via = ctx.candidates
    keep = np.isin(off, oi) & np.isin(gang, gi)
    off, gang, via = off[keep], gang[keep], via[keep]
    names = np.array(CHANNELS_OF_EVIDENCE, dtype=object)
    text = ["; ".join(names[[(int(v) >> i) & 1 == 1 for i in range(len(names))]]) for v in via]
    res = pd.DataFrame({"official_id": ctx.official_ids[off].astype(str), "gang_id": ctx.gang_ids[gang].astype(str),
                        "via": text})
    res = res.sort_values(["official_id", "gang_id"], kind="stable").reset_index(drop=True)
    total = len(np.unique(oi)) * len(np.unique(gi))
    res.attrs["pairs_total"] = int(total)
    res.attrs["pairs_not_scored"] = int(total - len(res))
    return res
