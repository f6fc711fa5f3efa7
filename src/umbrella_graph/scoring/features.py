"""The raw evidence features of the pairs: :func:`pair_features`.

The features of the held pairs (the candidates, or every pair) are assembled here from
the signals of :mod:`umbrella_graph.scoring.signals`, each a pure function of the case's
facts (:func:`umbrella_graph.scoring.facts.case_facts`). The assembled features of a
seed are kept with the facts in the scorer's one cache (:func:`.facts.case_memo`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._memory import check_memory
from ..errors import ParameterError, check_seed
from ..graph import CaseGraph
from ._context import Facts, check_ids
from .facts import case_memo, facts_of
from .signals import EVIDENCE_SIGNALS, FEATURES, _Pairs, candidate_index
from .structure import signal_structure

__all__ = ["pair_features"]


@dataclass(frozen=True)
class _Features:
    """The features of the held pairs: the frame and its integer pair indices."""

    frame: pd.DataFrame
    off: np.ndarray
    gang: np.ndarray
    all_pairs: bool


def _all_features(ctx: Facts, seed: int, *, all_pairs: bool = False, progress: bool = False,
                  oi: np.ndarray | None = None, gi: np.ndarray | None = None) -> _Features:
    """The features of the candidates, or with ``all_pairs`` of every pair of officials
    ``oi`` x gangs ``gi`` (default all). A pair's values do not depend on the others held."""
    n_off, G = ctx.n_officials, ctx.n_gangs
    uo = np.arange(n_off) if oi is None or not all_pairs else np.unique(oi)
    ug = np.arange(G) if gi is None or not all_pairs else np.unique(gi)
    whole = len(uo) == n_off and len(ug) == G
    memo = case_memo(ctx)  # the top-level cache, kept with the case's facts
    key = ("features", seed, "all" if all_pairs else "candidates")
    if whole and key in memo:
        return memo[key]  # type: ignore[no-any-return]
    if not whole and ("features", seed, "all") in memo:
        return memo[("features", seed, "all")]  # type: ignore[no-any-return]
    values: dict[str, np.ndarray] = {}
    with _bar(progress, len(EVIDENCE_SIGNALS) + 1, "evidence", "step") as bar:
        if all_pairs:
            check_memory(2.0 * 8 * len(uo) * len(ug) * (len(FEATURES) + 4),
                         f"pair features of all {len(uo) * len(ug)} pairs",
                         hint='score only the candidate pairs (the default, without all_pairs=True), or use '
                              'the distributed engine (engine="spark")')
            off = np.repeat(uo.astype(np.int64), len(ug))
            gang = np.tile(ug.astype(np.int64), len(uo))
        else:
            off, gang = candidate_index(ctx)
            check_memory(2.0 * 8 * len(off) * (len(FEATURES) + 4), f"pair features of {len(off)} candidate pairs")
        bar.update(1)
        held = _Pairs(off, gang, n_off, G)
        for name, signal in EVIDENCE_SIGNALS:
            bar.set_postfix_str(name)
            values.update(signal(ctx, held).values)
            bar.update(1)
    with _bar(progress, G, "walks", "gang") as bar:
        values.update(signal_structure(ctx, held, seed, bar if progress else None).values)
    df = pd.DataFrame({"official_id": ctx.official_ids[off].astype(str), "gang_id": ctx.gang_ids[gang].astype(str)})
    zero = np.zeros(len(off))
    for name in FEATURES:
        df[name] = np.round(values.get(name, zero), 10)
    res = _Features(df, off, gang, all_pairs)
    if whole:
        memo[key] = res
    return res


