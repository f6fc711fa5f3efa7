"""The shared core of the graph backends.

A backend is where a case graph lives: in memory (:class:`~umbrella_graph.backends.MemoryBackend`
over a :class:`~umbrella_graph.graph.CaseGraph`) or in a Neo4j database
(:class:`~umbrella_graph.backends.Neo4jBackend`). Every backend fills in three small
primitives; the analyst-facing queries are written once, here, on top of them, so both
backends return the same DataFrames by construction:

``_nodes(ids)``
    kind, display name and official flag of the given node ids;
``_expand(ids, kinds)``
    for every given node, its neighbours through edges of the given kinds, with the
    records between them collapsed (count, summed strength, first and last date);
``_transactions(person_id, start, end)``
    the payment records into and out of a person within a date range.

The queries are

* :meth:`GraphBackend.neighbourhood`: who is within ``hops`` hops of a node;
* :meth:`GraphBackend.evidence_paths`: the shortest chains of records linking an
  official to a gang (each hop cites how many records, of which kinds, when);
* :meth:`GraphBackend.money_flow`: money in and out of a person between two dates.

Edges are taken as undirected for the first two (a payment links both people), and
self-loops never count.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..graph import EDGE_KINDS

__all__ = [
    "GraphBackend",
    "EDGE_KINDS",
    "EXPAND_COLUMNS",
    "NEIGHBOURHOOD_COLUMNS",
    "PATH_COLUMNS",
    "MONEY_FLOW_COLUMNS",
    "check_kinds",
]

#: Columns of :meth:`GraphBackend._expand`.
EXPAND_COLUMNS = ("a", "b", "kind", "records", "strength", "first_time", "last_time")
#: Columns of :meth:`GraphBackend.neighbourhood`.
NEIGHBOURHOOD_COLUMNS = ("id", "kind", "name", "official", "hops", "records", "kinds")
#: Columns of :meth:`GraphBackend.evidence_paths`.
PATH_COLUMNS = ("path", "length", "hop", "src_id", "src_kind", "dst_id", "dst_kind", "kinds",
                "records", "strength", "first_time", "last_time")
#: Columns of :meth:`GraphBackend.money_flow`.
MONEY_FLOW_COLUMNS = ("date", "direction", "counterparty_id", "counterparty_kind", "amount", "id",
                      "channel", "memo", "_file", "_row")
#: Columns of :meth:`GraphBackend._transactions`.
TRANSACTION_COLUMNS = ("id", "src_id", "dst_id", "amount", "date", "channel", "memo", "_file", "_row")

_MAX_PATH_HOPS = 4


def check_kinds(kinds: Iterable[str] | str | None, func: str) -> tuple[str, ...]:
    """Validate edge kinds; None means all of them (in schema order)."""
    if kinds is None:
        return EDGE_KINDS
    if isinstance(kinds, str):
        kinds = [kinds]
    kinds = tuple(dict.fromkeys(kinds))
    bad = [k for k in kinds if k not in EDGE_KINDS]
    if bad or not kinds:
        raise ParameterError.invalid("kinds", func, "edge kinds from " + ", ".join(EDGE_KINDS),
                                     bad or list(kinds))
    return tuple(k for k in EDGE_KINDS if k in kinds)


def _check_int(value: Any, name: str, func: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi:
        raise ParameterError.invalid(name, func, f"an integer from {lo} to {hi}", value)
    return int(value)


def _check_date(value: Any, name: str, func: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise ParameterError.invalid(name, func, "a date such as '2019-03-05' (or None)", value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(None)
    return ts.as_unit("ns")


def empty_expand() -> pd.DataFrame:
    """An empty frame with the columns and dtypes of :meth:`GraphBackend._expand`."""
    return shape_expand(pd.DataFrame({c: [] for c in EXPAND_COLUMNS}))


def shape_expand(df: pd.DataFrame) -> pd.DataFrame:
    """Give an expansion frame its canonical dtypes and row order."""
    out = pd.DataFrame({
        "a": df["a"].astype("string"),
        "b": df["b"].astype("string"),
        "kind": df["kind"].astype("string"),
        "records": df["records"].astype("int64"),
        "strength": df["strength"].astype("float64"),
        "first_time": pd.to_datetime(df["first_time"], format="ISO8601").astype("datetime64[ns]"),
        "last_time": pd.to_datetime(df["last_time"], format="ISO8601").astype("datetime64[ns]"),
    })
    return out.sort_values(["a", "b", "kind"], kind="stable").reset_index(drop=True)


class GraphBackend(ABC):
    """A place a case graph lives, answering the analysts' queries.

    Subclasses fill in :meth:`_nodes`, :meth:`_expand` and :meth:`_transactions`; the
    public queries are shared, so every backend gives identical results.
    """

    #: Short name used in messages and reprs ("memory", "neo4j").
    name: ClassVar[str] = "backend"

    # -- primitives --------------------------------------------------------------------
    @abstractmethod
    def _nodes(self, ids: Sequence[str]) -> pd.DataFrame:
        """Columns ``id, kind, name, official`` for the ids that exist (any order)."""

    @abstractmethod
    def _expand(self, ids: Sequence[str], kinds: tuple[str, ...]) -> pd.DataFrame:
        """Neighbours of ``ids`` through edges of ``kinds``, records collapsed.

        One row per ``(a, b, kind)`` with ``a`` in ``ids`` and ``b != a``: ``records``
        (number of record edges between them, either direction), ``strength`` (their
        summed strength), ``first_time`` / ``last_time`` (earliest and latest record
        date; NaT when the records carry none). Shaped with :func:`shape_expand`.
        """

    @abstractmethod
    def _transactions(self, person_id: str, start: pd.Timestamp | None,
                      end: pd.Timestamp | None) -> pd.DataFrame:
        """Payments with ``person_id`` as payer or payee and ``start <= date < end``.

        Columns :data:`TRANSACTION_COLUMNS`; a payment to oneself appears once.
        """

    # -- shared helpers ----------------------------------------------------------------
    def _node_table(self, ids: Sequence[str]) -> pd.DataFrame:
        info = self._nodes(list(ids))
        return info.set_index("id") if len(info) else pd.DataFrame(
            {"kind": pd.Series([], dtype="string"), "name": pd.Series([], dtype="string"),
             "official": pd.Series([], dtype=bool)}, index=pd.Index([], dtype="string", name="id"))

    def _require(self, node_id: Any, param: str, func: str, kind: str | None = None,
                 official: bool = False) -> pd.Series:
        if not isinstance(node_id, str):
            raise ParameterError.invalid(param, func, "a node id (str)", node_id)
        info = self._node_table([node_id])
        what = "the id of an official" if official else f"the id of a {kind}" if kind else "the id of a node in the graph"
        if node_id not in info.index:
            raise ParameterError.invalid(param, func, what, node_id)
        row = info.loc[node_id]
        if (kind is not None and row["kind"] != kind) or (official and not bool(row["official"])):
            raise ParameterError.invalid(param, func, what, node_id)
        return row

    # -- queries -----------------------------------------------------------------------
    def neighbourhood(self, node_id: str, hops: int = 1, kinds: Iterable[str] | None = None) -> pd.DataFrame:
        """The nodes within ``hops`` hops of ``node_id``.

        Parameters
        ----------
        node_id : str
            Any node: a person, an official, a gang, a village...
        hops : int, default 1
            How far to go (0 gives the node alone; at most 6).
        kinds : iterable of str, optional
            Edge kinds to follow (default: all), e.g. ``["transaction", "contact", "tie"]``
            to leave out the administrative tree.

        Returns
        -------
        pandas.DataFrame
            One row per node: ``id, kind, name, official``, ``hops`` (its distance),
            ``records`` (record edges linking it to nodes one hop closer) and ``kinds``
            (their edge kinds, ``;``-joined). Sorted by ``hops`` then ``id``; the first
            row is ``node_id`` itself.
        """
        func = f"{type(self).__name__}.neighbourhood"
        kinds_t = check_kinds(kinds, func)
        hops = _check_int(hops, "hops", func, 0, 6)
        self._require(node_id, "node_id", func)
        dist: dict[str, int] = {node_id: 0}
        records: dict[str, int] = {node_id: 0}
        via: dict[str, str] = {node_id: ""}
        frontier = [node_id]
        for h in range(1, hops + 1):
            if not frontier:
                break
            ex = self._expand(sorted(frontier), kinds_t)
            ex = ex[~ex["b"].isin(list(dist))]
            if not len(ex):
                break
            agg = ex.groupby("b", sort=True).agg(
                records=("records", "sum"), kinds=("kind", lambda x: ";".join(sorted(set(x)))))
            for b, rec, kd in zip(agg.index, agg["records"], agg["kinds"], strict=True):
                dist[str(b)] = h
                records[str(b)] = int(rec)
                via[str(b)] = str(kd)
            frontier = [str(b) for b in agg.index]
        info = self._node_table(list(dist))
        ids = sorted(dist, key=lambda i: (dist[i], i))
        return pd.DataFrame({
            "id": pd.Series(ids, dtype="string"),
            "kind": pd.Series([info.at[i, "kind"] for i in ids], dtype="string"),
            "name": pd.Series([info.at[i, "name"] for i in ids], dtype="string"),
            "official": pd.Series([bool(info.at[i, "official"]) for i in ids], dtype=bool),
            "hops": pd.Series([dist[i] for i in ids], dtype="int64"),
            "records": pd.Series([records[i] for i in ids], dtype="int64"),
            "kinds": pd.Series([via[i] for i in ids], dtype="string"),
        })

    def evidence_paths(self, official_id: str, gang_id: str, max_hops: int = 3, limit: int = 10,
                       kinds: Iterable[str] | None = None) -> pd.DataFrame:
        """The shortest chains of records linking an official to a gang.

        Every simple path (no node twice) of at most ``max_hops`` hops from the official
        to the gang node, where a hop is a pair of nodes linked by at least one record
        (a payment, a call, a post, a membership...). Paths are ranked by length, then by
        their weakest hop (fewer records = weaker; stronger paths first), then by the ids
        along them, and the first ``limit`` are returned.

        Parameters
        ----------
        official_id, gang_id : str
        max_hops : int, default 3
            From 1 to 4.
        limit : int, default 10
            Number of paths to return (1 to 10000).
        kinds : iterable of str, optional
            Edge kinds a hop may use (default: all).

        Returns
        -------
        pandas.DataFrame
            One row per hop of each path: ``path`` (1 = best), ``length``, ``hop``
            (1-based), ``src_id``, ``src_kind``, ``dst_id``, ``dst_kind`` (in path order,
            not payment direction), ``kinds`` (edge kinds of the records on the hop),
            ``records``, ``strength`` (summed amounts/counts), ``first_time``,
            ``last_time``. Empty (same columns) when nothing links them within
            ``max_hops``.
        """
        func = f"{type(self).__name__}.evidence_paths"
        kinds_t = check_kinds(kinds, func)
        h = _check_int(max_hops, "max_hops", func, 1, _MAX_PATH_HOPS)
        limit = _check_int(limit, "limit", func, 1, 10_000)
        self._require(official_id, "official_id", func, kind="person", official=True)
        self._require(gang_id, "gang_id", func, kind="gang")
        ra, rb = math.ceil(h / 2), h // 2
        hop_data: dict[tuple[str, str], list[tuple[str, int, float, Any, Any]]] = {}
        adj: dict[str, set[str]] = {}

        def absorb(ex: pd.DataFrame) -> None:
            for a, b, k, rec, s, t0, t1 in ex.itertuples(index=False, name=None):
                key = (a, b) if a < b else (b, a)
                lst = hop_data.setdefault(key, [])
                if not any(x[0] == k for x in lst):
                    lst.append((k, int(rec), float(s), t0, t1))
                adj.setdefault(a, set()).add(b)
                adj.setdefault(b, set()).add(a)

        def ball(start: str, radius: int) -> dict[str, int]:
            dist = {start: 0}
            frontier = [start]
            for level in range(radius):
                if not frontier:
                    break
                ex = self._expand(sorted(frontier), kinds_t)
                absorb(ex)
                nxt = sorted(set(ex["b"]) - set(dist))
                for b in nxt:
                    dist[b] = level + 1
                frontier = nxt
            return dist

        ball(official_id, ra)
        dist_b = ball(gang_id, rb)
        found: list[list[str]] = []

        def dfs(path: list[str]) -> None:
            v = path[-1]
            d = len(path) - 1
            if v == gang_id:
                found.append(list(path))
                return
            if d == h:
                return
            for w in sorted(adj.get(v, ())):
                if w in path:
                    continue
                left = h - d - 1
                if w in dist_b:
                    if dist_b[w] > left:
                        continue
                elif left < rb + 1:
                    continue
                path.append(w)
                dfs(path)
                path.pop()

        dfs([official_id])

        def hop_records(u: str, v: str) -> int:
            return sum(x[1] for x in hop_data[(u, v) if u < v else (v, u)])

        ranked = sorted(found, key=lambda p: (len(p), -min(hop_records(u, v) for u, v in zip(p, p[1:], strict=False)), p))
        ranked = ranked[:limit]
        info = self._node_table(sorted({n for p in ranked for n in p}))
        rows = []
        for i, p in enumerate(ranked, start=1):
            for j, (u, v) in enumerate(zip(p, p[1:], strict=False), start=1):
                data = hop_data[(u, v) if u < v else (v, u)]
                t0 = [x[3] for x in data if not pd.isna(x[3])]
                t1 = [x[4] for x in data if not pd.isna(x[4])]
                rows.append({
                    "path": i, "length": len(p) - 1, "hop": j,
                    "src_id": u, "src_kind": info.at[u, "kind"],
                    "dst_id": v, "dst_kind": info.at[v, "kind"],
                    "kinds": ";".join(sorted(x[0] for x in data)),
                    "records": sum(x[1] for x in data),
                    "strength": math.fsum(x[2] for x in data),
                    "first_time": min(t0) if t0 else pd.NaT,
                    "last_time": max(t1) if t1 else pd.NaT,
                })
        df = pd.DataFrame(rows, columns=list(PATH_COLUMNS))
        for c in ("path", "length", "hop", "records"):
            df[c] = df[c].astype("int64")
        for c in ("src_id", "src_kind", "dst_id", "dst_kind", "kinds"):
            df[c] = df[c].astype("string")
        df["strength"] = df["strength"].astype("float64")
        for c in ("first_time", "last_time"):
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
        return df

    def money_flow(self, person_id: str, start: Any = None, end: Any = None) -> pd.DataFrame:
        """Money into and out of a person between two dates.

        Parameters
        ----------
        person_id : str
            A person (or a company: anything that pays or is paid).
        start, end : date-like, optional
            Keep payments with ``start <= date < end`` (``end`` is exclusive: to include
            the whole of 31 December pass ``"2021-01-01"``). None leaves that side open.

        Returns
        -------
        pandas.DataFrame
            One row per payment: ``date``, ``direction`` (``"out"``: the person paid,
            ``"in"``: the person was paid; a payment to oneself is ``"out"``),
            ``counterparty_id``, ``counterparty_kind``, ``amount``, ``id`` (the
            transaction id), ``channel``, ``memo``, and the provenance ``_file``,
            ``_row``. Sorted by date, then id.
        """
        func = f"{type(self).__name__}.money_flow"
        self._require(person_id, "person_id", func)
        t0 = _check_date(start, "start", func)
        t1 = _check_date(end, "end", func)
        if t0 is not None and t1 is not None and t1 < t0:
            raise ParameterError.invalid("end", func, "a date not before 'start'", end)
        tx = self._transactions(person_id, t0, t1)
        out = tx["src_id"] == person_id
        cp = tx["dst_id"].where(out, tx["src_id"]).astype("string")
        info = self._node_table(sorted(set(cp.dropna())))
        df = pd.DataFrame({
            "date": pd.to_datetime(tx["date"], format="ISO8601").astype("datetime64[ns]"),
            "direction": pd.Series(np.where(out, "out", "in"), dtype="string", index=tx.index),
            "counterparty_id": cp,
            "counterparty_kind": pd.Series([info.at[c, "kind"] for c in cp], dtype="string",
                                           index=tx.index),
            "amount": tx["amount"].astype("float64"),
            "id": tx["id"].astype("string"),
            "channel": tx["channel"].astype("string"),
            "memo": tx["memo"].astype("string"),
            "_file": tx["_file"].astype("string"),
            "_row": tx["_row"].astype("int64"),
        })
        return df.sort_values(["date", "id", "direction"], kind="stable").reset_index(drop=True)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"
