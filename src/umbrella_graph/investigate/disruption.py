"""Network disruption (打伞破网): whom to remove so a network falls apart.

:func:`disruption_curve` works on any NetworkX graph. It ranks nodes by a centrality,
removes them one by one and records the size of the largest connected component (LCC)
after each removal: the steeper the curve falls, the more the removals break the network.

Strategies
----------
``"degree"``
    Number of neighbours (or summed strength when ``weight`` is given).
``"betweenness"``
    Shortest-path betweenness (brokers between parts of the network). With ``weight``
    the edge lengths are :func:`~umbrella_graph.schema.strength_to_distance` of the
    strengths (``weight_is="strength"``) or the attribute itself
    (``weight_is="distance"``, as NetworkX reads a ``weight``).
``"collective_influence"``
    CI of Morone & Makse (2015): ``CI_l(i) = (k_i - 1) * sum (k_j - 1)`` over the nodes
    ``j`` at exactly ``radius`` hops from ``i``; ``k`` is the degree, or the summed
    strength when ``weight`` is given (the weighted form of Cavallaro et al. 2020). It
    finds the few nodes whose removal fragments the network, which are often not the
    hubs.
``"katz"``
    Katz centrality ``x = (I - alpha A)^-1 1``, normalised to unit length with the sign
    of its sum (as :func:`networkx.katz_centrality_numpy`). ``katz_alpha=None`` takes
    the safe ``alpha = 0.9 / lambda_max`` of the graph's (weighted) adjacency, so the
    series converges; NetworkX's default is ``alpha=0.1``.

Re-ranking
----------
``mode="block"`` ranks once on the whole graph and removes the top ``k`` in that order.
``mode="sequential"`` re-ranks the remaining graph every ``step`` removals: ``step=1``
(the default) is the fully adaptive attack, ``step=5`` the "block" removal of Cavallaro
et al. (2020), who remove the 5 best-ranked nodes at once and then rank again.

Options and the papers they reproduce
-------------------------------------
============  ==========================  ===============================================
option        default (paper)             alternative (paper)
============  ==========================  ===============================================
``step``      1: sequential attack         5: Cavallaro et al. (2020) "block" removal
              (Holme et al. 2002)
``normalize`` ``"n"``: LCC / nodes of the  ``"lcc0"``: LCC / initial LCC, the ``rho`` of
              graph (Albert et al. 2000)   Cavallaro et al. (2020)
``weight_is`` ``"strength"``: the          ``"distance"``: the weight is the path length,
              library's convention         as NetworkX and Cavallaro et al. (2020) read it
``ties``      ``"smallest"``: smallest     ``"insertion"`` (first in ``G``'s node order),
              node id                      ``"reverse_insertion"`` (last in ``G``'s node
                                           order: what a stable ascending sort read from
                                           its end picks, as in Cavallaro et al. 2020),
                                           ``"largest"`` (largest node id: their
                                           collective influence, a NumPy sort of
                                           (id, score) records), ``"random"`` (seeded
                                           by ``seed``)
``radius``    2 (Morone & Makse 2015)      1 with ``weight`` (Cavallaro et al. 2020)
``katz_alpha``None: 0.9 / lambda_max       0.1: NetworkX's default, used by Cavallaro et
                                           al. (2020)
============  ==========================  ===============================================

:data:`CAVALLARO_2020` holds the options of that paper: ``disruption_curve(G,
strategy="betweenness", weight="weight", step=5, **CAVALLARO_2020)`` is their weighted block
curve (their ``rho`` at step ``5 j`` is ``lcc_fraction`` at ``step == 5 j``); for their
collective influence curves pass ``ties="largest"`` as well. On the Montagna phone-call
network these options give the curves the authors published for betweenness, degree,
Katz and collective influence (weighted and not, sequential and block) to 1.1e-16
(checked once by hand: docs/interop.md says how, and why no test holds that data).

References
----------
Albert R, Jeong H, Barabasi AL (2000) Error and attack tolerance of complex networks.
Nature 406:378-382.
Holme P, Kim BJ, Yoon CN, Han SK (2002) Attack vulnerability of complex networks.
Phys Rev E 65:056109.
Morone F, Makse HA (2015) Influence maximization in complex networks through optimal
percolation. Nature 524:65-68.
Cavallaro L, Ficara A, De Meo P, Fiumara G, Catanese S, Bagdasar O, Song W, Liotta A
(2020) Disrupting resilient criminal networks through data analysis: the case of
Sicilian Mafia. PLoS ONE 15(8):e0236476.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph
from scipy.sparse import linalg as spla

from .._compat import legacy_positional
from ..errors import ParameterError, check_seed
from ..schema import strength_to_distance

__all__ = ["disruption_curve", "STRATEGIES", "MODES", "TIES", "NORMALIZE", "WEIGHT_IS",
           "KATZ_ALPHA_FRACTION", "TIE_TOLERANCE", "CAVALLARO_2020"]

Strategy = Literal["betweenness", "degree", "collective_influence", "katz"]
Mode = Literal["block", "sequential"]
Ties = Literal["smallest", "largest", "insertion", "reverse_insertion", "random"]
Normalize = Literal["n", "lcc0"]
WeightIs = Literal["strength", "distance"]

#: The centralities :func:`disruption_curve` can rank by.
STRATEGIES: tuple[str, ...] = ("betweenness", "degree", "collective_influence", "katz")
#: ``"block"``: rank once; ``"sequential"``: re-rank every ``step`` removals.
MODES: tuple[str, ...] = ("block", "sequential")
#: Tie rules among nodes scoring the same.
TIES: tuple[str, ...] = ("smallest", "largest", "insertion", "reverse_insertion", "random")
#: What ``lcc_fraction`` divides by: the number of nodes, or the initial LCC.
NORMALIZE: tuple[str, ...] = ("n", "lcc0")
#: How betweenness reads the ``weight`` attribute.
WEIGHT_IS: tuple[str, ...] = ("strength", "distance")
#: Katz uses ``alpha = KATZ_ALPHA_FRACTION / lambda_max`` unless ``katz_alpha`` is given.
KATZ_ALPHA_FRACTION = 0.9
#: Scores within ``TIE_TOLERANCE * max|score|`` of the best count as tied, so float
#: noise never decides who is removed; the ``ties`` rule does.
TIE_TOLERANCE = 1e-9
#: The options of Cavallaro et al. (2020), PLoS ONE 15(8):e0236476 (pass ``step=1``
#: for their sequential curves, ``step=5`` for their block curves, and
#: ``weight="weight"`` for the weighted ones).
CAVALLARO_2020: dict[str, Any] = {
    "mode": "sequential", "normalize": "lcc0", "weight_is": "distance",
    "ties": "reverse_insertion", "radius": 1, "katz_alpha": 0.1,
}

_FUNC = "disruption_curve"


def _sorted_nodes(G: nx.Graph) -> list[Any]:
    """Nodes sorted by id (mixed id types: by type name, then text)."""
    nodes = list(G.nodes)
    try:
        return sorted(nodes)
    except TypeError:
        return sorted(nodes, key=lambda v: (type(v).__name__, str(v)))


def _check_weights(G: nx.Graph, weight: str) -> None:
    bad = 0
    for *_, value in G.edges(data=weight):
        if (value is None or isinstance(value, bool) or not isinstance(value, int | float | np.number)
                or not math.isfinite(float(value)) or float(value) <= 0):
            bad += 1
    if bad:
        raise ParameterError.invalid(
            "weight", _FUNC, f"an edge attribute holding a positive finite number on every edge "
            f"({bad} edge(s) lack it or have another value)", weight)


def _edge_frame(G: nx.Graph, pos: dict[Any, int], weight: str | None) -> pd.DataFrame:
    """One row per edge (no self-loops), endpoints as positions with ``a < b``."""
    rows = [(pos[u], pos[v], 1.0 if weight is None else float(w))
            for u, v, w in G.edges(data=weight) if u != v]
    if not rows:
        return pd.DataFrame({"a": np.zeros(0, np.int64), "b": np.zeros(0, np.int64), "w": np.zeros(0)})
    arr = np.array(rows, dtype=float)
    a, b = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    return pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b), "w": arr[:, 2]})


def _matrices(G: nx.Graph, order: list[Any], weight: str | None,
              weight_is: str) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Strength matrix (parallel edges and directions summed; 1 per pair unweighted) and
    length matrix for betweenness (shortest parallel edge; 1 per pair unweighted)."""
    n = len(order)
    e = _edge_frame(G, {v: i for i, v in enumerate(order)}, weight)
    g = e.groupby(["a", "b"], sort=True)["w"]
    strength = g.sum()
    if weight is None:
        s = np.ones(len(strength))
        length = np.ones(len(strength))
    elif weight_is == "strength":
        s = strength.to_numpy(dtype=float)
        length = strength_to_distance(s)
    else:
        s = strength.to_numpy(dtype=float)
        length = g.min().to_numpy(dtype=float)
    ia = strength.index.get_level_values(0).to_numpy(dtype=np.int64)
    ib = strength.index.get_level_values(1).to_numpy(dtype=np.int64)

    def sym(vals: np.ndarray) -> sp.csr_matrix:
        M = sp.csr_matrix((np.concatenate([vals, vals]), (np.concatenate([ia, ib]), np.concatenate([ib, ia]))),
                          shape=(n, n))
        M.sum_duplicates()
        return M

    return sym(s), sym(length)


