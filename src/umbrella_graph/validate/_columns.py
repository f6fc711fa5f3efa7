"""Typing one column: dates, amounts, numbers, enums and labels, with bad cells flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..case import column_dtype
from ..domain import (
    ENUM_COLUMNS,
    dated_contacts,
    dated_only,
    enum_canonical,
    enum_spellings,
    is_enforcement,
    tie_relation,
)
from ..errors import mask_value
from ..parsing.amounts import parse_amounts, parse_numbers
from ..parsing.cells import (
    DATE_MAX,
    DATE_MIN,
    HUGE_AMOUNT,
    arrow_strings,
    as_text,
    from_arrow_strings,
)
from ..parsing.dates import parse_dates_us, to_ns, utc_offsets
from ..parsing.durations import parse_durations
from ..schema import TABLES, Column, TableSpec
from ._tables import (
    _AMOUNT_EXPECTED,
    _DATE_EXPECTED,
    _DURATION_EXPECTED,
    LABEL_ALIASES,
    OffsetColumn,
    _Collector,
)


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

    def missing(blank: np.ndarray) -> None:
        """Empty cells of a required column: the row is skipped."""
        if col.required:
            out.add_rows(df, blank, name, col.name, "missing_value", "a value (this column is required)")
            skip[:] |= blank

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
        us, bad_cells = parse_dates_us(raw)
        ns, low, high = to_ns(us)
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
        missing(parsed.isna().to_numpy() & ~bad_cells & ~low & ~high)
        flag(bad_cells, "bad_date", expected)
        _check_offsets(df, spec, col, raw, out)
        if col.type == "datetime":
            _note_no_clock(df, spec, col, ns, out)
        flag((low | high) & ~open_end & ~open_start, "date_out_of_range",
             f"a date from {lo_txt} to {hi_txt} (the range a date column holds)", written)
        df[col.name] = parsed
    elif col.type == "amount":
        parsed, bad = parse_amounts(raw)
        missing((parsed.isna() & ~bad).to_numpy())
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
    elif col.type == "duration":
        parsed, bad = parse_durations(raw, unit=scale)  # 时长(分钟): plain numbers are minutes
        missing((parsed.isna() & ~bad).to_numpy())
        flag(bad, "bad_duration", _DURATION_EXPECTED)
        df[col.name] = parsed.where(~np.asarray(bad, dtype=bool)).astype(column_dtype(col.type))
    elif col.type in ("float", "int"):
        parsed, bad = parse_numbers(raw)
        missing((parsed.isna() & ~bad).to_numpy())
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
    arr = arrow_strings(s)
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
        s = from_arrow_strings(mapped, s.index)
    a = arrow_strings(s)
    bad = pc.and_(pc.is_valid(a), pc.invert(pc.is_in(a, value_set=pa.array(col.choices))))
    b = flag(bad.to_numpy(zero_copy_only=False), "bad_choice", _enum_expected(spec, col))
    return s, b


#: Free-text kind columns that the domain vocabulary reads, and the classes it reads them as.
KIND_READINGS: dict[str, tuple[Callable[[Any], np.ndarray], dict[Any, str]]] = {
    "events": (is_enforcement, {True: "enforcement", False: "not enforcement (no raid, arrest, inspection or "
                                "sweep word)"}),
    "ties": (tie_relation, {"spouse": "spouse", "kin": "another relative", "": "not family"}),
}


def note_kind_readings(df: pd.DataFrame, spec: TableSpec, out: _Collector, shown: int = 8) -> None:
    """How the vocabulary read a table's free-text kinds (``抓捕`` as enforcement, ``同事``
    as not family), said in a note with counts, most frequent first: a word it does not
    know is read as the plain class, so the analyst sees which words those were."""
    if spec.name not in KIND_READINGS or "kind" not in df.columns or not df["kind"].notna().any():
        return
    read, names = KIND_READINGS[spec.name]
    counts = df["kind"].dropna().astype(str).value_counts().sort_index().sort_values(ascending=False, kind="stable")
    classes = read(counts.index.to_numpy(dtype=object))
    parts = []
    for cls, name in names.items():
        words = [(w, int(n)) for w, n, c in zip(counts.index, counts.to_numpy(), classes, strict=True) if c == cls]
        if words:
            more = f" and {len(words) - shown} more" if len(words) > shown else ""
            parts.append(f"{name}: " + ", ".join(f"{mask_value(None, w)} ({n})" for w, n in words[:shown]) + more)
    files = pd.unique(df["_file"].to_numpy())
    out.notes.append(f"{', '.join(map(str, files))}: column 'kind' of {spec.name} read by the vocabulary as "
                     + "; ".join(parts) + " (domain/vocabulary.json)")


def note_events_without_gang(df: pd.DataFrame, out: _Collector) -> None:
    """Enforcement events that name no gang (a police log naming the person or company
    raided): each is read as on the gang whose side holds its target
    (:func:`umbrella_graph.scoring.facts.event_gang_ids`); one naming no target either is
    not tested for tip-offs. Said in a note with the first such row."""
    if not {"kind", "gang_id"} <= set(df.columns) or not len(df):
        return
    lost = is_enforcement(df["kind"].astype("string").fillna("").to_numpy(dtype=object)) & df["gang_id"].isna().to_numpy()
    if lost.any():
        first = df[lost].iloc[0]
        no_target = lost & (df["target_id"].isna().to_numpy() if "target_id" in df.columns else True)
        out.notes.append(f"{first['_file']}: {int(lost.sum())} enforcement event(s) of events name no gang (the first "
                         f"on row {int(first['_row'])}): each is read as on the gang whose side holds its "
                         f"target (a listed member, or a company or person the scorer places there); "
                         f"{int(no_target.sum())} name no target either and are not tested for tip-offs; fill "
                         "gang_id for the gang each one targeted")


def note_dated_contacts(df: pd.DataFrame, out: _Collector) -> None:
    """Contacts of one kind in one file recorded as dates beside contacts with hours (a
    meetings file written as 见面日期, meetings without a time in a timed export): each is
    read as some time of its day (:func:`umbrella_graph.domain.dated_contacts`). Said in a
    note per file and kind; a table with no hour at all gets :func:`_note_no_clock`'s."""
    if not {"kind", "time"} <= set(df.columns) or not len(df):
        return
    dated = dated_contacts(df)
    if not dated.any() or dated.sum() == df["time"].notna().sum():
        return
    groups = df.loc[dated, ["_file", "kind"]].astype("string").fillna("")
    for (f, k), n in groups.value_counts(sort=False).sort_index().items():
        out.notes.append(f"{f}: {n} {k} contact(s) with no time of day (read as midnight), beside "
                         f"contacts with hours: {_NO_CLOCK['dated contacts']}")


