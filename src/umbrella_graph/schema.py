"""The domain model as data: case tables, node kinds and relation kinds.

This module is the one place that says

* which tables a case has, their columns, types and references (:data:`TABLES`);
* which records become nodes (:data:`NODE_KINDS`) and which become edges
  (:data:`RELATIONS`), in the graph and in Neo4j alike;
* the Neo4j labels and relationship types allowed in Cypher (:data:`NEO4J_LABELS`,
  :data:`NEO4J_REL_TYPES`). Cypher text is only ever built from these whitelists; every
  value goes in as a query parameter.

Loaders, the in-memory graph, the Neo4j backend and the report all read this module
instead of repeating its facts.

Weights. Amounts (transactions, contracts) and counts (contacts) are *strengths*: bigger
means a closer tie. Algorithms that need a *distance* (shortest paths, betweenness)
convert with :func:`strength_to_distance`; that is the only place the conversion happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "ColumnType",
    "Column",
    "TableSpec",
    "TABLES",
    "NODE_TABLES",
    "NodeKind",
    "NODE_KINDS",
    "Relation",
    "RELATIONS",
    "NEO4J_LABELS",
    "NEO4J_REL_TYPES",
    "MEMBER_ROLES",
    "CONTACT_KINDS",
    "COMPANY_ROLES",
    "VILLAGE_LEVELS",
    "KIN_TIES",
    "CONTROL_ROLES",
    "strength_to_distance",
]

ColumnType = Literal["id", "ref", "str", "date", "datetime", "amount", "duration", "float", "int", "enum"]


@dataclass(frozen=True)
class Column:
    """One column of a case table.

    Attributes
    ----------
    name : str
        Canonical (English) column name.
    type : ColumnType
        ``id`` (this table's own id), ``ref`` (an id of another record), ``str``,
        ``date`` / ``datetime`` (both parsed to ``datetime64``), ``amount`` (money,
        ``float64``, may be written ``1,200``, ``¥3000`` or ``2万``), ``float``, ``int``,
        ``enum`` (one of :attr:`choices`).
    required : bool
        Whether the column must be present and every cell filled.
    refs : tuple of str
        For ``ref`` columns: the node kinds the id may point to.
    choices : tuple of str
        For ``enum`` columns: the allowed values.
    """

    name: str
    type: ColumnType
    required: bool = False
    refs: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    doc: str = ""


@dataclass(frozen=True)
class TableSpec:
    """The contract of one case table."""

    name: str
    columns: tuple[Column, ...]
    node_kind: str | None = None
    doc: str = ""
    key: str | None = None  # the id column, if records have ids

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


MEMBER_ROLES = ("leader", "core", "member")
CONTACT_KINDS = ("call", "sms", "meeting", "chat")
COMPANY_ROLES = ("owner", "legal_rep", "director", "shareholder", "manager", "employee")
#: Company roles that mean control of the company: a company is a gang's when a member
#: holds one of them (the scorer and the investigations use this one list).
CONTROL_ROLES = frozenset({"owner", "legal_rep", "director", "shareholder", "manager"})
VILLAGE_LEVELS = ("village", "town", "district", "city")
#: Tie kinds that make two people family. ``spouse`` is also family.
KIN_TIES = frozenset({"spouse", "kin", "parent", "child", "sibling", "in_law", "relative"})

_ENTITY = ("person", "company", "gang", "village")


def _c(name: str, type: ColumnType, required: bool = False, **kw: object) -> Column:
    return Column(name, type, required, **kw)  # type: ignore[arg-type]


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in [
        TableSpec(
            "people",
            (
                _c("id", "id", True),
                _c("name", "str", True),
                _c("gender", "str"),
                _c("birth_date", "date"),
                _c("id_number", "str"),
                _c("phone", "str"),
                _c("village_id", "ref", refs=("village",)),
            ),
            node_kind="person",
            key="id",
            doc="Every person in the case. Officials, gang members and front men are people too.",
        ),
        TableSpec(
            "officials",
            (
                _c("person_id", "ref", True, refs=("person",)),
                _c("position", "str", True),
                _c("unit", "str"),
                _c("rank", "str"),
                _c("jurisdiction_id", "ref", refs=("village",)),
                _c("start_date", "date"),
                _c("end_date", "date"),
            ),
            doc="Posts held by people. One row per post; a person may hold several.",
        ),
        TableSpec(
            "gangs",
            (
                _c("id", "id", True),
                _c("name", "str", True),
                _c("kind", "str"),
                _c("village_id", "ref", refs=("village",)),
            ),
            node_kind="gang",
            key="id",
        ),
        TableSpec(
            "members",
            (
                _c("person_id", "ref", True, refs=("person",)),
                _c("gang_id", "ref", True, refs=("gang",)),
                _c("role", "enum", choices=MEMBER_ROLES),
                _c("start_date", "date"),
                _c("end_date", "date"),
            ),
            doc="Listed gang members. Lists are usually incomplete.",
        ),
        TableSpec(
            "villages",
            (
                _c("id", "id", True),
                _c("name", "str", True),
                _c("parent_id", "ref", refs=("village",)),
                _c("level", "enum", choices=VILLAGE_LEVELS),
            ),
            node_kind="village",
            key="id",
            doc="The administrative tree: villages, towns, districts, the city.",
        ),
        TableSpec(
            "companies",
            (
                _c("id", "id", True),
                _c("name", "str", True),
                _c("village_id", "ref", refs=("village",)),
                _c("sector", "str"),
            ),
            node_kind="company",
            key="id",
        ),
        TableSpec(
            "company_roles",
            (
                _c("person_id", "ref", True, refs=("person",)),
                _c("company_id", "ref", True, refs=("company",)),
                _c("role", "enum", choices=COMPANY_ROLES),
                _c("share", "float"),
            ),
        ),
        TableSpec(
            "ties",
            (
                _c("src", "ref", True, refs=("person", "company")),
                _c("dst", "ref", True, refs=("person", "company")),
                _c("kind", "str", True),
                _c("weight", "float", doc="How strong the tie is (meetings together, a count); "
                   "1 when empty."),
            ),
            doc="Kinship and social ties (spouse, kin, friend, classmate, colleague, business, ...), "
                "and the ties of a generic network (see :func:`umbrella_graph.load_edges`).",
        ),
        TableSpec(
            "transactions",
            (
                _c("id", "id"),
                _c("src", "ref", True, refs=("person", "company")),
                _c("dst", "ref", True, refs=("person", "company")),
                _c("amount", "amount", True),
                _c("date", "datetime", True),
                _c("channel", "str"),
                _c("memo", "str"),
            ),
            key="id",
            doc="Bank and e-payment transfers. Rows without an id get a stable content-based id.",
        ),
        TableSpec(
            "contacts",
            (
                _c("src", "ref", True, refs=("person", "company")),
                _c("dst", "ref", True, refs=("person", "company")),
                _c("kind", "enum", True, choices=CONTACT_KINDS),
                _c("time", "datetime", True),
                _c("duration_s", "duration"),
                _c("count", "int"),
            ),
        ),
        TableSpec(
            "contracts",
            (
                _c("id", "id"),
                _c("issuer_id", "ref", True, refs=("person", "village", "unit")),
                _c("approver_id", "ref", refs=("person",)),
                _c("company_id", "ref", True, refs=("company",)),
                _c("amount", "amount"),
                _c("date", "date", True),
                _c("subject", "str"),
            ),
            key="id",
        ),
        TableSpec(
            "events",
            (
                _c("id", "id", True),
                _c("kind", "str", True),
                _c("time", "datetime", True),
                _c("gang_id", "ref", refs=("gang",)),
                _c("target_id", "ref", refs=("person", "company")),
                _c("jurisdiction_id", "ref", refs=("village",)),
            ),
            node_kind="event",
            key="id",
            doc="Enforcement events: raids, arrests, inspections, trials.",
        ),
        TableSpec(
            "leads",
            (
                _c("id", "id", True),
                _c("date", "date", True),
                _c("source", "str"),
                _c("subject_id", "ref", True, refs=("person",)),
                _c("gang_id", "ref", refs=("gang",)),
                _c("text", "str"),
            ),
            node_kind="lead",
            key="id",
            doc="Petitions, hotline tips and referrals naming an official.",
        ),
        TableSpec(
            "labels",
            (
                _c("official_id", "ref", True, refs=("person",)),
                _c("gang_id", "ref", refs=("gang",)),
                _c("label", "int", True),
            ),
            doc="Known outcomes: 1 = confirmed umbrella, 0 = cleared. Not part of the graph.",
        ),
    ]
}

#: Tables whose records are nodes, by node kind.
NODE_TABLES: dict[str, str] = {t.node_kind: t.name for t in TABLES.values() if t.node_kind}


@dataclass(frozen=True)
class NodeKind:
    """A kind of node and its Neo4j label(s)."""

    kind: str
    label: str
    table: str | None  # None for derived nodes (units)
    doc: str = ""


NODE_KINDS: dict[str, NodeKind] = {
    k.kind: k
    for k in [
        NodeKind("person", "Person", "people"),
        NodeKind("gang", "Gang", "gangs"),
        NodeKind("village", "Village", "villages"),
        NodeKind("company", "Company", "companies"),
        NodeKind("event", "Event", "events"),
        NodeKind("lead", "Lead", "leads"),
        NodeKind(
            "unit",
            "Unit",
            None,
            doc="A government unit named in officials.unit (a town government, a police station).",
        ),
    ]
}


@dataclass(frozen=True)
class Relation:
    """How the rows of one table become edges.

    One table row may give several edges (a contract gives ISSUED and, when an approver
    is named, APPROVED). Each edge keeps the row's provenance (table, file, row) and its
    record id, so evidence can cite it.

    Attributes
    ----------
    kind : str
        The edge kind in the in-memory graph (``"transaction"``) and, upper-cased as
        :attr:`rel_type`, the Neo4j relationship type.
    table : str
        Source table.
    src, dst : str
        Columns holding the two endpoint ids. For node tables ``src`` may be the key.
    attrs : tuple of str
        Columns copied onto the edge.
    strength : str or None
        The column that measures how strong the tie is (``amount``, ``count``), or None
        when every record counts 1.
    directed : bool
        Whether direction carries meaning (money flows src -> dst).
    """

    kind: str
    rel_type: str
    table: str
    src: str
    dst: str
    attrs: tuple[str, ...] = ()
    strength: str | None = None
    directed: bool = True
    doc: str = ""


RELATIONS: tuple[Relation, ...] = (
    Relation("located_in", "LOCATED_IN", "people", "id", "village_id"),
    Relation("located_in", "LOCATED_IN", "gangs", "id", "village_id"),
    Relation("located_in", "LOCATED_IN", "companies", "id", "village_id"),
    Relation("part_of", "PART_OF", "villages", "id", "parent_id"),
    Relation(
        "post",
        "HOLDS_POST",
        "officials",
        "person_id",
        "jurisdiction_id",
        ("position", "unit", "rank", "start_date", "end_date"),
        doc="An official's post, pointing at the place it governs.",
    ),
    Relation(
        "works_in",
        "WORKS_IN",
        "officials",
        "person_id",
        "unit",
        ("position", "rank", "start_date", "end_date"),
        doc="An official's post, pointing at the unit (derived node) it belongs to.",
    ),
    Relation("member", "MEMBER_OF", "members", "person_id", "gang_id", ("role", "start_date", "end_date")),
    Relation("company_role", "ROLE_IN", "company_roles", "person_id", "company_id", ("role", "share")),
    Relation("tie", "TIE", "ties", "src", "dst", ("kind", "weight"), strength="weight", directed=False),
    Relation(
        "transaction",
        "PAID",
        "transactions",
        "src",
        "dst",
        ("id", "amount", "date", "channel", "memo"),
        strength="amount",
    ),
    Relation(
        "contact",
        "CONTACTED",
        "contacts",
        "src",
        "dst",
        ("kind", "time", "duration_s", "count"),
        strength="count",
        directed=False,
    ),
    Relation(
        "contract",
        "ISSUED_CONTRACT",
        "contracts",
        "issuer_id",
        "company_id",
        ("id", "amount", "date", "subject", "approver_id"),
        strength="amount",
    ),
    Relation(
        "approval",
        "APPROVED_CONTRACT",
        "contracts",
        "approver_id",
        "company_id",
        ("id", "amount", "date", "subject", "issuer_id"),
        strength="amount",
    ),
    Relation("event_gang", "TARGETS_GANG", "events", "id", "gang_id", ("kind", "time")),
    Relation("event_target", "TARGETS", "events", "id", "target_id", ("kind", "time")),
    Relation("event_place", "IN_JURISDICTION", "events", "id", "jurisdiction_id", ("kind", "time")),
    Relation("lead_subject", "NAMES", "leads", "id", "subject_id", ("date", "source")),
    Relation("lead_gang", "NAMES_GANG", "leads", "id", "gang_id", ("date", "source")),
)


#: Every Neo4j label the library may write or match. ``Official`` is added to people
#: who hold a post; ``CaseMeta`` labels the one node describing the stored case (tables,
#: columns, load status).
NEO4J_LABELS: frozenset[str] = frozenset(
    {k.label for k in NODE_KINDS.values()} | {"Official", "Entity", "CaseMeta"}
)
#: Every Neo4j relationship type the library may write or match.
NEO4J_REL_TYPES: frozenset[str] = frozenset(r.rel_type for r in RELATIONS)


def strength_to_distance(strength: np.ndarray) -> np.ndarray:
    """Turn tie strengths (amounts, counts; > 0) into distances for path algorithms.

    The one conversion the library uses: ``distance = 1 / log1p(strength)`` with a floor
    so that a tie of strength 1 has distance ``1 / log(2)``. Stronger ties are shorter;
    the logarithm keeps one huge payment from collapsing every path onto it.

    Examples
    --------
    >>> import numpy as np
    >>> d = strength_to_distance(np.array([1.0, 10.0, 1e6]))
    >>> bool(d[0] > d[1] > d[2])
    True
    """
    s = np.asarray(strength, dtype=float)
    s = np.where(np.isfinite(s) & (s > 0), s, 1.0)
    return 1.0 / np.log1p(s)
