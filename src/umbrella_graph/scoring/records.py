"""The records each signal of a pair used: :func:`signal_records`.

Every signal of :data:`umbrella_graph.scoring.SIGNALS` is computed from record tables
(:mod:`umbrella_graph.scoring.signals`); this module returns, for one official x gang
pair, exactly the rows each signal counted, with their provenance and their share of the
signal, and the rows it saw but **left out**, with the reason (family money, wages,
contacts in the investigators' follow-up period after an event, a relative who is
himself on the gang's side). :func:`umbrella_graph.scoring.explain` and the report show
these records signal by signal.

Each cited record carries ``value``: what it added to the signal's raw feature (yuan
times confidence for money, the contact weight for contacts, the confidence for
contracts, the tip-off score for a pre-raid contact...). Summing ``value`` over a
signal's used records gives back its feature (``money``: ``expm1(money_amount)``;
``contacts``: ``contact_weight``; ``contracts``: ``contract_count``; ``relay``:
``expm1(relay_amount)``; ``member``: ``member``...), which the tests check.

The structural signals (``ppr``, ``community``, ``link``, ``brokerage``) describe the
official's position in the whole network; they cite the pair's direct records with the
gang's side (contacts, transfers, ties) as the links they rest on, and cannot be
recomputed from those records alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..domain import no_time_of_day
from ..graph import CaseGraph
from ..schema import TABLES
from ._context import Facts
from .facts import case_memo, facts_of
from .signals import (
    KINSHIP_RELATIONS,
    _member_discount,
)

__all__ = ["signal_records", "RECORD_COLUMNS"]

#: The columns of :func:`signal_records`, in order.
RECORD_COLUMNS: tuple[str, ...] = (
    "signal", "used", "value", "table", "file", "row", "record_id", "kind", "time", "amount", "memo",
    "src", "dst", "event_id", "event_kind", "lead_hours", "note",
)

_STRUCTURAL = ("ppr", "community", "link", "brokerage")


def _prov(ctx: Facts, table: str, pos: np.ndarray) -> pd.DataFrame:
    """file, row, record_id, kind, memo of rows ``pos`` of ``table``."""
    pos = np.asarray(pos, dtype=np.int64)
    t = ctx.graph.case[table].iloc[pos]  # only the rows cited
    n = len(pos)
    if not n:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("file", "row", "record_id", "kind", "memo")})
    file = t["_file"].astype("string").fillna("").to_numpy(dtype=object) if "_file" in t else np.full(n, "")
    row = t["_row"].to_numpy() if "_row" in t else pos + 2
    key = TABLES[table].key
    fallback = np.array([f"{table}#{r}" for r in row], dtype=object)
    if key is not None and key in t:
        kid = t[key].astype("string").fillna("").to_numpy(dtype=object)
        rid = np.where(kid != "", kid, fallback)
    else:
        rid = fallback
    kcol = "kind" if "kind" in t else ("role" if "role" in t else None)
    kind = t[kcol].astype("string").fillna("").to_numpy(dtype=object) if kcol else np.full(n, table)
    memo = t["memo"].astype("string").fillna("").to_numpy(dtype=object) if "memo" in t else np.full(n, "")
    return pd.DataFrame({"file": file, "row": np.asarray(row, dtype=np.int64), "record_id": rid,
                         "kind": kind, "memo": memo})


def _frame(ctx: Facts, signal: str, table: str, pos: np.ndarray, value: np.ndarray, *, used: Any = True,
           time: Any = None, amount: Any = None, src: Any = None, dst: Any = None, note: Any = "",
           event_id: Any = "", event_kind: Any = "", lead_hours: Any = np.nan) -> pd.DataFrame:
    pos = np.asarray(pos, dtype=np.int64)
    n = len(pos)
    p = _prov(ctx, table, pos)
    ids = ctx.graph.nodes["id"].to_numpy()

    def col(x: Any, fill: Any) -> Any:
        if x is None:
            return np.full(n, fill, dtype=object)
        return np.broadcast_to(np.asarray(x, dtype=object), (n,)) if n else np.zeros(0, dtype=object)

    return pd.DataFrame({
        "signal": signal, "used": col(used, True).astype(bool), "value": np.asarray(value, dtype=float),
        "table": table, "file": p["file"].to_numpy(), "row": p["row"].to_numpy(),
        "record_id": p["record_id"].to_numpy(), "kind": p["kind"].to_numpy(),
        "time": pd.to_datetime(pd.Series(col(time, pd.NaT))).to_numpy(dtype="datetime64[ns]") if n
        else np.zeros(0, "datetime64[ns]"),
        "amount": np.asarray(col(amount, np.nan), dtype=float),
        "memo": p["memo"].to_numpy(),
        "src": ids[np.asarray(src, dtype=np.int64)] if src is not None and n else col(None, ""),
        "dst": ids[np.asarray(dst, dtype=np.int64)] if dst is not None and n else col(None, ""),
        "event_id": col(event_id, ""), "event_kind": col(event_kind, ""),
        "lead_hours": np.asarray(col(lead_hours, np.nan), dtype=float),
        "note": _with_repeats(ctx, pos, col(note, "")) if table == "contacts" else col(note, ""),
    })


def _with_repeats(ctx: Facts, pos: np.ndarray, note: Any) -> Any:
    """The notes of cited contact records that the case holds twice (both phones' records:
    ``Facts.ct_repeats``) say where the repeat is; the contact counts once."""
    r = ctx.ct_repeats
    hit = np.isin(pos, r["of"].to_numpy()) if len(r) and len(pos) else np.zeros(len(pos), dtype=bool)
    if not hit.any():
        return note
    p = _prov(ctx, "contacts", r["pos"].to_numpy())
    where = pd.Series([f"{f}:{w}" for f, w in zip(p["file"], p["row"], strict=True)]).groupby(
        r["of"].to_numpy()).agg(", ".join)
    out = np.array(note, dtype=object)
    for i in np.flatnonzero(hit):
        extra = f"recorded again at {where[pos[i]]}, counted once"
        out[i] = f"{out[i]}; {extra}" if out[i] else extra
    return out


def _money(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    out = []
    m = ctx.money_records
    m = m[(m["off"].to_numpy() == oi) & (m["gang"].to_numpy() == gi)]
    w, a = m["w"].to_numpy(dtype=float), m["amount"].to_numpy(dtype=float)
    note = [f"{r} paid by {k.replace('_', ' ')} (confidence {c:.2f})"
            for r, k, c in zip(m["relation"], m["side_kind"], m["conf"], strict=True)]
    out.append(_frame(ctx, "money", "transactions", m["pos"].to_numpy(), w * a, time=m["time"].to_numpy(),
                      amount=a, src=m["src"].to_numpy(), dst=m["dst"].to_numpy(), note=note))
    # money the gang side paid the circle that the signal left out, with the reason
    side = ctx.side
    s = side[side["gang"].to_numpy() == gi][["node", "conf_core"]]
    circ = ctx.circle[ctx.circle["off"].to_numpy() == oi]
    tx = ctx.tx
    sel = np.isin(tx["src"].to_numpy(), s["node"].to_numpy()) & np.isin(tx["dst"].to_numpy(), circ["person"].to_numpy())
    x = tx[sel]
    if len(x):
        rel = circ.set_index("person")["relation"].reindex(x["dst"].to_numpy()).to_numpy()
        cc = s.set_index("node")["conf_core"].reindex(x["dst"].to_numpy()).to_numpy(dtype=float)
        member = _member_discount(rel, cc) <= 0
        reason = np.where(x["kin"].to_numpy(), "left out: family money (payer and recipient are relatives)",
                          np.where(x["wage"].to_numpy(), "left out: wage from the recipient's employer",
                                   np.where(member, "left out: the recipient is himself on the gang's side",
                                            "")))
        keep = reason != ""
        x = x[keep]
        out.append(_frame(ctx, "money", "transactions", x["pos"].to_numpy(), np.zeros(len(x)), used=False,
                          time=x["time"].to_numpy(), amount=x["amount"].to_numpy(), src=x["src"].to_numpy(),
                          dst=x["dst"].to_numpy(), note=reason[keep]))
    return out


def _relay(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    r = ctx.relay_records
    if not len(r):
        return []
    r = r[(r["off"].to_numpy() == oi) & (r["gang"].to_numpy() == gi)]
    v = r["w"].to_numpy(dtype=float) * np.minimum(r["a1"].to_numpy(dtype=float), r["a2"].to_numpy(dtype=float))
    tx = ctx.tx.set_index("pos")
    out = []
    for leg, val in (("1", v), ("2", np.zeros(len(r)))):
        pos = r[f"pos{leg}"].to_numpy()
        t = tx.loc[pos] if len(pos) else tx.iloc[:0]
        node_ids = ctx.graph.nodes["id"].to_numpy()
        note = [f"relay leg {leg} of 2 (with {node_ids[m]})" for m in r["mid"].to_numpy()]
        out.append(_frame(ctx, "relay", "transactions", pos, val, time=t["time"].to_numpy(),
                          amount=t["amount"].to_numpy(), src=t["src"].to_numpy(), dst=t["dst"].to_numpy(), note=note))
    return out


def _contracts(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    r = ctx.contract_records
    r = r[(r["off"].to_numpy() == oi) & (r["gang"].to_numpy() == gi)]
    direct = r["how"].to_numpy() != "unit"
    val = np.where(direct, r["conf"].to_numpy(dtype=float), 0.0)
    note = [f"{h} by the official's {'unit or village' if h == 'unit' else 'own hand'}; "
            f"company on the gang's side (confidence {c:.2f})" for h, c in zip(r["how"], r["conf"], strict=True)]
    return [_frame(ctx, "contracts", "contracts", r["pos"].to_numpy(), val, time=r["time"].to_numpy(),
                   amount=r["amount"].to_numpy(), src=np.where(r["issuer"].to_numpy() >= 0, r["issuer"].to_numpy(),
                                                               r["company"].to_numpy()),
                   dst=r["company"].to_numpy(), note=note)]


def _contacts(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    c = ctx.contact_records
    c = c[(c["off"].to_numpy() == oi) & (c["gang"].to_numpy() == gi)]
    post = c["window"].to_numpy() == "post"
    ev = ctx.events
    ev_ids = ctx.graph.case["events"]["id"].astype(str).to_numpy()
    e_id = np.where(c["event"].to_numpy() >= 0, ev_ids[ev["pos"].to_numpy()[np.maximum(c["event"].to_numpy(), 0)]]
                    if len(ev) else "", "")
    note = np.where(post, np.char.add("left out: in the investigators' follow-up period after ", e_id.astype(str)),
                    np.char.add(np.char.add(c["relation"].to_numpy().astype(str), " with "),
                                c["side_kind"].to_numpy().astype(str)))
    return [_frame(ctx, "contacts", "contacts", c["pos"].to_numpy(), np.where(post, 0.0, c["w"].to_numpy(dtype=float)),
                   used=~post, time=c["time"].to_numpy(), src=c["me"].to_numpy(), dst=c["other"].to_numpy(),
                   note=note, event_id=np.where(post, e_id, ""))]


def _lead_words(hours: float, event: str, kind: str, span: float, days: int, by_day: bool) -> str:
    """How long before the event, in words: "6.2 h before E04 (抓捕)"; when the records give
    the event's day or the contact's day and not the hour, ``span`` hours of uncertainty
    (24 for one of them, 48 for both): the range of the lead (``hours`` the most it can
    be), the days before it (``days``, contacts by day), or that the contact is on the
    event's own day."""
    if not span:
        return f"{hours:.1f} h before {event} ({kind})"
    why = "the records give the day, not the hour"
    if days == 0:
        return f"on the day of {event} ({kind}; {why}: before or after it is not known)"
    if by_day:
        return f"{days} day{'s' if days > 1 else ''} before {event} ({kind}; {why})"
    return f"{max(hours - span, 0.0):.1f} to {hours:.1f} h before {event} ({kind}; {why})"


