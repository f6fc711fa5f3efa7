"""Why a pair scored what it did: :func:`explain`.

An :class:`Explanation` holds the pair's signals (value, contribution, what each
measures) and its strongest *evidence paths*: chains of records from the official to
someone or something acting for the gang (a listed member, a gang company, a front man,
an inferred member), at most ``max_hops`` records long, plus a last hop that says why
that node belongs to the gang (the member list row, the company roles, the records
behind an inference). Every hop lists its records with their provenance: record id,
table, file and spreadsheet row, time, amount and a short detail (never a name or a
memo text).

Paths that pass through hubs (government units, very high-degree people or companies
such as a bank or a town head) explain little: they rank lower and are marked
``through_hub``. When no chain of records links the pair within the hop limit, the
explanation says so in :attr:`Explanation.message` and :attr:`Explanation.paths` is
empty.

Facts, not caches: the collapsed path graph and the record columns as plain arrays are
facts of the case (``Facts.paths``, ``Facts.explain_arrays``: :mod:`.paths`, added
once per case by :func:`umbrella_graph.scoring.facts.explain_facts` on the first
explanation, never by scoring); the paths and hop records of
a pair are computed from them on each call. The scores an explanation reads are kept
with the case's facts at the top-level cache (:func:`.facts.case_memo`), so a second
explanation on the same case (the report, ``plan_disruption``, ``accountability``) does
not score again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._compat import legacy_positional
from .._format import fmt_amount
from ..errors import ParameterError
from ..graph import CaseGraph
from ..schema import TABLES
from ._context import Facts
from .facts import case_memo, explain_facts, facts_of
from .features import _check_seed
from .paths import PATH_KINDS, _record_values

__all__ = ["explain", "Explanation", "EvidencePath", "Hop", "PATH_KINDS"]

#: Strength multiplier of a path for every hub it passes through.
HUB_PENALTY = 0.1
#: Strength multiplier of a path for every hop beyond the first: direct evidence first.
LENGTH_PENALTY = 0.6
#: Gang-side nodes below this confidence are not path targets.
MIN_TARGET_CONFIDENCE = 0.2
#: At most this many records are listed on the last hop of an inferred side member.
MAX_SUPPORT_RECORDS = 5
_RECORD_COLUMNS = ["record_id", "table", "file", "row", "time", "amount", "detail"]


@dataclass
class Hop:
    """One link of an evidence path: the records between two nodes.

    Attributes
    ----------
    src, dst : str
        Node ids, in path order (the official's side first).
    kind : str
        The main record kind (``transaction``, ``contact``, ``tie``, ``company_role``,
        ``contract``, ``approval``, ``works_in``: a family tie if there is one, else the
        kind whose records say the most) or, on the last hop, why the node
        belongs to the gang: ``member`` (member list), ``gang_company``, ``front_man``
        or ``inferred``.
    records : pandas.DataFrame
        ``record_id, table, file, row, time, amount, detail``, one row per record.
    strength : float
        How much this hop says, in ``(0, 1]``.
    """

    src: str
    dst: str
    kind: str
    records: pd.DataFrame
    strength: float = 1.0


@dataclass
class EvidencePath:
    """A chain of records from the official to the gang.

    Attributes
    ----------
    nodes : list of str
        Node ids from the official to the gang.
    hops : list of Hop
        ``len(nodes) - 1`` hops.
    strength : float
        Product of the hop strengths, the confidence of the gang-side node, a
        penalty of :data:`HUB_PENALTY` per hub passed through and of
        :data:`LENGTH_PENALTY` per hop beyond the first.
    through_hub : bool
        Whether the path passes through a hub.
    hubs : list of str
        The hubs it passes through.
    """

    nodes: list[str]
    hops: list[Hop]
    strength: float
    through_hub: bool = False
    hubs: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        hub = f" (through hub {', '.join(self.hubs)})" if self.through_hub else ""
        return " - ".join(self.nodes) + f"  [strength {self.strength:.3f}{hub}]"


@dataclass
class Explanation:
    """The evidence behind one official x gang score (see :func:`explain`)."""

    official_id: str
    gang_id: str
    score: float | None
    rank: int | None
    signals: pd.DataFrame
    paths: list[EvidencePath]
    message: str
    max_hops: int = 3
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: str = "unsupervised"

    def signal_records(self, signal: str, *, used: bool | None = True) -> pd.DataFrame:
        """The records of one signal (see :func:`umbrella_graph.scoring.signal_records`);
        ``used=None`` also returns the ones it left out."""
        r = self.records
        if not len(r):
            return r
        sel = r["signal"].to_numpy() == signal
        if used is not None:
            sel &= r["used"].to_numpy() == used
        return r[sel].reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per hop record: ``path, hop, src, dst, kind, record_id, table, file,
        row, time, amount, detail, path_strength, through_hub``."""
        rows = []
        for pi, p in enumerate(self.paths, start=1):
            for hi, h in enumerate(p.hops, start=1):
                for rec in h.records.to_dict("records"):
                    rows.append({"path": pi, "hop": hi, "src": h.src, "dst": h.dst, "kind": h.kind, **rec,
                                 "path_strength": p.strength, "through_hub": p.through_hub})
        cols = ["path", "hop", "src", "dst", "kind", *_RECORD_COLUMNS, "path_strength", "through_hub"]
        return pd.DataFrame(rows, columns=cols)

    def to_text(self, *, max_records: int = 8) -> str:
        """A plain-text rendering (what ``umbrella-graph explain`` prints)."""
        lines = [f"official {self.official_id} x gang {self.gang_id}"]
        if self.score is not None:
            lines[0] += f": score {self.score:.3f}" + (f", rank {self.rank}" if self.rank is not None else "")
        lines.append("")
        lines.append(f"signals (value, contribution; {self.model}), each with the records it used:")
        sig = self.signals.sort_values("contribution", ascending=False, kind="stable")
        for r in sig.itertuples(index=False):
            if r.value <= 0 and r.contribution <= 0:
                continue
            lines.append(f"  {r.signal:<13} {r.value:6.3f} {r.contribution:+7.3f}  {r.description}")
            for used in (True, False):
                recs = self.signal_records(str(r.signal), used=used)
                for rec in recs.head(max_records).to_dict("records"):
                    t = "" if pd.isna(rec["time"]) else f" {pd.Timestamp(rec['time']):%Y-%m-%d %H:%M}"
                    a = "" if pd.isna(rec["amount"]) else f" amount {rec['amount']:,.2f}"
                    lines.append(f"      - {rec['record_id']} [{rec['file']} row {rec['row']}]{t}{a}: {rec['note']}")
                if len(recs) > max_records:
                    lines.append(f"      ... and {len(recs) - max_records} more record(s)"
                                 + ("" if used else " left out"))
        lines.append("")
        if not self.paths:
            lines.append(self.message)
            return "\n".join(lines)
        lines.append(self.message)
        for pi, p in enumerate(self.paths, start=1):
            lines.append("")
            lines.append(f"path {pi}: {p}")
            for h in p.hops:
                lines.append(f"  {h.src} -> {h.dst}: {h.kind} ({len(h.records)} record(s), strength {h.strength:.2f})")
                for rec in h.records.head(max_records).to_dict("records"):
                    t = "" if pd.isna(rec["time"]) else f" {pd.Timestamp(rec['time']):%Y-%m-%d %H:%M}"
                    a = "" if pd.isna(rec["amount"]) else f" amount {rec['amount']:,.2f}"
                    lines.append(f"    - {rec['record_id']} [{rec['file']} row {rec['row']}]{t}{a}: {rec['detail']}")
                if len(h.records) > max_records:
                    lines.append(f"    ... and {len(h.records) - max_records} more record(s)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        e = escape
        head = f"<b>official {e(self.official_id)} &times; gang {e(self.gang_id)}</b>"
        if self.score is not None:
            head += f" &mdash; score {self.score:.3f}"
            if self.rank is not None:
                head += f", rank {int(self.rank)}"
        parts = [f"<div class='ug-explanation'><p>{head}</p>"]
        sig = self.signals.sort_values("contribution", ascending=False, kind="stable")
        rows = "".join(
            f"<tr><td>{e(str(r.signal))}</td><td>{r.value:.3f}</td><td>{r.contribution:.3f}</td>"
            f"<td>{e(str(r.description))}</td></tr>" for r in sig.itertuples(index=False))
        parts.append("<table><thead><tr><th>signal</th><th>value</th><th>contribution</th><th>what</th></tr>"
                     f"</thead><tbody>{rows}</tbody></table>")
        if len(self.records):
            rec_rows = "".join(_record_row_html(r) for r in self.records.to_dict("records"))
            parts.append("<table><thead><tr><th>signal</th><th>status</th><th>record</th><th>file</th><th>row</th>"
                         f"<th>time</th><th>amount</th><th>note</th></tr></thead><tbody>{rec_rows}</tbody></table>")
        parts.append(f"<p>{e(self.message)}</p>")
        for pi, p in enumerate(self.paths, start=1):
            hub = f" &mdash; through hub {e(', '.join(p.hubs))}" if p.through_hub else ""
            parts.append(f"<p><b>path {pi}</b>: {e(' - '.join(p.nodes))} (strength {p.strength:.3f}){hub}</p>")
            recs = []
            for h in p.hops:
                for r in h.records.to_dict("records"):
                    t = "" if pd.isna(r["time"]) else f"{pd.Timestamp(r['time']):%Y-%m-%d %H:%M}"
                    a = "" if pd.isna(r["amount"]) else f"{r['amount']:,.2f}"
                    recs.append(
                        f"<tr><td>{e(h.src)} &rarr; {e(h.dst)}</td><td>{e(h.kind)}</td><td>{e(str(r['record_id']))}</td>"
                        f"<td>{e(str(r['file']))}</td><td>{e(str(r['row']))}</td><td>{e(t)}</td><td>{e(a)}</td>"
                        f"<td>{e(str(r['detail']))}</td></tr>")
            parts.append("<table><thead><tr><th>link</th><th>kind</th><th>record</th><th>file</th><th>row</th>"
                         f"<th>time</th><th>amount</th><th>detail</th></tr></thead><tbody>{''.join(recs)}</tbody></table>")
        parts.append("</div>")
        return "".join(parts)


def _record_row_html(r: dict[str, Any]) -> str:
    e = escape
    t = "" if pd.isna(r["time"]) else f"{pd.Timestamp(r['time']):%Y-%m-%d %H:%M}"
    a = "" if pd.isna(r["amount"]) else f"{r['amount']:,.2f}"
    status = "used" if r["used"] else "left out"
    return (f"<tr><td>{e(str(r['signal']))}</td><td>{status}</td><td>{e(str(r['record_id']))}</td>"
            f"<td>{e(str(r['file']))}</td><td>{e(str(r['row']))}</td><td>{e(t)}</td><td>{e(a)}</td>"
            f"<td>{e(str(r['note']))}</td></tr>")


#: Memory budget of the path search: at most this many candidate rows (path prefixes
#: times their next hops) are materialised at once (~ 8 bytes x (hops + 3) each, so
#: about 100 MB for 3 hops), and at most :data:`MAX_FRONTIER` prefixes are carried from
#: one hop to the next (the strongest). The search therefore needs bounded memory
#: whatever the degree of a node (docs/signals.md, "Memory budget").
EXPANSION_CHUNK = 2_000_000
MAX_FRONTIER = 20_000
#: At most this many found paths are kept (the strongest); all are counted.
MAX_FOUND = 20_000


def _reach(S: sp.csr_matrix, is_t: np.ndarray, hops: int) -> np.ndarray:
    """Hops from each node to the nearest target (``hops + 1`` when farther)."""
    dist = np.where(is_t, 0, hops + 1).astype(np.int64)
    cur = is_t.astype(float)
    for h in range(1, hops + 1):
        nxt = (S @ cur) > 0
        new = nxt & (dist > h)
        dist[new] = h
        cur = (dist <= h).astype(float)
    return dist


def _top(keys_strength: np.ndarray, tie: np.ndarray, cap: int) -> np.ndarray:
    """Indices of the ``cap`` largest strengths (ties broken by ``tie`` ascending)."""
    if len(keys_strength) <= cap:
        return np.arange(len(keys_strength))
    return np.lexsort((tie, -keys_strength))[:cap]


def _candidates(ctx: Facts, pg: Mapping[str, Any], o: int, targets: np.ndarray, tconf: np.ndarray,
                max_hops: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Simple paths of at most ``max_hops`` hops from ``o`` to a target (vectorised).

    A breadth-first expansion in bounded memory: a step only follows links to nodes from
    which a target is still reachable in the hops left (:func:`_reach`), the candidate
    rows are materialised :data:`EXPANSION_CHUNK` at a time, and only the
    :data:`MAX_FRONTIER` strongest prefixes are extended further. Returns ``(nodes,
    strength, through_hub, n_found)``: ``nodes`` is an (m, max_hops + 1) matrix of node
    positions padded with -1, sorted best first (paths without hubs first, then by
    strength, then by the node positions), at most :data:`MAX_FOUND` rows; ``n_found``
    counts every path found.
    """
    S: sp.csr_matrix = pg["S"]
    hub: np.ndarray = pg["hub"]
    n = ctx.n
    width = max_hops + 1
    is_t = np.zeros(n, dtype=bool)
    is_t[targets] = True
    conf = np.zeros(n)
    conf[targets] = tconf
    dist = _reach(S, is_t, max_hops)
    # the links followed: every link to a target, and each node's MAX_BRANCH strongest
    keep = pg["top_branch"] | is_t[S.indices]
    ind, dat = S.indices[keep], S.data[keep]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(pg["row_of_nnz"][keep], minlength=n))]).astype(np.int64)
    found_nodes: list[np.ndarray] = []
    found_s: list[np.ndarray] = []
    found_h: list[np.ndarray] = []
    n_found = 0

    def emit(nodes: np.ndarray, strength: np.ndarray, hubbed: np.ndarray) -> None:
        nonlocal n_found
        n_found += len(nodes)
        if not len(nodes):
            return
        pad = np.full((len(nodes), width), -1, dtype=np.int64)
        pad[:, :nodes.shape[1]] = nodes
        found_nodes.append(pad)
        found_s.append(strength)
        found_h.append(hubbed)
        if sum(len(x) for x in found_s) > 4 * MAX_FOUND:  # keep the strongest only
            _compact()

    def _compact() -> None:
        nd = np.concatenate(found_nodes)
        st = np.concatenate(found_s)
        hb = np.concatenate(found_h)
        keep = _top(np.where(hb, st - 2.0, st), np.arange(len(st)), MAX_FOUND)
        found_nodes[:] = [nd[keep]]
        found_s[:] = [st[keep]]
        found_h[:] = [hb[keep]]

    front_nodes = np.full((1, 1), o, dtype=np.int64)
    front_s = np.ones(1)
    front_h = np.zeros(1, dtype=bool)
    for depth in range(1, max_hops + 1):
        if not len(front_nodes):
            break
        left = max_hops - depth  # hops left after this step
        last = front_nodes[:, -1]
        cnt = (ptr[last + 1] - ptr[last]).astype(np.int64)
        keep_nodes: list[np.ndarray] = []
        keep_s: list[np.ndarray] = []
        keep_h: list[np.ndarray] = []
        # chunks of prefixes whose expansions stay under the budget
        ends = np.cumsum(cnt)
        start = 0
        while start < len(last):
            base = ends[start - 1] if start else 0
            stop = int(np.searchsorted(ends, base + EXPANSION_CHUNK, side="right"))
            stop = max(stop, start + 1)
            sl = slice(start, stop)
            c = cnt[sl]
            rep = np.repeat(np.arange(start, stop), c)
            pos = np.repeat(ptr[last[sl]], c) + (np.arange(len(rep)) - np.repeat(np.cumsum(c) - c, c))
            nxt = ind[pos].astype(np.int64)
            useful = is_t[nxt] | (dist[nxt] <= left)
            rep, nxt, pos = rep[useful], nxt[useful], pos[useful]
            prev = front_nodes[rep]
            simple = ~(prev == nxt[:, None]).any(axis=1)
            rep, nxt, pos, prev = rep[simple], nxt[simple], pos[simple], prev[simple]
            strength = front_s[rep] * dat[pos] * (LENGTH_PENALTY if depth > 1 else 1.0)
            hubbed = front_h[rep]
            hit = is_t[nxt]
            emit(np.column_stack([prev[hit], nxt[hit]]), strength[hit] * conf[nxt[hit]], hubbed[hit])
            if left > 0:
                go = ~hit & (dist[nxt] <= left)
                nodes_k = np.column_stack([prev[go], nxt[go]])
                h_k = hubbed[go] | hub[nxt[go]]
                s_k = strength[go] * np.where(hub[nxt[go]], HUB_PENALTY, 1.0)
                keep_nodes.append(nodes_k)
                keep_s.append(s_k)
                keep_h.append(h_k)
                if sum(len(x) for x in keep_s) > 2 * MAX_FRONTIER:
                    kn, ks, kh = np.concatenate(keep_nodes), np.concatenate(keep_s), np.concatenate(keep_h)
                    top = _top(ks, np.arange(len(ks)), MAX_FRONTIER)
                    keep_nodes, keep_s, keep_h = [kn[top]], [ks[top]], [kh[top]]
            start = stop
        if left == 0 or not keep_s:
            break
        front_nodes = np.concatenate(keep_nodes)
        front_s = np.concatenate(keep_s)
        front_h = np.concatenate(keep_h)
        top = _top(front_s, np.arange(len(front_s)), MAX_FRONTIER)
        front_nodes, front_s, front_h = front_nodes[top], front_s[top], front_h[top]
    if found_s:
        _compact()
    nodes = np.concatenate(found_nodes) if found_nodes else np.zeros((0, width), dtype=np.int64)
    strength = np.concatenate(found_s) if found_s else np.zeros(0)
    hubbed = np.concatenate(found_h) if found_h else np.zeros(0, dtype=bool)
    strength = np.round(strength, 12)
    keys = [nodes[:, j] for j in range(width - 1, -1, -1)] + [-strength, hubbed]
    order = np.lexsort(keys)
    return nodes[order], strength[order], hubbed[order], n_found


# ----------------------------------------------------------------------------- records of a hop
def _s(values: Any) -> np.ndarray:
    """Strings of a column, "" for missing values."""
    return pd.Series(values, dtype="string").fillna("").to_numpy(dtype=object)


def _record_frame(ctx: Facts, e: pd.DataFrame) -> pd.DataFrame:
    """Records of the edges ``e`` (rows of graph.edges) with provenance and a detail."""
    case = ctx.graph.case
    ids = ctx.explain_arrays["ids"]
    parts = []
    tables = e["table"].astype(str).to_numpy()
    for table in pd.unique(tables):
        sel = e[tables == table]
        pos = sel["pos"].to_numpy()
        sub = case[table].iloc[pos]  # only the rows needed (a table may have millions)
        rec = {c: sub[c].to_numpy() for c in sub.columns}
        kind = sel["kind"].astype(str).to_numpy()
        s_id = ids[sel["src"].to_numpy()].astype(str).astype(object)
        d_id = ids[sel["dst"].to_numpy()].astype(str).astype(object)
        key = TABLES[table].key
        rows = np.asarray(rec["_row"], dtype=np.int64)
        fallback = np.array([f"{table}#{r}" for r in rows], dtype=object)
        rid = np.where(_s(rec[key]) != "", _s(rec[key]), fallback) if key is not None and key in rec \
            else fallback
        amount = np.full(len(sel), np.nan)
        detail = np.array([f"{k} {a} - {b}" for k, a, b in zip(kind, s_id, d_id, strict=True)], dtype=object)
        if table == "transactions":
            amount = np.asarray(rec["amount"], dtype=float)
            ch = _s(rec["channel"])
            detail = np.array([f"transfer {fmt_amount(x)} from {a} to {b}" + (f" via {c}" if c else "")
                               for x, a, b, c in zip(amount, s_id, d_id, ch, strict=True)], dtype=object)
        elif table == "contacts":
            ck = _s(rec["kind"])
            dur = np.asarray(rec["duration_s"], dtype=float)
            detail = np.array([f"{k} between {a} and {b}" + ("" if np.isnan(x) else f", {x:.0f} s")
                               for k, a, b, x in zip(ck, s_id, d_id, dur, strict=True)], dtype=object)
        elif table == "ties":
            tk = _s(rec["kind"])
            detail = np.array([f"{k} tie between {a} and {b}" for k, a, b in zip(tk, s_id, d_id, strict=True)],
                              dtype=object)
        elif table == "company_roles":
            rl = _s(rec["role"])
            detail = np.array([f"{a} is {r or 'linked to'} of {b}" for a, r, b in zip(s_id, rl, d_id, strict=True)],
                              dtype=object)
        elif table == "contracts":
            amount = np.asarray(rec["amount"], dtype=float)
            detail = np.array([f"contract {'issued' if k == 'contract' else 'approved'} by {a} to {b}"
                               for k, a, b in zip(kind, s_id, d_id, strict=True)], dtype=object)
        elif table == "officials":
            pos = _s(rec["position"])
            detail = np.array([f"{a} holds a post ({p}) in {b}" for a, p, b in zip(s_id, pos, d_id, strict=True)],
                              dtype=object)
        elif table == "members":
            rl = _s(rec["role"])
            detail = np.array([f"{a} is a listed member ({r or 'member'}) of {b}"
                               for a, r, b in zip(s_id, rl, d_id, strict=True)], dtype=object)
        parts.append(pd.DataFrame({"record_id": rid, "table": table, "file": _s(rec["_file"]), "row": rows,
                                   "time": sel["time"].to_numpy(), "amount": amount, "detail": detail}))
    if not parts:
        df = pd.DataFrame({c: [] for c in _RECORD_COLUMNS})
        df["row"] = df["row"].astype(np.int64)
        df["amount"] = df["amount"].astype(float)
    else:
        df = pd.concat(parts, ignore_index=True)
    df["time"] = pd.to_datetime(df["time"])
    return df.sort_values(["time", "table", "row"], kind="stable", na_position="last").reset_index(drop=True)


def _hop_records(ctx: Facts, pg: Mapping[str, Any], u: int, v: int) -> tuple[str, pd.DataFrame]:
    """The main kind and the records of the link ``u - v``."""
    n = ctx.n
    key = np.int64(min(u, v)) * n + max(u, v)
    keys = pg["keys"]
    lo, hi = np.searchsorted(keys, key, side="left"), np.searchsorted(keys, key, side="right")
    e = pg["edges"].iloc[lo:hi]
    e = e[e["primary"].to_numpy() | (e["kind"].astype(str).to_numpy() == "approval")]
    recs = _record_frame(ctx, e)
    if not len(e):
        return "link", recs
    kinds = e["kind"].astype(str).to_numpy()
    if "tie" in kinds:  # family first: a wife is a wife, however often she calls
        tk = ctx.explain_arrays["tie_kind"]
        if (tk[e["pos"].to_numpy()[kinds == "tie"]] != "").any():
            return "tie", recs
    by_kind = pd.Series(_record_values(ctx, e)).groupby(kinds).sum()
    return str(by_kind.sort_values(ascending=False, kind="stable").index[0]), recs


def _side_hop(ctx: Facts, t: int, gi: int, side_row: pd.Series) -> tuple[str, pd.DataFrame]:
    """The last hop: why node ``t`` acts for gang ``gi``, with its records."""
    g = ctx.graph
    e = g.edges
    arr = ctx.explain_arrays
    # only the records of node t matter: select them once (in edge order), then filter those
    near = np.flatnonzero((arr["src"] == t) | (arr["dst"] == t))
    ek, es, ed = arr["kind"][near], arr["src"][near], arr["dst"][near]
    kind = str(side_row["kind"])
    gang_node = int(ctx.gang_pos[gi])

    def rows(mask: np.ndarray) -> pd.DataFrame:
        return e.iloc[near[mask]]

    at_src, at_dst = es == t, ed == t
    if kind == "listed":
        m = rows((ek == "member") & at_src & (ed == gang_node))
        return "member", _record_frame(ctx, m)
    side = ctx.side
    mem = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() == "listed")]["node"].to_numpy()
    if kind == "company":
        r = rows((ek == "company_role") & at_dst & np.isin(es, mem))
        if not len(r):
            r = rows((ek == "transaction") & ((at_src & np.isin(ed, mem)) | (at_dst & np.isin(es, mem))))
            r = r.sort_values("strength", ascending=False, kind="stable").head(MAX_SUPPORT_RECORDS)
        return "gang_company", _record_frame(ctx, r)
    comps = side[(side["gang"].to_numpy() == gi) & (side["kind"].to_numpy() == "company")]["node"].to_numpy()
    parts = []
    roles = rows((ek == "company_role") & at_src & np.isin(ed, comps))
    parts.append(roles)
    links = rows(np.isin(ek, ["contact", "transaction"]) & ((at_src & np.isin(ed, mem)) | (at_dst & np.isin(es, mem))))
    parts.append(links.sort_values(["kind", "time"], kind="stable").head(MAX_SUPPORT_RECORDS))
    r = pd.concat(parts)
    return ("front_man" if kind == "front_man" else "inferred"), _record_frame(ctx, r)


# ----------------------------------------------------------------------------- public
@legacy_positional(["k"], after=3)
def explain(
    graph: CaseGraph,
    official_id: str,
    gang_id: str,
    *,
    k: int = 5,
    max_hops: int = 3,
    seed: int = 0,
    model: Any = None,
) -> Explanation:
    """The evidence behind one official x gang pair: signals and record-level paths.

    Parameters
    ----------
    graph : CaseGraph
        From :func:`~umbrella_graph.build_graph`.
    official_id : str
        An official of the case (a person who holds a post).
    gang_id : str
        A gang of the case.
    k : int, default 5
        Number of evidence paths to return (the strongest).
    max_hops : int, default 3
        Longest chain of records from the official to a gang-side node (the last hop,
        why that node belongs to the gang, comes on top).
    seed : int, default 0
        Seed of the score (see :func:`score_umbrellas`).
    model : UmbrellaClassifier, optional
        A fitted classifier: the explanation then gives its calibrated probability as
        the score and its contributions per signal (as :func:`score_umbrellas` with
        ``model=``). Default: the unsupervised score.

    Returns
    -------
    Explanation
        ``official_id``, ``gang_id``, ``score``, ``rank`` (among all pairs),
        ``signals`` (``signal, value, contribution, description``), ``records`` (the
        records each signal used and those it left out, with the reason:
        :func:`umbrella_graph.scoring.signal_records`), ``paths`` (list of
        :class:`EvidencePath`, strongest first, hub paths last), ``message`` (a plain
        statement; says there is no link when ``paths`` is empty), ``to_frame()`` and
        ``to_text()``.

    Raises
    ------
    ParameterError
        If ``official_id`` is not an official or ``gang_id`` not a gang of the case (the
        id is not repeated in the message), or ``k`` / ``max_hops`` are not positive
        integers.

    Examples
    --------
    >>> import umbrella_graph as ug
    >>> g = ug.build_graph(ug.load_case("data/samples/qinghe"))
    >>> ex = explain(g, "P0234", "G02", k=3)
    >>> ex.paths[0].nodes[0], ex.paths[0].nodes[-1]
    ('P0234', 'G02')
    >>> {"record_id", "file", "row"} <= set(ex.to_frame().columns)
    True
    """
    func = "explain"
    for name, val in (("k", k), ("max_hops", max_hops)):
        if isinstance(val, bool) or not isinstance(val, int | np.integer) or val < 1:
            raise ParameterError.invalid(name, func, "a positive integer", val)
    seed = _check_seed(seed, func)
    base = facts_of(graph, func)
    ctx = explain_facts(base)  # with the path graph (built on the first explanation of a case)
    oi_arr = pd.Index(ctx.official_ids).get_indexer([str(official_id)])
    if oi_arr[0] < 0:
        raise ParameterError(f"The 'official_id' parameter of {func} must be the id of an official of the case "
                             "(a person who holds a post). Got an id that is not one instead.")
    gi_arr = pd.Index(ctx.gang_ids).get_indexer([str(gang_id)])
    if gi_arr[0] < 0:
        raise ParameterError(f"The 'gang_id' parameter of {func} must be the id of a gang of the case. "
                             "Got an id that is not one instead.")
    oi, gi = int(oi_arr[0]), int(gi_arr[0])
    official_id, gang_id = str(ctx.official_ids[oi]), str(ctx.gang_ids[gi])

    from .score import SIGNALS, score_umbrellas

    if model is None:
        key = f"scores:{seed}"
        memo = case_memo(base)  # the top-level cache: kept with the case's facts
        if key not in memo:
            memo[key] = score_umbrellas(graph, seed=seed)
        scores = memo[key]
    else:  # the classifier's probability and contributions (never cached: models change)
        scores = score_umbrellas(graph, seed=seed, model=model)
    hit = scores[(scores["official_id"] == official_id) & (scores["gang_id"] == gang_id)]
    if not len(hit):  # no evidence path: not a candidate; its (structural) signals alone
        hit = score_umbrellas(graph, officials=[official_id], gangs=[gang_id], seed=seed, model=model,
                              all_pairs=True)
    row = hit.iloc[0]
    signals = pd.DataFrame({
        "signal": [s.name for s in SIGNALS],
        "value": [float(row[f"sig_{s.name}"]) for s in SIGNALS],
        "contribution": [float(row[f"contrib_{s.name}"]) for s in SIGNALS],
        "description": [s.description for s in SIGNALS],
    })

    pg = ctx.paths
    side = ctx.side
    sd = side[(side["gang"].to_numpy() == gi) & (side["conf"].to_numpy() >= MIN_TARGET_CONFIDENCE)]
    o = int(ctx.official_pos[oi])
    sd = sd[sd["node"].to_numpy() != o]
    c_nodes, c_strength, _c_hub, n_found = _candidates(ctx, pg, o, sd["node"].to_numpy(),
                                                       sd["conf"].to_numpy(dtype=float), int(max_hops))
    ids = ctx.explain_arrays["ids"]
    hub = pg["hub"]
    side_by_node = sd.set_index("node")
    paths: list[EvidencePath] = []
    for row_nodes, strength in zip(c_nodes[:k], c_strength[:k], strict=True):
        nodes = [int(x) for x in row_nodes if x >= 0]
        hops = []
        for u, v in zip(nodes[:-1], nodes[1:], strict=True):
            kind, recs = _hop_records(ctx, pg, u, v)
            hops.append(Hop(str(ids[u]), str(ids[v]), kind, recs, float(pg["S"][u, v])))
        t = nodes[-1]
        srow = side_by_node.loc[t]
        kind, recs = _side_hop(ctx, t, gi, srow)
        hops.append(Hop(str(ids[t]), gang_id, kind, recs, float(srow["conf"])))
        mids = [x for x in nodes[1:-1] if hub[x]]
        paths.append(EvidencePath(nodes=[str(ids[x]) for x in nodes] + [gang_id], hops=hops,
                                  strength=float(strength), through_hub=bool(mids),
                                  hubs=[str(ids[x]) for x in mids]))
    if not paths:
        message = (f"No link: no chain of at most {max_hops} records (transactions, contacts, ties, company "
                   f"roles, contracts, posts in units) connects official {official_id} to anyone or anything "
                   f"acting for gang {gang_id}.")
    else:
        n_hub = sum(p.through_hub for p in paths)
        message = (f"{len(paths)} evidence path(s) of at most {max_hops} records from official {official_id} "
                   f"to gang {gang_id} (out of {n_found} found)")
        message += f"; {n_hub} of them only through hubs." if n_hub else "."
    from .records import pair_records

    recs = pair_records(ctx, oi, gi, seed)
    # records in the order of their signal's contribution
    order = {s: i for i, s in enumerate(signals.sort_values("contribution", ascending=False, kind="stable")["signal"])}
    recs = recs.assign(_o=recs["signal"].map(order).to_numpy()).sort_values(
        ["_o", "used", "value"], ascending=[True, False, False], kind="stable").drop(columns="_o").reset_index(drop=True)
    return Explanation(official_id=official_id, gang_id=gang_id, score=float(row["score"]), rank=int(row["rank"]),
                       signals=signals, paths=paths, message=message, max_hops=int(max_hops), records=recs,
                       model="unsupervised score" if model is None else "classifier probability")
