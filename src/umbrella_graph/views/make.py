"""The views a user asks for: a gang (:func:`view_gang`), one suspect pair
(:func:`view_pair`), the whole case (:func:`view_case`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from .._compat import legacy_positional
from ..errors import ParameterError
from ..graph import EDGE_KINDS, CaseGraph
from .select import (
    _bfs,
    _check_budget,
    _check_css,
    _check_kinds,
    _grow,
    _note,
    _score_map,
    _select_case,
)
from .style import _ROLE_RANK, _node_name
from .view import NetworkView, _build_view


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
    # raids and other events on this gang: naming it, or naming no gang and targeting its
    # side (the scorer's one answer), each drawn when its edge kind is
    from ..scoring.facts import event_gang_ids  # views import the scorer only when drawing

    eg = event_gang_ids(graph)
    on = (eg["gang_id"] == gang_id).fillna(False).to_numpy() & eg["gang_from"].isin(
        [k for k, e in (("gang_id", "event_gang"), ("target", "event_target")) if e in kinds_t]).to_numpy()
    if on.any():
        chosen.extend(sorted(int(p) for p in graph.index_of(eg["event_id"][on].astype(str).tolist())))
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
        from ..scoring import explain

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