def _tipoff(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    t = ctx.tipoffs
    if not len(t):
        return []
    t = t[(t["official_id"].astype(str).to_numpy() == str(ctx.official_ids[oi]))
          & (t["gang_id"].astype(str).to_numpy() == str(ctx.gang_ids[gi]))]
    if not len(t):
        return []
    ct = ctx.graph.case["contacts"]
    rows = t["row"].to_numpy(dtype=np.int64)
    cand = np.flatnonzero(np.isin(ct["_row"].to_numpy(dtype=np.int64), rows))  # then match the file too
    sub = ct.iloc[cand]
    key = pd.MultiIndex.from_arrays([sub["_file"].astype(str).to_numpy(), sub["_row"].to_numpy(dtype=np.int64)])
    cpos = cand[key.get_indexer(pd.MultiIndex.from_arrays([t["file"].astype(str).to_numpy(), rows]))]
    idx = ctx.graph.index_of
    # hours of uncertainty: a day for an event dated only, a day for a contact dated only
    span = 24.0 * (t["event_dated"].to_numpy(dtype=bool).astype(int) + t["contact_dated"].to_numpy(dtype=bool))
    days = ((pd.to_datetime(t["event_time"]).dt.normalize() - pd.to_datetime(t["contact_time"]).dt.normalize())
            .dt.days.to_numpy())
    by_day = no_time_of_day(ctx.graph.case["contacts"]["time"])
    read = np.where(t["event_gang_from"].to_numpy(dtype=object) == "target",
                    "; the event names no gang: its target is on the gang's side", "")
    note = [f"{_lead_words(h, e, k, d, int(dd), by_day)}{r}; {int(n)} relay call(s) inside the gang; event score {s:.2f}"
            for h, e, k, d, dd, r, n, s in zip(t["lead_hours"], t["event_id"], t["event_kind"], span, days, read,
                                               t["n_relay"], t["score"], strict=True)]
    return [_frame(ctx, "tipoff", "contacts", cpos, t["score"].to_numpy(dtype=float), time=t["contact_time"].to_numpy(),
                   src=idx(t["via_person_id"].astype(str).tolist()), dst=idx(t["contact_person_id"].astype(str).tolist()),
                   note=note, event_id=t["event_id"].astype(str).to_numpy(),
                   event_kind=t["event_kind"].astype(str).to_numpy(), lead_hours=t["lead_hours"].to_numpy(dtype=float))]


def _kinship(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    side = ctx.side
    s = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() != "company")]
    rel = ctx.circle[(ctx.circle["off"].to_numpy() == oi) & np.isin(ctx.circle["relation"].to_numpy(),
                                                                     KINSHIP_RELATIONS)]
    k = rel.merge(s[["node", "kind", "conf"]].rename(columns={"node": "person"}), on="person")
    o = int(ctx.official_pos[oi])
    note = [f"{r} is {kd.replace('_', ' ')} of the gang (confidence {c:.2f})"
            for r, kd, c in zip(k["relation"], k["kind"], k["conf"], strict=True)]
    out = [_frame(ctx, "kinship", "ties", k["tie_pos"].to_numpy(), k["conf"].to_numpy(dtype=float),
                  src=np.full(len(k), o), dst=k["person"].to_numpy(), note=note)]
    comp = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() == "company")][["node", "conf"]]
    roles = ctx.roles[ctx.roles["role"].to_numpy() == "employee"]
    e = rel.merge(roles, on="person").merge(comp.rename(columns={"node": "company"}), on="company")
    out.append(_frame(ctx, "kinship", "company_roles", e["pos_y"].to_numpy() if "pos_y" in e else e["pos"].to_numpy(),
                      e["conf"].to_numpy(dtype=float), src=e["person"].to_numpy(), dst=e["company"].to_numpy(),
                      note=[f"{r} works for a gang company" for r in e["relation"]]))
    return out


