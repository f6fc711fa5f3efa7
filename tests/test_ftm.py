"""FollowTheMoney round trip on the followthemoney library itself: fragments from its own
mapping engine aggregated, every link end kept, shares as numbers, and to_ftm entities
that followthemoney validates and that load back equal (KEK, party donations, sample)."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from followthemoney import model
from followthemoney.cli.cli import cli as ftm_cli
from followthemoney.cli.util import load_mapping_file

from umbrella_graph import Case, CaseError
from umbrella_graph.io.ftm import aggregate_ftm, load_ftm, parse_share, to_ftm, write_ftm


@pytest.fixture(autouse=True)
def _quiet_ftm() -> Any:
    """followthemoney logs one warning per empty cell of the KEK mapping."""
    logging.getLogger("followthemoney").setLevel(logging.ERROR)
    yield


def _canon(entities: Any) -> dict[str, tuple[str, dict[str, list[str]]]]:
    return {e.id: (e.schema.name, {p: sorted(v) for p, v in e.properties.items()}) for e in entities}


def _no_provenance(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=["_file", "_row"]).reset_index(drop=True)


def _assert_valid(entities: Any, tmp_path: Path) -> None:
    """Each entity passes the schema's validation, and `ftm validate` (the library's CLI,
    which re-parses every value) gives back the same entities."""
    for e in entities:
        assert e.schema.validate(e.to_dict()) is None
    src = tmp_path / "in.ijson"
    src.write_text("".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    out = tmp_path / "out.ijson"
    res = CliRunner().invoke(ftm_cli, ["validate", "-i", str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    again = [model.get_proxy(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()]
    assert _canon(again) == _canon(entities)


def _assert_round_trip(case: Any, entities: Any, tmp_path: Path) -> None:
    _assert_valid(entities, tmp_path)
    out = to_ftm(case)
    assert _canon(out) == _canon(entities)  # the case writes the entities it was read from
    back = load_ftm([e.to_dict() for e in out])
    for t in ("people", "companies", "transactions", "company_roles", "ties"):
        if case.has(t):
            pd.testing.assert_frame_equal(_no_provenance(back[t]), _no_provenance(case[t]))


# -- KEK media ownership: fragments from followthemoney's SQL mapping ------------------------------
@pytest.fixture(scope="module")
def kek_fragments(datasets_dir: Path) -> list[dict[str, Any]]:
    d = datasets_dir / "kek_media_ownership_ftm"
    mp = pytest.MonkeyPatch()
    mp.setenv("FTM_TEST_DATABASE_URI", f"sqlite:///file:{d / 'kek.sqlite'}?mode=ro&uri=true")
    logging.getLogger("followthemoney").setLevel(logging.ERROR)
    try:
        return [e.to_dict() for e in model.map_entities(load_mapping_file(d / "kek.yml"))]
    finally:
        mp.undo()


def test_kek_fragments_aggregated_no_entity_or_link_end_lost(kek_fragments: list[dict[str, Any]],
                                                             datasets_dir: Path) -> None:
    with sqlite3.connect(f"file:{datasets_dir / 'kek_media_ownership_ftm' / 'kek.sqlite'}?mode=ro", uri=True) as db:
        shares = db.execute("select count(*) from shares").fetchone()[0]
    assert len(kek_fragments) == 8712 and len({f["id"] for f in kek_fragments}) == 5607
    entities = aggregate_ftm(kek_fragments)
    by_schema = Counter(e.schema.name for e in entities)
    assert by_schema == {"Company": 2705, "Ownership": 2902}
    case = load_ftm(kek_fragments)  # raw fragments load: no duplicate-id errors
    assert any("8712 FtM fragments merged into 5607 entities" in n for n in case.report.notes)
    # entities: every company is a record
    assert set(case["companies"]["id"]) == {e.id for e in entities if e.schema.name == "Company"}
    # link ends: every owner and asset value of every Ownership is in a record of that entity
    ties = case["ties"]
    assert len(ties) == shares == 2904
    lost = 0
    src = ties.groupby("ftm_id")["src"].apply(set).to_dict()
    dst = ties.groupby("ftm_id")["dst"].apply(set).to_dict()
    for e in entities:
        if e.schema.name == "Ownership":
            lost += len(set(e.get("owner")) - src[e.id]) + len(set(e.get("asset")) - dst[e.id])
    assert lost == 0
    # the two mutual cross-holdings merged into one entity each: both directions kept
    merged = [e for e in entities if e.schema.name == "Ownership" and len(e.get("owner")) > 1]
    assert len(merged) == 2
    for e in merged:
        a, b = sorted(e.get("owner"))
        pairs = set(zip(ties.loc[ties["ftm_id"] == e.id, "src"], ties.loc[ties["ftm_id"] == e.id, "dst"], strict=True))
        assert pairs == {(a, b), (b, a)}
    # shares are numbers (fractions); the merged holdings keep both values in 'percentage'
    single = ties[ties["ftm_id"].map(ties["ftm_id"].value_counts()) == 1]
    assert single["share"].notna().tolist() == single["percentage"].notna().tolist()
    assert single["share"].dropna().between(0, 1).all() and single["share"].notna().sum() > 2800
    assert ties.loc[ties["ftm_id"].isin([e.id for e in merged]), "share"].isna().all()
    one = single.iloc[0]
    assert one["share"] == pytest.approx(parse_share(one["percentage"]))


def test_kek_round_trip(kek_fragments: list[dict[str, Any]], tmp_path: Path) -> None:
    case = load_ftm(kek_fragments)
    _assert_round_trip(case, aggregate_ftm(kek_fragments), tmp_path)


# -- German party donations: the CSV mapping and the published entities ---------------------------
def test_donations_fragments_and_published_file_round_trip(datasets_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    d = datasets_dir / "german_party_donations_ftm"
    monkeypatch.chdir(d)  # the mapping names its CSV file relative to its folder
    frags = []
    for ds, meta in load_mapping_file(d / "donations.yml").items():
        for q in meta["queries"]:
            frags += [e.to_dict() for e in model.map_entities(q, key_prefix=ds, dataset=ds)]
    assert len(frags) == 1460
    published = aggregate_ftm(d / "donations.ijson")
    assert len(published) == 474
    # aggregation gives the published entities (same ids and schemata, same payments; the
    # published Address texts were made by an older template: "Street 9 , City" spacing)
    mine, pub = _canon(aggregate_ftm(frags)), _canon(published)
    assert {k: v[0] for k, v in mine.items()} == {k: v[0] for k, v in pub.items()}
    assert {k: v for k, v in mine.items() if v[0] != "Address"} == {k: v for k, v in pub.items() if v[0] != "Address"}
    case = load_ftm(frags)
    assert len(case["transactions"]) == 290 and len(case["people"]) == 22 and len(case["companies"]) == 73
    # 0 entities lost: every non-Address entity is a record, every Address is kept on its citers
    ids = set(case["people"]["id"]) | set(case["companies"]["id"]) | set(case["transactions"]["id"])
    kept_addr = {a["id"] for t in ("people", "companies") for cell in case[t]["ftm_addresses"].dropna()
                 for a in json.loads(cell)}
    assert ids | kept_addr == {e.id for e in published}
    # 0 link ends lost
    tx = case["transactions"].set_index("id")
    for e in published:
        if e.schema.name == "Payment":
            assert (tx.at[e.id, "src"], tx.at[e.id, "dst"]) == (e.first("payer"), e.first("beneficiary"))
    _assert_round_trip(case, aggregate_ftm(frags), tmp_path)
    _assert_round_trip(load_ftm(d / "donations.ijson"), published, tmp_path)


# -- the sample: a case that did not come from FtM -----------------------------------------------
def test_sample_to_ftm_validates_and_loads_back(sample_case: Case, tmp_path: Path) -> None:
    case = sample_case
    entities = to_ftm(case)
    counts = Counter(e.schema.name for e in entities)
    assert counts["Person"] == len(case["people"]) and counts["Company"] == len(case["companies"])
    assert counts["Payment"] == len(case["transactions"])
    assert counts["Family"] + counts["Associate"] == len(case["ties"])
    assert counts["Ownership"] + counts["Directorship"] + counts["Employment"] == len(case["company_roles"])
    _assert_valid(entities, tmp_path)
    path = write_ftm(case, tmp_path / "case.ijson")
    back = load_ftm(path)
    p0, p1 = case["people"].reset_index(drop=True), back["people"]
    assert p1["id"].tolist() == p0["id"].tolist() and p1["name"].tolist() == p0["name"].tolist()
    pd.testing.assert_series_equal(p1["birth_date"], p0["birth_date"])
    assert p1["id_number"].tolist() == p0["id_number"].tolist()
    phones = p0["phone"].notna()
    assert (p1["phone"][phones] == "+86" + p0["phone"][phones]).all() and p1["phone"][~phones].isna().all()
    assert set(zip(p0["gender"], p1["gender"], strict=True)) <= {("男", "male"), ("女", "female"), (pd.NA, pd.NA)}
    t0, t1 = case["transactions"], back["transactions"]
    for c in ("id", "src", "dst", "amount", "date", "memo"):
        assert t1[c].tolist() == t0[c].tolist(), c
    r0, r1 = case["company_roles"], back["company_roles"]
    assert r1[["person_id", "company_id"]].values.tolist() == r0[["person_id", "company_id"]].values.tolist()
    assert r1["role"].where(r1["ftm_role"].isna(), r1["ftm_role"]).tolist() == r0["role"].tolist()
    pd.testing.assert_series_equal(r1["share"], r0["share"], check_names=False)
    s0, s1 = case["ties"], back["ties"]
    assert s1[["src", "dst"]].values.tolist() == s0[["src", "dst"]].values.tolist()
    assert s1["relationship"].tolist() == s0["kind"].tolist()
    # and what comes back writes the same entities again
    assert _canon(to_ftm(back)) == _canon(entities)


# -- units -----------------------------------------------------------------------------------------
def test_multi_valued_ends_fragments_and_shares(tmp_path: Path) -> None:
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["A"]}},
        {"id": "p2", "schema": "LegalEntity", "properties": {"name": ["B"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["C1"]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["C2"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1", "p2"], "asset": ["c1", "c2"],
                                                           "percentage": ["50%"]}},
        {"id": "p2", "schema": "Person", "properties": {"name": ["B."], "birthDate": ["1970"]}},
    ]
    f = tmp_path / "frags.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    case = load_ftm(f)
    people = case["people"].set_index("id")
    assert people.loc["p2", "_row"] == 2  # the first fragment's line
    assert json.loads(people.loc["p2", "ftm_name"]) == ["B", "B."] and people.loc["p2", "name"] == "B"
    assert pd.isna(people.loc["p2", "birth_date"]) and people.loc["p2", "ftm_birthDate"] == "1970"  # partial date kept
    roles = case["company_roles"]
    assert sorted(map(tuple, roles[["person_id", "company_id"]].values.tolist())) == [
        ("p1", "c1"), ("p1", "c2"), ("p2", "c1"), ("p2", "c2")]
    assert (roles["share"] == 0.5).all()
    assert [parse_share(x) for x in ("100", "50,5 %", "0.3", "250", "-1", "")] == [1.0, 0.505, 0.3, None, None, None]
    with pytest.raises(CaseError) as ei:
        load_ftm([{"id": "x", "schema": "Person", "properties": {}},
                  {"id": "x", "schema": "Company", "properties": {}}])
    assert ei.value.first.code == "ftm_conflict" and ei.value.first.row == 2
    with pytest.raises(CaseError) as ei:
        load_ftm([{"id": "x", "schema": "NoSuchSchema"}])
    assert ei.value.first.code == "bad_entity"
