"""The sparse / igraph algorithms against their NetworkX references.

Small synthetic graphs and the real networks in ``../shared/datasets``: the US Mafia
1960 "known associate" network, the Noordin Top network (all relations summed) and the
Infinito 'Ndrangheta summit projection (person-person, strength = shared summits).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from umbrella_graph import ParameterError, _brandes, algorithms
from umbrella_graph.algorithms import (
    adamic_adar,
    betweenness,
    communities,
    modularity,
    personalized_pagerank,
    personalized_pagerank_many,
    random_walk_with_restart,
    resource_allocation,
    to_igraph,
)
from umbrella_graph.schema import strength_to_distance
from umbrella_graph.walks import truncated_pagerank_many

# -- real networks ------------------------------------------------------------------


def mafia_graph(datasets: Path) -> tuple[nx.Graph, pd.Series]:
    """US Mafia 1960: 680 people, 2699 ties; also each person's Family."""
    nodes = pd.read_csv(datasets / "us_mafia_1960" / "MafiaNodes.csv")
    edges = pd.read_csv(datasets / "us_mafia_1960" / "MafiaEdges.csv")
    G = nx.Graph()
    G.add_nodes_from(nodes["NODE"])
    G.add_edges_from(zip(edges["Source"], edges["Target"], strict=True), strength=1.0)
    return G, nodes.set_index("NODE")["Family"]


def infinito_projection(datasets: Path) -> nx.Graph:
    """Infinito person-person projection; strength = number of summits attended together."""
    d = datasets / "infinito_ndrangheta"
    nodes = pd.read_csv(d / "NDRANGHETAMAFIA_2M_nodes.csv")
    edges = pd.read_csv(d / "NDRANGHETAMAFIA_2M_edges.csv")
    is_summit = dict(zip(nodes["id"], nodes["type"].astype(str) == "True", strict=True))
    B = nx.Graph()
    people = [i for i in nodes["id"] if not is_summit[i]]
    B.add_nodes_from(people, bipartite=0)
    B.add_nodes_from([i for i in nodes["id"] if is_summit[i]], bipartite=1)
    B.add_edges_from(zip(edges["source"], edges["target"], strict=True))
    P = nx.bipartite.weighted_projected_graph(B, people)
    for _, _, data in P.edges(data=True):
        data["strength"] = float(data.pop("weight"))
    return P


def noordin_graph(datasets: Path) -> nx.Graph:
    """Noordin Top: the 10 relations summed into one strength per pair."""
    G = nx.Graph()
    for f in sorted((datasets / "noordin_top").glob("*_edges.csv")):
        for s, t in pd.read_csv(f)[["source", "target"]].itertuples(index=False):
            if s == t:
                continue
            w = G.get_edge_data(s, t, {"strength": 0.0})["strength"]
            G.add_edge(s, t, strength=w + 1.0)
    nodes = pd.read_csv(datasets / "noordin_top" / "NOORDINTOP_KINSHIP_nodes.csv")
    G.add_nodes_from(nodes["id"])
    return G


def as_matrix(G: nx.Graph) -> tuple[list, sp.csr_matrix]:
    order = list(G)
    return order, sp.csr_matrix(nx.to_scipy_sparse_array(G, nodelist=order, weight="strength"))


@pytest.fixture(scope="module")
def real_graphs(datasets_dir: Path) -> dict[str, nx.Graph]:
    return {
        "us_mafia_1960": mafia_graph(datasets_dir)[0],
        "noordin_top": noordin_graph(datasets_dir),
        "infinito": infinito_projection(datasets_dir),
    }


def test_real_graphs_have_expected_size(real_graphs: dict[str, nx.Graph]) -> None:
    assert real_graphs["us_mafia_1960"].number_of_nodes() == 680
    assert real_graphs["us_mafia_1960"].number_of_edges() == 2699
    assert real_graphs["noordin_top"].number_of_nodes() == 79
    assert real_graphs["infinito"].number_of_nodes() == 156
    # the projection is weighted: some pairs met at several summits
    assert max(d["strength"] for *_, d in real_graphs["infinito"].edges(data=True)) > 1


# -- small graphs -------------------------------------------------------------------


def weighted_karate() -> nx.Graph:
    G = nx.karate_club_graph()
    rng = np.random.default_rng(3)
    for u, v in G.edges():
        G[u][v]["strength"] = float(rng.integers(1, 20))
    return G


def directed_with_dangling() -> nx.DiGraph:
    G = nx.gnp_random_graph(40, 0.08, seed=5, directed=True)
    G.remove_edges_from(list(G.out_edges(7)) + list(G.out_edges(11)))  # dangling nodes
    rng = np.random.default_rng(1)
    for u, v in G.edges():
        G[u][v]["strength"] = float(rng.uniform(0.5, 5.0))
    return G


