"""accountability (一案三查): the gang, its suspected umbrellas and who was responsible for
supervising its place and trades, each row with its reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import CaseGraph, ParameterError, build_graph, case_from_frames
from umbrella_graph.cli import main
from umbrella_graph.investigate import accountability, gang_activity
from umbrella_graph.investigate.three_investigations import ACCOUNTABILITY_COLUMNS

# from data/samples/qinghe/README.md
SECRETARY, HEAD_HEWAN, HEAD_XILING, COP, LAND_HEAD = "P0061", "P0035", "P0068", "P0241", "P0234"
HUB, INVESTIGATOR, FRONT_MAN = "P0225", "P0188", "P0258"


@pytest.fixture(scope="module")
def acc(sample_graph: CaseGraph) -> pd.DataFrame:
    return accountability(sample_graph)


def test_columns_parts_and_order(acc: pd.DataFrame, sample_graph: CaseGraph) -> None:
    assert list(acc.columns) == list(ACCOUNTABILITY_COLUMNS)
    assert set(acc["gang_id"]) == set(sample_graph.gangs)
    assert set(acc["part"]) == {"gang", "umbrella", "supervision"}
    order = {"gang": 0, "umbrella": 1, "supervision": 2}
    for _, d in acc.groupby("gang_id"):
        assert d["part"].map(order).is_monotonic_increasing
    assert acc["reason"].notna().all() and (acc["reason"].str.len() > 10).all()


def test_gang_part_lists_members_companies_and_period(acc: pd.DataFrame, sample_graph: CaseGraph) -> None:
    members = sample_graph.case["members"]
    for g in sample_graph.gangs:
        d = acc[(acc["gang_id"] == g) & (acc["part"] == "gang")]
        listed = set(members.loc[members["gang_id"] == g, "person_id"])
        assert listed <= set(d["entity_id"])
        gang_row = d[d["entity_kind"] == "gang"].iloc[0]
        act = gang_activity(sample_graph, g)
        assert gang_row["start"] == act["start"] and gang_row["end"] == act["end"]
        assert f"{len(listed)} listed members" in gang_row["reason"]
    g2 = acc[(acc["gang_id"] == "G02") & (acc["part"] == "gang")]
    assert {"C02", "C03"} <= set(g2.loc[g2["entity_kind"] == "company", "entity_id"])
    # the front man of the sand company is found by the scorer's inference
    fm = g2[g2["entity_id"] == FRONT_MAN]
    assert fm["role"].tolist() == ["front_man"]
    assert "controls gang company C02" in fm["reason"].iat[0]


def test_umbrella_part_holds_the_true_umbrellas(acc: pd.DataFrame, sample_dir: Path) -> None:
    truth = pd.read_csv(sample_dir / "truth.csv", dtype=str)
    truth = truth[truth["label"] == "1"]
    umb = acc[acc["part"] == "umbrella"]
    found = set(zip(umb["entity_id"], umb["gang_id"], strict=True))
    assert set(zip(truth["official_id"], truth["gang_id"], strict=True)) <= found
    assert not {o for o, _ in found} & {HUB, INVESTIGATOR}
    assert (umb["score"] >= 0.5).all()
    assert umb["reason"].str.contains(r"evidence channel\(s\)").all()


def test_supervision_part_on_the_sample(acc: pd.DataFrame) -> None:
    sup = acc[(acc["gang_id"] == "G02") & (acc["part"] == "supervision")].set_index("entity_id")
    # the land-office head regulates the sand company's trade in his town
    assert "sector regulator" in sup.loc[LAND_HEAD, "role"]
    assert "regulates sand and gravel" in sup.loc[LAND_HEAD, "reason"]
    # the cadres of the gang's village and the town's leaders govern its place
    villages = acc.loc[(acc["gang_id"] == "G02") & (acc["part"] == "supervision"), "jurisdiction_id"]
    assert {"V111", "V11"} <= set(villages)
    assert (sup.loc[sup["jurisdiction_id"] == "V111", "role"] == "territorial").all()
    # officials of another town carry no responsibility for G02
    assert "V12" not in set(villages) and "V10" not in set(villages)
    g01 = acc[(acc["gang_id"] == "G01") & (acc["part"] == "supervision")].set_index("entity_id")
    assert g01.loc[SECRETARY, "n_contracts_approved"] == 2
    assert "approved 2 contract(s) to gang companies" in g01.loc[SECRETARY, "reason"]


def test_rerun_is_identical(sample_graph: CaseGraph, acc: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(accountability(sample_graph), acc)
    one = accountability(sample_graph, "G03")
    pd.testing.assert_frame_equal(one, acc[acc["gang_id"] == "G03"].reset_index(drop=True))


# ----------------------------------------------------------------------------- hand-made county
def _county(events: bool = True, extra_posts: tuple[tuple[str, ...], ...] = ()) -> CaseGraph:
    posts: list[tuple[str | None, ...]] = [  # person, position, unit, jurisdiction, start, end
        ("head_v1", "村委会主任", "一村村委会", "V1", "2012-01-01", None),
        ("sec_t1", "镇党委书记", "一镇党委", "T1", "2008-01-01", "2012-12-31"),
        ("head_t1", "镇长", "一镇政府", "T1", "2014-01-01", None),
        ("cop_t1", "派出所民警", "一镇派出所", "T1", "2013-01-01", None),
        ("land_t1", "国土所所长", "一镇国土所", "T1", "2013-01-01", None),
        ("cj_t2", "城建办主任", "二镇城建办", "T2", "2013-01-01", None),
        ("land_t2", "国土所所长", "二镇国土所", "T2", "2013-01-01", None),
        ("mayor", "区长", "某区政府", "D1", "2016-01-01", "2018-12-31"),
        ("fin", "金融办主任", "某区金融办", "D1", "2016-01-01", None),
        ("clerk", "科员", "一镇政府", "T1", "2013-01-01", None),
        *extra_posts,
    ]
    people = [p[0] for p in posts] + ["boss", "m1"]
    frames = {
        "people": pd.DataFrame({"id": people, "name": [f"人{i}" for i in range(len(people))]}),
        "villages": pd.DataFrame({"id": ["D1", "T1", "T2", "V1", "V2"], "name": list("区甲乙子丑"),
                                  "parent_id": [None, "D1", "D1", "T1", "T2"],
                                  "level": ["district", "town", "town", "village", "village"]}),
        "officials": pd.DataFrame(posts, columns=["person_id", "position", "unit", "jurisdiction_id",
                                                  "start_date", "end_date"]),
        "gangs": pd.DataFrame({"id": ["G1"], "name": ["某帮"], "village_id": ["V1"]}),
        "members": pd.DataFrame({"person_id": ["boss", "m1"], "gang_id": ["G1", "G1"],
                                 "role": ["leader", "member"], "start_date": ["2015-01-01", "2016-01-01"]}),
        "companies": pd.DataFrame({"id": ["C1", "C2"], "name": ["某砂石厂", "某贷款公司"],
                                   "village_id": ["V1", "V2"], "sector": ["砂石", "借贷"]}),
        "company_roles": pd.DataFrame({"person_id": ["boss", "m1"], "company_id": ["C1", "C2"],
                                       "role": ["owner", "legal_rep"]}),
        "transactions": pd.DataFrame({"src": ["boss"], "dst": ["m1"], "amount": [5000], "date": ["2018-06-01"]}),
        "contracts": pd.DataFrame({"issuer_id": ["V1"], "approver_id": ["head_v1"], "company_id": ["C1"],
                                   "amount": [300000], "date": ["2016-05-01"]}),
    }
    if events:
        frames["events"] = pd.DataFrame({"id": ["E1"], "kind": ["raid"], "time": ["2019-03-01 06:00"],
                                         "gang_id": ["G1"], "jurisdiction_id": ["V1"]})
    return build_graph(case_from_frames(frames))


def test_hand_made_county_supervision() -> None:
    acc = accountability(_county(), "G1", scores=pd.DataFrame())
    assert "umbrella" not in set(acc["part"])  # no scores given
    sup = acc[acc["part"] == "supervision"].set_index("entity_id")
    assert set(sup.index) == {"head_v1", "head_t1", "cop_t1", "land_t1", "mayor", "fin"}
    assert sup.loc["head_v1", "role"] == "territorial"
    assert sup.loc["cop_t1", "role"] == "public security"
    assert sup.loc["land_t1", "role"] == "sector regulator"
    assert sup.loc["fin", "role"] == "sector regulator"
    assert "regulates lending (借贷) in D1, covering gang company C2" in sup.loc["fin", "reason"]
    assert sup.loc["head_v1", "n_contracts_approved"] == 1
    assert "approved 1 contract(s) to gang companies worth 300,000" in sup.loc["head_v1", "reason"]
    assert sup.loc["head_v1", "n_enforcement"] == 1
    # the mayor left office before the raid: no enforcement while he was in post
    assert sup.loc["mayor", "n_enforcement"] == 0
    assert "no enforcement event" in sup.loc["mayor", "reason"]
    # gang's own village first, then the town, then the district
    assert sup.index.tolist()[0] == "head_v1"
    assert sup.loc["head_v1", "evidence"].startswith("<DataFrame officials>:2")
    gang = acc[(acc["part"] == "gang") & (acc["entity_kind"] == "gang")].iloc[0]
    assert str(gang["start"].date()) == "2015-01-01" and str(gang["end"].date()) == "2019-03-01"


def test_judicial_posts_answer_for_their_area_and_other_secretaries_do_not_govern() -> None:
    # a judge and a prosecutor of the district, the political-legal committee's secretary; and
    # titles with 书记 that head no place: the discipline commission's, a court clerk, the youth league's
    extra = (("judge", "审判员", "某区人民法院", "D1", "2014-01-01", None),
             ("prosecutor", "检察官", "某区人民檢察院", "D1", "2014-01-01", None),
             ("zfw", "政法委书记", "某区政法委", "D1", "2014-01-01", None),
             ("jw_t1", "镇纪委书记", "一镇纪委", "T1", "2014-01-01", None),
             ("court_clerk", "书记员", "某区人民法院", "D1", "2014-01-01", None),
             ("league_t1", "团委书记", "一镇团委", "T1", "2014-01-01", None))
    graph = _county(extra_posts=extra)
    sup = accountability(graph, "G1", scores=pd.DataFrame())
    sup = sup[sup["part"] == "supervision"].set_index("entity_id")
    for who in ("judge", "prosecutor", "zfw", "court_clerk"):  # a clerk of the court is judicial staff
        assert sup.loc[who, "role"] == "judicial"
        assert "judicial post (court, procuratorate, political-legal committee) responsible for D1" in \
            sup.loc[who, "reason"]
    assert "jw_t1" not in sup.index and "league_t1" not in sup.index
    # the scorer's jurisdiction: like the police, 0.8 wherever the gang is below; others by level
    from umbrella_graph.scoring import pair_features

    f = pair_features(graph).set_index(["official_id", "gang_id"])["jurisdiction"]
    assert f[("judge", "G1")] == f[("prosecutor", "G1")] == f[("zfw", "G1")] == f[("cop_t1", "G1")] == 0.8
    assert f[("mayor", "G1")] == 0.4 and f[("jw_t1", "G1")] == 0.7


def test_no_enforcement_at_all_is_reported() -> None:
    acc = accountability(_county(events=False), "G1", scores=pd.DataFrame())
    sup = acc[acc["part"] == "supervision"]
    assert (sup["n_enforcement"] == 0).all()
    assert sup["reason"].str.contains("no enforcement event in the jurisdiction").all()


def test_scores_make_umbrella_rows() -> None:
    scores = pd.DataFrame({"official_id": ["land_t1", "cj_t2"], "gang_id": ["G1", "G1"], "score": [0.8, 0.3],
                           "top_signals": ["money; contacts", "contacts"],
                           "contrib_money": [0.5, 0.0], "contrib_contacts": [0.3, 0.3]})
    acc = accountability(_county(), "G1", scores=scores, explain=False)
    umb = acc[acc["part"] == "umbrella"]
    assert umb["entity_id"].tolist() == ["land_t1"]
    assert "score 0.80, rank 1 of 2" in umb["reason"].iat[0]
    assert "2 evidence channel(s) (money, contacts)" in umb["reason"].iat[0]
    assert accountability(_county(), "G1", scores=scores, min_score=0.2, explain=False)["part"].eq("umbrella").sum() == 2


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"gang_id": "G9"}, "The 'gang_id' parameter of accountability must be the id of a gang in the case. Got 'G9' instead."),
    ({"min_score": 2}, "The 'min_score' parameter of accountability must be a number in [0, 1]. Got 2 instead."),
    ({"top": -1}, "The 'top' parameter of accountability must be an integer >= 0. Got -1 instead."),
    ({"scores": pd.DataFrame({"x": [1]})}, "The 'scores' parameter of accountability must be a score_umbrellas"),
])
def test_parameter_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ParameterError) as exc:
        accountability(_county(), **kwargs)  # type: ignore[arg-type]
    assert message in str(exc.value)


def test_cli_one_gang(sample_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "acc.csv"
    res = CliRunner().invoke(main, ["accountability", str(sample_dir), "--gang", "G02", "-o", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == list(ACCOUNTABILITY_COLUMNS)
    assert set(df["gang_id"]) == {"G02"}
    res = CliRunner().invoke(main, ["accountability", str(sample_dir), "--gang", "G99"])
    assert res.exit_code == 1 and "must be the id of a gang in the case" in res.output
