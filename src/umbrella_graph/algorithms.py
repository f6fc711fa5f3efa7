"""Heavy graph algorithms on sparse matrices and igraph.

Every function takes a square SciPy sparse matrix ``A`` over node *positions* (as
returned by :meth:`~umbrella_graph.graph.CaseGraph.adjacency`) whose entries are
*strengths*: bigger means a closer tie (summed amounts, counts, or 1). The work runs in
SciPy's compiled sparse kernels or in igraph's C core; there are no Python loops over
nodes or edges, so a city of 100k people and a few million records is scored in
seconds. NetworkX stays the user-facing graph; the test suite checks every function
against the NetworkX reference algorithm.

Conventions shared by all functions:

* the diagonal (self-loops) is ignored;
* :func:`communities`, :func:`betweenness`, :func:`modularity`, :func:`adamic_adar` and
  :func:`resource_allocation` treat the graph as undirected: an asymmetric ``A`` is
  symmetrised as ``A + A.T``; :func:`personalized_pagerank` and
  :func:`umbrella_graph.walks.truncated_pagerank_many` follow ``A``'s rows (from row ``i`` to column
  ``j``), so a symmetric ``A`` gives the undirected walk;
* path algorithms turn strengths into distances with
  :func:`~umbrella_graph.schema.strength_to_distance`, the one conversion the library
  uses;
* anything random takes an explicit ``seed``; the same input and seed give the same
  output, run after run and process after process;
* :func:`communities` and weighted :func:`betweenness` run in igraph (hop-count
  betweenness runs on the sparse matrix, :mod:`umbrella_graph._brandes`); building an
  igraph graph of a million edges takes a few seconds, so both also accept the graph
  :func:`to_igraph` returns: build it once, pass it to both (nothing is remembered
  behind the caller's back).
"""

from __future__ import annotations

import gc
import logging
import random
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import igraph as ig
import numpy as np
import scipy.sparse as sp

from ._brandes import hop_betweenness
from ._compat import renamed_keyword
from ._matrices import (
    _as_csr,
    _check_positions,
    _check_positive_int,
    _check_unit_interval,
    _symmetric,
)
from ._memory import check_memory
from .errors import ParameterError, check_seed
from .schema import strength_to_distance

__all__ = [
    "to_igraph",
    "personalized_pagerank",
    "personalized_pagerank_many",
    "random_walk_with_restart",
    "communities",
    "modularity",
    "betweenness",
    "adamic_adar",
    "resource_allocation",
]

log = logging.getLogger(__name__)

#: Number of personalization vectors iterated together in one dense block; bounds the
#: memory of :func:`personalized_pagerank_many` to about ``4 * n * 128 * 8`` bytes.
_PPR_BLOCK = 128
#: Pairs handled per chunk by the link-prediction indices, and the stored entries of
#: their rows per chunk (the memory of one chunk's products: ~12 bytes per entry, x 4).
_PAIR_CHUNK = 200_000
_PAIR_CHUNK_NNZ = 4_000_000
#: Edges appended to an igraph graph at a time by :func:`to_igraph` (at least; at most 4
#: appends in all).
_IGRAPH_PIECE = 500_000


# -- igraph ----------------------------------------------------------------------
def to_igraph(A: Any, *, directed: bool = False) -> ig.Graph:
    """Build an igraph ``Graph`` from a sparse strength matrix, without Python loops.

    Vertex ``i`` is row ``i`` of ``A``. The edge attribute ``"weight"`` holds the
    strength. Undirected graphs take one edge per connected pair (an asymmetric ``A``
    is symmetrised as ``A + A.T``); directed graphs one edge per non-zero entry. The
    diagonal is ignored. Edges are ordered by (row, column), so the graph is the same
    on every run.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
        Non-negative strengths.
    directed : bool, default False
        Build a directed graph.

    Returns
    -------
    igraph.Graph

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 2, 0], [2, 0, 1], [0, 1, 0]])
    >>> g = to_igraph(A)
    >>> g.vcount(), g.ecount(), g.es["weight"]
    (3, 2, [2.0, 1.0])
    """
    M = _as_csr(A, "to_igraph", copy=False)
    n = M.shape[0]
    # undirected: the upper triangle of the symmetrised matrix; handed over in a list so
    # that no reference outlives its use (the copies are freed before igraph's is made)
    held = [M if directed else sp.triu(_symmetric(M), k=1)]
    del M
    return _igraph_of(held, n, directed)


