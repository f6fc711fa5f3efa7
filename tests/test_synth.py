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


# ----------------------------------------------------------------------------- distribution-shift knobs
# Each knob of issue 11 changes what it names and nothing else; the defaults reproduce the
# historic output byte for byte.
SHIFT = {"people": 1200, "gangs": 3, "seed": 4, "missing_share": 0.0, "cash_share": 0.0, "tipoff_share": 1.0,
         "channels_per_umbrella": 3.0}
ALL_TABLES = ("people", "villages", "officials", "gangs", "members", "companies", "company_roles", "ties",
              "transactions", "contacts", "contracts", "events", "leads", "labels")


@pytest.fixture(scope="module")
def base() -> SynthCity:
    return generate_city(**SHIFT)


def _changed(a: SynthCity, b: SynthCity) -> set[str]:
    return {t for t in ALL_TABLES if not a.case[t].equals(b.case[t])}


def _same_truth(a: SynthCity, b: SynthCity, *, mechanisms: bool = True) -> None:
    cols = ["official_id", "gang_id", "label", "role", "confounders"] + (["mechanisms"] if mechanisms else [])
    assert a.truth[cols].equals(b.truth[cols])
    assert a.labels.equals(b.labels)
    assert a.members is not None and b.members is not None and a.members.equals(b.members)


def _rows(df: pd.DataFrame) -> pd.Series:
    """Each row as a hashable tuple (for multiset comparisons)."""
    return pd.Series(list(df.drop(columns=[c for c in df.columns if c.startswith("_")]).itertuples(index=False,
                                                                                                   name=None)))


def test_defaults_reproduce_the_historic_output(tmp_path: Path) -> None:
    # the hash of the folder written by the generator before the knobs existed (main at 503d153);
    # truth_tipoffs.csv has gained its last column since (caller_id), left out of the hash
    import hashlib

    generate_city(tmp_path / "a", people=600, gangs=2, seed=1)
    h = hashlib.sha256()
    for f in sorted((tmp_path / "a").iterdir()):
        h.update(f.name.encode())
        data = f.read_bytes()
        if f.name == "truth_tipoffs.csv":
            lines = data.decode("utf-8").split("\n")
            assert lines[0] == "event_id,official_id,gang_id,caller_id"
            data = "\n".join(line.rsplit(",", 1)[0] for line in lines).encode("utf-8")
        h.update(data)
    assert h.hexdigest() == "64385299d5237b19a8caca6eeb256d2b975a2c2623e8dc3aaee55a588fbc0688"
    # and the knobs set to their defaults explicitly change nothing
    defaults = {"amount_scale": 1.0, "tipoff_lead_min_h": 0.75, "tipoff_lead_max_h": 8.0, "relay_share": 1.0,
                "tipoff_relative_share": None, "followup_min_h": 4.0, "followup_max_h": 480.0,
                "one_channel_share": 0.0, "outsider_share": 0.0, "cash_recorded_share": 0.0, "vocabulary": "en"}
    a = generate_city(people=600, gangs=2, seed=1)
    b = generate_city(people=600, gangs=2, seed=1, **defaults)
    assert a.case.equals(b.case) and a.truth.equals(b.truth) and a.tipoffs.equals(b.tipoffs)
    assert b.intermediaries is not None and b.intermediaries.empty


def test_amount_scale_multiplies_every_amount_and_nothing_else(base: SynthCity) -> None:
    for scale in (0.1, 7.5):
        c = generate_city(**SHIFT, amount_scale=scale)
        assert _changed(base, c) == {"transactions", "contracts"}
        _same_truth(base, c)
        assert c.tipoffs.equals(base.tipoffs)
        for t in ("transactions", "contracts"):
            x, y = c.case[t], base.case[t]
            assert x.drop(columns="amount").equals(y.drop(columns="amount"))
            np.testing.assert_allclose(x["amount"].to_numpy(float), y["amount"].to_numpy(float) * scale, atol=0.006)


def _gang_people(city: SynthCity, gang: str) -> set[str]:
    side = _gang_side(city, gang)
    return side["members"] | side["fronts"]


