"""The case's derived facts, computed once: :func:`case_facts`, and the scorer's one cache.

:func:`case_facts` computes every fact the signals need from a case graph, eagerly and
in a fixed order, into one frozen :class:`~umbrella_graph.scoring._context.Facts`:

1. the record arrays and positions (:mod:`umbrella_graph.scoring._context`): node
   kinds, the official and gang index of every node, the officials' circles, the
   ordinary transfers, contacts, company roles, members, contracts, enforcement events,
   posts, leads and the administrative tree;
2. the gang sides (listed members, gang companies, front men, inferred members with a
   confidence; :mod:`umbrella_graph.scoring.gangside` documents the rules), then the
   gang each event targeted (:func:`event_gang_ids`) and the enforcement events of each
   gang;
3. the tip-off facts (:func:`umbrella_graph.scoring.tipoff.tipoff_facts`): the contacts
   between circles and gang sides, the case's measured follow-up period (the
   enforcement windows) and the default tip-off table;
4. the filtered record frames each signal family counts
   (:func:`umbrella_graph.scoring.signals.record_facts`: money, relays, contract
   responsibility, contracts, contacts with their windows, tip-off events) and the
   structural graph (:func:`umbrella_graph.scoring.structure.structure_matrix`);
5. the candidate pairs (:func:`umbrella_graph.scoring.signals.candidate_facts`).

The explanations' path graph (:func:`umbrella_graph.scoring.paths.path_facts`) is a sixth
stage that only :func:`~umbrella_graph.scoring.explain` reads: :func:`explain_facts`
adds it on first use (scoring never pays for it: at 1M people it is a third of the
scorer's memory).

Each stage is a pure function of the stages before it. Every signal
(:mod:`umbrella_graph.scoring.signals`, :mod:`umbrella_graph.scoring.structure`) is then a pure function of the facts returning
its values and records; no signal writes anywhere.

The one cache is here, at the entry: :func:`facts_of` keeps the facts of the
:data:`MAX_CACHED` most recently used cases, keyed by :attr:`CaseGraph.fingerprint` (the
case's content, so a key never goes stale), with the results of the top-level calls on
them (:func:`case_memo`: the features of a seed, the scores an explanation reads, the
facts with the path graph, the communities of a seed that an explanation's records
read), so a
notebook calling ``score_umbrellas`` then ``explain`` does not compute them twice.
:func:`~umbrella_graph.scoring.clear_cache` drops it all. Nothing else caches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .._memory import check_memory, release_freed_memory
from ..domain import LEAD_WINDOWS, RELAY_WINDOW
from ..errors import ParameterError
from ..graph import CaseGraph
from ._context import Facts, _build, _event_facts, _read_only, _side_table
from .paths import path_facts
from .precomputed import PrecomputedFacts
from .signals import candidate_facts, record_facts
from .structure import structure_matrix
from .tipoff import BASELINE, side_ids, tipoff_facts, tipoffs_of

__all__ = ["case_facts", "explain_facts", "facts_of", "case_memo", "clear_cache", "MAX_CACHED", "tipoff_table",
           "case_follow_up", "gang_side_ids", "event_gang_ids", "SCORING_BYTES_PER_EDGE"]

#: Memory that scoring a case in this process adds per edge of its graph (the facts, the
#: structural graph, the igraph graph and the walks, at their peak): the peak during
#: scoring minus the resident memory before it, over the graph's edges: 141 bytes at
#: 300k people (7.0M edges), 124 at 1M (23.4M edges), at 44937d7 (204 and 193 before
#: the igraph graph was built in pieces). The check before the facts uses this, so a case
#: too large for the machine stops with
#: :class:`~umbrella_graph.errors.InsufficientMemoryError` instead of being killed by the
#: operating system (3M people on 24 GiB were, before this check).
SCORING_BYTES_PER_EDGE = 150


def case_facts(graph: CaseGraph, precomputed: PrecomputedFacts | None = None) -> Facts:
    """Every derived fact of ``graph``'s case the scorer reads, computed once, in the
    stages of the module docstring (the explanations' path graph is left to
    :func:`explain_facts`).

    A pure function of the case (and of the ``precomputed`` facts when given, e.g. by
    Neo4j): nothing is cached here (:func:`facts_of` keeps recent results). Every numpy
    array of the result is read-only.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> f = case_facts(g)
    >>> f.n_gangs, f.official_pos.flags.writeable
    (2, False)
    """
    edges = len(graph.edges)
    check_memory(SCORING_BYTES_PER_EDGE * edges, f"scoring a case of {edges:,} graph edges in memory",
                 hint="use a machine with more memory; the Spark engine (engine=\"spark\") computes the "
                      "pair features on the cluster but still derives these facts (gang sides, communities, "
                      "tip-off tables) in this process, so it needs this memory too")
    f = _build(graph, precomputed)
    f = replace(f, side=_side_table(f))
    f = replace(f, **_event_facts(f))
    f = replace(f, **tipoff_facts(f))
    f = replace(f, **record_facts(f))
    f = replace(f, structure=structure_matrix(f))
    f = replace(f, candidates=candidate_facts(f))
    for name in f.__dataclass_fields__:
        _read_only(getattr(f, name))
    release_freed_memory()  # the stages' intermediates (0.8 GB at 300k people)
    return f


def explain_facts(facts: Facts) -> Facts:
    """``facts`` with the sixth stage, the explanations' record columns and path graph
    (``explain_arrays``, ``paths``: :func:`umbrella_graph.scoring.paths.path_facts`).

    A pure function of ``facts``; the result shares every other field with it. It is kept
    with ``facts`` in the LRU (:func:`case_memo`), so a notebook explaining many pairs
    builds the path graph once.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> f = case_facts(g)
    >>> len(f.paths), len(explain_facts(f).paths) > 0
    (0, True)
    """
    memo = case_memo(facts)
    hit = memo.get("explain_facts")
    if hit is None:
        hit = replace(facts, **path_facts(facts))
        _read_only(hit.explain_arrays)
        _read_only(hit.paths)
        memo["explain_facts"] = hit
    return hit


@dataclass(eq=False)
class _Entry:
    facts: Facts
    results: dict[Any, Any] = field(default_factory=dict)


#: How many cases' facts stay in memory (least recently used dropped first).
MAX_CACHED = 2
_CACHE: OrderedDict[str, _Entry] = OrderedDict()
_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every prepared case (the next call on a graph prepares it again).

    Examples
    --------
    >>> from umbrella_graph.scoring import clear_cache
    >>> clear_cache()
    """
    with _LOCK:
        _CACHE.clear()


