"""The backend queries give the same DataFrames in memory and on a real Neo4j server.

Each query test runs on both backends (the ``backend`` fixture) against a small case
whose answers are worked out by hand; the parity tests compare the two backends on the
sample case and a made case over many queries.
"""

from __future__ import annotations

import pandas as pd
import pytest

from neo4j_support import make_case
from umbrella_graph import build_graph, case_from_frames
from umbrella_graph.backends import (
    MemoryBackend,
    Neo4jBackend,
    evidence_paths,
    money_flow,
    neighbourhood,
    to_neo4j,
)
from umbrella_graph.backends.base import MONEY_FLOW_COLUMNS, NEIGHBOURHOOD_COLUMNS, PATH_COLUMNS
from umbrella_graph.errors import ParameterError


def tiny_case():
    return case_from_frames(
        villages=pd.DataFrame({"id": ["city", "t1", "v1", "v2"], "name": ["市", "镇", "村一", "村二"],
                               "parent_id": [None, "city", "t1", "t1"],
                               "level": ["city", "town", "village", "village"]}),
        people=pd.DataFrame({"id": ["p1", "p2", "p3", "o1", "o2"], "name": ["甲", "乙", "丙", "官一", "官二"],
                             "village_id": ["v1", "v1", "v2", "t1", None]}),
        officials=pd.DataFrame({"person_id": ["o1", "o2", "o2"], "position": ["镇长", "所长", "副所长"],
                                "unit": ["镇政府", "派出所", None], "jurisdiction_id": ["t1", None, None],
                                "start_date": ["2015-01-01", "2016-02-03", None]}),
        gangs=pd.DataFrame({"id": ["g1"], "name": ["黑帮"], "village_id": ["v1"]}),
        members=pd.DataFrame({"person_id": ["p1", "p2"], "gang_id": ["g1", "g1"], "role": ["leader", "member"]}),
        companies=pd.DataFrame({"id": ["c1"], "name": ["公司"], "village_id": ["v2"]}),
        company_roles=pd.DataFrame({"person_id": ["p3"], "company_id": ["c1"], "role": ["owner"]}),
        ties=pd.DataFrame({"src": ["p3"], "dst": ["o1"], "kind": ["spouse"]}),
        transactions=pd.DataFrame({
            "id": ["t1", "t2", "t3"], "src": ["p1", "c1", "p1"], "dst": ["p3", "o1", "p1"],
            "amount": ["2万", "5000", "10"],
            "date": ["2019-03-05 10:00:00.123456789", "2019-04-01", "2019-05-01"],
            "channel": ["bank", None, "cash"], "memo": [None, "gift", None]}),
        contacts=pd.DataFrame({"src": ["o2", "o2"], "dst": ["p1", "p1"], "kind": ["call", "sms"],
                               "time": ["2019-06-01 20:00", "2019-06-02 21:00"], "count": [3, None]}),
        contracts=pd.DataFrame({"id": ["k1", "k2"], "issuer_id": ["t1", "镇政府"], "approver_id": ["o1", None],
                                "company_id": ["c1", "c1"], "amount": [1e6, None],
                                "date": ["2018-01-01", "2018-02-01"]}),
        events=pd.DataFrame({"id": ["e1", "e2"], "kind": ["raid", "inspection"],
                             "time": ["2019-06-03 06:00", "2019-07-01"], "gang_id": ["g1", None],
                             "target_id": [None, "c1"]}),
        leads=pd.DataFrame({"id": ["l1"], "date": ["2020-01-01"], "subject_id": ["o2"], "gang_id": ["g1"],
                            "source": ["hotline"]}),
        name="tiny")


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request):
    case = tiny_case()
    if request.param == "memory":
        return MemoryBackend(build_graph(case))
    db = request.getfixturevalue("neo4j_db")
    to_neo4j(case, db.driver, database=db.database, progress=False)
    return Neo4jBackend(db.driver, db.database)


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def test_neighbourhood(backend):
    nb = backend.neighbourhood("o2", hops=2)
    assert list(nb.columns) == list(NEIGHBOURHOOD_COLUMNS)
    expected = pd.DataFrame({
        "id": ["o2", "l1", "p1", "派出所", "g1", "p3", "v1"],
        "kind": ["person", "lead", "person", "unit", "gang", "person", "village"],
        "name": ["官二", "hotline", "甲", "派出所", "黑帮", "丙", "村一"],
        "official": [True, False, False, False, False, False, False],
        "hops": [0, 1, 1, 1, 2, 2, 2],
        # p1: two calls; g1: the lead naming it and p1's membership; the self-payment
        # of p1 and o2's post without a unit (a self-loop) never count
        "records": [0, 1, 2, 1, 2, 1, 1],
        "kinds": ["", "lead_subject", "contact", "works_in", "lead_gang;member", "transaction", "located_in"],
    })
    for c in ("id", "kind", "name", "kinds"):
        expected[c] = expected[c].astype("string")
    pd.testing.assert_frame_equal(nb, expected)
    only_money = backend.neighbourhood("p1", hops=3, kinds=["transaction"])
    assert only_money["id"].tolist() == ["p1", "p3"]
    assert backend.neighbourhood("c1", hops=0)["id"].tolist() == ["c1"]


