"""The gang side beyond the member list: who acts for a gang, and how sure we are.

Police member lists are incomplete: some members (even core members) are missing, and
front men (白手套) who are not members own the gang's companies and move its money. The
scorer therefore counts money, contacts and contracts with the whole *gang side*, each
actor weighted by a confidence in ``[0, 1]``:

* **listed members**: confidence 1 (their listed role sets how much a contact with them
  weighs: leader 1, core 0.8, member 0.5);
* **gang companies**: a company is the gang's when listed members control it (owner,
  legal representative, director, manager, shareholder), work there, or exchange large
  sums (the case's 93rd percentile of transfers or more) with it;
* **front men**: people who control a gang company without being listed;
* **unlisted members**: people whose contacts and money are concentrated on several
  listed members, who work for a gang company, or who exchange many large sums (four
  or more of at least ¥10,000) with its members and companies.

Officials are never put on a gang's side (they are what is being scored), and family
ties do not count as evidence of membership (a member's wife calls him because she is
his wife).

Each piece of evidence gives a probability and the pieces are combined with a
*noisy-OR* (``1 - prod(1 - e_i)``), so one strong piece (controlling a gang company) or
several weak ones (calls with three members and pay from the leader) both give a high
confidence. The exact rules are in :func:`infer_gang_side` and docs/signals.md.
"""

from __future__ import annotations

import pandas as pd

from ..graph import CaseGraph
from ._context import (
    COMPANY_CONTACT_WEIGHT,
    COMPANY_MONEY_QUANTILE,
    EMPLOYEE_WEIGHT,
    INFERRED_CONTACT_WEIGHT,
    MIN_CONFIDENCE,
    Facts,
    check_ids,
)
from .facts import facts_of

__all__ = ["infer_gang_side", "gang_companies"]
__all__ += ["COMPANY_MONEY_QUANTILE", "MIN_CONFIDENCE", "INFERRED_CONTACT_WEIGHT", "COMPANY_CONTACT_WEIGHT",
            "EMPLOYEE_WEIGHT"]  # the rules' constants (defined in _context with the inference)

# The inference itself lives in ``_context`` with the other prepared facts: the gang side
# is computed once per case (:attr:`Facts.side`); its constants are re-exported here.


def side_table(ctx: Facts) -> pd.DataFrame:
    """The whole gang side of every gang: :attr:`Facts.side` (computed once per case).

    Columns: ``node``, ``gang`` (index), ``conf`` (confidence the node acts for the
    gang), ``conf_core`` (the same without the money evidence, used to tell a gang
    member who is also an official's relative from a relative who was paid), ``weight``
    (how much a contact with the node counts), ``kind`` (listed | front_man | inferred |
    company) and the evidence columns behind the confidence.
    """
    return ctx.side


def _reasons(ctx: Facts, side: pd.DataFrame) -> list[str]:
    ids = ctx.graph.nodes["id"].to_numpy()
    out = []
    for row in side.itertuples(index=False):
        if row.kind == "listed":
            out.append(f"listed member ({row.role or 'member'})")
            continue
        bits = []
        if row.kind == "company":
            if row.control > 0:
                bits.append("controlled by listed members")
            if row.employees > 0:
                bits.append(f"employs {int(row.employees)} listed member(s)")
            if row.transfers > 0:
                bits.append(f"{int(row.transfers)} large transfer(s) with listed members")
            out.append("; ".join(bits))
            continue
        if row.ctrl_company >= 0:
            bits.append(f"controls gang company {ids[int(row.ctrl_company)]}")
        if row.emp_company >= 0:
            bits.append(f"works for gang company {ids[int(row.emp_company)]}")
        if row.ct_n > 0:
            bits.append(f"{int(row.ct_n)} contact(s) with {int(row.ct_d)} listed member(s)")
        if row.tx_n > 0:
            bits.append(f"{int(row.tx_n)} transfer(s) with {int(row.tx_d)} listed member(s)")
        if row.big_n > 3:
            bits.append(f"{int(row.big_n)} transfers of at least {ctx.amount_at(COMPANY_MONEY_QUANTILE):,.0f} "
                        "(the case's 93rd percentile) with the gang's "
                        "leaders or companies")
        out.append("; ".join(bits))
    return out


def infer_gang_side(graph: CaseGraph, gang_id: str) -> pd.DataFrame:
    """The people who act for a gang, listed or not, with a confidence and the reasons.

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph`.
    gang_id : str
        A gang of the case.

    Returns
    -------
    pandas.DataFrame
        One row per person, most confident first (ties by id): ``person_id``,
        ``confidence`` in ``[0, 1]`` (1 for listed members), ``reasons`` (the evidence
        in words, citing ids, never names), ``kind`` (``listed``, ``front_man`` for
        people who control a gang company without being listed, ``inferred`` for
        likely unlisted members) and ``role`` (the listed role, ``""`` otherwise).
        Officials are never included: they are the subjects of the scoring.

    Raises
    ------
    ParameterError
        If ``gang_id`` is not a gang of the case.

    See Also
    --------
    gang_companies : the companies the gang controls.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> city = generate_city(people=600, gangs=2, seed=1)
    >>> side = infer_gang_side(ug.build_graph(city.case), "G01")
    >>> side.columns.tolist()
    ['person_id', 'confidence', 'reasons', 'kind', 'role']
    >>> bool(side["confidence"].between(0, 1).all())
    True
    """
    ctx = facts_of(graph, "infer_gang_side")
    gi = int(check_ids(ctx, [gang_id], "gangs", "infer_gang_side")[0])
    side = ctx.side
    s = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() != "company")].copy()
    ids = ctx.graph.nodes["id"].to_numpy()
    out = pd.DataFrame({"person_id": ids[s["node"].to_numpy()].astype(str),
                        "confidence": s["conf"].to_numpy(dtype=float).round(6),
                        "reasons": _reasons(ctx, s), "kind": s["kind"].to_numpy(),
                        "role": s["role"].fillna("").to_numpy()})
    return out.sort_values(["confidence", "person_id"], ascending=[False, True]).reset_index(drop=True)


def gang_companies(graph: CaseGraph, gang_id: str) -> pd.DataFrame:
    """The companies a gang controls, with a confidence and the reasons.

    Returns
    -------
    pandas.DataFrame
        ``company_id``, ``confidence``, ``reasons``, most confident first.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> from umbrella_graph.synth import generate_city
    >>> g = ug.build_graph(generate_city(people=600, gangs=2, seed=1).case)
    >>> gang_companies(g, "G01").columns.tolist()
    ['company_id', 'confidence', 'reasons']
    """
    ctx = facts_of(graph, "gang_companies")
    gi = int(check_ids(ctx, [gang_id], "gangs", "gang_companies")[0])
    side = ctx.side
    s = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() == "company")]
    ids = ctx.graph.nodes["id"].to_numpy()
    out = pd.DataFrame({"company_id": ids[s["node"].to_numpy()].astype(str),
                        "confidence": s["conf"].to_numpy(dtype=float).round(6),
                        "reasons": _reasons(ctx, s)})
    return out.sort_values(["confidence", "company_id"], ascending=[False, True]).reset_index(drop=True)
