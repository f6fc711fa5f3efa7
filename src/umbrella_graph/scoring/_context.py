"""The case's facts, stages 1 and 2: the :class:`Facts` record, the record arrays, the gang side.

:class:`Facts` is the frozen record of everything the signals need about one case;
:func:`umbrella_graph.scoring.facts.case_facts` fills it in stages. This module holds
the record and its first two stages, vectorised: record arrays of transactions,
contacts, company roles and contracts with their row positions (for provenance), the
family ties, every official's circle (himself, his spouse, his relatives), the listed
members, the posts, the leads and the administrative tree; the official and gang index
of every node (``off_index``, ``gang_index``), who is in an official's circle
(``in_circle``), the ordinary transfers
(``tx_ordinary``: family money and wages left out); then the gang side of every gang
(:attr:`Facts.side`: listed members, gang companies, front men and inferred members with
a confidence; the rules are documented in :mod:`umbrella_graph.scoring.gangside`, the
inference lives at the end of this module so that every signal reads the one table
instead of asking for it again); then the gang each event targeted and the enforcement
events of each gang (:func:`_event_facts`: an event naming no gang is on the gang whose
side holds its target).

Nothing here reads names, ID numbers, phone numbers or memo texts: scoring only uses
ids, kinds, amounts, channels, times and the tree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..domain import (
    CHANNELS,
    channel_of,
    dated_contacts,
    is_enforcement,
    official_circle,
    repeated_contacts,
    tie_relation,
)
from ..errors import ParameterError
from ..graph import CaseGraph
from ..schema import CONTROL_ROLES

if TYPE_CHECKING:  # pragma: no cover
    from .precomputed import PrecomputedFacts

__all__: list[str] = ["Facts", "SIDE_MIN_CONFIDENCE"]

logger = logging.getLogger(__name__)

#: Weight of a member's listed role (leader, core, member); unknown roles count as member.
ROLE_WEIGHT = {"leader": 1.0, "core": 0.8, "member": 0.5}
#: Weight of each kind of relative in an official's circle (``extended``: two family ties
#: away, :func:`umbrella_graph.domain.official_circle`; money to and calls by them count,
#: but weaker than a direct relative's).
CIRCLE_WEIGHT = {"self": 1.0, "spouse": 1.0, "kin": 0.7, "extended": 0.4}
# -- the gang side (documented in umbrella_graph.scoring.gangside, which re-exports these)
#: Transfers at least this large between a company and listed members tie the company to
#: the gang: the 93rd percentile of the case's ordinary transfers (``Facts.amount_at``;
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
__all__ += ["CHANNELS"]  # re-exported from umbrella_graph.domain (one definition)


def _lower(s: pd.Series) -> np.ndarray:
    """The stripped, lower-case texts of ``s`` ("" for missing), worked out once per
    distinct text."""
    codes, uniq = pd.factorize(s.astype("string"))  # missing: -1, the "" appended last
    low = pd.Series(uniq, dtype="string").str.strip().str.lower().fillna("").to_numpy(dtype=object)
    return np.append(low, "").astype(object)[codes]


def pair_key(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Order-free int64 key of node pairs (for fast membership tests)."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    return np.minimum(a, b) * np.int64(n) + np.maximum(a, b)


_NONE = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class Facts:
    """The derived facts of one case (see the module docstring), built by :func:`case_facts`.

    Frozen: no field can be reassigned, every numpy array is read-only and the frames are
    never modified after the build (a signal that needs another column makes its own
    frame). The fields are filled in stages, each a pure function of the stages before:

    1. the record arrays and positions (``tx``, ``ct``, ``roles``, ``members``,
       ``circle``, ``contracts``, ``posts``, ``leads``, the tree...);
    2. the gang sides (``side``), then the gang each event targeted (``event_gangs``)
       and the enforcement events of each gang (``events``);
    3. the tip-off facts (``tipoff_pairs``, ``follow_up``, ``tipoffs``);
    4. the filtered record frames of the signals (``money_records``, ``relay_records``,
       ``responsibility``, ``contract_records``, ``contact_records``,
       ``tipoff_events``) and the structural graph (``structure``);
    5. the candidate pairs (``candidates``);
    6. the explanations' arrays and path graph (``explain_arrays``, ``paths``), empty
       until :func:`umbrella_graph.scoring.facts.explain_facts` adds them (only
       explanations read them).

    :func:`umbrella_graph.scoring.facts.case_facts` builds it; read the stages'
    documentation there.
    """

    graph: CaseGraph
    n: int
    kind: np.ndarray  # node kind per position (str)
    is_person: np.ndarray
    is_company: np.ndarray
    official_ids: np.ndarray  # sorted ids
    official_pos: np.ndarray  # node positions, aligned with official_ids
    gang_ids: np.ndarray
    gang_pos: np.ndarray
    is_official: np.ndarray  # per node
    off_index: np.ndarray  # per node: its index into official_ids, -1 for other nodes
    gang_index: np.ndarray  # per node: its index into gang_ids, -1 for other nodes
    in_circle: np.ndarray  # per node: in some official's circle (himself, spouse, relatives)
    kin_keys: np.ndarray  # sorted pair keys of family ties
    fam_keys: np.ndarray  # sorted pair keys of people at most two family ties apart
    tx: pd.DataFrame  # src, dst, amount, time, channel, pos, kin, wage
    #: src, dst, kind, time, pos, dated (domain.dated_contacts), kin; a contact recorded
    #: twice is here once (ct_repeats)
    ct: pd.DataFrame
    roles: pd.DataFrame  # person, company, role, share, pos
    members: pd.DataFrame  # person, gang (index), role, weight, pos
    circle: pd.DataFrame  # off (index), person (node), relation, weight, tie_pos
    #: official_circle of the case's officials, by id (official_id, person_id, relation, tie_row)
    circle_ids: pd.DataFrame
    contracts: pd.DataFrame  # pos, issuer (node or -1), approver (node or -1), company, amount, time
    posts: pd.DataFrame  # off (index), place (node or -1), unit (node or -1), unit_name, pos
    leads: pd.DataFrame  # subject (node), gang (index or -1), pos
    parent: np.ndarray  # parent node of each node in the administrative tree (-1 none)
    t0: np.datetime64
    t1: np.datetime64
    #: the ordinary transfer amounts (positive, finite; family money and wages left out)
    ordinary_amounts: np.ndarray
    #: facts computed outside this process (e.g. by Neo4j), used instead of computing them
    precomputed: PrecomputedFacts | None = None
    #: contact records left out of ``ct`` as repeats (``pos``) of an earlier one (``of``):
    #: the same call in both phones' records (:func:`umbrella_graph.domain.repeated_contacts`)
    ct_repeats: pd.DataFrame = field(default_factory=pd.DataFrame)
    # -- stage 2: the gang side of every gang (umbrella_graph.scoring.gangside)
    side: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: per row of the events table: ``gang`` (index, -1 none) and ``via`` (``gang_id``,
    #: ``target`` or ''): the gang the event targeted (:func:`_event_facts`)
    event_gangs: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)  # enforcement: gang (index), time, pos, kind, node
    # -- stage 3: tip-offs (umbrella_graph.scoring.tipoff.tipoff_facts)
    tipoff_pairs: pd.DataFrame = field(default_factory=pd.DataFrame)  # circle x gang-side contacts
    follow_up: pd.Timedelta = pd.Timedelta(days=1)  # the measured follow-up period after events
    tipoffs: pd.DataFrame = field(default_factory=pd.DataFrame)  # the default tip-off table
    # -- stage 4: the filtered record frames of the signals (umbrella_graph.scoring.signals)
    money_records: pd.DataFrame = field(default_factory=pd.DataFrame)
    relay_records: pd.DataFrame = field(default_factory=pd.DataFrame)
    responsibility: pd.DataFrame = field(default_factory=pd.DataFrame)
    contract_records: pd.DataFrame = field(default_factory=pd.DataFrame)
    contact_records: pd.DataFrame = field(default_factory=pd.DataFrame)
    tipoff_events: pd.DataFrame = field(default_factory=pd.DataFrame)
    structure: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0)))
    # -- stage 5: (official index, gang index, channel bits) of the candidate pairs
    candidates: tuple[np.ndarray, np.ndarray, np.ndarray] = (_NONE, _NONE, _NONE)
    # -- stage 6: the explanations' record columns and path graph (umbrella_graph.scoring.paths)
    explain_arrays: Mapping[str, Any] = field(default_factory=dict)
    paths: Mapping[str, Any] = field(default_factory=dict)

    @property
    def n_gangs(self) -> int:
        return len(self.gang_ids)

    @property
    def n_officials(self) -> int:
        return len(self.official_ids)

    def is_kin(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether each pair (a[i], b[i]) is tied by family."""
        if not len(self.kin_keys):
            return np.zeros(len(a), dtype=bool)
        k = pair_key(a, b, self.n)
        i = np.searchsorted(self.kin_keys, k)
        i = np.minimum(i, len(self.kin_keys) - 1)
        return self.kin_keys[i] == k

    def amount_at(self, q: float) -> float:
        """The ``q`` quantile of the case's ordinary transfer amounts.

        Ordinary: between people or companies who are not family, wages left out. Every
        amount threshold of the scorer is a quantile of this distribution, so a poorer
        or richer economy (all amounts x0.1 or x10) gives the same decisions
        (docs/signals.md, "Amounts").
        """
        pre = self.precomputed
        if pre is not None and q in pre.amount_quantiles:
            return float(pre.amount_quantiles[q])
        a = self.ordinary_amounts
        return float(np.quantile(a, q)) if len(a) else 1.0

    @property
    def tx_ordinary(self) -> pd.DataFrame:
        """``tx`` without family money and wages (what the money signals count), a new
        frame on each call: kept as a row filter of ``tx`` rather than a second copy of
        two thirds of the transfers (0.4 GB at a million people)."""
        return self.tx[_ordinary_rows(self.tx)]

    @property
    def period_days(self) -> float:
        d = (self.t1 - self.t0) / np.timedelta64(1, "D")
        return float(max(d, 1.0))


