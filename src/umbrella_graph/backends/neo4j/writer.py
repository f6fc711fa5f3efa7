"""Writing a case into Neo4j: :func:`to_neo4j` and its :class:`LoadSummary`."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...case import Case
from ...errors import BackendError, ParameterError
from ...graph import CaseGraph, build_graph
from ...schema import NODE_KINDS, NODE_TABLES, RELATIONS, TABLES, Relation
from .codecs import (
    _META_KEY,
    _META_TABLES,
    _MULTI,
    _RESERVED,
    _TEMPORAL,
    STORE_FORMAT,
    _dtype_token,
    _values,
    case_fingerprint,
)
from .connection import (
    _chunked,
    _Guard,
    _read,
    _read_meta,
    _run_write,
    _session,
    _where,
    clear_database,
)
from .cypher import _kind_label, _label, _prop, _rtype

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver, ManagedTransaction, Session


logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# load summary
# ---------------------------------------------------------------------------------------
@dataclass
class LoadSummary:
    """What :func:`to_neo4j` wrote.

    Attributes
    ----------
    database : str or None
        The database written to (None: the server's default).
    nodes_created, nodes_present : int
        Nodes created by this load, and nodes that were already there (merged).
    rels_created, rels_present : int
        Relationships created, and relationships already there (skipped).
    batches : int
        Write transactions run.
    seconds : float
        Wall-clock time of the whole load.
    node_seconds, rel_seconds : float
        Time spent writing nodes, and preparing and writing relationships.
    replaced : bool
        Whether the database was cleared first.
    by_type : pandas.DataFrame
        One row per label group or relationship type: ``what`` (node/relationship),
        ``type``, ``rows``, ``created``, ``present``.
    """

    database: str | None
    nodes_created: int = 0
    nodes_present: int = 0
    rels_created: int = 0
    rels_present: int = 0
    batches: int = 0
    seconds: float = 0.0
    node_seconds: float = 0.0
    rel_seconds: float = 0.0
    replaced: bool = False
    by_type: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["what", "type", "rows", "created", "present"]))

    @property
    def rels_per_second(self) -> float:
        """Relationships created per second of the whole load."""
        return self.rels_created / self.seconds if self.seconds > 0 else math.nan

    def __repr__(self) -> str:
        db = self.database or "default database"
        return (f"<LoadSummary {db}: nodes {self.nodes_created:,} created, {self.nodes_present:,} "
                f"already present; relationships {self.rels_created:,} created, "
                f"{self.rels_present:,} already present; {self.batches} batches in "
                f"{self.seconds:.1f}s{', database cleared first' if self.replaced else ''}>")

    def _repr_html_(self) -> str:
        return f"<p>{escape(repr(self))}</p>" + self.by_type.to_html(index=False)


# ---------------------------------------------------------------------------------------
# planning a load: node groups and relationship groups
# ---------------------------------------------------------------------------------------
@dataclass
class _Group:
    type: str  # label set or rel type, for the summary
    query: str
    rows: Sequence[Sequence[Any]]
    keys: list[Any] = field(default_factory=list)  # relationships: record keys
    const: dict[str, Any] = field(default_factory=dict)  # the $const parameter


def _props(cols: list[tuple[str, bool]], first: int, lead: str = "",
           const: Sequence[str] = ()) -> str:
    """A Cypher map literal of the row's values: ``{name: row[1], date: localdatetime(row[2])}``.

    Keys are schema or provenance column names (checked identifiers); values are always
    taken from the ``$rows`` parameter, or from the ``$const`` map parameter for the
    columns that hold one value in the whole group (``_file: $const._file``: sent once,
    not once per row). Null values are not stored.
    """
    parts = [lead] if lead else []
    for i, (name, temporal) in enumerate(cols):
        value = f"row[{first + i}]"
        parts.append(f"{_prop(name)}: " + (f"localdatetime({value})" if temporal else value))
    parts.extend(f"{_prop(name)}: $const.{_prop(name)}" for name in const)
    return "{" + ", ".join(parts) + "}"


def _constants(df: pd.DataFrame, cols: list[tuple[str, bool]]) -> tuple[list[tuple[str, bool]], dict[str, Any]]:
    """Split off the provenance file column when it holds one value in the whole group."""
    if "_file" in df.columns and len(df) and ("_file", False) in cols:
        files = df["_file"]
        first = files.iat[0]
        if isinstance(first, str) and bool((files == first).all()):
            return [c for c in cols if c[0] != "_file"], {"_file": first}
    return cols, {}


def _extras(var: str, cols: list[tuple[str, bool]], first: int, extras: bool) -> str:
    """``SET x += row[k]`` for the extra columns (a map parameter: its keys are data too)."""
    return f" SET {var} += row[{first + len(cols)}]" if extras else ""


def _column_plan(df: pd.DataFrame, table: str, drop: set[str]) -> tuple[list[tuple[str, bool]], list[str]]:
    """The schema and provenance columns written by name (in the map literal) and the extra
    columns (passed as a map parameter; their names never reach the query text)."""
    spec = TABLES[table]
    schema_cols = [(c.name, c.type in _TEMPORAL) for c in spec.columns if c.name not in drop]
    cols = [*schema_cols, ("_file", False), ("_row", False)]
    extras = [c for c in df.columns if c not in spec.column_names and c not in ("_file", "_row")]
    bad = [c for c in extras if c in _RESERVED]
    if bad:
        raise ParameterError.invalid("case", "to_neo4j", "a case whose extra columns avoid the names "
                                     + ", ".join(sorted(_RESERVED)), f"{table}.{bad[0]}")
    return cols, extras


def _rows(df: pd.DataFrame, cols: list[tuple[str, bool]], extras: list[str],
          lead: list[list[Any]]) -> list[tuple[Any, ...]]:
    arrays = [_values(df[c]) for c, _ in cols]
    if extras:
        ex_vals = [_values(df[c]) for c in extras]
        arrays.append([dict(zip(extras, vals, strict=True)) for vals in zip(*ex_vals, strict=True)]
                      if len(df) else [])
    return list(zip(*lead, *arrays, strict=True)) if len(df) else []


def _node_query(labels: list[str], cols: list[tuple[str, bool]], extras: bool, fresh: bool,
                const: Sequence[str] = ()) -> str:
    """Cypher writing one group of nodes: CREATE into an empty store, MERGE on id otherwise."""
    lab = ":".join(_label(x) for x in labels)
    props = _props(cols, 1, lead="id: row[0]", const=const)
    head = (f"CREATE (x:Entity:{lab} {props})" if fresh
            else f"MERGE (x:Entity {{id: row[0]}}) SET x = {props}, x:{lab}")
    return (f"UNWIND $rows AS row {head}{_extras('x', cols, 1, extras)} "
            "RETURN row[0] AS id, elementId(x) AS eid")


def _node_groups(graph: CaseGraph, fresh: bool) -> list[_Group]:
    case = graph.case
    officials = set(case.official_ids())
    groups = []
    for kind, table in NODE_TABLES.items():
        if not case.has(table) or not len(case[table]):
            continue
        df = case[table]
        cols, extras = _column_plan(df, table, {"id"})
        if kind == "person":
            is_off = df["id"].isin(officials).to_numpy()
            parts = [(df[~is_off], [_kind_label(kind)]), (df[is_off], [_kind_label(kind), _label("Official")])]
        else:
            parts = [(df, [_kind_label(kind)])]
        for part, labels in parts:
            if not len(part):
                continue
            vary, const = _constants(part, cols)
            query = _node_query(labels, vary, bool(extras), fresh, list(const))
            rows = _rows(part, vary, extras, [part["id"].astype(str).tolist()])
            groups.append(_Group(":".join(labels), query, rows, const=const))
    units = graph.nodes[graph.nodes["kind"] == "unit"]
    if len(units):
        query = _node_query([_kind_label("unit")], [], False, fresh)
        groups.append(_Group(_kind_label("unit"), query, [(str(i),) for i in units["id"]]))
    return groups


def _key_query(rel: Relation) -> str:
    """Cypher collecting the record keys of the relationships starting at ``$ids``."""
    t = _rtype(rel.rel_type)
    head = f"UNWIND $ids AS e MATCH (a) WHERE elementId(a) = e MATCH (a)-[x:{t}]->() "
    if TABLES[rel.table].node_kind is not None:
        return head + "RETURN collect(a.id)"
    if TABLES[rel.table].key is not None:
        return head + f"RETURN collect(x.{_prop(TABLES[rel.table].key or 'id')})"
    return head + "RETURN collect([x._file, x._row])"



def _existing_keys(session: Session, graph: CaseGraph, starts: list[str]) -> dict[str, set[Any]]:
    """The record keys of the relationships already stored, by type (types with none: empty)."""
    rels = [r for r in RELATIONS
            if ((graph.edges["table"] == r.table) & (graph.edges["kind"] == r.kind)).any()]
    rtypes = list(dict.fromkeys(r.rel_type for r in rels))
    if not rtypes:
        return {}
    counts = _read(session, "RETURN " + ", ".join(f"COUNT {{ ()-[:{_rtype(t)}]->() }}" for t in rtypes))[0]
    existing: dict[str, set[Any]] = {}
    for rtype, n in zip(rtypes, counts, strict=True):
        existing[rtype] = set()
        if n:
            rel = next(r for r in rels if r.rel_type == rtype)
            got = _chunked(session, _key_query(rel), starts)
            existing[rtype].update(tuple(k) if isinstance(k, list) else k for k in got)
    return existing


def _rel_groups(graph: CaseGraph, eids: dict[str, str]) -> Iterator[_Group]:
    """The relationship groups (one per relation and primary flag), prepared one at a time.

    ``eids`` maps node ids to element ids, in the order the nodes were written.
    """
    case = graph.case
    ids = graph.nodes["id"].astype(str).to_numpy()
    eid_of = np.array([eids[i] for i in ids], dtype=object)  # node position -> element id
    rank = {k: n for n, k in enumerate(eids)}  # eids is in the order the nodes were written
    made = np.array([rank[i] for i in ids], dtype=np.int64)  # node position -> that rank
    for rel in RELATIONS:
        e = graph.edges[(graph.edges["table"] == rel.table) & (graph.edges["kind"] == rel.kind)]
        if not len(e):
            continue
        df_all = case[rel.table]
        spec = TABLES[rel.table]
        is_node_table = spec.node_kind is not None
        prim_flags = [False] if is_node_table else sorted(set(e["primary"].astype(bool)), reverse=True)
        for prim in prim_flags:
            sub = e if is_node_table else e[e["primary"].astype(bool) == prim]
            if not len(sub):
                continue
            # rows in the order their end nodes were written (which is about the order of
            # their store ids): the server then locks, reads and updates node records in
            # order, which makes the load markedly faster than in file (time) order;
            # from_neo4j restores the row order
            sub = sub.iloc[np.lexsort((made[sub["dst"].to_numpy()], made[sub["src"].to_numpy()]))]
            df = df_all.iloc[sub["pos"].to_numpy()].reset_index(drop=True)
            src = ids[sub["src"].to_numpy()]
            if prim:
                drop = {c for c in (rel.src, rel.dst) if spec.column(c).required}
                cols, extras = _column_plan(df, rel.table, drop)
            else:
                cols = [(a, spec.column(a).type in _TEMPORAL) for a in rel.attrs]
                cols += [("_file", False), ("_row", False)]
                extras = []
            cols, const = _constants(df, cols)
            if rel.table in _MULTI:
                const["_primary"] = bool(prim)
            t = _rtype(rel.rel_type)
            query = ("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row[0] "
                     "MATCH (b) WHERE elementId(b) = row[1] "
                     f"CREATE (a)-[x:{t} {_props(cols, 2, const=list(const))}]->(b)"
                     f"{_extras('x', cols, 2, bool(extras))}")
            lead = [eid_of[sub["src"].to_numpy()].tolist(), eid_of[sub["dst"].to_numpy()].tolist()]
            rows = _rows(df, cols, extras, lead)
            if is_node_table:
                keys: list[Any] = [str(s) for s in src]
            elif spec.key is not None:
                keys = df[spec.key].astype(str).to_numpy(dtype=object).tolist()
            else:
                keys = list(zip(df["_file"].astype(str), df["_row"].astype(int).tolist(), strict=True))
                if len(set(keys)) != len(keys):
                    raise ParameterError.invalid(
                        "case", "to_neo4j", "a case whose records have unique (_file, _row) "
                        "provenance within each table", f"duplicates in table {rel.table!r}")
            yield _Group(t, query, rows, keys, const)


def _table_meta(case: Case) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for t, df in case.tables.items():
        spec = TABLES[t]
        extras = [c for c in df.columns if c not in spec.column_names and c not in ("_file", "_row")]
        info: dict[str, Any] = {
            "columns": [str(c) for c in df.columns],
            "dtypes": {str(c): _dtype_token(df[c].dtype) for c in extras},
            "rows": len(df),
            "files": [str(f) for f in pd.unique(df["_file"].to_numpy(dtype=object))],
        }
        if t in _META_TABLES:
            info["records"] = [list(r) for r in zip(*[_values(df[c]) for c in df.columns], strict=True)] if len(df) else []
        meta[t] = info
    return meta


# ---------------------------------------------------------------------------------------
# to_neo4j
# ---------------------------------------------------------------------------------------
def _write(session: Session, query: str, rows: Sequence[Sequence[Any]], returns: bool,
           const: dict[str, Any]) -> tuple[int, int, list[Any]]:
    def work(tx: ManagedTransaction) -> tuple[int, int, list[Any]]:
        res = tx.run(query, {"rows": rows, "const": const})
        out = res.values() if returns else []
        c = res.consume().counters
        return c.nodes_created, c.relationships_created, out

    return session.execute_write(work)


class _Writer:
    """Runs write batches in ``workers`` concurrent managed transactions.

    Each batch is one ``session.execute_write`` (the driver retries transient errors such
    as a detected deadlock). Batches can be submitted while earlier ones are running, so
    the next group's rows are prepared while the server writes. ``check=True`` makes a
    batch fail unless it created one relationship per row.
    """

    def __init__(self, driver: Driver, database: str | None, workers: int, bar: Any, where: str) -> None:
        self.driver, self.database, self.bar, self.where = driver, database, bar, where
        self.created: dict[int, int] = {}
        self.returned: list[Any] = []
        self.batches = 0
        self._local = threading.local()
        self._sessions: list[Session] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="to_neo4j") if workers > 1 else None
        self._futures: list[Future[tuple[int, int, int, list[Any]]]] = []

    def _run(self, gi: int, query: str, rows: Sequence[Sequence[Any]], returns: bool,
             check: bool, const: dict[str, Any]) -> tuple[int, int, int, list[Any]]:
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = _session(self.driver, self.database)
            with self._lock:
                self._sessions.append(s)
        n_nodes, n_rels, out = _write(s, query, rows, returns, const)
        if check and n_rels != len(rows):
            raise BackendError(f"{self.where} created {n_rels} of {len(rows)} relationships of a batch: "
                               "nodes were deleted during the load; run it again")
        return gi, (n_rels if check else n_nodes), len(rows), out

    def _collect(self, result: tuple[int, int, int, list[Any]]) -> None:
        gi, n, size, out = result
        self.created[gi] = self.created.get(gi, 0) + n
        self.returned.extend(out)
        self.batches += 1
        self.bar.update(size)

    def submit(self, gi: int, query: str, rows: Sequence[Sequence[Any]], batch_size: int, *,
               returns: bool = False, check: bool = False, const: dict[str, Any] | None = None) -> None:
        const = const or {}
        self.created.setdefault(gi, 0)
        for i in range(0, len(rows), batch_size):
            batch = rows[i:i + batch_size]
            if self._pool is None:
                self._collect(self._run(gi, query, batch, returns, check, const))
            else:
                self._futures.append(self._pool.submit(self._run, gi, query, batch, returns, check, const))
        # surface a failed batch early instead of after every submission
        for f in self._futures:
            if f.done() and f.exception() is not None:
                f.result()

    def wait(self) -> None:
        """Wait for every submitted batch; the first failure is raised."""
        futures, self._futures = self._futures, []
        try:
            for f in as_completed(futures):
                self._collect(f.result())
        except BaseException:
            for f in futures:
                f.cancel()
            raise

    def close(self) -> None:
        if self._pool is not None:
            for f in self._futures:
                f.cancel()
            self._pool.shutdown(wait=True)
        for s in self._sessions:
            with contextlib.suppress(Exception):
                s.close()



def _ensure_schema(session: Session) -> None:
    labels = sorted({k.label for k in NODE_KINDS.values()} | {"Entity"})
    for lab in labels:
        name = f"ug_{lab.lower()}_id"
        _run_write(session, f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (x:{_label(lab)}) REQUIRE x.id IS UNIQUE")
    _run_write(session, f"CREATE CONSTRAINT ug_casemeta_key IF NOT EXISTS FOR (x:{_label('CaseMeta')}) "
                         "REQUIRE x.key IS UNIQUE")
    _run_write(session, "CALL db.awaitIndexes(300)")


def to_neo4j(
    case_or_graph: Case | CaseGraph,
    driver: Driver,
    *,
    database: str | None = None,
    batch_size: int = 10_000,
    progress: bool = True,
    replace: bool = False,
    workers: int = 2,
) -> LoadSummary:
    """Load a case into Neo4j.

    Creates the uniqueness constraints first (``id`` per label), then writes the nodes
    and one relationship per record in ``UNWIND`` batches through managed write
    transactions (transient failures are retried by the driver). Loading is idempotent:
    loading the same case again, or rerunning a load that was interrupted, writes only
    what is missing and leaves the same counts.

    Parameters
    ----------
    case_or_graph : Case or CaseGraph
    driver : neo4j.Driver
        From :func:`connect` or :func:`neo4j.GraphDatabase.driver`.
    database : str, optional
        Target database (default: the server's default database).
    batch_size : int, default 10000
        Rows per write transaction.
    progress : bool, default True
        Show a progress bar (tqdm).
    replace : bool, default False
        Clear the database first. Without it, a database that holds a different case
        (or data not loaded by umbrella-graph) is refused.
    workers : int, default 2
        Batches written at the same time, each in its own transaction (the next group of
        relationships is prepared meanwhile); 1 writes them one after the other.

    Returns
    -------
    LoadSummary

    Raises
    ------
    BackendError
        The server cannot be reached, refuses the credentials, has no such database,
        holds another case, or the connection was lost (rerun to finish the load).
    """
    from tqdm import tqdm

    if isinstance(case_or_graph, CaseGraph):
        graph = case_or_graph
    elif isinstance(case_or_graph, Case):
        graph = build_graph(case_or_graph)
    else:
        raise ParameterError.invalid("case_or_graph", "to_neo4j", "a Case or a CaseGraph",
                                     type(case_or_graph).__name__)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ParameterError.invalid("batch_size", "to_neo4j", "a positive integer", batch_size)
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 16:
        raise ParameterError.invalid("workers", "to_neo4j", "an integer from 1 to 16", workers)
    case = graph.case
    t0 = time.perf_counter()
    summary = LoadSummary(database)
    fp = case_fingerprint(case)
    guard = _Guard(_where(driver), database, "reading the case metadata",
                   rerun=" (loading is idempotent: what was written is kept and not written twice)")
    by_type: list[dict[str, Any]] = []
    with guard(), _session(driver, database) as s:
        meta = _read_meta(s)
        guard.reached = True
        n_nodes = int(_read(s, "MATCH (n) RETURN count(n)")[0][0])
        other = meta is not None and meta.get("fingerprint") != fp or meta is None and n_nodes > 0
        if other and not replace:
            what = ("a different case" if meta is not None
                    else f"{n_nodes:,} nodes not loaded by umbrella-graph")
            raise BackendError(
                f"database {database or '(default)'} on {guard.where} already holds {what}: "
                "pass replace=True (CLI: --replace) to delete everything in it first, or use "
                "another database")
        if replace and (meta is not None or n_nodes):
            guard.action = "clearing the database"
            clear_database(driver, database=database)
            summary.replaced = True
        # into an empty store nodes are created; otherwise merged on their id (a rerun)
        fresh = summary.replaced or n_nodes == 0
        node_groups = _node_groups(graph, fresh)
        guard.action = "creating constraints"
        _ensure_schema(s)
        guard.action = "writing the case metadata"
        props = {"key": _META_KEY, "name": case.name, "fingerprint": fp, "status": "loading",
                 "format": STORE_FORMAT, "tables": json.dumps(_table_meta(case), ensure_ascii=False),
                 "started": pd.Timestamp.now(tz="UTC").isoformat()}
        _run_write(s, f"MERGE (m:{_label('CaseMeta')} {{key: $key}}) SET m += $props",
                   {"key": _META_KEY, "props": props})
        total = sum(len(g.rows) for g in node_groups) + graph.number_of_edges()
        bar = tqdm(total=total, unit="rec", desc="to_neo4j", disable=not progress, leave=False)
        writer = _Writer(driver, database, workers, bar, guard.where)
        try:
            t_nodes = time.perf_counter()
            guard.action = "writing nodes"
            for gi, g in enumerate(node_groups):
                writer.submit(gi, g.query, g.rows, batch_size, returns=True, const=g.const)
            writer.wait()
            eids: dict[str, str] = {str(k): str(v) for k, v in writer.returned}
            for gi, g in enumerate(node_groups):
                created = writer.created[gi]
                summary.nodes_created += created
                summary.nodes_present += len(g.rows) - created
                by_type.append({"what": "node", "type": g.type, "rows": len(g.rows),
                                "created": created, "present": len(g.rows) - created})
            summary.node_seconds = time.perf_counter() - t_nodes
            t_rels = time.perf_counter()
            guard.action = "reading the relationships already stored"
            existing = _existing_keys(s, graph, list(eids.values()))
            guard.action = "writing relationships"
            writer.created.clear()
            base = len(node_groups)
            rel_info: list[tuple[str, int, int]] = []
            for gi, g in enumerate(_rel_groups(graph, eids), start=base):
                have = existing.get(g.type)
                todo = g.rows if not have else [r for r, k in zip(g.rows, g.keys, strict=True) if k not in have]
                present = len(g.rows) - len(todo)
                bar.update(present)
                rel_info.append((g.type, len(g.rows), present))
                writer.submit(gi, g.query, todo, batch_size, check=True, const=g.const)
            writer.wait()
            for gi, (rtype, rows, present) in enumerate(rel_info, start=base):
                created = writer.created.get(gi, 0)
                summary.rels_created += created
                summary.rels_present += present
                by_type.append({"what": "relationship", "type": rtype, "rows": rows,
                                "created": created, "present": present})
            summary.batches = writer.batches
            summary.rel_seconds = time.perf_counter() - t_rels
            guard.action = "marking the load complete"
            _run_write(s, f"MATCH (m:{_label('CaseMeta')} {{key: $key}}) SET m.status = 'complete', "
                          "m.finished = $finished, m.nodes = $nodes, m.relationships = $rels",
                       {"key": _META_KEY, "finished": pd.Timestamp.now(tz="UTC").isoformat(),
                        "nodes": len(eids), "rels": graph.number_of_edges()})
        finally:
            writer.close()
            bar.close()
    summary.seconds = time.perf_counter() - t0
    bt = pd.DataFrame(by_type, columns=["what", "type", "rows", "created", "present"])
    summary.by_type = bt.groupby(["what", "type"], sort=False, as_index=False).sum()
    logger.info("to_neo4j: %d nodes created, %d present; %d relationships created, %d present; %.1fs",
                summary.nodes_created, summary.nodes_present, summary.rels_created,
                summary.rels_present, summary.seconds)
    return summary


