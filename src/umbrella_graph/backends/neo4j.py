"""The Neo4j backend: load a case into Neo4j, read it back, query it on the server.

This is the only module of umbrella-graph that imports the ``neo4j`` driver.

The stored model (see ``docs/neo4j.md``)
---------------------------------------
* Every node has the label ``Entity`` plus its kind's label from
  :data:`~umbrella_graph.schema.NODE_KINDS` (``Person``, ``Gang``, ``Village``, ``Company``,
  ``Event``, ``Lead``, ``Unit``); people who hold a post also have ``Official``. Node
  properties are the record's columns (extra columns included), the provenance ``_file``
  and ``_row``. ``id`` is unique per label.
* Every record edge of the :class:`~umbrella_graph.graph.CaseGraph` is one relationship,
  typed by :data:`~umbrella_graph.schema.RELATIONS` (``PAID``, ``CONTACTED``, ``TIE``,
  ``MEMBER_OF``, ``HOLDS_POST``...). The relationship that carries a record holds all of
  its columns except the two endpoint ids (the nodes it joins), plus ``_file`` and
  ``_row``; for tables whose rows give two edges (officials, contracts) ``_primary`` says
  which one carries the record and the other holds the columns queries need.
* One ``CaseMeta`` node describes the case: its name, a fingerprint of its tables, the
  columns and dtypes of every table, the load status, and the records of tables that
  are not part of the graph (``labels``).

Labels and relationship types are written into Cypher only from the schema's whitelists
(:data:`~umbrella_graph.schema.NEO4J_LABELS`, :data:`~umbrella_graph.schema.NEO4J_REL_TYPES`);
every value travels as a query parameter. Dates are stored as Neo4j ``LocalDateTime``
(nanosecond precision, so the round trip is exact).

Loading is idempotent: nodes are merged on their id, and relationships are keyed by
their record (transaction or contract id; otherwise file and spreadsheet row; for edges
of node tables, the node), so a second load of the same case, or a rerun after a load
was interrupted, writes only what is missing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import re
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import neo4j
import numpy as np
import pandas as pd
from neo4j import exceptions as neo4j_errors

from ..case import Case
from ..errors import BackendError, ParameterError
from ..graph import _NAME_COL, CaseGraph, build_graph
from ..schema import (
    NEO4J_LABELS,
    NEO4J_REL_TYPES,
    NODE_KINDS,
    NODE_TABLES,
    RELATIONS,
    TABLES,
    Relation,
)
from .base import TRANSACTION_COLUMNS, GraphBackend, empty_expand, shape_expand

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver, ManagedTransaction, Session

__all__ = ["Neo4jBackend", "LoadSummary", "to_neo4j", "from_neo4j", "connect", "case_fingerprint",
           "clear_database"]

logger = logging.getLogger(__name__)

#: Version of the stored layout; from_neo4j refuses stores it does not know.
STORE_FORMAT = 1
_META_KEY = "case"
_RESERVED = frozenset({"_primary", "_table"})
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TEMPORAL = ("date", "datetime")
#: Tables whose records are not part of the graph; their rows live on the CaseMeta node.
_META_TABLES = tuple(t for t, s in TABLES.items()
                     if s.node_kind is None and not any(r.table == t for r in RELATIONS))
_MULTI = frozenset(t for t in TABLES if sum(r.table == t for r in RELATIONS) > 1)
_SCHEMES = frozenset({"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"})
#: URIs of drivers made by :func:`connect`, for messages.
_URIS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


# ---------------------------------------------------------------------------------------
# Cypher building blocks: only whitelisted names are ever formatted into query text
# ---------------------------------------------------------------------------------------
def _label(name: str) -> str:
    if name not in NEO4J_LABELS:
        raise ValueError(f"label {name!r} is not in schema.NEO4J_LABELS")
    return name


def _rtype(name: str) -> str:
    if name not in NEO4J_REL_TYPES:
        raise ValueError(f"relationship type {name!r} is not in schema.NEO4J_REL_TYPES")
    return name


def _prop(name: str) -> str:
    """A property name from the schema (or provenance) as it may appear in Cypher."""
    if not _IDENT.fullmatch(name):
        raise ValueError(f"property name {name!r} is not a plain identifier")
    return name


def _kind_label(kind: str) -> str:
    return _label(NODE_KINDS[kind].label)


_LABEL_KIND = {k.label: k.kind for k in NODE_KINDS.values()}
#: The display name of a node, as :attr:`CaseGraph.nodes` has it (units: their id).
_NAME_EXPR = ("CASE " + " ".join(f"WHEN x:{_kind_label(k)} THEN x.{_prop(c)}" for k, c in _NAME_COL.items())
              + " ELSE x.id END")
_TYPE_KIND = {r.rel_type: r.kind for r in RELATIONS}
_KIND_TYPE = {r.kind: r.rel_type for r in RELATIONS}


def _strength_expr(var: str) -> str:
    """Cypher for the strength of a record edge, mirroring :func:`build_graph`."""
    whens = []
    for rtype in sorted({r.rel_type for r in RELATIONS if r.strength}):
        col = next(r.strength for r in RELATIONS if r.rel_type == rtype)
        assert col is not None
        whens.append(f"WHEN '{_rtype(rtype)}' THEN coalesce(toFloat({var}.{_prop(col)}), 1.0)")
    return f"CASE type({var}) {' '.join(whens)} ELSE 1.0 END"


def _time_expr(var: str) -> str:
    cols = [_prop(c) for c in ("date", "time", "start_date")]
    return f"coalesce({', '.join(f'{var}.{c}' for c in cols)})"


# ---------------------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------------------
def _where(driver: Any) -> str:
    uri = _URIS.get(driver) if driver is not None else None
    return f"Neo4j at {uri}" if uri else "the Neo4j server"


class _Guard:
    """Turns driver exceptions into one-line :class:`BackendError` messages."""

    def __init__(self, where: str, database: str | None, action: str, rerun: str = "") -> None:
        self.where = where
        self.database = database
        self.action = action
        self.rerun = rerun
        self.reached = False

    @contextlib.contextmanager
    def __call__(self, action: str | None = None) -> Iterator[_Guard]:
        if action is not None:
            self.action = action
        try:
            yield self
        except BackendError:
            raise
        except neo4j_errors.AuthError:
            raise BackendError(
                f"{self.where} refused the user name or password while {self.action}: check "
                "--user/--password (or NEO4J_USER/NEO4J_PASSWORD)") from None
        except neo4j_errors.ClientError as exc:
            code = exc.code or "unknown"
            if code.endswith("DatabaseNotFound"):
                raise BackendError(
                    f"database {self.database!r} does not exist on {self.where}: check --database "
                    "(Neo4j Community has one user database, 'neo4j'; SHOW DATABASES lists them)"
                ) from None
            if ".Security." in code:
                raise BackendError(f"{self.where} did not allow {self.action} for this user ({code}): "
                                   "check the user's roles") from None
            raise BackendError(f"{self.where} rejected a query while {self.action} ({code})") from None
        except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired,
                neo4j_errors.IncompleteCommit, OSError) as exc:
            if not self.reached:
                raise BackendError(
                    f"cannot reach {self.where} while {self.action}: check that the server is "
                    "running and that the URI (bolt://host:7687 or neo4j://host:7687), host and "
                    "port are right") from None
            raise BackendError(
                f"lost the connection to {self.where} while {self.action}: check the server, "
                f"then run it again{self.rerun}") from exc.__cause__
        except neo4j_errors.TransientError as exc:
            if (exc.code or "").endswith("DatabaseUnavailable"):
                raise BackendError(
                    f"database {self.database or '(default)'} on {self.where} became unavailable "
                    f"while {self.action} (is the server stopping?): check the server, then run it "
                    f"again{self.rerun}") from None
            raise BackendError(f"{self.where} kept failing with a transient error while {self.action} "
                               f"({exc.code}) after retries: try again when the server is less "
                               f"busy{self.rerun}") from None
        except neo4j_errors.Neo4jError as exc:
            raise BackendError(f"{self.where} failed while {self.action} ({exc.code}): see the "
                               "server's log") from None
        except neo4j_errors.DriverError as exc:
            raise BackendError(f"the Neo4j driver failed while {self.action} "
                               f"({type(exc).__name__}): check the URI and the server") from None


def connect(uri: str, user: str | None = "neo4j", password: str | None = None, *,
            database: str | None = None, **config: Any) -> Driver:
    """Open a driver to ``uri`` and check that it works.

    Checks that the server answers, that the credentials are accepted and, when
    ``database`` is given, that the database exists. Failures raise a one-line
    :class:`~umbrella_graph.errors.BackendError` saying what to check.

    Parameters
    ----------
    uri : str
        ``bolt://host:7687`` (one server) or ``neo4j://host:7687`` (a cluster).
    user, password : str, optional
        Credentials; no authentication when ``password`` is None.
    database : str, optional
        A database to check (default: the server's default database).
    **config
        Passed to :func:`neo4j.GraphDatabase.driver` (e.g. ``max_transaction_retry_time``).

    Returns
    -------
    neo4j.Driver
        Close it with ``driver.close()`` (or use it in a ``with`` block).
    """
    guard = _Guard(f"Neo4j at {uri}", database, "connecting")
    scheme = uri.split("://", 1)[0].lower() if isinstance(uri, str) and "://" in uri else ""
    if scheme not in _SCHEMES:
        raise BackendError(f"cannot use {uri!r} as a Neo4j URI: expected bolt://host:7687 or "
                           "neo4j://host:7687 (+s / +ssc for TLS)")
    try:
        auth = (user or "neo4j", password) if password is not None else None
        config.setdefault("notifications_min_severity", "OFF")
        driver = neo4j.GraphDatabase.driver(uri, auth=auth, **config)
    except (ValueError, neo4j_errors.ConfigurationError) as exc:
        raise BackendError(f"cannot use {uri!r} as a Neo4j URI ({type(exc).__name__}): expected "
                           "bolt://host:7687 or neo4j://host:7687") from None
    _URIS[driver] = uri
    try:
        with guard():
            driver.verify_connectivity()
            guard.reached = True
            with _session(driver, database) as s:
                s.execute_read(lambda tx: tx.run("RETURN 1").consume())
    except BackendError:
        driver.close()
        raise
    return driver


def _session(driver: Driver, database: str | None) -> Session:
    """A session on ``database`` without server notifications (the queries are fixed)."""
    return driver.session(database=database, notifications_min_severity="OFF")


# ---------------------------------------------------------------------------------------
# value conversion
# ---------------------------------------------------------------------------------------
def _iso(values: pd.Series) -> list[str | None]:
    """Datetimes as ISO strings (None for NaT): to the second when no value has a
    fraction of a second (shorter to send and to parse), else with nanoseconds."""
    arr = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(arr)
    whole = bool(((arr[~nat].view("int64") % 1_000_000_000) == 0).all())
    out = np.datetime_as_string(arr, unit="s" if whole else "ns").astype(object)
    out[nat] = None
    return list(out)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def _values(s: pd.Series) -> list[Any]:
    """A column as plain Python values for the driver (None where missing)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _iso(s)
    out: list[Any] = s.to_numpy(dtype=object, na_value=None).tolist()
    if s.dtype == object:
        out = [_plain(v) for v in out]
    return out


def _dtype_token(dtype: Any) -> str:
    if isinstance(dtype, pd.StringDtype):
        return "str" if dtype.na_value is not pd.NA else f"string[{dtype.storage}]"
    return str(dtype)


def _restore(s: pd.Series, token: str) -> pd.Series:
    """Give a column read back from Neo4j the dtype it had when loaded."""
    try:
        if token.startswith("datetime64"):
            return pd.to_datetime(s, format="ISO8601").astype(token)
        if token == "object":
            return s.astype(object).where(s.notna(), None)
        return s.astype(token)
    except (TypeError, ValueError):
        return s


def case_fingerprint(case: Case) -> str:
    """A hash of every table (values, columns, dtypes and provenance) of ``case``.

    The same case always gives the same fingerprint; any change to a cell changes it.
    """
    h = hashlib.sha256()
    tables = case.tables
    for t in sorted(tables):
        df = tables[t]
        h.update(t.encode())
        h.update(json.dumps([[str(c), _dtype_token(df[c].dtype)] for c in df.columns]).encode())
        try:
            hv = pd.util.hash_pandas_object(df, index=False)
        except TypeError:
            hv = pd.util.hash_pandas_object(df.astype(str), index=False)
        h.update(np.ascontiguousarray(hv.to_numpy()).tobytes())
    return h.hexdigest()[:32]


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


#: Start nodes per query when reading relationships (bounds the server's memory).
_CHUNK = 5000


def _chunked(session: Session, query: str, eids: list[str]) -> list[Any]:
    """Run a ``RETURN collect(...)`` query over chunks of element ids ``$ids``; concatenate.

    Reading one list per chunk instead of one record per row is many times faster
    through the Python driver.
    """
    out: list[Any] = []
    for i in range(0, len(eids), _CHUNK):
        got = _read(session, query, {"ids": eids[i:i + _CHUNK]})
        if got and got[0][0]:
            out.extend(got[0][0])
    return out


def _all_eids(session: Session, label: str = "Entity") -> list[str]:
    got = _read(session, f"MATCH (x:{_label(label)}) RETURN collect(elementId(x))")
    return list(got[0][0]) if got else []


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


def _read(session: Session, query: str, params: dict[str, Any] | None = None) -> list[list[Any]]:
    return session.execute_read(lambda tx: tx.run(query, params or {}).values())


def _run_write(session: Session, query: str, params: dict[str, Any] | None = None) -> None:
    session.execute_write(lambda tx: tx.run(query, params or {}).consume())


def _read_meta(session: Session) -> dict[str, Any] | None:
    got = _read(session, f"MATCH (m:{_label('CaseMeta')} {{key: $key}}) RETURN properties(m)", {"key": _META_KEY})
    return dict(got[0][0]) if got else None


def clear_database(driver: Driver, *, database: str | None = None, batch_size: int = 20_000) -> int:
    """Delete every node and relationship in ``database``, in batches.

    Constraints and indexes stay. Returns the number of nodes deleted. Used by
    :func:`to_neo4j` with ``replace=True`` and by the test-suite.
    """
    guard = _Guard(_where(driver), database, "clearing the database")
    deleted = 0
    with guard(), _session(driver, database) as s:
        guard.reached = True
        while True:
            got = s.execute_write(lambda tx: tx.run(
                "MATCH ()-[r]->() WITH r LIMIT $n DELETE r RETURN count(*) AS c", {"n": batch_size}).single())
            if not got or not got["c"]:
                break
        while True:
            got = s.execute_write(lambda tx: tx.run(
                "MATCH (n) WITH n LIMIT $n DETACH DELETE n RETURN count(*) AS c", {"n": batch_size}).single())
            c = int(got["c"]) if got else 0
            deleted += c
            if not c:
                break
    return deleted


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


# ---------------------------------------------------------------------------------------
# from_neo4j
# ---------------------------------------------------------------------------------------
def _projection(var: str, table: str) -> str:
    temporal = [c.name for c in TABLES[table].columns if c.type in _TEMPORAL]
    extra = "".join(f", {_prop(c)}: toString({var}.{_prop(c)})" for c in temporal)
    return f"{var} {{.*{extra}}}"


def _frame(records: list[dict[str, Any]], info: dict[str, Any], table: str) -> pd.DataFrame:
    cols = list(info["columns"])
    df = pd.DataFrame.from_records(records, columns=cols) if records else pd.DataFrame({c: [] for c in cols})
    if len(df):
        order = {f: i for i, f in enumerate(info.get("files", []))}
        rank = df["_file"].map(lambda f: order.get(f, len(order)))
        df = (df.assign(__rank=rank).sort_values(["__rank", "_file", "_row"], kind="stable")
              .drop(columns="__rank").reset_index(drop=True))
    for c, token in info.get("dtypes", {}).items():
        if c in df.columns:
            df[c] = _restore(df[c], token)
    for c in TABLES[table].columns:
        if c.type in _TEMPORAL and c.name in df.columns:
            df[c.name] = pd.to_datetime(df[c.name], format="ISO8601").astype("datetime64[ns]")
    if "_row" in df.columns:
        df["_row"] = df["_row"].astype("int64")
    return df


def from_neo4j(driver: Driver, *, database: str | None = None) -> CaseGraph:
    """Read the case stored in Neo4j back into a :class:`~umbrella_graph.graph.CaseGraph`.

    Reads the case tables (typed columns, extra columns and provenance) from the nodes,
    relationships and the ``CaseMeta`` node written by :func:`to_neo4j`, validates them
    like any other input, and builds the same graph as the in-memory loader:
    ``from_neo4j(driver).case.equals(case)`` after ``to_neo4j(case, driver)``.

    Raises
    ------
    BackendError
        The server cannot be used, the database holds no case, or its load did not finish.
    """
    from ..validate import case_from_frames

    guard = _Guard(_where(driver), database, "reading the case metadata")
    frames: dict[str, pd.DataFrame] = {}
    with guard(), _session(driver, database) as s:
        meta = _read_meta(s)
        guard.reached = True
        where = f"database {database or '(default)'} on {guard.where}"
        if meta is None:
            raise BackendError(f"{where} holds no umbrella-graph case: load one with to_neo4j or "
                               "`umbrella-graph load CASE_DIR --neo4j URI`")
        if meta.get("format") != STORE_FORMAT:
            raise BackendError(f"{where} holds a case stored in format {meta.get('format')!r}; this "
                               f"version of umbrella-graph reads format {STORE_FORMAT}: reload the case")
        if meta.get("status") != "complete":
            raise BackendError(f"the load into {where} did not finish: run to_neo4j (or umbrella-graph "
                               "load) again to complete it")
        tables: dict[str, dict[str, Any]] = json.loads(meta["tables"])
        guard.action = "listing the nodes"
        starts = _all_eids(s)
        for t, info in tables.items():
            spec = TABLES[t]
            guard.action = f"reading table {t}"
            records: list[dict[str, Any]] = []
            if spec.node_kind is not None:
                lab = _kind_label(spec.node_kind)
                q = (f"UNWIND $ids AS e MATCH (x:{lab}) WHERE elementId(x) = e "
                     f"RETURN collect({_projection('x', t)})")
                records = _chunked(s, q, _all_eids(s, lab))
            elif t in _META_TABLES:
                records = [dict(zip(info["columns"], r, strict=True)) for r in info.get("records", [])]
            else:
                for rel in (r for r in RELATIONS if r.table == t):
                    where_primary = " WHERE x._primary = true" if t in _MULTI else ""
                    q = (f"UNWIND $ids AS e MATCH (a) WHERE elementId(a) = e "
                         f"MATCH (a)-[x:{_rtype(rel.rel_type)}]->(b){where_primary} "
                         f"RETURN collect([a.id, b.id, {_projection('x', t)}])")
                    src_req = spec.column(rel.src).required
                    dst_req = spec.column(rel.dst).required
                    for a, b, p in _chunked(s, q, starts):
                        p.pop("_primary", None)
                        if src_req:
                            p[rel.src] = a
                        if dst_req:
                            p[rel.dst] = b
                        records.append(p)
            df = _frame(records, info, t)
            if len(df) != int(info["rows"]):
                raise BackendError(
                    f"{where}: table {t} has {len(df):,} records in the store but {int(info['rows']):,} "
                    "were loaded: the store was changed after loading; reload the case")
            frames[t] = df
    case = case_from_frames(frames, name=meta.get("name"))
    return build_graph(case)


# ---------------------------------------------------------------------------------------
# the backend
# ---------------------------------------------------------------------------------------
class Neo4jBackend(GraphBackend):
    """Answer the backend queries with parameterised Cypher on a Neo4j server.

    Parameters
    ----------
    driver : neo4j.Driver
        From :func:`connect` or :func:`neo4j.GraphDatabase.driver`; the backend does not
        close it.
    database : str, optional
        The database holding the case (default: the server's default).
    """

    name = "neo4j"

    def __init__(self, driver: Driver, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    def __repr__(self) -> str:
        return f"<Neo4jBackend {_where(self.driver)} database={self.database or '(default)'}>"

    def _read(self, query: str, params: dict[str, Any], action: str) -> list[list[Any]]:
        guard = _Guard(_where(self.driver), self.database, action)
        with guard(), _session(self.driver, self.database) as s:
            return _read(s, query, params)

    def _nodes(self, ids: Sequence[str]) -> pd.DataFrame:
        got = self._read(f"UNWIND $ids AS i MATCH (x:Entity {{id: i}}) RETURN x.id, labels(x), {_NAME_EXPR}",
                         {"ids": list(ids)}, "looking up nodes")
        kinds = [next((_LABEL_KIND[lab] for lab in labs if lab in _LABEL_KIND), None) for _, labs, _ in got]
        return pd.DataFrame({
            "id": pd.Series([g[0] for g in got], dtype="string"),
            "kind": pd.Series(kinds, dtype="string"),
            "name": pd.Series([g[2] for g in got], dtype="string"),
            "official": pd.Series([_label("Official") in g[1] for g in got], dtype=bool),
        })

    def _expand(self, ids: Sequence[str], kinds: tuple[str, ...]) -> pd.DataFrame:
        types = "|".join(_rtype(_KIND_TYPE[k]) for k in kinds)
        q = (f"UNWIND $ids AS i MATCH (a:Entity {{id: i}})-[x:{types}]-(b:Entity) WHERE a <> b "
             f"RETURN a.id AS a, b.id AS b, type(x) AS t, count(x) AS records, "
             f"sum({_strength_expr('x')}) AS strength, "
             f"toString(min({_time_expr('x')})) AS first_time, "
             f"toString(max({_time_expr('x')})) AS last_time")
        got = self._read(q, {"ids": list(ids)}, "expanding a neighbourhood")
        if not got:
            return empty_expand()
        df = pd.DataFrame(got, columns=["a", "b", "t", "records", "strength", "first_time", "last_time"])
        df["kind"] = df["t"].map(_TYPE_KIND)
        return shape_expand(df)

    def _transactions(self, person_id: str, start: pd.Timestamp | None,
                      end: pd.Timestamp | None) -> pd.DataFrame:
        t = _rtype(_KIND_TYPE["transaction"])
        cond = ("($start IS NULL OR x.date >= localdatetime($start)) AND "
                "($end IS NULL OR x.date < localdatetime($end))")
        ret = "x.id, toString(x.date), x.amount, x.channel, x.memo, x._file, x._row"
        q = (f"MATCH (p:Entity {{id: $id}})-[x:{t}]->(c:Entity) WHERE {cond} "
             f"RETURN {ret}, p.id AS src_id, c.id AS dst_id "
             f"UNION ALL MATCH (p:Entity {{id: $id}})<-[x:{t}]-(c:Entity) WHERE c <> p AND {cond} "
             f"RETURN {ret}, c.id AS src_id, p.id AS dst_id")
        params = {"id": person_id,
                  "start": None if start is None else _iso(pd.Series([start]))[0],
                  "end": None if end is None else _iso(pd.Series([end]))[0]}
        got = self._read(q, params, "reading payments")
        df = pd.DataFrame(got, columns=["id", "date", "amount", "channel", "memo", "_file", "_row",
                                        "src_id", "dst_id"])
        df["date"] = pd.to_datetime(df["date"], format="ISO8601").astype("datetime64[ns]")
        return df[list(TRANSACTION_COLUMNS)]

    def gds_version(self) -> str | None:
        """The Graph Data Science plugin's version, or None when it is not installed.

        Detected, never required: every query of this backend runs without it.
        """
        guard = _Guard(_where(self.driver), self.database, "checking for Graph Data Science")
        with guard(), _session(self.driver, self.database) as s:
            try:
                got = _read(s, "RETURN gds.version() AS v")
            except neo4j_errors.ClientError as exc:
                if ".Statement." in (exc.code or "") or ".Procedure." in (exc.code or ""):
                    return None
                raise
        return str(got[0][0]) if got else None

    def to_graph(self) -> CaseGraph:
        """The stored case as an in-memory graph (:func:`from_neo4j`)."""
        return from_neo4j(self.driver, database=self.database)
