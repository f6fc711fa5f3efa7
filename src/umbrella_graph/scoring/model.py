"""A supervised umbrella classifier over the pair features: :class:`UmbrellaClassifier`.

When some outcomes are known (``labels.csv``: convicted umbrellas and cleared
officials), a classifier can learn how much each signal weighs in this kind of case.
:class:`UmbrellaClassifier` is a scikit-learn estimator (``fit`` / ``predict_proba`` /
``predict``, parameters validated in ``fit``, fitted state in attributes ending in
``_``) with calibrated probabilities (:class:`~sklearn.calibration.CalibratedClassifierCV`
over a logistic regression or gradient boosting, seeded).

Given a :func:`~umbrella_graph.scoring.pair_features` frame, the classifier works on
the *design matrix* of :func:`design_matrix`: the signal values and the log-odds of the
unsupervised score. The default model is a logistic regression *anchored* on that
prior: the prior enters with a scale held near 1 and the signals adjust it with
L2-penalised coefficients whose penalty is ``prior_weight`` (the prior is worth that
many labelled pairs), so the few dozen labels of a real case recalibrate the
unsupervised score without throwing away its ranking, and only thousands of labels
re-weigh the signals. Given any other
numeric matrix it uses the columns as they are, so it is an ordinary scikit-learn
estimator too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import NotFittedError as SkNotFittedError
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from .._compat import legacy_positional
from ..errors import NotFittedError, ParameterError
from ..graph import CaseGraph
from .features import pair_features
from .signal_defs import SIGNAL_NAMES, SIGNALS, combine, signal_values
from .signals import FEATURES

__all__ = ["UmbrellaClassifier", "design_matrix"]

_ESTIMATORS = ("logistic", "gbm")
#: Gradient boosting's smallest leaf (scikit-learn's default): with fewer labelled pairs of
#: a class than this the trees rarely split, and :meth:`UmbrellaClassifier.fit` refuses.
_GBM_LEAF = 20


def _one_thread() -> Any:
    """OpenMP limited to one thread: pair tables are small, and on a shared machine
    gradient boosting's threads spin against each other (30x slower on 2 busy cores)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="openmp")


class ModelNotFittedError(NotFittedError, SkNotFittedError):
    """The library's :class:`~umbrella_graph.errors.NotFittedError` that scikit-learn
    also recognises as its own ``NotFittedError``."""


class _AnchoredLogistic(ClassifierMixin, BaseEstimator):
    """L2 logistic regression, optionally anchored on a prior log-odds column.

    With ``offset_col`` set, that column ``z`` (the prior's log-odds) enters the model
    as ``a * z`` with a scale ``a`` held near 1; the other (standardised) columns get
    L2-penalised coefficients (strength ``1 / C``). With few labels the model stays close to the prior;
    with many it learns how much each input adds. Fitted with L-BFGS from a fixed
    start, so the result is deterministic.
    """

    def __init__(self, C: float = 0.3, offset_col: int | None = None,
                 class_weight: str | dict[Any, float] | None = "balanced", reweigh: bool = True) -> None:
        self.C = C
        self.reweigh = reweigh
        self.offset_col = offset_col
        self.class_weight = class_weight

    def _split(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.offset_col is None:
            return np.zeros(len(X)), X
        z = X[:, self.offset_col]
        rest = np.delete(X, self.offset_col, axis=1)
        return z, rest

    def fit(self, X: Any, y: Any) -> _AnchoredLogistic:
        from scipy.optimize import minimize

        X, y = check_X_y(X, y)
        self.classes_ = np.unique(y)
        t = (y == self.classes_[-1]).astype(float)
        z, R = self._split(np.asarray(X, dtype=float))
        if not self.reweigh:  # only the prior's scale and the intercept are fitted
            R = R * 0.0
        self.mean_ = R.mean(axis=0)
        sd = R.std(axis=0)
        self.scale_ = np.where(sd > 0, sd, 1.0)
        R = (R - self.mean_) / self.scale_
        if self.class_weight == "balanced":
            n1 = max(t.sum(), 1.0)
            n0 = max(len(t) - t.sum(), 1.0)
            sw = np.where(t == 1, len(t) / (2 * n1), len(t) / (2 * n0))
        elif isinstance(self.class_weight, dict):
            sw = np.array([float(self.class_weight.get(c, 1.0)) for c in y])
        else:
            sw = np.ones(len(t))
        lam = 1.0 / float(self.C)
        anchored = self.offset_col is not None
        d = R.shape[1]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            a, b, beta = theta[0], theta[1], theta[2:]
            m = (a * z if anchored else 0.0) + b + R @ beta
            # log(1 + exp(m)) - t * m, stably
            lse = np.logaddexp(0.0, m)
            # the prior's scale is held near 1 (a unit-variance Gaussian prior), the rest near 0
            f = (float(np.sum(sw * (lse - t * m))) + 0.5 * lam * float(beta @ beta)
                 + 0.5 * (a - 1.0) ** 2 + 1e-6 * b * b)
            p = np.exp(m - lse)
            r = sw * (p - t)
            grad = np.concatenate([[float(r @ z) + (a - 1.0) if anchored else 0.0, float(r.sum()) + 2e-6 * b],
                                   R.T @ r + lam * beta])
            return f, grad

        theta0 = np.zeros(d + 2)
        theta0[0] = 1.0 if anchored else 0.0
        res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 500, "gtol": 1e-8})
        self.a_, self.b_, self.coef_ = float(res.x[0]), float(res.x[1]), np.asarray(res.x[2:])
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = check_array(X)
        z, R = self._split(np.asarray(X, dtype=float))
        R = (R - self.mean_) / self.scale_
        return (self.a_ * z if self.offset_col is not None else 0.0) + self.b_ + R @ self.coef_  # type: ignore[no-any-return]

    def predict_proba(self, X: Any) -> np.ndarray:
        m = self.decision_function(X)
        p1 = 1.0 / (1.0 + np.exp(-m))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_[(self.decision_function(X) > 0).astype(int)])
