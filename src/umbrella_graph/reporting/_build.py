"""Build the single-file report: data -> escaped HTML + JSON for the page's script."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from .. import __version__
from .._format import cell_text, fmt_amount, fmt_time, source
from ..errors import ParameterError, UmbrellaGraphError
from ..graph import CaseGraph
from ..schema import KIN_TIES, TABLES
from ..views import kind_map, name_map, node_key, view_case
from ._html import VIS_LICENSE, Page, render_template
from ._mask import mask_text
from ._sections import Section, frame_table, render_blocks
from ._svg import timeline_svg

__all__ = ["render_report", "write_report", "MISSING_TABLE_CONSEQUENCES"]

logger = logging.getLogger(__name__)

#: What an analyst cannot see when a table is missing.
MISSING_TABLE_CONSEQUENCES: dict[str, str] = {
    "people": "no people: nothing can be linked.",
    "officials": "no officials and posts: there is nobody to score.",
    "gangs": "no gangs: there is nothing to link officials to.",
    "members": "no listed gang members: links to a gang can only go through its companies and events.",
    "villages": "no administrative tree: jurisdictions and supervisory responsibility are unknown.",
    "companies": "no companies: front companies and contracts steered to them cannot be seen.",
    "company_roles": "no company roles: who owns or runs the gang's companies is unknown.",
    "ties": "no kinship or social ties: family members used as go-betweens are invisible.",
    "transactions": "no money transfers: bribes and payments cannot be traced.",
    "contacts": "no calls or meetings: contacts, and tip-offs before raids, cannot be checked.",
    "contracts": "no contracts: contracts approved for gang companies cannot be checked.",
    "events": "no raids or other enforcement events: timing signals (tip-offs) cannot be computed.",
    "leads": "no leads (petitions, tips): there is nothing to triage.",
    "labels": "no confirmed outcomes: scores come from the unsupervised signals only.",
}

_REQUIRED_SCORE_COLUMNS = ("official_id", "gang_id", "score")


# ---------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------
def write_report(graph: CaseGraph, scores: pd.DataFrame | None, path: str | Path, **options: Any) -> Path:
    """Render the report and write it to ``path`` (UTF-8)."""
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise ParameterError.invalid("path", "report", "a file name ending in .html", str(p.name))
    text = render_report(graph, scores, **options)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    logger.info("report written: %d bytes", len(text.encode("utf-8")))
    return p


def render_report(
    graph: CaseGraph,
    scores: pd.DataFrame | None = None,
    *,
    mask_pii: bool = True,
    top: int = 50,
    details: int = 10,
    paths: int = 5,
    max_nodes: int = 500,
    sections: Sequence[Section] | None = None,
    investigations: bool = True,
    max_gangs: int = 5,
    title: str | None = None,
    seed: int = 0,
) -> str:
    """The report as one self-contained HTML document (see :func:`umbrella_graph.reporting.report`)."""
    if not isinstance(graph, CaseGraph):
        raise ParameterError.invalid("graph", "report", "a CaseGraph (build_graph(case))", type(graph).__name__)
    for name, value, low in (("top", top, 1), ("details", details, 0), ("paths", paths, 1),
                             ("max_nodes", max_nodes, 2), ("max_gangs", max_gangs, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError.invalid(name, "report", f"an integer >= {low}", value)
    extra = list(sections or [])
    for s in extra:
        if not isinstance(s, Section):
            raise ParameterError.invalid("sections", "report", "a list of umbrella_graph.reporting.Section",
                                         type(s).__name__)
    if scores is None:
        from ..scoring import score_umbrellas

        scores = score_umbrellas(graph, seed=seed)
    scores = _check_scores(scores)
    ctx = _Context(graph, scores, mask=mask_pii, seed=seed)

    ranked = scores.head(top).reset_index(drop=True)
    n_detail = min(details, len(ranked))
    clock = _Clock()
    explanations = [ctx.explain(str(r.official_id), str(r.gang_id), paths)
                    for r in ranked.head(n_detail).itertuples(index=False)]

    # network: the evidence of the top pairs first, then the case overview rule
    focus: list[str] = []
    pair_focus: list[list[str]] = []
    for i, r in enumerate(ranked.itertuples(index=False)):
        ids = [str(r.official_id), str(r.gang_id)]
        if i < n_detail:
            for path in getattr(explanations[i], "paths", []) or []:
                ids.extend(str(n) for n in path.nodes)
        ids = list(dict.fromkeys(ids))
        pair_focus.append([node_key(n, int(k), mask_pii) for n, k in zip(ids, graph.index_of(ids), strict=True)])
        focus.extend(ids)
    clock.lap("explain")
    view = view_case(graph, scores, max_nodes=max_nodes, focus=list(dict.fromkeys(focus)),
                     mask_pii=mask_pii, seed=seed, height="640px", title="Network")

    clock.lap("network")
    pairs = [ctx.pair_row(i, r, i < n_detail) for i, r in enumerate(ranked.itertuples(index=False))]
    detail_blocks = [ctx.pair_detail(i, ranked.iloc[i], explanations[i]) for i in range(n_detail)]
    clock.lap("pairs")

    inv: list[Section] = (_investigation_sections(graph, scores, seed=seed, max_gangs=max_gangs)
                          if investigations else [])
    from ._network import needs_network_sections, network_sections

    if investigations and needs_network_sections(graph):
        inv = network_sections(graph, seed=seed) + inv
    clock.lap("investigations")
    all_sections = inv + extra
    section_ctx = [
        {"anchor": s.anchor, "title": s.title, "note": mask_text(s.note) if mask_pii else s.note,
         "body": render_blocks(s, mask=mask_pii), "group": s.group}
        for s in all_sections
    ]
    case_name = graph.case.name or "case"
    page_title = title or f"Umbrella report: {case_name}"
    nav = [("summary", "Summary"), ("gaps", "Data gaps"), ("pairs", "Suspect pairs")]
    if detail_blocks:
        nav.append(("details", "Evidence"))
    nav += [(str(s["anchor"]), str(s["title"])) for s in section_ctx]
    body = render_template(
        "report.html.j2",
        title=page_title,
        case_name=case_name,
        version=__version__,
        seed=seed,
        masked=mask_pii,
        nav=nav,
        summary=ctx.summary(scores),
        gaps=ctx.gaps(scores),
        pairs=pairs,
        n_scored=len(scores),
        top=len(ranked),
        details=detail_blocks,
        sections=section_ctx,
        network_note=view.note,
        vis_license=VIS_LICENSE,
    )
    data = {"network": view.to_data(), "pairs": [{"focus": f} for f in pair_focus]}
    page = Page(page_title, body, data, scripts=["vis", "network.js", "report.js"],
                styles=["vis", "network.css", "report.css"], body_class="ug-report")
    text = page.render()
    clock.lap("summary and page")
    logger.debug("report phases: %s", clock)
    return text


class _Clock:
    """Wall time of the report's phases (logged at DEBUG level; no case data)."""

    def __init__(self) -> None:
        self._now = time.perf_counter
        self._t = self._now()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        t = self._now()
        self.laps[name] = self.laps.get(name, 0.0) + t - self._t
        self._t = t

    def __str__(self) -> str:
        return ", ".join(f"{k} {v:.2f}s" for k, v in self.laps.items())