def _lambda_max(A: sp.csr_matrix) -> float:
    n = A.shape[0]
    if A.nnz == 0:
        return 0.0
    if n <= 1500:
        return float(np.linalg.eigvalsh(A.toarray())[-1])
    vals = spla.eigsh(A, k=1, which="LA", v0=np.ones(n), tol=1e-12, return_eigenvectors=False)
    return float(vals[0])


def _katz(A: sp.csr_matrix, alpha: float | None) -> np.ndarray:
    n = A.shape[0]
    if alpha is None:
        lam = _lambda_max(A)
        alpha = KATZ_ALPHA_FRACTION / lam if lam > 0 else 0.0
    x = np.ones(n)
    if alpha > 0 and A.nnz:
        M = sp.csc_matrix(sp.identity(n) - alpha * A)
        if n <= 2000:
            x = np.linalg.solve(M.toarray(), np.ones(n))
        else:
            x = np.asarray(spla.spsolve(M, np.ones(n)), dtype=float)
    total = float(x.sum())
    norm = float(np.linalg.norm(x)) * (-1.0 if total < 0 else 1.0)
    return np.asarray(x / norm if norm != 0 else x, dtype=float)


def _collective_influence(A: sp.csr_matrix, radius: int, weighted: bool) -> np.ndarray:
    n = A.shape[0]
    B = sp.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=A.shape)
    k = np.asarray((A if weighted else B).sum(axis=1), dtype=float).ravel()
    within = sp.csr_matrix(sp.identity(n, format="csr") + B)  # distance <= 1
    within.data[:] = 1.0
    boundary = B
    for _ in range(radius - 1):
        grown = sp.csr_matrix(within + within @ B)
        grown.data[:] = 1.0
        boundary = sp.csr_matrix(grown - within)
        boundary.eliminate_zeros()
        within = grown
    return np.asarray((k - 1) * (boundary @ (k - 1)), dtype=float)


