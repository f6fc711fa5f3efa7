"""The synthetic city generator: contract, determinism, and that every planted story and
confounder is really in the records. Also the metrics and the baselines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import ParameterError, build_graph, load_case
from umbrella_graph.baselines import BASELINES, baseline_scores
from umbrella_graph.cli import main
from umbrella_graph.metrics import evaluate
from umbrella_graph.synth import MECHANISMS, ROLES, SynthCity, generate_city

KIN = {"spouse", "child", "parent", "sibling", "kin", "in_law", "relative"}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> SynthCity:
    """A medium city written to disk."""
    return generate_city(tmp_path_factory.mktemp("city"), people=2000, gangs=4, seed=3)


@pytest.fixture(scope="module")
def clear(tmp_path_factory: pytest.TempPathFactory) -> SynthCity:
    """Everything visible: no missing data, no cash, many channels, member officials likely."""
    return generate_city(tmp_path_factory.mktemp("clear"), people=3000, gangs=6, seed=11, missing_share=0.0,
                         cash_share=0.0, channels_per_umbrella=3.5, member_official_share=0.6,
                         front_man_share=0.8)


# ----------------------------------------------------------------------------- helpers
def _family(case, person: str) -> set[str]:
    t = case["ties"]
    t = t[t["kind"].isin(KIN)]
    return set(t.loc[t["src"] == person, "dst"]) | set(t.loc[t["dst"] == person, "src"])


def _spouse(case, person: str) -> set[str]:
    t = case["ties"]
    t = t[t["kind"] == "spouse"]
    return set(t.loc[t["src"] == person, "dst"]) | set(t.loc[t["dst"] == person, "src"])


def _gang_side(city: SynthCity, gang: str) -> dict[str, set[str]]:
    """True members (listed or not), front men and the gang's companies."""
    m = city.members
    assert m is not None
    mg = m[m["gang_id"] == gang]
    people = set(mg.loc[mg["role"] != "front_man", "person_id"])
    fronts = set(mg.loc[mg["role"] == "front_man", "person_id"])
    roles = city.case["company_roles"]
    owners = roles[roles["role"].isin(["owner", "legal_rep", "shareholder"])]
    companies = set(owners.loc[owners["person_id"].isin(people | fronts), "company_id"])
    leader = set(mg.loc[mg["role"] == "leader", "person_id"])
    core = set(mg.loc[mg["role"] == "core", "person_id"])
    return {"members": people, "fronts": fronts, "companies": companies, "leader": leader, "core": core}


def _events(case, gang: str) -> pd.Series:
    e = case["events"]
    return e.loc[(e["gang_id"] == gang) & e["kind"].isin(["raid", "arrest"]), "time"]


# ----------------------------------------------------------------------------- contract
def test_folder_loads_back_identically(city: SynthCity) -> None:
    assert city.path is not None
    loaded = load_case(city.path)
    assert loaded.equals(city.case)
    for extra in ("truth.csv", "truth_tipoffs.csv", "truth_members.csv", "labels.csv"):
        assert (city.path / extra).is_file()
    res = CliRunner().invoke(main, ["validate", str(city.path)])
    assert res.exit_code == 0, res.output
    assert "OK: the case is loadable." in res.output


def test_every_table_of_the_contract(city: SynthCity) -> None:
    counts = city.case.counts().set_index("table")["rows"]
    assert (counts > 0).all(), counts[counts == 0]
    assert counts["people"] == 2000
    assert counts["gangs"] == 4


