"""Interactive network views of a case: a gang, one suspect pair, the whole case.

Each view is a :class:`NetworkView`: a :class:`pyvis.network.Network` holding the nodes
and edges (reach it as ``view.network``), rendered by our own self-contained page
(vis-network inlined, no CDN, no network request) so that it shows the same way

* inline in Jupyter (classic, JupyterLab, VS Code): ``view`` as the last expression of
  a cell, displayed through an ``<iframe srcdoc=...>``;
* as an HTML file: ``view.save("gang.html")``.

What the picture means
----------------------
* Node shape and colour say what a node is: officials (red diamonds), gang leaders, core
  members and members (purple triangles and dots), other people (grey dots), gangs
  (stars), companies (blue squares), villages and towns (green hexagons), government units
  (teal hexagons), raids and other events (orange triangles), leads (olive squares).
  Officials are bigger the higher their score. With ``communities=`` the fill colour
  shows the community instead; the shape still shows the kind.
* An edge is all the records of one kind between two nodes: money (orange, arrow in the
  direction of payment, width by total amount), calls/messages and meetings (blue,
  dashed, width by number of contacts), kin (green), other social ties, contracts and
  approvals, gang membership, company roles, posts, places, events and leads.
* Hovering shows the evidence: for a node its record; for an edge its records with date,
  amount, record id, file and spreadsheet row.
* The toolbar searches names and ids, filters edges by kind and by date range (undated
  ties such as kinship stay visible), and says how many nodes are shown out of how many.

Big graphs
----------
A view shows at most ``max_nodes`` nodes, chosen deterministically by relevance (the
rule is stated in the view's note, with what was left out), laid out in Python with a
seeded spring layout per connected component (physics is off in the browser), so the
same call gives the same picture every time.
"""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._compat import legacy_positional
from ._format import cell_text, fmt_amount, fmt_time, source
from .domain import tie_relation
from .errors import ParameterError
from .graph import EDGE_KINDS, CaseGraph
from .masking import mask_id_number, mask_phone, mask_text
from .schema import MEMBER_ROLES

if TYPE_CHECKING:  # pragma: no cover
    from pyvis.network import Network

__all__ = [
    "NetworkView",
    "NodeStyle",
    "EdgeStyle",
    "NODE_STYLES",
    "EDGE_STYLES",
    "DEFAULT_VIEW_KINDS",
    "view_gang",
    "view_pair",
    "view_case",
]


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
# the view object
# ---------------------------------------------------------------------------------------
@dataclass
class NetworkView:
    """An interactive network view: shows inline in Jupyter, saves as one HTML file.

    Attributes
    ----------
    network : pyvis.network.Network
        The nodes and edges, with positions (``x``, ``y``), styles and the evidence
        shown on hover (``tip``). Change it and :attr:`html` follows.
    title : str
        The heading.
    note : str
        What is shown and what was left out ("120 of 4,210 nodes shown: ...").
    shown, total : int
        Nodes shown and nodes in the case graph.
    height : str
        CSS height of the drawing (``"650px"``).
    """

    network: Network
    title: str
    note: str
    shown: int
    total: int
    height: str = "650px"
    meta: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """The view as plain JSON-able data (what the page's script draws)."""
        nodes = []
        cats: dict[str, None] = {}
        for n in self.network.nodes:
            cats[str(n.get("cat", "person"))] = None
            nodes.append({k: n[k] for k in ("id", "label", "shape", "color", "size", "x", "y",
                                             "cat", "name", "tip", "grp") if k in n})
        edges = []
        fams: dict[str, None] = {}
        for i, e in enumerate(self.network.edges):
            fams[str(e.get("fam", "social"))] = None
            d = {k: e[k] for k in ("from", "to", "fam", "width", "color", "dashes", "smooth",
                                   "tip", "t", "evidence") if k in e}
            d["id"] = e.get("id", f"e{i}")
            d["arrows"] = e.get("arrows", "") == "to"
            edges.append(d)
        times = [t for e in edges for t in e.get("t", ())]
        legend_nodes = [
            {"cat": c, "label": s.label, "shape": s.shape, "color": s.color}
            for c, s in NODE_STYLES.items() if c in cats
        ]
        legend_edges = [
            {"fam": f, "label": s.label, "color": s.color,
             "dashes": list(s.dashes) if isinstance(s.dashes, tuple) else bool(s.dashes)}
            for f, s in EDGE_STYLES.items() if f in fams
        ]
        return {
            "title": self.title,
            "note": self.note,
            "shown": self.shown,
            "total": self.total,
            "nodes": nodes,
            "edges": edges,
            "legend": {"nodes": legend_nodes, "edges": legend_edges,
                       "communities": self.meta.get("communities")},
            "days": [min(times), max(times)] if times else None,
        }

    @property
    def html(self) -> str:
        """The view as one self-contained HTML document (no external resources)."""
        from .reporting._html import Page, render_template

        body = render_template("view.html.j2", title=self.title, note=self.note, height=self.height)
        page = Page(self.title, body, {"view": self.to_data()},
                    scripts=["vis", "network.js", "view.js"], styles=["vis", "network.css"],
                    body_class="ug-view-page")
        return page.render()

    def save(self, path: str | Path) -> Path:
        """Write :attr:`html` to ``path`` (UTF-8); return the path."""
        p = Path(path)
        p.write_text(self.html, encoding="utf-8")
        return p

    def _repr_html_(self) -> str:
        # the page goes into srcdoc (attribute-escaped); sandboxed: scripts run, but the
        # frame has no access to the notebook
        height = _css_px(self.height) + 170
        return (
            f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd" '
            'sandbox="allow-scripts" loading="eager" '
            f'title="{_html.escape(self.title, quote=True)}"></iframe>'
        )

    def __repr__(self) -> str:
        return (f"<NetworkView {self.title!r}: {self.shown} of {self.total} nodes, "
                f"{len(self.network.edges)} edges>")


def _css_px(height: str) -> int:
    m = re.match(r"^(\d+)", height)
    if height.endswith("px") and m:
        return int(m.group(1))
    return 650


