"""Any network in: edge lists, two-mode tables and plain NetworkX graphs as cases.

Not every network has officials or gangs. A meeting network from a wiretap, the
attendance of suspects at summits, a known-associate dossier: these are plain
graphs of people (and sometimes companies), with or without names, dates or weights.
This module makes them first-class:

* :func:`load_edges` reads an edge list (a DataFrame or a CSV file) and, optionally, a
  node list, into a validated :class:`~umbrella_graph.case.Case`: nodes become
  ``people`` (or ``companies`` when their type says so), edges become ``ties`` whose
  ``kind`` is the edge type and whose ``weight`` is the tie's strength. A two-mode
  table (person x meeting) is projected on one mode: two people are tied once per
  pair, with ``weight`` = meetings attended together and ``via`` = those meetings.
* :func:`network_case` does the same for frames already in memory and is what
  :func:`umbrella_graph.from_networkx` uses for a graph that did not come from
  :meth:`~umbrella_graph.CaseGraph.to_networkx`.
* :func:`analyze_network` is the whole-network analysis: centralities, communities and
  their stability across seeds, brokers, articulation points, k-cores and the
  disruption curves of every strategy.

Names, times and weights are optional: a node without a name is shown by its id, an
edge without a time is undated, an edge without a weight counts 1. Node and edge types
are kept (``node_type`` on people and companies, ``kind`` on ties), and so is every
other column, as it came.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import combinations
from pathlib import Path
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph
from sklearn.metrics import adjusted_rand_score

from ._compat import renamed_keyword
from .case import Case, LoadReport
from .errors import CaseError, ParameterError, Problem, mask_value
from .graph import CaseGraph, build_graph

__all__ = ["load_edges", "network_case", "analyze_network", "NetworkAnalysis", "NETWORK_KINDS",
           "COMPANY_TYPES"]

logger = logging.getLogger(__name__)

#: Edge kinds that make up "the network" in :func:`analyze_network` (records between
#: people and companies: ties, money, contacts, company roles, contract approvals).
NETWORK_KINDS: tuple[str, ...] = ("tie", "transaction", "contact", "company_role", "approval")
#: Node types (case-insensitive) that :func:`load_edges` reads as companies, not people.
COMPANY_TYPES: frozenset[str] = frozenset({"company", "companies", "organization", "organisation",
                                           "legalentity", "legal_entity", "business", "firm", "公司", "企业"})

_RESERVED_EDGE = ("src", "dst", "kind", "weight", "time", "via")
_RESERVED_NODE = ("id", "name", "node_type")


def _problem(code: str, table: str, file: str, row: int | None, column: str | None, value: Any,
             expected: str) -> Problem:
    return Problem(code, table, file, row, column, mask_value(column, value) if value is not None else "<absent>",
                   expected, "error")


def _read(source: pd.DataFrame | str | Path, what: str, encoding: str | None) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source.reset_index(drop=True), f"<DataFrame {what}>"
    if isinstance(source, str | Path):
        from .io.csv_files import NULL_TOKENS, detect_encoding

        p = Path(source)
        if not p.is_file():
            raise CaseError([_problem("missing_file", what, p.name, None, None, None,
                                      f"an existing CSV file of {what}")])
        enc = encoding or detect_encoding(p)
        df = pd.read_csv(p, dtype=str, encoding=enc, keep_default_na=False, na_values=list(NULL_TOKENS))
        return df, p.name
    raise ParameterError.invalid(what, "load_edges", "a pandas DataFrame or the path of a CSV file",
                                 type(source).__name__)


def _need(df: pd.DataFrame, col: str | None, what: str, file: str, param: str) -> None:
    if col is not None and col not in df.columns:
        raise CaseError([_problem("missing_column", what, file, None, col, None,
                                  f"a column {col!r} (the {param!r} of load_edges); the file has "
                                  f"{len(df.columns)} column(s)")])


def _text_ids(s: pd.Series) -> pd.Series:
    """Ids as text: integers stay integers (``3``, not ``3.0``); missing stays missing."""
    def one(v: Any) -> Any:
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return pd.NA
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, np.generic):
            v = v.item()
        return str(v).strip()
    return pd.Series([one(v) for v in s], index=s.index, dtype="string")


def _rename_extra(df: pd.DataFrame, used: Sequence[str | None], reserved: Sequence[str],
                  prefix: str) -> pd.DataFrame:
    """Extra columns kept, renamed ``<prefix>_<name>`` if they clash with a canonical one."""
    keep = [c for c in df.columns if c not in set(u for u in used if u)]
    out = df[keep].copy()
    out.columns = [f"{prefix}_{c}" if str(c) in reserved or str(c).startswith("_") else str(c) for c in keep]
    return out


def _parse_time(s: pd.Series, table: str, file: str, col: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.astype("datetime64[ns]")
    t = pd.to_datetime(s, errors="coerce", format="mixed")
    bad = s.notna() & t.isna() & (s.astype("string").str.strip() != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise CaseError([_problem("bad_date", table, file, i + 2, col, s.iloc[i],
                                  "a date or date-time (2020-03-01, 2020-03-01 14:30)")])
    return t.astype("datetime64[ns]")


def _parse_weight(s: pd.Series, table: str, file: str, col: str) -> pd.Series:
    w = pd.to_numeric(s, errors="coerce").astype("float64")
    bad = (s.notna() & (w.isna() | ~np.isfinite(w.fillna(1.0)) | (w <= 0))).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CaseError([_problem("bad_weight", table, file, i + 2, col, s.iloc[i],
                                  "a positive number (how strong the tie is)")])
    return w


def _project(e: pd.DataFrame, keep: pd.Series, file: str, kind: str) -> pd.DataFrame:
    """Person x event rows -> one tie per pair of people sharing events."""
    a_in, b_in = e["src"].isin(keep).to_numpy(), e["dst"].isin(keep).to_numpy()
    wrong = np.flatnonzero(a_in == b_in)
    if len(wrong):
        i = int(wrong[0])
        raise CaseError([_problem("not_two_mode", "ties", file, int(e["_row"].iat[i]), "src", e["src"].iat[i],
                                  "an edge between a node of the projected mode and a node of the other "
                                  "mode (two_mode= names the node column that tells them apart)")])
    person = np.where(a_in, e["src"], e["dst"])
    event = np.where(a_in, e["dst"], e["src"])
    att = pd.DataFrame({"p": person, "e": event, "row": e["_row"].to_numpy()})
    rows_of = att.groupby(["p", "e"], sort=False)["row"].min().to_dict()
    att = att.drop_duplicates(["p", "e"])
    pairs: dict[tuple[str, str], list[str]] = {}
    for ev, grp in att.groupby("e", sort=True):
        members = sorted(grp["p"].astype(str))
        for a, b in combinations(members, 2):
            pairs.setdefault((a, b), []).append(str(ev))
    rows = [{"src": a, "dst": b, "kind": kind, "weight": float(len(evs)), "via": "; ".join(evs),
             "via_rows": "; ".join(f"{rows_of[(a, ev)]},{rows_of[(b, ev)]}" for ev in evs)}
            for (a, b), evs in sorted(pairs.items())]
    out = pd.DataFrame(rows, columns=["src", "dst", "kind", "weight", "via", "via_rows"])
    out["_file"] = file
    out["_row"] = np.arange(2, len(out) + 2, dtype=np.int64)
    return out


def network_case(
    edges: pd.DataFrame,
    nodes: pd.DataFrame | None = None,
    *,
    source: str = "source",
    target: str = "target",
    weight: str | None = None,
    kind: str | None = None,
    time: str | None = None,
    node_id: str = "id",
    name: str | None = None,
    node_type: str | None = None,
    two_mode: str | None = None,
    project_on: Any = None,
    default_kind: str = "link",
    edges_file: str = "<DataFrame edges>",
    nodes_file: str = "<DataFrame nodes>",
    case_name: str | None = None,
) -> Case:
    """Build a case from an edge frame and an optional node frame (see :func:`load_edges`).

    Examples
    --------
    >>> import pandas as pd
    >>> case = network_case(pd.DataFrame({"source": [1, 2], "target": [2, 3], "n": [4, 1]}), weight="n")
    >>> case["people"]["id"].tolist(), case["ties"]["weight"].tolist()
    (['1', '2', '3'], [4.0, 1.0])
    """
    e_raw = edges.reset_index(drop=True)
    for col, param in ((source, "source"), (target, "target"), (weight, "weight"), (kind, "kind"), (time, "time")):
        _need(e_raw, col, "edges", edges_file, param)
    if not isinstance(default_kind, str) or not default_kind.strip():
        raise ParameterError.invalid("default_kind", "load_edges", "a non-empty string", default_kind)
    report = LoadReport()
    e = pd.DataFrame({"src": _text_ids(e_raw[source]), "dst": _text_ids(e_raw[target])})
    e["kind"] = (e_raw[kind].astype("string").str.strip() if kind else pd.Series(default_kind, index=e.index,
                                                                                   dtype="string"))
    if weight:
        e["weight"] = _parse_weight(e_raw[weight], "ties", edges_file, weight)
    if time:
        e["time"] = _parse_time(e_raw[time], "ties", edges_file, time)
    if "_row" in e_raw.columns and "_file" in e_raw.columns:
        e["_file"], e["_row"] = e_raw["_file"].astype(str), e_raw["_row"].astype(np.int64)
    else:
        e["_file"] = edges_file
        e["_row"] = np.arange(2, len(e) + 2, dtype=np.int64)
    extra_e = _rename_extra(e_raw, [source, target, weight, kind, time, "_file", "_row"], _RESERVED_EDGE, "edge")

    n: pd.DataFrame | None = None
    if nodes is not None:
        n_raw = nodes.reset_index(drop=True)
        for col, param in ((node_id, "node_id"), (name, "name"), (node_type, "node_type"), (two_mode, "two_mode")):
            _need(n_raw, col, "nodes", nodes_file, param)
        n = pd.DataFrame({"id": _text_ids(n_raw[node_id])})
        n["name"] = n_raw[name].astype("string") if name else n["id"]
        if node_type:
            n["node_type"] = n_raw[node_type].astype("string")
        n["_file"] = nodes_file
        n["_row"] = np.arange(2, len(n) + 2, dtype=np.int64)
        extra_n = _rename_extra(n_raw, [node_id, name, node_type], _RESERVED_NODE, "node")
        n = pd.concat([n, extra_n], axis=1)
        if not name:
            report.notes.append("no node names given: each node's id is its name")
    elif two_mode:
        raise ParameterError.invalid("nodes", "load_edges", "a node table when two_mode is given", None)
    else:
        report.notes.append("no node table: nodes are the edge ends, each named by its id")

    if two_mode:
        assert n is not None
        side = n_raw[two_mode]
        keep_mask = side.astype("string").str.strip() == str(project_on)
        if not keep_mask.any():
            raise ParameterError.invalid("project_on", "load_edges",
                                         f"a value of the nodes' {two_mode!r} column", project_on)
        kept_ids = n.loc[keep_mask.to_numpy(), "id"]
        other = n.loc[~keep_mask.to_numpy()]
        proj = _project(e, kept_ids, edges_file, default_kind)
        attended = pd.concat([e["src"], e["dst"]]).value_counts()
        n = n.loc[keep_mask.to_numpy()].reset_index(drop=True)
        n["attended"] = n["id"].map(attended).fillna(0).astype("int64")
        report.notes.append(f"two-mode table projected on {two_mode} = {project_on!s}: {len(e)} edge(s) to "
                            f"{len(other)} node(s) of the other mode became {len(proj)} tie(s) between "
                            f"{len(n)} node(s); weight = shared nodes of the other mode, via = their ids")
        e, extra_e = proj, pd.DataFrame(index=proj.index)

    ties = pd.concat([e, extra_e], axis=1)
    if n is None:
        ends = pd.unique(pd.concat([e["src"], e["dst"]]).dropna())
        n = pd.DataFrame({"id": pd.Series(ends, dtype="string"), "name": pd.Series(ends, dtype="string"),
                          "_file": edges_file})
        n["_row"] = np.arange(2, len(n) + 2, dtype=np.int64)
    frames: dict[str, pd.DataFrame] = {}
    if node_type and "node_type" in n.columns:
        is_co = n["node_type"].astype("string").str.strip().str.lower().isin(COMPANY_TYPES).fillna(False).to_numpy()
        if is_co.any():
            frames["companies"] = n.loc[is_co].reset_index(drop=True)
        n = n.loc[~is_co].reset_index(drop=True)
    frames["people"] = n
    frames["ties"] = ties
    from .validate import RawTable, validate_tables

    raw = {t: RawTable(df, str(df["_file"].iat[0]) if len(df) else (edges_file if t == "ties" else nodes_file))
           for t, df in frames.items()}
    return validate_tables(raw, aliases=False, report=report, name=case_name)


def load_edges(
    edges: pd.DataFrame | str | Path,
    nodes: pd.DataFrame | str | Path | None = None,
    *,
    source: str = "source",
    target: str = "target",
    weight: str | None = None,
    kind: str | None = None,
    time: str | None = None,
    node_id: str = "id",
    name: str | None = None,
    node_type: str | None = None,
    two_mode: str | None = None,
    project_on: Any = None,
    default_kind: str = "link",
    encoding: str | None = None,
    case_name: str | None = None,
) -> Case:
    """Load an edge list (and a node list) as a case: any network, one- or two-mode.

    Parameters
    ----------
    edges : DataFrame or path of a CSV file
        One row per edge (a parallel edge is a second row; each becomes its own tie).
    nodes : DataFrame or path of a CSV file, optional
        One row per node. Without it, the nodes are the edge ends, named by their ids.
        With it, every edge end must be a listed node (else a ``dangling_reference``
        error naming the row).
    source, target : str
        Edge columns holding the two end ids (numbers are read as text: ``3`` is ``"3"``).
    weight : str, optional
        Edge column holding a positive strength (a count of meetings or calls, an
        amount): the tie's ``weight``, which every analysis reads as its strength.
        None: every edge counts 1.
    kind : str, optional
        Edge column holding the edge type (kept as the tie's ``kind``); None gives every
        edge ``default_kind``.
    time : str, optional
        Edge column holding a date or date-time (kept as ``time``; the dynamic GEXF
        export plays it on Gephi's timeline). Optional per edge too.
    node_id, name, node_type : str
        Node columns: the id (default ``"id"``), the display name (optional: the id is
        shown without it) and the node type (kept as ``node_type``; types in
        :data:`COMPANY_TYPES` make a node a company).
    two_mode : str, optional
        Node column telling the two modes of a two-mode (bipartite) table apart; the
        table is then projected on the nodes whose ``two_mode`` value is ``project_on``
        (compared as text): one tie per pair sharing at least one node of the other mode,
        ``weight`` = how many they share, ``via`` = their ids (the records behind it),
        ``kind`` = ``default_kind``, ``via_rows`` = the rows of the two attendance
        records per shared node (``"3,17; 40,41"``). Each kept node gets ``attended``
        (its edges).
    project_on : any
        The mode to keep (``False`` for the people of a ``type`` column False/True).
    default_kind : str, default "link"
        The kind of edges without a type.
    encoding : str, optional
        Encoding of CSV files (detected when None).
    case_name : str, optional
        Name of the case.

    Returns
    -------
    Case
        ``people`` (and ``companies``) and ``ties``; every other column kept as it came
        (a column named like a canonical one is kept as ``edge_<name>`` / ``node_<name>``).

    Raises
    ------
    CaseError
        A missing column, a bad weight or date, an edge end that is not a node, an edge
        of a two-mode table within one mode: each naming file, row and column.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"source": ["a", "b", "a"], "target": ["b", "c", "c"],
    ...                       "calls": [12, 3, 1], "type": ["phone", "phone", "meeting"]})
    >>> case = load_edges(edges, weight="calls", kind="type")
    >>> case["ties"][["src", "dst", "kind", "weight"]].values.tolist()
    [['a', 'b', 'phone', 12.0], ['b', 'c', 'phone', 3.0], ['a', 'c', 'meeting', 1.0]]

    A two-mode table (people x meetings) projected on the people:

    >>> att = pd.DataFrame({"source": ["m1", "m1", "m2", "m2"], "target": ["a", "b", "a", "b"]})
    >>> nodes = pd.DataFrame({"id": ["a", "b", "m1", "m2"], "meeting": [False, False, True, True]})
    >>> ties = load_edges(att, nodes, two_mode="meeting", project_on=False)["ties"]
    >>> ties[["src", "dst", "weight", "via"]].values.tolist()
    [['a', 'b', 2.0, 'm1; m2']]
    """
    e, ef = _read(edges, "edges", encoding)
    n, nf = (None, "<no nodes>") if nodes is None else _read(nodes, "nodes", encoding)
    return network_case(e, n, source=source, target=target, weight=weight, kind=kind, time=time,
                        node_id=node_id, name=name, node_type=node_type, two_mode=two_mode,
                        project_on=project_on, default_kind=default_kind, edges_file=ef, nodes_file=nf,
                        case_name=case_name)


# -- NetworkX graphs -------------------------------------------------------------------------
_NAME_ATTRS = ("name", "label")
_NODE_TYPE_ATTRS = ("kind", "type", "node_type")
_EDGE_KIND_ATTRS = ("kind", "type", "relation", "label")
_TIME_ATTRS = ("time", "date", "start")


def _scalar(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, dict | list | tuple | set | frozenset):
        return json.dumps(sorted(v) if isinstance(v, set | frozenset) else v, ensure_ascii=False, default=str)
    return v


def case_of_networkx(G: nx.Graph, *, weight: str | None = "weight", name: str | None = None) -> Case:
    """A case from any NetworkX graph (what :func:`umbrella_graph.from_networkx` uses for a
    graph that is not a :meth:`~umbrella_graph.CaseGraph.to_networkx` export)."""
    if not isinstance(G, nx.Graph):
        raise ParameterError.invalid("G", "from_networkx", "a NetworkX graph", type(G).__name__)
    ids = [str(v) for v in G.nodes]
    if len(set(ids)) != len(ids):
        raise ParameterError.invalid("G", "from_networkx", "a graph whose node ids differ as text",
                                     "two nodes with the same text (1 and '1'?)")
    node_rows = []
    for v, data in G.nodes(data=True):
        row: dict[str, Any] = {"id": str(v)}
        nm = next((data[a] for a in _NAME_ATTRS if data.get(a) not in (None, "")), None)
        row["name"] = str(nm) if nm is not None else str(v)
        nt = next((data[a] for a in _NODE_TYPE_ATTRS if data.get(a) not in (None, "")), None)
        if nt is not None:
            row["node_type"] = str(nt)
        for a, val in data.items():
            if a in _NAME_ATTRS[:1] or a in _NODE_TYPE_ATTRS or a == "id":
                continue
            row[f"node_{a}" if a in _RESERVED_NODE or a.startswith("_") else a] = _scalar(val)
        node_rows.append(row)
    if weight is not None:
        missing = sum(1 for *_, w in G.edges(data=weight) if w is None)
        if missing and missing < G.number_of_edges():
            raise ParameterError.invalid("weight", "from_networkx", f"an edge attribute on every edge or on none "
                                         f"({missing} of {G.number_of_edges()} edges lack it)", weight)
        if missing:
            weight = None
    edge_rows = []
    for u, v, data in G.edges(data=True):
        row = {"source": str(u), "target": str(v)}
        k = next((data[a] for a in _EDGE_KIND_ATTRS if data.get(a) not in (None, "")), None)
        row["kind"] = str(k) if k is not None else "link"
        t = next((data[a] for a in _TIME_ATTRS if data.get(a) not in (None, "")), None)
        row["time"] = t
        if weight is not None:
            row["weight"] = data[weight]
        for a, val in data.items():
            if a in _EDGE_KIND_ATTRS or a in _TIME_ATTRS or a == weight:
                continue
            row[f"edge_{a}" if a in _RESERVED_EDGE or a in ("source", "target") or a.startswith("_") else a] = _scalar(val)
        edge_rows.append(row)
    nodes = pd.DataFrame(node_rows)
    edges = pd.DataFrame(edge_rows, columns=list(dict.fromkeys(["source", "target", "kind", "time", "weight",
                                                                *[k for r in edge_rows for k in r]])))
    if weight is None:
        edges = edges.drop(columns="weight")
    has_time = edges["time"].notna().any()
    if not has_time:
        edges = edges.drop(columns="time")
    return network_case(edges, nodes, weight="weight" if weight is not None else None, kind="kind",
                        time="time" if has_time else None, name="name",
                        node_type="node_type" if "node_type" in nodes.columns else None,
                        edges_file="<networkx edges>", nodes_file="<networkx nodes>",
                        case_name=name if name is not None else (G.graph.get("name") or None))


# -- analysis ---------------------------------------------------------------------------------
@dataclass
class NetworkAnalysis:
    """The whole-network analysis of :func:`analyze_network`.

    Attributes
    ----------
    nodes : pandas.DataFrame
        One row per node: ``id``, ``name``, ``kind``, ``degree``, ``strength``,
        ``betweenness`` (normalised), ``pagerank``, ``core`` (k-core number),
        ``articulation`` (its removal disconnects its component), ``component``,
        ``community``, ``stability`` (mean Jaccard overlap of its community with its
        community in the other seeds' partitions: 1 = always the same companions),
        ``participation`` (Guimera-Amaral participation coefficient: 0 = all ties inside
        its community) and ``broker`` (betweenness rank among nodes tied to two or more
        communities; NaN for the others). Sorted by betweenness, then id.
    communities : pandas.DataFrame
        ``community``, ``size``, ``internal_edges``, ``stability`` (mean node stability),
        ``members`` (first ids).
    brokers : pandas.DataFrame
        The rows of ``nodes`` with a ``broker`` rank, best first.
    disruption : pandas.DataFrame
        The curves of every strategy (long format): ``strategy`` plus the columns of
        :func:`~umbrella_graph.investigate.disruption_curve`.
    summary : dict
        ``nodes``, ``edges``, ``components``, ``lcc``, ``density``, ``mean_degree``,
        ``transitivity``, ``modularity``, ``communities``, ``partition_ari`` (mean
        adjusted Rand index of the other seeds' partitions to the chosen one),
        ``max_core``, ``articulation_points``, ``weighted``, ``seeds``.
    graph : networkx.Graph
        The analysed simple graph (``strength`` on edges; node ``kind``, ``name``).
    """

    nodes: pd.DataFrame
    communities: pd.DataFrame
    brokers: pd.DataFrame
    disruption: pd.DataFrame
    summary: dict[str, Any]
    graph: nx.Graph = field(repr=False)

    @property
    def articulation_points(self) -> list[str]:
        """Ids of the articulation points, sorted."""
        return sorted(self.nodes.loc[self.nodes["articulation"], "id"].astype(str))

    def k_core(self, k: int | None = None) -> list[str]:
        """Ids of the ``k``-core (default: the innermost core), sorted."""
        k = int(self.summary["max_core"]) if k is None else int(k)
        return sorted(self.nodes.loc[self.nodes["core"] >= k, "id"].astype(str))

    def __repr__(self) -> str:
        s = self.summary
        return (f"<NetworkAnalysis {s['nodes']} nodes, {s['edges']} edges, {s['communities']} communities "
                f"(Q={s['modularity']:.3f}, ARI across seeds {s['partition_ari']:.2f}), "
                f"{s['articulation_points']} articulation points>")

    def _repr_html_(self) -> str:
        head = f"<b>{escape(repr(self))}</b>"
        return head + self.nodes.head(20).to_html(index=False, escape=True)


def _graph_matrix(graph: CaseGraph, kinds: Sequence[str], weight: str | None) -> tuple[sp.csr_matrix, np.ndarray]:
    keep = np.flatnonzero(graph.nodes["kind"].astype(str).isin(["person", "company"]).to_numpy())
    A = graph.adjacency(kinds, weight=weight)
    A = sp.csr_matrix(A[keep][:, keep])
    A.setdiag(0.0)
    A.eliminate_zeros()
    return A, keep


def _node_stability(ref: np.ndarray, runs: list[np.ndarray]) -> np.ndarray:
    out = np.zeros(len(ref))
    if not runs:
        return np.ones(len(ref))
    for lab in runs:
        C = sp.coo_matrix((np.ones(len(ref)), (ref, lab))).tocsr()
        C.sum_duplicates()
        inter = np.asarray(C[ref, lab]).ravel()
        size_a = np.bincount(ref)[ref]
        size_b = np.bincount(lab)[lab]
        out += inter / (size_a + size_b - inter)
    return out / len(runs)


@renamed_keyword("seeds", "runs")
def analyze_network(
    graph: CaseGraph | Case,
    *,
    weight: str | None = "strength",
    kinds: Sequence[str] | None = None,
    runs: int = 10,
    resolution: float = 1.0,
    k: int = 10,
    strategies: Sequence[str] | None = None,
    sample: int | None = None,
) -> NetworkAnalysis:
    """Whole-network analysis for any network (no officials or gangs needed).

    Parameters
    ----------
    graph : CaseGraph or Case
        From :func:`load_edges`, :func:`umbrella_graph.from_networkx` or any case. The
        network is its people and companies and the records between them (``kinds``).
    weight : {"strength", "count", None}, default "strength"
        Tie strength: summed weights/amounts/counts of a pair's records (``"strength"``),
        their number (``"count"``), or 1 per connected pair (None). Betweenness turns
        strengths into lengths with :func:`~umbrella_graph.schema.strength_to_distance`.
    kinds : sequence of str, optional
        Edge kinds making up the network (default :data:`NETWORK_KINDS`).
    runs : int, default 10
        Leiden runs (random seeds ``0 .. runs-1``). Called ``seeds`` in 0.1 (still
        accepted, with a :class:`FutureWarning`, until 0.3): ``seed`` is a random seed. The partition of highest modularity is
        kept (the lowest seed among equals); the others measure its stability.
    resolution : float, default 1.0
        Leiden resolution (higher: more, smaller communities).
    k : int, default 10
        Nodes removed in each disruption curve (sequential re-ranking).
    strategies : sequence of str, optional
        Disruption strategies (default: all of
        :data:`~umbrella_graph.investigate.disruption.STRATEGIES`).
    sample : int, optional
        Estimate betweenness from this many sources (large networks); None is exact.

    Returns
    -------
    NetworkAnalysis

    Examples
    --------
    >>> import networkx as nx
    >>> from umbrella_graph import from_networkx
    >>> res = analyze_network(from_networkx(nx.barbell_graph(4, 1)), runs=3, k=2)
    >>> res.articulation_points
    ['3', '4', '5']
    >>> res.summary["communities"], res.nodes["id"].iat[0]
    (2, '4')
    >>> res.disruption.groupby("strategy")["lcc_size"].last().to_dict()["betweenness"]
    4
    """
    from .investigate.disruption import STRATEGIES, disruption_curve

    func = "analyze_network"
    if isinstance(graph, Case):
        graph = build_graph(graph)
    if not isinstance(graph, CaseGraph):
        raise ParameterError.invalid("graph", func, "a CaseGraph or Case (for a NetworkX graph: "
                                     "from_networkx(G))", type(graph).__name__)
    if weight not in ("strength", "count", None):
        raise ParameterError.invalid("weight", func, "'strength', 'count' or None", weight)
    for pname, val in (("runs", runs), ("k", k)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 1:
            raise ParameterError.invalid(pname, func, "a positive integer", val)
    strategies = list(STRATEGIES if strategies is None else strategies)
    bad = [s for s in strategies if s not in STRATEGIES]
    if bad:
        raise ParameterError.invalid("strategies", func, "strategies from " + ", ".join(STRATEGIES), bad)
    from .algorithms import betweenness, communities, modularity

    A, keep = _graph_matrix(graph, list(kinds or NETWORK_KINDS), weight)
    n = A.shape[0]
    ids = graph.ids_of(keep).astype(str)
    names = graph.nodes["name"].astype("string").fillna("").to_numpy()[keep]
    node_kinds = graph.nodes["kind"].astype(str).to_numpy()[keep]
    B = sp.csr_matrix((np.ones(A.nnz), A.indices, A.indptr), shape=A.shape)
    degree = np.asarray(B.sum(axis=1)).ravel().astype(np.int64)
    strength = np.asarray(A.sum(axis=1)).ravel()
    weighted = weight is not None
    btw = betweenness(A, weighted=weighted, k=sample) if n else np.zeros(0)
    T = sp.coo_matrix(sp.triu(A, k=1))
    g = ig.Graph(n=n, edges=np.column_stack([T.row, T.col]).tolist() if T.nnz else [])
    pr = np.asarray(g.pagerank(weights=T.data.tolist() if T.nnz else None), dtype=float) if n else np.zeros(0)
    core = np.asarray(g.coreness(), dtype=np.int64) if n else np.zeros(0, np.int64)
    art = np.zeros(n, dtype=bool)
    art[g.articulation_points()] = True
    n_comp, comp = csgraph.connected_components(A, directed=False) if n else (0, np.zeros(0, np.int64))
    comp_sizes = np.bincount(comp) if n else np.zeros(0, np.int64)

    parts = [communities(A, seed=s, resolution=resolution) for s in range(int(runs))] if n else []
    qs = [modularity(A, lab, resolution=resolution) if A.nnz else 0.0 for lab in parts]
    best = int(np.argmax(qs)) if parts else 0
    labels = parts[best] if parts else np.zeros(0, np.int64)
    others = [r for i, r in enumerate(parts) if i != best]
    stab = _node_stability(labels, others) if n else np.zeros(0)
    ari = float(np.mean([adjusted_rand_score(labels, r) for r in others])) if others else 1.0
    # participation coefficient
    if n and A.nnz:
        M = sp.csr_matrix((np.ones(n), (np.arange(n), labels)))
        K = np.asarray((A @ M).todense())
        part = 1.0 - ((K / np.where(strength > 0, strength, 1.0)[:, None]) ** 2).sum(axis=1)
        part[strength == 0] = 0.0
    else:
        part = np.zeros(n)
    nodes = pd.DataFrame({
        "id": ids, "name": names, "kind": node_kinds, "degree": degree, "strength": strength,
        "betweenness": btw, "pagerank": pr, "core": core, "articulation": art,
        "component": comp.astype(np.int64), "community": labels.astype(np.int64), "stability": stab,
        "participation": part,
    })
    nodes = nodes.sort_values(["betweenness", "id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    is_broker = (nodes["participation"] > 1e-12) & (nodes["betweenness"] > 0)
    nodes["broker"] = np.nan
    nodes.loc[is_broker, "broker"] = np.arange(1, int(is_broker.sum()) + 1, dtype=float)
    brokers = nodes[is_broker].reset_index(drop=True)

    crows = []
    if n:
        Tl = labels[T.row] == labels[T.col]
        internal = np.bincount(labels[T.row][Tl], minlength=int(labels.max()) + 1)
        for c in range(int(labels.max()) + 1):
            members = sorted(ids[labels == c].tolist())
            crows.append({"community": c, "size": len(members), "internal_edges": int(internal[c]),
                          "stability": float(stab[labels == c].mean()),
                          "members": ", ".join(members[:10]) + (" ..." if len(members) > 10 else "")})
    comms = pd.DataFrame(crows, columns=["community", "size", "internal_edges", "stability", "members"])
    comms = comms.sort_values(["size", "community"], ascending=[False, True]).reset_index(drop=True)

    G = nx.Graph()
    for i in range(n):
        G.add_node(ids[i], kind=node_kinds[i], name=str(names[i]))
    for a, b, w in zip(T.row, T.col, T.data, strict=True):
        G.add_edge(ids[a], ids[b], strength=float(w))
    curves = []
    for s in strategies:
        c = disruption_curve(G, strategy=s, mode="sequential", k=min(int(k), max(n, 1)),  # type: ignore[arg-type]
                             weight="strength" if weighted and G.number_of_edges() else None, sample=sample)
        c.insert(0, "strategy", s)
        curves.append(c)
    disruption = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()
    summary: dict[str, Any] = {
        "nodes": n, "edges": int(T.nnz), "components": int(n_comp),
        "lcc": int(comp_sizes.max()) if n else 0,
        "density": float(2 * T.nnz / (n * (n - 1))) if n > 1 else 0.0,
        "mean_degree": float(degree.mean()) if n else 0.0,
        "transitivity": float(g.transitivity_undirected()) if T.nnz else 0.0,
        "modularity": float(qs[best]) if parts else 0.0,
        "communities": int(labels.max()) + 1 if n else 0,
        "partition_ari": ari, "max_core": int(core.max()) if n else 0,
        "articulation_points": int(art.sum()), "weighted": weighted, "seeds": int(runs),
    }
    logger.info("analyze_network: %d nodes, %d edges, %d communities", n, T.nnz, summary["communities"])
    return NetworkAnalysis(nodes=nodes, communities=comms, brokers=brokers, disruption=disruption,
                           summary=summary, graph=G)