def test_ids_prefixes_and_units(city: SynthCity) -> None:
    c = city.case
    for table, prefix in (("people", "P"), ("gangs", "G"), ("villages", "V"), ("companies", "C"),
                          ("events", "E"), ("leads", "L")):
        assert c[table]["id"].str.startswith(prefix).all(), table
    assert c["transactions"]["id"].str.startswith("T").all()
    assert c["transactions"]["id"].is_unique
    ids = set().union(*(set(c[t]["id"]) for t in ("people", "gangs", "villages", "companies", "events", "leads")))
    units = set(c["officials"]["unit"])
    assert not units & ids
    assert any(u.endswith("派出所") for u in units) and any(u.endswith("人民政府") for u in units)
    levels = set(c["villages"]["level"])
    assert levels == {"city", "district", "town", "village"}
    assert set(c["contacts"]["kind"]) == {"call", "sms", "meeting", "chat"}
    assert {"raid", "arrest", "inspection"} <= set(c["events"]["kind"])
    raids = c["events"][c["events"]["kind"] == "raid"]
    assert raids["gang_id"].notna().all() and raids["jurisdiction_id"].notna().all()


def test_truth_shape(city: SynthCity) -> None:
    t = city.truth
    offs = city.case.official_ids()
    gangs = city.case.gang_ids()
    assert len(t) == len(offs) * len(gangs)
    assert not t.duplicated(["official_id", "gang_id"]).any()
    assert set(t["role"]) <= set(ROLES)
    assert (t["label"] == t["role"].isin(["umbrella", "member_official"]).astype(int)).all()
    mech = {m for s in t["mechanisms"] for m in s.split(";") if m}
    assert mech <= set(MECHANISMS)
    assert (t.loc[t["label"] == 0, "mechanisms"] == "").all()
    assert (t.loc[t["label"] == 1, "mechanisms"] != "").all()
    assert 0 < t["label"].sum() < len(t)
    # labels: a stratified 30 % share of the truth, part of the case
    lab = city.labels
    assert abs(len(lab) - 0.3 * len(t)) <= 2
    assert lab["label"].sum() == round(0.3 * t["label"].sum())
    merged = lab.merge(t, on=["official_id", "gang_id"], suffixes=("", "_t"))
    assert len(merged) == len(lab) and (merged["label"] == merged["label_t"]).all()
    assert len(city.case["labels"]) == len(lab)


def test_deterministic(tmp_path: Path) -> None:
    a = generate_city(tmp_path / "a", people=800, gangs=2, seed=5, difficulty="hard")
    b = generate_city(tmp_path / "b", people=800, gangs=2, seed=5, difficulty="hard")
    c = generate_city(tmp_path / "c", people=800, gangs=2, seed=6, difficulty="hard")
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "b").iterdir())
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    assert (tmp_path / "a" / "transactions.csv").read_bytes() != (tmp_path / "c" / "transactions.csv").read_bytes()
    assert a.case.equals(b.case) and a.truth.equals(b.truth)
    assert not a.truth.equals(c.truth)


def test_bad_parameters() -> None:
    with pytest.raises(ParameterError, match="'difficulty' parameter of generate_city must be one of easy"):
        generate_city(people=500, difficulty="brutal")
    with pytest.raises(ParameterError, match="'people' parameter"):
        generate_city(people=10)
    with pytest.raises(ParameterError, match="knob names"):
        generate_city(people=500, no_such_knob=1)
    with pytest.raises(ParameterError, match="'missing_share' parameter"):
        generate_city(people=500, missing_share=1.5)
    with pytest.raises(ParameterError, match="'label_share'"):
        generate_city(people=500, label_share=2)


