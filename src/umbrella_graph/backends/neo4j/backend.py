"""The Neo4j graph backend: the backend queries answered with parameterised Cypher."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from neo4j import exceptions as neo4j_errors

from ...graph import CaseGraph
from ..base import TRANSACTION_COLUMNS, GraphBackend, empty_expand, shape_expand
from .codecs import _iso
from .connection import _Guard, _read, _session, _where
from .cypher import (
    _KIND_TYPE,
    _LABEL_KIND,
    _NAME_EXPR,
    _TYPE_KIND,
    _label,
    _rtype,
    _strength_expr,
    _time_expr,
)
from .reader import from_neo4j

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver


# ---------------------------------------------------------------------------------------
# the backend
# ---------------------------------------------------------------------------------------
class Neo4jBackend(GraphBackend):
    """Answer the backend queries with parameterised Cypher on a Neo4j server.

    Parameters
    ----------
    driver : neo4j.Driver
        From :func:`connect` or :func:`neo4j.GraphDatabase.driver`; the backend does not
        close it.
    database : str, optional
        The database holding the case (default: the server's default).
    """

    name = "neo4j"

    def __init__(self, driver: Driver, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    def __repr__(self) -> str:
        return f"<Neo4jBackend {_where(self.driver)} database={self.database or '(default)'}>"

    def _read(self, query: str, params: dict[str, Any], action: str) -> list[list[Any]]:
        guard = _Guard(_where(self.driver), self.database, action)
        with guard(), _session(self.driver, self.database) as s:
            return _read(s, query, params)

    def _nodes(self, ids: Sequence[str]) -> pd.DataFrame:
        got = self._read(f"UNWIND $ids AS i MATCH (x:Entity {{id: i}}) RETURN x.id, labels(x), {_NAME_EXPR}",
                         {"ids": list(ids)}, "looking up nodes")
        kinds = [next((_LABEL_KIND[lab] for lab in labs if lab in _LABEL_KIND), None) for _, labs, _ in got]
        return pd.DataFrame({
            "id": pd.Series([g[0] for g in got], dtype="string"),
            "kind": pd.Series(kinds, dtype="string"),
            "name": pd.Series([g[2] for g in got], dtype="string"),
            "official": pd.Series([_label("Official") in g[1] for g in got], dtype=bool),
        })

    def _expand(self, ids: Sequence[str], kinds: tuple[str, ...]) -> pd.DataFrame:
        types = "|".join(_rtype(_KIND_TYPE[k]) for k in kinds)
        q = (f"UNWIND $ids AS i MATCH (a:Entity {{id: i}})-[x:{types}]-(b:Entity) WHERE a <> b "
             f"RETURN a.id AS a, b.id AS b, type(x) AS t, count(x) AS records, "
             f"sum({_strength_expr('x')}) AS strength, "
             f"toString(min({_time_expr('x')})) AS first_time, "
             f"toString(max({_time_expr('x')})) AS last_time")
        got = self._read(q, {"ids": list(ids)}, "expanding a neighbourhood")
        if not got:
            return empty_expand()
        df = pd.DataFrame(got, columns=["a", "b", "t", "records", "strength", "first_time", "last_time"])
        df["kind"] = df["t"].map(_TYPE_KIND)
        return shape_expand(df)

    def _transactions(self, person_id: str, start: pd.Timestamp | None,
                      end: pd.Timestamp | None) -> pd.DataFrame:
        t = _rtype(_KIND_TYPE["transaction"])
        cond = ("($start IS NULL OR x.date >= localdatetime($start)) AND "
                "($end IS NULL OR x.date < localdatetime($end))")
        ret = "x.id, toString(x.date), x.amount, x.channel, x.memo, x._file, x._row"
        q = (f"MATCH (p:Entity {{id: $id}})-[x:{t}]->(c:Entity) WHERE {cond} "
             f"RETURN {ret}, p.id AS src_id, c.id AS dst_id "
             f"UNION ALL MATCH (p:Entity {{id: $id}})<-[x:{t}]-(c:Entity) WHERE c <> p AND {cond} "
             f"RETURN {ret}, c.id AS src_id, p.id AS dst_id")
        params = {"id": person_id,
                  "start": None if start is None else _iso(pd.Series([start]))[0],
                  "end": None if end is None else _iso(pd.Series([end]))[0]}
        got = self._read(q, params, "reading payments")
        df = pd.DataFrame(got, columns=["id", "date", "amount", "channel", "memo", "_file", "_row",
                                        "src_id", "dst_id"])
        df["date"] = pd.to_datetime(df["date"], format="ISO8601").astype("datetime64[ns]")
        return df[list(TRANSACTION_COLUMNS)]

    def gds_version(self) -> str | None:
        """The Graph Data Science plugin's version, or None when it is not installed.

        Detected, never required: every query of this backend runs without it.
        """
        guard = _Guard(_where(self.driver), self.database, "checking for Graph Data Science")
        with guard(), _session(self.driver, self.database) as s:
            try:
                got = _read(s, "RETURN gds.version() AS v")
            except neo4j_errors.ClientError as exc:
                if ".Statement." in (exc.code or "") or ".Procedure." in (exc.code or ""):
                    return None
                raise
        return str(got[0][0]) if got else None

    def to_graph(self) -> CaseGraph:
        """The stored case as an in-memory graph (:func:`from_neo4j`)."""
        return from_neo4j(self.driver, database=self.database)
