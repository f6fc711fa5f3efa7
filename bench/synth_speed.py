"""Synthetic city generator: speed at scale, and how well naive baselines do on it.

Usage (from the repository root)::

    .venv/bin/python bench/synth_speed.py                       # the full run, writes bench/results/synth.md
    .venv/bin/python bench/synth_speed.py --sizes 10000 --seeds 0 --baseline-people 5000   # a quick look

Part 1 times ``generate_city`` (each size in a fresh process, so the peak memory is that
of one run): generation alone, then generation plus writing the CSV folder.
Part 2 scores every official x gang pair of medium/easy/hard cities with the four
baselines of :mod:`umbrella_graph.baselines` and reports ROC-AUC, average precision and
precision@k against the truth (the city is too easy if PPR reaches AP 0.8 on medium).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_size(people: int, gangs: int) -> dict[str, float]:
    from umbrella_graph.synth import generate_city

    t = time.perf_counter()
    city = generate_city(None, people=people, gangs=gangs, seed=0)
    gen = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        generate_city(Path(d) / "city", people=people, gangs=gangs, seed=0)
        total = time.perf_counter() - t
        size_mb = sum(f.stat().st_size for f in (Path(d) / "city").iterdir()) / 1e6
    counts = city.case.counts().set_index("table")["rows"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    return {"people": people, "gangs": gangs, "transactions": int(counts["transactions"]),
            "contacts": int(counts["contacts"]), "officials": len(city.case.official_ids()),
            "umbrella_pairs": int(city.truth["label"].sum()), "generate_s": gen, "generate_write_s": total,
            "folder_mb": size_mb, "peak_mib": peak}


def baselines(people: int, seeds: list[int]) -> list[dict[str, object]]:
    from umbrella_graph import build_graph
    from umbrella_graph.baselines import BASELINES, baseline_scores
    from umbrella_graph.metrics import evaluate
    from umbrella_graph.synth import generate_city

    rows: list[dict[str, object]] = []
    gangs = max(2, people // 2500)
    for difficulty in ("easy", "medium", "hard"):
        for seed in seeds:
            city = generate_city(people=people, gangs=gangs, seed=seed, difficulty=difficulty)
            g = build_graph(city.case)
            for method in BASELINES:
                e = evaluate(baseline_scores(g, method, seed=seed), city.truth)
                rows.append({"difficulty": difficulty, "seed": seed, "method": method, **e})
            print(f"baselines {difficulty} seed {seed} done", file=sys.stderr)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="people per speed run, comma-separated")
    ap.add_argument("--baseline-people", type=int, default=20000)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "synth.md")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, max(2, args.one // 5000))))
        return

    speed = []
    for n in (int(x) for x in args.sizes.split(",") if x):
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True, capture_output=True, text=True)
        speed.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"speed {n} done", file=sys.stderr)
    seeds = [int(x) for x in args.seeds.split(",") if x]
    rows = baselines(args.baseline_people, seeds) if args.baseline_people else []

    import pandas as pd

    cmd = ".venv/bin/python bench/synth_speed.py " + " ".join(sys.argv[1:])
    lines = [
        "## Synthetic cities (`umbrella_graph.synth.generate_city`)",
        "",
        f"Command: `{cmd.strip()}`. Machine: {platform.machine()}, 2 cores (shared with other jobs), "
        f"Python {platform.python_version()}. Date: {dt.date.today().isoformat()}.",
        "",
        "### Generation speed (medium difficulty, seed 0; one gang per 5,000 people)",
        "",
        "`generate` builds the validated case in memory; `generate + write` also writes the CSV folder "
        "(truth files included). Peak memory is the process's maximum resident set.",
        "",
        "| people | gangs | transactions | contacts | officials | umbrella pairs | generate (s) "
        "| generate + write (s) | folder (MB) | peak memory (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in speed:
        lines.append(f"| {s['people']:,} | {s['gangs']} | {s['transactions']:,} | {s['contacts']:,} | {s['officials']:,} "
                     f"| {s['umbrella_pairs']} | {s['generate_s']:.1f} | {s['generate_write_s']:.1f} "
                     f"| {s['folder_mb']:.0f} | {s['peak_mib']:.0f} |")
    if rows:
        df = pd.DataFrame(rows)
        lines += [
            "",
            f"### Naive baselines against the planted truth ({args.baseline_people:,} people, "
            f"{max(2, args.baseline_people // 2500)} gangs, seeds {', '.join(map(str, seeds))})",
            "",
            "Mean over seeds (min-max in brackets) of the ROC-AUC, average precision (AP) and precision@k "
            "(k = number of umbrella pairs) over every official x gang pair. The acceptance bar: PPR AP well "
            "below 0.8 on medium.",
            "",
            "| difficulty | method | umbrella pairs / pairs | ROC-AUC | AP | precision@k |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for (d, m), grp in df.groupby(["difficulty", "method"], sort=False):
            def fmt(col: str, g: pd.DataFrame = grp) -> str:
                return f"{g[col].mean():.3f} ({g[col].min():.2f}-{g[col].max():.2f})"
            lines.append(f"| {d} | {m} | {grp['n_positive'].mean():.0f} / {grp['n_pairs'].mean():.0f} "
                         f"| {fmt('roc_auc')} | {fmt('average_precision')} | {fmt('precision_at_k')} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
