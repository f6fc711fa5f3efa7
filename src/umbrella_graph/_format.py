"""Display text for cells, times, amounts and record sources (views, report, evidence)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["cell_text", "fmt_time", "fmt_amount", "source"]


def cell_text(v: Any) -> str:
    """A cell as display text ('' for missing).

    >>> cell_text(None), cell_text(float("nan")), cell_text(3)
    ('', '', '3')
    """
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, float) and math.isnan(v):
        return ""
    return str(v)


def fmt_time(t: Any) -> str:
    """A date, with hours and minutes when it has them ('' for missing).

    >>> fmt_time("2020-01-02"), fmt_time(pd.Timestamp("2020-01-02 08:30")), fmt_time(None)
    ('2020-01-02', '2020-01-02 08:30', '')
    """
    if t is None or t is pd.NaT or (not isinstance(t, str) and pd.isna(t)):
        return ""
    try:
        ts = pd.Timestamp(t)
    except (ValueError, TypeError):
        return str(t)
    return ts.strftime("%Y-%m-%d %H:%M") if (ts.hour or ts.minute) else ts.strftime("%Y-%m-%d")


def fmt_amount(a: Any) -> str:
    """An amount with thousands separators, cents only when there are any ('' for missing).

    >>> fmt_amount(20000.0), fmt_amount(1200.5), fmt_amount(float("nan"))
    ('20,000', '1,200.50', '')
    >>> fmt_amount(1.7e308 * 2), fmt_amount(-float("inf"))
    ('∞', '-∞')
    """
    if a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a)):
        return ""
    try:
        f = float(a)
    except (TypeError, ValueError):
        return str(a)
    if math.isnan(f):
        return ""
    if math.isinf(f):  # a sum of huge amounts (1.7e308 + 1.7e308) overflows float64
        return "∞" if f > 0 else "-∞"
    return f"{f:,.0f}" if f == round(f) else f"{f:,.2f}"


def source(file: Any, row: Any) -> str:
    """Where a record comes from, as ``file:row`` (the file's name only).

    >>> source("/data/case/transactions.csv", 12), source("<DataFrame people>", 3)
    ('transactions.csv:12', '<DataFrame people>:3')
    """
    f = cell_text(file)
    name = f if f.startswith("<") else Path(f).name
    r = cell_text(row)
    return f"{name}:{r}" if r else name
