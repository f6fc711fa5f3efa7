"""The domain layer: one answer to each domain question, words kept as data.

Every part of the library (scoring, investigations, report, views) asks this module

* **what a kind word means**: whether a tie makes two people family and which kind
  (:func:`tie_relation`: ``spouse`` / ``kin`` / ``""``), whether an event is an
  enforcement action a gang could be warned about (:func:`is_enforcement`), which
  payment channel a transfer used (:func:`channel_of`), whether a post is police
  (:func:`is_police`) or judicial (:func:`is_justice`; either answers for every gang in
  its area: :func:`answers_for_area`), governs its place (:func:`is_governing`) or
  regulates a trade (:func:`sectors_of`, :func:`regulated_sectors`);
* **who is in an official's circle** (:func:`official_circle`: himself, his spouse, his
  other relatives, and their relatives two family ties away; relatives who hold a post
  themselves answer for their own records);
* **what an enumerated cell means** (:func:`enum_canonical`, :func:`enum_spellings`): the
  loader reads ``members.role``, ``company_roles.role``, ``contacts.kind`` and
  ``villages.level`` through the ``enums`` vocabulary, so ``骨幹``, ``骨干`` and ``core``
  are one value;
* **which windows** a tip-off, its relay and the investigators' follow-up use
  (:data:`LEAD_WINDOWS`, :data:`RELAY_WINDOW`, :func:`follow_up_period`), and **which
  event times are dates only** (:func:`dated_only`: an event recorded as ``2021-03-05``
  happened at some hour of that day; :func:`dated_contacts`: the contacts written as dates,
  such as meetings beside timed calls; :func:`no_time_of_day`: contact records that give
  days only, against which every event is compared by its day).

The gang side (listed members, front men, inferred members, gang companies, each with a
confidence) is inferred from the records by :func:`umbrella_graph.scoring.infer_gang_side`
and :func:`umbrella_graph.scoring.gang_companies`; those two functions are its one
definition and the investigations and the report call them.

The vocabularies live in ``vocabulary.json`` next to this module (package data), written
once in simplified Chinese or English. Before any lookup a text is normalised
(:func:`normalise`): Unicode NFKC (full-width letters and digits), traditional to
simplified Chinese with OpenCC (``t2s``; ``搜查``/``搜查``, ``親屬`` -> ``亲属``), lower
case, then renamed institutions are rewritten to their current names (``国土所`` ->
``自然资源所``, ``工商所`` -> ``市场监管所``) and abbreviations expanded (``村支书`` ->
``村党支部书记``). Words are matched as substrings of the normalised text (``突击检查``
and ``收网行动`` are enforcement; ``审判`` is not), single-character words only exactly.

Examples
--------
>>> normalise("國土所所長")
'自然资源所所长'
>>> tie_relation(["配偶", "親屬", "friend", "Spouse", "表弟"]).tolist()
['spouse', 'kin', '', 'spouse', 'kin']
>>> is_enforcement(["抓捕", "收网行动", "突擊檢查", "trial", "raid", "宣判"]).tolist()
[True, True, True, False, True, False]
>>> channel_of(["银行转账", "微信", "支付宝", "现金", "bank", "其他"]).tolist()
['bank', 'wechat', 'alipay', 'cash', 'bank', 'other']
>>> is_police(["治安民警", "派出所所长", "住建办主任"]).tolist()
[True, True, False]
>>> answers_for_area(["派出所所长", "县人民法院 审判员", "检察院 检察官", "住建办主任"]).tolist()
[True, True, True, False]
>>> is_governing(["村支书", "镇纪委书记", "法院书记员", "镇长"]).tolist()
[True, False, False, True]
>>> sorted(regulated_sectors(["国土所所长"])[0])
['construction', 'sand_gravel']
>>> enum_canonical("contacts", "kind", ["通話", "簡訊", "見面", "ＣＡＬＬ", "telepathy"])
['call', 'sms', 'meeting', 'call', None]
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "normalise",
    "tie_relation",
    "is_enforcement",
    "channel_of",
    "is_police",
    "is_justice",
    "answers_for_area",
    "is_governing",
    "sectors_of",
    "regulated_sectors",
    "official_circle",
    "vocabulary",
    "ENUM_COLUMNS",
    "enum_spellings",
    "enum_canonical",
    "CHANNELS",
    "CIRCLE_RELATIONS",
    "LEAD_WINDOWS",
    "RELAY_WINDOW",
    "FOLLOW_UP_MAX",
    "follow_up_period",
    "dated_only",
    "dated_contacts",
    "DATE_HEAP_P",
    "latest_contact_times",
    "repeated_contacts",
    "no_time_of_day",
]

#: Canonical payment channels (what :func:`channel_of` returns).
CHANNELS: tuple[str, ...] = ("bank", "wechat", "alipay", "cash", "other")
#: The relations of a person to an official in his circle, closest first: himself, his
#: spouse, a relative (one family tie), a relative of a relative or of the spouse
#: (``extended``: two family ties, e.g. the spouse's brother or, when the data lack the
#: direct tie, a sibling's parent).
CIRCLE_RELATIONS: tuple[str, ...] = ("self", "spouse", "kin", "extended")
#: Lead windows scanned for tip-offs (hours before the event): a warning comes hours to
#: days ahead. The timing test takes the most surprising window and corrects for the
#: scan (see :mod:`umbrella_graph.scoring.tipoff`).
LEAD_WINDOWS: tuple[pd.Timedelta, ...] = tuple(pd.Timedelta(hours=h) for h in (1, 3, 6, 12, 24, 48, 72, 96))
#: After a warning call, the gang-side person passes it on within this long (the relay:
#: it strengthens a tip-off, its absence never buries one).
RELAY_WINDOW = pd.Timedelta(hours=2)
#: The investigators' follow-up period after an event is measured from the case
#: (:func:`follow_up_period`) and never exceeds this.
FOLLOW_UP_MAX = pd.Timedelta(days=60)
#: In a file's contacts (or events) of one kind that mostly carry hours, the times at
#: midnight are dates written without their hour when that many at 00:00:00 is a
#: 1-in-1,000 coincidence against the same group's times at 23:00:00 and 01:00:00
#: (:func:`dated_contacts`, :func:`dated_only`).
DATE_HEAP_P = 1e-3


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The vocabularies (``vocabulary.json``), keywords normalised, cached."""
    text = resources.files(__package__).joinpath("vocabulary.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return raw  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _base(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip().lower()
    t = " ".join(t.split())
    if any(ord(ch) > 0x2E7F for ch in t):
        t = _converter().convert(t)
    return t


@lru_cache(maxsize=1)
def _rewrites() -> list[tuple[str, str]]:
    v = vocabulary()
    pairs = [(_base(k), _base(x)) for k, x in {**v["renamed"], **v["abbreviations"]}.items() if k != x]
    return sorted(pairs, key=lambda p: -len(p[0]))  # longest first


@lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """The normalised form of a kind word, post title or unit name (see the module docs)."""
    t = _base(str(text))
    if not t:
        return t
    # one left-to-right pass, longest match first, so that a rewrite is never rewritten
    out: list[str] = []
    i = 0
    rw = _rewrites()
    while i < len(t):
        for k, x in rw:
            if t.startswith(k, i):
                out.append(x)
                i += len(k)
                break
        else:
            out.append(t[i])
            i += 1
    return "".join(out)


#: The enumerated columns of the data contract whose spellings the ``enums`` vocabulary
#: holds, as ``(table, column)``.
ENUM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("members", "role"), ("company_roles", "role"), ("contacts", "kind"), ("villages", "level"))


