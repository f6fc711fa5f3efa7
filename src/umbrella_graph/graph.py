"""The in-memory case graph.

:class:`CaseGraph` is built from a validated :class:`~umbrella_graph.case.Case` by
:func:`build_graph`. It keeps

* :attr:`CaseGraph.nodes`: one row per node (people, gangs, villages, companies,
  events, leads, and *units*: the government units named in ``officials.unit``), with
  its kind, display name and whether the person holds a post;
* :attr:`CaseGraph.edges`: one row per edge, **one edge per record** (a transaction, a
  call, a contract...), typed by :data:`~umbrella_graph.schema.RELATIONS`, with integer
  endpoints for fast algorithms and the record's provenance (table, file, spreadsheet
  row, record id);
* the case itself (:attr:`CaseGraph.case`), so every edge's full record is one lookup
  away.

Algorithms use :meth:`CaseGraph.adjacency` (a SciPy sparse matrix) or igraph; users get
NetworkX through :meth:`CaseGraph.to_networkx` (one edge per record, a
``MultiDiGraph``) or :meth:`CaseGraph.weighted_graph` (records of the same pair
collapsed into one edge whose ``strength`` is a sum and whose ``distance`` is
:func:`~umbrella_graph.schema.strength_to_distance` of it).

:func:`from_networkx` reads a graph written by :meth:`CaseGraph.to_networkx` back into
a case graph without loss, so ``case -> graph -> case`` round-trips.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ._memory import release_freed_memory
from .case import Case, frozen_frame
from .errors import ParameterError
from .schema import NODE_KINDS, NODE_TABLES, RELATIONS, TABLES, Relation, strength_to_distance

__all__ = ["CaseGraph", "build_graph", "from_networkx", "EDGE_KINDS"]

#: All edge kinds, in schema order.
EDGE_KINDS: tuple[str, ...] = tuple(dict.fromkeys(r.kind for r in RELATIONS))

_NAME_COL = {"person": "name", "gang": "name", "village": "name", "company": "name",
             "event": "kind", "lead": "source"}


def _primary_relation(table: str) -> list[Relation]:
    return [r for r in RELATIONS if r.table == table]


@attrs.define(frozen=True, slots=False, eq=False, init=False, repr=False)
class CaseGraph:
    """A typed multigraph of one case: every record is its own edge.

    Do not construct directly; use :func:`build_graph`. A graph is immutable: its
    attributes cannot be reassigned and its tables are handed out as read-only views
    (editing ``graph.edges`` edits a copy, never the graph), so every result derived
    from it stays true. :attr:`fingerprint` names its content.

    Attributes
    ----------
    case : Case
        The validated case the graph was built from.
    nodes : pandas.DataFrame
        Columns ``id`` (str), ``kind``, ``name``, ``official`` (bool). Row ``i`` is node
        ``i`` in :meth:`adjacency`.
    edges : pandas.DataFrame
        Columns ``src``, ``dst`` (int node positions), ``kind`` (edge kind), ``table``,
        ``pos`` (row position in ``case[table]``), ``primary`` (the edge that carries
        the record when a row gives several edges), ``time`` (the record's date or
        time), ``strength`` (amount or count; 1 where the record has none).

    fingerprint : str
        A content hash of the case tables, nodes and edges.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a", "b"], "name": ["甲", "乙"]}),
    ...     transactions=pd.DataFrame({"src": ["a", "a"], "dst": ["b", "b"],
    ...                                "amount": [100, 50], "date": ["2020-01-01", "2020-02-01"]}))
    >>> g = build_graph(case)
    >>> g.number_of_nodes(), g.number_of_edges()
    (2, 2)
    >>> g.fingerprint == build_graph(case).fingerprint
    True
    >>> W = g.weighted_graph(kinds=["transaction"])
    >>> W["a"]["b"]["strength"], W["a"]["b"]["count"]
    (150.0, 2)
    """

    _case: Case
    _nodes: pd.DataFrame
    _edges: pd.DataFrame
    _index: pd.Index

    def __init__(self, case: Case, nodes: pd.DataFrame, edges: pd.DataFrame) -> None:
        self.__attrs_init__(case, frozen_frame(nodes), frozen_frame(edges),  # type: ignore[attr-defined]
                            pd.Index(nodes["id"].astype(str)))

    @property
    def case(self) -> Case:
        """The validated case the graph was built from (its tables are read-only too)."""
        return self._case

    @property
    def nodes(self) -> pd.DataFrame:
        """The node table (a read-only view: editing it never changes the graph)."""
        return self._nodes.copy(deep=False)

    @property
    def edges(self) -> pd.DataFrame:
        """The edge table (a read-only view: editing it never changes the graph)."""
        return self._edges.copy(deep=False)

    @functools.cached_property
    def fingerprint(self) -> str:
        """A content hash of the graph: its case tables, nodes and edges.

        Two graphs built from equal cases have the same fingerprint; any change of a
        record gives another. Computed once (the graph is immutable) and used to key
        derived results (:func:`umbrella_graph.scoring.clear_cache`).
        """
        h = hashlib.sha256()
        h.update(repr(self._case.name).encode())
        for name, df in sorted(self._case.tables.items()):
            h.update(name.encode())
            _digest_frame(h, df)
        _digest_frame(h, self._nodes)
        _digest_frame(h, self._edges)
        return h.hexdigest()[:32]  # 128 bits

    # -- basic facts ---------------------------------------------------------------
    def number_of_nodes(self) -> int:
        return len(self._nodes)

    def number_of_edges(self, kind: str | None = None) -> int:
        if kind is None:
            return len(self._edges)
        return int((self._edges["kind"] == kind).sum())

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def __repr__(self) -> str:
        kinds = self._nodes["kind"].value_counts().to_dict()
        return f"<CaseGraph {len(self._nodes)} nodes {kinds}, {len(self._edges)} record edges>"

    def index_of(self, ids: Iterable[str] | str) -> np.ndarray:
        """Integer positions of node ids (-1 for unknown ids)."""
        if isinstance(ids, str):
            ids = [ids]
        return np.asarray(self._index.get_indexer(list(ids)), dtype=np.int64)

    def ids_of(self, positions: Sequence[int] | np.ndarray) -> np.ndarray:
        """Node ids at integer positions."""
        return self._nodes["id"].to_numpy()[np.asarray(positions, dtype=np.int64)]

    def kind_of(self, node_id: str) -> str:
        """The node kind of ``node_id`` (a ``KeyError`` naming no value if unknown)."""
        i = self._index.get_indexer([node_id])[0]
        if i < 0:
            raise KeyError("node id not in the graph")
        return str(self._nodes["kind"].iat[i])

    @property
    def officials(self) -> list[str]:
        """Sorted ids of people who hold a post."""
        return self._case.official_ids()

    @property
    def gangs(self) -> list[str]:
        """Sorted gang ids."""
        return self._case.gang_ids()

    # -- records -------------------------------------------------------------------
    def records(self, kind: str) -> pd.DataFrame:
        """The edges of ``kind`` joined with their full records.

        Returns the record columns of the source table plus ``src_id``, ``dst_id``,
        ``src``, ``dst`` (positions) and the provenance columns ``_file``, ``_row``.
        """
        if kind not in EDGE_KINDS:
            raise ParameterError.invalid("kind", "CaseGraph.records", "one of " + ", ".join(EDGE_KINDS), kind)
        e = self._edges[self._edges["kind"] == kind]
        if not len(e):
            return pd.DataFrame()
        table = str(e["table"].iat[0])
        rec = self._case[table].iloc[e["pos"].to_numpy()].reset_index(drop=True)
        rec.insert(0, "src_id", self.ids_of(e["src"].to_numpy()))
        rec.insert(1, "dst_id", self.ids_of(e["dst"].to_numpy()))
        rec["src"] = e["src"].to_numpy()
        rec["dst"] = e["dst"].to_numpy()
        return rec

    # -- algorithm views -----------------------------------------------------------
    def _select(self, kinds: Iterable[str] | None) -> pd.DataFrame:
        if kinds is None:
            return self._edges
        kinds = list(kinds)
        bad = [k for k in kinds if k not in EDGE_KINDS]
        if bad:
            raise ParameterError.invalid("kinds", "CaseGraph", "edge kinds from " + ", ".join(EDGE_KINDS), bad)
        return self._edges[self._edges["kind"].isin(kinds)]

    def adjacency(
        self,
        kinds: Iterable[str] | None = None,
        *,
        weight: str | None = "strength",
        directed: bool = False,
    ) -> sp.csr_matrix:
        """Sparse adjacency over all nodes, records of the same pair summed.

        Parameters
        ----------
        kinds : iterable of str, optional
            Edge kinds to include (default: all).
        weight : {"strength", "count", None}
            ``"strength"`` sums amounts/counts, ``"count"`` counts records, None gives 1
            for every connected pair. All are strengths (bigger = closer).
        directed : bool
            If False the matrix is symmetric.
        """
        e = self._select(kinds)
        n = len(self._nodes)
        if weight == "strength":
            w = e["strength"].to_numpy(dtype=float)
        elif weight in ("count", None):
            w = np.ones(len(e))
        else:
            raise ParameterError.invalid("weight", "CaseGraph.adjacency", "'strength', 'count' or None", weight)
        r, c = e["src"].to_numpy(), e["dst"].to_numpy()
        keep = r != c
        r, c, w = r[keep], c[keep], w[keep]
        if not directed:
            r, c, w = np.concatenate([r, c]), np.concatenate([c, r]), np.concatenate([w, w])
        A = sp.csr_matrix((w, (r, c)), shape=(n, n))
        A.sum_duplicates()
        if weight is None:
            A.data[:] = 1.0
        return A

    def weighted_graph(self, kinds: Iterable[str] | None = None) -> nx.Graph:
        """An undirected NetworkX graph with records of each pair collapsed.

        Edge attributes: ``strength`` (sum of amounts/counts: bigger = closer), ``count``
        (number of records), ``distance`` (from :func:`~umbrella_graph.schema.strength_to_distance`,
        for path algorithms: smaller = closer) and ``kinds`` (sorted edge kinds).
        """
        e = self._select(kinds)
        e = e[e["src"] != e["dst"]]
        a = np.minimum(e["src"].to_numpy(), e["dst"].to_numpy())
        b = np.maximum(e["src"].to_numpy(), e["dst"].to_numpy())
        df = pd.DataFrame({"a": a, "b": b, "s": e["strength"].to_numpy(dtype=float),
                           "k": e["kind"].astype(str).to_numpy()})
        g = df.groupby(["a", "b"], sort=True).agg(strength=("s", "sum"), count=("s", "size"),
                                                  kinds=("k", lambda x: tuple(sorted(set(x)))))
        G = nx.Graph()
        ids = self._nodes["id"].to_numpy()
        for i, row in enumerate(self._nodes.itertuples(index=False)):
            G.add_node(ids[i], kind=row.kind, name=row.name, official=bool(row.official))
        dist = strength_to_distance(g["strength"].to_numpy())
        for (ia, ib), s, c, k, d in zip(g.index, g["strength"], g["count"], g["kinds"], dist, strict=True):
            G.add_edge(ids[ia], ids[ib], strength=float(s), count=int(c), kinds=k, distance=float(d))
        return G

    # -- conversions ---------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole case as a NetworkX ``MultiDiGraph``: one edge per record.

        Node attributes: ``kind`` (node kind), ``official`` and every column of the
        node's record (plus ``_table``, ``_file``, ``_row``). Edge attributes: ``kind``
        (edge kind), ``primary`` and the record's columns with its provenance; edges with
        ``primary=False`` repeat a record that another edge carries (a contract's
        approver edge, for example) and hold only ``_table``, ``_file``, ``_row``.
        A record column named like a graph attribute (``kind``, ``official``,
        ``primary``) is stored as ``record_<name>`` (a tie's ``kind`` such as
        ``"spouse"`` is ``record_kind``). Missing values are left out. Tables that give
        no edges (``labels``) travel in ``G.graph["records"]``; column order and dtypes
        in ``G.graph["columns"]`` and ``G.graph["dtypes"]``. :func:`from_networkx`
        reverses this exactly.
        """
        G = nx.MultiDiGraph()
        tables = self._case.tables
        G.graph["case_name"] = self._case.name
        G.graph["columns"] = {t: list(df.columns) for t, df in tables.items()}
        G.graph["dtypes"] = {t: {c: str(dt) for c, dt in df.dtypes.items()} for t, df in tables.items()}
        G.graph["files"] = {t: list(dict.fromkeys(df["_file"].astype(str))) for t, df in tables.items()}
        G.graph["tables"] = sorted(tables)
        edge_tables = {r.table for r in RELATIONS}
        G.graph["records"] = {t: _records(df) for t, df in tables.items()
                              if t not in edge_tables and TABLES[t].node_kind is None}
        ids = self._nodes["id"].to_numpy()
        attrs_by_id: dict[str, dict[str, Any]] = {}
        for tname in NODE_TABLES.values():
            if not self._case.has(tname):
                continue
            for rec in _records(self._case[tname]):
                rec["_table"] = tname
                attrs_by_id[str(rec["id"])] = _rename_reserved(rec)
        for i, row in enumerate(self._nodes.itertuples(index=False)):
            G.add_node(ids[i], **{"kind": row.kind, "official": bool(row.official),
                                  **attrs_by_id.get(ids[i], {})})
        for tname in self._edges["table"].astype(str).unique():
            e = self._edges[self._edges["table"] == tname]
            recs = _records(self._case[tname])
            for s, d, kind, pos, prim in zip(e["src"], e["dst"], e["kind"], e["pos"], e["primary"], strict=True):
                if prim and TABLES[tname].node_kind is None:
                    data = _rename_reserved(dict(recs[pos]))
                else:
                    data = {"_file": recs[pos]["_file"], "_row": recs[pos]["_row"]}
                data["_table"] = tname
                G.add_edge(ids[s], ids[d], **{"kind": str(kind), "primary": bool(prim), **data})
        return G

    def to_case(self) -> Case:
        """The case tables the graph holds (the graph is built from them, losslessly)."""
        return self._case


