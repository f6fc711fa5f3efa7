"""Hostile and broken input (issue 16): one test per class of failure.

The property-based tests that keep these classes closed are in tests/test_hostile_properties.py.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from umbrella_graph.cli import main
from umbrella_graph.io.export import FORMULA_STARTS, neutralise_formulas, restore_formulas


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


# -- 4. formula injection in every CSV output -------------------------------------------
def _hostile_sample(sample_dir: Path, tmp: Path) -> Path:
    """The sample case with ids that start formulas (gang, official, lead)."""
    d = tmp / "case"
    shutil.copytree(sample_dir, d)
    for f in d.glob("*.csv"):
        text = f.read_text(encoding="utf-8")
        text = text.replace("G01", "=G01").replace("P0221", "+P0221").replace("L01", "@L01")
        f.write_text(text, encoding="utf-8")
    return d


def _formula_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        cells = [c for row in csv.reader(f) for c in row]
    bad = []
    for c in cells:
        try:
            float(c)
            continue  # a number (a negative contribution) is not a formula
        except ValueError:
            pass
        if c.lstrip(" ").startswith(FORMULA_STARTS):
            bad.append(c)
    return bad


def test_every_csv_output_neutralises_formulas(sample_dir, tmp_path):
    d = _hostile_sample(sample_dir, tmp_path)
    outs = {
        "score": ["score", str(d)],
        "tipoffs": ["tipoffs", str(d), "--min-score", "0"],
        "accountability": ["accountability", str(d), "--gang", "=G01", "--min-score", "0"],
        "leads": ["leads", str(d)],
        "disrupt": ["disrupt", str(d), "--gang", "=G01", "-k", "2"],
    }
    for name, args in outs.items():
        out = tmp_path / f"{name}.csv"
        res = _run(*args, "-o", str(out))
        assert res.exit_code == 0, (name, res.output)
        text = out.read_text(encoding="utf-8-sig")
        if name in ("score", "accountability", "leads"):
            assert "'=G01" in text or "'+P0221" in text or "'@L01" in text, name
        assert _formula_cells(out) == [], name
    # a scores file written this way is read back with the ids as they are in the case
    res = _run("report", str(d), "--scores", str(tmp_path / "score.csv"), "-o", str(tmp_path / "r.html"))
    assert res.exit_code == 0, res.output


def test_neutralise_and_restore_round_trip():
    import pandas as pd

    df = pd.DataFrame({"id": ["=1+1", "+86", "-x", "@a", "\tx", "\rx", " =x", "ok", None],
                       "n": [-1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]})
    out = neutralise_formulas(df)
    assert all(v is None or not str(v).lstrip().startswith(FORMULA_STARTS) for v in out["id"])
    assert out["n"].tolist() == df["n"].tolist()
    assert restore_formulas(out)["id"].tolist() == df["id"].tolist()


# -- 5. masked report and views leak no ID or phone number ---------------------------------
_PHONE = "13800005555"
_ID = "110101199001016666"
_DISGUISED = [f"sfz{_ID}", "138.0000.5555", "110101 19900101 6666", "１３８０００0５５５５",
              "138\u200b0000\u200b5555", "+86 138 0000 5555", "tel13800005555"]


def _digits(text: str) -> str:
    import unicodedata

    return "".join(str(unicodedata.decimal(ch)) for ch in text if unicodedata.decimal(ch, None) is not None)


def _pii_case():  # type: ignore[no-untyped-def]
    import pandas as pd

    from umbrella_graph import case_from_frames

    people = pd.DataFrame({"id": ["o1", _PHONE, "m2", f"sfz{_ID}"],
                           "name": ["甲", "乙", "丙", "丁"],
                           "id_number": [_ID, "", "", ""], "phone": [_PHONE, "", "", ""]})
    return case_from_frames(
        people=people,
        officials=pd.DataFrame({"person_id": ["o1"], "position": ["所长"], "unit": ["派出所"]}),
        gangs=pd.DataFrame({"id": ["g1"], "name": ["帮"]}),
        members=pd.DataFrame({"person_id": [_PHONE, "m2", f"sfz{_ID}"], "gang_id": ["g1"] * 3,
                              "role": ["leader", "member", "member"]}),
        transactions=pd.DataFrame({
            "id": [_PHONE, "t2", "t3"] + [f"t{i}" for i in range(4, 4 + len(_DISGUISED))],
            "src": [_PHONE, "m2", f"sfz{_ID}"] + [_PHONE] * len(_DISGUISED),
            "dst": ["o1"] * (3 + len(_DISGUISED)),
            "amount": [5000] * (3 + len(_DISGUISED)),
            "date": ["2020-01-01"] * (3 + len(_DISGUISED)),
            "memo": ["好处费", "x", "y"] + _DISGUISED}),
        contacts=pd.DataFrame({"src": [_PHONE, "m2"], "dst": ["o1", "o1"], "kind": ["call", "call"],
                               "time": ["2020-01-02 10:00", "2020-01-03 10:00"]}))


def _assert_no_pii(text: str, where: str) -> None:
    flat = _digits(text)
    for secret in (_PHONE, _ID, "1380000", "19900101"):
        assert secret not in flat, (where, secret)


def test_masked_report_and_views_leak_no_number(tmp_path):
    from umbrella_graph import build_graph
    from umbrella_graph.reporting import render_report
    from umbrella_graph.scoring import score_umbrellas
    from umbrella_graph.views import view_case, view_gang, view_pair

    graph = build_graph(_pii_case())
    scores = score_umbrellas(graph)
    page = render_report(graph, scores=scores, details=5)
    _assert_no_pii(page, "report")
    for name, html in (("case", view_case(graph)), ("gang", view_gang(graph, "g1")),
                       ("pair", view_pair(graph, "o1", "g1"))):
        _assert_no_pii(str(html), name)
    # unmasked on request: the numbers are there
    assert _PHONE in render_report(graph, scores=scores, details=5, mask_pii=False)


@pytest.mark.parametrize("text", _DISGUISED + [_PHONE, _ID, f"id {_ID[:17]}X end"])
def test_mask_text_catches_disguised_numbers(text):
    from umbrella_graph.errors import mask_value
    from umbrella_graph.reporting import mask_text

    _assert_no_pii(mask_text(text), text)
    assert mask_value("src", text).startswith("<masked")


# -- 12 (and 3): hostile files ---------------------------------------------------------------
def _people(d: Path) -> Path:
    d.mkdir(exist_ok=True)
    (d / "people.csv").write_text("id,name\np1,A\n", encoding="utf-8")
    return d


def _load_problems(d: Path):  # type: ignore[no-untyped-def]
    from umbrella_graph import CaseError, load_case

    with pytest.raises(CaseError) as info:
        load_case(d)
    return info.value.problems


def test_fifo_and_device_links_are_not_read(tmp_path):
    import os
    import threading

    d = _people(tmp_path / "case")
    os.mkfifo(d / "transactions.csv")
    os.symlink("/dev/zero", d / "contacts.csv")
    done: list[object] = []
    t = threading.Thread(target=lambda: done.append(_load_problems(d)), daemon=True)
    t.start()
    t.join(30)
    assert done, "the load hung on a FIFO or /dev/zero"
    probs = {p.file: p for p in done[0]}  # type: ignore[attr-defined]
    assert probs["transactions.csv"].code == "not_a_file" and "FIFO" in probs["transactions.csv"].expected
    assert probs["contacts.csv"].code == "link_outside_case"


def test_links_out_of_the_case_folder_are_not_followed(tmp_path):
    import os

    outside = tmp_path / "secret.csv"
    outside.write_text("src,dst,amount,date\np1,p1,1,2020-01-01\n", encoding="utf-8")
    d = _people(tmp_path / "case")
    os.symlink(outside, d / "transactions.csv")
    (p,) = _load_problems(d)
    assert (p.code, p.file, p.table) == ("link_outside_case", "transactions.csv", "transactions")
    # a link inside the folder is fine
    (d / "transactions.csv").unlink()
    (d / "data").mkdir()
    (d / "data" / "tx.csv").write_text("src,dst,amount,date\np1,p1,1,2020-01-01\n", encoding="utf-8")
    os.symlink(d / "data" / "tx.csv", d / "transactions.csv")
    from umbrella_graph import load_case

    case = load_case(d)
    assert len(case["transactions"]) == 1 and case.report.ignored["data"].startswith("a folder")


def test_dangling_link_and_folder_named_like_a_table(tmp_path):
    import os

    d = _people(tmp_path / "case")
    os.symlink(tmp_path / "gone.csv", d / "contacts.csv")
    (d / "transactions.csv").mkdir()
    probs = {p.file: p for p in _load_problems(d)}
    assert probs["contacts.csv"].code == "unreadable_file" and "does not exist" in probs["contacts.csv"].expected
    assert probs["transactions.csv"].code == "not_a_file" and "folder" in probs["transactions.csv"].expected
    from umbrella_graph import CaseError
    from umbrella_graph.io import read_table

    with pytest.raises(CaseError, match="folder"):
        read_table(d / "transactions.csv")


# -- 1, 3, 9, 13: broken CSV files ------------------------------------------------------------
def _case_error(tmp_path: Path, files: dict[str, bytes | str], **kw):  # type: ignore[no-untyped-def]
    from umbrella_graph import CaseError, load_case

    d = tmp_path / "case"
    d.mkdir(exist_ok=True)
    for name, data in files.items():
        (d / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    with pytest.raises(CaseError) as info:
        load_case(d, **kw)
    return info.value.problems


def test_open_quote_to_the_end_is_an_error(tmp_path):
    (p,) = _case_error(tmp_path, {"people.csv": 'id,name\np1,"A\np2,B\np3,C\n'})
    assert (p.code, p.file, p.row, p.column) == ("unclosed_quote", "people.csv", 2, "name")
    assert "p2" not in p.value and "A" not in p.value


def test_quote_swallowing_records_is_an_error(tmp_path):
    (p,) = _case_error(tmp_path, {"people.csv": 'id,name,note\np1,"A,x\np2,B,y\np3,C",z\np4,D,w\n'})
    assert (p.code, p.row, p.column) == ("quote_swallowed_rows", 2, "name")
    # a genuine multi-line cell is fine
    from umbrella_graph import load_case

    d = tmp_path / "ok"
    d.mkdir()
    (d / "people.csv").write_text('id,name,note\np1,A,"line one\nline two"\np2,B,x\n', encoding="utf-8")
    assert load_case(d)["people"]["note"].iat[0] == "line one\nline two"


def test_long_cell_in_a_ragged_file(tmp_path):
    big = "x" * (140 * 1024)
    (p,) = _case_error(tmp_path, {"people.csv": f'id,name\np1,"{big}"\np2,B,extra\n'})
    assert (p.code, p.row) == ("bad_row", 3)
    from umbrella_graph import load_case

    case = load_case(tmp_path / "case", lenient=True)
    assert len(case["people"]["name"].iat[0]) == len(big)
    assert [(q.row, q.action) for q in case.report.problems] == [(3, "skipped")]


def test_mixed_utf8_and_gbk_lines_are_refused(tmp_path):
    data = b"id,name\n" + "p1,张三\n".encode() + "p2,李四\n".encode("gbk")
    (p,) = _case_error(tmp_path, {"people.csv": data})
    assert (p.code, p.row) == ("mixed_encoding", 3) and "line(s) 2 are UTF-8" in p.expected
    # read as one encoding on request
    from umbrella_graph import load_case

    assert load_case(tmp_path / "case", encoding="gbk")["people"]["name"].iat[1] == "李四"


@pytest.mark.parametrize("data, code, words", [
    ("id,name\np1,张三\n".encode("utf-16-le"), "unreadable_file", "UTF-16"),
    ("id,name\np1,张三\n".encode("utf-16-be"), "unreadable_file", "UTF-16"),
    ("id,name\np1,张三\n".encode("utf-32-le"), "unreadable_file", "UTF-32"),
    ("id;name\np1;张三\n".encode(), "wrong_delimiter", "';'-separated"),
    ("id\tname\np1\t张三\n".encode(), "wrong_delimiter", "tab-separated"),
])
def test_encoding_and_delimiter_are_named(tmp_path, data, code, words):
    (p,) = _case_error(tmp_path, {"people.csv": data})
    assert p.code == code and words in p.expected and "header row missing" not in p.expected


def test_utf32_with_bom_loads(tmp_path):
    from umbrella_graph import load_case

    d = tmp_path / "c"
    d.mkdir()
    (d / "people.csv").write_bytes("id,name\np1,张三\n".encode("utf-32"))
    assert load_case(d)["people"]["name"].tolist() == ["张三"]


# -- 2, 3, 6: dates and numbers ------------------------------------------------------------
def _officials_frame():  # type: ignore[no-untyped-def]
    import datetime as dt

    import pandas as pd

    return pd.DataFrame({"person_id": ["p1", "p1"], "position": ["a", "b"],
                         "start_date": [dt.datetime(1600, 1, 1), dt.datetime(2019, 1, 1)],
                         "end_date": [dt.datetime(9999, 12, 31), None]})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_far_dates_do_not_wrap(tmp_path, fmt):
    from umbrella_graph import load_case

    d = tmp_path / "case"
    d.mkdir()
    (d / "people.csv").write_text("id,name\np1,A\n", encoding="utf-8")
    off = _officials_frame()
    if fmt == "csv":
        (d / "officials.csv").write_text(
            "person_id,position,start_date,end_date\np1,a,1600-01-01,9999-12-31\np1,b,2019-01-01,\n",
            encoding="utf-8")
    elif fmt == "xlsx":
        off.to_excel(d / "officials.xlsx", index=False)
    else:
        import datetime as dt

        import pyarrow as pa
        import pyarrow.parquet as pq

        tbl = pa.table({"person_id": ["p1", "p1"], "position": ["a", "b"],
                        "start_date": pa.array([dt.datetime(1600, 1, 1), dt.datetime(2019, 1, 1)],
                                               pa.timestamp("us")),
                        "end_date": pa.array([dt.datetime(9999, 12, 31), None], pa.timestamp("us"))})
        pq.write_table(tbl, d / "officials.parquet")
    case = load_case(d)
    o = case["officials"]
    assert o["end_date"].isna().tolist() == [True, True]  # open ends, not 1816
    assert o["start_date"].isna().tolist() == [True, False]  # unknown start, not 2184
    assert str(o["start_date"].iat[1].date()) == "2019-01-01"
    w = {(p.code, p.row, p.column, p.value) for p in case.report.warnings}
    assert w == {("open_start_date", 2, "start_date", "'1600-01-01'"),
                 ("open_end_date", 2, "end_date", "'9999-12-31'")}
    assert "warning: officials" in str(case.report)


def test_far_dates_elsewhere_are_errors_and_unicode_digits_read(tmp_path):
    probs = _case_error(tmp_path, {
        "people.csv": "id,name\np1,A\np2,B\n",
        "transactions.csv": "src,dst,amount,date\np1,p2,1,9999-12-31\np1,p2,1,２０１９-01-0１\n"
                            "p1,p2,1,1066-10-14\n"})
    assert [(p.code, p.row, p.column) for p in probs] == [
        ("date_out_of_range", 2, "date"), ("date_out_of_range", 4, "date")]


def test_huge_count_is_an_error_not_a_traceback(tmp_path):
    (p,) = _case_error(tmp_path, {
        "people.csv": "id,name\np1,A\np2,B\n",
        "contacts.csv": "src,dst,kind,time,count\np1,p2,call,2019-01-01,10000000000000000000\n"})
    assert (p.code, p.row, p.column) == ("bad_number", 2, "count")


def test_long_date_cell_is_parsed_in_linear_time(tmp_path):
    import time

    import pandas as pd

    from umbrella_graph.parsing.dates import _DATE_RE, parse_dates

    # a date, then a long run of spaces, then a character that makes the match fail: the
    # old pattern re-split the spaces between three adjacent quantifiers (1,200 spaces: 6 s)
    cells = ["2019-01-01" + " " * 4800 + "x", "1" + " 1" * 4800, "2019-01-01 " + "0" * 9600]
    t0 = time.perf_counter()
    parsed, bad = parse_dates(pd.Series([*cells, "2019-03-05"]))
    assert _DATE_RE.match(cells[0]) is None  # the pattern itself, without the length bound
    assert time.perf_counter() - t0 < 5  # generous: the old pattern took minutes here
    assert bad.tolist() == [True, True, True, False]


def test_huge_amounts_are_warned_and_the_report_does_not_overflow():
    import pandas as pd

    from umbrella_graph import build_graph, case_from_frames
    from umbrella_graph.reporting import render_report
    from umbrella_graph.scoring import score_umbrellas

    case = case_from_frames(
        people=pd.DataFrame({"id": ["o1", "m1"], "name": ["甲", "乙"]}),
        officials=pd.DataFrame({"person_id": ["o1"], "position": ["所长"]}),
        gangs=pd.DataFrame({"id": ["g1"], "name": ["帮"]}),
        members=pd.DataFrame({"person_id": ["m1"], "gang_id": ["g1"]}),
        transactions=pd.DataFrame({"src": ["m1", "m1"], "dst": ["o1", "o1"], "amount": ["1.7e308", "1.7e308"],
                                   "date": ["2020-01-01", "2020-01-02"]}))
    assert [(p.code, p.row) for p in case.report.warnings] == [("huge_amount", 2), ("huge_amount", 3)]
    assert case["transactions"]["amount"].tolist() == [1.7e308, 1.7e308]  # as written
    graph = build_graph(case)
    page = render_report(graph, scores=score_umbrellas(graph), details=1)
    assert "<!DOCTYPE html>" in page


# -- 8. forged provenance -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_input_provenance_columns_do_not_replace_the_source(tmp_path, fmt):
    import pandas as pd

    from umbrella_graph import load_case

    d = tmp_path / "case"
    d.mkdir()
    df = pd.DataFrame({"id": ["p1", "p2"], "name": ["A", "B"], "_file": ["fake.csv", "fake.csv"],
                       "_row": [99, 100]})
    if fmt == "csv":
        df.to_csv(d / "people.csv", index=False)
    elif fmt == "xlsx":
        df.to_excel(d / "people.xlsx", index=False)
    else:
        df.to_parquet(d / "people.parquet", index=False)
    case = load_case(d)
    p = case["people"]
    assert p["_file"].tolist() == [f"people.{fmt}"] * 2 and p["_row"].tolist() == [2, 3]
    assert p["input_file"].tolist() == ["fake.csv"] * 2
    assert sorted((w.code, w.column) for w in case.report.warnings) == [
        ("provenance_column", "_file"), ("provenance_column", "_row")]
    assert case.report.rows_read["people"] == 2


# -- 11. accepted without a word --------------------------------------------------------------
_BASE = {
    "people.csv": "id,name\np1,A\np2,B\np3,C\n",
    "officials.csv": "person_id,position,start_date,end_date\np1,所长,2019-01-01,2020-01-01\n",
    "gangs.csv": "id,name\ng1,G\n",
}


def _with(**files: str) -> dict[str, str]:
    return {**_BASE, **{k.replace("_csv", ".csv"): v for k, v in files.items()}}


@pytest.mark.parametrize("files, code, row, column", [
    (_with(contacts_csv="src,dst,kind,time,count\np1,p2,call,2019-01-01,-3\n"), "negative_number", 2, "count"),
    (_with(contacts_csv="src,dst,kind,time,duration_s\np1,p2,call,2019-01-01,-60\n"), "negative_number", 2,
     "duration_s"),
    (_with(companies_csv="id,name\nc1,X\n", company_roles_csv="person_id,company_id,share\np2,c1,200%\n"),
     "bad_share", 2, "share"),
    (_with(companies_csv="id,name\nc1,X\n", company_roles_csv="person_id,company_id,share\np2,c1,-0.5\n"),
     "bad_share", 2, "share"),
    (_with(officials_csv="person_id,position,start_date,end_date\np1,所长,2020-01-01,2019-01-01\n"),
     "end_before_start", 2, "end_date"),
    (_with(members_csv="person_id,gang_id,start_date,end_date\np2,g1,2020-01-01,2019-01-01\n"),
     "end_before_start", 2, "end_date"),
    (_with(villages_csv="id,name,parent_id\nv1,V,v1\n"), "village_cycle", 2, "parent_id"),
    (_with(villages_csv="id,name,parent_id\nv1,V,v2\nv2,W,v3\nv3,X,v1\nv4,Y,v1\n"), "village_cycle", 2,
     "parent_id"),
    (_with(labels_csv="official_id,gang_id,label\np1,g1,1\np1,g1,0\n"), "contradicting_labels", 2, "label"),
    (_with(labels_csv="official_id,gang_id,label\np2,g1,1\n"), "label_not_official", 2, "official_id"),
])
def test_impossible_facts_are_errors(tmp_path, files, code, row, column):
    probs = _case_error(tmp_path, files)
    assert (probs[0].code, probs[0].row, probs[0].column) == (code, row, column)
    assert {p.code for p in probs} == {code}
    # lenient: listed, and the row skipped or the cell left empty; every row accounted for
    from umbrella_graph import load_case

    case = load_case(tmp_path / "case", lenient=True)
    assert {p.code for p in case.report.problems} == {code}
    for t, n in case.report.rows_read.items():
        skipped = {p.row for p in case.report.problems if p.table == t and p.action == "skipped"}
        assert case.report.rows_kept[t] + len(skipped) == n


def test_village_cycle_names_every_village_in_it(tmp_path):
    probs = _case_error(tmp_path, _with(villages_csv="id,name,parent_id\nv1,V,v2\nv2,W,v3\nv3,X,v1\nv4,Y,v1\n"))
    assert [p.row for p in probs] == [2, 3, 4]  # v4 hangs below the cycle but is not in it


@pytest.mark.parametrize("ids, code", [
    (("p1", "P1"), "confusable_id"),
    (("p1", "ｐ1"), "confusable_id"),
    (("p1", "p\u200b1"), "confusable_id"),
])
def test_confusable_ids_are_warnings(tmp_path, ids, code):
    from umbrella_graph import load_case

    d = tmp_path / "case"
    d.mkdir()
    (d / "people.csv").write_text(f"id,name\n{ids[0]},A\n{ids[1]},B\n", encoding="utf-8")
    case = load_case(d)
    assert case["people"]["id"].tolist() == list(ids)  # loaded as written, two people
    codes = [(w.code, w.row) for w in case.report.warnings]
    assert (code, 3) in codes


def test_duplicate_memberships_are_warnings(tmp_path):
    from umbrella_graph import load_case

    d = tmp_path / "case"
    d.mkdir()
    for k, v in _with(members_csv="person_id,gang_id,role\np2,g1,member\np3,g1,core\np2,g1,core\n").items():
        (d / k).write_text(v, encoding="utf-8")
    case = load_case(d)
    assert len(case["members"]) == 3
    (w,) = case.report.warnings
    assert (w.code, w.row, w.column) == ("duplicate_membership", 4, "person_id") and "row 2" in w.expected


# -- 10. row order does not change scores ------------------------------------------------------
def _shuffled_copy(src: Path, dst: Path, seed: int) -> Path:
    import numpy as np
    import pandas as pd

    dst.mkdir()
    rng = np.random.default_rng(seed)
    for f in sorted(src.glob("*.csv")):
        if f.name.startswith("truth"):
            continue
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        df.sample(frac=1, random_state=int(rng.integers(2**31))).to_csv(dst / f.name, index=False)
    return dst


@pytest.mark.slow
def test_shuffled_rows_give_identical_scores(tmp_path):
    import pandas as pd

    from umbrella_graph import build_graph, load_case
    from umbrella_graph.scoring import score_umbrellas
    from umbrella_graph.synth import generate_city

    src = tmp_path / "city"
    generate_city(src, people=6000, seed=3)
    shuffled = _shuffled_copy(src, tmp_path / "shuffled", seed=11)
    a, b = (score_umbrellas(build_graph(load_case(d)), seed=0) for d in (src, shuffled))
    key = ["official_id", "gang_id"]
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    assert len(a) > 100
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_shuffled_rows_give_the_same_graph_and_algorithms(sample_dir, tmp_path):
    import numpy as np

    from umbrella_graph import algorithms, build_graph, load_case

    ga = build_graph(load_case(sample_dir))
    gb = build_graph(load_case(_shuffled_copy(sample_dir, tmp_path / "s", seed=5)))
    assert ga.nodes["id"].tolist() == gb.nodes["id"].tolist()
    cols = ["src", "dst", "kind", "table", "time", "strength"]
    assert ga.edges[cols].equals(gb.edges[cols])
    A, B = ga.adjacency(), gb.adjacency()
    assert (A != B).nnz == 0
    assert np.array_equal(algorithms.communities(A, seed=1), algorithms.communities(B, seed=1))
    assert np.array_equal(algorithms.betweenness(A, k=20, seed=1), algorithms.betweenness(B, k=20, seed=1))


def test_validate_prints_warnings(tmp_path):
    d = tmp_path / "case"
    d.mkdir()
    (d / "people.csv").write_text("id,name\np1,A\nP1,B\n", encoding="utf-8")
    (d / "officials.csv").write_text("person_id,position,end_date\np1,所长,9999-12-31\n", encoding="utf-8")
    res = _run("validate", str(d))
    assert res.exit_code == 0, res.output
    assert "2 warning(s)" in res.output and "open_end_date" in res.output and "confusable_id" in res.output
