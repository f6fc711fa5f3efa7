"""disruption_curve against an independent plain-NetworkX computation on real networks.

The reference below re-implements the whole procedure with NetworkX's own centralities
and a Python loop (remove a node, recompute, measure the largest component); the
library's version runs on sparse matrices and igraph.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from umbrella_graph import ParameterError
from umbrella_graph.investigate import disruption_curve
from umbrella_graph.investigate.disruption import CAVALLARO_2020
from umbrella_graph.schema import strength_to_distance

# -- data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mafia(datasets_dir: Path) -> nx.Graph:
    """US Mafia 1960 known-associate network (680 people, 2699 ties)."""
    nodes = pd.read_csv(datasets_dir / "us_mafia_1960" / "MafiaNodes.csv")
    edges = pd.read_csv(datasets_dir / "us_mafia_1960" / "MafiaEdges.csv")
    G = nx.Graph()
    G.add_nodes_from(nodes["NODE"])
    G.add_edges_from(zip(edges["Source"], edges["Target"], strict=True))
    return G


@pytest.fixture(scope="module")
def infinito(datasets_dir: Path) -> nx.Graph:
    """Infinito summits projected on people; ``strength`` = summits attended together."""
    d = datasets_dir / "infinito_ndrangheta"
    nodes = pd.read_csv(d / "NDRANGHETAMAFIA_2M_nodes.csv")
    edges = pd.read_csv(d / "NDRANGHETAMAFIA_2M_edges.csv")
    summit = set(nodes.loc[nodes["type"].astype(str) == "True", "id"])
    people = [i for i in nodes["id"] if i not in summit]
    B = nx.Graph()
    B.add_nodes_from(nodes["id"])
    B.add_edges_from(zip(edges["source"], edges["target"], strict=True))
    P = nx.bipartite.weighted_projected_graph(B, people)
    for *_, data in P.edges(data=True):
        data["strength"] = float(data.pop("weight"))
    return P


def test_datasets_as_expected(mafia: nx.Graph, infinito: nx.Graph) -> None:
    assert (mafia.number_of_nodes(), mafia.number_of_edges()) == (680, 2699)
    assert infinito.number_of_nodes() == 156
    assert len({d["strength"] for *_, d in infinito.edges(data=True)}) > 1


# -- the independent reference --------------------------------------------------------


def reference_scores(H: nx.Graph, strategy: str, weight: str | None) -> dict[Any, float]:
    if strategy == "degree":
        return {v: float(d) for v, d in H.degree(weight=weight)}
    if strategy == "betweenness":
        if weight is None:
            return nx.betweenness_centrality(H)
        # exact fractions: mathematically tied path lengths stay tied (see test_algorithms)
        for *_, d in H.edges(data=True):
            d["_exact"] = Fraction(float(strength_to_distance(np.array([d[weight]]))[0]))
        return {v: float(b) for v, b in nx.betweenness_centrality(H, weight="_exact").items()}
    if strategy == "katz":
        if H.number_of_edges() == 0:
            return {v: 1.0 / math.sqrt(len(H)) for v in H}
        lam = float(np.linalg.eigvalsh(nx.to_numpy_array(H, weight=weight))[-1])
        return nx.katz_centrality_numpy(H, alpha=0.9 / lam, beta=1.0, weight=weight)
    # collective influence, radius 2 (strengths instead of degrees when weighted)
    out = {}
    for i in H:
        dist = nx.single_source_shortest_path_length(H, i, cutoff=2)
        out[i] = (H.degree(i, weight=weight) - 1) * sum(H.degree(j, weight=weight) - 1
                                                        for j, d in dist.items() if d == 2)
    return {v: float(s) for v, s in out.items()}


def reference_pick(scores: dict[Any, float], remaining: list[Any]) -> Any:
    scale = max(abs(s) for s in scores.values())
    best = max(scores[v] for v in remaining)
    return next(v for v in sorted(remaining) if scores[v] >= best - 1e-9 * scale)


def reference_curve(G: nx.Graph, strategy: str, mode: str, k: int, weight: str | None) -> pd.DataFrame:
    H = nx.Graph(G)
    n = H.number_of_nodes()

    def lcc() -> int:
        return max((len(c) for c in nx.connected_components(H)), default=0)

    rows = [(0, None, lcc(), math.nan)]
    scores = reference_scores(H, strategy, weight)
    for step in range(1, k + 1):
        if mode == "sequential" and step > 1:
            scores = reference_scores(H, strategy, weight)
        v = reference_pick(scores, list(H))
        H.remove_node(v)
        if mode == "block":
            scores_left = {u: s for u, s in scores.items() if u in H}
            scores = {**scores_left, v: scores[v]}
        rows.append((step, v, lcc(), scores[v]))
        if mode == "block":
            del scores[v]
    df = pd.DataFrame(rows, columns=["step", "removed", "lcc_size", "score"])
    df["removed"] = pd.Series([r[1] for r in rows], dtype=object)
    df["lcc_fraction"] = df["lcc_size"] / n
    return df


def assert_same_curve(ours: pd.DataFrame, ref: pd.DataFrame) -> None:
    assert list(ours.columns) == ["step", "removed", "lcc_size", "lcc_fraction", "score"]
    assert ours["step"].tolist() == ref["step"].tolist()
    assert ours["removed"].tolist() == ref["removed"].tolist()
    assert ours["lcc_size"].tolist() == ref["lcc_size"].tolist()
    np.testing.assert_allclose(ours["lcc_fraction"], ref["lcc_fraction"], rtol=1e-12)
    np.testing.assert_allclose(ours["score"], ref["score"], rtol=1e-8, atol=1e-12)


# -- against the reference ------------------------------------------------------------


@pytest.mark.parametrize("mode", ["block", "sequential"])
@pytest.mark.parametrize("strategy", ["degree", "collective_influence", "katz"])
def test_mafia_matches_reference(mafia: nx.Graph, strategy: str, mode: str) -> None:
    ours = disruption_curve(mafia, strategy=strategy, mode=mode, k=5)  # type: ignore[arg-type]
    assert_same_curve(ours, reference_curve(mafia, strategy, mode, 5, None))


@pytest.mark.parametrize("mode", ["block", "sequential"])
def test_mafia_betweenness_matches_reference(mafia: nx.Graph, mode: str) -> None:
    k = 5 if mode == "block" else 3  # each NetworkX recomputation takes seconds
    ours = disruption_curve(mafia, strategy="betweenness", mode=mode, k=k)  # type: ignore[arg-type]
    ref = reference_curve(mafia, "betweenness", mode, k, None)
    assert_same_curve(ours, ref)
    assert ours["lcc_size"].iloc[-1] < ours["lcc_size"].iloc[0]


@pytest.mark.parametrize("weight", [None, "strength"])
@pytest.mark.parametrize("mode", ["block", "sequential"])
@pytest.mark.parametrize("strategy", ["betweenness", "degree", "collective_influence", "katz"])
def test_infinito_matches_reference(infinito: nx.Graph, strategy: str, mode: str,
                                    weight: str | None) -> None:
    ours = disruption_curve(infinito, strategy=strategy, mode=mode, k=5, weight=weight)  # type: ignore[arg-type]
    assert_same_curve(ours, reference_curve(infinito, strategy, mode, 5, weight))


def test_strategies_disagree_and_sequential_is_stronger(mafia: nx.Graph) -> None:
    """The curves carry information: strategies pick different nodes, and adaptive
    collective-influence removal fragments at least as well as the one-shot ranking."""
    removed = {s: disruption_curve(mafia, strategy=s, k=5)["removed"].tolist()[1:]  # type: ignore[arg-type]
               for s in ("degree", "collective_influence", "katz")}
    assert removed["degree"] != removed["collective_influence"]
    block = disruption_curve(mafia, strategy="collective_influence", mode="block", k=10)
    seq = disruption_curve(mafia, strategy="collective_influence", mode="sequential", k=10)
    assert seq["lcc_size"].iloc[-1] <= block["lcc_size"].iloc[-1]


# -- input handling -------------------------------------------------------------------


def test_directed_and_multigraphs_are_analysed_undirected(infinito: nx.Graph) -> None:
    M = nx.MultiDiGraph()
    M.add_nodes_from(infinito)
    for u, v, d in infinito.edges(data=True):
        # split each strength over two parallel records in opposite directions
        M.add_edge(u, v, strength=d["strength"] / 2)
        M.add_edge(v, u, strength=d["strength"] / 2)
    for strategy in ("degree", "betweenness", "katz"):
        a = disruption_curve(M, strategy=strategy, mode="sequential", k=4, weight="strength")  # type: ignore[arg-type]
        b = disruption_curve(infinito, strategy=strategy, mode="sequential", k=4, weight="strength")  # type: ignore[arg-type]
        assert a["removed"].tolist() == b["removed"].tolist()
        np.testing.assert_allclose(a["score"], b["score"], rtol=1e-9)
    # unweighted: parallel records do not count twice
    u = disruption_curve(M, strategy="degree", k=3)
    assert u["removed"].tolist() == disruption_curve(infinito, strategy="degree", k=3)["removed"].tolist()


def test_ties_go_to_smallest_id_and_reruns_are_identical() -> None:
    G = nx.cycle_graph(["d", "b", "a", "c", "e"])  # every node has the same score
    for strategy in ("degree", "betweenness", "collective_influence", "katz"):
        curve = disruption_curve(G, strategy=strategy, k=1)  # type: ignore[arg-type]
        assert curve["removed"].tolist() == [None, "a"]
    big = nx.gnm_random_graph(200, 600, seed=1)
    a = disruption_curve(big, strategy="betweenness", mode="sequential", k=4, sample=50, seed=3)
    pd.testing.assert_frame_equal(a, disruption_curve(big, strategy="betweenness", mode="sequential", k=4,
                                                      sample=50, seed=3))


def test_k_larger_than_graph_and_empty_graph() -> None:
    G = nx.path_graph(3)
    curve = disruption_curve(G, strategy="degree", mode="sequential", k=10)
    assert curve["step"].tolist() == [0, 1, 2, 3]
    assert curve["lcc_size"].tolist() == [3, 1, 1, 0]
    assert curve["removed"].tolist() == [None, 1, 0, 2]
    empty = disruption_curve(nx.Graph(), strategy="katz", k=2)
    assert empty["lcc_size"].tolist() == [0]


def test_parameter_errors() -> None:
    G = nx.path_graph(4)
    with pytest.raises(ParameterError) as e:
        disruption_curve(G, strategy="x")  # type: ignore[arg-type]
    assert str(e.value) == (
        "The 'strategy' parameter of disruption_curve must be one of 'betweenness', 'degree', "
        "'collective_influence', 'katz'. Got 'x' instead.")
    with pytest.raises(ParameterError, match="'mode' parameter of disruption_curve must be one of"):
        disruption_curve(G, mode="all")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'k' parameter of disruption_curve must be a positive"):
        disruption_curve(G, k=0)
    with pytest.raises(ParameterError, match="'radius' parameter"):
        disruption_curve(G, strategy="collective_influence", radius=0)
    with pytest.raises(ParameterError, match="'G' parameter of disruption_curve must be a NetworkX"):
        disruption_curve([(0, 1)])  # type: ignore[arg-type]
    G.edges[0, 1]["amount"] = 5.0
    with pytest.raises(ParameterError, match=r"\(2 edge\(s\) lack it"):
        disruption_curve(G, weight="amount")
    G.edges[1, 2]["amount"] = -1.0
    G.edges[2, 3]["amount"] = 1.0
    with pytest.raises(ParameterError, match=r"\(1 edge\(s\)"):
        disruption_curve(G, weight="amount")


@pytest.mark.parametrize("radius", [1, 3])
def test_collective_influence_other_radii(infinito: nx.Graph, radius: int) -> None:
    curve = disruption_curve(infinito, strategy="collective_influence", k=1, radius=radius)
    ci = {}
    for i in infinito:
        dist = nx.single_source_shortest_path_length(infinito, i, cutoff=radius)
        ci[i] = float((infinito.degree(i) - 1)
                      * sum(infinito.degree(j) - 1 for j, d in dist.items() if d == radius))
    top = reference_pick(ci, list(infinito))
    assert curve["removed"].iloc[1] == top
    assert curve["score"].iloc[1] == ci[top]


# -- the procedure of Cavallaro et al. (2020), re-implemented on NetworkX ---------------
#
# Cavallaro L et al. (2020) Disrupting resilient criminal networks through data analysis:
# the case of Sicilian Mafia. PLoS ONE 15(8):e0236476. Their procedure, written here from
# the paper's description with NetworkX's own centralities and nothing of the library:
# rank the nodes of the remaining graph (betweenness with the edge weight read as a path
# length, NetworkX style; degree as summed weight), remove the best-ranked node (the
# "sequential" curves) or the 5 best-ranked nodes before ranking again (the "block"
# curves), stop when 5 nodes are left, and report rho = LCC / LCC0 before each removal.
# Equal scores go to the node inserted last (their ranking is a stable ascending sort read
# from its end); scores equal up to float noise (1e-9 of the largest) count as equal.


def _cavallaro_scores(H: nx.Graph, centrality: str, weighted: bool) -> dict[Any, float]:
    w = "weight" if weighted else None
    if centrality == "betweenness":
        return dict(nx.betweenness_centrality(H, weight=w))
    s = 1.0 / (len(H) - 1.0)
    return {v: d * s for v, d in H.degree(weight=w)}


def _cavallaro_rank(scores: dict[Any, float], nodes: list[Any], count: int) -> list[Any]:
    scale = max(abs(x) for x in scores.values())
    left = list(nodes)  # the graph's node order
    out = []
    for _ in range(min(count, len(left))):
        best = max(scores[v] for v in left)
        v = [u for u in left if scores[u] >= best - 1e-9 * scale][-1]  # the last inserted
        out.append(v)
        left.remove(v)
    return out


def cavallaro_reference(G: nx.Graph, centrality: str, weighted: bool, block: int,
                        limit: int | None = None) -> list[float]:
    """rho after 0, 1, 2, ... removals, until 5 nodes are left (or ``limit`` removals)."""
    H = G.copy()

    def lcc() -> int:
        return max(len(c) for c in nx.connected_components(H))

    lcc0 = lcc()
    rho = [1.0]
    while H.number_of_nodes() > 5 and (limit is None or len(rho) - 1 < limit):
        for v in _cavallaro_rank(_cavallaro_scores(H, centrality, weighted), list(H), block):
            if H.number_of_nodes() <= 5 or (limit is not None and len(rho) - 1 >= limit):
                break
            H.remove_node(v)
            rho.append(1 - abs((lcc() - lcc0) / lcc0))
    return rho


def _edge_list_graph(pairs: list[tuple[Any, Any, float]]) -> nx.Graph:
    """As the authors read an edge list: nodes in order of first appearance."""
    G = nx.Graph()
    for u, v, w in pairs:
        G.add_edge(u, v, weight=w)
    return G


@pytest.fixture(scope="module")
def noordin_weighted(datasets_dir: Path) -> nx.Graph:
    """Noordin Top: the ten relations in one graph, weight = relations linking a pair."""
    counts: dict[tuple[int, int], int] = {}
    for f in sorted((datasets_dir / "noordin_top").glob("NOORDINTOP_*_edges.csv")):
        e = pd.read_csv(f)
        for a, b in zip(e["source"], e["target"], strict=True):
            if a != b:
                key = (int(min(a, b)), int(max(a, b)))
                counts[key] = counts.get(key, 0) + 1
    return _edge_list_graph([(a, b, float(c)) for (a, b), c in counts.items()])


@pytest.fixture(scope="module")
def infinito_meetings(infinito: nx.Graph) -> nx.Graph:
    """Infinito summits projected on people, weight = summits attended together (the
    analogue of the Montagna meeting network), in a scrambled edge order."""
    edges = sorted(infinito.edges(data="strength"), key=lambda e: (hash((e[0] * 7919) % 104729), e[1]))
    return _edge_list_graph([(u, v, float(w)) for u, v, w in edges])


@pytest.fixture(scope="module")
def mafia_edges(datasets_dir: Path) -> nx.Graph:
    e = pd.read_csv(datasets_dir / "us_mafia_1960" / "MafiaEdges.csv")
    return _edge_list_graph([(a, b, 1.0) for a, b in zip(e["Source"], e["Target"], strict=True)])


def _ours(G: nx.Graph, centrality: str, weighted: bool, step: int, k: int) -> list[float]:
    curve = disruption_curve(G, strategy=centrality, weight="weight" if weighted else None,  # type: ignore[arg-type]
                             k=k, step=step, **CAVALLARO_2020)
    return curve["lcc_fraction"].tolist()


@pytest.mark.parametrize("step", [1, 5])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("centrality", ["betweenness", "degree"])
@pytest.mark.parametrize("data", ["noordin_weighted", "infinito_meetings"])
def test_cavallaro_2020_curves_reproduced(request: pytest.FixtureRequest, data: str, centrality: str,
                                          weighted: bool, step: int) -> None:
    """The eight curves of the paper (betweenness and degree, weighted and not, sequential
    and every-5 re-ranking) on two real networks, whole curves, to 1e-9."""
    G = request.getfixturevalue(data)
    ref = cavallaro_reference(G, centrality, weighted, step)
    ours = _ours(G, centrality, weighted, step, k=G.number_of_nodes() - 5)
    assert len(ours) == len(ref)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    assert ref[-1] < 0.5  # the curves do fall


@pytest.mark.parametrize(("centrality", "step", "k"), [("degree", 1, 200), ("degree", 5, 200),
                                                      ("betweenness", 5, 20), ("betweenness", 1, 6)])
def test_cavallaro_2020_curves_on_the_mafia(mafia_edges: nx.Graph, centrality: str, step: int, k: int) -> None:
    ref = cavallaro_reference(mafia_edges, centrality, False, step, limit=k)
    np.testing.assert_allclose(_ours(mafia_edges, centrality, False, step, k), ref, rtol=0, atol=1e-9)


def test_lcc0_differs_from_n_on_a_disconnected_graph(mafia_edges: nx.Graph) -> None:
    G = mafia_edges.copy()
    G.add_nodes_from(["iso1", "iso2"])
    a = disruption_curve(G, strategy="degree", k=3)
    b = disruption_curve(G, strategy="degree", k=3, normalize="lcc0")
    assert b["lcc_fraction"].iat[0] == 1.0
    np.testing.assert_allclose(b["lcc_fraction"] * a["lcc_size"].iat[0] / G.number_of_nodes(), a["lcc_fraction"])


def test_cavallaro_collective_influence_and_katz(noordin_weighted: nx.Graph) -> None:
    """CI with radius 1 on strengths, (s_i - 1) * sum over neighbours (s_j - 1), and Katz
    with NetworkX's alpha = 0.1: the first pick and its score."""
    G = noordin_weighted
    ci = {i: (G.degree(i, weight="weight") - 1) * sum(G.degree(j, weight="weight") - 1 for j in G[i])
          for i in G}
    curve = disruption_curve(G, strategy="collective_influence", weight="weight", k=1, **CAVALLARO_2020)
    assert curve["removed"].iat[1] == _cavallaro_rank(ci, list(G), 1)[0]
    assert curve["score"].iat[1] == pytest.approx(max(ci.values()), rel=1e-12)
    for w in (None, "weight"):
        katz = nx.katz_centrality_numpy(G, alpha=0.1, weight=w)
        curve = disruption_curve(G, strategy="katz", weight=w, k=1, **CAVALLARO_2020)
        assert curve["removed"].iat[1] == _cavallaro_rank(katz, list(G), 1)[0]
        assert curve["score"].iat[1] == pytest.approx(max(katz.values()), rel=1e-9)


