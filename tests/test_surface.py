"""The public surface: one seed rule, ``scores=`` keyword everywhere, ``connect`` exported."""

from __future__ import annotations

import inspect
import re
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import umbrella_graph as ug
from umbrella_graph.errors import ParameterError, check_seed
from umbrella_graph.reporting import render_report

SRC = Path(__file__).resolve().parents[1] / "src" / "umbrella_graph"


def test_connect_is_exported() -> None:
    from umbrella_graph.backends import connect

    assert "connect" in ug.__all__
    assert ug.connect is connect


@pytest.mark.parametrize("func", [ug.view_gang, ug.view_case, ug.report, render_report, ug.accountability,
                                  ug.triage_leads, ug.plan_disruption])
def test_scores_is_keyword_only_everywhere(func) -> None:  # type: ignore[no-untyped-def]
    param = inspect.signature(func).parameters["scores"]
    assert param.kind is inspect.Parameter.KEYWORD_ONLY, func.__name__
    assert param.default is None


def test_positional_scores_still_work_with_a_future_warning(tmp_path: Path, sample_graph: ug.CaseGraph) -> None:
    scores = ug.score_umbrellas(sample_graph)
    new = ug.view_gang(sample_graph, "G01", scores=scores, max_nodes=40)
    with pytest.warns(FutureWarning, match="'scores' positionally to view_gang"):
        old = ug.view_gang(sample_graph, "G01", scores, max_nodes=40)
    assert old.html == new.html
    with pytest.warns(FutureWarning, match="view_case"):
        old = ug.view_case(sample_graph, scores, max_nodes=40)
    assert old.html == ug.view_case(sample_graph, scores=scores, max_nodes=40).html
    opts = {"details": 0, "investigations": False, "top": 5, "date": "2024-05-01"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new forms do not warn
        a = ug.report(sample_graph, tmp_path / "new.html", scores=scores, **opts)
        b = ug.report(sample_graph, path=tmp_path / "kw.html", scores=scores, **opts)
    with pytest.warns(FutureWarning, match="'scores' and 'path' positionally to report"):
        c = ug.report(sample_graph, scores, tmp_path / "old.html", **opts)
    with pytest.warns(FutureWarning, match="'scores' positionally to report"):
        d = ug.report(sample_graph, None, path=tmp_path / "none.html", **opts)
    assert c == tmp_path / "old.html" and d == tmp_path / "none.html"
    texts = {p.read_text(encoding="utf-8") for p in (a, b, c)}
    assert len(texts) == 1
    with pytest.raises(TypeError, match="multiple values for argument 'scores'"):
        ug.view_case(sample_graph, scores, scores=scores)


def test_check_seed_is_the_one_rule() -> None:
    assert check_seed(0, "f") == 0
    assert check_seed(np.int64(7), "f") == 7 and type(check_seed(np.int64(7), "f")) is int
    assert check_seed(None, "f", allow_none=True) is None
    for bad in (-1, 1.5, True, "3", None, np.float64(2.0)):
        with pytest.raises(ParameterError, match=r"'seed' parameter of f must be a non-negative integer"):
            check_seed(bad, "f")


def _seed_callers(graph: ug.CaseGraph) -> dict[str, object]:
    A = sp.csr_matrix(np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float))
    G = nx.path_graph(4)
    return {
        "communities": lambda s: ug.communities(A, seed=s),
        "betweenness": lambda s: ug.betweenness(A, k=2, seed=s),
        "disruption_curve": lambda s: ug.disruption_curve(G, seed=s),
        "baseline_scores": lambda s: ug.baseline_scores(graph, "direct_contacts", seed=s),
        "generate_city": lambda s: ug.generate_city(people=300, gangs=1, seed=s),
        "score_umbrellas": lambda s: ug.score_umbrellas(graph, seed=s),
        "pair_features": lambda s: ug.pair_features(graph, seed=s),
    }


@pytest.mark.parametrize("bad", [-1, 2.5, True])
def test_every_seed_taking_function_uses_the_rule(bad: object, sample_graph: ug.CaseGraph) -> None:
    for name, call in _seed_callers(sample_graph).items():
        with pytest.raises(ParameterError, match=rf"'seed' parameter of {name} must be a non-negative integer"):
            call(bad)  # type: ignore[operator]


def test_no_module_validates_seeds_by_hand() -> None:
    """Seeds are checked by errors.check_seed only (grep the source for hand-made checks)."""
    hand = re.compile(r"ParameterError\.invalid\(\s*\"seed\"")
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p.name != "errors.py" and hand.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_numpy_integer_seed_accepted(sample_graph: ug.CaseGraph) -> None:
    a = ug.score_umbrellas(sample_graph, seed=np.int64(3))
    b = ug.score_umbrellas(sample_graph, seed=3)
    pd.testing.assert_frame_equal(a, b)
