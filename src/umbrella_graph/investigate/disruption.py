"""Network disruption (打伞破网): whom to remove so a network falls apart.

:func:`disruption_curve` works on any NetworkX graph. It ranks nodes by a centrality,
removes them one by one and records the size of the largest connected component after
each removal: the steeper the curve falls, the more the removals break the network.

Strategies
----------
``"degree"``
    Number of neighbours (or summed strength when ``weight`` is given).
``"betweenness"``
    Shortest-path betweenness (brokers between parts of the network); with ``weight``
    the strengths become distances through
    :func:`~umbrella_graph.schema.strength_to_distance`.
``"collective_influence"``
    CI of Morone & Makse (2015): ``CI_l(i) = (k_i - 1) * sum (k_j - 1)`` over the nodes
    ``j`` at exactly ``radius`` hops from ``i`` (degrees ``k``, unweighted). It finds
    the few nodes whose removal fragments the network, which are often not the hubs.
``"katz"``
    Katz centrality ``x = (I - alpha A)^-1 1`` (normalised to unit length, as
    :func:`networkx.katz_centrality_numpy`) with the safe ``alpha = 0.9 / lambda_max``
    of the graph's (weighted) adjacency, so the series converges.

Modes
-----
``"block"``
    Rank once on the whole graph; remove the top ``k`` in that order.
``"sequential"``
    Recompute the ranking on the remaining graph after every removal (the adaptive
    attack; stronger, slower).

References
----------
Morone F, Makse HA (2015) Influence maximization in complex networks through optimal
percolation. Nature 524:65-68.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph
from scipy.sparse import linalg as spla

from ..algorithms import betweenness as _betweenness
from ..errors import ParameterError, check_seed

__all__ = ["disruption_curve", "STRATEGIES", "MODES", "KATZ_ALPHA_FRACTION", "TIE_TOLERANCE"]

Strategy = Literal["betweenness", "degree", "collective_influence", "katz"]
Mode = Literal["block", "sequential"]

#: The centralities :func:`disruption_curve` can rank by.
STRATEGIES: tuple[str, ...] = ("betweenness", "degree", "collective_influence", "katz")
#: ``"block"``: rank once; ``"sequential"``: re-rank after every removal.
MODES: tuple[str, ...] = ("block", "sequential")
#: Katz uses ``alpha = KATZ_ALPHA_FRACTION / lambda_max``.
KATZ_ALPHA_FRACTION = 0.9
#: Scores within ``TIE_TOLERANCE * max|score|`` of the best count as tied; ties go to
#: the smallest node id, so float noise never decides who is removed.
TIE_TOLERANCE = 1e-9

_FUNC = "disruption_curve"


def _sorted_nodes(G: nx.Graph) -> list[Any]:
    """Nodes sorted by id (mixed id types: by type name, then text)."""
    nodes = list(G.nodes)
    try:
        return sorted(nodes)
    except TypeError:
        return sorted(nodes, key=lambda v: (type(v).__name__, str(v)))


def _strength_matrix(G: nx.Graph, order: list[Any], weight: str | None) -> sp.csr_matrix:
    """Undirected strength matrix over ``order`` (parallel edges and directions summed)."""
    if weight is not None:
        bad = 0
        for *_, value in G.edges(data=weight):
            if (value is None or isinstance(value, bool) or not isinstance(value, int | float | np.number)
                    or not math.isfinite(float(value)) or float(value) <= 0):
                bad += 1
        if bad:
            raise ParameterError.invalid(
                "weight", _FUNC, f"an edge attribute holding a positive finite strength on every edge "
                f"({bad} edge(s) lack it or have another value)", weight)
    if not order:
        return sp.csr_matrix((0, 0))
    A = sp.csr_matrix(nx.to_scipy_sparse_array(G, nodelist=order, weight=weight, dtype=float))
    A = (A + A.T).tocsr() if G.is_directed() else A
    A.setdiag(0.0)
    A.eliminate_zeros()
    if weight is None:
        A.data[:] = 1.0
    return A


def _lambda_max(A: sp.csr_matrix) -> float:
    n = A.shape[0]
    if A.nnz == 0:
        return 0.0
    if n <= 1500:
        return float(np.linalg.eigvalsh(A.toarray())[-1])
    vals = spla.eigsh(A, k=1, which="LA", v0=np.ones(n), tol=1e-12, return_eigenvectors=False)
    return float(vals[0])


def _katz(A: sp.csr_matrix) -> np.ndarray:
    n = A.shape[0]
    lam = _lambda_max(A)
    x = np.ones(n)
    if lam > 0:
        alpha = KATZ_ALPHA_FRACTION / lam
        M = sp.csc_matrix(sp.identity(n) - alpha * A)
        if n <= 20_000:
            x = np.asarray(spla.spsolve(M, np.ones(n)), dtype=float)
        else:
            x, _ = spla.cg(M, np.ones(n), rtol=1e-13, maxiter=10_000)
    norm = float(np.linalg.norm(x))
    return x / norm if norm > 0 else x


def _collective_influence(A: sp.csr_matrix, radius: int) -> np.ndarray:
    n = A.shape[0]
    B = sp.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=A.shape)
    deg = np.asarray(B.sum(axis=1)).ravel()
    within = sp.csr_matrix(sp.identity(n, format="csr") + B)  # distance <= 1
    within.data[:] = 1.0
    boundary = B
    for _ in range(radius - 1):
        grown = sp.csr_matrix(within + within @ B)
        grown.data[:] = 1.0
        boundary = sp.csr_matrix(grown - within)
        boundary.eliminate_zeros()
        within = grown
    return (deg - 1) * (boundary @ (deg - 1))


def _scores(A: sp.csr_matrix, strategy: str, weighted: bool, radius: int,
            sample: int | None, seed: int) -> np.ndarray:
    if A.shape[0] == 0:
        return np.zeros(0)
    if strategy == "degree":
        return np.asarray(A.sum(axis=1), dtype=float).ravel()
    if strategy == "betweenness":
        return _betweenness(A, k=sample, seed=seed, weighted=weighted)
    if strategy == "katz":
        return _katz(A)
    return np.asarray(_collective_influence(A, radius), dtype=float)


def _pick(scores: np.ndarray, candidates: np.ndarray, scale: float) -> int:
    """Index (into scores) of the best candidate; near-ties go to the smallest index."""
    s = scores[candidates]
    best = s.max()
    return int(candidates[np.flatnonzero(s >= best - TIE_TOLERANCE * scale)[0]])


def disruption_curve(
    G: nx.Graph,
    strategy: Strategy = "betweenness",
    mode: Mode = "block",
    k: int = 5,
    weight: str | None = None,
    seed: int = 0,
    *,
    radius: int = 2,
    sample: int | None = None,
) -> pd.DataFrame:
    """Remove the ``k`` most central nodes and follow the largest connected component.

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        Analysed as an undirected simple graph: directions are dropped, parallel edges
        and both directions merged (strengths summed), self-loops ignored. Components
        of a directed graph are therefore its weakly connected components.
    strategy : {"betweenness", "degree", "collective_influence", "katz"}
        The centrality that decides the order of removal (see the module notes).
    mode : {"block", "sequential"}
        ``"block"`` ranks once on the whole graph; ``"sequential"`` re-ranks the
        remaining graph after each removal.
    k : int, default 5
        Number of nodes to remove (at most the number of nodes: the curve stops when
        the graph is empty).
    weight : str, optional
        Edge attribute holding a *strength* (bigger = closer: an amount, a count) that
        every edge must carry. Degree becomes summed strength, betweenness uses
        strength-derived distances, Katz the weighted adjacency. Collective influence
        is defined on degrees and ignores it. None treats every edge alike.
    seed : int, default 0
        Seed of the source sample when ``sample`` is given (otherwise unused: every
        other step is exact and deterministic).
    radius : int, default 2
        Ball radius ``l`` of collective influence.
    sample : int, optional
        Estimate betweenness from this many sampled sources (large graphs); None is
        exact.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step`` (0 = nothing removed yet), ``removed`` (node id
        removed at this step, None at step 0), ``lcc_size`` (nodes in the largest
        connected component after the removal), ``lcc_fraction`` (``lcc_size`` over
        the number of nodes of the original graph) and ``score`` (the removed node's
        score when it was chosen: in block mode on the whole graph, in sequential
        mode on the graph left at that step; NaN at step 0).

    Notes
    -----
    Ties: scores within ``1e-9`` of the best (relative to the largest score) are tied
    and the node that sorts first by id is removed, so the same graph always gives the
    same curve.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 1)  # two cliques joined through node 4
    >>> curve = disruption_curve(G, strategy="betweenness", k=1)
    >>> curve[["step", "removed", "lcc_size"]].values.tolist()
    [[0, None, 9], [1, 4, 4]]
    >>> disruption_curve(G, "degree", "sequential", k=2)["removed"].tolist()
    [None, 3, 5]
    """
    if not isinstance(G, nx.Graph):
        raise ParameterError.invalid("G", _FUNC, "a NetworkX graph", type(G).__name__)
    if strategy not in STRATEGIES:
        raise ParameterError.invalid("strategy", _FUNC, "one of " + ", ".join(map(repr, STRATEGIES)),
                                     strategy)
    if mode not in MODES:
        raise ParameterError.invalid("mode", _FUNC, "one of " + ", ".join(map(repr, MODES)), mode)
    for name, value in (("k", k), ("radius", radius)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ParameterError.invalid(name, _FUNC, "a positive integer", value)
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int | np.integer)
                               or sample < 1):
        raise ParameterError.invalid("sample", _FUNC, "None or a positive integer", sample)
    if weight is not None and not isinstance(weight, str):
        raise ParameterError.invalid("weight", _FUNC, "None or the name of an edge attribute", weight)
    seed = check_seed(seed, _FUNC)

    order = _sorted_nodes(G)
    n = len(order)
    A = _strength_matrix(G, order, weight)
    weighted = weight is not None
    alive = np.ones(n, dtype=bool)

    def lcc() -> int:
        idx = np.flatnonzero(alive)
        if not len(idx):
            return 0
        _, labels = csgraph.connected_components(A[idx][:, idx], directed=False)
        return int(np.bincount(labels).max())

    rows: list[dict[str, Any]] = [{"step": 0, "removed": None, "lcc_size": lcc(), "score": math.nan}]
    steps = min(int(k), n)
    if mode == "block":
        scores = _scores(A, strategy, weighted, radius, sample, int(seed))
        scale = float(np.abs(scores).max()) if n else 0.0
        for step in range(1, steps + 1):
            v = _pick(scores, np.flatnonzero(alive), scale)
            alive[v] = False
            rows.append({"step": step, "removed": order[v], "lcc_size": lcc(), "score": float(scores[v])})
    else:
        for step in range(1, steps + 1):
            idx = np.flatnonzero(alive)
            sub = _scores(sp.csr_matrix(A[idx][:, idx]), strategy, weighted, radius, sample,
                          int(seed))
            j = _pick(sub, np.arange(len(idx)), float(np.abs(sub).max()))
            v = int(idx[j])
            alive[v] = False
            rows.append({"step": step, "removed": order[v], "lcc_size": lcc(), "score": float(sub[j])})
    sizes = np.array([r["lcc_size"] for r in rows], dtype=np.int64)
    return pd.DataFrame({
        "step": np.array([r["step"] for r in rows], dtype=np.int64),
        "removed": pd.Series([r["removed"] for r in rows], dtype=object),
        "lcc_size": sizes,
        "lcc_fraction": sizes / n if n else np.zeros(len(rows)),
        "score": np.array([r["score"] for r in rows], dtype=float),
    })
