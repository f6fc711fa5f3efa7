"""Where the nodes go: a seeded spring layout per connected component, and communities.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ParameterError
from ..graph import CaseGraph


# ---------------------------------------------------------------------------------------
# layout and communities
# ---------------------------------------------------------------------------------------
def _pair_graph(positions: Sequence[int], recs: pd.DataFrame) -> nx.Graph:
    H = nx.Graph()
    H.add_nodes_from(sorted(positions))
    if len(recs):
        w = recs.groupby([np.minimum(recs["a"], recs["b"]), np.maximum(recs["a"], recs["b"])], sort=True).size()
        for (u, v), c in w.items():
            H.add_edge(int(u), int(v), weight=float(c))
    return H


def _positions(
    graph: CaseGraph,
    positions: Sequence[int],
    recs: pd.DataFrame,
    *,
    seed: int,
    layered: Mapping[str, tuple[float, int]] | None,
) -> dict[int, tuple[float, float]]:
    ids = graph.nodes["id"].to_numpy()
    if layered is not None:
        by_layer: dict[float, list[int]] = {}
        for p in positions:
            lay, _ = layered[str(ids[p])]
            by_layer.setdefault(lay, []).append(p)
        out: dict[int, tuple[float, float]] = {}
        for lay, ps in by_layer.items():
            ps = sorted(ps, key=lambda q: (layered[str(ids[q])][1], str(ids[q])))
            for i, q in enumerate(ps):
                out[q] = (lay * 230.0, (i - (len(ps) - 1) / 2) * 110.0)
        return out
    H = _pair_graph(positions, recs)
    comps = sorted((sorted(c) for c in nx.connected_components(H)), key=lambda c: (-len(c), c[0]))
    out = {}
    # pack components left to right in rows; bigger components first
    x0, y0, row_h = 0.0, 0.0, 0.0
    row_w = 1600.0 + 60.0 * math.sqrt(len(positions))
    singles = [c[0] for c in comps if len(c) == 1]
    for comp in (c for c in comps if len(c) > 1):
        radius = 55.0 * math.sqrt(len(comp))
        pos = _fr_layout(H, comp, seed=seed, radius=radius)
        if x0 > 0 and x0 + 2 * radius > row_w:
            x0, y0, row_h = 0.0, y0 + row_h + 80.0, 0.0
        for q, (px, py) in zip(comp, pos, strict=True):
            out[q] = (x0 + radius + float(px), y0 + radius + float(py))
        x0 += 2 * radius + 80.0
        row_h = max(row_h, 2 * radius)
    if singles:  # isolated nodes in a grid under the rest
        y0 = y0 + row_h + (100.0 if out else 0.0)
        per_row = max(1, int(row_w // 90))
        for i, q in enumerate(singles):
            out[q] = ((i % per_row) * 90.0, y0 + (i // per_row) * 90.0)
    return out


def _fr_layout(H: nx.Graph, comp: Sequence[int], *, seed: int, radius: float) -> np.ndarray:
    """Fruchterman-Reingold positions of one component (igraph, seeded), scaled to ``radius``.

    igraph draws from its random number generator even from given start positions, so it
    runs with a generator seeded by ``seed`` (and the default is restored afterwards).
    """
    import random

    import igraph as ig

    index = {q: i for i, q in enumerate(comp)}
    edges = [(index[u], index[v]) for u, v in H.subgraph(comp).edges()]
    G = ig.Graph(n=len(comp), edges=sorted(edges))
    init = np.random.RandomState(seed).uniform(-1.0, 1.0, (len(comp), 2)).tolist()
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = np.asarray(G.layout_fruchterman_reingold(seed=init, niter=500).coords, dtype=float)
    finally:
        ig.set_random_number_generator(random)
    coords -= coords.mean(axis=0)
    extent = float(np.abs(coords).max()) or 1.0
    return coords * (radius / extent)


def _community_map(
    graph: CaseGraph,
    positions: Sequence[int],
    recs: pd.DataFrame,
    communities: str | Mapping[str, int] | pd.Series | None,
    seed: int,
) -> dict[str, int] | None:
    if communities is None:
        return None
    ids = graph.nodes["id"].to_numpy()
    if isinstance(communities, str):
        if communities != "auto":
            raise ParameterError.invalid("communities", "view", "'auto', a mapping or a Series", communities)
        H = _pair_graph(positions, recs)
        labels = _detect(H, seed)
        return {str(ids[p]): int(c) for p, c in labels.items()}
    if isinstance(communities, pd.Series):
        communities = communities.to_dict()
    if not isinstance(communities, Mapping):
        raise ParameterError.invalid("communities", "view", "'auto', a mapping or a Series",
                                     type(communities).__name__)
    # canonical small integers in order of first appearance among the shown nodes
    codes: dict[Any, int] = {}
    out = {}
    for p in sorted(positions):
        nid = str(ids[p])
        if nid in communities:
            lab = communities[nid]
            out[nid] = codes.setdefault(lab, len(codes))
    return out


def _detect(H: nx.Graph, seed: int) -> dict[int, int]:
    """Community labels of the shown subgraph (Leiden via umbrella_graph.algorithms)."""
    nodes = sorted(H.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for u, v, d in H.edges(data=True):
        rows += [index[u], index[v]]
        cols += [index[v], index[u]]
        vals += [d.get("weight", 1.0)] * 2
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
    try:
        from ..algorithms import communities as leiden
    except ImportError:  # pragma: no cover - the algorithms module is part of the package
        parts = nx.community.louvain_communities(H, weight="weight", seed=seed)
        ordered = sorted((sorted(c) for c in parts), key=lambda c: (-len(c), c[0]))
        return {n: i for i, c in enumerate(ordered) for n in c}
    labels = np.asarray(leiden(A, seed=seed))
    return {n: int(labels[index[n]]) for n in nodes}
