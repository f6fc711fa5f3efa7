"""Which nodes a view shows: argument checks, the relevance rule within ``max_nodes``, the
view's note on what was left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import ParameterError
from ..graph import EDGE_KINDS, CaseGraph
from .style import _CSS_LENGTH, _ROLE_RANK, DEFAULT_VIEW_KINDS


# ---------------------------------------------------------------------------------------
# selection
# ---------------------------------------------------------------------------------------
def _check_kinds(kinds: Iterable[str] | None, func: str) -> tuple[str, ...]:
    if kinds is None:
        return DEFAULT_VIEW_KINDS
    if isinstance(kinds, str):
        kinds = [kinds]
    out = tuple(dict.fromkeys(str(k) for k in kinds))
    bad = [k for k in out if k not in EDGE_KINDS]
    if bad or not out:
        raise ParameterError.invalid("kinds", func, "edge kinds from " + ", ".join(EDGE_KINDS), bad or "[]")
    return out


def _check_budget(max_nodes: int, func: str) -> None:
    if not isinstance(max_nodes, (int, np.integer)) or isinstance(max_nodes, bool) or max_nodes < 2:
        raise ParameterError.invalid("max_nodes", func, "an integer >= 2", max_nodes)


def _check_css(height: str, func: str) -> None:
    if not isinstance(height, str) or not _CSS_LENGTH.match(height):
        raise ParameterError.invalid("height", func, "a CSS length such as '650px' or '80vh'", height)


def _score_map(scores: pd.DataFrame | None, *, gang_id: str | None, func: str) -> dict[str, float]:
    """official id -> score (for one gang, or the best over gangs)."""
    if scores is None:
        return {}
    if not isinstance(scores, pd.DataFrame):
        raise ParameterError.invalid("scores", func, "a DataFrame from score_umbrellas", type(scores).__name__)
    missing = [c for c in ("official_id", "gang_id", "score") if c not in scores.columns]
    if missing:
        raise ParameterError.invalid("scores", func, "a DataFrame with columns official_id, gang_id, score",
                                     f"missing {', '.join(missing)}")
    s = scores
    if gang_id is not None:
        s = s[s["gang_id"].astype(str) == gang_id]
    if not len(s):
        return {}
    best = s.groupby(s["official_id"].astype(str), sort=True)["score"].max()
    return {str(k): float(v) for k, v in best.items() if pd.notna(v)}


def _bfs(A: sp.csr_matrix, sources: Sequence[int], max_depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Multi-source BFS: hop distance (-1 unreached) and a deterministic predecessor."""
    n = A.shape[0]
    dist = np.full(n, -1, dtype=np.int64)
    pred = np.full(n, -1, dtype=np.int64)
    frontier = np.unique(np.asarray(sources, dtype=np.int64))
    dist[frontier] = 0
    for d in range(1, max_depth + 1):
        if not len(frontier):
            break
        sub = A[frontier].tocoo()
        rows, cols = frontier[sub.row], sub.col.astype(np.int64)
        keep = dist[cols] == -1
        rows, cols = rows[keep], cols[keep]
        if not len(cols):
            break
        order = np.lexsort((rows, cols))
        rows, cols = rows[order], cols[order]
        new, first = np.unique(cols, return_index=True)
        dist[new] = d
        pred[new] = rows[first]
        frontier = new
    return dist, pred


def _grow(A: sp.csr_matrix, chosen: list[int], budget: int, depth: int) -> list[int]:
    """Add neighbours ring by ring, most records into the chosen set first, then by position."""
    out = list(chosen)
    have = np.zeros(A.shape[0], dtype=bool)
    have[out] = True
    for _ in range(depth):
        if len(out) >= budget:
            break
        ind = np.zeros(A.shape[0])
        ind[out] = 1.0
        links = A @ ind  # records into the chosen set (A is a count matrix)
        cand = np.flatnonzero((links > 0) & ~have)
        if not len(cand):
            break
        cand = cand[np.lexsort((cand, -links[cand]))]
        take = cand[: budget - len(out)]
        out.extend(int(c) for c in take)
        have[take] = True
    return out


def _select_case(
    graph: CaseGraph,
    scores: pd.DataFrame | None,
    *,
    max_nodes: int,
    officials: int,
    focus: Sequence[str],
    kinds: tuple[str, ...],
    func: str,
) -> list[int]:
    nodes = graph.nodes
    chosen: list[int] = [int(p) for p in graph.index_of(list(focus)) if p >= 0] if focus else []
    chosen.extend(np.flatnonzero((nodes["kind"] == "gang").to_numpy()).tolist())
    score_map = _score_map(scores, gang_id=None, func=func)
    if score_map:
        top = sorted(score_map.items(), key=lambda kv: (-kv[1], kv[0]))[:officials]
        chosen.extend(int(p) for p in graph.index_of([o for o, _ in top]) if p >= 0)
    members = graph.case["members"]
    if len(members):
        rk = members["role"].astype("string").fillna("member").map(lambda r: _ROLE_RANK.get(r, 2))
        m = members.assign(_rank=rk.to_numpy()).sort_values(["_rank", "gang_id", "person_id"], kind="stable")
        chosen.extend(int(p) for p in graph.index_of(m["person_id"].astype(str).tolist()) if p >= 0)
    chosen = list(dict.fromkeys(chosen))[:max_nodes]
    A = graph.adjacency(kinds, weight="count")
    if len(chosen) < max_nodes:
        chosen = _grow(A, chosen, max_nodes, depth=2)
    if len(chosen) < max_nodes:
        deg = np.asarray(A.sum(axis=1)).ravel()
        have = np.zeros(len(nodes), dtype=bool)
        have[chosen] = True
        cand = np.flatnonzero((deg > 0) & ~have)
        cand = cand[np.lexsort((cand, -deg[cand]))]
        chosen.extend(int(c) for c in cand[: max_nodes - len(chosen)])
    return chosen[:max_nodes]


def _note(graph: CaseGraph, chosen: Sequence[int], rule: str) -> str:
    total = graph.number_of_nodes()
    shown = len(chosen)
    if shown >= total:
        return f"All {total:,} nodes shown."
    kinds = graph.nodes["kind"].astype(str).to_numpy()
    mask = np.ones(total, dtype=bool)
    mask[list(chosen)] = False
    left = pd.Series(kinds[mask]).value_counts()
    plural = {"person": "people", "company": "companies", "village": "villages", "unit": "units",
              "event": "events", "lead": "leads", "gang": "gangs"}
    left_txt = ", ".join(f"{int(c):,} {plural.get(str(k), str(k))}" for k, c in left.items())
    return f"{shown:,} of {total:,} nodes shown. {rule} Left out: {left_txt}."
