"""Candidate generation (issue 15): scoring only the pairs with an evidence path loses nothing.

* every candidate's features, signals and score are identical to the dense path
  (``all_pairs=True``, which is what the golden files pin) on the sample and on the 20k
  city of tests/golden;
* every pair that is not a candidate has every evidence feature zero under the dense
  path (the proof that pruning loses no evidence), on those cases and on random small
  cities (hypothesis);
* the blocked walks give the same values whatever the block and thread count, and the
  scorer's truncated walks at the held pairs equal the walk over every node;
* a step that would not fit in memory stops with a clear error first.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import umbrella_graph as ug
from umbrella_graph import algorithms, walks
from umbrella_graph.errors import InsufficientMemoryError, ParameterError
from umbrella_graph.scoring import FEATURES, candidate_pairs, pair_features, score_umbrellas
from umbrella_graph.scoring.candidates import CHANNELS_OF_EVIDENCE
from umbrella_graph.scoring.score import SIGNALS
from umbrella_graph.scoring.signals import _channel
from umbrella_graph.synth import generate_city

#: The golden 20k city (tests/golden/make_golden.py).
CITY = {"people": 20_000, "gangs": 8, "seed": 7}
#: Features fed by evidence records (each maps to a channel of CHANNELS_OF_EVIDENCE); the
#: others describe the official or the gang alone (volumes, totals, expectations) or the
#: structure (walks, communities, brokerage, link prediction).
_CONTEXT = {"contract_total", "contract_expected", "contact_volume", "contact_expected", "leads_other",
            "ppr", "community", "brokerage", "link_aa", "link_ra"}
EVIDENCE_FEATURES = [f for f in FEATURES if f not in _CONTEXT]
EVIDENCE_SIGNALS = [s.name for s in SIGNALS if s.name not in ("ppr", "community", "link", "brokerage")]
KEY = ["official_id", "gang_id"]


@pytest.fixture(scope="module")
def city_graph() -> ug.CaseGraph:
    return ug.build_graph(generate_city(**CITY).case)


@pytest.fixture(params=["sample", "city20k"])
def graph(request: pytest.FixtureRequest, sample_graph: ug.CaseGraph, city_graph: ug.CaseGraph) -> ug.CaseGraph:
    return sample_graph if request.param == "sample" else city_graph


def _assert_same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """``got``'s rows equal the rows of ``want`` with the same pair (floats to 1e-12)."""
    m = got.merge(want, on=KEY, how="left", suffixes=("", "_dense"), indicator=True)
    assert (m["_merge"] == "both").all()
    for c in got.columns:
        if c in KEY or c == "rank":
            continue
        a, b = m[c], m[f"{c}_dense"]
        if pd.api.types.is_float_dtype(a):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-12, atol=0, err_msg=c)
        else:
            assert a.astype(str).tolist() == b.astype(str).tolist(), c


def test_candidate_scores_are_the_dense_scores(graph: ug.CaseGraph) -> None:
    sparse = score_umbrellas(graph, seed=0)
    dense = score_umbrellas(graph, seed=0, all_pairs=True)
    assert sparse.attrs["pairs_not_scored"] + len(sparse) == len(dense)
    assert dense.attrs["pairs_not_scored"] == 0
    _assert_same_rows(sparse, dense)
    # the ranking among candidates is the dense ranking restricted to them
    order = dense.merge(sparse[KEY], on=KEY)["rank"].to_numpy()
    assert (np.diff(order) > 0).all()
    assert sparse["rank"].tolist() == list(range(1, len(sparse) + 1))


def test_candidate_features_are_the_dense_features(graph: ug.CaseGraph) -> None:
    sparse = pair_features(graph)
    dense = pair_features(graph, all_pairs=True)
    assert len(sparse) + sparse.attrs["pairs_not_scored"] == len(dense)
    _assert_same_rows(sparse, dense)
    assert sparse[KEY].equals(sparse.sort_values(KEY)[KEY].reset_index(drop=True))


def test_pairs_left_out_have_no_evidence(graph: ug.CaseGraph) -> None:
    cand = candidate_pairs(graph)
    dense = pair_features(graph, all_pairs=True)
    rest = dense.merge(cand[KEY], on=KEY, how="left", indicator=True)
    rest = rest[rest["_merge"] == "left_only"]
    assert len(rest) == cand.attrs["pairs_not_scored"] > 0
    assert (rest[EVIDENCE_FEATURES].to_numpy() == 0).all()
    scores = score_umbrellas(graph, all_pairs=True).merge(rest[KEY], on=KEY)
    assert (scores[[f"sig_{s}" for s in EVIDENCE_SIGNALS]].to_numpy() == 0).all()
    # every evidence feature maps to a channel; every channel of a candidate is named
    for f in EVIDENCE_FEATURES:
        assert CHANNELS_OF_EVIDENCE[_channel(f)]
    assert cand["via"].str.len().gt(0).all()
    assert set("; ".join(cand["via"]).split("; ")) <= set(CHANNELS_OF_EVIDENCE)


