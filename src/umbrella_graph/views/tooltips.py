"""What hovering shows: a node's record, an edge's records (date, amount, record id, file,
spreadsheet row), an evidence hop; masked where the view masks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..graph import CaseGraph
from ..presentation import (
    cell_text,
    fmt_amount,
    fmt_time,
    mask_id_number,
    mask_phone,
    mask_text,
    source,
)
from .style import (
    _RECORD_COLUMNS,
    _TIP_RECORDS,
    EDGE_STYLES,
    NODE_STYLES,
    _family,
    _node_name,
    _short,
    name_map,
)


def _detail(table: str, rec: pd.DataFrame, mask: bool) -> list[str]:
    """One short description per record of ``table``."""
    def col(c: str) -> list[str]:
        if c in rec.columns:
            return [cell_text(v) for v in rec[c].tolist()]
        return [""] * len(rec)

    def txt(v: str) -> str:
        return mask_text(v) if mask else v

    if table == "transactions":
        return [", ".join(x for x in (c, txt(m)) if x) for c, m in zip(col("channel"), col("memo"), strict=True)]
    if table == "contacts":
        out = []
        for k, d, n in zip(col("kind"), col("duration_s"), col("count"), strict=True):
            bits = [k]
            if d:
                bits.append(f"{float(d):.0f} s")
            if n and n != "1":
                bits.append(f"x{n}")
            out.append(", ".join(bits))
        return out
    if table == "ties":
        return col("kind")
    if table == "members":
        return [r or "member" for r in col("role")]
    if table == "company_roles":
        return [", ".join(x for x in (r, f"share {s}" if s else "") if x) for r, s in zip(col("role"), col("share"), strict=True)]
    if table == "contracts":
        return [txt(v) for v in col("subject")]
    if table == "officials":
        return [", ".join(x for x in (p, u) if x) for p, u in zip(col("position"), col("unit"), strict=True)]
    if table == "events":
        return col("kind")
    if table == "leads":
        return col("source")
    return [""] * len(rec)


def _edge_records(graph: CaseGraph, e: pd.DataFrame, mask: bool) -> pd.DataFrame:
    """One row per record edge: endpoints, family, time, amount, id, source, detail."""
    parts = []
    case = graph.case
    for table, grp in e.groupby("table", observed=True, sort=False):
        table = str(table)
        rec = case[table].iloc[grp["pos"].to_numpy()].reset_index(drop=True)
        n = len(grp)
        rkind = rec["kind"].tolist() if "kind" in rec.columns else [None] * n
        fams = [_family(str(k), rk) for k, rk in zip(grp["kind"].astype(str), rkind, strict=True)]
        amount = rec["amount"].to_numpy(dtype=float, na_value=np.nan) if "amount" in rec.columns else np.full(n, np.nan)
        rid = [(mask_text(cell_text(v)) if mask else cell_text(v)) for v in rec["id"].tolist()] \
            if "id" in rec.columns else [""] * n
        parts.append(pd.DataFrame({
            "src": grp["src"].to_numpy(), "dst": grp["dst"].to_numpy(),
            "kind": grp["kind"].astype(str).to_numpy(), "fam": fams,
            "time": grp["time"].to_numpy(), "amount": amount,
            "count": grp["strength"].to_numpy(dtype=float) if table == "contacts" else np.ones(n),
            "rid": rid, "table": table, "file": rec["_file"].astype(str).to_numpy(), "row": rec["_row"].to_numpy(),
            "detail": _detail(table, rec, mask),
        }))
    if not parts:
        return pd.DataFrame(columns=["src", "dst", "kind", "fam", "time", "amount", "count", "rid",
                                     "table", "file", "row", "detail"])
    return pd.concat(parts, ignore_index=True)

def _tip_text(tip: Mapping[str, Any]) -> str:
    """Plain-text tooltip (what pyvis's own templates would show)."""
    lines = [str(tip.get("head", ""))]
    lines += [f"{k}: {v}" for k, v in tip.get("rows", [])]
    lines += [" | ".join(str(c) for c in r if c) for r in tip.get("recs", [])]
    if tip.get("more"):
        lines.append(str(tip["more"]))
    return "\n".join(lines)


def _node_tips(
    graph: CaseGraph,
    positions: Sequence[int],
    cats: Mapping[int, str],
    scores: Mapping[str, float],
    mask: bool,
) -> dict[int, dict[str, Any]]:
    case = graph.case
    ids = [str(graph.nodes["id"].iat[p]) for p in positions]
    idset = set(ids)
    names = name_map(graph)

    def nm(i: Any) -> str:
        i = cell_text(i)
        v = names.get(i)
        return i if v is None or v == i else f"{v} ({i})"

    def txt(v: Any) -> str:
        return mask_text(cell_text(v)) if mask else cell_text(v)

    def rows_by(table: str, col: str) -> dict[str, list[dict[str, Any]]]:
        df = case[table]
        if not len(df):
            return {}
        df = df[df[col].astype(str).isin(idset)]
        out: dict[str, list[dict[str, Any]]] = {}
        for rec in df.to_dict("records"):
            out.setdefault(str(rec[col]), []).append(rec)
        return out

    people = {k: v[0] for k, v in rows_by("people", "id").items()}
    posts = rows_by("officials", "person_id")
    memb = rows_by("members", "person_id")
    gang_members = rows_by("members", "gang_id")
    node_rec = {}
    for t in ("gangs", "companies", "villages", "events", "leads"):
        node_rec.update({k: v[0] for k, v in rows_by(t, "id").items()})
    tips = {}
    for p, nid in zip(positions, ids, strict=True):
        cat = cats[p]
        rows: list[list[str]] = [["id", nid], ["kind", NODE_STYLES[cat].label]]
        kind = str(graph.nodes["kind"].iat[p])
        head = txt(_node_name(graph, p))
        if kind == "person":
            rec = people.get(nid, {})
            for post in posts.get(nid, []):
                when = " – ".join(x for x in (fmt_time(post.get("start_date")), fmt_time(post.get("end_date"))) if x)
                where = nm(post.get("jurisdiction_id")) if cell_text(post.get("jurisdiction_id")) else ""
                desc = ", ".join(x for x in (cell_text(post.get("position")), cell_text(post.get("unit")), where) if x)
                rows.append(["post", desc + (f" ({when})" if when else "")])
            for mrec in memb.get(nid, []):
                rows.append(["gang", f"{nm(mrec.get('gang_id'))}, {cell_text(mrec.get('role')) or 'member'}"])
            if cell_text(rec.get("village_id")):
                rows.append(["village", nm(rec.get("village_id"))])
            if cell_text(rec.get("id_number")):
                rows.append(["ID number", mask_id_number(rec["id_number"]) if mask else cell_text(rec["id_number"])])
            if cell_text(rec.get("phone")):
                rows.append(["phone", mask_phone(rec["phone"]) if mask else cell_text(rec["phone"])])
        elif kind == "gang":
            rec = node_rec.get(nid, {})
            if cell_text(rec.get("kind")):
                rows.append(["type", txt(rec.get("kind"))])
            rows.append(["members listed", str(len(gang_members.get(nid, [])))])
            if cell_text(rec.get("village_id")):
                rows.append(["village", nm(rec.get("village_id"))])
        elif kind == "company":
            rec = node_rec.get(nid, {})
            if cell_text(rec.get("sector")):
                rows.append(["sector", txt(rec.get("sector"))])
            if cell_text(rec.get("village_id")):
                rows.append(["village", nm(rec.get("village_id"))])
        elif kind == "village":
            rec = node_rec.get(nid, {})
            if cell_text(rec.get("level")):
                rows.append(["level", cell_text(rec.get("level"))])
            if cell_text(rec.get("parent_id")):
                rows.append(["part of", nm(rec.get("parent_id"))])
        elif kind == "event":
            rec = node_rec.get(nid, {})
            rows.append(["time", fmt_time(rec.get("time"))])
            if cell_text(rec.get("gang_id")):
                rows.append(["gang", nm(rec.get("gang_id"))])
            if cell_text(rec.get("target_id")):
                rows.append(["target", nm(rec.get("target_id"))])
        elif kind == "lead":
            rec = node_rec.get(nid, {})
            head = f"Lead {nid}"
            rows.append(["date", fmt_time(rec.get("date"))])
            if cell_text(rec.get("source")):
                rows.append(["source", txt(rec.get("source"))])
            text = txt(rec.get("text"))
            if text:
                rows.append(["text", _short(text, 240)])
        if kind in ("person", "company", "gang", "village", "event", "lead"):
            src_rec = people.get(nid) if kind == "person" else node_rec.get(nid)
            if src_rec is not None:
                rows.append(["source", source(src_rec.get("_file"), src_rec.get("_row"))])
        if nid in scores:
            rows.append(["score", f"{scores[nid]:.3f}"])
        # every value masked at once: ids, posts and names of places may hold ID or phone numbers
        tips[p] = {"head": head, "rows": [[k, txt(v)] for k, v in rows]}
    return tips


def _hop_tip(name_a: str, name_b: str, hop: Any, mask: bool) -> dict[str, Any]:
    recs = getattr(hop, "records", None)
    rows_in: list[tuple[str, str, str, str, str]] = []

    def t(v: Any) -> str:
        return mask_text(cell_text(v)) if mask else cell_text(v)

    if isinstance(recs, pd.DataFrame):
        for r in recs.to_dict("records"):
            rows_in.append((fmt_time(r.get("time")), fmt_amount(r.get("amount")), t(r.get("record_id")),
                            source(r.get("file"), r.get("row")), t(r.get("detail"))))
    tip = _edge_tip(name_a, name_b, "gangside", rows_in, 0.0, 0.0, "", "")
    tip["rows"].insert(0, ["link", cell_text(getattr(hop, "kind", ""))])
    return tip


def _edge_tip(
    name_a: str,
    name_b: str,
    fam: str,
    rows_in: Sequence[tuple[str, str, str, str, str]],
    amount: float,
    count: float,
    first: str,
    last: str,
    *,
    n_records: int | None = None,
) -> dict[str, Any]:
    """An edge's tooltip: head, summary rows and its first records (``rows_in``; the edge
    has ``n_records`` in all, ``len(rows_in)`` when not given)."""
    style = EDGE_STYLES[fam]
    arrow = " → " if style.arrows else " — "
    head = f"{style.label}: {name_a}{arrow}{name_b}"
    n = len(rows_in) if n_records is None else n_records
    rows = [["records", str(n)]]
    if fam in ("money", "contract") and amount > 0:
        rows.append(["total amount", fmt_amount(amount)])
    if fam in ("call", "meeting") and count > n:
        rows.append(["contacts", f"{count:,.0f}"])
    if first:
        rows.append(["dates", first if first == last else f"{first} … {last}"])
    recs = [list(r) for r in rows_in[:_TIP_RECORDS]]
    more = f"… and {n - len(recs)} more record(s)" if n > len(recs) else ""
    return {"head": head, "rows": rows, "cols": list(_RECORD_COLUMNS), "recs": recs, "more": more}
