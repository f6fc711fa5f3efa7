"""Tip-offs (通风报信): the one definition, shared by the scorer and :func:`find_tipoffs`.

For every enforcement event on a gang (:func:`umbrella_graph.domain.is_enforcement`)
and every official, the contacts between the official's circle
(:func:`umbrella_graph.domain.official_circle`: himself, his spouse, his relatives, their
relatives two family ties away) and the gang's side (listed members and the people
:func:`infer_gang_side` places on it with confidence >= 0.5) in the hours or days before
the event are tested against the official's **own** background rate with that gang. A
relative on the gang's side himself speaks for the gang, and a relative two ties away
(``extended``) who contacts his own family (two family ties or fewer) speaks for
himself: neither contact is the official's.

timing (``surprise``)
    For each lead window ``w`` of :data:`umbrella_graph.domain.LEAD_WINDOWS` (1 h to
    4 days), ``k_w`` window records against ``expected_w`` = the window's quiet hours x
    the pair's quiet rate + its follow-up hours x the pair's follow-up rate. Rates are
    measured over the background interval ``[T - W - baseline, T + baseline)`` (``W`` the
    longest window) with every pre-event window of the gang left out. The quiet rate
    counts the tested records too, ``(records + k_W) / (hours + W)`` (``k_W`` the records
    of the longest window): the test conditions on the pair's total, so an official seen
    once with the gang in the four years around a raid, that once in the 24 hours before
    it, is a 24-in-35,000-hour coincidence, not the 12-in-35,000 one that a pseudo-count
    of 0.5 made it. The follow-up rate is ``(records + 0.5) / max(hours, W)`` (a
    Jeffreys-style pseudo-count: an official who never calls the gang after raids still
    has a small rate). ``p_w = P(X >= k_w)``, ``X ~ Poisson(expected_w)``; the pair takes
    its best window, and its p-value is that of
    the scan itself (:func:`scan_pvalue`): the probability, under the same Poisson
    baseline, that *some* window is at least as surprising. The windows are nested, so
    this is far below the Bonferroni bound (x the number of windows): a lone call is
    about as improbable under the scan as in the shortest window that holds it. A record
    belongs to the gang's next event only (a call before two raids warns of the first),
    and an event's windows never reach back past the gang's previous event.

follow-up
    Investigators call members for days or weeks after a raid. Those weeks are measured
    from the case itself (:func:`umbrella_graph.domain.follow_up_period`: the days after
    events in which contacts between officials' circles and gang sides run above their
    rate elsewhere) and get their own rate, so an investigator's call that falls before
    a second raid is expected.

events dated only (:func:`umbrella_graph.domain.dated_only`)
    Any time of their day: the windows end at the day's end (a contact that day may precede
    it), the day counts as follow-up time (it may follow it), ``lead_hours`` runs to the end.
    A contact dated only (:func:`~umbrella_graph.domain.dated_contacts`) on the day of a timed
    event is tested against no event; before a later day's, its lead runs from its day's start.

relay (``relay_surprise``)
    The contacted gang-side person calling other people on the same gang's side within
    :data:`umbrella_graph.domain.RELAY_WINDOW` after the contact (and before the event),
    against that person's own rate of gang-internal contacts; Bonferroni over the
    window's records.

score
    ``max(surprise, fisher)``, ``fisher`` being Fisher's combination of the two p-values
    (chi-square, 4 degrees of freedom). The relay strengthens a tip-off; its absence never
    lowers one: most wiretaps never see the gang's internal calls.

pattern (``pattern_score``)
    The same official warning before several of the gang's events: for each ``k >= 2``,
    the chance that ``k`` of the gang's enforcement events have an event score at least
    the pair's ``k``-th best by coincidence (:func:`pattern_scores`; an event without a
    pre-event contact counts p = 1, so an official who called before one raid in ten
    gains nothing). One number per (official, gang), repeated on its rows; the scorer's
    ``tipoff_score`` is the larger of it and the best event's score.

a tip-off (:func:`is_tipoff`)
    An (event, official) whose own ``score`` reaches the threshold, or whose own score is
    at least :data:`PATTERN_EVENT_MIN_SCORE` (a 1-in-100 coincidence by itself) inside a
    pattern that reaches the threshold. The same rule lists rows in :func:`find_tipoffs`
    and counts ``tipoff_raids`` in the scorer (both engines).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..domain import (
    CIRCLE_RELATIONS,
    LEAD_WINDOWS,
    RELAY_WINDOW,
    dated_only,
    follow_up_period,
    is_enforcement,
    no_time_of_day,
)
from ._context import SIDE_MIN_CONFIDENCE, Facts

__all__ = ["tipoff_facts", "tipoffs_of", "pre_raid_records", "pre_raid_event", "side_ids", "scan_pvalue", "TIPOFF_MIN_SCORE",
           "SIDE_MIN_CONFIDENCE", "PATTERN_EVENT_MIN_SCORE", "pattern_scores", "is_tipoff"]

logger = logging.getLogger(__name__)

#: Default threshold of the tip-off score (-log10 p of the scan, :func:`scan_pvalue`): a
#: 1-in-1,000 coincidence under the official's own baseline. A case tests every
#: (event, official) pair with a pre-event contact, hundreds to thousands of them, so a
#: 1-in-100 threshold lists more coincidences than tip-offs (docs/signals.md: what it was
#: chosen against and how it fails).
TIPOFF_MIN_SCORE = 3.0
#: An event whose own score is below the threshold is still a tip-off when it is at least
#: this unusual by itself (1 in 100) and belongs to a pattern (:func:`pattern_scores`)
#: that reaches the threshold (docs/signals.md: what it was chosen against, how it fails).
PATTERN_EVENT_MIN_SCORE = 2.0
#: The background interval reaches this far before the window and after the event.
BASELINE = pd.Timedelta(days=730)

_MAX_SURPRISE = 300.0
_DAY_NS = np.int64(86_400 * 10**9)
_SEC = np.int64(1_000_000_000)


def pattern_scores(score: Any, official: Any, gang: Any, n_events: Any) -> np.ndarray:
    """The pattern of each (event, official) row: how improbable it is that the official's
    contacts came before so many of the gang's enforcement events by chance.

    Per (official, gang) pair the event p-values ``p = 10 ** -score`` are sorted,
    ``p(1) <= p(2) <= ...``, and for every ``k >= 2`` the chance that ``k`` or more of the
    gang's ``n`` events (events without a pre-event contact count p = 1) reach ``p(k)`` by
    chance is ``P(Binomial(n, p(k)) >= k)``; the pattern is the smallest of these, times
    ``n - 1`` for choosing ``k`` (Bonferroni). An order-statistic test (Wilkinson's) and
    not Fisher's combination: a warning official calls before two or three of a gang's
    raids, not before all of them, and Fisher's chi-square over every event dilutes two
    1-in-300 coincidences among five raids to 1 in 94; this test makes them 1 in 2,500.

    Parameters
    ----------
    score : array-like of float
        One score (-log10 p) per (event, official), capped at 30 as in the scorer.
    official, gang : array-like
        The row's official and gang (any hashable labels or codes).
    n_events : array-like of int
        The number of enforcement events on the row's gang (at least one).

    Returns
    -------
    numpy.ndarray
        ``-log10`` of the pattern's p-value, the same for every row of a pair (0 for a
        pair with a pre-event contact before one event only), rounded to 10 decimals.

    Examples
    --------
    Official A called before both of the gang's raids, each a 1-in-300 coincidence by
    itself; together they are a 1-in-100,000 one. Before 2 raids in 10 they are a 1-in-250
    one, under the threshold, and before 1 raid in 10 there is no pattern at all:

    >>> pattern_scores([2.5, 2.5, 0.0], ["A", "A", "B"], ["G", "G", "G"], [2, 2, 2]).round(2).tolist()
    [5.0, 5.0, 0.0]
    >>> pattern_scores([2.5, 2.5], ["A", "A"], ["G", "G"], [10, 10]).round(2).tolist()
    [2.4, 2.4]
    >>> pattern_scores([2.5], ["A"], ["G"], [10]).tolist()
    [0.0]
    """
    sc = np.minimum(np.maximum(np.asarray(score, dtype=float), 0.0), 30.0)
    if not len(sc):
        return np.zeros(0)
    key = pd.MultiIndex.from_arrays([pd.Index(np.asarray(official)), pd.Index(np.asarray(gang))])
    code, _ = pd.factorize(key)
    n = np.maximum(np.asarray(n_events, dtype=float), 1.0)
    order = np.lexsort((-sc, code))
    c_s = code[order]
    start = np.r_[True, c_s[1:] != c_s[:-1]]
    first = np.maximum.accumulate(np.where(start, np.arange(len(c_s)), 0))
    k = np.arange(len(c_s)) - first + 1  # rank of the row's p-value inside its pair
    n_s = np.maximum(n[order], k)
    lp = np.where(k >= 2, stats.binom.logsf(k - 1, n_s, 10.0 ** -sc[order]), 0.0)
    best = np.zeros(int(code.max()) + 1)
    np.minimum.at(best, c_s, lp)
    n_pair = np.zeros(int(code.max()) + 1)
    np.maximum.at(n_pair, c_s, n_s)
    pair_lp = np.minimum(best + np.log(np.maximum(n_pair - 1.0, 1.0)), 0.0)
    return _to_surprise(pair_lp[code])


def is_tipoff(score: Any, pattern: Any, min_score: float = TIPOFF_MIN_SCORE) -> np.ndarray:
    """Which (event, official) rows are tip-offs: ``score >= min_score``, or ``score >=
    PATTERN_EVENT_MIN_SCORE`` inside a pattern with ``pattern >= min_score``.

    Examples
    --------
    >>> is_tipoff([3.2, 2.4, 2.4, 1.5], [3.2, 4.0, 2.9, 4.0]).tolist()
    [True, True, False, False]
    """
    s, p = np.asarray(score, dtype=float), np.asarray(pattern, dtype=float)
    return np.asarray((s >= min_score) | ((p >= min_score) & (s >= min(PATTERN_EVENT_MIN_SCORE, min_score))))


def _secs(t: pd.Series | np.ndarray, t0: np.datetime64) -> np.ndarray:
    """Whole seconds since ``t0`` (int64)."""
    arr = np.asarray(t, dtype="datetime64[ns]")
    return (arr - t0).astype("timedelta64[ns]").astype(np.int64) // _SEC


def _events(ctx: Facts, event_kinds: tuple[str, ...] | None) -> pd.DataFrame:
    """Enforcement events on gangs (``Facts.event_gangs``), by gang and ``_t_end`` (the end
    of its day when ``event_dated``: :func:`~umbrella_graph.domain.dated_only`, or no
    contact has an hour, :func:`~umbrella_graph.domain.no_time_of_day`)."""
    ev = ctx.graph.case["events"]
    dated = (dated_only(ev["time"], ev["_file"] if "_file" in ev.columns else None, ev["kind"])
             | no_time_of_day(ctx.graph.case["contacts"]["time"]))
    g = ctx.event_gangs["gang"].to_numpy()
    keep = (g >= 0) & ev["time"].notna().to_numpy()
    if event_kinds is not None:
        keep &= ev["kind"].astype("string").isin(event_kinds).fillna(False).to_numpy()
    else:  # the one definition of enforcement (umbrella_graph.domain)
        keep &= is_enforcement(ev["kind"])
    ev, dated, g = ev[keep], dated[keep], g[keep]
    t = ev["time"].to_numpy(dtype="datetime64[ns]")
    out = pd.DataFrame({
        "event_id": ev["id"].astype("string").to_numpy(),
        "event_kind": ev["kind"].astype("string").to_numpy(),
        "event_time": t,
        "gang_id": pd.array(ctx.gang_ids[g].astype(str), dtype="string"),
        "event_gang_from": ctx.event_gangs["via"].to_numpy()[keep].astype(str),
        "event_dated": dated,
        "_t_end": np.where(dated, t.astype("datetime64[D]") + np.timedelta64(1, "D"), t).astype("datetime64[ns]"),
    })
    return out.sort_values(["gang_id", "_t_end", "event_id"]).reset_index(drop=True)


def _contact_pairs(ctx: Facts, kinds: tuple[str, ...], proxies: pd.DataFrame,
                   side: pd.DataFrame) -> pd.DataFrame:
    """Contact records joining an official's side to a gang's side, one row per
    (record, official, gang)."""
    # numeric prefilter on node positions (the scorer's contact array): only records
    # between an official's circle and a gang's side can survive the joins below
    graph = ctx.graph
    ct = ctx.ct
    in_prox = np.zeros(ctx.n, dtype=bool)
    pp = graph.index_of(proxies["person_id"].astype(str).tolist())
    in_prox[pp[pp >= 0]] = True
    in_side = np.zeros(ctx.n, dtype=bool)
    sp = graph.index_of(side["person_id"].astype(str).tolist())
    in_side[sp[sp >= 0]] = True
    cs, cd = ct["src"].to_numpy(), ct["dst"].to_numpy()
    ok = ct["kind"].isin(kinds).to_numpy() & ~np.isnat(ct["time"].to_numpy())
    fwd = ok & in_prox[cs] & in_side[cd]
    bwd = ok & in_prox[cd] & in_side[cs]
    sel = fwd | bwd
    if not sel.any():
        return pd.DataFrame()
    c = graph.case["contacts"]
    ids = graph.nodes["id"].to_numpy()
    parts = []
    for mask, a_, b_ in ((fwd, cs, cd), (bwd, cd, cs)):
        pos = ct["pos"].to_numpy()[mask]
        parts.append(pd.DataFrame({
            "pos": pos,
            "time": ct["time"].to_numpy()[mask].astype("datetime64[ns]"),
            "contact_kind": c["kind"].astype("string").iloc[pos].to_numpy() if len(pos) else np.zeros(0, dtype=object),
            "file": c["_file"].astype("string").iloc[pos].to_numpy() if len(pos) else np.zeros(0, dtype=object),
            "row": c["_row"].to_numpy(dtype=np.int64)[pos],
            "contact_dated": ct["dated"].to_numpy(dtype=bool)[mask],
            "kin": ct["kin"].to_numpy(dtype=bool)[mask],
            "x": ids[a_[mask]].astype(str), "y": ids[b_[mask]].astype(str)}))
    both = pd.concat(parts, ignore_index=True)
    both = both[both["x"] != both["y"]]
    prox = proxies.rename(columns={"person_id": "x", "via": "via"})
    sd = side.rename(columns={"person_id": "y", "side": "contact_side"})
    m = both.merge(prox, on="x", how="inner").merge(sd, on="y", how="inner")
    m = m[(m["y"] != m["official_id"]).to_numpy()]
    # a relative who is himself on the gang's side speaks for the gang, not the official
    own = pd.MultiIndex.from_frame(side[["person_id", "gang_id"]].astype(str))
    kin_inside = pd.MultiIndex.from_frame(m[["x", "gang_id"]].astype(str)).isin(own)
    m = m[~(kin_inside & (m["via"] != "self").to_numpy())]
    # a relative two ties away who calls his own family (within two ties) talks for himself
    m = m[~((m["via"] == "extended").to_numpy() & m["kin"].to_numpy(dtype=bool))].drop(columns="kin")
    if not len(m):
        return pd.DataFrame()
    m = m.rename(columns={"x": "via_person_id", "y": "contact_person_id"})
    prio = m["via"].astype(str).map({r: i for i, r in enumerate(CIRCLE_RELATIONS)}).fillna(len(CIRCLE_RELATIONS))
    m = m.assign(_p=prio).sort_values(["official_id", "gang_id", "pos", "_p", "via_person_id",
                                       "contact_person_id"])
    m = m.drop_duplicates(["official_id", "gang_id", "pos"]).drop(columns="_p")
    fam = proxies.rename(columns={"person_id": "contact_person_id"})[["contact_person_id", "official_id"]]
    fam = fam.assign(family_contact=True)
    m = m.merge(fam, on=["contact_person_id", "official_id"], how="left")
    m["family_contact"] = m["family_contact"].astype("boolean").fillna(False).astype(bool)
    return m.reset_index(drop=True)


def _exposure(ev_g: np.ndarray, ev_s: np.ndarray, q_lo: np.ndarray, q_hi: np.ndarray,
              w_s: int, d_s: int, p_back: np.ndarray) -> np.ndarray:
    """Seconds of each query interval ``[q_lo, q_hi)`` of event ``i`` (gang ``ev_g[i]``)
    that fall in the gang's pre-event windows (W) and follow-up periods (P).

    Returns an array ``(n, 4)``: seconds in W and P, in W only, in P only, in neither.
    ``ev_g``/``ev_s`` are the events' gang codes and times (seconds, the latest each can
    be), sorted by gang; an event's P starts ``p_back`` seconds before its time (a dated
    event's day: a contact that day may follow it).
    """
    out = np.zeros((len(ev_s), 4))
    bounds = np.flatnonzero(np.r_[True, ev_g[1:] != ev_g[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        t = ev_s[a:b].astype(float)
        t_p = t - p_back[a:b]
        brk = np.unique(np.concatenate([t - w_s, t_p, t, t + d_s]))
        seg_s, seg_e = brk[:-1], brk[1:]
        mid = (seg_s + seg_e) / 2
        in_w = ((t[None, :] - w_s <= mid[:, None]) & (mid[:, None] < t[None, :])).any(axis=1)
        in_p = ((t_p[None, :] <= mid[:, None]) & (mid[:, None] < t[None, :] + d_s)).any(axis=1)
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


def _relay(hits: pd.DataFrame, side: pd.DataFrame, ctx: Facts,
           kinds: tuple[str, ...], t0: np.datetime64, span: int, q_lo: np.ndarray, q_hi: np.ndarray,
           s_ev: np.ndarray, r_s: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per window record: how many gang-internal contacts the contacted person made within
    ``r_s`` seconds after it (and before the event), the number expected from that
    person's own gang-internal rate over the background interval, and ln P(X >= n)."""
    n = len(hits)
    if r_s <= 0 or not n:
        return np.zeros(n, np.int64), np.zeros(n), np.zeros(n)
    graph = ctx.graph
    ct = ctx.ct
    on = np.zeros(ctx.n, dtype=bool)
    sp = graph.index_of(side["person_id"].astype(str).tolist())
    on[sp[sp >= 0]] = True
    cs, cd = ct["src"].to_numpy(), ct["dst"].to_numpy()
    # only contacts between two gang-side people matter (the inner joins below): keep those
    keep = ct["kind"].isin(kinds).to_numpy() & ~np.isnat(ct["time"].to_numpy()) & on[cs] & on[cd]
    ids = graph.nodes["id"].to_numpy()
    src, dst = ids[cs[keep]].astype(str), ids[cd[keep]].astype(str)
    t = _secs(ct["time"].to_numpy()[keep].astype("datetime64[ns]"), t0)
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

