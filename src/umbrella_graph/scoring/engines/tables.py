"""The case tables every engine computes the evidence features from.

This is the one adapter between the in-memory scorer's prepared arrays
(:mod:`umbrella_graph.scoring._context`, the gang side of
:mod:`umbrella_graph.scoring.gangside`, the tip-off test of
:mod:`umbrella_graph.scoring.tipoff`) and the engines: nothing else in
:mod:`umbrella_graph.scoring.engines` reads them. The tables hold integer node
positions, kinds, amounts, times (int64 nanoseconds) and flags, never names, ID numbers,
phone numbers or memo texts.

:func:`case_tables` returns them as pandas frames; :func:`to_spark` hands them to a
SparkSession; :func:`write_tables` / :func:`read_tables` store them as Parquet (one
folder per table), which is how a cluster reads a case (docs/scale.md).

Five inputs are computed on the driver and shipped as tables (docs/scale.md says why):
``side`` (who acts for each gang, with a confidence), ``tipoff`` (the per-event tip-off
test), ``pre_raid`` (the contacts that test reads before each event:
:func:`umbrella_graph.scoring.tipoff.pre_raid_records`), ``communities`` (Leiden labels) and ``brokerage`` (sampled betweenness).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ... import algorithms
from ...domain import answers_for_area, latest_contact_times, regulated_sectors, sectors_of
from ...graph import CaseGraph
from .._context import Facts
from ..facts import facts_of
from ..gangside import side_table
from ..structure import brokerage, community_labels
from ..tipoff import pre_raid_records

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["case_tables", "to_spark", "write_tables", "read_tables", "TABLES"]

#: The tables of :func:`case_tables`, in the order they are written.
TABLES: tuple[str, ...] = (
    "params", "nodes", "officials", "gangs", "tx", "ct", "ties", "roles", "members", "circle",
    "contracts", "events", "posts", "leads", "located", "parent", "company_sectors", "side", "tipoff",
    "pre_raid", "communities", "brokerage",
)


def _i64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.int64)


def _f64(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=float)


def _ns(t: Any) -> pd.array:
    """datetime64 -> nullable int64 nanoseconds (NaT -> null)."""
    s = pd.Series(np.asarray(t, dtype="datetime64[ns]"))
    out = s.astype("int64").astype("Int64")
    out[s.isna().to_numpy()] = pd.NA
    return out.array


def _nullable(a: Any) -> pd.array:
    """floats with NaN -> nullable Float64 (null in Spark, not NaN)."""
    s = pd.Series(_f64(a)).astype("Float64")
    s[np.isnan(_f64(a))] = pd.NA
    return s.array


def _sectors(sets: list[frozenset[str]]) -> list[list[str]]:
    return [sorted(s) for s in sets]


def case_tables(graph: CaseGraph, *, seed: int = 0) -> dict[str, pd.DataFrame]:
    """The case tables of ``graph`` (see the module docstring), as pandas frames.

    Parameters
    ----------
    graph : CaseGraph
    seed : int, default 0
        Seed of the community detection and the brokerage sample (the driver-side tables).

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per name of :data:`TABLES`.
    """

    ctx = facts_of(graph, "score_umbrellas")
    n = ctx.n
    t: dict[str, pd.DataFrame] = {}
    follow_up = ctx.follow_up / pd.Timedelta(minutes=1)
    t["params"] = pd.DataFrame({"n_nodes": [np.int64(n)], "follow_up_minutes": [float(follow_up)]})
    t["nodes"] = pd.DataFrame({"node": np.arange(n, dtype=np.int64), "is_official": ctx.is_official.astype(bool),
                               "is_company": ctx.is_company.astype(bool)})
    opos = _i64(ctx.official_pos)
    t["officials"] = pd.DataFrame({"off": np.arange(len(opos), dtype=np.int64), "node": opos,
                                   "official_id": ctx.official_ids.astype(str)}).query("node >= 0")
    t["gangs"] = _gangs(ctx)
    tx = ctx.tx
    t["tx"] = pd.DataFrame({"src": _i64(tx["src"]), "dst": _i64(tx["dst"]), "amount": _f64(tx["amount"]),
                            "t": _ns(tx["time"]), "channel": tx["channel"].astype(str).to_numpy(dtype=object),
                            "pos": _i64(tx["pos"]), "kin": tx["kin"].to_numpy(dtype=bool),
                            "wage": tx["wage"].to_numpy(dtype=bool)})
    ct = ctx.ct
    t["ct"] = pd.DataFrame({"src": _i64(ct["src"]), "dst": _i64(ct["dst"]),
                            "kind": ct["kind"].astype(str).to_numpy(dtype=object), "t": _ns(ct["time"]),
                            # the follow-up check's time (a contact dated only: the end of its day)
                            "t_latest": _ns(latest_contact_times(ct["time"], ct["dated"])),
                            "pos": _i64(ct["pos"]), "kin": ct["kin"].to_numpy(dtype=bool)})
    te = graph.edges[(graph.edges["kind"] == "tie").to_numpy()]
    t["ties"] = pd.DataFrame({"src": _i64(te["src"]), "dst": _i64(te["dst"]),
                              "kin": ctx.is_kin(te["src"].to_numpy(), te["dst"].to_numpy()).astype(bool)})
    ro = ctx.roles
    t["roles"] = pd.DataFrame({"person": _i64(ro["person"]), "company": _i64(ro["company"]),
                               "role": ro["role"].astype(str).to_numpy(dtype=object)})
    me = ctx.members
    t["members"] = pd.DataFrame({"person": _i64(me["person"]), "gang": _i64(me["gang"]),
                                 "weight": _f64(me["weight"])})
    ci = ctx.circle
    t["circle"] = pd.DataFrame({"off": _i64(ci["off"]), "person": _i64(ci["person"]),
                                "relation": ci["relation"].astype(str).to_numpy(dtype=object),
                                "weight": _f64(ci["weight"])})
    k = ctx.contracts
    t["contracts"] = pd.DataFrame({"pos": _i64(k["pos"]), "issuer": _i64(k["issuer"]),
                                   "approver": _i64(k["approver"]), "company": _i64(k["company"]),
                                   "amount": _nullable(k["amount"])})
    ev = ctx.events
    t["events"] = pd.DataFrame({"row": np.arange(len(ev), dtype=np.int64), "gang": _i64(ev["gang"]),
                                "t": _ns(ev["time"])})
    t["posts"] = _posts(ctx)
    ld = ctx.leads
    t["leads"] = pd.DataFrame({"subject": _i64(ld["subject"]), "gang": _i64(ld["gang"])})
    loc = graph.edges[(graph.edges["kind"] == "located_in").to_numpy()]
    where = np.full(n, -1, dtype=np.int64)
    where[loc["src"].to_numpy()] = loc["dst"].to_numpy()  # the last edge wins, as in the scorer
    has = np.flatnonzero(where >= 0)
    t["located"] = pd.DataFrame({"node": has.astype(np.int64), "place": where[has]})
    par = np.flatnonzero(ctx.parent >= 0)
    t["parent"] = pd.DataFrame({"node": par.astype(np.int64), "parent": _i64(ctx.parent[par])})
    t["company_sectors"] = _company_sectors(ctx)
    side = side_table(ctx)
    t["side"] = pd.DataFrame({"node": _i64(side["node"]), "gang": _i64(side["gang"]), "conf": _f64(side["conf"]),
                              "conf_core": _f64(side["conf_core"]), "weight": _f64(side["weight"]),
                              "kind": side["kind"].astype(str).to_numpy(dtype=object)})
    t["tipoff"] = _tipoff(ctx)
    pre = pre_raid_records(ctx)
    t["pre_raid"] = pd.DataFrame({"off": _i64(pre["off"]), "gang": _i64(pre["gang"]), "pos": _i64(pre["pos"]),
                                  "event": _i64(pre["event"])})
    A = ctx.structure
    t["communities"], t["brokerage"] = _structure(ctx, A, seed)
    return t


def _gangs(ctx: Facts) -> pd.DataFrame:
    case = ctx.graph.case
    texts: dict[int, list[str]] = {g: [] for g in range(ctx.n_gangs)}
    gt = case["gangs"]
    if len(gt):
        gi = pd.Index(ctx.gang_ids).get_indexer(gt["id"].astype(str))
        for g, kind in zip(gi, gt["kind"].astype("string").fillna(""), strict=True):
            if g >= 0:
                texts[int(g)].append(str(kind))
    sectors = [sorted(frozenset().union(*sectors_of(ts))) if ts else [] for ts in texts.values()]
    return pd.DataFrame({"gang": np.arange(ctx.n_gangs, dtype=np.int64), "node": _i64(ctx.gang_pos),
                         "gang_id": ctx.gang_ids.astype(str), "sectors": pd.Series(sectors, dtype=object)})


def _posts(ctx: Facts) -> pd.DataFrame:
    p = ctx.posts
    text = (p["position"].astype(str) + " " + p["unit_name"].astype(str)).to_numpy()
    area_wide = answers_for_area(text) if len(p) else np.zeros(0, dtype=bool)
    regs = _sectors(regulated_sectors(text)) if len(p) else []
    return pd.DataFrame({"off": _i64(p["off"]), "place": _i64(p["place"]), "unit": _i64(p["unit"]),
                         "area_wide": np.asarray(area_wide, dtype=bool), "regs": pd.Series(regs, dtype=object)})


def _company_sectors(ctx: Facts) -> pd.DataFrame:
    ct = ctx.graph.case["companies"]
    if not len(ct):
        return pd.DataFrame({"node": np.zeros(0, np.int64), "sectors": pd.Series([], dtype=object)})
    node = ctx.graph.index_of(ct["id"].astype(str).tolist())
    sec = ct["sector"].astype("string").fillna("").to_numpy(dtype=object)
    # one row per company node: the last row of a repeated id, as the scorer's reindex reads it
    df = pd.DataFrame({"node": node, "text": sec})
    df = df[df["node"].to_numpy() >= 0].drop_duplicates("node", keep="last")
    return pd.DataFrame({"node": _i64(df["node"]),
                         "sectors": pd.Series(_sectors(sectors_of(df["text"].to_numpy())), dtype=object)})


def _tipoff(ctx: Facts) -> pd.DataFrame:

    e = ctx.tipoff_events
    return pd.DataFrame({"off": _i64(e["off"]), "gang": _i64(e["gang"]), "score": _f64(e["score"]),
                         "relay_surprise": _f64(e["relay_surprise"]), "pattern_score": _f64(e["pattern_score"])})


def _structure(ctx: Facts, A: Any, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = ctx.n
    empty_c = pd.DataFrame({"node": np.zeros(0, np.int64), "label": np.zeros(0, np.int64)})
    empty_b = pd.DataFrame({"off": np.zeros(0, np.int64), "brokerage": np.zeros(0)})
    if ctx.n_gangs == 0 or ctx.n_officials == 0 or A.nnz == 0:
        return empty_c, empty_b
    lab = community_labels(algorithms.to_igraph(A), seed)
    b = brokerage(A, seed)
    opos = _i64(ctx.official_pos)
    return (pd.DataFrame({"node": np.arange(n, dtype=np.int64), "label": _i64(lab)}),
            pd.DataFrame({"off": np.arange(len(opos), dtype=np.int64), "brokerage": _f64(b[opos])}))


# ----------------------------------------------------------------------------- Spark and Parquet
def _schema(name: str, df: pd.DataFrame) -> str:
    """A Spark DDL schema for a case table (so empty tables keep their types)."""
    parts = []
    for c, dt in df.dtypes.items():
        if c in ("sectors", "regs"):
            typ = "ARRAY<STRING>"
        elif pd.api.types.is_bool_dtype(dt):
            typ = "BOOLEAN"
        elif pd.api.types.is_integer_dtype(dt):
            typ = "BIGINT"
        elif pd.api.types.is_float_dtype(dt):
            typ = "DOUBLE"
        else:
            typ = "STRING"
        parts.append(f"`{c}` {typ}")
    return ", ".join(parts)


def to_spark(spark: SparkSession, tables: dict[str, pd.DataFrame]) -> dict[str, DataFrame]:
    """The case tables as Spark DataFrames (each also registered as a temporary view)."""
    out = {}
    for name in TABLES:
        df = tables[name].reset_index(drop=True)
        sdf = spark.createDataFrame(df, schema=_schema(name, df))
        sdf.createOrReplaceTempView(name)
        out[name] = sdf
    return out


def write_tables(tables: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write the case tables as Parquet, one file per table under ``path``."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        tables[name].reset_index(drop=True).to_parquet(root / f"{name}.parquet", index=False)
    return root


def read_tables(spark: SparkSession, path: str) -> dict[str, DataFrame]:
    """The case tables from Parquet at ``path`` (a local folder or an ``hdfs://`` /
    ``s3a://`` URI), registered as temporary views."""
    out = {}
    base = str(path).rstrip("/")
    for name in TABLES:
        sdf = spark.read.parquet(f"{base}/{name}.parquet")
        sdf.createOrReplaceTempView(name)
        out[name] = sdf
    return out


def constants() -> dict[str, Any]:
    """The scorer's constants the feature definitions use (read from the memory engine's
    modules, so both engines use one set of numbers)."""
    from .. import signals, structure
    from ..tipoff import PATTERN_EVENT_MIN_SCORE, TIPOFF_MIN_SCORE

    return {
        "LARGE_QUANTILE": signals.LARGE_QUANTILE,
        "EVERYDAY_QUANTILE": signals.EVERYDAY_QUANTILE,
        "BRIBE_QUANTILE": signals.BRIBE_QUANTILE,
        "RELAY_MIN_QUANTILE": signals.RELAY_MIN_QUANTILE,
        "RELAY_SHARE": tuple(signals.RELAY_SHARE),
        "RELAY_WINDOW_NS": int(signals.RELAY_WINDOW / np.timedelta64(1, "ns")),
        "UNIT_CONTRACT_WEIGHT": signals.UNIT_CONTRACT_WEIGHT,
        "KINSHIP_RELATIONS": tuple(signals.KINSHIP_RELATIONS),
        "LEVEL_VALUE": tuple(signals.LEVEL_VALUE),
        "KIN_TIE_WEIGHT": structure._KIN_TIE_WEIGHT,
        "ROLE_EDGE_WEIGHT": structure._ROLE_EDGE_WEIGHT,
        "CONTRACT_EDGE_WEIGHT": structure._CONTRACT_EDGE_WEIGHT,
        "TIPOFF_MIN_SCORE": TIPOFF_MIN_SCORE,
        "PATTERN_EVENT_MIN_SCORE": PATTERN_EVENT_MIN_SCORE,
        "WALK_STEPS": structure.WALK_STEPS,
        "WALK_ALPHA": structure.WALK_ALPHA,
    }
