"""Any network in: edge and node lists (CSV, Excel, DataFrames) and NetworkX graphs read
into a validated :class:`~umbrella_graph.case.Case` (:func:`load_edges`,
:func:`network_case`, :func:`case_of_networkx`).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ..case import Case, LoadReport
from ..errors import CaseError, ParameterError, Problem, mask_value

__all__ = ["load_edges", "network_case", "case_of_networkx", "COMPANY_TYPES"]

logger = logging.getLogger(__name__)

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
        from .csv_files import NULL_TOKENS, detect_encoding, read_text_csv

        p = Path(source)
        if not p.is_file():
            raise CaseError([_problem("missing_file", what, p.name, None, None, None,
                                      f"an existing CSV file of {what}")])
        enc = encoding or detect_encoding(p)
        try:
            df = read_text_csv(p, encoding=enc, dtype=str, keep_default_na=False, na_values=list(NULL_TOKENS))
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise CaseError([_problem("unreadable_file", what, p.name, None, None, f"<{type(exc).__name__}>",
                                      f"a CSV file of {what} in {enc}, its quotes closed")]) from None
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
    from ..validate import RawTable, validate_tables

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