def _read_only(value: Any) -> Any:
    """``value`` with its numpy arrays (those of a sparse matrix, a tuple or a mapping
    too) made read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif sp.issparse(value):
        for name in ("data", "indices", "indptr"):
            arr = getattr(value, name, None)
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False
    elif isinstance(value, tuple):
        for v in value:
            _read_only(v)
    elif isinstance(value, Mapping):
        for v in value.values():
            _read_only(v)
    return value


def _edges(graph: CaseGraph, kind: str) -> pd.DataFrame:
    e = graph.edges
    return e[(e["kind"] == kind).to_numpy()]


def _build(graph: CaseGraph, precomputed: PrecomputedFacts | None = None) -> Facts:
    """Stage 1 of :func:`case_facts`: the record arrays and positions."""
    case = graph.case
    nodes = graph.nodes
    n = len(nodes)
    kind = nodes["kind"].astype(str).to_numpy(dtype=object)
    is_person = kind == "person"
    is_company = kind == "company"
    official_ids = np.asarray(graph.officials, dtype=object)
    official_pos = graph.index_of(official_ids)
    gang_ids = np.asarray(graph.gangs, dtype=object)
    gang_pos = graph.index_of(gang_ids)
    is_official = np.zeros(n, dtype=bool)
    is_official[official_pos[official_pos >= 0]] = True
    off_index = np.full(n, -1, dtype=np.int64)
    off_index[official_pos] = np.arange(len(official_pos))
    gang_index = np.full(n, -1, dtype=np.int64)
    gang_index[gang_pos] = np.arange(len(gang_pos))

    # -- family ties
    te = _edges(graph, "tie")
    tie_rel = tie_relation(case["ties"]["kind"]) if len(te) else np.array([], dtype=object)
    tk = tie_rel[te["pos"].to_numpy()] if len(te) else np.array([], dtype=object)
    fam = tk != "" if len(te) else np.zeros(0, dtype=bool)
    ts, td = te["src"].to_numpy()[fam], te["dst"].to_numpy()[fam]
    kin_keys = np.unique(pair_key(ts, td, n)) if len(ts) else np.zeros(0, dtype=np.int64)
    fam_keys = _family_keys(ts, td, n)

    # -- transactions
    xe = _edges(graph, "transaction")
    txt = case["transactions"]
    if len(xe):
        pos = xe["pos"].to_numpy()
        ch = channel_of(txt["channel"])[pos]
        tx = pd.DataFrame({
            "src": xe["src"].to_numpy(), "dst": xe["dst"].to_numpy(),
            "amount": txt["amount"].to_numpy(dtype=float)[pos],
            "time": xe["time"].to_numpy(), "channel": ch, "pos": pos,
        })
        tx = tx[(tx["src"] != tx["dst"]).to_numpy() & np.isfinite(tx["amount"].to_numpy())]
        tx = tx[tx["amount"].to_numpy() > 0].reset_index(drop=True)
    else:
        tx = pd.DataFrame({"src": np.zeros(0, np.int64), "dst": np.zeros(0, np.int64),
                           "amount": np.zeros(0), "time": np.zeros(0, "datetime64[ns]"),
                           "channel": np.zeros(0, dtype=object), "pos": np.zeros(0, np.int64)})
    tx["kin"] = _kin_of(fam_keys, tx["src"].to_numpy(), tx["dst"].to_numpy(), n)

    # -- contacts
    ce = _edges(graph, "contact")
    if len(ce):
        pos = ce["pos"].to_numpy()
        ct = pd.DataFrame({"src": ce["src"].to_numpy(), "dst": ce["dst"].to_numpy(),
                           "kind": _lower(case["contacts"]["kind"])[pos],
                           "time": ce["time"].to_numpy(), "pos": pos,
                           "dated": dated_contacts(case["contacts"])[pos]})  # the one reading, for every signal
        ct = ct[(ct["src"] != ct["dst"]).to_numpy()].reset_index(drop=True)
        # the same contact in both phones' records (or an export appended twice) counts once,
        # as its first record (domain.repeated_contacts; dated records repeat nothing)
        cpos = ct["pos"].to_numpy()
        rep = repeated_contacts(pair_key(ct["src"].to_numpy(), ct["dst"].to_numpy(), n), ct["kind"].to_numpy(),
                                ct["time"].to_numpy(), ct["dated"].to_numpy(), rank=cpos)
        twice = rep >= 0
        ct_repeats = pd.DataFrame({"pos": cpos[twice], "of": cpos[rep[twice]]})
        ct = ct[~twice].reset_index(drop=True)
        if twice.any():
            logger.warning("%d contact record(s) repeat an earlier record's two people, kind and time (the same "
                           "call in both phones' records?): each contact is counted once", int(twice.sum()))
    else:
        ct_repeats = pd.DataFrame({"pos": np.zeros(0, np.int64), "of": np.zeros(0, np.int64)})
        ct = pd.DataFrame({"src": np.zeros(0, np.int64), "dst": np.zeros(0, np.int64),
                           "kind": np.zeros(0, dtype=object), "time": np.zeros(0, "datetime64[ns]"),
                           "pos": np.zeros(0, np.int64), "dated": np.zeros(0, dtype=bool)})
    ct["kin"] = _kin_of(fam_keys, ct["src"].to_numpy(), ct["dst"].to_numpy(), n)

    # -- company roles
    re_ = _edges(graph, "company_role")
    if len(re_):
        pos = re_["pos"].to_numpy()
        rt = case["company_roles"]
        roles = pd.DataFrame({"person": re_["src"].to_numpy(), "company": re_["dst"].to_numpy(),
                              "role": _lower(rt["role"])[pos],
                              "share": rt["share"].to_numpy(dtype=float)[pos], "pos": pos})
    else:
        roles = pd.DataFrame({"person": np.zeros(0, np.int64), "company": np.zeros(0, np.int64),
                              "role": np.zeros(0, dtype=object), "share": np.zeros(0), "pos": np.zeros(0, np.int64)})
    # wages: a payment from a company to a person employed there
    if len(roles) and len(tx):
        emp = roles[roles["role"].to_numpy() == "employee"]
        ekeys = np.unique(emp["company"].to_numpy().astype(np.int64) * n + emp["person"].to_numpy())
        k = tx["src"].to_numpy().astype(np.int64) * n + tx["dst"].to_numpy()
        tx["wage"] = pd.Index(ekeys).get_indexer(k) >= 0  # unique keys: a hash lookup
    else:
        tx["wage"] = np.zeros(len(tx), dtype=bool)

    ordinary = tx["amount"].to_numpy(dtype=float)[_ordinary_rows(tx)]

    # -- members
    me = _edges(graph, "member")
    if len(me):
        pos = me["pos"].to_numpy()
        role = _lower(graph.case["members"]["role"])[pos]
        members = pd.DataFrame({"person": me["src"].to_numpy(), "gang": gang_index[me["dst"].to_numpy()],
                                "role": role, "pos": pos})
        members["weight"] = members["role"].map(ROLE_WEIGHT).fillna(ROLE_WEIGHT["member"]).to_numpy(dtype=float)
        # one row per (person, gang): the strongest role
        members = (members.sort_values(["person", "gang", "weight", "pos"], ascending=[True, True, False, True])
                   .drop_duplicates(["person", "gang"]).reset_index(drop=True))
    else:
        members = pd.DataFrame({"person": np.zeros(0, np.int64), "gang": np.zeros(0, np.int64),
                                "role": np.zeros(0, dtype=object), "pos": np.zeros(0, np.int64),
                                "weight": np.zeros(0)})

    # -- officials' circles: self, spouse, relatives (umbrella_graph.domain.official_circle)
    circ = official_circle(official_ids, case["ties"])
    c_off = pd.Index(official_ids).get_indexer(circ["official_id"].to_numpy())
    c_person = graph.index_of(circ["person_id"].to_numpy())
    ok = (c_off >= 0) & (c_person >= 0)
    ok &= is_person[np.maximum(c_person, 0)] | (circ["relation"].to_numpy() == "self")
    circle = pd.DataFrame({"off": c_off[ok].astype(np.int64), "person": c_person[ok].astype(np.int64),
                           "relation": circ["relation"].to_numpy()[ok],
                           "tie_pos": circ["tie_row"].to_numpy()[ok].astype(np.int64)})
    circle = circle.sort_values(["off", "person"], kind="stable").reset_index(drop=True)
    circle["weight"] = circle["relation"].map(CIRCLE_WEIGHT).to_numpy(dtype=float)
    in_circle = np.zeros(n, dtype=bool)
    in_circle[circle["person"].to_numpy()] = True

    # -- contracts: issuer (a person, a village or a unit) and approver
    ke = _edges(graph, "contract")
    ae = _edges(graph, "approval")
    kt = case["contracts"]
    if len(ke):
        pos = ke["pos"].to_numpy()
        approver = np.full(len(kt), -1, dtype=np.int64)
        if len(ae):
            approver[ae["pos"].to_numpy()] = ae["src"].to_numpy()
        contracts = pd.DataFrame({"pos": pos, "issuer": ke["src"].to_numpy(), "approver": approver[pos],
                                  "company": ke["dst"].to_numpy(),
                                  "amount": kt["amount"].to_numpy(dtype=float)[pos],
                                  "time": ke["time"].to_numpy()})
    else:
        contracts = pd.DataFrame({"pos": np.zeros(0, np.int64), "issuer": np.zeros(0, np.int64),
                                  "approver": np.zeros(0, np.int64), "company": np.zeros(0, np.int64),
                                  "amount": np.zeros(0), "time": np.zeros(0, "datetime64[ns]")})

    # -- posts: the place each post governs and the unit it belongs to
    ot = case["officials"]
    pe = _edges(graph, "post")
    we = _edges(graph, "works_in")
    place = np.full(len(ot), -1, dtype=np.int64)
    unit = np.full(len(ot), -1, dtype=np.int64)
    if len(pe):
        place[pe["pos"].to_numpy()] = np.where(pe["src"].to_numpy() != pe["dst"].to_numpy(), pe["dst"].to_numpy(), -1)
    if len(we):
        unit[we["pos"].to_numpy()] = np.where(we["src"].to_numpy() != we["dst"].to_numpy(), we["dst"].to_numpy(), -1)
    if len(ot):
        opos = graph.index_of(ot["person_id"].astype(str).tolist())
        posts = pd.DataFrame({"off": off_index[opos], "place": place, "unit": unit,
                              "unit_name": ot["unit"].astype("string").fillna("").to_numpy(dtype=object),
                              "position": ot["position"].astype("string").fillna("").to_numpy(dtype=object),
                              "pos": np.arange(len(ot))})
        posts = posts[posts["off"].to_numpy() >= 0].reset_index(drop=True)
    else:
        posts = pd.DataFrame({"off": np.zeros(0, np.int64), "place": np.zeros(0, np.int64),
                              "unit": np.zeros(0, np.int64), "unit_name": np.zeros(0, dtype=object),
                              "position": np.zeros(0, dtype=object), "pos": np.zeros(0, np.int64)})

    # -- leads naming an official (and maybe a gang)
    ls = _edges(graph, "lead_subject")
    lg = _edges(graph, "lead_gang")
    if len(ls):
        lt = case["leads"]
        lead_gang = np.full(len(lt), -1, dtype=np.int64)
        if len(lg):
            lead_gang[lg["pos"].to_numpy()] = gang_index[lg["dst"].to_numpy()]
        pos = ls["pos"].to_numpy()
        leads = pd.DataFrame({"subject": ls["dst"].to_numpy(), "gang": lead_gang[pos], "pos": pos,
                              "node": ls["src"].to_numpy()})
    else:
        leads = pd.DataFrame({"subject": np.zeros(0, np.int64), "gang": np.zeros(0, np.int64),
                              "pos": np.zeros(0, np.int64), "node": np.zeros(0, np.int64)})

    # -- the administrative tree
    parent = np.full(n, -1, dtype=np.int64)
    po = _edges(graph, "part_of")
    if len(po):
        parent[po["src"].to_numpy()] = po["dst"].to_numpy()

    times = [t for t in (tx["time"].to_numpy(), ct["time"].to_numpy()) if len(t)]
    if times:
        allt = np.concatenate(times)
        allt = allt[~np.isnat(allt)]
    else:
        allt = np.zeros(0, "datetime64[ns]")
    t0 = allt.min() if len(allt) else np.datetime64("2000-01-01T00:00", "ns")
    t1 = allt.max() if len(allt) else t0 + np.timedelta64(365, "D")
    ordinary = ordinary[np.isfinite(ordinary) & (ordinary > 0)]
    return Facts(
        graph=graph, n=n, kind=kind, is_person=is_person, is_company=is_company,
        official_ids=official_ids, official_pos=official_pos, gang_ids=gang_ids, gang_pos=gang_pos,
        off_index=off_index, gang_index=gang_index, in_circle=in_circle,
        is_official=is_official, kin_keys=kin_keys, fam_keys=fam_keys, tx=tx, ct=ct, roles=roles, members=members,
        circle=circle, circle_ids=circ, contracts=contracts, posts=posts, leads=leads, parent=parent,
        t0=_ns(t0), t1=_ns(t1), ordinary_amounts=ordinary, precomputed=precomputed, ct_repeats=ct_repeats,
    )


def _ordinary_rows(tx: pd.DataFrame) -> np.ndarray:
    """The transfers that are neither family money nor wages (``Facts.tx_ordinary``)."""
    return ~tx["kin"].to_numpy() & ~tx["wage"].to_numpy()


def _ns(t: Any) -> np.datetime64:
    return np.datetime64(pd.Timestamp(t).to_datetime64(), "ns")


def _family_keys(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Pair keys of people at most two family ties apart (an uncle and his nephew)."""
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    K = sp.coo_matrix((np.ones(2 * len(a)), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)).tocsr()
    K.data[:] = 1.0
    K2 = (K + K @ K).tocoo()
    ok = K2.row < K2.col
    return np.unique(K2.row[ok].astype(np.int64) * np.int64(n) + K2.col[ok].astype(np.int64))