_CALIBRATIONS = ("sigmoid", "isotonic", "none")


def design_matrix(features: pd.DataFrame) -> pd.DataFrame:
    """The model inputs of a :func:`pair_features` frame.

    ``sig_NAME`` (the value in ``[0, 1]``) for every signal, then ``prior``, the
    log-odds of the unsupervised score (clipped to ``[1e-4, 1 - 1e-4]``). The raw
    features themselves are left out: with the few labels real cases have, a model
    over forty raw columns overfits, while thirteen bounded signals anchored on the
    prior stay stable.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> D = design_matrix(ug.pair_features(g))
    >>> D.columns[-1], bool(D.notna().all().all())
    ('prior', True)
    """
    missing = [c for c in FEATURES if c not in features.columns]
    if missing:
        raise ParameterError.invalid("features", "design_matrix", "a pair_features frame",
                                     f"a frame missing {len(missing)} feature column(s)")
    raw = features[list(FEATURES)].astype(float).reset_index(drop=True)
    values = signal_values(raw)
    prior, _ = combine(values)
    out = values.add_prefix("sig_").copy()
    p = np.clip(prior, 1e-4, 1 - 1e-4)
    out["prior"] = np.log(p / (1 - p))
    return out


def _confirmed(X: pd.DataFrame, y: np.ndarray) -> pd.DataFrame:
    """The positive (``y`` of the larger class label) pairs of a pair-features frame."""
    if not {"official_id", "gang_id"} <= set(X.columns):
        return pd.DataFrame({"official_id": pd.Series(dtype=str), "gang_id": pd.Series(dtype=str)})
    pos = np.asarray(y) == np.unique(y)[-1]
    ids = X.loc[pos, ["official_id", "gang_id"]].astype(str)
    return ids.drop_duplicates().reset_index(drop=True)


def _other_gangs(X: pd.DataFrame, confirmed: pd.DataFrame | None) -> np.ndarray:
    """Rows of ``X`` pairing a confirmed umbrella with a gang he is not confirmed for."""
    if confirmed is None or not len(confirmed) or not {"official_id", "gang_id"} <= set(X.columns):
        return np.zeros(len(X), dtype=bool)
    off = X["official_id"].astype(str).to_numpy()
    pair = (X["official_id"].astype(str) + "\x1f" + X["gang_id"].astype(str)).to_numpy()
    known = set(confirmed["official_id"] + "\x1f" + confirmed["gang_id"])
    return np.isin(off, confirmed["official_id"].to_numpy()) & ~np.isin(pair, list(known))


def _is_feature_frame(X: Any) -> bool:
    return isinstance(X, pd.DataFrame) and all(c in X.columns for c in FEATURES)


class UmbrellaClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated classifier of official x gang pairs (umbrella or not).

    Parameters
    ----------
    estimator : {"logistic", "gbm"}, default "logistic"
        The base model: an L2-regularised logistic regression on standardised inputs,
        anchored on the unsupervised score when fitted on pair features (stable with
        few labels; the default), or histogram gradient boosting, which needs many labels
        of each class: when its trees make no split (every pair would get the same
        probability, e.g. with a case's 3 labelled umbrellas) ``fit`` raises
        :class:`~umbrella_graph.errors.ParameterError` instead.
    C : float, default 0.1
        Inverse regularisation strength of the logistic regression's coefficients when
        fitted on a plain numeric matrix (on pair features ``prior_weight`` applies).
    min_positives : int, default 12
        When fitted on pair features with fewer labelled umbrellas (positive pairs) than
        this, the signals are not re-weighed at all: the model is the unsupervised
        score's log-odds with a fitted scale and intercept (calibration), plus what
        ``other_gangs_penalty`` takes from confirmed umbrellas' other gangs. With a
        4,000-person hard city's ~5 labelled umbrellas re-weighing loses 0.002 AP on the
        other pairs on average and up to 0.08 on one city; with a 20,000-person city's
        ~20 it gains 0.006 to 0.008 (docs/signals.md, "What the labels teach").
    prior_weight : float, default 1000.0
        When fitted on pair features: how many labelled pairs the unsupervised score
        is worth, i.e. the L2 penalty of the signal coefficients that adjust the prior.
        With a hard city's 30% labels (about 100 pairs, 5 umbrellas) any weaker
        anchoring re-weighs the signals on noise and loses average precision on the
        other pairs (bench/accuracy.py, tuning split: 100 and 300 lose, 1,000 and
        3,000 tie or gain a little); with thousands of labels the data outweighs it.
    other_gangs_penalty : float, default 0.0
        When fitted on pair features: how many log-odds units are taken from an
        official's pairs with *other* gangs once a label confirms him as the umbrella of
        one gang. Off by default: it encodes "an umbrella protects one gang", which holds
        in our synthetic cities (where 3.0 gains 0.001-0.003 held-out AP) but not in every
        real case, and a second protected gang pushed down silently is the failure this
        library must not have. Set it (e.g. 3.0) only when the case's investigators know
        each official protects at most one gang (docs/signals.md, "What the labels teach").
    calibration : {"sigmoid", "isotonic", "none"}, default "sigmoid"
        How probabilities are calibrated (:class:`~sklearn.calibration.CalibratedClassifierCV`
        with stratified, seeded folds); ``"none"`` keeps the base model's probabilities.
    cv : int, default 3
        Calibration folds (reduced to the size of the smaller class when needed; with
        fewer than two examples of a class the base model is used uncalibrated).
    class_weight : "balanced", dict or None, default "balanced"
        Weighting of the classes (umbrellas are rare); a dict maps class -> weight.
    random_state : int, default 0
        Seed of the folds and of gradient boosting.

    Attributes
    ----------
    classes_ : ndarray
        The class labels.
    n_features_in_ : int
        Number of input columns (of the design matrix when fitted on pair features).
    feature_names_in_ : ndarray
        Input column names, when fitted on a DataFrame.
    model_ : estimator
        The fitted (calibrated) model.
    baseline_ : pandas.Series
        Per raw feature, the training median: the "no evidence" reference of
        :meth:`contributions` (set when fitted on pair features).
    uses_pair_features_ : bool
        Whether the classifier was fitted on a :func:`pair_features` frame.
    confirmed_ : pandas.DataFrame
        ``official_id, gang_id`` of the positive training pairs (set when fitted on pair
        features with their id columns): the officials whose other gangs'
        pairs ``other_gangs_penalty`` lowers.
    cv_report_ : dict
        Set by :meth:`cross_validate_pairs`.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> city = generate_city(people=800, gangs=2, seed=2, label_share=0.5)
    >>> g = ug.build_graph(city.case)
    >>> clf = UmbrellaClassifier().fit_graph(g)
    >>> p = clf.predict_proba(ug.pair_features(g))[:, 1]
    >>> bool(((p >= 0) & (p <= 1)).all())
    True
    """

    @legacy_positional(["estimator", "C", "calibration", "cv", "class_weight", "random_state"], after=1)
    def __init__(self, *, estimator: str = "logistic", C: float = 0.1, calibration: str = "sigmoid", cv: int = 3,
                 class_weight: str | dict[Any, float] | None = "balanced", random_state: int = 0,
                 prior_weight: float = 1000.0, other_gangs_penalty: float = 0.0, min_positives: int = 12) -> None:
        self.estimator = estimator
        self.min_positives = min_positives
        self.other_gangs_penalty = other_gangs_penalty
        self.C = C
        self.prior_weight = prior_weight
        self.calibration = calibration
        self.cv = cv
        self.class_weight = class_weight
        self.random_state = random_state

    # -- parameters --------------------------------------------------------------
    def _check_params(self) -> None:
        func = "UmbrellaClassifier"
        if self.estimator not in _ESTIMATORS:
            raise ParameterError.invalid("estimator", func, "one of " + ", ".join(map(repr, _ESTIMATORS)),
                                         self.estimator)
        if isinstance(self.C, bool) or not isinstance(self.C, int | float) or not self.C > 0:
            raise ParameterError.invalid("C", func, "a positive number", self.C)
        if (isinstance(self.prior_weight, bool) or not isinstance(self.prior_weight, int | float)
                or not (np.isfinite(self.prior_weight) and self.prior_weight > 0)):
            raise ParameterError.invalid("prior_weight", func, "a positive number", self.prior_weight)
        if isinstance(self.min_positives, bool) or not isinstance(self.min_positives, int | np.integer) \
                or self.min_positives < 0:
            raise ParameterError.invalid("min_positives", func, "an integer of at least 0", self.min_positives)
        if (isinstance(self.other_gangs_penalty, bool) or not isinstance(self.other_gangs_penalty, int | float)
                or not (np.isfinite(self.other_gangs_penalty) and self.other_gangs_penalty >= 0)):
            raise ParameterError.invalid("other_gangs_penalty", func, "a number of at least 0",
                                         self.other_gangs_penalty)
        if self.calibration not in _CALIBRATIONS:
            raise ParameterError.invalid("calibration", func, "one of " + ", ".join(map(repr, _CALIBRATIONS)),
                                         self.calibration)
        if isinstance(self.cv, bool) or not isinstance(self.cv, int | np.integer) or self.cv < 2:
            raise ParameterError.invalid("cv", func, "an integer of at least 2", self.cv)
        if not (self.class_weight is None or self.class_weight == "balanced" or isinstance(self.class_weight, dict)):
            raise ParameterError.invalid("class_weight", func, "'balanced', a dict {class: weight} or None",
                                         self.class_weight)
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, int | np.integer):
            raise ParameterError.invalid("random_state", func, "an integer", self.random_state)

    def _base(self, anchored: bool, n_positive: int) -> Any:
        if self.estimator == "logistic":
            C = 1.0 / float(self.prior_weight) if anchored else float(self.C)
            return _AnchoredLogistic(C=C, offset_col=-1 if anchored else None, class_weight=self.class_weight,
                                     reweigh=not anchored or n_positive >= int(self.min_positives))
        return HistGradientBoostingClassifier(max_depth=3, learning_rate=0.1, max_iter=150, min_samples_leaf=_GBM_LEAF,
                                              class_weight=self.class_weight,
                                              random_state=int(self.random_state))

    # -- fitting -------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> UmbrellaClassifier:
        """Fit on pair features (or any numeric matrix) and labels.

        Parameters
        ----------
        X : DataFrame or array-like, shape (n_pairs, n_features)
            A :func:`pair_features` frame (its design matrix is used), or numeric
            features.
        y : array-like of shape (n_pairs,)
            Binary labels (1 = umbrella).

        Returns
        -------
        UmbrellaClassifier
            ``self``.
        """
        self._check_params()
        self.uses_pair_features_ = _is_feature_frame(X)
        if self.uses_pair_features_:
            D = design_matrix(X)
            self.baseline_ = X[list(FEATURES)].astype(float).median()
            Xa, ya = check_X_y(D.to_numpy(dtype=float), y)
            self.confirmed_ = _confirmed(X, ya)
            self.feature_names_in_ = np.asarray(D.columns, dtype=object)
        else:
            if isinstance(X, pd.DataFrame):
                self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            Xa, ya = check_X_y(X, y)
        kind = type_of_target(ya)
        if kind != "binary":
            if kind in ("continuous", "continuous-multioutput", "multilabel-indicator", "unknown"):
                raise ValueError(f"Unknown label type: {kind}. UmbrellaClassifier needs 0/1 labels.")
            raise ValueError(f"Only binary classification is supported. The type of the target is {kind} "
                             f"({np.unique(ya).size} class(es)); UmbrellaClassifier needs 0/1 labels.")
        self.classes_ = np.unique(ya)
        self.n_features_in_ = Xa.shape[1]
        counts = np.array([(ya == c).sum() for c in self.classes_])
        folds = int(min(self.cv, counts.min()))
        base = self._base(self.uses_pair_features_, int(counts[-1]))
        with _one_thread():
            if self.calibration == "none" or folds < 2:
                model = base.fit(Xa, ya)
            else:
                split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=int(self.random_state))
                model = CalibratedClassifierCV(base, method=self.calibration, cv=split).fit(Xa, ya)
            if self.estimator == "gbm" and np.unique(model.predict_proba(Xa)[:, -1]).size < 2:
                self.__dict__.pop("model_", None)  # a failed fit leaves no fitted model behind
                raise ParameterError(
                    f"UmbrellaClassifier(estimator='gbm') learned nothing from these labels ({counts[-1]} pair(s) "
                    f"of class {self.classes_[-1].item()!r}, {counts[0]} of class {self.classes_[0].item()!r}): gradient "
                    f"boosting (at least {_GBM_LEAF} pairs per leaf) made no split and would give every pair "
                    "the same probability. Label more pairs of each class, or use estimator='logistic' (the "
                    "default), which is anchored on the unsupervised score.")
        self.model_ = model
        return self

    def fit_graph(self, graph: CaseGraph, labels: pd.DataFrame | None = None, *, seed: int = 0
                  ) -> UmbrellaClassifier:
        """Fit on the labelled pairs of a case.

        Parameters
        ----------
        graph : CaseGraph
        labels : DataFrame, optional
            ``official_id, gang_id, label``; default: the case's ``labels`` table
            (``labels.csv``). Rows without a gang label the official for every gang.
        seed : int, default 0
            Seed of the pair features.

        Returns
        -------
        UmbrellaClassifier
            ``self``.
        """
        X, y = self._labelled(graph, labels, seed, "fit_graph")
        return self.fit(X, y)

    @staticmethod
    def _labelled(graph: CaseGraph, labels: pd.DataFrame | None, seed: int, func: str
                  ) -> tuple[pd.DataFrame, np.ndarray]:
        lab = graph.case["labels"] if labels is None else labels
        if not isinstance(lab, pd.DataFrame) or not {"official_id", "label"} <= set(lab.columns):
            raise ParameterError.invalid("labels", func, "a DataFrame with official_id, gang_id, label",
                                         type(lab).__name__)
        feats = pair_features(graph, seed=seed, all_pairs=True)
        lab = lab.copy()
        lab["official_id"] = lab["official_id"].astype(str)
        if "gang_id" not in lab.columns:
            lab["gang_id"] = pd.NA
        no_gang = lab["gang_id"].isna()
        parts = [lab[~no_gang].assign(gang_id=lambda d: d["gang_id"].astype(str))]
        if no_gang.any():
            allg = pd.DataFrame({"gang_id": feats["gang_id"].unique()})
            parts.append(lab[no_gang].drop(columns="gang_id").merge(allg, how="cross"))
        lab = pd.concat(parts, ignore_index=True).drop_duplicates(["official_id", "gang_id"], keep="first")
        m = feats.merge(lab[["official_id", "gang_id", "label"]], on=["official_id", "gang_id"], how="inner")
        if len(m) < len(lab):
            raise ParameterError(f"The 'labels' parameter of {func} must name officials and gangs of the case. "
                                 f"Got {len(lab) - len(m)} label row(s) that match no pair instead.")
        y = pd.to_numeric(m["label"], errors="coerce")
        if y.isna().any() or not set(y.unique()) <= {0, 1}:
            raise ParameterError.invalid("labels", func, "labels of 0 or 1", "other values")
        return m.drop(columns=["label"]), y.to_numpy(dtype=int)

    # -- prediction ----------------------------------------------------------------
    def _matrix(self, X: Any) -> np.ndarray:
        try:
            check_is_fitted(self, "model_")
        except Exception as exc:
            raise ModelNotFittedError("This UmbrellaClassifier is not fitted yet; call fit or fit_graph first.") from exc
        if self.uses_pair_features_:
            if not _is_feature_frame(X):
                raise ParameterError.invalid("X", "UmbrellaClassifier", "a pair_features frame (it was fitted on one)",
                                             type(X).__name__)
            Xa = design_matrix(X).to_numpy(dtype=float)
        else:
            Xa = check_array(X)
        if Xa.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {Xa.shape[1]} features, but UmbrellaClassifier is expecting "
                             f"{self.n_features_in_} features as input.")
        return Xa

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated class probabilities, shape (n_pairs, 2); column 1 is "umbrella".

        On pair features, the pairs of a confirmed umbrella (:attr:`confirmed_`) with
        the other gangs lose ``other_gangs_penalty`` log-odds.
        """
        Xa = self._matrix(X)
        with _one_thread():
            p = np.asarray(self.model_.predict_proba(Xa), dtype=float)
        if self.uses_pair_features_ and self.other_gangs_penalty > 0:
            hit = _other_gangs(X, getattr(self, "confirmed_", None))
            if hit.any():
                q = np.clip(p[hit, -1], 1e-15, 1 - 1e-15)
                q = 1.0 / (1.0 + np.exp(-(np.log(q / (1 - q)) - float(self.other_gangs_penalty))))
                p[hit, -1] = q
                p[hit, 0] = 1.0 - q
        return p

    def predict(self, X: Any) -> np.ndarray:
        """The more probable class of each pair."""
        p = self.predict_proba(X)
        return np.asarray(self.classes_[np.argmax(p, axis=1)])

    def contributions(self, features: pd.DataFrame) -> pd.DataFrame:
        """Per signal, how much lower the probability would be without its evidence.

        For each signal, its raw features are set to their training medians (for
        evidence features: no evidence) and the probability is recomputed; the
        contribution is the drop (negative when the evidence lowers the probability).

        Parameters
        ----------
        features : DataFrame
            A :func:`pair_features` frame.

        Returns
        -------
        pandas.DataFrame
            One column per signal of :data:`~umbrella_graph.scoring.SIGNALS`.
        """
        try:
            check_is_fitted(self, "model_")
        except Exception as exc:
            raise ModelNotFittedError("This UmbrellaClassifier is not fitted yet; call fit or fit_graph first.") from exc
        if not self.uses_pair_features_:
            raise ParameterError.invalid("model", "UmbrellaClassifier.contributions",
                                         "a classifier fitted on pair_features", "one fitted on other data")
        p = self.predict_proba(features)[:, 1]
        out = {}
        for s in SIGNALS:
            f = features.copy()
            for c in s.features:
                f[c] = float(self.baseline_[c])
            out[s.name] = p - self.predict_proba(f)[:, 1]
        return pd.DataFrame(out, index=features.index)[list(SIGNAL_NAMES)]

    # -- evaluation ------------------------------------------------------------------
    def cross_validate_pairs(self, graph: CaseGraph, labels: pd.DataFrame | None = None, *, cv: int = 5,
                             seed: int = 0) -> dict[str, Any]:
        """Cross-validated ROC-AUC and average precision on the labelled pairs.

        Stratified, seeded folds (as many as the smaller class allows, at most ``cv``);
        a copy of this classifier is fitted on each training part and scored on the
        held-out part. The result is also stored in :attr:`cv_report_`.

        Returns
        -------
        dict
            ``roc_auc``, ``average_precision`` (pooled over the held-out predictions),
            ``folds``, ``n_pairs``, ``n_positive``.
        """
        from sklearn.base import clone

        X, y = self._labelled(graph, labels, seed, "cross_validate_pairs")
        n_pos = int(y.sum())
        folds = int(min(cv, n_pos, len(y) - n_pos))
        if folds < 2:
            raise ParameterError("cross_validate_pairs needs at least two labelled pairs of each class. "
                                 f"Got {n_pos} positive and {len(y) - n_pos} negative pair(s) instead.")
        pred = np.zeros(len(y))
        split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=int(self.random_state))
        for tr, te in split.split(np.zeros(len(y)), y):
            m = clone(self).fit(X.iloc[tr].reset_index(drop=True), y[tr])
            pred[te] = m.predict_proba(X.iloc[te].reset_index(drop=True))[:, 1]
        self.cv_report_ = {"roc_auc": float(roc_auc_score(y, pred)),
                           "average_precision": float(average_precision_score(y, pred)),
                           "folds": folds, "n_pairs": int(len(y)), "n_positive": n_pos}
        return self.cv_report_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

