"""Benchmark: the single-file report for a 100k-person synthetic city.

Measures, on ``generate_city(people=100_000, gangs=40, seed=0)``:

* the time to write the report (``umbrella_graph.report`` with its defaults: top 50 pairs,
  10 detailed pairs, a 500-node network, the four investigation sections) given the
  scores, and the same without the investigation sections;
* the time the file takes to open and settle in headless Chromium (the browser tests'
  setup: network disabled): from navigation start to ``window.UG.ready`` (the network's
  first complete drawing; physics is off, so the picture does not move afterwards),
  median of ``--loads`` fresh loads;
* the time to print the brief to PDF (``print_pdf``, as ``report --pdf``) and its A4 page
  count (poppler's ``pdfinfo``).

The city is cached as a pickle (``--cache``); it is scored in the benchmark process, on the
graph the report is written from (as the CLI does), so ``explain`` finds the scorer's
per-graph context ready.

Usage::

    .venv/bin/python bench/report.py                       # 100k people, 40 gangs
    .venv/bin/python bench/report.py --people 5000 --gangs 4 --out /tmp/report.md   # smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _cached(path: Path, make):  # type: ignore[no-untyped-def]
    if path.exists():
        with path.open("rb") as f:
            return pickle.load(f), True
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    return value, False


def _browser():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        sys.exit("headless Chromium is needed: run scripts/setup --system")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1500,1100", f"--user-data-dir={tempfile.mkdtemp(prefix='ug-bench-')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions",
                      {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    return d


def _open(d, path: Path) -> dict:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    d.get("about:blank")
    d.get_log("performance")
    d.get_log("browser")
    t0 = time.perf_counter()
    d.get(path.resolve().as_uri())
    WebDriverWait(d, 60, poll_frequency=0.02).until(
        lambda drv: drv.execute_script("return !!(window.UG && window.UG.ready)"))
    wall = time.perf_counter() - t0
    ready_ms = d.execute_script("return UG.readyAt")
    nodes = d.execute_script("return UG.nodeCount()")
    edges = d.execute_script("return UG.edgeCount()")
    reqs = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            reqs.append(msg["params"]["request"]["url"])
    outside = [u for u in reqs if not u.startswith(("file:", "data:", "about:", "blob:"))]
    errors = [m for m in d.get_log("browser") if m["level"] == "SEVERE"]
    return {"wall": wall, "ready": ready_ms / 1000.0, "nodes": nodes, "edges": edges,
            "outside": outside, "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--gangs", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--loads", type=int, default=3, help="browser loads (median reported)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "umbrella-bench-report")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "report.md")
    args = ap.parse_args()

    from umbrella_graph import build_graph
    from umbrella_graph.reporting import report
    from umbrella_graph.scoring import score_umbrellas
    from umbrella_graph.synth import generate_city

    load_before = os.getloadavg()[0]
    tag = f"p{args.people}-g{args.gangs}-s{args.seed}"
    t = time.perf_counter()
    case, hit = _cached(args.cache / f"case-{tag}.pkl",
                        lambda: generate_city(people=args.people, gangs=args.gangs, seed=args.seed).case)
    t_city = time.perf_counter() - t
    t = time.perf_counter()
    graph = build_graph(case)
    t_graph = time.perf_counter() - t
    t = time.perf_counter()
    # scored on this graph object, as the CLI does: the scorer's per-graph context (also
    # used by explain) is then warm, as it is in any real session
    scores = score_umbrellas(graph, seed=args.seed)
    t_scores = time.perf_counter() - t
    print(f"city {'(cached) ' if hit else ''}{t_city:.1f}s, graph {t_graph:.1f}s, "
          f"scores {t_scores:.1f}s: {graph}", flush=True)

    # the report logs its phase times at DEBUG level (no case data in them)
    import logging

    phases: list[str] = []

    class _Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            phases.append(record.getMessage())

    log = logging.getLogger("umbrella_graph.reporting")
    log.setLevel(logging.DEBUG)
    log.addHandler(_Grab())

    out_dir = Path(tempfile.mkdtemp(prefix="ug-report-bench-"))
    t = time.perf_counter()
    path = report(graph, out_dir / "report.html", scores=scores, seed=args.seed)
    t_report = time.perf_counter() - t
    size = path.stat().st_size
    breakdown = [m for m in phases if m.startswith("report")]
    phases.clear()
    print(f"report (defaults): {t_report:.1f}s, {size / 1e6:.1f} MB", flush=True)
    for m in breakdown:
        print("  ", m, flush=True)
    t = time.perf_counter()
    path2 = report(graph, out_dir / "report_noinv.html", scores=scores, seed=args.seed, investigations=False)
    t_report2 = time.perf_counter() - t
    print(f"report (no investigations): {t_report2:.1f}s", flush=True)

    d = _browser()
    try:
        loads = [_open(d, path) for _ in range(args.loads)]
    finally:
        d.quit()
    ready = statistics.median(x["ready"] for x in loads)
    wall = statistics.median(x["wall"] for x in loads)
    outside = sorted({u for x in loads for u in x["outside"]})
    errors = [e for x in loads for e in x["errors"]]
    print(f"browser: ready {ready:.2f}s after navigation start (median of {len(loads)}), "
          f"get+ready {wall:.2f}s, {loads[0]['nodes']} nodes, {loads[0]['edges']} edges, "
          f"requests outside the file: {len(outside)}, console errors: {len(errors)}", flush=True)
    # the printed brief (report --pdf): headless Chromium, pages counted with poppler's pdfinfo
    import shutil
    import subprocess

    from umbrella_graph.reporting import print_pdf

    t = time.perf_counter()
    pdf = print_pdf(path, out_dir / "brief.pdf")
    t_pdf = time.perf_counter() - t
    pages = "?"
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:"))
    print(f"pdf brief: {t_pdf:.1f}s, {pages} A4 pages", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    load_after = os.getloadavg()[0]

    n_people = int((graph.nodes["kind"] == "person").sum())
    cmd = "python bench/report.py" + ("" if (args.people, args.gangs) == (100_000, 40)
                                        else f" --people {args.people} --gangs {args.gangs}")
    lines = [
        "# Report: writing and opening the single-file HTML report",
        "",
        f"Command: `{cmd}` · {dt.date.today().isoformat()} · {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} · 1-minute load average {load_before:.1f} at the start and "
        f"{load_after:.1f} at the end (the machine is shared: above ~1 the numbers are upper bounds)",
        "",
        f"City: `generate_city(people={args.people:,}, gangs={args.gangs}, seed={args.seed})`: "
        f"{n_people:,} people, {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} record edges, "
        f"{len(scores):,} official x gang pairs scored.",
        "",
        "| step | time | target |",
        "|---|---|---|",
        f"| write the report (defaults: top 50, 10 detailed pairs, 500-node network, investigations for 5 gangs) | "
        f"{t_report:.1f} s | < 30 s |",
        f"| write the report without the investigation sections (same graph right after: explanations cached) | "
        f"{t_report2:.1f} s | |",
        f"| open in headless Chromium until `UG.ready` (navigation start -> network drawn; median of {len(loads)}) | "
        f"{ready:.2f} s | < 5 s |",
        f"| same, wall time seen by Selenium (`get` + wait) | {wall:.2f} s | |",
        f"| print the brief to PDF (`report --pdf`: headless Chromium, A4) | {t_pdf:.1f} s, {pages} pages | "
        "<= 20 pages |",
        "",
        f"File: {size / 1e6:.1f} MB (vis-network inlined), network {loads[0]['nodes']} nodes / "
        f"{loads[0]['edges']} edges; requests outside the file: {len(outside)}; console errors: {len(errors)}. "
        f"Peak RSS of the benchmark process (city, graph, scores, report): {peak:.1f} GB.",
        "",
        "Where the time goes (default report; the report's own DEBUG log):",
        "",
        *[f"- {m}" for m in breakdown],
        "",
        f"Not included above: generating the city ({'cached' if hit else f'{t_city:.0f} s'}), "
        f"`build_graph` ({t_graph:.1f} s) and `score_umbrellas` ({t_scores:.0f} s, on the same graph object "
        "so that `explain` reuses the scorer's context; see results/speed.md).",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out}")
    _ = path2


if __name__ == "__main__":
    main()