def test_restrictions_select_the_same_rows(city_graph: ug.CaseGraph) -> None:
    full = score_umbrellas(city_graph)
    dense = score_umbrellas(city_graph, all_pairs=True)
    gang = sorted(full["gang_id"].unique())[1]
    offs = sorted(full.loc[full["gang_id"] == gang, "official_id"].unique())[:3]
    one = score_umbrellas(city_graph, gangs=[gang])
    _assert_same_rows(one, full)
    assert set(one["gang_id"]) == {gang}
    assert len(one) + one.attrs["pairs_not_scored"] == dense["official_id"].nunique()
    grid = score_umbrellas(city_graph, gangs=[gang], officials=offs, all_pairs=True)
    assert len(grid) == len(offs)
    _assert_same_rows(grid, dense)
    X = pair_features(city_graph, officials=offs[::-1], gangs=[gang])
    D = pair_features(city_graph, officials=offs[::-1], gangs=[gang], all_pairs=True)
    assert X["official_id"].tolist() == [o for o in D["official_id"] if o in set(X["official_id"])]


def test_a_non_candidate_can_still_be_scored_and_explained(city_graph: ug.CaseGraph) -> None:
    cand = candidate_pairs(city_graph)
    dense = score_umbrellas(city_graph, all_pairs=True)
    rest = dense.merge(cand[KEY], on=KEY, how="left", indicator=True)
    row = rest[rest["_merge"] == "left_only"].iloc[0]
    e = ug.explain(city_graph, row["official_id"], row["gang_id"], k=1)
    assert e.score == pytest.approx(row["score"], rel=1e-12, abs=0)


def test_candidate_pairs_restriction_and_errors(sample_graph: ug.CaseGraph) -> None:
    c = candidate_pairs(sample_graph, gangs=["G01"])
    assert set(c["gang_id"]) <= {"G01"}
    assert c.attrs["pairs_total"] == len(c) + c.attrs["pairs_not_scored"]
    with pytest.raises(ParameterError):
        candidate_pairs(sample_graph, gangs=["no such gang"])
    with pytest.raises(ParameterError, match="all_pairs"):
        score_umbrellas(sample_graph, all_pairs="yes")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="progress"):
        pair_features(sample_graph, progress=1)  # type: ignore[arg-type]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=st.integers(400, 1500), gangs=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_pruning_loses_nothing_on_random_cities(people: int, gangs: int, seed: int) -> None:
    g = ug.build_graph(generate_city(people=people, gangs=gangs, seed=seed).case)
    dense = pair_features(g, all_pairs=True)
    sparse = pair_features(g)
    _assert_same_rows(sparse, dense)
    rest = dense.merge(sparse[KEY], on=KEY, how="left", indicator=True)
    rest = rest[rest["_merge"] == "left_only"]
    assert (rest[EVIDENCE_FEATURES].to_numpy() == 0).all()


def test_blocked_walks_do_not_change_values(city_graph: ug.CaseGraph) -> None:
    from umbrella_graph.scoring.facts import facts_of
    from umbrella_graph.scoring.structure import _seed_matrix

    ctx = facts_of(city_graph, "test")
    A, P = ctx.structure, _seed_matrix(ctx)
    whole = algorithms.personalized_pagerank_many(A, P, tol=1e-8)
    nodes = ctx.official_pos[::7]
    one = algorithms.personalized_pagerank_many(A, P, tol=1e-8, nodes=nodes, max_bytes=3 * 8 * A.shape[0])
    two = algorithms.personalized_pagerank_many(A, P, tol=1e-8, nodes=nodes, max_bytes=3 * 8 * 3 * A.shape[0],
                                                n_jobs=2)
    assert np.array_equal(one, whole[:, nodes])
    assert np.array_equal(two, whole[:, nodes])
    with pytest.raises(ParameterError, match="max_bytes"):
        algorithms.personalized_pagerank_many(A, P, max_bytes=0)


