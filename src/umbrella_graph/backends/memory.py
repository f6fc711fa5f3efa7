"""The in-memory backend: the queries of :class:`~umbrella_graph.backends.GraphBackend`
answered from a :class:`~umbrella_graph.graph.CaseGraph`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..graph import CaseGraph
from .base import TRANSACTION_COLUMNS, GraphBackend, empty_expand, shape_expand

__all__ = ["MemoryBackend"]


class MemoryBackend(GraphBackend):
    """Answer the backend queries from an in-memory case graph.

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph` (or :func:`~umbrella_graph.backends.from_neo4j`).

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames, build_graph
    >>> from umbrella_graph.backends import MemoryBackend
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a", "b", "c"], "name": ["甲", "乙", "丙"]}),
    ...     transactions=pd.DataFrame({"src": ["a", "b"], "dst": ["b", "c"],
    ...                                "amount": [100, 50], "date": ["2020-01-01", "2020-02-01"]}))
    >>> mb = MemoryBackend(build_graph(case))
    >>> mb.neighbourhood("a", hops=2)[["id", "hops", "records"]].to_string(index=False)
    'id  hops  records\\n a     0        0\\n b     1        1\\n c     2        1'
    >>> mb.money_flow("b")[["direction", "counterparty_id", "amount"]].to_string(index=False)
    'direction counterparty_id  amount\\n       in               a   100.0\\n      out               c    50.0'
    """

    name = "memory"

    def __init__(self, graph: CaseGraph) -> None:
        self.graph = graph

    def __repr__(self) -> str:
        return f"<MemoryBackend {self.graph!r}>"

    def _nodes(self, ids: Sequence[str]) -> pd.DataFrame:
        pos = self.graph.index_of(list(ids))
        pos = pos[pos >= 0]
        n = self.graph.nodes.iloc[pos]
        return pd.DataFrame({
            "id": n["id"].astype("string").to_numpy(),
            "kind": n["kind"].astype("string").to_numpy(),
            "name": n["name"].astype("string").to_numpy(),
            "official": n["official"].astype(bool).to_numpy(),
        })

    def _expand(self, ids: Sequence[str], kinds: tuple[str, ...]) -> pd.DataFrame:
        pos = self.graph.index_of(list(ids))
        pos = pos[pos >= 0]
        e = self.graph.edges
        e = e[e["kind"].isin(list(kinds)) & (e["src"] != e["dst"])]
        fwd = e[np.isin(e["src"].to_numpy(), pos)]
        bwd = e[np.isin(e["dst"].to_numpy(), pos)]
        if not len(fwd) and not len(bwd):
            return empty_expand()
        both = pd.DataFrame({
            "a": np.concatenate([fwd["src"].to_numpy(), bwd["dst"].to_numpy()]),
            "b": np.concatenate([fwd["dst"].to_numpy(), bwd["src"].to_numpy()]),
            "kind": np.concatenate([fwd["kind"].astype(str).to_numpy(), bwd["kind"].astype(str).to_numpy()]),
            "strength": np.concatenate([fwd["strength"].to_numpy(float), bwd["strength"].to_numpy(float)]),
            "time": np.concatenate([fwd["time"].to_numpy("datetime64[ns]"), bwd["time"].to_numpy("datetime64[ns]")]),
        })
        g = both.groupby(["a", "b", "kind"], sort=True).agg(
            records=("strength", "size"), strength=("strength", "sum"),
            first_time=("time", "min"), last_time=("time", "max")).reset_index()
        ids_arr = self.graph.nodes["id"].astype(str).to_numpy()
        g["a"] = ids_arr[g["a"].to_numpy()]
        g["b"] = ids_arr[g["b"].to_numpy()]
        return shape_expand(g)

    def _transactions(self, person_id: str, start: pd.Timestamp | None,
                      end: pd.Timestamp | None) -> pd.DataFrame:
        rec = self.graph.records("transaction")
        if not len(rec):
            return pd.DataFrame({c: [] for c in TRANSACTION_COLUMNS})
        keep = (rec["src_id"] == person_id) | (rec["dst_id"] == person_id)
        if start is not None:
            keep &= rec["date"] >= start
        if end is not None:
            keep &= rec["date"] < end
        return rec.loc[keep, list(TRANSACTION_COLUMNS)].reset_index(drop=True)