def _betweenness(L: sp.csr_matrix, weighted: bool, sample: int | None, seed: int) -> np.ndarray:
    """Normalised betweenness with edge lengths ``L`` (igraph; NetworkX's normalisation)."""
    n = L.shape[0]
    T = sp.coo_matrix(sp.triu(L, k=1))
    g = ig.Graph(n=n, edges=np.column_stack([T.row, T.col]).tolist() if T.nnz else [])
    weights = T.data.astype(float).tolist() if weighted and T.nnz else None
    if sample is None or sample >= n:
        b = np.asarray(g.betweenness(directed=False, weights=weights), dtype=float)
    else:
        rng = np.random.default_rng(int(seed))
        sources = np.sort(rng.choice(n, size=sample, replace=False)).tolist()
        b = np.asarray(g.betweenness(directed=False, weights=weights, sources=sources), dtype=float) * (n / sample)
    return b * (2.0 / ((n - 1) * (n - 2))) if n > 2 else np.zeros(n)


def _scores(A: sp.csr_matrix, L: sp.csr_matrix, strategy: str, weighted: bool, radius: int,
            sample: int | None, seed: int, katz_alpha: float | None) -> np.ndarray:
    if A.shape[0] == 0:
        return np.zeros(0)
    if strategy == "degree":
        return np.asarray(A.sum(axis=1), dtype=float).ravel()
    if strategy == "betweenness":
        return _betweenness(L, weighted, sample, seed)
    if strategy == "katz":
        return _katz(A, katz_alpha)
    return _collective_influence(A, radius, weighted)