def _undirected_igraph(A: Any, func: str) -> ig.Graph:
    """An undirected igraph graph of ``A``, or ``A`` itself if it already is one.

    Building an igraph graph of a million edges takes a second or two: callers that run
    several igraph analyses on one matrix build it once (with :func:`to_igraph`, or with
    this function as the structural signals do, the strengths then kept as one array) and
    pass it.
    """
    if isinstance(A, ig.Graph):
        if A.is_directed():
            raise ParameterError.invalid("A", func, "a sparse matrix or an undirected igraph Graph "
                                         "(to_igraph(A))", "a directed igraph Graph")
        if A.ecount() and "weight" in A.es.attributes():
            w = np.asarray(A.es["weight"], dtype=float)
            if not np.all(np.isfinite(w)) or w.min() < 0:
                raise ParameterError.invalid("A", func, "a graph of non-negative finite strengths",
                                             "other edge weights")
        return A
    M = _as_csr(A, func, copy=False)
    n = M.shape[0]
    held = [sp.triu(_symmetric(M), k=1)]
    del M
    return _igraph_of(held, n, False, compact=True)


#: The graph attribute holding the strengths of a graph built here for the analyses of
#: this module (one read-only float64 array in edge order, 8 bytes per edge, instead of
#: the ``"weight"`` edge attribute, a Python list of floats at 32: 0.3 GB less held during
#: Leiden and betweenness at a million people). :func:`to_igraph` keeps ``"weight"``.
_STRENGTH_ATTR = "umbrella_graph_strength"


def _strengths(g: ig.Graph) -> np.ndarray:
    if g.ecount() and "weight" in g.es.attributes():
        return np.asarray(g.es["weight"], dtype=float)
    if g.ecount() and _STRENGTH_ATTR in g.attributes():
        return np.asarray(g[_STRENGTH_ATTR], dtype=float)
    return np.ones(g.ecount())


