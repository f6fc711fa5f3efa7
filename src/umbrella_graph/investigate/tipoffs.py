"""Tip-offs (通风报信): officials in contact with a gang in the hours before a raid.

The test itself is the scorer's (:mod:`umbrella_graph.scoring.tipoff`, one definition
for both): for every enforcement event on a gang (:func:`umbrella_graph.domain.is_enforcement`;
``抓捕``, ``突擊檢查``, ``raid``...), the officials whose own contacts, or their spouse's
and relatives', reached the gang's side in the hours or days before the event, with

``surprise``
    the timing against the official's own background rate with that gang: lead windows
    from 1 hour to 4 days are scanned, the best one is kept and its p-value is the exact
    p-value of the scan (nested windows: not a Bonferroni bound); a record counts for the
    gang's next event only; contacts in the investigators' follow-up period after
    earlier events (measured from the case) have their own rate;
``relay_surprise``
    whether the contacted person alerted the gang right after the contact;
``score``
    the larger of the timing surprise and Fisher's combination of both: a relay
    strengthens a tip-off, its absence never buries one;
``pattern_score``
    the same official warning before several of the gang's events: the chance that ``k``
    of the gang's enforcement events score at least his ``k``-th best event by
    coincidence, the best ``k >= 2``, corrected for choosing it
    (:func:`umbrella_graph.scoring.tipoff.pattern_scores`; one number per official and
    gang).

Rows are kept when ``score >= min_score`` (default 3.0, a 1-in-1,000 coincidence under
the scan's own null), or when ``score >= 2`` (1 in 100) and ``pattern_score >=
min_score``: :func:`umbrella_graph.scoring.tipoff.is_tipoff`, the rule the scorer counts
tip-offs by.

A single call to the gang's leader by an official who otherwise never calls the gang, a
few hours before a raid, is listed without any relay.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from .._compat import legacy_positional
from ..domain import LEAD_WINDOWS
from ..graph import CaseGraph
from ..schema import CONTACT_KINDS
from ..scoring.facts import tipoff_table
from ..scoring.tipoff import TIPOFF_MIN_SCORE, is_tipoff
from ._common import check_graph, check_kinds, check_number, cite, parse_duration

__all__ = ["find_tipoffs", "tipoffs_summary", "TIPOFF_COLUMNS", "TIPOFF_SUMMARY_COLUMNS"]

logger = logging.getLogger(__name__)

#: The columns of :func:`find_tipoffs`, in order.
TIPOFF_COLUMNS: tuple[str, ...] = (
    "event_id", "event_kind", "event_time", "event_dated", "gang_id", "event_gang_from", "official_id", "via",
    "via_person_id", "contact_person_id", "contact_side", "family_contact", "contact_kind", "contact_time",
    "contact_dated", "lead_hours", "file", "row", "n_relay", "relay_expected", "n_window", "window_hours", "n_baseline",
    "n_follow_up", "follow_up_hours", "baseline_hours", "expected", "p_value", "surprise", "relay_surprise",
    "score", "pattern_score",
)

#: The columns of :func:`tipoffs_summary`, in order.
TIPOFF_SUMMARY_COLUMNS: tuple[str, ...] = (
    "event_id", "event_kind", "event_time", "event_dated", "gang_id", "event_gang_from", "official_id", "via",
    "n_records", "n_window", "n_baseline", "n_follow_up", "expected", "surprise", "n_relay", "relay_surprise", "score",
    "pattern_score", "max_lead_hours", "min_lead_hours", "contacts", "evidence",
)

_DTYPES: dict[str, str] = {
    "event_id": "string", "event_kind": "string", "event_time": "datetime64[ns]", "event_dated": "bool",
    "gang_id": "string", "event_gang_from": "string", "official_id": "string", "via": "string", "via_person_id": "string",
    "contact_person_id": "string", "contact_side": "string", "family_contact": "bool",
    "contact_kind": "string", "contact_time": "datetime64[ns]", "contact_dated": "bool", "lead_hours": "float64",
    "file": "string", "row": "int64", "n_window": "int64", "n_baseline": "int64", "n_follow_up": "int64",
    "n_relay": "int64", "relay_expected": "float64", "window_hours": "float64", "follow_up_hours": "float64", "relay_surprise": "float64", "score": "float64",
    "pattern_score": "float64",
    "baseline_hours": "float64", "expected": "float64", "p_value": "float64", "surprise": "float64",
}

def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[c]) for c in TIPOFF_COLUMNS})  # type: ignore[call-overload]


@legacy_positional(["window"], after=1)
def find_tipoffs(
    graph: CaseGraph,
    *,
    window: Any = None,
    baseline: Any = "730D",
    follow_up: Any = "auto",
    relay: Any = "2h",
    kinds: Any = CONTACT_KINDS,
    min_score: float = TIPOFF_MIN_SCORE,
    event_kinds: Any = None,
    inferred: bool = True,
) -> pd.DataFrame:
    """Officials (or their families) in contact with a gang just before raids on it.

    For every enforcement event on a gang (:func:`umbrella_graph.domain.is_enforcement`),
    every contact record between an official's circle (the official, his spouse, his
    relatives: :func:`umbrella_graph.domain.official_circle`) and the gang's side (its
    listed members and the people :func:`umbrella_graph.scoring.infer_gang_side` places on
    it with confidence >= 0.5) in the official's best lead window before the event, with
    the tests of :mod:`umbrella_graph.scoring.tipoff` (the scorer's own definition).

    Parameters
    ----------
    graph : CaseGraph
        The case graph (:func:`~umbrella_graph.build_graph`).
    window : str, timedelta, number or None, default None
        None scans the lead windows of :data:`umbrella_graph.domain.LEAD_WINDOWS` (1 hour
        to 4 days) with a correction for the scan; a duration (a pandas duration string
        such as ``"48h"`` or ``"2D"``, a :class:`datetime.timedelta` /
        :class:`pandas.Timedelta`, or a number of hours) tests that one window only.
    baseline : str, timedelta or number, default "730D"
        How far before the window and after the event the background rate is measured.
    follow_up : "auto", str, timedelta, number or None, default "auto"
        How long after an event on the gang the official's contacts are measured
        separately as *follow-up* contacts (investigations, interviews). ``"auto"``
        measures it from the case (:func:`umbrella_graph.domain.follow_up_period`);
        None measures one rate for all times.
    relay : str, timedelta, number or None, default "2h"
        How soon after the contact the gang-side person's calls to the gang count as a
        relay; None leaves the relay out.
    kinds : sequence of str, default all
        Contact kinds to use (``call``, ``sms``, ``meeting``, ``chat``).
    min_score : float, default 3.0
        Keep (event, official) pairs whose score is at least this, or at least 2 inside
        a pattern (``pattern_score``) at least this. 0 keeps every pre-event contact.
    event_kinds : sequence of str, optional
        Only events of these kinds (default: every enforcement event on a gang: naming
        it, or naming no gang and targeting its side, ``event_gang_from``).
    inferred : bool, default True
        Also count people the scorer infers to be on the gang's side.

    Returns
    -------
    pandas.DataFrame
        One row per contact record in a pre-event window, with the columns of
        :data:`TIPOFF_COLUMNS`: ``event_id``, ``event_kind``, ``event_time`` (as recorded),
        ``event_dated`` (the event is compared by its day: it is recorded as a date only,
        :func:`umbrella_graph.domain.dated_only`, or no contact has an hour,
        :func:`umbrella_graph.domain.no_time_of_day`; its day may hold the contact before
        or after it, and the test counts that day as follow-up time as well), ``gang_id``,
        ``event_gang_from`` (``gang_id``: the event names the gang; ``target``: it names
        none, and its target is on the gang's side,
        :func:`umbrella_graph.scoring.facts.event_gang_ids`), ``official_id``, ``via``
        (``self``, ``spouse``, ``kin`` or ``extended``),
        ``via_person_id`` (who made the contact), ``contact_person_id`` (the gang-side
        person), ``contact_side`` (``leader``/``core``/``member``/``inferred``),
        ``family_contact`` (the gang-side person is himself the official's kin),
        ``contact_kind``, ``contact_time``, ``contact_dated`` (the contact is recorded as a
        date only, :func:`umbrella_graph.domain.dated_contacts`: it may be any time of its
        day, and on the day of an event with an hour it is not tested against it),
        ``lead_hours`` (hours before the event; for an event dated only, before the end of
        its day, and for a contact dated only, from the start of its day: the most the
        lead can be),
        ``file``, ``row`` (the contact record), and per (event, official): ``n_window``,
        ``window_hours`` (the best lead window), ``n_baseline``, ``n_follow_up``,
        ``follow_up_hours``, ``baseline_hours``, ``expected``, ``p_value`` (corrected for
        the scan), ``surprise``, ``relay_surprise``, ``score``, and per (official, gang)
        ``pattern_score``. Sorted by score (highest first), event time, event, official,
        contact time.

    Raises
    ------
    ParameterError
        If ``window``, ``baseline`` or ``follow_up`` is not a positive duration,
        ``kinds`` names an unknown contact kind, or ``min_score`` is negative.

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
    >>> t = find_tipoffs(build_graph(case))
    >>> t[["event_id", "official_id", "contact_person_id", "lead_hours", "row", "n_relay"]]
      event_id official_id contact_person_id  lead_hours  row  n_relay
    0       E1         off              boss         8.0    3        2
    >>> float(t["window_hours"].iat[0])
    12.0
    >>> t[["surprise", "relay_surprise", "score"]].round(2)
       surprise  relay_surprise  score
    0      2.21            5.29   6.24
    >>> find_tipoffs(build_graph(case), window=-2)
    Traceback (most recent call last):
    ...
    umbrella_graph.errors.ParameterError: The 'window' parameter of find_tipoffs must be a positive duration. Got -2 instead.
    """
    func = "find_tipoffs"
    graph = check_graph(graph, func)
    wins = LEAD_WINDOWS if window is None else (parse_duration(window, "window", func),)
    b = parse_duration(baseline, "baseline", func)
    d: pd.Timedelta | None | str
    if isinstance(follow_up, str) and follow_up.strip().lower() == "auto":
        d = "auto"
    else:
        d = None if follow_up is None else parse_duration(follow_up, "follow_up", func)
    r = None if relay is None else parse_duration(relay, "relay", func)
    kinds_t = check_kinds(kinds, CONTACT_KINDS, func)
    min_s = check_number(min_score, "min_score", func, low=0.0)
    ek: tuple[str, ...] | None = None
    if event_kinds is not None:
        ek = tuple(str(k) for k in ([event_kinds] if isinstance(event_kinds, str) else event_kinds))
    out = tipoff_table(graph, windows=wins, baseline=b, follow_up=d, relay=r,
                       kinds=None if set(kinds_t) == set(CONTACT_KINDS) else kinds_t, event_kinds=ek,
                       inferred=bool(inferred))
    if not len(out):
        return _empty()
    out = out[is_tipoff(out["score"].to_numpy(), out["pattern_score"].to_numpy(), min_s)]
    if not len(out):
        return _empty()
    logger.info("find_tipoffs: %d contact records", len(out))
    return out[list(TIPOFF_COLUMNS)].reset_index(drop=True).astype(_DTYPES)


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
    1      E05       P0241        4
    2      E04       P0241        4
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
        event_dated=("event_dated", "first"), event_gang_from=("event_gang_from", "first"),
        gang_id=("gang_id", "first"), via=("via", lambda s: ";".join(dict.fromkeys(s.astype(str)))),
        n_records=("row", "size"), n_window=("n_window", "first"), n_baseline=("n_baseline", "first"),
        n_follow_up=("n_follow_up", "first"),
        expected=("expected", "first"), surprise=("surprise", "first"),
        n_relay=("n_relay", "max"), relay_surprise=("relay_surprise", "first"), score=("score", "first"),
        pattern_score=("pattern_score", "first"),
        max_lead_hours=("lead_hours", "max"), min_lead_hours=("lead_hours", "min"),
        contacts=("contact_person_id", lambda s: ";".join(sorted(set(s.astype(str))))),
    ).reset_index()
    ev = g.apply(lambda d: cite(d["file"], d["row"], limit), include_groups=False)
    out = out.merge(ev.rename("evidence").reset_index(), on=keys)
    out = out.sort_values("_o").reset_index(drop=True)
    return out[list(TIPOFF_SUMMARY_COLUMNS)].astype({"n_records": "int64", "via": "string",
                                                      "contacts": "string", "evidence": "string"})
