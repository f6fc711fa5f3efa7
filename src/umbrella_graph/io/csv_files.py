"""CSV files of a case folder: encoding detection (UTF-8, BOM, GBK, GB18030), the fast
pyarrow reader and the careful fallback, and the problems a CSV export can carry (an open
quote swallowing rows, a wrong delimiter, mixed encodings, blank or provenance headers).

Rows keep their spreadsheet row number in ``_row`` (header = row 1), blank lines counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import mmap
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import CaseError, Problem
from ..parsing.headers import resolve_headers
from ..schema import TABLES

__all__ = ["detect_encoding", "read_text_csv", "DETECT_ORDER", "NULL_TOKENS"]

logger = logging.getLogger(__name__)

#: Encodings tried, in order, when none is given (after a byte-order mark check).
DETECT_ORDER = ("utf-8", "gbk", "gb18030")
#: Cells read as missing in CSV files (besides empty cells).
NULL_TOKENS = ("", "NULL", "null", "NaN", "nan", "N/A", "#N/A")

_CHUNK = 1 << 20
#: Bytes at the head of a CSV file tried with the typed reader (a heuristic only: a later
#: cell that does not convert makes the file be read again as text).
_SAMPLE_BYTES = 1 << 18


def detect_encoding(path: str | Path) -> str:
    """Detect the text encoding of a CSV file, deterministically.

    A UTF-8 byte-order mark gives ``"utf-8-sig"`` (UTF-16 marks give ``"utf-16"``);
    otherwise the whole file is decoded strictly as UTF-8, then GBK, then GB18030, and
    the first that succeeds is returned. Pure ASCII files are ``"utf-8"``.

    Raises
    ------
    CaseError
        ``unreadable_file`` if none of them decodes the file.
    """
    p = Path(path)
    bom = _bom_encoding(p)
    if bom is not None:
        return bom
    for enc in DETECT_ORDER:
        if _decodes(p, enc):
            return enc
    raise CaseError([Problem(
        "unreadable_file", "", p.name, None, None, "<binary or unknown encoding>",
        "a text file in UTF-8, GBK or GB18030; pass encoding= (CLI: --encoding) if it is "
        "another one", "error")])


def _bom_encoding(path: Path) -> str | None:
    with path.open("rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _decodes(path: Path, encoding: str) -> bool:
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                dec.decode(chunk)
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _header_line(path: Path, encoding: str) -> list[str]:
    """The first record of a CSV file (the header), as written."""
    with path.open("r", encoding=encoding, newline="") as f:
        for rec in csv.reader(f):
            return [h.replace("\ufeff", "") for h in rec]
    return []


def _col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


#: Input columns named like the provenance columns are kept under these names: the
#: provenance of a row is always the file and row it was read from, never a cell.
PROVENANCE_RENAMES = {"_file": "input_file", "_row": "input_row"}


def _name_blank_headers(headers: list[Any]) -> list[str]:
    names = [str(h).strip() if h is not None and str(h).strip() else f"column_{_col_letter(i)}"
             for i, h in enumerate(headers)]
    return [PROVENANCE_RENAMES.get(h, h) for h in names]


def _provenance_warnings(raw_headers: list[Any], table: str, file: str) -> list[Problem]:
    found = [h for h in (str(x).strip() for x in raw_headers if x is not None) if h in PROVENANCE_RENAMES]
    return [Problem(
        "provenance_column", table, file, None, h, repr(h),
        f"no column named {h!r} (a name the library uses for provenance); kept as "
        f"{PROVENANCE_RENAMES[h]!r}: the provenance of each row is the file and row it was read "
        "from", "warning") for h in found]


def _has_quotes(path: Path) -> bool:
    """Whether the file holds a double quote (then cells may hold line breaks)."""
    with path.open("rb") as f:
        if not os.fstat(f.fileno()).st_size:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:  # searched in place, not copied
            return m.find(b'"') >= 0


#: The longest cell the record-by-record reader accepts (the csv module's default limit
#: is 128 KiB; a longer cell is legal CSV, so the limit is raised to this).
MAX_CELL_CHARS = 64 << 20


def _wide_encoding(path: Path) -> str | None:
    """``"UTF-16"`` or ``"UTF-32"`` if the file looks like one without a byte-order mark.

    Text in UTF-16 or UTF-32 holds NUL bytes (every ASCII character has one or three);
    a CSV file in UTF-8, GBK or GB18030 never does.
    """
    with path.open("rb") as f:
        head = f.read(4096)
    if head.count(b"\x00") * 5 < len(head):  # none, or a stray NUL in a cell (a bad_row later)
        return None
    if b"\x00\x00\x00" in head:
        return "UTF-32"
    return "UTF-16"


def _delimiter_hint(headers: list[str]) -> str | None:
    """What a one-cell header row says about the file's delimiter, or None."""
    if len(headers) != 1:
        return None
    h = headers[0]
    for sep, name in (("\t", "tab"), (";", "';'"), ("|", "'|'"), ("，", "full-width '，'")):
        if sep in h:
            return (f"cells separated by commas; the header row holds no comma but {h.count(sep)} "
                    f"{name} separator(s): the file looks {name}-separated. Save it as CSV with "
                    "commas (in Excel: CSV UTF-8), or as .xlsx")
    return None