def _igraph_of(held: list[sp.spmatrix], n: int, directed: bool, *, compact: bool = False) -> ig.Graph:
    """The igraph graph of the one matrix in ``held`` (taken out of it), its strengths in
    the ``"weight"`` edge attribute (or, ``compact``, in the graph attribute
    :data:`_STRENGTH_ATTR`). Every intermediate is dropped as soon as it is used: at a
    million people the edge arrays, igraph's own copy and the weight list are each
    hundreds of megabytes."""
    C = sp.coo_matrix(held.pop())
    edges = np.empty((C.nnz, 2), dtype=np.int64)
    edges[:, 0], edges[:, 1] = C.row, C.col
    data = np.asarray(C.data, dtype=float)
    del C
    key = edges[:, 0] * max(n, 1) + edges[:, 1]
    if len(key) > 1 and not bool(np.all(key[1:] > key[:-1])):  # usually sorted already
        order = np.argsort(key, kind="stable")
        edges, data = edges[order], data[order]
        del order
    del key
    # in pieces: igraph's conversion of one edge list takes ~170 bytes per edge on top of
    # the graph (2 GB at a million people); appended piece by piece, in the same order,
    # the edges get the same ids and the transient is bounded by the piece
    g = ig.Graph(n=n, directed=directed)
    # at most 4 appends: each re-indexes the whole graph (1M people, collector paused: one
    # append 8.3 s and +1.9 GB, 2 appends 5.9 s and +1.1 GB, 4 appends 6.6 s and +0.7 GB)
    piece = max(_IGRAPH_PIECE, -(-len(edges) // 4))
    # with the cyclic garbage collector paused: python-igraph's conversion allocates
    # tracked objects that set off a collection every few hundred edges (16,318 of them
    # for the 11.4M edges of a million people, 10.6 s instead of 4.2 s); none of them
    # are cyclic garbage, and the collector's state is restored on the way out
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for start in range(0, len(edges), piece):
            g.add_edges(edges[start:start + piece].data)
    finally:
        if was_enabled:
            gc.enable()
    del edges
    if compact:
        data.flags.writeable = False
        g[_STRENGTH_ATTR] = data
    else:
        g.es["weight"] = data.tolist()
    return g


# -- personalized PageRank -----------------------------------------------------------
def _personalization(source_sets: Any, n: int, func: str) -> sp.csr_matrix:
    """Personalization vectors as an (s, n) CSR matrix whose rows sum to 1."""
    if sp.issparse(source_sets) or (isinstance(source_sets, np.ndarray) and source_sets.ndim == 2):
        P = sp.csr_matrix(source_sets, dtype=np.float64)
        if P.shape[1] != n:
            raise ParameterError.invalid("source_sets", func, f"a matrix with {n} columns",
                                         f"shape {P.shape}")
        if P.nnz and (not np.all(np.isfinite(P.data)) or P.data.min() < 0):
            raise ParameterError.invalid("source_sets", func, "non-negative finite weights",
                                         "negative or non-finite weights")
    else:
        sets = list(source_sets)
        rows, cols = [], []
        for i, s in enumerate(sets):
            pos = np.unique(_check_positions(s, n, "source_sets", func))
            rows.append(np.full(len(pos), i, dtype=np.int64))
            cols.append(pos)
        r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        c = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
        P = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(sets), n))
    mass = np.asarray(P.sum(axis=1)).ravel()
    if np.any(mass <= 0):
        raise ParameterError.invalid("source_sets", func, "non-empty source sets",
                                     f"{int((mass <= 0).sum())} empty set(s)")
    return sp.csr_matrix(sp.diags(1.0 / mass) @ P)


