"""Scoring pushed to Neo4j (scoring.pushed, backends/neo4j/compute.py) against a real server.

The server selects and projects the records, computes the amount quantiles and groups the
member and lead features per pair; the scores must equal the in-memory engine's to 1e-9
(sample, a 3k city, a 20k city), without the read-back (from_neo4j) ever being called.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import build_graph, load_case
from umbrella_graph.backends import to_neo4j
from umbrella_graph.backends.neo4j import compute
from umbrella_graph.errors import BackendError, ParameterError
from umbrella_graph.scoring import PrecomputedFacts, score_in_neo4j, score_umbrellas
from umbrella_graph.scoring import pushed as pushed_mod
from umbrella_graph.scoring.facts import facts_of

pytestmark = pytest.mark.neo4j


def _assert_same_scores(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 0
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=0, atol=1e-9)
    pd.testing.assert_frame_equal(a.drop(columns=num), b.drop(columns=num))


@pytest.fixture
def no_read_back(monkeypatch):
    """Make every read-back path fail: the pushed scoring must not use it."""
    import umbrella_graph.backends as backends
    import umbrella_graph.backends.neo4j as neo4j_pkg
    from umbrella_graph.backends.neo4j import backend, reader
    from umbrella_graph.cli import neo4j_cmds

    def boom(*args, **kwargs):
        raise AssertionError("the pushed scoring read the whole case back")

    for mod in (reader, neo4j_pkg, backend, backends):
        monkeypatch.setattr(mod, "from_neo4j", boom, raising=False)
    monkeypatch.setattr(backend.Neo4jBackend, "to_graph", boom)
    monkeypatch.setattr(neo4j_cmds, "graph_from_neo4j", boom)


def _check(db, case, seed=0):
    """Load ``case``, score it in memory and pushed, and compare everything."""
    to_neo4j(case, db.driver, database=db.database, progress=False)
    graph = build_graph(case)
    want = score_umbrellas(graph, seed=seed)
    got = score_in_neo4j(db.driver, database=db.database, seed=seed)
    _assert_same_scores(want, got)
    # the server's aggregates are the in-memory values, to the bit
    facts = pushed_mod.neo4j_facts(db.driver, database=db.database)
    ctx = facts_of(graph, "test")
    tx = ctx.tx
    ordinary = tx["amount"].to_numpy(float)[~tx["kin"].to_numpy() & ~tx["wage"].to_numpy()]
    assert set(facts.amount_quantiles) == set(pushed_mod.AMOUNT_QUANTILES)
    for q, v in facts.amount_quantiles.items():
        assert v == float(np.quantile(ordinary, q)), q
    return want, got, facts


def test_pushed_parity_sample(neo4j_db, sample_dir, no_read_back):
    _, _, facts = _check(neo4j_db, load_case(sample_dir))
    assert facts.source == "neo4j" and len(facts.leads_gang) + len(facts.leads_other) > 0


def test_pushed_parity_3k_city(neo4j_db, no_read_back):
    from umbrella_graph.synth import generate_city

    _, got, facts = _check(neo4j_db, generate_city(people=3000, gangs=3, seed=7).case, seed=3)
    assert (got["score"] > 0).any()


@pytest.mark.slow
def test_pushed_parity_20k_city(neo4j_db, no_read_back):
    from umbrella_graph.synth import generate_city

    want, got, _ = _check(neo4j_db, generate_city(people=20000, gangs=8, seed=7).case)
    assert len(got) == len(want) > 100  # the candidate pairs (issue 15 item 1)


def test_projection_leaves_names_and_text_on_the_server(neo4j_db, sample_dir):
    case = load_case(sample_dir)
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    proj = compute.read_scoring_case(neo4j_db.driver, database=neo4j_db.database)
    for table, omitted in compute.SCORING_OMITTED.items():
        if not case.has(table):
            continue
        df = proj[table]
        assert len(df) == len(case[table])
        for col in omitted:
            if col == "name":  # required: the id stands in
                assert df["name"].astype(str).tolist() == df["id"].astype(str).tolist()
            else:
                assert col not in df.columns or df[col].isna().all(), (table, col)
    # the columns the scorer reads are the stored ones, in load order
    pd.testing.assert_series_equal(proj["transactions"]["amount"], case["transactions"]["amount"])
    assert proj["contacts"]["time"].equals(case["contacts"]["time"])


def test_quantile_from_window_is_numpy_exact():
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 7, 100, 1001):
        a = np.sort(np.round(rng.lognormal(7, 2, n), 2))
        for q in (0.0, 0.1, 0.5, 0.7, 0.8, 0.9, 0.93, 0.985, 1.0):
            f = int(np.floor(q * (n - 1)))
            start = max(f - 1, 0)
            assert compute.quantile_from_window(n, q, start, a[start:start + 4].tolist()) == float(np.quantile(a, q))


def test_precomputed_facts_checked(sample_graph):
    with pytest.raises(ParameterError, match="member"):
        PrecomputedFacts(member=pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="precomputed"):
        score_umbrellas(sample_graph, precomputed={"amount_quantiles": {}})  # type: ignore[arg-type]
    other = PrecomputedFacts(member=pd.DataFrame({"official_id": ["nobody"], "gang_id": ["G1"], "weight": [1.0]}))
    with pytest.raises(ParameterError, match="another case") as info:
        score_umbrellas(build_graph(sample_graph.case), precomputed=other)
    assert "nobody" not in str(info.value)
    # the facts are used, and only by the call they are given to: the cached contexts
    # (keyed by the graph's content) never hold them
    plain = score_umbrellas(sample_graph, seed=0)
    from umbrella_graph.scoring.pushed import AMOUNT_QUANTILES

    ctx = facts_of(sample_graph, "test")
    skewed = PrecomputedFacts(amount_quantiles={q: ctx.amount_at(q) * 50 for q in AMOUNT_QUANTILES})
    other_scores = score_umbrellas(sample_graph, seed=0, precomputed=skewed)
    assert not np.allclose(other_scores.set_index(["official_id", "gang_id"]).sort_index()["sig_money"],
                           plain.set_index(["official_id", "gang_id"]).sort_index()["sig_money"])
    pd.testing.assert_frame_equal(score_umbrellas(sample_graph, seed=0), plain)
    pd.testing.assert_frame_equal(score_umbrellas(build_graph(sample_graph.case), seed=0), plain)


def test_empty_database_is_a_clear_error(neo4j_db):
    with pytest.raises(BackendError, match="holds no umbrella-graph case"):
        score_in_neo4j(neo4j_db.driver, database=neo4j_db.database)


def test_cli_score_neo4j_is_pushed(neo4j_server, neo4j_db, sample_dir, tmp_path, no_read_back):
    from umbrella_graph.cli import main

    to_neo4j(load_case(sample_dir), neo4j_db.driver, database=neo4j_db.database, progress=False)
    env = {"NEO4J_PASSWORD": neo4j_server.password}
    res = CliRunner().invoke(main, ["score", "--neo4j", neo4j_server.uri, "-o", str(tmp_path / "neo.csv")], env=env)
    assert res.exit_code == 0, res.output
    mem = CliRunner().invoke(main, ["score", str(sample_dir), "-o", str(tmp_path / "mem.csv")])
    assert mem.exit_code == 0, mem.output
    _assert_same_scores(pd.read_csv(tmp_path / "mem.csv"), pd.read_csv(tmp_path / "neo.csv"))
    # the printed top shows display names, fetched for those rows only
    top = CliRunner().invoke(main, ["score", "--neo4j", neo4j_server.uri, "--top", "3"], env=env)
    shown = CliRunner().invoke(main, ["score", str(sample_dir), "--top", "3"])
    assert top.exit_code == 0 and top.output == shown.output
