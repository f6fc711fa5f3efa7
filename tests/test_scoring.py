"""Umbrella scoring: pair features, gang-side inference, the unsupervised score.

Three kinds of cases:

* a small hand-built case (``mini``) where each confounder is planted exactly once:
  an umbrella, an investigator who calls members only after raids, an official whose
  brother is a peripheral member, an official bribed by a businessman with no gang
  ties, and an isolated official;
* the bundled sample case (data/samples/qinghe), whose README tells its stories;
* a small synthetic city (medium difficulty).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import umbrella_graph as ug
from umbrella_graph.baselines import baseline_scores
from umbrella_graph.errors import ParameterError
from umbrella_graph.metrics import evaluate
from umbrella_graph.scoring import (
    FEATURES,
    SIGNALS,
    clear_cache,
    infer_gang_side,
    pair_features,
    score_umbrellas,
)
from umbrella_graph.scoring.gangside import gang_companies
from umbrella_graph.synth import SynthCity, generate_city

T0 = pd.Timestamp("2021-01-01")


def _t(days: float, hour: float = 12.0) -> str:
    return str(T0 + pd.Timedelta(days=days) + pd.Timedelta(hours=hour))


def mini_case(twins_of_iso: tuple[str, ...] = ()) -> ug.Case:
    """A hand-built case with one gang and one of each kind of official.

    ``twins_of_iso`` adds officials identical to the isolated official ``ISO`` (same post,
    same village, no records), listed *before* everyone else, so their scores tie exactly
    and the input order differs from the id order.
    """
    rng = np.random.default_rng(7)
    gang = ["L", "C1", "M1", "M2", "M3", "M4"]
    officials = ["A", "INV", "R", "X", "ISO"]
    background = [f"B{i:02d}" for i in range(40)]
    people = gang + officials + ["AS", "Z"] + background
    villages = pd.DataFrame({"id": ["V0", "V1", "V2", "V3"], "name": ["市", "镇", "村", "远村"],
                             "parent_id": [None, "V0", "V1", "V0"],
                             "level": ["city", "town", "village", "village"]})
    ppl = pd.DataFrame({"id": people, "name": [f"人{i}" for i in range(len(people))],
                        "village_id": ["V3" if p == "ISO" else "V2" for p in people]})
    posts = pd.DataFrame({
        "person_id": officials,
        "position": ["村党支部书记", "刑侦大队侦查员", "副镇长", "城建办主任", "村委会主任"],
        "unit": ["村党支部", "刑侦大队", "镇政府", "城建办", "远村村委会"],
        "jurisdiction_id": ["V2", "V1", "V1", "V1", "V3"],
    })
    gangs = pd.DataFrame({"id": ["G1"], "name": ["帮"], "kind": ["敲诈勒索"], "village_id": ["V2"]})
    members = pd.DataFrame({"person_id": gang, "gang_id": "G1",
                            "role": ["leader", "core", "member", "member", "member", "member"]})
    companies = pd.DataFrame({"id": ["CG", "CZ"], "name": ["帮公司", "正经公司"], "village_id": ["V2", "V1"],
                              "sector": ["建材", "建筑"]})
    roles = pd.DataFrame({"person_id": ["L", "M1", "M2", "Z"], "company_id": ["CG", "CG", "CG", "CZ"],
                          "role": ["owner", "employee", "employee", "owner"]})
    ties = pd.DataFrame({"src": ["A", "R", "L", "M1"], "dst": ["AS", "M4", "C1", "M2"],
                         "kind": ["spouse", "sibling", "friend", "friend"]})
    raids = [59, 151, 243]  # days after T0
    events = pd.DataFrame({"id": ["E1", "E2", "E3"], "kind": "raid",
                           "time": [_t(d, 23) for d in raids], "gang_id": "G1"})
    ct: list[tuple[str, str, str, str]] = []
    tx: list[tuple[str, str, float, str]] = []
    # the gang's life: members call the leader and the core member at night
    for m in gang[1:]:
        for d in rng.integers(0, 360, 10):
            ct.append((m, "L" if rng.random() < 0.6 else "C1", "call", _t(int(d), 22)))
        for d in rng.integers(0, 360, 4):
            tx.append(("L", m, 3000.0, _t(int(d), 21)))
    # everyone has ordinary contacts with the background
    for p in officials[:-1] + ["AS", "Z"] + gang:
        for b in rng.choice(background, 20):
            ct.append((p, str(b), "call", _t(int(rng.integers(0, 360)), 10)))
    for _ in range(200):
        a, b = rng.choice(background, 2, replace=False)
        ct.append((str(a), str(b), "call", _t(int(rng.integers(0, 360)), 15)))
        tx.append((str(a), str(b), float(rng.integers(50, 800)), _t(int(rng.integers(0, 360)), 16)))
    # the umbrella: calls the leader hours before every raid, meets him, takes money
    for d in raids:
        ct.append(("A", "L", "call", _t(d, 21)))
    for d in (20, 100, 200, 300, 330, 350):
        ct.append(("A", "L", "meeting", _t(d, 19)))
    for d in (30, 120, 280):
        tx.append(("C1", "A", 30000.0, _t(d, 20)))
    tx.append(("CG", "AS", 50000.0, _t(140, 20)))
    # the investigator: many calls and meetings with members, all in the days after raids
    for d in raids:
        for j, m in enumerate(["M1", "M2", "M3", "C1", "M1", "M2", "M3", "C1"]):
            ct.append(("INV", m, "call" if j % 3 else "meeting", _t(d + 1 + j, 10)))
    # the innocent relative: family calls and small family money with his brother
    for d in rng.integers(0, 360, 15):
        ct.append(("R", "M4", "call", _t(int(d), 19)))
    tx += [("R", "M4", 2000.0, _t(40, 12)), ("M4", "R", 2000.0, _t(90, 12)), ("R", "M4", 1500.0, _t(200, 12))]
    # corruption with no gang: the businessman pays the construction-office head
    for d in (50, 150, 250):
        tx.append(("Z", "X", 40000.0, _t(d - 5, 20)))
        ct.append(("Z", "X", "meeting", _t(d - 6, 20)))
    contracts = pd.DataFrame({
        "id": ["K1", "K2", "K3", "K4", "K5"],
        "issuer_id": ["城建办", "城建办", "城建办", "V2", "V2"],
        "approver_id": ["X", "X", "X", "A", "A"],
        "company_id": ["CZ", "CZ", "CZ", "CG", "CG"],
        "amount": [500000, 450000, 600000, 300000, 350000],
        "date": ["2021-02-19", "2021-05-30", "2021-09-07", "2021-04-01", "2021-08-01"],
    })
    contacts = pd.DataFrame(ct, columns=["src", "dst", "kind", "time"])
    transactions = pd.DataFrame(tx, columns=["src", "dst", "amount", "date"])
    if twins_of_iso:
        twins = list(twins_of_iso)
        ppl = pd.concat([pd.DataFrame({"id": twins, "name": [f"孤{i}" for i in range(len(twins))],
                                       "village_id": "V3"}), ppl], ignore_index=True)
        posts = pd.concat([pd.DataFrame({"person_id": twins, "position": "村委会主任",
                                         "unit": "远村村委会", "jurisdiction_id": "V3"}), posts],
                          ignore_index=True)
    return ug.case_from_frames(
        people=ppl, villages=villages, officials=posts, gangs=gangs, members=members, companies=companies,
        company_roles=roles, ties=ties, events=events, contacts=contacts, transactions=transactions,
        contracts=contracts, name="mini")


@pytest.fixture(scope="module")
def mini() -> ug.CaseGraph:
    return ug.build_graph(mini_case())


@pytest.fixture(scope="module")
def city() -> SynthCity:
    return generate_city(people=1500, gangs=3, seed=11, difficulty="medium")


def _score(scores: pd.DataFrame, o: str, g: str) -> float:
    return float(scores.loc[(scores["official_id"] == o) & (scores["gang_id"] == g), "score"].iloc[0])


# ----------------------------------------------------------------------------- the contract
def test_columns_ranks_and_contributions(mini: ug.CaseGraph) -> None:
    s = score_umbrellas(mini, all_pairs=True)
    names = [sig.name for sig in SIGNALS]
    expected = ["official_id", "gang_id", "score", "rank", "top_signals"]
    for n in names:
        expected += [f"sig_{n}", f"contrib_{n}"]
    assert list(s.columns) == expected
    assert len(s) == 5  # 5 officials x 1 gang
    # by default only the pairs with an evidence path (the isolated official has none)
    cand = score_umbrellas(mini)
    assert len(cand) == 4 and cand.attrs["pairs_not_scored"] == 1 and "ISO" not in set(cand["official_id"])
    assert s["rank"].tolist() == [1, 2, 3, 4, 5]
    assert (np.diff(s["score"].to_numpy()) <= 0).all()
    assert s["score"].between(0, 1).all()
    contrib = s[[f"contrib_{n}" for n in names]].sum(axis=1).to_numpy()
    np.testing.assert_allclose(contrib, s["score"].to_numpy(), atol=1e-8)
    for n in names:
        assert s[f"sig_{n}"].between(0, 1).all()


def test_ties_broken_by_ids() -> None:
    """Officials with identical evidence tie exactly and are listed by id, whatever the row order."""
    graph = ug.build_graph(mini_case(twins_of_iso=("ISO9", "ISO5", "ISO7")))
    s = score_umbrellas(graph, all_pairs=True)
    tied = s[s["score"] == _score(s, "ISO", "G1")]
    assert set(tied["official_id"]) >= {"ISO", "ISO5", "ISO7", "ISO9"}  # a real tie, not a near one
    assert tied["official_id"].tolist() == sorted(tied["official_id"])
    # the whole table is ordered by score, then official id, then gang id
    key = s.assign(neg=-s["score"]).sort_values(["neg", "official_id", "gang_id"], kind="stable")
    assert s["official_id"].tolist() == key["official_id"].tolist()
    assert s["gang_id"].tolist() == key["gang_id"].tolist()


def test_mini_case_ranks_the_umbrella_first(mini: ug.CaseGraph) -> None:
    s = score_umbrellas(mini)
    assert s.iloc[0]["official_id"] == "A"
    assert s.iloc[0]["score"] > 0.9
    assert set(s.iloc[0]["top_signals"].split("; ")) <= {"money", "tipoff", "contracts", "contacts"}
    for sig in ("money", "tipoff", "contracts", "contacts"):
        assert s.iloc[0][f"sig_{sig}"] > 0.3, sig


def test_investigator_with_post_raid_calls_is_not_flagged(mini: ug.CaseGraph) -> None:
    s = score_umbrellas(mini)
    inv = s[s["official_id"] == "INV"].iloc[0]
    assert inv["score"] < 0.3
    assert inv["sig_contacts"] == 0.0 and inv["sig_tipoff"] == 0.0
    X = pair_features(mini, officials=["INV"])
    assert X["contact_post"].iloc[0] > 10  # the 24 calls and meetings are there (weighted), all after raids
    assert X["tipoff_post_raids"].iloc[0] == 3


def test_innocent_relative_of_a_peripheral_member_is_not_flagged(mini: ug.CaseGraph) -> None:
    s = score_umbrellas(mini)
    r = s[s["official_id"] == "R"].iloc[0]
    assert r["score"] < 0.3
    assert r["sig_money"] == 0.0 and r["sig_contacts"] == 0.0
    assert 0 < r["sig_kinship"] <= 0.25  # the tie is shown, and weighs little


def test_official_bribed_by_a_businessman_without_gang_ties_is_not_flagged(mini: ug.CaseGraph) -> None:
    s = score_umbrellas(mini)
    x = s[s["official_id"] == "X"].iloc[0]
    assert x["score"] < 0.3
    assert x["sig_money"] == 0.0 and x["sig_contracts"] == 0.0
    X = pair_features(mini, officials=["X"])
    assert X["money_amount"].iloc[0] == 0.0  # the ¥120,000 from the businessman does not count


def test_isolated_official_scores_near_zero(mini: ug.CaseGraph) -> None:
    s = score_umbrellas(mini, all_pairs=True)
    assert _score(s, "ISO", "G1") < 0.05


def test_same_input_and_seed_give_identical_output(sample_case: ug.Case) -> None:
    """Two graphs of the same case, each scored from scratch (the cache cleared between)."""
    clear_cache()
    a = score_umbrellas(ug.build_graph(sample_case), seed=3)
    fa = pair_features(ug.build_graph(sample_case), seed=3)
    clear_cache()
    b = score_umbrellas(ug.build_graph(sample_case), seed=3)
    fb = pair_features(ug.build_graph(sample_case), seed=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(fa, fb)
    # and the seed matters where the algorithms are random (Leiden, sampled betweenness)
    other = pair_features(ug.build_graph(sample_case), seed=4)
    assert (other["community"] != fa["community"]).any() or (other["brokerage"] != fa["brokerage"]).any()


def test_subset_scores_equal_full_scores(sample_graph: ug.CaseGraph) -> None:
    full = score_umbrellas(sample_graph)
    sub = score_umbrellas(sample_graph, gangs=["G02", "G03"], officials=["P0234", "P0241", "P0188"],
                          all_pairs=True)
    assert len(sub) == 6
    assert sub["rank"].tolist() == list(range(1, 7))
    m = sub.merge(full, on=["official_id", "gang_id"], suffixes=("", "_full"))
    np.testing.assert_allclose(m["score"], m["score_full"])


# ----------------------------------------------------------------------------- the sample_graph case
def test_sample_case_umbrellas_rank_first(sample_graph: ug.CaseGraph, sample_dir) -> None:  # type: ignore[no-untyped-def]
    truth = pd.read_csv(sample_dir / "truth.csv", dtype=str)
    truth["label"] = truth["label"].astype(int)
    s = score_umbrellas(sample_graph)
    m = s.merge(truth, on=["official_id", "gang_id"])
    n_pos = int(truth["label"].sum())
    assert set(m.nsmallest(n_pos, "rank")["label"]) == {1}  # the 5 umbrellas are the top 5
    worst_umbrella = m.loc[m["label"] == 1, "score"].min()
    for role in ("investigator", "innocent_relative", "corrupt_non_gang", "hub"):
        conf = m[m["role"] == role]
        assert len(conf), role
        assert (conf["score"] < worst_umbrella).all(), role
    # "not flagged": well below the evidence the umbrellas show
    assert m.loc[m["role"].isin(["innocent_relative", "corrupt_non_gang", "investigator"]), "score"].max() < 0.3
    ev = evaluate(s, truth)
    assert ev["average_precision"] == 1.0


def test_sample_explains_the_front_man_and_the_spouse(sample_graph: ug.CaseGraph) -> None:
    s = score_umbrellas(sample_graph)
    row = s[(s["official_id"] == "P0234") & (s["gang_id"] == "G02")].iloc[0]
    assert row["top_signals"].split("; ")[0] == "money"
    X = pair_features(sample_graph, officials=["P0234"], gangs=["G02"])
    assert X["money_spouse"].iloc[0] > np.log1p(50_000)  # paid to his wife
    assert X["money_front"].iloc[0] > 0  # by the front man, who is not on the member list
    tip = s[(s["official_id"] == "P0241") & (s["gang_id"] == "G03")].iloc[0]
    assert tip["sig_tipoff"] > 0.9


def test_infer_gang_side_finds_front_men_and_unlisted_members(sample_graph: ug.CaseGraph) -> None:
    side = infer_gang_side(sample_graph, "G02")
    assert list(side.columns) == ["person_id", "confidence", "reasons", "kind", "role"]
    assert side["confidence"].between(0, 1).all()
    fm = side[side["person_id"] == "P0258"].iloc[0]  # the README's front man of C02
    assert fm["kind"] == "front_man" and fm["confidence"] > 0.8 and "C02" in fm["reasons"]
    listed = side[side["kind"] == "listed"]
    assert (listed["confidence"] == 1.0).all()
    g01 = infer_gang_side(sample_graph, "G01")
    assert g01.set_index("person_id").loc["P0177", "confidence"] > 0.5  # the unlisted core member
    officials = set(sample_graph.officials)
    assert not set(side["person_id"]) & officials
    comp = gang_companies(sample_graph, "G02")
    assert set(comp.loc[comp["confidence"] > 0.9, "company_id"]) == {"C02", "C03"}


def test_pair_features_columns(sample_graph: ug.CaseGraph) -> None:
    X = pair_features(sample_graph, gangs=["G01"], all_pairs=True)
    assert list(X.columns) == ["official_id", "gang_id", *FEATURES]
    assert len(X) == len(sample_graph.officials)
    assert X[list(FEATURES)].notna().all().all()
    assert np.isfinite(X[list(FEATURES)].to_numpy(dtype=float)).all()


# ----------------------------------------------------------------------------- a synthetic city
def test_synthetic_city_accuracy_and_confounders(city: SynthCity) -> None:
    g = ug.build_graph(city.case)
    s = score_umbrellas(g)
    ev = evaluate(s, city.truth)
    ppr = evaluate(baseline_scores(g, "ppr"), city.truth)
    assert ev["average_precision"] >= 0.85
    assert ev["average_precision"] >= ppr["average_precision"] + 0.2
    m = s.merge(city.truth, on=["official_id", "gang_id"])
    umb = m[m["label"] == 1]
    for role in ("investigator", "innocent_relative", "corrupt_non_gang"):
        conf = m[m["role"] == role]
        if len(conf):
            assert (conf["score"] < umb["score"].median()).all(), role
            assert conf["score"].max() < 0.5, role


# ----------------------------------------------------------------------------- bad input
def test_unknown_ids_raise_without_echoing(sample_graph: ug.CaseGraph) -> None:
    with pytest.raises(ParameterError) as e:
        score_umbrellas(sample_graph, officials=["P0234", "张三-secret"])
    assert "张三-secret" not in str(e.value) and "1 unknown" in str(e.value)
    with pytest.raises(ParameterError) as e:
        score_umbrellas(sample_graph, gangs=["G99"])
    assert "G99" not in str(e.value)
    with pytest.raises(ParameterError):
        pair_features(sample_graph, officials=["P0001"])  # a person, not an official
    with pytest.raises(ParameterError):
        infer_gang_side(sample_graph, "nope")


def test_bad_parameters(sample_graph: ug.CaseGraph) -> None:
    with pytest.raises(ParameterError, match="'seed' parameter of score_umbrellas"):
        score_umbrellas(sample_graph, seed=-1)
    with pytest.raises(ParameterError, match="'model' parameter"):
        score_umbrellas(sample_graph, model="labels")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="'graph' parameter"):
        score_umbrellas(sample_graph.case)  # type: ignore[arg-type]