def test_evidence_paths(backend):
    ep = backend.evidence_paths("o2", "g1", max_hops=3)
    assert list(ep.columns) == list(PATH_COLUMNS)
    assert ep.groupby("path")["dst_id"].apply(list).tolist() == [["l1", "g1"], ["p1", "g1"], ["p1", "v1", "g1"]]
    first = ep.iloc[2]  # path 2, hop 1: the two contacts of o2 with p1
    assert (first["src_id"], first["dst_id"], first["kinds"], first["records"]) == ("o2", "p1", "contact", 2)
    assert first["strength"] == 4.0  # a call counted 3 times + an sms without a count
    assert (first["first_time"], first["last_time"]) == (_ts("2019-06-01 20:00"), _ts("2019-06-02 21:00"))
    assert ep["length"].tolist() == [2, 2, 2, 2, 3, 3, 3]
    assert backend.evidence_paths("o2", "g1", max_hops=2, limit=1)["path"].tolist() == [1, 1]
    # o1 reaches g1 through his wife's payment from the gang leader, or his jurisdiction
    ep1 = backend.evidence_paths("o1", "g1", max_hops=3)
    paths = ep1.groupby("path")["dst_id"].apply(list).tolist()
    assert paths == [["p3", "p1", "g1"], ["t1", "v1", "g1"]]
    pay = ep1[(ep1["src_id"] == "p3") & (ep1["dst_id"] == "p1")].iloc[0]
    assert pay["kinds"] == "transaction" and pay["strength"] == 20000.0
    assert pay["first_time"] == _ts("2019-03-05 10:00:00.123456789")
    none = backend.evidence_paths("o1", "g1", max_hops=2)
    assert list(none.columns) == list(PATH_COLUMNS) and len(none) == 0
    via_money = backend.evidence_paths("o1", "g1", max_hops=4, kinds=["transaction", "tie", "member"])
    assert via_money.groupby("path")["dst_id"].apply(list).tolist() == [["p3", "p1", "g1"]]


def test_money_flow(backend):
    mf = backend.money_flow("p1")
    assert list(mf.columns) == list(MONEY_FLOW_COLUMNS)
    assert mf["id"].tolist() == ["t1", "t3"]
    assert mf["direction"].tolist() == ["out", "out"]  # a payment to oneself counts once, as out
    assert mf["counterparty_id"].tolist() == ["p3", "p1"]
    assert mf["amount"].tolist() == [20000.0, 10.0]
    assert mf["date"].iloc[0] == _ts("2019-03-05 10:00:00.123456789")
    assert mf["_row"].tolist() == [2, 4]
    o1 = backend.money_flow("o1", start="2019-01-01", end="2019-12-31")
    assert o1[["direction", "counterparty_id", "counterparty_kind", "amount", "memo"]].values.tolist() == [
        ["in", "c1", "company", 5000.0, "gift"]]
    assert len(backend.money_flow("o1", start="2019-04-02")) == 0
    assert len(backend.money_flow("o1", end="2019-04-01")) == 0  # end is exclusive
    assert len(backend.money_flow("o1", end="2019-04-01 00:00:00.000000001")) == 1
    assert len(backend.money_flow("g1")) == 0


