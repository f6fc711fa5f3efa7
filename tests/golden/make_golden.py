"""Write the golden outputs that ``tests/test_golden.py`` compares against.

The golden files pin the outputs of the scorer and of the investigations on the bundled
sample and on a 20,000-person synthetic city, as computed by the code at the commit that
wrote them (recorded in ``tests/golden/README.md``). Refactors that must not change results
(issues 15 and 17: candidate generation, facts computed once, module splits) are checked
against them. Regenerate only when a change of results is intended and reviewed::

    PYTHONPATH=src python tests/golden/make_golden.py tests/golden
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from pathlib import Path

import pandas as pd

import umbrella_graph as ug
from umbrella_graph.synth import generate_city

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent.parent / "data" / "samples" / "qinghe"
CITY = {"people": 20_000, "gangs": 8, "seed": 7}


def graphs() -> dict[str, ug.CaseGraph]:
    """The two cases: the bundled sample and the 20k city."""
    city = generate_city(**CITY)
    return {"sample": ug.build_graph(ug.load_case(SAMPLE)), "city20k": ug.build_graph(city.case)}


def outputs(graph: ug.CaseGraph) -> dict[str, pd.DataFrame]:
    """Every output compared: scores, tip-offs, accountability, leads, a disruption plan."""
    # every pair, as before candidate generation (issue 15); tests/test_candidates.py
    # checks that the default (candidate pairs only) gives the same rows for candidates
    scores = ug.score_umbrellas(graph, seed=0, all_pairs=True)
    out = {"scores": scores,
           "tipoffs": ug.find_tipoffs(graph),
           "accountability": ug.accountability(graph, scores=scores, explain=False),
           "leads": ug.triage_leads(graph, scores=scores)}
    gang = sorted(graph.nodes.loc[graph.nodes["kind"] == "gang", "id"].astype(str))[0]
    plan = ug.plan_disruption(graph, gang, scores=scores, seed=0)
    out["plan_curve"] = plan.curve
    out["plan_removed"] = plan.removed
    return out


def report_digest(graph: ug.CaseGraph, scores: pd.DataFrame) -> str:
    """sha256 of the HTML report (deterministic for a given case and scores)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.html"
        ug.report(graph, path, scores=scores, date="2026-12-04")  # pinned: the default is today
        return hashlib.sha256(path.read_bytes()).hexdigest()


def normal(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame as written: stringified objects, index reset."""
    f = frame.reset_index(drop=True).copy()
    for c in f.columns:
        if f[c].dtype == object or str(f[c].dtype).startswith(("string", "category")):
            f[c] = f[c].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
        elif str(f[c].dtype).startswith("datetime"):
            f[c] = f[c].astype(str)
    return f


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    digests = []
    for name, graph in graphs().items():
        outs = outputs(graph)
        for what, frame in outs.items():
            normal(frame).to_csv(out / f"{name}_{what}.csv.gz", index=False, float_format="%.17g")
        digests.append(f"{name} {report_digest(graph, outs['scores'])}")
    (out / "report_sha256.txt").write_text("\n".join(digests) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
