"""Entity-resolution benchmark of the ingest (issue 12).

For each seed a synthetic city (``generate_city``) is written as messy raw exports with
``umbrella_graph.synth.messy.write_messy_sources`` (its truth says which person every
named party of every row is), ingested with ``umbrella_graph.ingest.ingest`` at the
default thresholds, and compared with the truth:

* pairwise precision and recall over identities (distinct name + identifiers written in
  one record; what splink compares) and over source mentions (every named party of
  every row, so a holder named on 500 statement rows counts 500 times);
* cluster precision and recall (a predicted person is right when it holds exactly the
  identities of one true person);
* namesakes: true people sharing a name, and how many of them were merged automatically
  (must be 0);
* the scorer: ``score_umbrellas`` on the clean city case and on the resolved case (its
  person ids mapped back to the true ids through the truth, the highest score kept when
  a true official was split), AP / ROC-AUC against the planted truth; and on the same exports resolved perfectly
  (``ap_perfect_er``: every resolved person mapped to the true one), which separates what the
  exports lose (calls from phones no source names, accounts no source names) from resolution errors;
* the row accounting (every input row ingested, merged as duplicate or rejected).

Throughput (``--scale-people``): a city large enough for about a million source rows,
ingested in a fresh process; wall time and peak ``ru_maxrss``.

Usage::

    .venv/bin/python bench/er.py          # seeds 0-2 (tuning) and 17, 23 (held out) x 3,000 people + 1M-row run
    .venv/bin/python bench/er.py --seeds 1 --extra-seeds '' --people 1000 --scale-people 0 --out /tmp/er.md  # quick

Writes ``bench/results/er.md`` (or ``--out``).
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

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import umbrella_graph as ug  # noqa: E402
from umbrella_graph.ingest import ingest  # noqa: E402
from umbrella_graph.metrics import evaluate  # noqa: E402
from umbrella_graph.scoring import score_umbrellas  # noqa: E402
from umbrella_graph.synth import generate_city  # noqa: E402
from umbrella_graph.synth.messy import write_messy_sources  # noqa: E402


def _c2(x: np.ndarray) -> int:
    x = np.asarray(x, dtype=np.int64)
    return int((x * (x - 1) // 2).sum())


def pairwise(pred: pd.Series, true: pd.Series, weight: pd.Series | None = None) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering ``pred`` against ``true`` (same index)."""
    df = pd.DataFrame({"p": pred.to_numpy(), "t": true.to_numpy(),
                       "w": 1 if weight is None else weight.to_numpy()})
    tp = _c2(df.groupby(["p", "t"])["w"].sum().to_numpy())
    pp = _c2(df.groupby("p")["w"].sum().to_numpy())
    tt = _c2(df.groupby("t")["w"].sum().to_numpy())
    return (tp / pp if pp else 1.0), (tp / tt if tt else 1.0)


def cluster_pr(pred: pd.Series, true: pd.Series) -> tuple[float, float]:
    """Share of predicted clusters equal to a true cluster, and of true clusters recovered."""
    a = pd.DataFrame({"p": pred.to_numpy(), "t": true.to_numpy()})
    ps = a.groupby("p")["t"].agg(lambda s: tuple(sorted(s.index)))
    ts = a.groupby("t")["p"].agg(lambda s: tuple(sorted(s.index)))
    exact = len(set(ps.to_numpy()) & set(ts.to_numpy()))
    return exact / len(ps), exact / len(ts)


def _remap(tables: dict[str, pd.DataFrame], mapping: dict[str, str]) -> object:
    """The case with every resolved person id replaced by the true one (split people merged)."""
    from umbrella_graph.schema import TABLES
    from umbrella_graph.validate import case_from_frames

    out = {}
    for name, df in tables.items():
        if name not in TABLES:
            continue
        df = df.copy()
        for c in df.columns:
            if df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype):
                df[c] = df[c].map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)
        if name == "people":
            df = df.drop_duplicates("id")
        out[name] = df
    return case_from_frames(**out)


