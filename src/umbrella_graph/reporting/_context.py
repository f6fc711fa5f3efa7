"""The report's data: :class:`_Context` gathers what every section shows (case counts,
scores, suspects' cards, evidence, views) as escaped HTML and JSON for the page's script.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..domain import official_circle
from ..graph import CaseGraph
from ..presentation import (
    cell_text,
    fmt_amount,
    fmt_time,
    mask_text,
    source,
)
from ..schema import TABLES
from ..views import kind_map, name_map
from ._brief import alternative, confidence, strongest_records
from ._labels import text
from ._sections import frame_table
from ._svg import (
    cumulative_money_svg,
    heatmap_svg,
    stacked_bars_svg,
    timeline_svg,
)

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

def _gang_side(graph: CaseGraph, gang_id: str) -> list[str]:
    """People on a gang's side: the scorer's one definition (listed members, and unlisted
    people it places there with confidence >= 0.5)."""
    from ..scoring.facts import gang_side_ids

    return gang_side_ids(graph, [gang_id])["person_id"].astype(str).tolist()


def _event_gangs(graph: CaseGraph) -> pd.DataFrame:
    """The gang each event targeted: the scorer's one definition (named, or through the
    event's target, :func:`umbrella_graph.scoring.facts.event_gang_ids`)."""
    from ..scoring.facts import event_gang_ids

    return event_gang_ids(graph)


