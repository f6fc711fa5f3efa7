"""The gang-seeded walks (issue 15): exact power iteration vs a local, thresholded push.

Usage (from the repository root)::

    .venv/bin/python bench/walks.py                      # 100k and 300k people; writes results/walks.md
    .venv/bin/python bench/walks.py --sizes 100000 --eps 1e-7 --no-write

For each size (``generate_city(people, people // 2500 gangs, seed 1)``, the scorer's
structural graph ``Facts.structure``, its gang seed matrix and its candidate pairs) it
times, on the same inputs:

* ``power``: :func:`umbrella_graph.algorithms.personalized_pagerank_many` as the scorer
  ran it until d6e7148, before ``ppr`` became the walk cut at 4 steps (alpha 0.85, tol 1e-8: every gang over every edge, blocks of 128 gangs);
* ``push eps``: a synchronous, thresholded push (every node whose residual exceeds
  ``eps`` times its strength pushes, all at once; residuals kept as a sparse
  gangs x nodes matrix, so a round costs the active frontier only). Its error at a node
  ``v`` is at most ``eps * strength(v)`` on an undirected graph, i.e. at most ``eps *
  volume`` on the ``ppr`` feature's ratio (visit over stationary share): a fixed ``eps``
  keeps the cost per gang bounded, and the error bound grows with the city.

Errors are measured on the ``ppr`` feature (log10 of the visit over the stationary share)
and on its signal (the ramp of ``signal_defs``: 0 at 0.5, 1 at 2) at the candidate pairs,
against a reference power iteration run to tol 1e-14.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
PEOPLE_PER_GANG = 2_500
ALPHA = 0.85


def push_many(A: sp.csr_matrix, P: sp.csr_matrix, eps: float, alpha: float = ALPHA) -> tuple[sp.csr_matrix, int, int]:
    """Synchronous thresholded push from the rows of ``P`` (each summing to 1): (estimates
    gangs x nodes, rounds, pushes). Every round, every (gang, node) whose residual exceeds
    ``eps * strength(node)`` keeps ``1 - alpha`` of it and spreads ``alpha`` over the
    node's edges; order-independent, so it could be written as iterated joins."""
    n = A.shape[0]
    d = np.asarray(A.sum(axis=1)).ravel()
    inv = np.divide(1.0, d, out=np.zeros(n), where=d > 0)
    W = sp.csr_matrix(sp.diags(inv * alpha) @ A)
    R = sp.csr_matrix(P, copy=True)
    R.sort_indices()
    thr = eps * d
    s = R.shape[0]
    got: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    rounds = pushes = 0
    while True:
        act = R.data > thr[R.indices]
        if not act.any():
            break
        rounds += 1
        Ra = R.copy()
        Ra.data[~act] = 0.0
        Ra.eliminate_zeros()
        R.data[act] = 0.0
        got.append((np.repeat(np.arange(s), np.diff(Ra.indptr)), Ra.indices.copy(), (1 - alpha) * Ra.data))
        pushes += Ra.nnz
        R = sp.csr_matrix(R + Ra @ W)
        R.eliminate_zeros()
    r, c, v = (np.concatenate([g[i] for g in got]) for i in range(3))
    return sp.csr_matrix((v, (r, c)), shape=(s, n)), rounds, pushes


