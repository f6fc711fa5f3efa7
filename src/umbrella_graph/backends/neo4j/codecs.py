"""Values to and from Neo4j: columns as driver values, dtypes restored, the case fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ...case import Case
from ...schema import RELATIONS, TABLES
from .cypher import _prop

#: Version of the stored layout; from_neo4j refuses stores it does not know.
STORE_FORMAT = 1
_META_KEY = "case"
_RESERVED = frozenset({"_primary", "_table"})

_TEMPORAL = ("date", "datetime")
#: Tables whose records are not part of the graph; their rows live on the CaseMeta node.
_META_TABLES = tuple(t for t, s in TABLES.items()
                     if s.node_kind is None and not any(r.table == t for r in RELATIONS))
_MULTI = frozenset(t for t in TABLES if sum(r.table == t for r in RELATIONS) > 1)

# ---------------------------------------------------------------------------------------
# value conversion
# ---------------------------------------------------------------------------------------
def _iso(values: pd.Series) -> list[str | None]:
    """Datetimes as ISO strings (None for NaT): to the second when no value has a
    fraction of a second (shorter to send and to parse), else with nanoseconds."""
    arr = pd.to_datetime(values).to_numpy(dtype="datetime64[ns]")
    nat = np.isnat(arr)
    whole = bool(((arr[~nat].view("int64") % 1_000_000_000) == 0).all())
    out = np.datetime_as_string(arr, unit="s" if whole else "ns").astype(object)
    out[nat] = None
    return list(out)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    return v


def _values(s: pd.Series) -> list[Any]:
    """A column as plain Python values for the driver (None where missing)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _iso(s)
    out: list[Any] = s.to_numpy(dtype=object, na_value=None).tolist()
    if s.dtype == object:
        out = [_plain(v) for v in out]
    return out


def _dtype_token(dtype: Any) -> str:
    if isinstance(dtype, pd.StringDtype):
        return "str" if dtype.na_value is not pd.NA else f"string[{dtype.storage}]"
    return str(dtype)


def _restore(s: pd.Series, token: str) -> pd.Series:
    """Give a column read back from Neo4j the dtype it had when loaded."""
    try:
        if token.startswith("datetime64"):
            return pd.to_datetime(s, format="ISO8601").astype(token)
        if token == "object":
            return s.astype(object).where(s.notna(), None)
        return s.astype(token)
    except (TypeError, ValueError):
        return s


def case_fingerprint(case: Case) -> str:
    """A hash of every table (values, columns, dtypes and provenance) of ``case``.

    The same case always gives the same fingerprint; any change to a cell changes it.
    """
    h = hashlib.sha256()
    tables = case.tables
    for t in sorted(tables):
        df = tables[t]
        h.update(t.encode())
        h.update(json.dumps([[str(c), _dtype_token(df[c].dtype)] for c in df.columns]).encode())
        try:
            hv = pd.util.hash_pandas_object(df, index=False)
        except TypeError:
            hv = pd.util.hash_pandas_object(df.astype(str), index=False)
        h.update(np.ascontiguousarray(hv.to_numpy()).tobytes())
    return h.hexdigest()[:32]


def _projection(var: str, table: str, columns: Sequence[str] | None = None) -> str:
    """Cypher map of a record's properties, times as ISO strings: all of them (``.*``), or
    only ``columns`` (schema or provenance names)."""
    temporal = [c.name for c in TABLES[table].columns if c.type in _TEMPORAL]
    if columns is None:
        extra = "".join(f", {_prop(c)}: toString({var}.{_prop(c)})" for c in temporal)
        return f"{var} {{.*{extra}}}"
    parts = [f"{_prop(c)}: toString({var}.{_prop(c)})" if c in temporal else f".{_prop(c)}" for c in columns]
    return f"{var} {{{', '.join(parts)}}}"


def _frame(records: list[dict[str, Any]], info: dict[str, Any], table: str) -> pd.DataFrame:
    """Records read from the store as a table: in the order they were loaded (file, row),
    extra columns with their dtypes, times as ``datetime64[ns]``."""
    cols = list(info["columns"])
    df = pd.DataFrame.from_records(records, columns=cols) if records else pd.DataFrame({c: [] for c in cols})
    if len(df):
        order = {f: i for i, f in enumerate(info.get("files", []))}
        rank = df["_file"].map(lambda f: order.get(f, len(order)))
        df = (df.assign(__rank=rank).sort_values(["__rank", "_file", "_row"], kind="stable")
              .drop(columns="__rank").reset_index(drop=True))
    for c, token in info.get("dtypes", {}).items():
        if c in df.columns:
            df[c] = _restore(df[c], token)
    for c in TABLES[table].columns:
        if c.type in _TEMPORAL and c.name in df.columns:
            df[c.name] = pd.to_datetime(df[c.name], format="ISO8601").astype("datetime64[ns]")
    if "_row" in df.columns:
        df["_row"] = df["_row"].astype("int64")
    return df
