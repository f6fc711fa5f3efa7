"""Read raw exports and recognise their layout: bank statements, call records, registry
extracts and rosters, CSV or Excel, GBK or UTF-8, Chinese or English headers.

A file's *kind* is recognised from its headers (:data:`LAYOUTS`: the accepted headers of
each canonical column). A layout we do not know is an ``unknown_layout`` error naming
the file and its headers, unless a mapping file says what the file is::

    {"files": {"招行*.csv": {"kind": "bank",
                              "columns": {"卡号(本人)": "account", "交易对手": "cp_name"},
                              "encoding": "gbk"}}}

(``ingest-mapping.json`` in the sources folder, or ``mapping=``; patterns are
``fnmatch`` globs on the file name, the first matching pattern wins).

Every row keeps its file and spreadsheet row (``_file``, ``_row``: the header is row 1,
or the row it sits on below a title). Blank lines count as rows (an Excel user sees them)
and are reported as rejected (``blank_row``), and so are the lines above a header
(``above_header``: the bank's name, the query period), so that the ingest report accounts
for every line.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CaseError, ParameterError, Problem
from ..io.csv_files import detect_encoding, read_text_csv
from ..parsing.dates import join_date_and_time, parse_dates
from ..parsing.headers import normalise_header, table_for_stem
from ..schema import TABLES

__all__ = ["LAYOUTS", "REQUIRED", "SOURCE_KINDS", "PASSTHROUGH", "SourceFile", "read_source", "read_sources",
           "read_mapping", "detect_kind"]

_PERSON = {
    "key": ["人员编号", "编号", "人员id", "人员代码", "户籍编号", "person_id", "person_key", "key", "id"],
    "name": ["姓名", "名字", "人员姓名", "机主姓名", "用户姓名", "客户姓名", "户名", "开户人", "持卡人", "账户名",
             "name", "full_name"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "身份证", "id_number", "national_id",
                  "id_card"],
    "phone": ["手机号", "手机号码", "手机", "电话", "电话号码", "联系电话", "联系方式", "预留手机号", "phone", "mobile", "tel",
              "telephone", "phone_number"],
    "gender": ["性别", "gender", "sex"],
    "birth_date": ["出生日期", "出生年月", "生日", "birth_date", "dob", "date_of_birth", "birthday"],
    "village_id": ["户籍村", "居住村", "所在村", "村", "村编号", "village_id", "village"],
    "account": ["账号", "卡号", "银行账号", "银行卡号", "account", "account_no", "card_no"],
}

#: The accepted (normalised) headers of each canonical column, per source kind.
LAYOUTS: dict[str, dict[str, list[str]]] = {
    "bank": {
        "account": ["账号", "卡号", "本方账号", "交易卡号", "账户", "银行账号", "查询账号", "本方卡号", "account",
                    "account_no", "account_number", "card_no", "card_number"],
        "holder": ["户名", "交易户名", "账户名", "账户名称", "本方户名", "开户人", "持卡人", "客户名称", "account_name",
                   "account_holder", "holder", "holder_name"],
        "holder_id": ["开户人证件号码", "证件号码", "身份证号", "证件号", "holder_id", "holder_id_number", "id_number"],
        "holder_phone": ["预留手机号", "联系电话", "手机号", "holder_phone", "phone"],
        "cp_account": ["对方账号", "对方卡号", "交易对方账号", "对手账号", "对方账户", "对手卡号", "counterparty_account",
                       "cp_account", "opposite_account", "beneficiary_account"],
        "cp_name": ["对方户名", "对方名称", "交易对方名称", "对手户名", "对方账户名", "交易对手", "counterparty_name",
                    "cp_name", "counterparty", "beneficiary", "opposite_name"],
        "direction": ["借贷标志", "收付标志", "借贷方向", "收支", "交易方向", "收/付", "收付", "direction", "dc",
                      "debit_credit", "dr_cr"],
        "amount": ["交易金额", "金额", "发生额", "amount", "transaction_amount"],
        "debit_amount": ["支出金额", "借方金额", "支出", "转出金额", "debit", "debit_amount", "withdrawal"],
        "credit_amount": ["收入金额", "贷方金额", "收入", "转入金额", "credit", "credit_amount", "deposit"],
        "balance": ["余额", "账户余额", "交易后余额", "balance"],
        "time": ["交易时间", "交易日期", "记账时间", "时间", "日期", "交易日期时间", "time", "date",
                 "transaction_time", "datetime", "value_date"],
        "channel": ["交易渠道", "渠道", "交易方式", "channel"],
        "memo": ["摘要", "备注", "附言", "用途", "交易摘要", "memo", "remark", "narrative", "description"],
        "serial": ["交易流水号", "流水号", "交易序号", "serial", "transaction_id", "reference", "ref_no"],
    },
    "cdr": {
        "number": ["本机号码", "本方号码", "用户号码", "机主号码", "查询号码", "number", "own_number", "msisdn"],
        "other": ["对方号码", "对端号码", "对方电话", "other_number", "peer_number", "counterpart_number"],
        "direction": ["呼叫类型", "通话类型", "主被叫", "主叫/被叫", "呼叫方向", "call_direction", "direction"],
        "calling": ["主叫号码", "主叫", "calling", "calling_number", "caller"],
        "called": ["被叫号码", "被叫", "called", "called_number", "callee"],
        "time": ["开始时间", "通话开始时间", "起始时间", "通话时间", "发送时间", "时间", "start_time", "time",
                 "start"],
        "duration": ["通话时长", "时长", "duration", "duration_s", "seconds"],
        "service": ["业务类型", "记录类型", "话单类型", "service", "record_type", "kind", "type"],
        "base_station": ["基站", "基站号", "小区号", "基站代码", "lac_ci", "cell_id", "base_station", "cell"],
        "owner": ["机主姓名", "用户姓名", "机主", "owner", "owner_name", "subscriber"],
        "owner_id": ["机主证件号码", "证件号码", "身份证号", "owner_id", "id_number"],
    },
    "registry": {
        "company": ["企业名称", "公司名称", "单位名称", "市场主体名称", "company", "company_name", "enterprise"],
        "credit_code": ["统一社会信用代码", "信用代码", "社会信用代码", "credit_code", "uscc",
                        "unified_social_credit_code"],
        "person": ["姓名", "人员姓名", "股东名称", "股东", "投资人", "人员名称", "主要人员", "person", "person_name",
                   "name"],
        "person_id": ["证件号码", "身份证号", "证照号码", "证件号", "person_id_number", "id_number"],
        "role": ["职务", "角色", "身份", "人员类型", "role", "position"],
        "share": ["持股比例", "出资比例", "股比", "share", "share_ratio"],
        "legal_rep": ["法定代表人", "法人", "法人代表", "legal_rep", "legal_representative"],
        "legal_rep_id": ["法定代表人证件号码", "法人身份证号", "法定代表人身份证号", "legal_rep_id"],
        "sector": ["行业", "所属行业", "sector", "industry"],
        "company_village": ["登记地", "所在村", "注册地村", "company_village", "village_id"],
    },
    "officials": {**_PERSON, "position": ["职务", "职位", "现任职务", "position", "post"],
                  "unit": ["单位", "工作单位", "所在单位", "unit"], "rank": ["职级", "级别", "rank"],
                  "jurisdiction_id": ["管辖区域", "辖区", "分管区域", "jurisdiction", "jurisdiction_id"],
                  "start_date": ["任职开始", "任职时间", "任职日期", "start_date"],
                  "end_date": ["任职结束", "离任时间", "离任日期", "end_date"]},
    "members": {**_PERSON, "gang_id": ["团伙编号", "所属团伙", "团伙", "gang_id", "gang"],
                "member_role": ["地位", "团伙地位", "角色", "层级", "member_role", "role"]},
    # a household register (户籍): each member's household and relation to its head (ties)
    "people": {**_PERSON, "household": ["户号", "户编号", "家庭户号", "household", "household_no", "household_id"],
               "relation": ["与户主关系", "与户主的关系", "户主关系", "relation_to_head", "relationship_to_head"]},
}

#: Per kind, the column groups that must be present (one column of each group).
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    "bank": [("account",), ("amount", "debit_amount", "credit_amount"), ("time",), ("cp_account", "cp_name")],
    "cdr": [("number", "calling"), ("other", "called"), ("time",)],
    "registry": [("company", "credit_code"), ("person", "legal_rep")],
    "officials": [("name",), ("position",)],
    "members": [("name",), ("gang_id",)],
    "people": [("name",), ("id_number", "phone", "key", "account")],
}
SOURCE_KINDS = tuple(LAYOUTS)
#: Case tables that may come as they are (already in the data contract), as kinds
#: ``case:<table>`` (a file named after the table, ``gangs.csv``); their person references
#: are rosters' ``key`` values and are replaced by the resolved person ids.
PASSTHROUGH = tuple(f"case:{t}" for t in TABLES if t != "people")

_UNIT = re.compile(r"\(([^()]*)\)$")


@dataclass
class SourceFile:
    """One raw export as read: canonical columns, provenance and the scale of amounts."""

    kind: str
    file: str
    frame: pd.DataFrame  # canonical columns (str cells), plus _row
    encoding: str
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    scale: dict[str, float] = field(default_factory=dict)  # canonical -> multiplier from a unit


def read_mapping(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read an ingest mapping file (see the module docstring) and check it."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ParameterError(f"The ingest mapping {p.name} could not be read as JSON: {type(exc).__name__}.") from None
    files = data.get("files") if isinstance(data, Mapping) else None
    expected = ('{"files": {"<glob>": {"kind": one of ' + ", ".join(SOURCE_KINDS + PASSTHROUGH)
                + ', "columns": {"header": "column"}, "encoding": "gbk"}}}')
    if not isinstance(files, Mapping):
        raise ParameterError.invalid("mapping", "ingest", expected, type(data).__name__)
    out: dict[str, dict[str, Any]] = {}
    for pat, spec in files.items():
        if not isinstance(spec, Mapping) or spec.get("kind") not in SOURCE_KINDS + PASSTHROUGH:
            raise ParameterError.invalid("mapping", "ingest", expected, str(pat))
        cols = spec.get("columns", {})
        kind = str(spec["kind"])
        if not isinstance(cols, Mapping) or (kind in LAYOUTS and any(v not in LAYOUTS[kind] for v in cols.values())):
            bad = [v for v in (cols.values() if isinstance(cols, Mapping) else [])
                   if kind in LAYOUTS and v not in LAYOUTS[kind]]
            raise ParameterError.invalid("mapping", "ingest", f"columns of a {kind} layout: "
                                         + ", ".join(LAYOUTS.get(kind, {})), bad[0] if bad else cols)
        out[str(pat)] = {"kind": kind, "columns": {normalise_header(k): str(v) for k, v in cols.items()},
                         "encoding": spec.get("encoding")}
    return out


def _base(header: str) -> tuple[str, float]:
    """Header without a unit suffix, and the unit's multiplier."""
    m = _UNIT.search(header)
    if not m:
        return header, 1.0
    unit = m.group(1)
    scale = 10_000.0 if "万" in unit else 1_000.0 if "千" in unit else 60.0 if "分" in unit else 1.0
    return header[: m.start()], scale