def test_step_reranks_every_step_removals() -> None:
    """step=3: the first three removals follow one ranking, the fourth a new one."""
    G = nx.star_graph(4)
    nx.add_star(G, [10, 11, 12, 13, 14, 15])
    G.add_edge(4, 15)
    seq = disruption_curve(G, strategy="degree", mode="sequential", k=6)
    blk = disruption_curve(G, strategy="degree", mode="block", k=6)
    every3 = disruption_curve(G, strategy="degree", mode="sequential", k=6, step=3)
    assert every3["removed"].tolist()[:4] == blk["removed"].tolist()[:4]
    # after three removals a new ranking: the same as the sequential one on that graph
    H = G.copy()
    H.remove_nodes_from(every3["removed"].tolist()[1:4])
    assert every3["removed"].iat[4] == disruption_curve(H, strategy="degree", k=1)["removed"].iat[1]
    assert seq["step"].tolist() == every3["step"].tolist()
    with pytest.raises(ParameterError, match="'step' parameter of disruption_curve must be None in 'block'"):
        disruption_curve(G, strategy="degree", mode="block", step=2)
    with pytest.raises(ParameterError, match="'step' parameter .* must be a positive integer"):
        disruption_curve(G, strategy="degree", mode="sequential", step=0)


def test_tie_rules() -> None:
    G = nx.Graph()
    G.add_nodes_from(["d", "b", "a", "c", "e"])
    nx.add_cycle(G, ["d", "b", "a", "c", "e"])
    first = {t: disruption_curve(G, strategy="degree", k=1, ties=t)["removed"].iat[1]  # type: ignore[arg-type]
             for t in ("smallest", "largest", "insertion", "reverse_insertion")}
    assert first == {"smallest": "a", "largest": "e", "insertion": "d", "reverse_insertion": "e"}
    picks = {disruption_curve(G, strategy="degree", k=1, ties="random", seed=s)["removed"].iat[1] for s in range(30)}
    assert len(picks) > 1
    again = disruption_curve(G, strategy="degree", k=5, ties="random", seed=7)
    pd.testing.assert_frame_equal(again, disruption_curve(G, strategy="degree", k=5, ties="random", seed=7))
    with pytest.raises(ParameterError, match="'ties' parameter of disruption_curve must be one of"):
        disruption_curve(G, ties="first")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'katz_alpha'"):
        disruption_curve(G, strategy="katz", katz_alpha=-1)
    with pytest.raises(ParameterError, match="'normalize'"):
        disruption_curve(G, normalize="lcc")  # type: ignore[arg-type]


def test_weight_is_distance_reads_the_weight_as_a_length() -> None:
    """Two routes a-d: a short one through b (lengths 1 + 1) and a long one through c
    (10 + 10). As distances b carries the path; as strengths c does."""
    G = nx.Graph()
    G.add_edge("a", "b", w=1.0)
    G.add_edge("b", "d", w=1.0)
    G.add_edge("a", "c", w=10.0)
    G.add_edge("c", "d", w=10.0)
    G.add_edge("d", "e", w=1.0)
    dist = disruption_curve(G, strategy="betweenness", k=2, weight="w", weight_is="distance")
    stren = disruption_curve(G, strategy="betweenness", k=2, weight="w")
    bc = nx.betweenness_centrality(G, weight="w")
    assert bc["b"] > bc["c"]
    assert dist["removed"].tolist()[1:] == ["d", "b"]
    assert stren["removed"].tolist()[1:] == ["d", "c"]