# -- to_igraph ----------------------------------------------------------------------


def test_to_igraph_undirected_and_directed() -> None:
    A = sp.csr_matrix(np.array([[0, 2, 0, 0], [1, 0, 3, 0], [0, 0, 5, 0], [0, 0, 0, 0]], float))
    g = to_igraph(A)
    assert not g.is_directed()
    assert [e.tuple for e in g.es] == [(0, 1), (1, 2)]
    assert g.es["weight"] == [3.0, 3.0]  # 2 + 1 summed; the self-loop on 2 is dropped
    d = to_igraph(A, directed=True)
    assert [e.tuple for e in d.es] == [(0, 1), (1, 0), (1, 2)]
    assert d.es["weight"] == [2.0, 1.0, 3.0]
    assert to_igraph(sp.csr_matrix((5, 5))).vcount() == 5


# -- personalized PageRank -----------------------------------------------------------


def nx_ppr(G: nx.Graph, order: list, seeds: list[int], alpha: float = 0.85) -> np.ndarray:
    ref = nx.pagerank(G, alpha=alpha, personalization={order[i]: 1.0 for i in seeds},
                      weight="strength", tol=1e-14, max_iter=2000)
    return np.array([ref[v] for v in order])


@pytest.mark.parametrize("alpha", [0.85, 0.5])
def test_ppr_matches_networkx_small(alpha: float) -> None:
    for G in (weighted_karate(), directed_with_dangling()):
        order, A = as_matrix(G)
        seeds = [0, 3, 11]
        ours = personalized_pagerank(A, seeds, alpha=alpha, tol=1e-14, max_iter=2000)
        np.testing.assert_allclose(ours, nx_ppr(G, order, seeds, alpha), rtol=0, atol=1e-11)
        assert ours.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("name", ["us_mafia_1960", "noordin_top", "infinito"])
def test_ppr_matches_networkx_real(real_graphs: dict[str, nx.Graph], name: str) -> None:
    G = real_graphs[name]
    order, A = as_matrix(G)
    seed_sets = [[0], [5, 17, 30], list(range(0, len(order), 9))]
    ours = personalized_pagerank_many(A, seed_sets, tol=1e-14, max_iter=2000)
    for row, seeds in zip(ours, seed_sets, strict=True):
        np.testing.assert_allclose(row, nx_ppr(G, order, seeds), rtol=0, atol=1e-11)


def test_ppr_default_tolerance_is_close() -> None:
    G = weighted_karate()
    order, A = as_matrix(G)
    np.testing.assert_allclose(personalized_pagerank(A, [2]), nx_ppr(G, order, [2]), atol=1e-8)


def test_ppr_many_equals_single_and_matrix_form() -> None:
    G = directed_with_dangling()
    _, A = as_matrix(G)
    sets = [[1], [2, 7], [7], [0, 0, 4]]  # 7 is dangling; repeated positions count once
    many = personalized_pagerank_many(A, sets, tol=1e-13)
    for row, s in zip(many, sets, strict=True):
        np.testing.assert_allclose(row, personalized_pagerank(A, s, tol=1e-13), atol=1e-14)
    W = np.zeros((4, A.shape[0]))
    for i, s in enumerate(sets):
        W[i, np.unique(s)] = 2.0  # unnormalised weights are normalised per row
    np.testing.assert_allclose(personalized_pagerank_many(A, W, tol=1e-13), many, atol=1e-14)
    np.testing.assert_allclose(personalized_pagerank_many(A, sp.csr_matrix(W), tol=1e-13), many,
                               atol=1e-14)
    assert random_walk_with_restart is personalized_pagerank


def test_ppr_weighted_seed_vector_matches_networkx() -> None:
    G = weighted_karate()
    order, A = as_matrix(G)
    w = np.zeros(len(order))
    w[[0, 5, 33]] = [1.0, 3.0, 6.0]
    ref = nx.pagerank(G, personalization={order[i]: w[i] for i in (0, 5, 33)}, weight="strength",
                      tol=1e-14, max_iter=2000)
    ours = personalized_pagerank_many(A, w[None, :], tol=1e-14, max_iter=2000)[0]
    np.testing.assert_allclose(ours, [ref[v] for v in order], atol=1e-11)


def test_ppr_blocks_beyond_one_chunk() -> None:
    """More seed sets than one dense block (128) still give each set its own vector."""
    G = nx.gnp_random_graph(300, 0.02, seed=2)
    _, A = as_matrix(G)
    sets = [[i] for i in range(300)]
    R = personalized_pagerank_many(A, sets, tol=1e-12)
    assert R.shape == (300, 300)
    np.testing.assert_allclose(R[290], personalized_pagerank(A, [290], tol=1e-12), atol=1e-14)
    assert int(np.argmax(R[270])) == 270


