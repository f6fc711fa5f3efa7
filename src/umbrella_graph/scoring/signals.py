"""Typed evidence signals for every official x gang pair: :func:`pair_features`.

Every feature is computed for all pairs at once from record arrays (pandas merges and
group-bys, SciPy sparse products, igraph): there is no Python loop over records or
pairs. The features are *raw* measurements (amounts, counts, surprises); the scorer
(:mod:`umbrella_graph.scoring.score`) turns them into signals in ``[0, 1]`` and the
classifier (:mod:`umbrella_graph.scoring.model`) learns from them directly.

What each feature measures, why it matters and how it fails is documented in
``docs/signals.md``; the short version is in :data:`FEATURE_DOCS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammainc

from ..domain import CHANNELS, answers_for_area, latest_contact_times, regulated_sectors, sectors_of
from ._context import Facts
from .precomputed import index_pairs
from .tipoff import TIPOFF_MIN_SCORE, is_tipoff, pre_raid_event

__all__ = ["FEATURE_DOCS", "FEATURES", "SignalResult", "EVIDENCE_SIGNALS", "signal_money", "signal_contracts",
           "signal_contacts", "signal_kinship", "signal_jurisdiction", "signal_leads"]

#: Amount thresholds are quantiles of the case's ordinary transfers (Facts.amount_at),
#: never absolute yuan. A transfer at or above the 90th percentile is "large".
LARGE_QUANTILE = 0.90
#: Money to an official's circle is judged between these quantiles: at the 80th
#: percentile or below (in total) it is everyday money (fees, gifts); at the 98.5th it is
#: plainly a bribe (``money_level``, ``relay_level``).
EVERYDAY_QUANTILE = 0.80
BRIBE_QUANTILE = 0.985
#: A pass-through (gang side -> intermediary -> official's circle) must be completed
#: within this long, with the second leg between these shares of the first.
RELAY_WINDOW = np.timedelta64(30, "D")
RELAY_SHARE = (0.3, 1.2)
RELAY_MIN_QUANTILE = EVERYDAY_QUANTILE
#: Weight of a contract the official's unit or village issued but someone else approved.
UNIT_CONTRACT_WEIGHT = 0.3

#: Feature name -> one-line description (docs/signals.md has the full story).
FEATURE_DOCS: dict[str, str] = {
    "money_amount": "log1p of confidence-weighted yuan paid by the gang side to the official, his spouse or relatives",
    "money_count": "confidence-weighted number of such transfers",
    "money_large": "confidence-weighted number of such transfers at or above the case's 90th percentile of transfers",
    "money_level": "money_amount between the case's everyday (80th percentile) and bribe (98.5th) amounts, 0..1 in log",
    "money_self": "log1p of yuan paid to the official himself",
    "money_spouse": "log1p of yuan paid to his spouse",
    "money_kin": "log1p of yuan paid to his other relatives (one or two family ties away)",
    "money_listed": "log1p of yuan paid by listed members",
    "money_company": "log1p of yuan paid by gang companies",
    "money_front": "log1p of yuan paid by front men and inferred (unlisted) members",
    **{f"money_{c}": f"log1p of yuan paid through channel {c!r}" for c in CHANNELS},
    "relay_amount": "log1p of yuan relayed gang side -> intermediary -> official's circle within 30 days",
    "relay_count": "confidence-weighted number of such relays",
    "relay_level": "relay_amount on the same case-relative scale as money_level",
    "contract_count": "confidence-weighted number of contracts the official issued or approved to gang companies",
    "contract_amount": "log1p of their yuan value",
    "contract_total": "number of contracts the official issued or approved (to anyone)",
    "contract_expected": "contracts to the gang expected by chance (total x the gang's share of the other officials' contracts)",
    "contract_surprise": "-log10 Poisson probability of at least contract_count given contract_expected",
    "contract_unit": "confidence-weighted contracts to gang companies by the official's unit or village (approved by others)",
    "contact_weight": "role- and confidence-weighted contacts of the official's circle with the gang side (meetings x2), outside post-raid windows, family excluded",
    "contact_core": "contacts with the leader and core members only",
    "contact_people": "distinct gang-side people (confidence >= 0.5) the circle contacted",
    "contact_volume": "the circle's overall contact volume (family excluded)",
    "contact_expected": "contact_weight expected from the volume and the officials' average rate for this gang",
    "contact_surprise": "-log10 Poisson probability of at least contact_weight given contact_expected",
    "contact_post": "contacts in the case's measured follow-up period after the gang's enforcement events "
                    "(investigator pattern)",
    "tipoff_raids": "enforcement events on the gang with a tip-off from the official's circle (scoring.tipoff.is_tipoff)",
    "tipoff_score": "the strongest tip-off score (-log10 p, timing against his own baseline, scan-corrected, relay), "
                    "or the pattern over all the gang's enforcement events if stronger (scoring.tipoff.pattern_scores)",
    "tipoff_spread": "tip-offs the gang relayed (relay surprise >= the tip-off threshold)",
    "tipoff_post_raids": "enforcement events followed, within the case's measured follow-up period, by contacts with the gang side",
    "kin_side": "strongest tie of a relative to the gang (listed role, or front man / inferred confidence)",
    "kin_employed": "strongest confidence of a gang company employing a relative who is not himself on the gang side",
    "member": "the official is a listed member (leader/core 1, member 0.9)",
    "jurisdiction": "the official governs the gang's village (1), town (0.7), district (0.4), city (0.15); regulators of its trade, police, courts and procuratorate 0.8",
    "leads_gang": "leads (petitions, tips) naming the official together with this gang",
    "leads_other": "leads naming the official without a gang",
    "ppr": "log10 of personalised PageRank (cut at 4 steps) from the gang side at the official over his stationary share",
    "community": "share of the gang side (by confidence) in the official's Leiden community",
    "brokerage": "sampled betweenness of the official (same for every gang)",
    "link_aa": "Adamic-Adar index between the official and the gang side (confidence-weighted, per side member)",
    "link_ra": "resource-allocation index between the official and the gang side",
}
#: The raw features, in column order.
FEATURES: tuple[str, ...] = tuple(FEATURE_DOCS)


def _minutes(t: np.ndarray) -> np.ndarray:
    return np.asarray(t, dtype="datetime64[m]").astype(np.int64)


def _poisson_surprise(x: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """-log10 P(X >= x) for X ~ Poisson(lam), continuous in x (regularised gamma)."""
    x = np.asarray(x, dtype=float)
    lam = np.maximum(np.asarray(lam, dtype=float), 1e-3)
    p = np.ones_like(x)
    pos = x > 0
    p[pos] = gammainc(x[pos], lam[pos])
    return -np.log10(np.clip(p, 1e-300, 1.0))


class _Pairs:
    """Accumulates features over a sorted set of (official, gang) pairs.

    The pairs are the candidates (:mod:`umbrella_graph.scoring.candidates`), or every
    official x gang pair with ``all_pairs=True``; one float column per feature, aligned
    with ``off`` and ``gang``. Records of a pair outside the set are dropped (none exist
    for the evidence features: the candidates are built from the same records).
    Accumulation order is the records' order, as in a dense grid, so the values do not
    depend on which pairs are held.
    """

    def __init__(self, off: np.ndarray, gang: np.ndarray, n_off: int, n_gang: int) -> None:
        self.off = np.asarray(off, dtype=np.int64)
        self.gang = np.asarray(gang, dtype=np.int64)
        self.n_off, self.n_gang = n_off, n_gang
        self.keys = self.off * np.int64(max(n_gang, 1)) + self.gang
        self.size = len(self.keys)
        self.cols: dict[str, np.ndarray] = {}

    def index(self, off: np.ndarray, gang: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the pairs ``(off[i], gang[i])`` held, and which ``i`` are held."""
        k = np.asarray(off, dtype=np.int64) * np.int64(max(self.n_gang, 1)) + np.asarray(gang, dtype=np.int64)
        if not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(len(k), dtype=bool)
        i = np.searchsorted(self.keys, k)
        i = np.minimum(i, self.size - 1)
        ok = self.keys[i] == k
        return i[ok], ok

    def add(self, name: str, off: np.ndarray, gang: np.ndarray, values: np.ndarray) -> None:
        col = self.get(name)
        if len(off):
            i, ok = self.index(off, gang)
            np.add.at(col, i, np.broadcast_to(np.asarray(values, dtype=float), ok.shape)[ok])

    def maximum(self, name: str, off: np.ndarray, gang: np.ndarray, values: np.ndarray) -> None:
        col = self.get(name)
        if len(off):
            i, ok = self.index(off, gang)
            np.maximum.at(col, i, np.asarray(values, dtype=float)[ok])

    def assign(self, name: str, off: np.ndarray, gang: np.ndarray, values: np.ndarray) -> None:
        col = self.get(name)
        if len(off):
            i, ok = self.index(off, gang)
            col[i] = np.asarray(values, dtype=float)[ok]

    def set(self, name: str, values: np.ndarray) -> None:
        """One value per held pair (aligned with ``off`` and ``gang``)."""
        self.cols[name] = np.asarray(values, dtype=float).reshape(self.size)

    def get(self, name: str) -> np.ndarray:
        return self.cols.setdefault(name, np.zeros(self.size))

    def fresh(self) -> _Pairs:
        """An empty accumulator over the same pairs (each signal fills its own)."""
        return _Pairs(self.off, self.gang, self.n_off, self.n_gang)

    def result(self, records: Mapping[str, pd.DataFrame]) -> SignalResult:
        """The signal's values (one array per feature, aligned with the pairs) and records."""
        return SignalResult(values=dict(self.cols), records=dict(records), reached=())