#: Pairs whose scan needs more than this many counts per window get the Bonferroni bound
#: (a conservative upper bound on the exact scan p-value) instead of the exact one.
_SCAN_MAX_COUNT = 64


def scan_pvalue(expected: np.ndarray, logp: np.ndarray) -> np.ndarray:
    """ln P(the best of nested lead windows is at least as surprising as observed).

    The lead windows are nested (each contains the shorter ones), so their counts are
    strongly dependent and a Bonferroni correction (x the number of windows) is far too
    conservative: a lone call is as improbable under the scan as in the shortest window
    that holds it. This is the exact null of the scan statistic ``min_w P(X_w >= k_w)``
    for a Poisson process: ``expected`` (``n x m``, non-decreasing along the windows) are
    the expected counts of the ``m`` nested windows, ``logp`` (``n``) the natural log of
    the best window's p-value. For each window ``w`` the smallest count ``c_w`` whose
    tail is at most the observed p-value is found, and ``P(exists w: X_w >= c_w)`` is
    summed over first passages: ``X_w`` is the sum of independent Poisson increments
    between consecutive windows, tracked by a dynamic programme over the counts still
    below every threshold. Pairs that would need more than :data:`_SCAN_MAX_COUNT`
    counts per window get the Bonferroni bound.

    Examples
    --------
    One record in a 1-hour window expected 0.001 times, scanned over windows of 1 to 96
    hours: the scan multiplies its p-value by 1.37 (Bonferroni would multiply by 8).

    >>> mu = np.array([[0.001, 0.003, 0.006, 0.012, 0.024, 0.048, 0.072, 0.096]])
    >>> lp = np.log(-np.expm1(-mu[:, 0]))
    >>> float(np.round(np.exp(scan_pvalue(mu, lp)) / np.exp(lp), 2)[0])
    1.37
    """
    mu = np.maximum(np.asarray(expected, dtype=float), 0.0)
    mu = np.maximum.accumulate(mu, axis=1)
    lp = np.minimum(np.asarray(logp, dtype=float), 0.0)
    n, m = mu.shape
    out = np.minimum(lp + np.log(m), 0.0)  # the Bonferroni bound
    if not n or m == 1:
        return lp if m == 1 else out
    # c[:, w]: the smallest count with ln P(X_w >= c) <= lp (ties count as extreme)
    tol = 1e-9
    c = np.ones((n, m), dtype=np.int64)
    todo = stats.poisson.logsf(c - 1, np.maximum(mu, 1e-300)) > lp[:, None] + tol
    while todo.any():
        c[todo] += 1
        todo &= c <= _SCAN_MAX_COUNT
        if not todo.any():
            break
        todo[todo] = stats.poisson.logsf(c[todo] - 1, np.maximum(mu[todo], 1e-300)) > lp[np.nonzero(todo)[0]] + tol
    exact = (c <= _SCAN_MAX_COUNT).all(axis=1)
    if not exact.any():
        return out
    mu_e, c_e = mu[exact], c[exact]
    ne = len(mu_e)
    cmax = int(c_e.max())
    state = np.zeros((ne, cmax))  # P(count so far = j and no window exceeded yet)
    state[:, 0] = 1.0
    p = np.zeros(ne)
    prev = np.zeros(ne)
    js = np.arange(cmax)
    for w in range(m):
        d = np.maximum(mu_e[:, w] - prev, 0.0)
        prev = mu_e[:, w]
        cw = c_e[:, w]
        # first passage at window w: from count j, at least cw - j more
        need = np.maximum(cw[:, None] - js[None, :], 0)
        tail = np.where(need > 0, stats.poisson.sf(need - 1, np.maximum(d[:, None], 1e-300)), 1.0)
        p += (state * tail).sum(axis=1)
        # carry the counts that stay below cw
        pmf = stats.poisson.pmf(js[None, :], d[:, None])  # increments 0..cmax-1
        new = np.zeros_like(state)
        for j in range(cmax):
            new[:, j:] += state[:, j:j + 1] * pmf[:, :cmax - j]
        new[js[None, :] >= cw[:, None]] = 0.0
        state = new
    # never below the best window's own p-value, never above the Bonferroni bound
    res = np.log(np.clip(p, np.exp(lp[exact]), 1.0))
    out[exact] = np.minimum(np.maximum(res, lp[exact]), out[exact])
    return out


