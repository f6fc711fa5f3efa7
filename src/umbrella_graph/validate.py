"""Validation: raw tables with canonical headers -> a typed :class:`~umbrella_graph.case.Case`.

Everything that turns cells into typed values lives here, vectorised so that a
million-row table validates in seconds:

* ids and strings: kept as strings, surrounding whitespace removed;
* dates: ISO 8601, ``2019/03/05``, ``2019.3.5``, ``2019年3月5日``, with times where given,
  and real date cells from spreadsheets;
* amounts: ``1,200.50``, ``¥3000``, ``RMB 3000``, ``3000元``, ``2.5万`` (x 10,000),
  ``1亿`` (x 100,000,000);
* enums: the documented values, plus Chinese aliases (``骨干`` -> ``core``).

All problems are collected (not just the first). In strict mode they raise one
:class:`~umbrella_graph.errors.CaseError`; in lenient mode the rows are skipped and every
one is listed in the :class:`~umbrella_graph.case.LoadReport`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .case import Case, LoadReport, column_dtype
from .errors import CaseError, Problem, mask_value
from .schema import NODE_TABLES, TABLES, Column, TableSpec

__all__ = [
    "case_from_frames",
    "parse_dates",
    "parse_amounts",
    "ENUM_ALIASES",
]

#: Chinese (and common English) spellings accepted for enum values.
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "role": {
        "头目": "leader", "首要分子": "leader", "组织者": "leader", "老大": "leader", "boss": "leader",
        "骨干": "core", "骨干成员": "core", "积极参加者": "core",
        "成员": "member", "一般成员": "member", "其他参加者": "member", "参加者": "member",
        "法定代表人": "legal_rep", "法人": "legal_rep", "股东": "shareholder", "实际控制人": "owner",
        "所有人": "owner", "老板": "owner", "董事": "director", "经理": "manager", "员工": "employee",
        "职工": "employee",
    },
    "kind": {"通话": "call", "电话": "call", "短信": "sms", "见面": "meeting", "会面": "meeting",
             "聊天": "chat", "微信聊天": "chat"},
    "level": {"村": "village", "社区": "village", "镇": "town", "乡": "town", "街道": "town",
              "区": "district", "县": "district", "市": "city"},
}

_DATE_RE = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}(?:\.\d+)?))?\s*秒?)?\s*$"
)
_COMPACT_DATE_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\s*(\d{2}):?(\d{2}):?(\d{2})?)?\s*$")
_AMOUNT_STRIP_RE = re.compile(r"[,，\s¥￥$€£]|RMB|CNY|人民币|元")
_AMOUNT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)(万|亿)?$")


def _blank(s: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    st = s.astype("string")
    return st.isna() | (st.str.strip() == "")


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of dates; return ``(parsed, bad)``.

    ``parsed`` is ``datetime64[ns]`` (NaT where empty or unparseable); ``bad`` is True
    where a non-empty cell could not be parsed.

    Examples
    --------
    >>> import pandas as pd
    >>> parsed, bad = parse_dates(pd.Series(["2019-03-05", "2019/3/5 14:30", "2019年3月5日", "soon"]))
    >>> [str(d) for d in parsed[:3]]
    ['2019-03-05 00:00:00', '2019-03-05 14:30:00', '2019-03-05 00:00:00']
    >>> bad.tolist()
    [False, False, False, True]
    """
    blank = _blank(values)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        out = values.astype("datetime64[ns]")
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out, pd.Series(False, index=values.index)
    obj = values.astype("object")
    # spreadsheet cells that are already datetimes/dates
    is_dt = obj.map(lambda v: hasattr(v, "year") and hasattr(v, "month"))
    as_str = values.astype("string").str.strip()
    parsed = pd.to_datetime(as_str.where(~is_dt), format="ISO8601", errors="coerce")
    parsed = pd.Series(parsed, index=values.index).astype("datetime64[ns]")
    if is_dt.any():
        parsed[is_dt] = pd.to_datetime(obj[is_dt].tolist()).astype("datetime64[ns]")
    todo = parsed.isna() & ~blank
    if todo.any():
        fixed = as_str[todo].map(_parse_one_date)
        parsed.loc[todo] = pd.to_datetime(fixed.tolist(), errors="coerce").astype("datetime64[ns]")
    bad = parsed.isna() & ~blank
    return parsed, bad


