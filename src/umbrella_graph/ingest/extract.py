"""From raw rows to mentions and records: per export kind (bank statements, call records,
company registries, rosters) the people and companies named and the records, with bad
cells flagged; and the two-sided records (a transfer or call both sides list).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import CaseError, Problem, mask_value
from ..parsing import parse_amounts, parse_dates, parse_durations
from ..parsing.dates import utc_offsets
from .normalize import (
    normalize_phone,
)
from .readers import SourceFile

_BAD_SHARE = 0.5  # a column with more bad cells than this is the wrong column: an error

_OUT = re.compile(r"^(?:借|支|出|付|转出|支出|付款|汇出|取|d|dr|debit|out|withdrawal|-)", re.IGNORECASE)
_IN = re.compile(r"^(?:贷|收|入|转入|收入|收款|汇入|存|c|cr|credit|in|deposit|\+)", re.IGNORECASE)
_CALLER = re.compile(r"(?:主叫|呼出|发送|发出|去电|mo\b|out|outgoing|calling)", re.IGNORECASE)
_CALLEE = re.compile(r"(?:被叫|呼入|接收|来电|mt\b|in\b|incoming|called)", re.IGNORECASE)
_SMS = re.compile(r"(?:短信|短消息|sms|message|彩信)", re.IGNORECASE)
_ROLE_WORDS = [("法定代表人", "legal_rep"), ("法人", "legal_rep"), ("实际控制人", "owner"), ("投资人", "owner"),
               ("股东", "shareholder"), ("董事", "director"), ("监事", "director"), ("经理", "manager"),
               ("财务", "manager"), ("员工", "employee"), ("legal", "legal_rep"), ("owner", "owner"),
               ("share", "shareholder"), ("director", "director"), ("manager", "manager"),
               ("employee", "employee")]


class _Rows:
    """Status of every row of one file: 0 ingested, 1 duplicate, 2 rejected."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        n = len(src.frame)
        self.status = np.zeros(n, dtype=np.int8)
        self.reason = np.full(n, "", dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.twin = np.full(n, "", dtype=object)
        if "_above" in src.frame.columns:  # a title above the header (readers._read_frame)
            self.reject(src.frame["_above"].to_numpy(dtype=bool), "above_header", "")
        if "_blank" in src.frame.columns:
            self.reject(src.frame["_blank"].to_numpy(dtype=bool), "blank_row", "")

    def reject(self, mask: np.ndarray, reason: str, column: str) -> None:
        m = mask & (self.status == 0)
        self.status[m] = 2
        self.reason[m] = reason
        self.column[m] = self.src.headers.get(column, column)

    def ok(self) -> np.ndarray:
        return self.status == 0


def _col(src: SourceFile, name: str) -> pd.Series:
    f = src.frame
    if name in f.columns:
        return f[name].fillna("").astype(str)
    return pd.Series([""] * len(f), index=f.index, dtype=object)


def _check_column(src: SourceFile, column: str, bad: np.ndarray, filled: np.ndarray, expected: str) -> None:
    n = int(filled.sum())
    if n >= 5 and bad.sum() > _BAD_SHARE * n:
        raise CaseError([Problem(f"not_{column}_column", src.kind, src.file, None, src.headers.get(column, column),
                                 f"{int(bad.sum())} of {n} cells", expected)])


def _flag(problems: list[Problem], src: SourceFile, rows: np.ndarray, column: str, values: pd.Series,
          reasons: pd.Series, expected: str) -> None:
    for r, v, why in zip(rows, values, reasons, strict=True):
        problems.append(Problem(why, src.kind, src.file, int(r), src.headers.get(column, column),
                                mask_value("id_number", v), expected, "flagged"))


def _times(src: SourceFile, rows: _Rows, column: str) -> pd.Series:
    parsed, bad = parse_dates(_col(src, column).replace("", None))
    empty = _col(src, column).to_numpy() == ""
    _check_column(src, column, bad.to_numpy() & rows.ok(), (~empty) & rows.ok(), "dates and times")
    rows.reject(bad.to_numpy(dtype=bool), "bad_time", column)
    rows.reject(empty, "missing_time", column)
    return parsed


def reject_mixed_offsets(statuses: Mapping[str, _Rows]) -> None:
    """Times written with a UTC offset are read as the wall-clock time written (as
    ``load_case`` reads them): across the statements and call records, a time whose
    offset differs from the most common one (call records in UTC, ``Z``, beside statements
    at ``+08:00``) would be hours off against the others, so its row is rejected
    (``mixed_utc_offsets``), as ``load_case`` rejects it (docs/data-contract.md)."""
    found: list[tuple[_Rows, np.ndarray]] = []
    for st in statuses.values():
        if st.src.kind in ("bank", "cdr") and "time" in st.src.frame.columns:
            off = utc_offsets(pa.array(_col(st.src, "time").to_numpy(dtype=object), pa.string()))
            if off is not None:
                found.append((st, off.to_numpy(zero_copy_only=False)))
    if not found:
        return
    counts = pd.Series(np.concatenate([o for _, o in found]), dtype=object).dropna().value_counts()
    if len(counts) < 2:
        return
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")  # any row order: one answer
    main = counts.index[0]
    for st, off in found:
        st.reject(pd.notna(off) & (off != main), "mixed_utc_offsets", "time")


def _signed_amounts(text: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    t = text.str.replace(r"\s", "", regex=True)
    neg = t.str.startswith("-").to_numpy()
    val, bad = parse_amounts(t.str.lstrip("+-").replace("", None))
    return val, neg, bad.to_numpy(dtype=bool)


# --------------------------------------------------------------------------------------
# per kind: mentions (people and companies named) and records


def _mention(src: SourceFile, sel: np.ndarray, slot: str, **cols: pd.Series | str) -> pd.DataFrame:
    f = src.frame
    out = pd.DataFrame({"file": src.file, "row": f["_row"].to_numpy()[sel], "slot": slot})
    for k in ("name", "id_raw", "phone_raw", "account_raw", "gender", "birth_raw", "key", "credit_raw", "village"):
        v = cols.get(k, "")
        out[k] = v.to_numpy()[sel] if isinstance(v, pd.Series) else v
    return out


def _bank(src: SourceFile, rows: _Rows) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    t = _times(src, rows, "time")
    if "amount" in src.frame.columns:
        amt, neg, bad = _signed_amounts(_col(src, "amount"))
        rows.reject(bad, "bad_amount", "amount")
        rows.reject(_col(src, "amount").to_numpy() == "", "missing_amount", "amount")
        d = _col(src, "direction").str.strip()
        if "direction" in src.frame.columns:
            out = d.str.match(_OUT).to_numpy() | ((d == "").to_numpy() & neg)
            inn = d.str.match(_IN).to_numpy() & ~out
        else:  # a signed amount: negative is money out (the statement's holder pays)
            out, inn = neg, ~neg
        rows.reject(~(out | inn), "unknown_direction", "direction")
    else:
        dv, _, dbad = _signed_amounts(_col(src, "debit_amount"))
        cv, _, cbad = _signed_amounts(_col(src, "credit_amount"))
        dv, cv = dv.fillna(0.0), cv.fillna(0.0)
        rows.reject(dbad, "bad_amount", "debit_amount")
        rows.reject(cbad, "bad_amount", "credit_amount")
        out = (dv > 0).to_numpy()
        inn = (cv > 0).to_numpy() & ~out
        rows.reject(~(out | inn), "no_amount", "debit_amount")
        amt = pd.Series(np.where(out, dv, cv), index=src.frame.index)
    scale = src.scale.get("amount", src.scale.get("debit_amount", 1.0))
    amt = amt.astype(float) * scale
    cp_acc, cp_name = _col(src, "cp_account"), _col(src, "cp_name")
    rows.reject(((cp_acc == "") & (cp_name == "")).to_numpy(), "no_counterparty", "cp_account")
    rows.reject((_col(src, "account") == "").to_numpy(), "missing_account", "account")
    ok = rows.ok()
    holder = _mention(src, ok, "holder", name=_col(src, "holder"), id_raw=_col(src, "holder_id"),
                      phone_raw=_col(src, "holder_phone"), account_raw=_col(src, "account"))
    cp = _mention(src, ok, "cp", name=cp_name, account_raw=cp_acc)
    f = src.frame
    rec = pd.DataFrame({
        "file": src.file, "row": f["_row"].to_numpy()[ok], "out": out[ok],
        "amount": amt.to_numpy()[ok], "time": t.to_numpy()[ok],
        "channel": _col(src, "channel").to_numpy()[ok], "memo": _col(src, "memo").to_numpy()[ok],
        "serial": _col(src, "serial").to_numpy()[ok],
        "own_account": _col(src, "account").to_numpy()[ok], "cp_account": cp_acc.to_numpy()[ok],
    })
    return [holder, cp], rec


def _cdr(src: SourceFile, rows: _Rows) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    t = _times(src, rows, "time")
    if "calling" in src.frame.columns and "called" in src.frame.columns:
        a, b = _col(src, "calling"), _col(src, "called")
        a_is_caller = np.ones(len(a), dtype=bool)
    else:
        a, b = _col(src, "number"), _col(src, "other")
        d = _col(src, "direction")
        callee = d.str.contains(_CALLEE).to_numpy() & ~d.str.contains(_CALLER).to_numpy()
        a_is_caller = ~callee
    for col, v in (("number", a), ("other", b)):
        ph = v.map(normalize_phone)
        reason = ph.map(lambda c: c.reason)
        bad = reason.isin(["not_a_phone", "digits_lost"]).to_numpy()
        _check_column(src, col if col in src.frame.columns else ("calling" if col == "number" else "called"),
                      bad & rows.ok(), (v != "").to_numpy() & rows.ok(), "phone numbers")
        rows.reject((reason == "digits_lost").to_numpy(), "digits_lost", col)  # 1.38001E+10: whose phone?
        rows.reject(bad, "not_a_phone", col)
        rows.reject((v == "").to_numpy(), "missing_number", col)
    service = _col(src, "service") + _col(src, "direction")
    sms = service.str.contains(_SMS).to_numpy()
    dur_text = _col(src, "duration")
    dur, dbad = parse_durations(dur_text.replace("", None), unit=src.scale.get("duration", 1.0))
    rows.reject(dbad.to_numpy(dtype=bool), "bad_duration", "duration")
    ok = rows.ok()
    ma = _mention(src, ok, "a", phone_raw=a, name=_col(src, "owner"), id_raw=_col(src, "owner_id"))
    mb = _mention(src, ok, "b", phone_raw=b)
    f = src.frame
    rec = pd.DataFrame({
        "file": src.file, "row": f["_row"].to_numpy()[ok], "a_is_caller": a_is_caller[ok],
        "kind": np.where(sms[ok], "sms", "call"), "time": t.to_numpy()[ok],
        "duration_s": dur.to_numpy()[ok], "base_station": _col(src, "base_station").to_numpy()[ok],
        "a_phone": a.map(lambda x: normalize_phone(x).value).to_numpy()[ok],
        "b_phone": b.map(lambda x: normalize_phone(x).value).to_numpy()[ok],
    })
    return [ma, mb], rec


def _role(text: str) -> str:
    low = text.lower()
    for word, role in _ROLE_WORDS:
        if word in low:
            return role
    return "shareholder" if not text else "employee"


def _registry(src: SourceFile, rows: _Rows) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    co, cc = _col(src, "company"), _col(src, "credit_code")
    rows.reject(((co == "") & (cc == "")).to_numpy(), "no_company", "company")
    person, lr = _col(src, "person"), _col(src, "legal_rep")  # a row may list a company alone
    ok = rows.ok()
    share_text = _col(src, "share").str.strip()
    pct = share_text.str.endswith("%")
    share, sbad = parse_amounts(share_text.str.rstrip("%").replace("", None))
    share = share.where(~pct, share / 100.0)
    share = share.where(share <= 1.0, share / 100.0)
    rows.reject(sbad.to_numpy(dtype=bool), "bad_share", "share")
    ok = rows.ok()
    mentions = []
    recs = []
    f = src.frame
    company = _mention(src, ok, "company", name=co, credit_raw=cc, village=_col(src, "company_village"))
    company["sector"] = _col(src, "sector").to_numpy()[ok]
    mentions.append(company)
    has_p = ok & (person != "").to_numpy()
    mentions.append(_mention(src, has_p, "person", name=person, id_raw=_col(src, "person_id")))
    recs.append(pd.DataFrame({"file": src.file, "row": f["_row"].to_numpy()[has_p], "slot": "person",
                              "role": _col(src, "role").map(_role).to_numpy()[has_p],
                              "share": share.to_numpy()[has_p]}))
    has_lr = ok & (lr != "").to_numpy()
    mentions.append(_mention(src, has_lr, "legal_rep", name=lr, id_raw=_col(src, "legal_rep_id")))
    recs.append(pd.DataFrame({"file": src.file, "row": f["_row"].to_numpy()[has_lr], "slot": "legal_rep",
                              "role": "legal_rep", "share": np.nan}))
    return mentions, pd.concat(recs, ignore_index=True)


def _roster(src: SourceFile, rows: _Rows) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    name, idn, key = _col(src, "name"), _col(src, "id_number"), _col(src, "key")
    rows.reject(((name == "") & (idn == "") & (key == "")).to_numpy(), "no_person", "name")
    ok = rows.ok()
    m = _mention(src, ok, "person", name=name, id_raw=idn, phone_raw=_col(src, "phone"), key=key,
                 account_raw=_col(src, "account"),
                 gender=_col(src, "gender"), birth_raw=_col(src, "birth_date"), village=_col(src, "village_id"))
    keep = [c for c in src.frame.columns if c not in ("_row", "_blank", "_above", "name", "id_number", "phone", "key",
                                                       "gender", "birth_date", "village_id", "account")]
    rec = src.frame.loc[ok, keep].copy()
    rec.insert(0, "row", src.frame["_row"].to_numpy()[ok])
    rec.insert(0, "file", src.file)
    return [m], rec.reset_index(drop=True)


#: The relation to the head of the household that names the head (与户主关系: 户主, 本人).
HOUSEHOLD_HEAD = frozenset({"户主", "本人", "head", "self", "head of household"})


def household_ties(rr: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Ties from household registers: each member of a household (``household``, 户号) to
    its head (the member whose ``relation`` is 户主 or 本人), of the kind the register gives
    (与户主关系: 妻, 长子, 儿媳...; read by the vocabulary as any tie kind is). ``rr`` holds
    the register rows with ``person_id``, ``file``, ``row``. A household with no head, or
    with two, gives no tie: its rows are flagged ``household_head``."""
    cols = ["src", "dst", "kind", "source_file", "source_row"]
    if not {"household", "relation"} <= set(rr.columns):
        return pd.DataFrame(columns=cols)
    r = rr.assign(household=rr["household"].fillna("").astype(str).str.strip(),
                  relation=rr["relation"].fillna("").astype(str).str.strip())
    r = r[(r["household"] != "") & r["person_id"].notna()]
    key = r["file"].astype(str) + "\x1f" + r["household"]  # a household number is its register's
    head = r["relation"].str.lower().isin(HOUSEHOLD_HEAD)
    heads = r[head].groupby(key[head])["person_id"].agg(lambda p: sorted(set(p)))
    one = heads[heads.map(len) == 1].map(lambda p: p[0])
    out = r[~head & (r["relation"] != "")].assign(head=key[~head].map(one))
    lost = out[out["head"].isna()]
    for f, row in zip(lost["file"], lost["row"], strict=True):
        problems.append(Problem("household_head", "people", str(f), int(row), "relation",
                                "<no tie>", "one member of the household whose relation is 户主 (its head)",
                                "flagged"))
    out = out[out["head"].notna() & (out["head"] != out["person_id"])]
    return pd.DataFrame({"src": out["head"], "dst": out["person_id"], "kind": out["relation"],
                         "source_file": out["file"], "source_row": out["row"]}, columns=cols).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# two-sided records


def _twins(left: pd.DataFrame, right: pd.DataFrame, by: list[str], window: pd.Timedelta) -> pd.DataFrame:
    """One-to-one matches of ``right`` rows to ``left`` rows with equal ``by`` and time
    within ``window`` (nearest first, ties by row). Returns ``li, ri`` index pairs."""
    if left.empty or right.empty:
        return pd.DataFrame({"li": [], "ri": []}, dtype="int64")
    lf = left[by + ["time"]].assign(li=left.index).dropna(subset=["time"]).sort_values("time", kind="stable")
    rf = right[by + ["time"]].assign(ri=right.index).dropna(subset=["time"]).sort_values("time", kind="stable")
    m = pd.merge_asof(rf, lf, on="time", by=by, tolerance=window, direction="nearest")
    m = m.dropna(subset=["li"])
    if m.empty:
        return pd.DataFrame({"li": [], "ri": []}, dtype="int64")
    m["li"] = m["li"].astype("int64")
    m = m.sort_values(["li", "ri"], kind="stable").drop_duplicates("li", keep="first")
    return m[["li", "ri"]].reset_index(drop=True)