# ---------------------------------------------------------------------------------------
# public views
# ---------------------------------------------------------------------------------------
@legacy_positional(["scores"], after=2)
def view_gang(
    graph: CaseGraph,
    gang_id: str,
    *,
    scores: pd.DataFrame | None = None,
    max_nodes: int = 150,
    officials: int = 10,
    kinds: Iterable[str] | None = None,
    communities: str | Mapping[str, int] | pd.Series | None = None,
    mask_pii: bool = True,
    height: str = "650px",
    seed: int = 0,
    title: str | None = None,
) -> NetworkView:
    """A gang, its members, their companies, and the officials around it.

    Parameters
    ----------
    graph : CaseGraph
        The case graph.
    gang_id : str
        The gang to show.
    scores : DataFrame, optional
        Output of :func:`umbrella_graph.scoring.score_umbrellas` (``official_id``,
        ``gang_id``, ``score``). With scores the ``officials`` best-scored officials for
        this gang are shown with the shortest chain linking each to the gang, and
        officials are sized by score. Keyword-only; passing it positionally still works
        until 0.3 with a :class:`FutureWarning`.
    max_nodes : int
        Node budget. Chosen in this order: the gang, its listed members (leaders first),
        the top officials and their links to the gang, raids on the gang, then
        neighbours by number of records linking them to what is already shown.
    officials : int
        How many top-scored officials to include.
    kinds : iterable of str, optional
        Edge kinds to follow and draw (default :data:`DEFAULT_VIEW_KINDS`).
    communities : "auto", mapping or Series, optional
        Colour nodes by community: ``"auto"`` computes communities of the shown subgraph
        (seeded); a mapping/Series gives node id -> community label.
    mask_pii : bool
        Mask ID numbers and phone numbers in tooltips (default True).
    height : str
        CSS height of the drawing.
    seed : int
        Seed of the layout (same seed, same picture).
    title : str, optional
        Heading (default: the gang's name).

    Returns
    -------
    NetworkView

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["p1", "p2", "o1"], "name": ["甲", "乙", "丙"]}),
    ...     gangs=pd.DataFrame({"id": ["g1"], "name": ["黑虎帮"]}),
    ...     members=pd.DataFrame({"person_id": ["p1", "p2"], "gang_id": ["g1", "g1"],
    ...                           "role": ["leader", "member"]}),
    ...     officials=pd.DataFrame({"person_id": ["o1"], "position": ["所长"]}),
    ...     transactions=pd.DataFrame({"src": ["p1"], "dst": ["o1"], "amount": [50000],
    ...                                "date": ["2020-05-01"]}))
    >>> v = view_gang(build_graph(case), "g1")
    >>> v.shown, v.total
    (4, 4)
    >>> sorted(n["cat"] for n in v.network.nodes)
    ['gang', 'leader', 'member', 'official']
    """
    kinds_t = _check_kinds(kinds, "view_gang")
    _check_budget(max_nodes, "view_gang")
    _check_css(height, "view_gang")
    if gang_id not in graph or graph.kind_of(gang_id) != "gang":
        raise ParameterError.invalid("gang_id", "view_gang", "the id of a gang in the case", gang_id)
    if officials < 0:
        raise ParameterError.invalid("officials", "view_gang", "a non-negative integer", officials)
    gpos = int(graph.index_of(gang_id)[0])
    members = graph.case["members"]
    members = members[members["gang_id"].astype(str) == gang_id]
    roles = members["role"].astype("string").fillna("member").map(lambda r: _ROLE_RANK.get(r, 2))
    members = members.assign(_rank=roles.to_numpy()).sort_values(["_rank", "person_id"], kind="stable")
    member_pos = [int(p) for p in graph.index_of(members["person_id"].astype(str).tolist()) if p >= 0]
    core = list(dict.fromkeys([gpos, *member_pos]))

    A = graph.adjacency(kinds_t, weight="count")
    chosen: list[int] = list(core)
    if len(core) > max_nodes:
        parts = [f"the gang and {max_nodes - 1} of its {len(member_pos)} listed members (leaders first)"]
    else:
        parts = [f"the gang and its {len(member_pos)} listed member(s)"]
    score_map = _score_map(scores, gang_id=gang_id, func="view_gang")
    if score_map and officials:
        dist, pred = _bfs(A, core, max_depth=4)
        top = sorted(score_map.items(), key=lambda kv: (-kv[1], kv[0]))[:officials]
        off_pos = [int(graph.index_of(o)[0]) for o, _ in top if o in graph]
        for p in off_pos:
            chosen.append(p)
            q = p
            while q >= 0 and dist[q] > 0:
                q = int(pred[q])
                chosen.append(q)
        parts.append(f"the top {len(off_pos)} official(s) by score with their shortest links to the gang")
    # raids and other events on this gang
    ev = graph.edges[(graph.edges["kind"] == "event_gang") & (graph.edges["dst"] == gpos)]
    if "event_gang" in kinds_t and len(ev):
        chosen.extend(int(s) for s in sorted(ev["src"].tolist()))
        parts.append("events on the gang")
    chosen = list(dict.fromkeys(chosen))
    if len(chosen) < max_nodes:
        before = len(chosen)
        chosen = _grow(A, chosen, max_nodes, depth=2)
        if len(chosen) > before:
            parts.append("then neighbours within two steps, most records first")
    chosen = chosen[:max_nodes]
    name = _node_name(graph, gpos)
    note = _note(graph, chosen, "Shown: " + ", ".join(parts) + ".")
    return _build_view(
        graph, chosen, kinds_t, title=title or f"Gang {name}", note=note,
        scores=score_map, communities=communities, mask_pii=mask_pii, height=height, seed=seed,
        meta={"gang_id": gang_id},
    )