def test_bad_parameters(backend):
    with pytest.raises(ParameterError, match="'node_id' parameter of .*neighbourhood must be the id of a node"):
        backend.neighbourhood("nobody")
    with pytest.raises(ParameterError, match="'hops'"):
        backend.neighbourhood("o1", hops=-1)
    with pytest.raises(ParameterError, match="'kinds'.*edge kinds"):
        backend.neighbourhood("o1", kinds=["bribe"])
    with pytest.raises(ParameterError, match="'official_id'.*the id of an official"):
        backend.evidence_paths("p1", "g1")
    with pytest.raises(ParameterError, match="'gang_id'.*the id of a gang"):
        backend.evidence_paths("o1", "p1")
    with pytest.raises(ParameterError, match="'max_hops'"):
        backend.evidence_paths("o1", "g1", max_hops=5)
    with pytest.raises(ParameterError, match="'start'.*a date"):
        backend.money_flow("p1", start="soon")
    with pytest.raises(ParameterError, match="'end'.*not before 'start'"):
        backend.money_flow("p1", start="2020-01-01", end="2019-01-01")


def test_module_functions_take_a_graph_or_a_backend():
    g = build_graph(tiny_case())
    mb = MemoryBackend(g)
    pd.testing.assert_frame_equal(neighbourhood(g, "o1"), mb.neighbourhood("o1"))
    pd.testing.assert_frame_equal(evidence_paths(g, "o1", "g1"), mb.evidence_paths("o1", "g1"))
    pd.testing.assert_frame_equal(money_flow(g, "p1"), mb.money_flow("p1"))
    with pytest.raises(ParameterError, match="'source'"):
        neighbourhood("not a graph", "o1")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------
# parity over many queries
# ---------------------------------------------------------------------------------------
def _parity(graph, db, officials, gangs, people) -> int:
    to_neo4j(graph, db.driver, database=db.database, progress=False)
    mem, neo = MemoryBackend(graph), Neo4jBackend(db.driver, db.database)
    n = 0
    for off in officials:
        for kinds in (None, ["transaction", "contact", "tie", "member", "company_role"]):
            pd.testing.assert_frame_equal(mem.neighbourhood(off, 2, kinds), neo.neighbourhood(off, 2, kinds))
            n += 1
        for gang in gangs:
            a = mem.evidence_paths(off, gang, max_hops=3, limit=25)
            b = neo.evidence_paths(off, gang, max_hops=3, limit=25)
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
            n += 1
    for p in people:
        pd.testing.assert_frame_equal(mem.money_flow(p), neo.money_flow(p))
        pd.testing.assert_frame_equal(mem.money_flow(p, "2019-01-01", "2020-01-01"),
                                      neo.money_flow(p, "2019-01-01", "2020-01-01"))
        n += 2
    return n


@pytest.mark.neo4j
def test_parity_made_case(neo4j_db):
    case = make_case(seed=12)
    g = build_graph(case)
    people = g.nodes.loc[g.nodes["kind"] == "person", "id"].tolist()[::5]
    assert _parity(g, neo4j_db, case.official_ids(), case.gang_ids(), people) > 20


@pytest.mark.neo4j
def test_parity_sample(neo4j_db, sample_graph):
    g = sample_graph
    case = g.case
    people = g.nodes.loc[g.nodes["kind"] == "person", "id"].tolist()[::40]
    assert _parity(g, neo4j_db, case.official_ids()[::5], case.gang_ids(), people) > 30
