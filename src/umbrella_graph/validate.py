"""Validation: raw tables -> a typed :class:`~umbrella_graph.case.Case`.

Everything that turns cells into typed values lives here, vectorised (pyarrow compute
kernels, no Python loop per row on the common paths) so that a million-row table
validates in about a second:

* headers: mapped to canonical column names through the alias tables of
  :mod:`umbrella_graph.io.aliases` plus a user mapping (``columns=``);
* ids and strings: kept as strings, surrounding whitespace removed; numbers from
  spreadsheets written without a trailing ``.0``;
* dates: ISO 8601, ``2019/03/05``, ``2019.3.5``, ``2019年3月5日``, ``20190305``, with
  times where given (``14:30``, ``14:30:05``, ``14时30分``), and real date cells from
  spreadsheets. A UTC offset (``+08:00``, ``Z``) is dropped: times are kept as the
  wall-clock time written in the record;
* amounts: ``1,200.50``, ``¥3000``, ``RMB 3000``, ``3000元``, ``2.5万`` (x 10,000),
  ``1亿`` (x 100,000,000), and numeric spreadsheet cells;
* enums: the documented values, plus the spellings of the domain's ``enums`` vocabulary
  (simplified, traditional, full-width, abbreviated Chinese and English: ``骨干``,
  ``骨幹``, ``core member`` -> ``core``). Every cell not written as its canonical value is
  counted in a note of the load report (``case.report.notes``): file, column, the
  spelling as written, the value it was read as, how many rows and the first row.

All problems are collected (not just the first). In strict mode (the default) they
raise one :class:`~umbrella_graph.errors.CaseError`. In lenient mode bad rows are
skipped or bad optional cells blanked, and every one is listed in the
:class:`~umbrella_graph.case.LoadReport`; rows that pointed at a skipped record are
skipped (or their optional reference blanked) and listed too.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .case import Case, LoadReport, column_dtype
from .domain import ENUM_COLUMNS, enum_canonical, enum_spellings
from .errors import CaseError, Problem, mask_value, shown_headers
from .schema import NODE_TABLES, TABLES, Column, TableSpec

__all__ = [
    "case_from_frames",
    "parse_dates",
    "parse_amounts",
    "ENUM_ALIASES",
    "LABEL_ALIASES",
    "FATAL_CODES",
]

logger = logging.getLogger(__name__)

#: Accepted spellings of the enumerated columns, ``{table: {column: {spelling: value}}}``.
#: Derived from the ``enums`` vocabulary of :mod:`umbrella_graph.domain` (its one place;
#: edit ``domain/vocabulary.json``, not this). Cells are matched after
#: :func:`umbrella_graph.domain.normalise`, so traditional (``骨幹``, ``通話``) and
#: full-width forms are accepted too.
ENUM_ALIASES: dict[str, dict[str, Mapping[str, str]]] = {}
for _t, _c in ENUM_COLUMNS:
    ENUM_ALIASES.setdefault(_t, {})[_c] = enum_spellings(_t, _c)
del _t, _c

#: Accepted spellings of the ``labels.label`` column besides ``1`` and ``0``.
LABEL_ALIASES: dict[str, int] = {
    "是": 1, "保护伞": 1, "确认": 1, "yes": 1, "true": 1, "umbrella": 1, "confirmed": 1,
    "否": 0, "排除": 0, "澄清": 0, "no": 0, "false": 0, "cleared": 0,
}

#: Problems that stop a load even in lenient mode (they are about the shape of the
#: input, not about single rows).
FATAL_CODES = frozenset({
    "missing_folder", "missing_table", "missing_column", "conflicting_headers",
    "duplicate_table", "unreadable_file", "bad_mapping", "not_a_file", "link_outside_case",
})

_DATE_EXPECTED = "a date such as 2019-03-05, 2019/03/05 or 2019年3月5日"
_AMOUNT_EXPECTED = "an amount such as 1200, 1,200.50, ¥3000 or 2.5万"

# possessive quantifiers (``*+``): adjacent runs of spaces are never re-split on a failed
# match, so a cell of spaces costs linear time, not cubic
_DATE_RE = re.compile(
    r"^\s*+(\d{4})\s*+[-/.年]\s*+(\d{1,2})\s*+[-/.月]\s*+(\d{1,2})\s*+日?"
    r"(?:[\sT]*+(\d{1,2})\s*+[:时点]\s*+(\d{1,2})(?:\s*+[:分]\s*+(\d{1,2}(?:\.\d+)?))?\s*+[秒分]?)?"
    r"\s*+(?:Z|[+-]\d{2}:?\d{2})?\s*+$"
)
_COMPACT_DATE_RE = re.compile(r"^\s*+(\d{4})(\d{2})(\d{2})(?:\s*+(\d{2}):?(\d{2}):?(\d{2})?)?\s*+$")
_AMOUNT_STRIP_RE = re.compile(r"[,，\s¥￥$€£]|RMB|CNY|rmb|cny|人民币|元")
_AMOUNT_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(万|亿)?$")
_GROUPED_RE = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?(万|亿)?$"
_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


# --------------------------------------------------------------------------------------
# cells -> typed values
# --------------------------------------------------------------------------------------
def _arrow(s: pd.Series) -> pa.Array:
    """A string Series as one pyarrow string array (nulls for missing)."""
    ea = s.array
    if not isinstance(ea, pd.arrays.ArrowStringArray):
        ea = s.astype("string").array
    arr = ea._pa_array if hasattr(ea, "_pa_array") else pa.array(ea)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()
    if arr.type != pa.string():
        arr = arr.cast(pa.string())
    return arr


def _from_arrow_str(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=index).astype("string")


def _cell_text(v: Any) -> tuple[Any, bool]:
    """One spreadsheet/Python cell as text; second value True if the number lost digits."""
    if v is None or v is pd.NA or v is pd.NaT:
        return pd.NA, False
    if isinstance(v, str):
        v = v.strip()
        return (v if v else pd.NA), False
    if isinstance(v, bool | np.bool_):
        return str(bool(v)), False
    if isinstance(v, int | np.integer):
        return str(int(v)), False
    if isinstance(v, float | np.floating):
        f = float(v)
        if math.isnan(f):
            return pd.NA, False
        if f.is_integer():
            return str(int(f)), abs(f) >= 1e15
        return repr(f), False
    if isinstance(v, datetime | pd.Timestamp):
        return (v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat(sep=" ")), False
    if isinstance(v, date):
        return v.isoformat(), False
    return str(v).strip() or pd.NA, False


def as_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cells as stripped strings (``<NA>`` for blanks); return ``(text, lossy)``.

    ``lossy`` is True where a spreadsheet number held 16 or more digits (Excel keeps
    only 15 significant digits, so an ID number typed as a number has lost digits).

    Examples
    --------
    >>> import pandas as pd
    >>> text, lossy = as_text(pd.Series([" p1 ", 7.0, "", None, 1.1010119900101e17], dtype=object))
    >>> text.tolist()[:2], bool(text.isna()[2]), bool(text.isna()[3]), lossy.tolist()[4]
    (['p1', '7'], True, True, True)
    """
    idx = values.index
    dt = values.dtype
    no = pd.Series(False, index=idx)
    if isinstance(dt, pd.StringDtype) or (isinstance(dt, pd.ArrowDtype) and pa.types.is_string(dt.pyarrow_dtype)):
        orig = _arrow(values)
        arr = pc.utf8_trim_whitespace(orig)
        lengths = pc.binary_length(arr)
        if pc.sum(lengths).as_py() == pc.sum(pc.binary_length(orig)).as_py():
            arr = orig  # nothing was trimmed: keep the buffers as read (no copy held)
        empty = pc.equal(lengths, 0)  # compares lengths, not strings
        if pc.any(empty).as_py():
            arr = pc.if_else(empty, pa.scalar(None, pa.string()), arr)
        return _from_arrow_str(arr, idx), no
    if pd.api.types.is_bool_dtype(dt):
        return values.astype("string"), no
    if pd.api.types.is_integer_dtype(dt):
        return values.astype("string"), no
    if pd.api.types.is_float_dtype(dt):
        v = values.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(v)
        integral = finite & (np.floor(np.where(finite, v, 0)) == np.where(finite, v, 0))
        out = pd.Series(pd.NA, index=idx, dtype="string")
        if integral.any():
            out[integral] = pd.Series(v[integral].astype("int64"), dtype="string").to_numpy()
        other = finite & ~integral
        if other.any():
            out[other] = [repr(float(x)) for x in v[other]]
        return out, pd.Series(integral & (np.abs(np.where(finite, v, 0)) >= 1e15), index=idx)
    if pd.api.types.is_datetime64_any_dtype(dt):
        s = values.astype("string")
        return s, no
    pairs = [_cell_text(v) for v in values.tolist()]
    text = pd.Series([p[0] for p in pairs], index=idx, dtype="string")
    return text, pd.Series([p[1] for p in pairs], index=idx, dtype=bool)


