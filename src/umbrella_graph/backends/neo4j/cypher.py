"""Cypher building blocks: only whitelisted names are ever formatted into query text.

Labels and relationship types come from the schema's whitelists
(:data:`~umbrella_graph.schema.NEO4J_LABELS`, :data:`~umbrella_graph.schema.NEO4J_REL_TYPES`)
and property names must be plain identifiers; every value travels as a query parameter.
"""

from __future__ import annotations

import re

from ...graph import _NAME_COL
from ...schema import NEO4J_LABELS, NEO4J_REL_TYPES, NODE_KINDS, RELATIONS

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

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