def view_pair(
    graph: CaseGraph,
    official_id: str,
    gang_id: str,
    *,
    k: int = 5,
    explanation: Any = None,
    scores: pd.DataFrame | None = None,
    mask_pii: bool = True,
    height: str = "550px",
    title: str | None = None,
) -> NetworkView:
    """The evidence linking one official to one gang.

    Shows the official, the gang and every node on the evidence paths of
    :func:`umbrella_graph.scoring.explain`, laid out left (official) to right (gang) by
    their place on the paths. Edges that carry evidence are drawn strong, other records
    between the same nodes faint. Hovering an edge lists its records (file, row, id,
    date, amount).

    Parameters
    ----------
    graph : CaseGraph
    official_id, gang_id : str
        The pair.
    k : int
        Number of evidence paths (passed to ``explain``).
    explanation : Explanation, optional
        A precomputed ``explain(graph, official_id, gang_id, k)`` result.
    scores : DataFrame, optional
        To size the official by its score for this gang.
    mask_pii : bool
        Mask ID numbers and phone numbers (default True).
    height : str
        CSS height of the drawing.
    title : str, optional
        Heading.

    Returns
    -------
    NetworkView
        When no path links the pair, the view shows the two nodes and its note gives the
        explanation's message.
    """
    _check_css(height, "view_pair")
    if official_id not in graph or graph.kind_of(official_id) != "person":
        raise ParameterError.invalid("official_id", "view_pair", "the id of a person in the case", official_id)
    if gang_id not in graph or graph.kind_of(gang_id) != "gang":
        raise ParameterError.invalid("gang_id", "view_pair", "the id of a gang in the case", gang_id)
    if explanation is None:
        from .scoring import explain

        explanation = explain(graph, official_id, gang_id, k=k)
    layer: dict[str, float] = {official_id: 0.0}
    order: dict[str, int] = {official_id: 0}
    evidence: set[tuple[str, int]] = set()
    hops: list[Any] = []
    paths = list(getattr(explanation, "paths", []) or [])
    for pi, path in enumerate(paths):
        nodes = [str(n) for n in path.nodes]
        for j, n in enumerate(nodes):
            if n not in layer or j < layer[n]:
                layer[n] = float(j)
            order.setdefault(n, pi * 100 + j)
        for hop in path.hops:
            hops.append(hop)
            recs = getattr(hop, "records", None)
            if isinstance(recs, pd.DataFrame) and len(recs) and {"table", "row"} <= set(recs.columns):
                for t, r in zip(recs["table"].astype(str), recs["row"], strict=True):
                    if pd.notna(r):
                        evidence.add((t, int(r)))
    # the gang always stands on the right, one step after the furthest node of any path
    layer.pop(gang_id, None)
    layer[gang_id] = max(layer.values()) + 1
    order[gang_id] = 10**6
    ids = [n for n in layer if n in graph]
    pos_list = [int(p) for p in graph.index_of(ids)]
    score_map = _score_map(scores, gang_id=gang_id, func="view_pair")
    sc = getattr(explanation, "score", None)
    if sc is not None and official_id not in score_map:
        score_map[official_id] = float(sc)
    if paths:
        note = (f"{len(paths)} evidence path(s); {len(ids)} nodes. Strong edges carry the evidence; "
                "faint edges are other records between the same people.")
    else:
        note = str(getattr(explanation, "message", "") or "No evidence path links this pair.")
    positions = {n: (layer[n], order.get(n, 0)) for n in ids}
    official_name = _node_name(graph, pos_list[0])
    gang_name = _node_name(graph, int(graph.index_of(gang_id)[0]))
    return _build_view(
        graph, pos_list, EDGE_KINDS, title=title or f"{official_name} — {gang_name}", note=note,
        scores=score_map, communities=None, mask_pii=mask_pii, height=height, seed=0,
        layered=positions, evidence=evidence, hops=hops, meta={"official_id": official_id, "gang_id": gang_id},
    )


@legacy_positional(["scores"], after=1)
def view_case(
    graph: CaseGraph,
    *,
    scores: pd.DataFrame | None = None,
    max_nodes: int = 500,
    officials: int = 20,
    focus: Sequence[str] = (),
    kinds: Iterable[str] | None = None,
    communities: str | Mapping[str, int] | pd.Series | None = None,
    mask_pii: bool = True,
    height: str = "700px",
    seed: int = 0,
    title: str | None = None,
) -> NetworkView:
    """An overview of the case within a node budget.

    Parameters
    ----------
    graph : CaseGraph
    scores : DataFrame, optional
        Output of ``score_umbrellas``: the ``officials`` best-scored officials are
        included and officials are sized by their best score. Keyword-only; passing it
        positionally still works until 0.3 with a :class:`FutureWarning`.
    max_nodes : int
        Node budget (default 500). Chosen in this order: ``focus`` ids, gangs, top
        officials, gang leaders and core members, other listed members, then the other
        nodes with the most records (ties broken by id). Nodes without any record of the
        shown kinds are left out. The note says how many of each kind were left out.
    officials : int
        How many top-scored officials to include.
    focus : sequence of str
        Ids to include first (the report passes the evidence of its top pairs).
    kinds : iterable of str, optional
        Edge kinds to draw (default :data:`DEFAULT_VIEW_KINDS`).
    communities : "auto", mapping or Series, optional
        Colour nodes by community.
    mask_pii : bool
        Mask ID numbers and phone numbers (default True).
    height : str
        CSS height of the drawing.
    seed : int
        Layout seed.
    title : str, optional
        Heading.

    Returns
    -------
    NetworkView
    """
    kinds_t = _check_kinds(kinds, "view_case")
    _check_budget(max_nodes, "view_case")
    _check_css(height, "view_case")
    chosen = _select_case(graph, scores, max_nodes=max_nodes, officials=officials,
                          focus=focus, kinds=kinds_t, func="view_case")
    score_map = _score_map(scores, gang_id=None, func="view_case")
    rule = "Shown: "
    rule += "the focused evidence, " if focus else ""
    rule += "all gangs, "
    rule += f"the top {officials} officials by score, " if score_map else ""
    rule += ("listed gang members (leaders first), then their neighbours within two steps with the most "
             "records into what is shown, then the best-connected others.")
    note = _note(graph, chosen, rule)
    name = graph.case.name or "case"
    return _build_view(
        graph, chosen, kinds_t, title=title or f"Case {name}", note=note, scores=score_map,
        communities=communities, mask_pii=mask_pii, height=height, seed=seed, meta={},
    )


# ---------------------------------------------------------------------------------------
# selection
# ---------------------------------------------------------------------------------------
def _check_kinds(kinds: Iterable[str] | None, func: str) -> tuple[str, ...]:
    if kinds is None:
        return DEFAULT_VIEW_KINDS
    if isinstance(kinds, str):
        kinds = [kinds]
    out = tuple(dict.fromkeys(str(k) for k in kinds))
    bad = [k for k in out if k not in EDGE_KINDS]
    if bad or not out:
        raise ParameterError.invalid("kinds", func, "edge kinds from " + ", ".join(EDGE_KINDS), bad or "[]")
    return out


