"""plan_disruption: the gang's network from a case, the removals, and the largest component
after each, checked against an independent NetworkX computation."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import CaseGraph, ParameterError, build_graph
from umbrella_graph.cli import main
from umbrella_graph.investigate import DisruptionPlan, plan_disruption
from umbrella_graph.synth import generate_city

# from data/samples/qinghe/README.md
COP, G3_LEADER = "P0241", "P0045"


def _lcc(G: nx.Graph) -> int:
    return max((len(c) for c in nx.connected_components(G)), default=0)


def test_sample_plan_network_and_curve(sample_graph: CaseGraph) -> None:
    plan = plan_disruption(sample_graph, "G03", k=5)
    G = plan.graph
    roles = dict(G.nodes(data="role"))
    members = sample_graph.case["members"]
    assert set(members.loc[members["gang_id"] == "G03", "person_id"]) <= set(G)
    assert roles[G3_LEADER] == "leader" and roles[COP] == "umbrella"
    assert {"C04", "C05"} <= {n for n, k in G.nodes(data="kind") if k == "company"}
    # the curve: step 0 intact, then one removal per step, sizes checked independently
    assert plan.curve["step"].tolist() == list(range(6))
    assert plan.curve["lcc_size"].iat[0] == _lcc(G)
    H = G.copy()
    for rec in plan.removed.itertuples(index=False):
        H.remove_node(rec.node_id)
        assert rec.lcc_size == _lcc(H)
        assert rec.lcc_fraction == pytest.approx(_lcc(H) / G.number_of_nodes())
        assert rec.kind == G.nodes[rec.node_id]["kind"] and rec.role == G.nodes[rec.node_id]["role"]
    assert plan.curve["lcc_size"].is_monotonic_decreasing
    assert plan.removed["lcc_fraction"].iat[-1] < 0.5


def test_first_removal_is_the_most_between_node(sample_graph: CaseGraph) -> None:
    plan = plan_disruption(sample_graph, "G02", strategy="betweenness", mode="block", k=1)
    bc = nx.betweenness_centrality(plan.graph)
    best = max(bc.values())
    expected = min(n for n, v in bc.items() if v >= best - 1e-9 * best)
    assert plan.removed["node_id"].tolist() == [expected]
    deg = plan_disruption(sample_graph, "G02", strategy="degree", mode="block", k=1)
    d = dict(deg.graph.degree())
    assert deg.removed["node_id"].iat[0] == min(n for n, v in d.items() if v == max(d.values()))


def test_edges_collapse_records_between_network_nodes(sample_graph: CaseGraph) -> None:
    plan = plan_disruption(sample_graph, "G03", k=1)
    G = plan.graph
    c = sample_graph.case["contacts"]
    n = int((((c["src"] == COP) & (c["dst"] == G3_LEADER)) | ((c["src"] == G3_LEADER) & (c["dst"] == COP))).sum())
    assert G[COP][G3_LEADER]["count"] >= n > 0
    assert "contact" in G[COP][G3_LEADER]["kinds"]
    assert all(d["distance"] > 0 for _, _, d in G.edges(data=True))


def test_rerun_is_identical_and_repr(sample_graph: CaseGraph) -> None:
    a = plan_disruption(sample_graph, "G01", strategy="collective_influence", mode="sequential", k=3)
    b = plan_disruption(sample_graph, "G01", strategy="collective_influence", mode="sequential", k=3)
    pd.testing.assert_frame_equal(a.curve, b.curve)
    assert nx.utils.graphs_equal(a.graph, b.graph)
    assert repr(a).startswith("<DisruptionPlan G01:")
    html = a._repr_html_()
    assert "<table" in html and "G01" in html


def test_weighted_plan_ranks_by_strength(sample_graph: CaseGraph) -> None:
    """With weight="strength" the first degree pick is the node of largest summed strength
    in the plan's own network (checked with NetworkX), and step=2 re-ranks in pairs."""
    plan = plan_disruption(sample_graph, "G03", strategy="degree", mode="block", k=1, weight="strength")
    s = dict(plan.graph.degree(weight="strength"))
    best = max(s.values())
    assert plan.removed["node_id"].tolist() == [min(n for n, v in s.items() if v >= best - 1e-9 * best)]
    unweighted = plan_disruption(sample_graph, "G03", strategy="degree", mode="block", k=1)
    d = dict(unweighted.graph.degree())
    assert unweighted.removed["node_id"].iat[0] == min(n for n, v in d.items() if v == max(d.values()))
    pairs = plan_disruption(sample_graph, "G03", strategy="betweenness", k=4, weight="count", step=2)
    from umbrella_graph.investigate import disruption_curve

    ref = disruption_curve(pairs.graph, strategy="betweenness", mode="sequential", k=4, weight="count", step=2)
    assert pairs.removed["node_id"].tolist() == ref["removed"].tolist()[1:]


def test_html_is_escaped() -> None:
    G = nx.Graph()
    G.add_node("<x>", kind="person", role="leader")
    removed = pd.DataFrame({"step": [1], "node_id": ["<x>"], "kind": ["person"], "role": ["leader"],
                            "lcc_size": [0], "lcc_fraction": [0.0]})
    plan = DisruptionPlan("<script>", "degree", "block", removed, removed, G)
    html = plan._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;x&gt;" in html


def test_synthetic_city_plans_break_the_network() -> None:
    city = generate_city(people=1200, gangs=3, seed=4, difficulty="medium")
    g = build_graph(city.case)
    from umbrella_graph.scoring.score import score_umbrellas

    scores = score_umbrellas(g)
    for gang in g.gangs:
        plan = plan_disruption(g, gang, k=5, scores=scores)
        umbrellas = set(scores.loc[(scores["gang_id"] == gang) & (scores["score"] >= 0.5), "official_id"].head(5))
        assert umbrellas <= set(plan.graph)
        assert len(plan.removed) == 5
        assert plan.removed["lcc_fraction"].iat[-1] < plan.curve["lcc_fraction"].iat[0]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"gang_id": "G99"}, "The 'gang_id' parameter of plan_disruption must be the id of a gang in the case. Got 'G99' instead."),
    ({"strategy": "random"}, "The 'strategy' parameter of plan_disruption must be one of 'betweenness', 'degree'"),
    ({"mode": "all"}, "The 'mode' parameter of plan_disruption must be one of 'block', 'sequential'. Got 'all' instead."),
    ({"k": 0}, "The 'k' parameter of plan_disruption must be an integer >= 1. Got 0 instead."),
    ({"min_score": -0.1}, "The 'min_score' parameter of plan_disruption must be a number in [0, 1]."),
    ({"weight": "amount"}, "The 'weight' parameter of plan_disruption must be None, 'strength' or 'count'."),
    ({"mode": "block", "step": 2}, "The 'step' parameter of plan_disruption must be None in 'block' mode."),
])
def test_parameter_errors(sample_graph: CaseGraph, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"gang_id": "G01", **kwargs}
    with pytest.raises(ParameterError) as exc:
        plan_disruption(sample_graph, **args)  # type: ignore[arg-type]
    assert message in str(exc.value)


def test_cli_disrupt(sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "curve.csv"
    res = CliRunner().invoke(main, ["disrupt", str(sample_dir), "--gang", "G03", "-k", "3", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "<DisruptionPlan G03:" in res.output
    df = pd.read_csv(out)
    assert df["step"].tolist() == [0, 1, 2, 3]
    assert {"removed", "lcc_size", "lcc_fraction", "kind", "role"} <= set(df.columns)
