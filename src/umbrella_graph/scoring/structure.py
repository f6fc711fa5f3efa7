"""The structural signals: the official's position in the case's network.

``ppr`` (personalised PageRank from each gang's side, cut at :data:`WALK_STEPS`
steps), ``community`` (the gang side's share of his Leiden community), ``brokerage``
(sampled betweenness) and ``link_aa`` / ``link_ra`` (link prediction against the gang's
strong side), all on one typed, weighted person/company graph (:func:`structure_matrix`, the fact ``Facts.structure``).
:func:`signal_structure` is a pure function of the facts and the seed, like the
evidence signals of :mod:`umbrella_graph.scoring.signals`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .. import algorithms, walks
from ._context import Facts
from .signals import SignalResult, _Pairs

__all__ = ["signal_structure", "structure_matrix", "community_labels", "brokerage", "BROKERAGE_SAMPLES",
           "COMMUNITY_ITERATIONS", "WALK_STEPS", "WALK_ALPHA"]

#: Record weights of the structural graph (per record, summed per pair).
_KIN_TIE_WEIGHT = 2.0
_ROLE_EDGE_WEIGHT = 2.0
_CONTRACT_EDGE_WEIGHT = 2.0
#: Source nodes sampled for brokerage (betweenness) on large graphs.
BROKERAGE_SAMPLES = 64
#: Leiden iterations of the community signal. One: at a million people the second
#: iteration costs 12 s of Leiden's 36 s and moves modularity from 0.840 to 0.847
#: (100k: 0.804 to 0.816); the accuracy benchmarks were rerun with one (docs/scale.md).
COMMUNITY_ITERATIONS = 1


def community_labels(A: Any, seed: int) -> np.ndarray:
    """The Leiden communities the ``community`` signal reads (every engine and the
    records call this): :func:`umbrella_graph.algorithms.communities` of the structural
    graph ``A`` (its matrix or igraph graph) with :data:`COMMUNITY_ITERATIONS`."""
    return algorithms.communities(A, seed=seed, n_iterations=COMMUNITY_ITERATIONS)


def brokerage(A: sp.csr_matrix, seed: int) -> np.ndarray:
    """Each node's hop-count betweenness on the structural graph ``A``, from
    :data:`BROKERAGE_SAMPLES` seeded sources when the graph has more than twice as many
    nodes, else exact (the ``brokerage`` signal, on every engine)."""
    n = A.shape[0]
    k = None if n <= 2 * BROKERAGE_SAMPLES else BROKERAGE_SAMPLES
    return algorithms.betweenness(A, k=k, seed=seed, weighted=False)


def structure_matrix(ctx: Facts) -> sp.csr_matrix:
    """The typed, weighted person/company graph the structural signals walk on.

    Per record: a transaction weighs ``1 + log10(1 + amount / q70)`` (``q70`` the case's
    70th percentile of transfers), a contact 1 (a
    meeting 2), a family tie 2 and another tie 1, a company role 2, a contract 2
    (issuer and approver to the company). Administrative edges (places, units, posts)
    and membership edges are left out: they would join everyone in a village. The fact
    ``Facts.structure``.
    """
    n = ctx.n
    rows, cols, vals = [], [], []
    tx = ctx.tx
    rows.append(tx["src"].to_numpy())
    cols.append(tx["dst"].to_numpy())
    vals.append(1.0 + np.log10(1.0 + tx["amount"].to_numpy(dtype=float) / ctx.amount_at(0.7)))
    ct = ctx.ct
    rows.append(ct["src"].to_numpy())
    cols.append(ct["dst"].to_numpy())
    vals.append(np.where(ct["kind"].to_numpy() == "meeting", 2.0, 1.0))
    te = ctx.graph.edges[(ctx.graph.edges["kind"] == "tie").to_numpy()]
    if len(te):
        kin = ctx.is_kin(te["src"].to_numpy(), te["dst"].to_numpy())
        rows.append(te["src"].to_numpy())
        cols.append(te["dst"].to_numpy())
        vals.append(np.where(kin, _KIN_TIE_WEIGHT, 1.0))
    rows.append(ctx.roles["person"].to_numpy())
    cols.append(ctx.roles["company"].to_numpy())
    vals.append(np.full(len(ctx.roles), _ROLE_EDGE_WEIGHT))
    k = ctx.contracts
    for col in ("issuer", "approver"):
        ok = k[col].to_numpy() >= 0
        rows.append(k[col].to_numpy()[ok])
        cols.append(k["company"].to_numpy()[ok])
        vals.append(np.full(int(ok.sum()), _CONTRACT_EDGE_WEIGHT))
    r = np.concatenate(rows).astype(np.int64)
    c = np.concatenate(cols).astype(np.int64)
    v = np.concatenate(vals).astype(float)
    ok = r != c
    A = sp.coo_matrix((v[ok], (r[ok], c[ok])), shape=(n, n)).tocsr()
    A = (A + A.T).tocsr()
    A.sum_duplicates()
    A.sort_indices()
    return A


#: The gang-seeded walks: personalised PageRank cut at this many steps
#: (:func:`umbrella_graph.walks.truncated_pagerank_many`), with this damping.
#: Four steps keep the walk local (the cost grows with the held pairs, not with gangs x
#: edges) while counting paths of up to four records; 1 - 0.85^5 = 56% of the untruncated
#: walk's time is spent within them (docs/signals.md, docs/scale.md).
WALK_STEPS = 4
WALK_ALPHA = 0.85


def _seed_matrix(ctx: Facts) -> sp.csr_matrix:
    """Gangs x nodes: each gang's side weighted by confidence (the gang node itself for a
    gang without any side)."""
    side = ctx.side
    G, n = ctx.n_gangs, ctx.n
    P = sp.csr_matrix((side["conf"].to_numpy(dtype=float), (side["gang"].to_numpy(), side["node"].to_numpy())),
                      shape=(G, n))
    empty = np.asarray(P.sum(axis=1)).ravel() <= 0
    if empty.any():  # a gang with no side at all: start from the gang node itself
        P = sp.lil_matrix(P)
        for g in np.flatnonzero(empty):
            P[g, ctx.gang_pos[g]] = 1.0
        P = sp.csr_matrix(P)
    return P


def _walks(ctx: Facts, out: _Pairs, A: sp.csr_matrix, P: sp.csr_matrix, progress: Any) -> np.ndarray:
    """The truncated walk from each held pair's gang side, read at its official: one call
    of :func:`umbrella_graph.walks.truncated_pagerank_many` with the held pairs
    (two steps forward from the gang sides, two backward from the officials), so the
    cost grows with the held pairs and their few-hop neighbourhoods."""
    if not out.size:
        if progress is not None:
            progress.update(ctx.n_gangs)
        return np.zeros(0)
    pairs = np.column_stack([out.gang, ctx.official_pos[out.off]])
    return walks.truncated_pagerank_many(A, P, steps=WALK_STEPS, alpha=WALK_ALPHA, pairs=pairs,
                                              progress=progress if progress is not None else False)


def _structure(ctx: Facts, out: _Pairs, seed: int, progress: Any = None) -> None:
    A = ctx.structure
    side = ctx.side
    n = ctx.n
    G, n_off = ctx.n_gangs, ctx.n_officials
    opos = ctx.official_pos
    names = ("ppr", "community", "brokerage", "link_aa", "link_ra")
    if G == 0 or n_off == 0 or A.nnz == 0 or out.size == 0:
        for name in names:
            out.get(name)
        if progress is not None:
            progress.update(G)
        return
    P = _seed_matrix(ctx)
    R = _walks(ctx, out, A, P, progress)
    deg = np.asarray(A.sum(axis=1)).ravel()
    stat = deg / max(float(deg.sum()), 1e-12)
    at = opos[out.off]
    out.set("ppr", np.log10((R + 1e-12) / (stat[at] + 1e-12)))
    # for communities (its strengths kept as one array)
    ig = algorithms._undirected_igraph(A, "score_umbrellas")
    lab = community_labels(ig, seed)
    tot = np.asarray(P.sum(axis=1)).ravel()
    # mass of each gang side per community, read at each official's community
    comm = sp.csr_matrix((np.ones(n), (np.arange(n), lab)), shape=(n, int(lab.max()) + 1))
    mass = sp.csr_matrix(P @ comm)  # gangs x communities, sparse
    mass.sort_indices()
    got = np.asarray(mass[out.gang, lab[at]], dtype=float).ravel()
    out.set("community", got / np.maximum(tot[out.gang], 1e-12))
    del ig  # the igraph graph and its strengths are not needed below: freed before brokerage
    out.set("brokerage", brokerage(A, seed)[at])
    # link prediction: each held pair's official x the gang's strong side people
    s = side[(side["conf"].to_numpy() >= 0.5)]
    if len(s):
        sg = s["gang"].to_numpy().astype(np.int64)
        so = np.argsort(sg, kind="stable")  # side rows by gang, in side order within a gang
        first = np.searchsorted(sg[so], np.arange(G + 1))
        cnt = (first[1:] - first[:-1])[out.gang]
        pair = np.repeat(np.arange(out.size), cnt)
        within = np.arange(len(pair)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        srow = so[first[out.gang][pair] + within]
        oi, gang = out.off[pair], out.gang[pair]
        nodes = s["node"].to_numpy()[srow]
        conf = s["conf"].to_numpy(dtype=float)[srow]
        pairs = np.column_stack([opos[oi], nodes])
        aa = algorithms.adamic_adar(A, pairs)
        ra = algorithms.resource_allocation(A, pairs)
        size = np.bincount(sg, weights=s["conf"].to_numpy(dtype=float), minlength=G)
        out.add("link_aa", oi, gang, conf * aa / np.maximum(size[gang], 1e-12))
        out.add("link_ra", oi, gang, conf * ra / np.maximum(size[gang], 1e-12))
    out.get("link_aa")
    out.get("link_ra")



def signal_structure(facts: Facts, held: _Pairs, seed: int, progress: Any = None) -> SignalResult:
    """``ppr``, ``community``, ``brokerage``, ``link_*``: the official's position in the
    structural graph ``Facts.structure`` (seeded: communities, the brokerage sample)."""
    out = held.fresh()
    _structure(facts, out, seed, progress)
    return out.result({})
