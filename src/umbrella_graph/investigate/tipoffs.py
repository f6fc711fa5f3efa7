"""Tip-offs (通风报信): officials in contact with a gang in the hours before a raid.

For every enforcement event on a gang (an ``events`` row with a ``gang_id``), the
officials whose own contacts, or their spouse's and kin's, reached the gang's side in the
window before the event are listed with the contact records, the lead time and two
pieces of evidence, each a ``-log10`` p-value (2 means a 1-in-100 coincidence):

``surprise``: is the timing unusual for this official?
    For an event at time ``T`` on gang ``g`` and an official ``o``, ``n_window`` (``k``)
    is the number of contact records between ``o``'s side (``o``, spouse, kin) and
    ``g``'s side in the window ``[T - window, T)``. The official's *normal* rate with the
    gang is measured over the background interval ``[T - window - baseline,
    T + baseline)`` (clipped to the span of the contact records) with **every pre-event
    window of the gang left out**, separately for

    * *follow-up* time: the ``follow_up`` period after each event on the gang, when
      investigators call and meet members (``n_follow_up`` records), and
    * *quiet* time: the rest (``n_baseline - n_follow_up`` records).

    Each rate is ``(records + 0.5) / max(hours, window hours)`` (the 0.5 is a
    Jeffreys-style pseudo-count, so an official who never contacted the gang still has a
    small positive rate), and ``expected`` is the window's follow-up hours times the
    follow-up rate plus its quiet hours times the quiet rate: a police officer who
    investigates the gang after a raid is *expected* to call its members in the days
    after, so a call of his that falls before a second raid soon after is not
    surprising. ``p_value`` = P(X >= k) for X ~ Poisson(``expected``).

``relay_surprise``: did the gang raise the alarm right after the contact?
    For each window record, ``n_relay`` counts the contacts the gang-side person made
    with other people on the same gang's side within ``relay`` after it (and before the
    event); ``relay_expected`` is that person's own rate of gang-internal contacts over the
    background interval times that time. The record's p-value is P(X >= n_relay) under
    Poisson(``relay_expected``) (1 when there is no relay); the pair takes its best record,
    Bonferroni-corrected for the number of records in the window.

``score``: both together (Fisher's method).
    ``-log10`` of the chi-square (4 degrees of freedom) tail of
    ``-2 (ln p_timing + ln p_relay)``. Rows are kept when ``score >= min_score`` (default
    2.0) and sorted by it. With ``relay=None`` the score is the timing surprise alone.

A single call from an official who otherwise never contacts the gang has a timing
surprise of about 2.2 with the defaults; it reaches the default ``min_score`` when the
gang relays it, or when there is more than one such contact in the window.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..graph import CaseGraph
from ..schema import CONTACT_KINDS
from ._common import (
    check_graph,
    check_kinds,
    check_number,
    cite,
    gang_side,
    official_proxies,
    parse_duration,
)

__all__ = ["find_tipoffs", "tipoffs_summary", "TIPOFF_COLUMNS", "TIPOFF_SUMMARY_COLUMNS"]

logger = logging.getLogger(__name__)

#: The columns of :func:`find_tipoffs`, in order.
TIPOFF_COLUMNS: tuple[str, ...] = (
    "event_id", "event_kind", "event_time", "gang_id", "official_id", "via", "via_person_id",
    "contact_person_id", "contact_side", "family_contact", "contact_kind", "contact_time",
    "lead_hours", "file", "row", "n_relay", "relay_expected", "n_window", "n_baseline",
    "n_follow_up", "baseline_hours", "expected", "p_value", "surprise", "relay_surprise", "score",
)

#: The columns of :func:`tipoffs_summary`, in order.
TIPOFF_SUMMARY_COLUMNS: tuple[str, ...] = (
    "event_id", "event_kind", "event_time", "gang_id", "official_id", "via", "n_records",
    "n_window", "n_baseline", "n_follow_up", "expected", "surprise", "n_relay", "relay_surprise", "score",
    "max_lead_hours", "min_lead_hours", "contacts", "evidence",
)

_DTYPES: dict[str, str] = {
    "event_id": "string", "event_kind": "string", "event_time": "datetime64[ns]",
    "gang_id": "string", "official_id": "string", "via": "string", "via_person_id": "string",
    "contact_person_id": "string", "contact_side": "string", "family_contact": "bool",
    "contact_kind": "string", "contact_time": "datetime64[ns]", "lead_hours": "float64",
    "file": "string", "row": "int64", "n_window": "int64", "n_baseline": "int64", "n_follow_up": "int64",
    "n_relay": "int64", "relay_expected": "float64", "relay_surprise": "float64", "score": "float64",
    "baseline_hours": "float64", "expected": "float64", "p_value": "float64", "surprise": "float64",
}

_MAX_SURPRISE = 300.0
_SEC = np.int64(1_000_000_000)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in TIPOFF_COLUMNS})  # type: ignore[call-overload]


def _secs(t: pd.Series | np.ndarray, t0: np.datetime64) -> np.ndarray:
    """Whole seconds since ``t0`` (int64)."""
    arr = np.asarray(t, dtype="datetime64[ns]")
    return (arr - t0).astype("timedelta64[ns]").astype(np.int64) // _SEC


def _events(graph: CaseGraph, event_kinds: tuple[str, ...] | None) -> pd.DataFrame:
    ev = graph.case["events"]
    keep = ev["gang_id"].notna() & ev["time"].notna()
    if event_kinds is not None:
        keep &= ev["kind"].astype("string").isin(event_kinds)
    ev = ev[keep.fillna(False).to_numpy()]
    out = pd.DataFrame({
        "event_id": ev["id"].astype("string").to_numpy(),
        "event_kind": ev["kind"].astype("string").to_numpy(),
        "event_time": ev["time"].to_numpy(dtype="datetime64[ns]"),
        "gang_id": ev["gang_id"].astype("string").to_numpy(),
    })
    return out.sort_values(["gang_id", "event_time", "event_id"]).reset_index(drop=True)


def _contact_pairs(graph: CaseGraph, kinds: tuple[str, ...], proxies: pd.DataFrame,
                   side: pd.DataFrame) -> pd.DataFrame:
    """Contact records joining an official's side to a gang's side, one row per
    (record, official, gang)."""
    c = graph.case["contacts"]
    c = c[c["kind"].isin(kinds).fillna(False).to_numpy() & c["time"].notna().to_numpy()]
    if not len(c):
        return pd.DataFrame()
    base = pd.DataFrame({
        "pos": np.arange(len(c)),
        "time": c["time"].to_numpy(dtype="datetime64[ns]"),
        "contact_kind": c["kind"].astype("string").to_numpy(),
        "file": c["_file"].astype("string").to_numpy(),
        "row": c["_row"].to_numpy(dtype=np.int64),
    })
    src = c["src"].astype("string").to_numpy()
    dst = c["dst"].astype("string").to_numpy()
    # only records between an official's side and a gang's side can survive the inner joins
    # below: drop the others first (same rows, same order, much smaller joins)
    in_prox = pd.Index(proxies["person_id"].astype(str).unique())
    in_side = pd.Index(side["person_id"].astype(str).unique())
    sp_, dp_ = in_prox.get_indexer(src) >= 0, in_prox.get_indexer(dst) >= 0
    ss_, ds_ = in_side.get_indexer(src) >= 0, in_side.get_indexer(dst) >= 0
    fwd, bwd = sp_ & ds_, dp_ & ss_
    both = pd.concat([base[fwd].assign(x=src[fwd], y=dst[fwd]), base[bwd].assign(x=dst[bwd], y=src[bwd])],
                     ignore_index=True)
    both = both[both["x"] != both["y"]]
    prox = proxies.rename(columns={"person_id": "x", "via": "via"})
    sd = side.rename(columns={"person_id": "y", "side": "contact_side"})
    m = both.merge(prox, on="x", how="inner").merge(sd, on="y", how="inner")
    m = m[(m["y"] != m["official_id"]).to_numpy()]
    # a relative who is himself on the gang's side speaks for the gang, not the official
    own = pd.MultiIndex.from_frame(side[["person_id", "gang_id"]].astype(str))
    kin_inside = pd.MultiIndex.from_frame(m[["x", "gang_id"]].astype(str)).isin(own)
    m = m[~(kin_inside & (m["via"] != "self").to_numpy())]
    if not len(m):
        return pd.DataFrame()
    m = m.rename(columns={"x": "via_person_id", "y": "contact_person_id"})
    prio = np.where(m["via"] == "self", 0, np.where(m["via"] == "spouse", 1, 2))
    m = m.assign(_p=prio).sort_values(["official_id", "gang_id", "pos", "_p", "via_person_id",
                                       "contact_person_id"])
    m = m.drop_duplicates(["official_id", "gang_id", "pos"]).drop(columns="_p")
    fam = proxies.rename(columns={"person_id": "contact_person_id"})[["contact_person_id", "official_id"]]
    fam = fam.assign(family_contact=True)
    m = m.merge(fam, on=["contact_person_id", "official_id"], how="left")
    m["family_contact"] = m["family_contact"].astype("boolean").fillna(False).astype(bool)
    return m.reset_index(drop=True)


def _exposure(ev_g: np.ndarray, ev_s: np.ndarray, q_lo: np.ndarray, q_hi: np.ndarray,
              w_s: int, d_s: int) -> np.ndarray:
    """Seconds of each query interval ``[q_lo, q_hi)`` of event ``i`` (gang ``ev_g[i]``)
    that fall in the gang's pre-event windows (W) and follow-up periods (P).

    Returns an array ``(n, 4)``: seconds in W and P, in W only, in P only, in neither.
    ``ev_g``/``ev_s`` are the events' gang codes and times (seconds), sorted by gang.
    """
    out = np.zeros((len(ev_s), 4))
    bounds = np.flatnonzero(np.r_[True, ev_g[1:] != ev_g[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        t = ev_s[a:b].astype(float)
        brk = np.unique(np.concatenate([t - w_s, t, t + d_s]))
        seg_s, seg_e = brk[:-1], brk[1:]
        mid = (seg_s + seg_e) / 2
        in_w = ((t[None, :] - w_s <= mid[:, None]) & (mid[:, None] < t[None, :])).any(axis=1)
        in_p = ((t[None, :] <= mid[:, None]) & (mid[:, None] < t[None, :] + d_s)).any(axis=1)
        lo = q_lo[a:b].astype(float)[:, None]
        hi = q_hi[a:b].astype(float)[:, None]
        ov = np.clip(np.minimum(hi, seg_e[None, :]) - np.maximum(lo, seg_s[None, :]), 0, None)
        total = np.clip(hi - lo, 0, None)[:, 0]
        wp = ov[:, in_w & in_p].sum(axis=1)
        wo = ov[:, in_w & ~in_p].sum(axis=1)
        po = ov[:, ~in_w & in_p].sum(axis=1)
        out[a:b] = np.column_stack([wp, wo, po, total - wp - wo - po])
    return out


def _to_surprise(logp: np.ndarray) -> np.ndarray:
    """``-log10 p`` from natural-log p-values, capped, rounded so reruns compare equal."""
    return np.round(np.minimum(-np.asarray(logp, dtype=float) / np.log(10.0), _MAX_SURPRISE) + 0.0, 10)


def _relay(hits: pd.DataFrame, side: pd.DataFrame, graph: CaseGraph,
           kinds: tuple[str, ...], t0: np.datetime64, span: int, q_lo: np.ndarray, q_hi: np.ndarray,
           s_ev: np.ndarray, r_s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per window record: how many gang-internal contacts the contacted person made within
    ``r_s`` seconds after it (and before the event), the number expected from that
    person's own gang-internal rate over the background interval, and ln P(X >= n)."""
    n = len(hits)
    if r_s <= 0 or not n:
        return np.zeros(n, np.int64), np.zeros(n), np.zeros(n)
    c = graph.case["contacts"]
    c = c[c["kind"].isin(kinds).fillna(False).to_numpy() & c["time"].notna().to_numpy()]
    t = _secs(c["time"].to_numpy(dtype="datetime64[ns]"), t0)
    src = c["src"].astype("string").to_numpy()
    dst = c["dst"].astype("string").to_numpy()
    # only contacts between two gang-side people matter (the inner joins below): keep those
    on_side = pd.Index(side["person_id"].astype(str).unique())
    keep = (on_side.get_indexer(src) >= 0) & (on_side.get_indexer(dst) >= 0)
    src, dst, t = src[keep], dst[keep], t[keep]
    both = pd.DataFrame({"y": np.r_[src, dst], "z": np.r_[dst, src], "t": np.r_[t, t]})
    sd = side[["person_id", "gang_id"]]
    inside = both.merge(sd.rename(columns={"person_id": "y"}), on="y").merge(
        sd.rename(columns={"person_id": "z"}), on=["z", "gang_id"])
    # keys are seconds since t0 under a person code: keep times inside [0, span) so that
    # no record spills into a neighbouring code (every queried interval lies inside)
    tt = inside["t"].to_numpy()
    inside = inside[(inside["y"] != inside["z"]).to_numpy() & (tt >= 0) & (tt < span)]
    pg = pd.MultiIndex.from_frame(pd.concat([
        inside[["y", "gang_id"]].astype(str),
        hits[["contact_person_id", "gang_id"]].astype(str).set_axis(["y", "gang_id"], axis=1)]))
    pg = pg.unique().sort_values()
    code_i = pg.get_indexer(pd.MultiIndex.from_frame(inside[["y", "gang_id"]].astype(str))).astype(np.int64)
    keys = np.sort(code_i * span + inside["t"].to_numpy(dtype=np.int64))
    hc = pg.get_indexer(pd.MultiIndex.from_frame(
        hits[["contact_person_id", "gang_id"]].astype(str))).astype(np.int64) * span
    e = hits["_ev"].to_numpy()
    ht = _secs(hits["time"].to_numpy(dtype="datetime64[ns]"), t0)
    end = np.minimum(ht + r_s, s_ev[e] - 1)
    n_relay = np.maximum(np.searchsorted(keys, hc + end, side="right")
                         - np.searchsorted(keys, hc + ht, side="right"), 0)
    n_base = np.searchsorted(keys, hc + q_hi[e], side="left") - np.searchsorted(keys, hc + q_lo[e], side="left")
    hours = np.maximum((q_hi[e] - q_lo[e]) / 3600.0, 1.0)
    expected = (n_base + 0.5) / hours * (np.maximum(end - ht, 0) / 3600.0)
    logp = np.where(n_relay > 0, stats.poisson.logsf(n_relay - 1, np.maximum(expected, 1e-300)), 0.0)
    return n_relay.astype(np.int64), expected, logp


