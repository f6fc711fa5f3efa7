"""UmbrellaClassifier: scikit-learn conformance, fitting on labels, calibrated scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.base import clone
from sklearn.metrics import average_precision_score
from sklearn.utils.estimator_checks import parametrize_with_checks

import umbrella_graph as ug
from umbrella_graph.cli import main
from umbrella_graph.errors import NotFittedError, ParameterError
from umbrella_graph.scoring import (
    SIGNALS,
    UmbrellaClassifier,
    design_matrix,
    pair_features,
    score_umbrellas,
)
from umbrella_graph.synth import SynthCity, generate_city

#: Checks that do not apply, with the reason (scikit-learn's ``expected_failed_checks``).
EXPECTED_FAILED = {
    "check_class_weight_classifiers": (
        "probabilities are calibrated (CalibratedClassifierCV) on held-out folds without class "
        "weights, so an extreme class_weight changes the ranking but not the calibrated decision; "
        "with calibration='none' the check passes (test_class_weight_without_calibration)"),
}


@parametrize_with_checks([UmbrellaClassifier()], expected_failed_checks=lambda est: EXPECTED_FAILED)
def test_sklearn_estimator_checks(estimator, check) -> None:  # type: ignore[no-untyped-def]
    check(estimator)


def test_class_weight_without_calibration() -> None:
    from sklearn.utils.estimator_checks import check_class_weight_classifiers

    check_class_weight_classifiers("UmbrellaClassifier", UmbrellaClassifier(calibration="none"))


@pytest.fixture(scope="module")
def city() -> SynthCity:
    return generate_city(people=2000, gangs=3, seed=4, difficulty="medium", label_share=0.3)


@pytest.fixture(scope="module")
def graph(city: SynthCity) -> ug.CaseGraph:
    return ug.build_graph(city.case)


def test_fit_on_labels_and_score_held_out_pairs(city: SynthCity, graph: ug.CaseGraph) -> None:
    clf = UmbrellaClassifier().fit_graph(graph)  # the case's labels.csv: 30% of the pairs
    assert clf.uses_pair_features_ and clf.n_features_in_ == len(SIGNALS) + 1
    assert list(clf.classes_) == [0, 1]
    s = score_umbrellas(graph, model=clf, all_pairs=True)
    held = city.truth.merge(city.labels[["official_id", "gang_id"]], how="left", indicator=True)
    held = held[held["_merge"] == "left_only"][["official_id", "gang_id", "label"]]
    m = s.merge(held, on=["official_id", "gang_id"])
    assert len(m) == len(held) and m["label"].sum() > 0
    assert average_precision_score(m["label"], m["score"]) >= 0.9
    X = pair_features(graph, all_pairs=True)
    p = clf.predict_proba(X)
    assert p.shape == (len(X), 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    full = X.assign(score=p[:, 1]).merge(s, on=["official_id", "gang_id"], suffixes=("", "_s"))
    np.testing.assert_allclose(full["score"], full["score_s"], atol=1e-9)
    assert set(clf.predict(X)) <= {0, 1}


def test_model_contributions(graph: ug.CaseGraph) -> None:
    clf = UmbrellaClassifier().fit_graph(graph)
    s = score_umbrellas(graph, model=clf, all_pairs=True)
    top = s.iloc[0]
    contrib = {sig.name: top[f"contrib_{sig.name}"] for sig in SIGNALS}
    assert max(contrib.values()) > 0.05  # removing its strongest evidence lowers the probability
    assert top["top_signals"].split("; ")[0] == max(contrib, key=lambda k: contrib[k])
    assert contrib["brokerage"] == pytest.approx(0.0, abs=0.05)


def test_fit_is_deterministic(graph: ug.CaseGraph) -> None:
    X = pair_features(graph, all_pairs=True)
    a = UmbrellaClassifier(random_state=3).fit_graph(graph).predict_proba(X)
    b = UmbrellaClassifier(random_state=3).fit_graph(graph).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_gbm_and_isotonic_variants(city: SynthCity, graph: ug.CaseGraph) -> None:
    """Each variant fits the model it names and still ranks the held-out umbrellas first."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    X = pair_features(graph, all_pairs=True)
    held = city.truth.merge(city.labels[["official_id", "gang_id"]], how="left", indicator=True)
    held = held[held["_merge"] == "left_only"][["official_id", "gang_id", "label"]]
    probs = {}
    for params, base, method in (({"estimator": "gbm"}, HistGradientBoostingClassifier, "sigmoid"),
                                 ({"calibration": "isotonic"}, None, "isotonic"),
                                 ({"calibration": "none"}, None, None)):
        # the GBM learns nothing from the case's 3 positive labels (test_gbm_with_few_positives),
        # so it is fitted on the full truth (10 positives) and judged on the same pairs
        clf = UmbrellaClassifier(**params).fit_graph(graph, city.truth if base else None)
        if method is None:
            assert not isinstance(clf.model_, CalibratedClassifierCV), params
        else:
            assert isinstance(clf.model_, CalibratedClassifierCV) and clf.model_.method == method, params
        if base is not None:
            assert all(isinstance(c.estimator, base) for c in clf.model_.calibrated_classifiers_), params
        p = clf.predict_proba(X)[:, 1]
        assert ((p >= 0) & (p <= 1)).all(), params
        judged = city.truth if base else held
        m = X[["official_id", "gang_id"]].assign(p=p).merge(judged, on=["official_id", "gang_id"])
        assert len(m) == len(judged) and m["label"].sum() > 0
        assert average_precision_score(m["label"], m["p"]) >= 0.8, params
        probs[str(params)] = p
    # isotonic calibration is a step function of the score: far fewer distinct values
    iso, raw = probs[str({"calibration": "isotonic"})], probs[str({"calibration": "none"})]
    assert np.unique(iso).size < np.unique(raw).size / 2