def test_cli_synth(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    res = CliRunner().invoke(main, ["synth", str(out), "--people", "600", "--gangs", "2", "--seed", "1",
                                    "--difficulty", "easy", "--label-share", "0.5"])
    assert res.exit_code == 0, res.output
    assert "umbrella pairs" in res.output
    t = pd.read_csv(out / "truth.csv")
    lab = pd.read_csv(out / "labels.csv")
    assert abs(len(lab) - len(t) / 2) <= 2
    res = CliRunner().invoke(main, ["synth", str(tmp_path / "x"), "--people", "10"])
    assert res.exit_code != 0 and "at least 300" in res.output


# ----------------------------------------------------------------------------- the stories
def test_every_mechanism_is_planted_and_visible(clear: SynthCity) -> None:
    case, t = clear.case, clear.truth
    seen = {m for s in t["mechanisms"] for m in s.split(";") if m}
    assert seen == set(MECHANISMS) - {"bribe_outsider"}  # that one only with the outsider_share knob
    tx, ct, con, roles = case["transactions"], case["contacts"], case["contracts"], case["company_roles"]
    for r in t[t["label"] == 1].itertuples():
        o, g = r.official_id, r.gang_id
        mech = set(r.mechanisms.split(";"))
        side = _gang_side(clear, g)
        fam, spouse = _family(case, o), _spouse(case, o)
        gang_money = side["members"] | side["fronts"] | side["companies"]
        paid = tx[tx["src"].isin(gang_money) & tx["dst"].isin({o} | fam)]
        if "bribe_spouse" in mech:
            assert paid["dst"].isin(spouse).any(), (o, g)
        if "bribe_kin" in mech:
            assert paid["dst"].isin(fam - spouse).any(), (o, g)
        if "bribe_front_man" in mech:
            assert paid["src"].isin(side["fronts"]).any(), (o, g)
        if "bribe_company" in mech and "bribe_front_man" not in mech:
            assert paid["src"].isin(side["companies"]).any(), (o, g)
        if "bribe_leader" in mech and "bribe_front_man" not in mech:
            assert paid["src"].isin(side["leader"]).any(), (o, g)
        if "bribe_core" in mech and "bribe_front_man" not in mech:
            assert paid["src"].isin(side["core"]).any(), (o, g)
        if "contract_steered" in mech:
            assert (con["approver_id"].eq(o) & con["company_id"].isin(side["companies"])).sum() >= 2, (o, g)
        if "kin_employed" in mech:
            emp = roles[(roles["role"] == "employee") & roles["company_id"].isin(side["companies"])]
            assert emp["person_id"].isin(fam).any(), (o, g)
        if "leader_meetings" in mech:
            meet = ct[(ct["kind"] == "meeting") & (((ct["src"] == o) & ct["dst"].isin(side["leader"] | side["core"]))
                                                   | ((ct["dst"] == o) & ct["src"].isin(side["leader"] | side["core"])))]
            assert len(meet) >= 5, (o, g)
        if "member" in mech:
            assert o in side["members"]
        if "tipoff" in mech:
            tips = clear.tipoffs[(clear.tipoffs["official_id"] == o) & (clear.tipoffs["gang_id"] == g)]
            assert len(tips), (o, g)


def test_tipoff_calls_fall_before_raids(clear: SynthCity) -> None:
    case = clear.case
    ct = case["contacts"]
    ev = case["events"].set_index("id")
    assert len(clear.tipoffs) >= 2
    for r in clear.tipoffs.itertuples():
        assert ev.loc[r.event_id, "gang_id"] == r.gang_id
        side = _gang_side(clear, r.gang_id)
        callers = {r.official_id} | _spouse(case, r.official_id)
        t = ev.loc[r.event_id, "time"]
        before = ct[ct["src"].isin(callers) & ct["dst"].isin(side["members"] | side["fronts"])
                    & (ct["time"] < t) & (ct["time"] >= t - pd.Timedelta(hours=8))]
        assert len(before), r


def test_investigators_call_after_raids_and_take_no_money(clear: SynthCity) -> None:
    case, t = clear.case, clear.truth
    inv = t[t["role"] == "investigator"]
    assert len(inv) >= 3
    ct, tx = case["contacts"], case["transactions"]
    for r in inv.itertuples():
        side = _gang_side(clear, r.gang_id)
        raids = np.sort(_events(case, r.gang_id).to_numpy())
        c = ct[((ct["src"] == r.official_id) & ct["dst"].isin(side["members"]))]
        assert len(c) >= 3
        # the share of these contacts that follow a raid within 21 days
        tt = c["time"].to_numpy()
        i = np.searchsorted(raids, tt, side="right") - 1
        after = (i >= 0) & ((tt - raids[np.maximum(i, 0)]) <= np.timedelta64(21, "D"))
        assert after.mean() >= 0.8, r
        # and none within 8 hours before a raid
        j = np.searchsorted(raids, tt, side="left")
        nxt = raids[np.minimum(j, len(raids) - 1)]
        assert not ((j < len(raids)) & ((nxt - tt) <= np.timedelta64(8, "h"))).any()
        money = tx[tx["src"].isin(side["members"] | side["companies"] | side["fronts"]) & (tx["dst"] == r.official_id)]
        assert money["amount"].sum() < 5000


def test_confounders_present(clear: SynthCity) -> None:
    case, t = clear.case, clear.truth
    roles = set(t["role"])
    assert {"investigator", "innocent_relative", "hub", "corrupt_non_gang"} <= roles
    conf = {c for s in t["confounders"] for c in s.split(";") if c}
    assert {"fair_contract", "everyday_fees", "investigator", "innocent_relative", "hub", "corrupt_non_gang"} <= conf
    tx, con, ct = case["transactions"], case["contracts"], case["contacts"]
    # innocent relatives: family of a plain member of the gang, label 0
    for r in t[t["role"] == "innocent_relative"].itertuples():
        m = clear.members
        plain = set(m.loc[(m["gang_id"] == r.gang_id) & (m["role"] == "member"), "person_id"])
        assert _family(case, r.official_id) & plain and r.label == 0
    # hubs call far more people than the typical official
    n_contacts = pd.concat([ct[["src", "dst"]], ct[["dst", "src"]].set_axis(["src", "dst"], axis=1)])
    distinct = n_contacts.groupby("src")["dst"].nunique()
    hubs = t.loc[t["role"] == "hub", "official_id"].unique()
    typical = distinct.reindex(case.official_ids()).median()
    assert (distinct.reindex(hubs) > 2 * typical).all()
    # a businessman with no gang bribes the corrupt official and wins his contracts
    all_side = set().union(*(set().union(*_gang_side(clear, g).values()) for g in case.gang_ids()))
    for o in t.loc[t["role"] == "corrupt_non_gang", "official_id"].unique():
        won = set(con.loc[con["approver_id"] == o, "company_id"]) - all_side
        cr = case["company_roles"]
        owners = set(cr.loc[(cr["role"] == "owner") & cr["company_id"].isin(won), "person_id"])
        assert owners and not owners & all_side
        assert tx[tx["src"].isin(owners) & tx["dst"].isin({o} | _spouse(case, o))]["amount"].max() >= 5000
        assert (t.loc[t["official_id"] == o, "label"] == 0).all()
    # fair contracts: clean approvers of gang-company contracts
    for r in t[t["confounders"].str.contains("fair_contract") & (t["label"] == 0)].head(5).itertuples():
        side = _gang_side(clear, r.gang_id)
        assert (con["approver_id"].eq(r.official_id) & con["company_id"].isin(side["companies"])).any()
    # everyday fees: small payments from members to clean cadres
    for r in t[t["confounders"].str.contains("everyday_fees") & (t["label"] == 0)].head(5).itertuples():
        side = _gang_side(clear, r.gang_id)
        fees = tx[tx["src"].isin(side["members"]) & (tx["dst"] == r.official_id)]
        assert len(fees) and fees["amount"].min() <= 800


def test_police_files_realism(clear: SynthCity, city: SynthCity) -> None:
    for c in (clear, city):
        m = c.members
        assert m is not None
        listed = c.case["members"]
        # unlisted members exist, and the listed ones are the ones marked listed
        assert (~m.loc[m["role"] != "front_man", "listed"]).any()
        key = set(zip(listed["person_id"], listed["gang_id"], strict=True))
        assert key == set(zip(m.loc[m["listed"], "person_id"], m.loc[m["listed"], "gang_id"], strict=True))
    # front men are not listed, own or represent gang companies and receive the leader's money
    m = clear.members
    fronts = m[m["role"] == "front_man"]
    assert len(fronts) >= 2
    roles, tx = clear.case["company_roles"], clear.case["transactions"]
    for r in fronts.itertuples():
        assert r.person_id not in set(clear.case["members"]["person_id"])
        owned = roles[(roles["person_id"] == r.person_id) & roles["role"].isin(["owner", "legal_rep"])]
        side = _gang_side(clear, r.gang_id)
        assert set(owned["company_id"]) <= side["companies"]
        assert (tx["src"].isin(side["leader"] | side["companies"]) & (tx["dst"] == r.person_id)).any()
    # the gang's life: members call the leader, the leader pays members
    g = clear.case.gang_ids()[0]
    side = _gang_side(clear, g)
    ct = clear.case["contacts"]
    assert (ct["src"].isin(side["members"]) & ct["dst"].isin(side["leader"])).sum() >= 20
    assert (tx["src"].isin(side["leader"]) & tx["dst"].isin(side["members"])).sum() >= 10


def test_missing_data_knob_thins_the_evidence() -> None:
    full = generate_city(people=1000, gangs=2, seed=2, missing_share=0.0, cash_share=0.0)
    thin = generate_city(people=1000, gangs=2, seed=2, missing_share=0.6, cash_share=0.0)
    # background volumes are calibrated to what is observed; the ties thin out
    assert len(thin.case["ties"]) < 0.8 * len(full.case["ties"])
    assert abs(len(thin.case["transactions"]) / len(full.case["transactions"]) - 1) < 0.15


# ----------------------------------------------------------------------------- metrics and baselines
def test_evaluate_values_and_errors() -> None:
    truth = pd.DataFrame({"official_id": list("abcde"), "gang_id": "G1", "label": [1, 0, 1, 0, 0]})
    scores = pd.DataFrame({"official_id": list("abcd"), "gang_id": "G1", "score": [0.9, 0.95, 0.5, 0.1]})
    m = evaluate(scores, truth)
    assert m["n_pairs"] == 5 and m["n_positive"] == 2 and m["n_unscored"] == 1 and m["k"] == 2
    assert m["precision_at_k"] == 0.5
    assert m["roc_auc"] == pytest.approx(4 / 6)  # a and c each beat d and the unscored e, lose to b
    assert m["average_precision"] == pytest.approx((1 / 2 + 2 / 3) / 2)
    perfect = evaluate(truth.assign(score=truth["label"]), truth)
    assert perfect["average_precision"] == 1.0 and perfect["precision_at_k"] == 1.0
    with pytest.raises(ParameterError, match="columns"):
        evaluate(scores.drop(columns="score"), truth)
    with pytest.raises(ParameterError, match="one row per official x gang"):
        evaluate(pd.concat([scores, scores]), truth)


def test_baselines_on_a_city(city: SynthCity) -> None:
    g = build_graph(city.case)
    n = len(city.truth)
    aps = {}
    for method in BASELINES:
        s = baseline_scores(g, method)
        assert len(s) == n and list(s.columns) == ["official_id", "gang_id", "score"]
        assert s["score"].notna().all()
        e = evaluate(s, city.truth)
        assert e["n_unscored"] == 0
        aps[method] = e["average_precision"]
    # the per-official baselines cannot tell gangs apart
    deg = baseline_scores(g, "degree")
    assert deg.groupby("official_id")["score"].nunique().max() == 1
    # ppr is deterministic and, on medium difficulty, far from solving the city
    assert baseline_scores(g, "ppr").equals(baseline_scores(g, "ppr"))
    assert aps["ppr"] < 0.8
    with pytest.raises(ParameterError, match="'method' parameter of baseline_scores"):
        baseline_scores(g, "magic")