def _count_between(keys: np.ndarray, cum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of the weights whose sorted ``keys`` lie in ``[lo, hi)``."""
    return cum[np.searchsorted(keys, hi, side="left")] - cum[np.searchsorted(keys, lo, side="left")]


def find_tipoffs(
    graph: CaseGraph,
    window: Any = "48h",
    *,
    baseline: Any = "90D",
    follow_up: Any = "30D",
    relay: Any = "1h",
    kinds: Any = CONTACT_KINDS,
    min_score: float = 2.0,
    event_kinds: Any = None,
    inferred: bool = True,
) -> pd.DataFrame:
    """Officials (or their families) in contact with a gang just before raids on it.

    For every event with a ``gang_id`` (raids, arrests...), every contact record between
    an official's side (the official, his spouse, his kin: ``ties`` of a kind in
    :data:`~umbrella_graph.schema.KIN_TIES`) and the gang's side (its listed members and,
    when the scorer provides :func:`umbrella_graph.scoring.infer_gang_side`, the people
    it infers to be on the gang's side) in the ``window`` before the event, with a
    surprise score against the official's own background rate with that gang (see the
    module docstring for the exact formula).

    Parameters
    ----------
    graph : CaseGraph
        The case graph (:func:`~umbrella_graph.build_graph`).
    window : str, timedelta or number, default "48h"
        How long before an event a contact counts: a pandas duration string
        (``"48h"``, ``"2D"``), a :class:`datetime.timedelta` / :class:`pandas.Timedelta`,
        or a number of hours (``48``, ``"48"``).
    baseline : str, timedelta or number, default "90D"
        How far before the window and after the event the background rate is measured
        (same formats as ``window``).
    follow_up : str, timedelta, number or None, default "30D"
        How long after an event on the gang the official's contacts are measured
        separately as *follow-up* contacts (investigations, interviews); None measures
        one rate for all times.
    kinds : sequence of str, default all
        Contact kinds to use (``call``, ``sms``, ``meeting``, ``chat``).
    min_surprise : float, default 1.3
        Keep (event, official) pairs whose surprise is at least this (1.3: the window's
        contacts had at most a 5% chance at the official's normal rate). 0 keeps every
        pre-event contact.
    event_kinds : sequence of str, optional
        Only events of these kinds (default: every event that names a gang).
    inferred : bool, default True
        Also count people the scorer infers to be on the gang's side.

    Returns
    -------
    pandas.DataFrame
        One row per contact record in a pre-event window, with the columns of
        :data:`TIPOFF_COLUMNS`: ``event_id``, ``event_kind``, ``event_time``, ``gang_id``,
        ``official_id``, ``via`` (``self`` or the kin tie, e.g. ``spouse``),
        ``via_person_id`` (who made the contact), ``contact_person_id`` (the gang-side
        person), ``contact_side`` (``leader``/``core``/``member``/``inferred``),
        ``family_contact`` (the gang-side person is himself the official's kin),
        ``contact_kind``, ``contact_time``, ``lead_hours`` (hours before the event),
        ``file``, ``row`` (the contact record), and per (event, official): ``n_window``,
        ``n_baseline``, ``n_follow_up``, ``baseline_hours``, ``expected``, ``p_value``,
        ``surprise``. Sorted by surprise (highest first), event time, event, official,
        contact time.

    Raises
    ------
    ParameterError
        If ``window``, ``baseline`` or ``follow_up`` is not a positive duration,
        ``kinds`` names an unknown contact kind, or ``min_surprise`` is negative.

    Examples
    --------
    A police officer calls the gang's leader eight hours before a raid; the leader calls
    two members within twenty minutes:

    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> from umbrella_graph.investigate import find_tipoffs
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["off", "boss", "m1", "m2"], "name": ["王", "李", "赵", "钱"]}),
    ...     officials=pd.DataFrame({"person_id": ["off"], "position": ["民警"]}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
    ...     members=pd.DataFrame({"person_id": ["boss", "m1", "m2"], "gang_id": ["G1"] * 3,
    ...                           "role": ["leader", "member", "member"]}),
    ...     events=pd.DataFrame({"id": ["E1"], "kind": ["raid"], "time": ["2020-06-01 06:00"],
    ...                          "gang_id": ["G1"]}),
    ...     contacts=pd.DataFrame({
    ...         "src": ["boss", "off", "boss", "boss"], "dst": ["m1", "boss", "m1", "m2"],
    ...         "kind": ["call"] * 4,
    ...         "time": ["2020-03-01 12:00", "2020-05-31 22:00", "2020-05-31 22:10",
    ...                  "2020-05-31 22:20"]}))
    >>> t = find_tipoffs(build_graph(case), window="48h")
    >>> t[["event_id", "official_id", "contact_person_id", "lead_hours", "row", "n_relay"]]
      event_id official_id contact_person_id  lead_hours  row  n_relay
    0       E1         off              boss         8.0    3        2
    >>> t[["surprise", "relay_surprise", "score"]].round(2)
       surprise  relay_surprise  score
    0      1.96             5.9   6.57
    >>> find_tipoffs(build_graph(case), window=-2)
    Traceback (most recent call last):
    ...
    umbrella_graph.errors.ParameterError: The 'window' parameter of find_tipoffs must be a positive duration. Got -2 instead.
    """
    func = "find_tipoffs"
    graph = check_graph(graph, func)
    w = parse_duration(window, "window", func)
    b = parse_duration(baseline, "baseline", func)
    d = pd.Timedelta(0) if follow_up is None else parse_duration(follow_up, "follow_up", func)
    r = pd.Timedelta(0) if relay is None else parse_duration(relay, "relay", func)
    kinds_t = check_kinds(kinds, CONTACT_KINDS, func)
    min_s = check_number(min_score, "min_score", func, low=0.0)
    ek: tuple[str, ...] | None = None
    if event_kinds is not None:
        ek = tuple(str(k) for k in ([event_kinds] if isinstance(event_kinds, str) else event_kinds))
    ev = _events(graph, ek)
    if not len(ev):
        return _empty()
    gangs = sorted(set(ev["gang_id"]))
    side = gang_side(graph, gangs, inferred=bool(inferred))
    proxies = official_proxies(graph)
    con = _contact_pairs(graph, kinds_t, proxies, side)
    if not len(con):
        return _empty()

    # -- time keys: whole seconds since t0, gang (or pair) code in the high bits -------------
    all_t = graph.case["contacts"]
    all_t = all_t[all_t["kind"].isin(kinds_t).fillna(False).to_numpy()]["time"].dropna()
    t_ev = ev["event_time"].to_numpy(dtype="datetime64[ns]")
    t_con = con["time"].to_numpy(dtype="datetime64[ns]")
    w_s, b_s, d_s = int(w.total_seconds()), int(b.total_seconds()), int(d.total_seconds())
    pad = np.timedelta64(b_s + w_s + d_s + 1, "s")
    t0: np.datetime64 = np.datetime64(min(t_ev.min(), t_con.min()), "ns") - pad  # type: ignore[assignment]
    s_ev, s_con = _secs(t_ev, t0), _secs(t_con, t0)
    data_lo = int(_secs(np.array([all_t.min()]), t0)[0])
    data_hi = int(_secs(np.array([all_t.max()]), t0)[0]) + 1
    span = int(max(s_ev.max(), s_con.max())) + w_s + b_s + d_s + 2
    pair_index = pd.MultiIndex.from_frame(con[["official_id", "gang_id"]].astype(str)).unique().sort_values()
    if (max(len(gangs), len(pair_index)) + 1) * span >= np.iinfo(np.int64).max // 4:  # pragma: no cover
        raise OverflowError("time span too long for the tip-off index")

    gcode = pd.Index(gangs)
    ev_g = gcode.get_indexer(ev["gang_id"]).astype(np.int64)
    ev_key = ev_g * span + s_ev
    c_key = gcode.get_indexer(con["gang_id"]).astype(np.int64) * span + s_con
    # events of the contact's gang with T in (t, t + w]  <=>  t in [T - w, T)
    lo = np.searchsorted(ev_key, c_key, side="right")
    hi = np.searchsorted(ev_key, c_key + w_s, side="right")
    n_in = hi - lo
    # events with T in (t - d, t]  <=>  t in the follow-up [T, T + d) of an event
    in_post = (np.searchsorted(ev_key, c_key, side="right")
               > np.searchsorted(ev_key, c_key - d_s, side="right")) if d_s else np.zeros(len(con), bool)

    # -- contacts inside a pre-event window: one row per (record, event) ---------------------
    rep = np.repeat(np.arange(len(con)), n_in)
    off = np.arange(len(rep)) - np.repeat(np.cumsum(n_in) - n_in, n_in)
    ev_idx = np.repeat(lo, n_in) + off
    hits = con.iloc[rep].reset_index(drop=True)
    hits = pd.concat([hits, ev.iloc[ev_idx].drop(columns="gang_id").reset_index(drop=True)], axis=1)
    if not len(hits):
        return _empty()
    hits["_ev"] = ev_idx

    # -- background: the pair's contacts outside every pre-event window ----------------------
    con_p = pair_index.get_indexer(pd.MultiIndex.from_frame(con[["official_id", "gang_id"]].astype(str)))
    bg = n_in == 0
    bg_key = con_p[bg].astype(np.int64) * span + s_con[bg]
    order = np.argsort(bg_key, kind="stable")
    bg_key = bg_key[order]
    post = in_post[bg][order].astype(float)
    cum_post = np.concatenate([[0.0], np.cumsum(post)])
    cum_quiet = np.concatenate([[0.0], np.cumsum(1.0 - post)])

    # exposure per event: the background interval [T - w - b, T + b) clipped to the data,
    # split into follow-up and quiet time, pre-event windows left out; and the window's
    # own follow-up / quiet split
    q_lo = np.maximum(s_ev - w_s - b_s, data_lo)
    q_hi = np.maximum(np.minimum(s_ev + b_s, data_hi), q_lo)
    bg_exp = _exposure(ev_g, s_ev, q_lo, q_hi, w_s, d_s)
    win_exp = _exposure(ev_g, s_ev, s_ev - w_s, s_ev, w_s, d_s)
    h_post, h_quiet = bg_exp[:, 2] / 3600.0, bg_exp[:, 3] / 3600.0
    win_post = (win_exp[:, 0] + win_exp[:, 2]) / 3600.0
    win_quiet = (win_exp[:, 1] + win_exp[:, 3]) / 3600.0

    tg = hits.groupby(["_ev", "official_id"], sort=True).agg(
        n_window=("pos", "size"), gang_id=("gang_id", "first")).reset_index()
    e = tg["_ev"].to_numpy()
    tp = pair_index.get_indexer(pd.MultiIndex.from_frame(tg[["official_id", "gang_id"]].astype(str)))
    base = tp.astype(np.int64) * span
    n_post = _count_between(bg_key, cum_post, base + q_lo[e], base + q_hi[e])
    n_quiet = _count_between(bg_key, cum_quiet, base + q_lo[e], base + q_hi[e])
    w_h = w.total_seconds() / 3600.0
    rate_quiet = (n_quiet + 0.5) / np.maximum(h_quiet[e], w_h)
    rate_post = (n_post + 0.5) / np.maximum(h_post[e], w_h)
    expected = rate_quiet * win_quiet[e] + rate_post * win_post[e]
    k = tg["n_window"].to_numpy(dtype=float)
    logsf = stats.poisson.logsf(k - 1, expected)
    tg["n_baseline"] = n_post + n_quiet
    tg["n_follow_up"] = n_post
    tg["baseline_hours"] = h_post[e] + h_quiet[e]
    tg["expected"] = expected
    tg["p_value"] = np.exp(logsf)
    tg["surprise"] = _to_surprise(logsf)

    # -- relay: the contacted person alerting the gang right after the contact --------------
    hits["n_relay"], hits["relay_expected"], relay_logp = _relay(
        hits, side, graph, kinds_t, t0, span, q_lo, q_hi, s_ev, int(r.total_seconds()))
    m_rec = hits.groupby(["_ev", "official_id"], sort=True)["pos"].transform("size").to_numpy()
    # Bonferroni over the pair's window records, then the best record
    hits["_rlogp"] = np.minimum(relay_logp + np.log(m_rec), 0.0)
    best = hits.groupby(["_ev", "official_id"], sort=True)["_rlogp"].min()
    r_logp = best.reindex(pd.MultiIndex.from_frame(tg[["_ev", "official_id"]])).to_numpy()
    tg["relay_surprise"] = _to_surprise(r_logp)
    if r.value > 0:
        fisher = -2.0 * (logsf + r_logp)
        tg["score"] = _to_surprise(stats.chi2.logsf(fisher, 4))
    else:
        tg["score"] = tg["surprise"]
    tg = tg[tg["score"] >= min_s]

    out = hits.merge(tg.drop(columns=["gang_id"]), on=["_ev", "official_id"], how="inner")
    if not len(out):
        return _empty()
    out["lead_hours"] = ((out["event_time"] - out["time"]).dt.total_seconds() / 3600.0).round(4)
    out = out.rename(columns={"time": "contact_time"})
    for c in ("n_baseline", "n_follow_up"):
        out[c] = np.round(out[c]).astype(np.int64)
    out = out.sort_values(["score", "event_time", "event_id", "official_id", "contact_time",
                           "file", "row"], ascending=[False, True, True, True, True, True, True])
    out = out[list(TIPOFF_COLUMNS)].reset_index(drop=True)
    logger.info("find_tipoffs: %d contact records in %d (event, official) pairs", len(out), len(tg))
    return out.astype(_DTYPES)


def tipoffs_summary(tipoffs: pd.DataFrame, *, limit: int = 5) -> pd.DataFrame:
    """One row per (event, official) from a :func:`find_tipoffs` result.

    Parameters
    ----------
    tipoffs : pandas.DataFrame
        The output of :func:`find_tipoffs`.
    limit : int, default 5
        How many records to cite in ``evidence`` before ``(+N more)``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIPOFF_SUMMARY_COLUMNS`: the event, the official, ``via`` (the
        people who made contact: ``self``, ``spouse``..., ";"-joined), ``n_records``,
        ``n_window``, ``n_baseline``, ``n_follow_up``, ``expected``, ``surprise``,
        ``n_relay`` (the largest), ``relay_surprise``, ``score``, the longest and shortest
        lead time in hours, ``contacts`` (gang-side people contacted, ";"-joined) and
        ``evidence`` (``file:row`` of the records). Sorted like the input.

    Examples
    --------
    >>> from umbrella_graph import load_case, build_graph
    >>> from umbrella_graph.investigate import find_tipoffs, tipoffs_summary
    >>> graph = build_graph(load_case("data/samples/qinghe"))
    >>> tipoffs_summary(find_tipoffs(graph))[["event_id", "official_id", "n_relay"]]
      event_id official_id  n_relay
    0      E06       P0241        4
    1      E04       P0241        4
    2      E05       P0241        4
    """
    missing = [c for c in TIPOFF_COLUMNS if c not in tipoffs.columns]
    if missing:
        from ..errors import ParameterError

        raise ParameterError.invalid("tipoffs", "tipoffs_summary", "a find_tipoffs result", f"missing {missing}")
    limit = int(check_number(limit, "limit", "tipoffs_summary", low=1, integer=True))
    if not len(tipoffs):
        cols = {c: pd.Series([], dtype=_DTYPES.get(c, "string")) for c in TIPOFF_SUMMARY_COLUMNS}
        for c in ("n_records", "n_relay"):
            cols[c] = pd.Series([], dtype="int64")
        for c in ("max_lead_hours", "min_lead_hours"):
            cols[c] = pd.Series([], dtype="float64")
        return pd.DataFrame(cols)  # type: ignore[arg-type]
    df = tipoffs.reset_index(drop=True).assign(_o=np.arange(len(tipoffs)))
    keys = ["event_id", "official_id"]
    g = df.groupby(keys, sort=False)
    out = g.agg(
        _o=("_o", "min"), event_kind=("event_kind", "first"), event_time=("event_time", "first"),
        gang_id=("gang_id", "first"), via=("via", lambda s: ";".join(dict.fromkeys(s.astype(str)))),
        n_records=("row", "size"), n_window=("n_window", "first"), n_baseline=("n_baseline", "first"),
        n_follow_up=("n_follow_up", "first"),
        expected=("expected", "first"), surprise=("surprise", "first"),
        n_relay=("n_relay", "max"), relay_surprise=("relay_surprise", "first"), score=("score", "first"),
        max_lead_hours=("lead_hours", "max"), min_lead_hours=("lead_hours", "min"),
        contacts=("contact_person_id", lambda s: ";".join(sorted(set(s.astype(str))))),
    ).reset_index()
    ev = g.apply(lambda d: cite(d["file"], d["row"], limit), include_groups=False)
    out = out.merge(ev.rename("evidence").reset_index(), on=keys)
    out = out.sort_values("_o").reset_index(drop=True)
    return out[list(TIPOFF_SUMMARY_COLUMNS)].astype({"n_records": "int64", "via": "string",
                                                      "contacts": "string", "evidence": "string"})