def _parse_one_date(text: object) -> pd.Timestamp | None:
    if not isinstance(text, str):
        return None
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    try:
        sec = float(s) if s else 0.0
        return pd.Timestamp(
            year=int(y), month=int(mo), day=int(d), hour=int(h or 0), minute=int(mi or 0),
            second=int(sec), microsecond=int(round((sec - int(sec)) * 1e6)),
        )
    except ValueError:
        return None


def parse_amounts(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of money amounts; return ``(parsed, bad)``.

    Examples
    --------
    >>> import pandas as pd
    >>> parsed, bad = parse_amounts(pd.Series(["1,200.50", "¥3000", "2.5万", "abc", None]))
    >>> parsed.tolist()[:3]
    [1200.5, 3000.0, 25000.0]
    >>> bad.tolist()
    [False, False, False, True, False]
    """
    blank = _blank(values)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64"), pd.Series(False, index=values.index)
    parsed = pd.to_numeric(values.astype("object"), errors="coerce").astype("float64")
    todo = parsed.isna() & ~blank
    if todo.any():
        parsed.loc[todo] = values[todo].astype("string").map(_parse_one_amount).astype("float64")
    bad = parsed.isna() & ~blank
    return parsed, bad


def _parse_one_amount(text: object) -> float:
    if not isinstance(text, str):
        return float("nan")
    t = _AMOUNT_STRIP_RE.sub("", text.strip())
    m = _AMOUNT_RE.match(t)
    if not m:
        return float("nan")
    mult = {"万": 1e4, "亿": 1e8}.get(m.group(2) or "", 1.0)
    return float(m.group(1)) * mult


def _stable_ids(df: pd.DataFrame, cols: list[str], prefix: str) -> pd.Series:
    """Content-based ids, stable across reloads: the same record always gets the same id.

    Identical records are told apart by their occurrence number.
    """
    parts = [df[c].astype("string").fillna("") for c in cols if c in df.columns]
    key = parts[0]
    for p in parts[1:]:
        key = key + "\x1f" + p
    occ = key.groupby(key).cumcount().astype("string")
    key = key + "\x1f" + occ
    return key.map(lambda k: prefix + hashlib.sha1(k.encode("utf-8")).hexdigest()[:16]).astype("string")


class _Collector:
    def __init__(self, lenient: bool) -> None:
        self.lenient = lenient
        self.problems: list[Problem] = []

    def add_rows(
        self,
        df: pd.DataFrame,
        mask: pd.Series,
        table: str,
        column: str | None,
        code: str,
        expected: str,
        values: pd.Series | None = None,
    ) -> None:
        if not mask.any():
            return
        sub = df.loc[mask]
        vals = (values if values is not None else df[column] if column else pd.Series(dtype=object))
        action = "skipped" if self.lenient else "error"
        for idx, file, row in zip(sub.index, sub["_file"], sub["_row"], strict=True):
            v = vals.get(idx) if column is not None else None
            v = None if v is None or (not isinstance(v, str) and pd.isna(v)) else v
            self.problems.append(
                Problem(code, table, str(file), int(row), column, mask_value(column, v), expected, action)
            )


def _with_provenance(name: str, df: pd.DataFrame, file: str | None) -> pd.DataFrame:
    df = df.copy()
    if "_file" not in df.columns:
        df["_file"] = file if file is not None else f"<DataFrame {name}>"
    if "_row" not in df.columns:
        df["_row"] = np.arange(2, len(df) + 2, dtype="int64")
    df["_file"] = df["_file"].astype("string")
    df["_row"] = df["_row"].astype("int64")
    return df.reset_index(drop=True)


def _coerce_column(
    df: pd.DataFrame, spec: TableSpec, col: Column, out: _Collector, bad_rows: pd.Series
) -> None:
    name = spec.name
    raw = df[col.name]
    blank = _blank(raw)
    if col.required:
        out.add_rows(df, blank, name, col.name, "missing_value", "a value (this column is required)")
        bad_rows |= blank
    if col.type in ("id", "ref", "str", "enum"):
        s = raw.astype("string").str.strip()
        s = s.mask(s == "")
        if col.type == "enum":
            aliases = ENUM_ALIASES.get(col.name, {})
            low = s.str.lower()
            s = low.map(lambda v: aliases.get(v, v) if isinstance(v, str) else v).astype("string")
            bad = s.notna() & ~s.isin(col.choices)
            out.add_rows(df, bad, name, col.name, "bad_choice", "one of " + ", ".join(col.choices), raw)
            bad_rows |= bad
        df[col.name] = s
    elif col.type in ("date", "datetime"):
        parsed, bad = parse_dates(raw)
        out.add_rows(df, bad, name, col.name, "bad_date",
                     "a date such as 2019-03-05, 2019/03/05 or 2019年3月5日" +
                     (" (a time may follow)" if col.type == "datetime" else ""), raw)
        bad_rows |= bad
        df[col.name] = parsed
    elif col.type == "amount":
        parsed, bad = parse_amounts(raw)
        out.add_rows(df, bad, name, col.name, "bad_amount",
                     "an amount such as 1200, 1,200.50, ¥3000 or 2.5万", raw)
        neg = parsed < 0
        out.add_rows(df, neg.fillna(False), name, col.name, "negative_amount",
                     "a non-negative amount (record refunds as a payment in the other direction)", raw)
        bad_rows |= bad | neg.fillna(False)
        df[col.name] = parsed
    elif col.type in ("float", "int"):
        parsed = pd.to_numeric(raw.astype("object") if raw.dtype == "string" else raw, errors="coerce")
        bad = parsed.isna() & ~blank
        if col.type == "int":
            nonint = parsed.notna() & (parsed != np.floor(parsed.fillna(0)))
            bad = bad | nonint
        out.add_rows(df, bad, name, col.name, "bad_number",
                     "a whole number" if col.type == "int" else "a number", raw)
        bad_rows |= bad
        parsed = parsed.where(~bad)
        df[col.name] = parsed.astype(column_dtype(col.type))


def case_from_frames(
    frames: Mapping[str, pd.DataFrame] | None = None,
    *,
    files: Mapping[str, str] | None = None,
    lenient: bool = False,
    report: LoadReport | None = None,
    name: str | None = None,
    **tables: pd.DataFrame,
) -> Case:
    """Validate tables given as DataFrames and return a :class:`~umbrella_graph.case.Case`.

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        Tables by name (``"people"``, ``"transactions"``, ...) with canonical column
        names. May also be given as keyword arguments.
    files : mapping of str to str, optional
        The file each table came from, for messages and provenance. Frames that already
        carry ``_file``/``_row`` columns keep them.
    lenient : bool, default False
        Skip bad rows instead of failing; every skipped row is listed in
        ``case.report.problems``.
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
        In strict mode, if anything is wrong; it carries every problem found.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"id": ["p1", "p2"], "name": ["张三", "李四"]})
    >>> tx = pd.DataFrame({"src": ["p1"], "dst": ["p2"], "amount": ["2万"], "date": ["2019年3月5日"]})
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
    report = report if report is not None else LoadReport()
    out = _Collector(lenient)

    unknown = [t for t in all_frames if t not in TABLES]
    for t in unknown:
        out.problems.append(
            Problem("unknown_table", t, files.get(t, f"<DataFrame {t}>"), None, None, repr(t),
                    "one of the tables " + ", ".join(TABLES), "error")
        )
    if "people" not in all_frames:
        out.problems.append(
            Problem("missing_table", "people", files.get("people", "people"), None, None, "<absent>",
                    "a people table (people.csv, .xlsx or .parquet); every other table is optional",
                    "error")
        )

    typed: dict[str, pd.DataFrame] = {}
    for tname in TABLES:
        if tname not in all_frames:
            report.missing_tables.append(tname)
            continue
        spec = TABLES[tname]
        df = _with_provenance(tname, all_frames[tname], files.get(tname))
        file = str(df["_file"].iloc[0]) if len(df) else files.get(tname, f"<DataFrame {tname}>")
        report.files.setdefault(tname, file)
        report.rows_read[tname] = len(df)
        missing = [c for c in spec.required if c not in df.columns]
        for c in missing:
            out.problems.append(
                Problem("missing_column", tname, file, 1, c, "<absent>",
                        f"a column '{c}' (required in {tname}; see the column alias table for "
                        "accepted headers)", "error")
            )
        if missing:
            continue
        for c in spec.columns:
            if c.name not in df.columns:
                df[c.name] = pd.Series(pd.NA, index=df.index, dtype=column_dtype(c.type))  # type: ignore[call-overload]
        bad_rows = pd.Series(False, index=df.index)
        for c in spec.columns:
            _coerce_column(df, spec, c, out, bad_rows)
        if tname == "transactions":
            no_id = df["id"].isna()
            if no_id.any():
                df.loc[no_id, "id"] = _stable_ids(df.loc[no_id], ["src", "dst", "amount", "date", "channel", "memo"], "tx-")
        if tname == "contracts":
            no_id = df["id"].isna()
            if no_id.any():
                df.loc[no_id, "id"] = _stable_ids(df.loc[no_id], ["issuer_id", "company_id", "amount", "date", "subject"], "ct-")
        if lenient and bad_rows.any():
            df = df.loc[~bad_rows]
        # canonical columns first, extra columns kept, provenance last
        extra = [c for c in df.columns if c not in spec.column_names and c not in ("_file", "_row")]
        typed[tname] = df[[*spec.column_names, *extra, "_file", "_row"]].reset_index(drop=True)

    _check_ids(typed, out)
    if lenient:
        typed = _drop_flagged(typed, out)
    _check_references(typed, out)
    if lenient:
        typed = _drop_flagged(typed, out)

    if out.problems and not lenient:
        raise CaseError(out.problems)
    if lenient and any(p.code in ("missing_column", "missing_table", "unknown_table") for p in out.problems):
        raise CaseError([p for p in out.problems if p.code in ("missing_column", "missing_table", "unknown_table")])
    report.problems.extend(out.problems)
    for t, df in typed.items():
        report.rows_kept[t] = len(df)
    return Case(typed, report, name=name)