def _check_scores(scores: Any) -> pd.DataFrame:
    if not isinstance(scores, pd.DataFrame):
        raise ParameterError.invalid("scores", "report", "a DataFrame from score_umbrellas", type(scores).__name__)
    missing = [c for c in _REQUIRED_SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise ParameterError.invalid("scores", "report", "a DataFrame with columns official_id, gang_id, score",
                                     "missing " + ", ".join(missing))
    s = scores.copy()
    s["official_id"] = s["official_id"].astype(str)
    s["gang_id"] = s["gang_id"].astype(str)
    s["score"] = pd.to_numeric(s["score"], errors="coerce")
    if "rank" in s.columns and s["rank"].notna().all():
        s = s.sort_values(["rank", "official_id", "gang_id"], kind="stable")
    else:
        s = s.sort_values(["score", "official_id", "gang_id"], ascending=[False, True, True],
                          kind="stable", na_position="last")
        s["rank"] = np.arange(1, len(s) + 1)
    if "top_signals" not in s.columns:
        s["top_signals"] = ""
    return s.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# formatting helpers
# ---------------------------------------------------------------------------------------
def _fmt_num(v: Any) -> str:
    if v is None or v is pd.NA:
        return ""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f):
        return ""
    if f == round(f) and abs(f) < 1e12:
        return f"{int(round(f)):,}"
    return f"{f:.3g}" if abs(f) < 100 else f"{f:,.1f}"


