"""Generic node and edge tables (Neo4j ``neo4j-admin import`` files and the like) -> Case.

A graph export has a node file (an id, a label, properties) and an edge file (start
id, end id, a type, properties). :data:`DEFAULT_MAPPING` says which table each label
and relationship type becomes:

* node labels: ``Person`` -> people, ``Gang`` -> gangs, ``Village`` -> villages,
  ``Company`` -> companies, ``Event`` -> events, ``Lead`` -> leads (plus common
  synonyms; see the mapping);
* relationship types: ``TIE``/``KNOWS``/``ASSOCIATE``/``SPOUSE``... -> ties (with a
  ``kind``), ``PAID`` -> transactions, ``CONTACTED``/``CALLED``/``MET`` -> contacts,
  ``MEMBER_OF`` -> members, ``ROLE_IN``/``OWNS``/``DIRECTOR_OF`` -> company_roles,
  ``HOLDS_POST`` -> officials, ``ISSUED_CONTRACT`` -> contracts;
* relationship types that are really a column of the start node
  (``LOCATED_IN`` -> ``village_id``, ``PART_OF`` -> ``parent_id``, ``TARGETS_GANG`` ->
  ``events.gang_id``, ...; see :data:`ATTRIBUTE_TYPES`).

Properties become columns through the same header aliases as case folders, so an edge
property ``amount`` or ``金额`` lands in ``transactions.amount``. Every row keeps the
file and row it came from. Unknown labels or types are errors (lenient mode: skipped
and listed), never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from ..case import Case, LoadReport
from ..errors import CaseError, ParameterError, Problem, mask_value, shown_headers
from ..schema import TABLES

__all__ = [
    "load_graph_tables",
    "load_neo4j_import",
    "parse_neo4j_header",
    "DEFAULT_MAPPING",
    "ATTRIBUTE_TYPES",
    "EDGE_ENDPOINTS",
]

logger = logging.getLogger(__name__)

#: Default label -> table and relationship type -> table (with constant columns).
DEFAULT_MAPPING: dict[str, dict[str, Any]] = {
    "labels": {
        "Person": "people", "People": "people", "Official": "people", "Suspect": "people",
        "Mafioso": "people", "Individual": "people",
        "Gang": "gangs", "Family": "gangs", "CriminalGroup": "gangs", "Clan": "gangs",
        "Village": "villages", "Town": "villages", "District": "villages", "City": "villages",
        "Place": "villages",
        "Company": "companies", "Business": "companies", "Firm": "companies",
        "Organization": "companies", "Organisation": "companies",
        "Event": "events", "Raid": "events", "Arrest": "events",
        "Lead": "leads", "Tip": "leads", "Petition": "leads",
        # secondary labels: they never decide the table on their own
        "Entity": None, "Unit": None,
    },
    "types": {
        "TIE": {"table": "ties"},
        "KNOWS": {"table": "ties", "kind": "knows"},
        "ASSOCIATE": {"table": "ties", "kind": "associate"},
        "ASSOCIATE_OF": {"table": "ties", "kind": "associate"},
        "KNOWN_ASSOCIATE": {"table": "ties", "kind": "associate"},
        "FRIEND": {"table": "ties", "kind": "friend"},
        "FRIEND_OF": {"table": "ties", "kind": "friend"},
        "SPOUSE": {"table": "ties", "kind": "spouse"},
        "MARRIED_TO": {"table": "ties", "kind": "spouse"},
        "KIN": {"table": "ties", "kind": "kin"},
        "RELATIVE": {"table": "ties", "kind": "kin"},
        "FAMILY": {"table": "ties", "kind": "kin"},
        "CLASSMATE": {"table": "ties", "kind": "classmate"},
        "COLLEAGUE": {"table": "ties", "kind": "colleague"},
        "BUSINESS": {"table": "ties", "kind": "business"},
        "PAID": {"table": "transactions"},
        "PAYMENT": {"table": "transactions"},
        "TRANSFERRED": {"table": "transactions"},
        "TRANSFER": {"table": "transactions"},
        "CONTACTED": {"table": "contacts"},
        "CALLED": {"table": "contacts", "kind": "call"},
        "MESSAGED": {"table": "contacts", "kind": "sms"},
        "MET": {"table": "contacts", "kind": "meeting"},
        "MEMBER_OF": {"table": "members"},
        "BELONGS_TO": {"table": "members"},
        "ROLE_IN": {"table": "company_roles"},
        "OWNS": {"table": "company_roles", "role": "owner"},
        "DIRECTOR_OF": {"table": "company_roles", "role": "director"},
        "SHAREHOLDER_OF": {"table": "company_roles", "role": "shareholder"},
        "LEGAL_REP_OF": {"table": "company_roles", "role": "legal_rep"},
        "WORKS_FOR": {"table": "company_roles", "role": "employee"},
        "EMPLOYED_BY": {"table": "company_roles", "role": "employee"},
        "HOLDS_POST": {"table": "officials"},
        "ISSUED_CONTRACT": {"table": "contracts"},
    },
}

#: Relationship types that set a column of the start node's record.
ATTRIBUTE_TYPES: dict[str, str] = {
    "LOCATED_IN": "village_id",
    "PART_OF": "parent_id",
    "TARGETS_GANG": "gang_id",
    "TARGETS": "target_id",
    "IN_JURISDICTION": "jurisdiction_id",
    "NAMES": "subject_id",
    "NAMES_GANG": "gang_id",
}

#: The columns that hold the start and end ids, per edge table.
EDGE_ENDPOINTS: dict[str, tuple[str, str]] = {
    "ties": ("src", "dst"),
    "transactions": ("src", "dst"),
    "contacts": ("src", "dst"),
    "members": ("person_id", "gang_id"),
    "company_roles": ("person_id", "company_id"),
    "officials": ("person_id", "jurisdiction_id"),
    "contracts": ("issuer_id", "company_id"),
}

#: Every column name of the data contract (typed by the validator, not by a header's type).
_CONTRACT_COLUMNS = frozenset(c for t in TABLES.values() for c in t.column_names)

_NEO4J_TYPES = {"int": "int", "long": "int", "short": "int", "byte": "int", "float": "float",
                "double": "float", "boolean": "bool"}

Source: TypeAlias = str | Path | pd.DataFrame


def parse_neo4j_header(header: str) -> tuple[str, str | None]:
    """Split a Neo4j import header into ``(name, type)``.

    Special columns come back as ``(":ID", None)``, ``(":LABEL", None)``,
    ``(":START_ID", None)``, ``(":END_ID", None)``, ``(":TYPE", None)`` and
    ``(":IGNORE", None)`` (id spaces such as ``(Person)`` are dropped).

    Examples
    --------
    >>> parse_neo4j_header("personId:ID(Person)"), parse_neo4j_header("name:string")
    ((':ID', None), ('name', 'string'))
    >>> parse_neo4j_header(":START_ID(Person)"), parse_neo4j_header("amount:float")
    ((':START_ID', None), ('amount', 'float'))
    """
    h = header.strip()
    if ":" not in h:
        return h, None
    name, _, typ = h.rpartition(":")
    base = typ.split("(", 1)[0].strip().upper()
    if base in ("ID", "LABEL", "START_ID", "END_ID", "TYPE", "IGNORE"):
        return ":" + base, None
    return name.strip(), typ.strip().lower()


def _merge_mapping(mapping: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    labels = dict(DEFAULT_MAPPING["labels"])
    types = {k: dict(v) for k, v in DEFAULT_MAPPING["types"].items()}
    if mapping:
        bad = set(mapping) - {"labels", "types"}
        if bad:
            raise ParameterError.invalid("mapping", "load_graph_tables",
                                         "a dict with keys 'labels' and/or 'types'", sorted(bad))
        for lab, t in (mapping.get("labels") or {}).items():
            if t is not None and t not in TABLES:
                raise ParameterError.invalid("mapping", "load_graph_tables",
                                             "labels mapped to case tables or None", {lab: t})
            labels[str(lab)] = t
        for typ, spec in (mapping.get("types") or {}).items():
            spec = {"table": spec} if isinstance(spec, str) or spec is None else dict(spec)
            t = spec.get("table")
            if t is not None and t not in EDGE_ENDPOINTS and str(typ) not in ATTRIBUTE_TYPES:
                raise ParameterError.invalid(
                    "mapping", "load_graph_tables",
                    "types mapped to one of " + ", ".join(EDGE_ENDPOINTS) + " or None", {typ: t})
            types[str(typ)] = spec
    return {"labels": labels, "types": types}


def _kind_column(df: pd.DataFrame, column: str | None, default: str | None, table: str, file: str,
                 what: str) -> tuple[pd.DataFrame, pd.Series]:
    """The node labels / edge types of ``df`` from ``column`` (dropped from the frame), with
    ``default`` filling blanks or standing in for a missing column."""
    if column is not None and column in df.columns:
        kinds = df[column].astype("string").str.strip()
        if default is not None:
            kinds = kinds.fillna(default)
        return df.drop(columns=[column]), kinds
    if default is not None:
        return df, pd.Series(default, index=df.index, dtype="string")
    raise CaseError([Problem("missing_column", table, file, 1, column, "<absent>",
                             f"a {what} column (set {what}_column=) or default_{what}=", "error")])


def _read_sources(sources: Source | Sequence[Source] | None, encoding: str | None, lenient: bool,
                  report: LoadReport, kind: str) -> list[tuple[pd.DataFrame, str, list[Problem]]]:
    from .files import read_table

    if sources is None:
        return []
    if isinstance(sources, str | Path | pd.DataFrame):
        sources = [sources]
    out: list[tuple[pd.DataFrame, str, list[Problem]]] = []
    for i, src in enumerate(sources):
        if isinstance(src, pd.DataFrame):
            df = src.reset_index(drop=True).copy()
            name = f"<DataFrame {kind}{'' if len(sources) == 1 else i + 1}>"
            if "_row" not in df.columns:
                df["_row"] = np.arange(2, len(df) + 2, dtype="int64")
            out.append((df, name, []))
        else:
            rt = read_table(src, table=kind, encoding=encoding, lenient=lenient, report=report)
            out.append((rt.frame, rt.file, rt.problems))
    return out


def _locate(parts: list[pd.DataFrame], index: dict[str, tuple[int, pd.Index]],
            node_id: str) -> tuple[pd.DataFrame, pd.Index] | None:
    """The first node part holding ``node_id`` and the index labels of its rows.

    ``index`` (id -> (part number, labels)) is filled on the first call, so that setting
    attributes from many edges costs one pass over the nodes, not one per edge.
    """
    if not index:
        for k, part in enumerate(parts):
            ids = part["id"].astype("string").str.strip()
            for nid, labels in part.groupby(ids.to_numpy(), dropna=True, sort=False).groups.items():
                index.setdefault(str(nid), (k, pd.Index(labels)))
    got = index.get(node_id)
    return None if got is None else (parts[got[0]], got[1])


def _blankish(s: pd.Series) -> np.ndarray:
    st = s.astype("string").str.strip()
    return (st.isna() | (st == "")).to_numpy(dtype=bool)


def load_graph_tables(
    nodes: Source | Sequence[Source],
    edges: Source | Sequence[Source] | None = None,
    *,
    id_column: str = ":ID",
    label_column: str | None = ":LABEL",
    default_label: str | None = None,
    src_column: str = ":START_ID",
    dst_column: str = ":END_ID",
    type_column: str | None = ":TYPE",
    default_type: str | None = None,
    mapping: Mapping[str, Any] | None = None,
    groups: Mapping[str, str] | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    encoding: str | None = None,
    lenient: bool = False,
    name: str | None = None,
    report: LoadReport | None = None,
) -> Case:
    """Load generic node and edge tables into a validated :class:`~umbrella_graph.case.Case`.

    Parameters
    ----------
    nodes, edges : path, DataFrame, or a list of them
        Node and edge tables (CSV/XLSX/Parquet files or frames). Several files of each
        are concatenated.
    id_column, label_column : str
        Node id and label columns. Labels may hold several, ``;``-separated
        (``Person;Official``); the first one mapped to a table decides.
    default_label : str, optional
        The label of nodes without one (or of every node if there is no label column),
        e.g. ``"Person"``.
    src_column, dst_column, type_column : str
        Edge start id, end id and type columns (e.g. ``"Source"``, ``"Target"``).
    default_type : str, optional
        The type of edges without one, e.g. ``"ASSOCIATE"``.
    mapping : dict, optional
        ``{"labels": {label: table or None}, "types": {type: table or {"table": t,
        column: constant, ...}}}``, merged over :data:`DEFAULT_MAPPING`.
    groups : dict, optional
        Node columns whose values are groups: ``{"Family": "gangs"}`` makes every
        distinct value a gang (id and name = the value) and every node with a value a
        member of it; ``{"Village": "villages"}`` makes villages and sets ``village_id``.
    columns : dict, optional
        Header mapping per table, as in :func:`~umbrella_graph.load_case`
        (``{"people": {"NiceLabel": "name"}}``).
    encoding, lenient, name
        As in :func:`~umbrella_graph.load_case`.
    report : LoadReport, optional
        A report to fill (a caller that read the files itself passes the one holding
        their encodings and reader problems).

    Returns
    -------
    Case
        ``case.report.notes`` tells how many edges were self-loops or repeated a pair
        (they are kept: the raw data is not cleaned silently).

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"id": ["a", "b", "c"], "name": ["A", "B", "C"], "fam": ["X", "X", None]})
    >>> edges = pd.DataFrame({"Source": ["a", "b"], "Target": ["b", "c"]})
    >>> case = load_graph_tables(nodes, edges, id_column="id", default_label="Person",
    ...                          src_column="Source", dst_column="Target", default_type="KNOWS",
    ...                          groups={"fam": "gangs"})
    >>> len(case["people"]), len(case["ties"]), case["members"]["gang_id"].tolist()
    (3, 2, ['X', 'X'])
    """
    from ..validate import RawTable, validate_tables

    m = _merge_mapping(mapping)
    report = report if report is not None else LoadReport()
    problems: list[Problem] = []
    act = "skipped" if lenient else "error"
    node_parts: dict[str, list[pd.DataFrame]] = {}
    edge_parts: dict[str, list[pd.DataFrame]] = {}
    files: dict[str, list[str]] = {}
    node_table_of: dict[str, str] = {}

    def add(parts: dict[str, list[pd.DataFrame]], table: str, df: pd.DataFrame, file: str) -> None:
        parts.setdefault(table, []).append(df)
        if file not in files.setdefault(table, []):
            files[table].append(file)

    for df, file, probs in _read_sources(nodes, encoding, lenient, report, "nodes"):
        problems.extend(p.__class__(**{**p.as_dict(), "table": "nodes"}) for p in probs)
        if id_column not in df.columns:
            raise CaseError([Problem("missing_column", "nodes", file, 1, id_column, "<absent>",
                                     f"a node id column {id_column!r} (set id_column=); headers found: "
                                     + shown_headers(c for c in df.columns if c != "_row"), "error")])
        df = df.copy()
        if "_file" in df.columns and len(df):
            file = str(df["_file"].iat[0])
        df["_file"] = df["_file"].astype("string") if "_file" in df.columns else file
        df, labels = _kind_column(df, label_column, default_label, "nodes", file, "label")
        table = pd.Series(pd.NA, index=df.index, dtype="string")
        for lab in pd.unique(labels.dropna()):
            t = next((m["labels"][x] for x in str(lab).split(";") if m["labels"].get(x.strip())), None)
            if t is not None:
                table[(labels == lab).fillna(False).to_numpy(dtype=bool)] = t
        unknown = table.isna().to_numpy()
        for i in np.flatnonzero(unknown):
            problems.append(Problem(
                "unknown_label", "nodes", file, int(df["_row"].iat[i]), label_column,
                repr(str(labels.iat[i])) if pd.notna(labels.iat[i]) else "<empty>",
                "a node label mapped to a table (Person, Gang, Village, Company, Event, Lead; "
                "or give mapping={'labels': {...}})", act))
        for col, gtable in (groups or {}).items():
            if col not in df.columns:
                raise ParameterError.invalid("groups", "load_graph_tables", "node columns", col)
            if gtable not in ("gangs", "villages"):
                raise ParameterError.invalid("groups", "load_graph_tables", "'gangs' or 'villages'", gtable)
            val = df[col].astype("string").str.strip()
            has = ~_blankish(val) & ~unknown
            g = pd.DataFrame({"id": val[has], "name": val[has], "_file": file, "_row": df["_row"][has]})
            g = g.drop_duplicates("id")
            add(node_parts, gtable, g, file)
            if gtable == "gangs":
                mem = pd.DataFrame({"person_id": df[id_column][has], "gang_id": val[has],
                                    "_file": file, "_row": df["_row"][has]})
                add(edge_parts, "members", mem, file)
            else:
                df["village_id"] = val.where(has)
            df = df.drop(columns=[col])
            report.notes.append(f"{file}: column {col!r} gave {len(g)} {gtable} "
                                f"({int(has.sum())} node(s) with a value)")
        df = df.rename(columns={id_column: "id"})
        for t in pd.unique(table.dropna()):
            sel = (table == t).fillna(False).to_numpy(dtype=bool)
            add(node_parts, str(t), df.loc[sel], file)
        ids = df["id"].astype("string").str.strip()
        for t, i in zip(table[~unknown], ids[~unknown], strict=True):
            if pd.notna(i):
                node_table_of.setdefault(str(i), str(t))

    attr_rows: list[tuple[str, str, str, str, int]] = []  # node id, column, value, file, row
    for df, file, probs in _read_sources(edges, encoding, lenient, report, "edges"):
        problems.extend(p.__class__(**{**p.as_dict(), "table": "edges"}) for p in probs)
        for col in (src_column, dst_column):
            if col not in df.columns:
                raise CaseError([Problem(
                    "missing_column", "edges", file, 1, col, "<absent>",
                    f"an edge column {col!r} (set src_column=/dst_column=); headers found: "
                    + shown_headers(c for c in df.columns if c != "_row"), "error")])
        df = df.copy()
        if "_file" in df.columns and len(df):
            file = str(df["_file"].iat[0])
        df["_file"] = df["_file"].astype("string") if "_file" in df.columns else file
        df, types = _kind_column(df, type_column, default_type, "edges", file, "type")
        src = df[src_column].astype("string").str.strip()
        dst = df[dst_column].astype("string").str.strip()
        n_loops = int((src == dst).fillna(False).sum())
        a = np.where((src < dst).fillna(True), src.fillna(""), dst.fillna(""))
        b = np.where((src < dst).fillna(True), dst.fillna(""), src.fillna(""))
        n_rep = int(pd.DataFrame({"a": a, "b": b, "t": types.fillna("")}).duplicated().sum())
        report.notes.append(f"{file}: {len(df)} edge(s); {n_loops} self-loop(s) and {n_rep} "
                            "repeat(s) of an already listed pair with the same type (all kept)")
        for r_ in df["_row"][types.isna().to_numpy(dtype=bool)]:
            problems.append(Problem(
                "unknown_type", "edges", file, int(r_), type_column, "<empty>",
                "a relationship type (or give default_type=)", act))
        for typ in pd.unique(types.dropna()):
            sel = (types == typ).fillna(False).to_numpy(dtype=bool)
            styp = str(typ)
            if styp in ATTRIBUTE_TYPES and styp not in m["types"]:
                col = ATTRIBUTE_TYPES[styp]
                for s_, d_, r_ in zip(src[sel], dst[sel], df["_row"][sel], strict=True):
                    attr_rows.append((str(s_), col, str(d_), file, int(r_)))
                continue
            spec = m["types"].get(styp)
            if spec is None or spec.get("table") is None:
                for r_ in df["_row"][sel]:
                    problems.append(Problem(
                        "unknown_type", "edges", file, int(r_), type_column, repr(styp),
                        "a relationship type mapped to a table (TIE, KNOWS, PAID, CONTACTED, "
                        "MEMBER_OF, ROLE_IN, ...; or give mapping={'types': {...}})", act))
                continue
            t = spec["table"]
            s_col, d_col = EDGE_ENDPOINTS[t]
            part = df.loc[sel].drop(columns=[src_column, dst_column])
            part.insert(0, s_col, src[sel])
            part.insert(1, d_col, dst[sel])
            for k, v in spec.items():
                if k == "table":
                    continue
                if k in part.columns:
                    part[k] = part[k].astype("object").where(~_blankish(part[k]), v)
                else:
                    part[k] = v
            add(edge_parts, t, part, file)

    # attribute edges: set a column of the start node's record
    located: dict[str, dict[str, tuple[int, pd.Index]]] = {}  # table -> id -> (part, rows)
    for node_id, col, value, file, row in attr_rows:
        t = node_table_of.get(node_id)
        if t is None or col not in TABLES[t].column_names:
            problems.append(Problem(
                "dangling_reference" if t is None else "unknown_type", "edges", file, row, col,
                mask_value(col, node_id) if t is None else repr(col),
                "the id of a listed node" if t is None else f"a node whose table has a column {col!r}",
                act))
            continue
        found = _locate(node_parts[t], located.setdefault(t, {}), node_id)
        if found is None:
            continue
        part, hit = found
        if col not in part.columns:
            part[col] = pd.Series(pd.NA, index=part.index, dtype="object")
        cur = part.loc[hit, col]
        if cur.notna().any() and (cur.astype(str) != value).any():
            problems.append(Problem(
                "conflicting_values", t, file, row, col, mask_value(col, value),
                f"one {col} per node, but the node already has another one", act))
        else:
            part.loc[hit, col] = value

    raw: dict[str, RawTable] = {}
    for t in TABLES:
        parts = node_parts.get(t, []) + edge_parts.get(t, [])
        if not parts:
            continue
        frame = pd.concat(parts, ignore_index=True, sort=False)
        raw[t] = RawTable(frame, " + ".join(files[t]))
    if "people" not in raw:
        raw["people"] = RawTable(pd.DataFrame({"id": pd.Series([], dtype="string"),
                                               "name": pd.Series([], dtype="string")}), "<no people>")
    hard = [p for p in problems if p.action == "error"]
    if hard and not lenient:
        # still validate, to report every problem at once
        try:
            validate_tables(raw, columns=columns, lenient=False, report=LoadReport(), name=name)
        except CaseError as exc:
            raise CaseError(hard + exc.problems) from None
        raise CaseError(hard)
    return validate_tables(raw, columns=columns, lenient=lenient, report=report, name=name,
                           problems=[p for p in problems if p.action != "error"])


def load_neo4j_import(
    nodes: Source | Sequence[Source],
    edges: Source | Sequence[Source] | None = None,
    *,
    mapping: Mapping[str, Any] | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    encoding: str | None = None,
    lenient: bool = False,
    name: str | None = None,
) -> Case:
    """Load ``neo4j-admin import`` style CSVs (``:ID``, ``:LABEL``, ``:START_ID``, ``:END_ID``, ``:TYPE``).

    Typed headers (``name:string``, ``amount:float``, ``born:date``) are read by their
    name; ``int``/``float``/``boolean`` properties that are not contract columns are
    converted, the rest is validated like any case table. Id spaces
    (``:ID(Person)``) are ignored: ids must be unique across the whole case. Labels
    and types map to tables through :data:`DEFAULT_MAPPING` (override with
    ``mapping``).

    Examples
    --------
    >>> import pandas as pd
    >>> nodes = pd.DataFrame({"pid:ID(Person)": ["p1", "p2", "g1"], "name:string": ["甲", "乙", "龙帮"],
    ...                       ":LABEL": ["Person", "Person;Official", "Gang"]})
    >>> edges = pd.DataFrame({":START_ID": ["p1", "p1"], ":END_ID": ["p2", "g1"],
    ...                       ":TYPE": ["PAID", "MEMBER_OF"], "amount:float": [500.0, None],
    ...                       "date": ["2020-01-02", None]})
    >>> case = load_neo4j_import(nodes, edges)
    >>> len(case["people"]), len(case["gangs"]), float(case["transactions"]["amount"][0])
    (2, 1, 500.0)
    """
    report = LoadReport()  # the files' encodings and notes, and the rows their reader skipped

    def convert(srcs: Source | Sequence[Source] | None, kind: str) -> list[pd.DataFrame] | None:
        if srcs is None:
            return None
        out: list[pd.DataFrame] = []
        for df, file, probs in _read_sources(srcs, encoding, lenient, report, kind):
            if probs and not lenient:
                raise CaseError(probs)
            report.problems.extend(p.__class__(**{**p.as_dict(), "table": kind}) for p in probs)
            ren: dict[str, str] = {}
            typed: dict[str, str] = {}
            drop: list[str] = []
            for h in df.columns:
                if h in ("_row", "_file"):
                    continue
                n, typ = parse_neo4j_header(str(h))
                if n == ":IGNORE":
                    drop.append(str(h))
                    continue
                ren[str(h)] = n
                if typ:
                    typed[n] = typ.rstrip("[]")
            df = df.drop(columns=drop).rename(columns=ren)
            df["_file"] = file
            for n, typ in typed.items():
                kind_ = _NEO4J_TYPES.get(typ)
                if kind_ is None or n in _CONTRACT_COLUMNS:
                    continue
                if kind_ in ("int", "float"):
                    num = pd.to_numeric(df[n].astype("string").str.strip(), errors="coerce")
                    df[n] = num.astype("Int64") if kind_ == "int" and num.dropna().eq(num.dropna().round()).all() else num
                else:
                    df[n] = df[n].astype("string").str.strip().str.lower().map({"true": True, "false": False})
            out.append(df)
        return out

    n = convert(nodes, "nodes")
    e = convert(edges, "edges")
    return load_graph_tables(n or [], e, mapping=mapping, columns=columns, lenient=lenient,
                             name=name, encoding=encoding, report=report)


