"""Read a case folder: one file per table, file stem = table name."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..case import Case, LoadReport
from ..errors import CaseError, Problem
from ..schema import TABLES
from ..validate import case_from_frames

__all__ = ["load_case", "read_table"]

_SUFFIXES = (".csv", ".xlsx", ".parquet")


def read_table(path: str | Path, *, encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read one table file as strings; return ``(frame, encoding_used)``."""
    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path), "parquet"
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=object), "xlsx"
    enc = encoding or "utf-8-sig"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=enc)
    return df, enc


def load_case(path: str | Path, *, encoding: str | None = None, lenient: bool = False) -> Case:
    """Load and validate the case folder at ``path``."""
    root = Path(path)
    if not root.is_dir():
        raise CaseError([Problem("missing_folder", "", str(root), None, None, "<absent>",
                                 "a folder holding people.csv and the other case tables")])
    report = LoadReport()
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for f in sorted(root.iterdir()):
        if f.suffix in _SUFFIXES and f.stem in TABLES:
            df, enc = read_table(f, encoding=encoding)
            report.encodings[f.name] = enc
            frames[f.stem] = df
            files[f.stem] = f.name
    return case_from_frames(frames, files=files, lenient=lenient, report=report, name=root.name)