def _quote_count(path: Path) -> int:
    n = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            n += chunk.count(b'"')
    return n


def _open_quote_problem(path: Path, table: str, encoding: str, headers: list[str]) -> Problem:
    """The record where a quote left open runs to the end of the file."""
    start_row, cell, rec_no = 2, None, 1
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        last_line = reader.line_num
        try:
            for rec_no, rec in enumerate(reader, start=2):  # noqa: B007
                start_row, last_line = last_line + 1, reader.line_num
                cell = rec
        except csv.Error:
            pass
    col = None
    if cell is not None:
        multi = [i for i, c in enumerate(cell) if "\n" in c or "\r" in c]
        i = multi[0] if multi else len(cell) - 1
        col = headers[i] if 0 <= i < len(headers) else None
    return Problem(
        "unclosed_quote", table, path.name, rec_no, col, f"<a quote opened on line {start_row}>",
        f"a closing double quote: the quote opened in this cell (line {start_row} of the file) is "
        "never closed, so every later line would be read into this one cell; close the quote, or "
        "double a quote that is part of the text (\"\")", "error")


def _id_like(text: str) -> bool:
    """Whether the first field of a line could be a record's first cell (an id): short, no spaces."""
    t = text.strip().strip('"')
    return 0 < len(t) <= 40 and not any(ch.isspace() for ch in t)


def _swallowed_rows(df: pd.DataFrame, headers: list[str], rows: np.ndarray, table: str,
                    file: str) -> list[Problem]:
    """Quoted cells holding line breaks whose later lines look like whole records.

    A stray quote in one cell makes the reader take the following lines as that cell's
    text until the next quote: records disappear into one cell. A legitimate multi-line
    cell (an address, a memo) rarely holds a line with as many commas as a record has.
    """
    n = len(headers)
    if n < 2:
        return []
    out = []
    for j, h in enumerate(headers):
        col = df.iloc[:, j]  # by position: headers may repeat (an error reported later)
        if not (isinstance(col.dtype, pd.StringDtype) or pd.api.types.is_object_dtype(col.dtype)):
            continue
        ea = col.array
        arr = ea._pa_array if hasattr(ea, "_pa_array") else pa.array(
            col.astype("string").to_numpy(dtype=object, na_value=None), pa.string())
        if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
            continue
        has_nl = pc.fill_null(pc.match_substring(arr, "\n"), False).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(has_nl):
            text = str(col.iat[i])
            lines = text.splitlines()[1:]
            full = [ln for ln in lines if ln.count(",") >= n - 1 and _id_like(ln.split(",", 1)[0])]
            if full:
                out.append(Problem(
                    "quote_swallowed_rows", table, file, int(rows[i]), h,
                    f"<a quoted cell of {len(lines) + 1} lines>",
                    f"one cell; this quoted cell runs over {len(lines) + 1} lines and {len(full)} of "
                    f"them look like whole records ({n} cells): a quote is probably left open in "
                    "this cell; close it, or double a quote that is part of the text (\"\")",
                    "error"))
                break
    return out


