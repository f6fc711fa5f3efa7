"""Tip-offs (通风报信): officials in contact with a gang in the hours before a raid.

For every enforcement event on a gang (an ``events`` row with a ``gang_id``), the
officials whose own contacts, or their spouse's and kin's, reached the gang's side in the
window before the event are listed with the contact records, the lead time and a
*surprise* score: how unusual that many contacts in the window is against the same
official's normal contact rate with that gang.

The surprise score
------------------
For an event at time ``T`` on gang ``g`` and an official ``o``:

* ``n_window`` (``k``): contacts between ``o``'s side (``o``, spouse, kin) and ``g``'s
  side in the window ``[T - window, T)``, each record counting its ``count`` (1 when
  blank);
* ``n_baseline``: the same contacts in the background period ``[T - window - baseline,
  T + baseline)`` **excluding every pre-event window of the gang** (the official's
  normal rate, before *and after* the event: a police officer who investigates the gang
  and calls its members after raids has a high background rate, so a call that happens
  to fall before a raid is not surprising);
* ``baseline_hours``: the length of that background period, clipped to the span of the
  contact records, minus the pre-event windows;
* ``expected`` = ``window_hours * (n_baseline + 0.5) / max(baseline_hours, window_hours)``:
  the expected count in one window (the 0.5 is a Jeffreys-style pseudo-count so an
  official with no background contact still has a small positive rate);
* ``p_value`` = P(X >= k) for X ~ Poisson(``expected``);
* ``surprise`` = ``-log10(p_value)`` (2 means a 1-in-100 coincidence, 3 one in 1000;
  capped at 300).

With the defaults (48 h window, 90 days each side) one contact from an official who never
contacted the gang otherwise scores about 2.3, two such contacts about 5.
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
    "lead_hours", "file", "row", "n_window", "n_baseline", "baseline_hours", "expected",
    "p_value", "surprise",
)

#: The columns of :func:`tipoffs_summary`, in order.
TIPOFF_SUMMARY_COLUMNS: tuple[str, ...] = (
    "event_id", "event_kind", "event_time", "gang_id", "official_id", "via", "n_records",
    "n_window", "n_baseline", "expected", "surprise", "max_lead_hours", "min_lead_hours",
    "contacts", "evidence",
)

_DTYPES: dict[str, str] = {
    "event_id": "string", "event_kind": "string", "event_time": "datetime64[ns]",
    "gang_id": "string", "official_id": "string", "via": "string", "via_person_id": "string",
    "contact_person_id": "string", "contact_side": "string", "family_contact": "bool",
    "contact_kind": "string", "contact_time": "datetime64[ns]", "lead_hours": "float64",
    "file": "string", "row": "int64", "n_window": "int64", "n_baseline": "int64",
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
    weight = c["count"].astype("Float64").fillna(1.0).clip(lower=0).to_numpy(dtype=float)
    base = pd.DataFrame({
        "pos": np.arange(len(c)),
        "time": c["time"].to_numpy(dtype="datetime64[ns]"),
        "contact_kind": c["kind"].astype("string").to_numpy(),
        "weight": weight,
        "file": c["_file"].astype("string").to_numpy(),
        "row": c["_row"].to_numpy(dtype=np.int64),
    })
    src = c["src"].astype("string").to_numpy()
    dst = c["dst"].astype("string").to_numpy()
    both = pd.concat([base.assign(x=src, y=dst), base.assign(x=dst, y=src)], ignore_index=True)
    both = both[both["x"] != both["y"]]
    prox = proxies.rename(columns={"person_id": "x", "via": "via"})
    sd = side.rename(columns={"person_id": "y", "side": "contact_side"})
    m = both.merge(prox, on="x", how="inner").merge(sd, on="y", how="inner")
    m = m[m["y"] != m["official_id"]]
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


def _excluded_hours(ev: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, w: pd.Timedelta) -> np.ndarray:
    """Hours of ``[lo, hi)`` covered by the union of the gang's pre-event windows, per event."""
    t = ev["event_time"].to_numpy(dtype="datetime64[ns]")
    g = ev["gang_id"].to_numpy()
    wd = np.timedelta64(w.value, "ns")
    # ev is sorted by gang, time: merge overlapping windows [t - w, t) into blocks
    new = np.ones(len(ev), dtype=bool)
    new[1:] = (g[1:] != g[:-1]) | ((t[1:] - wd) > t[:-1])
    block = np.cumsum(new) - 1
    blocks = pd.DataFrame({"b": block, "gang_id": g, "s": t - wd, "e": t}).groupby("b").agg(
        gang_id=("gang_id", "first"), s=("s", "min"), e=("e", "max"))
    q = pd.DataFrame({"i": np.arange(len(ev)), "gang_id": g, "lo": lo, "hi": hi})
    j = q.merge(blocks, on="gang_id")
    ov = (np.minimum(j["hi"].to_numpy(), j["e"].to_numpy())
          - np.maximum(j["lo"].to_numpy(), j["s"].to_numpy())).astype("timedelta64[ns]")
    hours = np.clip(ov.astype(np.int64), 0, None) / 3.6e12
    return np.bincount(j["i"].to_numpy(), weights=hours, minlength=len(ev))


