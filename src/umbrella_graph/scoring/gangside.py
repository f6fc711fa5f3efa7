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

import numpy as np
import pandas as pd

from ..graph import CaseGraph
from ..schema import CONTROL_ROLES
from ._context import Context, check_ids, context

__all__ = ["infer_gang_side", "gang_companies"]

#: Transfers at least this large between a company and listed members tie the company to
#: the gang: the 93rd percentile of the case's ordinary transfers (``Context.amount_at``;
#: about ¥10,000 in a county where most transfers are a few hundred yuan).
COMPANY_MONEY_QUANTILE = 0.93
#: Side actors below this confidence are dropped.
MIN_CONFIDENCE = 0.05
#: Weight of an inferred (unlisted) person, and of a gang company, relative to a listed
#: member of confidence 1, when contacts with them are counted.
INFERRED_CONTACT_WEIGHT = 0.6
COMPANY_CONTACT_WEIGHT = 0.3
#: Evidence from merely working for a gang company (most of its staff are ordinary workers).
EMPLOYEE_WEIGHT = 0.2


def _noisy_or(*parts: np.ndarray) -> np.ndarray:
    out = np.ones_like(np.asarray(parts[0], dtype=float))
    for p in parts:
        out = out * (1.0 - np.clip(np.asarray(p, dtype=float), 0.0, 1.0))
    return 1.0 - out


def _companies(ctx: Context) -> pd.DataFrame:
    """Gang companies: (company, gang, conf, control, employees, transfers)."""
    mem = ctx.members[["person", "gang", "weight"]]
    roles = ctx.roles
    cols = ["company", "gang", "conf", "control", "employees", "transfers"]
    if not len(mem):
        return pd.DataFrame({c: np.zeros(0) for c in cols})
    parts = []
    if len(roles):
        r = roles.merge(mem, on="person")
        is_ctrl = np.isin(r["role"].to_numpy(), list(CONTROL_ROLES))
        small = (r["role"].to_numpy() == "shareholder") & (np.nan_to_num(r["share"].to_numpy(), nan=1.0) < 0.1)
        r["control"] = np.where(is_ctrl, np.where(small, 0.5, 1.0), 0.0)
        r["employee"] = (r["role"].to_numpy() == "employee").astype(float)
        parts.append(r.groupby(["company", "gang"], sort=False).agg(control=("control", "max"),
                                                                   employees=("employee", "sum")))
    tx = ctx.tx
    if len(tx):
        big = tx[(tx["amount"].to_numpy() >= ctx.amount_at(COMPANY_MONEY_QUANTILE)) & ~tx["wage"].to_numpy()]
        frames = []
        for a, b in (("src", "dst"), ("dst", "src")):
            x = big[ctx.is_company[big[a].to_numpy()]]
            x = x[[a, b]].rename(columns={a: "company", b: "person"}).merge(mem, on="person")
            frames.append(x[["company", "gang"]])
        m = pd.concat(frames, ignore_index=True)
        if len(m):
            parts.append(m.groupby(["company", "gang"], sort=False).size().rename("transfers").to_frame())
    if not parts:
        return pd.DataFrame({c: np.zeros(0) for c in cols})
    df = pd.concat(parts, axis=1).fillna(0.0).reset_index()
    df = df[ctx.is_company[df["company"].to_numpy().astype(np.int64)]]
    for c in ("control", "employees", "transfers"):
        if c not in df.columns:
            df[c] = 0.0
    # share of the company's employees who are listed members of this gang
    if len(roles):
        n_emp = np.bincount(roles["company"].to_numpy()[roles["role"].to_numpy() == "employee"],
                            minlength=ctx.n).astype(float)
    else:
        n_emp = np.zeros(ctx.n)
    emp = df["employees"].to_numpy(dtype=float)
    share = np.divide(emp, n_emp[df["company"].to_numpy().astype(np.int64)],
                      out=np.zeros(len(df)), where=emp > 0)
    e_emp = 0.8 * (1 - 0.7 ** emp) * np.minimum(1.0, 2.0 * share)
    e_money = 0.7 * (1 - 0.6 ** df["transfers"].to_numpy(dtype=float))
    df["conf"] = _noisy_or(df["control"].to_numpy(dtype=float), e_emp, e_money)
    df = df[df["conf"].to_numpy() >= MIN_CONFIDENCE]
    out = df[cols].copy()
    out["company"] = out["company"].astype(np.int64)
    out["gang"] = out["gang"].astype(np.int64)
    return out.sort_values(["gang", "company"]).reset_index(drop=True)