def _mixed_encoding(path: Path, table: str) -> Problem | None:
    """A file whose lines are in different encodings (some UTF-8 with Chinese text, some not).

    Decoding such a file wholly as GBK turns its UTF-8 lines into mojibake (``张三`` ->
    ``寮犱笁``) without any error; so it is refused, naming the lines of each kind.
    Chunks are decoded in C (invalid bytes as U+FFFD) and their lines classified with
    pyarrow kernels: no Python loop per line.
    """
    utf8: list[int] = []
    other: list[int] = []
    line0 = 1
    with path.open("rb") as f:
        rest = b""
        while True:
            chunk = f.read(_CHUNK * 4)
            data = rest + chunk
            if chunk:
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
            else:
                rest = b""
            if not data.isascii():
                # decoded in C with invalid bytes as U+FFFD; lines classified by pyarrow kernels
                text = data.decode("utf-8", errors="replace").encode("utf-8")
                one = pa.Array.from_buffers(pa.large_string(), 1, [
                    None, pa.py_buffer(np.array([0, len(text)], dtype=np.int64)), pa.py_buffer(text)])
                split = pc.list_flatten(pc.split_pattern(one, "\n"))
                bad = pc.match_substring(split, "\ufffd").to_numpy(zero_copy_only=False)
                ascii_ = pc.string_is_ascii(split).to_numpy(zero_copy_only=False)
                other.extend((line0 + np.flatnonzero(bad)[:6]).tolist())
                # valid non-ASCII lines (few in a GBK file): do they hold Chinese text?
                for i in np.flatnonzero(~ascii_ & ~bad):
                    if len(utf8) > 5:
                        break
                    if any("\u3400" <= ch <= "\u9fff" for ch in split[int(i)].as_py()):
                        utf8.append(line0 + int(i))
            line0 += data.count(b"\n")
            if not chunk or (len(utf8) > 5 and len(other) > 5):
                break
    if not utf8 or not other:
        return None

    def lines(xs: list[int]) -> str:
        return ", ".join(str(x) for x in xs[:5]) + (" ..." if len(xs) > 5 else "")

    return Problem(
        "mixed_encoding", table, path.name, other[0], None, "<mixed encodings>",
        f"one encoding for the whole file; line(s) {lines(utf8)} are UTF-8 with Chinese text but "
        f"line(s) {lines(other)} are not UTF-8 (GBK?): read as one encoding, one of the two sets "
        "would be garbled. Save the whole file in one encoding, or pass encoding= (CLI: "
        "--encoding) to read it all as one", "error")


class _NotUtf8(Exception):
    pass


def _typed_columns(path: Path, table: str, headers: list[str], encoding: str, columns: Any) -> dict[str, Any]:
    """Date and number columns that pyarrow may convert while reading.

    A column qualifies if a sample of the file (its first 256 KiB) converts cleanly: ISO
    dates to timestamps, plain numbers to float64. Converting in the (multi-threaded)
    reader saves building and re-parsing strings; if a later cell does not convert, the
    file is read again as text and every bad cell is reported as usual.
    """
    if table not in TABLES or table == "labels" or encoding.lower().startswith("utf-16"):
        return {}
    res = resolve_headers(table, headers, columns)
    if res.conflicts:
        return {}
    spec = TABLES[table]
    want: dict[str, Any] = {}
    for h in headers:
        col = res.rename.get(h)
        if col not in spec.column_names or col in res.scales:
            continue
        typ = spec.column(col).type
        if typ in ("date", "datetime"):
            # a date out of the ns range (9999-12-31) fails the sample or the read, and the
            # column is then read as text and range-checked by the validator
            want[h] = pa.timestamp("ns")
        elif typ in ("amount", "duration", "float", "int"):
            want[h] = pa.float64()
    if not want:
        return {}
    with path.open("rb") as f:
        head = f.read(_SAMPLE_BYTES)
    cut = head.rfind(b"\n")
    head = head[: cut + 1] if cut > 0 else head
    try:
        sample = pacsv.read_csv(
            io.BytesIO(head),
            read_options=pacsv.ReadOptions(encoding="utf8" if encoding in ("utf-8", "utf-8-sig") else encoding,
                                           column_names=headers, skip_rows=1),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in headers},
                                                 strings_can_be_null=True, null_values=list(NULL_TOKENS)))
    except (pa.ArrowInvalid, UnicodeDecodeError, ValueError):
        return {}
    ok: dict[str, Any] = {}
    for h, typ in want.items():
        try:
            sample.column(h).cast(typ)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, KeyError):
            continue
        ok[h] = typ
    return ok


