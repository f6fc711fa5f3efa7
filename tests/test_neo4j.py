"""The Neo4j backend against a real Neo4j server (tests/neo4j_support.py starts one).

Loading, reading back, idempotency, injection safety, score parity, errors, the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from neo4j_support import make_case, neo4j_local, start_local
from umbrella_graph import build_graph, case_from_frames, load_case
from umbrella_graph.backends import (
    LoadSummary,
    Neo4jBackend,
    case_fingerprint,
    connect,
    from_neo4j,
    to_neo4j,
)
from umbrella_graph.errors import BackendError, ParameterError
from umbrella_graph.schema import NEO4J_LABELS, NEO4J_REL_TYPES

pytestmark = pytest.mark.neo4j


def _counts(db) -> tuple[int, int]:
    return db.count("nodes"), db.count("rels")


def _labels_and_types(db) -> tuple[set[str], set[str]]:
    labels = {r[0] for r in db.driver.execute_query("CALL db.labels()", database_=db.database).records}
    types = {r[0] for r in db.driver.execute_query("CALL db.relationshipTypes()", database_=db.database).records}
    return labels, types


# ---------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------
def test_round_trip_made_case(neo4j_db):
    case = make_case(seed=3)
    graph = build_graph(case)
    summary = to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert isinstance(summary, LoadSummary)
    assert summary.nodes_created == graph.number_of_nodes() and summary.nodes_present == 0
    assert summary.rels_created == graph.number_of_edges() and summary.rels_present == 0
    # every node of the graph plus the one CaseMeta node; one relationship per record edge
    assert _counts(neo4j_db) == (graph.number_of_nodes() + 1, graph.number_of_edges())
    labels, types = _labels_and_types(neo4j_db)
    assert labels <= NEO4J_LABELS and types <= NEO4J_REL_TYPES
    back = from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    assert back.case.equals(case)
    assert back.case.name == case.name
    pd.testing.assert_frame_equal(back.nodes, graph.nodes)
    pd.testing.assert_frame_equal(back.edges, graph.edges)
    # nanosecond times, extra columns and their dtypes survive
    assert back.case["transactions"]["date"].equals(case["transactions"]["date"])
    assert back.case["people"]["nickname"].dtype == case["people"]["nickname"].dtype
    assert back.case["transactions"]["batch"].tolist() == case["transactions"]["batch"].tolist()


def test_round_trip_sample_case(neo4j_db, sample_dir):
    case = load_case(sample_dir)
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    back = from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    assert back.case.equals(case)
    assert back.number_of_edges() == build_graph(case).number_of_edges() > 10_000


def test_round_trip_table_from_two_files(neo4j_db):
    # rows are written in node order with the file sent once per group when it is the
    # same for every row: a table gathered from two files (one after the other), whose
    # times are whole seconds, must still come back in its own order
    base = make_case(seed=9, people=40, transactions=60)
    frames = {t: df for t, df in base.tables.items() if t != "transactions"}
    tx = base["transactions"].copy()
    tx["_file"] = ["a.csv"] * 20 + ["b.csv"] * (len(tx) - 20)
    tx["_row"] = np.r_[np.arange(2, 22), np.arange(2, len(tx) - 18)]
    tx["date"] = tx["date"].dt.floor("s")
    case = case_from_frames({**frames, "transactions": tx})
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False, batch_size=7)
    stored = neo4j_db.driver.execute_query(
        "MATCH ()-[x:PAID]->() RETURN x._file AS f, count(*) AS n", database_=neo4j_db.database).records
    assert {r["f"]: r["n"] for r in stored} == tx["_file"].value_counts().to_dict()
    back = from_neo4j(neo4j_db.driver, database=neo4j_db.database).case
    assert back.equals(case)
    assert back["transactions"]["_file"].tolist() == tx["_file"].tolist()


def test_load_plan_helpers():
    from umbrella_graph.backends.neo4j.codecs import _iso
    from umbrella_graph.backends.neo4j.writer import _constants

    whole = pd.Series(pd.to_datetime(["2019-01-01 04:40", None]))
    assert _iso(whole) == ["2019-01-01T04:40:00", None]
    fine = pd.Series(pd.to_datetime(["2019-01-01 04:40", "2019-01-01 00:00:00.000000001"], format="ISO8601"))
    assert _iso(fine) == ["2019-01-01T04:40:00.000000000", "2019-01-01T00:00:00.000000001"]
    cols = [("kind", False), ("_file", False), ("_row", False)]
    one = pd.DataFrame({"kind": ["a", "b"], "_file": ["x.csv", "x.csv"], "_row": [2, 3]})
    assert _constants(one, cols) == ([("kind", False), ("_row", False)], {"_file": "x.csv"})
    two = one.assign(_file=["x.csv", "y.csv"])
    assert _constants(two, cols) == (cols, {})


@pytest.mark.slow
def test_round_trip_synthetic_city(neo4j_db):
    from umbrella_graph.synth import generate_city

    case = generate_city(people=1500, seed=7).case
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False, batch_size=5000)
    assert from_neo4j(neo4j_db.driver, database=neo4j_db.database).case.equals(case)


def test_stored_model(neo4j_db):
    """Labels, Official, provenance and record properties as docs/neo4j.md describes them."""
    case = make_case(seed=1)
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    q = neo4j_db.driver.execute_query
    off = case.official_ids()
    got = q("MATCH (p:Official) RETURN p.id AS id ORDER BY id", database_=neo4j_db.database).records
    assert [r["id"] for r in got] == off
    tx = case["transactions"].iloc[5]
    rec = q("MATCH (a:Person|Company)-[r:PAID {id: $id}]->(b) RETURN a.id AS a, b.id AS b, r AS r",
            {"id": tx["id"]}, database_=neo4j_db.database).records
    assert len(rec) == 1
    r = rec[0]
    assert (r["a"], r["b"]) == (tx["src"], tx["dst"])
    assert r["r"]["amount"] == tx["amount"] and r["r"]["_row"] == tx["_row"] and r["r"]["_file"] == tx["_file"]
    assert pd.Timestamp(r["r"]["date"].to_native()) == tx["date"].floor("us")
    # every node has the Entity label and a unique id per label
    n_entity = q("MATCH (n:Entity) RETURN count(n) AS n", database_=neo4j_db.database).records[0]["n"]
    assert n_entity == build_graph(case).number_of_nodes()
    cons = q("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type", database_=neo4j_db.database).records
    unique = {(c["labelsOrTypes"][0], c["properties"][0]) for c in cons if c["type"] == "UNIQUENESS"}
    assert {("Person", "id"), ("Gang", "id"), ("Entity", "id"), ("CaseMeta", "key")} <= unique


# ---------------------------------------------------------------------------------------
# idempotency, replacing, interrupted loads
# ---------------------------------------------------------------------------------------
def test_loading_twice_is_idempotent(neo4j_db):
    case = make_case(seed=2)
    first = to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False, batch_size=97)
    counts = _counts(neo4j_db)
    second = to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False, batch_size=50)
    assert _counts(neo4j_db) == counts
    assert (second.nodes_created, second.rels_created) == (0, 0)
    assert (second.nodes_present, second.rels_present) == (first.nodes_created, first.rels_created)
    assert first.batches > 10
    text = repr(second)
    assert "0 created" in text and f"{first.rels_created:,} already present" in text
    assert "<table" in second._repr_html_()
    assert from_neo4j(neo4j_db.driver, database=neo4j_db.database).case.equals(case)


def test_a_different_case_is_refused_unless_replace(neo4j_db):
    a, b = make_case(seed=4, people=40), make_case(seed=5, people=45)
    assert case_fingerprint(a) != case_fingerprint(b)
    assert case_fingerprint(a) == case_fingerprint(make_case(seed=4, people=40))
    to_neo4j(a, neo4j_db.driver, database=neo4j_db.database, progress=False)
    before = _counts(neo4j_db)
    with pytest.raises(BackendError, match="already holds a different case.*replace=True"):
        to_neo4j(b, neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert _counts(neo4j_db) == before
    s = to_neo4j(b, neo4j_db.driver, database=neo4j_db.database, progress=False, replace=True)
    assert s.replaced and s.nodes_present == 0
    assert from_neo4j(neo4j_db.driver, database=neo4j_db.database).case.equals(b)


def test_foreign_data_is_refused(neo4j_db):
    neo4j_db.driver.execute_query("CREATE (:Thing {name: 'not ours'})", database_=neo4j_db.database)
    with pytest.raises(BackendError, match="1 nodes not loaded by umbrella-graph"):
        to_neo4j(make_case(), neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert _counts(neo4j_db) == (1, 0)


def test_from_neo4j_needs_a_complete_load(neo4j_db):
    with pytest.raises(BackendError, match="holds no umbrella-graph case"):
        from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    case = make_case(seed=6, people=40, transactions=50)
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    neo4j_db.driver.execute_query("MATCH (m:CaseMeta) SET m.status = 'loading'", database_=neo4j_db.database)
    with pytest.raises(BackendError, match="did not finish: run to_neo4j"):
        from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    # rerunning completes it
    s = to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert s.rels_created == 0
    assert from_neo4j(neo4j_db.driver, database=neo4j_db.database).case.equals(case)
    # records deleted behind our back are detected, and a rerun writes them again
    neo4j_db.driver.execute_query("MATCH ()-[r:PAID]->() WITH r LIMIT 7 DELETE r", database_=neo4j_db.database)
    with pytest.raises(BackendError, match="table transactions has 43 records in the store but 50"):
        from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    s = to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert s.rels_created == 7
    assert from_neo4j(neo4j_db.driver, database=neo4j_db.database).case.equals(case)


@pytest.mark.slow
def test_interrupted_load_can_be_rerun(tmp_path):
    """Stop the server in the middle of a load, restart it on the same store, rerun."""
    state = tmp_path / "state.json"
    uri = start_local(state)
    case = make_case(seed=8, people=200, transactions=4000)
    graph = build_graph(case)
    home = json.loads(state.read_text())["home"]
    try:
        driver = connect(uri, "neo4j", "umbrella-test", max_transaction_retry_time=1.0)
        errors: list[BaseException] = []

        def load() -> None:
            try:
                to_neo4j(graph, driver, progress=False, batch_size=100)
            except BaseException as exc:  # noqa: BLE001 - handed to the test thread
                errors.append(exc)

        t = threading.Thread(target=load)
        t.start()
        deadline = time.monotonic() + 120
        with connect(uri, "neo4j", "umbrella-test") as probe:
            while time.monotonic() < deadline and t.is_alive():
                n = probe.execute_query("MATCH ()-[r:PAID]->() RETURN count(r) AS n").records[0]["n"]
                if n > 300:
                    break
                time.sleep(0.05)
        stopped = neo4j_local("stop", "--keep", state=state)
        assert stopped.returncode == 0, stopped.stderr
        t.join(180)
        driver.close()
        assert not t.is_alive()
        assert len(errors) == 1 and isinstance(errors[0], BackendError), errors
        assert any(w in str(errors[0]) for w in ("lost the connection", "became unavailable")), errors
        assert "run it again" in str(errors[0])
        # restart on the same store
        uri2 = start_local(state, "--home", home)
        with connect(uri2, "neo4j", "umbrella-test") as d2:
            with pytest.raises(BackendError, match="did not finish"):
                from_neo4j(d2)
            s = to_neo4j(graph, d2, progress=False, batch_size=5000)
            assert s.rels_present > 300 and s.rels_created > 0
            assert s.rels_present + s.rels_created == graph.number_of_edges()
            n_nodes = d2.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"]
            n_rels = d2.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
            assert (n_nodes, n_rels) == (graph.number_of_nodes() + 1, graph.number_of_edges())
            assert from_neo4j(d2).case.equals(case)
    finally:
        neo4j_local("stop", state=state)


# ---------------------------------------------------------------------------------------
# injection
# ---------------------------------------------------------------------------------------
NASTY = [
    "x'}) DETACH DELETE n //",
    '"}) DETACH DELETE n //',
    "`Person`) DETACH DELETE n //",
    "{id: 1}}) MATCH (n) DETACH DELETE n RETURN 1 //",
    "a\\'b\"c`d{e}f",
    "$rows",
    "王'五\"",
]


def test_injection_values_are_stored_verbatim(neo4j_db):
    people = pd.DataFrame({"id": NASTY + ["plain"], "name": list(reversed(NASTY)) + ["`}) DETACH DELETE n //"],
                           "village_id": [None] * (len(NASTY) + 1)})
    gangs = pd.DataFrame({"id": ["g'}) DETACH DELETE n //"], "name": ["{`}"]})
    members = pd.DataFrame({"person_id": [NASTY[0], NASTY[2]], "gang_id": ["g'}) DETACH DELETE n //"] * 2})
    officials = pd.DataFrame({"person_id": [NASTY[1]], "position": ["') DETACH DELETE n //"],
                              "unit": ["unit`}) DETACH DELETE n //"]})
    tx = pd.DataFrame({"id": ["t'}) DETACH DELETE n //"], "src": [NASTY[3]], "dst": [NASTY[4]], "amount": [1],
                       "date": ["2020-01-01"], "memo": ["'}) MATCH (n) DETACH DELETE n //"],
                       "weird `col`}) DETACH DELETE n //": ["extra"]})
    case = case_from_frames(people=people, gangs=gangs, members=members, officials=officials, transactions=tx,
                            name="'}) DETACH DELETE n //")
    graph = build_graph(case)
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    before = _counts(neo4j_db)
    assert before == (graph.number_of_nodes() + 1, graph.number_of_edges())
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert _counts(neo4j_db) == before
    got = neo4j_db.driver.execute_query("MATCH (p:Person) RETURN p.id AS id, p.name AS name ORDER BY id",
                                        database_=neo4j_db.database).records
    stored = {r["id"]: r["name"] for r in got}
    assert stored == dict(zip(people["id"], people["name"], strict=True))
    back = from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    assert back.case.equals(case)
    assert back.case.name == "'}) DETACH DELETE n //"
    assert back.case["transactions"]["weird `col`}) DETACH DELETE n //"].tolist() == ["extra"]
    nb = Neo4jBackend(neo4j_db.driver, neo4j_db.database)
    assert nb.neighbourhood(NASTY[0])["id"].tolist() == [NASTY[0], "g'}) DETACH DELETE n //"]
    assert nb.money_flow(NASTY[3])["counterparty_id"].tolist() == [NASTY[4]]
    assert _counts(neo4j_db) == before


def test_reserved_extra_columns_are_refused(neo4j_db):
    case = case_from_frames(people=pd.DataFrame({"id": ["a"], "name": ["x"], "_primary": ["y"]}))
    with pytest.raises(ParameterError, match="_primary"):
        to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    assert _counts(neo4j_db) == (0, 0)


def test_only_whitelisted_names_reach_cypher():
    from umbrella_graph.backends.neo4j import cypher as nb

    with pytest.raises(ValueError):
        nb._label("Person) DETACH DELETE n //")
    with pytest.raises(ValueError):
        nb._rtype("PAID]->() DETACH DELETE")
    with pytest.raises(ValueError):
        nb._prop("date` = 1 //")
    with pytest.raises(ValueError):
        nb._prop("date\n")
    assert nb._label("Official") == "Official" and nb._rtype("PAID") == "PAID"


# ---------------------------------------------------------------------------------------
# score parity: the graph read from Neo4j scores exactly like the in-memory one
# ---------------------------------------------------------------------------------------
def _assert_same_scores(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 0
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(a.drop(columns=num), b.drop(columns=num))


def test_score_parity_sample(neo4j_db, sample_dir):
    from umbrella_graph.scoring import score_umbrellas

    case = load_case(sample_dir)
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    graph = from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    _assert_same_scores(score_umbrellas(build_graph(case), seed=0), score_umbrellas(graph, seed=0))


@pytest.mark.slow
def test_score_parity_synthetic_city(neo4j_db):
    from umbrella_graph.scoring import score_umbrellas
    from umbrella_graph.synth import generate_city

    case = generate_city(people=1200, seed=11).case
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    graph = from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    _assert_same_scores(score_umbrellas(build_graph(case), seed=0), score_umbrellas(graph, seed=0))


# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------
def test_wrong_password(neo4j_server):
    with pytest.raises(BackendError) as info:
        connect(neo4j_server.uri, neo4j_server.user, "not-the-password")
    msg = str(info.value)
    assert "refused the user name or password" in msg and "--password" in msg
    assert "not-the-password" not in msg and "\n" not in msg


def test_closed_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BackendError, match=f"cannot reach Neo4j at bolt://127.0.0.1:{port}.*running"):
        connect(f"bolt://127.0.0.1:{port}", "neo4j", "x", connection_timeout=3)


def test_bad_uri():
    with pytest.raises(BackendError, match="as a Neo4j URI"):
        connect("http://127.0.0.1:7474", "neo4j", "x")


def test_unknown_database(neo4j_server, neo4j_driver):
    with pytest.raises(BackendError, match="database 'nosuchdb' does not exist.*--database"):
        connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password, database="nosuchdb")
    with pytest.raises(BackendError, match="'nosuchdb' does not exist"):
        from_neo4j(neo4j_driver, database="nosuchdb")
    with pytest.raises(BackendError, match="'nosuchdb' does not exist"):
        to_neo4j(make_case(), neo4j_driver, database="nosuchdb", progress=False)


def test_gds_is_detected_not_required(neo4j_db):
    assert Neo4jBackend(neo4j_db.driver, neo4j_db.database).gds_version() is None


# ---------------------------------------------------------------------------------------
# scoring never imports neo4j
# ---------------------------------------------------------------------------------------
def test_scoring_does_not_import_neo4j():
    code = ("import sys, umbrella_graph, umbrella_graph.scoring, umbrella_graph.backends; "
            "from umbrella_graph import MemoryBackend; "
            "print(sorted(m for m in sys.modules if m == 'neo4j' or m.startswith('neo4j.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    code2 = "import sys, umbrella_graph; umbrella_graph.to_neo4j; print('neo4j' in sys.modules)"
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, check=True)
    assert out2.stdout.strip() == "True"


# ---------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------
def test_cli_load(neo4j_server, neo4j_db, sample_dir):
    from umbrella_graph.cli import main

    args = ["load", str(sample_dir), "--neo4j", neo4j_server.uri, "--user", neo4j_server.user,
            "--no-progress", "--batch-size", "3000"]
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    res = CliRunner().invoke(main, args, env=env)
    assert res.exit_code == 0, res.output
    assert "relationships" in res.output and "already present" in res.output
    case = load_case(sample_dir)
    assert from_neo4j(neo4j_db.driver, database=neo4j_db.database).case.equals(case)
    again = CliRunner().invoke(main, args, env=env)
    assert again.exit_code == 0 and "relationships 0 created" in again.output


@pytest.mark.parametrize("problem", ["password", "port", "database"])
def test_cli_errors_are_one_line(problem, neo4j_server, sample_dir):
    import socket

    from umbrella_graph.cli import main

    uri, password, extra = neo4j_server.uri, neo4j_server.password, []
    if problem == "password":
        password = "wrong-password"
    elif problem == "port":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            uri = f"bolt://127.0.0.1:{s.getsockname()[1]}"
    else:
        extra = ["--database", "nosuchdb"]
    res = CliRunner().invoke(main, ["load", str(sample_dir), "--neo4j", uri, "--no-progress", *extra],
                             env={"NEO4J_PASSWORD": password})
    assert res.exit_code == 3, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in res.output
    expected = {"password": "refused the user name or password", "port": "cannot reach",
                "database": "does not exist"}[problem]
    assert expected in lines[0]


def test_cli_score_from_neo4j(neo4j_server, neo4j_db, sample_dir, tmp_path):
    from umbrella_graph.cli import main

    to_neo4j(load_case(sample_dir), neo4j_db.driver, database=neo4j_db.database, progress=False)
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    res = CliRunner().invoke(main, ["score", "--neo4j", neo4j_server.uri, "-o", str(tmp_path / "neo.csv")], env=env)
    assert res.exit_code == 0, res.output
    res2 = CliRunner().invoke(main, ["score", str(sample_dir), "-o", str(tmp_path / "mem.csv")])
    assert res2.exit_code == 0, res2.output
    _assert_same_scores(pd.read_csv(tmp_path / "mem.csv"), pd.read_csv(tmp_path / "neo.csv"))
    both = CliRunner().invoke(main, ["score", str(sample_dir), "--neo4j", neo4j_server.uri], env=env)
    assert both.exit_code == 2 and "either CASE_DIR or --neo4j" in both.output
    neither = CliRunner().invoke(main, ["score"])
    assert neither.exit_code == 2