def facts_of(graph: CaseGraph, func: str, precomputed: PrecomputedFacts | None = None) -> Facts:
    """The :class:`Facts` of ``graph``: from the LRU if its content was seen recently.

    With ``precomputed`` facts (computed elsewhere, e.g. by Neo4j) the facts using them
    are built and not cached: the LRU only ever holds facts computed here. ``func`` names
    the public function in the error raised for a graph that is not a CaseGraph.
    """
    if not isinstance(graph, CaseGraph):
        raise ParameterError.invalid("graph", func, "a CaseGraph (see build_graph)", type(graph).__name__)
    if precomputed is not None:
        return case_facts(graph, precomputed)
    key = graph.fingerprint
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit.facts
    facts = case_facts(graph)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:  # another thread got there first: keep one
            return hit.facts
        _CACHE[key] = _Entry(facts)
        while len(_CACHE) > MAX_CACHED:
            _CACHE.popitem(last=False)
    return facts


def case_memo(facts: Facts) -> dict[Any, Any]:
    """The results kept with ``facts`` in the LRU (a fresh, unkept dict for facts that
    are not in it, e.g. built from precomputed facts).

    For the top-level calls only (features per seed, the scores an explanation reads,
    the communities its records read): signals never read or write it.
    """
    with _LOCK:
        hit = _CACHE.get(facts.graph.fingerprint) if facts.precomputed is None else None
        if hit is not None and hit.facts is facts:
            return hit.results
    return {}