@dataclass(frozen=True)
class SignalResult:
    """What a signal returns: its feature values and the records it counted.

    ``values`` maps each feature of the signal to one float per held pair (aligned with
    the pairs given to the signal); ``records`` names the record frames it counted (rows
    of the case's facts, with their provenance positions); ``reached`` lists, when the
    signal ran over a candidate collector, the pair keys it wrote to with their evidence
    channel (:data:`CHANNELS_OF_EVIDENCE`).
    """

    values: dict[str, np.ndarray]
    records: dict[str, pd.DataFrame] = field(default_factory=dict)
    reached: tuple[tuple[np.ndarray, int], ...] = ()


def _member_discount(relation: np.ndarray, conf_core: np.ndarray) -> np.ndarray:
    """Factor for records of a relative who may himself act for the gang.

    ``max(0, 1 - 2 * conf_core)``: a relative who is on the gang side with confidence
    0.5 or more (from contacts, employment or company control; not from money, which
    is what is being counted) deals with the gang as a member, not for the official.
    The official himself always counts fully.
    """
    cc = np.nan_to_num(np.asarray(conf_core, dtype=float), nan=0.0)
    return np.where(np.asarray(relation) == "self", 1.0, np.clip(1.0 - 2.0 * cc, 0.0, 1.0))


# ----------------------------------------------------------------------------- the facts
def record_facts(ctx: Facts) -> dict[str, Any]:
    """Stage 4 of :func:`umbrella_graph.scoring.facts.case_facts`: the filtered record
    frames every signal family counts (and :mod:`~umbrella_graph.scoring.records` cites),
    computed once from the earlier stages (the gang side, the
    follow-up period, the tip-off table), in this order."""
    resp = responsibility(ctx)
    return {"money_records": money_records(ctx), "relay_records": relay_records(ctx),
            "responsibility": resp, "contract_records": contract_records(ctx, resp),
            "contact_records": contact_records(ctx), "tipoff_events": tipoff_events(ctx)}