def _check_budget(max_nodes: int, func: str) -> None:
    if not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool) or max_nodes < 2:
        raise ParameterError.invalid("max_nodes", func, "an integer >= 2", max_nodes)


def _check_css(height: str, func: str) -> None:
    if not isinstance(height, str) or not _CSS_LENGTH.match(height):
        raise ParameterError.invalid("height", func, "a CSS length such as '650px' or '80vh'", height)


def _score_map(scores: pd.DataFrame | None, *, gang_id: str | None, func: str) -> dict[str, float]:
    """official id -> score (for one gang, or the best over gangs)."""
    if scores is None:
        return {}
    if not isinstance(scores, pd.DataFrame):
        raise ParameterError.invalid("scores", func, "a DataFrame from score_umbrellas", type(scores).__name__)
    missing = [c for c in ("official_id", "gang_id", "score") if c not in scores.columns]
    if missing:
        raise ParameterError.invalid("scores", func, "a DataFrame with columns official_id, gang_id, score",
                                     f"missing {', '.join(missing)}")
    s = scores
    if gang_id is not None:
        s = s[s["gang_id"].astype(str) == gang_id]
    if not len(s):
        return {}
    best = s.groupby(s["official_id"].astype(str), sort=True)["score"].max()
    return {str(k): float(v) for k, v in best.items() if pd.notna(v)}