def _read_csv(path: Path, table: str, encoding: str, lenient: bool,
              columns: Any = None, quotes: bool = True) -> tuple[pd.DataFrame, list[Problem]]:
    """Read with pyarrow (cells as large strings, pandas' own storage, so no cast; clean
    date/number columns converted on the way);
    fall back to the csv module on ragged rows.

    Raises :class:`_NotUtf8` if ``encoding`` is UTF-8 and the file is not.
    """
    utf8 = encoding in ("utf-8", "utf-8-sig", "utf8")
    try:
        raw_headers = _header_line(path, encoding)
    except UnicodeDecodeError:
        if utf8:
            raise _NotUtf8() from None
        raise
    headers = _name_blank_headers(raw_headers)
    hint = _delimiter_hint(raw_headers)
    if hint is not None:
        raise CaseError([Problem("wrong_delimiter", table, path.name, 1, None, "<1 header cell>", hint,
                                 "error")])
    if quotes and _quote_count(path) % 2:
        raise CaseError([_open_quote_problem(path, table, encoding, headers)])
    invalid: list[int] = []

    def handler(row: Any) -> str:
        invalid.append(int(row.actual_columns))
        return "skip"

    typed = _typed_columns(path, table, headers, encoding, columns) if len(set(headers)) == len(headers) else {}

    def read(types: dict[str, Any]) -> Any:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf8" if utf8 else encoding,
                                           column_names=headers, skip_rows=1),
            parse_options=pacsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=quotes,
                                             invalid_row_handler=handler),
            convert_options=pacsv.ConvertOptions(
                column_types={h: types.get(h, pa.large_string()) for h in headers}, strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=list(NULL_TOKENS)),
        )

    tbl = None
    try:
        try:
            tbl = read(typed)
        except pa.ArrowInvalid as exc:
            if not typed or (utf8 and "UTF8" in str(exc)):
                raise
            invalid.clear()
            tbl = read({})  # a date or number cell that needs the full parser: read as text
    except pa.ArrowInvalid as exc:  # the message may quote a row: do not pass it on
        if utf8 and "UTF8" in str(exc):
            raise _NotUtf8() from None
        logger.info("pyarrow could not parse %s (%s); using the csv module", path.name, type(exc).__name__)
        tbl = None
    if invalid or tbl is None:
        try:
            df, probs = _read_csv_slow(path, table, encoding, headers, lenient)
            return df, probs + _provenance_warnings(raw_headers, table, path.name)
        except UnicodeDecodeError:
            if utf8:
                raise _NotUtf8() from None
            raise
    # blank lines are not records, but they count in the row numbers
    blank = None
    for col in tbl.columns:
        isnull = pa.compute.is_null(col)
        blank = isnull if blank is None else pa.compute.and_(blank, isnull)
    rows = np.arange(2, tbl.num_rows + 2, dtype="int64")
    if blank is not None and pa.compute.any(blank).as_py():
        keep = pa.compute.invert(blank)
        tbl = tbl.filter(keep)
        rows = rows[keep.to_numpy(zero_copy_only=False)]
    tbl = tbl.combine_chunks()  # one chunk per column: later kernels need no copies
    cols = [pd.Series(pd.arrays.ArrowStringArray(tbl.column(i)), name=h, copy=False)
            if pa.types.is_large_string(tbl.schema.field(i).type)
            else _numpy_series(tbl.column(i), h)
            for i, h in enumerate(headers)]
    if len(set(headers)) == len(headers):
        df = pd.DataFrame({c.name: c for c in cols}, copy=False)
    else:  # duplicate headers: keep them all (an error later)
        df = pd.concat(cols, axis=1)
    df["_row"] = rows
    if quotes:
        swallowed = _swallowed_rows(df, headers, rows, table, path.name)
        if swallowed:
            raise CaseError(swallowed)
    return df, _provenance_warnings(raw_headers, table, path.name)


