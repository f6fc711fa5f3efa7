"""The Spark engine: the evidence features of :mod:`umbrella_graph.scoring.engines.sql`
run on Apache Spark (PySpark), locally or on a cluster.

* :func:`spark_session`: a SparkSession with the settings that matter here (local[2]
  by default);
* :func:`spark_held_features`: the features of the candidate pairs (or of every
  pair), computed by Spark, in the memory engine's layout;
* :func:`spark_pair_features`: the same, restricted like
  :func:`~umbrella_graph.scoring.pair_features`;
* :func:`features_from_tables`: the features as a Spark DataFrame from case tables
  already in Spark (e.g. read from Parquet on HDFS or S3 with
  :func:`~umbrella_graph.scoring.engines.tables.read_tables`): the entry point of a
  ``spark-submit`` job (docs/scale.md).

Needs the ``spark`` extra (``pip install umbrella-graph[spark]``) and Java 17 or later.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...errors import ParameterError
from ...graph import CaseGraph
from .._context import check_ids
from ..facts import case_memo, facts_of
from ..signals import FEATURES
from .sql import feature_views, pair_view, walk_views
from .tables import case_tables, constants, to_spark

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["spark_session", "spark_held_features", "spark_pair_features", "features_from_tables"]

log = logging.getLogger(__name__)


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError:  # pragma: no cover - the extra is installed in CI
        raise ImportError("The Spark engine needs PySpark: pip install 'umbrella-graph[spark]' "
                          "(and Java 17 or later).") from None
    return pyspark


def spark_session(
    master: str = "local[2]",
    *,
    shuffle_partitions: int = 4,
    driver_memory: str = "2g",
    config: dict[str, str] | None = None,
) -> SparkSession:
    """A SparkSession for the Spark engine (the active one if it exists already).

    Parameters
    ----------
    master : str, default "local[2]"
        Spark master URL: ``local[N]`` on this machine; on a cluster leave the master to
        ``spark-submit`` and call :func:`features_from_tables` with its session.
    shuffle_partitions : int, default 4
        ``spark.sql.shuffle.partitions``: small for a city on one machine, about 2-4 times
        the executor cores on a cluster (docs/scale.md).
    driver_memory : str, default "2g"
        ``spark.driver.memory`` (takes effect only when this call starts the JVM).
    config : dict, optional
        Further Spark settings.

    Returns
    -------
    pyspark.sql.SparkSession

    Examples
    --------
    >>> spark = spark_session()  # doctest: +SKIP
    >>> spark.conf.get("spark.sql.shuffle.partitions")  # doctest: +SKIP
    '4'
    """
    _pyspark()
    from pyspark.sql import SparkSession

    if isinstance(shuffle_partitions, bool) or not isinstance(shuffle_partitions, int) or shuffle_partitions < 1:
        raise ParameterError.invalid("shuffle_partitions", "spark_session", "a positive integer", shuffle_partitions)
    # the Python workers must be this interpreter (with numpy, pandas and scipy)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (SparkSession.builder.master(master).appName("umbrella-graph")
               .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
               .config("spark.default.parallelism", str(shuffle_partitions))
               .config("spark.driver.memory", driver_memory)
               .config("spark.ui.enabled", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               # the walk's steps are joins of joins: constraint propagation over them grows
               # without bound (Catalyst runs out of heap after a few dozen steps)
               .config("spark.sql.constraintPropagation.enabled", "false"))
    for k, v in (config or {}).items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.conf.set("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark.conf.set("spark.sql.constraintPropagation.enabled", "false")
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _poisson_udf() -> Any:
    """The special function as a pandas UDF (closures, so executors need only numpy,
    pandas and scipy)."""
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("double")  # type: ignore[call-overload]
    def poisson_surprise(x: pd.Series, lam: pd.Series) -> pd.Series:
        from scipy.special import gammainc

        xv = x.to_numpy(dtype=float)
        lv = np.maximum(lam.to_numpy(dtype=float), 1e-3)
        p = np.ones_like(xv)
        pos = xv > 0
        p[pos] = gammainc(xv[pos], lv[pos])
        return pd.Series(-np.log10(np.clip(p, 1e-300, 1.0)))

    return poisson_surprise


def features_from_tables(spark: SparkSession, *, pairs: DataFrame | None = None) -> DataFrame:
    """Every feature per (official, gang) pair from the case tables registered as views.

    Parameters
    ----------
    spark : SparkSession
        With the views of :data:`~umbrella_graph.scoring.engines.tables.TABLES`
        registered (:func:`~umbrella_graph.scoring.engines.tables.to_spark` or
        :func:`~umbrella_graph.scoring.engines.tables.read_tables`).
    pairs : DataFrame, optional
        The (off, gang) pairs to compute (default: every official x gang).

    Returns
    -------
    pyspark.sql.DataFrame
        ``off``, ``gang``, ``official_id``, ``gang_id`` and every feature of
        :data:`~umbrella_graph.scoring.FEATURES` (not rounded; not collected).

    Notes
    -----
    Sets ``spark.sql.constraintPropagation.enabled`` to false on ``spark``: the walk's
    steps are joins of joins, and Catalyst's constraint propagation over them grows
    without bound (it runs out of heap after a few dozen steps). Nothing else of the
    session's configuration is changed.
    """
    from pyspark.sql import functions as F

    spark.conf.set("spark.sql.constraintPropagation.enabled", "false")
    c = constants()
    for name, sql in feature_views(c):
        spark.sql(sql).createOrReplaceTempView(name)
    base = spark.sql("""SELECT o.off, o.node, o.official_id, g.gang, g.gang_id FROM officials o
                        CROSS JOIN gangs g""")
    if pairs is not None:
        base = base.join(pairs.select("off", "gang"), ["off", "gang"], "left_semi")
    base.createOrReplaceTempView("pairs")
    # the walks cut at WALK_STEPS, read at the pairs: each step materialised once (the
    # transition table feeds four of them; left as views, its aggregation over every
    # structural record would run once per use, concurrently, in the final plan)
    for name in ("transition", "seeds"):
        spark.table(name).localCheckpoint(eager=True).createOrReplaceTempView(name)
    for name, sql in walk_views(c):
        spark.sql(sql).localCheckpoint(eager=True).createOrReplaceTempView(name)
    raw = spark.sql(pair_view(list(FEATURES)))
    poisson_surprise = _poisson_udf()
    one, zero, tiny = F.lit(1.0), F.lit(0.0), F.lit(1e-9)
    q = spark.sql("SELECT log10(q_everyday) AS lo, log10(q_bribe) AS hi FROM qs")
    total_strength = spark.sql("SELECT coalesce(sum(s), 0D) AS total_strength FROM strength")
    f = raw.crossJoin(q).crossJoin(total_strength)

    def level(col: str) -> Any:
        la = F.log10(F.greatest(F.col(col), tiny))
        return F.least(F.greatest((la - F.col("lo")) / F.greatest(F.col("hi") - F.col("lo"), tiny), zero), one)

    share = ((F.col("contract_to_gang") - F.col("contract_count") + F.lit(0.1))
             / (F.greatest(F.col("contract_n") - F.col("contract_total"), zero) + one))
    contract_expected = F.col("contract_total") * F.least(F.greatest(share, zero), one)
    contact_expected = F.col("contact_volume") * F.col("contact_rate")
    stat = F.col("ppr_strength") / F.greatest(F.col("total_strength"), F.lit(1e-12))
    pattern = F.col("tipoff_pattern")  # scoring.tipoff.pattern_scores, read from the tip-off table
    m = F.lit(float(c["TIPOFF_MIN_SCORE"]))
    cols: dict[str, Any] = {
        "money_amount": F.log1p("money_amount_raw"),
        "money_count": F.col("money_count"),
        "money_large": F.col("money_large"),
        "money_level": level("money_amount_raw"),
        "relay_amount": F.log1p("relay_amount_raw"),
        "relay_count": F.col("relay_count"),
        "relay_level": level("relay_amount_raw"),
        "contract_count": F.col("contract_count"),
        "contract_amount": F.log1p("contract_amount_raw"),
        "contract_total": F.col("contract_total"),
        "contract_expected": contract_expected,
        "contract_surprise": poisson_surprise(F.col("contract_count"), contract_expected),
        "contract_unit": F.col("contract_unit"),
        "contact_expected": contact_expected,
        "contact_surprise": poisson_surprise(F.col("contact_weight"), contact_expected),
        "tipoff_score": F.greatest(F.col("tipoff_best"), pattern),
        # scoring.tipoff.is_tipoff: events at the threshold, and the pattern's members
        "tipoff_raids": F.col("tipoff_strong") + F.when(pattern >= m, F.col("tipoff_mid")).otherwise(zero),
        "tipoff_spread": F.col("spread_strong") + F.when(pattern >= m, F.col("spread_mid")).otherwise(zero),
        "ppr": F.log10((F.col("ppr_visit") + F.lit(1e-12)) / (stat + F.lit(1e-12))),
    }
    out = []
    for name in FEATURES:
        if name in cols:
            out.append(cols[name].alias(name))
        elif name.startswith("money_") and name not in ("money_count", "money_large"):
            out.append(F.log1p(f"{name}_raw").alias(name))
        else:
            out.append(F.col(name).cast("double").alias(name))
    return f.select("off", "gang", "official_id", "gang_id", *out)


def _running_session() -> SparkSession:
    """The session the engine uses when none is passed: the running one, as its owner
    configured it, else a new local one from :func:`spark_session`.

    "Running": this thread's active session, or the process's default session (one
    started in another thread: PySpark's active session is per thread), i.e.
    ``SparkSession.active()``. Its settings are left alone; :func:`spark_session` would
    set its shuffle partitions to its own default.
    """
    _pyspark()  # the clear error when the extra is missing
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession

    try:
        return SparkSession.active()
    except PySparkRuntimeError:  # NO_ACTIVE_OR_DEFAULT_SESSION
        return spark_session()


def spark_held_features(ctx: Any, seed: int, *, all_pairs: bool = False,
                        spark: SparkSession | None = None) -> Any:
    """The features of the held pairs (the memory engine's candidates, or every official x
    gang pair with ``all_pairs``), computed on Spark: the candidate pairs go to Spark as a
    table and every feature view is joined with them. Same layout, row order and rounding
    as the memory engine's ``features._all_features``."""
    from ..features import _Features
    from ..signals import candidate_index

    key = f"spark-features:{seed}:{'all' if all_pairs else 'candidates'}"
    memo = case_memo(ctx)  # the top-level cache, kept with the case's facts
    if key in memo:
        return memo[key]
    if all_pairs:
        off = np.repeat(np.arange(ctx.n_officials, dtype=np.int64), ctx.n_gangs)
        gang = np.tile(np.arange(ctx.n_gangs, dtype=np.int64), ctx.n_officials)
    else:
        off, gang = (np.asarray(a, dtype=np.int64) for a in candidate_index(ctx))
    if spark is None:
        spark = _running_session()
    to_spark(spark, case_tables(ctx.graph, seed=seed))
    held = pd.DataFrame({"off": off, "gang": gang})
    pairs = spark.createDataFrame(held, schema="off BIGINT, gang BIGINT")
    res: pd.DataFrame = features_from_tables(spark, pairs=pairs).toPandas()  # type: ignore[assignment]
    res = held.merge(res.drop(columns=["official_id", "gang_id"]), on=["off", "gang"], how="left")
    df = pd.DataFrame({"official_id": ctx.official_ids[off].astype(str), "gang_id": ctx.gang_ids[gang].astype(str)})
    for name in FEATURES:
        df[name] = np.round(res[name].to_numpy(dtype=float), 10)
    out = _Features(df, off, gang, all_pairs)
    memo[key] = out
    return out


def spark_pair_features(
    graph: CaseGraph,
    *,
    gangs: list[str] | None = None,
    officials: list[str] | None = None,
    seed: int = 0,
    all_pairs: bool = False,
    spark: SparkSession | None = None,
) -> pd.DataFrame:
    """:func:`~umbrella_graph.scoring.pair_features`, computed on Spark.

    Same parameters and result (the candidate pairs, or every pair with ``all_pairs``,
    sorted by official then gang) plus ``spark``, the session to use (default: the
    running session, this thread's active one or the process's default, used as
    configured; else a new local[2] one from :func:`spark_session`).

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> X = spark_pair_features(g)  # doctest: +SKIP
    >>> X.columns[:3].tolist()  # doctest: +SKIP
    ['official_id', 'gang_id', 'money_amount']
    """
    from ..features import _check_flag, _check_seed, _select

    func = "spark_pair_features"
    seed = _check_seed(seed, func)
    all_pairs = _check_flag(all_pairs, "all_pairs", func)
    ctx = facts_of(graph, func)
    oi = check_ids(ctx, officials, "officials", func)
    gi = check_ids(ctx, gangs, "gangs", func)
    feats = spark_held_features(ctx, seed, all_pairs=all_pairs, spark=spark)
    rows = _select(ctx, feats, oi, gi)
    return feats.frame.iloc[rows].reset_index(drop=True).copy()  # type: ignore[no-any-return]