def test_ppr_parameter_errors() -> None:
    A = sp.csr_matrix(np.ones((3, 3)))
    with pytest.raises(ParameterError, match="'alpha' parameter of personalized_pagerank_many"):
        personalized_pagerank(A, [0], alpha=1.0)
    with pytest.raises(ParameterError, match=r"node positions in \[0, 3\)"):
        personalized_pagerank(A, [3])
    with pytest.raises(ParameterError, match="non-empty source sets"):
        personalized_pagerank_many(A, [[0], []])
    with pytest.raises(ParameterError, match="integer node positions"):
        personalized_pagerank(A, [0.5])
    with pytest.raises(ParameterError, match="square"):
        personalized_pagerank(sp.csr_matrix(np.ones((2, 3))), [0])
    with pytest.raises(ParameterError, match="non-negative strengths"):
        personalized_pagerank(sp.csr_matrix(-np.ones((2, 2))), [0])
    with pytest.raises(ParameterError, match="'A' parameter"):
        personalized_pagerank([[0, 1], [1, 0]], [0])


# -- betweenness ----------------------------------------------------------------------


def with_distance(G: nx.Graph) -> nx.Graph:
    """Copy of G with ``distance`` (float) and ``exact`` (the same value as a Fraction).

    Different paths can have mathematically equal lengths whose float sums differ in
    the last bit (``d(1) == 2 * d(3)`` exactly, so ``d(3) + d(1)`` ties with
    ``d(3) + d(3) + d(3)``...). igraph compares path lengths with a tolerance and counts
    both; NetworkX compares floats exactly and drops one. Summing exact fractions of the
    same floats gives NetworkX exact ties, so it becomes a faithful reference.
    """
    H = G.copy()
    for _, _, d in H.edges(data=True):
        d["distance"] = float(strength_to_distance(np.array([d["strength"]]))[0])
        d["exact"] = Fraction(d["distance"])
    return H


def uniform_strength(G: nx.Graph) -> bool:
    return len({d["strength"] for *_, d in G.edges(data=True)}) == 1


@pytest.mark.parametrize("name", ["us_mafia_1960", "noordin_top", "infinito"])
def test_betweenness_exact_matches_networkx(real_graphs: dict[str, nx.Graph], name: str) -> None:
    G = with_distance(real_graphs[name])
    order, A = as_matrix(G)
    hops = nx.betweenness_centrality(G)
    np.testing.assert_allclose(betweenness(A, weighted=False), [hops[v] for v in order], atol=1e-12)
    # all-equal strengths: float path sums tie exactly, the fast float reference is exact
    key = "distance" if uniform_strength(G) else "exact"
    weighted = nx.betweenness_centrality(G, weight=key)
    np.testing.assert_allclose(betweenness(A), [float(weighted[v]) for v in order], atol=1e-12)
    n = len(order)  # unnormalised: pair counts, NetworkX's normalisation undone
    raw = np.array([float(weighted[v]) for v in order]) * (n - 1) * (n - 2) / 2
    np.testing.assert_allclose(betweenness(A, normalized=False), raw, rtol=1e-12, atol=1e-9)
    if key == "exact":  # the float reference misses ties: igraph must not agree with it
        naive = nx.betweenness_centrality(G, weight="distance")
        assert not np.allclose(betweenness(A), [naive[v] for v in order], atol=1e-12)


def test_betweenness_weighted_small() -> None:
    G = with_distance(weighted_karate())
    order, A = as_matrix(G)
    ref = nx.betweenness_centrality(G, weight="exact")
    ours = betweenness(A)
    np.testing.assert_allclose(ours, [float(ref[v]) for v in order], atol=1e-12)
    # strong ties reroute shortest paths: the weighted ranking differs from hop counts
    assert not np.allclose(ours, betweenness(A, weighted=False))


def test_betweenness_sampled_matches_networkx_subset(real_graphs: dict[str, nx.Graph]) -> None:
    G = with_distance(real_graphs["us_mafia_1960"])
    order, A = as_matrix(G)
    n, k = len(order), 60
    sources = np.sort(np.random.default_rng(7).choice(n, size=k, replace=False))
    ref = nx.betweenness_centrality_subset(G, sources=[order[i] for i in sources], targets=order,
                                           weight="distance", normalized=False)
    ours = betweenness(A, k=k, seed=7, normalized=False)
    np.testing.assert_allclose(ours * k / n, [ref[v] for v in order], atol=1e-9)
    # the scaled estimate tracks the exact values and is reproducible
    exact = betweenness(A)
    est = betweenness(A, k=200, seed=1)
    assert np.corrcoef(est, exact)[0, 1] > 0.9
    np.testing.assert_array_equal(est, betweenness(A, k=200, seed=1))
    assert not np.array_equal(est, betweenness(A, k=200, seed=2))
    np.testing.assert_array_equal(betweenness(A, k=n + 5), exact)