def _note_no_clock(df: pd.DataFrame, spec: TableSpec, col: Column, ns: np.ndarray, out: _Collector) -> None:
    """A date-and-time column whose every time is midnight most likely holds dates only
    (a call record's 通话日期): hour-scale timing, a call hours before a raid, cannot be
    read from it. Said in a note; the dates are loaded as they are. Events are judged per
    file and kind, as the tip-off test reads them (:func:`umbrella_graph.domain.dated_only`)."""
    if spec.name == "events":  # per file and kind, as the tip-off test reads them (a small table)
        dated, fcol = dated_only(ns, df["_file"], df["kind"]), df["_file"].to_numpy()
        kcol = df["kind"].astype("string").fillna("").to_numpy(dtype=object)
        timed = ~dated & ~np.isnat(np.asarray(ns))
        for f in pd.unique(fcol[dated]):
            in_f = fcol == f
            if not (timed & in_f).any():  # the whole file gives days only
                if (n := int((dated & in_f).sum())) >= 2:
                    out.notes.append(f"{f}: column '{col.name}' of events: no time of day in any of its {n} dates "
                                     f"(all read as midnight): {_NO_CLOCK['events']}")
                continue
            for k in sorted(pd.unique(kcol[dated & in_f]), key=str):
                n = int((dated & in_f & (kcol == k)).sum())
                out.notes.append(f"{f}: {n} {k} event(s) with no time of day (read as midnight), beside events "
                                 f"with hours: {_NO_CLOCK['events']}")
        return
    # other tables: the file column (a million rows' names) is looked at only for the note
    i8 = np.asarray(ns).view("int64")
    for part in (i8[:4096], i8):  # times of day usually show in the first rows already
        v = part[part != np.iinfo(np.int64).min]  # NaT
        if (v % 86_400_000_000_000).any():  # nanoseconds past midnight
            return
    if len(v) < 2:  # v: every date of the column
        return
    why = _NO_CLOCK.get(spec.name, _NO_CLOCK[""])
    files = pd.unique(df["_file"].to_numpy())
    out.notes.append(f"{', '.join(map(str, files))}: column '{col.name}' of {spec.name}: no time of day in any "
                     f"of its {len(v)} dates (all read as midnight): {why}")