def test_tipoff_lead_knob_moves_only_the_warning_calls(base: SynthCity) -> None:
    lo, hi = 30.0, 90.0
    c = generate_city(**SHIFT, tipoff_lead_min_h=lo, tipoff_lead_max_h=hi)
    assert _changed(base, c) == {"contacts"}
    _same_truth(base, c)
    assert c.tipoffs.equals(base.tipoffs) and len(c.tipoffs) >= 3
    ct, ev = c.case["contacts"], c.case["events"].set_index("id")
    assert len(ct) == len(base.case["contacts"])
    for r in c.tipoffs.itertuples():
        who = {r.official_id} | _family(c.case, r.official_id)
        t_ev = ev.loc[r.event_id, "time"]
        calls = ct[ct["src"].isin(who) & ct["dst"].isin(_gang_people(c, r.gang_id))]
        lead_h = (t_ev - calls["time"]).dt.total_seconds() / 3600
        assert ((lead_h >= lo - 1 / 60) & (lead_h <= hi)).any(), r
    # the default window (under 8 h) no longer holds any warning call of these
    moved = _rows(ct)[~_rows(ct).isin(set(_rows(base.case["contacts"])))]
    assert len(moved) > 0


def test_relay_and_relative_knobs(base: SynthCity) -> None:
    quiet = generate_city(**SHIFT, relay_share=0.0)
    assert _changed(base, quiet) == {"contacts"}
    _same_truth(base, quiet)
    assert quiet.tipoffs.equals(base.tipoffs)
    # only removals: the relays inside the gang within the hour after each warning call
    kept, before = _rows(quiet.case["contacts"]), _rows(base.case["contacts"])
    assert kept.isin(set(before)).all() and len(kept) < len(before)
    kin = generate_city(**SHIFT, tipoff_relative_share=1.0)
    assert _changed(base, kin) == {"contacts"}
    _same_truth(base, kin)
    ct, ev = kin.case["contacts"], kin.case["events"].set_index("id")
    by_relative = 0
    for r in kin.tipoffs.itertuples():
        fam = _family(kin.case, r.official_id)
        t_ev = ev.loc[r.event_id, "time"]
        pre = ct[(ct["time"] < t_ev) & (ct["time"] >= t_ev - pd.Timedelta(hours=8))
                 & ct["dst"].isin(_gang_people(kin, r.gang_id))]
        if fam:  # with relatives at home, one of them makes the warning call
            assert pre["src"].isin(fam).any(), r
            by_relative += 1
        # and the truth names him (the official himself when he has none at home)
        assert (r.caller_id in fam and r.caller_id in set(pre["src"])) if fam else r.caller_id == r.official_id
    assert by_relative >= 1
    # without the knob the official calls himself or, now and then, his spouse does
    for r in base.tipoffs.itertuples():
        assert r.caller_id == r.official_id or r.caller_id in _family(base.case, r.official_id)


def test_followup_knob_moves_only_the_investigators_calls(base: SynthCity) -> None:
    lo, hi = 24.0 * 10, 24.0 * 40
    c = generate_city(**SHIFT, followup_min_h=lo, followup_max_h=hi)
    assert _changed(base, c) == {"contacts"}
    _same_truth(base, c)
    assert c.tipoffs.equals(base.tipoffs)
    ct, ev = c.case["contacts"], c.case["events"]
    new = c.case["contacts"][~_rows(ct).isin(set(_rows(base.case["contacts"]))).to_numpy()]
    assert len(new)
    inv = c.investigator_pairs()
    assert inv
    for o, g in inv:
        raids = ev.loc[(ev["gang_id"] == g) & ev["kind"].isin(["raid", "arrest"]), "time"].sort_values()
        calls = new[(new["src"] == o) & new["dst"].isin(_gang_people(c, g))]
        for t in calls["time"]:
            lag_h = (t - raids[raids < t].max()).total_seconds() / 3600
            assert lo - 0.02 <= lag_h <= hi, (o, g, lag_h)


