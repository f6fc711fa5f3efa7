"""find_tipoffs: the planted pre-raid calls are found, investigators calling after raids
are not, on the sample case, on synthetic cities and on small hand-made cases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.stats import chi2

from umbrella_graph import CaseGraph, ParameterError, build_graph, case_from_frames
from umbrella_graph.cli import main
from umbrella_graph.investigate import find_tipoffs, tipoffs_summary
from umbrella_graph.investigate.tipoffs import TIPOFF_COLUMNS, TIPOFF_SUMMARY_COLUMNS
from umbrella_graph.scoring import clear_cache
from umbrella_graph.scoring.facts import event_gang_ids
from umbrella_graph.synth import generate_city

# from data/samples/qinghe/README.md: the police officer who calls the G03 leader before
# raids, and the county investigator who calls G01 and G03 members after raids
COP, INVESTIGATOR = "P0241", "P0188"


def _pairs(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(df["event_id"].astype(str), df["official_id"].astype(str), strict=True))


# ----------------------------------------------------------------------------- sample case
def test_sample_finds_the_tipoff_cop_and_not_the_investigator(sample_graph: CaseGraph, sample_dir: Path) -> None:
    planted = pd.read_csv(sample_dir / "truth_tipoffs.csv", dtype=str)
    t = find_tipoffs(sample_graph)
    assert list(t.columns) == list(TIPOFF_COLUMNS)
    found = _pairs(t)
    assert _pairs(planted) <= found  # recall 1 on the sample
    assert len(_pairs(planted) & found) / len(found) >= 0.75  # precision
    assert COP in set(t["official_id"])
    assert INVESTIGATOR not in set(t["official_id"])
    # every row cites a real contact record between the cop's side and the gang's side
    contacts = sample_graph.case["contacts"].set_index("_row")
    cop = t[t["official_id"] == COP]
    for rec in cop.itertuples(index=False):
        src, dst = contacts.loc[rec.row, "src"], contacts.loc[rec.row, "dst"]
        assert {src, dst} == {rec.via_person_id, rec.contact_person_id}
        assert rec.file == "contacts.csv"
        assert 0 < rec.lead_hours <= rec.window_hours <= 96
        assert contacts.loc[rec.row, "time"] == rec.contact_time
    # the gang relays every warning: its leader calls members right after
    assert (cop.groupby("event_id")["n_relay"].max() >= 2).all()
    assert (cop["score"] >= 2.0).all()


def test_sample_investigator_has_pre_raid_contacts_only_below_the_threshold(sample_graph: CaseGraph) -> None:
    everything = find_tipoffs(sample_graph, min_score=0)
    inv = everything[everything["official_id"] == INVESTIGATOR]
    assert (inv["score"] < 2.0).all()


def test_rerun_is_identical(sample_graph: CaseGraph) -> None:
    a = find_tipoffs(sample_graph, min_score=0)
    b = find_tipoffs(sample_graph, min_score=0)
    pd.testing.assert_frame_equal(a, b)


def test_summary_one_row_per_event_and_official(sample_graph: CaseGraph) -> None:
    t = find_tipoffs(sample_graph)
    s = tipoffs_summary(t)
    assert list(s.columns) == list(TIPOFF_SUMMARY_COLUMNS)
    assert len(s) == len(_pairs(t))
    assert s["score"].is_monotonic_decreasing
    assert (s["n_records"] == t.groupby(["event_id", "official_id"]).size()
            .reindex(pd.MultiIndex.from_frame(s[["event_id", "official_id"]])).to_numpy()).all()
    assert s["evidence"].str.contains("contacts.csv:").all()


def test_cli_writes_csv(sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tipoffs.csv"
    res = CliRunner().invoke(main, ["tipoffs", str(sample_dir), "-o", str(out), "--window", "48h"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, dtype={"event_id": str, "official_id": str})
    assert list(df.columns) == list(TIPOFF_COLUMNS)
    assert COP in set(df["official_id"]) and INVESTIGATOR not in set(df["official_id"])
    res = CliRunner().invoke(main, ["tipoffs", str(sample_dir), "--summary", "-o", str(tmp_path / "s.csv")])
    assert res.exit_code == 0, res.output
    assert list(pd.read_csv(tmp_path / "s.csv").columns) == list(TIPOFF_SUMMARY_COLUMNS)
    res = CliRunner().invoke(main, ["tipoffs", str(sample_dir), "--window", "-2"])
    assert res.exit_code == 1
    assert "The 'window' parameter of find_tipoffs must be a positive duration. Got '-2' instead." in res.output


# ----------------------------------------------------------------------------- synthetic cities
@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_synthetic_cities_precision_recall(difficulty: str) -> None:
    """Planted tip-offs (event, official) against the flagged pairs, pooled over seeds.

    Thresholds sit well below what bench/tipoffs.py measures (bench/results/tipoffs.md),
    so that a real regression fails and seed noise does not.
    """
    tp = n_found = n_planted = 0
    for seed in (0, 1, 2):
        city = generate_city(people=1200, gangs=4, seed=seed, difficulty=difficulty)
        t = find_tipoffs(build_graph(city.case))
        found, planted = _pairs(t), _pairs(city.tipoffs)
        tp += len(found & planted)
        n_found += len(found)
        n_planted += len(planted)
        investigators = city.investigator_pairs()
        assert investigators, f"seed {seed}: the city has no investigator to confuse the detector"
        flagged = set(zip(t["official_id"], t["gang_id"], strict=True))
        assert not flagged & investigators, f"seed {seed}: an investigator is flagged"
    assert n_planted > 0
    precision, recall = tp / max(n_found, 1), tp / n_planted
    min_p, min_r = {"easy": (0.8, 0.75), "medium": (0.75, 0.7), "hard": (0.6, 0.45)}[difficulty]
    assert precision >= min_p, (precision, recall)
    assert recall >= min_r, (precision, recall)


# ----------------------------------------------------------------------------- hand-made cases
def _case(contacts: list[tuple[str, str, str, str]], *, events: list[tuple[str, str]] | None = None,
          ties: list[tuple[str, str, str]] | None = None, extra_people: list[str] | None = None,
          event_frame: pd.DataFrame | None = None) -> CaseGraph:
    people = ["off", "wife", "cop", "boss", "m1", "m2", "bro", *(extra_people or [])]
    frames = {
        "people": pd.DataFrame({"id": people, "name": list("甲乙丙丁戊己庚辛壬癸")[:len(people)]}),
        "officials": pd.DataFrame({"person_id": ["off", "cop"], "position": ["镇长", "侦查员"]}),
        "gangs": pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
        "members": pd.DataFrame({"person_id": ["boss", "m1", "m2", "bro"], "gang_id": ["G1"] * 4,
                                 "role": ["leader", "member", "member", "member"]}),
        "events": event_frame if event_frame is not None else pd.DataFrame(
            {"id": [e for e, _ in events or [("E1", "2020-06-01 06:00")]], "kind": "raid", "gang_id": "G1",
             "time": [t for _, t in events or [("E1", "2020-06-01 06:00")]]}),
        "contacts": pd.DataFrame(contacts, columns=["src", "dst", "kind", "time"]),
        "ties": pd.DataFrame(ties or [("off", "wife", "spouse")], columns=["src", "dst", "kind"]),
    }
    return build_graph(case_from_frames(frames))


_ALARM = [("boss", "m1", "call", "2020-05-31 22:10"), ("boss", "m2", "call", "2020-05-31 22:20")]
_LIFE = [("boss", "m1", "call", f"2020-0{m}-1{d} 12:00") for m in (3, 4, 7, 8) for d in (1, 5)]


def test_spouse_call_is_attributed_to_the_official() -> None:
    g = _case([("wife", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE])
    t = find_tipoffs(g)
    assert len(t) == 1
    row = t.iloc[0]
    assert (row["official_id"], row["via"], row["via_person_id"], row["contact_person_id"]) == \
        ("off", "spouse", "wife", "boss")
    assert row["n_relay"] == 2 and row["lead_hours"] == 8.0


def test_investigator_calling_after_raids_is_not_flagged() -> None:
    # two raids ten days apart; the investigator calls members every day for two weeks
    # after each, so some calls fall in the 48 h before the second raid
    days = [f"2020-06-{d:02d} 15:00" for d in range(2, 16)] + [f"2020-06-{d:02d} 15:00" for d in range(12, 26)]
    calls = [("cop", "m1" if i % 2 else "m2", "call", t) for i, t in enumerate(days)]
    g = _case([*calls, *_LIFE], events=[("E1", "2020-06-01 06:00"), ("E2", "2020-06-11 06:00")])
    everything = find_tipoffs(g, follow_up="30D", min_score=0)
    assert set(everything["official_id"]) == {"cop"}  # he does call before E2...
    assert everything["n_follow_up"].iat[0] > 0  # ...but in the follow-up of E1
    assert len(find_tipoffs(g)) == 0  # and is not flagged (follow-up measured from the case)
    assert len(find_tipoffs(g, follow_up="30D")) == 0
    # without the follow-up rate the same calls look like an excess
    assert find_tipoffs(g, follow_up=None, min_score=0)["surprise"].max() > everything["surprise"].max()


def test_event_kinds_and_contact_kinds_filter() -> None:
    g = _case([("wife", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE])
    assert len(find_tipoffs(g, event_kinds=["raid"])) == 1
    assert len(find_tipoffs(g, event_kinds="inspection")) == 0
    assert len(find_tipoffs(g, kinds=("meeting",), min_score=0)) == 0


def test_relative_who_is_a_member_does_not_speak_for_the_official() -> None:
    # the official's brother is a listed member; his calls to the leader are gang life
    g = _case([("bro", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE],
              ties=[("off", "bro", "sibling")])
    assert len(find_tipoffs(g, min_score=0)) == 0


def test_call_without_window_or_after_the_event_is_ignored() -> None:
    g = _case([("off", "boss", "call", "2020-06-01 06:00"), ("off", "boss", "call", "2020-05-29 08:00"),
               *_LIFE])
    # 70 h before: outside a 48 h window, inside the default scan (1 h to 4 days)
    assert len(find_tipoffs(g, window="48h", min_score=0)) == 0
    assert len(find_tipoffs(g, window="72h", min_score=0)) == 1
    t = find_tipoffs(g, min_score=0)
    assert len(t) == 1 and t["window_hours"].iat[0] == 72.0 and t["lead_hours"].iat[0] == 70.0


def test_empty_results_keep_columns() -> None:
    g = _case([*_LIFE], events=[])
    t = find_tipoffs(g)
    assert list(t.columns) == list(TIPOFF_COLUMNS) and len(t) == 0
    assert list(tipoffs_summary(t).columns) == list(TIPOFF_SUMMARY_COLUMNS)


@pytest.mark.parametrize("window", ["48h", "2D", 48, 48.0, "48", pd.Timedelta(hours=48), dt.timedelta(days=2),
                                    np.timedelta64(48, "h")])
def test_window_formats_agree(window: object) -> None:
    g = _case([("off", "boss", "call", "2020-05-31 22:00"), ("off", "boss", "call", "2020-05-30 08:00"),
               *_ALARM, *_LIFE])
    pd.testing.assert_frame_equal(find_tipoffs(g, window=window), find_tipoffs(g, window="48h"))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": -2}, "The 'window' parameter of find_tipoffs must be a positive duration. Got -2 instead."),
    ({"window": 0}, "The 'window' parameter of find_tipoffs must be a positive duration. Got 0 instead."),
    ({"window": "soon"}, "The 'window' parameter of find_tipoffs must be a positive duration. Got 'soon' instead."),
    ({"window": True}, "The 'window' parameter of find_tipoffs must be a positive duration. Got True instead."),
    ({"window": "-3h"}, "The 'window' parameter of find_tipoffs must be a positive duration. Got '-3h' instead."),
    ({"baseline": "0D"}, "The 'baseline' parameter of find_tipoffs must be a positive duration."),
    ({"follow_up": -1}, "The 'follow_up' parameter of find_tipoffs must be a positive duration."),
    ({"relay": "x"}, "The 'relay' parameter of find_tipoffs must be a positive duration."),
    ({"kinds": ("fax",)}, "The 'kinds' parameter of find_tipoffs must be a non-empty list of call"),
    ({"kinds": ()}, "The 'kinds' parameter of find_tipoffs must be a non-empty list"),
    ({"min_score": -1}, "The 'min_score' parameter of find_tipoffs must be a number >= 0. Got -1 instead."),
])
def test_parameter_errors(kwargs: dict[str, object], message: str) -> None:
    g = _case([*_LIFE])
    with pytest.raises(ParameterError) as exc:
        find_tipoffs(g, **kwargs)  # type: ignore[arg-type]
    assert message in str(exc.value)


def test_graph_must_be_a_case_graph() -> None:
    with pytest.raises(ParameterError, match="The 'graph' parameter of find_tipoffs must be a CaseGraph"):
        find_tipoffs(pd.DataFrame())  # type: ignore[arg-type]


#: The gang's own calls over four years around the raids: the period the records cover.
_YEARS = [("boss", "m2", "call", f"{y}-0{m}-20 12:00") for y in (2018, 2019, 2021, 2022) for m in (2, 9)]


def test_an_event_naming_no_gang_is_on_the_gang_of_its_target(caplog: pytest.LogCaptureFixture) -> None:
    """A police log that names whom it raided, not the gang: the raid on the leader is on
    his gang, and the wife's call before it is the tip-off it is when the log names the
    gang (before, no event was tested and nothing was listed). A target listed in two
    gangs puts the event on neither, said in a warning without ids; a gang the log names
    is kept, whoever the target; an official targeted is on no gang's side."""
    calls = [("wife", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE]
    named = find_tipoffs(_case(calls))
    raid = pd.DataFrame({"id": ["E1"], "kind": ["raid"], "time": ["2020-06-01 06:00"], "gang_id": [None],
                         "target_id": ["boss"]})
    read = find_tipoffs(_case(calls, event_frame=raid))
    assert len(named) == 1 and named["event_gang_from"].tolist() == ["gang_id"]
    assert read["event_gang_from"].tolist() == ["target"]
    pd.testing.assert_frame_equal(named.drop(columns="event_gang_from"), read.drop(columns="event_gang_from"))
    assert tipoffs_summary(read)["event_gang_from"].tolist() == ["target"]

    frames = {
        "people": pd.DataFrame({"id": ["off", "boss", "m1", "x", "y"], "name": list("甲乙丙丁戊")}),
        "officials": pd.DataFrame({"person_id": ["off"], "position": ["民警"]}),
        "gangs": pd.DataFrame({"id": ["G1", "G2"], "name": ["甲帮", "乙帮"]}),
        "members": pd.DataFrame({"person_id": ["boss", "m1", "x", "x", "y"], "gang_id": ["G1", "G1", "G1", "G2", "G2"],
                                 "role": ["leader", "member", "member", "member", "leader"]}),
        "events": pd.DataFrame({"id": ["E1", "E2", "E3", "E4"], "kind": ["raid"] * 4,
                                "time": ["2020-06-01 06:00"] * 4, "gang_id": [None, "G2", None, None],
                                "target_id": ["x", "boss", "off", "m1"]}),
    }
    g = build_graph(case_from_frames(frames))
    clear_cache()  # the warning is said when the facts are computed
    with caplog.at_level("WARNING", logger="umbrella_graph"):
        eg = event_gang_ids(g)
    assert eg["gang_id"].tolist() == [pd.NA, "G2", pd.NA, "G1"]
    assert eg["gang_from"].tolist() == [pd.NA, "gang_id", pd.NA, "target"]
    said = [r.getMessage() for r in caplog.records if "several gangs" in r.getMessage()]
    assert said == ["1 event(s) name no gang and target someone on several gangs' sides at the same confidence: "
                    "they are read as on no gang"]


def test_lone_pre_raid_call_without_relay_is_listed() -> None:
    """A single call to the leader hours before a raid, by an official who never calls
    the gang otherwise in four years of records and with no relay inside the gang, is
    listed at the default; with five months of records it is a 1-in-600 coincidence and
    is not (the tested call counts in its own pair's rate)."""
    g = _case([("off", "boss", "call", "2020-06-01 01:00"), *_LIFE, *_YEARS])
    t = find_tipoffs(g)
    assert len(t) == 1 and t["official_id"].iat[0] == "off" and t["n_relay"].iat[0] == 0
    assert t["score"].iat[0] == t["surprise"].iat[0] >= 3.0
    short = find_tipoffs(_case([("off", "boss", "call", "2020-06-01 01:00"), *_LIFE]), min_score=0)
    assert 2.0 < short["surprise"].iat[0] < 3.0


def test_chinese_and_traditional_kinds_are_the_same_case() -> None:
    """Event and tie kinds in simplified or traditional Chinese give the same tip-offs."""
    base = [("wife", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE]
    en = find_tipoffs(_case(base))
    frames = {
        "people": pd.DataFrame({"id": ["off", "wife", "cop", "boss", "m1", "m2", "bro"], "name": list("甲乙丙丁戊己庚")}),
        "officials": pd.DataFrame({"person_id": ["off", "cop"], "position": ["镇长", "侦查员"]}),
        "gangs": pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
        "members": pd.DataFrame({"person_id": ["boss", "m1", "m2", "bro"], "gang_id": ["G1"] * 4,
                                 "role": ["leader", "member", "member", "member"]}),
        "events": pd.DataFrame({"id": ["E1", "E2"], "kind": ["突擊檢查", "宣判"], "gang_id": "G1",
                                "time": ["2020-06-01 06:00", "2020-06-01 07:00"]}),
        "contacts": pd.DataFrame(base, columns=["src", "dst", "kind", "time"]),
        "ties": pd.DataFrame([("off", "wife", "配偶")], columns=["src", "dst", "kind"]),
    }
    zh = find_tipoffs(build_graph(case_from_frames(frames)))
    assert list(zh["event_id"]) == ["E1"]  # 宣判 (a verdict) is not enforcement
    assert zh["via"].tolist() == en["via"].tolist() == ["spouse"]
    assert zh["score"].round(6).tolist() == en["score"].round(6).tolist()


# ----------------------------------------------------------------------------- the scan's own null
def test_scan_pvalue_is_exact_for_nested_windows() -> None:
    """The scan's p-value matches a simulation of the nested Poisson windows, lies between
    the best window's own p-value and the Bonferroni bound, and is that p-value for one
    window."""
    from scipy import stats

    from umbrella_graph.scoring.tipoff import scan_pvalue

    mu = np.array([[0.2, 0.5, 1.0, 2.0], [0.01, 0.03, 0.06, 0.12]])
    # observed: 4 records in the second window of the first row, 1 in the first of the second
    lp = np.array([stats.poisson.logsf(3, 0.5), stats.poisson.logsf(0, 0.01)])
    got = np.exp(scan_pvalue(mu, lp))
    rng = np.random.default_rng(0)
    n = 200_000
    for i in range(2):
        inc = rng.poisson(np.diff(np.r_[0.0, mu[i]]), size=(n, 4)).cumsum(axis=1)
        p_w = np.where(inc > 0, stats.poisson.sf(inc - 1, mu[i]), 1.0)
        sim = float((p_w.min(axis=1) <= np.exp(lp[i]) * (1 + 1e-9)).mean())
        assert abs(got[i] - sim) < 4 * np.sqrt(sim * (1 - sim) / n) + 1e-4, (got[i], sim)
    assert (got >= np.exp(lp) - 1e-12).all() and (got <= 4 * np.exp(lp) + 1e-12).all()
    assert np.exp(scan_pvalue(mu[:, :1], lp)) == pytest.approx(np.exp(lp))


def test_lone_call_scan_is_not_bonferroni() -> None:
    """A lone call 5 hours before a raid: its p-value is close to that of the shortest
    window holding it, not 8 times it."""
    g = _case([("off", "boss", "call", "2020-06-01 01:00"), *_LIFE])
    t = find_tipoffs(g, min_score=0)
    one = find_tipoffs(g, window="6h", min_score=0)
    assert t["window_hours"].iat[0] == 6.0
    assert t["p_value"].iat[0] < 2 * one["p_value"].iat[0]


def test_a_call_warns_of_the_next_raid_only() -> None:
    """A call 5 hours before one raid and 29 hours before the next on the same gang is a
    tip-off for the first only."""
    g = _case([("off", "boss", "call", "2020-06-01 01:00"), *_LIFE],
              events=[("E1", "2020-06-01 06:00"), ("E2", "2020-06-02 06:00")])
    t = find_tipoffs(g, min_score=0)
    assert set(t["event_id"]) == {"E1"}


def test_kin_call_is_attributed_to_the_official_through_the_circle() -> None:
    """A brother's lone call before a raid is the official's tip-off (the domain circle:
    a 兄弟 tie), listed at the default threshold."""
    g = _case([("bro2", "boss", "call", "2020-06-01 01:00"), *_LIFE, *_YEARS],
              ties=[("off", "wife", "spouse"), ("off", "bro2", "兄弟")], extra_people=["bro2"])
    t = find_tipoffs(g)
    assert t[["official_id", "via", "via_person_id"]].values.tolist() == [["off", "kin", "bro2"]]


def test_follow_up_is_measured_against_the_whole_record_period() -> None:
    """An investigator whose calls all follow raids: the follow-up period covers them,
    measured against the months of records around them, and nothing is listed."""
    days = [f"2020-06-{d:02d} 15:00" for d in range(2, 16)] + [f"2020-06-{d:02d} 15:00" for d in range(12, 26)]
    calls = [("cop", "m1" if i % 2 else "m2", "call", t) for i, t in enumerate(days)]
    g = _case([*calls, *_LIFE], events=[("E1", "2020-06-01 06:00"), ("E2", "2020-06-11 06:00")])
    t = find_tipoffs(g, min_score=0)
    assert t["follow_up_hours"].iat[0] >= 10 * 24
    assert t["score"].max() < 1.0


def test_warnings_before_two_of_five_raids_are_a_pattern() -> None:
    """Lone calls 30 hours before two of a gang's five raids: neither is a tip-off by
    itself, together they are (two coincidences among five raids, the order-statistic
    pattern); Fisher's combination over the five events would have diluted them."""
    raids = [("E1", "2019-11-01 06:00"), ("E2", "2020-03-01 06:00"), ("E3", "2020-06-01 06:00"),
             ("E4", "2020-09-01 06:00"), ("E5", "2020-12-01 06:00")]
    calls = [("off", "boss", "call", "2020-02-28 00:00"), ("off", "boss", "call", "2020-08-31 00:00")]
    g = _case([*calls, *_LIFE, *_YEARS], events=raids)
    every = find_tipoffs(g, min_score=0)
    assert set(every["event_id"]) == {"E2", "E4"}
    score = every["score"].to_numpy()
    assert (score >= 2.0).all() and (score < 3.0).all()
    fisher = -chi2.logsf(2 * np.log(10) * score.sum(), 2 * len(raids)) / np.log(10)
    assert fisher < 3.0 <= every["pattern_score"].iat[0]
    t = find_tipoffs(g)
    assert sorted(t["event_id"]) == ["E2", "E4"] and set(t["official_id"]) == {"off"}
    # one warning among the five raids is no pattern
    one = find_tipoffs(_case([calls[0], *_LIFE, *_YEARS], events=raids), min_score=0)
    assert one["pattern_score"].iat[0] == 0.0 and find_tipoffs(_case([calls[0], *_LIFE, *_YEARS], events=raids)).empty


# ----------------------------------------------------------------------------- events dated only
def test_a_call_on_the_day_of_an_event_dated_only_is_read() -> None:
    """A police log that gives the raid's day and not its hour: the loader reads
    ``2020-06-01`` as midnight, and a warning at 01:00 that day used to count as after the
    raid. The event is read as any time of its day: the call is listed, with its lead
    counted to the end of the day, and the explanation says the order is not known."""
    calls = [("wife", "boss", "call", "2020-06-01 01:00"), ("boss", "m1", "call", "2020-06-01 01:10"),
             ("boss", "m2", "call", "2020-06-01 01:20"), *_LIFE, *_YEARS]
    timed = find_tipoffs(_case(calls, events=[("E1", "2020-06-01 06:00")]))
    assert len(timed) == 1 and not timed["event_dated"].iat[0] and timed["lead_hours"].iat[0] == 5.0
    g = _case(calls, events=[("E1", "2020-06-01")])
    t = find_tipoffs(g)
    assert len(t) == 1 and bool(t["event_dated"].iat[0]) and t["lead_hours"].iat[0] == 23.0
    assert t["event_time"].iat[0] == pd.Timestamp("2020-06-01")  # as recorded
    assert t["score"].iat[0] >= 3.0 and t["n_relay"].iat[0] == 2
    assert bool(tipoffs_summary(t)["event_dated"].iat[0])
    from umbrella_graph import explain

    rec = explain(g, "off", "G1").records
    note = rec[rec["signal"] == "tipoff"]["note"].iat[0]
    assert note.startswith("on the day of E1 (raid; the records give the day, not the hour: before or after it is "
                           "not known)")
    # the day before: a lead between 21 and 45 hours
    eve = find_tipoffs(_case([("wife", "boss", "call", "2020-05-31 03:00"), *_LIFE, *_YEARS],
                             events=[("E1", "2020-06-01")]), min_score=0)
    assert eve["lead_hours"].iat[0] == 45.0
    rec = explain(_case([("wife", "boss", "call", "2020-05-31 03:00"), *_LIFE, *_YEARS],
                        events=[("E1", "2020-06-01")]), "off", "G1").records
    assert rec[rec["signal"] == "tipoff"]["note"].iat[0].startswith(
        "21.0 to 45.0 h before E1 (raid; the records give the day, not the hour)")


def test_investigator_on_the_day_of_a_dated_raid_is_not_flagged() -> None:
    """The investigator's calls on the raid's own day may follow it: with the event dated
    only, that day counts as follow-up time in his expected count, so his calls that day
    (and every day after) are not a tip-off; read at the end of the day without it, they
    would be."""
    days = [f"2020-06-{d:02d} 15:00" for d in range(1, 16)] + [f"2020-06-{d:02d} 15:00" for d in range(11, 26)]
    calls = [("cop", "m1" if i % 2 else "m2", "call", t) for i, t in enumerate(days)]
    dated = [("E1", "2020-06-01"), ("E2", "2020-06-11")]
    g = _case([*calls, *_LIFE, *_YEARS], events=dated)
    every = find_tipoffs(g, min_score=0)
    assert {"E1", "E2"} <= set(every["event_id"]) and every["event_dated"].all()
    assert len(find_tipoffs(g)) == 0
    end_of_day = [("E1", "2020-06-01 23:59:59"), ("E2", "2020-06-11 23:59:59")]
    assert len(find_tipoffs(_case([*calls, *_LIFE, *_YEARS], events=end_of_day))) > 0


def test_a_midnight_event_among_timed_ones_is_timed() -> None:
    """Only a file whose every event time is midnight is read as dates: a raid at 00:00
    beside raids at other hours is a raid at midnight (domain.dated_only)."""
    g = _case([("wife", "boss", "call", "2020-06-01 01:00"), *_LIFE, *_YEARS],
              events=[("E0", "2019-06-01 05:00"), ("E1", "2020-06-01 00:00")])
    assert len(find_tipoffs(g, min_score=0)) == 0  # the call follows the midnight raid


def test_arrests_by_day_beside_raids_by_hour_are_dates() -> None:
    """One police log giving its raids their hour and its arrests their day: the arrests
    of that file are dates (domain.dated_only, per file and kind, the rule of the
    contacts), so the wife's warning at 01:00 on an arrest's day is listed; read as
    midnight, the arrest preceded it. A heap of raids at 00:00 beside timed raids is
    dates too; one raid at midnight is not (above)."""
    calls = [("wife", "boss", "call", "2020-06-01 01:00"), ("boss", "m1", "call", "2020-06-01 01:10"),
             ("boss", "m2", "call", "2020-06-01 01:20"), *_LIFE, *_YEARS]
    log = pd.DataFrame({"id": ["E0", "E1", "E2"], "kind": ["raid", "arrest", "raid"], "gang_id": "G1",
                        "time": ["2019-06-01 05:00", "2020-06-01", "2020-09-01 22:00"]})
    t = find_tipoffs(_case(calls, event_frame=log))
    assert list(t["event_id"]) == ["E1"] and bool(t["event_dated"].iat[0]) and t["lead_hours"].iat[0] == 23.0
    as_raid = log.assign(kind="raid")  # one raid at midnight among timed raids: a raid at midnight
    assert find_tipoffs(_case(calls, event_frame=as_raid), min_score=0).empty
    timed = [f"2019-{m:02d}-{d:02d} {h}" for m in range(1, 13) for d, h in ((3, "05:00"), (17, "21:30"))]
    heap = pd.DataFrame({"id": [f"E{i}" for i in range(30)], "kind": "raid", "gang_id": "G1",
                         "time": [*timed, "2019-12-20", "2020-01-20", "2020-02-20", "2020-03-20", "2020-04-20",
                                  "2020-06-01"]})
    t = find_tipoffs(_case(calls, event_frame=heap))
    assert list(t["event_id"]) == ["E29"] and bool(t["event_dated"].iat[0])


def test_contacts_by_day_compare_with_events_by_day() -> None:
    """Call records that give the day alone (通话日期): every call reads as midnight, so the
    investigator's call on the raid's day sat six hours *before* a 06:00 raid. With no
    contact hour in the case, events are compared by their day: that call may follow the
    raid, and he is not flagged; a warning the day before is still listed, in days."""
    raids = [("E1", "2020-06-01 06:00"), ("E2", "2020-06-11 06:00")]
    inv = [("cop", "m1" if i % 2 else "m2", "call", f"2020-06-{d:02d}") for i, d in
           enumerate([*range(1, 9), *range(11, 19)])]
    life = [(a, b, k, t[:10]) for a, b, k, t in [*_LIFE, *_YEARS]]
    g = _case([*inv, *[("wife", "boss", "call", "2020-05-31")] * 3, *life], events=raids)
    t = find_tipoffs(g)
    assert set(t["official_id"]) == {"off"} and t["event_dated"].all()
    assert t["event_time"].iat[0] == pd.Timestamp("2020-06-01 06:00")  # as recorded
    every = find_tipoffs(g, min_score=0)
    assert "cop" in set(every["official_id"]) and every.loc[every["official_id"] == "cop", "score"].max() < 2.0
    from umbrella_graph import explain

    rec = explain(g, "off", "G1").records
    assert rec[rec["signal"] == "tipoff"]["note"].iat[0].startswith(
        "1 day before E1 (raid; the records give the day, not the hour)")


def test_meetings_written_as_dates_beside_timed_calls() -> None:
    """One export with calls timed and meetings dated (见面日期): the meetings read as
    midnight, so the investigator's meetings on the days of 06:00 raids sat six hours before
    them. A contact dated only (domain.dated_contacts: midnight, and every contact of its
    kind in its file at midnight) is not tested against an event with an hour on its own
    day; a meeting the day before is listed, its lead counted from the day's start."""
    raids = [("E1", "2020-06-01 06:00"), ("E2", "2020-06-11 06:00")]
    inv = [("cop", "m1" if i % 2 else "m2", "meeting", f"2020-06-{d:02d}") for i, d in
           enumerate([1, 3, 5, 7, 11, 13, 15, 17])]
    g = _case([*inv, ("wife", "boss", "meeting", "2020-05-31"), *_LIFE, *_YEARS], events=raids)
    from umbrella_graph.domain import dated_contacts

    dated = dated_contacts(g.case["contacts"])
    assert dated[:9].all() and not dated[9:].any()  # the calls keep their hours
    every = find_tipoffs(g, min_score=0)
    # before: his meetings on both raid days, 6.0 h before each, flagged as a pattern (2.87 each)
    assert "cop" not in set(every["official_id"]) and len(find_tipoffs(g)) == 0
    mine = every[every["official_id"] == "off"]
    assert len(mine) == 1 and bool(mine["contact_dated"].iat[0]) and not bool(mine["event_dated"].iat[0])
    assert mine["lead_hours"].iat[0] == 30.0  # from the start of 2020-05-31: the most it can be
    from umbrella_graph import explain

    rec = explain(g, "off", "G1").records
    assert rec[rec["signal"] == "tipoff"]["note"].iat[0].startswith(
        "6.0 to 30.0 h before E1 (raid; the records give the day, not the hour)")
    # the contact signal agrees: those meetings may follow the raids, so they are follow-up, not evidence
    rec = explain(g, "cop", "G1").records
    raid_day = rec[(rec["signal"] == "contacts") & rec["time"].isin([pd.Timestamp("2020-06-01"),
                                                                        pd.Timestamp("2020-06-11")])]
    assert raid_day["note"].tolist() == [f"left out: in the investigators' follow-up period after {e}"
                                         for e in ("E1", "E2")] and not raid_day["used"].any()
    # the same meetings with hours are read as written; a call at 00:00 among timed calls too
    timed = [(a, b, k, f"{t} 09:00") for a, b, k, t in inv]
    t2 = find_tipoffs(_case([*timed, ("boss", "m1", "call", "2020-03-02 00:00"), *_LIFE, *_YEARS], events=raids),
                      min_score=0)
    assert not t2["contact_dated"].any()
    # the report shows the column, and says how such a contact is read, only when there is one
    from umbrella_graph.reporting import render_report

    with_off = _case([*inv, *[("wife", "boss", "meeting", "2020-05-31")] * 3, *_ALARM, *_LIFE, *_YEARS], events=raids)
    html = render_report(with_off, scores=pd.DataFrame({"official_id": ["off"], "gang_id": ["G1"], "score": [0.9]}),
                         details=0)
    assert "Contact by day" in html and "Some contacts are recorded as dates" in html
    assert "Contact by day" not in render_report(_case([("wife", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE]),
                                                 scores=pd.DataFrame({"official_id": ["off"], "gang_id": ["G1"],
                                                                      "score": [0.9]}), details=0)


def test_a_meetings_log_with_some_hours_and_some_days_only() -> None:
    """A meetings log that gives some meetings their hour and others only their day: the
    group has hours, so "every meeting at midnight" does not see the dates; their heap at
    exactly 00:00, against no meeting at 23:00 or 01:00, does (domain.dated_contacts). The
    investigator's meetings on the days of 06:00 raids are then not six hours before them
    (before, he was listed before both raids, 2.87 each, a pattern). A few meetings at
    midnight among meetings around midnight stay meetings at midnight."""
    from umbrella_graph.domain import dated_contacts

    raids = [("E1", "2020-06-01 06:00"), ("E2", "2020-06-11 06:00")]
    inv = [("cop", "m1" if i % 2 else "m2", "meeting", f"2020-06-{d:02d}") for i, d in
           enumerate([1, 3, 5, 7, 11, 13, 15, 17])]
    timed = [("boss", "m1", "meeting", f"2020-0{m}-{d:02d} 19:30") for m in (3, 4, 7, 8) for d in (2, 9, 16)]
    g = _case([*inv, *timed, *_LIFE, *_YEARS], events=raids)
    dated = dated_contacts(g.case["contacts"])
    assert dated[:len(inv)].all() and not dated[len(inv):].any()
    assert any(n.startswith("<DataFrame contacts>: 8 meeting contact(s) with no time of day (read as midnight)")
               for n in g.case.report.notes)  # the load report says so
    every = find_tipoffs(g, min_score=0)
    assert "cop" not in set(every["official_id"]) and len(find_tipoffs(g)) == 0
    night = [("boss", "m1", "meeting", f"2020-03-{d:02d} {h}") for d in range(1, 11) for h in ("23:00", "01:00")]
    at0 = [("boss", "m2", "meeting", f"2020-04-0{d} 00:00") for d in (1, 2, 3)]
    g2 = _case([*at0, *night, *timed, *_LIFE], events=raids)
    assert not dated_contacts(g2.case["contacts"]).any()


def test_a_call_in_both_phones_records_counts_once(caplog: pytest.LogCaptureFixture) -> None:
    """Call records pulled for both phones hold each call twice (A to B in the caller's,
    B to A in the callee's, the same second). Counted twice, one warning call was two and
    an investigator's routine calls an excess (on two 4,000-person cities with every contact
    mirrored, 15 and 18 (event, official) pairs flagged against 9 and 14, no more planted
    tip-offs found). Each contact now counts once: the tip-off
    table and the scores equal those of the single records, the explanation cites the
    first record and names the repeat, and the load of the facts says how many."""
    import logging

    from umbrella_graph import explain, score_umbrellas

    calls = [("wife", "boss", "call", "2020-05-31 22:00"), *_ALARM, *_LIFE, *_YEARS]
    once, twice = _case(calls), _case(calls + [(b, a, k, t) for a, b, k, t in calls])
    with caplog.at_level(logging.WARNING, logger="umbrella_graph.scoring._context"):
        t2 = find_tipoffs(twice, min_score=0)
    assert "19 contact record(s) repeat an earlier record's two people, kind and time" in caplog.text
    t1 = find_tipoffs(once, min_score=0)
    pd.testing.assert_frame_equal(t1.drop(columns=["row"]), t2.drop(columns=["row"]))
    pd.testing.assert_frame_equal(score_umbrellas(once), score_umbrellas(twice))
    rec = explain(twice, "off", "G1").records
    tip = rec[rec["signal"] == "tipoff"]
    assert tip["row"].tolist() == [2] and tip["note"].iat[0].endswith(
        "recorded again at <DataFrame contacts>:21, counted once")
    # two meetings on one day recorded as dates are two meetings, not a repeat
    days = _case([("wife", "boss", "meeting", "2020-05-30"), ("boss", "wife", "meeting", "2020-05-30"),
                  *_LIFE, *_YEARS])
    assert find_tipoffs(days, min_score=0)["n_window"].iat[0] == 2


def test_report_draws_an_event_compared_by_day() -> None:
    """The report's tip-off section says when events are compared by their day, draws the
    window to the end of that day and shows the column; with hours it shows neither."""
    from umbrella_graph.reporting import render_report

    calls = [("wife", "boss", "call", "2020-06-01 01:00"), ("boss", "m1", "call", "2020-06-01 01:10"),
             ("boss", "m2", "call", "2020-06-01 01:20"), *_LIFE, *_YEARS]
    scores = pd.DataFrame({"official_id": ["off"], "gang_id": ["G1"], "score": [0.9]})
    dated = render_report(_case(calls, events=[("E1", "2020-06-01")]), scores=scores, details=0)
    assert "compared by their day" in dated and "on 2020-06-01 (by day)" in dated and "By day" in dated
    timed = render_report(_case(calls, events=[("E1", "2020-06-01 06:00")]), scores=scores, details=0)
    assert "compared by their day" not in timed and "By day" not in timed and "at 2020-06-01 06:00" in timed
