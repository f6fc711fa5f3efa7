"""Durations from text cells, as call records write them: ``330``, ``330秒``,
``5分30秒``, ``1小时2分3秒``, ``00:05:30``, ``5m30s`` (see :func:`parse_durations`).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .amounts import parse_numbers
from .cells import MAX_PARSED_CHARS, arrow_strings, as_text

__all__ = ["parse_durations"]

_NUM = r"\d+(?:\.\d+)?"
#: hours, minutes and seconds with their units, in that order, each optional (RE2 syntax)
_UNITS_RE = (
    r"^(?:(?P<h>" + _NUM + r")\s*(?:小时|h|hr|hrs|hour|hours)\s*)?"
    r"(?:(?P<m>" + _NUM + r")\s*(?:分钟|分|m|min|mins|minute|minutes)\s*)?"
    r"(?:(?P<s>" + _NUM + r")\s*(?:秒钟|秒|s|sec|secs|second|seconds)\s*)?$"
)
#: a clock: ``h:mm:ss`` (hours unbounded, minutes and seconds below 60)
_CLOCK_RE = r"^(?P<h>\d+):(?P<m>[0-5]\d):(?P<s>[0-5]\d(?:\.\d+)?)$"


def _groups(arr: pa.Array, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, matched) of each string for a pattern with groups h, m, s."""
    found = pc.extract_regex(arr, pattern)
    matched = pc.fill_null(pc.is_valid(found), False).to_numpy(zero_copy_only=False)
    total = np.zeros(len(arr))
    for name, factor in (("h", 3600.0), ("m", 60.0), ("s", 1.0)):
        part = pc.struct_field(found, name)
        part = pc.if_else(pc.fill_null(pc.equal(part, ""), True), "0", part)
        total += pc.cast(part, pa.float64()).to_numpy(zero_copy_only=False) * factor
    return total, matched


def parse_durations(values: pd.Series, unit: float = 1.0) -> tuple[pd.Series, pd.Series]:
    """Parse a column of durations in seconds; return ``(seconds, bad)``.

    Accepted: plain numbers and numeric spreadsheet cells (in ``unit`` seconds: 60 for a
    header such as ``时长(分钟)``; a duration written with its own unit is never scaled);
    numbers with units, hours, minutes and seconds in that order
    (``330秒``, ``5分30秒``, ``5分钟``, ``1小时2分3秒``, ``5m30s``, ``90 sec``); and a clock
    ``h:mm:ss`` (``00:05:30``, or a spreadsheet's time cell); ``timedelta`` cells and
    columns give their seconds. ``5:30`` is bad: minutes and seconds, or hours and
    minutes? Full-width characters are read as ASCII.

    Examples
    --------
    >>> import pandas as pd
    >>> secs, bad = parse_durations(pd.Series(["330", "5分30秒", "00:05:30", "1h", "5:30", None]))
    >>> secs.tolist()[:4]
    [330.0, 330.0, 330.0, 3600.0]
    >>> bad.tolist()
    [False, False, False, False, True, False]
    >>> parse_durations(pd.Series(["2", "30秒"]), unit=60.0)[0].tolist()
    [120.0, 30.0]
    """
    if pd.api.types.is_timedelta64_dtype(values.dtype):
        return values.dt.total_seconds(), pd.Series(False, index=values.index)
    if pd.api.types.is_object_dtype(values.dtype):  # timedelta cells: their seconds
        is_td = values.map(lambda v: isinstance(v, timedelta)).astype(bool).to_numpy()
        if is_td.any():
            secs, bad = parse_durations(values.where(~is_td, None), unit)
            secs[is_td] = [v.total_seconds() for v in values[is_td]]
            return secs, bad
    secs, bad = parse_numbers(values)
    if unit != 1.0:
        secs = secs * unit  # plain numbers only: the cells with units are read below
    todo = np.flatnonzero(bad.to_numpy(dtype=bool))
    if not len(todo):
        return secs, bad
    text, _ = as_text(values.iloc[todo])
    arr = arrow_strings(text)
    short = pc.fill_null(pc.less_equal(pc.utf8_length(arr), MAX_PARSED_CHARS), False)
    arr = pc.if_else(short, arr, pa.scalar(None, pa.string()))
    arr = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))
    clock, on_clock = _groups(arr, _CLOCK_RE)
    units, on_units = _groups(pc.utf8_lower(arr), _UNITS_RE)
    on_units &= pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False).to_numpy(zero_copy_only=False)
    got = np.where(on_clock, clock, np.where(on_units, units, np.nan))
    out = secs.to_numpy(dtype=float, na_value=np.nan).copy()
    out[todo] = got
    ok = ~np.isnan(out)
    return pd.Series(out, index=values.index), pd.Series(bad.to_numpy(dtype=bool) & ~ok, index=values.index)
