"""Dates from text cells: ISO 8601, ``2019/03/05``, ``2019.3.5``, ``2019年3月5日``,
``20190305``, with times where given, and real date cells from spreadsheets (see
:func:`parse_dates`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .cells import (
    DATE_MAX,
    DATE_MIN,
    MAX_PARSED_CHARS,
    _blank,
    _cast_all,
    _digits_int,
    _present,
    _sample,
    _split3,
    arrow_strings,
    as_text,
)

__all__ = ["join_date_and_time", "parse_dates", "parse_dates_us", "to_ns", "utc_offsets"]

#: a UTC offset ending a time (``+08:00``, ``+0800``, ``Z``, ``UTC``, ``GMT+8``, ``北京时间``):
#: read by every parser below and dropped (the wall-clock time as written is kept);
#: :func:`utc_offsets` reports it. ``CST`` is not one (China, or US Central?).
_OFFSET = r"Z|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2}|北京时间"

# possessive quantifiers (``*+``): adjacent runs of spaces are never re-split on a failed
# match, so a cell of spaces costs linear time, not cubic
_DATE_RE = re.compile(
    r"^\s*+(\d{4})\s*+[-/.年]\s*+(\d{1,2})\s*+[-/.月]\s*+(\d{1,2})\s*+[日号]?"
    r"(?:[\sT]*+(\d{1,2})\s*+(?:[:时点]\s*+(\d{1,2})(?:\s*+[:分]\s*+(\d{1,2}(?:\.\d+)?))?\s*+[秒分]?|[时点]))?"
    r"\s*+(?:" + _OFFSET + r")?\s*+$"
)

_COMPACT_DATE_RE = re.compile(r"^\s*+(\d{4})(\d{2})(\d{2})(?:\s*+(\d{2}):?(\d{2}):?(\d{2})?)?\s*+$")

_DATE_REPLACE = (("年", "-"), ("月", "-"), ("日", " "), ("号", " "), ("/", "-"), ("T", " "), ("时", ":"),
                 ("点", ":"), ("分", ":"), ("：", ":"), ("秒", ""))


def _dates_vectorised(arr: pa.Array) -> np.ndarray:
    """Parse non-null strings of the usual shapes; NaT where not understood."""
    n = len(arr)
    s = pc.utf8_trim_whitespace(arr)
    present = _present(s, tuple(old for old, _ in _DATE_REPLACE))
    for old, new in _DATE_REPLACE:
        if old in present:  # a replacement never makes another needle appear
            s = pc.replace_substring(s, old, new)
    sp = pc.split_pattern(pc.binary_join_element_wise(pc.utf8_trim_whitespace(s), "  ", ""), " ", max_splits=1)
    dpart = pc.list_element(sp, 0)
    tpart = pc.utf8_trim_whitespace(pc.list_element(sp, 1))
    # date part: 20190305 or Y-M-D (with - / . separators)
    if "." in _present(dpart, (".",)):
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
    if _present(tpart, ("Z", "+", "-", "UTC", "GMT", "北京时间")):
        tpart = pc.replace_substring_regex(tpart, r"\s*(" + _OFFSET + r")$", "")
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


#: an offset after a time (``14:30:05+08:00``, ``14:30Z``, ``143005 +0800``), not the end of
#: a date (``2020-01-05``)
_TIME_OFFSET_RE = r"(?:\d:\d{2}(?::\d{2}(?:\.\d+)?)?|\d{6})\s*(?P<off>" + _OFFSET + r")\s*$"


def utc_offsets(text: pa.Array) -> pa.Array | None:
    """The UTC offset each time of a string array is written with, normalised (``+0800``
    and ``GMT+8`` -> ``+08:00``, ``Z`` and ``UTC`` -> ``+00:00``), null where none; None
    when no cell has one.

    Examples
    --------
    >>> import pyarrow as pa
    >>> utc_offsets(pa.array(["2019-03-05 14:30+0800", "2019-03-05 14:30 UTC", "2019-03-05 14:30:00 GMT+8",
    ...                       "2019-03-05 14:30 北京时间", "2019-03-05 14:30", "2020-01-05"])).to_pylist()
    ['+08:00', '+00:00', '+08:00', '+08:00', None, None]
    """
    found = pc.struct_field(pc.extract_regex(text, _TIME_OFFSET_RE), [0])
    if found.null_count == len(found):
        return None
    for pattern, to in ((r"^(UTC|GMT)$", "Z"), (r"^(UTC|GMT)", ""), (r"^北京时间$", "+08:00"),
                        (r"^([+-])(\d(?::?\d{2})?)$", r"\10\2"),  # +8 -> +08, +8:00 -> +08:00
                        (r"^([+-]\d{2})$", r"\1:00"), (r"^([+-]\d{2})(\d{2})$", r"\1:\2"),
                        (r"^(Z|-00:00)$", "+00:00")):
        found = pc.replace_substring_regex(found, pattern, to)
    return found


def to_ns(us: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


#: a 12-hour clock: ``2:30 PM`` after the time, ``下午2:30`` / ``下午2点30分`` / ``凌晨5时`` before it
_MERIDIEM_RE = re.compile(r"(?<=\d)\s*+([AaPp])\.?[Mm]\.?\s*+$|(?<=[\s日号T])\s*+"
                          r"(上午|早上|早晨|清晨|凌晨|中午|下午|傍晚|晚上|晚间|夜里|夜间|深夜|半夜|早|晚)\s*+(?=\d)")
#: the hour a period word makes of the hour written after it (None: not a time, or not of
#: that day: ``晚上1点`` is the night after); an hour missing from a mapping is not a time (NaT)
_AM = {12: 0, **{h: h for h in range(12)}}
_PERIOD_HOURS: dict[str, dict[int, int]] = {
    "a": {12: 0, **{h: h for h in range(1, 12)}},
    "p": {12: 12, **{h: h + 12 for h in range(1, 12)}},
    **dict.fromkeys(("上午", "早上", "早晨", "清晨", "凌晨", "早"), _AM),
    "中午": {11: 11, 12: 12, 1: 13, 2: 14, 13: 13, 14: 14},
    **dict.fromkeys(("下午", "傍晚"), {12: 12, **{h: h + 12 for h in range(1, 12)}, **{h: h for h in range(13, 24)}}),
    **dict.fromkeys(("晚上", "晚间", "夜里", "夜间", "深夜", "半夜", "晚"),
                    {**{h: h + 12 for h in range(5, 12)}, **{h: h for h in range(17, 24)}}),
}
#: an approximate time as police reports write it (``5时许``, ``8点左右``): read as written
_ABOUT_RE = re.compile(r"(?:(?<=[时点分秒半])|(?<=:\d\d))\s*+(?:许|左右|前后)\s*+$")
#: half past (``5点半``)
_HALF_RE = re.compile(r"(?<=\d)\s*+([时点])\s*+半")
#: a bank core system's timestamp (DB2): ``2020-03-01-10.05.30.123456``
_DB2_RE = re.compile(r"^\s*+(\d{4}-\d{1,2}-\d{1,2})-(\d{1,2})\.(\d{2})(?:\.(\d{2}(?:\.\d+)?))?\s*+$")

#: a weekday beside the date (``2019/3/5 星期二 14:30``, ``2019-03-05 (周二)``, ``Tue``): checked
#: against the date, then dropped
_WEEKDAY_RE = re.compile(r"[(\[]?\s*+(?:(?:星期|礼拜|周)([一二三四五六日天])|\b(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|rs)?\b\.?)"
                         r"\s*+[)\]]?,?", re.IGNORECASE)
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
             "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _parse_one_date(text: object) -> np.datetime64:
    """One cell -> ``datetime64[us]`` (NaT if not a date). Full-width characters are read
    as their ASCII forms (NFKC: ``２０１９－０３－０５ １４：３０``); cells over
    MAX_PARSED_CHARS are not dates.

    A weekday beside the date (``星期二``, ``周二``, ``(Tue)``) must be the date's own, and
    is then dropped; a date on another weekday is NaT.

    A 12-hour time is read with its marker (``2:30 PM``, ``下午2:30``): 12 AM is 0:00,
    12 PM is noon; an hour over 12 or of 0 with AM or PM is not a time (NaT). Chinese
    period words as reports write them: ``凌晨5时`` / ``早上`` / ``上午`` (0-11, 12 is 0:00),
    ``中午1点`` (11-14), ``下午3时`` / ``傍晚`` (1-11 are afternoon, 13-23 as written),
    ``晚上8点`` / ``晚`` / ``夜里`` / ``深夜`` (5-11 are evening, 17-23 as written); ``晚上12点``
    and ``夜里2点`` are NaT (midnight of which day? the night after?). An hour alone
    (``5时``), half past (``5点半``) and an approximate time (``5时许``, ``8点左右``) are read.
    """
    nat = np.datetime64("NaT", "us")
    if not isinstance(text, str) or len(text) > MAX_PARSED_CHARS:
        return nat
    text = unicodedata.normalize("NFKC", text)
    days = list(_WEEKDAY_RE.finditer(text))
    if len(days) > 1:
        return nat
    weekday = None
    if days:
        weekday = _WEEKDAYS[(days[0].group(1) or days[0].group(2)).lower()]
        text = text[:days[0].start()] + " " + text[days[0].end():]
    if (db2 := _DB2_RE.match(text)) is not None:
        text = f"{db2.group(1)} {db2.group(2)}:{db2.group(3)}:{db2.group(4) or '00'}"
    text = _HALF_RE.sub(r"\g<1>30分", _ABOUT_RE.sub("", text))
    marker = None
    mm = list(_MERIDIEM_RE.finditer(text))
    if len(mm) > 1:
        return nat
    if mm:
        marker = (mm[0].group(1) or mm[0].group(2)).lower()
        text = text[:mm[0].start()] + " " + text[mm[0].end():]
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        return nat
    y, mo, d, h, mi, s = m.groups()
    hour = int(h or 0)
    if marker is not None:
        to = _PERIOD_HOURS[marker].get(hour) if h is not None else None
        if to is None:
            return nat
        hour = to
    try:
        sec = float(s) if s else 0.0
        dt = datetime(int(y), int(mo), int(d), hour, int(mi or 0), int(sec),
                      min(999999, int(round((sec - int(sec)) * 1e6))))
    except (ValueError, OverflowError):
        return nat
    if weekday is not None and dt.weekday() != weekday:
        return nat  # 2019-03-05 was a Tuesday, not a Friday: which one is wrong?
    return np.datetime64(dt, "us")


#: Date shapes tried with pyarrow's strptime (the formats found in a sample of the column
#: are applied to the whole column; everything else goes through the general parser).
_STRPTIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日 %H时%M分%S秒", "%Y年%m月%d日%H时%M分%S秒",
)
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
    arr = arrow_strings(text)
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
    ``2019年3月5日``, ``2019年3月5日 14时30分``, ``20190305``, ``20190305 143000``, a
    12-hour clock (``2019-03-05 2:30 PM``, ``2019-03-05 下午2:30``), ``2019年3月5号``, a
    bank core system's timestamp (``2019-03-05-14.30.00.000000``), a
    UTC offset or zone after a time (``+08:00``, ``Z``, ``UTC``, ``GMT+8``, ``北京时间``;
    dropped: the wall-clock time is kept), and date cells from spreadsheets; full-width
    digits and punctuation (``２０１９-01-01``, ``14：30``) are read as ASCII.
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
    us, bad = parse_dates_us(values)
    ns, low, high = to_ns(us)
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


def parse_dates_us(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column of dates -> (``datetime64[us]`` or ``[ns]`` array, bad mask); see
    :func:`parse_dates`.

    Microseconds hold every year from 1 to 9999, so nothing wraps round here; the range
    a case column holds is checked by the caller (:func:`to_ns`). Nanoseconds are kept
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


def join_date_and_time(first: pd.Series, second: pd.Series) -> tuple[pd.Series, int] | None:
    """Two columns that split one time, a date and a time of day (a bank's 交易日期
    ``20190305`` and 交易时间 ``143005``; Excel date and time cells): ``(the cells joined
    as text, 0 or 1: which one held the dates)``, or None when they are not such a pair.

    One must hold dates and no date with a time, the other times of day (read after a
    date) and no date, as :func:`parse_dates` reads them. Cells that are neither (typos)
    do not decide; they fail when the joined text is parsed, on their own row.

    Examples
    --------
    >>> import pandas as pd
    >>> joined, day = join_date_and_time(pd.Series(["143005", "下午2:30"]), pd.Series(["20190305", "2019/3/6"]))
    >>> joined.tolist(), day
    (['20190305 143005', '2019/3/6 下午2:30'], 1)
    >>> join_date_and_time(pd.Series(["2019-03-05"]), pd.Series(["2019-03-05 14:30"])) is None
    True
    """
    text = [as_text(first)[0], as_text(second)[0]]
    filled = [t.dropna() for t in text]

    def ok(cells: pd.Series) -> np.ndarray:
        return ~parse_dates(cells)[1].to_numpy(dtype=bool)

    def is_date(cells: pd.Series) -> bool:  # dates, none with a time after it
        alone = ok(cells)
        return bool(alone.any()) and not (alone & ~ok(cells + " 12:00")).any()

    def is_time(cells: pd.Series) -> bool:  # no date, and times when they follow one
        return not ok(cells).any() and bool(ok("2000-01-01 " + cells).any())

    for day in (0, 1):
        if is_date(filled[day]) and is_time(filled[1 - day]):
            joined = (text[day].fillna("") + " " + text[1 - day].fillna("")).str.strip()
            return joined.mask(joined == ""), day
    return None