def _digest_frame(h: Any, df: pd.DataFrame) -> None:
    """Feed a frame's columns, dtypes and values (not its index) to the hash ``h``."""
    h.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(len(df).to_bytes(8, "little"))
    for c in df.columns:
        _digest_column(h, df[c])


def _raw(a: np.ndarray) -> memoryview:
    """The bytes of a NumPy array (no copy when it is contiguous)."""
    return np.ascontiguousarray(a).view(np.uint8).data


#: Nullable dtypes whose values and mask are hashed as NumPy bytes.
_MASKED = (pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype, pd.Int64Dtype, pd.UInt8Dtype, pd.UInt16Dtype,
           pd.UInt32Dtype, pd.UInt64Dtype, pd.Float32Dtype, pd.Float64Dtype, pd.BooleanDtype)


def _digest_column(h: Any, col: pd.Series) -> None:
    """Feed one column's values to ``h``: the bytes of its NumPy values, of its Arrow text
    buffers or of its categorical codes and categories (the dtype is hashed by the
    caller); any other column through ``pandas.util.hash_pandas_object``."""
    dtype = col.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        h.update(_raw(col.to_numpy()))
        return
    text = _arrow_text(col)
    if text is not None:
        arr = pa.chunked_array(text).combine_chunks()
        h.update(arr.null_count.to_bytes(8, "little"))
        if arr.null_count:
            h.update(_raw(arr.is_null().to_numpy(zero_copy_only=False)))
            arr = pc.fill_null(arr, "")
        arr = arr.cast(pa.large_string())
        off_buf, data_buf = arr.buffers()[1:3]
        off = np.frombuffer(off_buf, dtype=np.int64, count=len(arr) + 1, offset=arr.offset * 8)
        h.update(_raw(off - off[0]))
        if data_buf is not None:
            h.update(memoryview(data_buf)[int(off[0]):int(off[-1])])
        return
    if isinstance(dtype, _MASKED):
        h.update(_raw(col.isna().to_numpy()))
        h.update(_raw(col.to_numpy(dtype=dtype.numpy_dtype, na_value=0)))
        return
    if isinstance(dtype, pd.CategoricalDtype):
        h.update(repr(dtype.categories.tolist()).encode())
        h.update(_raw(col.cat.codes.to_numpy()))
        return
    try:
        v = pd.util.hash_pandas_object(col, index=False)
    except TypeError:  # unhashable cells (lists in an extra column): hash their text
        v = pd.util.hash_pandas_object(col.astype(str), index=False)
    h.update(v.to_numpy().tobytes())