def _match(kind: str, headers: list[str], own: Mapping[str, str]) -> dict[str, str]:
    """canonical -> header, for the headers of ``kind`` (own mapping first)."""
    found: dict[str, str] = {}
    for h in headers:
        n = normalise_header(h)
        if n in own:
            found.setdefault(own[n], h)
    for canon, aliases in LAYOUTS[kind].items():
        if canon in found:
            continue
        for h in headers:
            if h in found.values():
                continue
            if _base(normalise_header(h))[0] in aliases:
                found[canon] = h
                break
    return found


def _has_clock(cells: pd.Series) -> bool:
    """Whether any cell is read as a date with a time of day other than midnight."""
    parsed = parse_dates(cells.replace("", None))[0].dropna()
    return bool((parsed != parsed.dt.normalize()).any())


def _fits(kind: str, found: Mapping[str, str]) -> bool:
    return all(any(c in found for c in group) for group in REQUIRED[kind])


def detect_kind(headers: list[str], stem: str = "") -> str | None:
    """The source kind whose required columns the headers have (or a passthrough table).

    Examples
    --------
    >>> detect_kind(["交易卡号", "交易户名", "交易金额", "借贷标志", "交易时间", "对手账号", "对手户名"])
    'bank'
    >>> detect_kind(["本机号码", "对方号码", "呼叫类型", "开始时间", "通话时长"])
    'cdr'
    >>> detect_kind(["a", "b"]) is None
    True
    """
    for kind in ("bank", "cdr", "registry", "officials", "members"):
        if _fits(kind, _match(kind, headers, {})):
            return kind
    table = table_for_stem(stem) if stem else None
    if f"case:{table}" in PASSTHROUGH:
        return f"case:{table}"
    if _fits("people", _match("people", headers, {})):
        return "people"
    return None


