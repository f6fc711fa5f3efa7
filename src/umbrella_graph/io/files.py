"""Read a case folder: one file per table, file stem = table name.

Accepted files: ``.csv`` (UTF-8, UTF-8 with BOM, GBK or GB18030, detected; or the
encoding you give), ``.xlsx`` (the sheet named like the table, else the first sheet;
the header may sit below a title) and ``.parquet``. File stems may be the table name
(``people.csv``) or a Chinese alias (``人员.csv``, ``交易流水.xlsx``; see
:data:`umbrella_graph.parsing.headers.TABLE_ALIASES`).

Rows keep their spreadsheet row number in ``_row`` (header = row 1 in CSV files; in
``.xlsx`` files the real sheet row, so a record under a two-line title starts at row 4).
Blank lines are not records, but they count in the row numbers, as in a spreadsheet.

CSV reading (encodings, the fast and the careful reader, broken exports) is in
:mod:`umbrella_graph.io.csv_files`; this module reads ``.xlsx`` and ``.parquet``, the
column mapping, and the folder.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute  # noqa: F401  (pa.compute)

from ..case import Case, LoadReport
from ..errors import CaseError, ParameterError, Problem
from ..parsing.headers import resolve_headers, table_for_stem
from ..schema import TABLES
from .csv_files import (
    DETECT_ORDER,
    PROVENANCE_RENAMES,
    _bom_encoding,
    _has_quotes,
    _mixed_encoding,
    _name_blank_headers,
    _NotUtf8,
    _provenance_warnings,
    _read_csv,
    _wide_encoding,
    detect_encoding,
)

__all__ = ["load_case", "read_table", "detect_encoding", "read_columns_mapping", "SUFFIXES"]

logger = logging.getLogger(__name__)

#: File suffixes read as tables.
SUFFIXES = (".csv", ".xlsx", ".parquet")
def _read_xlsx(path: Path, table: str, notes: list[str],
               warns: list[Problem] | None = None) -> tuple[pd.DataFrame, int]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors: say what to do, quote nothing from the file
        raise CaseError([Problem(
            "unreadable_file", table, path.name, None, None, f"<{type(exc).__name__}>",
            "an .xlsx workbook (Excel 2007 or later); save .xls files as .xlsx", "error")]) from None
    try:
        names = wb.sheetnames
        wanted = [n for n in names if table_for_stem(n) == table]
        ws = wb[wanted[0]] if wanted else wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        others = [n for n in names if n != ws.title and wb[n].max_row and wb[n].max_row > 1]
    finally:
        wb.close()
    if others:
        notes.append(f"{path.name}: read sheet {ws.title!r}; other sheets not read: "
                            + ", ".join(repr(o) for o in others))
    # the header: among the first 20 rows, the first with the most recognised headers
    best, best_row = -1, 0
    for i, r in enumerate(rows[:20]):
        hs = [str(c) for c in r if c is not None and str(c).strip()]
        if not hs:
            continue
        if table not in TABLES:  # a generic node or edge sheet: its first non-blank row
            best_row = i
            break
        res = resolve_headers(table, hs)
        n_known = sum(1 for h in hs if res.rename[h] in TABLES[table].column_names)
        if n_known > best:
            best, best_row = n_known, i
    if not rows:
        return pd.DataFrame(), 1
    header = rows[best_row]
    width = len(header)
    while width and (header[width - 1] is None or not str(header[width - 1]).strip()) and not any(
        len(r) >= width and r[width - 1] is not None for r in rows[best_row + 1:]
    ):
        width -= 1
    headers = _name_blank_headers(list(header[:width]))
    if warns is not None:
        warns.extend(_provenance_warnings(list(header[:width]), table, path.name))
    body = rows[best_row + 1:]
    data: dict[str, list[Any]] = {h: [] for h in headers}
    numbers: list[int] = []
    for i, r in enumerate(body, start=best_row + 2):
        cells = list(r[:width]) + [None] * max(0, width - len(r))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        for h, c in zip(headers, cells, strict=True):
            data[h].append(c)
        numbers.append(i)
    if len(set(headers)) != len(headers):
        df = pd.DataFrame([list(x) for x in zip(*data.values(), strict=True)] if numbers else [],
                          columns=headers, dtype=object)
    else:
        df = pd.DataFrame({h: pd.Series(v, dtype=object) for h, v in data.items()})
    df["_row"] = np.asarray(numbers, dtype="int64")
    return df, best_row + 1


def read_table(
    path: str | Path,
    *,
    table: str | None = None,
    encoding: str | None = None,
    lenient: bool = False,
    report: LoadReport | None = None,
) -> Any:
    """Read one table file as it is (raw headers, untyped cells).

    Returns a :class:`~umbrella_graph.validate.RawTable` (frame with ``_row``, file
    name, header row, reader problems, encoding used); if ``report`` is given, the
    encoding and notes also go there. Validation happens in :func:`load_case`.
    """
    rt = _read_table(path, table=table, encoding=encoding, lenient=lenient)
    if report is not None:
        if rt.encoding is not None:
            report.encodings[rt.file] = rt.encoding
        report.notes.extend(rt.notes)
    return rt


def _read_table(path: str | Path, *, table: str | None, encoding: str | None, lenient: bool,
                columns: Any = None) -> Any:
    from ..validate import RawTable

    p = Path(path)
    table = table or table_for_stem(p.stem) or p.stem
    bad = _file_problem(p, table)
    if bad is not None:
        raise CaseError([bad])
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(p).reset_index(drop=True)
        except Exception as exc:
            raise CaseError([Problem("unreadable_file", table, p.name, None, None,
                                     f"<{type(exc).__name__}>", "a Parquet file", "error")]) from None
        pwarns = _provenance_warnings(list(df.columns), table, p.name)
        df = df.rename(columns={k: v for k, v in PROVENANCE_RENAMES.items() if k in df.columns})
        df["_row"] = np.arange(2, len(df) + 2, dtype="int64")
        return RawTable(df, p.name, 1, pwarns, encoding="parquet")
    if suffix == ".xlsx":
        notes: list[str] = []
        warns: list[Problem] = []
        df, header_row = _read_xlsx(p, table, notes, warns)
        return RawTable(df, p.name, header_row, warns, encoding="xlsx", notes=notes)
    if suffix == ".csv":
        if encoding is not None:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ParameterError.invalid("encoding", "load_case", "a Python codec name such as "
                                             "'utf-8', 'gbk' or 'gb18030'", encoding) from None
            candidates = [encoding]
        else:
            # detection: a byte-order mark decides; else strict UTF-8 (pyarrow validates every
            # cell), then strict GBK, then GB18030: the first that reads the whole file wins
            bom = _bom_encoding(p)
            candidates = [bom] if bom else list(DETECT_ORDER)
            wide = None if bom else _wide_encoding(p)
            if wide is not None:
                raise CaseError([Problem(
                    "unreadable_file", table, p.name, None, None, f"<{wide} without a byte-order mark?>",
                    f"a text file in UTF-8, GBK or GB18030; this file holds NUL bytes, as {wide} text "
                    f"does: save it as UTF-8 (or {wide} with a byte-order mark), or pass "
                    f"encoding='{wide.lower()}-le' (CLI: --encoding)", "error")])
        quotes = _has_quotes(p)  # the same bytes whatever the encoding: scanned once
        for enc in candidates:
            if encoding is None and len(candidates) > 1 and enc == candidates[1]:
                mixed = _mixed_encoding(p, table)  # UTF-8 failed: are some lines UTF-8 all the same?
                if mixed is not None:
                    raise CaseError([mixed])
            try:
                df, problems = _read_csv(p, table, enc, lenient, columns, quotes)
                break
            except (_NotUtf8, UnicodeDecodeError):
                continue
        else:
            shown = candidates[0] if encoding is not None else "UTF-8, GBK or GB18030"
            raise CaseError([Problem(
                "unreadable_file", table, p.name, None, None, f"<not {shown}>",
                f"a text file in {shown} (it does not decode as {shown}); "
                + ("leave the encoding out to detect it" if encoding is not None
                   else "pass encoding= (CLI: --encoding) if it is another one"), "error")])
        return RawTable(df, p.name, 1, problems, encoding=enc)
    raise CaseError([Problem("unreadable_file", table, p.name, None, None, repr(p.suffix),
                             "a .csv, .xlsx or .parquet file (save .xls files as .xlsx)", "error")])


def read_columns_mapping(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a column mapping JSON file: ``{"transactions": {"Payer": "src"}, "*": {...}}``."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ParameterError(f"The column mapping {p.name} could not be read as JSON: {type(exc).__name__}.") from None
    return check_columns_mapping(data)


def check_columns_mapping(data: Any) -> dict[str, dict[str, str]]:
    """Check a ``columns=`` mapping and return it as plain dicts."""
    expected = "a mapping {table: {header: column}} with table names from the data contract or '*'"
    if not isinstance(data, Mapping):
        raise ParameterError.invalid("columns", "load_case", expected, type(data).__name__)
    out: dict[str, dict[str, str]] = {}
    for t, m in data.items():
        if t != "*" and t not in TABLES:
            raise ParameterError.invalid("columns", "load_case", expected, t)
        if not isinstance(m, Mapping) or not all(isinstance(v, str) for v in m.values()):
            raise ParameterError.invalid("columns", "load_case", expected, m)
        out[str(t)] = {str(k): str(v) for k, v in m.items()}
    return out


def _file_problem(f: Path, table: str, root: Path | None = None) -> Problem | None:
    """Why ``f`` cannot be read as a table file, or None if it is a regular file.

    Nothing here opens the file: a FIFO or a device (``/dev/zero``) named like a table
    would block or never end, so only regular files are read. Symbolic links are
    followed only to a regular file inside the case folder (``root``); a link out of the
    folder is not followed (a case folder from elsewhere must not make the loader read
    ``/etc/passwd`` into a report).
    """
    name = f.name
    if f.is_symlink():
        target = Path(os.path.realpath(f))
        if not target.exists():
            return Problem("unreadable_file", table, name, None, None, "<dangling symbolic link>",
                           "a file; this is a symbolic link to a file that does not exist", "error")
        if root is not None:
            base = Path(os.path.realpath(root))
            if target != base and base not in target.parents:
                return Problem("link_outside_case", table, name, None, None, "<symbolic link>",
                               "a file inside the case folder; this symbolic link points outside it "
                               "and was not followed (copy the file into the folder)", "error")
    try:
        st = os.stat(f)
    except OSError as exc:
        return Problem("unreadable_file", table, name, None, None, f"<{type(exc).__name__}>",
                       "a readable file", "error")
    if stat.S_ISDIR(st.st_mode):
        return Problem("not_a_file", table, name, None, None, "<folder>",
                       f"a file; {name} is a folder (sub-folders are not read: move its file up "
                       "into the case folder, or rename the folder)", "error")
    if not stat.S_ISREG(st.st_mode):
        what = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device"
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a socket"
                if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        return Problem("not_a_file", table, name, None, None, "<special file>",
                       f"a regular file; {name} is {what} and was not read", "error")
    return None


def _ignored_reason(f: Path) -> str | None:
    name = f.name
    if name.startswith((".", "~$", "_")):
        return "hidden or temporary file"
    if f.suffix.lower() not in SUFFIXES:
        return None if table_for_stem(f.stem) else "not a table file (.csv, .xlsx, .parquet)"
    if f.stem.lower().startswith("truth"):
        return "answer key of a synthetic or sample case (truth*), not case data"
    return None


def load_case(
    path: str | Path,
    *,
    encoding: str | None = None,
    columns: Mapping[str, Mapping[str, str]] | str | Path | None = None,
    lenient: bool = False,
    progress: bool | None = None,
) -> Case:
    """Load and validate the case folder at ``path``.

    Parameters
    ----------
    path : str or Path
        A folder with one file per table (``people.csv``, ``transactions.xlsx``,
        ``交易流水.csv``...). ``people`` is required, every other table optional.
        Files whose name starts with ``truth`` (answer keys of synthetic cases), ``.``,
        ``_`` or ``~$``, and files that are not tables (``README.md``) are ignored and
        listed in ``case.report.ignored``.
    encoding : str, optional
        Encoding of every CSV file; default: detect per file (BOM, then UTF-8, GBK,
        GB18030). The encoding used is in ``case.report.encodings``.
    columns : mapping or path, optional
        Your header mapping ``{"transactions": {"Payer": "src"}}`` (``"*"`` for every
        table), or the path of a JSON file holding it.
    lenient : bool, default False
        Skip bad rows instead of failing; see :func:`~umbrella_graph.case_from_frames`.
    progress : bool, optional
        Show a progress bar on stderr; default: only when stderr is a terminal.

    Returns
    -------
    Case

    Raises
    ------
    CaseError
        Listing every problem (file, row, column, value, what was expected).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "人员.csv").write_text("编号,姓名\\np1,张三\\n", encoding="gbk")
    >>> case = load_case(d)
    >>> case["people"]["id"].tolist(), case.report.encodings
    (['p1'], {'人员.csv': 'gbk'})
    """
    from tqdm import tqdm

    from ..validate import RawTable, validate_tables

    root = Path(path)
    if not root.is_dir():
        raise CaseError([Problem("missing_folder", "", str(root), None, None, "<absent>",
                                 "a folder holding people.csv and the other case tables")])
    if isinstance(columns, str | Path):
        mapping: dict[str, dict[str, str]] | None = read_columns_mapping(columns)
    else:
        mapping = check_columns_mapping(columns) if columns is not None else None
    report = LoadReport()
    problems: list[Problem] = []
    chosen: dict[str, Path] = {}
    for f in sorted(root.iterdir(), key=lambda q: q.name):
        if f.is_dir() and not f.is_symlink() and f.suffix.lower() not in SUFFIXES:
            report.ignored[f.name] = "a folder (sub-folders are not read)"
            continue
        why = _ignored_reason(f)
        if why is not None:
            report.ignored[f.name] = why
            continue
        bad = _file_problem(f, table_for_stem(f.stem) or f.stem, root)
        if bad is not None:
            problems.append(bad)
            continue
        table = table_for_stem(f.stem)
        if table is None:
            problems.append(Problem(
                "unknown_table", f.stem, f.name, None, None, repr(f.name),
                "a file named after a table: " + ", ".join(TABLES) + " (or a Chinese alias such as "
                "人员, 交易流水); rename it, or move it out of the case folder",
                "skipped" if lenient else "error"))
            continue
        if table in chosen:
            problems.append(Problem(
                "duplicate_table", table, f.name, None, None, repr(f.name),
                f"one file per table, but {chosen[table].name} is also the {table} table; remove one",
                "error"))
            continue
        chosen[table] = f
    total = sum(f.stat().st_size for f in chosen.values())
    disable = None if progress is None else not progress
    with tqdm(total=total, unit="B", unit_scale=True, desc="loading case", disable=disable,
              leave=False) as bar:

        def reader(table: str, f: Path) -> Callable[[], RawTable]:
            def read() -> RawTable:
                rt = _read_table(f, table=table, encoding=encoding, lenient=lenient, columns=mapping)
                logger.info("read %s as %s: %d rows", f.name, table, len(rt.frame))
                bar.update(f.stat().st_size)
                return rt

            return read

        # files are read when their table is typed, so only a few tables' raw cells are
        # held at once
        raw = {t: reader(t, f) for t, f in chosen.items()}
        case = validate_tables(raw, columns=mapping, lenient=lenient, report=report, name=root.name,
                               problems=problems)
    return case