def _drop_flagged(typed: dict[str, pd.DataFrame], out: _Collector) -> dict[str, pd.DataFrame]:
    flagged: dict[str, set[tuple[str, int]]] = {}
    for p in out.problems:
        if p.row is not None and p.action == "skipped":
            flagged.setdefault(p.table, set()).add((p.file, p.row))
    res = {}
    for t, df in typed.items():
        f = flagged.get(t)
        if f:
            keys = pd.Series(list(zip(df["_file"].astype(str), df["_row"].astype(int), strict=True)), index=df.index)
            df = df.loc[~keys.isin(f)].reset_index(drop=True)
        res[t] = df
    return res


def _check_ids(typed: dict[str, pd.DataFrame], out: _Collector) -> None:
    """Ids of node tables are unique within and across tables; record ids within their table."""
    parts = []
    for kind, tname in NODE_TABLES.items():
        if tname in typed:
            df = typed[tname]
            parts.append(pd.DataFrame({"id": df["id"], "table": tname, "kind": kind,
                                       "file": df["_file"], "row": df["_row"]}))
    for tname in ("transactions", "contracts"):
        if tname in typed:
            df = typed[tname]
            parts.append(pd.DataFrame({"id": df["id"], "table": tname, "kind": tname,
                                       "file": df["_file"], "row": df["_row"]}))
    if not parts:
        return
    ids = pd.concat(parts, ignore_index=True)
    ids = ids[ids["id"].notna()]
    # record ids (transactions, contracts) only need to be unique within their own table
    ids["space"] = ids["kind"].where(ids["kind"].isin(["transactions", "contracts"]), "entity")
    dup = ids.duplicated(["space", "id"], keep=False)
    if not dup.any():
        return
    action = "skipped" if out.lenient else "error"
    for (_, _), grp in ids[dup].groupby(["space", "id"], sort=False):
        first = grp.iloc[0]
        for _, r in grp.iloc[1:].iterrows():
            out.problems.append(
                Problem("duplicate_id", r["table"], str(r["file"]), int(r["row"]), "id",
                        mask_value("id", r["id"]),
                        f"an id not already used (it is also the id at {first['file']}, row "
                        f"{int(first['row'])}); ids are unique across people, companies, gangs, "
                        "villages, events and leads", action)
            )


def _check_references(typed: dict[str, pd.DataFrame], out: _Collector) -> None:
    known: dict[str, set[str]] = {}
    for kind, tname in NODE_TABLES.items():
        known[kind] = set(typed[tname]["id"].dropna()) if tname in typed else set()
    units = set(typed["officials"]["unit"].dropna()) if "officials" in typed else set()
    known["unit"] = units
    for tname, df in typed.items():
        spec = TABLES[tname]
        for c in spec.columns:
            if c.type != "ref" or not len(df):
                continue
            vals = df[c.name]
            ok = vals.isna()
            for k in c.refs:
                ok |= vals.isin(known.get(k, set()))
            bad = ~ok
            if bad.any():
                kinds = " or ".join(
                    "a unit named in officials.unit" if k == "unit" else f"a known {k}" for k in c.refs
                )
                out.add_rows(df, bad, tname, c.name, "dangling_reference",
                             f"the id of {kinds}".replace("the id of a known person or a known company",
                                                          "the id of a known person or company"), vals)
