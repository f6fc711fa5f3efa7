"""The CLI's tables and explanations as an analyst reads them in a terminal: names next to
ids, memos of transfers, no ``<NA>``/``NaT``/``NaN``."""

from __future__ import annotations

import re

import pandas as pd
from click.testing import CliRunner

from umbrella_graph.cli import main
from umbrella_graph.cli._app import display_frame

MISSING = re.compile(r"<NA>|\bNaT\b|\bNaN\b|\bnan\b|\bNone\b")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_tables_have_names_and_no_missing_markers(sample_dir):
    for cmd in (["score", "--top", "10"], ["tipoffs"], ["tipoffs", "--summary"], ["leads"],
                ["accountability", "--gang", "G01"]):
        res = run(cmd[0], str(sample_dir), *cmd[1:])
        assert res.exit_code == 0, (cmd, res.output)
        assert not MISSING.search(res.output), (cmd, MISSING.search(res.output))
    score = run("score", str(sample_dir), "--top", "3").stdout  # the "not scored" note goes to stderr
    assert "official" in score.splitlines()[0] and "刘建军" in score and "东坝刘家帮" in score


def test_explain_prints_names_and_memos(sample_dir):
    res = run("explain", str(sample_dir), "--official", "P0241", "--gang", "G03", "-k", "3", "--records", "20")
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.startswith("official 罗明 (P0241) x gang 夜色赌场团伙 (G03): score ")
    assert "罗明 (P0241) -> 蒋天明 (P0045)" in out
    assert 'memo "红包"' in out and "¥8,800" in out
    assert not MISSING.search(out)


def test_display_frame_blanks_missing_values():
    df = pd.DataFrame({
        "official_id": pd.Series(["o1", None], dtype="string"),
        "t": pd.to_datetime(["2020-01-02 08:30", None]),
        "x": [1234567.0, float("nan")],
        "n": pd.array([3, None], dtype="Int64"),
    })
    shown = display_frame(df, {"o1": "丙"})
    assert shown.to_dict("list") == {
        "official_id": ["o1", ""], "official": ["丙", ""], "t": ["2020-01-02 08:30", ""],
        "x": ["1,234,567", ""], "n": ["3", ""],
    }
