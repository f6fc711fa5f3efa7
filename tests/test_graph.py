"""The in-memory case graph and the round trip case -> graph -> NetworkX -> case."""

from __future__ import annotations

import networkx as nx
import openpyxl
import pandas as pd
import pytest

from test_validate import full_frames  # tests/ is on sys.path (rootdir conftest)
from umbrella_graph import (
    build_graph,
    case_from_frames,
    from_networkx,
    load_case,
    load_graph_tables,
)
from umbrella_graph.case import Case
from umbrella_graph.graph import EDGE_KINDS


def round_trip(case: Case) -> Case:
    return from_networkx(build_graph(case).to_networkx()).case


def assert_same(a: Case, b: Case) -> None:
    assert set(a.tables) == set(b.tables)
    for t in a.tables:
        pd.testing.assert_frame_equal(a[t], b[t], check_exact=True, obj=t)
    assert a.equals(b)
    assert a.name == b.name


def test_round_trip_sample(sample_case):
    case = sample_case
    assert_same(case, round_trip(case))


def test_round_trip_every_table_with_extras_and_provenance():
    frames = full_frames()
    frames["transactions"]["对方户名"] = ["某某", None]
    case = case_from_frames(frames, files={"people": "人员.xlsx"}, name="all")
    assert case["people"]["_file"].tolist()[0] == "人员.xlsx"
    back = round_trip(case)
    assert_same(case, back)
    assert back["transactions"]["对方户名"].tolist()[0] == "某某"
    assert back["labels"]["label"].tolist() == [1, 0]  # a table without edges travels too


def test_round_trip_lenient_xlsx_and_generic_cases(tmp_path, datasets_dir):
    d = tmp_path / "case"
    d.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "score", "birth_date"])
    ws.append(["p1", "a", 1.5, "1970-01-01"])
    ws.append(["p2", "b", "x", "bad"])
    wb.save(d / "people.xlsx")
    (d / "ties.csv").write_text("src,dst,kind,note\np1,p2,friend,\np1,p9,kin,x\n", encoding="utf-8")
    case = load_case(d, lenient=True)
    assert len(case.report.problems) == 2
    assert_same(case, round_trip(case))
    m = datasets_dir / "us_mafia_1960"
    mafia = load_graph_tables(m / "MafiaNodes.csv", m / "MafiaEdges.csv", id_column="NODE",
                              default_label="Person", src_column="Source", dst_column="Target",
                              default_type="ASSOCIATE", groups={"Family": "gangs"},
                              columns={"people": {"NiceLabel": "name"}})
    assert_same(mafia, round_trip(mafia))


def test_to_networkx_one_edge_per_record_and_reserved_names():
    case = case_from_frames(full_frames())
    g = build_graph(case)
    G = g.to_networkx()
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_edges() == g.number_of_edges()
    assert G.number_of_nodes() == g.number_of_nodes()
    ties = [d for _, _, d in G.edges(data=True) if d["kind"] == "tie"]
    assert [(d["record_kind"], d["_file"], d["_row"]) for d in ties] == [("spouse", "<DataFrame ties>", 2)]
    assert G.nodes["e1"]["kind"] == "event" and G.nodes["e1"]["record_kind"] == "raid"
    assert G.nodes["p1"]["official"] is True and G.nodes["p1"]["name"] == "张三"
    tx = [d for _, _, d in G.edges(data=True) if d["kind"] == "transaction"]
    assert sorted(d["amount"] for d in tx) == [1200.5, 20000.0]
    approvals = [d for _, _, d in G.edges(data=True) if d["kind"] == "approval"]
    assert approvals and not approvals[0]["primary"] and set(approvals[0]) == {
        "kind", "primary", "_table", "_file", "_row"}


def test_graph_views():
    case = case_from_frames(full_frames())
    g = build_graph(case)
    assert set(g.edges["kind"].unique()) <= set(EDGE_KINDS)
    A = g.adjacency(["transaction"])
    i, j = g.index_of(["c1", "p4"])
    assert A[i, j] == 20000.0 and A[j, i] == 20000.0
    rec = g.records("transaction")
    assert set(rec["src_id"]) == {"c1", "p3"} and "_row" in rec.columns
    W = g.weighted_graph(["contact"])
    assert W["p2"]["p3"]["count"] == 2 and W["p2"]["p3"]["strength"] == 3.0
    with pytest.raises(ValueError, match="kinds"):
        g.adjacency(["bribe"])