def test_gbm_with_few_positives_ranks_or_refuses(graph: ug.CaseGraph) -> None:
    # with the case's own labels (3 positive pairs) gradient boosting makes no split; instead of
    # giving every pair the same probability silently, fit refuses and says what to do
    X = pair_features(graph, all_pairs=True)
    clf = UmbrellaClassifier(estimator="gbm")
    with pytest.raises(ParameterError, match=r"estimator='gbm'\) learned nothing.*3 pair\(s\) of class 1"
                       r".*estimator='logistic'"):
        clf.fit_graph(graph)
    assert not hasattr(clf, "model_")
    with pytest.raises(NotFittedError):
        clf.predict_proba(X)
    # the same labels fit the default (anchored logistic) model, which does rank
    p = UmbrellaClassifier().fit_graph(graph).predict_proba(X)[:, 1]
    assert np.unique(p).size > 1


def test_cross_validated_report(graph: ug.CaseGraph) -> None:
    clf = UmbrellaClassifier()
    rep = clf.cross_validate_pairs(graph, cv=3)
    assert rep is clf.cv_report_
    assert set(rep) == {"roc_auc", "average_precision", "folds", "n_pairs", "n_positive"}
    assert rep["folds"] == 3 and rep["n_positive"] > 0
    assert rep["roc_auc"] > 0.8 and rep["average_precision"] > 0.6


def test_labels_without_gang_cover_every_gang(graph: ug.CaseGraph) -> None:
    off = graph.officials[:4]
    labels = pd.DataFrame({"official_id": off, "gang_id": [None] * 4, "label": [0, 0, 0, 0]})
    pos = graph.case["labels"]
    pos = pos[pos["label"] == 1]
    clf = UmbrellaClassifier().fit_graph(graph, pd.concat([labels, pos[["official_id", "gang_id", "label"]]]))
    assert clf.n_features_in_ == len(SIGNALS) + 1
    # a row without a gang is the same as one row per gang of the case
    gangs = sorted(pair_features(graph)["gang_id"].unique())
    assert len(gangs) > 1
    spelled = pd.DataFrame({"official_id": [o for o in off for _ in gangs], "gang_id": gangs * len(off),
                            "label": 0})
    clf2 = UmbrellaClassifier().fit_graph(graph, pd.concat([spelled, pos[["official_id", "gang_id", "label"]]]))
    X = pair_features(graph, all_pairs=True)
    np.testing.assert_allclose(clf.predict_proba(X), clf2.predict_proba(X), rtol=0, atol=1e-12)
    # and it differs from labelling the officials for one gang only
    one = labels.assign(gang_id=gangs[0])
    clf3 = UmbrellaClassifier().fit_graph(graph, pd.concat([one, pos[["official_id", "gang_id", "label"]]]))
    assert not np.allclose(clf.predict_proba(X), clf3.predict_proba(X))