def _kin_of(kin_keys: np.ndarray, a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    if not len(kin_keys) or not len(a):
        return np.zeros(len(a), dtype=bool)
    return pd.Index(kin_keys).get_indexer(pair_key(a, b, n)) >= 0  # unique sorted keys: a hash lookup


def check_ids(ctx: Facts, ids: Any, which: str, func: str) -> np.ndarray:
    """Indices (into ``ctx.official_ids`` / ``ctx.gang_ids``) of the requested ids.

    ``None`` means all. Unknown ids raise :class:`ParameterError` without echoing them.
    """
    known = ctx.official_ids if which == "officials" else ctx.gang_ids
    if ids is None:
        return np.arange(len(known))
    if isinstance(ids, str):
        ids = [ids]
    try:
        req = [str(x) for x in ids]
    except TypeError:
        raise ParameterError.invalid(which, func, "a list of ids or None", type(ids).__name__) from None
    idx = pd.Index(known).get_indexer(req)
    bad = int((idx < 0).sum())
    if bad:
        what = "official" if which == "officials" else "gang"
        raise ParameterError(
            f"The {which!r} parameter of {func} must list ids of the case's {what}s. "
            f"Got {bad} unknown id(s) instead.")
    return np.unique(idx)


# ----------------------------------------------------------------------------- the gang side
def _noisy_or(*parts: np.ndarray) -> np.ndarray:
    out = np.ones_like(np.asarray(parts[0], dtype=float))
    for p in parts:
        out = out * (1.0 - np.clip(np.asarray(p, dtype=float), 0.0, 1.0))
    return 1.0 - out


def _companies(ctx: Facts) -> pd.DataFrame:
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


def _people(ctx: Facts, comp: pd.DataFrame) -> pd.DataFrame:
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


def _side_table(ctx: Facts) -> pd.DataFrame:
    """The whole gang side of every gang (:attr:`Facts.side`; rules in
    :mod:`umbrella_graph.scoring.gangside`)."""
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
    return side


#: Unlisted people (and companies) count as the gang's side from this confidence on
#: (listed members always): for the tip-off test, the report and the investigations
#: (:func:`umbrella_graph.scoring.tipoff.side_ids`), and for an event's target.
SIDE_MIN_CONFIDENCE = 0.5


def _event_facts(ctx: Facts) -> dict[str, pd.DataFrame]:
    """Stage 2, after the side: the gang each event targeted (:attr:`Facts.event_gangs`)
    and the enforcement events of each gang (:attr:`Facts.events`), the one answer the
    scorer, :func:`~umbrella_graph.investigate.find_tipoffs`, the report and the
    investigations read (:func:`umbrella_graph.scoring.facts.event_gang_ids`).

    An event is on the gang its ``gang_id`` names. An event naming no gang (a police log
    naming the person or company raided) is on the gang whose side holds its target (a
    listed member, or a company or unlisted person at :data:`SIDE_MIN_CONFIDENCE` or
    more), the most confident gang. A target on two gangs' sides at the same confidence
    puts the event on neither (a log warning gives the count).
    """
    graph = ctx.graph
    ev = graph.case["events"]
    n = len(ev)
    gang = np.full(n, -1, dtype=np.int64)
    eg = _edges(graph, "event_gang")
    gang[eg["pos"].to_numpy()] = ctx.gang_index[eg["dst"].to_numpy()]
    via = np.where(gang >= 0, "gang_id", "").astype(object)
    et = _edges(graph, "event_target")
    et = et[gang[et["pos"].to_numpy()] < 0]
    s = ctx.side
    if len(et) and len(s):
        s = s[(s["conf"].to_numpy() >= SIDE_MIN_CONFIDENCE) & np.isin(s["node"].to_numpy(), et["dst"].to_numpy())]
        s = s[s["conf"].to_numpy() == s.groupby("node")["conf"].transform("max").to_numpy()]
        s = s.drop_duplicates(["node", "gang"])
        one = s.groupby("node")["gang"].transform("size").to_numpy() == 1
        of = pd.Series(s["gang"].to_numpy()[one], index=s["node"].to_numpy()[one])
        g = of.reindex(et["dst"].to_numpy()).to_numpy()
        hit = ~np.isnan(g)
        gang[et["pos"].to_numpy()[hit]] = g[hit].astype(np.int64)
        via[et["pos"].to_numpy()[hit]] = "target"
        n_two = int(np.isin(et["dst"].to_numpy(), s["node"].to_numpy()[~one]).sum())
        if n_two:
            logger.warning("%d event(s) name no gang and target someone on several gangs' sides at the same "
                           "confidence: they are read as on no gang", n_two)
    t = ev["time"].to_numpy(dtype="datetime64[ns]")
    keep = (gang >= 0) & is_enforcement(ev["kind"]) & ~np.isnat(t)
    pos = np.flatnonzero(keep)
    events = pd.DataFrame({"gang": gang[pos], "time": t[pos], "pos": pos.astype(np.int64),
                           "kind": _lower(ev["kind"])[pos],
                           "node": graph.index_of(ev["id"].astype(str).to_numpy()[pos].tolist()).astype(np.int64)})
    events = events.sort_values(["gang", "time", "pos"]).reset_index(drop=True)
    return {"event_gangs": pd.DataFrame({"gang": gang, "via": via}), "events": events}