def _blank(s: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    if isinstance(s.dtype, pd.StringDtype):
        return s.isna() | (s.str.strip().str.len() == 0)
    if pd.api.types.is_object_dtype(s.dtype):
        return s.map(lambda v: v is None or v is pd.NA or v is pd.NaT
                     or (isinstance(v, float) and math.isnan(v))
                     or (isinstance(v, str) and not v.strip())).astype(bool)
    return s.isna()


def _any(arr: pa.Array, pattern: str) -> bool:
    return bool(pc.any(pc.match_substring(arr, pattern)).as_py())


def _digits_int(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Strings of ASCII digits -> (int64 values, valid mask). Other Unicode digits
    (full-width ``２０１９``) are not valid here: the per-cell parser reads them."""
    ok = pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{1,9}$"), False)
    vals = pc.cast(pc.if_else(ok, arr, "0"), pa.int64())
    return vals.to_numpy(zero_copy_only=False), ok.to_numpy(zero_copy_only=False)


def _split3(arr: pa.Array, sep: str) -> tuple[pa.Array, pa.Array, pa.Array, np.ndarray]:
    """Split on ``sep`` into exactly three parts (missing parts are ``""``)."""
    n_parts = pc.list_value_length(pc.split_pattern(arr, sep)).to_numpy(zero_copy_only=False)
    padded = pc.binary_join_element_wise(arr, pa.scalar(sep + sep), "")
    sp = pc.split_pattern(padded, sep)
    return pc.list_element(sp, 0), pc.list_element(sp, 1), pc.list_element(sp, 2), n_parts


_DATE_REPLACE = (("年", "-"), ("月", "-"), ("日", " "), ("/", "-"), ("T", " "), ("时", ":"),
                 ("点", ":"), ("分", ":"), ("秒", ""))


def _dates_vectorised(arr: pa.Array) -> np.ndarray:
    """Parse non-null strings of the usual shapes; NaT where not understood."""
    n = len(arr)
    s = pc.utf8_trim_whitespace(arr)
    for old, new in _DATE_REPLACE:
        if _any(s, old):
            s = pc.replace_substring(s, old, new)
    sp = pc.split_pattern(pc.binary_join_element_wise(pc.utf8_trim_whitespace(s), "  ", ""), " ", max_splits=1)
    dpart = pc.list_element(sp, 0)
    tpart = pc.utf8_trim_whitespace(pc.list_element(sp, 1))
    # date part: 20190305 or Y-M-D (with - / . separators)
    if _any(dpart, "."):
        dpart = pc.replace_substring(dpart, ".", "-")
    dlen = pc.utf8_length(dpart).to_numpy(zero_copy_only=False)
    ys, ms, ds, nparts = _split3(dpart, "-")
    compact = (dlen == 8) & (nparts == 1)
    if compact.any():
        cm = pa.array(compact)
        ys = pc.if_else(cm, pc.utf8_slice_codeunits(dpart, 0, 4), ys)
        ms = pc.if_else(cm, pc.utf8_slice_codeunits(dpart, 4, 6), ms)
        ds = pc.if_else(cm, pc.utf8_slice_codeunits(dpart, 6, 8), ds)
    y, ok_y = _digits_int(ys)
    mo, ok_m = _digits_int(ms)
    d, ok_d = _digits_int(ds)
    ok = ok_y & ok_m & ok_d & ((nparts == 3) | compact) & (pc.utf8_length(ys).to_numpy(zero_copy_only=False) == 4)
    # time part: "", "14:30", "14:30:05.5", "143005", with an optional offset
    if _any(tpart, "Z") or _any(tpart, "+") or _any(tpart, "-"):
        tpart = pc.replace_substring_regex(tpart, r"\s*(Z|[+-]\d{2}:?\d{2})$", "")
    tpart = pc.utf8_rtrim(tpart, characters=":")
    tlen = pc.utf8_length(tpart).to_numpy(zero_copy_only=False)
    hs, mins, secs, tparts = _split3(tpart, ":")
    tcompact = ((tlen == 6) | (tlen == 4)) & (tparts == 1)
    if tcompact.any():
        cm = pa.array(tcompact)
        hs = pc.if_else(cm, pc.utf8_slice_codeunits(tpart, 0, 2), hs)
        mins = pc.if_else(cm, pc.utf8_slice_codeunits(tpart, 2, 4), mins)
        secs = pc.if_else(cm, pc.utf8_slice_codeunits(tpart, 4, 6), secs)
    notime = tlen == 0
    h, ok_h = _digits_int(pc.if_else(pa.array(notime), "0", hs))
    mi, ok_mi = _digits_int(pc.if_else(pc.equal(mins, ""), "0", mins))
    sec_txt = pc.if_else(pc.equal(secs, ""), "0", secs)
    sec_ok = pc.fill_null(pc.match_substring_regex(sec_txt, r"^\d{1,2}(\.\d+)?$"), False).to_numpy(zero_copy_only=False)
    sec = pc.cast(pc.if_else(pa.array(sec_ok), sec_txt, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    ok &= ok_h & ok_mi & sec_ok & (tparts <= 3) & (h < 24) & (mi < 60) & (sec < 60)
    ok &= ~pc.is_null(arr).to_numpy(zero_copy_only=False)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    ok &= (y >= 1) & (mo >= 1) & (mo <= 12) & (d >= 1)
    if ok.any():
        base = _ymd(y[ok], mo[ok], d[ok])
        offs = (h[ok] * 3600 + mi[ok] * 60) * 10**6 + np.round(sec[ok] * 1e6).astype(np.int64)
        out[ok] = base + offs.astype("timedelta64[us]")
    return out


def _ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Year, month, day -> ``datetime64[us]`` (NaT for a day past the end of its month),
    by calendar arithmetic on numpy's month and day units (exact for years 1-9999, so
    nothing wraps round)."""
    month = (y.astype(np.int64) - 1970) * 12 + (m.astype(np.int64) - 1)
    first = month.astype("datetime64[M]").astype("datetime64[D]")
    days_in = ((month + 1).astype("datetime64[M]").astype("datetime64[D]") - first).astype(np.int64)
    out = (first + (d.astype(np.int64) - 1).astype("timedelta64[D]")).astype("datetime64[us]")
    out[d > days_in] = np.datetime64("NaT")
    return out


#: The dates a ``datetime64[ns]`` column holds (pandas' default unit, used for every date
#: column of a case): 1677-09-22 to 2262-04-11.
DATE_MIN = np.datetime64("1677-09-22", "us")
DATE_MAX = np.datetime64("2262-04-11", "us")
#: Amounts from which a value is listed as a warning (one trillion yuan).
HUGE_AMOUNT = 1e12
#: Longest cell read as a date or an amount (longer cells are bad without being parsed,
#: so a hostile cell costs no more than a short one).
MAX_PARSED_CHARS = 64


def _to_ns(us: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``datetime64[us]`` -> (``datetime64[ns]``, before DATE_MIN, after DATE_MAX); dates
    out of range become NaT instead of wrapping round (``9999-12-31`` is not 1816)."""
    us = np.asarray(us)
    if us.dtype == np.dtype("datetime64[ns]"):  # already in range (nanoseconds kept)
        return us, np.zeros(len(us), dtype=bool), np.zeros(len(us), dtype=bool)
    us = us.astype("datetime64[us]")
    low = us < DATE_MIN
    high = us > DATE_MAX + np.timedelta64(1, "D")
    ns = np.full(len(us), np.datetime64("NaT"), dtype="datetime64[ns]")
    ok = ~(low | high)
    ns[ok] = us[ok].astype("datetime64[ns]")
    return ns, low, high


def _parse_one_date(text: object) -> np.datetime64:
    """One cell -> ``datetime64[us]`` (NaT if not a date). Any Unicode decimal digits
    (full-width ``２０１９``) are read as digits; cells over MAX_PARSED_CHARS are not dates."""
    nat = np.datetime64("NaT", "us")
    if not isinstance(text, str) or len(text) > MAX_PARSED_CHARS:
        return nat
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        return nat
    y, mo, d, h, mi, s = m.groups()
    try:
        sec = float(s) if s else 0.0
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec),
                      min(999999, int(round((sec - int(sec)) * 1e6))))
    except (ValueError, OverflowError):
        return nat
    return np.datetime64(dt, "us")


#: Date shapes tried with pyarrow's strptime (the formats found in a sample of the column
#: are applied to the whole column; everything else goes through the general parser).
_STRPTIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日%H时%M分%S秒",
)
_SAMPLE = 2000


def _sample(arr: pa.Array) -> pa.Array:
    """A deterministic sample of the non-null values (the first ones and every k-th)."""
    vals = arr.drop_null()
    if len(vals) <= _SAMPLE:
        return vals
    step = max(1, len(vals) // (_SAMPLE // 2))
    idx = np.concatenate([np.arange(_SAMPLE // 2), np.arange(0, len(vals), step)[: _SAMPLE // 2]])
    return vals.take(pa.array(idx))


def _cast_all(arr: pa.Array, to: pa.DataType) -> pa.Array | None:
    """``arr.cast(to)`` if every value converts (tried on a sample first: failures are slow)."""
    try:
        _sample(arr).cast(to)
        return arr.cast(to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _maybe_rolled_over(ts: pa.Array, seconds: bool) -> np.ndarray:
    """Where strptime may have rolled an impossible date or second over: check again.

    A day past the end of its month (``2019-02-30``, ``2019-04-31``) lands on day 1-3 of the
    next month, and only after a month shorter than 31 days: March 1-3 (February), or
    the 1st of May, July, October or December. Second 60 or 61 lands on second 0 or 1.
    """
    day = pc.day(ts).to_numpy(zero_copy_only=False)
    month = pc.month(ts).to_numpy(zero_copy_only=False)
    year = pc.year(ts).to_numpy(zero_copy_only=False)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    out = ((month == 3) & (day <= np.where(leap, 2, 3))) | (np.isin(month, (5, 7, 10, 12)) & (day == 1))
    if seconds:
        out |= pc.second(ts).to_numpy(zero_copy_only=False) <= 1
    return np.asarray(out, dtype=bool)


def _dates_from_text(text: pd.Series) -> pd.Series:
    """Stripped strings (``<NA>`` for blank) -> ``datetime64[ns]`` when a whole ISO column
    fits in it, else ``datetime64[us]`` (NaT where unparseable).

    ISO columns are cast in one go. Otherwise the strptime formats that parse a sample of
    the column are applied to it; strptime rolls impossible dates over (``2019-02-30`` ->
    March 2nd), so every result where a roll-over can land (see :func:`_maybe_rolled_over`)
    is checked again by the general parser, which also takes every value no format matched.
    """
    idx = text.index
    arr = _arrow(text)
    # nanoseconds where every value fits (ISO text keeps its precision), else microseconds
    cast = _cast_all(arr, pa.timestamp("ns"))
    if cast is None:
        cast = _cast_all(arr, pa.timestamp("us"))
    if cast is not None:
        v = cast.to_numpy(zero_copy_only=False)
        return pd.Series(v, index=idx, copy=not v.flags.writeable)  # copy only a read-only view
    n = len(arr)
    too_long = pc.fill_null(pc.greater(pc.utf8_length(arr), MAX_PARSED_CHARS), False)
    if pc.any(too_long).as_py():  # never a date: not parsed at all
        arr = pc.if_else(too_long, pa.scalar(None, pa.string()), arr)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    todo = np.flatnonzero(pc.is_valid(arr).to_numpy(zero_copy_only=False))
    check = np.zeros(n, dtype=bool)
    sample = _sample(arr)
    formats = [f for f in _STRPTIME_FORMATS
               if pc.any(pc.is_valid(pc.strptime(sample, format=f, unit="us", error_is_null=True))).as_py()]
    for fmt in formats:
        if not len(todo):
            break
        sub = arr if len(todo) == n else arr.take(pa.array(todo))
        p = pc.strptime(sub, format=fmt, unit="us", error_is_null=True)
        ok = pc.is_valid(p).to_numpy(zero_copy_only=False)
        if not ok.any():
            continue
        hit = todo[ok]
        got = p if ok.all() else p.filter(pa.array(ok))
        out[hit] = got.to_numpy(zero_copy_only=False)
        check[hit[_maybe_rolled_over(got, "%S" in fmt)]] = True
        todo = todo[~ok]
    rest = np.union1d(todo, np.flatnonzero(check))
    if len(rest):
        sub = arr.take(pa.array(rest))
        got = _dates_vectorised(sub)
        left = np.isnat(got)
        if left.any():
            vals = sub.filter(pa.array(left)).to_pylist()
            got[left] = np.array([_parse_one_date(v) for v in vals], dtype="datetime64[us]")
        out[rest] = got
    return pd.Series(out, index=idx, copy=False)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates; return ``(parsed, bad)``.

    ``parsed`` is ``datetime64[ns]`` (NaT where empty or unparseable); ``bad`` is True
    where a non-empty cell could not be parsed. Accepted: ISO 8601 (``2019-03-05``,
    ``2019-03-05T14:30:00``), ``2019/03/05``, ``2019/3/5 14:30``, ``2019.3.5``,
    ``2019年3月5日``, ``2019年3月5日 14时30分``, ``20190305``, ``20190305 143000``, and
    date cells from spreadsheets; full-width digits (``２０１９-01-01``) are digits.
    Impossible dates (``2019-02-30``) are bad, and so are dates a ``datetime64[ns]``
    column cannot hold (before :data:`DATE_MIN` or after :data:`DATE_MAX`: they are not
    wrapped round). :func:`~umbrella_graph.load_case` reads ``9999-12-31`` in an end
    date as an open end, with a warning (see docs/data-contract.md).

    Examples
    --------
    >>> import pandas as pd
    >>> parsed, bad = parse_dates(pd.Series(["2019-03-05", "2019/3/5 14:30", "2019年3月5日", "soon", "2019-02-30"]))
    >>> [str(d) for d in parsed[:3]]
    ['2019-03-05 00:00:00', '2019-03-05 14:30:00', '2019-03-05 00:00:00']
    >>> bad.tolist()
    [False, False, False, True, True]
    >>> parse_dates(pd.Series(["9999-12-31", "２０１９-01-01"]))[1].tolist()
    [True, False]
    """
    us, bad = _parse_dates_us(values)
    ns, low, high = _to_ns(us)
    return pd.Series(ns, index=values.index), pd.Series(bad | low | high, index=values.index)


def _cell_us(v: Any) -> np.datetime64:
    """A spreadsheet or Python date/time cell -> ``datetime64[us]`` (time zone dropped:
    the wall-clock time as written)."""
    if isinstance(v, pd.Timestamp):
        if v.tzinfo is not None:
            v = v.tz_localize(None)
        return v.to_datetime64().astype("datetime64[us]")
    if isinstance(v, datetime):
        return np.datetime64(v.replace(tzinfo=None), "us")
    return np.datetime64(v, "D").astype("datetime64[us]")


def _parse_dates_us(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column of dates -> (``datetime64[us]`` or ``[ns]`` array, bad mask); see
    :func:`parse_dates`.

    Microseconds hold every year from 1 to 9999, so nothing wraps round here; the range
    a case column holds is checked by the caller (:func:`_to_ns`). Nanoseconds are kept
    where the input has them (ns columns, ISO text that fits).
    """
    n = len(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        v = out.to_numpy()
        return (v if v.dtype == np.dtype("datetime64[ns]") else v.astype("datetime64[us]")), np.zeros(n, dtype=bool)
    if pd.api.types.is_object_dtype(values.dtype):
        is_dt = values.map(lambda v: isinstance(v, datetime | date | pd.Timestamp)).astype(bool).to_numpy()
        is_num = values.map(lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool)
                            and not (isinstance(v, float) and math.isnan(v))).astype(bool).to_numpy()
        text, _ = as_text(values.where(~is_dt & ~is_num, None))
        parsed = _dates_from_text(text).to_numpy().astype("datetime64[us]")
        if is_dt.any():
            parsed[is_dt] = np.array([_cell_us(v) for v in values[is_dt].tolist()], dtype="datetime64[us]")
        blank = _blank(values).to_numpy(dtype=bool)
        bad = (np.isnat(parsed) & ~blank) | is_num
        parsed[is_num] = np.datetime64("NaT")
        return parsed, bad
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return np.full(n, np.datetime64("NaT"), "datetime64[us]"), values.notna().to_numpy(dtype=bool)
    text, _ = as_text(values)
    parsed = _dates_from_text(text).to_numpy()
    return parsed, np.isnat(parsed) & text.notna().to_numpy(dtype=bool)


def _parse_one_amount(text: object) -> float:
    if not isinstance(text, str) or len(text) > MAX_PARSED_CHARS:
        return float("nan")
    t = text.strip()
    if "," in t or "，" in t:
        compact = re.sub(r"[\s¥￥$€£]|RMB|CNY|rmb|cny|人民币|元", "", t).replace("，", ",")
        if not re.match(_GROUPED_RE, compact):
            return float("nan")
    t = _AMOUNT_STRIP_RE.sub("", t)
    m = _AMOUNT_RE.match(t)
    if not m:
        return float("nan")
    mult = {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0)
    return float(m.group(1)) * mult


_AMOUNT_JUNK = (" ", "¥", "￥", "$", "€", "£", "RMB", "rmb", "CNY", "cny", "人民币", "元")


def _amounts_from_text(text: pd.Series) -> pd.Series:
    """Stripped strings -> float64 (NaN where blank or unparseable).

    Plain numbers are cast in one go. Otherwise the currency words, separators and
    multipliers found in a sample of the column are removed in pyarrow, and every value
    that is still not a plain number goes through the per-cell parser.
    """
    idx = text.index
    arr = _arrow(text)
    cast = _cast_all(arr, pa.float64())
    if cast is not None:
        v = cast.to_numpy(zero_copy_only=False)
        return pd.Series(np.where(np.isinf(v), np.nan, v), index=idx, copy=False)
    sample = [str(x) for x in _sample(arr).to_pylist()]
    s = arr
    for junk in _AMOUNT_JUNK:
        if any(junk in v for v in sample):
            s = pc.replace_substring(s, junk, "")
    mult = np.ones(len(s))
    for suffix, factor in (("万", 1e4), ("亿", 1e8)):
        if any(v.endswith(suffix) or v.endswith(suffix + "元") for v in sample):
            ends = pc.fill_null(pc.ends_with(s, suffix), False).to_numpy(zero_copy_only=False)
            mult[ends] = factor
            s = pc.if_else(pa.array(ends), pc.utf8_slice_codeunits(s, 0, -1), s)
    if any("，" in v for v in sample):
        s = pc.replace_substring(s, "，", ",")
    if any("," in v or "，" in v for v in sample):
        # thousands separators must come in groups of three; others fail and are re-read below
        good = pc.fill_null(pc.match_substring_regex(s, r"^[+-]?\d{1,3}(,\d{3})*(\.\d+)?$"), False)
        s = pc.if_else(good, pc.replace_substring(s, ",", ""), s)
    try:  # usually every cleaned cell is now a plain number: cast them in one go
        cast = pc.cast(s, pa.float64())
        ok = pc.is_valid(cast).to_numpy(zero_copy_only=False)
        vals = cast.to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.fill_null(pc.match_substring_regex(s, _NUMBER_RE), False).to_numpy(zero_copy_only=False)
        vals = pc.cast(pc.if_else(pa.array(ok), s, "0"), pa.float64()).to_numpy(zero_copy_only=False)
    out = np.where(ok, vals * mult, np.nan)
    rest = np.flatnonzero(~ok & pc.is_valid(arr).to_numpy(zero_copy_only=False))
    if len(rest):
        out[rest] = [_parse_one_amount(v) for v in arr.take(pa.array(rest)).to_pylist()]
    return pd.Series(np.where(np.isinf(out), np.nan, out), index=idx, copy=False)


def parse_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of money amounts; return ``(parsed, bad)``.

    Accepted: plain numbers and numeric spreadsheet cells, thousands separators in
    groups of three (``1,200.50``), currency signs and words (``¥``, ``￥``, ``$``,
    ``RMB``, ``CNY``, ``人民币``, ``元``), and the multipliers ``万`` (10,000) and ``亿``
    (100,000,000). ``1,2`` (not grouped by three) is bad: it might be a decimal comma.

    Examples
    --------
    >>> import pandas as pd
    >>> parsed, bad = parse_amounts(pd.Series(["1,200.50", "¥3000", "2.5万", "abc", None, "1,2"]))
    >>> parsed.tolist()[:3]
    [1200.5, 3000.0, 25000.0]
    >>> bad.tolist()
    [False, False, False, True, False, True]
    """
    numeric, is_num, text = _numeric_or_text(values)
    if numeric is not None:
        return numeric
    parsed = _amounts_from_text(text)
    if is_num.any():
        parsed[is_num] = values[is_num].astype("float64")
    return parsed, parsed.isna() & text.notna()


def _numeric_or_text(
    values: pd.Series,
) -> tuple[tuple[pd.Series, pd.Series] | None, pd.Series, pd.Series]:
    """Split a column for the number parsers: ``(done, is_num, text)``.

    A numeric column is finished at once (``done`` = ``(float64, bad)``, infinities bad);
    otherwise ``is_num`` marks spreadsheet cells that already hold numbers and ``text``
    holds the other cells as text to parse.
    """
    idx = values.index
    dt = values.dtype
    if pd.api.types.is_numeric_dtype(dt) and not pd.api.types.is_bool_dtype(dt):
        v = values.astype("float64")
        inf = np.isinf(v.to_numpy(dtype=float, na_value=np.nan))
        return (v.where(~inf), pd.Series(inf, index=idx)), pd.Series(False, index=idx), values
    if pd.api.types.is_object_dtype(dt):
        is_num = values.map(lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool)).astype(bool)
        text, _ = as_text(values.where(~is_num, None))
        return None, is_num, text
    text, _ = as_text(values)
    return None, pd.Series(False, index=idx), text


def _parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (``1,200`` and ``30%`` = 0.3 accepted); return ``(float64, bad)``."""
    idx = values.index
    numeric, is_num, text = _numeric_or_text(values)
    if numeric is not None:
        return numeric
    arr = _arrow(text)
    try:
        v = arr.cast(pa.float64()).to_numpy(zero_copy_only=False)
        out = pd.Series(np.where(np.isinf(v), np.nan, v), index=idx, copy=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pct = pc.fill_null(pc.ends_with(arr, "%"), False).to_numpy(zero_copy_only=False)
        core = pc.utf8_trim_whitespace(pc.replace_substring(pc.utf8_rtrim(arr, characters="%"), ",", ""))
        ok = pc.fill_null(pc.match_substring_regex(core, _NUMBER_RE), False).to_numpy(zero_copy_only=False)
        vals = pc.cast(pc.if_else(pa.array(ok), core, "0"), pa.float64()).to_numpy(zero_copy_only=False)
        out = pd.Series(np.where(ok, vals, np.nan) / np.where(pct, 100.0, 1.0), index=idx, copy=False)
    if is_num.any():
        out[is_num] = values[is_num].astype("float64")
    bad = out.isna() & text.notna()
    return out, bad


def _stable_ids(df: pd.DataFrame, cols: list[str], prefix: str) -> pd.Series:
    """Content-based ids, stable across reloads: the same record always gets the same id.

    ``prefix + sha1(fields joined by U+001F, then the occurrence number)[:16]``: the
    n-th identical record gets occurrence number n (0-based), so identical records
    are told apart. Fields are written per value, whatever the rest of the column
    holds: dates as ``2020-01-01 00:00:00.000000000``, amounts in their shortest
    decimal form (``5``, ``1200.5``), empty cells as ``""``.
    """
    parts = []
    for c in cols:
        if c not in df.columns:
            continue
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            arr = pa.array(col.astype("datetime64[ns]").to_numpy(), pa.timestamp("ns")).cast(pa.string())
        elif pd.api.types.is_float_dtype(col.dtype):
            arr = pa.array(col.to_numpy(dtype=float, na_value=np.nan), from_pandas=True).cast(pa.string())
        else:
            arr = _arrow(col)
        parts.append(_from_arrow_str(arr, df.index).fillna(""))
    key = parts[0]
    for p in parts[1:]:
        key = key + "\x1f" + p
    occ = key.groupby(key).cumcount().astype("string")
    key = key + "\x1f" + occ
    sha1 = hashlib.sha1
    ids = [prefix + sha1(k.encode("utf-8")).hexdigest()[:16] for k in key.tolist()]
    return pd.Series(ids, index=df.index, dtype="string")


# --------------------------------------------------------------------------------------
# problems
# --------------------------------------------------------------------------------------
@dataclass
class RawTable:
    """One table as read, before validation (what loaders hand to the validator).

    Attributes
    ----------
    frame : DataFrame
        Cells as read, raw headers. May carry ``_file``/``_row`` already.
    file : str
        The file (or ``<DataFrame name>``) for messages and provenance.
    header_row : int
        The spreadsheet row of the header (1 unless a spreadsheet had a title above).
    problems : list of Problem
        Problems the reader found (rows with too many cells, ...).
    encoding : str, optional
        The encoding the file was read with (``"xlsx"``, ``"parquet"`` for those).
    notes : list of str
        Facts about the file worth knowing (sheets not read, ...).
    """

    frame: pd.DataFrame
    file: str
    header_row: int = 1
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


class _Collector:
    """Collects problems and, per table, which rows to skip and which cells were repaired."""

    def __init__(self, lenient: bool) -> None:
        self.lenient = lenient
        self.problems: list[Problem] = []
        self.notes: list[str] = []  # facts about the input (values read through the vocabulary)

    def add(self, p: Problem) -> None:
        self.problems.append(p)

    def add_rows(
        self,
        df: pd.DataFrame,
        mask: pd.Series | np.ndarray,
        table: str,
        column: str | None,
        code: str,
        expected: str,
        values: pd.Series | None = None,
        *,
        action: str | None = None,
    ) -> None:
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        act = action if action is not None else ("skipped" if self.lenient else "error")
        files = df["_file"].to_numpy()[m]
        rows = df["_row"].to_numpy()[m]
        if column is not None:
            src = values if values is not None else df[column]
            vals = src.to_numpy(dtype=object)[m]
        else:
            vals = np.full(int(m.sum()), None, dtype=object)
        for file, row, v in zip(files, rows, vals, strict=True):
            if v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                v = None
            self.problems.append(
                Problem(code, table, str(file), int(row), column, mask_value(column, v), expected, act)
            )


def _with_provenance(df: pd.DataFrame, file: str) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    if "_file" not in df.columns:
        df["_file"] = pd.Series(pd.arrays.ArrowStringArray(pa.repeat(pa.scalar(file, pa.large_string()), len(df))),
                                copy=False)
    if "_row" not in df.columns:
        df["_row"] = np.arange(2, len(df) + 2, dtype="int64")
    df["_file"] = df["_file"].astype("string")
    df["_row"] = df["_row"].astype("int64")
    return df


def _apply_headers(
    tname: str,
    raw: RawTable,
    columns: Mapping[str, Mapping[str, str]] | None,
    out: _Collector,
    aliases: bool,
) -> tuple[pd.DataFrame | None, dict[str, float]]:
    """Rename headers to canonical names; report conflicts. None if the table is unusable."""
    from .io.aliases import resolve_headers

    df = raw.frame
    headers = [str(c) for c in df.columns]
    res = resolve_headers(tname, headers, columns, use_aliases=aliases)
    if res.conflicts:
        for target, hs in res.conflicts.items():
            shown = ", ".join(repr(h) for h in hs)
            out.add(Problem(
                "conflicting_headers", tname, raw.file, raw.header_row, target, shown,
                f"one column for '{target}', but these headers all map to it: {shown}; rename or "
                "delete one, or map it elsewhere with columns=/--columns", "error"))
        return None, {}
    df = df.copy(deep=False)
    df.columns = [res.rename[h] for h in headers]
    return df, res.scales


def _missing_column_problem(tname: str, raw: RawTable, col: str, found: list[str]) -> Problem:
    from .io.aliases import accepted_headers, resolve_headers

    acc = ", ".join(accepted_headers(tname, col)[:12])
    # a header known to any table: a file whose "headers" are all unknown most likely has
    # no header row, and its first record (names, ID numbers) must not be quoted
    known = {t: resolve_headers(t, found).rename for t in TABLES}
    shown = shown_headers(found, lambda h: any(known[t][h] in TABLES[t].column_names for t in TABLES))
    return Problem(
        "missing_column", tname, raw.file, raw.header_row, col, "<absent>",
        f"a column '{col}' (required in {tname}; accepted headers: {acc}; headers found: {shown}; "
        "or map one with columns=/--columns)", "error")


# --------------------------------------------------------------------------------------
# columns
# --------------------------------------------------------------------------------------
def _coerce_column(
    df: pd.DataFrame,
    spec: TableSpec,
    col: Column,
    out: _Collector,
    skip: np.ndarray,
    scale: float,
) -> None:
    """Type one column in place; flag bad cells (skip the row, or blank an optional cell)."""
    name = spec.name
    raw = df[col.name]
    lenient = out.lenient

    def flag(mask: pd.Series | np.ndarray, code: str, expected: str, values: pd.Series | None = None) -> np.ndarray:
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return m
        if col.required or not lenient:
            out.add_rows(df, m, name, col.name, code, expected, values if values is not None else raw)
            skip[:] |= m
        else:
            out.add_rows(df, m, name, col.name, code, expected + "; the cell was left empty",
                         values if values is not None else raw, action="repaired")
        return m

    if col.type in ("id", "ref", "str", "enum"):
        s, lossy = as_text(raw)
        blank = s.isna().to_numpy()
        if col.required:
            out.add_rows(df, blank, name, col.name, "missing_value", "a value (this column is required)")
            skip[:] |= blank
        bad_l = flag(lossy, "lossy_number",
                     "the cell stored as text: Excel keeps only 15 significant digits of a number, "
                     "so this value has lost digits")
        if col.type == "enum":
            s, b = _read_enum(df, spec, col, s, out, flag)
            s = s.mask(b)
        if bad_l.any() and not col.required:
            s = s.mask(bad_l)
        df[col.name] = s
    elif col.type in ("date", "datetime"):
        us, bad_cells = _parse_dates_us(raw)
        ns, low, high = _to_ns(us)
        # an end date past DATE_MAX (9999-12-31: "still in post") is an open end; a start
        # date before DATE_MIN (1600-01-01, 1900-style placeholders aside) an open start:
        # kept as NaT, which every analysis reads as open, and listed as a warning
        open_end = high & (col.name == "end_date")
        open_start = low & (col.name == "start_date")
        lo_txt, hi_txt = str(DATE_MIN.astype("datetime64[D]")), str(DATE_MAX.astype("datetime64[D]"))
        far = low | high
        written = raw
        if far.any() and not isinstance(raw.dtype, pd.StringDtype):  # date cells: shown as dates
            shown = np.full(len(us), None, dtype=object)
            u = us[far].astype("datetime64[us]")
            shown[far] = np.where(u.astype("datetime64[D]") == u, np.datetime_as_string(u, unit="D"),
                                  np.datetime_as_string(u, unit="s"))
            written = pd.Series(shown, index=df.index)
        out.add_rows(df, open_end, name, col.name, "open_end_date",
                     f"a date up to {hi_txt}; read as an open end (still in post / still a "
                     "member), as an empty end date is", written, action="warning")
        out.add_rows(df, open_start, name, col.name, "open_start_date",
                     f"a date from {lo_txt}; read as an unknown start, as an empty start date "
                     "is", written, action="warning")
        parsed = pd.Series(ns, index=df.index)
        expected = _DATE_EXPECTED + (" (a time may follow)" if col.type == "datetime" else "")
        if col.required:
            blank = (parsed.isna().to_numpy() & ~bad_cells & ~low & ~high)
            out.add_rows(df, blank, name, col.name, "missing_value", "a value (this column is required)")
            skip[:] |= blank
        flag(bad_cells, "bad_date", expected)
        flag((low | high) & ~open_end & ~open_start, "date_out_of_range",
             f"a date from {lo_txt} to {hi_txt} (the range a date column holds)", written)
        df[col.name] = parsed
    elif col.type == "amount":
        parsed, bad = parse_amounts(raw)
        if col.required:
            blank = (parsed.isna() & ~bad).to_numpy()
            out.add_rows(df, blank, name, col.name, "missing_value", "a value (this column is required)")
            skip[:] |= blank
        flag(bad, "bad_amount", _AMOUNT_EXPECTED)
        neg = (parsed < 0).fillna(False).to_numpy()
        flag(neg, "negative_amount",
             "a non-negative amount (record a refund as a payment in the other direction)")
        huge = (parsed * scale >= HUGE_AMOUNT).fillna(False).to_numpy()
        out.add_rows(df, huge, name, col.name, "huge_amount",
                     f"an amount under {HUGE_AMOUNT:,.0f}; loaded as written (an ID or card "
                     "number typed into the amount column? sums of such amounts may overflow)",
                     raw, action="warning")
        if scale != 1.0:
            parsed = parsed * scale
        df[col.name] = parsed.where(~neg)
    elif col.type in ("float", "int"):
        parsed, bad = _parse_numbers(raw)
        if col.required:
            blank = (parsed.isna() & ~bad).to_numpy()
            out.add_rows(df, blank, name, col.name, "missing_value", "a value (this column is required)")
            skip[:] |= blank
        if name == "labels" and col.name == "label":
            text, _ = as_text(raw)
            alias = text.str.lower().map(LABEL_ALIASES).astype("float64")
            parsed = parsed.where(parsed.notna(), alias)
            bad = parsed.isna() & text.notna()
            bad = bad | (parsed.notna() & ~parsed.isin([0.0, 1.0]))
            flag(bad, "bad_choice", "1 (confirmed umbrella) or 0 (cleared)")
        else:
            if col.type == "int":
                # a whole number that int64 (and float64, exactly) holds: 1e19 is not a count
                bad = bad | (parsed.notna() & ((parsed != np.floor(parsed.fillna(0)))
                                               | (parsed.abs() >= 2.0**53)))
            flag(bad, "bad_number", "a whole number below 2**53" if col.type == "int" else "a number")
        if scale != 1.0:
            parsed = parsed * scale
        parsed = parsed.where(~np.asarray(bad, dtype=bool))
        df[col.name] = parsed.astype(column_dtype(col.type))


def _enum_expected(spec: TableSpec, col: Column) -> str:
    """What a bad enum cell should have been: the values and some accepted spellings."""
    expected = "one of " + ", ".join(col.choices)
    if (spec.name, col.name) in ENUM_COLUMNS:
        words = enum_spellings(spec.name, col.name)
        by_value: dict[str, list[str]] = {}
        for w, canon in words.items():
            if w != canon and not w.isascii():
                by_value.setdefault(canon, []).append(w)
        shown = "; ".join(f"{canon}: " + "/".join(ws[:3]) for canon, ws in by_value.items())
        expected += (f" (or a Chinese spelling, simplified or traditional: {shown}; every accepted "
                     "spelling is listed in docs/data-contract.md)")
    return expected


def _read_enum(
    df: pd.DataFrame,
    spec: TableSpec,
    col: Column,
    s: pd.Series,
    out: _Collector,
    flag: Callable[..., np.ndarray],
) -> tuple[pd.Series, np.ndarray]:
    """Map an enum column's cells to canonical values; flag the unknown ones.

    Each distinct cell is looked up once (:func:`umbrella_graph.domain.enum_canonical`);
    every spelling read as another value is reported in a note (never silently).
    Returns the mapped column and the mask of bad cells.
    """
    arr = _arrow(s)
    uniq: list[str] = pc.unique(arr.drop_null()).to_pylist()
    choices = set(col.choices)
    if not set(uniq) <= choices:
        if (spec.name, col.name) in ENUM_COLUMNS:
            canon = enum_canonical(spec.name, col.name, uniq)
        else:  # an enum without a vocabulary: letter case only
            canon = [u.lower() if u.lower() in choices else None for u in uniq]
        keys = pa.array(uniq, pa.string())
        vals = pa.array([c if c is not None else u for u, c in zip(uniq, canon, strict=True)], pa.string())
        idx = pc.index_in(arr, value_set=keys)
        mapped = pc.take(vals, idx)
        # the spellings read as another value, with their counts and first rows
        changed = [i for i, (u, c) in enumerate(zip(uniq, canon, strict=True)) if c is not None and c != u]
        if changed:
            codes = idx.to_numpy(zero_copy_only=False)
            rows = df["_row"].to_numpy()
            parts = []
            for i in changed:
                hit = np.flatnonzero(codes == i)
                parts.append(f"{uniq[i]!r} -> {canon[i]} ({len(hit)} row(s), first row {int(rows[hit[0]])})")
            files = pd.unique(df["_file"].to_numpy())
            out.notes.append(f"{', '.join(map(str, files))}: column '{col.name}' of {spec.name}: values read "
                             "through the vocabulary: " + ", ".join(parts))
        s = _from_arrow_str(mapped, s.index)
    a = _arrow(s)
    bad = pc.and_(pc.is_valid(a), pc.invert(pc.is_in(a, value_set=pa.array(col.choices))))
    b = flag(bad.to_numpy(zero_copy_only=False), "bad_choice", _enum_expected(spec, col))
    return s, b


# --------------------------------------------------------------------------------------
# the validator
# --------------------------------------------------------------------------------------
_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _pmap(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``[func(x) for x in items]``, in threads when there is more than one item and core."""
    if len(items) < 2 or _WORKERS < 2:
        return [func(x) for x in items]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        return list(pool.map(func, items))


#: Tables whose records may lack an id: the columns their stable id is made of, and its prefix.
_CONTENT_IDS: dict[str, tuple[list[str], str]] = {
    "transactions": (["src", "dst", "amount", "date", "channel", "memo"], "tx-"),
    "contracts": (["issuer_id", "company_id", "amount", "date", "subject"], "ct-"),
}


def _type_table(
    tname: str,
    rt: RawTable,
    columns: Mapping[str, Mapping[str, str]] | None,
    aliases: bool,
    lenient: bool,
) -> tuple[pd.DataFrame | None, np.ndarray | None, list[Problem], int | None, list[str]]:
    """Headers, provenance and typed columns of one table: (frame, rows to skip, problems, rows
    read, notes)."""
    out = _Collector(lenient)
    out.problems.extend(rt.problems)
    spec = TABLES[tname]
    frame, scales = _apply_headers(tname, rt, columns, out, aliases)
    if frame is None:
        return None, None, out.problems, None, out.notes
    df = _with_provenance(frame, rt.file)
    n_read = len(df) + sum(1 for p in rt.problems if p.row is not None)
    missing = [c for c in spec.required if c not in df.columns]
    for cname in missing:
        out.add(_missing_column_problem(tname, rt, cname, [str(h) for h in rt.frame.columns
                                                           if h not in ("_file", "_row")]))
    if missing:
        return None, None, out.problems, n_read, out.notes
    for c in spec.columns:
        if c.name not in df.columns:
            df[c.name] = pd.Series(None, index=df.index, dtype=column_dtype(c.type))  # type: ignore[call-overload]
    skip = np.zeros(len(df), dtype=bool)
    for c in spec.columns:
        _coerce_column(df, spec, c, out, skip, scales.get(c.name, 1.0))
    if tname in _CONTENT_IDS:  # records without an id get a stable one from their content
        cols, prefix = _CONTENT_IDS[tname]
        no_id = df["id"].isna().to_numpy()
        if no_id.any():
            df.loc[no_id, "id"] = _stable_ids(df.loc[no_id], cols, prefix)
    # canonical columns first, extra columns kept, provenance last
    extra = [c for c in df.columns if c not in spec.column_names and c not in ("_file", "_row")]
    return df[[*spec.column_names, *extra, "_file", "_row"]], skip, out.problems, n_read, out.notes


def validate_tables(
    raw: Mapping[str, RawTable | Callable[[], RawTable]],
    *,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    aliases: bool = True,
    lenient: bool = False,
    report: LoadReport | None = None,
    name: str | None = None,
    problems: list[Problem] | None = None,
) -> Case:
    """Validate tables as read by a loader (see :func:`case_from_frames` for the rules).

    ``raw`` maps table names to :class:`RawTable` objects or to functions returning one
    (then each file is read only when its table is typed, and its raw cells are freed
    right after). ``problems`` are problems the loader already found (unknown files,
    ...); they are reported together with the validator's own.
    """
    report = report if report is not None else LoadReport()
    out = _Collector(lenient)
    for p in problems or []:
        out.add(p)

    if "people" not in raw:
        out.add(Problem(
            "missing_table", "people", "people", None, None, "<absent>",
            "a people table (people.csv, .xlsx or .parquet, or 人员.csv); every other table is optional",
            "error"))

    typed: dict[str, pd.DataFrame] = {}
    skips: dict[str, np.ndarray] = {}
    for tname in TABLES:
        if tname not in raw:
            report.missing_tables.append(tname)
    names = [t for t in TABLES if t in raw]

    def one(tname: str) -> tuple[RawTable, tuple[pd.DataFrame | None, np.ndarray | None, list[Problem], int | None,
                                                 list[str]]]:
        src = raw[tname]
        rt = src() if callable(src) else src  # a loader may hand a function that reads the file
        res = _type_table(tname, rt, columns, aliases, lenient)
        kept = RawTable(rt.frame.iloc[:0], rt.file, rt.header_row, [], rt.encoding, rt.notes)
        del rt  # the raw cells of a file read here are not needed any more
        return kept, res

    # tables are read (when given lazily) and typed in parallel threads (pyarrow releases
    # the GIL), each with its own collector; a table's raw cells are dropped once it is
    # typed. Results are merged in table order, so the outcome never depends on the threads.
    results = _pmap(one, names)
    if any(callable(src) for src in raw.values()):
        # the freed raw cells go back to the system once, here: releasing them after
        # each table made the next table's reader fault fresh pages in
        pa.default_memory_pool().release_unused()
    for tname, (rt, (df, skip, probs, n_read, notes)) in zip(names, results, strict=True):
        out.problems.extend(probs)
        if rt.encoding is not None:
            report.encodings[rt.file] = rt.encoding
        report.notes.extend(rt.notes)
        report.notes.extend(notes)
        if n_read is not None:
            report.files.setdefault(tname, rt.file)
            report.rows_read[tname] = n_read
        if df is not None and skip is not None:
            typed[tname] = df
            skips[tname] = skip

    fatal = [p for p in out.problems if p.code in FATAL_CODES]
    if fatal:
        # the shape of the input is wrong: row-level problems would only add noise
        raise CaseError(fatal + [p for p in out.problems if p.code not in FATAL_CODES and p.row is None
                                 and p.action != "warning"])

    _check_ids(typed, skips, out)
    _check_references(typed, skips, out)
    _check_facts(typed, skips, out)
    order = {t: i for i, t in enumerate(TABLES)}
    out.problems.sort(key=lambda p: (order.get(p.table, len(order)), p.file, p.row or 0))
    # suspicious but legal values: loaded as written, listed in the report, never an error
    warnings = [p for p in out.problems if p.action == "warning"]
    out.problems = [p for p in out.problems if p.action != "warning"]

    if out.problems and not lenient:
        raise CaseError(out.problems)
    for t in list(typed):
        df = typed[t]
        sk = skips[t]
        if sk.any():
            df = df.loc[~sk]
        typed[t] = df.reset_index(drop=True)
        report.rows_kept[t] = len(typed[t])
    report.problems.extend(out.problems)
    report.warnings.extend(warnings)
    if warnings:
        logger.info("load: %d warning(s) about suspicious values (see case.report.warnings)", len(warnings))
    if out.problems:
        n_skip = sum(1 for p in out.problems if p.action == "skipped")
        n_rep = sum(1 for p in out.problems if p.action == "repaired")
        logger.info("lenient load: %d problem(s): %d skipped, %d repaired (see case.report)",
                       len(out.problems), n_skip, n_rep)
    return Case(typed, report, name=name)


def case_from_frames(
    frames: Mapping[str, pd.DataFrame] | None = None,
    *,
    files: Mapping[str, str] | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    aliases: bool = True,
    lenient: bool = False,
    report: LoadReport | None = None,
    name: str | None = None,
    **tables: pd.DataFrame,
) -> Case:
    """Validate tables given as DataFrames and return a :class:`~umbrella_graph.case.Case`.

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        Tables by name (``"people"``, ``"transactions"``, ...). Headers may be canonical
        names or any alias of :mod:`umbrella_graph.io.aliases` (``姓名``, ``付款方``...).
        Tables may also be given as keyword arguments.
    files : mapping of str to str, optional
        The file each table came from, for messages and provenance. Frames that already
        carry ``_file``/``_row`` columns keep them.
    columns : mapping, optional
        Your own header mapping, ``{"transactions": {"Payer": "src"}}`` (``"*"`` for
        every table); it wins over the alias tables.
    aliases : bool, default True
        Map headers through the alias tables. False: headers must be canonical.
    lenient : bool, default False
        Skip bad rows (blank bad optional cells) instead of failing; every skipped or
        repaired row is listed in ``case.report.problems``.
    report : LoadReport, optional
        A report to fill (loaders pass theirs, with encodings already recorded).
    name : str, optional
        A name for the case.

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        In strict mode, if anything is wrong; in lenient mode if the shape of the input
        is wrong (a missing required column, conflicting headers, no people table). It
        carries every problem found.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"id": ["p1", "p2"], "姓名": ["张三", "李四"]})
    >>> tx = pd.DataFrame({"付款方": ["p1"], "收款方": ["p2"], "金额": ["2万"], "交易时间": ["2019年3月5日"]})
    >>> case = case_from_frames(people=people, transactions=tx)
    >>> float(case["transactions"].loc[0, "amount"])
    20000.0
    >>> bad = pd.DataFrame({"src": ["p1"], "dst": ["p9"], "amount": [5], "date": ["2019-01-01"]})
    >>> case_from_frames(people=people, transactions=bad)
    Traceback (most recent call last):
    ...
    umbrella_graph.errors.CaseError: 1 problem in the case data:
      - <DataFrame transactions>, row 2, column 'dst': dangling_reference: got 'p9'; expected the id of a known person or company
    """
    all_frames: dict[str, pd.DataFrame] = dict(frames or {})
    all_frames.update(tables)
    files = dict(files or {})
    extra: list[Problem] = []
    raw: dict[str, RawTable] = {}
    for t, df in all_frames.items():
        file = files.get(t, f"<DataFrame {t}>")
        if t not in TABLES:
            extra.append(Problem(
                "unknown_table", t, file, None, None, repr(t),
                "one of the tables " + ", ".join(TABLES), "skipped" if lenient else "error"))
            continue
        if not isinstance(df, pd.DataFrame):
            raise CaseError([Problem("bad_mapping", t, file, None, None, type(df).__name__,
                                     "a pandas DataFrame", "error")])
        raw[t] = RawTable(df, file)
    return validate_tables(raw, columns=columns, aliases=aliases, lenient=lenient, report=report,
                           name=name, problems=extra)


# --------------------------------------------------------------------------------------
# ids and references
# --------------------------------------------------------------------------------------
def _sorted_disjoint(arrs: list[pa.Array]) -> bool:
    """True if every array is strictly increasing and their ranges do not overlap.

    Then all the ids are distinct, which is known without hashing them (exported ids are
    usually sorted); False says nothing (the caller then hashes).
    """
    bounds = []
    for a in arrs:
        if len(a) > 1 and not pc.all(pc.less(a[:-1], a[1:])).as_py():
            return False
        bounds.append((a[0].as_py().encode(), a[-1].as_py().encode()))
    bounds.sort()
    return all(hi < lo for (_, hi), (lo, _) in zip(bounds, bounds[1:], strict=False))


def _check_ids(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Node ids are unique within and across node tables; record ids within their table.

    In lenient mode the first record keeps the id and later ones are skipped.
    """
    spaces: dict[str, list[str]] = {"entity": [t for t in NODE_TABLES.values() if t in typed]}
    for t in ("transactions", "contracts"):
        if t in typed:
            spaces[t] = [t]
    for tables in spaces.values():
        # fast path: hash the ids in pyarrow; only a space with duplicates is looked at closely
        arrs = []
        for t in tables:
            ids = typed[t]["id"]
            if out.lenient:
                ids = ids[~skips[t]]
            a = _arrow(ids).drop_null()
            if len(a):
                arrs.append(a)
        if not arrs:
            continue
        if _sorted_disjoint(arrs):
            continue
        allids = arrs[0] if len(arrs) == 1 else pa.concat_arrays(arrs)
        if len(pc.unique(allids)) == len(allids):
            continue
        parts = [pd.DataFrame({
            "id": typed[t]["id"].astype("string"), "table": t,
            "file": typed[t]["_file"].astype("string"), "row": typed[t]["_row"].to_numpy(),
            "pos": np.arange(len(typed[t])), "skipped": skips[t],
        }) for t in tables]
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[frame["id"].notna().to_numpy() & (~frame["skipped"].to_numpy() if out.lenient else True)]
        dup = frame.duplicated(["id"], keep=False).to_numpy()
        d = frame[dup]
        first = d.drop_duplicates(["id"]).set_index("id")
        later = d[d.duplicated(["id"], keep="first").to_numpy()]
        action = "skipped" if out.lenient else "error"
        for r in later.itertuples(index=False):
            f = first.loc[r.id]
            out.add(Problem(
                "duplicate_id", str(r.table), str(r.file), int(r.row), "id", mask_value("id", r.id),
                f"an id not already used: it is also the id at {f['file']}, row {int(f['row'])} "
                f"({f['table']}); ids are unique across people, companies, gangs, villages, events "
                "and leads" if len(tables) > 1 or tables[0] in NODE_TABLES.values()
                else f"an id not already used: it is also the id at {f['file']}, row {int(f['row'])}",
                action))
            skips[str(r.table)][int(r.pos)] = True


def _check_references(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Every reference points at a known record; in lenient mode, at a record that was kept.

    Repeats until nothing new is skipped, so chains of skipped rows are followed.
    """
    reported: set[tuple[str, str, int]] = set()
    while True:
        known: dict[str, pa.Array] = {}
        lost: dict[str, pd.DataFrame] = {}
        for kind, tname in NODE_TABLES.items():
            if tname in typed:
                df = typed[tname]
                ids = _arrow(df["id"])
                if out.lenient and skips[tname].any():
                    keep = ~skips[tname]
                    known[kind] = pc.unique(ids.filter(pa.array(keep)).drop_null())
                    gone = df.loc[~keep & df["id"].notna().to_numpy()]
                    lost[kind] = gone[["id", "_file", "_row"]].drop_duplicates("id")
                else:
                    known[kind] = ids.drop_null()  # is_in needs no unique values
            else:
                known[kind] = pa.array([], pa.string())
        units = pd.Series([], dtype="string")
        if "officials" in typed:
            units = typed["officials"]["unit"]
            if out.lenient:
                units = units[~skips["officials"]]
        known["unit"] = pc.unique(_arrow(units).drop_null())
        new_skips = False
        checks = [(t, c) for t, df in typed.items() if len(df) for c in TABLES[t].columns if c.type == "ref"]

        def unknown(batch: list[tuple[str, Column]], known: dict[str, pa.Array] = known) -> list[np.ndarray]:
            """The dangling cells of columns that reference the same kinds, in one
            ``is_in`` call (the value set is hashed once, not once per column)."""
            arrs = [_arrow(typed[t][c.name]) for t, c in batch]
            value_set = pa.concat_arrays([known.get(k, pa.array([], pa.string())) for k in batch[0][1].refs])
            # is_in is False for a null cell (no null in the value set); nulls are not dangling
            found = pc.is_in(pa.chunked_array(arrs, pa.string()), value_set=value_set)
            bad_all = ~found.to_numpy(zero_copy_only=False)
            res = []
            start = 0
            for (t, _), arr in zip(batch, arrs, strict=True):
                bad = bad_all[start:start + len(arr)]
                start += len(arr)
                if arr.null_count:
                    bad = bad & pc.is_valid(arr).to_numpy(zero_copy_only=False)
                res.append(bad & (~skips[t] if out.lenient else True))
            return res

        # columns grouped by the kinds they reference, each group split in _WORKERS
        # batches of about equal size (the batches run in parallel threads)
        def cells(batch: list[tuple[str, Column]]) -> int:
            return sum(len(typed[t]) for t, _ in batch)

        by_refs: dict[tuple[str, ...], list[list[tuple[str, Column]]]] = {}
        for check in sorted(checks, key=lambda x: -len(typed[x[0]])):
            bins = by_refs.setdefault(tuple(check[1].refs), [[] for _ in range(_WORKERS)])
            min(bins, key=cells).append(check)
        batches = [b for bins in by_refs.values() for b in bins if b]
        found_bad = {(t, c.name): bad for b, bads in zip(batches, _pmap(unknown, batches), strict=True)
                     for (t, c), bad in zip(b, bads, strict=True)}

        for tname, c in checks:
            bad = found_bad[(tname, c.name)]
            df = typed[tname]
            vals = df[c.name]
            if not bad.any():
                continue
            kinds = " or ".join(
                "a unit named in officials.unit" if k == "unit" else f"a known {k}" for k in c.refs)
            expected = f"the id of {kinds}".replace(
                "the id of a known person or a known company", "the id of a known person or company")
            # references to records that exist but were skipped (lenient mode)
            to_lost = np.zeros(len(df), dtype=bool)
            where: dict[str, str] = {}
            for k in c.refs:
                g = lost.get(k)
                if g is not None and len(g):
                    hit = vals.isin(g["id"]).fillna(False).to_numpy(dtype=bool) & bad
                    if hit.any():
                        to_lost |= hit
                        for i, f, r in g.itertuples(index=False):
                            where[str(i)] = f"{f}, row {int(r)}"
            key_rows = df["_row"].to_numpy()
            fresh = np.array([(tname, c.name, int(r)) not in reported for r in key_rows[bad]])
            idx = np.flatnonzero(bad)[fresh]
            if not len(idx):
                continue
            for i in idx:
                reported.add((tname, c.name, int(key_rows[i])))
            m = np.zeros(len(df), dtype=bool)
            m[idx] = True
            plain = m & ~to_lost
            via = m & to_lost
            act = None if (c.required or not out.lenient) else "repaired"
            suffix = "" if act is None else "; the cell was left empty"
            out.add_rows(df, plain, tname, c.name, "dangling_reference", expected + suffix, vals,
                         action=act)
            if via.any():
                for i in np.flatnonzero(via):
                    v = vals.iat[i]
                    out.add(Problem(
                        "reference_to_skipped", tname, str(df["_file"].iat[i]), int(key_rows[i]),
                        c.name, mask_value(c.name, v),
                        f"{expected}; the record with this id ({where.get(str(v), '?')}) was "
                        f"skipped{suffix}", act or ("skipped" if out.lenient else "error")))
            if act == "repaired":
                df[c.name] = vals.mask(m)
            else:
                skips[tname] |= m
                new_skips = True
        if not new_skips or not out.lenient:
            return


# --------------------------------------------------------------------------------------
# facts that each cell allows but the records together do not (or only suspiciously)
# --------------------------------------------------------------------------------------
#: Zero-width and other invisible characters that make two ids look the same.
_INVISIBLE_RE = "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]"


#: Full-width forms, the ideographic space and invisible characters: what NFKC folds in an id.
_WIDE_RE = "[\uff01-\uff5e\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e]"


def _id_key(v: str) -> str:
    """The form two ids are compared in for confusability: NFKC (full-width -> ASCII),
    invisible characters removed, case folded."""
    import unicodedata

    return re.sub(_INVISIBLE_RE, "", unicodedata.normalize("NFKC", v)).casefold()


def _row_error(out: _Collector, df: pd.DataFrame, m: np.ndarray, table: str, column: str | None,
               code: str, expected: str, skips: np.ndarray, values: pd.Series | None = None,
               *, blank: str | None = None) -> None:
    """Rows that break a rule across cells: an error; in lenient mode the row is skipped,
    or (``blank`` = an optional column) that cell is left empty."""
    if not m.any():
        return
    if out.lenient and blank is not None:
        out.add_rows(df, m, table, column, code, expected + "; the cell was left empty", values,
                     action="repaired")
        df[blank] = df[blank].mask(m)
    else:
        out.add_rows(df, m, table, column, code, expected, values)
        skips |= m


def _check_facts(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Rules across cells and records (documented in docs/data-contract.md, "Checks").

    Errors (skipped or blanked in lenient mode): negative contact counts and durations,
    shares outside 0-100 %, end dates before start dates, villages that are their own
    parent or ancestor, a pair labelled both 1 and 0, labels naming someone who holds no
    post. Warnings (loaded as written): duplicate memberships, ids that differ only by
    case, full-width form or invisible characters, ids holding invisible characters.
    """
    c = typed.get("contacts")
    if c is not None and len(c):
        for col in ("count", "duration_s"):
            v = c[col].astype("float64").to_numpy(dtype=float, na_value=np.nan)
            _row_error(out, c, v < 0, "contacts", col, "negative_number",
                       "a number >= 0 (a count or duration cannot be negative)", skips["contacts"],
                       blank=col)
    r = typed.get("company_roles")
    if r is not None and len(r):
        v = r["share"].to_numpy(dtype=float, na_value=np.nan)
        _row_error(out, r, (v < 0) | (v > 1), "company_roles", "share", "bad_share",
                   "a share from 0 to 1 (0% to 100%)", skips["company_roles"], blank="share")
    for t in ("officials", "members"):
        df = typed.get(t)
        if df is None or not len(df):
            continue
        s = df["start_date"].to_numpy()
        e = df["end_date"].to_numpy()
        bad = ~np.isnat(s) & ~np.isnat(e) & (e < s)
        _row_error(out, df, bad, t, "end_date", "end_before_start",
                   "an end date on or after the start date", skips[t], blank="end_date")
    _check_village_tree(typed, skips, out)
    _check_labels(typed, skips, out)
    m = typed.get("members")
    if m is not None and len(m):
        keys = m[["person_id", "gang_id"]].astype("string")
        live = ~skips["members"]
        dup = keys.duplicated(keep="first").to_numpy() & live & keys.notna().all(axis=1).to_numpy()
        if dup.any():
            seen: dict[tuple[Any, Any], int] = {}
            for a, b, rw in zip(keys["person_id"], keys["gang_id"], m["_row"], strict=True):
                seen.setdefault((a, b), int(rw))
            for i in np.flatnonzero(dup):
                k = (keys["person_id"].iat[i], keys["gang_id"].iat[i])
                out.add(Problem(
                    "duplicate_membership", "members", str(m["_file"].iat[i]), int(m["_row"].iat[i]),
                    "person_id", mask_value("person_id", k[0]),
                    f"one row per person and gang; the same membership is also at row {seen[k]} "
                    "(loaded: both rows count)", "warning"))
    _check_confusable_ids(typed, out)


def _check_village_tree(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    v = typed.get("villages")
    if v is None or not len(v):
        return
    ids = v["id"].astype("string").tolist()
    parents = v["parent_id"].astype("string").tolist()
    parent = {i: p for i, p in zip(ids, parents, strict=True) if i is not pd.NA and p is not pd.NA}
    in_cycle: set[str] = set()
    done: set[str] = set()
    for start in parent:
        path: dict[str, int] = {}
        node: Any = start
        while node in parent and node not in done and node not in path:
            path[node] = len(path)
            node = parent[node]
        if node in path:  # a cycle: every village from node round to node
            k = path[node]
            in_cycle.update(x for x, j in path.items() if j >= k)
        done.update(path)
    if not in_cycle:
        return
    m = np.array([i in in_cycle for i in ids], dtype=bool)
    self_parent = np.array([i is not pd.NA and p is not pd.NA and i == p for i, p in zip(ids, parents, strict=True)])
    _row_error(out, v, m & self_parent, "villages", "parent_id", "village_cycle",
               "the id of another village (a village cannot be its own parent)", skips["villages"],
               v["parent_id"], blank="parent_id")
    _row_error(out, v, m & ~self_parent, "villages", "parent_id", "village_cycle",
               "a parent that is not one of this village's own descendants (the parents form a "
               "cycle: the administrative tree has no root there)", skips["villages"], v["parent_id"],
               blank="parent_id")


def _check_labels(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    lab = typed.get("labels")
    if lab is None or not len(lab):
        return
    live = ~skips["labels"]
    officials = set()
    if "officials" in typed:
        o = typed["officials"]
        officials = set(o["person_id"][~skips["officials"]].dropna().astype(str))
    who = lab["official_id"].astype("string")
    not_off = live & who.notna().to_numpy() & ~who.isin(officials).fillna(False).to_numpy(dtype=bool)
    _row_error(out, lab, not_off, "labels", "official_id", "label_not_official",
               "the person id of an official (someone with a row in officials)", skips["labels"])
    live = ~skips["labels"]
    key = who.fillna("") + "\x1f" + lab["gang_id"].astype("string").fillna("*")
    val = lab["label"].astype("float64").to_numpy(dtype=float, na_value=np.nan)
    frame = pd.DataFrame({"k": key.to_numpy(), "v": val})[live]
    n_vals = frame.groupby("k")["v"].nunique()
    clash = set(n_vals.index[n_vals > 1])
    if clash:
        m = live & key.isin(clash).to_numpy(dtype=bool)
        _row_error(out, lab, m, "labels", "label", "contradicting_labels",
                   "one outcome per official and gang; this pair is labelled both 1 and 0",
                   skips["labels"], lab["label"].astype("string"))


def _check_confusable_ids(typed: dict[str, pd.DataFrame], out: _Collector) -> None:
    """Ids that differ only by case, full-width form or invisible characters: warnings.

    They are different ids (and are kept apart), but one was most likely meant for the
    other, or put there to hide a link (``p1`` and ``P1``, ``p1`` and ``ｐ1``).
    """
    tables = [t for t in NODE_TABLES.values() if t in typed and len(typed[t])]
    if not tables:
        return
    arrs = [_arrow(typed[t]["id"]) for t in tables]
    arr = arrs[0] if len(arrs) == 1 else pa.concat_arrays(arrs)
    if arr.null_count:
        arr = arr.drop_null()
    inv = pc.fill_null(pc.match_substring_regex(arr, _INVISIBLE_RE), False)
    if not pc.any(inv).as_py() and len(pc.unique(pc.utf8_lower(arr))) == len(pc.unique(arr)) \
            and not pc.any(pc.match_substring_regex(arr, _WIDE_RE)).as_py():
        return  # the usual case: nothing to look at closely (no frame is built)
    f = pd.concat([pd.DataFrame({"id": typed[t]["id"].astype("string"), "table": t,
                                 "file": typed[t]["_file"].astype("string"), "row": typed[t]["_row"].to_numpy()})
                   for t in tables], ignore_index=True).dropna(subset=["id"])
    arr = _arrow(f["id"])
    odd = pc.fill_null(pc.match_substring_regex(arr, _WIDE_RE), False).to_numpy(zero_copy_only=False)
    low = pc.utf8_lower(arr)
    if odd.any():  # full-width forms and invisible characters: normalised per id (few)
        fixed = low.to_numpy(zero_copy_only=False).astype(object)
        fixed[odd] = [_id_key(x) for x in f["id"][odd].tolist()]
        low = pa.array(fixed, pa.string())
    inv = pc.fill_null(pc.match_substring_regex(arr, _INVISIBLE_RE), False).to_numpy(zero_copy_only=False)
    for i in np.flatnonzero(inv):
        out.add(Problem("invisible_characters", str(f["table"].iat[i]), str(f["file"].iat[i]), int(f["row"].iat[i]),
                        "id", mask_value("id", f["id"].iat[i]),
                        "an id without invisible characters (zero-width space, soft hyphen...); "
                        "loaded as written", "warning"))
    if len(pc.unique(low)) == len(pc.unique(arr)):
        return  # no two ids share a normalised form
    keys = pd.Series(pd.arrays.ArrowStringArray(low), index=f.index)
    f = f.assign(key=keys)
    grp = f.groupby("key", sort=False)["id"].transform("nunique")
    f = f[grp.to_numpy() > 1]
    if not len(f):
        return
    first = f.drop_duplicates("key").set_index("key")
    for r in f.itertuples(index=False):
        fr = first.loc[r.key]
        if fr["id"] == r.id:
            continue
        out.add(Problem(
            "confusable_id", str(r.table), str(r.file), int(r.row), "id", mask_value("id", r.id),
            f"an id that does not look like another: it differs from the id at {fr['file']}, row "
            f"{int(fr['row'])} only by case, full-width form or invisible characters (loaded as a "
            "different node)", "warning"))