def one(people: int, eps_list: list[float]) -> list[dict[str, Any]]:
    import umbrella_graph as ug
    from umbrella_graph import algorithms
    from umbrella_graph.scoring.facts import facts_of
    from umbrella_graph.scoring.signals import candidate_index
    from umbrella_graph.scoring.structure import _seed_matrix
    from umbrella_graph.synth import generate_city

    gangs = max(1, people // PEOPLE_PER_GANG)
    g = ug.build_graph(generate_city(people=people, gangs=gangs, seed=1).case)
    ctx = facts_of(g, "bench")
    off, gang = (np.asarray(a, dtype=np.int64) for a in candidate_index(ctx))
    A, P = ctx.structure, _seed_matrix(ctx)
    P = sp.csr_matrix(sp.diags(1.0 / np.asarray(P.sum(axis=1)).ravel()) @ P)
    at = np.asarray(ctx.official_pos)[off]
    d = np.asarray(A.sum(axis=1)).ravel()
    vol = float(d.sum())
    stat = d / vol

    def feature(vals: np.ndarray) -> np.ndarray:
        return np.log10((vals + 1e-12) / (stat[at] + 1e-12))  # type: ignore[no-any-return]

    def signal(f: np.ndarray) -> np.ndarray:
        return np.clip((f - 0.5) / 1.5, 0.0, 1.0)  # type: ignore[no-any-return]

    nodes, inv = np.unique(at, return_inverse=True)
    ref = algorithms.personalized_pagerank_many(A, P, tol=1e-14, max_iter=1000, nodes=nodes)[gang, inv]
    f_ref = feature(ref)
    base = {"people": people, "gangs": gangs, "nodes": A.shape[0], "edges": A.nnz // 2, "volume": vol,
            "pairs": len(off)}
    rows = []
    t = time.perf_counter()
    R = algorithms.personalized_pagerank_many(A, P, alpha=ALPHA, tol=1e-8, nodes=nodes)
    el = time.perf_counter() - t
    f = feature(R[gang, inv])
    rows.append({**base, "method": "power (tol 1e-8, the scorer until d6e7148)", "seconds": el, "touched_per_gang": A.shape[0],
                 "feature_err": float(np.abs(f - f_ref).max()),
                 "signal_err": float(np.abs(signal(f) - signal(f_ref)).max()), "bound": float("nan")})
    for eps in eps_list:
        t = time.perf_counter()
        X, rounds, pushes = push_many(A, P, eps)
        el = time.perf_counter() - t
        f = feature(np.asarray(X[gang, at]).ravel())
        rows.append({**base, "method": f"push eps {eps:g} ({rounds} rounds, {pushes / gangs:,.0f} pushes per gang)",
                     "seconds": el, "touched_per_gang": X.nnz / gangs,
                     "feature_err": float(np.abs(f - f_ref).max()),
                     "signal_err": float(np.abs(signal(f) - signal(f_ref)).max()), "bound": eps * vol})
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def render(rows: list[dict[str, Any]], cmd: str) -> str:
    load = os.getloadavg()[0]
    out = [
        "## Gang-seeded walks: power iteration vs local push (issue 15)\n",
        "> **Historical.** This compared two ways of computing the *untruncated* walk, the `ppr`\n"
        "> feature's definition until d6e7148. Since then `ppr` is the walk cut at 4 steps\n"
        "> (`umbrella_graph.walks.truncated_pagerank_many`: exact, computed two steps forward from\n"
        "> each gang side and two backward from each held pair's official), so neither method\n"
        "> here is the scorer's; its cost is part of the score times in bench/results/scale.md\n"
        "> (docs/scale.md, \"The memory engine at city scale\"). Kept as the measurement behind that decision.\n",
        f"- Command: `{cmd}`",
        f"- Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores; 1-minute load average at the end {load:.1f} (shared machine)",
        "- Cities: `generate_city(people, people // 2500 gangs, seed 1)`; walks over the scorer's structural "
        "graph from every gang side, read at the candidate pairs; errors against power iteration to tol 1e-14. "
        "feature: `ppr` (log10 visit / stationary share); signal: its ramp (0 at 0.5, 1 at 2). "
        "Bound: the push's guaranteed error on the feature's ratio, `eps * volume`.\n",
        "| people | gangs | edges | method | time | nodes touched per gang | max feature error | "
        "max signal error | ratio error bound |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        bound = "" if r["bound"] != r["bound"] else f"{r['bound']:.2g}"
        out.append(f"| {r['people']:,} | {r['gangs']} | {r['edges']:,} | {r['method']} | {r['seconds']:.1f} s | "
                   f"{r['touched_per_gang']:,.0f} | {r['feature_err']:.3f} | {r['signal_err']:.3f} | {bound} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    ap.add_argument("--eps", type=float, nargs="+", default=[1e-7, 3e-7])
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    rows = []
    for people in args.sizes:
        rows += one(people, args.eps)
    md = render(rows, " ".join(["python bench/walks.py", *sys.argv[1:]]))
    print(md)
    if not args.no_write:
        (ROOT / "bench" / "results" / "walks.md").write_text(md, encoding="utf-8")


if __name__ == "__main__":
    main()
