"""Accuracy of umbrella scores against known truth: :func:`evaluate`.

Scores are ranked per official x gang pair, the way analysts read them: the question is
whether the true umbrellas come first. The measures are

* ROC-AUC: the chance that a random umbrella pair outranks a random clean pair;
* average precision (AP): the area under the precision-recall curve, the measure that
  punishes false alarms at the top of the list;
* precision@k with k = the number of true umbrellas: the share of umbrellas among the
  first k pairs of the list (ties broken by official id, then gang id, so the number is
  the same on every run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, roc_auc_score

from .errors import ParameterError

__all__ = ["evaluate"]

_KEYS = ["official_id", "gang_id"]


def evaluate(scores: pd.DataFrame, truth: pd.DataFrame, *, score_col: str = "score") -> dict[str, float | int]:
    """Compare pair scores with the truth.

    Parameters
    ----------
    scores : DataFrame
        ``official_id``, ``gang_id`` and a score column (bigger = more suspect), e.g.
        from :func:`~umbrella_graph.baselines.baseline_scores` or the scorer.
    truth : DataFrame
        ``official_id``, ``gang_id``, ``label`` (1 = umbrella), e.g. ``SynthCity.truth``
        or a labels table. Every truth pair is evaluated; a pair the scores leave out is
        ranked last (below every scored pair) and counted in ``n_unscored``.
    score_col : str, default "score"
        The score column.

    Returns
    -------
    dict
        ``roc_auc``, ``average_precision``, ``precision_at_k`` (floats; NaN when the
        truth has only one class), ``k`` (= ``n_positive``), ``n_pairs``,
        ``n_positive``, ``n_unscored``.

    Raises
    ------
    ParameterError
        If a column is missing, scores repeat a pair, or a score is not a finite number.

    Examples
    --------
    >>> import pandas as pd
    >>> truth = pd.DataFrame({"official_id": ["a", "b", "c", "d"], "gang_id": "G1",
    ...                       "label": [1, 0, 1, 0]})
    >>> scores = pd.DataFrame({"official_id": ["a", "b", "c", "d"], "gang_id": "G1",
    ...                        "score": [0.9, 0.8, 0.3, 0.1]})
    >>> m = evaluate(scores, truth)
    >>> m["roc_auc"], m["precision_at_k"], m["n_positive"]
    (0.75, 0.5, 2)
    >>> round(m["average_precision"], 4)
    0.8333
    """
    func = "evaluate"
    for name, df, cols in (("scores", scores, [*_KEYS, score_col]), ("truth", truth, [*_KEYS, "label"])):
        if not isinstance(df, pd.DataFrame):
            raise ParameterError.invalid(name, func, "a DataFrame", type(df).__name__)
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ParameterError.invalid(name, func, "a DataFrame with columns " + ", ".join(cols),
                                         "missing " + ", ".join(missing))
    s = scores[[*_KEYS, score_col]].copy()
    s[_KEYS] = s[_KEYS].astype(str)
    if s.duplicated(_KEYS).any():
        raise ParameterError.invalid("scores", func, "one row per official x gang pair",
                                     f"{int(s.duplicated(_KEYS).sum())} repeated pair(s)")
    vals = pd.to_numeric(s[score_col], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(vals).all():
        raise ParameterError.invalid(score_col, func, "finite numbers", "missing or non-finite scores")
    s[score_col] = vals
    t = truth[[*_KEYS, "label"]].copy()
    t[_KEYS] = t[_KEYS].astype(str)
    t = t.drop_duplicates(_KEYS)
    labels = pd.to_numeric(t["label"], errors="coerce")
    if not labels.isin([0, 1]).all():
        raise ParameterError.invalid("truth", func, "labels 0 or 1", "other values")
    t["label"] = labels.astype(int)
    m = t.merge(s, on=_KEYS, how="left")
    unscored = m[score_col].isna()
    floor = (float(vals.min()) if len(vals) else 0.0) - 1.0
    m[score_col] = m[score_col].fillna(floor)
    y = m["label"].to_numpy()
    x = m[score_col].to_numpy(dtype=float)
    n_pos = int(y.sum())
    both = 0 < n_pos < len(y)
    ranked = m.sort_values([score_col, *_KEYS], ascending=[False, True, True], kind="stable")
    p_at_k = float(ranked["label"].iloc[:n_pos].mean()) if n_pos else float("nan")
    return {
        "roc_auc": float(roc_auc_score(y, x)) if both else float("nan"),
        "average_precision": float(average_precision_score(y, x)) if both else float("nan"),
        "precision_at_k": p_at_k,
        "k": n_pos,
        "n_pairs": len(m),
        "n_positive": n_pos,
        "n_unscored": int(unscored.sum()),
    }
