"""What every exporter shares: the export network of a case, typed attribute values, and
formula-neutral CSV cells."""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..case import Case
from ..errors import ParameterError
from ..graph import CaseGraph, _records, _rename_reserved, build_graph
from ..schema import NODE_TABLES, TABLES

__all__ = ["neutralize", "export_network", "Elements", "DYNAMIC_KINDS", "SCHEMA_DIR", "attribute_types", "plain"]

#: Edge kinds placed on a timeline (GEXF ``start``/``end``): money and contacts.
DYNAMIC_KINDS: tuple[str, ...] = ("transaction", "contact")
#: The XML schemas shipped with the package (GEXF 1.3, GraphML 1.0).
SCHEMA_DIR = Path(__file__).with_name("schemas")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
    prefixed; numbers (also negative ones), dates and missing values are left alone.

    Examples
    --------
    >>> neutralize("=HYPERLINK(\\"http://x\\")"), neutralize("-5 元"), neutralize(-5.0), neutralize("张三")
    ('\\'=HYPERLINK("http://x")', "'-5 元", -5.0, '张三')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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


def _node_items(graph: CaseGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    attrs_by_id: dict[str, dict[str, Any]] = {}
    case = graph.case
    for tname in NODE_TABLES.values():
        if case.has(tname):
            for rec in _records(case[tname]):
                rec["_table"] = tname
                attrs_by_id[str(rec["id"])] = _rename_reserved(rec)
    ids = graph.nodes["id"].astype(str).to_numpy()
    names = graph.nodes["name"].to_numpy()
    for i, row in enumerate(graph.nodes.itertuples(index=False)):
        data = {"kind": str(row.kind), "name": plain(names[i]) or ids[i], "official": bool(row.official)}
        for k, v in attrs_by_id.get(ids[i], {}).items():
            if k not in ("id", "name"):
                data[k] = plain(v)
        yield ids[i], data


def _edge_items(graph: CaseGraph) -> Iterator[tuple[str, str, dict[str, Any]]]:
    e = graph.edges
    ids = graph.nodes["id"].astype(str).to_numpy()
    cache: dict[str, list[dict[str, Any]]] = {}
    times = e["time"].to_numpy()
    for j, (s, d, kind, table, pos, prim, strength) in enumerate(zip(
            e["src"].to_numpy(), e["dst"].to_numpy(), e["kind"].astype(str), e["table"].astype(str),
            e["pos"].to_numpy(), e["primary"].to_numpy(), e["strength"].to_numpy(), strict=True)):
        if table not in cache:
            cache[table] = _records(graph.case[table])
        rec = cache[table][int(pos)]
        data: dict[str, Any] = {"kind": kind, "table": table, "strength": float(strength),
                                "time": plain(pd.Timestamp(times[j])) if not pd.isna(times[j]) else None}
        if prim and TABLES[table].node_kind is None:
            for k, v in _rename_reserved(rec).items():
                k = "record_id" if k == "id" else k  # "id" is the file's own edge id
                if k not in data:
                    data[k] = plain(v)
        else:
            data["_file"], data["_row"] = plain(rec["_file"]), plain(rec["_row"])
        yield ids[s], ids[d], data


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
                yield str(n), {str(k): plain(v) for k, v in data.items()}

    def edges(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        if isinstance(self._obj, CaseGraph):
            yield from _edge_items(self._obj)
        else:
            for u, v, data in self._obj.edges(data=True):
                yield str(u), str(v), {str(k): plain(x) for k, x in data.items()}


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