# ----------------------------------------------------------------------------- money
def money_records(ctx: Facts) -> pd.DataFrame:
    """Transfers from the gang side to an official's circle, one row per (record, pair):
    the fact ``Facts.money_records`` (computed once by :func:`record_facts`).

    Columns: ``off``, ``gang``, ``src``, ``dst``, ``relation`` (self | spouse | kin),
    ``side_kind``, ``conf``, ``w`` (confidence x circle weight x recipient discount),
    ``amount``, ``channel``, ``time``, ``pos`` (row in the transactions table).
    """
    side = ctx.side
    circle = ctx.circle
    tx = ctx.tx_ordinary
    in_side = np.zeros(ctx.n, dtype=bool)
    in_side[side["node"].to_numpy()] = True
    tx = tx[ctx.in_circle[tx["dst"].to_numpy()] & in_side[tx["src"].to_numpy()]]
    m = tx.merge(side[["node", "gang", "conf", "kind"]].rename(columns={"node": "src", "kind": "side_kind"}),
                 on="src")
    m = m.merge(circle[["off", "person", "relation", "weight"]].rename(columns={"person": "dst"}), on="dst")
    # a recipient who is himself on the gang side is paid as a member, not as a relative
    rc = side[["node", "gang", "conf_core"]].rename(columns={"node": "dst"})
    m = m.merge(rc, on=["dst", "gang"], how="left")
    rcv = _member_discount(m["relation"].to_numpy(), m["conf_core"].to_numpy())
    m["w"] = m["conf"].to_numpy(dtype=float) * m["weight"].to_numpy(dtype=float) * rcv
    m = m[m["w"].to_numpy() > 0].drop(columns=["conf_core", "weight"])
    return m.sort_values(["off", "gang", "pos"]).reset_index(drop=True)


def relay_records(ctx: Facts) -> pd.DataFrame:
    """Pass-throughs gang side -> intermediary -> official's circle (one row per pair of
    legs): the fact ``Facts.relay_records``."""
    side = ctx.side
    circle = ctx.circle
    tx = ctx.tx_ordinary
    relay_min = ctx.amount_at(RELAY_MIN_QUANTILE)
    tx = tx[tx["amount"].to_numpy() >= relay_min * RELAY_SHARE[0]]
    in_side = np.zeros(ctx.n, dtype=bool)
    in_side[side["node"].to_numpy()] = True
    leg1 = tx[in_side[tx["src"].to_numpy()] & ~ctx.is_official[tx["dst"].to_numpy()]
              & (tx["amount"].to_numpy() >= relay_min)]
    leg1 = leg1.merge(side[["node", "gang", "conf"]].rename(columns={"node": "src"}), on="src")
    leg1 = leg1[["src", "dst", "amount", "time", "pos", "gang", "conf"]].rename(
        columns={"dst": "mid", "amount": "a1", "time": "t1", "pos": "pos1"})
    leg2 = tx[ctx.in_circle[tx["dst"].to_numpy()]]
    leg2 = leg2.merge(circle[["off", "person", "relation", "weight"]].rename(columns={"person": "dst"}), on="dst")
    leg2 = leg2[["src", "dst", "amount", "time", "pos", "off", "relation", "weight"]].rename(
        columns={"src": "mid", "amount": "a2", "time": "t2", "pos": "pos2"})
    r = leg1.merge(leg2, on="mid")
    if len(r):
        dt = r["t2"].to_numpy() - r["t1"].to_numpy()
        ratio = r["a2"].to_numpy() / r["a1"].to_numpy()
        ok = (dt >= np.timedelta64(0, "s")) & (dt <= RELAY_WINDOW) & (ratio >= RELAY_SHARE[0]) & (
            ratio <= RELAY_SHARE[1])
        r = r[ok]
    if len(r):
        # the intermediary is neither on this gang's side nor in this official's circle
        mid_side = side[["node", "gang"]].rename(columns={"node": "mid"}).assign(_s=True)
        r = r.merge(mid_side, on=["mid", "gang"], how="left")
        mid_circ = circle[["off", "person"]].rename(columns={"person": "mid"}).assign(_c=True)
        r = r.merge(mid_circ, on=["off", "mid"], how="left")
        r = r[r["_s"].isna().to_numpy() & r["_c"].isna().to_numpy()].drop(columns=["_s", "_c"])
        # one relay per second leg and gang: the closest first leg in time
        r = r.assign(_dt=(r["t2"] - r["t1"]).to_numpy())
        r = r.sort_values(["off", "gang", "pos2", "_dt", "pos1"]).drop_duplicates(["off", "gang", "pos2"])
        r["w"] = r["conf"].to_numpy(dtype=float) * r["weight"].to_numpy(dtype=float)
        r = r.drop(columns=["_dt"]).reset_index(drop=True)
    return r


def _money(ctx: Facts, out: _Pairs) -> None:
    m = ctx.money_records
    off, gang, w = m["off"].to_numpy(), m["gang"].to_numpy(), m["w"].to_numpy(dtype=float)
    amt = m["amount"].to_numpy(dtype=float)
    out.add("money_amount", off, gang, w * amt)
    out.add("money_count", off, gang, w)
    out.add("money_large", off, gang, w * (amt >= ctx.amount_at(LARGE_QUANTILE)))
    rel = m["relation"].to_numpy()
    for r, rels in (("self", ("self",)), ("spouse", ("spouse",)), ("kin", ("kin", "extended"))):
        sel = np.isin(rel, rels)
        out.add(f"money_{r}", off[sel], gang[sel], (w * amt)[sel])
    sk = m["side_kind"].to_numpy()
    for name, kinds in (("listed", ("listed",)), ("company", ("company",)), ("front", ("front_man", "inferred"))):
        sel = np.isin(sk, kinds)
        out.add(f"money_{name}", off[sel], gang[sel], (w * amt)[sel])
    ch = m["channel"].to_numpy()
    for c in CHANNELS:
        sel = ch == c
        out.add(f"money_{c}", off[sel], gang[sel], (w * amt)[sel])
    r = ctx.relay_records
    if len(r):
        out.add("relay_amount", r["off"].to_numpy(), r["gang"].to_numpy(),
                r["w"].to_numpy(dtype=float) * np.minimum(r["a1"].to_numpy(dtype=float), r["a2"].to_numpy(dtype=float)))
        out.add("relay_count", r["off"].to_numpy(), r["gang"].to_numpy(), r["w"].to_numpy(dtype=float))
    lo, hi = np.log10(ctx.amount_at(EVERYDAY_QUANTILE)), np.log10(ctx.amount_at(BRIBE_QUANTILE))
    for name, src in (("money_level", "money_amount"), ("relay_level", "relay_amount")):
        with np.errstate(divide="ignore"):
            la = np.log10(np.maximum(out.get(src), 1e-9))
        out.set(name, np.clip((la - lo) / max(hi - lo, 1e-9), 0.0, 1.0))
    for name in ("money_amount", "money_self", "money_spouse", "money_kin", "money_listed", "money_company",
                 "money_front", *[f"money_{c}" for c in CHANNELS], "relay_amount"):
        out.set(name, np.log1p(out.get(name)))
    out.get("relay_count")