@renamed_keyword("seed_sets", "source_sets")
def personalized_pagerank_many(
    A: Any,
    source_sets: Sequence[Iterable[int]] | np.ndarray | sp.spmatrix,
    *,
    alpha: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
    nodes: Any = None,
    max_bytes: int | None = None,
    n_jobs: int = 1,
    progress: bool | Any = False,
) -> np.ndarray:
    """Personalized PageRank from many source sets at once.

    The source sets are iterated together as dense ``n x b`` blocks (the multi-right-hand-
    side product: ``b`` at most 128 columns, fewer under ``max_bytes``), so the cost is a
    few sparse-times-dense products per iteration instead of one Python loop per source
    set, and the memory is that of one block whatever the number of source sets. Each
    column stops on its own criterion, so a column's values do not depend on the block
    it was iterated in. This is the *random walk with restart*: a walker
    follows an edge with probability ``alpha`` (choosing among a node's edges in
    proportion to their strength) and jumps back to the source set with probability
    ``1 - alpha``; the result is where it spends its time.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
        Non-negative strengths; the walk goes from row ``i`` to column ``j`` with
        probability ``A[i, j] / A[i].sum()``. Nodes with no out-going strength
        (dangling nodes) send the walker back to the source set, as NetworkX does.
    source_sets : list of arrays of node positions, or array/sparse matrix (s, n)
        Either ``s`` collections of node positions (each set weighted uniformly;
        repeated positions count once) or an ``s x n`` matrix of non-negative
        personalization weights (each row normalised to sum 1). Called ``seed_sets``
        in 0.1 (still accepted, with a :class:`FutureWarning`, until 0.3): ``seed``
        is a random seed everywhere else.
    alpha : float, default 0.85
        Damping factor, strictly between 0 and 1.
    tol : float, default 1e-10
        Convergence: a column stops when the L1 change of its vector falls below
        ``n * tol`` (NetworkX's criterion).
    max_iter : int, default 200
        Maximum number of power iterations; if a column has not converged by then a
        warning is logged and the last iterate is returned.
    nodes : array-like of int, optional
        Return the values at these node positions only (an ``s x len(nodes)`` result
        instead of ``s x n``: the walks of many source sets over a large graph are read
        where they are needed and never held whole).
    max_bytes : int, optional
        Cap on the working memory of one block (three ``n x b`` float arrays); the block
        width ``b`` is lowered to fit (at least one column). Default: 128 columns.
    n_jobs : int, default 1
        Blocks iterated in parallel threads (SciPy's sparse products run in C; the gain
        depends on the machine). Values do not depend on it.
    progress : bool or tqdm-like, default False
        A progress bar over the source sets (``tqdm.auto``), or an object with an
        ``update(k)`` method to report to.

    Returns
    -------
    numpy.ndarray, shape (s, n) or (s, len(nodes))
        Row ``k`` is the PageRank vector of source set ``k`` (sums to 1 over all nodes).

    Raises
    ------
    InsufficientMemoryError
        If one block (of one column, with ``max_bytes``) would not fit in the available
        memory (:func:`umbrella_graph._memory.available_bytes`).

    See Also
    --------
    personalized_pagerank : a single source set.
    umbrella_graph.walks.truncated_pagerank_many : the walk cut at a fixed number of
        steps (local, exact).
    networkx.pagerank : the reference (``personalization=`` and ``dangling=None``).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> R = personalized_pagerank_many(A, [[0], [3]])
    >>> R.shape, bool(R[0, 0] > R[0, 3]), bool(R[1, 3] > R[1, 0])
    ((2, 4), True, True)
    >>> bool(abs(R[0].sum() - 1) < 1e-12)
    True
    """
    func = "personalized_pagerank_many"
    M = _as_csr(A, func, copy=False)
    n = M.shape[0]
    alpha = _check_unit_interval(alpha, "alpha", func)
    if not isinstance(tol, int | float) or not tol > 0:
        raise ParameterError.invalid("tol", func, "a positive number", tol)
    max_iter = _check_positive_int(max_iter, "max_iter", func)
    P = _personalization(source_sets, n, func)
    s = P.shape[0]
    sel = None if nodes is None else _check_positions(np.asarray(nodes, dtype=np.int64).reshape(-1), n,
                                                       "nodes", func)
    if not isinstance(n_jobs, int | np.integer) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise ParameterError.invalid("n_jobs", func, "a positive integer", n_jobs)
    width = _PPR_BLOCK
    if max_bytes is not None:
        if not isinstance(max_bytes, int | np.integer) or isinstance(max_bytes, bool) or max_bytes <= 0:
            raise ParameterError.invalid("max_bytes", func, "a positive number of bytes", max_bytes)
        width = int(max(1, min(_PPR_BLOCK, max_bytes // max(3 * 8 * n, 1))))
    width = int(max(1, min(width, s)))
    out = np.zeros((s, n if sel is None else len(sel)), dtype=np.float64)
    if s == 0 or n == 0:
        return out
    # three n x b float arrays per block in flight (the iterate, the product, a temporary)
    check_memory(3 * 8 * n * width * min(int(n_jobs), -(-s // width)) + out.nbytes,
                 f"personalised PageRank walks ({s} source sets over {n} nodes, blocks of {width})")
    strength = np.asarray(M.sum(axis=1)).ravel()
    dangling = strength <= 0
    inv = np.divide(1.0, strength, out=np.zeros(n), where=~dangling)
    PT = sp.csr_matrix((sp.diags(inv) @ M).T)  # column-stochastic transition (n x n)
    dvec = dangling.astype(np.float64) if dangling.any() else None
    bar, own_bar = _progress_bar(progress, s, "walks")

    def block(start: int) -> None:
        cols = np.arange(start, min(start + width, s))  # output rows of X's columns
        Pb = sp.coo_matrix(P[cols].T)  # n x b, canonical: no repeated entries
        pr, pc, pv = Pb.row, Pb.col, Pb.data
        X = np.ascontiguousarray(Pb.toarray())
        del Pb
        for _ in range(max_iter):
            restart = np.full(X.shape[1], 1.0 - alpha)
            if dvec is not None:  # dangling nodes send their mass back to the sources
                restart += alpha * (dvec @ X)
            Xn = PT @ X
            Xn *= alpha
            Xn[pr, pc] += pv * restart[pc]
            np.subtract(Xn, X, out=X)  # reuse X's buffer for the change
            np.abs(X, out=X)
            err = X.sum(axis=0)
            X = Xn
            done = err < n * tol
            if done.any():
                out[cols[done]] = (X[:, done] if sel is None else X[sel][:, done]).T
                if bar is not None:
                    bar.update(int(done.sum()))
                keep = ~done
                if not keep.any():
                    break
                X, cols = np.ascontiguousarray(X[:, keep]), cols[keep]
                remap = np.cumsum(keep) - 1
                m = keep[pc]
                pr, pc, pv = pr[m], remap[pc[m]], pv[m]
        else:
            log.warning("personalized PageRank: %d source sets did not converge in %d "
                        "iterations (tol=%g)", len(cols), max_iter, tol)
            out[cols] = (X if sel is None else X[sel]).T
            if bar is not None:
                bar.update(len(cols))

    starts = range(0, s, width)
    try:
        if n_jobs == 1:
            for start in starts:
                block(start)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=int(n_jobs)) as pool:
                for _ in pool.map(block, starts):
                    pass
    finally:
        if own_bar and bar is not None:
            bar.close()
    return out


def _progress_bar(progress: Any, total: int, desc: str) -> tuple[Any, bool]:
    """(bar or None, whether we own it): ``True`` makes a tqdm.auto bar, an object with
    ``update`` is used as given."""
    if progress is None or progress is False:
        return None, False
    if hasattr(progress, "update"):
        return progress, False
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="gang", leave=False), True


@renamed_keyword("seeds", "sources")
def personalized_pagerank(
    A: Any,
    sources: Iterable[int],
    *,
    alpha: float = 0.85,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> np.ndarray:
    """Personalized PageRank (random walk with restart) from one source set.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
        Non-negative strengths (see :func:`personalized_pagerank_many`).
    sources : array-like of int
        Node positions the walk restarts from (uniformly). Called ``seeds`` in 0.1
        (still accepted, with a :class:`FutureWarning`, until 0.3).
    alpha, tol, max_iter
        As in :func:`personalized_pagerank_many`.

    Returns
    -------
    numpy.ndarray, shape (n,)
        Visiting probabilities (sum 1).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 5, 1], [5, 0, 0], [1, 0, 0]])
    >>> r = personalized_pagerank(A, [0])
    >>> bool(r[1] > r[2])  # the stronger tie gets more of the walk
    True
    """
    return personalized_pagerank_many(A, [np.asarray(sources)], alpha=alpha, tol=tol,
                                      max_iter=max_iter)[0]


#: Random walk with restart is personalized PageRank with restart probability ``1 - alpha``.
random_walk_with_restart = personalized_pagerank


# -- communities -------------------------------------------------------------------
def _canonical_labels(membership: Sequence[int] | np.ndarray) -> np.ndarray:
    """Relabel so that communities are numbered by their smallest node position."""
    m = np.asarray(membership, dtype=np.int64)
    if not len(m):
        return m
    _, first, inverse = np.unique(m, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse]


def communities(
    A: Any,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    n_iterations: int = 2,
    backend: Literal["igraph", "leidenalg"] = "igraph",
) -> np.ndarray:
    """Leiden communities maximising (generalised) modularity, deterministic for a seed.

    The graph is undirected, weighted by strengths. The objective is the
    configuration-model modularity with a resolution parameter (leidenalg's
    ``RBConfigurationVertexPartition``; resolution 1 is ordinary modularity).
    Labels are canonical: community 0 holds node 0, community 1 holds the smallest
    node not in community 0, and so on, so equal partitions give equal arrays.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n), or igraph.Graph
        Non-negative strengths (symmetrised if asymmetric), or the undirected graph
        :func:`to_igraph` built from them (to build it once for several algorithms).
    resolution : float, default 1.0
        Higher values give more, smaller communities.
    seed : int, default 0
        Seed of Leiden's random moves. The same seed gives the same labels in every
        run and process.
    n_iterations : int, default 2
        Leiden iterations; ``-1`` iterates until the partition stops changing.
    backend : {"igraph", "leidenalg"}, default "igraph"
        ``"igraph"`` runs igraph's C implementation of Leiden (much faster on large
        graphs); ``"leidenalg"`` runs the leidenalg package. Both optimise the same
        objective; their partitions can differ.

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        Community label of each node. Isolated nodes are singletons.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> rows = [0, 0, 1, 3, 3, 4, 2]
    >>> cols = [1, 2, 2, 4, 5, 5, 3]
    >>> A = sp.csr_matrix(([1.0] * 7, (rows, cols)), shape=(6, 6))
    >>> communities(A + A.T).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    func = "communities"
    if not isinstance(resolution, int | float) or not resolution > 0:
        raise ParameterError.invalid("resolution", func, "a positive number", resolution)
    seed = check_seed(seed, func)
    if isinstance(n_iterations, bool) or not isinstance(n_iterations, int) or (
            n_iterations < 1 and n_iterations != -1):
        raise ParameterError.invalid("n_iterations", func, "a positive integer or -1", n_iterations)
    if backend not in ("igraph", "leidenalg"):
        raise ParameterError.invalid("backend", func, "one of 'igraph', 'leidenalg'", backend)
    g = _undirected_igraph(A, func)
    if g.vcount() == 0:
        return np.zeros(0, dtype=np.int64)
    # the edge attribute when the graph has one, else the strengths as one array (igraph
    # reads the same values either way: the same partition)
    weights: str | np.ndarray = "weight" if "weight" in g.es.attributes() else _strengths(g)
    if backend == "leidenalg":
        import leidenalg

        part = leidenalg.find_partition(
            g, leidenalg.RBConfigurationVertexPartition,
            weights=weights if isinstance(weights, str) else weights.tolist(),
            resolution_parameter=float(resolution), n_iterations=n_iterations, seed=int(seed))
        membership = part.membership
    else:
        # igraph draws from a module-wide generator: seed a private one, then restore
        ig.set_random_number_generator(random.Random(int(seed)))
        try:
            clus = g.community_leiden(objective_function="modularity", weights=weights,
                                      resolution=float(resolution), n_iterations=n_iterations)
        finally:
            ig.set_random_number_generator(random)
        membership = clus.membership
    return _canonical_labels(membership)


def modularity(A: Any, labels: Sequence[int] | np.ndarray, *, resolution: float = 1.0) -> float:
    """Weighted modularity of a partition of an undirected graph.

    ``Q = sum_c [ W_c / W - resolution * (S_c / W)^2 ]`` where ``W`` is twice the total
    strength, ``W_c`` twice the strength inside community ``c`` and ``S_c`` the summed
    strength of its nodes. Same value as :func:`networkx.community.modularity` with
    ``weight=`` the strength.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
        Non-negative strengths (symmetrised if asymmetric; diagonal ignored).
    labels : array-like of int, shape (n,)
        Community label of each node.
    resolution : float, default 1.0

    Returns
    -------
    float

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]])
    >>> modularity(A, [0, 0, 1, 1])
    0.5
    """
    func = "modularity"
    M = _symmetric(_as_csr(A, func, copy=False))
    lab = np.asarray(labels)
    if lab.shape != (M.shape[0],):
        raise ParameterError.invalid("labels", func, f"one label per node ({M.shape[0]})",
                                     f"shape {lab.shape}")
    total = float(M.sum())
    if total == 0:
        return 0.0
    _, lab = np.unique(lab, return_inverse=True)
    C = sp.coo_matrix(M)
    inside = float(C.data[lab[C.row] == lab[C.col]].sum())
    node_strength = np.asarray(M.sum(axis=1)).ravel()
    comm_strength = np.bincount(lab, weights=node_strength)
    return inside / total - float(resolution) * float(((comm_strength / total) ** 2).sum())


# -- betweenness ----------------------------------------------------------------------
def betweenness(
    A: Any,
    *,
    k: int | None = None,
    seed: int = 0,
    weighted: bool = True,
    normalized: bool = True,
) -> np.ndarray:
    """Shortest-path betweenness (brokerage), exact or estimated from sampled sources.

    On the undirected graph. Edge lengths are
    :func:`~umbrella_graph.schema.strength_to_distance` of the strengths (the shortest
    path prefers strong ties; computed by igraph), or 1 per edge when ``weighted=False``
    (computed for a block of sources at a time on the sparse adjacency,
    :func:`umbrella_graph._brandes.hop_betweenness`, igraph's values to rounding).

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n), or igraph.Graph
        Non-negative strengths (symmetrised if asymmetric), or the undirected graph
        :func:`to_igraph` built from them (edge attribute ``"weight"`` = strength).
    k : int, optional
        If given (and smaller than ``n``), estimate from ``k`` source nodes drawn
        without replacement with ``numpy.random.default_rng(seed)`` and scale by
        ``n / k``, as :func:`networkx.betweenness_centrality` does with ``k=``.
    seed : int, default 0
        Seed of the source sample.
    weighted : bool, default True
        Use strength-derived distances; False counts hops.
    normalized : bool, default True
        Divide by ``(n - 1)(n - 2) / 2``, the number of pairs not involving the node
        (NetworkX's normalisation for undirected graphs).

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    >>> betweenness(A).tolist()
    [0.0, 1.0, 0.0]
    """
    func = "betweenness"
    if k is not None:
        k = _check_positive_int(k, "k", func)
    seed = check_seed(seed, func)
    if weighted:
        g = _undirected_igraph(A, func)
        n = g.vcount()
    else:  # hop counts: many sources at a time on the sparse adjacency (umbrella_graph._brandes)
        B = _hop_adjacency(A, func)
        n = B.shape[0]
    sample = k is not None and k < n
    sources = (np.sort(np.random.default_rng(int(seed)).choice(n, size=k, replace=False)) if sample
               else np.arange(n))
    if not weighted:
        b = hop_betweenness(B, sources)
    else:
        weights = strength_to_distance(_strengths(g)).tolist() if g.ecount() else None
        b = np.asarray(g.betweenness(directed=False, weights=weights,
                                     sources=sources.tolist() if sample else None), dtype=float)
    if sample:
        b = b * (n / len(sources))
    if normalized:
        b = b * (2.0 / ((n - 1) * (n - 2))) if n > 2 else np.zeros(n)
    return b


def _hop_adjacency(A: Any, func: str) -> sp.csr_matrix:
    """The symmetric adjacency of ``A`` (a matrix, or an undirected igraph graph)."""
    if isinstance(A, ig.Graph):
        g = _undirected_igraph(A, func)
        e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        n = g.vcount()
        M = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
        return _as_csr(M + M.T, func, copy=False)
    return _symmetric(_as_csr(A, func, copy=False))


# -- link prediction ------------------------------------------------------------------
def _pair_index(A: Any, pairs: Any, func: str) -> tuple[sp.csr_matrix, np.ndarray]:
    M = _symmetric(_as_csr(A, func, copy=False))
    B = sp.csr_matrix((np.ones(M.nnz), M.indices, M.indptr), shape=M.shape)
    P = np.asarray(pairs)
    if P.size == 0:
        return B, np.zeros((0, 2), dtype=np.int64)
    if P.ndim != 2 or P.shape[1] != 2:
        raise ParameterError.invalid("pairs", func, "an (m, 2) array of node positions",
                                     f"shape {P.shape}")
    return B, _check_positions(P, M.shape[0], "pairs", func).reshape(-1, 2)


def _common_neighbour_sum(B: sp.csr_matrix, pairs: np.ndarray, node_weight: np.ndarray) -> np.ndarray:
    """``sum_w B[u, w] * node_weight[w] * B[v, w]`` for every pair ``(u, v)``."""
    if not len(pairs):
        return np.zeros(0, dtype=np.float64)
    us, iu = np.unique(pairs[:, 0], return_inverse=True)
    vs, iv = np.unique(pairs[:, 1], return_inverse=True)
    if len(us) * len(vs) <= max(4 * len(pairs), 1_000_000):
        # the pairs fill much of a grid (officials x gang side): one sparse product
        M = sp.csr_matrix(B[us] @ sp.diags(node_weight) @ B[vs].T)
        M.sort_indices()
        return np.asarray(M[iu, iv], dtype=np.float64).ravel()
    out = np.zeros(len(pairs), dtype=np.float64)
    # chunks bounded in pairs and in the stored entries of their rows (hubs have many); a
    # pair's value is its own two rows' product, whatever else is in its chunk
    deg = np.diff(B.indptr)
    ends = np.cumsum(deg[pairs[:, 0]] + deg[pairs[:, 1]])
    start = 0
    while start < len(pairs):
        base = int(ends[start - 1]) if start else 0
        stop = int(np.searchsorted(ends, base + _PAIR_CHUNK_NNZ, side="right"))
        stop = min(max(stop, start + 1), start + _PAIR_CHUNK)
        chunk = pairs[start:stop]
        common = B[chunk[:, 0]].multiply(B[chunk[:, 1]])
        out[start:stop] = sp.csr_matrix(common) @ node_weight
        start = stop
    return out


def adamic_adar(A: Any, pairs: Any) -> np.ndarray:
    """Adamic-Adar index of node pairs: common neighbours, rarer ones counting more.

    ``AA(u, v) = sum over common neighbours w of 1 / log(degree(w))``, on the
    unweighted undirected graph (degree = number of neighbours; strengths only decide
    whether two nodes are connected). Same values as :func:`networkx.adamic_adar_index`.
    For ``u == v`` every neighbour of ``u`` is common; neighbours of degree 1
    contribute 0 there (NetworkX divides by zero).

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
    pairs : array-like of int, shape (m, 2)
        Node positions.

    Returns
    -------
    numpy.ndarray, shape (m,)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 0, 1], [0, 0, 1], [1, 1, 0]])
    >>> adamic_adar(A, [[0, 1]]).round(4).tolist()  # one common neighbour of degree 2
    [1.4427]
    """
    B, P = _pair_index(A, pairs, "adamic_adar")
    deg = np.asarray(B.sum(axis=1)).ravel()
    w = np.divide(1.0, np.log(deg, out=np.zeros_like(deg), where=deg > 1),
                  out=np.zeros_like(deg), where=deg > 1)
    return _common_neighbour_sum(B, P, w)


def resource_allocation(A: Any, pairs: Any) -> np.ndarray:
    """Resource-allocation index of node pairs.

    ``RA(u, v) = sum over common neighbours w of 1 / degree(w)`` on the unweighted
    undirected graph. Same values as :func:`networkx.resource_allocation_index`.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
    pairs : array-like of int, shape (m, 2)
        Node positions.

    Returns
    -------
    numpy.ndarray, shape (m,)

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 0, 1, 1], [0, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]])
    >>> resource_allocation(A, [[0, 1], [2, 3]]).tolist()
    [0.5, 0.5]
    """
    B, P = _pair_index(A, pairs, "resource_allocation")
    deg = np.asarray(B.sum(axis=1)).ravel()
    w = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    return _common_neighbour_sum(B, P, w)
