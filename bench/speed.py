"""Speed benchmark of umbrella scoring (issue 4 "Speed").

A synthetic city of 100,000 people (~1M transactions, ~1M contacts, from
``umbrella_graph.synth.generate_city``) is scored for every official x gang pair with
``umbrella_graph.scoring.score_umbrellas``; wall time and peak memory (``ru_maxrss`` of
the subprocess that loads the case, builds the graph and scores) are measured.

Side by side, in the same run and on the same graph, the structural signals are computed
twice: with the library's sparse/igraph algorithms (``umbrella_graph.algorithms``) and
with plain NetworkX algorithms (``nx.pagerank`` with personalization per gang,
``nx.betweenness_centrality(k=...)``, ``nx.adamic_adar_index``,
``nx.resource_allocation_index``, ``nx.community.louvain_communities``). NetworkX runs
that would take too long are measured on a subset (some gangs, some sources, some
pairs) and extrapolated linearly; the table says which.

Every measurement runs in its own subprocess so that peak memory is per step.

Usage::

    .venv/bin/python bench/speed.py                      # the full benchmark (~15-25 min)
    .venv/bin/python bench/speed.py --people 5000 --gangs 4 --out /tmp/speed.md   # quick

Writes bench/results/speed.md (or ``--out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0
TARGET_GB = 4.0
TARGET_SPEEDUP = 20.0
#: PageRank tolerance on both sides (the scorer's; NetworkX's criterion: L1 change < n * tol).
PPR_TOL = 1e-8
#: Sampled betweenness sources used on both sides when the scorer does not say.
DEFAULT_BETWEENNESS_SOURCES = 64


# -- workers (run in subprocesses) ----------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _load(cache: Path) -> Any:
    with open(cache / "case.pkl", "rb") as f:
        return pickle.load(f)


def worker_generate(args: argparse.Namespace) -> dict[str, Any]:
    from umbrella_graph.synth import generate_city

    t = time.perf_counter()
    city = generate_city(people=args.people, gangs=args.gangs, seed=args.seed)
    secs = time.perf_counter() - t
    args.cache.mkdir(parents=True, exist_ok=True)
    with open(args.cache / "case.pkl", "wb") as f:
        pickle.dump(city.case, f, protocol=5)
    sizes = {k: len(v) for k, v in city.case.tables.items()}
    info = {"seconds": secs, "tables": sizes, "peak_mb": _peak_mb()}
    (args.cache / "city.json").write_text(json.dumps(info), encoding="utf-8")
    return info


def _betweenness_sources() -> int:
    """The number of sources the scorer samples for brokerage (betweenness)."""
    try:
        from umbrella_graph.scoring.structure import BROKERAGE_SAMPLES
    except ImportError:
        return DEFAULT_BETWEENNESS_SOURCES
    return int(BROKERAGE_SAMPLES)


def worker_score(args: argparse.Namespace) -> dict[str, Any]:
    from umbrella_graph import build_graph

    t = time.perf_counter()
    case = _load(args.cache)
    load_secs = time.perf_counter() - t
    t, c = time.perf_counter(), _cpu()
    graph = build_graph(case)
    graph_secs, graph_cpu = time.perf_counter() - t, _cpu() - c
    from umbrella_graph.scoring import score_umbrellas

    t, c = time.perf_counter(), _cpu()
    scores = score_umbrellas(graph, seed=0)
    score_secs, score_cpu = time.perf_counter() - t, _cpu() - c
    return {"load_seconds": load_secs, "graph_seconds": graph_secs, "score_seconds": score_secs,
            "graph_cpu": graph_cpu, "score_cpu": score_cpu,
            "pairs": len(scores), "officials": len(graph.officials), "gangs": len(graph.gangs),
            "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
            "columns": len(scores.columns), "peak_mb": _peak_mb()}


def _setup(cache: Path) -> tuple[Any, Any, list[Any], Any]:
    import numpy as np

    from umbrella_graph import build_graph

    graph = build_graph(_load(cache))
    members = graph.case["members"]
    seed_sets = [graph.index_of(members.loc[members["gang_id"] == g, "person_id"].astype(str))
                 for g in graph.gangs]
    # link prediction between every official and every listed gang member (the scorer
    # scores officials against each gang's side, members first)
    people = np.unique(np.concatenate(seed_sets)) if seed_sets else np.zeros(0, dtype=np.int64)
    officials = graph.index_of(graph.officials)
    pairs = np.column_stack([np.repeat(officials, len(people)), np.tile(people, len(officials))])
    return graph, seed_sets, pairs.astype(np.int64), np


def worker_fast(args: argparse.Namespace) -> dict[str, Any]:
    from umbrella_graph import algorithms as al

    graph, seed_sets, pairs, np = _setup(args.cache)
    out: dict[str, Any] = {}
    t = time.perf_counter()
    A = graph.adjacency()
    out["adjacency"] = time.perf_counter() - t
    t = time.perf_counter()
    al.personalized_pagerank_many(A, seed_sets, tol=PPR_TOL)
    out["ppr"] = time.perf_counter() - t
    t = time.perf_counter()
    g = al.to_igraph(A)
    out["to_igraph"] = time.perf_counter() - t
    t = time.perf_counter()
    al.betweenness(g, k=args.sources, seed=0, weighted=False)
    out["betweenness"] = time.perf_counter() - t
    t = time.perf_counter()
    al.adamic_adar(A, pairs)
    out["adamic_adar"] = time.perf_counter() - t
    t = time.perf_counter()
    al.resource_allocation(A, pairs)
    out["resource_allocation"] = time.perf_counter() - t
    t = time.perf_counter()
    labels = al.communities(g, seed=0)
    out["communities"] = time.perf_counter() - t
    out["modularity"] = al.modularity(A, labels)
    out["n_communities"] = int(labels.max() + 1)
    out["peak_mb"] = _peak_mb()
    return out


def worker_networkx(args: argparse.Namespace) -> dict[str, Any]:
    import networkx as nx

    graph, seed_sets, pairs, np = _setup(args.cache)
    out: dict[str, Any] = {}
    t = time.perf_counter()
    G = graph.weighted_graph()
    out["to_networkx"] = time.perf_counter() - t
    ids = graph.nodes["id"].to_numpy()
    n_gangs = len(seed_sets)

    # personalised PageRank, one call per gang
    subset = seed_sets[: max(1, min(args.nx_gangs, n_gangs))]
    t = time.perf_counter()
    for s in subset:
        nx.pagerank(G, alpha=0.85, personalization={ids[i]: 1.0 for i in s}, weight="strength",
                    tol=PPR_TOL, max_iter=200)
    secs = time.perf_counter() - t
    out["ppr"] = {"measured_seconds": secs, "measured": len(subset), "total": n_gangs,
                  "seconds": secs * n_gangs / len(subset)}

    # sampled betweenness: time per source, times the sources the fast side used
    k = min(args.nx_sources, G.number_of_nodes())
    t = time.perf_counter()
    nx.betweenness_centrality(G, k=k, seed=0)
    secs = time.perf_counter() - t
    out["betweenness"] = {"measured_seconds": secs, "measured": k, "total": args.sources,
                          "seconds": secs * args.sources / k}

    # link prediction on a subset of the official x gang pairs
    m = min(args.nx_pairs, len(pairs))
    named = [(ids[a], ids[b]) for a, b in pairs[:m]]
    for name, fn in (("adamic_adar", nx.adamic_adar_index),
                     ("resource_allocation", nx.resource_allocation_index)):
        t = time.perf_counter()
        for _ in fn(G, named):
            pass
        secs = time.perf_counter() - t
        out[name] = {"measured_seconds": secs, "measured": m, "total": len(pairs),
                     "seconds": secs * len(pairs) / max(m, 1)}
    out["peak_mb"] = _peak_mb()
    return out


def worker_louvain(args: argparse.Namespace) -> dict[str, Any]:
    import networkx as nx

    graph, _, _, _ = _setup(args.cache)
    G = graph.weighted_graph()
    t = time.perf_counter()
    parts = nx.community.louvain_communities(G, weight="strength", seed=0)
    secs = time.perf_counter() - t
    q = nx.community.modularity(G, parts, weight="strength")
    return {"seconds": secs, "n_communities": len(parts), "modularity": q, "peak_mb": _peak_mb()}


WORKERS = {"generate": worker_generate, "score": worker_score, "fast": worker_fast,
           "networkx": worker_networkx, "louvain": worker_louvain}


# -- driver ---------------------------------------------------------------------------


def run_worker(name: str, args: argparse.Namespace, timeout: float | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", name, "--cache", str(args.cache),
           "--people", str(args.people), "--gangs", str(args.gangs), "--seed", str(args.seed),
           "--sources", str(args.sources), "--nx-gangs", str(args.nx_gangs),
           "--nx-sources", str(args.nx_sources), "--nx-pairs", str(args.nx_pairs)]
    print(f"[speed] {name} ...", file=sys.stderr, flush=True)
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout, "wall": time.perf_counter() - t}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed",
                "wall": time.perf_counter() - t}
    res: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    res["wall"] = time.perf_counter() - t
    print(f"[speed] {name}: {res}", file=sys.stderr, flush=True)
    return res


def fmt_s(x: float) -> str:
    if x < 0.1:
        return f"{x * 1000:.0f} ms"
    return f"{x:,.1f} s" if x < 100 else f"{x:,.0f} s"


def fmt_x(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--people", type=int, default=100_000)
    p.add_argument("--gangs", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache", type=Path, default=Path("/tmp/umbrella-bench-speed"),
                   help="folder for the generated case (pickled; reused if present)")
    p.add_argument("--sources", type=int, default=None,
                   help="sampled betweenness sources (default: the scorer's)")
    p.add_argument("--nx-gangs", type=int, default=3, help="gangs NetworkX PageRank is timed on")
    p.add_argument("--nx-sources", type=int, default=4, help="sources NetworkX betweenness is timed on")
    p.add_argument("--nx-pairs", type=int, default=20_000, help="pairs NetworkX link prediction is timed on")
    p.add_argument("--louvain-timeout", type=float, default=1800.0)
    p.add_argument("--skip-networkx", action="store_true")
    p.add_argument("--fresh", action="store_true", help="regenerate the city even if cached")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "speed.md")
    p.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.sources is None:
        args.sources = _betweenness_sources()
    if args.worker:  # the driver passes the city's own folder
        print(json.dumps(WORKERS[args.worker](args)))
        return
    args.cache = args.cache / f"city_{args.people}_{args.gangs}_{args.seed}"

    started = dt.datetime.now()
    load_before = os.getloadavg()
    if args.fresh or not (args.cache / "city.json").exists():
        gen = run_worker("generate", args)
        if "error" in gen:
            raise SystemExit(f"generating the city failed: {gen['error']}")
    else:
        gen = json.loads((args.cache / "city.json").read_text(encoding="utf-8"))
        gen["cached"] = True
    score = run_worker("score", args)
    fast = run_worker("fast", args)
    nxr: dict[str, Any] = {}
    louvain: dict[str, Any] = {}
    if not args.skip_networkx:
        nxr = run_worker("networkx", args)
        louvain = run_worker("louvain", args, timeout=args.louvain_timeout)
    load_after = os.getloadavg()
    write_table(args, started, load_before, load_after, gen, score, fast, nxr, louvain)


def write_table(args: argparse.Namespace, started: dt.datetime, load_before: tuple[float, ...],
                load_after: tuple[float, ...], gen: dict[str, Any], score: dict[str, Any],
                fast: dict[str, Any], nxr: dict[str, Any], louvain: dict[str, Any]) -> None:
    L: list[str] = [f"## Speed: scoring a {args.people:,}-person city", ""]
    cmd = "`.venv/bin/python bench/speed.py"
    if args.people != 100_000 or args.gangs != 40:
        cmd += f" --people {args.people} --gangs {args.gangs}"
    if args.fresh:
        cmd += " --fresh"
    cmd += "`"
    L.append(f"Command: {cmd} — run {started:%Y-%m-%d %H:%M}, 2-core machine "
             f"({platform.machine()}, {os.cpu_count()} CPUs), Python {platform.python_version()}.")
    busy = max(load_before[0], load_after[0]) > 1.5
    L.append(f"Load average (1 min) at start / end: {load_before[0]:.2f} / {load_after[0]:.2f}"
             + (" — **the machine was busy** (other work shared the 2 cores), so times are "
                "pessimistic." if busy else "."))
    L.append("")
    if "tables" in gen:
        t = gen["tables"]
        L.append(f"City: `generate_city(people={args.people}, gangs={args.gangs}, seed={args.seed})`: "
                 f"{t.get('people', 0):,} people, {t.get('officials', 0):,} posts, {t.get('gangs', 0)} gangs, "
                 f"{t.get('transactions', 0):,} transactions, {t.get('contacts', 0):,} contacts, "
                 f"{t.get('ties', 0):,} ties (generated in {fmt_s(gen['seconds'])}, not counted"
                 + ("; cached from an earlier run" if gen.get("cached") else "") + ").")
    if "score_seconds" in score:
        L.append(f"Graph: {score['nodes']:,} nodes, {score['edges']:,} record edges; "
                 f"{score['officials']:,} officials x {score['gangs']} gangs = {score['pairs']:,} pairs scored.")
    L.append("")
    L.append("### Scoring (the target)")
    L.append("")
    L.append("| step | wall time | CPU time | target |")
    L.append("|---|---:|---:|---|")
    speedup_total = None
    nx_total = None
    if nxr and "error" not in nxr and "timeout" not in nxr:
        nx_total = sum(nxr[k]["seconds"] for k in ("ppr", "betweenness", "adamic_adar", "resource_allocation"))
        if "seconds" in louvain:
            nx_total += louvain["seconds"]
        elif "timeout" in louvain:
            nx_total += louvain["timeout"]
    if "score_seconds" in score:
        total = score["graph_seconds"] + score["score_seconds"]
        ok_t = total <= TARGET_SECONDS
        gb = score["peak_mb"] / 1024
        cpu = score["graph_cpu"] + score["score_cpu"]
        L.append(f"| build_graph(case) | {fmt_s(score['graph_seconds'])} | {fmt_s(score['graph_cpu'])} | |")
        L.append(f"| score_umbrellas(graph), all pairs | {fmt_s(score['score_seconds'])} | "
                 f"{fmt_s(score['score_cpu'])} | |")
        L.append(f"| **graph + scores** | **{fmt_s(total)}** | {fmt_s(cpu)} | <= {TARGET_SECONDS:.0f} s: "
                 f"{'met' if ok_t else 'NOT met'} |")
        L.append(f"| peak memory (load case + graph + scores) | **{gb:.2f} GB** | | <= {TARGET_GB:.0f} GB: "
                 f"{'met' if gb <= TARGET_GB else 'NOT met'} |")
        if nx_total:
            speedup_total = nx_total / score["score_seconds"]
            L.append(f"| NetworkX, structural signals only (below) | {fmt_s(nx_total)} | | |")
            L.append(f"| **speed-up** (NetworkX structural signals / full score_umbrellas) | "
                     f"**{fmt_x(speedup_total)}** | | >= {TARGET_SPEEDUP:.0f}x: "
                     f"{'met' if speedup_total >= TARGET_SPEEDUP else 'NOT met'} |")
    else:
        L.append(f"| score_umbrellas | not run: {score.get('error') or score.get('timeout')} | | |")
    L.append("")
    L.append("### Structural signals, side by side on the same graph")
    L.append("")
    L.append(f"With the scorer's settings: personalised PageRank (alpha 0.85, tol {PPR_TOL:g}) from "
             f"each gang's listed members ({args.gangs} seed sets) on the strength-weighted graph, "
             f"betweenness from {args.sources} sampled sources (hop counts), Adamic-Adar and resource "
             "allocation for every official x listed member pair, communities of the whole graph.")
    L.append("")
    L.append("| signal | umbrella_graph.algorithms | plain NetworkX | speed-up | NetworkX measured on |")
    L.append("|---|---:|---:|---:|---|")
    rows = [("personalised PageRank, every gang", "ppr", "nx.pagerank(personalization=...) per gang"),
            ("betweenness (sampled)", "betweenness", "nx.betweenness_centrality(k=...)"),
            ("Adamic-Adar, every pair", "adamic_adar", "nx.adamic_adar_index"),
            ("resource allocation, every pair", "resource_allocation", "nx.resource_allocation_index")]
    fast_sum = 0.0
    for label, key, nxname in rows:
        f = fast.get(key)
        if key == "betweenness" and f is not None:
            f = f + fast.get("to_igraph", 0.0)
        fast_sum += f or 0.0
        r = nxr.get(key) if nxr else None
        if r and f:
            extra = (f"{r['measured']:,} of {r['total']:,} "
                     + {"ppr": "gangs", "betweenness": "sources"}.get(key, "pairs")
                     + (f", extrapolated from {fmt_s(r['measured_seconds'])}" if r["measured"] < r["total"] else ""))
            L.append(f"| {label} | {fmt_s(f)} | {fmt_s(r['seconds'])} | {fmt_x(r['seconds'] / f)} | "
                     f"`{nxname}`: {extra} |")
        else:
            L.append(f"| {label} | {fmt_s(f) if f else 'n/a'} | not run | | |")
    fc = fast.get("communities")
    if fc is not None:
        fast_sum += fc
        if "seconds" in louvain:
            L.append(f"| communities | {fmt_s(fc)} (Leiden, Q={fast['modularity']:.3f}) | "
                     f"{fmt_s(louvain['seconds'])} (Louvain, Q={louvain['modularity']:.3f}) | "
                     f"{fmt_x(louvain['seconds'] / fc)} | `nx.community.louvain_communities`: full run |")
        elif "timeout" in louvain:
            L.append(f"| communities | {fmt_s(fc)} (Leiden) | > {fmt_s(louvain['timeout'])} | "
                     f"> {fmt_x(louvain['timeout'] / fc)} | stopped after {fmt_s(louvain['timeout'])} (lower bound) |")
        else:
            L.append(f"| communities | {fmt_s(fc)} (Leiden) | not run | | |")
    if nx_total:
        L.append(f"| **total** | **{fmt_s(fast_sum)}** | **{fmt_s(nx_total)}** | "
                 f"**{fmt_x(nx_total / fast_sum)}** | |")
    L.append("")
    notes = [
        "Times are wall-clock seconds, each step in its own subprocess; peak memory is "
        "`resource.getrusage(RUSAGE_SELF).ru_maxrss` of the scoring subprocess. CPU time "
        "(user + system of that subprocess) is less sensitive to other work on the machine; "
        "the sparse kernels and igraph are single-threaded, so on an idle machine wall time is "
        "about the CPU time (or less, where NumPy's BLAS uses both cores).",
        "The fast column includes building the igraph graph once (shared by betweenness and "
        f"communities: {fmt_s(fast.get('to_igraph', 0.0))}) but not the sparse adjacency "
        f"({fmt_s(fast.get('adjacency', 0.0))}), which the NetworkX side gets for free as "
        f"`graph.weighted_graph()` ({fmt_s(nxr.get('to_networkx', 0.0)) if nxr else 'n/a'}, not counted).",
        "NetworkX times are extrapolated linearly from the measured subset (per gang, per source, "
        "per pair), which is how those algorithms scale; Louvain is a full run.",
        "The speed-up target compares the *whole* scorer (every signal, aggregation and "
        "evidence bookkeeping) with NetworkX computing only the structural signals, so it "
        "understates the real gap.",
    ]
    if fast.get("peak_mb"):
        notes.append(f"Peak memory of the fast-signal subprocess: {fast['peak_mb'] / 1024:.2f} GB; "
                     f"of the NetworkX subprocess: {nxr.get('peak_mb', 0) / 1024:.2f} GB.")
    L += [f"- {n}" for n in notes]
    L.append("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(L), encoding="utf-8")
    print("\n".join(L))


if __name__ == "__main__":
    main()