def test_parameters_are_validated_in_fit(graph: ug.CaseGraph) -> None:
    X = pair_features(graph, all_pairs=True)
    y = np.zeros(len(X), dtype=int)
    y[:5] = 1
    for params, name in (({"estimator": "svm"}, "estimator"), ({"C": -1}, "C"), ({"calibration": "platt"},
                         "calibration"), ({"cv": 1}, "cv"), ({"class_weight": "auto"}, "class_weight"),
                         ({"random_state": "x"}, "random_state"), ({"prior_weight": 0}, "prior_weight"),
                         ({"min_positives": -1}, "min_positives"), ({"other_gangs_penalty": np.nan},
                                                                      "other_gangs_penalty")):
        clf = UmbrellaClassifier(**params)  # construction never fails (scikit-learn manners)
        with pytest.raises(ParameterError, match=f"'{name}' parameter of UmbrellaClassifier"):
            clf.fit(X, y)


def test_not_fitted_and_bad_labels(graph: ug.CaseGraph) -> None:
    X = pair_features(graph, all_pairs=True)
    with pytest.raises(NotFittedError):
        UmbrellaClassifier().predict_proba(X)
    bad = pd.DataFrame({"official_id": ["nobody"], "gang_id": ["G01"], "label": [1]})
    with pytest.raises(ParameterError, match="match no pair"):
        UmbrellaClassifier().fit_graph(graph, bad)
    clf = UmbrellaClassifier().fit_graph(graph)
    with pytest.raises(ParameterError, match="pair_features frame"):
        clf.predict_proba(X.to_numpy()[:, 2:].astype(float))
    unfitted_clone = clone(clf)
    with pytest.raises(NotFittedError):
        unfitted_clone.contributions(X)


def test_cli_score_with_labels(tmp_path, sample_dir, sample_graph) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "scores.csv"
    r = CliRunner().invoke(main, ["score", str(sample_dir), "-o", str(out), "--model", "labels"])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"official_id": str, "gang_id": str})
    g = sample_graph
    ref = score_umbrellas(g, model=UmbrellaClassifier().fit_graph(g))
    assert list(df.columns) == list(ref.columns)
    np.testing.assert_allclose(df["score"], ref["score"], atol=1e-9)
    r = CliRunner().invoke(main, ["score", str(sample_dir), "--gang", "G02", "--top", "3"])
    assert r.exit_code == 0 and "G02" in r.output and "G01" not in r.output
    r = CliRunner().invoke(main, ["score", str(sample_dir), "--official", "nobody秘密"])
    assert r.exit_code == 1 and "秘密" not in r.output


def test_score_umbrellas_rejects_unfitted_or_foreign_models(graph: ug.CaseGraph) -> None:
    with pytest.raises(NotFittedError):
        score_umbrellas(graph, model=UmbrellaClassifier())
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.r_[np.zeros(20, dtype=int), np.ones(20, dtype=int)]
    with pytest.raises(ParameterError, match="fitted on pair_features"):
        score_umbrellas(graph, model=UmbrellaClassifier().fit(X, y))


@pytest.fixture(scope="module")
def hard_city() -> tuple[SynthCity, ug.CaseGraph]:
    city = generate_city(people=2000, gangs=4, seed=1, difficulty="hard", label_share=0.3)
    return city, ug.build_graph(city.case)


def _held_out_ap(city: SynthCity, scores: pd.DataFrame) -> float:
    held = city.truth.merge(city.labels[["official_id", "gang_id"]], how="left", indicator=True)
    held = held[held["_merge"] == "left_only"][["official_id", "gang_id", "label"]]
    m = scores.merge(held, on=["official_id", "gang_id"])
    assert len(m) == len(held) and m["label"].sum() > 0
    return float(average_precision_score(m["label"], m["score"]))


