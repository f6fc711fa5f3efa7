"""Amounts and plain numbers from text cells: ``1,200.50``, ``¥3000``, ``RMB 3000``,
``3000元``, ``2.5万``, ``1亿``, ``30%`` (see :func:`parse_amounts`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .cells import MAX_PARSED_CHARS, _cast_all, _sample, arrow_strings, as_text

__all__ = ["parse_amounts", "parse_numbers"]

_AMOUNT_STRIP_RE = re.compile(r"[,，\s¥￥$€£]|RMB|CNY|rmb|cny|人民币|元")
_AMOUNT_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(千|万|亿)?$")
_GROUPED_RE = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?(千|万|亿)?$"
_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
#: the unit as receipts and forms write it after the figure: ``300元整`` ("300 yuan
#: exactly"), ``30000.00（元）``, ``3（万元）``: read as ``元`` and ``万元``
_UNIT_TAILS = ((r"\s*[（(]\s*万元\s*[）)]\s*$", "万元"), (r"\s*(?:元整|[（(]\s*元\s*[）)])\s*$", "元"))


def _parse_one_amount(text: object) -> float:
    if not isinstance(text, str) or len(text) > MAX_PARSED_CHARS:
        return float("nan")
    t = text.strip()
    for tail, unit in _UNIT_TAILS:
        t = re.sub(tail, unit, t)
    if "," in t or "，" in t:
        compact = re.sub(r"[\s¥￥$€£]|RMB|CNY|rmb|cny|人民币|元", "", t).replace("，", ",")
        if not re.match(_GROUPED_RE, compact):
            return float("nan")
    t = _AMOUNT_STRIP_RE.sub("", t)
    m = _AMOUNT_RE.match(t)
    if not m:
        return float("nan")
    mult = {"千": 1e3, "万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0)
    return float(m.group(1)) * mult


_AMOUNT_JUNK = (" ", "¥", "￥", "$", "€", "£", "RMB", "rmb", "CNY", "cny", "人民币", "元")


def _amounts_from_text(text: pd.Series) -> pd.Series:
    """Stripped strings -> float64 (NaN where blank or unparseable).

    Plain numbers are cast in one go. Otherwise the currency words, separators and
    multipliers found in a sample of the column are removed in pyarrow, and every value
    that is still not a plain number goes through the per-cell parser.
    """
    idx = text.index
    arr = arrow_strings(text)
    cast = _cast_all(arr, pa.float64())
    if cast is not None:
        v = cast.to_numpy(zero_copy_only=False)
        return pd.Series(np.where(np.isinf(v), np.nan, v), index=idx, copy=False)
    sample = [str(x) for x in _sample(arr).to_pylist()]
    s = arr
    if any("整" in v or "（" in v or "(" in v for v in sample):
        for tail, unit in _UNIT_TAILS:
            s = pc.replace_substring_regex(s, tail, unit)
    for junk in _AMOUNT_JUNK:
        if any(junk in v for v in sample):
            s = pc.replace_substring(s, junk, "")
    mult = np.ones(len(s))
    for suffix, factor in (("千", 1e3), ("万", 1e4), ("亿", 1e8)):
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
    ``RMB``, ``CNY``, ``人民币``, ``元``; ``元整``, "exactly", and a unit in brackets,
    ``（元）``, as receipts and forms write them), and the multipliers ``千`` (1,000),
    ``万`` (10,000) and ``亿`` (100,000,000). ``1,2`` (not grouped by three) is bad: it might be a decimal comma.

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


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Plain numbers (``1,200`` and ``30%`` = 0.3 accepted); return ``(float64, bad)``."""
    idx = values.index
    numeric, is_num, text = _numeric_or_text(values)
    if numeric is not None:
        return numeric
    arr = arrow_strings(text)
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
