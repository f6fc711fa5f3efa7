"""Entity-resolution rules of the ingest (issue 12): namesakes, family phones, borrowed ID
numbers, and the row accounting, as properties where a property fits.

Every property is bounded (``max_examples``, ``deadline``) and derandomized.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from umbrella_graph.ingest import ingest
from umbrella_graph.ingest.normalize import id_check_digit
from umbrella_graph.ingest.resolve import IDENTITY_COLUMNS, cluster, explain_pair, score_pairs

BOUNDED = settings(max_examples=12, deadline=30_000, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _id(i: int, female: bool = False) -> str:
    body = f"110105{1950 + i % 50}0{1 + i % 9}1{i % 10}0{(i * 7) % 10}{2 * (i % 5) + female}"
    return body + id_check_digit(body)


def _card(i: int) -> str:
    body = f"62220210{i:010d}"
    total = 0
    for k, ch in enumerate(reversed(body)):
        d = int(ch)
        if k % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def _write(d: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (d / name).write_text(text, encoding=encoding)


# ---------------------------------------------------------------------------------------
# namesakes: many people drawn from a few names, each with records that only their own
# identifiers tie together; no cluster may ever hold two of them

_NAMES = ["张伟", "王芳", "李娜", "刘洋"]
_PY = {"张伟": ("zhang", "wei"), "王芳": ("wang", "fang"), "李娜": ("li", "na"), "刘洋": ("liu", "yang")}


def _identities(people: list[tuple[int, bool, bool, bool]]) -> tuple[pd.DataFrame, list[int]]:
    rows, truth = [], []
    for p, (name_ix, has_card, has_phone, card_named_only) in enumerate(people):
        name = _NAMES[name_ix]
        sur, giv = _PY[name]
        base = {"name": name, "surname_py": sur, "given_py": giv, "py": f"{sur} {giv}", "gender": None,
                "birth_date": None}
        idn = _id(p)
        rows.append({**base, "id_number": idn, "id_any": idn, "phone": f"1380000{p:04d}" if has_phone else None,
                     "account": None})
        truth.append(p)
        if has_card:  # an account-opening record ties the card to the ID number
            rows.append({**base, "id_number": idn, "id_any": idn, "phone": None, "account": _card(p)})
            truth.append(p)
            # the card as a statement counterparty: name and card only
            rows.append({**base, "id_number": None, "id_any": None, "phone": None, "account": _card(p)})
            truth.append(p)
        if card_named_only:  # a card no record ties to anyone: its name is all there is
            rows.append({**base, "id_number": None, "id_any": None, "phone": None, "account": _card(1000 + p)})
            truth.append(p)
        if has_phone:  # the phone in call records: no name
            rows.append({"name": None, "surname_py": None, "given_py": None, "py": None, "id_number": None,
                         "id_any": None, "phone": f"1380000{p:04d}", "account": None, "gender": None,
                         "birth_date": None})
            truth.append(p)
    df = pd.DataFrame(rows)
    df.insert(0, "ref", [f"f.csv:{i + 2}:person" for i in range(len(df))])
    df.insert(0, "uid", range(len(df)))
    return df[list(IDENTITY_COLUMNS)].astype(object).where(df[list(IDENTITY_COLUMNS)].notna(), None), truth


@BOUNDED
@given(st.lists(st.tuples(st.integers(0, len(_NAMES) - 1), st.booleans(), st.booleans(), st.booleans()),
                min_size=2, max_size=14))
def test_namesakes_are_never_merged_automatically(people: list[tuple[int, bool, bool, bool]]) -> None:
    ident, truth = _identities(people)
    clu = cluster(ident, score_pairs(ident))
    by_cluster: dict[str, set[int]] = {}
    for uid, person in zip(ident["uid"], truth, strict=True):
        by_cluster.setdefault(clu.labels[int(uid)], set()).add(person)
    assert all(len(ps) == 1 for ps in by_cluster.values())
    # every automatic merge rests on a shared identifier, never on the name alone
    auto = clu.decided[clu.decided["decision"] == "auto"]
    shared = (auto["gamma_id_number"].isin((3, 2, 1)) | auto["gamma_phone"].isin((3, 2))
              | auto["gamma_account"].isin((3, 2)))
    assert shared.all()


# ---------------------------------------------------------------------------------------
# family phones

ZW, LF, WQ = _id(1), _id(2, female=True), _id(3)
_OTHERS = "".join(f"路人{i},{_id(10 + i)}\n" for i in range(8))


def test_a_shared_family_phone_does_not_merge_spouses(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    # the register knows the husband's phone; the wife gave the same phone to her bank
    _write(d, "roster.csv", "姓名,身份证号,手机号\n" f"张伟,{ZW},13800138000\n李芳,{LF},13900139000\n"
           + _OTHERS.replace("\n", ",\n"))
    _write(d, "subscribers.csv", f"手机号码,机主姓名,证件号码\n13800138000,张伟,{ZW}\n")
    _write(d, "kyc.csv", f"账号,户名,证件号码,预留手机号\n{_card(1)},李芳,{LF},13800138000\n"
           f"{_card(2)},李芳,{LF},13800138000\n")
    _write(d, "cdr.csv", "本机号码,对方号码,开始时间\n13800138000,13900139000,2020-01-01 10:00\n")
    res = ingest(d)
    people = res.tables["people"].set_index("id_number")
    assert people.loc[ZW, "id"] != people.loc[LF, "id"]
    # the call is the husband's (two sources give him the phone, one bank form gives it to her)
    assert res.tables["contacts"]["src"].tolist() == [people.loc[ZW, "id"]]
    assert res.tables["contacts"]["dst"].tolist() == [people.loc[LF, "id"]]
    assert not res.pairs["decision"].eq("auto").any() or res.pairs.loc[
        res.pairs["decision"].eq("auto"), ["name_l", "name_r"]].apply(
        lambda r: "张伟" not in (r["name_l"], r["name_r"]) or "李芳" not in (r["name_l"], r["name_r"]), axis=1).all()


def test_the_match_card_says_a_family_phone_is_worth_nothing() -> None:
    base = {"surname_py": None, "given_py": None, "id_number": None, "id_any": None, "account": None,
            "gender": None, "birth_date": None}
    ident = pd.DataFrame([
        {**base, "uid": 0, "ref": "a.csv:2:person", "name": "张伟", "py": "zhang wei", "phone": "13800138000"},
        {**base, "uid": 1, "ref": "b.csv:2:person", "name": "李芳", "py": "li fang", "phone": "13800138000"},
        {**base, "uid": 2, "ref": "c.csv:2:a", "name": None, "py": None, "phone": "13800138000"},
    ])[list(IDENTITY_COLUMNS)]
    p = score_pairs(ident, threshold=0.0).set_index(["uid_l", "uid_r"])
    assert p.loc[(0, 1), "gamma_phone"] == 1 and abs(p.loc[(0, 1), "mw_phone"]) < 1e-6
    assert explain_pair(p.loc[(0, 1)].to_dict()).startswith("same phone, different names (shared in a family?) +0.0")
    assert p.loc[(0, 2), "gamma_phone"] == 2 and p.loc[(0, 2), "mw_phone"] > 20
    assert "same phone, one record without a name" in explain_pair(p.loc[(0, 2)].to_dict())


def test_a_family_phone_no_register_names_is_not_given_to_the_wife(tmp_path: Path) -> None:
    # only the wife's bank forms (two cards, one file) and the gang list (one file) name the
    # phone: a tie between files, so its calls are not joined to anyone; the pair is queued
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "roster.csv", "姓名,身份证号\n" f"张伟,{ZW}\n李芳,{LF}\n" + _OTHERS)
    _write(d, "gang_list.csv", "姓名,身份证号,手机号\n" f"张伟,{ZW},13800138000\n")
    _write(d, "kyc.csv", f"账号,户名,证件号码,预留手机号\n{_card(1)},李芳,{LF},13800138000\n"
           f"{_card(2)},李芳,{LF},13800138000\n")
    _write(d, "cdr.csv", "本机号码,对方号码,开始时间\n13800138000,13700137000,2020-01-01 10:00\n")
    res = ingest(d)
    people = res.tables["people"]
    src = res.tables["contacts"]["src"].iloc[0]
    assert people.set_index("id").loc[src, "identities"] == 1
    lf = people.loc[people["id_number"] == LF, "id"].iloc[0]
    assert src != lf
    assert (res.review["reason"] == "identifier shared by people who conflict (family phone?)").any()


# ---------------------------------------------------------------------------------------
# the same ID number under two different names


def test_same_id_number_different_names_goes_to_review(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "roster.csv", "姓名,身份证号\n" f"张伟,{ZW}\n" + _OTHERS)
    _write(d, "kyc.csv", f"账号,户名,证件号码\n{_card(7)},王强,{ZW}\n")
    res = ingest(d)
    people = res.tables["people"]
    assert len(people[people["id_number"] == ZW]) == 2  # not merged
    q = res.review[res.review["reason"] == "same ID number, different names"]
    assert len(q) == 1 and {q["name_l"].iloc[0], q["name_r"].iloc[0]} == {"张伟", "王强"}
    assert "same valid ID number" in q["match_card"].iloc[0]
    # an analyst who accepts it is obeyed on the next run
    dec = pd.DataFrame([{"ref_l": q["ref_l"].iloc[0], "ref_r": q["ref_r"].iloc[0], "decision": "accept",
                         "by": "analyst", "at": "2026-01-01T10:00", "why": "alias"}])
    res2 = ingest(d, decisions=dec)
    assert len(res2.tables["people"][res2.tables["people"]["id_number"] == ZW]) == 1


# ---------------------------------------------------------------------------------------
# row accounting: every input row ingested, merged as duplicate or rejected, exactly once

_CELL = st.sampled_from(["ok", "bad_time", "bad_amount", "blank", "no_cp", "dup"])


@BOUNDED
@given(st.lists(_CELL, min_size=1, max_size=25))
def test_every_row_is_accounted_exactly_once(kinds: list[str]) -> None:
    lines = ["交易卡号,交易户名,证件号码,交易时间,借贷标志,交易金额,对手账号,对手户名,交易流水号"]
    for i, k in enumerate(kinds):
        t = "not a time" if k == "bad_time" else f"2020-03-01 10:{i % 60:02d}:00"
        amt = "12..5" if k == "bad_amount" else f"{100 + i}.00"
        cp_acc, cp_name = ("", "") if k == "no_cp" else (_card(500 + i % 3), "李芳")
        serial = f"S{i - 1:05d}" if k == "dup" and i > 0 else f"S{i:05d}"
        if k == "dup" and i > 0:  # the previous row exported twice
            t = f"2020-03-01 10:{(i - 1) % 60:02d}:00"
            amt = f"{100 + i - 1}.00"
        lines.append(",,,,,,,," if k == "blank" else f"{_card(1)},张伟,{ZW},{t},借,{amt},{cp_acc},{cp_name},{serial}")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write(d, "流水.csv", "\n".join(lines) + "\n", "gbk")
        res = ingest(d)
        r = res.rows.iloc[0]
        assert r["rows"] == len(kinds) == r["ingested"] + r["duplicate"] + r["rejected"]
        # each row is listed at most once among the rows not ingested, with a reason
        listed = res.rejected
        assert not listed.duplicated(["file", "row"]).any()
        assert (listed["reason"] != "").all()
        assert len(listed) == r["duplicate"] + r["rejected"]
        # and every ingested row is one transaction citing it
        tx = res.tables.get("transactions", pd.DataFrame(columns=["source_row"]))
        assert len(tx) == r["ingested"]
        assert set(tx["source_row"]).isdisjoint(set(listed["row"]))


# ---------------------------------------------------------------------------------------
# people in common: a card known only by its holder's name


def _contacts_sources(d: Path, *, namesake_card_pays: str) -> None:
    # the register: 吴海芳, her husband 王庆磊 and son 王宏超; a namesake 吴海芳 elsewhere
    wu, wang, son, other = _id(20, female=True), _id(21), _id(22), _id(23, female=True)
    _write(d, "户籍.csv", "姓名,身份证号,手机号\n" f"吴海芳,{wu},13800000020\n王庆磊,{wang},13800000021\n"
           f"王宏超,{son},13800000022\n吴海芳,{other},13800000023\n" + _OTHERS.replace("\n", ",\n"), "gbk")
    _write(d, "开户.csv", f"账号,户名,证件号码\n{_card(21)},王庆磊,{wang}\n{_card(22)},王宏超,{son}\n", "gbk")
    # calls tie the registered 吴海芳 to her husband and son
    _write(d, "话单.csv", "本机号码,对方号码,开始时间\n13800000020,13800000021,2020-01-01 10:00\n"
           "13800000022,13800000020,2020-01-02 10:00\n")
    # her card, which no account-opening record names, trades with her husband and son
    lines = ["Account No,Account Name,Date,Amount,Counterparty Account,Counterparty Name"]
    for k, (acc, nm) in enumerate([(_card(21), "王庆磊"), (_card(22), "王宏超")] * 2):
        lines.append(f"{_card(99)},WU Haifang,2020020{k + 1} 100000,-{100 + k}.00,{acc},{nm}")
    lines.append(f"{_card(99)},WU Haifang,20200301 100000,-50.00,{_card(40)},{namesake_card_pays}")
    _write(d, "bank_b.csv", "\n".join(lines) + "\n")


def test_a_card_known_by_name_joins_the_person_it_shares_a_circle_with(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _contacts_sources(d, namesake_card_pays="路人0")
    res = ingest(d)
    people = res.tables["people"].set_index("id_number")
    wu = people.loc[_id(20, female=True), "id"]
    holders = res.mentions[res.mentions["slot"] == "holder"]["person_id"].unique().tolist()
    assert holders == [wu]
    assert people.loc[_id(23, female=True), "id"] != wu  # the namesake stays apart
    joined = res.pairs[res.pairs["reason"].str.contains("people in common", na=False)]
    assert (joined["decision"] == "auto").any()
    assert joined["match_card"].str.contains("2 people in common").any()


def test_people_in_common_never_merge_different_names_or_beat_a_rejection(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _contacts_sources(d, namesake_card_pays="路人0")
    res = ingest(d)
    joined = res.pairs[res.pairs["reason"].str.contains("people in common", na=False)
                       & (res.pairs["decision"] == "auto")].iloc[0]
    assert joined["gamma_name"] in (3, 2)
    dec = pd.DataFrame([{"ref_l": joined["ref_l"], "ref_r": joined["ref_r"], "decision": "reject", "by": "analyst",
                         "at": "2026-01-01T10:00", "why": "not her card"}])
    res2 = ingest(d, decisions=dec)
    people = res2.tables["people"].set_index("id_number")
    holders = set(res2.mentions[res2.mentions["slot"] == "holder"]["person_id"])
    assert people.loc[_id(20, female=True), "id"] not in holders