_NO_CLOCK = {"events": "each event is read as any time of its day: a contact that day may come before it or after it",
             "contacts": "timing in hours cannot be judged from it; when no contact has an hour, events are compared "
                         "with them by their day",
             "dated contacts": "each is read as some time of its day: one on the day of an event with an hour is "
                               "not tested against it, and its lead before a later event runs from its day's start",
             "": "timing in hours, such as a call hours before a raid, cannot be judged from it"}


def _check_offsets(df: pd.DataFrame, spec: TableSpec, col: Column, raw: pd.Series, out: _Collector) -> None:
    """Times written with a UTC offset: the offset is dropped (the wall-clock time as
    written is kept, docs/data-contract.md), said in a note; the offsets are kept in
    ``out.offsets`` for :func:`check_case_offsets`, which flags those that differ."""
    if isinstance(raw.dtype, pd.StringDtype):
        arr = arrow_strings(raw)
    elif pd.api.types.is_object_dtype(raw.dtype):  # spreadsheet cells: only the text ones
        arr = arrow_strings(raw.map(lambda v: v if isinstance(v, str) else None).astype("string"))
    else:
        return  # typed timestamp columns carry one zone, or none
    found = utc_offsets(arr)
    if found is None:
        return
    off = pd.Series(found.to_pylist(), dtype="string")
    has = off.notna().to_numpy()
    counts = off[has].value_counts().sort_index().sort_values(ascending=False, kind="stable")
    files = pd.unique(df["_file"].to_numpy())
    out.notes.append(f"{', '.join(map(str, files))}: column '{col.name}' of {spec.name}: {int(has.sum())} "
                     f"time(s) written with a UTC offset ({', '.join(map(str, counts.index))}); read as the "
                     "wall-clock time written, the offset dropped")
    pos = np.flatnonzero(has)
    out.offsets.append(OffsetColumn(spec.name, col.name, pos,
                                    off.to_numpy(dtype=object)[pos], raw.to_numpy(dtype=object)[pos]))


def check_case_offsets(typed: dict[str, pd.DataFrame], skips: dict[str, np.ndarray], out: _Collector) -> None:
    """Times in different UTC offsets, in one column or across the case's tables (a call
    record in UTC, events in Beijing time), would be hours off against each other, since
    each is read as the wall-clock time written: every time whose offset differs from the
    case's most common one is bad (``mixed_utc_offsets``), as any bad cell is (the row
    skipped, or an optional cell left empty under ``lenient``)."""
    offsets = [o for o in out.offsets if o.table in typed]  # gathered from every table
    if not offsets:
        return
    allv = pd.Series(np.concatenate([o.offsets for o in offsets]), dtype="string")
    # most rows first, ties by the offset itself: the same answer in any row order
    counts = allv.value_counts().sort_index().sort_values(ascending=False, kind="stable")
    if len(counts) == 1:
        return
    main = str(counts.index[0])
    at = next(o for o in offsets if (o.offsets == main).any())
    df0 = typed[at.table]
    i0 = at.rows[np.flatnonzero(at.offsets == main)[0]]
    first = f"{df0['_file'].to_numpy()[i0]}, row {int(df0['_row'].to_numpy()[i0])}, column '{at.column}'"
    expected = (f"a time in the case's one UTC offset ({main}, as in {first}): times are read as the "
                "wall-clock time written, so a time in another offset would be off by hours against "
                "the others (write every table in one zone)")
    for o in offsets:
        other = o.offsets != main
        if not other.any():
            continue
        df = typed[o.table]
        mask = np.zeros(len(df), dtype=bool)
        mask[o.rows[other]] = True
        written = pd.Series(None, index=df.index, dtype=object)
        written.iloc[o.rows] = o.raw
        if TABLES[o.table].column(o.column).required or not out.lenient:
            out.add_rows(df, mask, o.table, o.column, "mixed_utc_offsets", expected, written)
            skips[o.table] |= mask
        else:
            out.add_rows(df, mask, o.table, o.column, "mixed_utc_offsets", expected + "; the cell was left empty",
                         written, action="repaired")
            df.loc[mask, o.column] = pd.NaT
