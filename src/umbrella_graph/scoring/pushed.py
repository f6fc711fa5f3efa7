"""Scoring a case stored in Neo4j with the work pushed to the server: :func:`score_in_neo4j`.

:func:`~umbrella_graph.backends.from_neo4j` reads every record with every column back
into this process. :func:`score_in_neo4j` instead has the server

* select and project the records: only the columns the scorer reads travel (no names,
  personal numbers, free text or extra columns);
* aggregate over the whole case: the quantiles of the ordinary transfers that every
  amount threshold of the scorer is (family money and wages found by pattern matches);
* group per pair: the ``member``, ``leads_gang`` and ``leads_other`` features, as Cypher
  aggregations per (official, gang) and per official;

and hands the server's results to :func:`~umbrella_graph.scoring.score_umbrellas`
explicitly (``precomputed=``, a :class:`~umbrella_graph.scoring.PrecomputedFacts`). The
scores equal those of the in-memory engine (tests compare them to 1e-9). What still runs
in this process, and why, is in docs/neo4j.md ("Scoring on the server").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..domain import tie_relation
from ..graph import build_graph
from ._context import ROLE_WEIGHT
from .gangside import COMPANY_MONEY_QUANTILE
from .precomputed import PrecomputedFacts
from .signals import BRIBE_QUANTILE, EVERYDAY_QUANTILE, LARGE_QUANTILE, RELAY_MIN_QUANTILE

if TYPE_CHECKING:  # pragma: no cover
    from neo4j import Driver

    from ..graph import CaseGraph
    from .model import UmbrellaClassifier

__all__ = ["score_in_neo4j", "neo4j_facts", "AMOUNT_QUANTILES"]

#: Every quantile of the ordinary transfers the scorer reads (thresholds of the money,
#: relay and gang-company signals, the structure matrix's transfer weight, the evidence
#: strength of a payment).
AMOUNT_QUANTILES: tuple[float, ...] = tuple(sorted({0.7, 0.9, LARGE_QUANTILE, EVERYDAY_QUANTILE, BRIBE_QUANTILE,
                                                   RELAY_MIN_QUANTILE, COMPANY_MONEY_QUANTILE}))


def _lower(values: list[Any]) -> list[str]:
    return [str(v).strip().lower() if v is not None else "" for v in values]


def neo4j_facts(driver: Driver, *, database: str | None = None) -> PrecomputedFacts:
    """What the Neo4j server computes for the scorer, as :class:`PrecomputedFacts`.

    The vocabulary (which stored tie kinds are family, which company roles are
    employment, the weight of each member role) is the scorer's: the server reports the
    distinct spellings it holds, they are classified here and sent back as parameters.

    Raises
    ------
    BackendError
        The server cannot be used or holds no complete case.
    """
    from ..backends.neo4j import compute

    vocab = compute.stored_vocabulary(driver, database=database)
    kinds = [k for k in vocab["tie_kinds"] if k is not None]
    family = [k for k, rel in zip(kinds, tie_relation(pd.Series(kinds, dtype=object)), strict=True)
              if rel != ""] if kinds else []
    roles = [r for r in vocab["company_roles"] if r is not None]
    employee = [r for r, low in zip(roles, _lower(roles), strict=True) if low == "employee"]
    mroles = [r for r in vocab["member_roles"] if r is not None]
    weights = {r: ROLE_WEIGHT[low] for r, low in zip(mroles, _lower(mroles), strict=True) if low in ROLE_WEIGHT}
    _, quantiles = compute.ordinary_amount_quantiles(driver, AMOUNT_QUANTILES, family_kinds=family,
                                                     employee_roles=employee, database=database)
    member = compute.member_pairs(driver, weights, ROLE_WEIGHT["member"], database=database)
    leads_gang, leads_other = compute.lead_pairs(driver, database=database)
    return PrecomputedFacts(amount_quantiles=quantiles, member=member, leads_gang=leads_gang,
                            leads_other=leads_other, source="neo4j")


def scoring_graph_from_neo4j(driver: Driver, *, database: str | None = None) -> CaseGraph:
    """The graph the scorer needs, from the server's projection (no names, no free text)."""
    from ..backends.neo4j import compute

    return build_graph(compute.read_scoring_case(driver, database=database))


def score_in_neo4j(
    driver: Driver,
    *,
    database: str | None = None,
    gangs: list[str] | None = None,
    officials: list[str] | None = None,
    model: UmbrellaClassifier | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Score the case stored in Neo4j, the server doing the selection and the aggregations.

    Same result as ``score_umbrellas(from_neo4j(driver), ...)`` (to 1e-9, tested), without
    reading the whole case back: see the module docstring for what the server computes.

    Parameters
    ----------
    driver : neo4j.Driver
        From :func:`~umbrella_graph.backends.connect`.
    database : str, optional
        The database holding the case (default: the server's default).
    gangs, officials, model, seed
        As in :func:`~umbrella_graph.scoring.score_umbrellas`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~umbrella_graph.scoring.score_umbrellas`.

    Raises
    ------
    BackendError
        The server cannot be used or holds no complete case.
    ParameterError
        As :func:`~umbrella_graph.scoring.score_umbrellas`.

    Examples
    --------
    >>> from umbrella_graph.backends import connect, to_neo4j  # doctest: +SKIP
    >>> driver = connect("bolt://localhost:7687", "neo4j", "secret")  # doctest: +SKIP
    >>> score_in_neo4j(driver, seed=0).head()  # doctest: +SKIP
    """
    from .score import score_umbrellas

    graph = scoring_graph_from_neo4j(driver, database=database)
    facts = neo4j_facts(driver, database=database)
    return score_umbrellas(graph, gangs=gangs, officials=officials, model=model, seed=seed,
                           precomputed=facts)