def _bfs(A: sp.csr_matrix, sources: Sequence[int], max_depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Multi-source BFS: hop distance (-1 unreached) and a deterministic predecessor."""
    n = A.shape[0]
    dist = np.full(n, -1, dtype=np.int64)
    pred = np.full(n, -1, dtype=np.int64)
    frontier = np.unique(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0
    for d in range(1, max_depth + 1):
        if not len(frontier):
            break
        sub = A[frontier].tocoo()
        rows, cols = frontier[sub.row], sub.col.astype(np.int64)
        keep = dist[cols] == -1
        rows, cols = rows[keep], cols[keep]
        if not len(cols):
            break
        order = np.lexsort((rows, cols))
        rows, cols = rows[order], cols[order]
        new, first = np.unique(cols, return_index=True)
        dist[new] = d
        pred[new] = rows[first]
        frontier = new
    return dist, pred


def _grow(A: sp.csr_matrix, chosen: list[int], budget: int, depth: int) -> list[int]:
    """Add neighbours ring by ring, most records into the chosen set first, then by position."""
    out = list(chosen)
    have = np.zeros(A.shape[0], dtype=bool)
    have[out] = True
    for _ in range(depth):
        if len(out) >= budget:
            break
        ind = np.zeros(A.shape[0])
        ind[out] = 1.0
        links = A @ ind  # records into the chosen set (A is a count matrix)
        cand = np.flatnonzero((links > 0) & ~have)
        if not len(cand):
            break
        cand = cand[np.lexsort((cand, -links[cand]))]
        take = cand[: budget - len(out)]
        out.extend(int(c) for c in take)
        have[take] = True
    return out


def _select_case(
    graph: CaseGraph,
    scores: pd.DataFrame | None,
    *,
    max_nodes: int,
    officials: int,
    focus: Sequence[str],
    kinds: tuple[str, ...],
    func: str,
) -> list[int]:
    nodes = graph.nodes
    chosen: list[int] = [int(p) for p in graph.index_of(list(focus)) if p >= 0] if focus else []
    chosen.extend(np.flatnonzero((nodes["kind"] == "gang").to_numpy()).tolist())
    score_map = _score_map(scores, gang_id=None, func=func)
    if score_map:
        top = sorted(score_map.items(), key=lambda kv: (-kv[1], kv[0]))[:officials]
        chosen.extend(int(p) for p in graph.index_of([o for o, _ in top]) if p >= 0)
    members = graph.case["members"]
    if len(members):
        rk = members["role"].astype("string").fillna("member").map(lambda r: _ROLE_RANK.get(r, 2))
        m = members.assign(_rank=rk.to_numpy()).sort_values(["_rank", "gang_id", "person_id"], kind="stable")
        chosen.extend(int(p) for p in graph.index_of(m["person_id"].astype(str).tolist()) if p >= 0)
    chosen = list(dict.fromkeys(chosen))[:max_nodes]
    A = graph.adjacency(kinds, weight="count")
    if len(chosen) < max_nodes:
        chosen = _grow(A, chosen, max_nodes, depth=2)
    if len(chosen) < max_nodes:
        deg = np.asarray(A.sum(axis=1)).ravel()
        have = np.zeros(len(nodes), dtype=bool)
        have[chosen] = True
        cand = np.flatnonzero((deg > 0) & ~have)
        cand = cand[np.lexsort((cand, -deg[cand]))]
        chosen.extend(int(c) for c in cand[: max_nodes - len(chosen)])
    return chosen[:max_nodes]


def _note(graph: CaseGraph, chosen: Sequence[int], rule: str) -> str:
    total = graph.number_of_nodes()
    shown = len(chosen)
    if shown >= total:
        return f"All {total:,} nodes shown."
    kinds = graph.nodes["kind"].astype(str).to_numpy()
    mask = np.ones(total, dtype=bool)
    mask[list(chosen)] = False
    left = pd.Series(kinds[mask]).value_counts()
    plural = {"person": "people", "company": "companies", "village": "villages", "unit": "units",
              "event": "events", "lead": "leads", "gang": "gangs"}
    left_txt = ", ".join(f"{int(c):,} {plural.get(str(k), str(k))}" for k, c in left.items())
    return f"{shown:,} of {total:,} nodes shown. {rule} Left out: {left_txt}."


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


def _detail(table: str, rec: pd.DataFrame, mask: bool) -> list[str]:
    """One short description per record of ``table``."""
    def col(c: str) -> list[str]:
        if c in rec.columns:
            return [cell_text(v) for v in rec[c].tolist()]
        return [""] * len(rec)

    def txt(v: str) -> str:
        return mask_text(v) if mask else v

    if table == "transactions":
        return [", ".join(x for x in (c, txt(m)) if x) for c, m in zip(col("channel"), col("memo"), strict=True)]
    if table == "contacts":
        out = []
        for k, d, n in zip(col("kind"), col("duration_s"), col("count"), strict=True):
            bits = [k]
            if d:
                bits.append(f"{float(d):.0f} s")
            if n and n != "1":
                bits.append(f"x{n}")
            out.append(", ".join(bits))
        return out
    if table == "ties":
        return col("kind")
    if table == "members":
        return [r or "member" for r in col("role")]
    if table == "company_roles":
        return [", ".join(x for x in (r, f"share {s}" if s else "") if x) for r, s in zip(col("role"), col("share"), strict=True)]
    if table == "contracts":
        return [txt(v) for v in col("subject")]
    if table == "officials":
        return [", ".join(x for x in (p, u) if x) for p, u in zip(col("position"), col("unit"), strict=True)]
    if table == "events":
        return col("kind")
    if table == "leads":
        return col("source")
    return [""] * len(rec)


def _edge_records(graph: CaseGraph, e: pd.DataFrame, mask: bool) -> pd.DataFrame:
    """One row per record edge: endpoints, family, time, amount, id, source, detail."""
    parts = []
    case = graph.case
    for table, grp in e.groupby("table", observed=True, sort=False):
        table = str(table)
        rec = case[table].iloc[grp["pos"].to_numpy()].reset_index(drop=True)
        n = len(grp)
        rkind = rec["kind"].tolist() if "kind" in rec.columns else [None] * n
        fams = [_family(str(k), rk) for k, rk in zip(grp["kind"].astype(str), rkind, strict=True)]
        amount = rec["amount"].to_numpy(dtype=float, na_value=np.nan) if "amount" in rec.columns else np.full(n, np.nan)
        rid = [(mask_text(cell_text(v)) if mask else cell_text(v)) for v in rec["id"].tolist()] \
            if "id" in rec.columns else [""] * n
        parts.append(pd.DataFrame({
            "src": grp["src"].to_numpy(), "dst": grp["dst"].to_numpy(),
            "kind": grp["kind"].astype(str).to_numpy(), "fam": fams,
            "time": grp["time"].to_numpy(), "amount": amount,
            "count": grp["strength"].to_numpy(dtype=float) if table == "contacts" else np.ones(n),
            "rid": rid, "table": table, "file": rec["_file"].astype(str).to_numpy(), "row": rec["_row"].to_numpy(),
            "detail": _detail(table, rec, mask),
        }))
    if not parts:
        return pd.DataFrame(columns=["src", "dst", "kind", "fam", "time", "amount", "count", "rid",
                                     "table", "file", "row", "detail"])
    return pd.concat(parts, ignore_index=True)


def _width(fam: str, amount: float, count: float) -> float:
    if fam in ("money", "contract") and amount > 0:
        return round(min(6.0, 1.0 + 0.9 * math.log10(1.0 + amount / 1000.0)), 2)
    if count > 1:
        return round(min(5.0, 1.0 + 0.7 * math.log2(count)), 2)
    return 1.0


def _build_view(
    graph: CaseGraph,
    positions: Sequence[int],
    kinds: Sequence[str],
    *,
    title: str,
    note: str,
    scores: Mapping[str, float],
    communities: str | Mapping[str, int] | pd.Series | None,
    mask_pii: bool,
    height: str,
    seed: int,
    meta: dict[str, Any],
    layered: Mapping[str, tuple[float, int]] | None = None,
    evidence: set[tuple[str, int]] | None = None,
    hops: Sequence[Any] = (),
) -> NetworkView:
    from pyvis.network import Network

    positions = list(dict.fromkeys(int(p) for p in positions))
    ids = graph.nodes["id"].to_numpy()
    sel = np.zeros(graph.number_of_nodes(), dtype=bool)
    sel[positions] = True
    E = graph.edges
    m = E["kind"].isin(list(kinds)).to_numpy() & sel[E["src"].to_numpy()] & sel[E["dst"].to_numpy()]
    m &= (E["src"] != E["dst"]).to_numpy()
    recs = _edge_records(graph, E[m], mask_pii)

    # aggregate records into drawn edges: one per (pair, family); direction kept for
    # directed families (money flows src -> dst)
    directed = recs["fam"].map(lambda f: EDGE_STYLES[f].arrows).to_numpy(dtype=bool) if len(recs) else np.zeros(0, bool)
    a = np.where(directed, recs["src"], np.minimum(recs["src"], recs["dst"])) if len(recs) else np.zeros(0, int)
    b = np.where(directed, recs["dst"], np.maximum(recs["src"], recs["dst"])) if len(recs) else np.zeros(0, int)
    recs = recs.assign(a=a, b=b, _t=pd.to_datetime(recs["time"]))
    recs = recs.sort_values(["a", "b", "fam", "_t", "file", "row"], kind="stable", na_position="last")

    xy = _positions(graph, positions, recs, seed=seed, layered=layered)
    comm = _community_map(graph, positions, recs, communities, seed)
    cats = _categories(graph, positions)

    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    net.options = _vis_options()  # type: ignore[assignment]
    tips = _node_tips(graph, positions, cats, scores, mask_pii)

    def shown(text: str) -> str:
        return mask_text(text) if mask_pii else text

    def vid(p: int) -> str:
        return node_key(str(ids[p]), p, mask_pii)

    for p in positions:
        nid = str(ids[p])
        cat = cats[p]
        style = NODE_STYLES[cat]
        size = style.size
        score = scores.get(nid)
        if cat == "official" and score is not None:
            size = round(10 + 16 * max(0.0, min(1.0, score)), 2)
        color: Any = style.color
        extra: dict[str, Any] = {}
        if comm is not None and nid in comm:
            c = comm[nid]
            color = {"background": _PALETTE[c % len(_PALETTE)], "border": style.color}
            extra["grp"] = int(c)
        name = shown(_node_label(graph, p))
        tip = tips[p]
        net.add_node(
            vid(p), label=_short(name), shape=style.shape, color=color, size=size,
            x=round(xy[p][0], 1), y=round(xy[p][1], 1), physics=False,
            title=_tip_text(tip), cat=cat, name=name, tip=tip, **extra,
        )

    names = {p: shown(_node_name(graph, p)) for p in positions}
    n_rec = len(recs)
    if n_rec:
        ra, rb = recs["a"].to_numpy(np.int64), recs["b"].to_numpy(np.int64)
        rfam = recs["fam"].to_numpy(dtype=object)
        change = np.ones(n_rec, dtype=bool)
        change[1:] = (ra[1:] != ra[:-1]) | (rb[1:] != rb[:-1]) | (rfam[1:] != rfam[:-1])
        starts = np.flatnonzero(change)
        ends = np.append(starts[1:], n_rec)
        amounts = recs["amount"].to_numpy(dtype=float)
        amount_sum = np.add.reduceat(np.nan_to_num(amounts), starts)
        count_sum = np.add.reduceat(recs["count"].to_numpy(dtype=float), starts)
        tvals = recs["_t"].to_numpy(dtype="datetime64[ns]")
        day = tvals.astype("datetime64[D]").astype(np.int64)
        has_t = ~np.isnat(tvals)
        # text only for what the page shows: the first tip_k records of each edge
        # and each edge's first and last dated record (a dense call log can put millions of
        # records behind the shown edges; formatting them all cost minutes)
        tip_k = _TIP_RECORDS if len(starts) <= _CROWDED_EDGES else _TIP_RECORDS_CROWDED
        offset = np.arange(n_rec) - np.repeat(starts, ends - starts)
        shown_idx = np.flatnonzero(offset < tip_k)
        timed_idx = np.flatnonzero(has_t)
        g_of = np.repeat(np.arange(len(starts)), ends - starts)
        first_t = np.full(len(starts), -1, dtype=np.int64)
        last_t = np.full(len(starts), -1, dtype=np.int64)
        if len(timed_idx):
            # timed_idx is sorted, so the first (last) timed row of a group is its first (last) hit
            first_t[g_of[timed_idx][::-1]] = timed_idx[::-1]
            last_t[g_of[timed_idx]] = timed_idx
        fmt_idx = np.unique(np.concatenate([shown_idx, first_t[first_t >= 0], last_t[last_t >= 0]]))
        t_txt = np.full(n_rec, "", dtype=object)
        t_txt[fmt_idx] = _fmt_times(recs["_t"].iloc[fmt_idx])
        rid_l, det_l = recs["rid"].to_numpy(dtype=object), recs["detail"].to_numpy(dtype=object)
        file_l, row_l = recs["file"].to_numpy(dtype=object), recs["row"].to_numpy()
        rec_row: dict[int, tuple[str, str, str, str, str]] = {
            int(i): (t_txt[i], fmt_amount(amounts[i]), rid_l[i], source(file_l[i], row_l[i]), det_l[i])
            for i in shown_idx.tolist()}
        if evidence is not None:
            keys = pd.MultiIndex.from_arrays([recs["table"].astype(str).to_numpy(),
                                              recs["row"].to_numpy(dtype=np.int64)])
            ev_rec = np.asarray(keys.isin(list(evidence)), dtype=bool) if evidence else np.zeros(n_rec, bool)
    else:
        starts = ends = np.zeros(0, dtype=np.int64)
    pair_seen: dict[tuple[int, int], int] = {}
    for gi, (s0, s1) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        ea, eb, fam = int(ra[s0]), int(rb[s0]), str(rfam[s0])
        estyle = EDGE_STYLES[fam]
        key = (min(ea, eb), max(ea, eb))
        nth = pair_seen.get(key, 0)
        pair_seen[key] = nth + 1
        amount, count = float(amount_sum[gi]), float(count_sum[gi])
        ht = has_t[s0:s1]
        days = np.unique(day[s0:s1][ht]).tolist()
        is_ev = None
        if evidence is not None:
            is_ev = bool(ev_rec[s0:s1].any())
        first = t_txt[first_t[gi]] if first_t[gi] >= 0 else ""
        last = t_txt[last_t[gi]] if last_t[gi] >= 0 else ""
        rows_shown = [rec_row[i] for i in range(s0, min(s1, s0 + tip_k))]
        tip = _edge_tip(names[ea], names[eb], fam, rows_shown, amount, count, first, last, n_records=s1 - s0)
        edge: dict[str, Any] = {
            "id": f"e{len(net.edges)}", "fam": fam, "width": _width(fam, amount, count),
            "color": estyle.color,
            "dashes": list(estyle.dashes) if isinstance(estyle.dashes, tuple) else estyle.dashes,
            "arrows": "to" if estyle.arrows else "", "title": _tip_text(tip), "tip": tip, "t": days,
            "smooth": _smooth(nth),
        }
        if is_ev is not None:
            edge["evidence"] = bool(is_ev)
            if is_ev:
                edge["width"] = max(3.0, edge["width"])
        net.add_edge(vid(ea), vid(eb), **edge)
    # evidence links that are not records between the two nodes (e.g. a company the scorer
    # puts on the gang's side): drawn as their own dashed edge with the hop's records
    for hop in hops:
        ha, hb = (int(x) for x in graph.index_of([str(hop.src), str(hop.dst)]))
        if ha < 0 or hb < 0 or not (sel[ha] and sel[hb]) or (min(ha, hb), max(ha, hb)) in pair_seen:
            continue
        pair_seen[(min(ha, hb), max(ha, hb))] = 1
        tip = _hop_tip(names[ha], names[hb], hop, mask_pii)
        gstyle = EDGE_STYLES["gangside"]
        net.add_edge(vid(ha), vid(hb), id=f"e{len(net.edges)}", fam="gangside", width=3.0,
                     color=gstyle.color, dashes=list(gstyle.dashes) if isinstance(gstyle.dashes, tuple) else False,
                     arrows="", title=_tip_text(tip), tip=tip, t=[], smooth=False, evidence=True)

    view = NetworkView(net, title, note, shown=len(positions), total=graph.number_of_nodes(),
                       height=height, meta=dict(meta))
    if comm is not None:
        view.meta["communities"] = len(set(comm.values()))
    return view


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


def _tip_text(tip: Mapping[str, Any]) -> str:
    """Plain-text tooltip (what pyvis's own templates would show)."""
    lines = [str(tip.get("head", ""))]
    lines += [f"{k}: {v}" for k, v in tip.get("rows", [])]
    lines += [" | ".join(str(c) for c in r if c) for r in tip.get("recs", [])]
    if tip.get("more"):
        lines.append(str(tip["more"]))
    return "\n".join(lines)


def _node_tips(
    graph: CaseGraph,
    positions: Sequence[int],
    cats: Mapping[int, str],
    scores: Mapping[str, float],
    mask: bool,
) -> dict[int, dict[str, Any]]:
    case = graph.case
    ids = [str(graph.nodes["id"].iat[p]) for p in positions]
    idset = set(ids)
    names = name_map(graph)

    def nm(i: Any) -> str:
        i = cell_text(i)
        v = names.get(i)
        return i if v is None or v == i else f"{v} ({i})"

    def txt(v: Any) -> str:
        return mask_text(cell_text(v)) if mask else cell_text(v)

    def rows_by(table: str, col: str) -> dict[str, list[dict[str, Any]]]:
        df = case[table]
        if not len(df):
            return {}
        df = df[df[col].astype(str).isin(idset)]
        out: dict[str, list[dict[str, Any]]] = {}
        for rec in df.to_dict("records"):
            out.setdefault(str(rec[col]), []).append(rec)
        return out

    people = {k: v[0] for k, v in rows_by("people", "id").items()}
    posts = rows_by("officials", "person_id")
    memb = rows_by("members", "person_id")
    gang_members = rows_by("members", "gang_id")
    node_rec = {}
    for t in ("gangs", "companies", "villages", "events", "leads"):
        node_rec.update({k: v[0] for k, v in rows_by(t, "id").items()})
    tips = {}
    for p, nid in zip(positions, ids, strict=True):
        cat = cats[p]
        rows: list[list[str]] = [["id", nid], ["kind", NODE_STYLES[cat].label]]
        kind = str(graph.nodes["kind"].iat[p])
        head = txt(_node_name(graph, p))
        if kind == "person":
            rec = people.get(nid, {})
            for post in posts.get(nid, []):
                when = " – ".join(x for x in (fmt_time(post.get("start_date")), fmt_time(post.get("end_date"))) if x)
                where = nm(post.get("jurisdiction_id")) if cell_text(post.get("jurisdiction_id")) else ""
                desc = ", ".join(x for x in (cell_text(post.get("position")), cell_text(post.get("unit")), where) if x)
                rows.append(["post", desc + (f" ({when})" if when else "")])
            for mrec in memb.get(nid, []):
                rows.append(["gang", f"{nm(mrec.get('gang_id'))}, {cell_text(mrec.get('role')) or 'member'}"])
            if cell_text(rec.get("village_id")):
                rows.append(["village", nm(rec.get("village_id"))])
            if cell_text(rec.get("id_number")):
                rows.append(["ID number", mask_id_number(rec["id_number"]) if mask else cell_text(rec["id_number"])])
            if cell_text(rec.get("phone")):
                rows.append(["phone", mask_phone(rec["phone"]) if mask else cell_text(rec["phone"])])
        elif kind == "gang":
            rec = node_rec.get(nid, {})
            if cell_text(rec.get("kind")):
                rows.append(["type", txt(rec.get("kind"))])
            rows.append(["members listed", str(len(gang_members.get(nid, [])))])
            if cell_text(rec.get("village_id")):
                rows.append(["village", nm(rec.get("village_id"))])
        elif kind == "company":
            rec = node_rec.get(nid, {})
            if cell_text(rec.get("sector")):
                rows.append(["sector", txt(rec.get("sector"))])
            if cell_text(rec.get("village_id")):
                rows.append(["village", nm(rec.get("village_id"))])
        elif kind == "village":
            rec = node_rec.get(nid, {})
            if cell_text(rec.get("level")):
                rows.append(["level", cell_text(rec.get("level"))])
            if cell_text(rec.get("parent_id")):
                rows.append(["part of", nm(rec.get("parent_id"))])
        elif kind == "event":
            rec = node_rec.get(nid, {})
            rows.append(["time", fmt_time(rec.get("time"))])
            if cell_text(rec.get("gang_id")):
                rows.append(["gang", nm(rec.get("gang_id"))])
            if cell_text(rec.get("target_id")):
                rows.append(["target", nm(rec.get("target_id"))])
        elif kind == "lead":
            rec = node_rec.get(nid, {})
            head = f"Lead {nid}"
            rows.append(["date", fmt_time(rec.get("date"))])
            if cell_text(rec.get("source")):
                rows.append(["source", txt(rec.get("source"))])
            text = txt(rec.get("text"))
            if text:
                rows.append(["text", _short(text, 240)])
        if kind in ("person", "company", "gang", "village", "event", "lead"):
            src_rec = people.get(nid) if kind == "person" else node_rec.get(nid)
            if src_rec is not None:
                rows.append(["source", source(src_rec.get("_file"), src_rec.get("_row"))])
        if nid in scores:
            rows.append(["score", f"{scores[nid]:.3f}"])
        # every value masked at once: ids, posts and names of places may hold ID or phone numbers
        tips[p] = {"head": head, "rows": [[k, txt(v)] for k, v in rows]}
    return tips


def _hop_tip(name_a: str, name_b: str, hop: Any, mask: bool) -> dict[str, Any]:
    recs = getattr(hop, "records", None)
    rows_in: list[tuple[str, str, str, str, str]] = []

    def t(v: Any) -> str:
        return mask_text(cell_text(v)) if mask else cell_text(v)

    if isinstance(recs, pd.DataFrame):
        for r in recs.to_dict("records"):
            rows_in.append((fmt_time(r.get("time")), fmt_amount(r.get("amount")), t(r.get("record_id")),
                            source(r.get("file"), r.get("row")), t(r.get("detail"))))
    tip = _edge_tip(name_a, name_b, "gangside", rows_in, 0.0, 0.0, "", "")
    tip["rows"].insert(0, ["link", cell_text(getattr(hop, "kind", ""))])
    return tip


def _edge_tip(
    name_a: str,
    name_b: str,
    fam: str,
    rows_in: Sequence[tuple[str, str, str, str, str]],
    amount: float,
    count: float,
    first: str,
    last: str,
    *,
    n_records: int | None = None,
) -> dict[str, Any]:
    """An edge's tooltip: head, summary rows and its first records (``rows_in``; the edge
    has ``n_records`` in all, ``len(rows_in)`` when not given)."""
    style = EDGE_STYLES[fam]
    arrow = " → " if style.arrows else " — "
    head = f"{style.label}: {name_a}{arrow}{name_b}"
    n = len(rows_in) if n_records is None else n_records
    rows = [["records", str(n)]]
    if fam in ("money", "contract") and amount > 0:
        rows.append(["total amount", fmt_amount(amount)])
    if fam in ("call", "meeting") and count > n:
        rows.append(["contacts", f"{count:,.0f}"])
    if first:
        rows.append(["dates", first if first == last else f"{first} … {last}"])
    recs = [list(r) for r in rows_in[:_TIP_RECORDS]]
    more = f"… and {n - len(recs)} more record(s)" if n > len(recs) else ""
    return {"head": head, "rows": rows, "cols": list(_RECORD_COLUMNS), "recs": recs, "more": more}


# ---------------------------------------------------------------------------------------
# layout and communities
# ---------------------------------------------------------------------------------------
def _pair_graph(positions: Sequence[int], recs: pd.DataFrame) -> nx.Graph:
    H = nx.Graph()
    H.add_nodes_from(sorted(positions))
    if len(recs):
        w = recs.groupby([np.minimum(recs["a"], recs["b"]), np.maximum(recs["a"], recs["b"])], sort=True).size()
        for (u, v), c in w.items():
            H.add_edge(int(u), int(v), weight=float(c))
    return H


def _positions(
    graph: CaseGraph,
    positions: Sequence[int],
    recs: pd.DataFrame,
    *,
    seed: int,
    layered: Mapping[str, tuple[float, int]] | None,
) -> dict[int, tuple[float, float]]:
    ids = graph.nodes["id"].to_numpy()
    if layered is not None:
        by_layer: dict[float, list[int]] = {}
        for p in positions:
            lay, _ = layered[str(ids[p])]
            by_layer.setdefault(lay, []).append(p)
        out: dict[int, tuple[float, float]] = {}
        for lay, ps in by_layer.items():
            ps = sorted(ps, key=lambda q: (layered[str(ids[q])][1], str(ids[q])))
            for i, q in enumerate(ps):
                out[q] = (lay * 230.0, (i - (len(ps) - 1) / 2) * 110.0)
        return out
    H = _pair_graph(positions, recs)
    comps = sorted((sorted(c) for c in nx.connected_components(H)), key=lambda c: (-len(c), c[0]))
    out = {}
    # pack components left to right in rows; bigger components first
    x0, y0, row_h = 0.0, 0.0, 0.0
    row_w = 1600.0 + 60.0 * math.sqrt(len(positions))
    singles = [c[0] for c in comps if len(c) == 1]
    for comp in (c for c in comps if len(c) > 1):
        radius = 55.0 * math.sqrt(len(comp))
        pos = _fr_layout(H, comp, seed=seed, radius=radius)
        if x0 > 0 and x0 + 2 * radius > row_w:
            x0, y0, row_h = 0.0, y0 + row_h + 80.0, 0.0
        for q, (px, py) in zip(comp, pos, strict=True):
            out[q] = (x0 + radius + float(px), y0 + radius + float(py))
        x0 += 2 * radius + 80.0
        row_h = max(row_h, 2 * radius)
    if singles:  # isolated nodes in a grid under the rest
        y0 = y0 + row_h + (100.0 if out else 0.0)
        per_row = max(1, int(row_w // 90))
        for i, q in enumerate(singles):
            out[q] = ((i % per_row) * 90.0, y0 + (i // per_row) * 90.0)
    return out


def _fr_layout(H: nx.Graph, comp: Sequence[int], *, seed: int, radius: float) -> np.ndarray:
    """Fruchterman-Reingold positions of one component (igraph, seeded), scaled to ``radius``.

    igraph draws from its random number generator even from given start positions, so it
    runs with a generator seeded by ``seed`` (and the default is restored afterwards).
    """
    import random

    import igraph as ig

    index = {q: i for i, q in enumerate(comp)}
    edges = [(index[u], index[v]) for u, v in H.subgraph(comp).edges()]
    G = ig.Graph(n=len(comp), edges=sorted(edges))
    init = np.random.RandomState(seed).uniform(-1.0, 1.0, (len(comp), 2)).tolist()
    ig.set_random_number_generator(random.Random(seed))
    try:
        coords = np.asarray(G.layout_fruchterman_reingold(seed=init, niter=500).coords, dtype=float)
    finally:
        ig.set_random_number_generator(random)
    coords -= coords.mean(axis=0)
    extent = float(np.abs(coords).max()) or 1.0
    return coords * (radius / extent)


def _community_map(
    graph: CaseGraph,
    positions: Sequence[int],
    recs: pd.DataFrame,
    communities: str | Mapping[str, int] | pd.Series | None,
    seed: int,
) -> dict[str, int] | None:
    if communities is None:
        return None
    ids = graph.nodes["id"].to_numpy()
    if isinstance(communities, str):
        if communities != "auto":
            raise ParameterError.invalid("communities", "view", "'auto', a mapping or a Series", communities)
        H = _pair_graph(positions, recs)
        labels = _detect(H, seed)
        return {str(ids[p]): int(c) for p, c in labels.items()}
    if isinstance(communities, pd.Series):
        communities = communities.to_dict()
    if not isinstance(communities, Mapping):
        raise ParameterError.invalid("communities", "view", "'auto', a mapping or a Series",
                                     type(communities).__name__)
    # canonical small integers in order of first appearance among the shown nodes
    codes: dict[Any, int] = {}
    out = {}
    for p in sorted(positions):
        nid = str(ids[p])
        if nid in communities:
            lab = communities[nid]
            out[nid] = codes.setdefault(lab, len(codes))
    return out


def _detect(H: nx.Graph, seed: int) -> dict[int, int]:
    """Community labels of the shown subgraph (Leiden via umbrella_graph.algorithms)."""
    nodes = sorted(H.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for u, v, d in H.edges(data=True):
        rows += [index[u], index[v]]
        cols += [index[v], index[u]]
        vals += [d.get("weight", 1.0)] * 2
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
    try:
        from .algorithms import communities as leiden
    except ImportError:  # pragma: no cover - the algorithms module is part of the package
        parts = nx.community.louvain_communities(H, weight="weight", seed=seed)
        ordered = sorted((sorted(c) for c in parts), key=lambda c: (-len(c), c[0]))
        return {n: i for i, c in enumerate(ordered) for n in c}
    labels = np.asarray(leiden(A, seed=seed))
    return {n: int(labels[index[n]]) for n in nodes}