class _Context:
    """Lookups shared by the report's parts (names, posts, kin, masking)."""

    def __init__(self, graph: CaseGraph, scores: pd.DataFrame, *, mask: bool, seed: int = 0) -> None:
        self.graph = graph
        self.seed = seed
        self.case = graph.case
        self.mask = mask
        self.names: dict[str, str] = name_map(graph)
        self.kinds: dict[str, str] = kind_map(graph)
        off = self.case["officials"]
        self.posts: dict[str, str] = {}
        if len(off):
            o = off.sort_values(["person_id", "start_date"], ascending=[True, False], kind="stable", na_position="last")
            for pid, grp in o.groupby(o["person_id"].astype(str), sort=True):
                items = []
                for pos, unit in zip(grp["position"], grp["unit"], strict=True):
                    items.append(", ".join(x for x in (cell_text(pos), cell_text(unit)) if x))
                self.posts[str(pid)] = "; ".join(dict.fromkeys(i for i in items if i))

    def t(self, text: Any) -> str:
        """User text as shown (ID and phone numbers masked when masking)."""
        s = cell_text(text)
        return mask_text(s) if self.mask else s

    def name(self, node_id: Any) -> str:
        nid = cell_text(node_id)
        return self.t(self.names.get(nid, nid))

    # -- explanation ------------------------------------------------------------------
    def explain(self, official_id: str, gang_id: str, k: int) -> Any:
        from ..scoring import explain

        return explain(self.graph, official_id, gang_id, k=k, seed=self.seed)

    # -- summary ----------------------------------------------------------------------
    def summary(self, scores: pd.DataFrame) -> dict[str, Any]:
        g = self.graph
        counts = self.case.counts()
        counts = counts[counts["present"]].drop(columns=["present"])
        kinds = g.nodes["kind"].astype(str).value_counts().rename_axis("node kind").reset_index(name="nodes")
        ekinds = g.edges["kind"].astype(str).value_counts().rename_axis("edge kind").reset_index(name="records")
        gangs = self._gangs_frame(scores)
        best = (scores.sort_values(["score", "official_id", "gang_id"], ascending=[False, True, True], kind="stable")
                .drop_duplicates("official_id").head(10))
        top_off = pd.DataFrame({
            "official": [self.name(o) for o in best["official_id"]],
            "id": best["official_id"].tolist(),
            "post": [self.t(self.posts.get(o, "")) for o in best["official_id"]],
            "best gang": [self.name(x) for x in best["gang_id"]],
            "score": [round(float(s), 3) if pd.notna(s) else None for s in best["score"]],
        })
        facts = [
            ("people", f"{int((g.nodes['kind'] == 'person').sum()):,}"),
            ("officials", f"{len(self.case.official_ids()):,}"),
            ("gangs", f"{len(self.case.gang_ids()):,}"),
            ("records (edges)", f"{g.number_of_edges():,}"),
            ("official x gang pairs scored", f"{len(scores):,}"),
        ]
        return {
            "facts": facts,
            "counts": frame_table(counts, mask=False, max_rows=50),
            "kinds": frame_table(kinds, mask=False, max_rows=50),
            "edge_kinds": frame_table(ekinds, mask=False, max_rows=50),
            "gangs": frame_table(gangs, mask=self.mask, max_rows=100),
            "officials": frame_table(top_off, mask=self.mask, max_rows=10),
        }

    def _gangs_frame(self, scores: pd.DataFrame) -> pd.DataFrame:
        gangs = self.case["gangs"]
        members = self.case["members"]
        events = self.case["events"]
        m_gang = members["gang_id"].astype(str)
        n_members = m_gang.value_counts()
        leaders: dict[str, list[str]] = {}
        lead = members[(members["role"].astype("string") == "leader").fillna(False).to_numpy()]
        for pid, gid in zip(lead["person_id"].astype(str), lead["gang_id"].astype(str), strict=True):
            leaders.setdefault(gid, []).append(pid)
        n_events = events["gang_id"].astype(str).value_counts() if len(events) else pd.Series(dtype=int)
        best = (scores.sort_values(["score", "official_id"], ascending=[False, True], kind="stable")
                .drop_duplicates("gang_id").set_index("gang_id"))
        rows = []
        for r in gangs.itertuples(index=False):
            gid = str(r.id)
            top = f"{self.name(best.at[gid, 'official_id'])} ({float(best.at[gid, 'score']):.3f})" if gid in best.index else ""
            rows.append({
                "gang": self.t(r.name),
                "id": gid,
                "type": self.t(getattr(r, "kind", "")),
                "village": self.name(getattr(r, "village_id", "")) if cell_text(getattr(r, "village_id", "")) else "",
                "members listed": int(n_members.get(gid, 0)),
                "leaders": "; ".join(self.name(x) for x in leaders.get(gid, [])),
                "events": int(n_events.get(gid, 0)),
                "top suspect": top,
            })
        return pd.DataFrame(rows, columns=["gang", "id", "type", "village", "members listed", "leaders",
                                           "events", "top suspect"])

    # -- gaps -------------------------------------------------------------------------
    def gaps(self, scores: pd.DataFrame) -> dict[str, Any]:
        rep = self.case.report
        absent = [t for t in TABLES if not self.case.has(t)]
        missing = list(dict.fromkeys([*rep.missing_tables, *absent]))
        empty = [t for t in TABLES if self.case.has(t) and not len(self.case[t])]
        missing_rows = [(t, MISSING_TABLE_CONSEQUENCES.get(t, "")) for t in missing]
        missing_rows += [(t, "present but empty: " + MISSING_TABLE_CONSEQUENCES.get(t, "")) for t in empty]
        probs = rep.to_frame()
        problems_summary = None
        problems = None
        unmatched = None
        if len(probs):
            summ = (probs.groupby(["code", "table", "action"], sort=True).size()
                    .rename("rows").reset_index())
            problems_summary = frame_table(summ, mask=False, max_rows=100)
            problems = frame_table(probs, mask=True, max_rows=200)
            dang = probs[probs["code"].astype(str).str.contains("reference|unknown|unmatched", regex=True)]
            if len(dang):
                unmatched = frame_table(dang, mask=True, max_rows=200)
        notes = []
        known = set(self.names)
        bad_off = sorted(set(scores["official_id"]) - known)
        bad_gang = sorted(set(scores["gang_id"]) - known)
        if bad_off or bad_gang:
            notes.append(f"The scores name {len(bad_off)} official id(s) and {len(bad_gang)} gang id(s) that are not "
                         f"in the case (e.g. {', '.join((bad_off + bad_gang)[:5])}); those rows cannot be explained.")
        g = self.graph
        listed = set(self.case["members"]["gang_id"].astype(str))
        no_members = [x for x in self.case.gang_ids() if x not in listed]
        if no_members:
            notes.append(f"{len(no_members)} gang(s) have no listed members: {', '.join(no_members[:10])}.")
        off = self.case["officials"]
        if len(off):
            nj = int(off["jurisdiction_id"].isna().sum())
            if nj:
                notes.append(f"{nj} post(s) have no jurisdiction: who supervised which place is partly unknown.")
            nd = int(off["start_date"].isna().sum())
            if nd:
                notes.append(f"{nd} post(s) have no start date: tenure overlap with gang activity is partly unknown.")
        ev = self.case["events"]
        if len(ev):
            ng = int(ev["gang_id"].isna().sum())
            if ng:
                notes.append(f"{ng} event(s) name no gang: they cannot be used for tip-off timing.")
        iso = int(((np.bincount(np.concatenate([g.edges["src"].to_numpy(), g.edges["dst"].to_numpy()]),
                                minlength=g.number_of_nodes()) == 0) & (g.nodes["kind"] == "person").to_numpy()).sum())
        if iso:
            notes.append(f"{iso:,} people have no record linking them to anything.")
        return {
            "missing": missing_rows,
            "problems_summary": problems_summary,
            "problems": problems,
            "unmatched": unmatched,
            "notes": notes,
            "n_problems": len(probs),
            "lenient": bool(len(probs)),
        }

    # -- pairs ------------------------------------------------------------------------
    def pair_row(self, i: int, r: Any, has_detail: bool) -> dict[str, Any]:
        o, g = str(r.official_id), str(r.gang_id)
        score = float(r.score) if pd.notna(r.score) else float("nan")
        return {
            "i": i,
            "rank": _fmt_num(r.rank),
            "official": self.name(o),
            "official_id": self.t(o),
            "post": self.t(self.posts.get(o, "")),
            "gang": self.name(g),
            "gang_id": self.t(g),
            "score": "" if math.isnan(score) else f"{score:.3f}",
            "pct": 0 if math.isnan(score) else max(0, min(100, round(score * 100))),
            "signals": self.t(getattr(r, "top_signals", "")),
            "has_detail": has_detail,
        }

    def pair_detail(self, i: int, row: pd.Series, expl: Any) -> dict[str, Any]:
        o, g = str(row["official_id"]), str(row["gang_id"])
        sig = getattr(expl, "signals", None)
        signals = []
        if isinstance(sig, pd.DataFrame) and len(sig) and "contribution" in sig.columns:
            sig = sig.assign(_c=pd.to_numeric(sig["contribution"], errors="coerce").fillna(0.0))
            sig = sig.sort_values("_c", ascending=False, kind="stable").drop(columns="_c")
        if isinstance(sig, pd.DataFrame) and len(sig):
            contrib = pd.to_numeric(sig.get("contribution"), errors="coerce").fillna(0.0) if "contribution" in sig else pd.Series(0.0, index=sig.index)
            top = float(contrib.abs().max()) or 1.0
            for (_, s), c in zip(sig.iterrows(), contrib, strict=True):
                signals.append({
                    "signal": self.t(s.get("signal", "")),
                    "value": _fmt_num(s.get("value")),
                    "contribution": f"{float(c):+.3f}",
                    "pct": round(100 * abs(float(c)) / top),
                    "neg": float(c) < 0,
                    "description": self.t(s.get("description", "")),
                })
        paths = []
        for j, path in enumerate(getattr(expl, "paths", []) or []):
            paths.append(self._path(j, path))
        score = getattr(expl, "score", None)
        if score is None or (isinstance(score, float) and math.isnan(score)):
            score = row["score"]
        return {
            "i": i,
            "anchor": f"pair-{i + 1}",
            "rank": _fmt_num(row["rank"]),
            "official": self.name(o),
            "official_id": self.t(o),
            "post": self.t(self.posts.get(o, "")),
            "gang": self.name(g),
            "gang_id": self.t(g),
            "score": f"{float(score):.3f}" if pd.notna(score) else "",
            "top_signals": self.t(row.get("top_signals", "")),
            "signals": signals,
            "paths": paths,
            "message": self.t(getattr(expl, "message", "") or ""),
            "timeline": self._timeline(o, g, expl),
        }

    def _path(self, j: int, path: Any) -> dict[str, Any]:
        nodes = [str(n) for n in path.nodes]
        hops = list(path.hops)
        chain = []
        for k, n in enumerate(nodes):
            chain.append({"name": self.name(n), "id": self.t(n), "kind": self.kinds.get(n, "")})
            if k < len(hops):
                chain.append({"hop": cell_text(hops[k].kind)})
        rows = []
        for h in hops:
            recs = h.records if isinstance(h.records, pd.DataFrame) else pd.DataFrame()
            for rec in recs.to_dict("records"):
                rows.append({
                    "link": f"{self.name(h.src)} → {self.name(h.dst)}",
                    "kind": cell_text(h.kind),
                    "record": cell_text(rec.get("record_id")),
                    "table": cell_text(rec.get("table")),
                    "source": source(rec.get("file"), rec.get("row")),
                    "date": fmt_time(rec.get("time")),
                    "amount": fmt_amount(rec.get("amount")),
                    "detail": self.t(rec.get("detail")),
                })
        hubs = [self.name(h) for h in (getattr(path, "hubs", None) or [])]
        strength = getattr(path, "strength", None)
        return {
            "n": j + 1,
            "chain": chain,
            "records": frame_table(pd.DataFrame(rows, columns=["link", "kind", "record", "table", "source", "date",
                                                               "amount", "detail"]),
                                   mask=False, max_rows=60, cls="ug-table ug-records"),
            "strength": _fmt_num(strength) if strength is not None else "",
            "through_hub": bool(getattr(path, "through_hub", False)),
            "hubs": ", ".join(hubs),
        }

    def _timeline(self, official_id: str, gang_id: str, expl: Any) -> Markup:
        """Money and contacts between the official's side and the gang's side, and raids."""
        g = self.graph
        case = self.case
        ties = case["ties"]
        side_o = {official_id}
        if len(ties):
            kin = ties[ties["kind"].astype(str).isin(KIN_TIES)]
            a, b = kin["src"].astype(str), kin["dst"].astype(str)
            side_o |= set(b[a == official_id]) | set(a[b == official_id])
        mem = case["members"]
        side_g = set(mem[mem["gang_id"].astype(str) == gang_id]["person_id"].astype(str))
        roles = case["company_roles"]
        if len(roles) and side_g:
            side_g |= set(roles[roles["person_id"].astype(str).isin(side_g)]["company_id"].astype(str))
        side_o -= side_g
        io = np.zeros(g.number_of_nodes(), dtype=bool)
        ig = np.zeros(g.number_of_nodes(), dtype=bool)
        po, pg = g.index_of(sorted(side_o)), g.index_of(sorted(side_g))
        io[po[po >= 0]] = True
        ig[pg[pg >= 0]] = True
        E = g.edges
        s, d = E["src"].to_numpy(), E["dst"].to_numpy()
        m = E["kind"].isin(["transaction", "contact"]).to_numpy() & ((io[s] & ig[d]) | (ig[s] & io[d]))
        keys: set[tuple[str, int]] = set()
        rows = []
        for kind, grp in E[m].groupby("kind", observed=True, sort=True):
            table = "transactions" if str(kind) == "transaction" else "contacts"
            rec = case[table].iloc[grp["pos"].to_numpy()]
            lane = "money" if table == "transactions" else "contact"
            srcs = [self.name(x) for x in g.ids_of(grp["src"].to_numpy())]
            dsts = [self.name(x) for x in g.ids_of(grp["dst"].to_numpy())]
            amounts = (rec["amount"].to_numpy(dtype=float, na_value=np.nan) if lane == "money"
                       else np.full(len(rec), np.nan))
            what = ([fmt_amount(a) for a in amounts] if lane == "money"
                    else [cell_text(k) for k in rec["kind"].tolist()])
            rows_ = rec["_row"].astype(int).tolist()
            sources = [source(f, r) for f, r in zip(rec["_file"].tolist(), rows_, strict=True)]
            times = grp["time"].tolist()
            for t, w, a, sname, dname, src, r in zip(times, what, amounts, srcs, dsts, sources, rows_, strict=True):
                keys.add((table, r))
                rows.append({"time": t, "lane": lane, "amount": a,
                             "label": f"{fmt_time(t)} {lane} {w} {sname} → {dname} ({src})"})
        # records on the evidence paths not already included
        for path in getattr(expl, "paths", []) or []:
            for h in path.hops:
                recs = h.records if isinstance(h.records, pd.DataFrame) else pd.DataFrame()
                for r in recs.to_dict("records"):
                    table = cell_text(r.get("table"))
                    if table not in ("transactions", "contacts"):
                        continue
                    key = (table, int(r["row"])) if cell_text(r.get("row")) else None
                    if key is None or key in keys:
                        continue
                    keys.add(key)
                    lane = "money" if table == "transactions" else "contact"
                    label = (f"{fmt_time(r.get('time'))} {lane} {fmt_amount(r.get('amount'))} "
                             f"{self.name(h.src)} → {self.name(h.dst)} ({source(r.get('file'), r.get('row'))})")
                    rows.append({"time": r.get("time"), "lane": lane, "amount": r.get("amount"), "label": label})
        recs_df = pd.DataFrame(rows, columns=["time", "lane", "amount", "label"])
        recs_df["time"] = pd.to_datetime(recs_df["time"])
        recs_df["amount"] = pd.to_numeric(recs_df["amount"], errors="coerce")
        recs_df = recs_df.sort_values("time", kind="stable").head(2000)
        ev = case["events"]
        raids = pd.DataFrame(columns=["time", "label"])
        if len(ev):
            on = (ev["gang_id"].astype(str) == gang_id) | ev["target_id"].astype(str).isin(side_g)
            e2 = ev[on.fillna(False)]
            raids = pd.DataFrame({
                "time": pd.to_datetime(e2["time"]),
                "label": [f"{self.t(k)} {fmt_time(t)} ({i})" for k, t, i in zip(e2["kind"], e2["time"], e2["id"], strict=True)],
            })
        return timeline_svg(recs_df, raids, title=f"Money and contacts, {self.name(official_id)} and {self.name(gang_id)}")


