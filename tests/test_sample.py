"""The bundled sample case 清河县: it loads, it is what the script writes, and the stories its
README documents are in the records under the documented ids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import Case, load_case
from umbrella_graph.cli import main
from umbrella_graph.schema import TABLES
from umbrella_graph.synth.sample import write_sample

# the cast, as documented in data/samples/qinghe/README.md
SECRETARY, G1_LEADER = "P0061", "P0242"
CONTRACTOR, HEAD_HEWAN, HEAD_XILING, XILING_SON, G2_LEADER = "P0435", "P0035", "P0068", "P0226", "P0442"
COP, G3_LEADER, G3_CORE = "P0241", "P0045", "P0216"
LAND_HEAD, LAND_WIFE, FRONT_MAN = "P0234", "P0297", "P0258"
HUB, INVESTIGATOR, DEPUTY, DEPUTY_BROTHER = "P0225", "P0188", "P0036", "P0251"
WATER, BUSINESSMAN, CJ_HEAD, UNLISTED_CORE = "P0412", "P0004", "P0147", "P0177"
STEERED = {"K0003", "K0017", "K0038", "K0008", "K0025"}


@pytest.fixture(scope="module")
def case(sample_dir: Path) -> Case:
    return load_case(sample_dir)


@pytest.fixture(scope="module")
def truth(sample_dir: Path) -> pd.DataFrame:
    return pd.read_csv(sample_dir / "truth.csv", dtype=str, keep_default_na=False)


def _pair(df: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    return df[((df["src"] == a) & (df["dst"] == b)) | ((df["src"] == b) & (df["dst"] == a))]


def test_sample_validates_with_every_table(sample_dir: Path, case: Case) -> None:
    res = CliRunner().invoke(main, ["validate", str(sample_dir)])
    assert res.exit_code == 0, res.output
    assert set(case.tables) == set(TABLES)
    counts = case.counts().set_index("table")["rows"]
    assert (counts > 0).all()
    assert 300 <= counts["people"] <= 600 and counts["gangs"] == 4
    assert case.report.encodings and all(e.startswith("utf-8") for e in case.report.encodings.values())


def test_sample_is_what_the_script_writes(sample_dir: Path, tmp_path: Path) -> None:
    city = write_sample(tmp_path / "qinghe")
    committed = sorted(p.name for p in sample_dir.iterdir())
    assert committed == sorted(p.name for p in (tmp_path / "qinghe").iterdir())
    for name in committed:
        assert (sample_dir / name).read_bytes() == (tmp_path / "qinghe" / name).read_bytes(), name
    assert int(city.truth["label"].sum()) == 5


def test_readme_documents_the_cast(sample_dir: Path) -> None:
    text = (sample_dir / "README.md").read_text(encoding="utf-8")
    for pid in (SECRETARY, CONTRACTOR, HEAD_HEWAN, HEAD_XILING, COP, LAND_HEAD, LAND_WIFE, FRONT_MAN, HUB,
                INVESTIGATOR, DEPUTY, BUSINESSMAN, CJ_HEAD):
        assert f"`{pid}`" in text
    assert "write_sample" in text and "truth.csv" in text


def test_truth(case: Case, truth: pd.DataFrame) -> None:
    assert len(truth) == len(case.official_ids()) * 4
    pos = truth[truth["label"] == "1"].set_index(["official_id", "gang_id"])["role"].to_dict()
    assert pos == {(SECRETARY, "G01"): "member_official", (HEAD_HEWAN, "G02"): "umbrella",
                   (HEAD_XILING, "G02"): "umbrella", (COP, "G03"): "umbrella", (LAND_HEAD, "G02"): "umbrella"}
    roles = truth.set_index(["official_id", "gang_id"])["role"]
    assert roles[(HUB, "G03")] == "hub"
    assert roles[(INVESTIGATOR, "G01")] == roles[(INVESTIGATOR, "G03")] == "investigator"
    assert roles[(DEPUTY, "G04")] == "innocent_relative"
    assert roles[(CJ_HEAD, "G01")] == "corrupt_non_gang"
    assert set(case["labels"]["official_id"]) == {SECRETARY, INVESTIGATOR, HUB}


def test_party_secretary_in_the_gang(case: Case) -> None:
    m = case["members"]
    row = m[(m["person_id"] == SECRETARY) & (m["gang_id"] == "G01")]
    assert row["role"].tolist() == ["core"]
    off = case["officials"]
    assert off.loc[off["person_id"] == SECRETARY, "position"].tolist() == ["村党支部书记"]
    assert len(_pair(case["ties"], SECRETARY, G1_LEADER)) == 1
    tx = case["transactions"]
    assert len(tx[(tx["src"] == G1_LEADER) & (tx["dst"] == SECRETARY)]) >= 5
    con = case["contracts"]
    assert len(con[(con["approver_id"] == SECRETARY) & (con["company_id"] == "C01")]) == 2
    assert UNLISTED_CORE not in set(m["person_id"])


def test_contractor_pays_village_cadres(case: Case) -> None:
    roles = case["company_roles"]
    assert ((roles["person_id"] == CONTRACTOR) & (roles["company_id"] == "C03") & (roles["role"] == "owner")).any()
    m = case["members"]
    assert ((m["person_id"] == CONTRACTOR) & (m["gang_id"] == "G02")).any()
    con = case["contracts"].set_index("id")
    assert set(con.loc[sorted(STEERED), "company_id"]) == {"C03"}
    assert set(con.loc[sorted(STEERED), "approver_id"]) == {HEAD_HEWAN, HEAD_XILING}
    tx = case["transactions"]
    for head in (HEAD_HEWAN, HEAD_XILING):
        assert (tx["src"].eq(CONTRACTOR) & tx["dst"].eq(head)).sum() >= 2
        assert (tx["src"].eq("C03") & tx["dst"].eq(head)).sum() >= 2
    assert ((roles["person_id"] == XILING_SON) & (roles["company_id"] == "C03")
            & (roles["role"] == "employee")).any()
    ties = case["ties"]
    assert _pair(ties, HEAD_XILING, XILING_SON)["kind"].tolist() == ["child"]
    ct = case["contacts"]
    assert (_pair(ct, HEAD_XILING, G2_LEADER)["kind"] == "meeting").sum() >= 3


def test_police_officer_tips_off_before_raids(case: Case, sample_dir: Path) -> None:
    ct = case["contacts"]
    ev = case["events"].set_index("id")
    calls = ct[(ct["src"] == COP) & (ct["dst"] == G3_LEADER) & (ct["kind"] == "call")]
    for eid in ("E04", "E05", "E06"):
        t = ev.loc[eid, "time"]
        before = calls[(calls["time"] < t) & (calls["time"] >= t - pd.Timedelta(hours=6))]
        assert len(before) == 1, eid
    t = ev.loc["E07", "time"]
    assert not ((calls["time"] < t) & (calls["time"] >= t - pd.Timedelta(hours=24))).any()
    tips = pd.read_csv(sample_dir / "truth_tipoffs.csv")
    assert tips["event_id"].tolist() == ["E04", "E05", "E06"]
    assert set(tips["official_id"]) == {COP} and set(tips["gang_id"]) == {"G03"}
    tx = case["transactions"]
    assert (tx["src"].eq(G3_CORE) & tx["dst"].eq(COP)).sum() == 3
    assert (_pair(ct, COP, G3_LEADER)["kind"] == "meeting").sum() >= 5


def test_wife_receives_the_money_through_a_front_man(case: Case) -> None:
    assert _pair(case["ties"], LAND_HEAD, LAND_WIFE)["kind"].tolist() == ["spouse"]
    tx = case["transactions"]
    to_wife = tx[(tx["src"] == FRONT_MAN) & (tx["dst"] == LAND_WIFE)]
    assert len(to_wife) == 5 and to_wife["amount"].sum() == 270_000
    assert (tx["src"].eq("C02") & tx["dst"].eq(LAND_WIFE)).any()
    assert not (tx["dst"].eq(LAND_HEAD) & tx["src"].isin([FRONT_MAN, "C02", G2_LEADER])).any()
    roles = case["company_roles"]
    assert ((roles["person_id"] == FRONT_MAN) & (roles["company_id"] == "C02") & (roles["role"] == "legal_rep")).any()
    assert FRONT_MAN not in set(case["members"]["person_id"])
    assert (tx["src"].eq(G2_LEADER) & tx["dst"].eq(FRONT_MAN)).sum() >= 5


def test_clean_but_busy(case: Case) -> None:
    ct, tx = case["contacts"], case["transactions"]
    both = pd.concat([ct[["src", "dst"]], ct[["dst", "src"]].set_axis(["src", "dst"], axis=1)])
    distinct = both.groupby("src")["dst"].nunique()
    assert distinct[HUB] >= 80 and distinct[HUB] > 3 * distinct.reindex(case.official_ids()).median()
    assert tx[tx["src"] == HUB]["dst"].nunique() >= 30
    # the investigator: every contact with G01/G03 members follows a raid on that gang within 10 days
    m = case["members"]
    ev = case["events"]
    for g in ("G01", "G03"):
        members = set(m.loc[m["gang_id"] == g, "person_id"])
        raids = np.sort(ev.loc[ev["gang_id"] == g, "time"].to_numpy())
        c = ct[(ct["src"] == INVESTIGATOR) & ct["dst"].isin(members)]
        assert len(c) >= 5
        tt = c["time"].to_numpy()
        i = np.searchsorted(raids, tt, side="right") - 1
        assert (i >= 0).all()
        assert ((tt - raids[i]) <= np.timedelta64(10, "D")).all()
    assert not tx["dst"].eq(INVESTIGATOR).any() or tx[tx["dst"] == INVESTIGATOR]["src"].isin(m["person_id"]).sum() == 0
    # the deputy and his brother, a plain member of G04
    assert _pair(case["ties"], DEPUTY, DEPUTY_BROTHER)["kind"].tolist() == ["sibling"]
    assert m.loc[m["person_id"] == DEPUTY_BROTHER, "role"].tolist() == ["member"]
    # the water official's fair contract to a gang company
    con = case["contracts"].set_index("id")
    assert con.loc["K0026", ["approver_id", "company_id"]].tolist() == [WATER, "C03"]


def test_corruption_without_a_gang(case: Case) -> None:
    tx, con = case["transactions"], case["contracts"]
    bribes = tx[(tx["src"] == BUSINESSMAN) & (tx["dst"] == CJ_HEAD)]
    assert len(bribes) == 3 and bribes["amount"].min() >= 20_000
    assert (con["approver_id"].eq(CJ_HEAD) & con["company_id"].eq("C07")).sum() == 3
    assert BUSINESSMAN not in set(case["members"]["person_id"])