def run_seed(seed: int, people: int, gangs: int, difficulty: str) -> dict:
    city = generate_city(people=people, gangs=gangs, seed=seed, difficulty=difficulty)
    with tempfile.TemporaryDirectory() as d:
        ms = write_messy_sources(city, Path(d) / "sources", seed=seed)
        t0 = time.perf_counter()
        res = ingest(ms.path)
        t_ingest = time.perf_counter() - t0
        truth = ms.mentions
        m = res.mentions.merge(truth, on=["file", "row", "slot"], how="left", suffixes=("", "_true"))
        unknown = int(m["person_id_true"].isna().sum())
        m = m.dropna(subset=["person_id_true"])
        ident_true = m.groupby("uid")["person_id_true"].agg(lambda s: s.value_counts().index[0])
        impure_ident = int((m.groupby("uid")["person_id_true"].nunique() > 1).sum())
        ident = res.identities.set_index("uid").loc[ident_true.index]
        p_id, r_id = pairwise(ident["person_id"], ident_true)
        p_m, r_m = pairwise(m["person_id"], m["person_id_true"])
        cp, cr = cluster_pr(ident["person_id"], ident_true)
        # namesakes: true people sharing a name; merged automatically?
        pe = city.case["people"]
        name_of = dict(zip(pe["id"].astype(str), pe["name"].astype(str), strict=True))
        groups = pe.groupby("name")["id"].nunique()
        namesake_people = int(groups[groups > 1].sum())
        per_cluster = pd.DataFrame({"p": ident["person_id"], "t": ident_true})
        mixed = per_cluster.groupby("p")["t"].agg(lambda s: sorted(set(s)))
        namesakes_merged = int(sum(1 for ts in mixed if len(ts) > 1 and len({name_of[t] for t in ts}) == 1))
        wrong_merges = int(sum(1 for ts in mixed if len(ts) > 1))
        # scorer on the clean and on the resolved case
        s_clean = score_umbrellas(ug.build_graph(city.case), seed=seed)
        case = res.case()
        s_res = score_umbrellas(ug.build_graph(case), seed=seed)
        to_true = per_cluster.groupby("p")["t"].agg(lambda s: s.value_counts().index[0])
        s_res = s_res.assign(official_id=s_res["official_id"].map(to_true))
        s_res = s_res.dropna(subset=["official_id"]).sort_values("score", ascending=False)
        s_res = s_res.drop_duplicates(["official_id", "gang_id"])
        e_clean, e_res = evaluate(s_clean, city.truth), evaluate(s_res, city.truth)
        # the same exports resolved perfectly (every resolved person mapped to the true one):
        # what the exports themselves lose, apart from resolution errors
        oracle = _remap(res.tables, to_true.to_dict())
        e_oracle = evaluate(score_umbrellas(ug.build_graph(oracle), seed=seed), city.truth)
        acc = res.rows[["rows", "ingested", "duplicate", "rejected"]].sum()
    return {
        "seed": seed, "people": people, "source_rows": int(acc["rows"]), "ingested": int(acc["ingested"]),
        "duplicate": int(acc["duplicate"]), "rejected": int(acc["rejected"]),
        "accounted": bool(acc["rows"] == acc["ingested"] + acc["duplicate"] + acc["rejected"]),
        "identities": len(ident), "resolved_people": int(ident["person_id"].nunique()),
        "true_people": int(ident_true.nunique()), "mentions_without_truth": unknown, "impure_identities": impure_ident,
        "pairwise_precision": p_id, "pairwise_recall": r_id, "mention_precision": p_m, "mention_recall": r_m,
        "cluster_precision": cp, "cluster_recall": cr, "namesake_people": namesake_people,
        "namesakes_merged": namesakes_merged, "wrong_merges": wrong_merges, "review_pairs": len(res.review),
        "ap_clean": e_clean["average_precision"], "ap_perfect_er": e_oracle["average_precision"],
        "ap_resolved": e_res["average_precision"],
        "auc_clean": e_clean["roc_auc"], "auc_resolved": e_res["roc_auc"], "t_ingest": t_ingest,
    }


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {src!r})
from umbrella_graph.ingest import ingest
t = time.perf_counter()
res = ingest({path!r})
wall = time.perf_counter() - t
acc = res.rows[["rows", "ingested", "duplicate", "rejected"]].sum()
print(json.dumps({{"wall": wall, "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  "rows": int(acc["rows"]), "ingested": int(acc["ingested"]), "duplicate": int(acc["duplicate"]),
                  "rejected": int(acc["rejected"]), "identities": len(res.identities),
                  "people": len(res.tables["people"])}}))
