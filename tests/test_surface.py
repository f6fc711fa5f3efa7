"""The public surface: the case-level workflow at the top, tools in their modules, options
keyword-only, one seed rule, ``scores=`` keyword everywhere, ``connect`` exported, and a
deprecation shim for one release wherever a public name or call form changed."""

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
from umbrella_graph import algorithms, baselines, metrics, synth
from umbrella_graph.algorithms import (
    betweenness,
    communities,
    personalized_pagerank,
    personalized_pagerank_many,
)
from umbrella_graph.baselines import baseline_scores
from umbrella_graph.errors import ParameterError, check_seed
from umbrella_graph.reporting import render_report
from umbrella_graph.synth import generate_city

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
    opts = {"details": 0, "investigations": False, "top": 5, "max_nodes": 40, "date": "2024-05-01"}
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
        "communities": lambda s: communities(A, seed=s),
        "betweenness": lambda s: betweenness(A, k=2, seed=s),
        "disruption_curve": lambda s: ug.disruption_curve(G, seed=s),
        "baseline_scores": lambda s: baseline_scores(graph, "direct_contacts", seed=s),
        "generate_city": lambda s: generate_city(people=300, gangs=1, seed=s),
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


# --------------------------------------------------------------------------- what lives where

MOVED = {
    "personalized_pagerank": algorithms, "personalized_pagerank_many": algorithms, "communities": algorithms,
    "modularity": algorithms, "betweenness": algorithms, "adamic_adar": algorithms,
    "resource_allocation": algorithms, "evaluate": metrics, "baseline_scores": baselines,
    "generate_city": synth, "SynthCity": synth,
}


def test_the_top_level_is_the_case_workflow() -> None:
    assert not set(MOVED) & set(ug.__all__)
    for name, module in MOVED.items():
        assert name in module.__all__, (name, module.__name__)
    # the workflow: load, build, score, explain, investigate, view, report, export
    for name in ("load_case", "build_graph", "score_umbrellas", "explain", "find_tipoffs", "accountability",
                 "view_gang", "report", "write_gexf", "connect", "to_neo4j"):
        assert name in ug.__all__
    assert sorted(dir(ug)) == sorted(ug.__all__)


@pytest.mark.parametrize("name", sorted(MOVED))
def test_moved_names_still_work_with_a_future_warning(name: str) -> None:
    with pytest.warns(FutureWarning, match=rf"umbrella_graph\.{name} is deprecated .* {MOVED[name].__name__}"):
        value = getattr(ug, name)
    assert value is getattr(MOVED[name], name)


def test_unknown_top_level_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        ug.not_a_name  # noqa: B018


def test_ppr_sources_renamed_from_seeds() -> None:
    A = sp.csr_matrix(np.array([[0, 2, 1], [2, 0, 0], [1, 0, 0]], dtype=float))
    new = personalized_pagerank(A, sources=[0])
    with pytest.warns(FutureWarning, match="'seeds' parameter of personalized_pagerank .* 'sources'"):
        old = personalized_pagerank(A, seeds=[0])
    np.testing.assert_array_equal(new, old)
    many = personalized_pagerank_many(A, source_sets=[[0], [1, 2]])
    with pytest.warns(FutureWarning, match="'seed_sets' parameter of personalized_pagerank_many"):
        np.testing.assert_array_equal(many, personalized_pagerank_many(A, seed_sets=[[0], [1, 2]]))
    with pytest.raises(TypeError, match="both 'seeds'"):
        personalized_pagerank(A, seeds=[0], sources=[0])  # type: ignore[call-arg]
    assert "seed" not in inspect.signature(personalized_pagerank).parameters


def _public_callables() -> list[tuple[str, object]]:
    import importlib

    out = []
    for mod in ("umbrella_graph", "umbrella_graph.algorithms", "umbrella_graph.metrics", "umbrella_graph.baselines",
                "umbrella_graph.synth", "umbrella_graph.scoring", "umbrella_graph.investigate",
                "umbrella_graph.backends", "umbrella_graph.export", "umbrella_graph.io", "umbrella_graph.views"):
        m = importlib.import_module(mod)
        for name in m.__all__:
            obj = getattr(m, name)
            if inspect.isfunction(obj):
                out.append((f"{mod}.{name}", obj))
    out.append(("UmbrellaClassifier.__init__", ug.UmbrellaClassifier.__init__))
    return out


#: Leading parameters with a default that are data, not options (what the call is about).
DATA_WITH_DEFAULT = {
    "umbrella_graph.case_from_frames": {"frames"}, "umbrella_graph.load_graph_tables": {"edges"},
    "umbrella_graph.load_neo4j_import": {"edges"}, "umbrella_graph.load_edges": {"nodes"},
    "umbrella_graph.report": {"path"}, "umbrella_graph.accountability": {"gang_id"},
    "umbrella_graph.connect": {"user", "password"}, "umbrella_graph.synth.generate_city": {"out_dir"},
    "umbrella_graph.investigate.accountability": {"gang_id"}, "umbrella_graph.io.load_graph_tables": {"edges"},
    "umbrella_graph.io.load_neo4j_import": {"edges"}, "umbrella_graph.backends.connect": {"user", "password"},
}


def test_options_are_keyword_only_everywhere() -> None:
    """A parameter with a default is an option and is keyword-only (old positional forms warn)."""
    offenders = []
    for label, fn in _public_callables():
        sig = inspect.signature(fn)  # type: ignore[arg-type]
        allowed = DATA_WITH_DEFAULT.get(label, set())
        for p in sig.parameters.values():
            if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty and p.name not in allowed:
                offenders.append(f"{label}({p.name})")
    assert offenders == []


def test_old_positional_options_warn(sample_graph: ug.CaseGraph) -> None:
    G = nx.path_graph(5)
    with pytest.warns(FutureWarning, match="'strategy' and 'mode' positionally to disruption_curve"):
        old = ug.disruption_curve(G, "degree", "sequential", k=2)
    pd.testing.assert_frame_equal(old, ug.disruption_curve(G, strategy="degree", mode="sequential", k=2))
    with pytest.warns(FutureWarning, match="'estimator' positionally to __init__"):
        clf = ug.UmbrellaClassifier("gbm")
    assert clf.get_params()["estimator"] == "gbm"
    assert ug.UmbrellaClassifier(estimator="gbm").get_params() == clf.get_params()


def test_analyze_network_runs_renamed_from_seeds() -> None:
    g = ug.from_networkx(nx.barbell_graph(4, 1))
    new = ug.analyze_network(g, runs=3, k=2)
    with pytest.warns(FutureWarning, match="'seeds' parameter of analyze_network .* 'runs'"):
        old = ug.analyze_network(g, seeds=3, k=2)
    assert new.summary == old.summary
    assert "seeds" not in inspect.signature(ug.analyze_network).parameters
