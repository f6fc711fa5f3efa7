"""``umbrella-graph validate`` and ``info``: exit codes, counts, the full error list."""

from __future__ import annotations

import json

from click.testing import CliRunner

from umbrella_graph.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_validate_sample_exits_0_with_counts(sample_dir):
    res = run("validate", str(sample_dir))
    assert res.exit_code == 0, res.output
    assert "OK: the case is loadable." in res.output
    assert "transactions" in res.output and "truth.csv" in res.output
    line = next(x for x in res.output.splitlines() if x.strip().startswith("people "))
    assert line.split() == ["people", "people.csv", "utf-8", "472", "472"]


def test_validate_lists_every_problem_and_exits_2(tmp_path):
    d = tmp_path / "case"
    d.mkdir()
    (d / "people.csv").write_text("id,姓名,手机号\np1,欧阳娜娜,13800138000\np1,李四,\n", encoding="utf-8")
    (d / "transactions.csv").write_text("src,dst,amount,date\np1,p9,abc,2019-02-30\n", encoding="utf-8")
    res = run("validate", str(d))
    assert res.exit_code == 2
    err = res.stderr if hasattr(res, "stderr") else res.output
    assert "4 problem(s)" in err
    assert "people.csv, row 3, column 'id': duplicate_id" in err
    assert "transactions.csv, row 2, column 'dst': dangling_reference: got 'p9'" in err
    assert "transactions.csv, row 2, column 'amount': bad_amount: got 'abc'" in err
    assert "transactions.csv, row 2, column 'date': bad_date: got '2019-02-30'" in err
    assert "欧阳娜娜" not in res.output and "13800138000" not in res.output
    res = run("validate", "--lenient", str(d))
    assert res.exit_code == 0
    assert "skipped or cells repaired" in res.output and "(skipped)" in res.output
    assert "欧阳娜娜" not in res.output


def test_validate_encoding_and_columns_options(tmp_path):
    d = tmp_path / "case"
    d.mkdir()
    (d / "people.csv").write_bytes("Key,姓名\np1,张三\n".encode("gbk"))
    res = run("validate", str(d))
    assert res.exit_code == 2 and "missing_column" in res.output
    m = tmp_path / "m.json"
    m.write_text(json.dumps({"people": {"Key": "id"}}), encoding="utf-8")
    res = run("validate", "--columns", str(m), str(d))
    assert res.exit_code == 0, res.output
    assert "gbk" in res.output
    res = run("validate", "--columns", str(m), "--encoding", "utf-8", str(d))
    assert res.exit_code == 2 and "unreadable_file" in res.output
    res = run("validate", "--columns", str(m), "--encoding", "gb18030", str(d))
    assert res.exit_code == 0 and "gb18030" in res.output
    m.write_text("{not json", encoding="utf-8")
    res = run("validate", "--columns", str(m), str(d))
    assert res.exit_code == 1 and "could not be read as JSON" in res.output


def test_every_case_command_takes_the_loading_options(tmp_path, sample_dir):
    # a header mapping and lenient mode reach score, explain and the investigations too
    import shutil

    d = tmp_path / "case"
    shutil.copytree(sample_dir, d)
    people = (d / "people.csv").read_text(encoding="utf-8").splitlines()
    people[0] = people[0].replace("id,", "Key,", 1)
    people.append("P9999")  # a ragged row: skipped and listed in lenient mode
    (d / "people.csv").write_text("\n".join(people) + "\n", encoding="utf-8")
    m = tmp_path / "m.json"
    m.write_text(json.dumps({"people": {"Key": "id"}}), encoding="utf-8")
    assert run("score", str(d)).exit_code != 0
    for cmd in (["score"], ["tipoffs"], ["leads"], ["explain", "--official", "P0061", "--gang", "G01"]):
        res = run(*cmd, "--columns", str(m), "--lenient", str(d))
        assert res.exit_code == 0, (cmd, res.output)


def test_info(sample_dir):
    res = run("info", str(sample_dir))
    assert res.exit_code == 0, res.output
    assert "case: qinghe" in res.output
    assert "nodes by kind:" in res.output and "record edges by kind:" in res.output
    assert "officials: " in res.output and "gangs: 4" in res.output
    assert run("validate", "--help").exit_code == 0
    assert run("info", str(sample_dir / "nowhere")).exit_code == 2  # click: no such directory