"""


def run_scale(people: int, gangs: int, seed: int) -> dict:
    city = generate_city(people=people, gangs=gangs, seed=seed)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        ms = write_messy_sources(city, Path(d) / "sources", seed=seed)
        t_write = time.perf_counter() - t0
        code = _CHILD.format(src=str(ROOT / "src"), path=str(ms.path))
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    r.update(people_in_city=people, t_write=t_write)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1 (the seeds the rules were tuned on)")
    ap.add_argument("--extra-seeds", default="17,23",
                    help="comma-separated seeds held out from tuning, reported per seed and apart ('' for none)")
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--gangs", type=int, default=3)
    ap.add_argument("--difficulty", default="medium")
    ap.add_argument("--scale-people", type=int, default=21000,
                    help="people in the throughput city (21,000 give about a million source rows; 0 skips it)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "er.md")
    args = ap.parse_args()
    extra = [int(x) for x in args.extra_seeds.split(",") if x.strip()]
    load0 = os.getloadavg()[0]
    rows = [run_seed(s, args.people, args.gangs, args.difficulty) | {"held_out": False} for s in range(args.seeds)]
    rows += [run_seed(s, args.people, args.gangs, args.difficulty) | {"held_out": True} for s in extra
             if s >= args.seeds]
    df = pd.DataFrame(rows)
    df["ap_gap"] = (df["ap_clean"] - df["ap_resolved"]).abs()
    cols = ["seed", "held_out", "source_rows", "accounted", "identities", "true_people", "resolved_people",
            "pairwise_precision", "pairwise_recall", "mention_precision", "mention_recall", "cluster_precision",
            "cluster_recall", "namesake_people", "namesakes_merged", "wrong_merges", "review_pairs",
            "ap_clean", "ap_perfect_er", "ap_resolved", "ap_gap", "auc_clean", "auc_resolved", "t_ingest"]
    lines = ["## Entity resolution of messy exports (`bench/er.py` → `results/er.md`)", "",
             f"Command: `.venv/bin/python bench/er.py {' '.join(sys.argv[1:])}`  ",
             f"Date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
             f"{os.cpu_count()} cores; git {_git()}. The machine is shared with other sessions: 1-minute load "
             f"average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} after the seeds (times are pessimistic).",
             "",
             f"Cities: `generate_city(people={args.people}, gangs={args.gangs}, difficulty={args.difficulty!r}, "
             "seed=s)` written by `write_messy_sources(city, seed=s)`; default thresholds (upper 0.99, lower 0.5).",
             "", _md(df[cols]), ""]
    for label, part in (("Tuning seeds", df[~df["held_out"]]), ("Held-out seeds", df[df["held_out"]]),
                        ("All seeds", df)):
        if part.empty:
            continue
        mean = part[["pairwise_precision", "pairwise_recall", "cluster_precision", "cluster_recall", "ap_clean",
                     "ap_perfect_er", "ap_resolved"]].mean()
        lines += [f"{label} ({', '.join(str(x) for x in part['seed'])}): mean pairwise precision "
                  f"{mean['pairwise_precision']:.4f} (target >= 0.99), recall {mean['pairwise_recall']:.4f} "
                  f"(target >= 0.95); namesakes merged automatically: {int(part['namesakes_merged'].sum())}; "
                  f"wrong merges: {int(part['wrong_merges'].sum())}; AP clean {mean['ap_clean']:.4f} vs resolved "
                  f"{mean['ap_resolved']:.4f} (|difference| of the means "
                  f"{abs(mean['ap_clean'] - mean['ap_resolved']):.4f}, target <= 0.02; largest per seed "
                  f"{part['ap_gap'].max():.4f}); the same exports resolved perfectly: AP "
                  f"{mean['ap_perfect_er']:.4f} (ap_perfect_er: what the exports lose, resolution errors apart).", ""]
    if args.scale_people:
        load1 = os.getloadavg()[0]
        r = run_scale(args.scale_people, max(2, args.scale_people // 5000), 0)
        lines += ["### Throughput", "",
                  f"`generate_city(people={args.scale_people})` as messy exports: {r['rows']:,} source rows "
                  f"(written in {r['t_write']:.0f} s). `ingest` in a fresh process: **{r['wall']:.0f} s**, peak RSS "
                  f"**{r['rss_gb']:.2f} GB** (targets: 1M rows in <= 300 s and <= 8 GB). Rows: {r['ingested']:,} "
                  f"ingested, {r['duplicate']:,} merged as duplicates, {r['rejected']:,} rejected; "
                  f"{r['identities']:,} identities resolved to {r['people']:,} people. 1-minute load average "
                  f"{load1:.1f} before the run, {os.getloadavg()[0]:.1f} after it (2 cores).", ""]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines), encoding="utf-8")
    sys.stdout.write("\n".join(lines) + "\n")


def _md(df: pd.DataFrame) -> str:
    def cell(v: object) -> str:
        if isinstance(v, float | np.floating):
            return f"{v:.4f}"
        return str(v)

    head = "| " + " | ".join(df.columns) + " |"
    sep = "|" + "---|" * len(df.columns)
    body = ["| " + " | ".join(cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])


def _git() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


if __name__ == "__main__":
    main()
