"""Raw tables, the problem collector, content ids and header mapping.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..domain import ENUM_COLUMNS, enum_spellings
from ..errors import Problem, mask_value, shown_headers
from ..parsing.cells import arrow_strings, from_arrow_strings
from ..schema import TABLES

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
_DURATION_EXPECTED = ("a duration such as 330 (seconds), 330秒, 5分30秒, 1小时2分 or 00:05:30 (h:mm:ss; "
                      "5:30 could be minutes or hours)")

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
            arr = arrow_strings(col)
        parts.append(from_arrow_strings(arr, df.index).fillna(""))
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


@dataclass(frozen=True)
class OffsetColumn:
    """The times of one column written with a UTC offset: their row positions, their
    normalised offsets and the cells as written."""

    table: str
    column: str
    rows: np.ndarray
    offsets: np.ndarray
    raw: np.ndarray


class _Collector:
    """Collects problems and, per table, which rows to skip and which cells were repaired."""

    def __init__(self, lenient: bool) -> None:
        self.lenient = lenient
        self.problems: list[Problem] = []
        self.notes: list[str] = []  # facts about the input (values read through the vocabulary)
        self.offsets: list[OffsetColumn] = []  # times written with a UTC offset, checked across the case

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
    from ..parsing.headers import resolve_headers

    df = raw.frame
    headers = [str(c) for c in df.columns]
    res = resolve_headers(tname, headers, columns, use_aliases=aliases)
    for target, hs in list(res.conflicts.items()):
        joined = _date_and_time(tname, target, hs, df)
        if joined is None:
            continue
        day, clock, text = joined
        key = f"{day}\u001f{clock}"  # a raw header no file has
        df = df.drop(columns=[c for c in df.columns if str(c) in (day, clock)]).assign(**{key: text})
        headers = [str(c) for c in df.columns]
        del res.rename[day], res.rename[clock], res.conflicts[target]
        res.rename[key] = target
        out.notes.append(f"{raw.file}: {tname}: the dates of header {shown_headers([day])} and the times of day of "
                         f"header {shown_headers([clock])} are read together as column '{target}'")
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
    spec = TABLES[tname]
    unread = [h for h in headers if res.rename[h] not in spec.column_names and h not in ("_file", "_row")]
    absent = [c.name for c in spec.columns if not c.required and c.name not in df.columns]
    if unread and absent:
        # an optional column under a header we do not know would be silently unused
        out.notes.append(
            f"{raw.file}: {tname}: header(s) {shown_headers(unread)} read as no column of {tname} (kept as "
            f"extra columns); optional column(s) not found: {', '.join(absent)}. If one of those headers is "
            "one of these columns, map it with columns=/--columns (accepted headers: docs/data-contract.md)")
    return df, res.scales


def _date_and_time(tname: str, target: str, headers: list[str], df: pd.DataFrame) -> tuple[str, str, pd.Series] | None:
    """Two headers for one date column that are a date and a time of day (see
    :func:`~umbrella_graph.parsing.dates.join_date_and_time`): ``(date header, time header,
    the cells joined as text)``, else None (the conflict stands)."""
    from ..parsing.dates import join_date_and_time

    spec = TABLES[tname]
    if (target not in spec.column_names or spec.column(target).type not in ("date", "datetime")
            or len(set(headers)) != 2):
        return None
    cols = {str(c): c for c in df.columns}
    a, b = headers
    got = join_date_and_time(df[cols[a]], df[cols[b]])
    if got is None:
        return None
    joined, day = got
    return (a, b, joined) if day == 0 else (b, a, joined)


def _missing_column_problem(tname: str, raw: RawTable, col: str, found: list[str]) -> Problem:
    from ..parsing.headers import accepted_headers, resolve_headers

    acc = ", ".join(accepted_headers(tname, col)[:12])
    # a header known to any table: a file whose "headers" are all unknown most likely has
    # no header row, and its first record (names, ID numbers) must not be quoted
    known = {t: resolve_headers(t, found).rename for t in TABLES}
    shown = shown_headers(found, lambda h: any(known[t][h] in TABLES[t].column_names for t in TABLES))
    return Problem(
        "missing_column", tname, raw.file, raw.header_row, col, "<absent>",
        f"a column '{col}' (required in {tname}; accepted headers: {acc}; headers found: {shown}; "
        "or map one with columns=/--columns)", "error")


_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _pmap(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``[func(x) for x in items]``, in threads when there is more than one item and core."""
    if len(items) < 2 or _WORKERS < 2:
        return [func(x) for x in items]
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        return list(pool.map(func, items))