def pre_raid_records(ctx: Facts) -> pd.DataFrame:
    """The pre-raid contacts of each pair: the records of the default tip-off table.

    A contact is *pre-raid* for an (official, gang) pair when the tip-off definition
    tests it before an enforcement event: it is a record of ``Facts.tipoffs`` (the
    default :func:`tipoffs_of`, every score, before any threshold), i.e. a contact of the
    official's circle with the gang's side inside the pair's best lead window
    (:data:`umbrella_graph.domain.LEAD_WINDOWS`) before the gang's next event. The
    contact signal's ``window == "pre"`` (:func:`umbrella_graph.scoring.signals.contact_records`)
    and the engines read this and nothing else, so the scorer and :func:`find_tipoffs`
    (``min_score=0``) name the same pre-raid contacts.

    Returns
    -------
    pandas.DataFrame
        ``off, gang, pos, event``: official and gang index, the contact's row in the
        contacts table, the event's row in ``Facts.events``; one row per (off, gang,
        pos), sorted.
    """
    cols = {"off": np.zeros(0, np.int64), "gang": np.zeros(0, np.int64), "pos": np.zeros(0, np.int64),
            "event": np.zeros(0, np.int64)}
    t = ctx.tipoffs
    ev = ctx.events
    if not len(t) or not len(ev):
        return pd.DataFrame(cols)
    ids = ctx.graph.case["events"]["id"].astype(str).to_numpy()
    row_of = np.full(len(ids), -1, dtype=np.int64)
    row_of[ev["pos"].to_numpy()] = np.arange(len(ev))
    case_row = pd.Index(ids).get_indexer(t["event_id"].astype(str).to_numpy())
    out = pd.DataFrame({
        "off": pd.Index(ctx.official_ids).get_indexer(t["official_id"].astype(str).to_numpy()).astype(np.int64),
        "gang": pd.Index(ctx.gang_ids).get_indexer(t["gang_id"].astype(str).to_numpy()).astype(np.int64),
        "pos": t["pos"].to_numpy(dtype=np.int64),
        "event": np.where(case_row >= 0, row_of[np.maximum(case_row, 0)], -1)})
    out = out[(out["off"].to_numpy() >= 0) & (out["gang"].to_numpy() >= 0) & (out["event"].to_numpy() >= 0)]
    return out.drop_duplicates(["off", "gang", "pos"]).sort_values(["off", "gang", "pos"]).reset_index(drop=True)


