"""Benchmark: load a ~1M-transaction synthetic city into Neo4j and read it back.

Starts its own Neo4j Community server with ``scripts/neo4j-local`` (heap ``--heap``, page
cache ``--pagecache``; or uses ``--uri`` with NEO4J_USER / NEO4J_PASSWORD, whose database
is cleared), generates ``generate_city(people=100_000, gangs=20, seed=0)`` (cached as a
pickle under ``--cache``), then times

* the server start (``scripts/neo4j-local start``, until Bolt answers);
* a fresh ``to_neo4j`` (constraints, nodes, one relationship per record): relationships
  per second over the whole load and over the relationship phase; target >= 30k rel/s;
* a second ``to_neo4j`` of the same case (idempotent rerun: nothing written);
* ``from_neo4j`` (read every table back and rebuild the graph), checked with ``case.equals``;
* the server-side queries (neighbourhood, evidence paths, money flow) on the big store;
* the server stop.

Usage::

    .venv/bin/python bench/neo4j_load.py                     # writes bench/results/neo4j.md
    .venv/bin/python bench/neo4j_load.py --people 20000 --out /tmp/neo4j.md   # smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "neo4j.md"
SCRIPT = ROOT / "scripts" / "neo4j-local"


def load_avg() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def city(people: int, gangs: int, seed: int, cache: Path):
    from umbrella_graph.synth import generate_city

    cache.mkdir(parents=True, exist_ok=True)
    f = cache / f"city-{people}-{gangs}-{seed}.pkl"
    if f.exists():
        with open(f, "rb") as fh:
            return pickle.load(fh)
    case = generate_city(people=people, gangs=gangs, seed=seed).case
    with open(f, "wb") as fh:
        pickle.dump(case, fh)
    return case


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--gangs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--heap", default="4g")
    ap.add_argument("--pagecache", default="2g")
    ap.add_argument("--uri", default=None, help="use this server instead of starting one (it is cleared)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/umbrella-bench-neo4j"))
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()

    import pandas as pd

    from umbrella_graph import build_graph
    from umbrella_graph.backends import Neo4jBackend, clear_database, connect, from_neo4j, to_neo4j

    argv = " ".join(sys.argv[1:])
    before = load_avg()
    t = time.perf_counter()
    case = city(args.people, args.gangs, args.seed, args.cache)
    graph = build_graph(case)
    t_city = time.perf_counter() - t
    n_tx = len(case["transactions"])
    print(f"city: {graph} ({n_tx:,} transactions) in {t_city:.1f}s", flush=True)

    state = Path(tempfile.mkdtemp(prefix="neo4j-bench-")) / "state.json"
    start_s = stop_s = float("nan")
    if args.uri:
        uri, user, password = args.uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD")
    else:
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, str(SCRIPT), "start", "--state", str(state), "--heap", args.heap,
                               "--heap-initial", args.heap, "--pagecache", args.pagecache],
                              capture_output=True, text=True)
        start_s = time.perf_counter() - t
        if proc.returncode != 0:
            sys.exit(f"neo4j-local start failed:\n{proc.stderr}")
        uri, user, password = proc.stdout.strip().splitlines()[-1], "neo4j", "umbrella-test"
        print(f"server: {uri} started in {start_s:.1f}s", flush=True)
    try:
        driver = connect(uri, user, password)
        clear_database(driver)
        # warm the server up (query planning, JIT) with the sample case, as a running server is
        from umbrella_graph import load_case

        t = time.perf_counter()
        to_neo4j(load_case(ROOT / "data" / "samples" / "qinghe"), driver, progress=False)
        clear_database(driver)
        t_warm = time.perf_counter() - t
        print(f"warm-up (sample case loaded and cleared): {t_warm:.1f}s", flush=True)
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        first = to_neo4j(graph, driver, batch_size=args.batch_size, workers=args.workers, progress=False)
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
        print(first, flush=True)
        second = to_neo4j(graph, driver, batch_size=args.batch_size, progress=False)
        print(second, flush=True)
        t = time.perf_counter()
        back = from_neo4j(driver)
        t_read = time.perf_counter() - t
        same = back.case.equals(case)
        print(f"from_neo4j: {t_read:.1f}s, equal: {same}", flush=True)

        nb = Neo4jBackend(driver)
        labels = case["labels"]
        known = labels[labels["label"] == 1] if len(labels) else labels
        off, gang = ((str(known["official_id"].iloc[0]), str(known["gang_id"].iloc[0])) if len(known)
                     else (case.official_ids()[0], case.gang_ids()[0]))
        payer = str(case["transactions"]["src"].value_counts().index[0])
        queries = {
            "neighbourhood(official, hops=2, kinds=money/contacts/ties)":
                lambda: nb.neighbourhood(off, 2, ["transaction", "contact", "tie"]),
            "evidence_paths(a labelled umbrella, its gang, max_hops=3)": lambda: nb.evidence_paths(off, gang, 3),
            "money_flow(busiest payer)": lambda: nb.money_flow(payer),
        }
        qrows = []
        for name, fn in queries.items():
            t = time.perf_counter()
            res = fn()
            qrows.append((name, time.perf_counter() - t, len(res)))
        driver.close()
    finally:
        if not args.uri:
            t = time.perf_counter()
            subprocess.run([sys.executable, str(SCRIPT), "stop", "--state", str(state)], capture_output=True)
            stop_s = time.perf_counter() - t
    after = load_avg()

    bt = first.by_type
    rels_by = bt[bt["what"] == "relationship"].sort_values("rows", ascending=False)
    date = dt.date.today().isoformat()
    lines = [
        "# Neo4j: loading a synthetic city and reading it back",
        "",
        f"Command: `.venv/bin/python bench/neo4j_load.py {argv}`".rstrip() + "  ",
        f"Date: {date}; machine: 2 cores, 24 GiB, Python {platform.python_version()}, Neo4j Community "
        f"5.26 (scripts/neo4j-local, `-Xmx{args.heap}`, page cache {args.pagecache}), driver "
        f"neo4j {__import__('neo4j').__version__} with neo4j-rust-ext; load average {before} before, "
        f"{after} after (other work was running on the machine when above 2).",
        "",
        f"City: `generate_city(people={args.people:,}, gangs={args.gangs}, seed={args.seed})`: "
        f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} record edges "
        f"({n_tx:,} transactions, {len(case['contacts']):,} contacts). Batches of {args.batch_size:,} rows, "
        f"{args.workers} concurrent writers.",
        "",
        "| step | time (s) | what | rate |",
        "|---|---|---|---|",
        f"| server start (`scripts/neo4j-local start`, until Bolt answers) | {start_s:.1f} | | |",
        f"| warm-up: load the sample case (10,845 records) into the new server, then clear it | {t_warm:.1f} | | |",
        f"| `to_neo4j`, fresh (nodes, relationships; constraints exist) | {first.seconds:.1f} | "
        f"{first.nodes_created:,} nodes, {first.rels_created:,} relationships, {first.batches} batches | "
        f"**{first.rels_created / first.seconds:,.0f} rel/s** over the whole load (target >= 30,000) |",
        f"| - of which nodes | {first.node_seconds:.1f} | {first.nodes_created:,} nodes | "
        f"{first.nodes_created / max(first.node_seconds, 1e-9):,.0f} nodes/s |",
        f"| - of which relationships (rows prepared in Python + written) | {first.rel_seconds:.1f} | "
        f"{first.rels_created:,} | {first.rels_created / max(first.rel_seconds, 1e-9):,.0f} rel/s |",
        f"| `to_neo4j` again (idempotent rerun) | {second.seconds:.1f} | {second.nodes_created} nodes and "
        f"{second.rels_created} relationships created; {second.rels_present:,} already present | |",
        f"| `from_neo4j` (read back + validate + build the graph) | {t_read:.1f} | `case.equals`: {same} | "
        f"{graph.number_of_edges() / t_read:,.0f} records/s |",
        *(f"| `Neo4jBackend.{name}` | {sec:.2f} | {n:,} rows | |" for name, sec, n in qrows),
        f"| server stop (SIGTERM, clean shutdown) | {stop_s:.1f} | | |",
        "",
        f"Client CPU during the fresh load: {client_cpu:.1f}s of {first.seconds:.1f}s (the rest is the "
        "server). Relationships by type (fresh load):",
        "",
        "| type | relationships |",
        "|---|---|",
        *(f"| {r.type} | {int(r.rows):,} |" for r in rels_by.itertuples()),
        "",
        "How: node rows are created (merged on `id` when the store is not empty; unique constraint per label) and return their element ids; "
        "relationship rows then find their endpoints by element id and are created with `UNWIND $rows` "
        "in managed write transactions (`session.execute_write`), two at a time, the next group's rows being prepared meanwhile. "
        "Relationship rows are sent in the order their end nodes were written (not in time order), so the server "
        "locks and updates node records in order. A rerun first reads the keys of the "
        "relationships already stored, type by type, and writes only the missing ones.",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    _ = pd  # pandas is imported for the pickle


if __name__ == "__main__":
    main()