#: Graph attribute names a record column may not use as is (see CaseGraph.to_networkx).
_RESERVED = ("kind", "official", "primary")


def _rename_reserved(rec: dict[str, Any]) -> dict[str, Any]:
    return {(f"record_{k}" if k in _RESERVED else k): v for k, v in rec.items()}


def _restore_reserved(rec: dict[str, Any]) -> dict[str, Any]:
    return {(k[7:] if k.startswith("record_") and k[7:] in _RESERVED else k): v for k, v in rec.items()}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts without missing values, with plain Python scalars."""
    out = []
    cols = list(df.columns)
    for row in df.itertuples(index=False, name=None):
        d = {}
        for c, v in zip(cols, row, strict=True):
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
                continue
            if isinstance(v, np.generic):
                v = v.item()
            d[c] = v
        out.append(d)
    return out


def _node_table(case: Case) -> pd.DataFrame:
    parts = []
    for kind, tname in NODE_TABLES.items():
        if not case.has(tname):
            continue
        df = case[tname]
        part = pd.DataFrame({"id": df["id"].astype(str), "kind": kind,
                             "name": df[_NAME_COL[kind]].astype("string")})
        # canonical order (by id, code point order): node positions, and so every seeded
        # algorithm (Leiden, sampled betweenness), do not depend on the order of the rows
        order = np.argsort(part["id"].to_numpy(dtype=object), kind="stable")
        parts.append(part.iloc[order].reset_index(drop=True))
    entity_ids = set().union(*[set(p["id"]) for p in parts]) if parts else set()
    units = []
    if case.has("officials"):
        units.extend(case["officials"]["unit"].dropna().astype(str).tolist())
    if case.has("contracts"):
        units.extend(case["contracts"]["issuer_id"].dropna().astype(str).tolist())
    unit_ids = sorted({u for u in units if u not in entity_ids})
    if unit_ids:
        parts.append(pd.DataFrame({"id": unit_ids, "kind": "unit", "name": pd.Series(unit_ids, dtype="string")}))
    nodes = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"id": pd.Series([], dtype=str), "kind": [], "name": pd.Series([], dtype="string")})
    nodes["official"] = nodes["id"].isin(set(case.official_ids())) & (nodes["kind"] == "person")
    nodes["kind"] = nodes["kind"].astype(pd.CategoricalDtype(list(NODE_KINDS)))
    return nodes.reset_index(drop=True)


#: The edge table's columns, in order.
_EDGE_COLUMNS = ("src", "dst", "kind", "table", "pos", "primary", "time", "strength")


def _arrow_text(s: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """An Arrow-backed text column as its Arrow array (no copy), else None."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return s.array.__arrow_array__()
    return None


