"""Personalised PageRank cut at a fixed number of steps: a local, exact walk.

:func:`truncated_pagerank_many` is the walk the scorer's ``ppr`` feature reads
(:mod:`umbrella_graph.scoring.structure`). It follows the conventions of
:mod:`umbrella_graph.algorithms` (positions in, arrays out; the diagonal ignored; ``A``'s
rows give the direction) and shares its input checks; it lives apart because it is
computed differently (from both ends, sparse products and a gather, no iteration).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._matrices import _as_csr, _check_positions, _check_unit_interval
from ._memory import check_memory
from .algorithms import _personalization, _progress_bar
from .errors import ParameterError

__all__ = ["truncated_pagerank_many"]


#: Working memory of :func:`truncated_pagerank_many`: the dense ``b x n`` buffer a block's
#: forward walk is read from (it sets ``b``), and the gathered products of a chunk.
_TRUNC_BLOCK_BYTES = 1 << 26
#: Stored entries of the backward walks computed at once (one chunk of requested nodes).
_TRUNC_CHUNK_NNZ = 8_000_000


def truncated_pagerank_many(
    A: Any,
    source_sets: Sequence[Iterable[int]] | np.ndarray | sp.spmatrix,
    *,
    steps: int = 4,
    alpha: float = 0.85,
    nodes: Any = None,
    pairs: Any = None,
    progress: bool | Any = False,
) -> np.ndarray:
    """Personalized PageRank truncated at a fixed number of steps, from many source sets.

    The walker starts on the source set (drawn by its weights), takes ``K`` steps and is
    read where it stands, with ``K`` geometric (``P(K = k)`` proportional to
    ``alpha ** k``) and at most ``steps``; each step follows an edge chosen in proportion
    to its strength. It is personalized PageRank (:func:`personalized_pagerank_many`,
    the limit ``steps -> inf``) with the walks cut at ``steps`` steps::

        x = (1 - alpha) / (1 - alpha ** (steps + 1)) * sum(alpha ** k * T ** k @ s, k = 0..steps)

    with ``T`` the column-stochastic transition matrix and ``s`` the source set's
    distribution. It is exact (no convergence tolerance) and local: a node more than
    ``steps`` edges from the source set gets 0. It is computed from both ends (``steps
    // 2`` steps forward from each source set, the others backward from each requested
    node, sparse products only), so the cost grows with the requested values times the
    size of a few-hop neighbourhood, not with source sets x edges as the power iteration
    does. A value depends only on its source set and node: the same bits whichever
    other values are requested with it.

    Parameters
    ----------
    A : scipy.sparse matrix, shape (n, n)
        Non-negative strengths; the walk goes from row ``i`` to column ``j`` with
        probability ``A[i, j] / A[i].sum()``. A walker at a node with no out-going
        strength (a dangling node) is not counted for its remaining steps, so a vector
        can sum to less than 1.
    source_sets : list of arrays of node positions, or array/sparse matrix (s, n)
        As in :func:`personalized_pagerank_many`: ``s`` collections of node positions
        (uniform weights) or an ``s x n`` matrix of non-negative weights (rows
        normalised to sum 1).
    steps : int, default 4
        The longest walk counted (0 gives the source distribution itself).
    alpha : float, default 0.85
        Probability of one more step, strictly between 0 and 1.
    nodes : array-like of int, optional
        Return the values at these node positions only (``s x len(nodes)``).
    pairs : array-like of int, shape (m, 2), optional
        Return the values of these (source set index, node position) pairs only (a
        1-D array of ``m`` values): the way to read a few values per source set from a
        large graph. Not with ``nodes``.
    progress : bool or tqdm-like, default False
        A progress bar over the source sets, or an object with ``update(k)``.

    Returns
    -------
    numpy.ndarray, shape (s, n), (s, len(nodes)) or (m,)
        Row ``k`` is the truncated walk of source set ``k``; with ``pairs``, one value
        per pair.

    Raises
    ------
    InsufficientMemoryError
        If the result would not fit in the available memory.

    See Also
    --------
    umbrella_graph.algorithms.personalized_pagerank_many : the same walk, not truncated (a
        power iteration over the whole graph to a tolerance).

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> A = sp.csr_matrix([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]])
    >>> truncated_pagerank_many(A, [[0]], steps=2).round(3)
    array([[0.529, 0.33 , 0.14 , 0.   ]])
    >>> truncated_pagerank_many(A, [[0], [3]], steps=2, pairs=[[0, 3], [1, 3]]).round(3)
    array([0.   , 0.529])
    """
    func = "truncated_pagerank_many"
    M = _as_csr(A, func, copy=False)
    n = M.shape[0]
    alpha = _check_unit_interval(alpha, "alpha", func)
    if not isinstance(steps, int | np.integer) or isinstance(steps, bool) or steps < 0:
        raise ParameterError.invalid("steps", func, "a non-negative integer", steps)
    steps = int(steps)
    P = _personalization(source_sets, n, func)
    s = P.shape[0]
    if pairs is not None and nodes is not None:
        raise ParameterError.invalid("pairs", func, "None when nodes is given", "both")
    if pairs is not None:
        pr = np.asarray(pairs)
        if pr.size == 0:
            pr = np.zeros((0, 2), dtype=np.int64)
        if pr.ndim != 2 or pr.shape[1] != 2 or pr.dtype == bool or not np.issubdtype(pr.dtype, np.integer):
            raise ParameterError.invalid("pairs", func, "an (m, 2) integer array of (source set, node)",
                                         f"shape {pr.shape} of {pr.dtype}")
        pr = pr.astype(np.int64, copy=False)
        if len(pr) and (pr[:, 0].min() < 0 or pr[:, 0].max() >= s):
            raise ParameterError.invalid("pairs", func, f"source set indices in [0, {s}) in its first column",
                                         f"indices from {pr[:, 0].min()} to {pr[:, 0].max()}")
        src = pr[:, 0]
        at = _check_positions(pr[:, 1], n, "pairs", func)
        shape: tuple[int, ...] = (len(pr),)
    else:
        sel = np.arange(n) if nodes is None else _check_positions(
            np.asarray(nodes, dtype=np.int64).reshape(-1), n, "nodes", func)
        check_memory(3 * 8 * s * len(sel), f"truncated walks ({s} source sets at {len(sel)} nodes)")
        src = np.repeat(np.arange(s, dtype=np.int64), len(sel))
        at = np.tile(sel, s)
        shape = (s, len(sel))
    out = np.zeros(len(src), dtype=np.float64)
    if len(src) == 0:
        return out.reshape(shape)
    strength = np.asarray(M.sum(axis=1)).ravel()
    inv = np.divide(1.0, strength, out=np.zeros(n), where=strength > 0)
    T = sp.csr_matrix(sp.diags(inv) @ M)  # row-stochastic: the forward steps, row by row
    del M
    T.sort_indices()
    PT = sp.csr_matrix(T.T)  # column-stochastic transition (n x n): the backward steps
    PT.sort_indices()
    fwd, back = steps // 2, steps - steps // 2
    # an upper bound on the stored entries of each node's backward walk (chunking)
    est = np.diff(PT.indptr).astype(np.float64)
    pattern = sp.csr_matrix((np.ones(PT.nnz), PT.indices, PT.indptr), shape=PT.shape)
    for _ in range(back - 1):
        est = est + pattern @ est
    del pattern
    norm = (1.0 - alpha) / (1.0 - alpha ** (steps + 1))
    width = int(max(1, min(64, s, _TRUNC_BLOCK_BYTES // (8 * max(n, 1)))))
    order = np.argsort(src, kind="stable")
    first = np.searchsorted(src[order], np.arange(0, s + width, width).clip(max=s))
    # one dense b x n buffer for the whole call: a block's sparse forward walk is scattered
    # into it for reading and its entries zeroed again, so a block costs its stored entries,
    # not b x n
    buf = np.zeros((width, n))
    bar, own_bar = _progress_bar(progress, s, "walks")
    try:
        for b, start in enumerate(range(0, s, width)):
            idx = order[first[b]:first[b + 1]]  # the requested values of this block
            cols = np.arange(start, min(start + width, s))
            if len(idx):
                # b x n, one row per source set: Y @ T visits only the stored entries (PT @ Y^T
                # would visit every edge per step); each value sums the same products in the
                # same order (sorted indices), so the bits are those of the column form
                Y = sp.csr_matrix(P[cols])
                Y.sum_duplicates()  # and sorts the indices
                near = Y  # sum of the forward terms alpha^k s T^k, k <= fwd
                for k in range(1, fwd + 1):
                    Y = sp.csr_matrix(Y @ T)
                    Y.sort_indices()
                    near = sp.csr_matrix(near + alpha ** k * Y)
                col = src[idx] - start
                with _scattered(buf, near) as dense:
                    out[idx] = dense[col, at[idx]]
                del near
                if back:
                    with _scattered(buf, Y) as dense:
                        _truncated_block(PT, idx, col, at[idx], dense, fwd, back, alpha, est, out)
                del Y
            if bar is not None:
                bar.update(len(cols))
    finally:
        if own_bar and bar is not None:
            bar.close()
    out *= norm
    return out.reshape(shape)


@contextlib.contextmanager
def _scattered(buf: np.ndarray, Y: sp.csr_matrix) -> Iterator[np.ndarray]:
    """``buf`` (zeros) holding the stored entries of ``Y`` while in use, zeros again after."""
    rows = np.repeat(np.arange(Y.shape[0]), np.diff(Y.indptr))
    buf[rows, Y.indices] = Y.data
    try:
        yield buf
    finally:
        buf[rows, Y.indices] = 0.0


def _truncated_block(PT: sp.csr_matrix, idx: np.ndarray, col: np.ndarray, at: np.ndarray, far: np.ndarray,
                     fwd: int, back: int, alpha: float, est: np.ndarray, out: np.ndarray) -> None:
    """Adds to ``out[idx]`` (not yet normalised) the backward walk from the pair's node
    (``sum_j alpha^(fwd+j) T^j[node]``, sparse) against the forward walk's last step
    ``far`` (dense ``b x n``, row = source set), summed in the row's order."""
    uniq, urow = np.unique(at, return_inverse=True)
    csum = np.cumsum(est[uniq])
    lo = 0
    while lo < len(uniq):
        base = csum[lo - 1] if lo else 0.0
        hi = max(lo + 1, int(np.searchsorted(csum, base + _TRUNC_CHUNK_NNZ, side="right")))
        chunk = uniq[lo:hi]
        Q = sp.csr_matrix(PT[chunk])
        Z = alpha ** (fwd + 1) * Q
        for j in range(2, back + 1):
            Q = sp.csr_matrix(Q @ PT)
            Z = Z + alpha ** (fwd + j) * Q
        Z = sp.csr_matrix(Z)  # a row's entries in an order that depends on the row only
        del Q
        mine = np.flatnonzero((urow >= lo) & (urow < hi))
        rows = urow[mine] - lo
        lens = np.diff(Z.indptr)[rows]
        # expand each requested value into its row's entries, in pieces of bounded size
        ends = np.cumsum(lens)
        piece = max(1, _TRUNC_BLOCK_BYTES // 32)
        p0 = 0
        while p0 < len(mine):
            p1 = int(np.searchsorted(ends, (ends[p0 - 1] if p0 else 0) + piece, side="right"))
            p1 = max(p1, p0 + 1)
            r, ln = rows[p0:p1], lens[p0:p1]
            tot = int(ln.sum())
            owner = np.repeat(np.arange(p1 - p0), ln)
            e = np.repeat(Z.indptr[r] - np.cumsum(ln) + ln, ln) + np.arange(tot)
            prod = Z.data[e] * far[np.repeat(col[mine[p0:p1]], ln), Z.indices[e]]
            out[idx[mine[p0:p1]]] += np.bincount(owner, weights=prod, minlength=p1 - p0)
            p0 = p1
        lo = hi