def _ranking(scores: np.ndarray, tie_rank: np.ndarray, count: int) -> list[int]:
    """The ``count`` best indices, one at a time: the best remaining score, and among the
    scores within the tolerance of it the smallest ``tie_rank``."""
    scale = float(np.abs(scores).max()) if len(scores) else 0.0
    left = np.ones(len(scores), dtype=bool)
    out: list[int] = []
    for _ in range(min(count, len(scores))):
        cand = np.flatnonzero(left)
        s = scores[cand]
        tied = cand[s >= s.max() - TIE_TOLERANCE * scale]
        v = int(tied[np.argmin(tie_rank[tied])])
        out.append(v)
        left[v] = False
    return out


def _check_int(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ParameterError.invalid(name, _FUNC, "a positive integer", value)
    return int(value)


def _check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ParameterError.invalid(name, _FUNC, "one of " + ", ".join(map(repr, choices)), value)
    return value


@legacy_positional(["strategy", "mode", "k", "weight", "seed"], after=1)
def disruption_curve(
    G: nx.Graph,
    *,
    strategy: Strategy = "betweenness",
    mode: Mode = "block",
    k: int | None = 5,
    weight: str | None = None,
    seed: int = 0,
    step: int | None = None,
    normalize: Normalize = "n",
    weight_is: WeightIs = "strength",
    ties: Ties = "smallest",
    radius: int = 2,
    katz_alpha: float | None = None,
    sample: int | None = None,
) -> pd.DataFrame:
    """Remove the ``k`` most central nodes and follow the largest connected component.

    Parameters
    ----------
    G : networkx.Graph, DiGraph, MultiGraph or MultiDiGraph
        Analysed as an undirected simple graph: directions are dropped, parallel edges
        and both directions merged (strengths summed; for ``weight_is="distance"`` the
        shortest length kept), self-loops ignored. Components of a directed graph are
        therefore its weakly connected components.
    strategy : {"betweenness", "degree", "collective_influence", "katz"}
        The centrality that decides the order of removal (see the module notes).
    mode : {"block", "sequential"}
        ``"block"`` ranks once on the whole graph; ``"sequential"`` re-ranks the
        remaining graph every ``step`` removals.
    k : int or None, default 5
        Number of nodes to remove (at most the number of nodes: the curve stops when
        the graph is empty). None removes every node.
    weight : str, optional
        Edge attribute holding a positive number that every edge must carry. Degree
        becomes summed strength, Katz uses the weighted adjacency, collective influence
        summed strengths; betweenness reads it as ``weight_is`` says. None treats every
        edge alike.
    seed : int, default 0
        Seed of the source sample (``sample``) and of the ``"random"`` tie order; every
        other step is exact and deterministic.
    step : int, optional
        In ``"sequential"`` mode: re-rank after every ``step`` removals (default 1).
        Not allowed in ``"block"`` mode, which ranks once.
    normalize : {"n", "lcc0"}, default "n"
        ``lcc_fraction`` is ``lcc_size`` over the number of nodes (``"n"``) or over the
        initial largest component (``"lcc0"``).
    weight_is : {"strength", "distance"}, default "strength"
        How betweenness reads ``weight``: a strength (bigger = closer, turned into a
        length by :func:`~umbrella_graph.schema.strength_to_distance`) or the path length
        itself.
    ties : {"smallest", "largest", "insertion", "reverse_insertion", "random"}, default "smallest"
        Which of the nodes tied for the best score goes first: smallest or largest id,
        first or last in ``G``'s node order, or a random order drawn from ``seed``.
    radius : int, default 2
        Ball radius ``l`` of collective influence.
    katz_alpha : float, optional
        Katz attenuation factor; None uses ``0.9 / lambda_max``.
    sample : int, optional
        Estimate betweenness from this many sampled sources (large graphs); None is
        exact.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step`` (0 = nothing removed yet), ``removed`` (node id
        removed at this step, None at step 0), ``lcc_size`` (nodes in the largest
        connected component after the removal), ``lcc_fraction`` (``lcc_size`` over
        the number of nodes or the initial LCC, see ``normalize``) and ``score`` (the
        removed node's score in the ranking it was chosen from; NaN at step 0).

    Notes
    -----
    Ties: scores within ``1e-9`` of the best (relative to the largest score) are tied
    and the ``ties`` rule decides, so the same graph always gives the same curve.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(4, 1)  # two cliques joined through node 4
    >>> curve = disruption_curve(G, strategy="betweenness", k=1)
    >>> curve[["step", "removed", "lcc_size"]].values.tolist()
    [[0, None, 9], [1, 4, 4]]
    >>> disruption_curve(G, strategy="degree", mode="sequential", k=2)["removed"].tolist()
    [None, 3, 5]
    >>> disruption_curve(G, strategy="degree", mode="sequential", k=2, ties="reverse_insertion")["removed"].tolist()
    [None, 5, 3]
    >>> disruption_curve(G, strategy="betweenness", k=1, normalize="lcc0")["lcc_fraction"].tolist()
    [1.0, 0.4444444444444444]
    """
    if not isinstance(G, nx.Graph):
        raise ParameterError.invalid("G", _FUNC, "a NetworkX graph", type(G).__name__)
    _check_choice("strategy", strategy, STRATEGIES)
    _check_choice("mode", mode, MODES)
    _check_choice("normalize", normalize, NORMALIZE)
    _check_choice("weight_is", weight_is, WEIGHT_IS)
    _check_choice("ties", ties, TIES)
    n_remove = G.number_of_nodes() if k is None else _check_int("k", k)
    radius = _check_int("radius", radius)
    if step is not None:
        step = _check_int("step", step)
        if mode == "block":
            raise ParameterError.invalid("step", _FUNC, "None in 'block' mode (which ranks once; use "
                                         "mode='sequential' to re-rank every step removals)", step)
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int | np.integer)
                               or sample < 1):
        raise ParameterError.invalid("sample", _FUNC, "None or a positive integer", sample)
    if katz_alpha is not None and (isinstance(katz_alpha, bool) or not isinstance(katz_alpha, int | float)
                                   or not math.isfinite(katz_alpha) or katz_alpha <= 0):
        raise ParameterError.invalid("katz_alpha", _FUNC, "None or a positive number", katz_alpha)
    if weight is not None and not isinstance(weight, str):
        raise ParameterError.invalid("weight", _FUNC, "None or the name of an edge attribute", weight)
    seed = check_seed(seed, _FUNC)
    if weight is not None:
        _check_weights(G, weight)

    order = _sorted_nodes(G)
    n = len(order)
    A, L = _matrices(G, order, weight, weight_is)
    weighted = weight is not None
    pos = {v: i for i, v in enumerate(order)}
    if ties in ("smallest", "largest"):
        tie_rank = np.arange(n) if ties == "smallest" else -np.arange(n)
    elif ties in ("insertion", "reverse_insertion"):
        tie_rank = np.empty(n, dtype=np.int64)
        tie_rank[[pos[v] for v in G.nodes]] = np.arange(n)
        if ties == "reverse_insertion":
            tie_rank = -tie_rank
    else:
        tie_rank = np.random.default_rng(int(seed)).permutation(n)
    alive = np.ones(n, dtype=bool)

    def lcc() -> int:
        idx = np.flatnonzero(alive)
        if not len(idx):
            return 0
        _, labels = csgraph.connected_components(A[idx][:, idx], directed=False)
        return int(np.bincount(labels).max())

    def rank(count: int) -> list[tuple[int, float]]:
        idx = np.flatnonzero(alive)
        sub = _scores(sp.csr_matrix(A[idx][:, idx]), sp.csr_matrix(L[idx][:, idx]), strategy, weighted,
                      radius, sample, int(seed), katz_alpha)
        return [(int(idx[j]), float(sub[j])) for j in _ranking(sub, tie_rank[idx], count)]

    rows: list[dict[str, Any]] = [{"step": 0, "removed": None, "lcc_size": lcc(), "score": math.nan}]
    steps = min(n_remove, n)
    every = steps if mode == "block" else (step or 1)
    queue: list[tuple[int, float]] = []
    for s in range(1, steps + 1):
        if not queue:
            queue = rank(min(every, steps - s + 1))
        v, score = queue.pop(0)
        alive[v] = False
        rows.append({"step": s, "removed": order[v], "lcc_size": lcc(), "score": score})
    sizes = np.array([r["lcc_size"] for r in rows], dtype=np.int64)
    denom = n if normalize == "n" else int(sizes[0])
    return pd.DataFrame({
        "step": np.array([r["step"] for r in rows], dtype=np.int64),
        "removed": pd.Series([r["removed"] for r in rows], dtype=object),
        "lcc_size": sizes,
        "lcc_fraction": sizes / denom if denom else np.zeros(len(rows)),
        "score": np.array([r["score"] for r in rows], dtype=float),
    })