def _bar(progress: bool, total: int, desc: str, unit: str) -> Any:
    """A tqdm.auto progress bar (a disabled one unless ``progress``)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not progress, leave=False)


def _select(ctx: Facts, feats: _Features, oi: np.ndarray, gi: np.ndarray) -> np.ndarray:
    """Rows of ``feats`` for the requested officials and gangs, in the requested order
    (officials first, then gangs), as the dense grid's ``oi x gi`` would give them."""
    if feats.all_pairs and len(feats.off) == ctx.n_officials * ctx.n_gangs:
        return (oi[:, None] * ctx.n_gangs + gi[None, :]).reshape(-1)
    r_off = np.full(ctx.n_officials, -1, dtype=np.int64)
    r_off[oi] = np.arange(len(oi))
    r_gang = np.full(ctx.n_gangs, -1, dtype=np.int64)
    r_gang[gi] = np.arange(len(gi))
    a, b = r_off[feats.off], r_gang[feats.gang]
    keep = np.flatnonzero((a >= 0) & (b >= 0))
    return keep[np.lexsort((b[keep], a[keep]))]


def _not_scored(ctx: Facts, feats: _Features, oi: np.ndarray, gi: np.ndarray, n_rows: int) -> int:
    """How many requested pairs are left out (no evidence path)."""
    return 0 if feats.all_pairs else int(len(oi) * len(gi) - n_rows)


def _check_seed(seed: object, func: str) -> int:
    """The package's one seed rule (:func:`umbrella_graph.errors.check_seed`)."""
    return check_seed(seed, func)


def pair_features(
    graph: CaseGraph,
    *,
    gangs: list[str] | None = None,
    officials: list[str] | None = None,
    seed: int = 0,
    all_pairs: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """The raw evidence features of the official x gang pairs with an evidence path.

    Only the *candidate* pairs are computed and listed
    (:func:`~umbrella_graph.scoring.candidates.candidate_pairs`: the gang side reaches
    the official or his circle through money, a relay, contacts, family ties, company
    roles, contracts, his jurisdiction, a member list or a lead). Every other pair has
    every evidence feature zero by construction; their number is in
    ``result.attrs["pairs_not_scored"]``. ``all_pairs=True`` lists every pair (the
    dense grid: memory and time grow as officials x gangs).

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph`.
    gangs, officials : list of str, optional
        Restrict the rows to these gang and official ids (default: all). The values of a
        pair do not depend on this restriction.
    seed : int, default 0
        Seed of the community detection and the brokerage sample.
    all_pairs : bool, default False
        List every official x gang pair, not only the candidates. A candidate's values
        are the same either way.
    progress : bool, default False
        Show progress bars (tqdm; in a notebook, its widget) for the steps.

    Returns
    -------
    pandas.DataFrame
        One row per pair, sorted by ``official_id`` then ``gang_id``, with the columns
        ``official_id``, ``gang_id`` and every feature of :data:`FEATURES` (floats;
        :data:`FEATURE_DOCS` says what each one measures). ``attrs["pairs_not_scored"]``
        counts the requested pairs left out (0 with ``all_pairs=True``).

    Raises
    ------
    ParameterError
        For a graph that is not a CaseGraph, unknown ids (not echoed) or a bad seed.
    InsufficientMemoryError
        When a step would need more memory than is available (the message names it).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> X = pair_features(g, gangs=["G01"])
    >>> X.columns[:4].tolist()
    ['official_id', 'gang_id', 'money_amount', 'money_count']
    >>> bool((X["gang_id"] == "G01").all())
    True
    >>> A = pair_features(g, gangs=["G01"], all_pairs=True)
    >>> len(A) == len(X) + X.attrs["pairs_not_scored"]
    True
    """
    func = "pair_features"
    seed = _check_seed(seed, func)
    all_pairs = _check_flag(all_pairs, "all_pairs", func)
    progress = _check_flag(progress, "progress", func)
    ctx = facts_of(graph, func)
    oi = check_ids(ctx, officials, "officials", func)
    gi = check_ids(ctx, gangs, "gangs", func)
    feats = _all_features(ctx, seed, all_pairs=all_pairs, progress=progress, oi=oi, gi=gi)
    rows = _select(ctx, feats, oi, gi)
    res = feats.frame.iloc[rows].reset_index(drop=True).copy()
    res.attrs["pairs_not_scored"] = _not_scored(ctx, feats, oi, gi, len(rows))
    return res


def _check_flag(value: object, name: str, func: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ParameterError.invalid(name, func, "True or False", value)
    return bool(value)