# ---------------------------------------------------------------------------------------
# the investigations helper's analyses
# ---------------------------------------------------------------------------------------
def _investigation_sections(graph: CaseGraph, scores: pd.DataFrame, *, seed: int, max_gangs: int) -> list[Section]:
    """Sections for tip-offs, lead triage, accountability and disruption.

    Tip-offs and leads cover the whole case; accountability and disruption are per gang and
    cover at most ``max_gangs`` gangs, those with the highest-scoring pairs. An analysis
    that cannot run on this case (an :class:`UmbrellaGraphError`, e.g. a table it needs is
    missing) gives a section that says so instead of its results.
    """
    best = scores.groupby("gang_id", sort=True)["score"].max()
    ranked = sorted(graph.gangs, key=lambda g: (-(float(best.get(g, 0.0)) if pd.notna(best.get(g, 0.0)) else 0.0), g))
    gangs = ranked[:max_gangs]
    left = len(ranked) - len(gangs)
    scope = ("" if not left else
             f"Shown for the {len(gangs)} gangs with the highest-scoring pairs ({', '.join(gangs)}); "
             f"{left} other gang(s) left out: run the analysis per gang in Python or the CLI.")
    out: list[Section] = []
    for builder, title, anchor, per_gang in (
        (_tipoff_section, "Tip-offs before raids (通风报信)", "tipoffs", False),
        (_leads_section, "Lead triage (线索排摸)", "leads", False),
        (_accountability_section, "One case, three investigations (一案三查)", "accountability", True),
        (_disruption_section, "Disruption curves (打伞破网)", "disruption", True),
    ):
        t0 = time.perf_counter()
        try:
            sec = builder(graph, scores, seed, title, anchor, gangs)
        except UmbrellaGraphError as exc:
            logger.warning("report section %s could not be computed: %s", anchor, type(exc).__name__)
            sec = Section(title, note=f"Could not be computed for this case: {exc}", anchor=anchor,
                          group="investigations")
        if per_gang and scope:
            sec.note = " ".join(x for x in (scope, sec.note) if x)
        logger.debug("report section %s: %.2fs", anchor, time.perf_counter() - t0)
        out.append(sec)
    return out


