"""One defensible score per official x gang pair: :func:`score_umbrellas`.

The raw features of :func:`~umbrella_graph.scoring.pair_features` are turned into
named *signals*, each a value in ``[0, 1]`` that says how strongly one kind of evidence
points at the pair (:data:`SIGNALS`). The unsupervised score combines them with a
*noisy-OR*:

.. math::  \\text{score} = 1 - \\prod_i (1 - w_i s_i)

where ``s_i`` is the signal value and ``w_i`` its weight: the most that one kind of
evidence alone can say. Independent lines of evidence reinforce each other, no single
weak line can push a pair to the top, and a pair with no evidence scores 0. The
contribution of signal ``i`` is its share of the score,
``score * L_i / sum_j L_j`` with ``L_i = -log(1 - w_i s_i)``, so the contributions add
up to the score.

Why this is an *umbrella* score and neither a corruption score nor a centrality score:

* money, contracts and contacts only count when the other side acts for *this* gang
  (listed members, gang companies, front men and inferred members, each weighted by
  the confidence that they act for it); a bribe from a businessman with no gang ties
  adds nothing;
* contacts are compared with what the official's overall contact volume predicts, so
  a busy town head is not suspect for talking to everyone;
* contacts in the three weeks after a raid on the gang are enforcement, not closeness;
* family money and family calls are family, not bribes;
* the structural signals (PageRank, communities, link prediction) have small weights
  and brokerage none: they only order pairs with similar evidence.

With ``model=`` a fitted :class:`~umbrella_graph.scoring.UmbrellaClassifier`, the
score is the model's calibrated probability and the contributions are the model's
(see :meth:`UmbrellaClassifier.contributions`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..graph import CaseGraph
from ._context import check_ids
from .engines import check_engine, engine_features
from .facts import facts_of
from .features import _check_flag, _check_seed, _not_scored, _select
from .model import ModelNotFittedError, UmbrellaClassifier
from .precomputed import PrecomputedFacts
from .signal_defs import SIGNAL_NAMES, SIGNALS, Signal, combine, signal_values

__all__ = ["score_umbrellas", "signal_values", "SIGNALS", "SIGNAL_NAMES", "Signal", "combine"]


def _top(contrib: pd.DataFrame, k: int = 3, floor: float = 0.01) -> list[str]:
    c = contrib.to_numpy(dtype=float)
    names = np.array(contrib.columns)
    order = np.argsort(-c, axis=1, kind="stable")[:, :k]
    out = []
    for i in range(len(c)):
        out.append("; ".join(names[j] for j in order[i] if c[i, j] >= floor))
    return out


def _check_model(model: Any, func: str) -> None:
    if model is None:
        return
    if not isinstance(model, UmbrellaClassifier):
        raise ParameterError.invalid("model", func, "None or a fitted UmbrellaClassifier", type(model).__name__)
    if not hasattr(model, "model_"):
        raise ModelNotFittedError("The UmbrellaClassifier given to score_umbrellas is not fitted yet; "
                                  "call fit or fit_graph first.")
    if not model.uses_pair_features_:
        raise ParameterError.invalid("model", func, "an UmbrellaClassifier fitted on pair_features",
                                     "one fitted on another matrix")


def score_umbrellas(
    graph: CaseGraph,
    *,
    gangs: list[str] | None = None,
    officials: list[str] | None = None,
    model: UmbrellaClassifier | None = None,
    seed: int = 0,
    all_pairs: bool = False,
    progress: bool = False,
    precomputed: PrecomputedFacts | None = None,
    engine: str = "memory",
) -> pd.DataFrame:
    """Score the official x gang pairs: how strongly the evidence says he protects it.

    The pairs scored are those with an evidence path from the gang's side
    (:func:`~umbrella_graph.scoring.candidates.candidate_pairs`); every other pair has
    every evidence signal zero by construction and is counted in
    ``result.attrs["pairs_not_scored"]``, not listed (``all_pairs=True`` lists them too).
    The cost grows with the records touching the gangs' sides, not with officials x
    gangs.

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph`.
    gangs, officials : list of str, optional
        Restrict to these ids (default: all). A pair's score does not depend on the
        restriction; its rank is among the pairs returned.
    model : UmbrellaClassifier, optional
        A fitted classifier; its calibrated probability becomes the score and its
        contributions the ``contrib_*`` columns. Default: the unsupervised noisy-OR of
        the signals (see the module docstring and docs/signals.md).
    seed : int, default 0
        Seed of the community detection and brokerage sample. Same input and seed give
        identical output.
    all_pairs : bool, default False
        Score every official x gang pair (time and memory grow as officials x gangs). A
        candidate's score is the same either way; a pair without evidence path scores
        what its structural signals alone give (small weights), or the model's
        probability for it.
    progress : bool, default False
        Show progress bars (tqdm; in a notebook, its widget) for the steps.
    precomputed : PrecomputedFacts, optional
        Facts of this case computed elsewhere (by the Neo4j server in
        :func:`~umbrella_graph.scoring.pushed.score_in_neo4j`), used instead of computing
        them here; the scores are the same.
    engine : {"memory", "spark"}, default "memory"
        Where the evidence features are computed: in this process, or on Apache Spark
        (the ``spark`` extra; the active SparkSession, else a local[2] one). Both engines
        compute the same features to 1e-9 (:mod:`umbrella_graph.scoring.engines`,
        docs/scale.md).

    Returns
    -------
    pandas.DataFrame
        One row per pair, sorted by ``rank``: ``official_id``, ``gang_id``, ``score``
        (0..1, higher = more suspect), ``rank`` (1 = most suspect; ties broken by
        ``official_id`` then ``gang_id``), ``top_signals`` (the strongest
        contributions, ``"; "``-joined), then ``sig_NAME`` (the signal's value in
        ``[0, 1]``) and ``contrib_NAME`` (its contribution) for every signal of
        :data:`SIGNALS`. ``attrs["pairs_not_scored"]`` counts the requested pairs left
        out (no evidence path; 0 with ``all_pairs=True``).

    Raises
    ------
    ParameterError
        Unknown ids (not echoed), a bad seed, or a model that is not a fitted
        UmbrellaClassifier.
    InsufficientMemoryError
        When a step would need more memory than is available (the message names it
        and suggests the distributed engine).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> s = score_umbrellas(g)
    >>> s.columns[:5].tolist()
    ['official_id', 'gang_id', 'score', 'rank', 'top_signals']
    >>> bool(s["score"].between(0, 1).all()), s["rank"].tolist()[:3]
    (True, [1, 2, 3])
    >>> s.attrs["pairs_not_scored"] + len(s) == len(score_umbrellas(g, all_pairs=True))
    True
    """
    func = "score_umbrellas"
    seed = _check_seed(seed, func)
    all_pairs = _check_flag(all_pairs, "all_pairs", func)
    progress = _check_flag(progress, "progress", func)
    engine = check_engine(engine, func)
    _check_model(model, func)
    if precomputed is not None and not isinstance(precomputed, PrecomputedFacts):
        raise ParameterError.invalid("precomputed", func, "None or a PrecomputedFacts",
                                     type(precomputed).__name__)
    ctx = facts_of(graph, func, precomputed)
    oi = check_ids(ctx, officials, "officials", func)
    gi = check_ids(ctx, gangs, "gangs", func)
    feats = engine_features(ctx, seed, engine, all_pairs=all_pairs, progress=progress, oi=oi, gi=gi)
    rows = _select(ctx, feats, oi, gi)
    f = feats.frame.iloc[rows].reset_index(drop=True)
    values = signal_values(f)
    if model is None:
        score, contrib = combine(values)
    else:
        score = model.predict_proba(f)[:, 1]
        contrib = model.contributions(f)
    out = pd.DataFrame({"official_id": f["official_id"].to_numpy(), "gang_id": f["gang_id"].to_numpy(),
                        "score": np.round(score, 10)})
    out["top_signals"] = _top(contrib)
    for name in SIGNAL_NAMES:
        out[f"sig_{name}"] = np.round(values[name].to_numpy(dtype=float), 10)
        out[f"contrib_{name}"] = np.round(contrib[name].to_numpy(dtype=float), 10)
    out = out.sort_values(["score", "official_id", "gang_id"], ascending=[False, True, True], kind="stable")
    out.insert(3, "rank", np.arange(1, len(out) + 1))
    out = out.reset_index(drop=True)
    out.attrs["pairs_not_scored"] = _not_scored(ctx, feats, oi, gi, len(rows))
    return out