def _gang_companies(graph: CaseGraph, gang_id: str) -> list[str]:
    """A gang's companies: the scorer's one definition (confidence >= 0.5)."""
    from ..scoring import gang_companies

    c = gang_companies(graph, gang_id)
    return c.loc[c["confidence"].to_numpy(dtype=float) >= 0.5, "company_id"].astype(str).tolist()


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

    def __init__(self, graph: CaseGraph, scores: pd.DataFrame, *, mask: bool, seed: int = 0,
                 lang: str = "en") -> None:
        self.graph = graph
        self.seed = seed
        self.lang = lang
        self._memos: dict[tuple[str, int], str] | None = None  # transfer memos, read on first use
        self.case = graph.case
        self.mask = mask
        self.names: dict[str, str] = name_map(graph)
        self.kinds: dict[str, str] = kind_map(graph)
        # every official's circle, once per report (who holds a post decides whose circle
        # a relative is in, so it is computed over all officials, as the scorer does)
        circ = official_circle(graph.officials, self.case["ties"])
        self.circles: dict[str, set[str]] = {
            str(o): set(grp.astype(str)) for o, grp in circ.groupby(circ["official_id"].astype(str))["person_id"]}
        off = self.case["officials"]
        self.posts: dict[str, str] = {}
        if len(off):
            o = off.sort_values(["person_id", "start_date"], ascending=[True, False], kind="stable", na_position="last")
            for pid, grp in o.groupby(o["person_id"].astype(str), sort=True):
                items = []
                for pos, unit in zip(grp["position"], grp["unit"], strict=True):
                    items.append(", ".join(x for x in (cell_text(pos), cell_text(unit)) if x))
                self.posts[str(pid)] = "; ".join(dict.fromkeys(i for i in items if i))

    def memo(self, table: Any, file: Any, row: Any) -> str:
        """The memo of the transfer at ``file``:``row`` ('' when none or not a transfer)."""
        if cell_text(table) != "transactions" or not cell_text(row):
            return ""
        if self._memos is None:
            tx = self.case["transactions"]
            self._memos = {}
            if len(tx) and "memo" in tx.columns:
                has = tx["memo"].notna().to_numpy()
                sub = tx[has]
                files = [cell_text(f) for f in sub["_file"].tolist()]
                # a file's name once per file, not once per transfer (9 s on a 100k city)
                names = {f: Path(f).name for f in dict.fromkeys(files)}
                self._memos = {(names[f], int(r)): cell_text(m) for f, r, m in zip(
                    files, sub["_row"].tolist(), sub["memo"].tolist(), strict=True)}
        try:
            key = (Path(cell_text(file)).name, int(float(cell_text(row))))
        except ValueError:
            return ""
        return self._memos.get(key, "")

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
            "counts": frame_table(counts, mask=False, max_rows=50, lang=self.lang),
            "kinds": frame_table(kinds, mask=False, max_rows=50, lang=self.lang),
            "edge_kinds": frame_table(ekinds, mask=False, max_rows=50, lang=self.lang),
            "gangs": frame_table(gangs, mask=self.mask, max_rows=100, lang=self.lang),
            "officials": frame_table(top_off, mask=self.mask, max_rows=10, lang=self.lang),
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
        n_events = (_event_gangs(self.graph)["gang_id"].dropna().astype(str).value_counts() if len(events)
                    else pd.Series(dtype=int))
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
            problems_summary = frame_table(summ, mask=False, max_rows=100, lang=self.lang)
            problems = frame_table(probs, mask=True, max_rows=200, lang=self.lang)
            dang = probs[probs["code"].astype(str).str.contains("reference|unknown|unmatched", regex=True)]
            if len(dang):
                unmatched = frame_table(dang, mask=True, max_rows=200, lang=self.lang)
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
            eg = _event_gangs(g)
            ng = int(eg["gang_id"].isna().sum())
            if ng:
                notes.append(f"{ng} event(s) name no gang, nor a target on a gang's side: they cannot be used "
                             "for tip-off timing.")
            nt = int((eg["gang_from"] == "target").sum())
            if nt:
                notes.append(f"{nt} event(s) name no gang and are read as on the gang whose side holds their "
                             "target (a listed member, or a company or person the scorer places there).")
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
                    "zero": abs(float(c)) < 5e-4,
                    "description": self.t(s.get("description", "")),
                })
        paths = []
        for j, path in enumerate(getattr(expl, "paths", []) or []):
            paths.append(self._path(j, path))
        score = getattr(expl, "score", None)
        if score is None or (isinstance(score, float) and math.isnan(score)):
            score = row["score"]
        recs = getattr(expl, "records", None)
        records = Markup("")
        if isinstance(recs, pd.DataFrame) and len(recs):
            shown = pd.DataFrame({
                "signal": recs["signal"].astype(str), "status": np.where(recs["used"], "used", "left out"),
                "record": recs["record_id"].astype(str),
                "source": [source(f, r) for f, r in zip(recs["file"].tolist(), recs["row"].tolist(), strict=True)],
                "date": [fmt_time(t) for t in recs["time"].tolist()],
                "amount": [fmt_amount(a) if pd.notna(a) else "" for a in recs["amount"].tolist()],
                "note": recs["note"].astype(str)})
            records = frame_table(shown, mask=self.mask, max_rows=200, cls="ug-table ug-records")
        return {
            "i": i,
            "anchor": f"pair-{i + 1}",
            "records": records,
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
            **self._timeline(o, g, expl),
        }

    def card(self, j: int, row: pd.Series, expl: Any, focus: int, detail: int) -> dict[str, Any]:
        """One suspect's brief card (see :mod:`umbrella_graph.reporting._brief`)."""
        o, g = str(row["official_id"]), str(row["gang_id"])
        level, why = confidence(expl, row, self.lang)
        recs = []
        for r in strongest_records(expl, 3):
            recs.append({
                "date": r["time"], "amount": r["amount"], "source": r["source"], "record": self.t(r["record_id"]),
                "what": self.t(r["detail"]) or f"{r['table']} {self.name(r['src'])} → {self.name(r['dst'])}",
                "memo": self.t(self.memo(r["table"], r["file"], r["row"])),
                "link": f"{self.name(r['src'])} → {self.name(r['dst'])}" if r["src"] and r["dst"] else "",
            })
        score = float(row["score"]) if pd.notna(row["score"]) else float("nan")
        return {
            "n": j + 1, "focus": focus, "detail": detail,
            "official": self.name(o), "official_id": self.t(o), "post": self.t(self.posts.get(o, "")),
            "gang": self.name(g), "gang_id": self.t(g),
            "score": "" if math.isnan(score) else f"{score:.3f}",
            "pct": 0 if math.isnan(score) else max(0, min(100, round(score * 100))),
            "level": level, "level_label": text(level, self.lang), "why": why,
            "records": recs, "alternative": alternative(expl, row, self.lang),
        }

    def breakdown(self, top: pd.DataFrame) -> Markup:
        """Stacked score breakdown (contribution of each signal) of the top pairs."""
        cols = [c for c in top.columns if str(c).startswith("contrib_")]
        if not len(top) or not cols:
            return Markup("")
        used = [c for c in cols if float(pd.to_numeric(top[c], errors="coerce").fillna(0).clip(lower=0).sum()) > 0]
        labels = [f"#{int(r)} {self.name(o)} · {self.name(g)}"
                  for r, o, g in zip(top["rank"], top["official_id"], top["gang_id"], strict=True)]
        parts = {c[len("contrib_"):]: pd.to_numeric(top[c], errors="coerce").fillna(0.0).tolist() for c in used}
        return stacked_bars_svg(labels, parts, title="Score breakdown of the top pairs",
                                totals=pd.to_numeric(top["score"], errors="coerce").fillna(0.0).tolist())

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
                    "record": self.t(cell_text(rec.get("record_id"))),
                    "table": cell_text(rec.get("table")),
                    "source": source(rec.get("file"), rec.get("row")),
                    "date": fmt_time(rec.get("time")),
                    "amount": fmt_amount(rec.get("amount")),
                    "detail": self.t(rec.get("detail")),
                    "memo": self.t(self.memo(rec.get("table"), rec.get("file"), rec.get("row"))),
                })
        hubs = [self.name(h) for h in (getattr(path, "hubs", None) or [])]
        strength = getattr(path, "strength", None)
        return {
            "n": j + 1,
            "chain": chain,
            "records": frame_table(pd.DataFrame(rows, columns=["link", "kind", "record", "table", "source", "date",
                                                               "amount", "detail", "memo"]),
                                   mask=False, max_rows=60, cls="ug-table ug-records", lang=self.lang),
            "strength": _fmt_num(strength) if strength is not None else "",
            "through_hub": bool(getattr(path, "through_hub", False)),
            "hubs": ", ".join(hubs),
        }

    def _timeline(self, official_id: str, gang_id: str, expl: Any) -> dict[str, Markup]:
        """Money and contacts between the official's side and the gang's side, and raids."""
        g = self.graph
        case = self.case
        # the official's circle and the gang's side: the domain's and the scorer's one definitions
        side_o = set(self.circles.get(str(official_id), set()))
        side_g = set(_gang_side(g, gang_id)) | set(_gang_companies(g, gang_id))
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
            ckinds = (rec["kind"].astype(str).tolist() if lane == "contact" else ["money"] * len(rec))
            inward = (ig[grp["src"].to_numpy()] & io[grp["dst"].to_numpy()]).tolist()
            for t, w, a, sname, dname, src, r, ck, inw in zip(times, what, amounts, srcs, dsts, sources, rows_,
                                                            ckinds, inward, strict=True):
                keys.add((table, r))
                rows.append({"time": t, "lane": lane, "amount": a, "kind": ck, "inward": inw,
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
                    rows.append({"time": r.get("time"), "lane": lane, "amount": r.get("amount"), "label": label,
                                 "kind": "call" if lane == "contact" else "money", "inward": False})
        recs_df = pd.DataFrame(rows, columns=["time", "lane", "amount", "label", "kind", "inward"])
        recs_df["time"] = pd.to_datetime(recs_df["time"])
        recs_df["amount"] = pd.to_numeric(recs_df["amount"], errors="coerce")
        recs_df = recs_df.sort_values("time", kind="stable").head(2000)
        ev = case["events"]
        raids = pd.DataFrame(columns=["time", "label"])
        if len(ev):
            e2 = ev[(_event_gangs(g)["gang_id"] == gang_id).fillna(False).to_numpy()]
            raids = pd.DataFrame({
                "time": pd.to_datetime(e2["time"]),
                "label": [f"{self.t(k)} {fmt_time(t)} ({i})" for k, t, i in zip(e2["kind"], e2["time"], e2["id"].map(self.t), strict=True)],
            })
        who = f"{self.name(official_id)} and {self.name(gang_id)}"
        money_in = recs_df[(recs_df["lane"] == "money") & recs_df["inward"].astype(bool)]
        contacts = recs_df[recs_df["lane"] == "contact"].dropna(subset=["time"])
        heat = np.zeros((7, 24))
        if len(contacts):
            tt = pd.DatetimeIndex(contacts["time"])
            np.add.at(heat, (tt.day_of_week.to_numpy(), tt.hour.to_numpy()), 1)
        return {
            "timeline": timeline_svg(recs_df, raids, title=f"Money and contacts, {who}"),
            "money": cumulative_money_svg(money_in["time"].tolist(), money_in["amount"].tolist(),
                                          raids["time"].tolist(), title=f"Cumulative money, {who}"),
            "heat": heatmap_svg(heat, title=f"Contacts by weekday and hour, {who}"),
        }