def find_tipoffs(
    graph: CaseGraph,
    window: Any = "48h",
    *,
    baseline: Any = "90D",
    kinds: Any = CONTACT_KINDS,
    min_surprise: float = 2.0,
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
    kinds : sequence of str, default all
        Contact kinds to use (``call``, ``sms``, ``meeting``, ``chat``).
    min_surprise : float, default 2.0
        Keep (event, official) pairs whose surprise is at least this (2.0: the window's
        contacts had at most a 1% chance at the official's normal rate). 0 keeps every
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
        ``n_baseline``, ``baseline_hours``, ``expected``, ``p_value``, ``surprise``.
        Sorted by surprise (highest first), event time, event, official, contact time.

    Raises
    ------
    ParameterError
        If ``window`` or ``baseline`` is not a positive duration, ``kinds`` names an
        unknown contact kind, or ``min_surprise`` is negative.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> from umbrella_graph.investigate import find_tipoffs
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["off", "boss"], "name": ["王", "李"]}),
    ...     officials=pd.DataFrame({"person_id": ["off"], "position": ["民警"]}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
    ...     members=pd.DataFrame({"person_id": ["boss"], "gang_id": ["G1"], "role": ["leader"]}),
    ...     events=pd.DataFrame({"id": ["E1"], "kind": ["raid"], "time": ["2020-06-01 06:00"],
    ...                          "gang_id": ["G1"]}),
    ...     contacts=pd.DataFrame({"src": ["off", "off"], "dst": ["boss", "boss"],
    ...                            "kind": ["call", "call"],
    ...                            "time": ["2020-01-01 10:00", "2020-05-31 22:00"]}))
    >>> t = find_tipoffs(build_graph(case), window="48h")
    >>> t[["event_id", "official_id", "contact_person_id", "lead_hours", "row"]]
      event_id official_id contact_person_id  lead_hours  row
    0       E1         off              boss         8.0    3
    >>> round(float(t["surprise"].iat[0]), 2)
    2.26
    >>> find_tipoffs(build_graph(case), window=-2)
    Traceback (most recent call last):
    ...
    umbrella_graph.errors.ParameterError: The 'window' parameter of find_tipoffs must be a positive duration. Got -2 instead.
    """
    func = "find_tipoffs"
    graph = check_graph(graph, func)
    w = parse_duration(window, "window", func)
    b = parse_duration(baseline, "baseline", func)
    kinds_t = check_kinds(kinds, CONTACT_KINDS, func)
    min_s = check_number(min_surprise, "min_surprise", func, low=0.0)
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
    all_c = graph.case["contacts"]
    all_c = all_c[all_c["kind"].isin(kinds_t).fillna(False).to_numpy()]["time"].dropna()
    data_start, data_end = all_c.min(), all_c.max()
    t_ev = ev["event_time"].to_numpy(dtype="datetime64[ns]")
    t_con = con["time"].to_numpy(dtype="datetime64[ns]")
    lo_all = min(t_ev.min(), t_con.min()) - np.timedelta64(b.value + w.value, "ns")
    t0 = np.datetime64(lo_all, "ns") - np.timedelta64(1, "s")
    w_s, b_s = int(w.total_seconds()), int(b.total_seconds())
    span = int(max(_secs(t_ev, t0).max(), _secs(t_con, t0).max())) + w_s + b_s + 2

    gcode = pd.Index(gangs)
    ev_g = gcode.get_indexer(ev["gang_id"]).astype(np.int64)
    con_g = gcode.get_indexer(con["gang_id"]).astype(np.int64)
    if (len(gangs) + 1) * span >= np.iinfo(np.int64).max // 4:  # pragma: no cover - centuries of data
        raise OverflowError("time span too long for the tip-off index")
    ev_key = ev_g * span + _secs(t_ev, t0)
    c_key = con_g * span + _secs(t_con, t0)
    # events of the contact's gang with T in (t, t + w]  <=>  t in [T - w, T)
    lo = np.searchsorted(ev_key, c_key, side="right")
    hi = np.searchsorted(ev_key, c_key + w_s, side="right")
    n_in = hi - lo

    # -- contacts inside a pre-event window: one row per (record, event) ---------------------
    rep = np.repeat(np.arange(len(con)), n_in)
    off = np.arange(len(rep)) - np.repeat(np.cumsum(n_in) - n_in, n_in)
    ev_idx = np.repeat(lo, n_in) + off
    hits = con.iloc[rep].reset_index(drop=True)
    hits = pd.concat([hits, ev.iloc[ev_idx].drop(columns="gang_id").reset_index(drop=True)], axis=1)
    if not len(hits):
        return _empty()
    hits["_ev"] = ev_idx

    # -- per (event, official): k in the window, background count and exposure -------------
    pair_index = pd.MultiIndex.from_frame(con[["official_id", "gang_id"]].astype(str)).unique().sort_values()
    con_p = pair_index.get_indexer(pd.MultiIndex.from_frame(con[["official_id", "gang_id"]].astype(str)))
    if (len(pair_index) + 1) * span >= np.iinfo(np.int64).max // 4:  # pragma: no cover
        raise OverflowError("time span too long for the tip-off index")
    bg = n_in == 0
    bg_key = con_p[bg].astype(np.int64) * span + _secs(t_con[bg], t0)
    order = np.argsort(bg_key, kind="stable")
    bg_key = bg_key[order]
    cw = np.concatenate([[0.0], np.cumsum(con["weight"].to_numpy()[bg][order])])

    tg = hits.groupby(["_ev", "official_id"], sort=True).agg(
        n_window=("weight", "sum"), gang_id=("gang_id", "first"))
    tg = tg.reset_index()
    tev = t_ev[tg["_ev"].to_numpy()]
    tp = pair_index.get_indexer(pd.MultiIndex.from_frame(tg[["official_id", "gang_id"]].astype(str)))
    wd = np.timedelta64(w.value, "ns")
    bd = np.timedelta64(b.value, "ns")
    base = tp.astype(np.int64) * span
    q_lo = np.searchsorted(bg_key, base + _secs(tev - wd - bd, t0), side="left")
    q_hi = np.searchsorted(bg_key, base + _secs(tev + bd, t0), side="left")
    n_bg = cw[q_hi] - cw[q_lo]

    # exposure: [T - w - b, T + b) clipped to the data, minus the gang's pre-event windows
    e_lo = np.maximum(t_ev - wd - bd, np.datetime64(data_start, "ns"))
    e_hi = np.minimum(t_ev + bd, np.datetime64(data_end, "ns"))
    length = np.clip((e_hi - e_lo).astype("timedelta64[ns]").astype(np.int64), 0, None) / 3.6e12
    excluded = _excluded_hours(ev, e_lo, np.maximum(e_hi, e_lo), w)
    exposure = np.clip(length - excluded, 0.0, None)
    w_h = w.total_seconds() / 3600.0
    bh = exposure[tg["_ev"].to_numpy()]
    expected = w_h * (n_bg + 0.5) / np.maximum(bh, w_h)
    k = tg["n_window"].to_numpy(dtype=float)
    logsf = stats.poisson.logsf(np.ceil(k) - 1, expected)
    surprise = np.minimum(-logsf / np.log(10.0), _MAX_SURPRISE)
    tg["n_baseline"] = n_bg
    tg["baseline_hours"] = bh
    tg["expected"] = expected
    tg["p_value"] = np.exp(logsf)
    tg["surprise"] = np.round(surprise + 0.0, 10)
    tg = tg[tg["surprise"] >= min_s]

    out = hits.merge(tg.drop(columns=["gang_id"]), on=["_ev", "official_id"], how="inner")
    if not len(out):
        return _empty()
    out["lead_hours"] = ((out["event_time"] - out["time"]).dt.total_seconds() / 3600.0).round(4)
    out = out.rename(columns={"time": "contact_time"})
    out["n_window"] = np.round(out["n_window"]).astype(np.int64)
    out["n_baseline"] = np.round(out["n_baseline"]).astype(np.int64)
    out = out.sort_values(["surprise", "event_time", "event_id", "official_id", "contact_time",
                           "file", "row"], ascending=[False, True, True, True, True, True, True])
    out = out[list(TIPOFF_COLUMNS)].reset_index(drop=True)
    logger.info("find_tipoffs: %d contact records in %d (event, official) pairs", len(out),
                len(tg))
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
        ``n_window``, ``n_baseline``, ``expected``, ``surprise``, the longest and shortest
        lead time in hours, ``contacts`` (gang-side people contacted, ";"-joined) and
        ``evidence`` (``file:row`` of the records). Sorted like the input.

    Examples
    --------
    >>> from umbrella_graph.investigate import tipoffs_summary
    >>> tipoffs_summary(find_tipoffs.__globals__["_empty"]()).columns.tolist()[:5]
    ['event_id', 'event_kind', 'event_time', 'gang_id', 'official_id']
    """
    missing = [c for c in TIPOFF_COLUMNS if c not in tipoffs.columns]
    if missing:
        from ..errors import ParameterError

        raise ParameterError.invalid("tipoffs", "tipoffs_summary", "a find_tipoffs result", f"missing {missing}")
    limit = int(check_number(limit, "limit", "tipoffs_summary", low=1, integer=True))
    if not len(tipoffs):
        cols = {c: pd.Series([], dtype=_DTYPES.get(c, "string")) for c in TIPOFF_SUMMARY_COLUMNS}
        for c in ("n_records",):
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
        expected=("expected", "first"), surprise=("surprise", "first"),
        max_lead_hours=("lead_hours", "max"), min_lead_hours=("lead_hours", "min"),
        contacts=("contact_person_id", lambda s: ";".join(sorted(set(s.astype(str))))),
    ).reset_index()
    ev = g.apply(lambda d: cite(d["file"], d["row"], limit), include_groups=False)
    out = out.merge(ev.rename("evidence").reset_index(), on=keys)
    out = out.sort_values("_o").reset_index(drop=True)
    return out[list(TIPOFF_SUMMARY_COLUMNS)].astype({"n_records": "int64", "via": "string",
                                                      "contacts": "string", "evidence": "string"})
