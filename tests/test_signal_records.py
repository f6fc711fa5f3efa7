"""Signals carry their own records: every non-zero signal of a top pair cites records, and
each signal is recomputed from exactly the records it cites."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

import umbrella_graph as ug
from umbrella_graph import CaseGraph
from umbrella_graph.scoring import (
    RECORD_COLUMNS,
    UmbrellaClassifier,
    explain,
    pair_features,
    signal_records,
)
from umbrella_graph.scoring.facts import facts_of
from umbrella_graph.synth import generate_city

TOP = 20


def _check_pair(graph: CaseGraph, scores: pd.DataFrame, feats: pd.DataFrame, o: str, g: str) -> None:
    row = scores[(scores["official_id"] == o) & (scores["gang_id"] == g)].iloc[0]
    f = feats[(feats["official_id"] == o) & (feats["gang_id"] == g)].iloc[0]
    r = signal_records(graph, o, g)
    assert list(r.columns) == list(RECORD_COLUMNS)
    used = r[r["used"]]
    for name in ("money", "relay", "contracts", "contacts", "tipoff", "kinship", "member", "jurisdiction", "leads",
                 "ppr", "community", "link"):
        if row[f"contrib_{name}"] > 1e-9:
            assert (used["signal"] == name).any(), f"{o} x {g}: signal {name} cites no record"
    # recompute each evidence feature from the cited records alone
    def total(sig: str) -> float:
        return float(used.loc[used["signal"] == sig, "value"].sum())

    assert np.log1p(total("money")) == pytest.approx(f["money_amount"], abs=1e-6)
    assert np.log1p(total("relay")) == pytest.approx(f["relay_amount"], abs=1e-6)
    assert total("contacts") == pytest.approx(f["contact_weight"], abs=1e-6)
    assert total("contracts") == pytest.approx(f["contract_count"], abs=1e-6)
    assert total("leads") == pytest.approx(f["leads_gang"], abs=1e-9)
    mem = used.loc[used["signal"] == "member", "value"]
    assert (mem.max() if len(mem) else 0.0) == pytest.approx(f["member"])
    tip = used[used["signal"] == "tipoff"].drop_duplicates("event_id")
    best = float(tip["value"].max()) if len(tip) else 0.0
    if len(tip):
        ctx = facts_of(graph, "test")
        gi = list(ctx.gang_ids).index(g)
        n_ev = max(int((ctx.events["gang"].to_numpy() == gi).sum()), 1)
        # the pattern, recomputed here: the smallest P(Binomial(n, p(k)) >= k) over k >= 2
        p = np.sort(10.0 ** -np.minimum(tip["value"].to_numpy(dtype=float), 30.0))
        tails = [binom.sf(k - 1, max(n_ev, k), p[k - 1]) for k in range(2, len(p) + 1)]
        joint = -np.log10(min(1.0, min(tails) * max(n_ev - 1, 1))) if tails else 0.0
        best = max(min(best, 30.0), joint)
    assert best == pytest.approx(f["tipoff_score"], abs=1e-6)
    # pre-raid calls are flagged with their lead time and the event
    for rec in tip.itertuples(index=False):
        assert f"h before {rec.event_id} ({rec.event_kind})" in rec.note
        assert rec.lead_hours > 0
    # every cited record exists at its file and row
    for table, grp in used.groupby("table"):
        t = graph.case[str(table)]
        rows = set(zip(t["_file"].astype(str), t["_row"].astype(int), strict=True))
        assert set(zip(grp["file"].astype(str), grp["row"].astype(int), strict=True)) <= rows


def test_top_pairs_of_the_sample_cite_and_recompute(sample_graph: CaseGraph) -> None:
    scores = ug.score_umbrellas(sample_graph)
    feats = pair_features(sample_graph)
    for o, g in zip(scores["official_id"].head(TOP), scores["gang_id"].head(TOP), strict=True):
        _check_pair(sample_graph, scores, feats, o, g)


@pytest.mark.slow
def test_top_pairs_of_a_city_cite_and_recompute() -> None:
    graph = ug.build_graph(generate_city(people=5000, gangs=5, seed=3, difficulty="hard").case)
    scores = ug.score_umbrellas(graph)
    feats = pair_features(graph)
    for o, g in zip(scores["official_id"].head(TOP), scores["gang_id"].head(TOP), strict=True):
        _check_pair(graph, scores, feats, o, g)


def test_explain_shows_the_records_in_contribution_order(sample_graph: CaseGraph) -> None:
    ex = explain(sample_graph, "P0061", "G01")
    # the official's own membership row is cited for the member signal
    m = ex.signal_records("member")
    assert len(m) == 1 and m["table"].iat[0] == "members" and m["file"].iat[0] == "members.csv"
    order = ex.signals.sort_values("contribution", ascending=False, kind="stable")["signal"].tolist()
    seen = list(dict.fromkeys(ex.records["signal"]))
    assert seen == [s for s in order if s in seen]
    text = ex.to_text()
    assert "members.csv row" in text
    ex2 = explain(sample_graph, "P0241", "G03")
    assert "h before E0" in ex2.to_text()
    # money left out is shown with its reason
    left = ex.signal_records("money", used=False)
    assert len(left) and left["note"].str.startswith("left out:").all()


def test_explain_with_a_classifier_explains_its_probability(sample_graph: CaseGraph) -> None:
    labels = sample_graph.case["labels"]
    clf = UmbrellaClassifier(random_state=0).fit_graph(sample_graph, labels)
    s = ug.score_umbrellas(sample_graph, model=clf)
    row = s.iloc[0]
    ex = explain(sample_graph, row["official_id"], row["gang_id"], model=clf)
    assert ex.score == pytest.approx(float(row["score"]))
    assert ex.model == "classifier probability"
    c = ex.signals.set_index("signal")["contribution"]
    for name in c.index:
        assert c[name] == pytest.approx(float(row[f"contrib_{name}"]))


def test_network_records_compute_the_communities_once_per_case(sample_graph: CaseGraph, monkeypatch) -> None:
    """The network signals' records of an official with no record near the gang side fall
    back to his Leiden community: computed once per case and seed for all the pairs a
    report explains, and the records equal those computed afresh for each pair."""
    from umbrella_graph.scoring import clear_cache, records, structure

    scores = ug.score_umbrellas(sample_graph, all_pairs=True)
    calls = []
    real_labels, real_memo = structure.community_labels, records.case_memo

    def counting(A, seed):
        calls.append(seed)
        return real_labels(A, seed)

    monkeypatch.setattr(structure, "community_labels", counting)
    monkeypatch.setattr(records, "case_memo", lambda ctx: {})  # nothing kept: once per pair
    afresh = {}
    for p in zip(scores["official_id"][::-1], scores["gang_id"][::-1], strict=True):  # the weakest first
        n = len(calls)
        r = signal_records(sample_graph, *p)
        if len(calls) > n:
            afresh[p] = r
        if len(afresh) == 3:
            break
    assert len(afresh) == 3  # the sample has such pairs
    monkeypatch.setattr(records, "case_memo", real_memo)
    clear_cache()
    calls.clear()
    kept = {p: signal_records(sample_graph, *p) for p in afresh}
    assert calls == [0]  # one partition for all of them
    for p, r in afresh.items():
        pd.testing.assert_frame_equal(kept[p], r)
        assert (r["signal"] == "community").any()
