"""The report's whole-network section, for data without officials or gangs.

A meeting network, a known-associate dossier or a summit attendance table has nobody to
score and no gang to disrupt; the report then shows :func:`umbrella_graph.analyze_network`
instead: who is central, the communities and how stable they are across seeds, the
brokers between them, the articulation points and the innermost core, and the disruption
curve of every strategy.
"""

from __future__ import annotations

from typing import Any

from ..graph import CaseGraph
from ._sections import Section
from ._svg import Chart

__all__ = ["network_sections", "needs_network_sections"]

_SHOWN = ["id", "name", "degree", "strength", "betweenness", "pagerank", "core", "articulation",
          "community", "stability", "participation", "broker"]


def needs_network_sections(graph: CaseGraph) -> bool:
    """Whether the case has no officials or no gangs (then the scoring sections are empty
    and the whole-network sections stand in)."""
    return not graph.officials or not graph.gangs


def network_sections(graph: CaseGraph, *, seed: int = 0, k: int = 10, runs: int = 10) -> list[Section]:
    """The whole-network sections: centrality and communities, then disruption."""
    from ..network import analyze_network

    sample = 500 if graph.number_of_nodes() > 5000 else None
    res = analyze_network(graph, k=k, runs=runs, sample=sample)
    s = res.summary
    if not s["nodes"]:
        return [Section("Whole network", note="No people or companies in the case.", anchor="network-analysis",
                        group="network")]
    intro = (f"{s['nodes']} nodes and {s['edges']} connected pairs ({'weighted by tie strength' if s['weighted'] else 'unweighted'}); "
             f"{s['components']} component(s), the largest with {s['lcc']} nodes; density {s['density']:.4f}, "
             f"mean degree {s['mean_degree']:.2f}, transitivity {s['transitivity']:.3f}.")
    comm = (f"Leiden communities: {s['communities']}, modularity {s['modularity']:.3f} (the best of "
            f"{s['seeds']} seeds; the other seeds' partitions agree with it at a mean adjusted Rand index of "
            f"{s['partition_ari']:.2f}). Stability of a node = mean overlap of its community across seeds.")
    brokers = res.brokers[[c for c in _SHOWN if c in res.brokers.columns]].head(20)
    art = res.nodes[res.nodes["articulation"]][["id", "name", "degree", "betweenness"]].head(30)
    core = res.nodes[res.nodes["core"] >= s["max_core"]][["id", "name", "degree", "core"]].head(30)
    central: list[Any] = [
        intro,
        "Most central nodes (betweenness first):", res.nodes[_SHOWN].head(30),
        comm, res.communities,
        "Brokers: nodes tied into two or more communities, by betweenness:", brokers,
        f"Articulation points ({s['articulation_points']}): removing one disconnects its component.", art,
        f"The innermost core ({s['max_core']}-core): every member has at least {s['max_core']} ties "
        "inside it.", core,
    ]
    series: dict[str, tuple[list[float], list[float]]] = {}
    tables: list[Any] = []
    for strategy, c in res.disruption.groupby("strategy", sort=False):
        series[str(strategy)] = (c["step"].astype(float).tolist(), c["lcc_fraction"].astype(float).tolist())
        order = c[c["step"] > 0][["step", "removed", "lcc_size", "lcc_fraction"]].reset_index(drop=True)
        names = dict(zip(res.nodes["id"], res.nodes["name"], strict=True))
        order.insert(2, "name", [names.get(str(x), "") for x in order["removed"]])
        tables += [f"{strategy} (re-ranked after each removal):", order]
    disruption: list[Any] = [
        "Which nodes to remove to break the network, by each strategy, and the share of nodes still in the "
        "largest connected piece after each removal.",
        Chart(series, x_label="nodes removed", y_label="largest component (share)", y_range=(0.0, 1.0),
              title="Disruption curves", width=640, height=260),
        *tables,
    ]
    return [
        Section("Whole network: centrality and communities", central, anchor="network-analysis",
                group="network", max_rows=50),
        Section("Whole network: disruption", disruption, anchor="network-disruption", group="network",
                max_rows=30, note="" if len(res.disruption) else "No network to disrupt."),
    ]