def test_betweenness_errors_and_edges() -> None:
    with pytest.raises(ParameterError, match="'k' parameter of betweenness must be a positive"):
        betweenness(sp.csr_matrix(np.ones((3, 3))), k=0)
    assert betweenness(sp.csr_matrix((2, 2))).tolist() == [0.0, 0.0]
    assert betweenness(sp.csr_matrix((0, 0))).shape == (0,)


# -- link prediction ------------------------------------------------------------------


def sample_pairs(n: int, m: int, seed: int) -> np.ndarray:
    P = np.random.default_rng(seed).integers(0, n, size=(m, 2))
    return P[P[:, 0] != P[:, 1]]


@pytest.mark.parametrize("name", ["us_mafia_1960", "noordin_top", "infinito"])
def test_link_prediction_matches_networkx(real_graphs: dict[str, nx.Graph], name: str) -> None:
    G = real_graphs[name]
    order, A = as_matrix(G)
    edges = np.array([[order.index(u), order.index(v)] for u, v in list(G.edges())[:300]])
    pairs = np.vstack([sample_pairs(len(order), 3000, 0), edges])
    named = [(order[u], order[v]) for u, v in pairs]
    aa = np.array([p for *_, p in nx.adamic_adar_index(G, named)])
    ra = np.array([p for *_, p in nx.resource_allocation_index(G, named)])
    ours_aa, ours_ra = adamic_adar(A, pairs), resource_allocation(A, pairs)
    assert (aa > 0).sum() > 50  # the comparison is not all zeros
    np.testing.assert_allclose(ours_aa, aa, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours_ra, ra, rtol=1e-12, atol=1e-12)


def test_link_prediction_ignores_strength_and_direction() -> None:
    A = sp.csr_matrix(np.array([[0, 9, 1, 0], [0, 0, 0, 0], [0, 4, 0, 0], [0, 0, 0, 0]], float))
    # undirected: 0-1, 0-2, 1-2; 0 and 1 share neighbour 2 (degree 2)
    assert resource_allocation(A, [[0, 1], [0, 3]]).tolist() == [0.5, 0.0]
    assert adamic_adar(A, np.array([[0, 1]]))[0] == pytest.approx(1 / np.log(2))
    assert adamic_adar(A, np.zeros((0, 2), dtype=int)).shape == (0,)
    with pytest.raises(ParameterError, match=r"an \(m, 2\) array"):
        adamic_adar(A, [0, 1, 2])


# -- communities ----------------------------------------------------------------------


def partition_sets(order: list, labels: np.ndarray) -> list[set]:
    return [{order[i] for i in np.flatnonzero(labels == c)} for c in range(labels.max() + 1)]


def test_communities_on_mafia(real_graphs: dict[str, nx.Graph]) -> None:
    G = real_graphs["us_mafia_1960"]
    order, A = as_matrix(G)
    labels = communities(A)
    parts = partition_sets(order, labels)
    q_nx = nx.community.modularity(G, parts, weight="strength")
    assert modularity(A, labels) == pytest.approx(q_nx, abs=1e-12)
    louvain = nx.community.louvain_communities(G, weight="strength", seed=0)
    q_louvain = nx.community.modularity(G, louvain, weight="strength")
    assert q_nx >= q_louvain - 0.01
    assert q_nx > 0.6
    # both backends optimise the same objective
    q_alg = modularity(A, communities(A, backend="leidenalg"))
    assert q_alg >= q_louvain - 0.02


@pytest.mark.parametrize("backend", ["igraph", "leidenalg"])
def test_communities_are_canonical_and_stable(real_graphs: dict[str, nx.Graph], backend: str) -> None:
    _, A = as_matrix(real_graphs["us_mafia_1960"])
    a = communities(A, seed=3, backend=backend)  # type: ignore[arg-type]
    b = communities(A, seed=3, backend=backend)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a, b)
    first_seen = [int(np.flatnonzero(a == c)[0]) for c in range(a.max() + 1)]
    assert a[0] == 0 and first_seen == sorted(first_seen)


