"""Facts of a case computed outside this process, handed to the scorer explicitly.

A database that holds the case can compute some of what the scorer needs where the
records are (:func:`umbrella_graph.scoring.pushed.score_in_neo4j` has Neo4j do it). The
results travel in a :class:`PrecomputedFacts` passed to
:func:`~umbrella_graph.scoring.score_umbrellas` (``precomputed=``); the scorer uses them
instead of computing the same values itself. Anything a :class:`PrecomputedFacts` leaves
out (None, or a quantile it does not list) is computed here as usual, so the scores are
the same either way (the tests compare them to 1e-9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["PrecomputedFacts"]


@dataclass(frozen=True)
class PrecomputedFacts:
    """Facts of one case computed elsewhere (a database server), for the scorer.

    Attributes
    ----------
    amount_quantiles : mapping of float to float
        ``{q: value}``: the ``q`` quantile of the case's ordinary transfers
        (:meth:`Facts.amount_at <umbrella_graph.scoring._context.Facts.amount_at>`).
    member : pandas.DataFrame, optional
        ``official_id, gang_id, weight``: officials on a gang's member list, with the
        weight of their strongest listed role.
    leads_gang : pandas.DataFrame, optional
        ``official_id, gang_id, leads``: leads naming the official and the gang.
    leads_other : pandas.DataFrame, optional
        ``official_id, leads``: leads naming the official and no gang.
    source : str
        Where the facts were computed, for messages (``"neo4j"``).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> from umbrella_graph.scoring import PrecomputedFacts, score_umbrellas
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> s = score_umbrellas(g, precomputed=PrecomputedFacts(), seed=0)
    >>> s.equals(score_umbrellas(g, seed=0))
    True
    """

    amount_quantiles: Mapping[float, float] = field(default_factory=dict)
    member: pd.DataFrame | None = None
    leads_gang: pd.DataFrame | None = None
    leads_other: pd.DataFrame | None = None
    source: str = "precomputed"

    def __post_init__(self) -> None:
        for name, cols in (("member", ("official_id", "gang_id", "weight")),
                           ("leads_gang", ("official_id", "gang_id", "leads")),
                           ("leads_other", ("official_id", "leads"))):
            df = getattr(self, name)
            if df is not None and (not isinstance(df, pd.DataFrame) or not set(cols) <= set(df.columns)):
                raise ParameterError.invalid(name, "PrecomputedFacts", "a DataFrame with columns "
                                             + ", ".join(cols), type(df).__name__)
        for q, v in self.amount_quantiles.items():
            if not (0.0 <= float(q) <= 1.0 and np.isfinite(float(v))):
                raise ParameterError.invalid("amount_quantiles", "PrecomputedFacts",
                                             "quantiles in [0, 1] mapped to finite amounts", "another mapping")


def index_pairs(ids: np.ndarray, values: pd.Series, what: str) -> np.ndarray:
    """Positions of ``values`` in ``ids``; ids the graph does not have raise (not echoed)."""
    idx = pd.Index(ids).get_indexer(values.astype(str).to_numpy())
    bad = int((idx < 0).sum())
    if bad:
        raise ParameterError(f"The precomputed facts name {bad} {what} id(s) that the graph does not "
                             "have: they were computed on another case.")
    return np.asarray(idx, dtype=np.int64)