@cache
def enum_spellings(table: str, column: str) -> Mapping[str, str]:
    """The accepted spellings of an enumerated column: written spelling -> canonical value.

    The spellings are those of the ``enums`` vocabulary, as written there (simplified
    Chinese or English), the canonical values included (a read-only mapping). A cell is compared after
    :func:`normalise` on both sides (:func:`enum_canonical`), so traditional and
    full-width forms need no entry.

    Raises
    ------
    KeyError
        If ``table.column`` has no vocabulary.

    Examples
    --------
    >>> enum_spellings("members", "role")["骨干"]
    'core'
    """
    words: dict[str, list[str]] = vocabulary()["enums"][f"{table}.{column}"]
    out = {canon: canon for canon in words}
    for canon, spellings in words.items():
        for w in spellings:
            out.setdefault(w, canon)
    return MappingProxyType(out)


@cache
def _enum_lookup(table: str, column: str) -> Mapping[str, str]:
    # earlier entries (the canonical values first) win when two spellings normalise alike
    return MappingProxyType({normalise(w): canon
                             for w, canon in reversed(list(enum_spellings(table, column).items()))})


def enum_canonical(table: str, column: str, values: Iterable[str]) -> list[str | None]:
    """Per value of an enumerated column: its canonical value, or None when not accepted.

    A value matches a spelling when both are equal after :func:`normalise` (NFKC, OpenCC
    ``t2s``, lower case, renamed institutions and abbreviations rewritten), as a whole:
    ``骨幹`` is ``core``, ``骨干成员`` is ``core`` because the vocabulary lists it, and
    ``骨干分子`` is not accepted unless listed.
    """
    look = _enum_lookup(table, column)
    return [look.get(normalise(str(v))) for v in values]