def _cell(c: Any) -> str:
    """A spreadsheet cell as text (whole numbers without ``.0``, dates in ISO form). A
    whole number of 16 digits or more was stored as a number, which a spreadsheet keeps
    to 15 significant digits: it is written in scientific form, so that no check passes
    a card or ID number whose last digits were lost."""
    if c is None:
        return ""
    if isinstance(c, float):
        if c.is_integer() and abs(c) >= 1e15:  # a long number stored as a number: 15 digits kept
            return f"{c:.14e}"  # as the spreadsheet shows it; the normalisers flag it (digits_lost)
        return str(int(c)) if c.is_integer() else repr(c)
    if hasattr(c, "isoformat"):
        return str(c.isoformat(sep=" ")) if hasattr(c, "hour") else str(c.isoformat())
    return str(c)


#: How many rows from the top a header may sit below a title (the bank's name, the query
#: period, the account holder: 中国工商银行 账户交易明细 / 查询期间 / 户名).
HEADER_SEARCH_ROWS = 30


def _head_rows(path: Path, enc: str, n: int) -> list[list[str]]:
    """The first ``n`` records of a CSV file, as cells (a title line may have fewer cells
    than the header, which the table reader would refuse)."""
    with path.open(encoding=enc, newline="") as fh:
        return [r for _, r in zip(range(n), csv.reader(fh), strict=False)]


