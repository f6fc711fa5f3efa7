"""The SQL of the cut walk (``sql.walk_views``) for every step count, run on DuckDB.

The Spark engine runs these views with ``WALK_STEPS = 4`` only (tests/test_spark.py); the
views are written for any count, with branches (one backward step, three or more) that
the scorer's constant never reaches. Here the same SQL runs on DuckDB, in process, for
0 to 6 steps and is compared with :func:`umbrella_graph.walks.truncated_pagerank_many`.
"""

from __future__ import annotations

import duckdb
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from umbrella_graph.scoring.engines.sql import walk_views
from umbrella_graph.walks import truncated_pagerank_many


def _case() -> tuple[sp.csr_matrix, list[list[int]], np.ndarray]:
    G = nx.gnm_random_graph(60, 150, seed=5, directed=True)  # directed, with dangling nodes
    rng = np.random.default_rng(2)
    n = G.number_of_nodes()
    rows, cols = zip(*G.edges(), strict=True)
    A = sp.csr_matrix((rng.uniform(0.5, 3.0, len(rows)), (rows, cols)), shape=(n, n))
    sets = [[0], [3, 7, 11], [20, 21]]
    pairs = np.array([(g, v) for g in range(len(sets)) for v in range(n)], dtype=np.int64)
    return A, sets, pairs


@pytest.mark.parametrize("steps", [0, 1, 2, 3, 4, 5, 6])
def test_walk_views_equal_the_memory_walk_for_any_step_count(steps: int) -> None:
    A, sets, pairs = _case()
    strength = np.asarray(A.sum(axis=1)).ravel()
    C = A.tocoo()
    transition = pd.DataFrame({"u": C.row.astype(np.int64), "v": C.col.astype(np.int64),
                               "p": C.data / strength[C.row]})
    seeds = pd.DataFrame([(g, v, 1.0 / len(s)) for g, s in enumerate(sets) for v in s],
                         columns=["gang", "node", "p"])
    pair_table = pd.DataFrame({"gang": pairs[:, 0], "node": pairs[:, 1]})
    con = duckdb.connect()
    con.register("transition", transition)
    con.register("seeds", seeds)
    con.register("pairs", pair_table)
    views = walk_views({"WALK_STEPS": steps, "WALK_ALPHA": 0.85})
    assert [name for name, _ in views][-1] == "ppr_result"
    for name, query in views:
        con.execute(f"CREATE VIEW {name} AS {query}")
    got = con.execute("SELECT gang, node, x FROM ppr_result ORDER BY gang, node").df()
    want = truncated_pagerank_many(A, sets, steps=steps, alpha=0.85, pairs=pairs)
    assert len(got) == len(pairs)
    np.testing.assert_allclose(got["x"].to_numpy(), want, rtol=1e-12, atol=1e-15)
    assert (want > 0).sum() > len(sets)  # the walk reaches beyond the seeds
