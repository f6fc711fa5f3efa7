"""The investigations helper's analyses as report sections: tip-offs around raids, lead
triage, accountability and the disruption plan.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..errors import UmbrellaGraphError
from ..graph import CaseGraph
from ..presentation import (
    cell_text,
    fmt_time,
    source,
)
from ..views import name_map
from ._context import _Context, _gang_side
from ._sections import Section
from ._svg import (
    Drawn,
    raid_window_svg,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# the investigations helper's analyses
# ---------------------------------------------------------------------------------------
def _investigation_sections(graph: CaseGraph, scores: pd.DataFrame, *, seed: int, max_gangs: int,
                            ctx: _Context | None = None) -> list[Section]:
    """Sections for tip-offs, lead triage, accountability and disruption.

    Tip-offs and leads cover the whole case; accountability and disruption are per gang and
    cover at most ``max_gangs`` gangs, those with the highest-scoring pairs. An analysis
    that cannot run on this case (an :class:`UmbrellaGraphError`, e.g. a table it needs is
    missing) gives a section that says so instead of its results.
    """
    best = scores.groupby("gang_id", sort=True)["score"].max()
    ranked = sorted(graph.gangs, key=lambda g: (-(float(best.get(g, 0.0)) if pd.notna(best.get(g, 0.0)) else 0.0), g))
    gangs = ranked[:max_gangs]
    left = len(ranked) - len(gangs)
    scope = ("" if not left else
             f"Shown for the {len(gangs)} gangs with the highest-scoring pairs ({', '.join(gangs)}); "
             f"{left} other gang(s) left out: run the analysis per gang in Python or the CLI.")
    out: list[Section] = []
    for builder, title, anchor, per_gang in (
        (functools.partial(_tipoff_section, ctx=ctx), "Tip-offs before raids (通风报信)", "tipoffs", False),
        (_leads_section, "Lead triage (线索排摸)", "leads", False),
        (_accountability_section, "One case, three investigations (一案三查)", "accountability", True),
        (_disruption_section, "Disruption curves (打伞破网)", "disruption", True),
    ):
        t0 = time.perf_counter()
        try:
            sec = builder(graph, scores, seed, title, anchor, gangs)
        except UmbrellaGraphError as exc:
            logger.warning("report section %s could not be computed: %s", anchor, type(exc).__name__)
            sec = Section(title, note=f"Could not be computed for this case: {exc}", anchor=anchor,
                          group="investigations")
        if per_gang and scope:
            sec.note = " ".join(x for x in (scope, sec.note) if x)
        logger.debug("report section %s: %.2fs", anchor, time.perf_counter() - t0)
        out.append(sec)
    return out


def _names_of(graph: CaseGraph, ids: Iterable[Any]) -> list[str]:
    names = name_map(graph)
    return [names.get(cell_text(i), cell_text(i)) for i in ids]


def _raid_windows(graph: CaseGraph, df: pd.DataFrame, summ: pd.DataFrame, ctx: _Context | None,
                  n: int = 8) -> list[Any]:
    """Raid-window charts for the ``n`` most unusual tip-offs: the official's side's contacts
    with the gang in the 48 hours before, and the gang's side (listed members and the people
    the scorer places there, as the relay test counts it) calling each other after."""
    if not len(summ) or ctx is None:
        return []
    c = graph.case["contacts"]
    ct = pd.to_datetime(c["time"], errors="coerce")
    blocks: list[Any] = []
    for r in summ.head(n).itertuples(index=False):
        # an event compared by its day is drawn at the end of its day (the latest it can be)
        dated = bool(getattr(r, "event_dated", False))
        ev_t = pd.Timestamp(r.event_time).normalize() + pd.Timedelta(days=1) if dated else pd.Timestamp(r.event_time)
        mine = df[(df["event_id"].astype(str) == str(r.event_id)) & (df["official_id"].astype(str) == str(r.official_id))]
        off = pd.DataFrame({
            "time": pd.to_datetime(mine["contact_time"]),
            "kind": mine["contact_kind"].astype(str),
            "label": [f"{fmt_time(t)} {k} {ctx.name(a)} → {ctx.name(b)} ({source(f, w)})" for t, k, a, b, f, w in zip(
                mine["contact_time"], mine["contact_kind"], mine["via_person_id"], mine["contact_person_id"],
                mine["file"], mine["row"], strict=True)],
        })
        side = set(_gang_side(graph, str(r.gang_id)))  # the relay test's side (listed and placed there)
        start = off["time"].min() if len(off) else ev_t - pd.Timedelta(hours=48)
        start = min(start, ev_t - pd.Timedelta(hours=48))
        win = ((ct >= start) & (ct <= ev_t)).fillna(False).to_numpy()
        cw = c[win]
        inside = cw["src"].astype(str).isin(side).to_numpy() & cw["dst"].astype(str).isin(side).to_numpy()
        rel = cw[inside]
        relays = pd.DataFrame({
            "time": pd.to_datetime(rel["time"]),
            "kind": rel["kind"].astype(str),
            "label": [f"{fmt_time(t)} {k} {ctx.name(a)} → {ctx.name(b)} ({source(f, w)})" for t, k, a, b, f, w in zip(
                rel["time"], rel["kind"], rel["src"], rel["dst"], rel["_file"], rel["_row"], strict=True)],
        })
        when = f"on {pd.Timestamp(r.event_time).date()} (by day)" if dated else f"at {fmt_time(r.event_time)}"
        on = ctx.name(r.gang_id) + (" (its target is on this gang's side)"
                                    if str(getattr(r, "event_gang_from", "")) == "target" else "")
        cap = (f"{cell_text(r.event_id)} {cell_text(r.event_kind)} on {on} {when}: "
               f"{ctx.name(r.official_id)} ({cell_text(r.via)})")
        lead = float((ev_t - off["time"].min()).total_seconds() / 3600) if len(off) else 48.0
        before = float(min(48, max(6, math.ceil(lead * 1.5 / 3) * 3)))
        blocks.append(Drawn({}, title=cap, markup=raid_window_svg(ev_t, off, relays, hours_before=before,
                                                                  hours_after=max(2.0, before / 8), title=cap)))
    if len(summ) > n:
        blocks.append(f"The other {len(summ) - n:,} event-official windows are listed in the table below.")
    return blocks


def _tipoff_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                    gangs: Sequence[str], ctx: _Context | None = None) -> Section:
    from ..investigate import find_tipoffs, tipoffs_summary

    df = find_tipoffs(graph)
    blocks: list[Any] = [
        "Officials (or their spouses and kin) in contact with a gang's side in the hours or days before an "
        "enforcement event on that gang, ranked by how unusual that contact is for them (surprise = "
        "-log10 of the chance of that many contacts at the official's normal rate)."
    ]
    if len(df):
        summ = tipoffs_summary(df)
        if not df["event_dated"].any():  # the column speaks only when some event has no hour
            df, summ = df.drop(columns="event_dated"), summ.drop(columns="event_dated")
        else:
            blocks.append("Some events are compared by their day (the records give the event's day or the "
                          "contacts' days, not the hour): a contact on such a day may come before or after the event, "
                          "so the test counts that day as follow-up time too, and the hours before are counted to "
                          "the end of the event's day (the most they can be).")
        if not df["contact_dated"].any():  # likewise for contacts recorded as dates beside timed ones
            df = df.drop(columns="contact_dated")
        else:
            blocks.append("Some contacts are recorded as dates, beside others with hours (\"Contact by day\"): such "
                          "a contact may be any time of its day, so one on the day of an event with an hour is not "
                          "tested against it, and its hours before a later event are counted from the start of its "
                          "day (the most they can be).")
        if not (df["event_gang_from"] == "target").any():  # and for events read as on a gang by their target
            df, summ = df.drop(columns="event_gang_from"), summ.drop(columns="event_gang_from")
        else:
            blocks.append("Some events name no gang: each is read as on the gang whose side holds its target (a "
                          "listed member, or a company or person the scorer places there), shown as 'target' under "
                          "'Gang from'.")
        if "official_id" in summ.columns:
            summ.insert(list(summ.columns).index("official_id") + 1, "official", _names_of(graph, summ["official_id"]))
        blocks += ["The most unusual windows (up to 8), zoomed: the official's side's contacts with the gang before the "
                   "event (top lane), then the gang's side contacting each other (bottom lane); the red line is "
                   "the event.", *_raid_windows(graph, df, summ, ctx)]
        blocks += ["One row per event and official:", summ, "Every contact record in the windows:", df]
    return Section(title, blocks, anchor=anchor, group="investigations", max_rows=100,
                   note="" if len(df) else "No unusual contact before any event on a gang.")


def _leads_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                   gangs: Sequence[str]) -> Section:
    from ..investigate import triage_leads

    df = triage_leads(graph, scores=scores, seed=seed)
    if "subject_id" in df.columns and "subject" not in df.columns:
        df.insert(list(df.columns).index("subject_id") + 1, "subject", _names_of(graph, df["subject_id"]))
    if {"file", "row"} <= set(df.columns):
        df["evidence"] = [source(f, r) for f, r in zip(df["file"], df["row"], strict=True)]
    # what a reader needs on one screen; every column: triage_leads(graph) or `umbrella-graph leads`
    shown = [c for c in ("rank", "lead_id", "date", "source", "subject", "subject_id", "gang_id", "support",
                         "channels", "reason", "evidence") if c in df.columns]
    return Section(title, [
        "Leads (petitions, hotline tips, referrals) ranked by the independent graph evidence that supports "
        "them, with the reason for each rank (every column: triage_leads(graph) or `umbrella-graph leads`).",
        df[shown] if len(shown) >= 4 else df], anchor=anchor, group="investigations",
        note="" if len(df) else "No leads in the case.")


def _accountability_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                            gangs: Sequence[str]) -> Section:
    from ..investigate import accountability

    blocks: list[Any] = [
        "For each gang: (1) the gang itself, (2) its suspected umbrellas, (3) the officials who carried "
        "supervisory responsibility for its place and its companies' sectors while it was active, with "
        "the reason each is listed. The records behind each suspected umbrella are in the Evidence "
        "section (top pairs) or from accountability(graph, gang_id), which cites them."
    ]
    for gid in gangs:
        df = accountability(graph, gid, scores=scores, seed=seed, explain=False)
        blocks.append(f"Gang {_names_of(graph, [gid])[0]} ({gid}): {len(df)} row(s).")
        blocks.append(df.reset_index(drop=True))
    return Section(title, blocks, anchor=anchor, group="investigations", max_rows=80,
                   note="" if gangs else "No gang in the case.")


def _disruption_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                        gangs: Sequence[str]) -> Section:
    from ..investigate import plan_disruption
    from ._svg import Chart

    series: dict[str, tuple[list[float], list[float]]] = {}
    tables: list[Any] = []
    for gid in gangs:
        plan = plan_disruption(graph, gid, scores=scores, seed=seed)
        name = _names_of(graph, [gid])[0]
        c = plan.curve
        if len(c):
            series[f"{name} ({gid})"] = (c["step"].astype(float).tolist(), c["lcc_fraction"].astype(float).tolist())
        removed = plan.removed.copy()
        if "node_id" in removed.columns:
            removed.insert(list(removed.columns).index("node_id") + 1, "name", _names_of(graph, removed["node_id"]))
        tables += [f"Gang {name} ({gid}): network of {plan.graph.number_of_nodes()} nodes and "
                   f"{plan.graph.number_of_edges()} edges; remove, in order ({plan.strategy}, {plan.mode}):", removed]
    blocks: list[Any] = [
        "Which nodes to remove to break each gang's network (its members, companies, suspected umbrellas "
        "and the intermediaries on their evidence paths), and the share of that network still in its "
        "largest connected piece after each removal."
    ]
    if series:
        blocks.append(Chart(series, x_label="nodes removed", y_label="largest component (share)",
                            y_range=(0.0, 1.0), title="Disruption curve per gang", width=640, height=260))
    blocks += tables
    return Section(title, blocks, anchor=anchor, group="investigations", max_rows=30,
                   note="" if series else "No gang network to disrupt.")
