"""The explanations' facts: the record columns and the collapsed path graph.

The sixth stage of the case's facts, added on the first explanation by
:func:`umbrella_graph.scoring.facts.explain_facts` (:func:`path_facts`): what :func:`umbrella_graph.scoring.explain` searches for evidence
paths, computed once per case. A pure function of the earlier stages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..domain import tie_relation
from ..schema import CONTROL_ROLES
from ._context import Facts

__all__ = ["PATH_KINDS", "path_facts"]

#: Record kinds an evidence path may follow. Places (villages, the administrative
#: tree, posts) are left out: living in the same village is not evidence.
PATH_KINDS: tuple[str, ...] = ("transaction", "contact", "tie", "company_role", "contract", "approval",
                               "works_in")
#: Before its last hop a path prefix only continues along the strongest
#: ``MAX_BRANCH`` links of its last node (links to gang-side nodes are always followed):
#: a weak link makes a weak path, and a node with thousands of contacts would otherwise
#: multiply the work by its degree.
MAX_BRANCH = 200


def path_facts(ctx: Facts) -> dict[str, Any]:
    """``explain_arrays`` (plain numpy columns of the graph's records) and ``paths``
    (the collapsed evidence graph: strengths per node pair, degrees, hubs, the records of
    each link), for ``Facts``."""
    arr = _arrays(ctx)
    return {"explain_arrays": arr, "paths": _path_graph(ctx, arr)}


def _arrays(ctx: Facts) -> dict[str, Any]:
    """Columns of graph.edges / graph.nodes and the record kinds used here, converted
    to plain numpy arrays once per case (Arrow-backed columns are slow to convert)."""
    g = ctx.graph
    e = g.edges
    case = g.case
    out: dict[str, Any] = {
        "ids": g.nodes["id"].to_numpy(dtype=object),
        "src": e["src"].to_numpy(),
        "dst": e["dst"].to_numpy(),
        "kind": e["kind"].astype(str).to_numpy(dtype=object),
        # contact kinds are a validated enum: only meetings weigh more
        "contact_kind": np.where((case["contacts"]["kind"] == "meeting").fillna(False).to_numpy(dtype=bool),
                                 "meeting", "other").astype(object),
        # the family relation of each tie ("" for none): umbrella_graph.domain.tie_relation
        "tie_kind": tie_relation(case["ties"]["kind"]) if len(case["ties"]) else np.zeros(0, dtype=object),
        "role": case["company_roles"]["role"].astype("string").str.lower().fillna("").to_numpy(dtype=object),
    }
    return out


# ----------------------------------------------------------------------------- the path graph
def _record_values(ctx: Facts, e: pd.DataFrame, arr: Mapping[str, Any] | None = None) -> np.ndarray:
    """How much each record (a row of graph.edges) says about a link, before saturation.

    A transfer counts its amount / the case's 90th percentile of transfers (at least
    0.05), a contact 0.25 (a meeting
    0.5), a family tie 2 and another tie 0.4, control of a company 2 and another role 1,
    a contract 1.5, a post in a unit 0.3.
    """
    arr = ctx.explain_arrays if arr is None else arr
    if isinstance(ctx.graph.edges.index, pd.RangeIndex) and ctx.graph.edges.index.start == 0 \
            and ctx.graph.edges.index.step == 1:  # rows of graph.edges: reuse the cached kinds
        kind = arr["kind"][e.index.to_numpy()]
    else:
        kind = e["kind"].astype(str).to_numpy()
    pos = e["pos"].to_numpy()
    val = np.zeros(len(e))
    strength = e["strength"].to_numpy(dtype=float)
    is_tx = kind == "transaction"
    val[is_tx] = np.maximum(np.nan_to_num(strength[is_tx], nan=0.0) / ctx.amount_at(0.9), 0.05)
    is_ct = kind == "contact"
    if is_ct.any():
        ck = arr["contact_kind"]
        val[is_ct] = np.where(ck[pos[is_ct]] == "meeting", 0.5, 0.25)
    is_tie = kind == "tie"
    if is_tie.any():
        tk = arr["tie_kind"]
        val[is_tie] = np.where(tk[pos[is_tie]] != "", 2.0, 0.4)
    is_role = kind == "company_role"
    if is_role.any():
        rt = arr["role"]
        val[is_role] = np.where(np.isin(rt[pos[is_role]], list(CONTROL_ROLES)), 2.0, 1.0)
    val[np.isin(kind, ["contract", "approval"])] = 1.5
    val[kind == "works_in"] = 0.3
    return val


def _path_graph(ctx: Facts, arr: Mapping[str, Any]) -> dict[str, Any]:
    """Collapsed evidence graph: strengths per node pair, degrees, hubs, edge lookup."""
    graph = ctx.graph
    n = ctx.n
    e = graph.edges
    sel = e["kind"].isin(PATH_KINDS).to_numpy() & (e["src"].to_numpy() != e["dst"].to_numpy())
    e = e[sel]
    src, dst = e["src"].to_numpy(), e["dst"].to_numpy()
    a, b = np.minimum(src, dst), np.maximum(src, dst)
    val = _record_values(ctx, e, arr)
    pk = a.astype(np.int64) * n + b.astype(np.int64)
    uk, inv = np.unique(pk, return_inverse=True)
    tot = np.bincount(inv, weights=val, minlength=len(uk))
    pa, pb = uk // n, uk % n
    s = np.clip(1.0 - np.exp(-tot), 0.01, 1.0)
    S = sp.coo_matrix((np.concatenate([s, s]), (np.concatenate([pa, pb]), np.concatenate([pb, pa]))),
                      shape=(n, n)).tocsr()
    S.sort_indices()
    deg = np.diff(S.indptr)
    ent = ctx.is_person | ctx.is_company
    base = deg[ent & (deg > 0)]
    thr = max(50.0, float(np.quantile(base, 0.995))) if len(base) else 50.0
    hub = (ctx.kind == "unit") | (ctx.kind == "village") | (ent & (deg > thr))
    # record lookup by pair key
    key = pk
    order = np.argsort(key, kind="stable")
    # per row, its MAX_BRANCH strongest links (ties: lower node position first)
    row_of_nnz = np.repeat(np.arange(n), deg)
    o2 = np.lexsort((S.indices, -S.data, row_of_nnz))
    rank = np.empty(len(o2), dtype=np.int64)
    rank[o2] = np.arange(len(o2)) - S.indptr[row_of_nnz[o2]]
    out = {"S": S, "deg": deg, "hub": hub, "hub_threshold": thr, "edges": e.iloc[order],
           "keys": key[order], "row_of_nnz": row_of_nnz, "top_branch": rank < MAX_BRANCH}
    return out