def _numpy_series(col: Any, name: str) -> pd.Series:
    """A converted (number or timestamp) column as a numpy-backed Series; copied only if
    the array is a read-only view of arrow memory (later code may write into it)."""
    v = col.to_numpy()
    return pd.Series(v, name=name, copy=not v.flags.writeable)


def _read_csv_slow(
    path: Path, table: str, encoding: str, headers: list[str], lenient: bool
) -> tuple[pd.DataFrame, list[Problem]]:
    """Record by record, for files with ragged rows: exact row numbers for every problem."""
    problems: list[Problem] = []
    n = len(headers)
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    if csv.field_size_limit() < MAX_CELL_CHARS:
        csv.field_size_limit(MAX_CELL_CHARS)  # legal CSV may hold long cells (never lowered)
    with path.open("r", encoding=encoding, newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        records = enumerate(reader, start=2)
        i = 1
        while True:
            try:
                i, rec = next(records)
            except StopIteration:
                break
            except csv.Error as exc:
                reason = "a cell over 64 MiB" if "field larger" in str(exc) else (
                    "a NUL character" if "NUL" in str(exc) else "a malformed record")
                raise CaseError([Problem(
                    "bad_row", table, path.name, i + 1, None, f"<{reason}>",
                    f"a CSV record (line {reader.line_num} of the file holds {reason})", "error")]) from None
            if not rec or all(not c.strip() for c in rec):
                continue
            if len(rec) != n:
                problems.append(Problem(
                    "bad_row", table, path.name, i, None, f"<{len(rec)} cells>",
                    f"{n} cells, one per header (a comma or line break inside an unquoted cell? "
                    "quote such cells)", "skipped" if lenient else "error"))
                continue
            rows.append([None if c.strip() in NULL_TOKENS else c for c in rec])
            numbers.append(i)
    df = pd.DataFrame(rows, columns=headers, dtype="string") if rows else pd.DataFrame(
        {h: pd.Series([], dtype="string") for h in headers})
    df["_row"] = np.asarray(numbers, dtype="int64")
    return df, problems


def read_text_csv(path: Path, *, encoding: str, skiprows: int = 0, **kwargs: Any) -> pd.DataFrame:
    """A CSV file read by pandas, for the readers that are not
    :func:`~umbrella_graph.load_case` (raw exports, edge lists, review decisions).

    When its first data row has one cell more than the header (a delimiter at the end of
    each line), pandas takes the first column for an index and shifts every column one to
    the left, silently (``index_col=False`` would drop the extra cells, as silently). That,
    and a later row with more cells than the header, is a ``bad_row`` error naming the
    file and the first such row, as :func:`~umbrella_graph.load_case` reports it.
    """
    failed: pd.errors.ParserError | None = None
    try:
        df = pd.read_csv(path, encoding=encoding, skiprows=skiprows, **kwargs)
        if isinstance(df.index, pd.RangeIndex):
            return df
    except pd.errors.ParserError as exc:
        failed = exc
    wide = _first_wide_row(path, encoding, skiprows)
    if wide is None:  # another parser error (an unclosed quote): the caller's to report
        raise failed or pd.errors.ParserError(f"{path.name}: rows and header disagree")
    width, row, header = wide
    raise CaseError([Problem("bad_row", "", path.name, row, None, f"<{width} cells>",
                             f"{header} cells, one per header (a delimiter at the end of each line, or a comma "
                             "inside an unquoted cell? quote such cells)")])


def _first_wide_row(path: Path, enc: str, header_line: int) -> tuple[int, int, int] | None:
    """The cell count and file line of the first record with more cells than its header
    (on line ``header_line + 1``), and the header's count; None when there is none."""
    with path.open(encoding=enc, newline="") as fh:
        reader = csv.reader(fh)
        width = 0
        for i, r in enumerate(reader):
            if i == header_line:
                width = len(r)
            elif i > header_line and len(r) > width:
                return len(r), reader.line_num, width
    return None