def test_communities_identical_in_fresh_process(tmp_path: Path, datasets_dir: Path) -> None:
    G = mafia_graph(datasets_dir)[0]
    _, A = as_matrix(G)
    sp.save_npz(tmp_path / "A.npz", A)
    code = (
        "import sys, numpy as np, scipy.sparse as sp\n"
        "from umbrella_graph.algorithms import communities\n"
        "A = sp.load_npz(sys.argv[1])\n"
        "print(','.join(map(str, communities(A, seed=5))))\n"
        "print(','.join(map(str, communities(A, seed=5, backend='leidenalg'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "A.npz")], check=True,
                         capture_output=True, text=True).stdout.split()
    assert out[0] == ",".join(map(str, communities(A, seed=5)))
    assert out[1] == ",".join(map(str, communities(A, seed=5, backend="leidenalg")))


def test_communities_small_and_resolution() -> None:
    G = nx.ring_of_cliques(6, 5)
    order, A = as_matrix(nx.Graph(G))
    labels = communities(A)
    assert labels.tolist() == [i // 5 for i in range(30)]
    assert communities(A, resolution=0.05).max() < labels.max()
    iso = communities(sp.csr_matrix((3, 3)))
    assert iso.tolist() == [0, 1, 2]
    with pytest.raises(ParameterError, match="'resolution' parameter of communities"):
        communities(A, resolution=0)
    with pytest.raises(ParameterError, match="'backend' parameter of communities"):
        communities(A, backend="louvain")  # type: ignore[arg-type]


def test_modularity_matches_networkx_weighted_and_resolution() -> None:
    G = weighted_karate()
    order, A = as_matrix(G)
    labels = np.array([G.nodes[v]["club"] == "Officer" for v in order], dtype=int)
    parts = partition_sets(order, labels)
    for res in (1.0, 0.5, 2.0):
        ref = nx.community.modularity(G, parts, weight="strength", resolution=res)
        assert modularity(A, labels, resolution=res) == pytest.approx(ref, abs=1e-12)
    with pytest.raises(ParameterError, match="one label per node"):
        modularity(A, labels[:-1])


def test_prebuilt_igraph_graph_gives_the_same_results(real_graphs: dict[str, nx.Graph]) -> None:
    _, A = as_matrix(real_graphs["infinito"])
    g = to_igraph(A)
    np.testing.assert_array_equal(betweenness(g), betweenness(A))
    np.testing.assert_array_equal(betweenness(g, k=30, seed=2), betweenness(A, k=30, seed=2))
    np.testing.assert_array_equal(communities(g, seed=1), communities(A, seed=1))
    np.testing.assert_array_equal(communities(g, backend="leidenalg"),
                                  communities(A, backend="leidenalg"))
    unweighted = to_igraph(A)
    del unweighted.es["weight"]
    B = A.copy()
    B.data[:] = 1.0
    np.testing.assert_array_equal(betweenness(unweighted), betweenness(B))
    np.testing.assert_array_equal(communities(unweighted, seed=1), communities(B, seed=1))
    np.testing.assert_array_equal(communities(unweighted, backend="leidenalg"),
                                  communities(B, backend="leidenalg"))
    with pytest.raises(ParameterError, match="a directed igraph Graph"):
        betweenness(to_igraph(A, directed=True))


def test_ppr_not_converged_logs_and_returns_last_iterate(caplog: pytest.LogCaptureFixture) -> None:
    G = weighted_karate()
    order, A = as_matrix(G)
    with caplog.at_level("WARNING", logger="umbrella_graph.algorithms"):
        R = personalized_pagerank_many(A, [[0], [1]], max_iter=3, tol=1e-15)
    assert "2 source sets did not converge in 3 iterations" in caplog.text
    assert R.shape == (2, len(order)) and np.allclose(R.sum(axis=1), 1.0)
    assert np.abs(R[0] - nx_ppr(G, order, [0])).max() > 1e-6  # only 3 steps taken


def _truncated_reference(A: sp.spmatrix, W: np.ndarray, steps: int, alpha: float) -> np.ndarray:
    """The definition, dense: (1 - a) / (1 - a^(K+1)) * sum_k a^k T^k s."""
    M = np.asarray(sp.csr_matrix(A).toarray(), dtype=float)
    np.fill_diagonal(M, 0.0)
    s = M.sum(axis=1)
    T = np.divide(M, s[:, None], out=np.zeros_like(M), where=s[:, None] > 0).T  # column-stochastic
    X = (W / W.sum(axis=1, keepdims=True)).T
    acc = X.copy()
    for k in range(1, steps + 1):
        X = T @ X
        acc += alpha ** k * X
    return ((1 - alpha) / (1 - alpha ** (steps + 1)) * acc).T


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4, 5])
def test_truncated_walk_matches_its_definition(steps: int) -> None:
    for G in (weighted_karate(), directed_with_dangling()):
        order, A = as_matrix(G)
        W = np.zeros((3, len(order)))
        W[0, 0] = 1.0
        W[1, [3, 5]] = [1.0, 3.0]
        W[2, ::2] = 1.0
        ours = truncated_pagerank_many(A, W, steps=steps, alpha=0.7)
        np.testing.assert_allclose(ours, _truncated_reference(A, W, steps, 0.7), rtol=1e-12, atol=1e-15)


