"""Cells as text: blanks, spreadsheet numbers written as text, pyarrow string helpers,
and the limits shared by the date and amount parsers.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["as_text", "arrow_strings", "from_arrow_strings", "DATE_MIN", "DATE_MAX", "HUGE_AMOUNT", "MAX_PARSED_CHARS"]


# --------------------------------------------------------------------------------------
# cells -> typed values
# --------------------------------------------------------------------------------------
def arrow_strings(s: pd.Series) -> pa.Array:
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


def from_arrow_strings(arr: pa.Array, index: pd.Index) -> pd.Series:
    """A pyarrow string array as a pandas ``string`` Series on ``index``."""
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
        orig = arrow_strings(values)
        arr = pc.utf8_trim_whitespace(orig)
        lengths = pc.binary_length(arr)
        if pc.sum(lengths).as_py() == pc.sum(pc.binary_length(orig)).as_py():
            arr = orig  # nothing was trimmed: keep the buffers as read (no copy held)
        empty = pc.equal(lengths, 0)  # compares lengths, not strings
        if pc.any(empty).as_py():
            arr = pc.if_else(empty, pa.scalar(None, pa.string()), arr)
        return from_arrow_strings(arr, idx), no
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


def _present(arr: pa.Array, needles: tuple[str, ...]) -> set[str]:
    """Which of ``needles`` occur in some string of ``arr``: one copy of the array's
    character data, searched by bytes (a byte search is what ``match_substring`` does per
    string, without a boolean array per needle). A null slot's leftover bytes may count,
    so callers only skip work on a needle found absent."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if len(arr) == 0 or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return {n for n in needles if len(arr) and pc.any(pc.match_substring(arr, n)).as_py()}
    _, offsets_buf, data = arr.buffers()
    if data is None:
        return set()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=width)
    lo, hi = int(offsets[arr.offset]), int(offsets[arr.offset + len(arr)])
    blob = data.slice(lo, hi - lo).to_pybytes()
    return {n for n in needles if n.encode() in blob}


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


#: The dates a ``datetime64[ns]`` column holds (pandas' default unit, used for every date
#: column of a case): 1677-09-22 to 2262-04-11.
DATE_MIN = np.datetime64("1677-09-22", "us")
DATE_MAX = np.datetime64("2262-04-11", "us")
#: Amounts from which a value is listed as a warning (one trillion yuan).
HUGE_AMOUNT = 1e12
#: Longest cell read as a date or an amount (longer cells are bad without being parsed,
#: so a hostile cell costs no more than a short one).
MAX_PARSED_CHARS = 64

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