@pytest.mark.parametrize("style", ["zh", "zh_hant", "zh_abbrev", "zh_renamed", "zh_mixed"])
def test_vocabulary_changes_only_the_kind_words(base: SynthCity, style: str) -> None:
    from umbrella_graph.synth.vocab import KIND_WORDS

    c = generate_city(**SHIFT, vocabulary=style)
    _same_truth(base, c)
    assert c.tipoffs.equals(base.tipoffs)
    # contacts.kind and the roles are contract enums: the loader maps them back to English
    assert _changed(base, c) <= {"ties", "events", "transactions", "officials", "contracts"}
    words = {"ties": "kind", "events": "kind", "transactions": "channel", "officials": ("position", "unit"),
             "contracts": "issuer_id"}
    for t, cols in words.items():
        cols = (cols,) if isinstance(cols, str) else cols
        x, y = c.case[t], base.case[t]
        assert x.drop(columns=list(cols)).equals(y.drop(columns=list(cols))), t
    ev, ev0 = c.case["events"]["kind"], base.case["events"]["kind"]
    assert not set(ev) & {"raid", "arrest", "inspection"}
    assert not set(c.case["ties"]["kind"]) & {"spouse", "kin", "friend"}
    assert not set(c.case["transactions"]["channel"]) & {"bank", "wechat", "alipay"}
    if style != "zh_mixed":
        # one word per concept, the style's own
        for t, col in (("ties", "kind"), ("events", "kind"), ("transactions", "channel")):
            table = KIND_WORDS[style][(t, col)]
            assert (c.case[t][col] == base.case[t][col].map(table)).all(), (t, col)
    else:
        assert ev.groupby(ev0.to_numpy()).nunique().max() >= 2  # several spellings of one kind
    pos, units = set(c.case["officials"]["position"]), set(c.case["officials"]["unit"])
    issuers = set(c.case["contracts"]["issuer_id"]) - set(c.case["villages"]["id"])
    assert issuers <= units  # contracts name their units as the units spell themselves
    if style == "zh_abbrev":
        assert {"村支书", "村主任", "治安民警"} <= pos
    if style == "zh_renamed":
        assert {"自然资源所所长", "住建办主任"} <= pos and not any("国土所" in u for u in units)
    if style == "zh_hant":
        assert "村黨支部書記" in pos and any(u.endswith("派出所") for u in units)
    if style == "zh_mixed":
        assert "村支书" in pos or "村黨支部書記" in pos


def test_vocabulary_is_written_to_the_csv_files(tmp_path: Path) -> None:
    c = generate_city(tmp_path / "zh", people=600, gangs=2, seed=1, vocabulary="zh")
    assert c.path is not None
    ct = pd.read_csv(c.path / "contacts.csv")
    assert set(ct["kind"]) <= {"通话", "短信", "见面", "微信聊天"}
    assert set(pd.read_csv(c.path / "members.csv")["role"]) <= {"组织领导者", "骨干成员", "一般成员"}
    assert load_case(c.path).equals(c.case)


def test_traditional_vocabulary_is_written_and_loads(tmp_path: Path) -> None:
    # the zh_hant style writes the true traditional spellings of the enum columns; the
    # loader reads them as the canonical values
    c = generate_city(tmp_path / "hant", people=600, gangs=2, seed=1, vocabulary="zh_hant")
    assert c.path is not None
    ct = pd.read_csv(c.path / "contacts.csv")
    assert set(ct["kind"]) <= {"通話", "簡訊", "見面", "聊天"} and "通話" in set(ct["kind"])
    assert set(pd.read_csv(c.path / "members.csv")["role"]) <= {"首要分子", "骨幹", "參加者"}
    assert "股東" in set(pd.read_csv(c.path / "company_roles.csv")["role"]) or "實際控制人" in set(
        pd.read_csv(c.path / "company_roles.csv")["role"])
    loaded = load_case(c.path)
    assert loaded.equals(c.case)
    assert set(loaded["contacts"]["kind"]) <= {"call", "sms", "meeting", "chat"}
    assert any("'通話' -> call" in n for n in loaded.report.notes)


