"""Benchmark: scoring a case stored in Neo4j, pushed to the server vs read back.

Starts its own Neo4j Community server with ``scripts/neo4j-local`` (or uses ``--uri`` with
NEO4J_USER / NEO4J_PASSWORD, whose database is cleared), and for each city size
``generate_city(people=N, gangs=N // 2500, seed=7)`` (the 20k city has 8 gangs) loads it
with ``to_neo4j``, then scores it twice, each time in a fresh Python process so its peak
resident memory is its own:

* **read-back**: ``score_umbrellas(from_neo4j(driver))``: every record, every column, read
  into the process, validated, built into a graph and scored there (what
  ``umbrella-graph score --neo4j`` did before);
* **pushed**: ``score_in_neo4j(driver)``: the server selects and projects the records,
  computes the amount quantiles and the member/lead pair aggregations; the rest is scored
  in the process (docs/neo4j.md, "Scoring on the server").

The two score tables are compared (largest absolute difference over every numeric column).

Usage::

    .venv/bin/python bench/neo4j_score.py              # writes bench/results/neo4j_score.md
    .venv/bin/python bench/neo4j_score.py --people 20000 --out /tmp/neo4j_score.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "neo4j_score.md"
SCRIPT = ROOT / "scripts" / "neo4j-local"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ``ru_maxrss`` on Linux, it does
    not carry over the parent's peak across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def worker(mode: str, uri: str, user: str, password: str, out: Path) -> None:
    """One scoring run in this (fresh) process; prints a JSON line with time and peak RSS."""
    from umbrella_graph.backends import connect

    driver = connect(uri, user, password)
    rss0 = peak_rss_mb()
    t = time.perf_counter()
    if mode == "readback":
        from umbrella_graph.backends import from_neo4j
        from umbrella_graph.scoring import score_umbrellas

        graph = from_neo4j(driver)
        t_read = time.perf_counter() - t
        scores = score_umbrellas(graph, seed=0)
    else:
        from umbrella_graph.scoring import pushed
        from umbrella_graph.scoring.score import score_umbrellas

        graph = pushed.scoring_graph_from_neo4j(driver)
        t_read = time.perf_counter() - t
        facts = pushed.neo4j_facts(driver)
        scores = score_umbrellas(graph, seed=0, precomputed=facts)
    total = time.perf_counter() - t
    rss = peak_rss_mb()
    scores.to_pickle(out)
    print(json.dumps({"mode": mode, "seconds": total, "read_seconds": t_read, "peak_rss_mb": rss,
                      "rss_before_mb": rss0, "pairs": len(scores)}), flush=True)
    driver.close()


def run_worker(mode: str, uri: str, user: str, password: str, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", mode, "--uri", uri, "--user", user,
                           "--password", password, "--scores", str(out)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if proc.returncode != 0:
        sys.exit(f"{mode} worker failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, nargs="+", default=[20_000, 100_000])
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--pagecache", default="2g")
    ap.add_argument("--uri", default=None)
    ap.add_argument("--user", default=os.environ.get("NEO4J_USER", "neo4j"))
    ap.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD", ""))
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--scores", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.uri, args.user, args.password, args.scores)
        return

    import numpy as np
    import pandas as pd

    from umbrella_graph import build_graph
    from umbrella_graph.backends import clear_database, connect, to_neo4j
    from umbrella_graph.synth import generate_city

    argv = " ".join(sys.argv[1:])
    before = f"{os.getloadavg()[0]:.1f}"
    state = Path(tempfile.mkdtemp(prefix="neo4j-score-")) / "state.json"
    started = False
    if args.uri:
        uri, user, password = args.uri, args.user, args.password
    else:
        proc = subprocess.run([sys.executable, str(SCRIPT), "start", "--state", str(state), "--heap", args.heap,
                               "--heap-initial", args.heap, "--pagecache", args.pagecache],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"neo4j-local start failed:\n{proc.stderr}")
        uri, user, password = proc.stdout.strip().splitlines()[-1], "neo4j", "umbrella-test"
        started = True
    rows = []
    try:
        driver = connect(uri, user, password)
        for people in args.people:
            gangs = 8 if people == 20_000 else max(people // 2500, 2)
            case = generate_city(people=people, gangs=gangs, seed=7).case
            graph = build_graph(case)
            clear_database(driver)
            t = time.perf_counter()
            to_neo4j(graph, driver, progress=False)
            t_load = time.perf_counter() - t
            n_rec = graph.number_of_edges()
            del case, graph
            print(f"{people:,} people: loaded {n_rec:,} records in {t_load:.1f}s", flush=True)
            tmp = Path(tempfile.mkdtemp(prefix="neo4j-score-"))
            res = {}
            for mode in ("readback", "pushed"):
                res[mode] = run_worker(mode, uri, user, password, tmp / f"{mode}.pkl")
                print(res[mode], flush=True)
            a = pd.read_pickle(tmp / "readback.pkl")
            b = pd.read_pickle(tmp / "pushed.pkl")
            num = a.select_dtypes("number").columns
            diff = float(np.abs(a[num].to_numpy(float) - b[num].to_numpy(float)).max()) if len(a) else 0.0
            same_text = a.drop(columns=num).equals(b.drop(columns=num))
            rows.append((people, gangs, n_rec, t_load, res, diff, same_text))
        driver.close()
    finally:
        if started:
            subprocess.run([sys.executable, str(SCRIPT), "stop", "--state", str(state)], capture_output=True)
    after = f"{os.getloadavg()[0]:.1f}"

    import neo4j

    lines = [
        "# Neo4j: scoring pushed to the server vs read back",
        "",
        f"Command: `.venv/bin/python bench/neo4j_score.py {argv}`  ",
        f"Date: {dt.date.today()}; machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Neo4j Community 5.26 (scripts/neo4j-local, `-Xmx{args.heap}`, page cache {args.pagecache}), "
        f"driver neo4j {neo4j.__version__}; load average {before} before, {after} after (other work was "
        "running on the machine when above 2).",
        "",
        "Each run is a fresh Python process connected to the server holding the case; time from the first "
        "query to the score table, peak resident memory (`VmHWM`) of that process (imports and driver: "
        f"{rows[0][4]['pushed']['rss_before_mb']:,.0f} MB before the first query). "
        "**read-back**: `score_umbrellas(from_neo4j(driver))`; **pushed**: `score_in_neo4j(driver)` "
        "(projection, amount quantiles and member/lead pair aggregations on the server; see docs/neo4j.md).",
        "",
        "| city | records | load (s) | read-back: total (s) | of which reading (s) | peak RSS (MB) "
        "| pushed: total (s) | of which reading (s) | peak RSS (MB) | pairs | max abs diff |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for people, gangs, n_rec, t_load, res, diff, same_text in rows:
        r, p = res["readback"], res["pushed"]
        lines.append(f"| {people:,} people, {gangs} gangs | {n_rec:,} | {t_load:.1f} | {r['seconds']:.1f} | "
                     f"{r['read_seconds']:.1f} | {r['peak_rss_mb']:,.0f} | {p['seconds']:.1f} | "
                     f"{p['read_seconds']:.1f} | {p['peak_rss_mb']:,.0f} | {p['pairs']:,} | {diff:.1e}"
                     f"{'' if same_text else ' (text columns differ)'} |")
    lines += ["", "Cities: `generate_city(people=N, gangs=G, seed=7)`. \"of which reading\": building the "
              "in-process graph from the server (read-back: every table and column, validated; pushed: "
              "the projection); the rest is scoring (pushed: with the server's aggregates).", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
