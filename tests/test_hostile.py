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
