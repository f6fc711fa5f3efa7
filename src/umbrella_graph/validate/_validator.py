"""The validator: typed tables, checks, and the case (:func:`validate_tables`,
:func:`case_from_frames`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from ..case import Case, LoadReport, column_dtype
from ..errors import CaseError, Problem
from ..schema import TABLES
from ._checks import _check_facts, _check_ids, _check_references
from ._columns import (
    KIND_READINGS,
    _coerce_column,
    check_case_offsets,
    note_dated_contacts,
    note_events_without_gang,
    note_kind_readings,
)
from ._tables import (
    FATAL_CODES,
    RawTable,
    _apply_headers,
    _Collector,
    _missing_column_problem,
    _pmap,
    _stable_ids,
    _with_provenance,
    logger,
)

# --------------------------------------------------------------------------------------
# the validator
# --------------------------------------------------------------------------------------
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
) -> tuple[pd.DataFrame | None, np.ndarray | None, int | None, _Collector]:
    """Headers, provenance and typed columns of one table: (frame, rows to skip, rows read,
    and its collector: problems, notes, times written with a UTC offset)."""
    out = _Collector(lenient)
    out.problems.extend(rt.problems)
    spec = TABLES[tname]
    frame, scales = _apply_headers(tname, rt, columns, out, aliases)
    if frame is None:
        return None, None, None, out
    df = _with_provenance(frame, rt.file)
    n_read = len(df) + sum(1 for p in rt.problems if p.row is not None)
    missing = [c for c in spec.required if c not in df.columns]
    for cname in missing:
        out.add(_missing_column_problem(tname, rt, cname, [str(h) for h in rt.frame.columns
                                                           if h not in ("_file", "_row")]))
    if missing:
        return None, None, n_read, out
    for c in spec.columns:
        if c.name not in df.columns:
            df[c.name] = pd.Series(None, index=df.index, dtype=column_dtype(c.type))  # type: ignore[call-overload]
    skip = np.zeros(len(df), dtype=bool)
    for c in spec.columns:
        _coerce_column(df, spec, c, out, skip, scales.get(c.name, 1.0))
    if tname in KIND_READINGS:  # free-text kinds the vocabulary reads
        note_kind_readings(df.loc[~skip, ["kind", "_file"]], spec, out)
    if tname == "events":
        note_events_without_gang(df.loc[~skip], out)
    if tname == "contacts":
        note_dated_contacts(df.loc[~skip], out)
    if tname in _CONTENT_IDS:  # records without an id get a stable one from their content
        cols, prefix = _CONTENT_IDS[tname]
        no_id = df["id"].isna().to_numpy()
        if no_id.any():
            df.loc[no_id, "id"] = _stable_ids(df.loc[no_id], cols, prefix)
    # canonical columns first, extra columns kept, provenance last
    extra = [c for c in df.columns if c not in spec.column_names and c not in ("_file", "_row")]
    return df[[*spec.column_names, *extra, "_file", "_row"]], skip, n_read, out


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

    def one(tname: str) -> tuple[RawTable, tuple[pd.DataFrame | None, np.ndarray | None, int | None, _Collector]]:
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
    for tname, (rt, (df, skip, n_read, got)) in zip(names, results, strict=True):
        out.problems.extend(got.problems)
        out.offsets.extend(got.offsets)
        if rt.encoding is not None:
            report.encodings[rt.file] = rt.encoding
        report.notes.extend(rt.notes)
        report.notes.extend(got.notes)
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

    check_case_offsets(typed, skips, out)
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
        names or any alias of :mod:`umbrella_graph.parsing.headers` (``姓名``, ``付款方``...).
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