def _names_of(graph: CaseGraph, ids: Iterable[Any]) -> list[str]:
    names = name_map(graph)
    return [names.get(cell_text(i), cell_text(i)) for i in ids]


def _tipoff_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                    gangs: Sequence[str]) -> Section:
    from ..investigate import find_tipoffs, tipoffs_summary

    df = find_tipoffs(graph)
    blocks: list[Any] = [
        "Officials (or their spouses and kin) in contact with a gang's side in the 48 hours before an "
        "enforcement event on that gang, ranked by how unusual that contact is for them (surprise = "
        "-log10 of the chance of that many contacts at the official's normal rate)."
    ]
    if len(df):
        summ = tipoffs_summary(df)
        if "official_id" in summ.columns:
            summ.insert(list(summ.columns).index("official_id") + 1, "official", _names_of(graph, summ["official_id"]))
        blocks += ["One row per event and official:", summ, "Every contact record in the windows:", df]
    return Section(title, blocks, anchor=anchor, group="investigations", max_rows=100,
                   note="" if len(df) else "No unusual contact before any event on a gang.")


def _leads_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                   gangs: Sequence[str]) -> Section:
    from ..investigate import triage_leads

    df = triage_leads(graph, scores=scores, seed=seed)
    return Section(title, [
        "Leads (petitions, hotline tips, referrals) ranked by the independent graph evidence that supports "
        "them, with the reason for each rank.", df], anchor=anchor, group="investigations",
        note="" if len(df) else "No leads in the case.")