def test_diagonal_is_ignored_bit_for_bit() -> None:
    """Self-loops (stored diagonal entries) are dropped before any walk or igraph graph."""
    G = directed_with_dangling()
    order, A = as_matrix(G)
    loops = sp.csr_matrix(A + sp.diags(np.arange(1.0, len(order) + 1.0)))
    assert loops.diagonal().all() and not A.diagonal().any()
    sets = [[0], [1, 2]]
    np.testing.assert_array_equal(truncated_pagerank_many(loops, sets), truncated_pagerank_many(A, sets))
    np.testing.assert_array_equal(personalized_pagerank_many(loops, sets), personalized_pagerank_many(A, sets))
    assert to_igraph(loops, directed=True).get_edgelist() == to_igraph(A, directed=True).get_edgelist()


def test_truncated_walk_tends_to_pagerank() -> None:
    G = weighted_karate()  # no dangling node: the untruncated walk never restarts early
    order, A = as_matrix(G)
    R = truncated_pagerank_many(A, [[0], [4, 9]], steps=300)
    np.testing.assert_allclose(R[0], nx_ppr(G, order, [0]), atol=1e-12)
    np.testing.assert_allclose(R[1], nx_ppr(G, order, [4, 9]), atol=1e-12)
    near = truncated_pagerank_many(A, [[0]], steps=4)[0]
    far = [i for i in range(len(order)) if nx.shortest_path_length(G, order[0], order[i]) > 4]
    assert (near[far] == 0).all() if far else True


def test_truncated_walk_values_do_not_depend_on_what_else_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grid, scattered pairs, and tiny blocks and chunks give the same bits."""
    import umbrella_graph.walks as al

    G = nx.gnm_random_graph(400, 2400, seed=3)
    rng = np.random.default_rng(0)
    for u, v in G.edges():
        G[u][v]["strength"] = float(rng.uniform(0.5, 3))
    _, A = as_matrix(G)
    sets = [list(rng.choice(400, size=int(rng.integers(1, 6)), replace=False)) for _ in range(70)]
    grid = truncated_pagerank_many(A, sets)
    nodes = rng.choice(400, size=50, replace=False)
    np.testing.assert_array_equal(truncated_pagerank_many(A, sets, nodes=nodes), grid[:, nodes])
    pairs = np.column_stack([rng.integers(0, 70, 500), rng.integers(0, 400, 500)])
    np.testing.assert_array_equal(truncated_pagerank_many(A, sets, pairs=pairs), grid[pairs[:, 0], pairs[:, 1]])
    monkeypatch.setattr(al, "_TRUNC_BLOCK_BYTES", 1)  # one source set per block, one value per piece
    monkeypatch.setattr(al, "_TRUNC_CHUNK_NNZ", 1)  # one node per chunk
    np.testing.assert_array_equal(truncated_pagerank_many(A, sets, pairs=pairs), grid[pairs[:, 0], pairs[:, 1]])
    assert truncated_pagerank_many(A, sets, pairs=np.zeros((0, 2), dtype=int)).shape == (0,)


def test_truncated_walk_parameter_errors() -> None:
    A = sp.csr_matrix(np.ones((3, 3)))
    with pytest.raises(ParameterError, match="'steps' parameter of truncated_pagerank_many must be a non-negative"):
        truncated_pagerank_many(A, [[0]], steps=-1)
    with pytest.raises(ParameterError, match="'alpha' parameter of truncated_pagerank_many"):
        truncated_pagerank_many(A, [[0]], alpha=0.0)
    with pytest.raises(ParameterError, match=r"'pairs' parameter .* source set indices in \[0, 1\)"):
        truncated_pagerank_many(A, [[0]], pairs=[[1, 0]])  # only one source set
    with pytest.raises(ParameterError, match=r"'pairs' parameter .* node positions in \[0, 3\)"):
        truncated_pagerank_many(A, [[0]], pairs=[[0, 3]])
    with pytest.raises(ParameterError, match="'pairs' parameter .* integer array"):
        truncated_pagerank_many(A, [[0]], pairs=[0, 1, 2])
    with pytest.raises(ParameterError, match="'pairs' parameter .* integer array"):
        truncated_pagerank_many(A, [[0]], pairs=[[0.0, 1.5]])
    with pytest.raises(ParameterError, match="'pairs' parameter"):
        truncated_pagerank_many(A, [[0]], pairs=[[0, 0]], nodes=[0])


def test_link_prediction_scattered_and_grid_pairs_agree() -> None:
    """Scattered pairs (row-by-row path) and grid-like pairs (one sparse product) give
    NetworkX's values."""
    G = nx.gnm_random_graph(3000, 30000, seed=4)
    for u, v in G.edges():
        G[u][v]["strength"] = 1.0
    order, A = as_matrix(G)
    rng = np.random.default_rng(0)
    scattered = np.column_stack([rng.permutation(3000)[:2000], rng.permutation(3000)[:2000]])
    grid = np.array([(u, v) for u in range(0, 3000, 100) for v in range(1, 3000, 150)])
    for pairs in (scattered, grid):
        named = [(order[u], order[v]) for u, v in pairs]
        aa = np.array([p for *_, p in nx.adamic_adar_index(G, named)])
        ra = np.array([p for *_, p in nx.resource_allocation_index(G, named)])
        assert (aa > 0).sum() > 50
        np.testing.assert_allclose(adamic_adar(A, pairs), aa, rtol=1e-12)
        np.testing.assert_allclose(resource_allocation(A, pairs), ra, rtol=1e-12)


