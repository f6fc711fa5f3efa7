"""The ingest pipeline: raw exports in, a resolved case folder out.

:func:`ingest` reads every export in a folder (:mod:`~umbrella_graph.ingest.readers`),
normalises and checks identifiers (:mod:`~umbrella_graph.ingest.normalize`), removes
the transfers and calls that both sides' records list, resolves the people with splink
(:mod:`~umbrella_graph.ingest.resolve`), replays the analysts' decisions
(:mod:`~umbrella_graph.ingest.review`) and returns the case tables of the data contract.
Every input row is counted into exactly one of *ingested*, *duplicate* (merged as the
twin of another row, which is cited) or *rejected* (with its reason).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CaseError, ParameterError, Problem, mask_value
from ..parsing import parse_amounts, parse_dates
from ..schema import TABLES
from .normalize import (
    is_company_name,
    normalize_account,
    normalize_company_name,
    normalize_credit_code,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
)
from .readers import SourceFile, read_mapping, read_source
from .resolve import IDENTITY_COLUMNS, Clustering, cluster, explain_pair, score_pairs

__all__ = ["ingest", "IngestResult", "DEFAULT_UPPER", "DEFAULT_LOWER", "DEFAULT_TWIN_WINDOW"]

logger = logging.getLogger(__name__)

DEFAULT_UPPER = 0.99
DEFAULT_LOWER = 0.5
#: Two statement rows (or call records) are the same transfer (call) when the accounts
#: (numbers) and the amount (kind) match and their times are this close.
DEFAULT_TWIN_WINDOW = pd.Timedelta(minutes=5)
_BAD_SHARE = 0.5  # a column with more bad cells than this is the wrong column: an error

_OUT = re.compile(r"^(?:借|支|出|付|转出|支出|付款|d|dr|debit|out|withdrawal|-)", re.IGNORECASE)
_IN = re.compile(r"^(?:贷|收|入|转入|收入|收款|c|cr|credit|in|deposit|\+)", re.IGNORECASE)
_CALLER = re.compile(r"(?:主叫|呼出|发送|发出|去电|mo\b|out|outgoing|calling)", re.IGNORECASE)
_CALLEE = re.compile(r"(?:被叫|呼入|接收|来电|mt\b|in\b|incoming|called)", re.IGNORECASE)
_SMS = re.compile(r"(?:短信|短消息|sms|message|彩信)", re.IGNORECASE)
_ROLE_WORDS = [("法定代表人", "legal_rep"), ("法人", "legal_rep"), ("实际控制人", "owner"), ("投资人", "owner"),
               ("股东", "shareholder"), ("董事", "director"), ("监事", "director"), ("经理", "manager"),
               ("财务", "manager"), ("员工", "employee"), ("legal", "legal_rep"), ("owner", "owner"),
               ("share", "shareholder"), ("director", "director"), ("manager", "manager"),
               ("employee", "employee")]


@dataclass
class IngestResult:
    """What :func:`ingest` produced.

    Attributes
    ----------
    tables : dict of DataFrame
        The case tables (data contract columns plus documented extra columns:
        ``people.source_identities``, ``people.identities``, ``people.records``;
        ``source_file``/``source_row`` (and ``twin_file``/``twin_row`` for two-sided
        records) on transactions, contacts, company roles, companies (the record that
        named the company first), officials, members and tables taken as they are;
        ``companies.credit_code`` and ``companies.records``).
    identities : DataFrame
        One row per distinct identity: ``uid``, ``ref`` (``file:row:slot`` of its first
        record), the normalised identifiers, ``records`` and ``person_id``.
    mentions : DataFrame
        ``file, row, slot, uid`` for every person named in a source row.
    pairs : DataFrame
        Scored pairs with the match card (``gamma_*``, ``mw_*``), ``decision``, ``reason``.
    review : DataFrame
        The review queue (pairs between the thresholds and other pairs an analyst must see).
    rows : DataFrame
        Per input file: ``file, kind, encoding, rows, ingested, duplicate, rejected``.
    rejected : DataFrame
        Every rejected or merged-as-duplicate row: ``file, row, status, column, reason, twin``.
    problems : list of Problem
        Flagged cells (bad check digits, phones without area code, ...), kept.
    """

    tables: dict[str, pd.DataFrame]
    identities: pd.DataFrame
    mentions: pd.DataFrame
    pairs: pd.DataFrame
    review: pd.DataFrame
    rows: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    merges: pd.DataFrame = field(default_factory=pd.DataFrame)

    def case(self) -> Any:
        """The resolved case, validated (``case_from_frames``), whose provenance is the
        source records: every record's ``_file`` and ``_row`` are those of the export row
        it came from (a person's: that of their first listed identity), so evidence cites the
        bank statement or call record itself. (A case loaded from the folder :meth:`write`
        wrote cites that folder's files and keeps the source in ``source_file``/``source_row``.)
        """
        from ..validate import case_from_frames

        frames = {}
        for name, df in self.tables.items():
            if name not in TABLES:
                continue
            df = df.copy()
            if "source_file" in df.columns and "source_row" in df.columns and df["source_row"].notna().all():
                df["_file"] = df["source_file"].astype(str)
                df["_row"] = df["source_row"].astype("int64")
            elif name == "people":
                first = df["source_identities"].str.extract(r"\[([^\]]*):(\d+):[^\]]*\]")
                if first.notna().all().all():
                    df["_file"] = first[0]
                    df["_row"] = first[1].astype("int64")
            frames[name] = df
        return case_from_frames(**frames)

    def flags(self) -> pd.DataFrame:
        """The flagged cells as a DataFrame."""
        cols = ["code", "table", "file", "row", "column", "value", "expected", "action"]
        return pd.DataFrame([p.as_dict() for p in self.problems], columns=cols)

    def write(self, out_dir: str | Path) -> Path:
        """Write the case folder (one UTF-8 CSV per table) and ``_ingest/`` (report, pairs,
        merges, review queue and page). ``_ingest/decisions.csv`` is never touched. Text
        cells starting with ``=``, ``+``, ``-``, ``@``, tab or CR get a leading ``'`` so that
        a spreadsheet shows them instead of running them."""
        from .review import neutralise, write_review

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables.items():  # text cells a spreadsheet would run get a leading '
            neutralise(df.drop(columns=[c for c in ("_file", "_row") if c in df.columns])).to_csv(
                out / f"{name}.csv", index=False, encoding="utf-8")
        side = out / "_ingest"
        side.mkdir(exist_ok=True)

        neutralise(self.rows).to_csv(side / "report.csv", index=False)
        neutralise(self.rejected).to_csv(side / "rows_not_ingested.csv", index=False)
        neutralise(self.flags()).to_csv(side / "flags.csv", index=False)
        neutralise(self.merges).to_csv(side / "merges.csv", index=False)
        cols = [c for c in self.pairs.columns if c not in ("uid_l", "uid_r")]
        neutralise(self.pairs[cols]).to_csv(side / "pairs.csv", index=False)
        write_review(self.review, side)
        return out

    def summary(self) -> str:
        """The row accounting and resolution in a few lines (no names or numbers)."""
        t = self.rows[["rows", "ingested", "duplicate", "rejected"]].sum()
        people = self.tables["people"]
        merged = int((people["identities"].astype(int) > 1).sum()) if len(people) else 0
        return (f"{len(self.rows)} file(s), {int(t['rows'])} row(s): {int(t['ingested'])} ingested, "
                f"{int(t['duplicate'])} merged as duplicates, {int(t['rejected'])} rejected; "
                f"{len(self.identities)} identities resolved to {len(people)} people ({merged} merges); "
                f"{len(self.review)} pair(s) to review; {len(self.problems)} flagged cell(s)")


class _Rows:
    """Status of every row of one file: 0 ingested, 1 duplicate, 2 rejected."""

    def __init__(self, src: SourceFile) -> None:
        self.src = src
        n = len(src.frame)
        self.status = np.zeros(n, dtype=np.int8)
        self.reason = np.full(n, "", dtype=object)
        self.column = np.full(n, "", dtype=object)
        self.twin = np.full(n, "", dtype=object)
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
        bad = reason.isin(["not_a_phone"]).to_numpy()
        _check_column(src, col if col in src.frame.columns else ("calling" if col == "number" else "called"),
                      bad & rows.ok(), (v != "").to_numpy() & rows.ok(), "phone numbers")
        rows.reject(bad, "not_a_phone", col)
        rows.reject((v == "").to_numpy(), "missing_number", col)
    service = _col(src, "service") + _col(src, "direction")
    sms = service.str.contains(_SMS).to_numpy()
    dur_text = _col(src, "duration")
    dur, dbad = parse_amounts(dur_text.str.replace(r"[秒sS]$", "", regex=True).replace("", None))
    rows.reject(dbad.to_numpy(dtype=bool), "bad_duration", "duration")
    dur = dur.astype(float) * src.scale.get("duration", 1.0)
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
    keep = [c for c in src.frame.columns if c not in ("_row", "_blank", "name", "id_number", "phone", "key",
                                                       "gender", "birth_date", "village_id", "account")]
    rec = src.frame.loc[ok, keep].copy()
    rec.insert(0, "row", src.frame["_row"].to_numpy()[ok])
    rec.insert(0, "file", src.file)
    return [m], rec.reset_index(drop=True)


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


# --------------------------------------------------------------------------------------


def _norm_people(m: pd.DataFrame, problems: list[Problem], sources: Mapping[str, SourceFile]) -> pd.DataFrame:
    """Normalised identifiers of person mentions (vectorised over distinct values)."""
    nmap = {v: normalize_person_name(v) for v in pd.unique(m["name"]) if v}
    name = m["name"]
    m["name_s"] = name.map({k: v.name for k, v in nmap.items()})
    m["name_is_han"] = name.map({k: v.script == "han" for k, v in nmap.items()}).fillna(False).astype(bool)
    m["surname_py"] = name.map({k: v.surname_py or None for k, v in nmap.items()})
    m["given_py"] = name.map({k: v.given_py for k, v in nmap.items()})
    m["py"] = name.map({k: v.pinyin or None for k, v in nmap.items()})
    ids = {v: normalize_id_number(v) for v in pd.unique(m["id_raw"]) if v}
    m["id_number"] = m["id_raw"].map({k: v.value for k, v in ids.items() if v.valid})
    m["id_any"] = m["id_raw"].map({k: v.value for k, v in ids.items()})
    id_sex = m["id_raw"].map({k: v.sex for k, v in ids.items() if v.valid})
    id_birth = m["id_raw"].map({k: str(v.birth_date) for k, v in ids.items() if v.valid})
    phones = {v: normalize_phone(v) for v in pd.unique(m["phone_raw"]) if v}
    m["phone"] = m["phone_raw"].map({k: v.value for k, v in phones.items() if v.reason != "not_a_phone"})
    accs = {v: normalize_account(v) for v in pd.unique(m["account_raw"]) if v}
    m["account"] = m["account_raw"].map({k: v.value for k, v in accs.items() if v.reason != "not_an_account"})
    g = m["gender"].astype(str).str.strip().str.lower()
    written = g.map({"男": "男", "m": "男", "male": "男", "1": "男", "女": "女", "f": "女", "female": "女", "2": "女"})
    m["gender_n"] = written.where(written.notna(), id_sex)
    birth, _ = parse_dates(m["birth_raw"].replace("", None))
    m["birth_date"] = birth.dt.strftime("%Y-%m-%d").where(birth.notna(), id_birth)
    # flags: kept, listed with file, row, column
    for (col, table, expected) in (("id_raw", ids, "an 18-digit ID number with a valid check digit (GB 11643)"),
                                   ("phone_raw", phones, "a mobile number or a landline with its area code"),
                                   ("account_raw", accs, "a bank card number passing the Luhn check")):
        bad = {v: c.reason for v, c in table.items() if not c.valid}
        sel = m[col].isin(list(bad))
        for r in m.loc[sel, ["file", "row", "slot", col]].itertuples(index=False):
            src = sources[r.file]
            column = {"id_raw": {"holder": "holder_id", "a": "owner_id", "legal_rep": "legal_rep_id",
                                 "person": "person_id" if src.kind == "registry" else "id_number"},
                      "phone_raw": {"holder": "holder_phone", "a": "number", "b": "other", "person": "phone"},
                      "account_raw": {"holder": "account", "cp": "cp_account"}}[col].get(r.slot, col)
            problems.append(Problem(bad[getattr(r, col)], src.kind, r.file, int(r.row), src.headers.get(column, column),
                                    mask_value("id_number", getattr(r, col)), expected, "flagged"))
    return m


def _identities(m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Collapse mentions with identical identifiers into identities (``uid``)."""
    feats = ["name_s", "name_is_han", "surname_py", "given_py", "py", "id_number", "id_any", "phone", "account",
             "gender_n", "birth_date", "key_q"]
    key = m[feats].astype(object).where(m[feats].notna(), "").groupby(feats, sort=False).ngroup()
    m = m.assign(_ref=m["file"] + ":" + m["row"].astype(str) + ":" + m["slot"], _key=key.to_numpy())
    order = m.sort_values(["file", "row", "slot"], kind="stable")
    first = order.drop_duplicates("_key", keep="first")
    first = first.sort_values("_ref", kind="stable").reset_index(drop=True)
    first["uid"] = np.arange(len(first), dtype=np.int64)
    uid_of = dict(zip(first["_key"], first["uid"], strict=True))
    uids = m["_key"].map(uid_of).to_numpy(dtype=np.int64)
    ident = first.drop(columns=["gender"]).rename(columns={"_ref": "ref", "gender_n": "gender"})
    ident["records"] = np.bincount(uids, minlength=len(ident))
    per_file = pd.DataFrame({"uid": uids, "file": m["file"].to_numpy()}).drop_duplicates()
    files = per_file.groupby("uid", sort=True)["file"].agg(tuple)
    ident["files"] = files.reindex(ident["uid"]).to_numpy()
    return ident, uids


def _cid(prefix: str, text: str) -> str:
    return prefix + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def ingest(
    sources: str | Path,
    *,
    mapping: str | Path | Mapping[str, Any] | None = None,
    decisions: str | Path | pd.DataFrame | None = None,
    upper: float = DEFAULT_UPPER,
    lower: float = DEFAULT_LOWER,
    twin_window: pd.Timedelta | str = DEFAULT_TWIN_WINDOW,
    encoding: str | None = None,
) -> IngestResult:
    """Read a folder of raw exports and resolve it into case tables.

    Parameters
    ----------
    sources : str or Path
        A folder of ``.csv`` / ``.xlsx`` exports (bank statements, call records, registry
        extracts, rosters; case tables such as ``gangs.csv`` are taken as they are, their
        person references being roster ``key`` values). ``ingest-mapping.json`` in it, if
        present, is the mapping file.
    mapping : path or mapping, optional
        The mapping for layouts we do not recognise (see :mod:`~umbrella_graph.ingest.readers`).
    decisions : path or DataFrame, optional
        Analyst decisions to replay (``ref_l, ref_r, decision, by, at, why``).
    upper, lower : float
        Auto-merge and review thresholds on the match probability.
    twin_window : Timedelta or str
        Two statement rows (call records) are the same transfer (call) within this time.
    encoding : str, optional
        Force one encoding for every CSV (default: detect per file).

    Returns
    -------
    IngestResult

    Raises
    ------
    CaseError
        An unknown layout, a missing column, a column that holds no phone numbers (or
        dates, or ID numbers): naming file, column and (for cells) row.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "户籍.csv").write_text("编号,姓名,身份证号,手机号\\nH1,张伟,11010519491231002X,13800138000\\n"
    ...                                 "H2,李芳,,13900139000\\n", encoding="gbk")
    >>> _ = (d / "话单.csv").write_text("本机号码,对方号码,呼叫类型,开始时间,通话时长\\n"
    ...                                 "+86 138-0013-8000,139 0013 9000,主叫,2020-01-02 10:00,60\\n", encoding="utf-8")
    >>> res = ingest(d)
    >>> len(res.tables["people"]), len(res.tables["contacts"])
    (2, 1)
    >>> res.rows[["file", "rows", "ingested", "rejected"]].values.tolist()
    [['户籍.csv', 2, 2, 0], ['话单.csv', 1, 1, 0]]
    """
    from .review import read_decisions

    root = Path(sources)
    if not root.is_dir():
        raise ParameterError.invalid("sources", "ingest", "a folder of exports", str(root))
    if not (0.0 < lower <= upper <= 1.0):
        raise ParameterError.invalid("upper", "ingest", "thresholds with 0 < lower <= upper <= 1", upper)
    window = pd.Timedelta(twin_window)
    if mapping is None and (root / "ingest-mapping.json").exists():
        mapping = root / "ingest-mapping.json"
    mp = read_mapping(mapping) if isinstance(mapping, str | Path) else dict(mapping or {})
    files = sorted((f for f in root.iterdir() if f.is_file() and f.suffix.lower() in (".csv", ".xlsx")
                    and not f.name.startswith((".", "~$", "_"))), key=lambda f: f.name)
    srcs: dict[str, SourceFile] = {}
    errors: list[Problem] = []
    for f in files:
        try:
            srcs[f.name] = read_source(f, mapping=mp, encoding=encoding)
        except CaseError as exc:
            errors.extend(exc.problems)
    if errors:
        raise CaseError(errors)
    problems: list[Problem] = []
    statuses = {n: _Rows(s) for n, s in srcs.items()}
    mentions: list[pd.DataFrame] = []
    bank: list[pd.DataFrame] = []
    cdr: list[pd.DataFrame] = []
    roles: list[pd.DataFrame] = []
    rosters: dict[str, list[pd.DataFrame]] = {"officials": [], "members": [], "people": []}
    passthrough: dict[str, list[tuple[SourceFile, pd.DataFrame]]] = {}
    for n, s in srcs.items():
        rows = statuses[n]
        if s.kind == "bank":
            ms, rec = _bank(s, rows)
            bank.append(rec)
        elif s.kind == "cdr":
            ms, rec = _cdr(s, rows)
            cdr.append(rec)
        elif s.kind == "registry":
            ms, rec = _registry(s, rows)
            roles.append(rec)
        elif s.kind in rosters:
            ms, rec = _roster(s, rows)
            rec["_kind"] = s.kind
            rosters[s.kind].append(rec)
        else:
            blank = s.frame.drop(columns="_row").astype(str).apply(lambda c: c.str.strip() == "").all(axis=1)
            rows.reject(blank.to_numpy(dtype=bool), "blank_row", "")
            passthrough.setdefault(s.kind.removeprefix("case:"), []).append(
                (s, s.frame.loc[rows.ok()].reset_index(drop=True)))
            continue
        mentions.extend(ms)

    # ---- mentions: companies apart, people normalised and resolved
    cols = ["file", "row", "slot", "name", "id_raw", "phone_raw", "account_raw", "gender", "birth_raw", "key",
            "credit_raw", "village", "sector"]
    m = pd.concat([x.reindex(columns=cols) for x in mentions], ignore_index=True) if mentions else \
        pd.DataFrame(columns=cols)
    m = m.astype(object).where(m.notna(), "")
    m["row"] = m["row"].astype("int64")
    kind_of = {n: s.kind for n, s in srcs.items()}
    is_co = (m["slot"] == "company") | (m["slot"].isin(["holder", "cp"]) & m["name"].map(is_company_name))
    # an account-only counterparty is a company when the account is a company's
    co_accounts = set(m.loc[is_co & (m["slot"] == "holder"), "account_raw"].map(
        lambda v: normalize_account(v).value))
    bare_cp = (m["slot"] == "cp") & (m["name"] == "")
    is_co |= bare_cp & m["account_raw"].map(lambda v: normalize_account(v).value in co_accounts)
    comp = m[is_co].copy()
    people_m = m[~is_co].copy()
    people_m["key_q"] = np.where(people_m["key"] != "", people_m["file"].map(kind_of) + "|" + people_m["key"], "")
    people_m = _norm_people(people_m, problems, srcs)
    ident, uids = _identities(people_m)
    people_m["uid"] = uids
    logger.info("ingest: %d person mentions, %d identities", len(people_m), len(ident))
    pairs = score_pairs(ident[list(IDENTITY_COLUMNS)].assign(
        name=ident["name_s"].where(ident["name_is_han"], None),
        py=ident["py"]).astype(object).where(ident[list(IDENTITY_COLUMNS)].notna(), None))
    dec = read_decisions(decisions) if decisions is not None else None
    clu: Clustering = cluster(ident.rename(columns={}).assign(name=ident["name_s"]), pairs, upper=upper,
                              lower=lower, decisions=dec)
    ident["person_id"] = ident["uid"].map(clu.labels)
    people_m["person_id"] = people_m["uid"].map(clu.labels)

    # ---- companies: credit code, else the normalised name
    comp["cc"] = comp["credit_raw"].map(lambda v: normalize_credit_code(v).value if normalize_credit_code(v).valid
                                        else None)
    for r in comp.loc[(comp["credit_raw"] != "") & comp["cc"].isna(), ["file", "row", "credit_raw"]].itertuples(
            index=False):
        s = srcs[r.file]
        problems.append(Problem(normalize_credit_code(r.credit_raw).reason, s.kind, r.file, int(r.row),
                                s.headers.get("credit_code", "credit_code"), mask_value(None, r.credit_raw),
                                "a unified social credit code with a valid check character (GB 32100)", "flagged"))
    comp["key_n"] = comp["name"].map(lambda v: normalize_company_name(v).key if v else "")
    acc_owner = comp[comp["slot"] == "holder"].assign(acc=comp["account_raw"].map(lambda v: normalize_account(v).value))
    acc_key = dict(zip(acc_owner["acc"], acc_owner["key_n"], strict=True))
    nameless = comp["key_n"] == ""
    comp.loc[nameless, "key_n"] = comp.loc[nameless, "account_raw"].map(
        lambda v: acc_key.get(normalize_account(v).value, "")).fillna("")
    cc_by_key = comp.dropna(subset=["cc"]).sort_values(["file", "row"]).drop_duplicates("key_n").set_index("key_n")["cc"]
    comp["company_id"] = comp["cc"].fillna(comp["key_n"].map(cc_by_key))
    comp["company_id"] = comp["company_id"].fillna(comp["key_n"].map(lambda k: _cid("C", k)))
    who = pd.concat([people_m[["file", "row", "slot", "person_id"]].rename(columns={"person_id": "party"}),
                     comp[["file", "row", "slot", "company_id"]].rename(columns={"company_id": "party"})],
                    ignore_index=True).drop_duplicates(["file", "row", "slot"])
    who_ix = pd.Series(who["party"].to_numpy(dtype=object),
                       index=pd.MultiIndex.from_arrays([who["file"].to_numpy(dtype=object),
                                                        who["row"].to_numpy(dtype=np.int64),
                                                        who["slot"].to_numpy(dtype=object)]))

    def party(f: np.ndarray, r: np.ndarray, slot: str) -> np.ndarray:
        ix = pd.MultiIndex.from_arrays([np.asarray(f, dtype=object), np.asarray(r, dtype=np.int64),
                                        np.full(len(f), slot, dtype=object)])
        got: np.ndarray = who_ix.reindex(ix).to_numpy(dtype=object).copy()  # writable even when empty
        got[pd.isna(got)] = None
        return got

    tables: dict[str, pd.DataFrame] = {}
    # ---- transactions with two-sided de-duplication
    if bank:
        tx = pd.concat(bank, ignore_index=True)
        tx["own"] = tx["own_account"].map(lambda v: normalize_account(v).value)
        tx["cp_n"] = tx["cp_account"].map(lambda v: normalize_account(v).value if v else None)
        tx["payer_acc"] = np.where(tx["out"], tx["own"], tx["cp_n"])
        tx["payee_acc"] = np.where(tx["out"], tx["cp_n"], tx["own"])
        tx["cents"] = np.round(tx["amount"].to_numpy() * 100).astype("int64")
        tx["holder"] = party(tx["file"].to_numpy(), tx["row"].to_numpy(), "holder")
        tx["cp"] = party(tx["file"].to_numpy(), tx["row"].to_numpy(), "cp")
        tx["src"] = np.where(tx["out"], tx["holder"], tx["cp"])
        tx["dst"] = np.where(tx["out"], tx["cp"], tx["holder"])
        # the same statement exported twice: same account, serial and amount
        dup_ser = (tx["serial"] != "") & tx.duplicated(["own", "serial", "cents", "out"], keep="first")
        drop = np.zeros(len(tx), dtype=bool)
        twin = np.full(len(tx), "", dtype=object)
        if dup_ser.any():
            firsts = tx[~dup_ser].drop_duplicates(["own", "serial", "cents", "out"]).set_index(
                ["own", "serial", "cents", "out"])
            for i in np.flatnonzero(dup_ser.to_numpy()):
                k = tuple(tx.loc[i, ["own", "serial", "cents", "out"]])
                twin[i] = f"{firsts.loc[k, 'file']}:{firsts.loc[k, 'row']}"
            drop |= dup_ser.to_numpy()
        both = tx["payer_acc"].notna() & tx["payee_acc"].notna() & ~drop
        left = tx[both & tx["out"]]
        right = tx[both & ~tx["out"]]
        tw = _twins(left, right, ["payer_acc", "payee_acc", "cents"], window)
        tx["twin_file"], tx["twin_row"] = "", pd.array([pd.NA] * len(tx), dtype="Int64")
        if len(tw):
            li, ri = tw["li"].to_numpy(), tw["ri"].to_numpy().astype("int64")
            drop[ri] = True
            twin[ri] = (tx.loc[li, "file"] + ":" + tx.loc[li, "row"].astype(str)).to_numpy()
            tx.loc[li, "twin_file"] = tx.loc[ri, "file"].to_numpy()
            tx.loc[li, "twin_row"] = tx.loc[ri, "row"].to_numpy()
        why = np.where(dup_ser.to_numpy(), "same serial number exported twice",
                       "other side of a transfer listed in both statements")
        _mark(statuses, tx["file"].to_numpy()[drop], tx["row"].to_numpy()[drop], why[drop], twin[drop])
        kept = tx[~drop].reset_index(drop=True)
        tables["transactions"] = pd.DataFrame({
            "id": [_cid("T", f"{a}:{b}") for a, b in zip(kept["file"], kept["row"], strict=True)],
            "src": kept["src"], "dst": kept["dst"], "amount": kept["amount"], "date": kept["time"],
            "channel": kept["channel"].replace("", None), "memo": kept["memo"].replace("", None),
            "serial": kept["serial"].replace("", None),
            "source_file": kept["file"], "source_row": kept["row"],
            "twin_file": kept["twin_file"].replace("", None), "twin_row": kept["twin_row"]})
    # ---- contacts (calls, sms) with two-sided de-duplication
    if cdr:
        c = pd.concat(cdr, ignore_index=True)
        pa_ = party(c["file"].to_numpy(), c["row"].to_numpy(), "a")
        pb_ = party(c["file"].to_numpy(), c["row"].to_numpy(), "b")
        caller_first = c["a_is_caller"].to_numpy()
        c["src"] = np.where(caller_first, pa_, pb_)
        c["dst"] = np.where(caller_first, pb_, pa_)
        c["from_ph"] = np.where(caller_first, c["a_phone"], c["b_phone"])
        c["to_ph"] = np.where(caller_first, c["b_phone"], c["a_phone"])
        left, right = c[caller_first], c[~caller_first]
        tw = _twins(left, right, ["from_ph", "to_ph", "kind"], pd.Timedelta(minutes=2))
        drop = np.zeros(len(c), dtype=bool)
        c["twin_file"], c["twin_row"] = "", pd.array([pd.NA] * len(c), dtype="Int64")
        if len(tw):
            li, ri = tw["li"].to_numpy(), tw["ri"].to_numpy().astype("int64")
            drop[ri] = True
            c.loc[li, "twin_file"] = c.loc[ri, "file"].to_numpy()
            c.loc[li, "twin_row"] = c.loc[ri, "row"].to_numpy()
            twin_c = (c.loc[li, "file"] + ":" + c.loc[li, "row"].astype(str)).to_numpy()
            _mark(statuses, c["file"].to_numpy()[ri], c["row"].to_numpy()[ri],
                  np.full(len(ri), "the same call in the other party's records", dtype=object), twin_c)
        kept = c[~drop].reset_index(drop=True)
        tables["contacts"] = pd.DataFrame({
            "src": kept["src"], "dst": kept["dst"], "kind": kept["kind"], "time": kept["time"],
            "duration_s": kept["duration_s"], "base_station": kept["base_station"].replace("", None),
            "source_file": kept["file"], "source_row": kept["row"],
            "twin_file": kept["twin_file"].replace("", None), "twin_row": kept["twin_row"]})
    # ---- companies and roles
    if len(comp):
        named = comp[comp["name"] != ""].sort_values(["slot", "file", "row"],
                                                     key=lambda s: s.map({"company": "0"}).fillna(s) if s.name == "slot"
                                                     else s, kind="stable")
        first = named.drop_duplicates("company_id")
        missing = sorted(set(comp["company_id"]) - set(first["company_id"]))
        cos = pd.DataFrame({"id": first["company_id"], "name": first["name"],
                            "village_id": first["village"].replace("", None),
                            "sector": first["sector"].replace("", None),
                            "source_file": first["file"], "source_row": first["row"]})
        if missing:
            cos = pd.concat([cos, pd.DataFrame({"id": missing, "name": "(unnamed account holder)"})],
                            ignore_index=True)
        cc = comp.dropna(subset=["cc"]).drop_duplicates("company_id").set_index("company_id")["cc"]
        cos["credit_code"] = cos["id"].map(cc)
        n_rec = comp.groupby("company_id").size()
        cos["records"] = cos["id"].map(n_rec).fillna(0).astype(int)
        tables["companies"] = cos.sort_values("id", kind="stable").reset_index(drop=True)
    if roles:
        r = pd.concat(roles, ignore_index=True)
        pids = np.empty(len(r), dtype=object)
        for sl in pd.unique(r["slot"]):
            sel = (r["slot"] == sl).to_numpy()
            pids[sel] = party(r["file"].to_numpy()[sel], r["row"].to_numpy()[sel], str(sl))
        r["person_id"] = pids
        r["company_id"] = party(r["file"].to_numpy(), r["row"].to_numpy(), "company")
        r = r.dropna(subset=["person_id", "company_id"]).drop_duplicates(["person_id", "company_id", "role"])
        tables["company_roles"] = pd.DataFrame({
            "person_id": r["person_id"], "company_id": r["company_id"], "role": r["role"], "share": r["share"],
            "source_file": r["file"], "source_row": r["row"]}).reset_index(drop=True)
    # ---- rosters: officials and members; keys for passthrough tables
    key_map: dict[str, str] = {}
    for k, p in zip(people_m["key"], people_m["person_id"], strict=True):
        if k:
            key_map.setdefault(k, p)
    for kind, table, keep in (("officials", "officials", ["position", "unit", "rank", "jurisdiction_id",
                                                          "start_date", "end_date"]),
                              ("members", "members", ["gang_id", "member_role"])):
        if not rosters[kind]:
            continue
        rr = pd.concat(rosters[kind], ignore_index=True)
        rr["person_id"] = party(rr["file"].to_numpy(), rr["row"].to_numpy(), "person")
        out = rr[["person_id"] + [c for c in keep if c in rr.columns]].rename(columns={"member_role": "role"})
        out = out.replace("", None)
        out["source_file"], out["source_row"] = rr["file"], rr["row"]
        tables[table] = out.reset_index(drop=True)
    for table, parts in passthrough.items():
        df = pd.concat([p.assign(source_file=s.file, source_row=p["_row"]) for s, p in parts], ignore_index=True)
        df = df.drop(columns=["_row"])
        for col in TABLES[table].columns:
            if col.type == "ref" and "person" in col.refs:
                hits = [c for c in df.columns if _header_is(table, c, col.name)]
                for h in hits:
                    df[h] = df[h].map(lambda v: key_map.get(str(v), v) if isinstance(v, str) and v else v)
        if table in tables:
            df = pd.concat([tables[table], df], ignore_index=True)
        tables[table] = df
    # ---- people: one row per cluster, every source identity kept
    tables["people"], merges = _people(ident, people_m, clu)
    rows_tab, rejected = _accounting(srcs, statuses)
    review = clu.decided[clu.decided["decision"] == "review"].copy()
    review = _with_refs(review, ident)
    pairs_out = _with_refs(clu.decided, ident)
    return IngestResult(tables, ident, people_m[["file", "row", "slot", "uid", "person_id"]], pairs_out, review,
                        rows_tab, rejected, problems, merges)


def _mark(statuses: Mapping[str, _Rows], files: np.ndarray, rows: np.ndarray, why: np.ndarray,
          twin: np.ndarray) -> None:
    """Mark rows as merged duplicates (status 1) with the reason and the twin they joined."""
    for f in pd.unique(files):
        sel = files == f
        st = statuses[str(f)]
        j = rows[sel].astype(np.int64) - int(st.src.frame["_row"].iloc[0])
        st.status[j] = 1
        st.reason[j] = why[sel]
        st.twin[j] = twin[sel]


def _header_is(table: str, header: str, column: str) -> bool:
    from ..parsing.headers import resolve_headers

    return resolve_headers(table, [header]).rename.get(header) == column


def _with_refs(pairs: pd.DataFrame, ident: pd.DataFrame) -> pd.DataFrame:
    ref = ident.set_index("uid")["ref"]
    nm = ident.set_index("uid")["name"]
    out = pairs.copy()
    out.insert(0, "ref_r", out["uid_r"].map(ref).to_numpy())
    out.insert(0, "ref_l", out["uid_l"].map(ref).to_numpy())
    out["name_l"] = out["uid_l"].map(nm).to_numpy()
    out["name_r"] = out["uid_r"].map(nm).to_numpy()
    card = np.full(len(out), "", dtype=object)
    seen = (out["decision"] != "below").to_numpy() if "decision" in out.columns else np.ones(len(out), dtype=bool)
    card[seen] = [explain_pair(r) for r in out[seen].to_dict("records")]
    out["match_card"] = card
    return out


def _people(ident: pd.DataFrame, people_m: pd.DataFrame, clu: Clustering) -> tuple[pd.DataFrame, pd.DataFrame]:
    ident = ident.copy()
    ident["_han"] = ident["name_is_han"].astype(bool)
    ident = ident.sort_values(["person_id", "_han", "records", "ref"], ascending=[True, False, False, True],
                              kind="stable")
    def top(col: str, sel: pd.Series | None = None) -> pd.Series:
        d = ident if sel is None else ident[sel]
        d = d[d[col].notna() & (d[col].astype(str) != "")]
        agg = d.groupby(["person_id", col], sort=True)["records"].sum().reset_index()
        agg = agg.sort_values(["person_id", "records", col], ascending=[True, False, True], kind="stable")
        return agg.drop_duplicates("person_id").set_index("person_id")[col]

    pids = pd.Index(sorted(ident["person_id"].unique()), name="id")
    name = top("name_s", ident["_han"]).reindex(pids)
    name = name.fillna(top("name").reindex(pids)).fillna("(unnamed number or account)")
    idents = ident.assign(_s=ident["name"].replace("", "-") + " [" + ident["ref"] + "]")
    listed = idents.groupby("person_id", sort=True)["_s"].agg(
        lambda x: "; ".join(list(x)[:20]) + (f"; ... {len(x) - 20} more" if len(x) > 20 else ""))
    n_ident = ident.groupby("person_id").size()
    n_rec = ident.groupby("person_id")["records"].sum()
    vill = ident[ident["village"] != ""].drop_duplicates("person_id").set_index("person_id")["village"]
    people = pd.DataFrame({"id": pids, "name": name.to_numpy(), "gender": top("gender").reindex(pids).to_numpy(),
                           "birth_date": top("birth_date").reindex(pids).to_numpy(),
                           "id_number": top("id_number").reindex(pids).astype(object).fillna(
                               top("id_any").reindex(pids).astype(object)).to_numpy(),
                           "phone": top("phone").reindex(pids).to_numpy(),
                           "village_id": vill.reindex(pids).to_numpy(),
                           "identities": n_ident.reindex(pids).to_numpy(),
                           "records": n_rec.reindex(pids).to_numpy(),
                           "source_identities": listed.reindex(pids).to_numpy()})
    multi = ident["person_id"].map(n_ident).to_numpy() > 1
    shown_ident = [ident[multi]] if multi.any() else []
    # merges: every identity of a merged person and the decision that brought it in
    dec = clu.decided[clu.decided["decision"].isin(["auto", "accept"])]
    best: dict[int, str] = {}
    for r in dec.sort_values("match_weight", ascending=False, kind="stable").to_dict("records"):
        how = f"{r['decision']} p={r['match_probability']:.4f}: {explain_pair(r)}"
        best.setdefault(int(r["uid_l"]), how)
        best.setdefault(int(r["uid_r"]), how)
    if shown_ident:
        mg = pd.concat(shown_ident, ignore_index=True)
        merges = pd.DataFrame({"person_id": mg["person_id"], "ref": mg["ref"], "name_as_written": mg["name"],
                               "id_number": mg["id_any"], "phone": mg["phone"], "account": mg["account"],
                               "records": mg["records"], "joined_by": mg["uid"].map(best).fillna("first identity")})
    else:
        merges = pd.DataFrame(columns=["person_id", "ref", "name_as_written", "id_number", "phone", "account",
                                       "records", "joined_by"])
    return people, merges


def _accounting(srcs: Mapping[str, SourceFile], statuses: Mapping[str, _Rows]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows, bad = [], []
    for n, s in srcs.items():
        st = statuses[n]
        rows.append({"file": n, "kind": s.kind, "encoding": s.encoding, "rows": len(st.status),
                     "ingested": int((st.status == 0).sum()), "duplicate": int((st.status == 1).sum()),
                     "rejected": int((st.status == 2).sum())})
        sel = st.status != 0
        if sel.any():
            bad.append(pd.DataFrame({"file": n, "row": s.frame["_row"].to_numpy()[sel],
                                     "status": np.where(st.status[sel] == 1, "duplicate", "rejected"),
                                     "column": st.column[sel], "reason": st.reason[sel], "twin": st.twin[sel]}))
    rej = pd.concat(bad, ignore_index=True) if bad else pd.DataFrame(
        columns=["file", "row", "status", "column", "reason", "twin"])
    return pd.DataFrame(rows, columns=["file", "kind", "encoding", "rows", "ingested", "duplicate", "rejected"]), rej