def test_classifier_does_not_lose_to_the_unsupervised_score_on_a_hard_city(
        hard_city: tuple[SynthCity, ug.CaseGraph]) -> None:
    # 30% labels of a hard city: 4 umbrellas among ~75 labelled pairs. A weakly anchored
    # model (prior_weight=10, the old C=0.1) re-weighs the signals on that noise and loses
    # 0.03 AP on the other 70% of the pairs; anchored as by default, it must not lose.
    city, g = hard_city
    unsup = _held_out_ap(city, score_umbrellas(g, seed=1, all_pairs=True))
    sup = _held_out_ap(city, score_umbrellas(g, model=UmbrellaClassifier(random_state=1).fit_graph(g, seed=1), seed=1, all_pairs=True))
    assert sup >= unsup - 1e-9


def test_confirmed_umbrellas_lose_their_other_gangs(hard_city: tuple[SynthCity, ug.CaseGraph]) -> None:
    # an umbrella protects one gang: once a label confirms him for one, his pairs with the other
    # gangs lose other_gangs_penalty log-odds; every other pair keeps the unsupervised ranking
    city, g = hard_city
    X = pair_features(g, seed=1, all_pairs=True)
    clf = UmbrellaClassifier(random_state=1, other_gangs_penalty=3.0).fit_graph(g, seed=1)
    flat = UmbrellaClassifier(random_state=1).fit_graph(g, seed=1)  # off by default
    pos = city.labels[city.labels["label"] == 1]
    assert set(zip(clf.confirmed_["official_id"], clf.confirmed_["gang_id"], strict=True)) == set(
        zip(pos["official_id"], pos["gang_id"], strict=True))
    other = (X["official_id"].isin(pos["official_id"]) & ~X.set_index(["official_id", "gang_id"]).index.isin(
        pd.MultiIndex.from_frame(pos[["official_id", "gang_id"]]))).to_numpy()
    assert other.sum() >= len(pos)
    p, q = clf.predict_proba(X)[:, 1], flat.predict_proba(X)[:, 1]
    lo = lambda v: np.log(v / (1 - v))  # noqa: E731
    np.testing.assert_allclose(lo(q[other]) - lo(p[other]), 3.0, atol=1e-6)
    np.testing.assert_array_equal(p[~other], q[~other])
    # with fewer labelled umbrellas than min_positives, the signals are not re-weighed: the
    # ranking of the unconfirmed officials' pairs is the unsupervised score's
    prior = design_matrix(X)["prior"].to_numpy()
    rest = ~X["official_id"].isin(pos["official_id"]).to_numpy()
    assert len(pos) < clf.min_positives
    assert (np.diff(p[rest][np.argsort(prior[rest], kind="stable")]) >= -1e-12).all()
    with pytest.raises(ParameterError, match="'other_gangs_penalty' parameter"):
        UmbrellaClassifier(other_gangs_penalty=-1).fit(X, np.r_[np.ones(3, dtype=int), np.zeros(len(X) - 3, dtype=int)])


@pytest.mark.xfail(strict=True, reason=(
    "issue 11 acceptance not met: with ~5 labelled umbrellas re-weighing the signals loses on average, so "
    "below min_positives=12 the classifier keeps the unsupervised ranking; other_gangs_penalty=3 "
    "(off by default) gives: bench/accuracy.py held-out pairs, hard / hard combined, 4,000 people: "
    "+0.001 / +0.002 (tuning split), +0.001 / +0.003 (held-out split); 20,000 people: +0.002 / -0.001 "
    "(docs/signals.md, 'What the labels teach'); a model trained on the full truth of the other cities "
    "gains only +0.03 / +0.06"))
def test_classifier_beats_the_unsupervised_score_by_005_on_a_hard_city(
        hard_city: tuple[SynthCity, ug.CaseGraph]) -> None:
    city, g = hard_city
    unsup = _held_out_ap(city, score_umbrellas(g, seed=1, all_pairs=True))
    sup = _held_out_ap(city, score_umbrellas(g, model=UmbrellaClassifier(random_state=1).fit_graph(g, seed=1), seed=1, all_pairs=True))
    assert sup >= unsup + 0.05