def test_generator_vocabulary_is_its_own() -> None:
    # a fair test of the scorer: the generator's words are not imported from the scorer
    import ast

    import umbrella_graph.synth as synth

    for f in Path(synth.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                assert not any(p in mod for p in ("scoring", "investigate", "domain")), (f.name, mod)


def test_one_channel_umbrellas(base: SynthCity) -> None:
    c = generate_city(**SHIFT, one_channel_share=1.0)
    _same_truth(base, c, mechanisms=False)
    for t in ("people", "officials", "gangs", "members", "companies", "events"):
        assert c.case[t].equals(base.case[t]), t
    umb = c.truth[c.truth["role"] == "umbrella"]
    groups = {"bribe": "money", "contract_steered": "contract", "tipoff": "tipoff", "leader_meetings": "meetings",
              "kin_employed": "kin"}

    def channels(mech: str) -> set[str]:
        return {v for m in mech.split(";") if m for k, v in groups.items() if m.startswith(k)}

    assert len(umb) >= 5
    assert all(len(channels(m)) <= 1 for m in umb["mechanisms"])
    assert sum(len(channels(m)) for m in base.truth.loc[umb.index, "mechanisms"]) > len(umb)
    # fewer records: the other channels were drawn but never recorded
    assert len(c.case["transactions"]) < len(base.case["transactions"])


def test_outsider_intermediaries(base: SynthCity) -> None:
    c = generate_city(**SHIFT, outsider_share=0.8)
    assert _changed(base, c) == {"transactions"}
    _same_truth(base, c, mechanisms=False)
    assert c.tipoffs.equals(base.tipoffs)
    inter = c.intermediaries
    assert inter is not None and len(inter) >= 3 and set(inter["kind"]) <= {"businessman", "businessman_relative", "local"}
    assert c.truth["mechanisms"].str.contains("bribe_outsider").sum() >= 1
    assert c.members is not None
    officials = set(c.case["officials"]["person_id"])
    tx = c.case["transactions"]
    for r in inter.itertuples():
        side = _gang_side(c, r.gang_id)
        assert r.person_id not in set(c.members["person_id"]) and r.person_id not in officials
        assert (tx["src"].isin(side["members"] | side["fronts"] | side["companies"]) & (tx["dst"] == r.person_id)).any()
        assert (tx["src"].eq(r.person_id) & tx["dst"].isin({r.official_id} | _family(c.case, r.official_id))).any()


def test_recorded_cash(base: SynthCity) -> None:
    c = generate_city(**{**SHIFT, "cash_share": 0.5}, cash_recorded_share=1.0)
    b = generate_city(**{**SHIFT, "cash_share": 0.5})
    assert _changed(b, c) == {"transactions"}
    _same_truth(b, c)
    cash = c.case["transactions"][c.case["transactions"]["channel"] == "cash"]
    assert len(cash) and "cash" not in set(b.case["transactions"]["channel"])
    # only additions
    assert _rows(b.case["transactions"].drop(columns="id")).isin(
        set(_rows(c.case["transactions"].drop(columns="id")))).all()


def test_shift_knobs_are_deterministic_and_checked() -> None:
    kw = {"people": 700, "gangs": 2, "amount_scale": 0.3, "vocabulary": "zh_mixed", "outsider_share": 0.5,
          "one_channel_share": 0.5, "relay_share": 0.3, "tipoff_lead_min_h": 5, "tipoff_lead_max_h": 50}
    a, b = generate_city(seed=2, **kw), generate_city(seed=2, **kw)
    assert a.case.equals(b.case) and a.truth.equals(b.truth) and a.intermediaries is not None
    assert b.intermediaries is not None and a.intermediaries.equals(b.intermediaries)
    assert not generate_city(seed=3, **kw).case["transactions"].equals(a.case["transactions"])
    with pytest.raises(ParameterError, match="'vocabulary' parameter of generate_city must be one of en, zh"):
        generate_city(people=500, vocabulary="klingon")
    with pytest.raises(ParameterError, match="tipoff_lead_max_h"):
        generate_city(people=500, tipoff_lead_min_h=10, tipoff_lead_max_h=5)
    with pytest.raises(ParameterError, match="followup_min_h"):
        generate_city(people=500, followup_min_h=0)
    with pytest.raises(ParameterError, match="amount_scale"):
        generate_city(people=500, amount_scale=0)
    with pytest.raises(ParameterError, match="outsider_share"):
        generate_city(people=500, outsider_share=1.5)


def test_cli_synth_knobs(tmp_path: Path) -> None:
    out = tmp_path / "shifted"
    res = CliRunner().invoke(main, ["synth", str(out), "--people", "600", "--gangs", "2", "--seed", "1",
                                    "--knob", "vocabulary=zh", "--knob", "amount_scale=0.5",
                                    "--knob", "tipoff_relative_share=none", "--knob", "keep_one=false"])
    assert res.exit_code == 0, res.output
    ref = generate_city(people=600, gangs=2, seed=1, vocabulary="zh", amount_scale=0.5, keep_one=False)
    assert load_case(out).equals(ref.case, ignore_provenance=True)
    assert "突击检查" in set(pd.read_csv(out / "events.csv")["kind"])
    res = CliRunner().invoke(main, ["synth", str(tmp_path / "x"), "--people", "600", "--knob", "amount_scale=lots"])
    assert res.exit_code != 0 and "amount_scale must be a float" in res.output
    res = CliRunner().invoke(main, ["synth", str(tmp_path / "x"), "--people", "600", "--knob", "vocabulary=xx"])
    assert res.exit_code != 0 and "'vocabulary' parameter of generate_city" in res.output