class _NodeLookup:
    """Node positions of the ids in columns: one Arrow hash lookup over the columns' own
    buffers when they and the node ids are Arrow text, else ``Index.get_indexer`` (the
    same answer: the position of the equal id, -1 for none)."""

    def __init__(self, ids: pd.Series) -> None:
        self.index = pd.Index(ids)
        ids_text = _arrow_text(ids)
        self.ids = (pa.chunked_array(ids_text).combine_chunks()
                    if ids_text is not None and self.index.is_unique else None)

    def positions(self, cols: Sequence[pd.Series], rows: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Node positions (int64, -1 unknown) of each column's ids at its rows."""
        texts = [_arrow_text(c) if self.ids is not None else None for c in cols]
        out: list[np.ndarray | None] = [
            np.asarray(self.index.get_indexer(c.iloc[r].astype(str)), dtype=np.int64) if t is None else None
            for c, t, r in zip(cols, texts, rows, strict=True)]
        arrow = [i for i, t in enumerate(texts) if t is not None]
        if arrow and self.ids is not None:
            chunks = [ch for i in arrow for ch in pa.chunked_array(texts[i]).cast(self.ids.type).chunks]
            whole = pc.index_in(pa.chunked_array(chunks, type=self.ids.type), value_set=self.ids)
            found = np.asarray(pc.fill_null(whole, -1).to_numpy(), dtype=np.int64)
            start = 0
            for i in arrow:
                n = len(cols[i])
                out[i] = found[start:start + n][rows[i]]
                start += n
        return [o for o in out if o is not None]


def _canonical_order(src: np.ndarray, dst: np.ndarray, group: np.ndarray, time: np.ndarray,
                     strength: np.ndarray) -> np.ndarray | None:
    """The order that puts edges in canonical order, None when they already are.

    Sorted by table and kind (``group``), endpoints, time and strength; records equal in
    all of these are interchangeable for every algorithm (they keep their row order).
    So sums over edges (:meth:`CaseGraph.adjacency`) add the same numbers in the same
    order, to the last bit, whatever order the exports listed the records in.
    """
    t = time.view(np.int64)  # NaT sorts first
    group = group.astype(np.int64)
    bits = max(1, int(max(src.max(initial=0), dst.max(initial=0))).bit_length())
    if 11 + 2 * bits <= 63:  # table, kind, src and dst packed in one int64 key
        keys: tuple[np.ndarray, ...] = ((group << (2 * bits)) | (src << bits) | dst,)
    else:
        keys = (dst, src, group)
    # stable: records equal in every key keep their row order (pos), as built
    order = np.lexsort((strength, t, *keys))
    if (order[1:] > order[:-1]).all():  # already in canonical order: no copy
        return None
    return order


def build_graph(case: Case) -> CaseGraph:
    """Build the in-memory :class:`CaseGraph` of a validated case.

    Nodes are ordered by kind, then by id; edges by table, kind, endpoints, time and
    strength. Node positions and edge order therefore depend only on the facts, not on
    the order of the rows in the input: the same case with its rows shuffled gives the
    same graph, the same seeded algorithm results and the same scores.

    Parameters
    ----------
    case : Case
        From :func:`~umbrella_graph.load_case` or :func:`~umbrella_graph.case_from_frames`.

    Returns
    -------
    CaseGraph
    """
    nodes = _node_table(case)
    table_no = {t: i for i, t in enumerate(TABLES)}
    cols: dict[str, list[np.ndarray]] = {c: [] for c in _EDGE_COLUMNS if c not in ("src", "dst")}
    ends: list[pd.Series] = []  # the id columns of the endpoints: src, dst of each part
    rows: list[np.ndarray] = []
    for tname in dict.fromkeys(r.table for r in RELATIONS):
        if not case.has(tname):
            continue
        df = case[tname]
        if not len(df):
            continue
        carried = np.zeros(len(df), dtype=bool)
        is_node_table = TABLES[tname].node_kind is not None
        rels = _primary_relation(tname)
        time_col = next((c for c in ("date", "time", "start_date") if c in df.columns), None)
        times = df[time_col].to_numpy(dtype="datetime64[ns]") if time_col else None
        for k, rel in enumerate(rels):
            src = df[rel.src]
            dst = df[rel.dst]
            ok = (src.notna() & dst.notna()).to_numpy()
            last = k == len(rels) - 1
            if tname == "officials" and last:
                # a post with neither jurisdiction nor unit: keep it as a self-loop so no
                # record is lost (primary=True)
                orphan = ~carried & ~ok
                dst = dst.where(~orphan, src)
                ok = ok | orphan
            pos = np.flatnonzero(ok)
            if not len(pos):
                continue
            primary = ~carried[pos] if not is_node_table else np.zeros(len(pos), dtype=bool)
            carried[pos] = True
            ends += [src, dst]
            rows += [pos, pos]
            t = times[pos] if times is not None else np.full(len(pos), np.datetime64("NaT"), dtype="datetime64[ns]")
            if rel.strength is not None and rel.strength in df.columns:
                # an optional strength column (ties.weight) may be absent from a case
                # made before it existed (e.g. a pickled Case): then every record counts 1
                s = df[rel.strength].astype("float64").fillna(1.0).to_numpy()[pos]
            else:
                s = np.ones(len(pos))
            cols["pos"].append(pos.astype(np.int64))
            cols["primary"].append(primary)
            cols["time"].append(t)
            cols["strength"].append(s)
            cols["kind"].append(np.full(len(pos), EDGE_KINDS.index(rel.kind), dtype=np.int8))
            cols["table"].append(np.full(len(pos), table_no[tname], dtype=np.int8))
    if ends:
        found = _NodeLookup(nodes["id"]).positions(ends, rows)
        arrays = {"src": np.concatenate(found[0::2]), "dst": np.concatenate(found[1::2]),
                  **{c: np.concatenate(v) for c, v in cols.items()}}
        del found
    else:
        arrays = {"src": np.zeros(0, np.int64), "dst": np.zeros(0, np.int64), "kind": np.zeros(0, np.int8),
                  "table": np.zeros(0, np.int8), "pos": np.zeros(0, np.int64), "primary": np.zeros(0, bool),
                  "time": np.zeros(0, "datetime64[ns]"), "strength": np.zeros(0)}
    group = arrays["table"].astype(np.int64) * 64 + arrays["kind"]
    order = _canonical_order(arrays["src"], arrays["dst"], group, arrays["time"], arrays["strength"])
    if order is not None:
        arrays = {c: v[order] for c, v in arrays.items()}
    # kind and table: categoricals made from their codes (the schema orders)
    arrays["kind"] = pd.Categorical.from_codes(arrays["kind"], dtype=pd.CategoricalDtype(list(EDGE_KINDS)))
    arrays["table"] = pd.Categorical.from_codes(arrays["table"], dtype=pd.CategoricalDtype(list(TABLES)))
    edges = pd.DataFrame({c: arrays[c] for c in _EDGE_COLUMNS})
    del arrays, cols, ends, rows
    release_freed_memory()
    return CaseGraph(case, nodes, edges)


def from_networkx(G: nx.Graph, *, weight: str | None = "weight", name: str | None = None) -> CaseGraph:
    """A :class:`CaseGraph` from any NetworkX graph.

    A graph made by :meth:`CaseGraph.to_networkx` (it carries ``G.graph["tables"]``) is
    rebuilt exactly: records are read back from node attributes (node tables), from
    primary edges (the other tables) and from ``G.graph["records"]`` (tables without
    edges), put back in their file and row order, given back their column order and
    dtypes, and validated again, so ``from_networkx(build_graph(case).to_networkx()).case``
    equals ``case``.

    Any other graph (``Graph``, ``DiGraph``, ``MultiGraph``, ``MultiDiGraph``) is read as a
    generic network (see :func:`umbrella_graph.network.load_edges`): nodes become people
    (companies when their ``kind``/``type`` is one of
    :data:`~umbrella_graph.network.COMPANY_TYPES`), named by their ``name`` or ``label``
    attribute or else their id (ids as text); edges become ties whose ``kind`` is their
    ``kind``/``type``/``relation``/``label`` attribute (default ``"link"``), whose
    ``weight`` is the ``weight`` attribute and whose ``time`` is their ``time``/``date``
    attribute; every other attribute is kept as a column (lists and dicts as JSON text).

    Parameters
    ----------
    G : networkx graph
    weight : str or None, default "weight"
        Generic graphs: the edge attribute holding the tie strength (on every edge or on
        none; without it every edge counts 1).
    name : str, optional
        Generic graphs: the case name (default ``G.graph["name"]``).

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a", "b"], "name": ["甲", "乙"], "note": ["x", None]}),
    ...     ties=pd.DataFrame({"src": ["a"], "dst": ["b"], "kind": ["spouse"]}))
    >>> G = build_graph(case).to_networkx()
    >>> G.edges["a", "b", 0]["kind"], G.edges["a", "b", 0]["record_kind"]
    ('tie', 'spouse')
    >>> from_networkx(G).case.equals(case)
    True

    A plain graph:

    >>> K = nx.karate_club_graph()
    >>> g = from_networkx(K)
    >>> g.number_of_nodes(), g.number_of_edges("tie"), float(g.edges["strength"].max())
    (34, 78, 7.0)
    """
    if not isinstance(G, nx.Graph):
        raise ParameterError.invalid("G", "from_networkx", "a NetworkX graph", type(G).__name__)
    if "tables" not in G.graph or "columns" not in G.graph:
        from .io.edge_lists import case_of_networkx

        return build_graph(case_of_networkx(G, weight=weight, name=name))
    from .validate import case_from_frames

    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in G.graph.get("tables", [])}
    for _, data in G.nodes(data=True):
        t = data.get("_table")
        if t is not None:
            rec = {k: v for k, v in data.items() if k not in ("kind", "official", "_table")}
            rows.setdefault(t, []).append(_restore_reserved(rec))
    for _, _, data in G.edges(data=True):
        t = data.get("_table")
        if t is None or not data.get("primary") or TABLES[t].node_kind is not None:
            continue
        rec = {k: v for k, v in data.items() if k not in ("kind", "primary", "_table")}
        rows.setdefault(t, []).append(_restore_reserved(rec))
    for t, recs in (G.graph.get("records") or {}).items():
        rows.setdefault(t, []).extend(dict(r) for r in recs)
    columns: dict[str, list[str]] = G.graph.get("columns", {})
    dtypes: dict[str, dict[str, str]] = G.graph.get("dtypes", {})
    file_order: dict[str, list[str]] = G.graph.get("files", {})
    frames = {}
    for t, recs in rows.items():
        df = pd.DataFrame(recs, columns=columns.get(t) or None)
        if "_file" in df.columns and len(df):
            rank = {f: i for i, f in enumerate(file_order.get(t, []))}
            key = df["_file"].map(rank).fillna(len(rank))
            df = (df.assign(_order_=key).sort_values(["_order_", "_row"], kind="stable")
                  .drop(columns="_order_").reset_index(drop=True))
        for c, dt in dtypes.get(t, {}).items():
            if c not in df.columns:
                continue
            if dt.startswith("datetime64"):
                df[c] = pd.to_datetime(df[c]).astype(dt)
            else:
                with contextlib.suppress(TypeError, ValueError):  # a dtype pandas cannot name back
                    df[c] = df[c].astype(dt)
        frames[t] = df
    return build_graph(case_from_frames(frames, name=G.graph.get("case_name"), aliases=False))
