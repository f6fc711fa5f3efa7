"""Validation of frames: typing, formats, every error kind, lenient mode, privacy."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from umbrella_graph import CaseError, case_from_frames
from umbrella_graph.case import PROVENANCE
from umbrella_graph.schema import TABLES
from umbrella_graph.validate import as_text, parse_amounts, parse_dates


def full_frames() -> dict[str, pd.DataFrame]:
    """One small frame per table of the contract, all valid."""
    return {
        "people": pd.DataFrame({
            "id": ["p1", "p2", "p3", "p4"], "name": ["张三", "李四", "王五", "赵六"],
            "gender": ["男", "女", "男", None], "birth_date": ["1970-01-02", "1980/2/3", None, "1990年4月5日"],
            "id_number": ["110101197001021234", None, None, None], "phone": ["13800138000", None, None, None],
            "village_id": ["v1", "v1", None, "v2"], "nickname": ["老三", None, None, None]}),
        "officials": pd.DataFrame({
            "person_id": ["p1", "p2"], "position": ["村党支部书记", "派出所所长"], "unit": ["清河镇政府", "清河派出所"],
            "rank": ["科员", None], "jurisdiction_id": ["v1", "t1"], "start_date": ["2015-01-01", None],
            "end_date": [None, None]}),
        "gangs": pd.DataFrame({"id": ["g1"], "name": ["龙帮"], "kind": ["extortion"], "village_id": ["v1"]}),
        "members": pd.DataFrame({"person_id": ["p3"], "gang_id": ["g1"], "role": ["头目"],
                                 "start_date": ["2016-01-01"], "end_date": [None]}),
        "villages": pd.DataFrame({"id": ["v1", "v2", "t1"], "name": ["东村", "西村", "清河镇"],
                                  "parent_id": ["t1", "t1", None], "level": ["村", "village", "镇"]}),
        "companies": pd.DataFrame({"id": ["c1"], "name": ["清河建筑公司"], "village_id": ["v1"], "sector": ["建筑"]}),
        "company_roles": pd.DataFrame({"person_id": ["p4"], "company_id": ["c1"], "role": ["法定代表人"],
                                       "share": ["30%"]}),
        "ties": pd.DataFrame({"src": ["p1"], "dst": ["p4"], "kind": ["spouse"]}),
        "transactions": pd.DataFrame({"id": ["t-1", None], "src": ["c1", "p3"], "dst": ["p4", "p1"],
                                      "amount": ["2万", "1,200.50"], "date": ["2019-03-05 14:30", "2019年3月6日"],
                                      "channel": ["bank", "cash"], "memo": ["工程款", None]}),
        "contacts": pd.DataFrame({"src": ["p3", "p2"], "dst": ["p2", "p3"], "kind": ["通话", "sms"],
                                  "time": ["2019-03-04 22:00", "2019-03-04 22:05"], "duration_s": ["60", None],
                                  "count": ["1", "2"]}),
        "contracts": pd.DataFrame({"id": [None], "issuer_id": ["清河镇政府"], "approver_id": ["p1"],
                                   "company_id": ["c1"], "amount": ["¥500,000"], "date": ["2019-01-10"],
                                   "subject": ["道路硬化"]}),
        "events": pd.DataFrame({"id": ["e1"], "kind": ["raid"], "time": ["2019-03-05 06:00"], "gang_id": ["g1"],
                                "target_id": ["p3"], "jurisdiction_id": ["v1"]}),
        "leads": pd.DataFrame({"id": ["l1"], "date": ["2019-04-01"], "source": ["hotline"], "subject_id": ["p1"],
                               "gang_id": ["g1"], "text": ["举报内容"]}),
        "labels": pd.DataFrame({"official_id": ["p1", "p2"], "gang_id": ["g1", "g1"], "label": ["1", "否"]}),
    }


# -- every table -------------------------------------------------------------------------
def test_every_table_is_typed():
    case = case_from_frames(full_frames())
    for t in TABLES:
        assert case.has(t)
        df = case[t]
        assert list(df.columns[: len(TABLES[t].columns)]) == list(TABLES[t].column_names)
        assert list(df.columns[-2:]) == list(PROVENANCE)
        assert df["_row"].tolist() == list(range(2, len(df) + 2))
        assert (df["_file"] == f"<DataFrame {t}>").all()
    p = case["people"]
    assert p["birth_date"].dtype == "datetime64[ns]"
    assert p["birth_date"].tolist()[:2] == [pd.Timestamp("1970-01-02"), pd.Timestamp("1980-02-03")]
    assert p["nickname"].tolist()[0] == "老三"  # extra column kept
    tx = case["transactions"]
    assert tx["amount"].tolist() == [20000.0, 1200.5]
    assert tx["id"][0] == "t-1" and tx["id"][1].startswith("tx-")
    assert case["contracts"]["id"][0].startswith("ct-")
    assert case["contracts"]["amount"][0] == 500000.0
    assert case["members"]["role"].tolist() == ["leader"]
    assert case["villages"]["level"].tolist() == ["village", "village", "town"]
    assert case["company_roles"]["role"].tolist() == ["legal_rep"]
    assert case["company_roles"]["share"].tolist() == [0.3]
    assert case["contacts"]["kind"].tolist() == ["call", "sms"]
    assert str(case["contacts"]["count"].dtype) == "Int64"
    assert case["contacts"]["duration_s"].isna().tolist() == [False, True]
    assert case["labels"]["label"].tolist() == [1, 0]
    assert case.official_ids() == ["p1", "p2"]


def test_stable_ids_are_stable_and_distinguish_identical_records():
    tx = pd.DataFrame({"src": ["p1", "p1"], "dst": ["p2", "p2"], "amount": [5, 5], "date": ["2020-01-01"] * 2})
    people = pd.DataFrame({"id": ["p1", "p2"], "name": ["a", "b"]})
    a = case_from_frames(people=people, transactions=tx)["transactions"]["id"].tolist()
    b = case_from_frames(people=people, transactions=tx.copy())["transactions"]["id"].tolist()
    assert a == b
    assert a[0] != a[1]
    assert a[0] == "tx-" + __import__("hashlib").sha1(
        b"p1\x1fp2\x1f5\x1f2020-01-01 00:00:00.000000000\x1f\x1f\x1f0").hexdigest()[:16]


# -- header aliases on frames --------------------------------------------------------------
def test_aliases_apply_to_frames():
    people = pd.DataFrame({"人员编号": ["p1", "p2"], "姓名": ["张三", "李四"], "手机号": ["1", "2"],
                           "身份证号码": ["x", "y"], "性别": ["男", "女"], "出生日期": ["1970-1-1", None]})
    tx = pd.DataFrame({"付款方": ["p1"], "收款人": ["p2"], "交易金额": ["100"], "交易日期": ["2020-01-01"],
                       "摘要": ["m"], "对方户名": ["x"]})
    ct = pd.DataFrame({"主叫": ["p1"], "被叫": ["p2"], "类型": ["通话"], "时间": ["2020-01-01 10:00"]})
    case = case_from_frames(people=people, transactions=tx, contacts=ct)
    assert list(case["people"].columns[:6]) == ["id", "name", "gender", "birth_date", "id_number", "phone"]
    assert case["transactions"]["memo"][0] == "m"
    assert case["transactions"]["对方户名"][0] == "x"  # unknown header kept as an extra column
    assert case["contacts"]["time"][0] == pd.Timestamp("2020-01-01 10:00")


def test_user_columns_mapping_and_aliases_off():
    people = pd.DataFrame({"Key": ["p1", "p2"], "Full Name": ["a", "b"]})
    tx = pd.DataFrame({"Payer": ["p1"], "Payee": ["p2"], "Sum": [5], "When": ["2020-01-01"]})
    case = case_from_frames(people=people, transactions=tx, columns={
        "*": {"Key": "id"}, "people": {"Full Name": "name"},
        "transactions": {"Payer": "src", "payee": "dst", "Sum": "amount", "When": "date"}})
    assert case["transactions"][["src", "dst"]].iloc[0].tolist() == ["p1", "p2"]
    with pytest.raises(CaseError) as ei:
        case_from_frames(people=pd.DataFrame({"姓名": ["a"], "id": ["p1"]}), aliases=False)
    assert ei.value.first.code == "missing_column" and ei.value.first.column == "name"


def test_unit_suffix_scales_amounts_and_durations():
    people = pd.DataFrame({"id": ["p1", "p2"], "name": ["a", "b"]})
    tx = pd.DataFrame({"src": ["p1"], "dst": ["p2"], "金额(万元)": ["2.5"], "date": ["2020-01-01"]})
    ct = pd.DataFrame({"src": ["p1"], "dst": ["p2"], "kind": ["call"], "time": ["2020-01-01"], "通话时长（分钟）": [3]})
    case = case_from_frames(people=people, transactions=tx, contacts=ct)
    assert case["transactions"]["amount"][0] == 25000.0
    assert case["contacts"]["duration_s"][0] == 180.0


# -- formats -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("2019-03-05", "2019-03-05 00:00:00"),
        ("2019-03-05 14:30", "2019-03-05 14:30:00"),
        ("2019-03-05T14:30:05", "2019-03-05 14:30:05"),
        ("2019-03-05 14:30:05.250", "2019-03-05 14:30:05.250000"),
        ("2019/03/05", "2019-03-05 00:00:00"),
        ("2019/3/5", "2019-03-05 00:00:00"),
        ("2019/3/5 9:05", "2019-03-05 09:05:00"),
        ("2019/03/05 14:30:05", "2019-03-05 14:30:05"),
        ("2019.3.5", "2019-03-05 00:00:00"),
        ("2019年3月5日", "2019-03-05 00:00:00"),
        ("2019年03月05日 14:30", "2019-03-05 14:30:00"),
        ("2019年3月5日14时30分", "2019-03-05 14:30:00"),
        ("2019年3月5日 14时30分05秒", "2019-03-05 14:30:05"),
        ("20190305", "2019-03-05 00:00:00"),
        ("20190305 143005", "2019-03-05 14:30:05"),
        ("2019-03-05T14:30:00+08:00", "2019-03-05 14:30:00"),
        ("2019-03-05T14:30:00Z", "2019-03-05 14:30:00"),
        ("  2019-03-05  ", "2019-03-05 00:00:00"),
        # a 12-hour clock, English after the time, Chinese before it
        ("2019-03-05 2:30 PM", "2019-03-05 14:30:00"),
        ("2019/3/5 12:10 a.m.", "2019-03-05 00:10:00"),
        ("2019-03-05 12:10 pm", "2019-03-05 12:10:00"),
        ("2019-03-05 下午2:30", "2019-03-05 14:30:00"),
        ("2019年3月5日下午2点30分", "2019-03-05 14:30:00"),
        ("2019-03-05 凌晨1:05", "2019-03-05 01:05:00"),
        # as police reports write times: an hour alone, half past, approximately, period words
        ("2019年3月5日5时", "2019-03-05 05:00:00"),
        ("2019年3月5日凌晨5时许", "2019-03-05 05:00:00"),
        ("2019年3月5日凌晨0时30分", "2019-03-05 00:30:00"),
        ("2019年3月5日下午3时", "2019-03-05 15:00:00"),
        ("2019年3月5日下午15时", "2019-03-05 15:00:00"),
        ("2019年3月5日晚8点左右", "2019-03-05 20:00:00"),
        ("2019年3月5号晚上8点", "2019-03-05 20:00:00"),
        ("2019年3月5日夜里11点", "2019-03-05 23:00:00"),
        ("2019年3月5日中午1点", "2019-03-05 13:00:00"),
        ("2019年3月5日上午10时", "2019-03-05 10:00:00"),
        ("2019年3月5日傍晚6点半", "2019-03-05 18:30:00"),
        ("2019年3月5日下午3点半许", "2019-03-05 15:30:00"),
        ("2019-03-05 14:30许", "2019-03-05 14:30:00"),
        # full-width punctuation as typed with a Chinese input method, 号 for 日, zone names
        ("2019-03-05 14：30", "2019-03-05 14:30:00"),
        ("２０１９－０３－０５ １４：３０：０５", "2019-03-05 14:30:05"),
        ("2019年3月5号", "2019-03-05 00:00:00"),
        ("2019年3月5号 14:30", "2019-03-05 14:30:00"),
        ("2019-03-05 14:30:00 UTC", "2019-03-05 14:30:00"),
        ("2019-03-05 14:30 GMT+8", "2019-03-05 14:30:00"),
        ("2019-03-05 14:30 北京时间", "2019-03-05 14:30:00"),
        # a weekday, when it is the date's own
        ("2019/3/5 星期二 14:30", "2019-03-05 14:30:00"),
        ("2019-03-05（周二）", "2019-03-05 00:00:00"),
        ("2019-03-10 礼拜天", "2019-03-10 00:00:00"),
        ("Tue 2019-03-05 14:30", "2019-03-05 14:30:00"),
        # a bank core system's timestamp (DB2)
        ("2019-03-05-14.30.05.123456", "2019-03-05 14:30:05.123456"),
        ("2019-03-05-14.30.05", "2019-03-05 14:30:05"),
    ],
)
def test_date_formats(text, expected):
    # alone (fast path) and mixed with another format (elementwise path)
    for values in ([text], [text, "2019/1/1"]):
        parsed, bad = parse_dates(pd.Series(values, dtype="string"))
        assert not bad.any()
        assert str(parsed[0]) == expected


@pytest.mark.parametrize("text", ["2019-02-30", "2019/13/01", "2019-03-05 25:00", "2019-03-05 14:61",
                                  "soon", "05/03/2019", "2019-3", "43529", "2019年3月", "2019-03-05-25.30.00",
                                  "2019-01-14 23:59:61", "2019-03-05 14:30 CST", "2019年3月5日 星期五",
                                  "2019-03-05 周二 周二", "2019-03-05 Monthly", "2019-03-05 13:30 PM", "2019-03-05 0:30 AM",
                                  "2019-03-05 晚上12:00", "2019-03-05 PM", "2019-03-05 下午2:30 PM",
                                  # the night after, or contradictions: which is wrong?
                                  "2019年3月5日晚上1点", "2019年3月5日夜里2点", "2019年3月5日上午13时",
                                  "2019年3月5日中午5点", "2019-03-05许", "2019年3月5日5时许左右"])
def test_bad_dates(text):
    parsed, bad = parse_dates(pd.Series([text, "2019-01-01"], dtype="string"))
    assert bad.tolist() == [True, False]
    assert pd.isna(parsed[0])


def test_spreadsheet_date_cells_and_numbers():
    s = pd.Series([datetime(2019, 3, 5, 14, 30), date(2019, 3, 6), pd.Timestamp("2019-03-07"), "2019/3/8",
                   None, 43529], dtype=object)
    parsed, bad = parse_dates(s)
    assert [str(x) for x in parsed[:4]] == ["2019-03-05 14:30:00", "2019-03-06 00:00:00",
                                            "2019-03-07 00:00:00", "2019-03-08 00:00:00"]
    assert bad.tolist() == [False, False, False, False, False, True]  # a bare number is not a date
    tz = pd.Series(pd.to_datetime(["2019-03-05 14:30"]).tz_localize("Asia/Shanghai"))
    assert str(parse_dates(tz)[0][0]) == "2019-03-05 14:30:00"


@pytest.mark.parametrize(
    "text, expected",
    [("1200", 1200.0), ("1,200.50", 1200.5), ("1,234,567", 1234567.0), ("1，200", 1200.0), ("¥3000", 3000.0),
     ("￥3,000.00", 3000.0), ("RMB 3000", 3000.0), ("CNY3000", 3000.0), ("3000元", 3000.0),
     ("人民币3000元", 3000.0), ("2.5万", 25000.0), ("2.5万元", 25000.0), ("1亿", 1e8), ("1.5千", 1500.0), ("2,000千元", 2e6), ("$12.5", 12.5),
     (" 7 ", 7.0), ("0", 0.0), ("1e3", 1000.0), ("300元整", 300.0), ("3万元整", 30000.0), ("人民币5,000元整", 5000.0),
     ("30000.00（元）", 30000.0), ("30000 (元)", 30000.0), ("3（万元）", 30000.0)],
)
def test_amount_formats(text, expected):
    for values in ([text], [text, "1,000"]):
        parsed, bad = parse_amounts(pd.Series(values, dtype="string"))
        assert not bad.any()
        assert parsed[0] == expected


@pytest.mark.parametrize("text", ["abc", "1,2", "12,3x", "1.2.3", "万", "--5", "(1,200)", "300整", "元整",
                                  "整300元", "(元)", "叁万元整"])
def test_bad_amounts(text):
    parsed, bad = parse_amounts(pd.Series([text, "5"], dtype="string"))
    assert bad.tolist() == [True, False]


def test_numeric_amount_cells():
    parsed, bad = parse_amounts(pd.Series([1200, 3.5, "2万", None], dtype=object))
    assert parsed.tolist()[:3] == [1200.0, 3.5, 20000.0] and not bad.any()
    parsed, bad = parse_amounts(pd.Series([1, 2], dtype="int64"))
    assert parsed.dtype == "float64" and parsed.tolist() == [1.0, 2.0]


def test_as_text_of_spreadsheet_numbers():
    text, lossy = as_text(pd.Series([7.0, 7.5, 13800138000, 1.10101199001011e17, None], dtype=object))
    assert text.tolist()[:3] == ["7", "7.5", "13800138000"]
    assert lossy.tolist() == [False, False, False, True, False]
    text, _ = as_text(pd.Series([1.0, np.nan]))
    assert text[0] == "1" and pd.isna(text[1])


# -- every error kind: the message names file, row, column -----------------------------------
def _problems(**frames) -> list:
    with pytest.raises(CaseError) as ei:
        case_from_frames(**frames)
    return ei.value.problems


PEOPLE = pd.DataFrame({"id": ["p1", "p2"], "name": ["张三", "李四"]})


def _one(problems, code):
    hits = [p for p in problems if p.code == code]
    assert hits, f"no {code} in {problems}"
    return hits[0]


def test_missing_table_and_column():
    p = _one(_problems(transactions=pd.DataFrame({"src": ["a"]})), "missing_table")
    assert p.table == "people"
    p = _one(_problems(people=pd.DataFrame({"id": ["p1"]})), "missing_column")
    assert (p.file, p.row, p.column) == ("<DataFrame people>", 1, "name")
    assert "姓名" in p.expected and "'id'" in p.expected  # accepted and found headers
    assert "people" in str(CaseError([p]))


def test_missing_value_dates_amounts_negative_choices_numbers():
    tx = pd.DataFrame({"src": ["p1", "p1", "p1", None], "dst": ["p2"] * 4,
                       "amount": ["5", "abc", "-3", "1"], "date": ["2020-01-01", "2020-13-01", "2020-01-01", "2020-01-01"]})
    ct = pd.DataFrame({"src": ["p1"], "dst": ["p2"], "kind": ["telepathy"], "time": ["2020-01-01"],
                       "count": ["1.5"], "duration_s": ["x"]})
    probs = _problems(people=PEOPLE, transactions=tx, contacts=ct)
    codes = {(p.code, p.column, p.row) for p in probs}
    assert ("bad_amount", "amount", 3) in codes
    assert ("bad_date", "date", 3) in codes
    assert ("negative_amount", "amount", 4) in codes
    assert ("missing_value", "src", 5) in codes
    assert ("bad_choice", "kind", 2) in codes
    assert ("bad_number", "count", 2) in codes and ("bad_duration", "duration_s", 2) in codes
    p = _one(probs, "bad_amount")
    assert str(p).startswith("<DataFrame transactions>, row 3, column 'amount': bad_amount: got 'abc'")
    assert all(p.file.startswith("<DataFrame") for p in probs)


def test_utc_offsets_dropped_with_a_note_and_mixed_offsets_are_errors():
    times = ["2020-01-01T09:00:00+08:00", "2020-01-01 10:30+0800", "2020-01-02 08:00:00 +08:00"]
    ct = pd.DataFrame({"src": ["p1"] * 3, "dst": ["p2"] * 3, "kind": ["call"] * 3, "time": times})
    case = case_from_frames(people=PEOPLE, contacts=ct)
    assert case["contacts"]["time"].astype(str).tolist() == \
        ["2020-01-01 09:00:00", "2020-01-01 10:30:00", "2020-01-02 08:00:00"]  # wall-clock as written
    assert any("column 'time' of contacts: 3 time(s) written with a UTC offset (+08:00)" in n
               for n in case.report.notes)
    # one row in UTC among local times would move 8 hours against the others: an error
    ct.loc[1, "time"] = "2020-01-01T02:30:00Z"
    p = _one(_problems(people=PEOPLE, contacts=ct), "mixed_utc_offsets")
    assert (p.table, p.row, p.column) == ("contacts", 3, "time")
    assert "(+08:00, as in <DataFrame contacts>, row 2, column 'time')" in p.expected
    # a date followed by nothing is no offset ("2020-01-05" ends in "-05")
    ct = pd.DataFrame({"src": ["p1"] * 2, "dst": ["p2"] * 2, "kind": ["call"] * 2,
                       "time": ["2020-01-05", "2020-01-06 10:00-05:00"]})
    assert case_from_frames(people=PEOPLE, contacts=ct)["contacts"]["time"].notna().all()


def test_times_in_another_tables_utc_offset_are_errors():
    # a call record exported in UTC, events in Beijing time: each consistent, 8 hours apart
    ct = pd.DataFrame({"src": ["p1"] * 2, "dst": ["p2"] * 2, "kind": ["call"] * 2,
                       "time": ["2020-01-01T01:00:00Z", "2020-01-01 02:00 UTC"]})
    ev = pd.DataFrame({"id": ["e1", "e2", "e3"], "kind": ["raid"] * 3,
                       "time": ["2020-01-01 09:30+08:00", "2020-01-02 10:00 GMT+8", "2020-01-03 10:00 北京时间"]})
    probs = [p for p in _problems(people=PEOPLE, contacts=ct, events=ev) if p.code == "mixed_utc_offsets"]
    assert [(p.table, p.row, p.column) for p in probs] == [("contacts", 2, "time"), ("contacts", 3, "time")]
    assert "(+08:00, as in <DataFrame events>, row 2, column 'time')" in probs[0].expected
    assert probs[0].value == "'2020-01-01T01:00:00Z'"
    # lenient: an optional column's cell is left empty, a required column's row skipped
    mem = pd.DataFrame({"person_id": ["p1"], "gang_id": ["g1"], "start_date": ["2020-01-01 08:00-05:00"]})
    gangs = pd.DataFrame({"id": ["g1"], "name": ["甲"]})
    case = case_from_frames(people=PEOPLE, contacts=ct, events=ev, members=mem, gangs=gangs, lenient=True)
    assert len(case["contacts"]) == 0 and len(case["events"]) == 3
    assert case["members"]["start_date"].isna().all() and len(case["members"]) == 1
    assert {(p.table, p.action) for p in case.report.problems} == {("contacts", "skipped"), ("members", "repaired")}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["+08:00", "+0800", "Z", "+00:00", "-05:00", "", " UTC", " GMT+8"]),
                min_size=1, max_size=8),
       st.lists(st.sampled_from(["+08:00", "Z", " 北京时间", ""]), max_size=4))
def test_rows_off_the_cases_main_offset_are_exactly_the_flagged_ones(offsets, event_offsets):
    norm = [{"+0800": "+08:00", "Z": "+00:00", " UTC": "+00:00", " GMT+8": "+08:00"}.get(o, o) for o in offsets]
    ev_norm = [{"Z": "+00:00", " 北京时间": "+08:00"}.get(o, o) for o in event_offsets]
    written = [o for o in norm + ev_norm if o]
    ct = pd.DataFrame({"src": ["p1"] * len(offsets), "dst": ["p2"] * len(offsets), "kind": ["call"] * len(offsets),
                       "time": [f"2020-01-01 10:{i:02d}:00{o}" for i, o in enumerate(offsets)]})
    ev = pd.DataFrame({"id": [f"e{i}" for i in range(len(event_offsets))], "kind": ["raid"] * len(event_offsets),
                       "time": [f"2020-01-02 10:{i:02d}{o}" for i, o in enumerate(event_offsets)]})
    if len(set(written)) <= 1:
        case = case_from_frames(people=PEOPLE, contacts=ct, events=ev)
        assert (len(case["contacts"]), len(case["events"])) == (len(offsets), len(event_offsets))
        return
    counts = pd.Series(written).value_counts()
    main = min(counts.index, key=lambda o: (-counts[o], o))  # most rows, ties by the offset
    flagged = {(p.table, p.row) for p in _problems(people=PEOPLE, contacts=ct, events=ev)
               if p.code == "mixed_utc_offsets"}
    assert flagged == ({("contacts", i + 2) for i, o in enumerate(norm) if o and o != main}
                       | {("events", i + 2) for i, o in enumerate(ev_norm) if o and o != main})


@pytest.mark.parametrize("table, headers, expected", [
    # a family-members table as personnel files keep it
    ("ties", ["本人", "关系人", "与本人关系"], ["src", "dst", "kind"]),
    # a procurement record
    ("contracts", ["合同编号", "建设单位", "施工单位", "合同价款(万元)", "中标日期", "工程名称"],
     ["id", "issuer_id", "company_id", "amount", "date", "subject"]),
    ("events", ["行动编号", "行动类型", "行动日期", "打击对象团伙", "行动地点"],
     ["id", "kind", "time", "gang_id", "jurisdiction_id"]),
    ("contacts", ["主叫", "被叫", "通话开始时间", "通话时长(秒)", "联系次数"], ["src", "dst", "time", "duration_s", "count"]),
    ("officials", ["人员编号", "现任职务", "任职机构", "任现职时间"], ["person_id", "position", "unit", "start_date"]),
    ("members", ["成员编号", "团伙编号", "在团伙中的地位", "入伙时间"], ["person_id", "gang_id", "role", "start_date"]),
    ("leads", ["线索编号", "被举报人", "反映内容", "受理时间"], ["id", "subject_id", "text", "date"]),
    ("labels", ["公职人员编号", "团伙编号", "是否保护伞"], ["official_id", "gang_id", "label"]),
])
def test_headers_as_other_counties_write_them(table, headers, expected):
    from umbrella_graph.parsing.headers import resolve_headers

    res = resolve_headers(table, headers)
    assert [res.rename[h] for h in headers] == expected and not res.conflicts


def test_unknown_headers_beside_absent_optional_columns_are_noted():
    # "涉黑组织" may be the events' gang column under a header we do not know: unused, said so
    ev = pd.DataFrame({"id": ["e1"], "kind": ["raid"], "time": ["2020-01-01"], "涉黑组织": ["g1"],
                       "13800138000": ["x"]})
    notes = [n for n in case_from_frames(people=PEOPLE, events=ev).report.notes if "read as no column" in n]
    assert notes == ["<DataFrame events>: events: header(s) '涉黑组织', <masked, 11 chars> read as no column "
                     "of events (kept as extra columns); optional column(s) not found: gang_id, target_id, "
                     "jurisdiction_id. If one of those headers is one of these columns, map it with "
                     "columns=/--columns (accepted headers: docs/data-contract.md)"]
    # every optional column present, or no unknown header: nothing to say
    full = ev.drop(columns=["涉黑组织", "13800138000"]).assign(gang_id=[None], target_id=[None],
                                                                jurisdiction_id=[None], extra=["y"])
    assert not [n for n in case_from_frames(people=PEOPLE, events=full).report.notes if "read as no column" in n]
    bare = ev[["id", "kind", "time"]]
    assert not [n for n in case_from_frames(people=PEOPLE, events=bare).report.notes if "read as no column" in n]


@pytest.mark.parametrize("text, seconds", [
    ("330", 330.0), ("330.5", 330.5), ("330秒", 330.0), ("5分30秒", 330.0), ("5分钟", 300.0), ("5.5分钟", 330.0),
    ("1小时2分3秒", 3723.0), ("1小时", 3600.0), ("5m30s", 330.0), ("90 sec", 90.0), ("2 Hours 3 min", 7380.0),
    ("00:05:30", 330.0), ("1:02:03", 3723.0), ("１２秒", 12.0), (" 5分 30秒 ", 330.0),
])
def test_duration_formats(text, seconds):
    from umbrella_graph.parsing import parse_durations

    for values in ([text], [text, "7"]):  # alone, and beside a plain number
        secs, bad = parse_durations(pd.Series(values, dtype="string"))
        assert not bad.any() and secs[0] == seconds


def test_durations_a_clock_without_hours_and_header_units():
    ct = pd.DataFrame({"src": ["p1"] * 3, "dst": ["p2"] * 3, "kind": ["call"] * 3,
                       "time": ["2020-01-01 10:00"] * 3, "duration_s": ["00:05:30", "5:30", "abc"]})
    probs = _problems(people=PEOPLE, contacts=ct)
    assert [(p.code, p.row, p.value) for p in probs] == [("bad_duration", 3, "'5:30'"), ("bad_duration", 4, "'abc'")]
    assert "5:30 could be minutes or hours" in probs[0].expected
    # a header in minutes scales plain numbers; a duration written with its unit keeps it
    ct = ct.rename(columns={"duration_s": "通话时长(分钟)"})
    ct["通话时长(分钟)"] = ["2", "30秒", "00:01:00"]
    assert case_from_frames(people=PEOPLE, contacts=ct)["contacts"]["duration_s"].tolist() == [120.0, 30.0, 60.0]
    # spreadsheet time cells, timedelta cells and a timedelta column
    ct = ct.drop(columns=["通话时长(分钟)"])
    ct["duration_s"] = pd.Series([time(0, 5, 30), pd.Timedelta(seconds=90), 7], dtype=object)
    assert case_from_frames(people=PEOPLE, contacts=ct)["contacts"]["duration_s"].tolist() == [330.0, 90.0, 7.0]
    ct["duration_s"] = pd.to_timedelta([1, 2, 3], unit="min")
    assert case_from_frames(people=PEOPLE, contacts=ct)["contacts"]["duration_s"].tolist() == [60.0, 120.0, 180.0]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 30), st.integers(0, 59), st.integers(0, 59))
def test_every_way_of_writing_a_duration_gives_the_same_seconds(h, m, s):
    from umbrella_graph.parsing import parse_durations

    forms = [str(h * 3600 + m * 60 + s), f"{h}:{m:02d}:{s:02d}", f"{h}小时{m}分{s}秒", f"{h}h{m}m{s}s",
             f"{h * 60 + m}分钟{s}秒", f"{h * 3600 + m * 60 + s}秒"]
    secs, bad = parse_durations(pd.Series(forms, dtype="string"))
    assert not bad.any() and set(secs.tolist()) == {float(h * 3600 + m * 60 + s)}


def test_spreadsheet_date_and_time_cells_are_read_together():
    tx = pd.DataFrame({"src": ["p1", "p2"], "dst": ["p2", "p1"], "amount": [1, 2],
                       "日期": pd.Series([pd.Timestamp("2019-03-05"), date(2019, 3, 6)], dtype=object),
                       "时间": pd.Series([time(14, 30, 5), None], dtype=object)})
    case = case_from_frames(people=PEOPLE, transactions=tx)
    assert case["transactions"]["date"].tolist() == [pd.Timestamp("2019-03-05 14:30:05"), pd.Timestamp("2019-03-06")]


def test_a_time_column_of_dates_only_is_noted():
    ct = pd.DataFrame({"src": ["p1"] * 2, "dst": ["p2"] * 2, "kind": ["call"] * 2, "time": ["2020-01-01", "2020-01-02"]})
    notes = case_from_frames(people=PEOPLE, contacts=ct).report.notes
    assert notes == ["<DataFrame contacts>: column 'time' of contacts: no time of day in any of its 2 dates (all read "
                     "as midnight): timing in hours cannot be judged from it; when no contact has an hour, events are "
                     "compared with them by their day"]
    ct.loc[1, "time"] = "2020-01-02 00:00:01"
    assert case_from_frames(people=PEOPLE, contacts=ct).report.notes == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="年/T:：号-Z x1", max_size=6)), max_size=8),
       st.integers(0, 8), st.integers(0, 8))
def test_needles_found_absent_are_absent(cells, start, length):
    # the parsers skip a replacement when _present says its needle is absent: never wrongly
    import pyarrow as pa

    from umbrella_graph.parsing.cells import _present

    arr = pa.array(cells, pa.string()).slice(start, length)
    needles = ("年", "/", "T", "：", "号", "Z", "-")
    found = _present(arr, needles)
    assert {n for n in needles if any(v is not None and n in v for v in arr.to_pylist())} <= found


def test_how_the_vocabulary_read_free_text_kinds_is_noted():
    # a county's word the vocabulary does not know is read as the plain class: the note shows it
    ev = pd.DataFrame({"id": ["e1", "e2", "e3", "e4"], "kind": ["抓捕", "抓捕", "走访", "庭审"],
                       "time": ["2020-01-01 10:00"] * 4})
    ties = pd.DataFrame({"src": ["p1", "p1"], "dst": ["p2", "p2"], "kind": ["老婆", "13800138000"]})
    notes = case_from_frames(people=PEOPLE, events=ev, ties=ties).report.notes
    assert ("<DataFrame events>: column 'kind' of events read by the vocabulary as enforcement: '抓捕' (2); "
            "not enforcement (no raid, arrest, inspection or sweep word): '庭审' (1), '走访' (1) "
            "(domain/vocabulary.json)") in notes
    assert ("<DataFrame ties>: column 'kind' of ties read by the vocabulary as spouse: '老婆' (1); "
            "not family: <masked, 11 chars> (1) (domain/vocabulary.json)") in notes


def test_dangling_references():
    tx = pd.DataFrame({"src": ["p1"], "dst": ["p9"], "amount": [1], "date": ["2020-01-01"]})
    mem = pd.DataFrame({"person_id": ["p1"], "gang_id": ["g7"]})
    probs = _problems(people=PEOPLE, transactions=tx, members=mem)
    p = _one([q for q in probs if q.table == "transactions"], "dangling_reference")
    assert (p.row, p.column, p.value) == (2, "dst", "'p9'")
    assert "known person or company" in p.expected
    p = _one([q for q in probs if q.table == "members"], "dangling_reference")
    assert (p.row, p.column, p.value) == (2, "gang_id", "'g7'")
    assert "known gang" in p.expected


def test_an_id_written_as_a_decimal_number_is_named():
    """Gang ids 1, 2 in gangs.csv and 1.0, 2.0 in members.csv (pandas writes an integer
    column with gaps as floats): still an error, not repaired, and the message says why."""
    gangs = pd.DataFrame({"id": ["1", "2"], "name": ["a", "b"]})
    mem = pd.DataFrame({"person_id": ["p1", "p2", "p1"], "gang_id": ["1.0", "2.00", "3.0"]})
    probs = [q for q in _problems(people=PEOPLE, gangs=gangs, members=mem) if q.code == "dangling_reference"]
    assert [(q.row, q.value) for q in probs] == [(2, "'1.0'"), (3, "'2.00'"), (4, "'3.0'")]
    assert ["decimal number" in q.expected for q in probs] == [True, True, False]


def test_dangling_references_in_many_columns_sharing_one_lookup():
    # the columns that reference the same kinds are checked in one batch: every bad cell
    # must still be reported at its own table, row and column, nulls are not dangling
    tx = pd.DataFrame({"src": ["p1", "x1", "p2", "p1"], "dst": ["p2", "p1", None, "x2"],
                       "amount": [1, 2, 3, 4], "date": ["2020-01-01"] * 4})
    contacts = pd.DataFrame({"src": ["p2", "x3", "p1"], "dst": ["x4", "p1", "p2"],
                             "kind": ["call"] * 3, "time": ["2020-01-01"] * 3})
    ties = pd.DataFrame({"src": ["p1", "x5"], "dst": ["p2", "p1"], "kind": ["kin", "kin"]})
    probs = _problems(people=PEOPLE, transactions=tx, contacts=contacts, ties=ties)
    got = sorted((p.table, p.row, p.column, p.value) for p in probs if p.code == "dangling_reference")
    assert got == [("contacts", 2, "dst", "'x4'"), ("contacts", 3, "src", "'x3'"),
                   ("ties", 3, "src", "'x5'"),
                   ("transactions", 3, "src", "'x1'"), ("transactions", 5, "dst", "'x2'")]


def test_duplicate_ids_name_both_records():
    people = pd.DataFrame({"id": ["p1", "p2", "p1"], "name": ["a", "b", "c"]})
    companies = pd.DataFrame({"id": ["c1", "p2"], "name": ["x", "y"]})
    probs = _problems(people=people, companies=companies,
                      files={"people": "people.csv", "companies": "companies.xlsx"})
    dups = [p for p in probs if p.code == "duplicate_id"]
    assert len(dups) == 2
    within = next(p for p in dups if p.table == "people")
    assert (within.file, within.row) == ("people.csv", 4)
    assert "people.csv, row 2" in within.expected
    across = next(p for p in dups if p.table == "companies")
    assert (across.file, across.row) == ("companies.xlsx", 3)
    assert "people.csv, row 3" in across.expected
    # transaction ids are only unique within transactions
    tx = pd.DataFrame({"id": ["p1", "t", "t"], "src": ["p1"] * 3, "dst": ["p2"] * 3, "amount": [1] * 3,
                       "date": ["2020-01-01"] * 3})
    probs = _problems(people=PEOPLE, transactions=tx)
    assert [(p.code, p.row) for p in probs] == [("duplicate_id", 4)]


def test_unknown_table_and_conflicting_headers():
    p = _one(_problems(people=PEOPLE, bribes=pd.DataFrame({"a": [1]})), "unknown_table")
    assert p.table == "bribes"
    p = _one(_problems(people=pd.DataFrame({"id": ["p1"], "姓名": ["a"], "name": ["b"]})), "conflicting_headers")
    assert (p.column, p.row) == ("name", 1)
    assert "'姓名'" in p.value and "'name'" in p.value


def test_all_problems_are_collected():
    people = pd.DataFrame({"id": ["p1", "p1", None], "name": ["a", None, "c"], "birth_date": ["x", None, None]})
    probs = _problems(people=people)
    assert sorted((p.code, p.row) for p in probs) == [
        ("bad_date", 2), ("duplicate_id", 3), ("missing_value", 3), ("missing_value", 4)]


# -- lenient mode -----------------------------------------------------------------------------
def test_lenient_lists_every_skipped_and_repaired_row():
    people = pd.DataFrame({"id": ["p1", "p2", "p3", "p1"], "name": ["a", None, "c", "d"],
                           "birth_date": ["1970-01-01", None, "bad", None], "village_id": [None, None, "v9", None]})
    tx = pd.DataFrame({"src": ["p1", "p1", "p3"], "dst": ["p2", "p3", "p9"], "amount": [1, 2, 3],
                       "date": ["2020-01-01"] * 3})
    ev = pd.DataFrame({"id": ["e1"], "kind": ["raid"], "time": ["2020-02-01"], "target_id": ["p2"]})
    leads = pd.DataFrame({"id": ["l1"], "date": ["2020-01-01"], "subject_id": ["p2"]})
    case = case_from_frames(people=people, transactions=tx, events=ev, leads=leads, lenient=True)
    rep = case.report
    got = sorted((p.table, p.row, p.column, p.code, p.action) for p in rep.problems)
    assert got == sorted([
        ("people", 3, "name", "missing_value", "skipped"),
        ("people", 4, "birth_date", "bad_date", "repaired"),
        ("people", 4, "village_id", "dangling_reference", "repaired"),
        ("people", 5, "id", "duplicate_id", "skipped"),
        ("transactions", 2, "dst", "reference_to_skipped", "skipped"),
        ("transactions", 4, "dst", "dangling_reference", "skipped"),
        ("events", 2, "target_id", "reference_to_skipped", "repaired"),
        ("leads", 2, "subject_id", "reference_to_skipped", "skipped"),
    ])
    assert case["people"]["id"].tolist() == ["p1", "p3"]
    assert pd.isna(case["people"]["birth_date"][1]) and pd.isna(case["people"]["village_id"][1])
    assert case["transactions"]["_row"].tolist() == [3]
    assert pd.isna(case["events"]["target_id"][0])
    assert len(case["leads"]) == 0
    # nothing disappears without a trace: every dropped row has a "skipped" problem
    for t in ("people", "transactions", "leads", "events"):
        skipped_rows = {p.row for p in rep.problems if p.table == t and p.action == "skipped"}
        assert rep.rows_read[t] - rep.rows_kept[t] == len(skipped_rows)
    ref = next(p for p in rep.problems if p.code == "reference_to_skipped" and p.table == "transactions")
    assert "<DataFrame people>, row 3" in ref.expected
    assert len(rep.to_frame()) == 8


def test_lenient_still_fails_on_the_shape_of_the_input():
    with pytest.raises(CaseError) as ei:
        case_from_frames(people=pd.DataFrame({"id": ["p1"]}), lenient=True)
    assert ei.value.first.code == "missing_column"
    case = case_from_frames(people=PEOPLE, bribes=pd.DataFrame({"a": [1]}), lenient=True)
    assert [(p.code, p.action) for p in case.report.problems] == [("unknown_table", "skipped")]


# -- privacy ---------------------------------------------------------------------------------
def test_names_ids_and_phones_never_reach_messages_or_logs(caplog):
    people = pd.DataFrame({"id": ["p1", "110101199001011234", "13912345678", "110101199001011234"],
                           "name": ["欧阳娜娜", "张三丰", "李四光", "王五"],
                           "phone": ["13800138000", "x", "y", "z"], "id_number": ["44010619900101123X", None, None, None],
                           "birth_date": ["not a date", None, None, None]})
    tx = pd.DataFrame({"src": ["p1"], "dst": ["13612345678"], "amount": [1], "date": ["2020-01-01"],
                       "memo": ["给欧阳娜娜的钱"]})
    secrets = ["欧阳娜娜", "13800138000", "44010619900101123X", "110101199001011234", "13612345678", "给欧阳"]
    with caplog.at_level(logging.DEBUG, logger="umbrella_graph"):
        with pytest.raises(CaseError) as ei:
            case_from_frames(people=people, transactions=tx)
        text = str(ei.value) + "\n".join(str(p) for p in ei.value.problems) + ei.value.to_frame().to_string()
        case = case_from_frames(people=people, transactions=tx, lenient=True)
        text += str(case.report) + case.report.to_frame().to_string()
    text += caplog.text
    assert {p.code for p in ei.value.problems} >= {"bad_date", "duplicate_id", "dangling_reference"}
    for s in secrets:
        assert s not in text
    assert "<masked, 18 chars>" in text and "<masked, 11 chars>" in text


def test_parameter_error_messages_mask_id_and_phone_numbers():
    from umbrella_graph import ParameterError

    msg = str(ParameterError.invalid("official", "neighbourhood", "a known node id", "110101199912311234"))
    assert "110101199912311234" not in msg and "<masked, 18 chars>" in msg
    assert "Got 'P9' instead" in str(ParameterError.invalid("official", "neighbourhood", "a known node id", "P9"))
    assert "Got -2 instead" in str(ParameterError.invalid("window", "find_tipoffs", "a positive duration", -2))


def test_events_of_dates_only_are_noted_per_file():
    """Events are judged per file and kind, as the tip-off test reads them
    (domain.dated_only): a police log of dates beside one with hours is noted by its own
    name."""
    gangs = pd.DataFrame({"id": ["G1"], "name": ["g"]})
    one = pd.DataFrame({"id": ["E1", "E2"], "kind": ["raid"] * 2, "gang_id": ["G1"] * 2,
                        "time": ["2020-01-01", "2020-02-01"]})
    notes = [n for n in case_from_frames(people=PEOPLE, gangs=gangs, events=one).report.notes if "time" in n]
    assert notes == ["<DataFrame events>: column 'time' of events: no time of day in any of its 2 dates (all read "
                     "as midnight): each event is read as any time of its day: a contact that day may come before "
                     "it or after it"]
    two = pd.concat([one.assign(_file="county.csv", _row=[2, 3]),
                     pd.DataFrame({"id": ["E3", "E4"], "kind": ["raid"] * 2, "gang_id": ["G1"] * 2,
                                   "time": ["2020-03-01 00:00", "2020-04-01 05:00"], "_file": "city.csv",
                                   "_row": [2, 3]})], ignore_index=True)
    notes = [n for n in case_from_frames(people=PEOPLE, gangs=gangs, events=two).report.notes if "time" in n]
    assert len(notes) == 1 and notes[0].startswith("county.csv: column 'time' of events: no time of day in any of its 2")


def test_events_of_dates_beside_timed_ones_are_noted_per_file_and_kind():
    """A police log giving raids their hour and arrests their day: the arrests are noted,
    by file and kind, as the tip-off test reads them (domain.dated_only)."""
    gangs = pd.DataFrame({"id": ["G1"], "name": ["g"]})
    ev = pd.DataFrame({"id": ["E1", "E2", "E3", "E4"], "kind": ["raid", "抓捕", "raid", "抓捕"], "gang_id": "G1",
                       "time": ["2020-01-01 05:00", "2020-02-01", "2020-03-01 00:00", "2020-04-01"]})
    notes = [n for n in case_from_frames(people=PEOPLE, gangs=gangs, events=ev).report.notes if "time of day" in n]
    assert notes == ["<DataFrame events>: 2 抓捕 event(s) with no time of day (read as midnight), beside events with "
                     "hours: each event is read as any time of its day: a contact that day may come before it or "
                     "after it"]
    ev.loc[3, "time"] = "2020-04-01 07:00"  # an arrest with an hour: the kind gives hours, no note
    assert not [n for n in case_from_frames(people=PEOPLE, gangs=gangs, events=ev).report.notes if "time of day" in n]


def test_contacts_of_dates_beside_timed_ones_are_noted_per_file_and_kind():
    """Meetings recorded as dates (见面日期) beside calls with hours: each such group of one
    file and kind is noted, as the tip-off test reads it (domain.dated_contacts)."""
    ct = pd.DataFrame({"src": ["p1"] * 4, "dst": ["p2"] * 4, "kind": ["通话", "call", "见面", "会面"],
                       "time": ["2020-01-01 08:15", "2020-01-02 00:00", "2020-01-03", "2020-01-04"]})
    notes = case_from_frames(people=PEOPLE, contacts=ct).report.notes
    assert [n for n in notes if "time of day" in n] == [
        "<DataFrame contacts>: 2 meeting contact(s) with no time of day (read as midnight), beside contacts with "
        "hours: each is read as some time of its day: one on the day of an event with an hour is not tested "
        "against it, and its lead before a later event runs from its day's start"]
    ct.loc[3, "time"] = "2020-01-04 19:30"  # a meeting with an hour: the group gives hours, no note
    assert not [n for n in case_from_frames(people=PEOPLE, contacts=ct).report.notes if "time of day" in n]


def test_enforcement_events_without_a_gang_are_noted():
    """A police log that names the person raided and not the gang: the load report says
    how many are read through their target, and how many name no target and are left
    untested."""
    ev = pd.DataFrame({"id": ["E1", "E2", "E3", "E4"], "kind": ["抓捕", "宣判", "raid", "突击检查"],
                       "time": ["2020-01-01 05:00"] * 4, "gang_id": [None, None, "G1", None],
                       "target_id": ["p1", None, None, None]})
    notes = case_from_frames(people=PEOPLE, gangs=pd.DataFrame({"id": ["G1"], "name": ["g"]}), events=ev).report.notes
    assert ("<DataFrame events>: 2 enforcement event(s) of events name no gang (the first on row 2): each is read as "
            "on the gang whose side holds its target (a listed member, or a company or person the scorer places "
            "there); 1 name no target either and are not "
            "tested for tip-offs; fill gang_id for the gang each one targeted") in notes
    ev["gang_id"] = "G1"
    notes = case_from_frames(people=PEOPLE, gangs=pd.DataFrame({"id": ["G1"], "name": ["g"]}), events=ev).report.notes
    assert not any("name no gang" in n for n in notes)
