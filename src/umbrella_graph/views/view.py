"""The view object (:class:`NetworkView`) and how a selection is drawn into one.
"""

from __future__ import annotations

import html as _html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..graph import CaseGraph
from ..presentation import (
    fmt_amount,
    mask_text,
    source,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyvis.network import Network

from .layout import _community_map, _positions
from .style import (
    _CROWDED_EDGES,
    _PALETTE,
    _TIP_RECORDS,
    _TIP_RECORDS_CROWDED,
    EDGE_STYLES,
    NODE_STYLES,
    _categories,
    _fmt_times,
    _node_label,
    _node_name,
    _short,
    _smooth,
    _vis_options,
    _width,
    node_key,
)
from .tooltips import _edge_records, _edge_tip, _hop_tip, _node_tips, _tip_text


# ---------------------------------------------------------------------------------------
# the view object
# ---------------------------------------------------------------------------------------
@dataclass
class NetworkView:
    """An interactive network view: shows inline in Jupyter, saves as one HTML file.

    Attributes
    ----------
    network : pyvis.network.Network
        The nodes and edges, with positions (``x``, ``y``), styles and the evidence
        shown on hover (``tip``). Change it and :attr:`html` follows.
    title : str
        The heading.
    note : str
        What is shown and what was left out ("120 of 4,210 nodes shown: ...").
    shown, total : int
        Nodes shown and nodes in the case graph.
    height : str
        CSS height of the drawing (``"650px"``).
    """

    network: Network
    title: str
    note: str
    shown: int
    total: int
    height: str = "650px"
    meta: dict[str, Any] = field(default_factory=dict)

    def to_data(self) -> dict[str, Any]:
        """The view as plain JSON-able data (what the page's script draws)."""
        nodes = []
        cats: dict[str, None] = {}
        for n in self.network.nodes:
            cats[str(n.get("cat", "person"))] = None
            nodes.append({k: n[k] for k in ("id", "label", "shape", "color", "size", "x", "y",
                                             "cat", "name", "tip", "grp") if k in n})
        edges = []
        fams: dict[str, None] = {}
        for i, e in enumerate(self.network.edges):
            fams[str(e.get("fam", "social"))] = None
            d = {k: e[k] for k in ("from", "to", "fam", "width", "color", "dashes", "smooth",
                                   "tip", "t", "evidence") if k in e}
            d["id"] = e.get("id", f"e{i}")
            d["arrows"] = e.get("arrows", "") == "to"
            edges.append(d)
        times = [t for e in edges for t in e.get("t", ())]
        legend_nodes = [
            {"cat": c, "label": s.label, "shape": s.shape, "color": s.color}
            for c, s in NODE_STYLES.items() if c in cats
        ]
        legend_edges = [
            {"fam": f, "label": s.label, "color": s.color,
             "dashes": list(s.dashes) if isinstance(s.dashes, tuple) else bool(s.dashes)}
            for f, s in EDGE_STYLES.items() if f in fams
        ]
        return {
            "title": self.title,
            "note": self.note,
            "shown": self.shown,
            "total": self.total,
            "nodes": nodes,
            "edges": edges,
            "legend": {"nodes": legend_nodes, "edges": legend_edges,
                       "communities": self.meta.get("communities")},
            "days": [min(times), max(times)] if times else None,
        }

    @property
    def html(self) -> str:
        """The view as one self-contained HTML document (no external resources)."""
        from ..presentation import Page, render_template

        body = render_template("view.html.j2", title=self.title, note=self.note, height=self.height)
        page = Page(self.title, body, {"view": self.to_data()},
                    scripts=["vis", "network.js", "view.js"], styles=["vis", "network.css"],
                    body_class="ug-view-page")
        return page.render()

    def save(self, path: str | Path) -> Path:
        """Write :attr:`html` to ``path`` (UTF-8); return the path."""
        p = Path(path)
        p.write_text(self.html, encoding="utf-8")
        return p

    def _repr_html_(self) -> str:
        # the page goes into srcdoc (attribute-escaped); sandboxed: scripts run, but the
        # frame has no access to the notebook
        height = _css_px(self.height) + 170
        return (
            f'<iframe srcdoc="{_html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd" '
            'sandbox="allow-scripts" loading="eager" '
            f'title="{_html.escape(self.title, quote=True)}"></iframe>'
        )

    def __repr__(self) -> str:
        return (f"<NetworkView {self.title!r}: {self.shown} of {self.total} nodes, "
                f"{len(self.network.edges)} edges>")


def _css_px(height: str) -> int:
    m = re.match(r"^(\d+)", height)
    if height.endswith("px") and m:
        return int(m.group(1))
    return 650


def _build_view(
    graph: CaseGraph,
    positions: Sequence[int],
    kinds: Sequence[str],
    *,
    title: str,
    note: str,
    scores: Mapping[str, float],
    communities: str | Mapping[str, int] | pd.Series | None,
    mask_pii: bool,
    height: str,
    seed: int,
    meta: dict[str, Any],
    layered: Mapping[str, tuple[float, int]] | None = None,
    evidence: set[tuple[str, int]] | None = None,
    hops: Sequence[Any] = (),
) -> NetworkView:
    from pyvis.network import Network

    positions = list(dict.fromkeys(int(p) for p in positions))
    ids = graph.nodes["id"].to_numpy()
    sel = np.zeros(graph.number_of_nodes(), dtype=bool)
    sel[positions] = True
    E = graph.edges
    m = E["kind"].isin(list(kinds)).to_numpy() & sel[E["src"].to_numpy()] & sel[E["dst"].to_numpy()]
    m &= (E["src"] != E["dst"]).to_numpy()
    recs = _edge_records(graph, E[m], mask_pii)

    # aggregate records into drawn edges: one per (pair, family); direction kept for
    # directed families (money flows src -> dst)
    directed = recs["fam"].map(lambda f: EDGE_STYLES[f].arrows).to_numpy(dtype=bool) if len(recs) else np.zeros(0, bool)
    a = np.where(directed, recs["src"], np.minimum(recs["src"], recs["dst"])) if len(recs) else np.zeros(0, int)
    b = np.where(directed, recs["dst"], np.maximum(recs["src"], recs["dst"])) if len(recs) else np.zeros(0, int)
    recs = recs.assign(a=a, b=b, _t=pd.to_datetime(recs["time"]))
    recs = recs.sort_values(["a", "b", "fam", "_t", "file", "row"], kind="stable", na_position="last")

    xy = _positions(graph, positions, recs, seed=seed, layered=layered)
    comm = _community_map(graph, positions, recs, communities, seed)
    cats = _categories(graph, positions)

    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line")
    net.options = _vis_options()  # type: ignore[assignment]
    tips = _node_tips(graph, positions, cats, scores, mask_pii)

    def shown(text: str) -> str:
        return mask_text(text) if mask_pii else text

    def vid(p: int) -> str:
        return node_key(str(ids[p]), p, mask_pii)

    for p in positions:
        nid = str(ids[p])
        cat = cats[p]
        style = NODE_STYLES[cat]
        size = style.size
        score = scores.get(nid)
        if cat == "official" and score is not None:
            size = round(10 + 16 * max(0.0, min(1.0, score)), 2)
        color: Any = style.color
        extra: dict[str, Any] = {}
        if comm is not None and nid in comm:
            c = comm[nid]
            color = {"background": _PALETTE[c % len(_PALETTE)], "border": style.color}
            extra["grp"] = int(c)
        name = shown(_node_label(graph, p))
        tip = tips[p]
        net.add_node(
            vid(p), label=_short(name), shape=style.shape, color=color, size=size,
            x=round(xy[p][0], 1), y=round(xy[p][1], 1), physics=False,
            title=_tip_text(tip), cat=cat, name=name, tip=tip, **extra,
        )

    names = {p: shown(_node_name(graph, p)) for p in positions}
    n_rec = len(recs)
    if n_rec:
        ra, rb = recs["a"].to_numpy(np.int64), recs["b"].to_numpy(np.int64)
        rfam = recs["fam"].to_numpy(dtype=object)
        change = np.ones(n_rec, dtype=bool)
        change[1:] = (ra[1:] != ra[:-1]) | (rb[1:] != rb[:-1]) | (rfam[1:] != rfam[:-1])
        starts = np.flatnonzero(change)
        ends = np.append(starts[1:], n_rec)
        amounts = recs["amount"].to_numpy(dtype=float)
        amount_sum = np.add.reduceat(np.nan_to_num(amounts), starts)
        count_sum = np.add.reduceat(recs["count"].to_numpy(dtype=float), starts)
        tvals = recs["_t"].to_numpy(dtype="datetime64[ns]")
        day = tvals.astype("datetime64[D]").astype(np.int64)
        has_t = ~np.isnat(tvals)
        # text only for what the page shows: the first tip_k records of each edge
        # and each edge's first and last dated record (a dense call log can put millions of
        # records behind the shown edges; formatting them all cost minutes)
        tip_k = _TIP_RECORDS if len(starts) <= _CROWDED_EDGES else _TIP_RECORDS_CROWDED
        offset = np.arange(n_rec) - np.repeat(starts, ends - starts)
        shown_idx = np.flatnonzero(offset < tip_k)
        timed_idx = np.flatnonzero(has_t)
        g_of = np.repeat(np.arange(len(starts)), ends - starts)
        first_t = np.full(len(starts), -1, dtype=np.int64)
        last_t = np.full(len(starts), -1, dtype=np.int64)
        if len(timed_idx):
            # timed_idx is sorted, so the first (last) timed row of a group is its first (last) hit
            first_t[g_of[timed_idx][::-1]] = timed_idx[::-1]
            last_t[g_of[timed_idx]] = timed_idx
        fmt_idx = np.unique(np.concatenate([shown_idx, first_t[first_t >= 0], last_t[last_t >= 0]]))
        t_txt = np.full(n_rec, "", dtype=object)
        t_txt[fmt_idx] = _fmt_times(recs["_t"].iloc[fmt_idx])
        rid_l, det_l = recs["rid"].to_numpy(dtype=object), recs["detail"].to_numpy(dtype=object)
        file_l, row_l = recs["file"].to_numpy(dtype=object), recs["row"].to_numpy()
        rec_row: dict[int, tuple[str, str, str, str, str]] = {
            int(i): (t_txt[i], fmt_amount(amounts[i]), rid_l[i], source(file_l[i], row_l[i]), det_l[i])
            for i in shown_idx.tolist()}
        if evidence is not None:
            keys = pd.MultiIndex.from_arrays([recs["table"].astype(str).to_numpy(),
                                              recs["row"].to_numpy(dtype=np.int64)])
            ev_rec = np.asarray(keys.isin(list(evidence)), dtype=bool) if evidence else np.zeros(n_rec, bool)
    else:
        starts = ends = np.zeros(0, dtype=np.int64)
    pair_seen: dict[tuple[int, int], int] = {}
    for gi, (s0, s1) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        ea, eb, fam = int(ra[s0]), int(rb[s0]), str(rfam[s0])
        estyle = EDGE_STYLES[fam]
        key = (min(ea, eb), max(ea, eb))
        nth = pair_seen.get(key, 0)
        pair_seen[key] = nth + 1
        amount, count = float(amount_sum[gi]), float(count_sum[gi])
        ht = has_t[s0:s1]
        days = np.unique(day[s0:s1][ht]).tolist()
        is_ev = None
        if evidence is not None:
            is_ev = bool(ev_rec[s0:s1].any())
        first = t_txt[first_t[gi]] if first_t[gi] >= 0 else ""
        last = t_txt[last_t[gi]] if last_t[gi] >= 0 else ""
        rows_shown = [rec_row[i] for i in range(s0, min(s1, s0 + tip_k))]
        tip = _edge_tip(names[ea], names[eb], fam, rows_shown, amount, count, first, last, n_records=s1 - s0)
        edge: dict[str, Any] = {
            "id": f"e{len(net.edges)}", "fam": fam, "width": _width(fam, amount, count),
            "color": estyle.color,
            "dashes": list(estyle.dashes) if isinstance(estyle.dashes, tuple) else estyle.dashes,
            "arrows": "to" if estyle.arrows else "", "title": _tip_text(tip), "tip": tip, "t": days,
            "smooth": _smooth(nth),
        }
        if is_ev is not None:
            edge["evidence"] = bool(is_ev)
            if is_ev:
                edge["width"] = max(3.0, edge["width"])
        net.add_edge(vid(ea), vid(eb), **edge)
    # evidence links that are not records between the two nodes (e.g. a company the scorer
    # puts on the gang's side): drawn as their own dashed edge with the hop's records
    for hop in hops:
        ha, hb = (int(x) for x in graph.index_of([str(hop.src), str(hop.dst)]))
        if ha < 0 or hb < 0 or not (sel[ha] and sel[hb]) or (min(ha, hb), max(ha, hb)) in pair_seen:
            continue
        pair_seen[(min(ha, hb), max(ha, hb))] = 1
        tip = _hop_tip(names[ha], names[hb], hop, mask_pii)
        gstyle = EDGE_STYLES["gangside"]
        net.add_edge(vid(ha), vid(hb), id=f"e{len(net.edges)}", fam="gangside", width=3.0,
                     color=gstyle.color, dashes=list(gstyle.dashes) if isinstance(gstyle.dashes, tuple) else False,
                     arrows="", title=_tip_text(tip), tip=tip, t=[], smooth=False, evidence=True)

    view = NetworkView(net, title, note, shown=len(positions), total=graph.number_of_nodes(),
                       height=height, meta=dict(meta))
    if comm is not None:
        view.meta["communities"] = len(set(comm.values()))
    return view
