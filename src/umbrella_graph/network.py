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

The readers (:func:`load_edges`, :func:`network_case`, :func:`case_of_networkx`) are a
source and live in :mod:`umbrella_graph.io.edge_lists`, below the graph; they are
re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph
from sklearn.metrics import adjusted_rand_score

from ._compat import renamed_keyword
from .case import Case
from .errors import ParameterError
from .graph import CaseGraph, build_graph
from .io.edge_lists import COMPANY_TYPES, load_edges, network_case
from .io.edge_lists import case_of_networkx as case_of_networkx

__all__ = ["load_edges", "network_case", "analyze_network", "NetworkAnalysis", "NETWORK_KINDS",
           "COMPANY_TYPES"]

logger = logging.getLogger(__name__)

#: Edge kinds that make up "the network" in :func:`analyze_network` (records between
#: people and companies: ties, money, contacts, company roles, contract approvals).
NETWORK_KINDS: tuple[str, ...] = ("tie", "transaction", "contact", "company_role", "approval")
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