# ----------------------------------------------------------------------------- contracts
def contract_records(ctx: Facts, resp: pd.DataFrame) -> pd.DataFrame:
    """Contracts to gang companies with the official responsible (``resp``, from
    :func:`responsibility`): (off, gang, pos, resp, conf, amount, how); the fact
    ``Facts.contract_records``."""
    k = ctx.contracts
    side = ctx.side
    comp = side[side["kind"].to_numpy() == "company"][["node", "gang", "conf"]].rename(columns={"node": "company"})
    r = k.merge(resp, on="pos").merge(comp, on="company")
    return r.sort_values(["off", "gang", "pos"]).reset_index(drop=True)


def responsibility(ctx: Facts) -> pd.DataFrame:
    """Who answers for each contract: (pos, off, resp, how); the fact ``Facts.responsibility``."""
    k = ctx.contracts
    parts = []
    for col, how in (("approver", "approved"), ("issuer", "issued")):
        node = k[col].to_numpy()
        oi = np.where(node >= 0, ctx.off_index[np.maximum(node, 0)], -1)
        ok = oi >= 0
        parts.append(pd.DataFrame({"pos": k["pos"].to_numpy()[ok], "off": oi[ok], "resp": 1.0, "how": how}))
    # unit- or village-level: the issuer is the official's unit or the place his post governs
    posts = ctx.posts
    units = pd.concat([posts[["off", "unit"]].rename(columns={"unit": "issuer"}),
                       posts[["off", "place"]].rename(columns={"place": "issuer"})], ignore_index=True)
    units = units[units["issuer"].to_numpy() >= 0].drop_duplicates()
    u = k[["pos", "issuer"]].merge(units, on="issuer")
    parts.append(pd.DataFrame({"pos": u["pos"].to_numpy(), "off": u["off"].to_numpy(),
                               "resp": UNIT_CONTRACT_WEIGHT, "how": "unit"}))
    r = pd.concat(parts, ignore_index=True)
    r = r.sort_values(["pos", "off", "resp"], ascending=[True, True, False]).drop_duplicates(["pos", "off"])
    return r.reset_index(drop=True)


def _contracts(ctx: Facts, out: _Pairs) -> None:
    r = ctx.contract_records
    direct = r["how"].to_numpy() != "unit"
    w = r["conf"].to_numpy(dtype=float)
    off, gang = r["off"].to_numpy(), r["gang"].to_numpy()
    out.add("contract_count", off[direct], gang[direct], w[direct])
    amt = np.nan_to_num(r["amount"].to_numpy(dtype=float), nan=0.0)
    out.add("contract_amount", off[direct], gang[direct], (w * amt)[direct])
    out.set("contract_amount", np.log1p(out.get("contract_amount")))
    out.add("contract_unit", off[~direct], gang[~direct], (w * r["resp"].to_numpy(dtype=float))[~direct])
    resp = ctx.responsibility
    d = resp[resp["how"].to_numpy() != "unit"]
    total = np.bincount(d["off"].to_numpy(), minlength=ctx.n_officials).astype(float)
    n_con = float(len(ctx.contracts))
    side = ctx.side
    comp = side[side["kind"].to_numpy() == "company"]
    k = ctx.contracts[["company"]].merge(comp[["node", "gang", "conf"]].rename(columns={"node": "company"}),
                                         on="company")
    to_gang = np.bincount(k["gang"].to_numpy(), weights=k["conf"].to_numpy(dtype=float), minlength=ctx.n_gangs)
    # the gang's share of everybody else's contracts (leave the official's own out, so
    # that steering does not raise its own expectation), lightly smoothed
    own = out.get("contract_count")
    share = (to_gang[out.gang] - own + 0.1) / (np.maximum(n_con - total, 0.0)[out.off] + 1.0)
    out.set("contract_total", total[out.off])
    expected = total[out.off] * np.clip(share, 0.0, 1.0)
    out.set("contract_expected", expected)
    out.set("contract_surprise", _poisson_surprise(out.get("contract_count"), expected))