def _people(ctx: Context, comp: pd.DataFrame) -> pd.DataFrame:
    """Unlisted people acting for a gang: (person, gang, conf, conf_core, evidence...)."""
    n = ctx.n
    mem = ctx.members[["person", "gang", "weight"]]
    blocked = ctx.is_official | ~ctx.is_person
    n_g = max(ctx.n_gangs, 1)  # (person, gang) pairs as one integer key
    listed_key = mem["person"].to_numpy().astype(np.int64) * n_g + mem["gang"].to_numpy()
    frames = []
    # contacts with listed members (family contacts excluded)
    ct = ctx.ct[~ctx.ct["kin"].to_numpy()]
    tot_ct = (np.bincount(ct["src"].to_numpy(), minlength=n) + np.bincount(ct["dst"].to_numpy(), minlength=n)
              ).astype(float)
    for a, b in (("src", "dst"), ("dst", "src")):
        x = ct[[a, b]].rename(columns={a: "person", b: "q"})
        x = x[~blocked[x["person"].to_numpy()]]
        x = x.merge(mem.rename(columns={"person": "q"}), on="q")
        frames.append(x)
    c = pd.concat(frames, ignore_index=True)
    cg = c.groupby(["person", "gang"], sort=False).agg(ct_w=("weight", "sum"), ct_n=("q", "size"),
                                                        ct_d=("q", "nunique"))
    # money with listed members (family money and wages excluded)
    tx = ctx.tx_ordinary
    tot_tx = (np.bincount(tx["src"].to_numpy(), minlength=n) + np.bincount(tx["dst"].to_numpy(), minlength=n)
              ).astype(float)
    frames = []
    for a, b in (("src", "dst"), ("dst", "src")):
        x = tx[[a, b]].rename(columns={a: "person", b: "q"})
        x = x[~blocked[x["person"].to_numpy()]]
        frames.append(x.merge(mem.rename(columns={"person": "q"}), on="q"))
    m = pd.concat(frames, ignore_index=True)
    mg = m.groupby(["person", "gang"], sort=False).agg(tx_n=("q", "size"), tx_d=("q", "nunique"))
    # large transfers (both ways) with listed members and the gang's companies: the
    # money of front men (dividends, 往来款) rather than a bribe now and then
    big = tx[tx["amount"].to_numpy() >= ctx.amount_at(COMPANY_MONEY_QUANTILE)]
    core = pd.concat([mem[["person", "gang"]].rename(columns={"person": "q"}),
                      comp[comp["conf"].to_numpy() >= 0.5][["company", "gang"]].rename(columns={"company": "q"})],
                     ignore_index=True).drop_duplicates()
    frames = []
    for a, b in (("src", "dst"), ("dst", "src")):
        x = big[[a, b]].rename(columns={a: "person", b: "q"})
        x = x[~blocked[x["person"].to_numpy()]]
        frames.append(x.merge(core, on="q"))
    bg = pd.concat(frames, ignore_index=True).groupby(["person", "gang"], sort=False).size().rename("big_n")
    # roles in gang companies
    rg = None
    if len(ctx.roles) and len(comp):
        r = ctx.roles.merge(comp[["company", "gang", "conf"]], on="company")
        r = r[~blocked[r["person"].to_numpy()]]
        is_ctrl = np.isin(r["role"].to_numpy(), list(CONTROL_ROLES))
        r["ctrl"] = np.where(is_ctrl, 0.9 * r["conf"].to_numpy(), 0.0)
        r["emp"] = np.where(~is_ctrl, EMPLOYEE_WEIGHT * r["conf"].to_numpy(), 0.0)
        r["ctrl_company"] = np.where(is_ctrl, r["company"].to_numpy(), -1)
        r["emp_company"] = np.where(~is_ctrl, r["company"].to_numpy(), -1)
        rg = r.groupby(["person", "gang"], sort=False).agg(ctrl=("ctrl", "max"), emp=("emp", "max"),
                                                            ctrl_company=("ctrl_company", "max"),
                                                            emp_company=("emp_company", "max"))
    parts = [cg, mg, bg.to_frame()] + ([rg] if rg is not None else [])
    df = pd.concat(parts, axis=1).reset_index()
    for col, fill in (("ct_w", 0.0), ("ct_n", 0.0), ("ct_d", 0.0), ("tx_n", 0.0), ("tx_d", 0.0), ("big_n", 0.0),
                      ("ctrl", 0.0), ("emp", 0.0), ("ctrl_company", -1), ("emp_company", -1)):
        if col not in df.columns:
            df[col] = fill
        df[col] = df[col].fillna(fill)
    if not len(df):
        return df.assign(conf=np.zeros(0), conf_core=np.zeros(0))
    df["person"] = df["person"].astype(np.int64)
    df["gang"] = df["gang"].astype(np.int64)
    key = df["person"].to_numpy() * n_g + df["gang"].to_numpy()
    df = df[~np.isin(key, listed_key)]
    p = df["person"].to_numpy()
    share_ct = np.divide(df["ct_n"].to_numpy(dtype=float), tot_ct[p], out=np.zeros(len(df)), where=tot_ct[p] > 0)
    share_tx = np.divide(df["tx_n"].to_numpy(dtype=float), tot_tx[p], out=np.zeros(len(df)), where=tot_tx[p] > 0)
    e_ct = ((1 - np.exp(-df["ct_w"].to_numpy(dtype=float) / 10.0)) * np.minimum(1.0, share_ct / 0.25)
            * np.minimum(1.0, df["ct_d"].to_numpy(dtype=float) / 2.0))
    e_tx = ((1 - np.exp(-np.maximum(df["tx_n"].to_numpy(dtype=float) - 2.0, 0.0) / 3.0))
            * np.minimum(1.0, share_tx / 0.25)
            * np.minimum(1.0, (df["tx_d"].to_numpy(dtype=float) + df["ct_d"].to_numpy(dtype=float)) / 3.0))
    df["e_contacts"] = e_ct
    df["e_money"] = 0.8 * e_tx
    e_big = 1 - np.exp(-np.maximum(df["big_n"].to_numpy(dtype=float) - 3.0, 0.0) / 3.0)
    df["conf_core"] = _noisy_or(e_ct, df["ctrl"].to_numpy(dtype=float), df["emp"].to_numpy(dtype=float), e_big)
    df["conf"] = _noisy_or(df["conf_core"].to_numpy(), df["e_money"].to_numpy())
    df = df[df["conf"].to_numpy() >= MIN_CONFIDENCE]
    return df.sort_values(["gang", "person"]).reset_index(drop=True)