# ----------------------------------------------------------------------------- graph-level lookups
def tipoff_table(
    graph: CaseGraph,
    *,
    windows: tuple[pd.Timedelta, ...] = LEAD_WINDOWS,
    baseline: pd.Timedelta = BASELINE,
    follow_up: pd.Timedelta | None | str = "auto",
    relay: pd.Timedelta | None = RELAY_WINDOW,
    kinds: tuple[str, ...] | None = None,
    event_kinds: tuple[str, ...] | None = None,
    inferred: bool = True,
) -> pd.DataFrame:
    """Every contact record in a pre-event window, with the tip-off tests
    (:func:`umbrella_graph.scoring.tipoff.tipoffs_of`, whose docstring lists the columns).

    With the default arguments it is a fact of the case (``Facts.tipoffs``; a copy is
    returned). Unfiltered: callers apply their threshold
    (:data:`~umbrella_graph.scoring.tipoff.TIPOFF_MIN_SCORE`).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> g = ug.build_graph(ug.load_case("data/samples/qinghe"))
    >>> t = tipoff_table(g)
    >>> {"event_id", "official_id", "gang_id", "score"} <= set(t.columns)
    True
    """
    facts = facts_of(graph, "find_tipoffs")
    default = (windows == LEAD_WINDOWS and baseline == BASELINE and follow_up == "auto" and relay == RELAY_WINDOW
               and kinds is None and event_kinds is None and inferred)
    if default:
        return facts.tipoffs.copy()
    return tipoffs_of(facts, windows=windows, baseline=baseline, follow_up=follow_up, relay=relay, kinds=kinds,
                      event_kinds=event_kinds, inferred=inferred)


def case_follow_up(graph: CaseGraph) -> pd.Timedelta:
    """The investigators' follow-up period of this case (``Facts.follow_up``): the days
    after enforcement events in which contacts between officials' circles and gang sides
    run in excess (:func:`umbrella_graph.domain.follow_up_period`)."""
    return facts_of(graph, "case_follow_up").follow_up


def gang_side_ids(graph: CaseGraph, gangs: list[str] | None = None, *, inferred: bool = True) -> pd.DataFrame:
    """``person_id, gang_id, side`` of the people on a gang's side
    (:func:`umbrella_graph.scoring.tipoff.side_ids`)."""
    return side_ids(facts_of(graph, "find_tipoffs"), gangs, inferred=inferred)


def event_gang_ids(graph: CaseGraph) -> pd.DataFrame:
    """The gang each event of the case targeted, one row per row of the events table:
    ``event_id``, ``gang_id`` (missing when none) and ``gang_from``: ``gang_id`` (the
    event names it), ``target`` (it names no gang, and its target is on this gang's side:
    a listed member, or a company or person placed there with confidence 0.5 or more,
    :func:`gang_side_ids`) or missing.

    The one answer to "which events were on this gang": the scorer, ``find_tipoffs``, the
    report, the investigations and ``view_gang`` read it (rules: ``Facts.event_gangs``).
    When no event lacks a gang and names a target, the answer is the ``gang_id`` column,
    read without computing the case's facts (a gang view of a large city stays cheap).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> case = generate_city(people=600, gangs=2, seed=1).case
    >>> named = event_gang_ids(ug.build_graph(case))
    >>> named["gang_from"].value_counts().to_dict()
    {'gang_id': 13}

    The same events in a police log that names whom each raided, not the gang: the nine
    with a target are read as on the gang the log would have named, the others on none.

    >>> ev = case["events"].assign(gang_id=None)
    >>> e = event_gang_ids(ug.build_graph(case.with_tables(events=ev)))
    >>> e["gang_from"].value_counts().to_dict()
    {'target': 9}
    >>> read = e.dropna()
    >>> bool((named.set_index("event_id").loc[read["event_id"], "gang_id"].to_numpy() == read["gang_id"]).all())
    True
    """
    ev = graph.case["events"]
    if not (ev["gang_id"].isna() & ev["target_id"].notna()).any():  # every answer is the gang named: no facts needed
        return pd.DataFrame({"event_id": ev["id"].astype("string").to_numpy(),
                             "gang_id": ev["gang_id"].astype("string").to_numpy(),
                             "gang_from": ev["gang_id"].notna().map({True: "gang_id", False: None}).astype("string").to_numpy()})
    f = facts_of(graph, "event_gang_ids")
    g = f.event_gangs["gang"].to_numpy()
    known = g >= 0
    gang = np.where(known, f.gang_ids[np.maximum(g, 0)] if len(f.gang_ids) else None, None)
    via = f.event_gangs["via"].to_numpy()
    return pd.DataFrame({"event_id": graph.case["events"]["id"].astype("string").to_numpy(),
                         "gang_id": pd.array(gang, dtype="string"),
                         "gang_from": pd.array(np.where(known, via, None), dtype="string")})
