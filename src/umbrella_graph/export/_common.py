"""What every exporter shares: the export network of a case, typed attribute values, and
formula-neutral CSV cells."""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..case import Case
from ..errors import ParameterError
from ..graph import _RESERVED, CaseGraph, build_graph
from ..io.export import neutralise_cell
from ..schema import NODE_TABLES, RELATIONS, TABLES

__all__ = ["neutralize", "export_network", "Elements", "DYNAMIC_KINDS", "SCHEMA_DIR", "attribute_types", "plain",
           "compact_rules"]

#: Edge kinds placed on a timeline (GEXF ``start``/``end``): money and contacts.
DYNAMIC_KINDS: tuple[str, ...] = ("transaction", "contact")
#: The XML schemas shipped with the package (GEXF 1.3, GraphML 1.0).
SCHEMA_DIR = Path(__file__).with_name("schemas")

def compact_rules() -> dict[str, dict[str, str]]:
    """Record columns a compact GEXF/GraphML file does not repeat, by edge kind.

    Edge kind -> {record column: ``"source"``, ``"target"`` or ``"time"``}: the column
    holds the edge's own source id, target id or time, so a compact file leaves it out
    wherever the value is the same (:func:`~umbrella_graph.export.expand_compact` puts it
    back). Only kinds whose every edge carries its record's columns are listed (tables
    with one relation and no node of their own: ties, transactions, contacts, members,
    company roles).

    Examples
    --------
    >>> compact_rules()["transaction"]
    {'src': 'source', 'dst': 'target', 'date': 'time'}
    """
    per_table: dict[str, list[Any]] = {}
    for rel in RELATIONS:
        per_table.setdefault(rel.table, []).append(rel)
    out: dict[str, dict[str, str]] = {}
    for table, rels in per_table.items():
        spec = TABLES[table]
        if len(rels) != 1 or spec.node_kind is not None:
            continue
        rel = rels[0]
        cols = [c.name for c in spec.columns]
        rule = {_export_name(rel.src): "source", _export_name(rel.dst): "target"}
        time_col = next((c for c in ("date", "time", "start_date") if c in cols), None)
        if time_col is not None and _export_name(time_col) != "time":
            rule[_export_name(time_col)] = "time"
        out[rel.kind] = rule
    return out


def _export_name(col: str) -> str:
    return f"record_{col}" if col in _RESERVED else ("record_id" if col == "id" else col)


