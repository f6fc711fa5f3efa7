"""Explanations: evidence paths with record-level provenance, hubs, "no link", HTML, CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

import umbrella_graph as ug
from umbrella_graph.cli import main
from umbrella_graph.errors import ParameterError
from umbrella_graph.scoring import EvidencePath, Explanation, clear_cache, explain, score_umbrellas
from umbrella_graph.synth import generate_city

UNIT = "城建办<script>alert(1)</script>"


def hub_case() -> ug.Case:
    """One gang; an official paid by its leader, one linked only through his unit, one
    linked only through a very busy person, and one with no link at all."""
    background = [f"B{i:02d}" for i in range(70)]
    people = ["L", "M1", "A", "H", "B", "ISO", "HUBP", *background]
    ppl = pd.DataFrame({"id": people, "name": [f"人{i}" for i in range(len(people))]})
    posts = pd.DataFrame({"person_id": ["A", "H", "B", "ISO"], "position": ["村主任", "城建办主任", "所长", "站长"],
                          "unit": ["村委会", UNIT, "派出所", "水利站"]})
    contacts = pd.DataFrame({"src": ["HUBP"] * 70 + ["HUBP", "B", "M1"],
                             "dst": background + ["M1", "HUBP", "L"], "kind": "call",
                             "time": [f"2021-03-{1 + i % 28:02d} 10:00" for i in range(73)]})
    return ug.case_from_frames(
        people=ppl, officials=posts,
        gangs=pd.DataFrame({"id": ["G1"], "name": ["帮"]}),
        members=pd.DataFrame({"person_id": ["L", "M1"], "gang_id": "G1", "role": ["leader", "member"]}),
        companies=pd.DataFrame({"id": ["CG"], "name": ["帮公司"]}),
        company_roles=pd.DataFrame({"person_id": ["L"], "company_id": ["CG"], "role": ["owner"]}),
        transactions=pd.DataFrame({"id": ["T1", "T2"], "src": ["L", "L"], "dst": ["A", "A"],
                                   "amount": [30000, 20000], "date": ["2021-02-01 20:00", "2021-05-01 20:00"]}),
        contracts=pd.DataFrame({"id": ["K1"], "issuer_id": [UNIT], "approver_id": ["A"], "company_id": ["CG"],
                                "amount": [400000], "date": ["2021-04-01"]}),
        contacts=contacts, name="hubs")


@pytest.fixture(scope="module")
def hubs() -> ug.CaseGraph:
    return ug.build_graph(hub_case())


def _check_provenance(ex: Explanation) -> None:
    assert ex.paths, ex.message
    for p in ex.paths:
        assert isinstance(p, EvidencePath)
        assert p.nodes[0] == ex.official_id and p.nodes[-1] == ex.gang_id
        assert len(p.hops) == len(p.nodes) - 1
        for h in p.hops:
            assert len(h.records), (p.nodes, h.kind)
            assert h.records["record_id"].notna().all()
            assert h.records["file"].str.len().gt(0).all()
            assert (h.records["row"] >= 2).all()


def test_every_top20_pair_has_an_evidence_path_with_provenance(sample_graph: ug.CaseGraph) -> None:
    s = score_umbrellas(sample_graph)
    for r in s.head(20).itertuples(index=False):
        ex = explain(sample_graph, r.official_id, r.gang_id, k=3)
        _check_provenance(ex)
        assert ex.score == pytest.approx(r.score) and ex.rank == r.rank
        f = ex.to_frame()
        assert f["file"].str.endswith(".csv").all()


def test_top20_of_a_synthetic_city_have_provenance() -> None:
    city = generate_city(people=900, gangs=2, seed=5)
    g = ug.build_graph(city.case)
    s = score_umbrellas(g)
    for r in s.head(20).itertuples(index=False):
        _check_provenance(explain(g, r.official_id, r.gang_id, k=2))


def test_direct_evidence_comes_first_with_its_records(hubs: ug.CaseGraph) -> None:
    ex = explain(hubs, "A", "G1")
    first = ex.paths[0]
    assert first.nodes in (["A", "L", "G1"], ["A", "CG", "G1"])
    assert not first.through_hub
    f = ex.to_frame()
    tx = f[f["record_id"].isin(["T1", "T2"])]
    assert set(tx["record_id"]) == {"T1", "T2"}
    assert set(tx["amount"]) == {30000.0, 20000.0}
    assert (tx["table"] == "transactions").all() and tx["row"].tolist()[:1] in ([2], [3])
    member = f[f["kind"] == "member"]
    assert (member["table"] == "members").all() and len(member) >= 1
    assert list(f.columns) == ["path", "hop", "src", "dst", "kind", "record_id", "table", "file", "row", "time",
                               "amount", "detail", "path_strength", "through_hub"]


def test_paths_through_hubs_rank_lower_and_are_marked(hubs: ug.CaseGraph) -> None:
    ex = explain(hubs, "H", "G1")
    assert ex.paths and all(p.through_hub for p in ex.paths)
    assert ex.paths[0].hubs == [UNIT]  # the unit that issued the contract
    exb = explain(hubs, "B", "G1")
    assert exb.paths and exb.paths[0].through_hub and exb.paths[0].hubs == ["HUBP"]
    assert "through hubs" in exb.message
    exa = explain(hubs, "A", "G1", k=10)
    flags = [p.through_hub for p in exa.paths]
    assert flags == sorted(flags)  # hub paths after the others
    assert exa.paths[0].strength > max([p.strength for p in exa.paths if p.through_hub], default=0)


def test_no_link_is_said_plainly(hubs: ug.CaseGraph) -> None:
    ex = explain(hubs, "ISO", "G1")
    assert ex.paths == []
    assert ex.message.startswith("No link")
    assert "ISO" in ex.message and "G1" in ex.message
    assert len(ex.to_frame()) == 0
    assert "No link" in ex.to_text()


def test_html_escapes_everything(hubs: ug.CaseGraph) -> None:
    html = explain(hubs, "H", "G1")._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_explain_is_deterministic(sample_graph: ug.CaseGraph, sample_case: ug.Case) -> None:
    a = explain(sample_graph, "P0234", "G02").to_frame()
    clear_cache()  # computed again from scratch on another graph of the same case
    b = explain(ug.build_graph(sample_case), "P0234", "G02").to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_cached_explanations_match_a_fresh_graph_and_are_copies(sample_case: ug.Case) -> None:
    clear_cache()
    warm = ug.build_graph(sample_case)
    first = explain(warm, "P0234", "G02", k=2)  # fills the per-graph cache
    first.paths[0].hops[0].records.loc[:, "detail"] = "changed by the caller"
    first.paths[0].hops[-1].records.loc[:, "record_id"] = "X"
    again = explain(warm, "P0234", "G02", k=5)  # reuses the cached paths and hop records
    clear_cache()  # the same content is otherwise served from the cache
    cold = explain(ug.build_graph(sample_case), "P0234", "G02", k=5)
    pd.testing.assert_frame_equal(again.to_frame(), cold.to_frame())
    assert again.to_text() == cold.to_text()
    assert "changed by the caller" not in again.to_text()
    assert [h.kind for h in again.paths[0].hops] == [h.kind for h in cold.paths[0].hops]
    assert again.paths[0].hops[-1].records.equals(cold.paths[0].hops[-1].records)


def test_sample_front_man_path(sample_graph: ug.CaseGraph) -> None:
    ex = explain(sample_graph, "P0234", "G02", k=3)
    nodes = [p.nodes for p in ex.paths]
    assert ["P0234", "P0297", "P0258", "G02"] in nodes  # official - wife - front man - gang
    p = ex.paths[nodes.index(["P0234", "P0297", "P0258", "G02"])]
    assert [h.kind for h in p.hops] == ["tie", "transaction", "front_man"]
    sig = ex.signals.set_index("signal")
    assert sig.loc["money", "contribution"] == sig["contribution"].max()


def test_unknown_ids_and_bad_parameters(hubs: ug.CaseGraph) -> None:
    for o, g in (("张三秘密", "G1"), ("A", "G9秘密"), ("L", "G1")):  # L is a member, not an official
        with pytest.raises(ParameterError) as e:
            explain(hubs, o, g)
        assert "秘密" not in str(e.value)
    for k in (0, -1, 1.5, True):
        with pytest.raises(ParameterError, match="'k' parameter of explain"):
            explain(hubs, "A", "G1", k=k)  # type: ignore[arg-type]


def test_cli_explain(sample_dir) -> None:  # type: ignore[no-untyped-def]
    r = CliRunner().invoke(main, ["explain", str(sample_dir), "--official", "P0241", "--gang", "G03", "-k", "2"])
    assert r.exit_code == 0, r.output
    assert "signals (value, contribution; unsupervised score), each with the records it used" in r.output and "tipoff" in r.output
    assert "h before E0" in r.output  # the pre-raid calls, flagged with their lead time
    assert "path 1:" in r.output and "contacts.csv row" in r.output
    bad = CliRunner().invoke(main, ["explain", str(sample_dir), "--official", "X秘密", "--gang", "G03"])
    assert bad.exit_code == 1 and "秘密" not in bad.output