# ----------------------------------------------------------------------------- contacts
def contact_records(ctx: Facts) -> pd.DataFrame:
    """Contacts of an official's circle with the gang side, one row per (record, pair).

    Columns: ``off``, ``gang``, ``me`` (circle member), ``other`` (gang side),
    ``relation``, ``side_kind``, ``conf``, ``w`` (circle weight x side weight x 2 for
    meetings), ``kind``, ``time``, ``pos``, ``window`` and ``event`` (row of the event in
    ctx.events or -1). ``window`` is ``pre`` for a pre-raid contact of the pair, as the
    tip-off definition says (:func:`umbrella_graph.scoring.tipoff.pre_raid_records`: a
    record the tip-off table tests before that event), else ``post`` within the case's
    measured follow-up period (``Facts.follow_up``) after an enforcement event on the gang,
    else ``""``. The fact ``Facts.contact_records``.
    """
    side = ctx.side
    circle = ctx.circle
    ct = ctx.ct[~ctx.ct["kin"].to_numpy()]
    in_side = np.zeros(ctx.n, dtype=bool)
    in_side[side["node"].to_numpy()] = True
    frames = []
    for a, b in (("src", "dst"), ("dst", "src")):
        x = ct[ctx.in_circle[ct[a].to_numpy()] & in_side[ct[b].to_numpy()]]
        frames.append(x[[a, b, "kind", "time", "pos", "dated"]].rename(columns={a: "me", b: "other"}))
    c = pd.concat(frames, ignore_index=True)
    c = c.merge(circle[["off", "person", "relation", "weight"]].rename(columns={"person": "me", "weight": "cw"}),
                on="me")
    c = c.merge(side[["node", "gang", "conf", "weight", "kind"]].rename(
        columns={"node": "other", "weight": "sw", "kind": "side_kind"}), on="other")
    # a relative who is himself on the gang side talks to it as a member, not for the official
    rc = side[["node", "gang", "conf_core"]].rename(columns={"node": "me"})
    c = c.merge(rc, on=["me", "gang"], how="left")
    rcv = _member_discount(c["relation"].to_numpy(), c["conf_core"].to_numpy())
    meet = np.where(c["kind"].to_numpy() == "meeting", 2.0, 1.0)
    c["w"] = c["cw"].to_numpy(dtype=float) * c["sw"].to_numpy(dtype=float) * meet * rcv
    c = c[c["w"].to_numpy() > 0]
    window, event = _windows(ctx, c["off"].to_numpy(), c["gang"].to_numpy(), c["pos"].to_numpy(),
                             latest_contact_times(c["time"], c["dated"]))
    c = c.drop(columns=["cw", "sw", "conf_core", "dated"])
    c["window"] = window
    c["event"] = event
    return c.sort_values(["off", "gang", "pos", "me"]).reset_index(drop=True)


_BIG = np.int64(10**10)