def _sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    """A workbook's sheets that hold a table (two rows of two cells or more), with their
    rows; the first sheet when none does."""
    # python-calamine (Rust) reads large statements many times faster than openpyxl
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for i, name in enumerate(wb.sheet_names):
        rows = wb.get_sheet_by_index(i).to_python(skip_empty_area=False)
        if sum(sum(c is not None and str(c).strip() != "" for c in r) >= 2 for r in rows) >= 2:
            out.append((str(name), rows))
    return out or [(str(wb.sheet_names[0]), wb.get_sheet_by_index(0).to_python(skip_empty_area=False))]


def _read_frame(path: Path, encoding: str | None,
                pick: Callable[[list[list[str]], int], int | None] | None = None,
                rows: list[list[Any]] | None = None) -> tuple[pd.DataFrame, str]:
    """Cells as text; ``_row`` is the spreadsheet row; blank lines kept as empty rows.
    The header is the first line (a CSV file) or the first row with two cells (a
    workbook's sheet: ``rows``, else its first), unless ``pick`` (given the first rows as
    text and that default) names a row below it; the rows above the header are returned
    as ``_above``."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if rows is None:
            rows = _sheets(path)[0][1]
        hi = next((i for i, r in enumerate(rows) if sum(c is not None and str(c).strip() != "" for c in r) >= 2), 0)
        if pick is not None:
            hi = pick([[_cell(c) for c in r] for r in rows[:HEADER_SEARCH_ROWS]], hi) or hi
        head = rows[hi] if rows else []
        headers = [str(c).strip() if c not in (None, "") else f"column_{j + 1}" for j, c in enumerate(head)]
        body = [[_cell(c) for c in r[: len(headers)]] + [""] * max(0, len(headers) - len(r)) for r in rows[hi + 1:]]
        df = pd.DataFrame(body, columns=headers, dtype=object)
        df["_row"] = range(hi + 2, hi + 2 + len(df))
        return _with_above(df, hi), "xlsx"
    if suffix != ".csv":
        raise CaseError([Problem("unreadable_file", "", path.name, None, None, repr(path.suffix),
                                 "a .csv or .xlsx file (save .xls files as .xlsx)")])
    enc = encoding or detect_encoding(path)
    hi = 0
    if pick is not None:
        hi = pick(_head_rows(path, enc, HEADER_SEARCH_ROWS), 0) or 0
    # a bad_row error where a row has a cell more than the header (pandas would shift every column)
    df = read_text_csv(path, encoding=enc, skiprows=hi, dtype=str, keep_default_na=False, skip_blank_lines=False,
                       on_bad_lines="error", engine="c")
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    df["_row"] = range(hi + 2, hi + 2 + len(df))
    return _with_above(df, hi), enc


def _with_above(df: pd.DataFrame, hi: int) -> pd.DataFrame:
    """The rows above the header (a title, the query period) as empty rows flagged
    ``_above`` before the data rows, so that the report accounts for every line."""
    if not hi:
        return df
    above = pd.DataFrame({c: [""] * hi for c in df.columns if c != "_row"}, dtype=object)
    above["_row"] = range(1, hi + 1)
    out = pd.concat([above, df], ignore_index=True)
    out["_above"] = [True] * hi + [False] * len(df)
    return out


def read_sources(path: str | Path, *, mapping: Mapping[str, Mapping[str, Any]] | None = None,
                 encoding: str | None = None) -> list[SourceFile]:
    """Read one raw export, each sheet of a workbook that holds a table as its own source.

    A bank's workbook often gives one sheet per account or per year. When more than one
    sheet holds a table (two rows of two cells or more), each is read as a source named
    ``file.xlsx[sheet]`` (the name its records cite); a sheet named like a case table
    (``contacts``, ``事件``) is that table. A CSV file, or a workbook with one such sheet,
    is one source named by the file. The mapping's patterns match the file's name.
    """
    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        return [read_source(p, mapping=mapping, encoding=encoding)]
    sheets = _sheets(p)
    if len(sheets) == 1:
        return [read_source(p, mapping=mapping, encoding=encoding, _sheet=(None, sheets[0][1]))]
    return [read_source(p, mapping=mapping, encoding=encoding, _sheet=sh) for sh in sheets]


def read_source(path: str | Path, *, mapping: Mapping[str, Mapping[str, Any]] | None = None,
                encoding: str | None = None,
                _sheet: tuple[str | None, list[list[Any]]] | None = None) -> SourceFile:
    """Read one raw export and map its headers to the canonical columns of its kind (a
    workbook's first sheet that holds a table; :func:`read_sources` reads every one).

    Raises
    ------
    CaseError
        ``unknown_layout`` (file, and the headers found) when neither the headers nor
        the mapping say what the file is; ``unreadable_file`` when it cannot be decoded.
    """
    p = Path(path)
    sheet, rows = _sheet if _sheet is not None else (None, None)
    name = p.name if sheet is None else f"{p.name}[{sheet}]"  # what the records cite
    stem = sheet if sheet is not None and table_for_stem(sheet) else p.stem
    spec: Mapping[str, Any] = {}
    for pat, s in (mapping or {}).items():
        if fnmatch.fnmatch(p.name, pat):
            spec = s
            break

    def pick(head: list[list[str]], first: int) -> int | None:
        """The header below a title: the first row from ``first`` that the mapping's
        columns, or else the headers of a known layout, fit; None when the first does."""
        def fits(i: int) -> bool:
            cells = [c.replace("\ufeff", "").strip() for c in head[i]]
            kind = spec.get("kind")
            if kind is None:
                return detect_kind(cells, stem if i == first else "") is not None
            return kind in PASSTHROUGH or _fits(kind, _match(kind, cells, spec.get("columns", {})))
        if first >= len(head) or fits(first):
            return None
        return next((i for i in range(first + 1, len(head)) if fits(i)), None)

    try:
        df, enc = _read_frame(p, spec.get("encoding") or encoding, pick, rows)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CaseError([Problem("unreadable_file", "", name, None, None, f"<{type(exc).__name__}>",
                                 "a CSV file with one header line and the same number of cells per row")]) from None
    headers = [c for c in df.columns if c not in ("_row", "_above")]
    kind = spec.get("kind") or detect_kind(headers, stem)
    if kind is None:
        shown = ", ".join(repr(h) for h in headers[:12])
        raise CaseError([Problem(
            "unknown_layout", "", name, None, None, shown,
            "the headers of a bank statement, call records, a registry extract or a roster "
            "(see docs/ingest.md), or an entry for this file in ingest-mapping.json")])
    if kind in PASSTHROUGH:
        return SourceFile(kind, name, df, enc)
    found = _match(kind, headers, spec.get("columns", {}))
    if not _fits(kind, found):
        missing = [" or ".join(g) for g in REQUIRED[kind] if not any(c in found for c in g)]
        raise CaseError([Problem("missing_column", kind, name, None, missing[0], "<absent>",
                                 f"a column for {', '.join(missing)} in a {kind} layout")])
    out = pd.DataFrame({c: df[h].astype(str).str.strip() for c, h in found.items()})
    if "time" in found and "time" not in spec.get("columns", {}).values():
        # a date column and a time-of-day column (交易日期 20190305, 交易时间 143005): one time;
        # reading the first alone would put every record at midnight
        times = [h for h in headers if h not in found.values() or h == found["time"]]
        times = [h for h in times if _base(normalise_header(h))[0] in LAYOUTS[kind]["time"]]
        got = join_date_and_time(*(df[h].astype(str).str.strip() for h in times)) if len(times) == 2 else None
        if got is not None:
            joined, day = got
            out["time"] = joined.fillna("").to_numpy(dtype=object)
            found["time"] = f"{times[day]} + {times[1 - day]}"  # how rejections name the column
        elif len(times) > 1:  # several time columns (交易日期, then 交易时间 with the full time): the one with times
            with_clock = [h for h in times if _has_clock(df[h].astype(str).str.strip())]
            if with_clock and with_clock[0] != found["time"]:
                found["time"] = with_clock[0]
                out["time"] = df[with_clock[0]].astype(str).str.strip()
    out["_row"] = df["_row"].to_numpy()
    blank = df[headers].astype(str).apply(lambda s: s.str.strip() == "").all(axis=1).to_numpy() if headers else None
    out["_blank"] = blank if blank is not None else False
    if "_above" in df.columns:
        out["_above"] = df["_above"].to_numpy(dtype=bool)
    scale = {c: _base(normalise_header(h))[1] for c, h in found.items()}
    return SourceFile(kind, name, out, enc, found, {c: s for c, s in scale.items() if s != 1.0})
