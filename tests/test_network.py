"""Generic networks: load_edges, from_networkx on plain graphs, analyze_network and the
report mode for data without officials or gangs, checked against NetworkX on real data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from umbrella_graph import CaseError, ParameterError, build_graph, from_networkx
from umbrella_graph.network import analyze_network, load_edges
from umbrella_graph.reporting import render_report


@pytest.fixture(scope="module")
def mafia_case(datasets_dir: Path):  # type: ignore[no-untyped-def]
    d = datasets_dir / "us_mafia_1960"
    return load_edges(d / "MafiaEdges.csv", d / "MafiaNodes.csv", source="Source", target="Target",
                      node_id="NODE", name="NiceLabel")


@pytest.fixture(scope="module")
def infinito_case(datasets_dir: Path):  # type: ignore[no-untyped-def]
    d = datasets_dir / "infinito_ndrangheta"
    return load_edges(d / "NDRANGHETAMAFIA_2M_edges.csv", d / "NDRANGHETAMAFIA_2M_nodes.csv",
                      two_mode="type", project_on=False, name="name", default_kind="summit")


def _nx_mafia(datasets_dir: Path) -> nx.Graph:
    d = datasets_dir / "us_mafia_1960"
    G = nx.Graph()
    G.add_nodes_from(pd.read_csv(d / "MafiaNodes.csv")["NODE"])
    e = pd.read_csv(d / "MafiaEdges.csv")
    G.add_edges_from(zip(e["Source"], e["Target"], strict=True))
    return G


# -- loading -----------------------------------------------------------------------------------
def test_mafia_edge_list_loads_with_names_and_families(mafia_case) -> None:  # type: ignore[no-untyped-def]
    people, ties = mafia_case["people"], mafia_case["ties"]
    assert (len(people), len(ties)) == (680, 2699)
    assert set(ties["kind"]) == {"link"} and ties["weight"].isna().all()
    assert "Family" in people.columns and people["Family"].nunique() == 24  # extra columns kept
    assert people.loc[people["id"] == "GAMBINO-CARLO", "name"].iat[0] == "Carlo Gambino"
    assert ties["_file"].iat[0] == "MafiaEdges.csv" and ties["_row"].tolist()[:2] == [2, 3]


def test_two_mode_projection_matches_networkx(infinito_case, datasets_dir: Path) -> None:  # type: ignore[no-untyped-def]
    d = datasets_dir / "infinito_ndrangheta"
    nodes = pd.read_csv(d / "NDRANGHETAMAFIA_2M_nodes.csv")
    edges = pd.read_csv(d / "NDRANGHETAMAFIA_2M_edges.csv")
    B = nx.Graph()
    B.add_nodes_from(nodes["id"])
    B.add_edges_from(zip(edges["source"], edges["target"], strict=True))
    people = nodes.loc[nodes["type"].astype(str) == "False", "id"].tolist()
    P = nx.bipartite.weighted_projected_graph(B, people)
    ties = infinito_case["ties"]
    assert len(infinito_case["people"]) == 156 and len(ties) == P.number_of_edges()
    got = {(int(a), int(b)): w for a, b, w in zip(ties["src"], ties["dst"], ties["weight"], strict=True)}
    want = {(min(a, b), max(a, b)): float(w) for a, b, w in P.edges(data="weight")}
    # ids sort as text in the projection; compare as unordered pairs
    assert {frozenset(k): v for k, v in got.items()} == {frozenset(k): v for k, v in want.items()}
    # via names the shared summits, via_rows the two attendance records of each
    r = ties.iloc[int(np.argmax(ties["weight"].to_numpy()))]
    shared = set(B[int(r["src"])]) & set(B[int(r["dst"])])
    assert {int(x) for x in r["via"].split("; ")} == shared
    for pair, ev in zip(r["via_rows"].split("; "), r["via"].split("; "), strict=True):
        for row in map(int, pair.split(",")):
            rec = edges.iloc[row - 2]
            assert int(ev) in (rec["source"], rec["target"])
    att = infinito_case["people"].set_index("id")["attended"]
    assert att.to_dict() == {str(p): B.degree(p) for p in people}
    # the weight is honoured: the graph's tie strength is the number of shared summits
    W = build_graph(infinito_case).weighted_graph(kinds=["tie"])
    assert all(W[str(a)][str(b)]["strength"] == w for a, b, w in P.edges(data="weight"))


def test_noordin_ten_relations_as_typed_edges(datasets_dir: Path) -> None:
    files = sorted((datasets_dir / "noordin_top").glob("NOORDINTOP_*_edges.csv"))
    parts = [pd.read_csv(f).assign(relation=f.stem.split("_")[1].lower(), _file=f.name,
                                   _row=lambda df: np.arange(2, len(df) + 2)) for f in files]
    edges = pd.concat(parts, ignore_index=True)
    nodes = pd.read_csv(files[0].with_name("NOORDINTOP_KINSHIP_nodes.csv"))
    case = load_edges(edges, nodes, kind="relation", name="name")
    ties = case["ties"]
    assert len(ties) == len(edges) and len(case["people"]) == 79
    assert sorted(ties["kind"].unique()) == sorted(p["relation"].iat[0] for p in parts)
    assert set(ties["_file"]) == {f.name for f in files}  # each tie cites its own file and row
    assert {"source_name", "target_name"} <= set(ties.columns)
    g = build_graph(case)
    assert g.number_of_edges("tie") == len(edges)
    W = g.weighted_graph(kinds=["tie"])
    pairs = edges.assign(a=edges[["source", "target"]].min(axis=1), b=edges[["source", "target"]].max(axis=1))
    pairs = pairs[pairs["a"] != pairs["b"]].groupby(["a", "b"]).size()
    assert sum(int(d["count"]) for *_, d in W.edges(data=True)) == int(pairs.sum())


def test_from_networkx_plain_graphs_keep_weights_types_and_times() -> None:
    K = nx.karate_club_graph()
    g = from_networkx(K)
    ties = g.case["ties"]
    assert ties["weight"].tolist() == [float(w) for *_, w in K.edges(data="weight")]
    assert g.case["people"]["club"].tolist() == [K.nodes[v]["club"] for v in K]
    assert g.case["people"]["name"].tolist() == [str(v) for v in K]  # no names: the ids
    M = nx.MultiDiGraph()
    M.add_node("acme", type="Company", label="ACME Ltd")
    M.add_node("p1", name="张三")
    M.add_edge("p1", "acme", type="payment", weight=3.0, date="2020-05-01", memo={"a": 1})
    M.add_edge("p1", "acme", type="payment", weight=2.0, date="2020-06-01", memo=[1, 2])
    M.add_edge("acme", "p1", type="call", weight=1.0)
    g2 = from_networkx(M)
    assert g2.case["companies"]["id"].tolist() == ["acme"]
    assert g2.case["companies"]["name"].tolist() == ["ACME Ltd"]
    t = g2.case["ties"]  # in G.edges order: the call from acme first
    assert t["kind"].tolist() == ["call", "payment", "payment"]
    assert t["src"].tolist() == ["acme", "p1", "p1"]
    assert pd.isna(t["time"].iat[0]) and t["time"].dt.strftime("%Y-%m-%d").tolist()[1:] == ["2020-05-01", "2020-06-01"]
    assert t["memo"].tolist()[1:] == ['{"a": 1}', "[1, 2]"]
    # the graph lists edges in its canonical order (row-order invariance), not G.edges order
    assert sorted(g2.edges["strength"].tolist()) == [1.0, 2.0, 3.0]
    assert g2.edges["time"].notna().sum() == 2
    assert g2.weighted_graph()["p1"]["acme"]["strength"] == 6.0
    # unweighted plain graph: every tie counts 1
    assert from_networkx(nx.path_graph(3)).edges["strength"].tolist() == [1.0, 1.0]


def test_from_networkx_errors() -> None:
    G = nx.Graph()
    G.add_edge(1, 2, weight=1.0)
    G.add_edge(2, 3)
    with pytest.raises(ParameterError, match="on every edge or on none"):
        from_networkx(G)
    H = nx.Graph()
    H.add_nodes_from([1, "1"])
    with pytest.raises(ParameterError, match="node ids differ as text"):
        from_networkx(H)
    with pytest.raises(ParameterError, match="'G' parameter of from_networkx must be a NetworkX graph"):
        from_networkx([(1, 2)])  # type: ignore[arg-type]


@pytest.mark.parametrize(("edges", "kwargs", "code", "row", "column"), [
    (pd.DataFrame({"a": ["x"], "target": ["y"]}), {}, "missing_column", None, "source"),
    (pd.DataFrame({"source": ["x", "y"], "target": ["y", "z"], "w": ["2", "-1"]}), {"weight": "w"},
     "bad_weight", 3, "w"),
    (pd.DataFrame({"source": ["x", "y"], "target": ["y", "z"], "t": ["2020-01-01", "soon"]}), {"time": "t"},
     "bad_date", 3, "t"),
])
def test_bad_input_names_file_row_and_column(edges: pd.DataFrame, kwargs: dict[str, str], code: str,
                                            row: int | None, column: str) -> None:
    with pytest.raises(CaseError) as ei:
        load_edges(edges, **kwargs)  # type: ignore[arg-type]
    p = ei.value.first
    assert (p.code, p.row, p.column, p.file) == (code, row, column, "<DataFrame edges>")


def test_dangling_ends_and_one_mode_edges_in_two_mode_tables(tmp_path: Path) -> None:
    nodes = pd.DataFrame({"id": ["a", "b", "m"], "meeting": [0, 0, 1]})
    with pytest.raises(CaseError) as ei:
        load_edges(pd.DataFrame({"source": ["a", "a"], "target": ["b", "zz"]}), nodes)
    assert ei.value.first.code == "dangling_reference" and ei.value.first.row == 3
    f = tmp_path / "att.csv"
    f.write_text("source,target\nm,a\na,b\n", encoding="utf-8")
    with pytest.raises(CaseError) as ei:
        load_edges(f, nodes, two_mode="meeting", project_on=0)
    assert (ei.value.first.code, ei.value.first.row, ei.value.first.file) == ("not_two_mode", 3, "att.csv")
    with pytest.raises(ParameterError, match="'project_on'"):
        load_edges(f, nodes, two_mode="meeting", project_on="x")


def test_an_edge_file_with_a_delimiter_at_each_line_end_is_an_error(tmp_path: Path) -> None:
    """``a,b,`` under the header ``source,target``: pandas took the first column for an
    index, so the edges read b -> '' and c -> '' (two nodes, one of them empty), silently.
    A row with a cell too many is a bad_row error, and an unclosed quote is unreadable."""
    f = tmp_path / "edges.csv"
    f.write_text("source,target\na,b,\nb,c,\n", encoding="utf-8")
    with pytest.raises(CaseError) as ei:
        load_edges(f)
    assert (ei.value.first.code, ei.value.first.file, ei.value.first.row) == ("bad_row", "edges.csv", 2)
    f.write_text("source,target\na,b\nb,c,d\n", encoding="utf-8")
    with pytest.raises(CaseError) as ei:
        load_edges(f)
    assert (ei.value.first.code, ei.value.first.row, ei.value.first.value) == ("bad_row", 3, "<3 cells>")
    f.write_text('source,target\n"a,b\n', encoding="utf-8")
    with pytest.raises(CaseError) as ei:
        load_edges(f)
    assert ei.value.first.code == "unreadable_file"


# -- analysis -----------------------------------------------------------------------------------
def test_analysis_agrees_with_networkx_on_the_mafia(mafia_case, datasets_dir: Path) -> None:  # type: ignore[no-untyped-def]
    res = analyze_network(mafia_case, weight=None, runs=4, k=3, strategies=["degree", "collective_influence"])
    G = _nx_mafia(datasets_dir)
    nodes = res.nodes.set_index("id")
    bc = nx.betweenness_centrality(G)
    np.testing.assert_allclose(nodes.loc[list(G), "betweenness"].to_numpy(), [bc[v] for v in G], atol=1e-12)
    assert nodes.loc[list(G), "degree"].tolist() == [G.degree(v) for v in G]
    core = nx.core_number(G)
    assert nodes.loc[list(G), "core"].tolist() == [core[v] for v in G]
    assert res.articulation_points == sorted(nx.articulation_points(G))
    assert res.k_core() == sorted(nx.k_core(G))
    s = res.summary
    assert (s["nodes"], s["edges"], s["components"]) == (680, 2699, nx.number_connected_components(G))
    assert s["lcc"] == max(len(c) for c in nx.connected_components(G))
    # the published Leiden figure for this network (issue 13): Q about 0.66
    parts = res.nodes.groupby("community")["id"].apply(set).tolist()
    assert nx.community.modularity(G, parts) == pytest.approx(s["modularity"], abs=1e-9)
    assert s["modularity"] > 0.64
    assert 0 <= s["partition_ari"] <= 1 and res.nodes["stability"].between(0, 1).all()
    # brokers: tied into at least two communities, ranked by betweenness
    assert (res.brokers["participation"] > 0).all() and res.brokers["betweenness"].is_monotonic_decreasing
    part = res.nodes.set_index("id")["community"].to_dict()
    top = res.brokers["id"].iat[0]
    assert len({part[u] for u in G[top]} | {part[top]}) >= 2
    assert set(res.disruption["strategy"]) == {"degree", "collective_influence"}
    assert res.disruption.groupby("strategy").size().tolist() == [4, 4]


def test_stability_is_one_for_a_clear_partition_and_reruns_are_identical() -> None:
    G = nx.disjoint_union_all([nx.complete_graph(6) for _ in range(3)])
    G.add_edges_from([(0, 6), (6, 12)])
    g = from_networkx(G)
    a = analyze_network(g, runs=5, k=2)
    assert a.summary["communities"] == 3 and a.summary["partition_ari"] == 1.0
    assert (a.nodes["stability"] == 1.0).all()
    b = analyze_network(g, runs=5, k=2)
    pd.testing.assert_frame_equal(a.nodes, b.nodes)
    pd.testing.assert_frame_equal(a.disruption, b.disruption)
    assert "NetworkAnalysis 18 nodes" in repr(a) and "<table" in a._repr_html_()


def test_weighted_analysis_uses_the_weight_column(infinito_case) -> None:  # type: ignore[no-untyped-def]
    w = analyze_network(infinito_case, runs=2, k=1, strategies=["degree"])
    u = analyze_network(infinito_case, weight=None, runs=2, k=1, strategies=["degree"])
    ties = infinito_case["ties"]
    s = pd.concat([ties[["src", "weight"]].rename(columns={"src": "id"}),
                   ties[["dst", "weight"]].rename(columns={"dst": "id"})]).groupby("id")["weight"].sum()
    got = w.nodes.set_index("id")["strength"]
    assert got.loc[s.index].tolist() == s.tolist()
    assert w.disruption["removed"].iat[1] == s.idxmax()
    assert u.nodes.set_index("id")["strength"].loc[s.index].tolist() == u.nodes.set_index("id")["degree"].loc[s.index].tolist()


def test_analysis_parameter_errors(mafia_case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match="'graph' parameter of analyze_network must be a CaseGraph"):
        analyze_network(nx.path_graph(3))  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'weight'"):
        analyze_network(mafia_case, weight="amount")
    with pytest.raises(ParameterError, match="'strategies'"):
        analyze_network(mafia_case, strategies=["pagerank"])
    with pytest.raises(ParameterError, match="'runs'"):
        analyze_network(mafia_case, runs=0)


def test_report_of_a_network_without_officials_or_gangs(infinito_case) -> None:  # type: ignore[no-untyped-def]
    html = render_report(build_graph(infinito_case))
    assert 'id="network-analysis"' in html and 'id="network-disruption"' in html
    assert "Whole network: centrality and communities" in html and "Disruption curves" in html
    assert "PANETTA Pietro Francesco" in html  # the most between summit-goer is named
    assert "No gang network to disrupt" in html  # the gang section still says why it is empty


# -- properties --------------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def _graphs(draw: st.DrawFn) -> nx.MultiGraph:
    n = draw(st.integers(1, 12))
    G = nx.MultiGraph()
    G.add_nodes_from(range(n))
    for _ in range(draw(st.integers(0, 25))):
        u, v = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        G.add_edge(u, v, weight=draw(st.floats(0.5, 100, allow_nan=False)),
                   type=draw(st.sampled_from(["call", "meeting", "会面"])))
    return G


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_graphs())
def test_from_networkx_loses_no_node_edge_or_weight(G: nx.MultiGraph) -> None:
    g = from_networkx(G)
    ties = g.case["ties"]
    assert g.number_of_nodes() == G.number_of_nodes() and len(ties) == G.number_of_edges()
    assert sorted(ties["weight"].tolist()) == sorted(float(w) for *_, w in G.edges(data="weight"))
    assert Counter(ties["kind"]) == Counter(t for *_, t in G.edges(data="type"))
    W = g.weighted_graph(kinds=["tie"])
    for u, v in {(min(a, b), max(a, b)) for a, b in G.edges() if a != b}:
        want = sum(d["weight"] for d in G.get_edge_data(u, v).values())
        assert W[str(u)][str(v)]["strength"] == pytest.approx(want)