def test_link_prediction_chunks_do_not_change_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks bounded by the rows' stored entries (one pair per chunk here) give the same bits."""
    import umbrella_graph.algorithms as al

    G = nx.gnm_random_graph(3000, 30000, seed=4)
    _, A = as_matrix(G)
    rng = np.random.default_rng(1)
    pairs = np.column_stack([rng.permutation(3000)[:2000], rng.permutation(3000)[:2000]])
    whole = adamic_adar(A, pairs), resource_allocation(A, pairs)
    monkeypatch.setattr(al, "_PAIR_CHUNK_NNZ", 1)
    np.testing.assert_array_equal(adamic_adar(A, pairs), whole[0])
    np.testing.assert_array_equal(resource_allocation(A, pairs), whole[1])
    assert (whole[0] > 0).sum() > 50


def test_igraph_graph_passed_in_gives_the_matrix_results() -> None:
    """An igraph graph built once with to_igraph gives what the matrix gives; nothing is
    memoised behind the caller's back (a matrix changed in place gives new results)."""
    G = weighted_karate()
    _, A = as_matrix(G)
    g = to_igraph(A)
    np.testing.assert_array_equal(betweenness(g), betweenness(A))
    np.testing.assert_array_equal(communities(g, seed=3), communities(A, seed=3))
    first = betweenness(A, weighted=True)
    A.data[:] = A.data[::-1].copy()  # same sums, different strengths
    changed = betweenness(A, weighted=True)
    assert not np.array_equal(first, changed)
    np.testing.assert_array_equal(changed, betweenness(to_igraph(A), weighted=True))


def test_igraph_built_in_pieces_is_the_same_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    """to_igraph appends its edges in pieces (igraph's conversion of one long list costs
    ~170 bytes per edge): the same edges, ids, weights and communities as one append."""
    import umbrella_graph.algorithms as al

    G = nx.gnm_random_graph(3000, 30000, seed=5)
    rng = np.random.default_rng(2)
    for u, v in G.edges:
        G.edges[u, v]["strength"] = float(rng.integers(1, 9))
    _, A = as_matrix(G)
    monkeypatch.setattr(al, "_IGRAPH_PIECE", 10**9)
    whole = to_igraph(A)
    monkeypatch.setattr(al, "_IGRAPH_PIECE", 1000)  # 4 pieces of 7500 edges
    pieces = to_igraph(A)
    assert pieces.ecount() == whole.ecount() == 30000
    assert pieces.get_edgelist() == whole.get_edgelist()
    assert pieces.es["weight"] == whole.es["weight"]
    np.testing.assert_array_equal(communities(pieces, seed=1), communities(whole, seed=1))
    # a matrix is analysed on a graph keeping its strengths as one array: same partition
    np.testing.assert_array_equal(communities(A, seed=1), communities(whole, seed=1))
    np.testing.assert_array_equal(betweenness(A, k=50, seed=1), betweenness(whole, k=50, seed=1))


