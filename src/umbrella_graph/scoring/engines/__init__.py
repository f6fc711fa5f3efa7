"""Engines that compute the evidence features: in memory (pandas, SciPy) or on Apache Spark.

Both engines compute the same features (:data:`umbrella_graph.scoring.FEATURES`) from the
same case tables with the same definitions and constants, so they agree to 1e-9
(tests/test_spark.py): the memory engine is :mod:`umbrella_graph.scoring.signals`; the
Spark engine writes each feature once as Spark SQL (:mod:`.sql`) over the tables of
:mod:`.tables` and runs it with :mod:`.spark`. The scorer on top
(:func:`~umbrella_graph.scoring.score_umbrellas`) is the same for both: only where the
features come from changes (``engine=``). docs/scale.md describes running on a cluster.

* :data:`ENGINES`: the engine names;
* :func:`check_engine`: the one check of an ``engine=`` argument;
* :func:`engine_features`: every pair's features from the chosen engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

__all__ = ["ENGINES", "check_engine", "engine_features"]

#: The engines: ``"memory"`` (this process: pandas, SciPy, igraph) and ``"spark"``
#: (Apache Spark through PySpark, local or on a cluster; the ``spark`` extra).
ENGINES: tuple[str, ...] = ("memory", "spark")


def check_engine(engine: Any, func: str) -> str:
    """``engine`` if it names an engine of :data:`ENGINES`, else a clear ParameterError.

    Examples
    --------
    >>> check_engine("spark", "score_umbrellas")
    'spark'
    """
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ParameterError.invalid("engine", func, " or ".join(repr(e) for e in ENGINES), engine)
    return engine


def engine_features(ctx: Any, seed: int, engine: str, *, all_pairs: bool = False, progress: bool = False,
                    oi: np.ndarray | None = None, gi: np.ndarray | None = None,
                    spark: SparkSession | None = None) -> Any:
    """The held pairs' features (the candidates, or with ``all_pairs`` every official x
    gang pair) from ``engine``, in the memory engine's layout and row order."""
    from ..features import _all_features

    if engine != "spark":
        return _all_features(ctx, seed, all_pairs=all_pairs, progress=progress, oi=oi, gi=gi)
    from .spark import spark_held_features

    return spark_held_features(ctx, seed, all_pairs=all_pairs, spark=spark)
