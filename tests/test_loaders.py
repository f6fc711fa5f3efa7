"""Loaders: case folders (CSV in every encoding, XLSX, Parquet), Neo4j-import tables, FtM."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from umbrella_graph import (
    CaseError,
    ParameterError,
    load_case,
    load_ftm,
    load_graph_tables,
    load_neo4j_import,
)
from umbrella_graph.io import detect_encoding
from umbrella_graph.io.aliases import table_for_stem

PEOPLE_CSV = "id,姓名,手机号\np1,张三,13800138000\np2,李四,\n"
TX_CSV = "付款方,收款方,金额,交易时间,摘要\np1,p2,\"1,200\",2019/3/5 14:30,借款\np2,p1,2万,2019年3月6日,还款\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def folder(tmp_path: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    d = tmp_path / "case"
    d.mkdir(exist_ok=True)
    for name, text in files.items():
        write(d / name, text, encoding)
    return d


# -- the sample and every table ----------------------------------------------------------------
def test_sample_case_loads_every_table(sample_dir):
    case = load_case(sample_dir)
    assert case.name == "qinghe"
    for f in sample_dir.glob("*.csv"):
        if f.stem.startswith("truth"):
            assert f.name in case.report.ignored
            continue
        n_lines = sum(1 for line in f.read_text(encoding="utf-8").splitlines()[1:] if line.strip())
        assert len(case[f.stem]) == n_lines, f.name
        assert case.report.encodings[f.name] == "utf-8"
    assert all(case.has(t) for t in ("people", "officials", "gangs", "members", "villages", "companies",
                                     "company_roles", "ties", "transactions", "contacts", "contracts",
                                     "events", "leads", "labels"))
    assert "README.md" in case.report.ignored


# -- encodings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("gb18030", "gb18030")])
def test_encodings_are_detected(tmp_path, encoding, expected):
    people = PEOPLE_CSV
    if encoding == "gb18030":  # a character GBK does not have, so GBK decoding fails
        people = people.replace("张三", "张𠮷")
    d = folder(tmp_path, {"people.csv": people, "transactions.csv": TX_CSV}, encoding)
    case = load_case(d)
    assert case.report.encodings == {"people.csv": expected, "transactions.csv": expected
                                     if encoding != "gb18030" else "gbk"}
    assert case["people"]["name"][0] == ("张𠮷" if encoding == "gb18030" else "张三")
    assert case["transactions"]["amount"].tolist() == [1200.0, 20000.0]
    assert case["transactions"]["memo"].tolist() == ["借款", "还款"]
    assert detect_encoding(d / "people.csv") == expected


@pytest.mark.parametrize("body", ["id,name\np1,张三\np2,李四\n", "id,name\np1,张三\np2,李四,多余\n"])
def test_gbk_body_under_an_ascii_header(tmp_path, body):
    d = folder(tmp_path, {"people.csv": body}, "gbk")
    if body.count(",") > 3:  # a ragged row: the record-by-record reader must detect GBK too
        case = load_case(d, lenient=True)
        assert [(p.code, p.row) for p in case.report.problems] == [("bad_row", 3)]
    else:
        case = load_case(d)
    assert case.report.encodings == {"people.csv": "gbk"}
    assert case["people"]["name"][0] == "张三"


def test_encoding_override(tmp_path):
    d = folder(tmp_path, {"people.csv": PEOPLE_CSV}, "gb18030")
    assert load_case(d, encoding="gb18030").report.encodings["people.csv"] == "gb18030"
    with pytest.raises(CaseError) as ei:
        load_case(d, encoding="utf-8")
    p = ei.value.first
    assert (p.code, p.file) == ("unreadable_file", "people.csv") and "utf-8" in p.expected
    with pytest.raises(ParameterError):
        load_case(d, encoding="klingon")
    write(d / "people.csv", "id,name\np1,\xff\xfe".encode("latin-1").decode("latin-1"), "latin-1")
    (d / "people.csv").write_bytes(b"id,name\np1,\x81\xff\xfe\x00\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    assert ei.value.first.code == "unreadable_file"


# -- folders: stems, ignored and unknown files, duplicates --------------------------------------
def test_chinese_file_stems_and_ignored_files(tmp_path):
    d = folder(tmp_path, {"人员.csv": PEOPLE_CSV, "交易流水.csv": TX_CSV, "README.md": "# notes",
                          "truth.csv": "a\n1\n", "~$人员.xlsx": "lock", "columns.json": "{}"})
    case = load_case(d)
    assert len(case["people"]) == 2 and len(case["transactions"]) == 2
    assert case.report.files["transactions"] == "交易流水.csv"
    assert set(case.report.ignored) == {"README.md", "truth.csv", "~$人员.xlsx", "columns.json"}
    assert table_for_stem("通话记录") == "contacts" and table_for_stem("Transactions") == "transactions"


def test_unknown_and_duplicate_tables(tmp_path):
    d = folder(tmp_path, {"people.csv": PEOPLE_CSV, "bribes.csv": "a\n1\n"})
    with pytest.raises(CaseError) as ei:
        load_case(d)
    p = ei.value.first
    assert (p.code, p.file) == ("unknown_table", "bribes.csv")
    case = load_case(d, lenient=True)
    assert [(p.code, p.file, p.action) for p in case.report.problems] == [("unknown_table", "bribes.csv", "skipped")]
    pd.DataFrame({"id": ["p9"], "name": ["x"]}).to_excel(d / "people.xlsx", index=False)
    (d / "bribes.csv").unlink()
    with pytest.raises(CaseError) as ei:
        load_case(d, lenient=True)
    p = ei.value.first
    assert p.code == "duplicate_table" and {p.file} | {"people.csv"} == {"people.csv", "people.xlsx"}
    assert "people.csv" in p.expected
    with pytest.raises(CaseError) as ei:
        load_case(tmp_path / "nowhere")
    assert ei.value.first.code == "missing_folder"


# -- CSV structure -------------------------------------------------------------------------------
def test_row_numbers_blank_lines_quotes_and_ragged_rows(tmp_path):
    people = 'id,name,memo_extra\np1,张三,"two\nlines"\n\np2,李四,"a, b"\n\n'
    d = folder(tmp_path, {"people.csv": people,
                          "transactions.csv": "src,dst,amount,date\np1,p2,5,bad\n"})
    with pytest.raises(CaseError) as ei:
        load_case(d)
    p = ei.value.first
    assert (p.file, p.row, p.column, p.code) == ("transactions.csv", 2, "date", "bad_date")
    write(d / "transactions.csv", "src,dst,amount,date\np1,p2,5,2020-01-01\n")
    case = load_case(d)
    assert case["people"]["_row"].tolist() == [2, 4]  # the blank line is row 3
    assert case["people"]["memo_extra"].tolist() == ["two\nlines", "a, b"]
    # too many or too few cells: named by row
    write(d / "people.csv", "id,name\np1,张三\np2,李四,1,200\np3\np4,赵六\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    assert [(p.code, p.file, p.row) for p in ei.value.problems if p.table == "people"] == [
        ("bad_row", "people.csv", 3), ("bad_row", "people.csv", 4)]
    assert "<4 cells>" in ei.value.problems[0].value
    case = load_case(d, lenient=True)
    assert case["people"][["id", "_row"]].values.tolist() == [["p1", 2], ["p4", 5]]
    assert case.report.rows_read["people"] == 4 and case.report.rows_kept["people"] == 2


def test_csv_times_with_utc_offsets(tmp_path):
    # the CSV path (Arrow reads the column as text): the same rule as for frames
    tx = "src,dst,amount,date\np1,p2,5,2020-01-01T09:00:00+08:00\np2,p1,6,2020-01-01 10:00+08:00\n"
    d = folder(tmp_path, {"people.csv": "id,name\np1,张三\np2,李四\n", "transactions.csv": tx})
    case = load_case(d)
    assert case["transactions"]["date"].astype(str).tolist() == ["2020-01-01 09:00:00", "2020-01-01 10:00:00"]
    assert any("transactions.csv: column 'date' of transactions: 2 time(s)" in n for n in case.report.notes)
    write(d / "transactions.csv", tx + "p1,p2,7,2020-01-01T02:00:00Z\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    p = ei.value.first
    assert (p.file, p.row, p.column, p.code) == ("transactions.csv", 4, "date", "mixed_utc_offsets")


def test_a_date_column_and_a_time_column_are_read_together(tmp_path):
    # bank statements and call records often split the time: 交易日期 20190305, 交易时间 143005
    tx = "付款方,收款方,金额,交易日期,交易时间\np1,p2,5,20190305,143005\np2,p1,6,2019-03-06,09:05\n"
    ct = "主叫,被叫,类型,通话日期,通话时间\np1,p2,通话,2019/3/5,下午2:30\n"
    d = folder(tmp_path, {"people.csv": "id,name\np1,张三\np2,李四\n", "transactions.csv": tx, "contacts.csv": ct})
    case = load_case(d)
    assert case["transactions"]["date"].astype(str).tolist() == ["2019-03-05 14:30:05", "2019-03-06 09:05:00"]
    assert case["contacts"]["time"].astype(str).tolist() == ["2019-03-05 14:30:00"]
    assert "transactions.csv: transactions: the dates of header '交易日期' and the times of day of header " \
           "'交易时间' are read together as column 'date'" in case.report.notes
    # a bad time is a bad date on its row, not a failed file
    write(d / "transactions.csv", tx + "p1,p2,7,2019-03-07,25:00\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    p = ei.value.first
    assert (p.code, p.file, p.row, p.column, p.value) == ("bad_date", "transactions.csv", 4, "date", "'2019-03-07 25:00'")
    # two columns of full dates are not a date and a time: the conflict stands
    write(d / "transactions.csv", "付款方,收款方,金额,交易日期,交易时间\np1,p2,5,2019-03-05,2019-03-05 14:30\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    assert ei.value.first.code == "conflicting_headers"


def test_header_aliases_conflicts_and_columns_mapping(tmp_path):
    d = folder(tmp_path, {"people.csv": "编号,姓名,Name\np1,张三,x\n"})
    with pytest.raises(CaseError) as ei:
        load_case(d)
    p = ei.value.first
    assert (p.code, p.file, p.row, p.column) == ("conflicting_headers", "people.csv", 1, "name")
    assert "'姓名'" in p.value and "'Name'" in p.value
    mapping = {"people": {"Name": "english_name"}}
    case = load_case(d, columns=mapping)
    assert case["people"]["english_name"].tolist() == ["x"]
    (tmp_path / "m.json").write_text(json.dumps(mapping, ensure_ascii=False), encoding="utf-8")
    assert load_case(d, columns=tmp_path / "m.json")["people"]["name"].tolist() == ["张三"]
    with pytest.raises(ParameterError):
        load_case(d, columns={"bribes": {"a": "b"}})
    write(d / "people.csv", "Payer,Full name\np1,张三\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    assert {p.column for p in ei.value.problems} == {"id", "name"}
    assert all(p.code == "missing_column" and p.row == 1 for p in ei.value.problems)
    assert "'Payer'" in ei.value.problems[0].expected
    case = load_case(d, columns={"people": {"Payer": "id", "full_name": "name"}})
    assert case["people"]["id"].tolist() == ["p1"]
    # a file without a header row: its first record is never quoted as "headers found"
    write(d / "people.csv", "p1,张三,11010119900101123X,13800138000\n")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    text = str(ei.value)
    assert "none of them a known header" in text
    assert "张三" not in text and "11010119900101123X" not in text and "13800138000" not in text


# -- Excel and Parquet ---------------------------------------------------------------------------
def test_xlsx_title_rows_date_and_number_cells(tmp_path):
    d = tmp_path / "case"
    d.mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "人员"
    ws["A1"] = "清河县涉案人员名单"
    ws.append([])
    ws.append(["编号", "姓名", "出生日期", "身份证号", "手机号"])  # row 3
    ws.append(["p1", "张三", datetime(1970, 1, 2), "110101197001021234", 13800138000])
    ws.append([None, None, None, None, None])  # row 5, blank
    ws.append([2, "李四", "1980年2月3日", 1.10101198002031e17, None])  # row 6: id typed as a number
    wb.save(d / "people.xlsx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["付款方", "收款方", "交易金额", "交易日期"])
    ws.append(["p1", "2", 1200, datetime(2019, 3, 5, 14, 30)])
    ws.append(["p1", "2", "3万", "2019/3/6"])
    ws.append(["p1", "2", "x", datetime(2019, 3, 7)])
    wb.save(d / "交易流水.xlsx")
    with pytest.raises(CaseError) as ei:
        load_case(d)
    got = {(p.file, p.row, p.column, p.code) for p in ei.value.problems}
    assert got == {("people.xlsx", 6, "id_number", "lossy_number"), ("交易流水.xlsx", 4, "amount", "bad_amount")}
    lossy = next(p for p in ei.value.problems if p.code == "lossy_number")
    assert "110101" not in str(lossy) and "15 significant digits" in lossy.expected
    case = load_case(d, lenient=True)
    p = case["people"]
    assert p["id"].tolist() == ["p1", "2"] and p["_row"].tolist() == [4, 6]
    assert p["birth_date"].tolist() == [pd.Timestamp("1970-01-02"), pd.Timestamp("1980-02-03")]
    assert p["phone"][0] == "13800138000" and pd.isna(p["id_number"][1])
    tx = case["transactions"]
    assert tx["amount"].tolist() == [1200.0, 30000.0]
    assert tx["date"].tolist() == [pd.Timestamp("2019-03-05 14:30"), pd.Timestamp("2019-03-06")]
    assert case.report.encodings == {"people.xlsx": "xlsx", "交易流水.xlsx": "xlsx"}


def test_parquet_tables(tmp_path):
    d = tmp_path / "case"
    d.mkdir()
    pd.DataFrame({"id": ["p1", "p2"], "name": ["张三", "李四"], "score": [1.5, 2.5]}).to_parquet(d / "people.parquet")
    pd.DataFrame({"src": ["p1"], "dst": ["p2"], "amount": [100.0],
                  "date": pd.to_datetime(["2020-01-01 10:00"])}).to_parquet(d / "transactions.parquet")
    pd.DataFrame({"src": ["p1"], "dst": ["p2"], "kind": ["call"], "time": ["2020-01-02"],
                  "count": [3]}).to_parquet(d / "contacts.parquet")
    case = load_case(d)
    assert case["people"]["score"].tolist() == [1.5, 2.5]  # extra columns keep their type
    assert case["transactions"]["date"][0] == pd.Timestamp("2020-01-01 10:00")
    assert case["contacts"]["count"].tolist() == [3]
    assert case["people"]["_row"].tolist() == [2, 3]
    assert case.report.encodings["people.parquet"] == "parquet"


# -- Neo4j import and generic node/edge tables ---------------------------------------------------
def test_neo4j_import_files(tmp_path):
    nodes = tmp_path / "nodes.csv"
    write(nodes, "personId:ID(Person),name:string,:LABEL,age:int,born:date\n"
                 "p1,张三,Person;Official,50,1970-01-02\np2,李四,Person,40,\nc1,清河建筑,Company,,\n"
                 "g1,龙帮,Gang,,\nv1,东村,Village,,\n")
    edges = tmp_path / "edges.csv"
    write(edges, ":START_ID(Person),:END_ID,:TYPE,amount:float,date,kind\n"
                 "c1,p1,PAID,5000,2019-03-05,\np1,p2,KNOWS,,,\np1,p2,TIE,,,spouse\np2,g1,MEMBER_OF,,,\n"
                 "p2,v1,LOCATED_IN,,,\np1,c1,OWNS,,,\np1,p2,CALLED,,2019-03-04 22:00,\n")
    case = load_neo4j_import(nodes, edges)
    assert len(case["people"]) == 2 and len(case["companies"]) == 1 and len(case["gangs"]) == 1
    assert case["people"]["age"].tolist() == [50, 40]
    assert case["people"]["birth_date"].isna().all() and case["people"]["born"][0] == "1970-01-02"
    assert case["people"]["village_id"].tolist()[1] == "v1"
    tx = case["transactions"]
    assert tx[["src", "dst", "amount"]].values.tolist() == [["c1", "p1", 5000.0]]
    assert tx["_file"][0] == "edges.csv" and tx["_row"][0] == 2
    assert case["ties"]["kind"].tolist() == ["knows", "spouse"]
    assert case["members"][["person_id", "gang_id"]].values.tolist() == [["p2", "g1"]]
    assert case["company_roles"]["role"].tolist() == ["owner"]
    assert case["contacts"]["kind"].tolist() == ["call"]
    # unknown labels and types are errors naming file and row, or skipped and listed
    write(edges, ":START_ID,:END_ID,:TYPE\np1,p2,BRIBED\n")
    write(nodes, ":ID,name,:LABEL\np1,a,Person\np2,b,Martian\n")
    with pytest.raises(CaseError) as ei:
        load_neo4j_import(nodes, edges)
    got = {(p.code, p.file, p.row) for p in ei.value.problems}
    assert ("unknown_label", "nodes.csv", 3) in got and ("unknown_type", "edges.csv", 2) in got
    case = load_neo4j_import(nodes, edges, lenient=True,
                             mapping={"labels": {"Martian": "people"}, "types": {"BRIBED": {"table": "ties",
                                                                                            "kind": "bribe"}}})
    assert len(case["people"]) == 2 and case["ties"]["kind"].tolist() == ["bribe"]
    assert case.report.problems == []
    with pytest.raises(CaseError) as ei:  # a table whose required columns the edges lack
        load_neo4j_import(nodes, edges, mapping={"labels": {"Martian": "people"}, "types": {"BRIBED": "transactions"}})
    assert {(p.code, p.column, p.file) for p in ei.value.problems} == {
        ("missing_column", "amount", "edges.csv"), ("missing_column", "date", "edges.csv")}
    # a ragged row skipped in lenient mode is listed, and the encoding read is recorded
    write(nodes, ":ID,name,:LABEL\np1,a,Person\np2,b,Person,extra\np3,c,Person\n")
    write(edges, ":START_ID,:END_ID,:TYPE\np1,p3,KNOWS\n")
    case = load_neo4j_import(nodes, edges, lenient=True)
    assert case["people"]["id"].tolist() == ["p1", "p3"]
    assert [(p.code, p.table, p.file, p.row, p.action) for p in case.report.problems] == [
        ("bad_row", "nodes", "nodes.csv", 3, "skipped")]
    assert set(case.report.encodings) == {"nodes.csv", "edges.csv"}


def test_attribute_edges_set_one_value_per_node():
    nodes = pd.DataFrame({":ID": ["p1", "p2", "v1", "v2"], "name": ["a", "b", "东村", "西村"],
                          ":LABEL": ["Person", "Person", "Village", "Village"]})
    edges = pd.DataFrame({":START_ID": ["p1", "p2", "p2"], ":END_ID": ["v1", "v1", "v2"],
                          ":TYPE": ["LOCATED_IN"] * 3})
    with pytest.raises(CaseError) as ei:
        load_neo4j_import(nodes, edges)
    assert [(p.code, p.column, p.row) for p in ei.value.problems] == [("conflicting_values", "village_id", 4)]
    case = load_neo4j_import(nodes, edges.iloc[:2])
    assert case["people"]["village_id"].tolist() == ["v1", "v1"]


def test_us_mafia_through_the_generic_path(datasets_dir):
    d = datasets_dir / "us_mafia_1960"
    case = load_graph_tables(
        d / "MafiaNodes.csv", d / "MafiaEdges.csv", id_column="NODE", default_label="Person",
        src_column="Source", dst_column="Target", default_type="ASSOCIATE", groups={"Family": "gangs"},
        columns={"people": {"NiceLabel": "name"}})
    assert len(case["people"]) == 680
    assert len(case["ties"]) == 2699
    assert len(case["gangs"]) == 24
    assert len(case["members"]) == 680
    assert set(case["ties"]["kind"]) == {"associate"}
    assert case["members"]["gang_id"].value_counts()["Genovese"] == 149
    # the raw data is reported on, not cleaned silently: no self-loops, no repeated pairs
    note = next(n for n in case.report.notes if n.startswith("MafiaEdges.csv"))
    assert "2699 edge(s); 0 self-loop(s) and 0 repeat(s)" in note
    t = case["ties"]
    assert not (t["src"] == t["dst"]).any()
    assert not pd.DataFrame({"a": t[["src", "dst"]].min(axis=1), "b": t[["src", "dst"]].max(axis=1)}).duplicated().any()
    assert case["people"]["LonX"].notna().all()  # extra columns kept
    assert case["ties"]["_row"].tolist()[:2] == [2, 3]


def test_generic_tables_report_self_loops_and_repeats():
    nodes = pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"]})
    edges = pd.DataFrame({"s": ["a", "a", "b", "a"], "t": ["b", "a", "a", "b"]})
    case = load_graph_tables(nodes, edges, id_column="id", default_label="Person", src_column="s",
                             dst_column="t", default_type="KNOWS")
    assert len(case["ties"]) == 4
    assert any("1 self-loop(s) and 2 repeat(s)" in n for n in case.report.notes)


def test_generic_tables_from_xlsx(tmp_path):
    # node and edge sheets are not contract tables: their header is the first non-blank row
    nodes, edges = tmp_path / "n.xlsx", tmp_path / "e.xlsx"
    pd.DataFrame({"id": ["a", "b"], "name": ["A", "B"]}).to_excel(nodes, index=False)
    pd.DataFrame({"s": ["a"], "t": ["b"]}).to_excel(edges, index=False)
    case = load_graph_tables(nodes, edges, id_column="id", default_label="Person", src_column="s",
                             dst_column="t", default_type="KNOWS")
    assert case["people"]["id"].tolist() == ["a", "b"]
    assert case["ties"][["src", "dst"]].values.tolist() == [["a", "b"]]


# -- FollowTheMoney ------------------------------------------------------------------------------
def test_ftm_donations(datasets_dir):
    path = datasets_dir / "german_party_donations_ftm" / "donations.ijson"
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_schema = pd.Series([e["schema"] for e in raw]).value_counts().to_dict()
    case = load_ftm(path)
    assert by_schema == {"Payment": 290, "Address": 89, "Company": 56, "Person": 22, "Organization": 17}
    assert len(case["transactions"]) == 290
    assert len(case["people"]) == 22
    assert len(case["companies"]) == 56 + 17
    tx = case["transactions"]
    payments = [e for e in raw if e["schema"] == "Payment"]
    assert tx["amount"].sum() == pytest.approx(sum(float(e["properties"]["amountEur"][0]) for e in payments))
    assert set(tx["id"]) == {e["id"] for e in payments}
    assert (tx["currency"] == "EUR").all()
    assert tx["date"].min() >= pd.Timestamp("2002-01-01")
    assert case["companies"]["ftm_schema"].value_counts().to_dict() == {"Company": 56, "Organization": 17}
    assert case["people"]["address"].notna().sum() == 22
    assert any("89 Address entities" in n for n in case.report.notes)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[3])
    row = tx[tx["id"] == first["id"]].iloc[0]
    assert (row["_file"], row["_row"]) == ("donations.ijson", 4)


def test_ftm_ownership_and_other_links():
    ents = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["A"], "birthDate": ["1970-01-02"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["C1"]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["C2"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"], "percentage": ["50"]}},
        {"id": "o2", "schema": "Ownership", "properties": {"owner": ["c1"], "asset": ["c2"], "percentage": ["100%"]}},
        {"id": "d1", "schema": "Directorship", "properties": {"director": ["p1"], "organization": ["c2"]}},
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"]}},
    ]
    case = load_ftm(ents)
    roles = case["company_roles"]
    assert roles[["person_id", "company_id", "role"]].values.tolist() == [["p1", "c1", "owner"], ["p1", "c2", "director"]]
    assert roles["share"].tolist()[0] == 0.5
    ties = case["ties"]
    assert ties[["src", "dst", "kind"]].values.tolist() == [["c1", "c2", "owns"]]
    assert ties["share"][0] == 1.0  # shares are numbers (fractions), also on ties
    assert case["people"]["birth_date"][0] == pd.Timestamp("1970-01-02")
    assert any("1 Sanction entity not read" in n for n in case.report.notes)
    with pytest.raises(CaseError) as ei:
        load_ftm([*ents, {"id": "x", "schema": "Payment", "properties": {"payer": ["p1"], "beneficiary": ["zz"],
                                                                           "amount": ["5"], "date": ["2020-01-01"]}}])
    assert ei.value.first.code == "dangling_reference" and ei.value.first.row == 8


# -- the documentation is generated from the code ------------------------------------------------
def test_data_contract_doc_is_up_to_date():
    from umbrella_graph.io.aliases import COLUMN_ALIASES, COMMON_ALIASES, TABLE_ALIASES
    from umbrella_graph.io.contract import COLUMN_DOCS, update_document
    from umbrella_graph.schema import TABLES

    doc = Path(__file__).resolve().parents[1] / "docs" / "data-contract.md"
    text = doc.read_text(encoding="utf-8")
    assert update_document(text) == text, "run: .venv/bin/python -m umbrella_graph.io.contract docs/data-contract.md"
    for t, spec in TABLES.items():
        for c in spec.columns:
            assert COLUMN_DOCS.get(f"{t}.{c.name}"), f"{t}.{c.name} is not documented"
            assert f"| {t} | {c.name} |" in text
    for t, aliases in COLUMN_ALIASES.items():
        assert set(aliases.values()) <= set(TABLES[t].column_names), t
    assert set(COMMON_ALIASES.values()) <= {c for s in TABLES.values() for c in s.column_names}
    assert set(TABLE_ALIASES.values()) <= set(TABLES)
    for code in ("missing_column", "conflicting_headers", "missing_value", "bad_date", "bad_amount",
                 "negative_amount", "bad_choice", "duplicate_id", "dangling_reference", "unknown_table",
                 "duplicate_table", "unreadable_file", "bad_row", "lossy_number", "reference_to_skipped"):
        assert f"`{code}`" in text


def test_bad_cell_after_the_sampled_first_mebibyte(tmp_path):
    # clean ISO dates and plain numbers are converted while reading; a bad cell past the
    # sample makes the reader fall back to text and report it like any other
    n = 40_000
    d = folder(tmp_path, {"people.csv": "id,name\np1,a\np2,b\n"})
    lines = ["src,dst,amount,date,memo"] + [f"p1,p2,{i}.5,2020-01-01 10:00,{'x' * 20}" for i in range(n)]
    lines[n - 5] = "p1,p2,7,2020-02-30 10:00,x"
    lines[n - 3] = "p1,p2,1,200,2020-01-01,x"  # an unquoted thousands separator: one cell too many
    (d / "transactions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (d / "transactions.csv").stat().st_size > 1 << 20
    with pytest.raises(CaseError) as ei:
        load_case(d)
    assert [(p.code, p.row, p.column) for p in ei.value.problems] == [
        ("bad_date", n - 4, "date"), ("bad_row", n - 2, None)]
    lines[n - 3] = "p1,p2,9,2020-01-01,x"
    lines[n - 5] = "p1,p2,7,2020-03-01 10:00,x"
    (d / "transactions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tx = load_case(d)["transactions"]
    assert len(tx) == n and tx["amount"].iloc[0] == 0.5 and tx["date"].iloc[-1] == pd.Timestamp("2020-01-01 10:00")


def test_loading_a_case_imports_no_scipy(sample_dir):
    """Loading reads and checks tables; scipy (1.3 s to import scipy.stats, most of loading a
    small case) is for the graph and the scorer. A rule of the domain layer that loading
    runs (domain.dated_contacts' Poisson tail) once pulled it in."""
    code = ("import sys, umbrella_graph as ug; ug.load_case(sys.argv[1]); "
            "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')))")
    out = subprocess.run([sys.executable, "-c", code, str(sample_dir)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