def test_read_only_inputs_are_not_copied_nor_changed() -> None:
    """A canonical float64 CSR matrix without diagonal or stored zeros is read in place
    (no copy of the structural graph); any other input is copied and cleaned, and the
    caller's matrix is never changed."""
    from umbrella_graph.algorithms import _as_csr

    G = weighted_karate()
    _, A = as_matrix(G)
    A = sp.csr_matrix(A, dtype=np.float64)
    A.sum_duplicates()
    assert _as_csr(A, "f", copy=False) is A
    assert _as_csr(A, "f") is not A
    zero = A.copy()
    zero.data[0] = 0.0  # a stored zero: copied, and the entry dropped
    cleaned = _as_csr(zero, "f", copy=False)
    assert cleaned is not zero and cleaned.nnz == A.nnz - 1 and zero.nnz == A.nnz
    before = A.copy()
    A.data.flags.writeable = False  # the facts' matrices are read-only: nothing may write
    truncated_pagerank_many(A, [[0], [1]], steps=4)
    to_igraph(A)
    adamic_adar(A, [[0, 1]])
    modularity(A, np.zeros(A.shape[0], dtype=int))
    assert np.array_equal(A.data, before.data) and np.array_equal(A.indices, before.indices)
    assert to_igraph(zero, directed=True).ecount() == to_igraph(A, directed=True).ecount() - 1


def test_symmetric_check_is_exact() -> None:
    """A matrix is kept as it is only when it equals its transpose entry for entry; else
    both directions are summed, as ``M + M.T`` sums them."""
    from umbrella_graph.algorithms import _as_csr, _symmetric

    G = nx.gnm_random_graph(400, 2000, seed=7)
    _, A = as_matrix(G)
    S = _as_csr(A + A.T, "f")
    assert _symmetric(S) is S
    same_pattern = S.copy()
    same_pattern.data = same_pattern.data.copy()
    same_pattern.data[0] += 1.0  # the same stored pattern, one value off its mirror
    out = _symmetric(same_pattern)
    assert out is not same_pattern
    ref = (same_pattern + same_pattern.T).tocsr()
    ref.sum_duplicates()
    np.testing.assert_array_equal(out.toarray(), ref.toarray())
    D = _as_csr(sp.triu(A + A.T, k=1), "f")  # one direction only
    np.testing.assert_array_equal(_symmetric(D).toarray(), (D + D.T).toarray())
    assert to_igraph(D).get_edgelist() == to_igraph(S).get_edgelist()


# -- hop-count betweenness, many sources at a time (umbrella_graph._brandes) ----------
def _random_graph(n: int, m: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    A = sp.coo_matrix((rng.random(m) + 0.1, (rng.integers(0, n, m), rng.integers(0, n, m))), shape=(n, n))
    return (A + A.T).tocsr()


@pytest.mark.parametrize("seed", range(6))
def test_hop_betweenness_is_igraph_sampled_betweenness(seed: int) -> None:
    n = [5, 40, 120, 300, 33, 200][seed]
    A = _random_graph(n, [4, 50, 200, 900, 80, 150][seed], seed)  # some disconnected, with isolates
    g = algorithms.to_igraph(A)
    rng = np.random.default_rng(seed)
    src = np.sort(rng.choice(n, size=max(1, n // 4), replace=False))
    want = np.asarray(g.betweenness(directed=False, sources=src.tolist()), dtype=float)
    got = _brandes.hop_betweenness(algorithms._as_csr(A, "t"), src)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # the public function, matrix or igraph graph in: the same sample, the same values
    k = max(1, n // 3)
    assert algorithms.betweenness(A, k=k, seed=seed, weighted=False).tolist() == \
        algorithms.betweenness(g, k=k, seed=seed, weighted=False).tolist()


def test_hop_betweenness_does_not_depend_on_the_block_width(monkeypatch: pytest.MonkeyPatch) -> None:
    A = algorithms._as_csr(_random_graph(150, 400, 9), "t")
    src = np.arange(0, 150, 2)
    wide = _brandes.hop_betweenness(A, src)
    monkeypatch.setattr(_brandes, "MAX_BLOCK", 3)
    narrow = _brandes.hop_betweenness(A, src)
    np.testing.assert_allclose(narrow, wide, rtol=1e-12)
    monkeypatch.setattr(_brandes, "BLOCK_BYTES", 1)  # one source at a time
    np.testing.assert_allclose(_brandes.hop_betweenness(A, src), wide, rtol=1e-12)


def test_hop_betweenness_of_edge_cases() -> None:
    empty = sp.csr_matrix((0, 0))
    assert _brandes.hop_betweenness(empty, np.zeros(0, np.int64)).tolist() == []
    no_edges = sp.csr_matrix((4, 4))
    assert _brandes.hop_betweenness(no_edges, np.arange(4)).tolist() == [0.0] * 4
    star = sp.csr_matrix(([1.0] * 6, ([0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0])), shape=(4, 4))
    assert _brandes.hop_betweenness(star, np.arange(4)).tolist() == [3.0, 0.0, 0.0, 0.0]
    # from one source each path counts half, as in igraph (a pair is counted from both ends)
    assert _brandes.hop_betweenness(star, np.array([1])).tolist() == [1.0, 0.0, 0.0, 0.0]
