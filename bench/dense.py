"""Explanation and report work on dense call records: time and peak memory.

Builds ``generate_city(people=3000, gangs=4, seed=0)`` and adds random calls between its
people until the contacts table has ``--contacts`` rows (default 5,000,000; call
partners drawn with a heavy-tailed degree distribution, so some people have tens of
thousands of calls), then runs each task in its own subprocess and records the wall
time of the task and the peak resident memory of the whole process (``ru_maxrss``,
which includes building the case and the graph):

* ``explain``: :func:`umbrella_graph.scoring.explain` for the top-scored pair (the first
  call scores every pair too);
* ``accountability``: :func:`umbrella_graph.investigate.accountability` for one gang;
* ``report``: :func:`umbrella_graph.reporting.report` to a temporary folder.

Budget (issue 16): each task <= 60 s and <= 4 GB on 3,000 people with 5M contacts.

Usage:
    .venv/bin/python bench/dense.py                                   # 5M contacts, all tasks
    .venv/bin/python bench/dense.py --contacts 1000000 --out /tmp/dense.md   # smaller run
Writes bench/results/dense.md (or --out).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TASKS = ("explain", "accountability", "report")


def dense_case(people: int, contacts: int, seed: int = 0):  # type: ignore[no-untyped-def]
    """The synthetic city with random calls added up to ``contacts`` rows."""
    from umbrella_graph.synth import generate_city

    city = generate_city(people=people, gangs=4, seed=seed)
    case = city.case
    ct = case["contacts"]
    extra = max(contacts - len(ct), 0)
    rng = np.random.default_rng(seed)
    ids = case["people"]["id"].astype(str).to_numpy()
    # heavy-tailed activity: a few people make most of the calls
    w = rng.pareto(1.2, len(ids)) + 1.0
    w /= w.sum()
    src = rng.choice(len(ids), extra, p=w)
    dst = rng.choice(len(ids), extra, p=w)
    dst = np.where(dst == src, (dst + 1) % len(ids), dst)
    t = ct["time"].dropna()
    lo, hi = t.min().value, t.max().value
    times = pd.to_datetime(rng.integers(lo, hi, extra))
    add = ct.iloc[np.zeros(extra, dtype=np.int64)].reset_index(drop=True)  # the table's dtypes
    add["src"] = pd.Series(ids[src], dtype=ct["src"].dtype)
    add["dst"] = pd.Series(ids[dst], dtype=ct["dst"].dtype)
    add["kind"] = pd.Series(np.where(rng.random(extra) < 0.9, "call", "sms"), dtype=ct["kind"].dtype)
    add["time"] = times.astype(ct["time"].dtype)
    add["duration_s"] = rng.integers(5, 900, extra).astype(float)
    if "_file" in ct.columns:
        add["_file"] = pd.Series(["contacts.csv"] * extra, dtype=ct["_file"].dtype)
    if "_row" in ct.columns:
        start = int(ct["_row"].max()) + 1 if len(ct) else 2
        add["_row"] = np.arange(start, start + extra).astype(ct["_row"].dtype)
    big = pd.concat([ct, add], ignore_index=True)
    return case.with_tables(contacts=big)


def _child(task: str, people: int, contacts: int) -> None:
    import logging

    logging.disable(logging.WARNING)
    from umbrella_graph import build_graph
    from umbrella_graph.scoring import explain, score_umbrellas

    t_build = time.perf_counter()
    case = dense_case(people, contacts)
    graph = build_graph(case)
    build_s = time.perf_counter() - t_build
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    t0 = time.perf_counter()
    if task == "explain":
        s = score_umbrellas(graph)
        ex = explain(graph, str(s["official_id"].iat[0]), str(s["gang_id"].iat[0]))
        info = f"{len(ex.paths)} paths"
    elif task == "accountability":
        from umbrella_graph.investigate import accountability

        acc = accountability(graph, graph.gangs[0])
        info = f"{len(acc)} rows"
    else:
        from umbrella_graph.reporting import report

        with tempfile.TemporaryDirectory() as tmp:
            out = report(graph, path=Path(tmp) / "report.html")
            info = f"{Path(out).stat().st_size // 1024} KiB"
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    print(json.dumps({"task": task, "seconds": round(secs, 1), "peak_rss_gb": round(rss, 2),
                      "rss_before_task_gb": round(rss_before, 2), "build_seconds": round(build_s, 1),
                      "contacts": int(len(case["contacts"])), "info": info}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--contacts", type=int, default=5_000_000)
    ap.add_argument("--tasks", nargs="*", default=list(TASKS))
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "dense.md")
    ap.add_argument("--child", default=None)
    a = ap.parse_args()
    if a.child:
        _child(a.child, a.people, a.contacts)
        return
    rows = []
    for task in a.tasks:
        p = subprocess.run([sys.executable, __file__, "--child", task, "--people", str(a.people),
                            "--contacts", str(a.contacts)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        lines = [x for x in p.stdout.splitlines() if x.startswith("{")]
        if p.returncode or not lines:
            rows.append({"task": task, "seconds": None, "peak_rss_gb": None, "info": f"failed: {p.stderr[-300:]}"})
        else:
            rows.append(json.loads(lines[-1]))
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    head = (f"# Dense call records: explain, accountability, report\n\n"
            f"Command: `.venv/bin/python bench/dense.py --people {a.people} --contacts {a.contacts}`  \n"
            f"Machine: {platform.machine()}, {os.cpu_count()} cores (shared with other jobs: numbers measured "
            f"under CPU contention), {dt.date.today()}  \n"
            "Budget: each task <= 60 s and <= 4 GB (peak RSS of the whole process, building the case "
            "included).\n\n")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    cols = list(df.columns)
    table = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    table += ["| " + " | ".join("" if pd.isna(v) else str(v) for v in r) + " |" for r in df.itertuples(index=False)]
    a.out.write_text(head + "\n".join(table) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