def _accountability_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                            gangs: Sequence[str]) -> Section:
    from ..investigate import accountability

    blocks: list[Any] = [
        "For each gang: (1) the gang itself, (2) its suspected umbrellas, (3) the officials who carried "
        "supervisory responsibility for its place and its companies' sectors while it was active, with "
        "the reason each is listed. The records behind each suspected umbrella are in the Evidence "
        "section (top pairs) or from accountability(graph, gang_id), which cites them."
    ]
    for gid in gangs:
        df = accountability(graph, gid, scores=scores, seed=seed, explain=False)
        blocks.append(f"Gang {_names_of(graph, [gid])[0]} ({gid}): {len(df)} row(s).")
        blocks.append(df.reset_index(drop=True))
    return Section(title, blocks, anchor=anchor, group="investigations", max_rows=80,
                   note="" if gangs else "No gang in the case.")


def _disruption_section(graph: CaseGraph, scores: pd.DataFrame, seed: int, title: str, anchor: str,
                        gangs: Sequence[str]) -> Section:
    from ..investigate import plan_disruption
    from ._svg import Chart

    series: dict[str, tuple[list[float], list[float]]] = {}
    tables: list[Any] = []
    for gid in gangs:
        plan = plan_disruption(graph, gid, scores=scores, seed=seed)
        name = _names_of(graph, [gid])[0]
        c = plan.curve
        if len(c):
            series[f"{name} ({gid})"] = (c["step"].astype(float).tolist(), c["lcc_fraction"].astype(float).tolist())
        removed = plan.removed.copy()
        if "node_id" in removed.columns:
            removed.insert(list(removed.columns).index("node_id") + 1, "name", _names_of(graph, removed["node_id"]))
        tables += [f"Gang {name} ({gid}): network of {plan.graph.number_of_nodes()} nodes and "
                   f"{plan.graph.number_of_edges()} edges; remove, in order ({plan.strategy}, {plan.mode}):", removed]
    blocks: list[Any] = [
        "Which nodes to remove to break each gang's network (its members, companies, suspected umbrellas "
        "and the intermediaries on their evidence paths), and the share of that network still in its "
        "largest connected piece after each removal."
    ]
    if series:
        blocks.append(Chart(series, x_label="nodes removed", y_label="largest component (share)",
                            y_range=(0.0, 1.0), title="Disruption curve per gang", width=640, height=260))
    blocks += tables
    return Section(title, blocks, anchor=anchor, group="investigations", max_rows=30,
                   note="" if series else "No gang network to disrupt.")
