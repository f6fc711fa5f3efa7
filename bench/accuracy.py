"""Accuracy benchmark of umbrella scoring (issues 3 and 4, "Accuracy").

For every difficulty (easy, medium, hard) and seed, a synthetic city is generated with
``umbrella_graph.synth.generate_city`` (its truth is known, the scorer never sees it)
and scored by

* the project's scorer, unsupervised (``score_umbrellas``), on all official x gang pairs;
* the project's scorer, supervised (``UmbrellaClassifier`` fitted on the city's
  ``labels.csv``, a 30% stratified share of the truth), on the held-out 70% of pairs
  (the unsupervised scorer is reported on the same held-out pairs for comparison);
* the baselines of ``umbrella_graph.baselines`` (degree, betweenness, direct contacts,
  personalised PageRank from the listed members), in the same run.

Metrics (``umbrella_graph.metrics.evaluate``): ROC-AUC, average precision (AP) and
precision@k with k = the number of true umbrellas among the pairs evaluated.

Robustness: the unsupervised scorer (and the PPR baseline) on the same cities after
removing 0%, 15%, 30% and 50% of the evidence records at random (transactions,
contacts, ties, company roles, contracts; :func:`drop_evidence`, seeded).

Usage::

    .venv/bin/python bench/accuracy.py                   # 5 seeds x 3 difficulties, 6,000 people
    .venv/bin/python bench/accuracy.py --seeds 2 --people 3000 --out /tmp/acc.md   # quick

Writes ``bench/results/accuracy.md`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import umbrella_graph as ug  # noqa: E402
from umbrella_graph.baselines import BASELINES, baseline_scores  # noqa: E402
from umbrella_graph.case import Case  # noqa: E402
from umbrella_graph.metrics import evaluate  # noqa: E402
from umbrella_graph.scoring import UmbrellaClassifier, score_umbrellas  # noqa: E402

#: The tables whose records are "evidence" for the robustness curve.
EVIDENCE_TABLES = ("transactions", "contacts", "ties", "company_roles", "contracts")
DROP_SHARES = (0.0, 0.15, 0.30, 0.50)
METRICS = ("roc_auc", "average_precision", "precision_at_k")


def drop_evidence(case: Case, share: float, *, seed: int = 0, tables: tuple[str, ...] = EVIDENCE_TABLES) -> Case:
    """A copy of ``case`` with a random ``share`` of the records of ``tables`` removed.

    Each record is dropped independently with probability ``share`` (one seeded
    generator per table, so the same seed drops the same records). Kept records keep
    their provenance (file and row).
    """
    if not 0.0 <= share < 1.0:
        raise ValueError(f"share must be in [0, 1); got {share!r}")
    new = {}
    for i, t in enumerate(tables):
        if not case.has(t):
            continue
        df = case[t]
        rng = np.random.default_rng([int(seed), i, int(round(share * 1000))])
        keep = rng.random(len(df)) >= share
        new[t] = df[keep].reset_index(drop=True)
    return case.with_tables(**new)


def _held_out(truth: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    m = truth.merge(labels[["official_id", "gang_id"]], how="left", on=["official_id", "gang_id"], indicator=True)
    return m[m["_merge"] == "left_only"].drop(columns="_merge").reset_index(drop=True)


def run_city(difficulty: str, seed: int, people: int, gangs: int) -> tuple[list[dict], list[dict], dict]:
    t0 = time.perf_counter()
    city = ug.generate_city(people=people, gangs=gangs, seed=seed, difficulty=difficulty)
    t_gen = time.perf_counter() - t0
    g = ug.build_graph(city.case)
    rows: list[dict] = []
    t1 = time.perf_counter()
    s = score_umbrellas(g, seed=seed)
    t_score = time.perf_counter() - t1
    held = _held_out(city.truth, city.labels)
    rows.append({"method": "scorer (unsupervised)", "pairs": "all", **evaluate(s, city.truth)})
    rows.append({"method": "scorer (unsupervised)", "pairs": "held-out", **evaluate(s, held)})
    clf = UmbrellaClassifier(random_state=seed).fit_graph(g, seed=seed)
    sup = score_umbrellas(g, model=clf, seed=seed)
    rows.append({"method": "scorer (supervised, 30% labels)", "pairs": "held-out", **evaluate(sup, held)})
    for b in BASELINES:
        bs = baseline_scores(g, b)
        rows.append({"method": f"baseline: {b}", "pairs": "all", **evaluate(bs, city.truth)})
    for r in rows:
        r.update(difficulty=difficulty, seed=seed)
    robust: list[dict] = []
    for share in DROP_SHARES:
        gc = g if share == 0 else ug.build_graph(drop_evidence(city.case, share, seed=seed))
        sc = s if share == 0 else score_umbrellas(gc, seed=seed)
        robust.append({"difficulty": difficulty, "seed": seed, "share": share, "method": "scorer (unsupervised)",
                       **evaluate(sc, city.truth)})
        robust.append({"difficulty": difficulty, "seed": seed, "share": share, "method": "baseline: ppr",
                       **evaluate(baseline_scores(gc, "ppr"), city.truth)})
    info = {"difficulty": difficulty, "seed": seed, "officials": len(city.case.official_ids()),
            "pairs": len(city.truth), "umbrellas": int(city.truth["label"].sum()),
            "transactions": len(city.case["transactions"]), "contacts": len(city.case["contacts"]),
            "t_generate": t_gen, "t_score": t_score, "t_total": time.perf_counter() - t0}
    return rows, robust, info


def _fmt(mean: float, sd: float) -> str:
    return "n/a" if np.isnan(mean) else f"{mean:.3f} ± {sd:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5, help="seeds per difficulty (1..N)")
    ap.add_argument("--people", type=int, default=6000)
    ap.add_argument("--gangs", type=int, default=5)
    ap.add_argument("--difficulties", nargs="+", default=["easy", "medium", "hard"])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "accuracy.md")
    args = ap.parse_args()

    started = time.perf_counter()
    all_rows, all_robust, infos = [], [], []
    for diff in args.difficulties:
        for seed in range(1, args.seeds + 1):
            rows, robust, info = run_city(diff, seed, args.people, args.gangs)
            all_rows += rows
            all_robust += robust
            infos.append(info)
            ap_u = next(r for r in rows if r["method"] == "scorer (unsupervised)")["average_precision"]
            print(f"{diff:6s} seed {seed}: {info['pairs']} pairs, {info['umbrellas']} umbrellas, "
                  f"unsupervised AP {ap_u:.3f}, {info['t_total']:.1f} s", flush=True)
    wall = time.perf_counter() - started
    res = pd.DataFrame(all_rows)
    rob = pd.DataFrame(all_robust)
    inf = pd.DataFrame(infos)

    order = ["scorer (unsupervised)", "scorer (supervised, 30% labels)", *[f"baseline: {b}" for b in BASELINES]]
    L: list[str] = ["## Accuracy: umbrella scoring on synthetic cities", ""]
    cmd = "python bench/accuracy.py " + " ".join(sys.argv[1:])
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = "?"
    L += [f"- Command: `{cmd.strip()}`",
          f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"shared with other jobs",
          f"- Date: {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} (git {commit or '?'}, with uncommitted work)",
          f"- Cities: {args.people:,} people, {args.gangs} gangs, seeds 1..{args.seeds} per difficulty; "
          f"{inf['officials'].mean():.0f} officials, {inf['pairs'].mean():.0f} pairs and "
          f"{inf['umbrellas'].mean():.1f} umbrella pairs per city on average",
          f"- Wall time: {wall / 60:.1f} min (scoring one city: {inf['t_score'].mean():.1f} s on average)",
          "- Metrics: mean ± standard deviation over seeds; precision@k with k = number of true umbrella "
          "pairs among the pairs evaluated. Supervised: `UmbrellaClassifier` fitted on the city's labels.csv "
          "(30% of the pairs, stratified) and evaluated on the other 70% (held-out); the unsupervised scorer "
          "is also shown on those held-out pairs.", ""]
    for diff in args.difficulties:
        d = res[res["difficulty"] == diff]
        L += [f"### {diff}", "", "| method | pairs | ROC-AUC | AP | precision@k |", "|---|---|---|---|---|"]
        for m in order:
            for pairs in ("all", "held-out"):
                x = d[(d["method"] == m) & (d["pairs"] == pairs)]
                if not len(x):
                    continue
                cells = [_fmt(x[k].mean(), x[k].std(ddof=0)) for k in METRICS]
                L.append(f"| {m} | {pairs} | " + " | ".join(cells) + " |")
        L.append("")
    L += ["### Robustness: AP with evidence records removed at random", "",
          "Transactions, contacts, ties, company roles and contracts each lose the given share of their "
          "records (`drop_evidence` in bench/accuracy.py, seeded); all pairs.", "",
          "| difficulty | method | " + " | ".join(f"{int(s * 100)}% removed" for s in DROP_SHARES) + " |",
          "|---|---|" + "---|" * len(DROP_SHARES)]
    for diff in args.difficulties:
        for m in ("scorer (unsupervised)", "baseline: ppr"):
            x = rob[(rob["difficulty"] == diff) & (rob["method"] == m)]
            cells = [_fmt(x.loc[x["share"] == s, "average_precision"].mean(),
                          x.loc[x["share"] == s, "average_precision"].std(ddof=0)) for s in DROP_SHARES]
            L.append(f"| {diff} | {m} | " + " | ".join(cells) + " |")
    L.append("")

    # acceptance criteria of issue 4
    def mean_ap(diff: str, method: str, pairs: str = "all") -> float:
        x = res[(res["difficulty"] == diff) & (res["method"] == method) & (res["pairs"] == pairs)]
        return float(x["average_precision"].mean()) if len(x) else float("nan")

    checks = []
    if "medium" in args.difficulties:
        u, p = mean_ap("medium", "scorer (unsupervised)"), mean_ap("medium", "baseline: ppr")
        checks.append(("medium, unsupervised AP >= 0.90", u, u >= 0.90))
        checks.append(("medium, unsupervised AP >= PPR baseline AP + 0.25", u - p, u - p >= 0.25))
        s = mean_ap("medium", "scorer (supervised, 30% labels)", "held-out")
        checks.append(("medium, supervised (30% labels) AP >= 0.95 on held-out pairs", s, s >= 0.95))
        x = rob[(rob["difficulty"] == "medium") & (rob["method"] == "scorer (unsupervised)")]
        drop = float(x.loc[x["share"] == 0.0, "average_precision"].mean()
                     - x.loc[x["share"] == 0.3, "average_precision"].mean())
        checks.append(("medium, AP drop with 30% of evidence removed <= 0.10", drop, drop <= 0.10))
    if "hard" in args.difficulties:
        h = mean_ap("hard", "scorer (unsupervised)")
        checks.append(("hard, unsupervised AP >= 0.75", h, h >= 0.75))
        x = rob[(rob["difficulty"] == "hard") & (rob["method"] == "scorer (unsupervised)")]
        drop = float(x.loc[x["share"] == 0.0, "average_precision"].mean()
                     - x.loc[x["share"] == 0.3, "average_precision"].mean())
        checks.append(("hard, AP drop with 30% of evidence removed (reported, not a criterion)", drop, True))
    L += ["### Acceptance (issue 4)", "", "| criterion | measured | met |", "|---|---|---|"]
    for name, val, ok in checks:
        L.append(f"| {name} | {val:.3f} | {'yes' if ok else '**no**'} |")
    L.append("")
    L += ["### Per city", "", "| difficulty | seed | officials | pairs | umbrellas | transactions | contacts | "
          "unsupervised AP | PPR AP | generate s | score s |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in inf.itertuples(index=False):
        d = res[(res["difficulty"] == r.difficulty) & (res["seed"] == r.seed) & (res["pairs"] == "all")]
        u = float(d.loc[d["method"] == "scorer (unsupervised)", "average_precision"].iloc[0])
        p = float(d.loc[d["method"] == "baseline: ppr", "average_precision"].iloc[0])
        L.append(f"| {r.difficulty} | {r.seed} | {r.officials} | {r.pairs} | {r.umbrellas} | {r.transactions:,} | "
                 f"{r.contacts:,} | {u:.3f} | {p:.3f} | {r.t_generate:.1f} | {r.t_score:.1f} |")
    L.append("")
    text = "\n".join(L)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
