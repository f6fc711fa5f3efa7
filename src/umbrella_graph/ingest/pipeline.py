"""The ingest pipeline: raw exports in, a resolved case folder out.

:func:`ingest` reads every export in a folder (:mod:`~umbrella_graph.ingest.readers`),
normalises and checks identifiers (:mod:`~umbrella_graph.ingest.normalize`), removes
the transfers and calls that both sides' records list, resolves the people with splink
(:mod:`~umbrella_graph.ingest.resolve`), replays the analysts' decisions
(:mod:`~umbrella_graph.ingest.review`) and returns the case tables of the data contract.
Every input row is counted into exactly one of *ingested*, *duplicate* (merged as the
twin of another row, which is cited) or *rejected* (with its reason).

What each kind of export contributes (mentions and records) is read by
:mod:`~umbrella_graph.ingest.extract`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CaseError, ParameterError, Problem, mask_value
from ..parsing import parse_dates
from ..schema import TABLES
from .extract import (
    _bank,
    _cdr,
    _registry,
    _roster,
    _Rows,
    _twins,
    household_ties,
    reject_mixed_offsets,
)
from .normalize import (
    is_company_name,
    normalize_account,
    normalize_company_name,
    normalize_credit_code,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
)
from .readers import SourceFile, read_mapping, read_sources
from .resolve import (
    IDENTITY_COLUMNS,
    Clustering,
    cluster,
    contact_pairs,
    explain_pair,
    name_frequencies,
    score_pairs,
)

__all__ = ["ingest", "IngestResult", "DEFAULT_UPPER", "DEFAULT_LOWER", "DEFAULT_TWIN_WINDOW"]

logger = logging.getLogger(__name__)

DEFAULT_UPPER = 0.99
DEFAULT_LOWER = 0.5
#: Two statement rows (or call records) are the same transfer (call) when the accounts
#: (numbers) and the amount (kind) match and their times are this close.
DEFAULT_TWIN_WINDOW = pd.Timedelta(minutes=5)
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
    m["id_any"] = m["id_raw"].map({k: v.value for k, v in ids.items() if v.reason != "digits_lost"})
    id_sex = m["id_raw"].map({k: v.sex for k, v in ids.items() if v.valid})
    id_birth = m["id_raw"].map({k: str(v.birth_date) for k, v in ids.items() if v.valid})
    phones = {v: normalize_phone(v) for v in pd.unique(m["phone_raw"]) if v}
    m["phone"] = m["phone_raw"].map({k: v.value for k, v in phones.items()
                                     if v.reason not in ("not_a_phone", "digits_lost")})
    accs = {v: normalize_account(v) for v in pd.unique(m["account_raw"]) if v}
    m["account"] = m["account_raw"].map({k: v.value for k, v in accs.items()
                                         if v.reason not in ("not_an_account", "digits_lost")})
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


def _row_edges(pm: pd.DataFrame) -> pd.DataFrame:
    """``uid_a, uid_b``: the two people named in one record (a transfer's holder and
    counterparty, a call's two numbers)."""
    out = []
    for a, b in (("holder", "cp"), ("a", "b")):
        left = pm.loc[pm["slot"] == a, ["file", "row", "uid"]]
        right = pm.loc[pm["slot"] == b, ["file", "row", "uid"]]
        j = left.merge(right, on=["file", "row"], suffixes=("_a", "_b"))
        out.append(j[["uid_a", "uid_b"]])
    return pd.concat(out, ignore_index=True).drop_duplicates()


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
            for src in read_sources(f, mapping=mp, encoding=encoding):  # a workbook: a source per sheet
                srcs[src.file] = src
        except CaseError as exc:
            errors.extend(exc.problems)
    if errors:
        raise CaseError(errors)
    problems: list[Problem] = []
    statuses = {n: _Rows(s) for n, s in srcs.items()}
    reject_mixed_offsets(statuses)  # times hours apart when read as written
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
            cells = s.frame.drop(columns=["_row", "_above"], errors="ignore")  # _above: a title (_Rows)
            blank = cells.astype(str).apply(lambda c: c.str.strip() == "").all(axis=1)
            rows.reject(blank.to_numpy(dtype=bool), "blank_row", "")
            passthrough.setdefault(s.kind.removeprefix("case:"), []).append(
                (s, s.frame.loc[rows.ok()].drop(columns="_above", errors="ignore").reset_index(drop=True)))
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
    scored = ident[list(IDENTITY_COLUMNS)].assign(name=ident["name_s"].where(ident["name_is_han"], None),
                                                  py=ident["py"]).astype(object)
    scored = scored.where(scored.notna(), None)
    prior, name_tf = min(0.01, 2.0 / max(len(scored), 2)), name_frequencies(scored)
    pairs = score_pairs(scored, prior=prior, name_tf=name_tf)
    dec = read_decisions(decisions) if decisions is not None else None
    clu: Clustering = cluster(ident.assign(name=ident["name_s"]), pairs, upper=upper, lower=lower, decisions=dec)
    # a second look at named records no ID number anchors: the people they are in touch with
    extra = contact_pairs(scored, clu.labels, _row_edges(people_m), prior=prior, name_tf=name_tf)
    if len(extra):
        pairs = pd.concat([pairs, extra], ignore_index=True).drop_duplicates(["uid_l", "uid_r"], keep="last")
        pairs = pairs.sort_values(["uid_l", "uid_r"], kind="stable").reset_index(drop=True)
        clu = cluster(ident.assign(name=ident["name_s"]), pairs, upper=upper, lower=lower, decisions=dec)
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
    if rosters["people"]:  # household registers: each member tied to the household's head
        rr = pd.concat(rosters["people"], ignore_index=True)
        rr["person_id"] = party(rr["file"].to_numpy(), rr["row"].to_numpy(), "person")
        hh = household_ties(rr, problems)
        if len(hh):
            tables["ties"] = hh
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
        # rows are increasing, not contiguous (the header sits between a title and the data)
        j = np.searchsorted(st.src.frame["_row"].to_numpy(dtype=np.int64), rows[sel].astype(np.int64))
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
