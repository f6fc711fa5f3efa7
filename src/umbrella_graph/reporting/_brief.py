"""The brief: one card per top suspect, what a review board reads first.

Each card says who (name, post), with which gang, the score and a confidence, the three
strongest records cited by :func:`umbrella_graph.scoring.explain` (date, what, amount,
file:row), and the innocent explanation the data cannot rule out. Nothing here recomputes
evidence: the records are those of the explanation (the records a signal carries when the
explanation lists them per signal, else the records on its evidence paths).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..presentation import cell_text, fmt_amount, fmt_time, source

__all__ = ["ALTERNATIVES", "ALTERNATIVES_ZH", "confidence", "strongest_records", "alternative"]

#: For each signal, the innocent reading of it that the records alone cannot exclude
#: (what an investigator must check before the flag stands).
ALTERNATIVES: dict[str, str] = {
    "money": "The transfers may be lawful (a loan, rent, a family business, wedding or funeral gifts); "
             "the data hold no contract, loan note or repayment that would tell them apart.",
    "relay": "Money reaching his relatives may be their own business with the gang's side, unknown to him.",
    "contracts": "The contracts may have been awarded in an open tender that the data do not include; "
                 "check the tender file and the other bidders.",
    "contacts": "Calls and meetings may be official business: his post involves the gang's place or trade.",
    "tipoff": "Contacts before a raid may be routine or coincidental; the timing is unusual for him, "
              "but the content of the calls is unknown.",
    "kinship": "Relatives' links to the gang may be their own; kinship alone is not evidence of shielding.",
    "member": "The member list may be wrong or out of date (an informant's claim, a namesake); "
              "check where the listing comes from.",
    "jurisdiction": "Governing the gang's place or regulating its trade is his job: context, not evidence.",
    "leads": "Petitions and tips may be mistaken or malicious; they are not corroborated by themselves.",
    "ppr": "Being close to the gang in the network may reflect a small community where everyone is connected.",
    "community": "Sharing a network community with the gang may reflect a small place where everyone is connected.",
    "link": "Shared contacts may be common acquaintances in a small place.",
    "brokerage": "A central position may come with his post rather than with the gang.",
}
#: The same in Chinese (``lang="zh"``).
ALTERNATIVES_ZH: dict[str, str] = {
    "money": "这些转账可能是合法往来（借款、房租、家庭生意、婚丧礼金）；数据中没有可资区分的合同、借据或还款记录。",
    "relay": "流向其亲属的钱可能是亲属与团伙一方自己的生意，本人未必知情。",
    "contracts": "合同可能经公开招标授予，而招标材料不在数据中；应核查招标档案和其他投标人。",
    "contacts": "通话和见面可能是公务往来：其职务本就涉及该团伙所在地或所在行业。",
    "tipoff": "执法行动前的联系可能是例行或巧合；对他而言时间点异常，但通话内容不得而知。",
    "kinship": "亲属与团伙的关系可能只是亲属自己的事；亲属关系本身不能证明充当保护伞。",
    "member": "成员名单可能有误或已过时（线人说法、同名同姓）；应核查名单来源。",
    "jurisdiction": "管辖团伙所在地或监管其行业是其本职：这是背景，不是证据。",
    "leads": "信访举报可能有误或属恶意；仅凭举报本身不能相互印证。",
    "ppr": "在网络中接近团伙可能只反映地方小、人人相识。",
    "community": "与团伙同属一个网络社区可能只反映地方小、人人相识。",
    "link": "共同联系人可能只是小地方的普通熟人。",
    "brokerage": "处于网络中心位置可能源于其职务，而非团伙。",
}
_TABLE_RANK = {"transactions": 0, "contracts": 1, "contacts": 2}


def _records_of(expl: Any) -> list[tuple[float, dict[str, Any], str, str]]:
    """(strength, record, from, to) for every record the explanation's signals used
    (strength: the signal's contribution), or else for every record of its evidence paths
    (strength: the path's)."""
    out: list[tuple[float, dict[str, Any], str, str]] = []
    sig = getattr(expl, "signals", None)
    recs_all = getattr(expl, "records", None)
    if (isinstance(sig, pd.DataFrame) and isinstance(recs_all, pd.DataFrame) and len(recs_all)
            and {"signal", "contribution"} <= set(sig.columns) and {"signal", "used"} <= set(recs_all.columns)):
        # the scorer's own per-signal records (the ones each signal used), weighted by
        # the signal's contribution
        weight = dict(zip(sig["signal"].astype(str),
                          pd.to_numeric(sig["contribution"], errors="coerce").fillna(0.0), strict=True))
        used = recs_all[recs_all["used"].to_numpy(dtype=bool)]
        for r in used.to_dict("records"):
            c = float(weight.get(str(r.get("signal")), 0.0))
            if c > 0:
                out.append((c, r, cell_text(r.get("src", "")), cell_text(r.get("dst", ""))))
    elif isinstance(sig, pd.DataFrame) and "records" in sig.columns and "contribution" in sig.columns:
        contrib = pd.to_numeric(sig["contribution"], errors="coerce").fillna(0.0)
        for c, recs in zip(contrib, sig["records"], strict=True):
            if isinstance(recs, pd.DataFrame) and len(recs) and c > 0:
                for r in recs.to_dict("records"):
                    out.append((float(c), r, cell_text(r.get("src", "")), cell_text(r.get("dst", ""))))
    if out:
        # the records the score rests on; evidence paths are only a fallback for an
        # explanation that carries no per-signal records
        return out
    for path in getattr(expl, "paths", None) or []:
        strength = float(getattr(path, "strength", 0.0) or 0.0)
        for h in path.hops:
            recs = h.records if isinstance(h.records, pd.DataFrame) else pd.DataFrame()
            for r in recs.to_dict("records"):
                out.append((strength, r, str(h.src), str(h.dst)))
    return out


def strongest_records(expl: Any, n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` strongest distinct records an explanation cites.

    Ordered by the strength of what cites them (a signal's contribution, or an evidence
    path's strength), then money and contracts before contacts, then larger amounts, then
    earlier dates. Each is a dict with ``record_id``, ``table``, ``time``, ``amount``,
    ``detail``, ``source`` (file:row), ``file``, ``row``, ``src`` and ``dst``.
    """
    rows = _records_of(expl)
    seen: set[str] = set()
    ranked = []
    for strength, r, a, b in rows:
        rid = cell_text(r.get("record_id")) or f"{cell_text(r.get('file'))}:{cell_text(r.get('row'))}"
        if rid in seen:
            continue
        seen.add(rid)
        amount = pd.to_numeric(pd.Series([r.get("amount")]), errors="coerce").iloc[0]
        t = pd.to_datetime(pd.Series([r.get("time")]), errors="coerce").iloc[0]
        key = (-strength, _TABLE_RANK.get(cell_text(r.get("table")), 3),
               -(float(amount) if pd.notna(amount) else 0.0),
               t.value if pd.notna(t) else math.inf, rid)
        ranked.append((key, {
            "record_id": rid, "table": cell_text(r.get("table")), "time": fmt_time(r.get("time")),
            "file": cell_text(r.get("file")), "row": cell_text(r.get("row")),
            "amount": fmt_amount(amount), "detail": cell_text(r.get("detail")) or cell_text(r.get("note")),
            "source": source(r.get("file"), r.get("row")), "src": a, "dst": b,
        }))
    ranked.sort(key=lambda x: x[0])
    return [r for _, r in ranked[:n]]


def _contributions(expl: Any, row: pd.Series) -> list[tuple[str, float]]:
    sig = getattr(expl, "signals", None)
    if isinstance(sig, pd.DataFrame) and len(sig) and {"signal", "contribution"} <= set(sig.columns):
        c = pd.to_numeric(sig["contribution"], errors="coerce").fillna(0.0)
        pairs = [(str(s), float(v)) for s, v in zip(sig["signal"], c, strict=True)]
    else:
        pairs = [(str(k)[len("contrib_"):], float(v)) for k, v in row.items()
                 if str(k).startswith("contrib_") and pd.notna(v)]
    return sorted((p for p in pairs if p[1] > 0), key=lambda p: (-p[1], p[0]))


def confidence(expl: Any, row: pd.Series, lang: str = "en") -> tuple[str, str]:
    """``("high"|"medium"|"low", why)`` for a flagged pair (``why`` in ``lang``).

    High: at least two independent signals each carry at least 15% of the score, and an
    evidence path with records avoids every hub. Medium: records are cited, but the score
    rests on one signal or only on paths through hubs. Low: no record is cited.
    """
    zh = lang == "zh"
    parts = _contributions(expl, row)
    total = sum(v for _, v in parts) or 1.0
    strong = [s for s, v in parts if v / total >= 0.15]
    paths = getattr(expl, "paths", None) or []
    direct = [p for p in paths if not getattr(p, "through_hub", False)]
    n_records = len(_records_of(expl))
    if not n_records:
        return "low", ("未引用任何记录：评分仅依据网络位置" if zh else
                       "no record is cited: the score rests on network position only")
    if len(strong) >= 2 and direct:
        return "high", (f"{len(strong)} 个独立信号（{'、'.join(strong)}），引用 {n_records} 条记录" if zh else
                        f"{len(strong)} independent signals ({', '.join(strong)}) and {n_records} cited record(s)")
    if len(strong) == 1:
        why = f"评分主要依赖一个信号（{strong[0]}）" if zh else f"the score rests mainly on one signal ({strong[0]})"
    elif paths and not direct:
        why = "每条证据路径都经过枢纽人物" if zh else "every evidence path passes through a hub"
    else:
        why = f"{len(strong)} 个强信号" if zh else f"{len(strong)} strong signal(s)"
    return "medium", (f"{why}；引用 {n_records} 条记录" if zh else f"{why}; {n_records} cited record(s)")


def alternative(expl: Any, row: pd.Series, lang: str = "en") -> str:
    """The innocent explanation of the pair's strongest signals that the data cannot rule out
    (in English, or in Chinese with ``lang="zh"``)."""
    table = ALTERNATIVES_ZH if lang == "zh" else ALTERNATIVES
    parts = _contributions(expl, row)
    texts = [table[s] for s, _ in parts[:2] if s in table]
    if not texts:
        return "没有突出的信号；该标记仅依赖微弱、间接的联系。" if lang == "zh" else \
            "No signal stands out; the flag rests on weak, indirect links."
    return ("" if lang == "zh" else " ").join(dict.fromkeys(texts))