def _member(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    mem = ctx.members
    o = int(ctx.official_pos[oi])
    m = mem[(mem["person"].to_numpy() == o) & (mem["gang"].to_numpy() == gi)]
    v = np.where(m["weight"].to_numpy(dtype=float) >= 0.8, 1.0, 0.9)
    return [_frame(ctx, "member", "members", m["pos"].to_numpy(), v, src=np.full(len(m), o),
                   dst=np.full(len(m), int(ctx.gang_pos[gi])),
                   note=[f"the official himself is a listed member ({r or 'member'})" for r in m["role"]])]


def _jurisdiction(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    p = ctx.posts[ctx.posts["off"].to_numpy() == oi]
    o = int(ctx.official_pos[oi])
    return [_frame(ctx, "jurisdiction", "officials", p["pos"].to_numpy(), np.zeros(len(p)), src=np.full(len(p), o),
                   dst=np.where(p["place"].to_numpy() >= 0, p["place"].to_numpy(), o),
                   note=[f"post: {x} {u}".strip() for x, u in zip(p["position"], p["unit_name"], strict=True)])]


def _leads(ctx: Facts, oi: int, gi: int) -> list[pd.DataFrame]:
    ld = ctx.leads
    o = int(ctx.official_pos[oi])
    lsel = ld[(ld["subject"].to_numpy() == o) & (ld["gang"].to_numpy() == gi)]
    return [_frame(ctx, "leads", "leads", lsel["pos"].to_numpy(), np.ones(len(lsel)), src=lsel["node"].to_numpy(),
                   dst=np.full(len(lsel), o), note="lead naming the official with this gang")]


def _structural(ctx: Facts, oi: int, gi: int, base: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
    """The pair's direct records with the gang side, cited by the network signals."""
    # every direct link counts for the network, also those another signal left out
    # (follow-up calls, family money): the graph the network signals walk has them all
    direct = base[base["table"].isin(["contacts", "transactions", "ties"]).to_numpy()
                  & base["signal"].isin(["money", "contacts", "kinship"]).to_numpy()]
    direct = direct.drop_duplicates(["table", "row"])
    if not len(direct):
        direct = _two_hop(ctx, oi, gi, seed)
    out = []
    for sig in _STRUCTURAL:
        d = direct.copy()
        d["signal"] = sig
        d["used"] = True
        d["value"] = 0.0
        d["note"] = "a direct link of the official's circle with the gang side (network position)"
        out.append(d)
    return out


def _two_hop(ctx: Facts, oi: int, gi: int, seed: int, limit: int = 20) -> pd.DataFrame:
    """The official's own records with people who themselves have records with the gang
    side (the shared neighbours the network signals see), else with his Leiden
    community (of ``seed``, as the community signal computes it; computed once per case
    and seed, kept with the case's facts: a report explains many such pairs); at most
    ``limit``."""
    A = ctx.structure
    side = ctx.side
    s_nodes = side[side["gang"].to_numpy() == gi]["node"].to_numpy()
    o = int(ctx.official_pos[oi])
    near = np.zeros(ctx.n, dtype=bool)
    if len(s_nodes):
        near = np.asarray(A[:, s_nodes].sum(axis=1)).ravel() > 0
    if len(s_nodes) and A.nnz and not near[A[o].indices].any():
        from .. import algorithms
        from .structure import community_labels

        memo = case_memo(ctx)
        lab = memo.get(("communities", seed))
        if lab is None:
            lab = community_labels(algorithms.to_igraph(A), seed)
            lab.flags.writeable = False
            memo[("communities", seed)] = lab
        near = lab == lab[o]
    e = ctx.graph.edges
    k = e["kind"].astype(str).to_numpy()
    src, dst = e["src"].to_numpy(), e["dst"].to_numpy()
    sel = np.isin(k, ["transaction", "contact", "tie"]) & (((src == o) & near[dst]) | ((dst == o) & near[src]))
    x = e[sel].head(limit)
    parts = []
    for table, grp in x.groupby(x["table"].astype(str), sort=True):
        parts.append(_frame(ctx, "link", str(table), grp["pos"].to_numpy(), np.zeros(len(grp)),
                            time=grp["time"].to_numpy(), src=grp["src"].to_numpy(), dst=grp["dst"].to_numpy()))
    return pd.concat(parts, ignore_index=True) if parts else _frame(ctx, "link", "contacts", np.zeros(0, np.int64),
                                                                   np.zeros(0))


_BUILDERS = (("money", _money), ("relay", _relay), ("contracts", _contracts), ("contacts", _contacts),
             ("tipoff", _tipoff), ("kinship", _kinship), ("member", _member), ("jurisdiction", _jurisdiction),
             ("leads", _leads))


def pair_records(ctx: Facts, oi: int, gi: int, seed: int = 0) -> pd.DataFrame:
    """All records of pair (official index ``oi``, gang index ``gi``), see
    :func:`signal_records` (``seed``: of the communities the network signals cite)."""
    parts: list[pd.DataFrame] = []
    for _name, fn in _BUILDERS:
        parts.extend(fn(ctx, oi, gi))
    base = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else \
        _frame(ctx, "money", "transactions", np.zeros(0, np.int64), np.zeros(0))
    more = _structural(ctx, oi, gi, base, seed)
    df = pd.concat([base, *[m for m in more if len(m)]], ignore_index=True)
    df = df.sort_values(["signal", "used", "value", "time", "table", "row"],
                        ascending=[True, False, False, True, True, True], kind="stable", na_position="last")
    return df[list(RECORD_COLUMNS)].reset_index(drop=True)


def signal_records(graph: CaseGraph, official_id: str, gang_id: str) -> pd.DataFrame:
    """The records each signal of one official x gang pair used, and those it left out.

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph`.
    official_id, gang_id : str
        The pair.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RECORD_COLUMNS`: ``signal``; ``used`` (False: seen and left
        out, ``note`` says why); ``value`` (what the record added to the signal's raw
        feature); provenance ``table``, ``file``, ``row``, ``record_id``; the record's
        ``kind``, ``time``, ``amount``, ``memo``; ``src``/``dst`` node ids; for pre-raid
        contacts the ``event_id``, ``event_kind`` and ``lead_hours``; ``note`` (e.g.
        ``"6.2 h before E04 (抓捕); ..."``). Sorted by signal, used first, largest value
        first.

    Raises
    ------
    ParameterError
        For ids that are not an official or a gang of the case.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> g = ug.build_graph(ug.load_case("data/samples/qinghe"))
    >>> r = signal_records(g, "P0234", "G02")
    >>> money = r[(r["signal"] == "money") & r["used"]]
    >>> money[["table", "file"]].drop_duplicates().values.tolist()
    [['transactions', 'transactions.csv']]
    >>> bool((r.loc[~r["used"], "note"].str.startswith("left out:")).all())
    True
    """
    from ._context import check_ids

    ctx = facts_of(graph, "signal_records")
    oi = int(check_ids(ctx, [official_id], "officials", "signal_records")[0])
    gi = int(check_ids(ctx, [gang_id], "gangs", "signal_records")[0])
    return pair_records(ctx, oi, gi)
