"""A synthetic city written as the messy exports an investigation team receives.

:func:`write_messy_sources` takes a :class:`~umbrella_graph.synth.SynthCity` (from
:func:`~umbrella_graph.synth.generate_city`) and writes, instead of clean case tables,

* a household register (``户籍人员.csv``, GBK): everyone, with a register key; some ID
  numbers in the old 15-digit form, some with a wrong check digit, phones written
  ``+86 199-...`` or with spaces;
* a roster of officials (``公职人员名单.xlsx``) and the police's list of gang members
  (``涉黑人员名单.csv``, ID numbers often missing);
* statements from three banks with three layouts (Chinese headers in GBK with the
  holder's ID number; English headers in UTF-8 with names often in pinyin and signed
  amounts; an Excel file with separate credit and debit columns), each transfer listed
  by the payer's bank, the payee's bank or both (a few minutes apart), names in
  traditional characters or with stray spaces, counterparty names sometimes missing,
  companies named ``有限责任公司`` instead of ``有限公司``;
* call detail records from two carriers (each call or SMS in the caller's records, the
  callee's or both), every person with a phone, some with a second phone known only to
  the carrier, wives sometimes giving their husband's phone to the bank (shared family
  phones), and the carriers' subscriber lists;
* a business-registry extract (credit codes, legal representatives, shareholders with
  shares and ID numbers);
* the police's own tables as they are (villages, gangs, events, contracts, leads,
  labels, ties, meetings and chats), naming people by register key and companies by
  credit code.

The truth (which person every named party of every row is) goes to ``truth/`` next to
the sources: ``truth/mentions.csv`` (``file, row, slot, person_id``) and
``truth/companies.csv`` (``credit_code, company_id``). Namesakes come from the city's
own name distribution (common names repeat). Everything is drawn from ``seed``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._common import SynthCity

__all__ = ["write_messy_sources", "MessySources"]

logger = logging.getLogger(__name__)

_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
_ROLE_ZH = {"owner": "实际控制人", "legal_rep": "法定代表人", "director": "董事", "shareholder": "股东",
            "manager": "经理", "employee": "员工"}
_MEMBER_ZH = {"leader": "首要分子", "core": "骨干", "member": "一般成员"}


@dataclass
class MessySources:
    """Where :func:`write_messy_sources` wrote, and the truth."""

    path: Path
    mentions: pd.DataFrame  # file, row, slot, person_id
    companies: pd.DataFrame  # credit_code, company_id
    rows: int  # source rows written (all files)


def _luhn_cards(rng: np.random.Generator, n: int, prefix: str) -> np.ndarray:
    body = np.char.add(prefix, np.char.zfill(rng.choice(10**12, size=n, replace=False).astype(str), 18 - len(prefix)))
    digits = np.frombuffer(body.astype(f"S{18}").tobytes(), dtype=np.uint8).reshape(n, 18).astype(np.int64) - 48
    rev = digits[:, ::-1].copy()
    dbl = rev[:, 0::2] * 2
    dbl = np.where(dbl > 9, dbl - 9, dbl)
    total = dbl.sum(axis=1) + rev[:, 1::2].sum(axis=1)
    return np.char.add(body, ((10 - total % 10) % 10).astype(str))


def _credit_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    chars = np.array(list(_USCC))
    body = np.empty((n, 17), dtype=np.int64)
    body[:, 0] = 9
    body[:, 1] = 1
    body[:, 2:8] = np.array([9, 9, 0, 1, 0, 1])
    body[:, 8:] = rng.integers(0, 31, size=(n, 9))
    check = (31 - (body @ _USCC_W) % 31) % 31
    full = np.concatenate([body, check[:, None]], axis=1)
    return np.array(["".join(chars[r]) for r in full])


def _variants(names: pd.Series, rng: np.random.Generator, p_trad: float, p_space: float,
              p_pinyin: float) -> np.ndarray:
    """Name as written: traditional characters, a stray space, or pinyin."""
    import opencc
    from pypinyin import lazy_pinyin

    s2t = opencc.OpenCC("s2t")
    uniq = names.dropna().unique()
    trad = {n: s2t.convert(n) for n in uniq}
    u = rng.random(len(names))
    out = names.to_numpy(dtype=object).copy()
    t = u < p_trad
    out[t] = [trad.get(n, n) for n in out[t]]
    sp = (u >= p_trad) & (u < p_trad + p_space)
    out[sp] = [n[0] + " " + n[1:] if isinstance(n, str) and len(n) > 1 else n for n in out[sp]]
    py = (u >= p_trad + p_space) & (u < p_trad + p_space + p_pinyin)
    out[py] = [(lambda p: p[0].upper() + " " + "".join(p[1:]).capitalize())(lazy_pinyin(n)) if isinstance(n, str)
               else n for n in out[py]]
    return out


def _phone_fmt(phones: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(len(phones))
    out = phones.astype(object).copy()
    ok = np.array([isinstance(p, str) and len(p) == 11 for p in out])
    a = ok & (u < 0.15)
    out[a] = ["+86 " + p[:3] + "-" + p[3:7] + "-" + p[7:] for p in out[a]]
    b = ok & (u >= 0.15) & (u < 0.3)
    out[b] = [p[:3] + " " + p[3:7] + " " + p[7:] for p in out[b]]
    return out


def _id_fmt(ids: np.ndarray, rng: np.random.Generator, p15: float, pbad: float, pmissing: float) -> np.ndarray:
    u = rng.random(len(ids))
    out = ids.astype(object).copy()
    old = (u < p15) & np.array([isinstance(x, str) and x[6:8] == "19" for x in out], dtype=bool)
    out[old] = [x[:6] + x[8:17] for x in out[old]]
    bad = (u >= p15) & (u < p15 + pbad)
    out[bad] = [x[:17] + ("0" if x[17] != "0" else "1") for x in out[bad]]
    miss = (u >= p15 + pbad) & (u < p15 + pbad + pmissing)
    out[miss] = ""
    return out


def write_messy_sources(city: SynthCity, out_dir: str | Path, *, seed: int = 0) -> MessySources:
    """Write ``city`` as messy raw exports to ``out_dir`` (and the truth to ``out_dir/truth``).

    Parameters
    ----------
    city : SynthCity
        From :func:`~umbrella_graph.synth.generate_city`.
    out_dir : str or Path
        The sources folder (created). Existing files of the same names are replaced.
    seed : int
        The same seed and city give the same files.

    Returns
    -------
    MessySources

    Examples
    --------
    >>> import tempfile
    >>> from umbrella_graph.synth import generate_city
    >>> city = generate_city(people=300, gangs=1, seed=1)
    >>> ms = write_messy_sources(city, tempfile.mkdtemp(), seed=1)
    >>> sorted(p.name for p in ms.path.iterdir())[:3]
    ['bank_b_statement.csv', 'contacts.csv', 'contracts.csv']
    """
    rng = np.random.default_rng([int(seed), 12])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    case = city.case
    people = case["people"].reset_index(drop=True)
    n = len(people)
    pid = people["id"].astype(str).to_numpy()
    idx = {p: i for i, p in enumerate(pid)}
    names = people["name"].astype(str)
    ids = people["id_number"].astype(str).to_numpy()
    gender = people["gender"].astype(str).to_numpy()
    phone_known = people["phone"].astype(object).where(people["phone"].notna(), None).to_numpy()
    # every person has a phone (the register may not know it), 10% a second one
    extra = np.char.add("198", np.char.zfill(rng.choice(10**8, size=2 * n, replace=False).astype(str), 8))
    phone1 = np.where(pd.isna(phone_known), extra[:n], phone_known).astype(object)
    second = rng.random(n) < 0.10
    phone2 = np.where(second, extra[n:], np.array(None, dtype=object)).astype(object)
    # accounts: one card each, 15% a second card at another bank
    cards = _luhn_cards(rng, 2 * n, "622")
    acc1, acc2 = cards[:n], np.where(rng.random(n) < 0.15, cards[n:], np.array(None, dtype=object))
    bank1 = rng.integers(0, 3, n)
    bank2 = (bank1 + 1 + rng.integers(0, 2, n)) % 3
    keys = np.array([f"H{i:07d}" for i in rng.permutation(n)])
    key_of = dict(zip(pid, keys, strict=True))
    # companies: credit codes and corporate accounts
    cos = case["companies"].reset_index(drop=True)
    cc = _credit_codes(rng, len(cos))
    cc_of = dict(zip(cos["id"].astype(str), cc, strict=True))
    co_name = dict(zip(cos["id"].astype(str), cos["name"].astype(str), strict=True))
    co_acc = dict(zip(cos["id"].astype(str), np.char.add("3305", np.char.zfill(
        rng.choice(10**12, size=len(cos), replace=False).astype(str), 16)), strict=True))
    co_bank = dict(zip(cos["id"].astype(str), rng.integers(0, 3, len(cos)), strict=True))
    truth: list[pd.DataFrame] = []
    total_rows = 0

    def note(file: str, rows: np.ndarray, slot: str, persons: np.ndarray) -> None:
        is_p = np.array([isinstance(x, str) and x in idx for x in persons], dtype=bool)
        truth.append(pd.DataFrame({"file": file, "row": rows[is_p], "slot": slot, "person_id": persons[is_p]}))

    # ---- household register
    order = rng.permutation(n)
    reg = pd.DataFrame({
        "人员编号": keys[order], "姓名": _variants(names.iloc[order], rng, 0.02, 0.02, 0.0),
        "性别": gender[order], "出生日期": people["birth_date"].dt.strftime("%Y-%m-%d").to_numpy()[order],
        "身份证号": _id_fmt(ids[order], rng, 0.05, 0.01, 0.0),
        "手机号": _phone_fmt(np.array([p if isinstance(p, str) else "" for p in phone_known[order]], dtype=object), rng),
        "户籍村": people["village_id"].astype(str).to_numpy()[order]})
    reg.to_csv(out / "户籍人员.csv", index=False, encoding="gbk")
    note("户籍人员.csv", np.arange(2, n + 2), "person", pid[order])
    total_rows += n
    # ---- officials roster (Excel)
    off = case["officials"].reset_index(drop=True)
    oi = off["person_id"].astype(str).map(idx).to_numpy()
    offx = pd.DataFrame({"姓名": _variants(names.iloc[oi].reset_index(drop=True), rng, 0.05, 0.0, 0.0),
                         "身份证号": _id_fmt(ids[oi], rng, 0.1, 0.0, 0.0), "职务": off["position"].astype(str),
                         "单位": off["unit"].astype(object).where(off["unit"].notna(), ""),
                         "职级": off["rank"].astype(object).where(off["rank"].notna(), ""),
                         "辖区": off["jurisdiction_id"].astype(object).where(off["jurisdiction_id"].notna(), ""),
                         "任职时间": off["start_date"].dt.strftime("%Y-%m-%d").fillna(""),
                         "离任时间": off["end_date"].dt.strftime("%Y-%m-%d").fillna("")})
    offx.to_excel(out / "公职人员名单.xlsx", index=False)
    note("公职人员名单.xlsx", np.arange(2, len(offx) + 2), "person", pid[oi])
    total_rows += len(offx)
    # ---- gang member list
    mem = case["members"].reset_index(drop=True)
    mi = mem["person_id"].astype(str).map(idx).to_numpy()
    memx = pd.DataFrame({"姓名": names.iloc[mi].to_numpy(), "身份证号": _id_fmt(ids[mi], rng, 0.05, 0.02, 0.3),
                         "手机号": _phone_fmt(phone1[mi], rng), "所属团伙": mem["gang_id"].astype(str),
                         "团伙地位": mem["role"].astype(str).map(_MEMBER_ZH).fillna("一般成员")})
    memx.to_csv(out / "涉黑人员名单.csv", index=False, encoding="utf-8")
    note("涉黑人员名单.csv", np.arange(2, len(memx) + 2), "person", pid[mi])
    total_rows += len(memx)
    # ---- bank statements
    tx = case["transactions"].reset_index(drop=True)
    src, dst = tx["src"].astype(str).to_numpy(), tx["dst"].astype(str).to_numpy()
    m = len(tx)

    def acct(party: np.ndarray, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a = np.empty(len(party), dtype=object)
        b = np.zeros(len(party), dtype=np.int64)
        for i, (p, w) in enumerate(zip(party, which, strict=True)):
            if p in idx:
                j = idx[p]
                use2 = w and acc2[j] is not None
                a[i], b[i] = (acc2[j], bank2[j]) if use2 else (acc1[j], bank1[j])
            else:
                a[i], b[i] = co_acc[p], co_bank[p]
        return a, b

    use2 = rng.random((2, m)) < 0.5
    s_acc, s_bank = acct(src, use2[0])
    d_acc, d_bank = acct(dst, use2[1])
    u = rng.random(m)
    payer_side = u < 0.92
    payee_side = (u >= 0.08) | ~payer_side
    rows_out = []
    for side, sel in (("out", payer_side), ("in", payee_side)):
        own = np.where(side == "out", src, dst)[sel]
        other = np.where(side == "out", dst, src)[sel]
        oa = (s_acc if side == "out" else d_acc)[sel]
        ca = (d_acc if side == "out" else s_acc)[sel]
        bk = (s_bank if side == "out" else d_bank)[sel]
        lag = pd.to_timedelta(rng.integers(0, 4, sel.sum()) if side == "in" else np.zeros(sel.sum(), int), unit="m")
        rows_out.append(pd.DataFrame({"own": own, "other": other, "own_acc": oa, "cp_acc": ca, "bank": bk,
                                      "out": side == "out", "amount": tx["amount"].to_numpy()[sel],
                                      "time": tx["date"].to_numpy()[sel] + lag.to_numpy(),
                                      "channel": tx["channel"].astype(str).to_numpy()[sel],
                                      "memo": tx["memo"].astype(object).where(tx["memo"].notna(), "").to_numpy()[sel],
                                      "serial": np.arange(m)[sel]}))
    st = pd.concat(rows_out, ignore_index=True).sort_values(["bank", "time", "serial"], kind="stable")

    def shown_name(parties: np.ndarray, p_pinyin: float) -> np.ndarray:
        nm = pd.Series([names.iat[idx[p]] if p in idx else co_name[p] for p in parties], dtype=object)
        is_co = np.array([p not in idx for p in parties])
        v = _variants(nm, rng, 0.04, 0.03, p_pinyin)
        v[is_co] = [x.replace("有限公司", "有限责任公司") if r < 0.3 else x
                    for x, r in zip(nm[is_co], rng.random(is_co.sum()), strict=True)]
        return v

    def holder_id(parties: np.ndarray) -> np.ndarray:
        raw = np.array([ids[idx[p]] if p in idx else "" for p in parties], dtype=object)
        ok = raw != ""
        raw[ok] = _id_fmt(raw[ok].astype(str), rng, 0.03, 0.01, 0.10)
        return raw

    for b, (fname, enc) in enumerate((("工商银行流水.csv", "gbk"), ("bank_b_statement.csv", "utf-8"),
                                      ("农商行流水.xlsx", "xlsx"))):
        s = st[st["bank"] == b].reset_index(drop=True)
        k = len(s)
        rows = np.arange(2, k + 2)
        own, other = s["own"].to_numpy(), s["other"].to_numpy()
        cp_name = shown_name(other, 0.3 if b == 1 else 0.0)
        cp_name[rng.random(k) < 0.05] = ""
        hold = shown_name(own, 0.3 if b == 1 else 0.0)
        amt = s["amount"].to_numpy()
        if b == 0:
            df = pd.DataFrame({"交易卡号": s["own_acc"], "交易户名": hold, "证件号码": holder_id(own),
                               "交易时间": s["time"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                               "借贷标志": np.where(s["out"], "借", "贷"), "交易金额": [f"{a:.2f}" for a in amt],
                               "对手账号": s["cp_acc"], "对手户名": cp_name, "交易渠道": s["channel"],
                               "摘要": s["memo"], "交易流水号": [f"A{x:09d}" for x in s["serial"]]})
            df.to_csv(out / fname, index=False, encoding=enc)
        elif b == 1:
            df = pd.DataFrame({"Account No": s["own_acc"], "Account Name": hold,
                               "Date": s["time"].dt.strftime("%Y%m%d %H%M%S"),
                               "Amount": [f"{-a:,.2f}" if o else f"{a:,.2f}" for a, o in zip(amt, s["out"],
                                                                                               strict=True)],
                               "Counterparty Account": s["cp_acc"], "Counterparty Name": cp_name,
                               "Channel": s["channel"], "Narrative": s["memo"]})
            df.to_csv(out / fname, index=False, encoding=enc)
        else:
            df = pd.DataFrame({"账号": s["own_acc"], "户名": hold, "交易日期": s["time"].dt.strftime("%Y/%m/%d %H:%M"),
                               "支出金额": np.where(s["out"], amt, np.nan), "收入金额": np.where(s["out"], np.nan, amt),
                               "对方账号": s["cp_acc"], "对方户名": cp_name, "摘要": s["memo"]})
            df.to_excel(out / fname, index=False)
        note(fname, rows, "holder", own)
        note(fname, rows, "cp", other)
        total_rows += k
    # account-opening records the banks sent with the statements (90% of cards)
    holders = np.concatenate([np.arange(n), np.flatnonzero(acc2 != None)])  # noqa: E711
    accs = np.concatenate([acc1, acc2[acc2 != None]])  # noqa: E711
    keep = rng.random(len(accs)) < 0.9
    # shared family phones: a third of married women gave the bank their husband's phone
    ties = case["ties"]
    sp = ties[ties["kind"] == "spouse"]
    spouse = dict(zip(sp["src"].astype(str), sp["dst"].astype(str), strict=True))
    spouse.update(zip(sp["dst"].astype(str), sp["src"].astype(str), strict=True))
    kyc_phone = phone1[holders].copy()
    for i, h in enumerate(holders):
        other = spouse.get(pid[h])
        if gender[h] == "女" and other in idx and rng.random() < 0.33:
            kyc_phone[i] = phone1[idx[other]]
    kyc = pd.DataFrame({"账号": accs[keep], "户名": _variants(names.iloc[holders[keep]].reset_index(drop=True), rng,
                                                           0.02, 0.02, 0.0),
                        "证件号码": _id_fmt(ids[holders[keep]], rng, 0.05, 0.01, 0.0),
                        "预留手机号": _phone_fmt(kyc_phone[keep], rng)})
    kyc.to_csv(out / "银行开户资料.csv", index=False, encoding="gbk")
    note("银行开户资料.csv", np.arange(2, len(kyc) + 2), "person", pid[holders[keep]])
    total_rows += len(kyc)
    # ---- call records (calls and sms, expanded by count) and subscriber lists
    ct = case["contacts"]
    ct = ct[ct["kind"].isin(["call", "sms"]) & ct["src"].isin(idx.keys()) & ct["dst"].isin(idx.keys())]
    cnt = ct["count"].fillna(1).astype(int).clip(1, 20).to_numpy()
    rep = np.repeat(np.arange(len(ct)), cnt)
    step = np.concatenate([np.arange(c) for c in cnt]) if len(cnt) else np.zeros(0, dtype=int)
    calls = pd.DataFrame({"src": ct["src"].astype(str).to_numpy()[rep], "dst": ct["dst"].astype(str).to_numpy()[rep],
                          "kind": ct["kind"].astype(str).to_numpy()[rep],
                          "time": ct["time"].to_numpy()[rep] + pd.to_timedelta(step * 37, unit="m").to_numpy(),
                          "dur": ct["duration_s"].fillna(0).to_numpy()[rep]})
    si, di = calls["src"].map(idx).to_numpy(), calls["dst"].map(idx).to_numpy()
    use_2 = rng.random((2, len(calls))) < 0.3
    calls["a"] = np.where(use_2[0] & (phone2[si] != None), phone2[si], phone1[si])  # noqa: E711
    calls["b"] = np.where(use_2[1] & (phone2[di] != None), phone2[di], phone1[di])  # noqa: E711
    u = rng.random(len(calls))
    carrier_of = {p: (int(p[-1]) % 2) for p in np.concatenate([phone1, phone2[phone2 != None]])}  # noqa: E711
    sides = []
    for side, sel in (("caller", u < 0.92), ("callee", u >= 0.08)):
        c = calls[sel]
        own = c["a"] if side == "caller" else c["b"]
        sides.append(pd.DataFrame({"own_p": own.to_numpy(), "other_p": (c["b"] if side == "caller" else c["a"]).to_numpy(),
                                   "own": (c["src"] if side == "caller" else c["dst"]).to_numpy(),
                                   "other": (c["dst"] if side == "caller" else c["src"]).to_numpy(),
                                   "dir": side, "kind": c["kind"].to_numpy(),
                                   "time": c["time"].to_numpy() + (pd.to_timedelta(rng.integers(0, 60, len(c)), unit="s")
                                                                   .to_numpy() if side == "callee" else 0),
                                   "dur": c["dur"].to_numpy()}))
    cd = pd.concat(sides, ignore_index=True)
    cd["carrier"] = cd["own_p"].map(carrier_of)
    cd = cd.sort_values(["carrier", "own_p", "time"], kind="stable")
    for car, fname in ((0, "移动话单.csv"), (1, "unicom_cdr.csv")):
        s = cd[cd["carrier"] == car].reset_index(drop=True)
        k = len(s)
        rows = np.arange(2, k + 2)
        if car == 0:
            df = pd.DataFrame({"本机号码": _phone_fmt(s["own_p"].to_numpy(), rng), "对方号码": _phone_fmt(
                s["other_p"].to_numpy(), rng), "呼叫类型": np.where(
                s["kind"] == "sms", np.where(s["dir"] == "caller", "短信发送", "短信接收"),
                np.where(s["dir"] == "caller", "主叫", "被叫")), "开始时间": s["time"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                "通话时长(秒)": np.where(s["kind"] == "sms", 0, s["dur"]).astype(int),
                "基站": [f"46000-{x % 5000}" for x in rng.integers(0, 10**6, k)]})
            df.to_csv(out / fname, index=False, encoding="gbk")
        else:
            df = pd.DataFrame({"MSISDN": s["own_p"], "Peer Number": _phone_fmt(s["other_p"].to_numpy(), rng),
                               "Call Direction": np.where(s["dir"] == "caller", "MO", "MT"),
                               "Record Type": np.where(s["kind"] == "sms", "SMS", "VOICE"),
                               "Start Time": s["time"].dt.strftime("%Y-%m-%dT%H:%M:%S"),
                               "Duration": np.where(s["kind"] == "sms", 0, s["dur"]).astype(int),
                               "Cell ID": [f"{x}" for x in rng.integers(10000, 99999, k)]})
            df.to_csv(out / fname, index=False, encoding="utf-8")
        note(fname, rows, "a", s["own"].to_numpy())
        note(fname, rows, "b", s["other"].to_numpy())
        total_rows += k
    # subscriber list: who registered which phone (85% of phones)
    owners = np.concatenate([np.arange(n), np.flatnonzero(second)])
    ph = np.concatenate([phone1, phone2[second]])
    keep = rng.random(len(ph)) < 0.85
    sub = pd.DataFrame({"本机号码": _phone_fmt(ph[keep], rng), "对方号码": "", "呼叫类型": "", "开始时间": ""})
    subx = pd.DataFrame({"手机号码": ph[keep], "机主姓名": _variants(names.iloc[owners[keep]].reset_index(drop=True),
                                                                  rng, 0.03, 0.02, 0.0),
                         "证件号码": _id_fmt(ids[owners[keep]], rng, 0.05, 0.01, 0.05)})
    del sub
    subx.to_csv(out / "开户信息.csv", index=False, encoding="gbk")
    note("开户信息.csv", np.arange(2, len(subx) + 2), "person", pid[owners[keep]])
    total_rows += len(subx)
    # ---- registry extract
    cr = case["company_roles"].reset_index(drop=True)
    ri = cr["person_id"].astype(str).map(idx).to_numpy()
    reg_rows = pd.DataFrame({"企业名称": cr["company_id"].astype(str).map(co_name).to_numpy(),
                             "统一社会信用代码": cr["company_id"].astype(str).map(cc_of).to_numpy(),
                             "姓名": _variants(names.iloc[ri].reset_index(drop=True), rng, 0.03, 0.0, 0.0),
                             "证件号码": _id_fmt(ids[ri], rng, 0.05, 0.01, 0.10),
                             "职务": cr["role"].astype(str).map(_ROLE_ZH).fillna("员工").to_numpy(),
                             "持股比例": [f"{s * 100:.0f}%" if s == s else "" for s in cr["share"].astype(float)],
                             "所属行业": cr["company_id"].astype(str).map(dict(zip(cos["id"], cos["sector"].astype(object),
                                                                             strict=True))).to_numpy(),
                             "所在村": cr["company_id"].astype(str).map(dict(zip(cos["id"], cos["village_id"].astype(
                                 object), strict=True))).to_numpy()})
    lone = sorted(set(cos["id"].astype(str)) - set(cr["company_id"].astype(str)))
    reg_rows = pd.concat([reg_rows, pd.DataFrame({"企业名称": [co_name[c] for c in lone],
                                                  "统一社会信用代码": [cc_of[c] for c in lone]})], ignore_index=True)
    reg_rows = reg_rows.fillna("")
    reg_rows.to_csv(out / "工商登记.csv", index=False, encoding="utf-8")
    rp = np.concatenate([cr["person_id"].astype(str).to_numpy(), np.array([""] * len(lone), dtype=object)])
    note("工商登记.csv", np.arange(2, len(reg_rows) + 2), "person", rp)
    total_rows += len(reg_rows)

    # ---- police tables as they are: people by register key, companies by credit code
    def ref(v: object) -> object:
        if isinstance(v, str):
            return key_of.get(v, cc_of.get(v, v))
        return v

    for t in ("villages", "gangs", "events", "contracts", "leads", "labels", "ties"):
        if not case.has(t):
            continue
        df = case[t].drop(columns=["_file", "_row"]).copy()
        for c in df.columns:
            if c in ("src", "dst", "person_id", "official_id", "subject_id", "target_id", "approver_id", "issuer_id",
                     "company_id"):
                df[c] = df[c].astype(object).map(ref)
        df.to_csv(out / f"{t}.csv", index=False, encoding="utf-8")
        total_rows += len(df)
    other = case["contacts"]
    other = other[other["kind"].isin(["meeting", "chat"]) | ~(other["src"].isin(idx.keys())
                                                              & other["dst"].isin(idx.keys()))]
    oc = other.drop(columns=["_file", "_row"]).copy()
    oc["src"], oc["dst"] = oc["src"].astype(object).map(ref), oc["dst"].astype(object).map(ref)
    oc.to_csv(out / "contacts.csv", index=False, encoding="utf-8")
    total_rows += len(oc)
    mentions = pd.concat(truth, ignore_index=True)
    mentions.to_csv(out / "truth" / "mentions.csv", index=False)
    comp = pd.DataFrame({"credit_code": cc, "company_id": cos["id"].astype(str)})
    comp.to_csv(out / "truth" / "companies.csv", index=False)
    logger.info("messy sources: %d rows written", total_rows)
    return MessySources(out, mentions, comp, total_rows)