def pre_raid_event(ctx: Facts, off: np.ndarray, gang: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Per contact record of a pair (official index, gang index, contact row): the row in
    ``Facts.events`` of the event it is pre-raid for (:func:`pre_raid_records`), else -1."""
    out = np.full(len(pos), -1, dtype=np.int64)
    pre = pre_raid_records(ctx)
    if not len(pre) or not len(pos):
        return out
    n_pos = np.int64(max(int(pre["pos"].max()), int(np.max(pos))) + 1)
    mult = np.array([np.int64(max(ctx.n_gangs, 1)) * n_pos, n_pos, 1], dtype=np.int64)  # (off, gang, pos) keys
    pk = np.stack([pre["off"], pre["gang"], pre["pos"]], axis=1).astype(np.int64) @ mult  # sorted, unique
    rk = np.stack([off, gang, pos], axis=1).astype(np.int64) @ mult
    at = np.minimum(np.searchsorted(pk, rk), len(pk) - 1)
    hit = pk[at] == rk
    out[hit] = pre["event"].to_numpy()[at[hit]]
    return out


def side_ids(ctx: Facts, gangs: list[str] | None = None, *, inferred: bool = True) -> pd.DataFrame:
    """``person_id, gang_id, side`` (listed role, ``front_man`` or ``inferred``): the
    people on a gang's side, as the tip-off test, the investigations and the report use
    it: every listed member (officials on the member list included) and, if
    ``inferred``, the unlisted people :func:`infer_gang_side` places there with confidence
    >= :data:`SIDE_MIN_CONFIDENCE` (:func:`umbrella_graph.scoring.facts.gang_side_ids`
    for a graph)."""
    side = ctx.side
    s = side[side["kind"].to_numpy() != "company"]
    # officials on the member list (the scorer keeps them off the side it scores with)
    mem = ctx.members[ctx.is_official[ctx.members["person"].to_numpy()]]
    if len(mem):
        s = pd.concat([s, pd.DataFrame({"node": mem["person"].to_numpy(), "gang": mem["gang"].to_numpy(),
                                        "conf": 1.0, "kind": "listed", "role": mem["role"].to_numpy()})],
                      ignore_index=True)
    keep = (s["kind"].to_numpy() == "listed") | (inferred & (s["conf"].to_numpy(dtype=float) >= SIDE_MIN_CONFIDENCE))
    s = s[keep]
    ids = ctx.graph.nodes["id"].to_numpy()
    role = s["role"].astype("string").fillna("").to_numpy(dtype=object)
    kind = s["kind"].to_numpy(dtype=object)
    out = pd.DataFrame({"person_id": ids[s["node"].to_numpy()].astype(str),
                        "gang_id": ctx.gang_ids[s["gang"].to_numpy()].astype(str),
                        "side": np.where(kind == "listed", np.where(role == "", "member", role), kind)})
    if gangs is not None:
        out = out[out["gang_id"].isin(set(gangs)).to_numpy()]
    return out.sort_values(["gang_id", "person_id"]).reset_index(drop=True).astype("string")


def _proxies(ctx: Facts) -> pd.DataFrame:
    circ = ctx.circle_ids  # official_circle(graph.officials, graph.case["ties"]), computed once
    return pd.DataFrame({"person_id": circ["person_id"].to_numpy(), "official_id": circ["official_id"].to_numpy(),
                         "via": circ["relation"].to_numpy()}).astype("string")


def _measured_follow_up(con: pd.DataFrame, ev: pd.DataFrame, observed: pd.Series | None = None) -> pd.Timedelta:
    """The follow-up period of the case (:func:`umbrella_graph.domain.follow_up_period`).

    The rate "elsewhere" is the officials' contacts with each gang spread over the whole
    period the case's contact records cover (``observed``: every contact time), not only
    over the span of those contacts: an investigator whose calls all follow raids shows
    his excess against the quiet months around them.
    """
    from ..domain import FOLLOW_UP_MAX

    c = con.drop_duplicates(["gang_id", "pos"])
    if not len(c) or not len(ev):
        return pd.Timedelta(days=1)
    gcode = pd.Index(sorted(set(ev["gang_id"]) | set(c["gang_id"])))
    t_all = np.concatenate([c["time"].to_numpy(dtype="datetime64[ns]"), ev["event_time"].to_numpy(dtype="datetime64[ns]")])
    if observed is not None and len(observed.dropna()):
        o = observed.dropna().to_numpy(dtype="datetime64[ns]")
        t_all = np.concatenate([t_all, [o.min(), o.max()]])
    t0 = t_all.min()
    span = int((t_all.max() - t0) / np.timedelta64(1, "s")) + 1
    es = ((ev["event_time"].to_numpy(dtype="datetime64[ns]") - t0) / np.timedelta64(1, "s")).astype(np.int64)
    cs = ((c["time"].to_numpy(dtype="datetime64[ns]") - t0) / np.timedelta64(1, "s")).astype(np.int64)
    big = span + int(FOLLOW_UP_MAX.total_seconds()) + 2
    ek = np.sort(gcode.get_indexer(ev["gang_id"]).astype(np.int64) * big + es)
    ck = gcode.get_indexer(c["gang_id"]).astype(np.int64) * big + cs
    d = int(FOLLOW_UP_MAX.total_seconds())
    lo = np.searchsorted(ek, ck - d, side="right")
    hi = np.searchsorted(ek, ck, side="right")
    n = hi - lo
    rep = np.repeat(np.arange(len(ck)), n)
    idx = np.repeat(lo, n) + (np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n))
    lags = (ck[rep] - ek[idx]) / 3600.0
    n_ev = pd.Series(ev["gang_id"]).value_counts()
    n_con = pd.Series(c["gang_id"]).value_counts()
    hours = max(span / 3600.0, 1.0)
    rate = float((n_ev * n_con.reindex(n_ev.index).fillna(0.0)).sum()) / hours
    return follow_up_period(lags, rate)


def tipoff_facts(ctx: Facts) -> dict[str, Any]:
    """The tip-off stage of :func:`umbrella_graph.scoring.facts.case_facts`, in order:

    ``tipoff_pairs``
        the contacts between officials' circles and the sides of the gangs with
        enforcement events (every contact kind, inferred members included);
    ``follow_up``
        the investigators' follow-up period of this case: the days after enforcement
        events in which those contacts run in excess
        (:func:`umbrella_graph.domain.follow_up_period`; one day without events);
    ``tipoffs``
        :func:`tipoffs_of` with the default arguments.
    """
    from ..schema import CONTACT_KINDS

    ev = _events(ctx, None)
    pairs = pd.DataFrame()
    d = pd.Timedelta(days=1)
    if len(ev):
        side = side_ids(ctx, sorted(set(ev["gang_id"])))
        pairs = _contact_pairs(ctx, tuple(CONTACT_KINDS), _proxies(ctx), side)
        if len(pairs):
            d = _measured_follow_up(pairs, ev, ctx.graph.case["contacts"]["time"])
    staged = replace(ctx, tipoff_pairs=pairs, follow_up=d)
    return {"tipoff_pairs": pairs, "follow_up": d, "tipoffs": tipoffs_of(staged)}


def tipoffs_of(
    ctx: Facts,
    *,
    windows: tuple[pd.Timedelta, ...] = LEAD_WINDOWS,
    baseline: pd.Timedelta = BASELINE,
    follow_up: pd.Timedelta | None | str = "auto",
    relay: pd.Timedelta | None = RELAY_WINDOW,
    kinds: tuple[str, ...] | None = None,
    event_kinds: tuple[str, ...] | None = None,
    inferred: bool = True,
) -> pd.DataFrame:
    """Every contact record in a pre-event window, with the tests of the module docstring.

    One row per (record, event, official) inside the official's best lead window, with
    the per-(event, official) statistics repeated: ``n_window``, ``window_hours`` (the
    best window), ``n_baseline``, ``n_follow_up``, ``baseline_hours``, ``expected``,
    ``p_value`` (corrected for the scan), ``surprise``, ``n_relay``, ``relay_expected``,
    ``relay_surprise``, ``score``, ``pattern_score`` (:func:`pattern_scores`), and
    ``follow_up_hours`` (the follow-up period used).
    Unfiltered: callers apply their threshold (:data:`TIPOFF_MIN_SCORE`). A pure function
    of the case's facts (``Facts.tipoffs`` holds it for the default arguments;
    :func:`umbrella_graph.scoring.tipoff_table` takes a graph).
    """
    return _tipoff_table(ctx, windows, baseline, follow_up, relay, kinds, event_kinds, inferred)


def _tipoff_table(ctx: Facts, windows: tuple[pd.Timedelta, ...], b: pd.Timedelta,
                  follow_up: pd.Timedelta | None | str, r_td: pd.Timedelta | None, kinds: tuple[str, ...] | None,
                  event_kinds: tuple[str, ...] | None, inferred: bool) -> pd.DataFrame:
    from ..schema import CONTACT_KINDS

    kinds_t = tuple(CONTACT_KINDS) if kinds is None else kinds
    r = pd.Timedelta(0) if r_td is None else r_td
    graph = ctx.graph
    ev = _events(ctx, event_kinds)
    if not len(ev):
        return pd.DataFrame()
    gangs = sorted(set(ev["gang_id"]))
    side = side_ids(ctx, gangs, inferred=inferred)
    proxies = _proxies(ctx)
    default = kinds is None and event_kinds is None and inferred
    con = ctx.tipoff_pairs if default else _contact_pairs(ctx, kinds_t, proxies, side)
    if not len(con):
        return pd.DataFrame()
    if isinstance(follow_up, str):
        d = ctx.follow_up if default else _measured_follow_up(con, ev, graph.case["contacts"]["time"])
    else:
        d = pd.Timedelta(0) if follow_up is None else follow_up
    wins = sorted({pd.Timedelta(w) for w in windows})
    W = wins[-1]

    all_t = graph.case["contacts"]
    all_t = all_t[all_t["kind"].isin(kinds_t).fillna(False).to_numpy()]["time"].dropna()
    t_ev = ev["_t_end"].to_numpy(dtype="datetime64[ns]")
    t_con = con["time"].to_numpy(dtype="datetime64[ns]")
    w_s, b_s, d_s = int(W.total_seconds()), int(b.total_seconds()), int(d.total_seconds())
    # an event dated only: its day is follow-up time too (a contact that day may follow it)
    p_back = np.where(ev["event_dated"].to_numpy(dtype=bool) & (d_s > 0), _DAY_NS // 10**9, 0).astype(np.int64)
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
    # events of the contact's gang with T in (t, t + W]  <=>  t in [T - W, T)
    lo = np.searchsorted(ev_key, c_key, side="right")
    hi = np.searchsorted(ev_key, c_key + w_s, side="right")
    # a record warns of the gang's next event only (events at that same time included)
    nxt = np.minimum(lo, len(ev_key) - 1)
    hi = np.minimum(hi, np.searchsorted(ev_key, ev_key[nxt], side="right"))
    n_in = np.maximum(hi - lo, 0)
    # a contact dated only, on the day of a timed event: before or after it? (domain.dated_contacts)
    same_day = con["contact_dated"].to_numpy(dtype=bool) & (
        np.searchsorted(ev_key, c_key + _DAY_NS // 10**9 - 1, side="right") > lo)
    n_in[same_day] = 0
    # the gang's previous event (or none): where each event's lead windows start at the latest
    prev_same = np.r_[False, ev_g[1:] == ev_g[:-1]]
    s_prev = np.where(prev_same, np.r_[s_ev[:1], s_ev[:-1]], np.iinfo(np.int64).min // 4)
    in_post = (np.searchsorted(ev_key, c_key, side="right")
               > np.searchsorted(ev_key, c_key - d_s, side="right")) | same_day if d_s else np.zeros(len(con), bool)

    rep = np.repeat(np.arange(len(con)), n_in)
    off = np.arange(len(rep)) - np.repeat(np.cumsum(n_in) - n_in, n_in)
    ev_idx = np.repeat(lo, n_in) + off
    hits = con.iloc[rep].reset_index(drop=True)
    hits = pd.concat([hits, ev.iloc[ev_idx].drop(columns="gang_id").reset_index(drop=True)], axis=1)
    if not len(hits):
        return pd.DataFrame()
    hits["_ev"] = ev_idx
    lead_s = s_ev[ev_idx] - s_con[rep]

    # background: the pair's contacts outside every pre-event window (of the longest lead)
    con_p = pair_index.get_indexer(pd.MultiIndex.from_frame(con[["official_id", "gang_id"]].astype(str)))
    bg = n_in == 0
    bg_key = con_p[bg].astype(np.int64) * span + s_con[bg]
    order = np.argsort(bg_key, kind="stable")
    bg_key = bg_key[order]
    post = in_post[bg][order].astype(float)
    cum_post = np.concatenate([[0.0], np.cumsum(post)])
    cum_quiet = np.concatenate([[0.0], np.cumsum(1.0 - post)])
    q_lo = np.maximum(s_ev - w_s - b_s, data_lo)
    q_hi = np.maximum(np.minimum(s_ev + b_s, data_hi), q_lo)
    bg_exp = _exposure(ev_g, s_ev, q_lo, q_hi, w_s, d_s, p_back)
    h_post, h_quiet = bg_exp[:, 2] / 3600.0, bg_exp[:, 3] / 3600.0

    tg = hits.groupby(["_ev", "official_id"], sort=True).agg(gang_id=("gang_id", "first")).reset_index()
    e = tg["_ev"].to_numpy()
    tp = pair_index.get_indexer(pd.MultiIndex.from_frame(tg[["official_id", "gang_id"]].astype(str)))
    base = tp.astype(np.int64) * span
    n_post = _count_between(bg_key, cum_post, base + q_lo[e], base + q_hi[e])
    n_quiet = _count_between(bg_key, cum_quiet, base + q_lo[e], base + q_hi[e])
    W_h = W.total_seconds() / 3600.0
    grp = pd.MultiIndex.from_frame(hits[["_ev", "official_id"]]).map(
        {k: i for i, k in enumerate(zip(tg["_ev"], tg["official_id"], strict=True))}.get).to_numpy(dtype=np.int64)
    # the tested records are the pair's records too: the quiet rate counts them (the test
    # conditions on the pair's total, so one contact in two years is a window's share of
    # the time, not half of it as a pseudo-count of 0.5 would make it)
    k_all = np.bincount(grp, minlength=len(tg))
    rate_quiet = (n_quiet + k_all) / np.maximum(h_quiet[e] + W_h, W_h)
    rate_post = (n_post + 0.5) / np.maximum(h_post[e], W_h)
    # per window: k_w and expected_w; keep the best window, corrected for the scan
    best_logp = np.zeros(len(tg))
    best_w = np.full(len(tg), -1, dtype=np.int64)
    best_k = np.zeros(len(tg), dtype=np.int64)
    best_exp = np.zeros(len(tg))
    all_exp = np.zeros((len(tg), len(wins)))
    for wi, wd in enumerate(wins):
        ws = int(wd.total_seconds())
        k = np.bincount(grp[lead_s <= ws], minlength=len(tg))
        # a window never reaches back past the gang's previous event (whose own window
        # holds the records before it)
        w_lo = np.maximum(s_ev - ws, s_prev)
        win_exp = _exposure(ev_g, s_ev, w_lo, s_ev, w_s, d_s, p_back)
        win_post = (win_exp[:, 0] + win_exp[:, 2]) / 3600.0
        win_quiet = (win_exp[:, 1] + win_exp[:, 3]) / 3600.0
        expected = rate_quiet * win_quiet[e] + rate_post * win_post[e]
        all_exp[:, wi] = expected
        logp = np.where(k > 0, stats.poisson.logsf(k - 1, np.maximum(expected, 1e-300)), 0.0)
        better = (k > 0) & ((best_w < 0) | (logp < best_logp - 1e-12))
        best_logp = np.where(better, logp, best_logp)
        best_w = np.where(better, wi, best_w)
        best_k = np.where(better, k, best_k)
        best_exp = np.where(better, expected, best_exp)
    # the scan's own null: the windows are nested, so the correction is exact, not x len(wins)
    logsf = scan_pvalue(all_exp, best_logp)
    w_hours = np.array([w.total_seconds() / 3600.0 for w in wins])[np.maximum(best_w, 0)]
    tg["n_window"] = best_k
    tg["window_hours"] = w_hours
    tg["n_baseline"] = np.round(n_post + n_quiet).astype(np.int64)
    tg["n_follow_up"] = np.round(n_post).astype(np.int64)
    tg["baseline_hours"] = h_post[e] + h_quiet[e]
    tg["expected"] = best_exp
    tg["p_value"] = np.exp(logsf)
    tg["surprise"] = _to_surprise(logsf)
    # only the records inside the pair's best window are its tip-off records
    hits = hits[lead_s <= (w_hours[grp] * 3600.0 + 0.5)].reset_index(drop=True)

    hits["n_relay"], hits["relay_expected"], relay_logp = _relay(
        hits, side, ctx, kinds_t, t0, span, q_lo, q_hi, s_ev, int(r.total_seconds()))
    m_rec = hits.groupby(["_ev", "official_id"], sort=True)["pos"].transform("size").to_numpy()
    hits["_rlogp"] = np.minimum(relay_logp + np.log(m_rec), 0.0)
    best = hits.groupby(["_ev", "official_id"], sort=True)["_rlogp"].min()
    r_logp = best.reindex(pd.MultiIndex.from_frame(tg[["_ev", "official_id"]])).to_numpy()
    tg["relay_surprise"] = _to_surprise(r_logp)
    if r.value > 0:
        fisher = _to_surprise(stats.chi2.logsf(-2.0 * (logsf + r_logp), 4))
        tg["score"] = np.maximum(tg["surprise"].to_numpy(), fisher)
    else:
        tg["score"] = tg["surprise"]
    n_ev = ev.groupby("gang_id", sort=False).size()
    tg["pattern_score"] = pattern_scores(tg["score"].to_numpy(), tg["official_id"].astype(str).to_numpy(),
                                         tg["gang_id"].astype(str).to_numpy(),
                                         n_ev.reindex(tg["gang_id"]).fillna(1).to_numpy())
    tg["follow_up_hours"] = d.total_seconds() / 3600.0
    out = hits.merge(tg.drop(columns=["gang_id"]), on=["_ev", "official_id"], how="inner")
    out["lead_hours"] = ((out["_t_end"] - out["time"]).dt.total_seconds() / 3600.0).round(4)
    out = out.drop(columns="_t_end")
    out = out.rename(columns={"time": "contact_time"})
    out = out.sort_values(["score", "event_time", "event_id", "official_id", "contact_time", "file", "row"],
                          ascending=[False, True, True, True, True, True, True]).reset_index(drop=True)
    logger.info("tipoff_table: %d contact records in %d (event, official) pairs", len(out), len(tg))
    return out