def side_table(ctx: Context) -> pd.DataFrame:
    """The whole gang side of every gang (cached).

    Columns: ``node``, ``gang`` (index), ``conf`` (confidence the node acts for the
    gang), ``conf_core`` (the same without the money evidence, used to tell a gang
    member who is also an official's relative from a relative who was paid), ``weight``
    (how much a contact with the node counts), ``kind`` (listed | front_man | inferred |
    company) and the evidence columns behind the confidence.
    """
    if "side" in ctx.cache:
        return ctx.cache["side"]  # type: ignore[no-any-return]
    mem = ctx.members
    listed = pd.DataFrame({"node": mem["person"].to_numpy(), "gang": mem["gang"].to_numpy(),
                           "conf": 1.0, "conf_core": 1.0, "weight": mem["weight"].to_numpy(),
                           "kind": "listed", "role": mem["role"].to_numpy()})
    listed = listed[~ctx.is_official[listed["node"].to_numpy()]]
    comp = _companies(ctx)
    companies = pd.DataFrame({"node": comp["company"].to_numpy(), "gang": comp["gang"].to_numpy(),
                              "conf": comp["conf"].to_numpy(), "conf_core": comp["conf"].to_numpy(),
                              "weight": COMPANY_CONTACT_WEIGHT * comp["conf"].to_numpy(),
                              "kind": "company", "role": "company",
                              "control": comp["control"].to_numpy(), "employees": comp["employees"].to_numpy(),
                              "transfers": comp["transfers"].to_numpy()})
    ppl = _people(ctx, comp)
    people = pd.DataFrame({"node": ppl["person"].to_numpy(), "gang": ppl["gang"].to_numpy(),
                           "conf": ppl["conf"].to_numpy(), "conf_core": ppl["conf_core"].to_numpy(),
                           "weight": INFERRED_CONTACT_WEIGHT * ppl["conf"].to_numpy(),
                           "kind": np.where(ppl["ctrl"].to_numpy() > 0, "front_man", "inferred"),
                           "role": "", "ct_n": ppl["ct_n"].to_numpy(), "ct_d": ppl["ct_d"].to_numpy(),
                           "tx_n": ppl["tx_n"].to_numpy(), "tx_d": ppl["tx_d"].to_numpy(),
                           "big_n": ppl["big_n"].to_numpy(),
                           "ctrl_company": ppl["ctrl_company"].to_numpy(),
                           "emp_company": ppl["emp_company"].to_numpy()})
    side = pd.concat([listed, companies, people], ignore_index=True)
    side["node"] = side["node"].astype(np.int64)
    side["gang"] = side["gang"].astype(np.int64)
    side = side.sort_values(["gang", "node"]).reset_index(drop=True)
    ctx.cache["side"] = side
    return side


def _reasons(ctx: Context, side: pd.DataFrame) -> list[str]:
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
    ctx = context(graph, "infer_gang_side")
    gi = int(check_ids(ctx, [gang_id], "gangs", "infer_gang_side")[0])
    side = side_table(ctx)
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
    ctx = context(graph, "gang_companies")
    gi = int(check_ids(ctx, [gang_id], "gangs", "gang_companies")[0])
    side = side_table(ctx)
    s = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() == "company")]
    ids = ctx.graph.nodes["id"].to_numpy()
    out = pd.DataFrame({"company_id": ids[s["node"].to_numpy()].astype(str),
                        "confidence": s["conf"].to_numpy(dtype=float).round(6),
                        "reasons": _reasons(ctx, s)})
    return out.sort_values(["confidence", "company_id"], ascending=[False, True]).reset_index(drop=True)
