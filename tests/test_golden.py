"""Outputs identical before and after refactors (issues 15 and 17).

The golden files in ``tests/golden`` were written by ``tests/golden/make_golden.py`` from
the code before the scoring was restructured; scores, tip-offs, accountability, lead
triage, a disruption plan and the HTML report of the sample and of a 20,000-person city
must stay equal (floats to a relative 1e-9, everything else exactly).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("make_golden", GOLDEN / "make_golden.py")
assert _spec is not None and _spec.loader is not None
make_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_golden)

WHAT = ["scores", "tipoffs", "accountability", "leads", "plan_curve", "plan_removed"]


@pytest.fixture(scope="module")
def computed() -> dict[str, tuple[object, dict[str, pd.DataFrame]]]:
    return {name: (graph, make_golden.outputs(graph)) for name, graph in make_golden.graphs().items()}


def _compare(name: str, got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns), name
    assert len(got) == len(want), name
    for c in want.columns:
        w, g = want[c], got[c]
        if pd.api.types.is_float_dtype(w) or pd.api.types.is_float_dtype(g):
            np.testing.assert_allclose(pd.to_numeric(g).to_numpy(dtype=float), w.to_numpy(dtype=float),
                                       rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=f"{name}.{c}")
        else:
            assert g.astype(str).tolist() == w.astype(str).tolist(), f"{name}.{c}"


@pytest.mark.parametrize("case", ["sample", "city20k"])
@pytest.mark.parametrize("what", WHAT)
def test_outputs_equal_golden(computed, case: str, what: str, tmp_path: Path) -> None:
    _, outs = computed[case]
    path = tmp_path / "got.csv"
    make_golden.normal(outs[what]).to_csv(path, index=False, float_format="%.17g")
    got = pd.read_csv(path, keep_default_na=False, na_values=[""])
    want = pd.read_csv(GOLDEN / f"{case}_{what}.csv.gz", keep_default_na=False, na_values=[""])
    _compare(f"{case}_{what}", got, want)


@pytest.mark.parametrize("case", ["sample", "city20k"])
def test_report_equal_golden(computed, case: str) -> None:
    graph, outs = computed[case]
    want = dict(line.split() for line in (GOLDEN / "report_sha256.txt").read_text().splitlines())
    assert make_golden.report_digest(graph, outs["scores"]) == want[case]