def neutralize(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula: the library's one
    rule, :func:`umbrella_graph.io.export.neutralise_cell` (``=``, ``+``, ``-``, ``@``, tab,
    CR, their full-width forms, also after leading spaces); numbers, dates and missing
    values are left alone.

    Examples
    --------
    >>> neutralize("=HYPERLINK(\\"http://x\\")"), neutralize("-5 元"), neutralize(-5.0), neutralize("张三")
    ('\\'=HYPERLINK("http://x")', "'-5 元", -5.0, '张三')
    """
    return neutralise_cell(value)


def plain(value: Any) -> Any:
    """A value as a plain Python scalar for export: None for missing, ISO text for dates,
    JSON text for lists and dicts, Python numbers for NumPy ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | _dt.datetime):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m-%dT%H:%M:%S") if ts.tzinfo is None else ts.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple | set | frozenset):
        seq = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return json.dumps(seq, ensure_ascii=False, default=str, sort_keys=True)
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def attribute_types(items: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Attribute name -> ``"boolean"``, ``"long"``, ``"double"`` or ``"string"`` (the
    narrowest type every non-missing value fits), in first-seen order."""
    kinds: dict[str, set[str]] = {}
    for d in items:
        for k, v in d.items():
            s = kinds.setdefault(k, set())
            if v is None:
                continue
            s.add("boolean" if isinstance(v, bool) else "long" if isinstance(v, int)
                  else "double" if isinstance(v, float) else "string")
    out = {}
    for k, s in kinds.items():
        if s == {"boolean"}:
            out[k] = "boolean"
        elif s == {"long"}:
            out[k] = "long"
        elif s and s <= {"long", "double"}:
            out[k] = "double"
        else:
            out[k] = "string"
    return out


_BAD_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"


def _xml_safe(v: Any) -> Any:
    return re.sub(_BAD_XML, "\ufffd", v) if isinstance(v, str) and not v.isprintable() else v


def _plain_columns(df: pd.DataFrame) -> dict[str, list[Any]]:
    """Each column as a list of plain values (:func:`plain`), converted column by column:
    dates to ISO text, NumPy and pandas missing values to None, text with characters XML
    cannot hold replaced by U+FFFD."""
    out: dict[str, list[Any]] = {}
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            iso = col.dt.strftime("%Y-%m-%dT%H:%M:%S")
            vals = iso.astype(object).where(col.notna(), None).tolist()
        elif pd.api.types.is_bool_dtype(col) and col.dtype == bool:
            vals = col.tolist()
        elif pd.api.types.is_numeric_dtype(col):
            vals = col.astype(object).where(col.notna(), None).tolist()
            vals = [v.item() if isinstance(v, np.generic) else v for v in vals]
        elif pd.api.types.is_string_dtype(col) and col.dtype != object:
            vals = col.str.replace(_BAD_XML, "\ufffd", regex=True).astype(object).where(col.notna(), None).tolist()
        else:
            vals = [plain(v) for v in col.tolist()]
            vals = [re.sub(_BAD_XML, "\ufffd", v) if isinstance(v, str) else v for v in vals]
        out[str(c)] = vals
    return out


def _column_type(col: pd.Series) -> str:
    if col.dtype == bool or str(col.dtype) == "boolean":
        return "boolean"
    if pd.api.types.is_integer_dtype(col):
        return "long"
    if pd.api.types.is_numeric_dtype(col):
        return "double"
    return "string"


def _merge_types(types: dict[str, str], name: str, t: str) -> None:
    old = types.get(name)
    if old is None or old == t:
        types[name] = t
    elif {old, t} <= {"long", "double"}:
        types[name] = "double"
    else:
        types[name] = "string"


def _node_items(graph: CaseGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    attrs_by_id: dict[str, dict[str, Any]] = {}
    case = graph.case
    for tname in NODE_TABLES.values():
        if case.has(tname):
            cols = _plain_columns(_renamed(case[tname]))
            keys = list(cols)
            for vals in zip(*cols.values(), strict=True):
                rec = {k: v for k, v in zip(keys, vals, strict=True) if v is not None}
                rec["_table"] = tname
                attrs_by_id[str(rec["id"])] = rec
    ids = graph.nodes["id"].astype(str).to_numpy()
    names = graph.nodes["name"].to_numpy()
    for i, row in enumerate(graph.nodes.itertuples(index=False)):
        data = {"kind": str(row.kind), "name": plain(names[i]) or ids[i], "official": bool(row.official)}
        for k, v in attrs_by_id.get(ids[i], {}).items():
            if k not in ("id", "name"):
                data[k] = v
        yield ids[i], data


def _renamed(df: pd.DataFrame) -> pd.DataFrame:
    """Record columns named like graph attributes become ``record_<name>`` (as in
    :meth:`~umbrella_graph.CaseGraph.to_networkx`)."""
    return df.rename(columns={c: f"record_{c}" for c in df.columns if c in _RESERVED})


def _edge_items(graph: CaseGraph) -> Iterator[tuple[str, str, dict[str, Any]]]:
    e = graph.edges
    ids = graph.nodes["id"].astype(str).to_numpy()
    times = pd.Series(e["time"].to_numpy()).dt.strftime("%Y-%m-%dT%H:%M:%S")
    times = times.astype(object).where(pd.Series(e["time"].to_numpy()).notna(), None).tolist()
    for table in e["table"].astype(str).unique():
        sel = np.flatnonzero((e["table"].astype(str) == table).to_numpy())
        df = _renamed(graph.case[table]).rename(columns={"id": "record_id"})
        cols = _plain_columns(df)
        files, rows = cols["_file"], cols["_row"]
        keys = list(cols)
        node_table = TABLES[table].node_kind is not None
        sub = e.iloc[sel]
        for j, s, d, kind, pos, prim, strength in zip(
                sel, sub["src"].to_numpy(), sub["dst"].to_numpy(), sub["kind"].astype(str), sub["pos"].to_numpy(),
                sub["primary"].to_numpy(), sub["strength"].to_numpy(), strict=True):
            data: dict[str, Any] = {"kind": kind, "table": table, "strength": float(strength), "time": times[j]}
            p = int(pos)
            if prim and not node_table:
                for k in keys:
                    v = cols[k][p]
                    if v is not None and k not in data:
                        data[k] = v
            else:
                data["_file"], data["_row"] = files[p], rows[p]
            yield ids[s], ids[d], data


def _case_types(graph: CaseGraph) -> tuple[dict[str, str], dict[str, str]]:
    """Attribute types of a case export from the tables' dtypes (no pass over the values)."""
    nt: dict[str, str] = {"kind": "string", "name": "string", "official": "boolean"}
    et: dict[str, str] = {"kind": "string", "table": "string", "strength": "double", "time": "string"}
    case = graph.case
    for tname in NODE_TABLES.values():
        if case.has(tname):
            df = _renamed(case[tname])
            for c in df.columns:
                if c not in ("id", "name"):
                    _merge_types(nt, str(c), _column_type(df[c]))
            nt.setdefault("_table", "string")
    for table in graph.edges["table"].astype(str).unique():
        df = _renamed(case[table]).rename(columns={"id": "record_id"})
        if TABLES[table].node_kind is None:
            for c in df.columns:
                if c not in et:
                    _merge_types(et, str(c), _column_type(df[c]))
        else:
            _merge_types(et, "_file", "string")
            _merge_types(et, "_row", "long")
    return nt, et


def _most_common(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """For each key every item has (not None), its most common value (first seen on ties)."""
    counts: dict[str, dict[Any, int]] = {}
    n = 0
    for d in items:
        n += 1
        for k, v in d.items():
            if v is not None:
                c = counts.setdefault(k, {})
                key = (type(v), v)
                c[key] = c.get(key, 0) + 1
    out: dict[str, Any] = {}
    for k, c in counts.items():
        if sum(c.values()) == n and n:
            out[k] = max(c.items(), key=lambda kv: kv[1])[0][1]
    return out


def _mode(values: pd.Series) -> Any:
    vc = values.value_counts(sort=True, dropna=True)
    return vc.index[0] if len(vc) else None


def _case_defaults(graph: CaseGraph) -> tuple[dict[str, Any], dict[str, Any]]:
    """Defaults of a case export from the graph tables (no pass over the records): node
    ``kind`` and ``official``; edge ``kind``, ``table``, ``strength`` and ``_file``."""
    nodes, e = graph.nodes, graph.edges
    nd: dict[str, Any] = {}
    ed: dict[str, Any] = {}
    if len(nodes):
        nd = {"kind": str(_mode(nodes["kind"].astype(str))), "official": bool(_mode(nodes["official"].astype(bool)))}
    if len(e):
        ed = {"kind": str(_mode(e["kind"].astype(str))), "table": str(_mode(e["table"].astype(str))),
              "strength": float(_mode(e["strength"].astype(float)))}
        files: Counter[str] = Counter()
        complete = True
        for table in e["table"].astype(str).unique():
            pos = e.loc[(e["table"].astype(str) == table).to_numpy(), "pos"].to_numpy()
            df = graph.case[table]
            if "_file" not in df.columns:
                complete = False
                continue
            col = df["_file"].iloc[pos]
            complete &= bool(col.notna().all())
            files.update(col.dropna().astype(str).value_counts().to_dict())
        if files and complete:
            ed["_file"] = files.most_common(1)[0][0]
    return nd, ed


class Elements:
    """The nodes and edges of an export, as generators that can be run more than once
    (writers run them twice: once to type the attributes, once to write), so a city of
    a hundred thousand people is never held as a NetworkX graph."""

    def __init__(self, obj: CaseGraph | Case | nx.Graph, func: str) -> None:
        if isinstance(obj, Case):
            obj = build_graph(obj)
        if not isinstance(obj, CaseGraph | nx.Graph):
            raise ParameterError.invalid("graph", func, "a CaseGraph, a Case or a NetworkX graph",
                                         type(obj).__name__)
        self._obj = obj
        self.is_case = isinstance(obj, CaseGraph)
        if isinstance(obj, CaseGraph):
            self.name = obj.case.name or "case"
            self.directed = True
            self.n_nodes, self.n_edges = obj.number_of_nodes(), obj.number_of_edges()
        else:
            self.name = str(obj.graph.get("name") or "graph")
            self.directed = obj.is_directed()
            self.n_nodes, self.n_edges = obj.number_of_nodes(), obj.number_of_edges()

    def nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(self._obj, CaseGraph):
            yield from _node_items(self._obj)
        else:
            for n, data in self._obj.nodes(data=True):
                yield str(n), {str(k): _xml_safe(plain(v)) for k, v in data.items()}

    def edges(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        if isinstance(self._obj, CaseGraph):
            yield from _edge_items(self._obj)
        else:
            for u, v, data in self._obj.edges(data=True):
                yield str(u), str(v), {str(k): _xml_safe(plain(x)) for k, x in data.items()}

    def types(self) -> tuple[dict[str, str], dict[str, str]]:
        """Node and edge attribute types (``boolean``, ``long``, ``double``, ``string``)."""
        if isinstance(self._obj, CaseGraph):
            return _case_types(self._obj)
        return (attribute_types(d for _, d in self.nodes()), attribute_types(d for *_, d in self.edges()))

    def defaults(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Node and edge attribute defaults for a compact file: for each attribute every
        node (edge) has, its most common value."""
        if isinstance(self._obj, CaseGraph):
            return _case_defaults(self._obj)
        return (_most_common(d for _, d in self.nodes()), _most_common(d for *_, d in self.edges()))

    def timed(self, kinds: tuple[str, ...]) -> bool:
        """Whether an edge of ``kinds`` has a time."""
        if isinstance(self._obj, CaseGraph):
            e = self._obj.edges
            return bool((e["kind"].astype(str).isin(kinds) & e["time"].notna()).any())
        return any(d.get("kind") in kinds and d.get("time") for *_, d in self.edges())


def export_network(obj: CaseGraph | Case | nx.Graph) -> nx.MultiDiGraph:
    """The network every graph export writes: one node per case node, one edge per record.

    Node attributes: ``kind``, ``name``, ``official`` and the node's record columns;
    edge attributes: ``kind``, ``table``, ``strength``, ``time`` (ISO text or None) and
    the record's columns (``_file``, ``_row`` always; the record's ``id`` as ``record_id``,
    since ``id`` is the edge's own id in GEXF, GraphML and Cytoscape). Every value is a plain scalar
    (:func:`plain`). A NetworkX graph is exported as it is (values made plain).
    """
    if isinstance(obj, Case):
        obj = build_graph(obj)
    G = nx.MultiDiGraph()
    if isinstance(obj, CaseGraph):
        G.graph["name"] = obj.case.name or "case"
        for n, data in _node_items(obj):
            G.add_node(n, **data)
        for j, (s, d, data) in enumerate(_edge_items(obj)):
            G.add_edge(s, d, key=j, **data)
        return G
    if isinstance(obj, nx.Graph):
        G.graph["name"] = str(obj.graph.get("name") or "graph")
        G.graph["directed"] = obj.is_directed()
        for n, data in obj.nodes(data=True):
            G.add_node(str(n), **{str(k): plain(v) for k, v in data.items()})
        for j, (u, v, data) in enumerate(obj.edges(data=True)):
            G.add_edge(str(u), str(v), key=j, **{str(k): plain(x) for k, x in data.items()})
        return G
    raise ParameterError.invalid("graph", "export", "a CaseGraph, a Case or a NetworkX graph", type(obj).__name__)
