"""How a view looks: node and edge styles, categories, widths, labels, vis-network options.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..domain import tie_relation
from ..graph import CaseGraph
from ..presentation import (
    cell_text,
    fmt_time,
    mask_text,
)
from ..schema import MEMBER_ROLES


@dataclass(frozen=True)
class NodeStyle:
    """How one category of node is drawn."""

    label: str
    shape: str
    color: str
    size: float


@dataclass(frozen=True)
class EdgeStyle:
    """How one family of edges is drawn."""

    label: str
    color: str
    dashes: bool | tuple[int, ...]
    arrows: bool


#: Node categories in legend order. ``leader``/``core``/``member`` are listed gang members
#: by their role; ``person`` is anyone else who holds no post.
NODE_STYLES: dict[str, NodeStyle] = {
    "official": NodeStyle("Official", "diamond", "#d62728", 16),
    "leader": NodeStyle("Gang leader", "triangle", "#4a148c", 20),
    "core": NodeStyle("Core member", "triangle", "#8e24aa", 15),
    "member": NodeStyle("Gang member", "dot", "#c77cd6", 11),
    "person": NodeStyle("Other person", "dot", "#9e9e9e", 8),
    "gang": NodeStyle("Gang", "star", "#b71c1c", 26),
    "company": NodeStyle("Company", "square", "#1f77b4", 11),
    "village": NodeStyle("Village / town", "hexagon", "#2ca02c", 11),
    "unit": NodeStyle("Government unit", "hexagon", "#17becf", 11),
    "event": NodeStyle("Raid / event", "triangleDown", "#ff7f0e", 13),
    "lead": NodeStyle("Lead", "square", "#bcbd22", 8),
}

#: Edge families in legend order.
EDGE_STYLES: dict[str, EdgeStyle] = {
    "money": EdgeStyle("Money", "#e6550d", False, True),
    "call": EdgeStyle("Call / message", "#3182bd", (5, 4), False),
    "meeting": EdgeStyle("Meeting", "#08519c", (12, 4), False),
    "kin": EdgeStyle("Kin", "#2ca02c", False, False),
    "social": EdgeStyle("Other tie", "#98c98f", (2, 4), False),
    "contract": EdgeStyle("Contract / approval", "#756bb1", False, True),
    "membership": EdgeStyle("Gang membership", "#9c27b0", (1, 3), False),
    "company": EdgeStyle("Company role", "#6baed6", (6, 3), True),
    "post": EdgeStyle("Post", "#17becf", (3, 3), True),
    "place": EdgeStyle("Location", "#b8d8b0", (1, 5), False),
    "event": EdgeStyle("Raid / event", "#ff7f0e", (8, 3, 2, 3), True),
    "lead": EdgeStyle("Lead", "#bcbd22", (2, 3), True),
    "gangside": EdgeStyle("Gang-side link (scorer)", "#444444", (10, 3, 2, 3), False),
}

_KIND_FAMILY = {
    "transaction": "money",
    "contact": "call",  # "meeting" for meetings, decided per record
    "tie": "social",  # "kin" for KIN_TIES, decided per record
    "contract": "contract",
    "approval": "contract",
    "member": "membership",
    "company_role": "company",
    "post": "post",
    "works_in": "post",
    "located_in": "place",
    "part_of": "place",
    "event_gang": "event",
    "event_target": "event",
    "event_place": "event",
    "lead_subject": "lead",
    "lead_gang": "lead",
}

#: The edge kinds views show by default: the relations between people, companies, gangs,
#: events and leads. Places and posts (villages, units) connect everything to everything
#: and are left out unless asked for with ``kinds=``.
DEFAULT_VIEW_KINDS: tuple[str, ...] = (
    "member",
    "company_role",
    "tie",
    "transaction",
    "contact",
    "contract",
    "approval",
    "event_gang",
    "event_target",
    "lead_subject",
    "lead_gang",
)

_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
    "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)
_ROLE_RANK = {r: i for i, r in enumerate(MEMBER_ROLES)}
_CSS_LENGTH = re.compile(r"^\d+(\.\d+)?(px|vh|em|rem|%)$")
#: Records listed in an edge's tooltip (the rest are counted: "... and N more"), and fewer
#: on a crowded view, whose page would otherwise carry a dozen records for each of tens of
#: thousands of edges (a dense call log): the records of a pair stay in its evidence section.
_TIP_RECORDS = 12
_TIP_RECORDS_CROWDED = 3
_CROWDED_EDGES = 5000
_RECORD_COLUMNS = ("date", "amount", "record", "source", "detail")

# ---------------------------------------------------------------------------------------
# drawing
# ---------------------------------------------------------------------------------------
def name_map(graph: CaseGraph) -> dict[str, str]:
    """Node id -> display name (the id where the name is missing), built without row loops."""
    ids = graph.nodes["id"].astype(str).to_numpy(dtype=object)
    names = graph.nodes["name"].to_numpy(dtype=object, na_value=None)
    return {i: (i if n is None else str(n)) for i, n in zip(ids.tolist(), names.tolist(), strict=True)}


def kind_map(graph: CaseGraph) -> dict[str, str]:
    """Node id -> node kind."""
    ids = graph.nodes["id"].astype(str).to_numpy(dtype=object).tolist()
    kinds = graph.nodes["kind"]
    cats = [str(c) for c in kinds.cat.categories]
    return {i: cats[c] for i, c in zip(ids, kinds.cat.codes.tolist(), strict=True)}


def _node_name(graph: CaseGraph, pos: int) -> str:
    name = graph.nodes["name"].iat[pos]
    return str(graph.nodes["id"].iat[pos]) if pd.isna(name) else str(name)


def _fmt_times(t: pd.Series) -> list[str]:
    """Vectorised :func:`~umbrella_graph._format.fmt_time` ('' for missing)."""
    t = pd.to_datetime(t)
    if not len(t):
        return []
    timed = (t.dt.hour != 0) | (t.dt.minute != 0)
    out = t.dt.strftime("%Y-%m-%d").where(~timed, t.dt.strftime("%Y-%m-%d %H:%M"))
    return out.fillna("").astype(str).tolist()


def _categories(graph: CaseGraph, positions: Sequence[int]) -> dict[int, str]:
    nodes = graph.nodes
    members = graph.case["members"]
    best: dict[str, int] = {}
    for pid, role in zip(members["person_id"].astype(str), members["role"].astype("string"), strict=True):
        r = _ROLE_RANK.get(str(role), 2) if pd.notna(role) else 2
        best[pid] = min(best.get(pid, 9), r)
    out = {}
    for p in positions:
        kind = str(nodes["kind"].iat[p])
        if kind == "person":
            if bool(nodes["official"].iat[p]):
                cat = "official"
            else:
                nid = str(nodes["id"].iat[p])
                cat = MEMBER_ROLES[best[nid]] if nid in best else "person"
        else:
            cat = kind
        out[p] = cat
    return out


def _family(kind: str, rec_kind: Any) -> str:
    if kind == "contact":
        return "meeting" if cell_text(rec_kind) == "meeting" else "call"
    if kind == "tie":
        return "kin" if tie_relation([cell_text(rec_kind)])[0] else "social"
    return _KIND_FAMILY.get(kind, "social")



def _width(fam: str, amount: float, count: float) -> float:
    if fam in ("money", "contract") and amount > 0:
        return round(min(6.0, 1.0 + 0.9 * math.log10(1.0 + amount / 1000.0)), 2)
    if count > 1:
        return round(min(5.0, 1.0 + 0.7 * math.log2(count)), 2)
    return 1.0


def node_key(node_id: str, position: int, mask_pii: bool) -> str:
    """The id of a node in a view's data: its own id, or ``n<position>`` (its position in
    the graph) when masking and the id holds an ID or phone number, so that a masked page
    carries no such number, not even in its data.

    >>> node_key("P0061", 7, True), node_key("110101199003071234", 7, True)
    ('P0061', 'n7')
    """
    return f"n{position}" if mask_pii and mask_text(node_id) != node_id else node_id


def _smooth(nth: int) -> Any:
    """Separate several edges between the same two nodes by curving them apart."""
    if nth == 0:
        return False
    side = "curvedCW" if nth % 2 else "curvedCCW"
    return {"enabled": True, "type": side, "roundness": round(0.18 * ((nth + 1) // 2), 2)}


def _vis_options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": True,
                        "hideEdgesOnDrag": False},
        "nodes": {"font": {"size": 12, "face": "sans-serif"}, "borderWidth": 1},
        "edges": {"smooth": False, "selectionWidth": 2},
    }


def _short(text: str, n: int = 18) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _node_label(graph: CaseGraph, p: int) -> str:
    kind = str(graph.nodes["kind"].iat[p])
    name = _node_name(graph, p)
    nid = str(graph.nodes["id"].iat[p])
    if kind == "event":
        ev = graph.case["events"]
        row = ev[ev["id"].astype(str) == nid]
        when = fmt_time(row["time"].iat[0]).split(" ")[0] if len(row) else ""
        return f"{name} {when}".strip()
    if kind == "lead":
        return f"lead {nid}"
    return name
