"""Ingest: raw exports -> resolved case (readers, row accounting, resolution, review, end to end)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import umbrella_graph as ug
from umbrella_graph.errors import CaseError
from umbrella_graph.ingest import IngestResult, ingest
from umbrella_graph.ingest.normalize import id_check_digit
from umbrella_graph.ingest.review import append_decisions, read_decisions
from umbrella_graph.synth import generate_city

ZW = "11010519491231001"
ZW_ID = ZW + id_check_digit(ZW)  # 张伟
LF = "11010519520101004"
LF_ID = LF + id_check_digit(LF)  # 李芳
NS = "11010519800505001"
NS_ID = NS + id_check_digit(NS)  # the other 张伟 (namesake)
ACC_ZW, ACC_LF = "6222021001120034563", "6222021001120099990"


def _write(d: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (d / name).write_text(text, encoding=encoding)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    d = tmp_path / "sources"
    d.mkdir()
    _write(d, "户籍.csv", "人员编号,姓名,性别,身份证号,手机号\n"
           f"H1,张伟,男,{ZW_ID},13800138000\n"
           f"H2,李芳,女,{LF_ID},+86 139-0013-9000\n"
           f"H3,张伟,男,{NS_ID},13700137000\n", "gbk")
    # bank A (GBK, Chinese headers): 张伟 pays 李芳; bank B (English) lists the same transfer
    _write(d, "工行流水.csv", "交易卡号,交易户名,证件号码,交易时间,借贷标志,交易金额,对手账号,对手户名,摘要\n"
           f"{ACC_ZW},張偉,{ZW_ID},2020-03-01 10:00:00,借,5000.00,{ACC_LF},李芳,借款\n"
           f"{ACC_ZW},张伟,{ZW_ID},2020-03-02 11:00:00,借,300,{ACC_LF},李芳,=HYPERLINK(\"x\")\n"
           f"{ACC_ZW},张伟,{ZW_ID},not a date,借,1,{ACC_LF},李芳,\n", "gbk")
    _write(d, "bank_b.csv", "Account No,Account Name,Date,Amount,Counterparty Account,Counterparty Name\n"
           f"{ACC_LF},LI Fang,20200301 100200,\"5,000.00\",{ACC_ZW},ZHANG Wei\n"
           "\n")
    _write(d, "开户资料.csv", f"账号,户名,证件号码\n{ACC_LF},李芳,{LF_ID}\n", "gbk")
    _write(d, "话单.csv", "本机号码,对方号码,呼叫类型,开始时间,通话时长\n"
           "13800138000,13900139000,主叫,2020-03-01 09:00:00,60\n"
           "139 0013 9000,+8613800138000,被叫,2020-03-01 09:00:30,00:01:00\n"
           "13700137000,13800138000,短信发送,2020-03-05 08:00:00,0\n", "utf-8")
    _write(d, "工商登记.csv", "企业名称,统一社会信用代码,姓名,证件号码,职务,持股比例\n"
           f"清河县宏达建材有限责任公司,91350100M000100Y43,张伟,{ZW_ID},法定代表人,60%\n")
    _write(d, "gangs.csv", "id,name\nG1,宏达团伙\n")
    _write(d, "members.csv", "person_id,gang_id,role\nH1,G1,leader\n")
    return d


def test_rows_are_accounted_for_with_provenance(sources: Path) -> None:
    res = ingest(sources)
    rows = res.rows.set_index("file")
    assert (rows["rows"] == rows["ingested"] + rows["duplicate"] + rows["rejected"]).all()
    # the transfer listed by both banks is kept once, with its twin cited
    assert rows.loc["bank_b.csv", "duplicate"] == 1 and rows.loc["bank_b.csv", "rejected"] == 1  # the blank line
    tx = res.tables["transactions"]
    assert len(tx) == 2
    first = tx[tx["amount"] == 5000].iloc[0]
    assert (first["source_file"], first["source_row"]) == ("工行流水.csv", 2)
    assert (first["twin_file"], int(first["twin_row"])) == ("bank_b.csv", 2)
    # the case's own provenance is the export row
    case_tx = res.case()["transactions"]
    assert set(zip(case_tx["_file"], case_tx["_row"], strict=True)) == {("工行流水.csv", 2), ("工行流水.csv", 3)}
    rej = res.rejected.set_index(["file", "row"])
    assert rej.loc[("工行流水.csv", 4), "reason"] == "bad_time"
    assert rej.loc[("工行流水.csv", 4), "column"] == "交易时间"
    assert rej.loc[("bank_b.csv", 3), "reason"] == "blank_row"
    assert rej.loc[("bank_b.csv", 2), "twin"] == "工行流水.csv:2"
    # the call listed by both parties is one contact (its duration written 60 and 00:01:00)
    assert rows.loc["话单.csv", "duplicate"] == 1
    assert len(res.tables["contacts"]) == 2
    assert sorted(res.tables["contacts"]["duration_s"].tolist()) == [0.0, 60.0]


def test_people_resolved_across_sources_and_namesakes_kept_apart(sources: Path) -> None:
    res = ingest(sources)
    people = res.tables["people"]
    zw = people[people["id_number"] == ZW_ID]
    assert len(zw) == 1
    zw_id = zw["id"].iloc[0]
    # the traditional-script holder, the registry's legal rep, the roster and the phone are one person
    assert int(zw["identities"].iloc[0]) >= 4
    assert "張偉" in zw["source_identities"].iloc[0]
    lf_id = people.loc[people["id_number"] == LF_ID, "id"].iloc[0]
    tx = res.tables["transactions"]
    assert set(zip(tx["src"], tx["dst"], strict=True)) == {(zw_id, lf_id)}
    # the namesake with another ID number is another person; his SMS is his
    ns_id = people.loc[people["id_number"] == NS_ID, "id"].iloc[0]
    assert ns_id != zw_id
    sms = res.tables["contacts"][res.tables["contacts"]["kind"] == "sms"].iloc[0]
    assert (sms["src"], sms["dst"]) == (ns_id, zw_id)
    # passthrough tables name people by roster key: mapped to the resolved person
    assert res.tables["members"]["person_id"].tolist() == [zw_id]
    roles = res.tables["company_roles"]
    assert roles[["person_id", "company_id", "role"]].values.tolist() == [[zw_id, "91350100M000100Y43", "legal_rep"]]
    assert roles["share"].iloc[0] == pytest.approx(0.6)
    # merges are data with the match card
    card = res.merges[res.merges["person_id"] == zw_id]["joined_by"]
    assert card.str.contains("same valid ID number").any()


def test_deterministic(sources: Path) -> None:
    a, b = ingest(sources), ingest(sources)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    pd.testing.assert_frame_equal(a.pairs, b.pairs)


def test_name_alone_never_merges(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    # two statements whose holders share a rare name but no identifier
    _write(d, "a.csv", "账号,户名,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
           "6222021001120034563,欧阳修远,2020-01-01 10:00,借,100,33050161234500000123,某公司\n")
    _write(d, "b.csv", "账号,户名,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
           "6222021001120099990,欧阳修远,2020-01-02 10:00,借,100,33050161234500000123,某公司\n")
    res = ingest(d)
    people = res.tables["people"]
    assert len(people) == 2
    assert set(res.pairs["decision"]) <= {"review", "below"}


_OTHERS = "".join(f"{a}{b},1380000{i:04d}\n" for i, (a, b) in enumerate(
    (a, b) for a in "王李张刘陈杨黄赵吴周" for b in "伟芳娜敏静丽强磊军洋"))


def test_review_decisions_are_replayed_reversible_and_win(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    # other people, so that the name's frequency is that of a real roster
    _write(d, "roster.csv", "姓名,手机号\n" + _OTHERS)
    _write(d, "a.csv", "账号,户名,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
           "6222021001120034563,欧阳修远,2020-01-01 10:00,借,100,33050161234500000123,某公司\n")
    _write(d, "b.csv", "账号,户名,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
           "6222021001120099990,欧阳修远,2020-01-02 10:00,借,100,33050161234500000123,某公司\n")
    res = ingest(d, lower=0.01)
    assert len(res.review) == 1
    q = res.review.iloc[0]
    out = res.write(tmp_path / "case")
    html = (out / "_ingest" / "review.html").read_text(encoding="utf-8")
    assert "欧阳修远" in html and "a.csv:2:holder" in html
    dec = tmp_path / "case" / "_ingest" / "decisions.csv"
    append_decisions(dec, pd.DataFrame([{"ref_l": q["ref_l"], "ref_r": q["ref_r"], "decision": "accept",
                                         "by": "analyst 1", "at": "2024-05-01T10:00:00", "why": "same card holder"}]))
    merged = ingest(d, lower=0.01, decisions=dec)
    people = merged.tables["people"]
    assert len(people) == len(res.tables["people"]) - 1
    assert merged.pairs["decision"].tolist() == ["accept"]
    assert int(people.loc[people["name"] == "欧阳修远", "identities"].iloc[0]) == 2
    # undo: back to the model's view
    append_decisions(dec, pd.DataFrame([{"ref_l": q["ref_r"], "ref_r": q["ref_l"], "decision": "undo",
                                         "by": "analyst 2", "at": "2024-05-02T10:00:00", "why": "wrong"}]))
    assert len(ingest(d, lower=0.01, decisions=dec).tables["people"]) == len(res.tables["people"])
    assert len(read_decisions(dec).attrs["history"]) == 2


def test_rejection_beats_the_model(sources: Path) -> None:
    res = ingest(sources)
    auto = res.pairs[(res.pairs["decision"] == "auto") & (res.pairs["gamma_id_number"] == 3)].iloc[0]
    dec = pd.DataFrame([{"ref_l": auto["ref_l"], "ref_r": auto["ref_r"], "decision": "reject", "by": "a",
                         "at": "2024-01-01", "why": "different people"}])
    again = ingest(sources, decisions=dec)
    lab = again.identities.set_index("ref")["person_id"]
    assert lab[auto["ref_l"]] != lab[auto["ref_r"]]
    assert (again.pairs["decision"] == "reject").sum() == 1


def test_bad_input_names_file_row_and_column(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "notes.csv", "foo,bar\n1,2\n")
    with pytest.raises(CaseError) as exc:
        ingest(d)
    p = exc.value.first
    assert (p.code, p.file) == ("unknown_layout", "notes.csv")
    (d / "notes.csv").unlink()
    # a "phone" column that holds names
    _write(d, "话单.csv", "本机号码,对方号码,开始时间\n" + "".join(f"张三{i},李四,2020-01-01 10:00\n" for i in range(6)))
    with pytest.raises(CaseError) as exc:
        ingest(d)
    p = exc.value.first
    assert p.code == "not_number_column" and p.file == "话单.csv" and p.column == "本机号码"
    assert "张三" not in str(exc.value)
    (d / "话单.csv").unlink()
    # a malformed ID number is kept and flagged with file, row and column, never shown
    _write(d, "户籍.csv", "姓名,身份证号\n王五,110105194912310022\n赵六,12345\n")
    res = ingest(d)
    flags = res.flags()
    assert flags[["file", "row", "column", "code"]].values.tolist() == [
        ["户籍.csv", 2, "身份证号", "bad_check_digit"], ["户籍.csv", 3, "身份证号", "bad_format"]]
    assert "110105194912310022" not in str(flags.to_dict())
    assert res.tables["people"]["id_number"].notna().sum() == 2  # kept as written


def test_a_statement_that_splits_date_and_time_keeps_the_time(tmp_path: Path) -> None:
    # 交易日期 and 交易时间 are both time aliases: reading the first alone put every transfer at
    # midnight; the two are one time, and a bad time is rejected naming both headers
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "工行流水.csv", "交易卡号,交易户名,交易日期,交易时间,借贷标志,交易金额,对手账号,对手户名\n"
           f"{ACC_ZW},张伟,20200301,143005,借,5000.00,{ACC_LF},李芳\n"
           f"{ACC_ZW},张伟,20200302,9:05,借,300,{ACC_LF},李芳\n"
           f"{ACC_ZW},张伟,20200303,25:00,借,1,{ACC_LF},李芳\n", "gbk")
    res = ingest(d)
    assert sorted(res.tables["transactions"]["date"].astype(str)) == ["2020-03-01 14:30:05", "2020-03-02 09:05:00"]
    rej = res.rejected.set_index(["file", "row"])
    assert rej.loc[("工行流水.csv", 4), "reason"] == "bad_time"
    assert rej.loc[("工行流水.csv", 4), "column"] == "交易日期 + 交易时间"
    # a date column beside a full date-and-time column: the one with the times is read
    _write(d, "工行流水.csv", "交易卡号,交易户名,交易日期,交易时间,借贷标志,交易金额,对手账号,对手户名\n"
           f"{ACC_ZW},张伟,2020-03-01,2020-03-01 14:30:05,借,5000.00,{ACC_LF},李芳\n", "gbk")
    assert ingest(d).tables["transactions"]["date"].astype(str).tolist() == ["2020-03-01 14:30:05"]


def test_a_title_above_the_header_and_a_total_below(sources: Path) -> None:
    """Bank exports open with the bank's name and the query period and close with a total:
    the header is found below the title (CSV and workbook), the lines above it are
    accounted as rejected (``above_header``), the total has no time and is rejected, and
    the rest is read as without them, twins cited at their own rows."""
    plain = ingest(sources)
    text = (sources / "工行流水.csv").read_text(encoding="gbk")
    (sources / "工行流水.csv").write_text("中国工商银行 账户交易明细\n查询期间：2020-03-01至2020-03-31,,\n" + text
                                       + ",,,,,,,,\n合计,,,,,5301.00,,,\n", encoding="gbk")
    b = pd.read_csv(sources / "bank_b.csv", dtype=str, keep_default_na=False)
    (sources / "bank_b.csv").unlink()
    pad = [None] * (len(b.columns) - 2)
    rows = [["Statement of account", None, *pad], ["Period", "2020-03", *pad], list(b.columns), *b.values.tolist()]
    pd.DataFrame(rows).to_excel(sources / "bank_b.xlsx", header=False, index=False)
    res = ingest(sources)
    def named(r: IngestResult) -> pd.DataFrame:  # person ids come from the rows cited
        name = r.tables["people"].set_index("id")["name"]
        tx = r.tables["transactions"]
        return tx.assign(src=tx["src"].map(name), dst=tx["dst"].map(name))[["src", "dst", "amount", "date", "memo"]]

    assert named(res).equals(named(plain)) and len(res.tables["people"]) == len(plain.tables["people"])
    rej = res.rejected.set_index(["file", "row"])
    assert [rej.loc[("工行流水.csv", r), "reason"] for r in (1, 2, 6, 7, 8)] == [
        "above_header", "above_header", "bad_time", "blank_row", "missing_time"]
    assert rej.loc[("bank_b.xlsx", 1), "reason"] == rej.loc[("bank_b.xlsx", 2), "reason"] == "above_header"
    assert rej.loc[("bank_b.xlsx", 4), "twin"] == "工行流水.csv:4"  # the statements' rows, as written
    tx = res.tables["transactions"]
    assert tx.loc[tx["amount"] == 5000, ["source_file", "source_row"]].values.tolist() == [["工行流水.csv", 4]]
    counts = res.rows.set_index("file")
    assert (counts["rows"] == counts["ingested"] + counts["duplicate"] + counts["rejected"]).all()
    assert counts.loc["工行流水.csv", "rows"] == 7  # every line but the header


def test_every_sheet_of_a_workbook_that_holds_a_table_is_read(sources: Path) -> None:
    """A bank's workbook with a sheet per year, a notes sheet, and a sheet named like a
    case table: each table sheet is a source named ``file[sheet]``, cited so; the notes
    sheet (no table) is not read. Before, only the first sheet was read, silently."""
    text = (sources / "工行流水.csv").read_text(encoding="gbk").splitlines()
    (sources / "工行流水.csv").unlink()
    head, rows = text[0].split(","), [r.split(",") for r in text[1:]]
    path = sources / "工行流水.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame([["说明：本文件为查询结果"]]).to_excel(xw, sheet_name="说明", header=False, index=False)
        pd.DataFrame(rows[:1], columns=head).to_excel(xw, sheet_name="2020年3月1日", index=False)
        pd.DataFrame(rows[1:], columns=head).to_excel(xw, sheet_name="2020年3月2日起", index=False)
        pd.DataFrame({"src": ["H1"], "dst": ["H2"], "kind": ["见面"], "time": ["2020-03-04"]}).to_excel(
            xw, sheet_name="contacts", index=False, startrow=1)
        xw.sheets["contacts"].cell(row=1, column=1, value="见面记录")  # a title above the table
    res = ingest(sources)
    counts = res.rows.set_index("file")
    assert {"工行流水.xlsx[2020年3月1日]", "工行流水.xlsx[2020年3月2日起]", "工行流水.xlsx[contacts]"} <= set(counts.index)
    assert not any("说明" in f for f in counts.index)
    assert counts.loc["工行流水.xlsx[contacts]", "kind"] == "case:contacts"
    tx = res.tables["transactions"]
    assert sorted(zip(tx["source_file"], tx["source_row"], strict=True)) == [
        ("工行流水.xlsx[2020年3月1日]", 2), ("工行流水.xlsx[2020年3月2日起]", 2)]
    assert res.rejected.set_index(["file", "row"]).loc[("工行流水.xlsx[2020年3月2日起]", 3), "reason"] == "bad_time"
    assert len(res.tables["contacts"]) == 3  # the meeting beside the two calls
    assert "_above" not in res.tables["contacts"].columns
    assert res.rejected.set_index(["file", "row"]).loc[("工行流水.xlsx[contacts]", 1), "reason"] == "above_header"


def test_long_numbers_a_workbook_stored_as_numbers_are_no_identifiers(tmp_path: Path) -> None:
    """A roster saved from a spreadsheet with its ID numbers as numbers: 15 significant
    digits are kept, so two neighbours born on one day share the rounded number, and a
    check digit can pass by chance. Such cells are flagged ``digits_lost`` and never join
    people; an 11-digit phone stored as a number is exact and still does."""
    a, b = "110105194912310016", "110105194912310032"  # one district, one birthday
    excel = [float(f"{float(v):.14e}") for v in (a, b)]  # what a spreadsheet keeps: 15 digits
    assert excel[0] == excel[1]
    d = tmp_path / "s"
    d.mkdir()
    pd.DataFrame({"人员编号": ["H1", "H2"], "姓名": ["王伟", "王伟"], "身份证号": excel,
                  "手机号": [13800138000.0, 13700137000.0]}).to_excel(d / "户籍.xlsx", index=False)
    _write(d, "开户资料.csv", f"账号,户名,手机号\n{ACC_LF},王伟,13800138000\n")
    res = ingest(d)
    assert len(res.tables["people"]) == 2  # before: one person, joined by the rounded number
    flags = res.flags()
    lost = flags[flags["code"] == "digits_lost"]
    assert sorted(lost["row"].tolist()) == [2, 3] and set(lost["column"]) == {"身份证号"}
    assert "110105" not in " ".join(map(str, lost.to_numpy().ravel()))  # masked
    # a call record saved by a spreadsheet as 1.38001E+10: whose phone is unknown, the call is rejected
    _write(d, "话单.csv", "本机号码,对方号码,呼叫类型,开始时间,通话时长\n"
           "13800138000,1.37001E+10,主叫,2020-03-01 09:00:00,60\n"
           "13800138000,17951 13700137000,主叫,2020-03-02 09:00:00,60\n")
    res = ingest(d)
    assert res.rejected.set_index(["file", "row"]).loc[("话单.csv", 2), "reason"] == "digits_lost"
    phone = res.tables["people"].set_index("id")["phone"]
    ct = res.tables["contacts"]
    assert len(ct) == 1 and {phone[ct["src"].iat[0]], phone[ct["dst"].iat[0]]} == {"13800138000", "13700137000"}


def test_call_records_in_another_utc_offset_are_rejected(sources: Path) -> None:
    """Statements written at +08:00 and a call record in UTC (Z): read as the wall-clock
    time written, the calls would sit eight hours off against the transfers, so they are
    rejected (mixed_utc_offsets), as load_case rejects them; one offset alone is read."""
    text = (sources / "工行流水.csv").read_text(encoding="gbk").replace(":00,借", ":00+08:00,借")
    (sources / "工行流水.csv").write_text(text, encoding="gbk")
    assert len(ingest(sources).tables["contacts"]) == 2  # calls without an offset: read
    cdr = (sources / "话单.csv").read_text(encoding="utf-8").replace(":00,60", ":00Z,60")
    (sources / "话单.csv").write_text(cdr, encoding="utf-8")
    res = ingest(sources)
    rej = res.rejected.set_index(["file", "row"])
    assert rej.loc[("话单.csv", 2), "reason"] == "mixed_utc_offsets" and rej.loc[("话单.csv", 2), "column"] == "开始时间"
    assert len(res.tables["transactions"]) == 2


def test_a_delimiter_at_the_end_of_each_row_is_an_error_not_a_shift(sources: Path) -> None:
    """Data rows with one cell more than the header (a delimiter at each line's end): the
    table reader took the first column for an index and shifted every column one to the
    left, silently (the account read from the holder's name). It is an error naming the
    file and the first such row, as load_case reports it."""
    lines = (sources / "工行流水.csv").read_text(encoding="gbk").splitlines()
    (sources / "工行流水.csv").write_text("\n".join([lines[0]] + [x + "," for x in lines[1:]]) + "\n", encoding="gbk")
    with pytest.raises(CaseError) as err:
        ingest(sources)
    (p,) = err.value.problems
    assert (p.code, p.file, p.row, p.value) == ("bad_row", "工行流水.csv", 2, "<10 cells>")


def test_remittance_and_deposit_words_give_the_direction(tmp_path: Path) -> None:
    """汇出 (remitted) is money out, 汇入 and 存入 (deposited) money in: before, they were
    unknown_direction and the transfers were rejected."""
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "工行流水.csv", "交易卡号,交易户名,交易时间,借贷标志,交易金额,对手账号,对手户名\n"
           f"{ACC_ZW},张伟,2020-03-01 10:00:00,汇出,5000.00,{ACC_LF},李芳\n"
           f"{ACC_ZW},张伟,2020-03-02 10:00:00,汇入,300.00,{ACC_LF},李芳\n"
           f"{ACC_ZW},张伟,2020-03-03 10:00:00,存入,20.00,{ACC_LF},李芳\n", "gbk")
    res = ingest(d)
    name = res.tables["people"].set_index("id")["name"]
    tx = res.tables["transactions"]
    got = sorted(zip(tx["amount"], tx["src"].map(name), tx["dst"].map(name), strict=True))
    assert got == [(20.0, "李芳", "张伟"), (300.0, "李芳", "张伟"), (5000.0, "张伟", "李芳")]


def test_household_registers_give_the_family_ties(tmp_path: Path) -> None:
    """A household register (户籍) gives each member's household (户号) and relation to its
    head (与户主关系): each member is tied to the head with that relation, which the
    vocabulary reads (妻: spouse, 长子: kin), and the scorer's official's circle follows.
    A household without a head gives no tie, and its rows are flagged."""
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "户籍.csv", "人员编号,姓名,身份证号,户号,与户主关系\n"
           f"H1,张伟,{ZW_ID},001,户主\n"
           f"H2,李芳,{LF_ID},001,妻\n"
           "H3,张小伟,,001,长子\n"
           f"H4,张伟,{NS_ID},002,本人\n"
           "H5,王六,,003,子\n", "gbk")
    res = ingest(d)
    pid = res.tables["people"].assign(key=res.tables["people"]["source_identities"].str.extract(r"户籍\.csv:(\d+)")[0])
    by_row = dict(zip(pid["key"].astype(int), pid["id"], strict=True))
    ties = res.tables["ties"]
    assert sorted(zip(ties["src"], ties["dst"], ties["kind"], ties["source_row"], strict=True)) == sorted(
        [(by_row[2], by_row[3], "妻", 3), (by_row[2], by_row[4], "长子", 4)])
    flags = res.flags()
    assert flags.loc[flags["code"] == "household_head", ["file", "row"]].values.tolist() == [["户籍.csv", 6]]
    case = res.case()
    from umbrella_graph.domain import tie_relation

    assert tie_relation(case["ties"]["kind"]).tolist() == ["spouse", "kin"]


def test_mapping_file_for_an_unknown_layout(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "招行导出.csv", "卡号(本人),对手,对手卡,发生时间,方向,发生额\n"
           "6222021001120034563,李芳,6222021001120099990,2020-01-01 10:00,D,100\n")
    _write(d, "ingest-mapping.json", '{"files": {"招行*.csv": {"kind": "bank", "columns": {'
           '"卡号(本人)": "account", "对手": "cp_name", "对手卡": "cp_account", "发生时间": "time", '
           '"方向": "direction", "发生额": "amount"}}}}')
    res = ingest(d)
    assert len(res.tables["transactions"]) == 1 and res.rows["ingested"].sum() == 1


def test_outputs_escape_and_neutralise(sources: Path, tmp_path: Path) -> None:
    _write(sources, "more.csv", "姓名,手机号\n<script>alert(1)</script>,13600136000\n=cmd|' /C calc'!A0,13500135000\n")
    res = ingest(sources, lower=0.0001)
    out = res.write(tmp_path / "case")
    side = out / "_ingest"
    for f in [*side.glob("*.csv"), *out.glob("*.csv")]:
        for line in f.read_text(encoding="utf-8").splitlines():
            for cell in line.split(","):
                assert not cell.startswith(("=", "+", "@")), (f.name, cell)
    html = (side / "review.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html


def test_ingested_case_loads_scores_and_reports(tmp_path: Path) -> None:
    from umbrella_graph.reporting import render_report
    from umbrella_graph.scoring import score_umbrellas
    from umbrella_graph.synth.messy import write_messy_sources

    city = generate_city(people=400, gangs=1, seed=3)
    ms = write_messy_sources(city, tmp_path / "sources", seed=3)
    res = ingest(ms.path)
    t = res.rows[["rows", "ingested", "duplicate", "rejected"]].sum()
    assert t["rows"] == t["ingested"] + t["duplicate"] + t["rejected"] == ms.rows
    case = ug.load_case(res.write(tmp_path / "case"))
    assert len(case["people"]) < len(res.identities)
    # _ingest/ (decisions, match cards) is a folder: listed as ignored, never read as a table
    assert set(case.report.ignored) == {"_ingest"}
    graph = ug.build_graph(case)
    scores = score_umbrellas(graph, seed=0)
    # scored: the official x gang pairs with evidence (issue 15: pairs without any are not scored)
    assert 0 < len(scores) <= len(case.official_ids()) * len(case.gang_ids())
    html = render_report(graph, scores=scores, investigations=False)
    assert "Merged identities" in html
    # every official of the clean city is one resolved person
    assert len(case.official_ids()) == len(city.case.official_ids())


def test_family_phone_goes_to_the_person_most_records_give_it_to(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "roster.csv", "姓名,身份证号,手机号\n"
           f"张伟,{ZW_ID},13800138000\n李芳,{LF_ID},\n" + _OTHERS.replace(",", ",,"))
    _write(d, "subscribers.csv", f"手机号码,机主姓名,证件号码\n13800138000,张伟,{ZW_ID}\n")
    # the wife gave her bank the husband's phone
    _write(d, "kyc.csv", f"账号,户名,证件号码,预留手机号\n{ACC_LF},李芳,{LF_ID},13800138000\n")
    _write(d, "cdr.csv", "本机号码,对方号码,开始时间\n13800138000,13900000001,2020-01-01 10:00\n")
    res = ingest(d)
    people = res.tables["people"]
    zw_id = people.loc[people["id_number"] == ZW_ID, "id"].iloc[0]
    lf_id = people.loc[people["id_number"] == LF_ID, "id"].iloc[0]
    assert zw_id != lf_id
    assert res.tables["contacts"]["src"].tolist() == [zw_id]
    queued = res.review[res.review["reason"] == "identifier also given by another person"]
    assert len(queued) == 1 and "kyc.csv:2:person" in set(queued[["ref_l", "ref_r"]].values.ravel())


def test_a_tied_family_phone_is_not_merged(tmp_path: Path) -> None:
    d = tmp_path / "s"
    d.mkdir()
    _write(d, "roster.csv", "姓名,身份证号,手机号\n"
           f"张伟,{ZW_ID},13800138000\n李芳,{LF_ID},13800138000\n" + _OTHERS.replace(",", ",,"))
    _write(d, "cdr.csv", "本机号码,对方号码,开始时间\n13800138000,13900000001,2020-01-01 10:00\n")
    res = ingest(d)
    src = res.tables["contacts"]["src"].iloc[0]
    people = res.tables["people"].set_index("id")
    assert people.loc[src, "identities"] == 1 and pd.isna(people.loc[src, "id_number"])
    assert (res.review["reason"] == "identifier shared by people who conflict (family phone?)").sum() == 2


def test_cli_ingest_replays_decisions_and_reports_bad_input(sources: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from umbrella_graph.cli import main

    out = tmp_path / "case"
    r = CliRunner().invoke(main, ["ingest", str(sources), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "merged as duplicates" in r.output and (out / "people.csv").exists()
    assert (out / "_ingest" / "review.html").exists()
    # a rejection saved in the case folder is replayed on the next run
    pairs = pd.read_csv(out / "_ingest" / "pairs.csv")
    auto = pairs[(pairs["decision"] == "auto") & (pairs["gamma_id_number"] == 3)].iloc[0]
    append_decisions(out / "_ingest" / "decisions.csv", pd.DataFrame([{
        "ref_l": auto["ref_l"], "ref_r": auto["ref_r"], "decision": "reject", "by": "a", "at": "2024", "why": "x"}]))
    r = CliRunner().invoke(main, ["ingest", str(sources), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert (pd.read_csv(out / "_ingest" / "pairs.csv")["decision"] == "reject").sum() == 1
    _write(sources, "notes.csv", "foo,bar\n1,2\n")
    r = CliRunner().invoke(main, ["ingest", str(sources), "-o", str(out)])
    assert r.exit_code == 2 and "notes.csv" in r.output and "unknown_layout" in r.output


def test_match_card_words_match_splink_levels(sources: Path) -> None:
    res = ingest(sources)
    p = res.pairs
    row = p[(p["ref_l"] == "工商登记.csv:2:person") | (p["ref_r"] == "工商登记.csv:2:person")]
    row = row[row["gamma_id_number"] == 3].iloc[0]
    # the registry's 张伟 and the roster's 张伟: same name, same valid ID number
    assert "same valid ID number" in row["match_card"]
    assert "same name +" in row["match_card"]
    latin = p[p["name_l"].eq("ZHANG Wei") | p["name_r"].eq("ZHANG Wei")]
    assert latin["match_card"].str.contains("same name in pinyin").any()
