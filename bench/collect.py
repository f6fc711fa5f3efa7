"""Assemble bench/results/*.md into docs/benchmarks.md.

Usage: .venv/bin/python bench/collect.py
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["load", "synth", "accuracy", "accuracy_shift", "speed", "communities", "tipoffs", "neo4j", "neo4j_score", "report", "dense", "scale", "walks", "er", "export", "export_compact", "export_20k"]


def main() -> None:
    results = ROOT / "bench" / "results"
    files = sorted(results.glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    parts = [
        "# Benchmarks\n",
        "Assembled from `bench/results/*.md` by `bench/collect.py`; each section names the command",
        "that produced it. Commands are documented in [bench/README.md](../bench/README.md).\n",
    ]
    for f in files:
        parts.append(f.read_text(encoding="utf-8").rstrip() + "\n")
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