def test_scorer_walks_are_the_truncated_walk_at_the_held_pairs(city_graph: ug.CaseGraph) -> None:
    """The ``ppr`` feature reads the walk cut at WALK_STEPS at each held pair: the same
    bits as the walk computed over every node."""
    from umbrella_graph.scoring.facts import facts_of
    from umbrella_graph.scoring.structure import WALK_ALPHA, WALK_STEPS, _seed_matrix

    ctx = facts_of(city_graph, "test")
    A, P = ctx.structure, _seed_matrix(ctx)
    off, gang = (np.asarray(a) for a in ug.scoring.signals.candidate_index(ctx))
    whole = walks.truncated_pagerank_many(A, P, steps=WALK_STEPS, alpha=WALK_ALPHA)
    visit = whole[gang, ctx.official_pos[off]]
    X = pair_features(city_graph)
    deg = np.asarray(A.sum(axis=1)).ravel()
    want = np.round(np.log10((visit + 1e-12) / (deg[ctx.official_pos[off]] / deg.sum() + 1e-12)), 10)
    np.testing.assert_array_equal(X["ppr"].to_numpy(), want)
    assert X["ppr"].nunique() > 100


def test_memory_error_before_the_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A case too large for the machine stops before its facts, naming the step and its size."""
    from umbrella_graph.scoring.facts import SCORING_BYTES_PER_EDGE, case_facts

    g = ug.build_graph(generate_city(people=700, gangs=2, seed=12).case)
    need = SCORING_BYTES_PER_EDGE * len(g.edges)
    monkeypatch.setenv("UMBRELLA_GRAPH_MEMORY_LIMIT", str(need - 1))
    with pytest.raises(InsufficientMemoryError, match="still derives these facts") as err:
        case_facts(g)
    assert err.value.step == f"scoring a case of {len(g.edges):,} graph edges in memory"
    assert err.value.needed == need
    monkeypatch.setenv("UMBRELLA_GRAPH_MEMORY_LIMIT", str(need))
    assert case_facts(g).n_gangs == 2


def test_memory_error_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    g = ug.build_graph(generate_city(people=800, gangs=2, seed=11).case)
    score_umbrellas(g)  # the facts (cached by content) fit; the dense grid below does not
    monkeypatch.setenv("UMBRELLA_GRAPH_MEMORY_LIMIT", "1K")
    with pytest.raises(InsufficientMemoryError, match='engine="spark"') as err:
        score_umbrellas(g, all_pairs=True)
    assert isinstance(err.value, MemoryError) and isinstance(err.value, ug.UmbrellaGraphError)
    assert "pair features" in err.value.step and err.value.needed > err.value.available == 1024
    with pytest.raises(InsufficientMemoryError, match="walks"):
        algorithms.personalized_pagerank_many(np.ones((40, 40)), [[0], [1]])
    monkeypatch.setenv("UMBRELLA_GRAPH_MEMORY_LIMIT", "lots")
    with pytest.raises(ParameterError, match="UMBRELLA_GRAPH_MEMORY_LIMIT"):
        ug.scoring.facts.case_facts(g)  # not cached: always checks
    monkeypatch.setenv("UMBRELLA_GRAPH_MEMORY_LIMIT", "64G")
    assert len(score_umbrellas(g)) > 0  # nothing was left half-done


def test_progress_bars(sample_graph: ug.CaseGraph, capsys: pytest.CaptureFixture[str]) -> None:
    from umbrella_graph.scoring import clear_cache

    clear_cache()  # the prepared case is cached by content: start afresh each time
    quiet = score_umbrellas(sample_graph)
    assert capsys.readouterr().err == ""
    clear_cache()
    loud = score_umbrellas(sample_graph, progress=True)
    err = capsys.readouterr().err
    assert "evidence" in err and "walks" in err
    pd.testing.assert_frame_equal(quiet, loud)


def test_cli_all_pairs_and_progress(sample_dir: Path, tmp_path: Path) -> None:
    from umbrella_graph.cli import main

    out = tmp_path / "s.csv"
    r = CliRunner().invoke(main, ["score", str(sample_dir), "-o", str(out), "--no-progress"])
    assert r.exit_code == 0, r.output
    some = pd.read_csv(out)
    assert "without any evidence path not scored" in r.output
    r = CliRunner().invoke(main, ["score", str(sample_dir), "-o", str(out), "--all-pairs", "--progress"])
    assert r.exit_code == 0, r.output
    every = pd.read_csv(out)
    assert len(every) > len(some)
    assert set(map(tuple, some[KEY].to_numpy())) <= set(map(tuple, every[KEY].to_numpy()))
