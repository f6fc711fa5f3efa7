"""Hop-count betweenness from a set of sources, many sources at a time (Brandes).

Brandes' algorithm, level by level, for a block of sources at once: the breadth-first
search of every source in the block advances one hop per sparse product (the block's
path counts at the frontier times the adjacency), and the dependencies flow back the
same way. Why not igraph's ``betweenness(sources=...)``, which gives the same values (to
rounding; tested against it and against NetworkX): it runs one source at a time, and on
a graph of a million people each source's search misses the processor's caches at almost
every edge (1.05 s per source, 56 s for the scorer's 64; here a node's path counts for
the whole block sit side by side in memory, 24-25 s, and 1.2-1.3 s instead of 2.9 s at
100k).
Weighted (strength-derived) betweenness stays in igraph.

The block width is chosen from :data:`BLOCK_BYTES` (counted as 40 bytes per node and
source; the measured peak, with the frontier's rows of the adjacency, is about twice
that); the sum over blocks runs in source order, so the result does not depend on
anything but the graph and the sources.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["hop_betweenness", "BLOCK_BYTES", "MAX_BLOCK"]

#: Memory for one block of sources, counted as 40 bytes per node and source (hop count,
#: path count, dependency and one product), so at a million people blocks of 12 sources.
#: Measured with the frontier's rows of the adjacency and the levels' masks: 0.92 GB
#: above the graph for one block of 12 at a million people.
BLOCK_BYTES = 512 * 2**20
#: Widest block (64 sources at 100k people: 1.9 s in blocks of 8, 1.6 s in blocks of 16,
#: 1.4 s in blocks of 32; at a million people blocks of 12 are the fastest measured, 25 s,
#: against 27-31 s for 8, 16, 22 or 32).
MAX_BLOCK = 32


def _block(B: sp.csr_matrix, src: np.ndarray, out: np.ndarray) -> None:
    n, b = B.shape[0], len(src)
    cols = np.arange(b)
    depth = np.full((n, b), -1, dtype=np.int32)
    sigma = np.zeros((n, b))
    depth[src, cols] = 0
    sigma[src, cols] = 1.0
    # level d: the nodes at d hops from at least one source of the block, and which
    # sources (the mask); X: their path counts where the mask holds, else 0
    fr = np.unique(src)
    levels, masks = [fr], [depth[fr] == 0]
    X = sigma[fr]
    mark = np.zeros(n, dtype=bool)
    d = 0
    while True:  # forward: the hop counts and the numbers of shortest paths
        sub = B[fr]
        mark[sub.indices] = True
        nb = np.flatnonzero(mark)  # the level's neighbours
        mark[nb] = False
        Y = (sub.T @ X)[nb]
        dn = depth[nb]
        new = (Y > 0) & (dn == -1)
        keep = new.any(axis=1)
        if not keep.any():
            break
        fr, new, Y = nb[keep], new[keep], Y[keep]
        d += 1
        depth[fr] = np.where(new, d, dn[keep])
        X = np.where(new, Y, 0.0)  # a node's path counts are complete when it is first reached
        sigma[fr] += X
        levels.append(fr)
        masks.append(new)
    delta = np.zeros((n, b))
    for d in range(len(levels) - 1, 0, -1):  # backward: each node's dependency
        fr, at = levels[d], masks[d]
        X = np.where(at, (1.0 + delta[fr]) / np.where(at, sigma[fr], 1.0), 0.0)
        up, was = levels[d - 1], masks[d - 1]  # the predecessors are on the level before
        delta[up] += np.where(was, sigma[up] * (B[fr].T @ X)[up], 0.0)
    delta[src, cols] = 0.0
    out += delta.sum(axis=1)


def hop_betweenness(B: sp.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Each node's betweenness counted over the shortest (fewest-hop) paths from
    ``sources`` to every node, each unordered pair once, as igraph's
    ``betweenness(directed=False, sources=...)`` counts them.

    Parameters
    ----------
    B : scipy.sparse.csr_matrix, shape (n, n)
        The symmetric adjacency (stored entries are edges; no diagonal).
    sources : numpy.ndarray of int
        Distinct source positions.

    Returns
    -------
    numpy.ndarray, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> B = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    >>> hop_betweenness(B, np.arange(3)).tolist()
    [0.0, 1.0, 0.0]
    """
    n = B.shape[0]
    out = np.zeros(n)
    src = np.asarray(sources, dtype=np.int64)
    if n == 0 or len(src) == 0 or B.nnz == 0:
        return out
    B = sp.csr_matrix((np.ones(B.nnz), B.indices, B.indptr), shape=B.shape)
    width = int(min(MAX_BLOCK, max(1, BLOCK_BYTES // (40 * n))))
    for start in range(0, len(src), width):
        _block(B, src[start:start + width], out)
    return out / 2.0