def _values(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Unique normalised strings of ``values`` and the inverse index."""
    if isinstance(values, str):
        values = [values]
    s = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype="string").fillna("")
    if s.dtype.storage == "pyarrow" and len(s):
        # the distinct texts once (Arrow dictionary encoding), then the same np.unique on them
        enc = pa.chunked_array(s.array.__arrow_array__()).combine_chunks().dictionary_encode()
        uniq, dinv = np.unique(enc.dictionary.to_numpy(zero_copy_only=False).astype(object).astype(str),
                               return_inverse=True)
        inv = dinv.reshape(-1)[np.asarray(enc.indices.to_numpy(zero_copy_only=False), dtype=np.intp)]
    else:
        uniq, inv = np.unique(s.to_numpy(dtype=object).astype(str), return_inverse=True)
    return np.array([normalise(u) for u in uniq], dtype=object), inv


def _match(norm: str, exact: Iterable[str], keywords: Iterable[str]) -> bool:
    if norm in exact:
        return True
    return any(k in norm for k in keywords)


@lru_cache(maxsize=1)
def _kin_words() -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    v = vocabulary()["kinship"]
    return {rel: (frozenset(normalise(w) for w in d["exact"]), tuple(normalise(w) for w in d["keywords"]))
            for rel, d in v.items() if rel in ("spouse", "kin")}


@lru_cache(maxsize=1)
def _kin_not() -> tuple[str, ...]:
    return tuple(normalise(w) for w in vocabulary()["kinship"]["not"])


def tie_relation(kinds: Any) -> np.ndarray:
    """Per tie kind: ``"spouse"``, ``"kin"`` (another relative) or ``""`` (not family).

    A tie that is both (``配偶亲属``) is a spouse tie. Fictive kin (sworn brothers
    ``结拜兄弟``, godchildren ``干儿子``: the vocabulary's ``kinship.not``) is not family.
    """
    norm, inv = _values(kinds)
    words = _kin_words()
    neg = _kin_not()
    out = []
    for n in norm:
        if any(x in n for x in neg):
            out.append("")
        elif _match(n, *words["spouse"]):
            out.append("spouse")
        elif _match(n, *words["kin"]):
            out.append("kin")
        else:
            out.append("")
    return np.asarray(out, dtype=object)[inv] if len(inv) else np.zeros(0, dtype=object)


@lru_cache(maxsize=1)
def _enf_words() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    v = vocabulary()["enforcement"]
    return (frozenset(normalise(w) for w in v["exact"]), tuple(normalise(w) for w in v["keywords"]),
            tuple(normalise(w) for w in v["not"]))


def is_enforcement(kinds: Any) -> np.ndarray:
    """Per event kind: an enforcement action a gang could be warned about (a raid, an
    arrest, an inspection, a sweep) rather than a trial, a hearing or a meeting."""
    norm, inv = _values(kinds)
    exact, kw, neg = _enf_words()
    out = np.array([bool(n) and not any(x in n for x in neg) and _match(n, exact, kw) for n in norm], dtype=bool)
    return out[inv] if len(inv) else np.zeros(0, dtype=bool)


def channel_of(channels: Any) -> np.ndarray:
    """Per transaction channel: one of :data:`CHANNELS` (``other`` when unknown)."""
    norm, inv = _values(channels)
    words = {c: tuple(normalise(w) for w in ws) for c, ws in vocabulary()["channels"].items()}
    out = []
    for n in norm:
        hit = "other"
        for c in ("wechat", "alipay", "cash", "bank"):  # a WeChat transfer is WeChat, not a bank
            if any(w in n for w in words[c]):
                hit = c
                break
        out.append(hit)
    return np.asarray(out, dtype=object)[inv] if len(inv) else np.zeros(0, dtype=object)


def _has_word(texts: Any, words: Iterable[str], neg: Iterable[str] = ()) -> np.ndarray:
    """Per text: it holds one of ``words`` and none of ``neg`` (substrings, normalised)."""
    norm, inv = _values(texts)
    w, x = tuple(normalise(v) for v in words), tuple(normalise(v) for v in neg)
    out = np.array([any(a in n for a in w) and not any(b in n for b in x) for n in norm], dtype=bool)
    return out[inv] if len(inv) else np.zeros(0, dtype=bool)


def is_police(texts: Any) -> np.ndarray:
    """Per post title or unit name: a police post (answers for every gang in its area)."""
    return _has_word(texts, vocabulary()["police"])


def is_justice(texts: Any) -> np.ndarray:
    """Per post title or unit name: a post in a court, the procuratorate or the
    political-legal committee (the vocabulary's ``justice``; like the police it answers
    for every gang in its area)."""
    return _has_word(texts, vocabulary()["justice"]["keywords"])


def answers_for_area(texts: Any) -> np.ndarray:
    """Per post title and unit name: a post that answers for every gang in its area
    whatever the gang's trade, a police post (:func:`is_police`) or a judicial one
    (:func:`is_justice`). The scorer's ``jurisdiction`` signal reads this on every
    engine."""
    return is_police(texts) | is_justice(texts)


def is_governing(texts: Any) -> np.ndarray:
    """Per post title: a post that heads its place or unit (书记, 主任, 镇长...), and not
    another body that a title word also heads (``书记员``, ``纪委书记``, ``团委书记``: the
    vocabulary's ``governing.not``)."""
    gov = vocabulary()["governing"]
    return _has_word(texts, gov["keywords"], gov["not"])


def sectors_of(texts: Any) -> list[frozenset[str]]:
    """Per gang kind or company sector text: the trades (keys of the ``sectors``
    vocabulary) it belongs to."""
    norm, inv = _values(texts)
    sec = vocabulary()["sectors"]
    kw = {name: tuple(normalise(w) for w in d["keywords"]) for name, d in sec.items()}
    res = [frozenset(name for name, ws in kw.items() if any(w in n for w in ws)) for n in norm]
    return [res[i] for i in inv]


def regulated_sectors(texts: Any) -> list[frozenset[str]]:
    """Per post title or unit name: the trades whose regulator it is."""
    norm, inv = _values(texts)
    sec = vocabulary()["sectors"]
    kw = {name: tuple(normalise(w) for w in d["regulators"]) for name, d in sec.items()}
    res = [frozenset(name for name, ws in kw.items() if any(w in n for w in ws)) for n in norm]
    return [res[i] for i in inv]


def official_circle(officials: Any, ties: pd.DataFrame) -> pd.DataFrame:
    """Who speaks for each official: himself, his spouse, his other relatives, and the
    relatives of those (two family ties away).

    Parameters
    ----------
    officials : sequence of str
        Official ids: every official of the case (who holds a post decides who is in
        whose circle, so pass them all and select afterwards).
    ties : pandas.DataFrame
        The case's ``ties`` table (``src``, ``dst``, ``kind``).

    Returns
    -------
    pandas.DataFrame
        ``official_id, person_id, relation, tie_row`` (``relation`` in
        :data:`CIRCLE_RELATIONS`; ``tie_row`` the position in the table of the tie that
        reaches the person, -1 for the official himself), one row per (official, person),
        the closest relation kept (self, spouse, kin, extended; then the first tie).
        ``kin`` is any other relative by one family tie (:func:`tie_relation`);
        ``extended`` a relative (spouse or kin tie) of his spouse or of a relative, two
        family ties from him and not closer: the spouse's brother, a brother's wife, or a
        sibling's parent when the data lack his own tie to that parent. A relative who
        holds a post himself answers for his own records: he is in no one else's circle,
        and no one is in it through him. Sorted by official then person.

    Examples
    --------
    >>> ties = pd.DataFrame({"src": ["A", "A", "C", "B"], "dst": ["B", "C", "D", "E"],
    ...                      "kind": ["配偶", "friend", "兄弟", "兄弟"]})
    >>> official_circle(["A", "C"], ties).values.tolist()
    [['A', 'A', 'self', -1], ['A', 'B', 'spouse', 0], ['A', 'E', 'extended', 3], ['C', 'C', 'self', -1], ['C', 'D', 'kin', 2]]
    """
    off = pd.Index(pd.unique(np.asarray([str(x) for x in officials], dtype=object)))
    parts = [pd.DataFrame({"official_id": off.to_numpy(dtype=object), "person_id": off.to_numpy(dtype=object),
                           "relation": "self", "tie_row": -1})]
    if len(ties):
        rel = tie_relation(ties["kind"])
        rows = np.flatnonzero(rel != "")  # family ties only
        rel = rel[rows]
        src = ties["src"].astype("string").iloc[rows].fillna("").to_numpy(dtype=object)
        dst = ties["dst"].astype("string").iloc[rows].fillna("").to_numpy(dtype=object)
        # every family tie, both ways, between two people who hold no post
        edges = []
        is_src, is_dst = off.get_indexer(src) >= 0, off.get_indexer(dst) >= 0
        for a, b, oa, ob in ((src, dst, is_src, is_dst), (dst, src, is_dst, is_src)):
            ok = oa & ~ob & (a != b)
            parts.append(pd.DataFrame({"official_id": a[ok], "person_id": b[ok], "relation": rel[ok],
                                       "tie_row": rows[ok]}))
            ok2 = ~oa & ~ob & (a != b)
            edges.append(pd.DataFrame({"via": a[ok2], "person_id": b[ok2], "tie_row": rows[ok2]}))
        direct = pd.concat(parts[1:], ignore_index=True)[["official_id", "person_id"]].rename(
            columns={"person_id": "via"})
        two = direct.merge(pd.concat(edges, ignore_index=True), on="via")
        parts.append(two.drop(columns="via").assign(relation="extended"))
    out = pd.concat(parts, ignore_index=True)
    rank = out["relation"].map({r: i for i, r in enumerate(CIRCLE_RELATIONS)}).to_numpy()
    out = (out.assign(_r=rank).sort_values(["official_id", "person_id", "_r", "tie_row"], kind="stable")
           .drop_duplicates(["official_id", "person_id"]).drop(columns="_r").reset_index(drop=True))
    return out.astype({"official_id": object, "person_id": object, "relation": object, "tie_row": np.int64})


def follow_up_period(lags_hours: np.ndarray, baseline_rate: float, *, max_period: pd.Timedelta = FOLLOW_UP_MAX
                     ) -> pd.Timedelta:
    """How long after enforcement events contacts with the gang stay in excess.

    Investigators call and meet members for days or weeks after a raid; those contacts
    are enforcement, not closeness. The period is measured from the case: ``lags_hours``
    are the delays (hours, >= 0) from each event to each later contact between an
    official's circle and the gang's side (up to ``max_period``), ``baseline_rate`` the
    number of such contacts expected per hour over all events together without an event
    (from the contacts outside any follow-up). The lags are counted by day and the period
    ends at the day that maximises the cumulative excess ``sum(count - 1.5 x baseline)``:
    after it, contacts run at the baseline again. At least one day.

    Examples
    --------
    >>> lags = np.r_[np.repeat(np.arange(10) * 24 + 5.0, 20), np.arange(0, 1400, 7.0)]
    >>> follow_up_period(lags, baseline_rate=1 / 7)
    Timedelta('10 days 00:00:00')
    """
    days = int(np.ceil(max_period / pd.Timedelta(days=1)))
    lags = np.asarray(lags_hours, dtype=float)
    lags = lags[(lags >= 0) & (lags < days * 24)]
    if not len(lags):
        return pd.Timedelta(days=1)
    count = np.bincount((lags // 24).astype(np.int64), minlength=days)[:days].astype(float)
    base = max(float(baseline_rate), 0.0) * 24.0
    cum = np.cumsum(count - 1.5 * base - 0.5)
    best = int(np.argmax(cum))
    if cum[best] <= 3.0:
        return pd.Timedelta(days=1)
    return pd.Timedelta(days=best + 1)


def dated_only(times: Any, files: Any = None, kinds: Any = None) -> np.ndarray:
    """Which event times are dates with no time of day, per file and kind.

    A police record often gives the day of a raid and not its hour: the loader reads
    ``2021-03-05`` as midnight, but the raid happened at some hour of that day, so a call
    that morning may be before it or after it. The times are grouped by file (``files``,
    e.g. the table's ``_file``) and kind (``kinds``, the events' ``kind``); either may be
    left out. A time at midnight is a date when every time of its group is midnight, or
    when its group has hours and its midnight holds a heap: the rule of
    :func:`dated_contacts`, one answer for events and contacts. A raid at 00:00 among
    timed raids is a raid at midnight; a log giving its raids their hour and its arrests
    their day (``立案`` dates, warrants) has dated arrests.

    The tip-off test (:mod:`umbrella_graph.scoring.tipoff`) reads such an event as any
    time of its day: a contact that day may precede it, and the day counts as follow-up
    time in the official's expected count (the contact may follow it).

    Examples
    --------
    >>> t = pd.to_datetime(["2021-03-05", "2021-04-01", "2021-03-05 00:00", "2021-03-06 21:00", None], format="ISO8601")
    >>> dated_only(t, ["a.csv", "a.csv", "b.csv", "b.csv", "b.csv"]).tolist()
    [True, True, False, False, False]

    Raids with their hour, arrests with their day, in one log:

    >>> t = pd.to_datetime(["2021-03-05 21:00", "2021-03-08", "2021-04-02 05:30", "2021-04-03"], format="ISO8601")
    >>> dated_only(t, kinds=["raid", "arrest", "raid", "arrest"]).tolist()
    [False, True, False, True]
    """
    def column(values: Any, rows: np.ndarray) -> pd.Series:  # only these rows' labels are read
        if values is None:
            return pd.Series("", index=rows, dtype="string")
        got = pd.Series(values).iloc[rows].to_numpy(dtype=object)
        return pd.Series(got, index=rows, dtype=object).astype("string").fillna("")

    def key(rows: np.ndarray) -> pd.Series:
        return column(files, rows) + "\x1f" + column(kinds, rows)

    return _dated_midnights(times, key)


def _i8_days(times: Any) -> tuple[np.ndarray, int]:
    """Times as int64 in their own unit (no copy of a datetime column; NaT the int64
    minimum) and the length of a day in that unit."""
    v = pd.Series(times)
    a = (v if pd.api.types.is_datetime64_dtype(v.dtype) else pd.to_datetime(v, errors="coerce")).to_numpy()
    return a.view(np.int64), int(np.timedelta64(1, "D").astype(f"m8[{np.datetime_data(a.dtype)[0]}]").astype(np.int64))


def dated_contacts(contacts: pd.DataFrame) -> np.ndarray:
    """Which contact times are dates with no time of day, per file and kind.

    A meetings file written as dates (``见面日期``) beside call records with hours, or one
    export whose calls carry hours and whose meetings do not: the loader reads those
    meetings as midnight, so a meeting on the day of a 06:00 raid would sit six hours
    before it. In each file's contacts of one kind (``contacts._file``, ``kind``), the
    contacts at midnight are dates when

    * every time of the group is midnight (:func:`dated_only` with the group as the
      file); or
    * the group has hours, and its midnight holds a heap: two or more contacts at
      00:00:00, that many a coincidence below :data:`DATE_HEAP_P` (Poisson) against the
      group's own contacts at 23:00:00 and 01:00:00, the whole hours either side (a log
      that gives some meetings their hour and others only their day). People meet and
      call at midnight about as often as an hour either side; a date written without
      its hour lands exactly on it.

    A call at 00:00 among timed calls is a call at midnight, and so are a few midnight
    calls in a file with calls around midnight.

    The tip-off test (:mod:`umbrella_graph.scoring.tipoff`) reads such a contact as some
    time of its day: on the day of an event with an hour it may be before it or after
    it, so it is not tested against that event (nor, as a warning, against a later
    one), and its lead before a later day's event is counted from the start of its day.

    Examples
    --------
    >>> c = pd.DataFrame({"kind": ["call", "call", "meeting", "meeting"],
    ...                   "time": pd.to_datetime(["2021-03-05 00:00", "2021-03-05 21:14",
    ...                                           "2021-03-05", "2021-03-09"], format="ISO8601"),
    ...                   "_file": "contacts.csv"})
    >>> dated_contacts(c).tolist()
    [False, False, True, True]

    Meetings logged with their hour, and six with their day only:

    >>> m = pd.DataFrame({"kind": "meeting", "_file": "meetings.csv", "time": pd.to_datetime(
    ...     [f"2021-03-{d:02d} 20:30" for d in range(1, 21)] + [f"2021-04-{d:02d}" for d in range(1, 7)],
    ...     format="ISO8601")})
    >>> int(dated_contacts(m).sum())
    6
    """
    return dated_only(contacts["time"], contacts["_file"] if "_file" in contacts.columns else None,
                      contacts["kind"])


def _dated_midnights(times: Any, key: Callable[[np.ndarray], pd.Series]) -> np.ndarray:
    """The times at midnight that are dates, by the rule of :func:`dated_contacts`; ``key``
    gives the group labels of some row positions (read only for the rows it must be: a
    million timed calls' file names stay unread)."""
    n = len(times)
    i8, day = _i8_days(times)
    known = i8 != np.iinfo(np.int64).min  # NaT
    tod = np.where(known, i8 % day, -1)
    midnight = tod == 0
    if not midnight.any():  # call records with hours: nothing to group
        return np.zeros(n, dtype=bool)
    timed = known & ~midnight
    if not timed.any():
        return midnight

    # a heap at midnight against the whole hours either side, per group
    hour = day // 24
    near = np.flatnonzero(midnight | (tod == hour) | (tod == 23 * hour))
    codes, groups = pd.factorize(key(near))
    at0 = midnight[near]
    k = np.bincount(codes[at0], minlength=len(groups))
    lam = (np.bincount(codes[~at0], minlength=len(groups)) + 1) / 2
    heap = np.array([kk >= 2 and _poisson_tail(int(kk), float(lm)) < DATE_HEAP_P for kk, lm in zip(k, lam, strict=True)],
                    dtype=bool)
    out = np.zeros(n, dtype=bool)
    out[near[at0 & heap[codes]]] = True
    # groups with no hour at all
    mid = np.flatnonzero(midnight & ~out)
    todo = set(key(mid).tolist())
    head = np.flatnonzero(timed[:4096])  # the groups of a timed file usually show their hours at once
    todo -= set(key(head).tolist())
    if todo:
        every = key(np.arange(n))
        for g in sorted(todo):
            group = (every == g).to_numpy(dtype=bool)
            if not (group & timed).any():
                out |= group & midnight
    return out


def _poisson_tail(k: int, lam: float) -> float:
    """An upper bound of P(X >= k), X ~ Poisson(lam), tight for k > lam: the pmf at k over
    one minus the ratio of successive terms beyond it (a geometric series). Written here
    rather than read from scipy.stats, whose import (1.3 s) would be most of loading a
    small case.

    Examples
    --------
    >>> round(_poisson_tail(5, 0.5), 6), _poisson_tail(2, 3.0)
    (0.000172, 1.0)
    """
    if k <= lam:
        return 1.0
    return math.exp(-lam + k * math.log(lam) - math.lgamma(k + 1)) / (1.0 - lam / (k + 1))


def latest_contact_times(times: Any, dated: Any) -> np.ndarray:
    """The latest each contact can be (``datetime64[ns]``): its time, or the last minute of
    its day for a contact dated only (``dated``, :func:`dated_contacts`). The follow-up
    check reads it: a meeting recorded on the day of a raid may follow the raid.

    Examples
    --------
    >>> t = pd.to_datetime(["2021-03-05 21:14", "2021-03-05"], format="ISO8601")
    >>> [str(x) for x in latest_contact_times(t, [False, True])]
    ['2021-03-05T21:14:00.000000000', '2021-03-05T23:59:00.000000000']
    """
    t = pd.Series(times).to_numpy(dtype="datetime64[ns]")
    return np.where(np.asarray(dated, dtype=bool), t + np.timedelta64(1439, "m"), t)


def repeated_contacts(pair: Any, kind: Any, time: Any, dated: Any = None, rank: Any = None) -> np.ndarray:
    """Per contact record: the position of the earlier record it repeats, or -1.

    Call records are often pulled for both phones: the same call is then in the caller's
    record (A to B) and in the callee's (B to A), at the same second; an export appended
    twice repeats every row. A record repeats an earlier one (a lower ``rank``, by default
    a lower position; the case's row order) with the same two people in either order
    (``pair``, an order-free key), the same ``kind`` and the same time. Counted twice, one warning call would be two, and twice as unusual
    against the official's rate. Records without a time, or with a date only
    (``dated``, :func:`dated_contacts`: two meetings on one day are two meetings), repeat
    nothing. The scorer counts each contact once and cites the first record.

    Examples
    --------
    >>> t = pd.to_datetime(["2021-03-05 21:14:05", "2021-03-05 21:14:05", "2021-03-05 21:14:05",
    ...                     "2021-03-05 21:14:06"])
    >>> repeated_contacts([7, 7, 7, 7], ["call", "call", "sms", "call"], t).tolist()
    [-1, 0, -1, -1]
    """
    p = np.asarray(pair, dtype=np.int64)
    t = pd.Series(time).to_numpy(dtype="datetime64[ns]").view(np.int64)
    out = np.full(len(p), -1, dtype=np.int64)
    ok = t != np.iinfo(np.int64).min
    if dated is not None:
        ok &= ~np.asarray(dated, dtype=bool)
    idx = np.flatnonzero(ok)
    # a hash of (pair, time) first: a million records with no repeat cost one hashed pass
    h = (p[idx].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (t[idx].astype(np.uint64)
                                                                    * np.uint64(0xC2B2AE3D27D4EB4F))
    cand = idx[pd.Index(h).duplicated(keep=False)]
    if not len(cand):
        return out
    if rank is not None:  # earliest first (only the few candidates are sorted)
        cand = cand[np.argsort(np.asarray(rank)[cand], kind="stable")]
    k = pd.Series(np.asarray(kind, dtype=object)[cand]).astype("string").fillna("").to_numpy(dtype=object)
    df = pd.DataFrame({"p": p[cand], "t": t[cand], "k": k, "i": cand})
    first = df.groupby(["p", "t", "k"], sort=False)["i"].transform("first").to_numpy()
    out[cand] = np.where(first != cand, first, -1)
    return out


def no_time_of_day(times: Any) -> bool:
    """Whether no time has a time of day (call records giving 通话日期 alone, every time
    read as midnight): events are then compared with them by their day, as events dated
    only are (:func:`dated_only`). False when there is no time at all.

    Examples
    --------
    >>> no_time_of_day(pd.to_datetime(["2021-03-05", "2021-03-06", None]))
    True
    >>> no_time_of_day(pd.to_datetime(["2021-03-05", "2021-03-06 14:30"], format="ISO8601"))
    False
    """
    i8, day = _i8_days(times)
    for part in (i8[:4096], i8):  # an hour usually shows in the first rows: a million rows unread
        t = part[part != np.iinfo(np.int64).min]  # NaT
        if (t % day).any():
            return False
    return bool(len(t))
