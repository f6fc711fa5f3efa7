"""Disruption plans (打伞破网): whom to remove so that a gang's network falls apart.

:func:`plan_disruption` builds one gang's network from a case and runs
:func:`umbrella_graph.investigate.disruption_curve` on it:

* the gang's listed members (``role`` = their member role) and, when the scorer can
  infer it, the people on the gang's side who are not listed (``inferred``);
* the companies in which listed members hold roles (``company``);
* its suspected umbrellas (``umbrella``: officials scoring at least ``min_score`` for the
  gang, at most ``top`` of them) and the intermediaries on their evidence paths
  (``intermediary``: front men, spouses, relatives... from
  :func:`umbrella_graph.scoring.explain`; paths through hubs such as a busy town head
  are left out).

Edges are the records between those nodes (kinship and social ties, transactions,
contacts, company roles, contract approvals), the records of a pair collapsed into one
edge with ``strength`` (sum of amounts/counts), ``count`` (records) and ``distance``
(:func:`~umbrella_graph.schema.strength_to_distance`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from html import escape

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..graph import CaseGraph
from ..schema import strength_to_distance
from ..scoring import explain, score_umbrellas
from ._common import check_gang, check_graph, check_number, gang_companies, gang_side

__all__ = ["plan_disruption", "DisruptionPlan", "gang_network", "NETWORK_EDGE_KINDS"]

logger = logging.getLogger(__name__)

#: Edge kinds that join the people and companies of a gang's network.
NETWORK_EDGE_KINDS: tuple[str, ...] = ("tie", "transaction", "contact", "company_role", "approval")

_STRATEGIES = ("betweenness", "degree", "collective_influence", "katz")
_MODES = ("block", "sequential")


@dataclass
class DisruptionPlan:
    """Which nodes to remove from a gang's network, and what is left after each removal.

    Attributes
    ----------
    gang_id : str
    strategy, mode : str
        As passed to :func:`plan_disruption`.
    curve : pandas.DataFrame
        From :func:`~umbrella_graph.investigate.disruption_curve` (``step``, ``removed``,
        ``lcc_size``, ``lcc_fraction``; step 0 is the intact network) plus ``kind`` and
        ``role`` of the node removed at each step.
    removed : pandas.DataFrame
        The nodes to remove, in order: ``step``, ``node_id``, ``kind``, ``role``,
        ``lcc_size`` and ``lcc_fraction`` after removing it.
    graph : networkx.Graph
        The gang's network (node attributes ``kind`` and ``role``; edge attributes
        ``strength``, ``count``, ``distance``, ``kinds``).
    """

    gang_id: str
    strategy: str
    mode: str
    curve: pd.DataFrame
    removed: pd.DataFrame
    graph: nx.Graph = field(repr=False)

    def __repr__(self) -> str:
        n = self.graph.number_of_nodes()
        last = float(self.curve["lcc_fraction"].iat[-1]) if len(self.curve) else 1.0
        return (f"<DisruptionPlan {self.gang_id}: {n} nodes, remove {len(self.removed)} "
                f"({self.strategy}, {self.mode}) -> largest component {last:.0%}>")

    def _repr_html_(self) -> str:
        head = (f"<b>Disruption plan for gang {escape(self.gang_id)}</b> "
                f"({escape(self.strategy)}, {escape(self.mode)}; "
                f"{self.graph.number_of_nodes()} nodes, {self.graph.number_of_edges()} edges)")
        table = self.removed.to_html(index=False, escape=True)
        return head + table


def _node_roles(graph: CaseGraph, g: str, scores: pd.DataFrame | None, min_score: float, top: int,
                inferred: bool, seed: int) -> dict[str, str]:
    """Node id -> role, in priority order (a member who is also an official stays a member)."""
    roles: dict[str, str] = {}
    side = gang_side(graph, [g], inferred=inferred)
    for pid, s in zip(side["person_id"].astype(str), side["side"].astype(str), strict=True):
        roles.setdefault(pid, s)
    members = side.loc[side["side"] != "inferred", "person_id"].astype(str).tolist()
    for cid in gang_companies(graph, g, members)["company_id"].astype(str):
        roles.setdefault(cid, "company")
    if scores is None:
        scores = _score(graph, g, seed)
    if len(scores):
        s = scores[(scores["gang_id"].astype(str) == g).to_numpy()]
        s = s.sort_values(["score", "official_id"], ascending=[False, True])
        s = s[s["score"] >= min_score].head(top)
        umbrellas = s["official_id"].astype(str).tolist()
        for o in umbrellas:
            roles.setdefault(o, "umbrella")
        for o in umbrellas:
            for node in _path_nodes(graph, o, g, seed):
                roles.setdefault(node, "intermediary")
    return roles


def _score(graph: CaseGraph, g: str, seed: int) -> pd.DataFrame:
    res: pd.DataFrame = score_umbrellas(graph, gangs=[g], seed=seed)
    return res


def _path_nodes(graph: CaseGraph, o: str, g: str, seed: int) -> list[str]:
    """People and companies on the scorer's evidence paths between ``o`` and ``g``
    (paths through hubs left out)."""
    ex = explain(graph, o, g, k=3, seed=seed)
    out: list[str] = []
    for path in ex.paths:
        if path.through_hub:  # a hub is not an intermediary
            continue
        for node in path.nodes:
            node = str(node)
            if node in graph and graph.kind_of(node) in ("person", "company"):
                out.append(node)
    return list(dict.fromkeys(out))


def gang_network(graph: CaseGraph, roles: dict[str, str]) -> nx.Graph:
    """The network of the nodes in ``roles`` (id -> role), records of a pair collapsed.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a", "b", "c"], "name": ["甲", "乙", "丙"]}),
    ...     contacts=pd.DataFrame({"src": ["a", "a", "b"], "dst": ["b", "b", "c"],
    ...                            "kind": ["call"] * 3, "time": ["2020-01-01"] * 3}))
    >>> G = gang_network(build_graph(case), {"a": "leader", "b": "core"})
    >>> sorted(G.nodes(data="role")), G["a"]["b"]["count"]
    ([('a', 'leader'), ('b', 'core')], 2)
    """
    ids = sorted(roles)
    pos = graph.index_of(ids)
    keep = pos >= 0
    ids = [i for i, k in zip(ids, keep, strict=True) if k]
    pos = pos[keep]
    G = nx.Graph()
    kinds = graph.nodes["kind"].astype(str).to_numpy()
    for i, p in zip(ids, pos, strict=True):
        G.add_node(i, kind=str(kinds[p]), role=roles[i])
    e = graph.edges
    inside = np.zeros(graph.number_of_nodes(), dtype=bool)
    inside[pos] = True
    e = e[e["kind"].isin(NETWORK_EDGE_KINDS).to_numpy() & inside[e["src"].to_numpy()]
          & inside[e["dst"].to_numpy()] & (e["src"] != e["dst"]).to_numpy()]
    if not len(e):
        return G
    a = np.minimum(e["src"].to_numpy(), e["dst"].to_numpy())
    b = np.maximum(e["src"].to_numpy(), e["dst"].to_numpy())
    df = pd.DataFrame({"a": a, "b": b, "s": e["strength"].to_numpy(dtype=float), "k": e["kind"].astype(str).to_numpy()})
    agg = df.groupby(["a", "b"], sort=True).agg(strength=("s", "sum"), count=("s", "size"),
                                                kinds=("k", lambda x: tuple(sorted(set(x)))))
    all_ids = graph.nodes["id"].to_numpy()
    dist = strength_to_distance(agg["strength"].to_numpy())
    for (ia, ib), s, c, k, d in zip(agg.index, agg["strength"], agg["count"], agg["kinds"], dist, strict=True):
        G.add_edge(str(all_ids[ia]), str(all_ids[ib]), strength=float(s), count=int(c), kinds=k, distance=float(d))
    return G


def plan_disruption(
    graph: CaseGraph,
    gang_id: str,
    *,
    strategy: str = "betweenness",
    mode: str = "sequential",
    k: int = 5,
    seed: int = 0,
    scores: pd.DataFrame | None = None,
    min_score: float = 0.5,
    top: int = 5,
    inferred: bool = True,
    weight: str | None = None,
    step: int | None = None,
) -> DisruptionPlan:
    """Plan which nodes of a gang's network to remove, and show what is left.

    Parameters
    ----------
    graph : CaseGraph
        The case graph.
    gang_id : str
        The gang.
    strategy : {"betweenness", "degree", "collective_influence", "katz"}
        How :func:`~umbrella_graph.investigate.disruption_curve` picks the next node.
    mode : {"sequential", "block"}
        ``sequential`` recomputes the ranking after each removal; ``block`` ranks once.
    k : int, default 5
        How many nodes to remove.
    seed : int, default 0
        Passed to the scorer (the curve itself is deterministic).
    scores : pandas.DataFrame, optional
        A :func:`umbrella_graph.scoring.score_umbrellas` result to reuse (computed when
        None; pass an empty frame to leave umbrellas out).
    min_score : float, default 0.5
        Officials scoring at least this for the gang join the network as umbrellas.
    top : int, default 5
        At most this many umbrellas.
    inferred : bool, default True
        Add the people the scorer infers to be on the gang's side.
    weight : {None, "strength", "count"}, default None
        Rank on the weighted network: ``"strength"`` (summed amounts and counts of the
        pair's records) or ``"count"`` (number of records); betweenness turns them into
        lengths with :func:`~umbrella_graph.schema.strength_to_distance`. None treats
        every tie alike.
    step : int, optional
        In ``"sequential"`` mode, re-rank after every ``step`` removals (default 1).

    Returns
    -------
    DisruptionPlan

    Raises
    ------
    ParameterError
        For an unknown gang, strategy or mode, or a bad ``k``.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> people = ["boss", "m1", "m2", "m3", "m4"]
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": people, "name": list("甲乙丙丁戊")}),
    ...     gangs=pd.DataFrame({"id": ["G1"], "name": ["某团伙"]}),
    ...     members=pd.DataFrame({"person_id": people, "gang_id": ["G1"] * 5,
    ...                           "role": ["leader", "core", "member", "member", "member"]}),
    ...     contacts=pd.DataFrame({"src": ["boss"] * 3 + ["m1"], "dst": ["m1", "m2", "m3", "m4"],
    ...                            "kind": ["call"] * 4, "time": ["2020-01-01"] * 4}))
    >>> plan = plan_disruption(build_graph(case), "G1", k=2, scores=pd.DataFrame())
    >>> plan.removed[["step", "node_id", "role", "lcc_size"]]
       step node_id    role  lcc_size
    0     1    boss  leader         2
    1     2      m1    core         1
    """
    func = "plan_disruption"
    graph = check_graph(graph, func)
    g = check_gang(graph, gang_id, func)
    if strategy not in _STRATEGIES:
        raise ParameterError.invalid("strategy", func, "one of " + ", ".join(map(repr, _STRATEGIES)), strategy)
    if mode not in _MODES:
        raise ParameterError.invalid("mode", func, "one of " + ", ".join(map(repr, _MODES)), mode)
    k_n = int(check_number(k, "k", func, low=1, integer=True))
    if weight not in (None, "strength", "count"):
        raise ParameterError.invalid("weight", func, "None, 'strength' or 'count'", weight)
    if step is not None:
        step = int(check_number(step, "step", func, low=1, integer=True))
        if mode == "block":
            raise ParameterError.invalid("step", func, "None in 'block' mode", step)
    min_score = check_number(min_score, "min_score", func, low=0.0, high=1.0)
    top_n = int(check_number(top, "top", func, low=0, integer=True))
    if scores is not None and len(scores) and not {"official_id", "gang_id", "score"} <= set(scores.columns):
        raise ParameterError.invalid("scores", func, "a score_umbrellas result (official_id, gang_id, score)",
                                     "a frame without those columns")

    from .disruption import disruption_curve

    roles = _node_roles(graph, g, scores, min_score, top_n, inferred, seed)
    G = gang_network(graph, roles)
    n_remove = min(k_n, G.number_of_nodes())
    if n_remove == 0:
        curve = pd.DataFrame({"step": [0], "removed": [None], "lcc_size": [0], "lcc_fraction": [0.0]})
    else:
        curve = disruption_curve(G, strategy=strategy, mode=mode, k=n_remove,  # type: ignore[arg-type]
                                 weight=weight, step=step)
    curve = curve.reset_index(drop=True).copy()
    rem = curve["removed"]
    curve["kind"] = [G.nodes[x]["kind"] if isinstance(x, str) and x in G else None for x in rem]
    curve["role"] = [G.nodes[x]["role"] if isinstance(x, str) and x in G else None for x in rem]
    removed = curve[curve["removed"].notna().to_numpy() & (curve["step"] > 0).to_numpy()]
    removed = removed.rename(columns={"removed": "node_id"})[
        ["step", "node_id", "kind", "role", "lcc_size", "lcc_fraction"]].reset_index(drop=True)
    logger.info("plan_disruption: %d nodes, %d removed", G.number_of_nodes(), len(removed))
    return DisruptionPlan(gang_id=g, strategy=strategy, mode=mode, curve=curve, removed=removed, graph=G)