def _windows(ctx: Facts, off: np.ndarray, gang: np.ndarray, pos: np.ndarray, latest: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """For records of (official, gang, contact row, latest time): 'pre' / 'post' / '' and the event row.

    ``pre``: the tip-off definition tests the record before an event of the gang for this
    official (:func:`umbrella_graph.scoring.tipoff.pre_raid_event`); ``post``: otherwise,
    within the measured follow-up period after the gang's last event before it (a contact
    dated only at the latest it can be: domain.latest_contact_times).
    """
    ev = ctx.events
    window = np.full(len(gang), "", dtype=object)
    event = np.full(len(gang), -1, dtype=np.int64)
    if not len(ev) or not len(gang):
        return window, event
    pre = pre_raid_event(ctx, off, gang, pos)
    same = pre >= 0
    window[same] = "pre"
    event[same] = pre[same]
    ek = ev["gang"].to_numpy().astype(np.int64) * _BIG + _minutes(ev["time"].to_numpy())
    order = np.argsort(ek, kind="stable")
    ek = ek[order]
    rk = gang.astype(np.int64) * _BIG + _minutes(latest)
    # last event before the record: post-window?
    i = np.searchsorted(ek, rk, side="left") - 1
    has = i >= 0
    j = np.maximum(i, 0)
    post_m = ctx.follow_up / pd.Timedelta(minutes=1)
    post = has & (ek[j] // _BIG == gang) & (rk - ek[j] <= post_m) & ~same
    window[post] = "post"
    event[post] = order[j[post]]
    return window, event


def _contacts(ctx: Facts, out: _Pairs) -> None:
    c = ctx.contact_records
    off, gang, w = c["off"].to_numpy(), c["gang"].to_numpy(), c["w"].to_numpy(dtype=float)
    win = c["window"].to_numpy()
    normal = win != "post"
    out.add("contact_weight", off[normal], gang[normal], w[normal])
    core = normal & (c["side_kind"].to_numpy() == "listed") & (c["conf"].to_numpy() >= 1.0)
    # leader and core: listed weight >= 0.8
    side = ctx.side
    lw = side[side["kind"].to_numpy() == "listed"][["node", "gang", "weight"]].rename(columns={"node": "other"})
    cw = c[["other", "gang"]].merge(lw, on=["other", "gang"], how="left")["weight"].fillna(0.0).to_numpy()
    core &= cw >= 0.8
    out.add("contact_core", off[core], gang[core], w[core])
    post = win == "post"
    out.add("contact_post", off[post], gang[post], w[post])
    strong = normal & (c["conf"].to_numpy() >= 0.5)
    ppl = c[strong][["off", "gang", "other"]].drop_duplicates()
    out.add("contact_people", ppl["off"].to_numpy(), ppl["gang"].to_numpy(), np.ones(len(ppl)))
    # the circle's overall contact volume, family excluded
    ct = ctx.ct[~ctx.ct["kin"].to_numpy()]
    deg = (np.bincount(ct["src"].to_numpy(), minlength=ctx.n) + np.bincount(ct["dst"].to_numpy(), minlength=ctx.n)
           ).astype(float)
    circ = ctx.circle
    vol = np.bincount(circ["off"].to_numpy(), weights=circ["weight"].to_numpy(dtype=float) * deg[circ["person"].to_numpy()],
                      minlength=ctx.n_officials)
    out.set("contact_volume", vol[out.off])
    x = out.get("contact_weight")
    # the officials' average rate per gang: over every pair with contacts (whichever
    # pairs are held), summed per gang in official order as a dense column sum would
    G = max(ctx.n_gangs, 1)
    keys = np.unique(off[normal].astype(np.int64) * G + gang[normal])
    every = _Pairs(keys // G, keys % G, ctx.n_officials, ctx.n_gangs)
    every.add("x", off[normal], gang[normal], w[normal])
    rate = np.bincount(every.gang, weights=every.get("x"), minlength=ctx.n_gangs) / max(float(vol.sum()), 1.0)
    expected = vol[out.off] * rate[out.gang]
    out.set("contact_expected", expected)
    out.set("contact_surprise", _poisson_surprise(x, expected))
    post_ev = c[post][["off", "gang", "event"]].drop_duplicates()
    out.add("tipoff_post_raids", post_ev["off"].to_numpy(), post_ev["gang"].to_numpy(), np.ones(len(post_ev)))
    _tipoffs(ctx, out)


def tipoff_events(ctx: Facts) -> pd.DataFrame:
    """One row per (official, gang, event) tested by :func:`umbrella_graph.scoring.tipoff.tipoff_table`:
    ``off, gang, event_id, score, surprise, relay_surprise, pattern_score``; the fact
    ``Facts.tipoff_events`` (from the default tip-off table ``Facts.tipoffs``)."""
    t = ctx.tipoffs
    cols = ["off", "gang", "event_id", "score", "surprise", "relay_surprise", "pattern_score"]
    if not len(t):
        res = pd.DataFrame({c: np.zeros(0) for c in cols})
    else:
        e = t.drop_duplicates(["event_id", "official_id"])
        res = pd.DataFrame({"off": pd.Index(ctx.official_ids).get_indexer(e["official_id"].astype(str)),
                            "gang": pd.Index(ctx.gang_ids).get_indexer(e["gang_id"].astype(str)),
                            "event_id": e["event_id"].astype(str).to_numpy(),
                            "score": e["score"].to_numpy(dtype=float), "surprise": e["surprise"].to_numpy(dtype=float),
                            "relay_surprise": e["relay_surprise"].to_numpy(dtype=float),
                            "pattern_score": e["pattern_score"].to_numpy(dtype=float)})
        res = res[(res["off"].to_numpy() >= 0) & (res["gang"].to_numpy() >= 0)].reset_index(drop=True)
    return res


def _tipoffs(ctx: Facts, out: _Pairs) -> None:
    e = ctx.tipoff_events
    sc, pat = e["score"].to_numpy(dtype=float), e["pattern_score"].to_numpy(dtype=float)
    hit = is_tipoff(sc, pat)  # the one rule (scoring.tipoff): find_tipoffs lists the same events
    out.add("tipoff_raids", e["off"].to_numpy()[hit], e["gang"].to_numpy()[hit], np.ones(int(hit.sum())))
    relayed = hit & (e["relay_surprise"].to_numpy(dtype=float) >= TIPOFF_MIN_SCORE)
    out.add("tipoff_spread", e["off"].to_numpy()[relayed], e["gang"].to_numpy()[relayed], np.ones(int(relayed.sum())))
    out.get("tipoff_score")
    if len(e):
        # the best event, or the same official warning before several raids (the pattern:
        # scoring.tipoff.pattern_scores over every enforcement event on the gang)
        off, gang = e["off"].to_numpy().astype(np.int64), e["gang"].to_numpy().astype(np.int64)
        out.maximum("tipoff_score", off, gang, np.maximum(np.minimum(sc, 30.0), pat))


# ----------------------------------------------------------------------------- kinship, membership
#: The relatives whose own place on the gang side (``kin_side``, ``kin_employed``) counts:
#: the spouse and direct relatives. A relative two ties away counts for what he does
#: (money received, calls) but not for who he is (in a village most people are).
KINSHIP_RELATIONS: tuple[str, ...] = ("spouse", "kin")


def _kinship(ctx: Facts, out: _Pairs) -> None:
    side = ctx.side
    rel = ctx.circle[np.isin(ctx.circle["relation"].to_numpy(), KINSHIP_RELATIONS)][["off", "person", "relation",
                                                                                     "tie_pos"]]
    s = side[side["kind"].to_numpy() != "company"]
    kw = np.where(s["kind"].to_numpy() == "listed", 0.4 * s["weight"].to_numpy(dtype=float),
                  np.where(s["kind"].to_numpy() == "front_man", 0.6, 0.2) * s["conf"].to_numpy(dtype=float))
    k = rel.merge(s[["node", "gang"]].assign(v=kw).rename(columns={"node": "person"}), on="person")
    if len(k):
        g = k.groupby(["off", "gang"], sort=False)["v"].max().reset_index()
        out.assign("kin_side", g["off"].to_numpy(), g["gang"].to_numpy(), g["v"].to_numpy())
    roles = ctx.roles[ctx.roles["role"].to_numpy() == "employee"][["person", "company"]]
    comp = side[side["kind"].to_numpy() == "company"][["node", "gang", "conf"]].rename(columns={"node": "company"})
    e = rel.merge(roles, on="person").merge(comp, on="company")
    if len(e):
        core = s[["node", "gang", "conf_core"]].rename(columns={"node": "person"})
        e = e.merge(core, on=["person", "gang"], how="left")
        e["v"] = e["conf"].to_numpy(dtype=float) * (1.0 - e["conf_core"].fillna(0.0).to_numpy(dtype=float))
        g = e.groupby(["off", "gang"], sort=False)["v"].max().reset_index()
        out.assign("kin_employed", g["off"].to_numpy(), g["gang"].to_numpy(), g["v"].to_numpy())
    out.get("kin_side")
    out.get("kin_employed")
    # the official himself on the member list
    pre = ctx.precomputed
    if pre is not None and pre.member is not None:  # grouped per pair by the server
        pm = pre.member
        out.assign("member", index_pairs(ctx.official_ids, pm["official_id"], "official"),
                   index_pairs(ctx.gang_ids, pm["gang_id"], "gang"),
                   np.where(pm["weight"].to_numpy(dtype=float) >= 0.8, 1.0, 0.9))
        return
    mem = ctx.members
    off_index = np.full(ctx.n, -1, dtype=np.int64)
    off_index[ctx.official_pos] = np.arange(len(ctx.official_pos))
    oi = off_index[mem["person"].to_numpy()]
    ok = oi >= 0
    v = np.where(mem["weight"].to_numpy(dtype=float)[ok] >= 0.8, 1.0, 0.9)
    out.assign("member", oi[ok], mem["gang"].to_numpy()[ok], v)


# ----------------------------------------------------------------------------- jurisdiction
#: Jurisdiction value by how far above the gang's place the official's post is.
LEVEL_VALUE = (1.0, 0.7, 0.4, 0.15, 0.1, 0.1)


def _jurisdiction(ctx: Facts, out: _Pairs) -> None:
    graph = ctx.graph
    side = ctx.side
    loc = graph.edges[(graph.edges["kind"] == "located_in").to_numpy()]
    where = np.full(ctx.n, -1, dtype=np.int64)
    where[loc["src"].to_numpy()] = loc["dst"].to_numpy()
    places = [pd.DataFrame({"gang": np.arange(ctx.n_gangs), "place": where[ctx.gang_pos]})]
    comp = side[(side["kind"].to_numpy() == "company") & (side["conf"].to_numpy() >= 0.5)]
    places.append(pd.DataFrame({"gang": comp["gang"].to_numpy(), "place": where[comp["node"].to_numpy()]}))
    pl = pd.concat(places, ignore_index=True)
    pl = pl[pl["place"].to_numpy() >= 0].drop_duplicates()
    # ancestors of every gang place, with their depth
    anc = []
    cur = pl["place"].to_numpy()
    for d in range(len(LEVEL_VALUE)):
        ok = cur >= 0
        anc.append(pd.DataFrame({"gang": pl["gang"].to_numpy()[ok], "place": cur[ok], "depth": d}))
        cur = np.where(cur >= 0, ctx.parent[np.maximum(cur, 0)], -1)
    anc_df = pd.concat(anc, ignore_index=True)
    anc_df = anc_df.sort_values(["gang", "place", "depth"]).drop_duplicates(["gang", "place"])
    posts = ctx.posts[ctx.posts["place"].to_numpy() >= 0]
    j = posts[["off", "place", "unit_name", "position"]].merge(anc_df, on="place")
    out.get("jurisdiction")
    if len(j):
        val = np.asarray(LEVEL_VALUE)[j["depth"].to_numpy()]
        # regulators of the gang's trade, the police and the courts and procuratorate
        # answer for it anywhere below them (the words are umbrella_graph.domain's:
        # answers_for_area, regulators by sector)
        gang_sectors = _gang_sectors(ctx)
        post = (j["position"].astype(str) + " " + j["unit_name"].astype(str)).to_numpy()
        area_wide = answers_for_area(post)
        regs = regulated_sectors(post)
        trade = np.array([bool(r & gang_sectors[int(g)]) for r, g in zip(regs, j["gang"].to_numpy(), strict=True)],
                         dtype=bool)
        val = np.where(area_wide | trade, np.maximum(val, 0.8), val)
        out.maximum("jurisdiction", j["off"].to_numpy(), j["gang"].to_numpy(), val)


def _gang_sectors(ctx: Facts) -> dict[int, frozenset[str]]:
    """The trades of each gang (:func:`umbrella_graph.domain.sectors_of`), from its kind
    and its companies' sectors."""
    side = ctx.side
    case = ctx.graph.case
    texts: dict[int, list[str]] = {g: [] for g in range(ctx.n_gangs)}
    gt = case["gangs"]
    if len(gt):
        gi = pd.Index(ctx.gang_ids).get_indexer(gt["id"].astype(str))
        for g, k in zip(gi, gt["kind"].astype("string").fillna(""), strict=True):
            if g >= 0:
                texts[int(g)].append(str(k))
    ct = case["companies"]
    comp = side[(side["kind"].to_numpy() == "company") & (side["conf"].to_numpy() >= 0.5)]
    if len(comp) and len(ct):
        ids = ctx.graph.nodes["id"].to_numpy()[comp["node"].to_numpy()]
        sector = ct.set_index(ct["id"].astype(str))["sector"].astype("string").fillna("")
        sec = sector.reindex(ids).fillna("").to_numpy()
        for g, s in zip(comp["gang"].to_numpy(), sec, strict=True):
            texts[int(g)].append(str(s))
    return {g: frozenset().union(*sectors_of(ts)) if ts else frozenset() for g, ts in texts.items()}


# ----------------------------------------------------------------------------- leads
def _leads(ctx: Facts, out: _Pairs) -> None:
    pre = ctx.precomputed
    if pre is not None and pre.leads_gang is not None and pre.leads_other is not None:
        # counted per pair and per official by the server
        lg, lo = pre.leads_gang, pre.leads_other
        out.add("leads_gang", index_pairs(ctx.official_ids, lg["official_id"], "official"),
                index_pairs(ctx.gang_ids, lg["gang_id"], "gang"), lg["leads"].to_numpy(dtype=float))
        cnt = np.zeros(ctx.n_officials)
        np.add.at(cnt, index_pairs(ctx.official_ids, lo["official_id"], "official"),
                  lo["leads"].to_numpy(dtype=float))
        out.set("leads_other", cnt[out.off])
        return
    ld = ctx.leads
    off_index = np.full(ctx.n, -1, dtype=np.int64)
    off_index[ctx.official_pos] = np.arange(len(ctx.official_pos))
    oi = off_index[ld["subject"].to_numpy()] if len(ld) else np.zeros(0, np.int64)
    g = ld["gang"].to_numpy() if len(ld) else np.zeros(0, np.int64)
    ok = (oi >= 0) & (g >= 0)
    out.add("leads_gang", oi[ok], g[ok], np.ones(int(ok.sum())))
    other = (oi >= 0) & (g < 0)
    cnt = np.bincount(oi[other], minlength=ctx.n_officials).astype(float)
    out.set("leads_other", cnt[out.off])


# ----------------------------------------------------------------------------- the signals
# Each signal is a pure function of the case's facts and the pairs held: it fills its
# own accumulator and returns its values and records (SignalResult); none writes into the
# facts or shares state with another.
def signal_money(facts: Facts, held: _Pairs) -> SignalResult:
    """``money_*`` and ``relay_*``: money from the gang side to the official's circle."""
    out = held.fresh()
    _money(facts, out)
    return out.result({"money": facts.money_records, "relay": facts.relay_records})


def signal_contracts(facts: Facts, held: _Pairs) -> SignalResult:
    """``contract_*``: contracts the official issued or approved to gang companies."""
    out = held.fresh()
    _contracts(facts, out)
    return out.result({"contracts": facts.contract_records})


def signal_contacts(facts: Facts, held: _Pairs) -> SignalResult:
    """``contact_*`` and ``tipoff_*``: contacts of the circle with the gang side, tip-offs."""
    out = held.fresh()
    _contacts(facts, out)
    return out.result({"contacts": facts.contact_records, "tipoff": facts.tipoff_events})


def signal_kinship(facts: Facts, held: _Pairs) -> SignalResult:
    """``kin_side``, ``kin_employed``, ``member``: family on the gang side, membership."""
    out = held.fresh()
    _kinship(facts, out)
    return out.result({"circle": facts.circle, "members": facts.members})


def signal_jurisdiction(facts: Facts, held: _Pairs) -> SignalResult:
    """``jurisdiction``: the official governs or regulates the gang's place or trade."""
    out = held.fresh()
    _jurisdiction(facts, out)
    return out.result({"posts": facts.posts})


def signal_leads(facts: Facts, held: _Pairs) -> SignalResult:
    """``leads_*``: leads naming the official (with the gang, or alone)."""
    out = held.fresh()
    _leads(facts, out)
    return out.result({"leads": facts.leads})


#: The evidence signals, in order (progress bars name them); the structural one
#: (:func:`umbrella_graph.scoring.structure.signal_structure`) follows them.
EVIDENCE_SIGNALS: tuple[tuple[str, Callable[[Facts, _Pairs], SignalResult]], ...] = (
    ("money", signal_money), ("contracts", signal_contracts), ("contacts", signal_contacts),
    ("kinship", signal_kinship), ("jurisdiction", signal_jurisdiction), ("leads", signal_leads),
)


# ----------------------------------------------------------------------------- candidates
#: The evidence channels a candidate can be reached through, in report order.
CHANNELS_OF_EVIDENCE: tuple[str, ...] = ("money", "relay", "contacts", "tipoff", "kinship", "contracts", "member",
                                         "jurisdiction", "leads")
_PREFIX = (("money", "money"), ("relay", "relay"), ("contract", "contracts"), ("contact", "contacts"),
           ("tipoff", "tipoff"), ("_chi", "tipoff"), ("kin", "kinship"), ("member", "member"),
           ("jurisdiction", "jurisdiction"), ("leads", "leads"))


def _channel(feature: str) -> int:
    for prefix, ch in _PREFIX:
        if feature.startswith(prefix):
            return CHANNELS_OF_EVIDENCE.index(ch)
    raise KeyError(feature)  # pragma: no cover - a new evidence feature must get a channel


class _Collector(_Pairs):
    """Holds no pair; records every (official, gang) an evidence step writes to."""

    def __init__(self, n_off: int, n_gang: int) -> None:
        super().__init__(np.zeros(0, np.int64), np.zeros(0, np.int64), n_off, n_gang)
        self.seen: list[tuple[np.ndarray, int]] = []

    def _note(self, name: str, off: np.ndarray, gang: np.ndarray) -> None:
        if len(off):
            key = np.asarray(off, dtype=np.int64) * np.int64(max(self.n_gang, 1)) + np.asarray(gang, dtype=np.int64)
            self.seen.append((np.unique(key), _channel(name)))

    def add(self, name: str, off: np.ndarray, gang: np.ndarray, values: np.ndarray) -> None:
        self._note(name, off, gang)
        super().add(name, off[:0], gang[:0], np.zeros(0))

    def maximum(self, name: str, off: np.ndarray, gang: np.ndarray, values: np.ndarray) -> None:
        self._note(name, off, gang)
        super().maximum(name, off[:0], gang[:0], np.zeros(0))

    def assign(self, name: str, off: np.ndarray, gang: np.ndarray, values: np.ndarray) -> None:
        self._note(name, off, gang)
        super().assign(name, off[:0], gang[:0], np.zeros(0))

    def fresh(self) -> _Collector:
        return _Collector(self.n_off, self.n_gang)

    def result(self, records: Mapping[str, pd.DataFrame]) -> SignalResult:
        return SignalResult(values=dict(self.cols), records=dict(records), reached=tuple(self.seen))


def candidate_index(ctx: Facts) -> tuple[np.ndarray, np.ndarray]:
    """(official index, gang index) of every candidate pair, sorted."""
    off, gang, _ = ctx.candidates
    return off, gang


def candidate_facts(ctx: Facts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stage 5 of :func:`umbrella_graph.scoring.facts.case_facts`: (official
    index, gang index, channel bits) of every pair an evidence signal reaches, sorted."""
    G = max(ctx.n_gangs, 1)
    reached: list[tuple[np.ndarray, int]] = []
    held = _Collector(ctx.n_officials, ctx.n_gangs)
    for _, signal in EVIDENCE_SIGNALS:
        reached.extend(signal(ctx, held).reached)
    if reached:
        keys = np.concatenate([k for k, _ in reached])
        bits = np.concatenate([np.full(len(k), 1 << ch, dtype=np.int64) for k, ch in reached])
        uniq, inv = np.unique(keys, return_inverse=True)
        via = np.zeros(len(uniq), dtype=np.int64)
        np.bitwise_or.at(via, inv, bits)
    else:
        uniq, via = np.zeros(0, np.int64), np.zeros(0, np.int64)
    return (uniq // G, uniq % G, via)
