"""Human review of uncertain pairs, with provenance.

The review queue (``_ingest/review_queue.csv`` and ``_ingest/review.html``) lists the
pairs an analyst must judge, each with its match card. Decisions are data: a CSV with
``ref_l, ref_r, decision, by, at, why`` (``decision`` is ``accept``, ``reject`` or
``undo``), kept in ``_ingest/decisions.csv`` of the case folder (or passed with
``--decisions``). On every run the decisions are replayed: the latest decision per pair
wins (by ``at``, then by position in the file), ``undo`` withdraws the earlier ones
(decisions are reversible), and the model never overrides them: an accepted pair is
merged, a rejected pair is never merged, by any path.

Records are cited by ``ref`` = ``file:row:slot`` (the source file, its spreadsheet row,
and which party of the row: ``holder``, ``cp`` (counterparty), ``a``/``b`` (own and other
number of a call record), ``person``, ``legal_rep``), which stays the same across runs as
long as the source files do.

The HTML page is offline (no network, no server): the analyst picks accept/reject per
pair, writes a reason, and downloads ``decisions.csv``. Every user string is escaped;
CSV cells that a spreadsheet would run as a formula are neutralised (a leading ``'``).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd

from ..errors import ParameterError
from ..io.csv_files import read_text_csv
from ..io.export import neutralise_formulas

__all__ = ["read_decisions", "append_decisions", "write_review", "neutralise", "review_html",
           "DECISION_COLUMNS"]

DECISION_COLUMNS = ("ref_l", "ref_r", "decision", "by", "at", "why")
def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells cannot run as spreadsheet formulas: the library's
    one rule, :func:`umbrella_graph.io.export.neutralise_formulas`.

    Examples
    --------
    >>> neutralise(pd.DataFrame({"a": ["=1+1", "ok", "-3"], "n": [1, 2, 3]}))["a"].tolist()
    ["'=1+1", 'ok', "'-3"]
    """
    return neutralise_formulas(df)


def read_decisions(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """The analyst decisions to replay: the latest per pair, ``undo`` applied.

    Returns the full history in ``attrs["history"]``.

    Examples
    --------
    >>> d = pd.DataFrame({"ref_l": ["a:2:holder"] * 2, "ref_r": ["b:5:cp"] * 2,
    ...                   "decision": ["accept", "undo"], "by": ["li"] * 2,
    ...                   "at": ["2024-01-01T10:00", "2024-01-02T09:00"], "why": ["same card", "wrong card"]})
    >>> len(read_decisions(d))
    0
    """
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        name = "<DataFrame decisions>"
    else:
        p = Path(source)
        if not p.exists():
            return pd.DataFrame(columns=list(DECISION_COLUMNS))
        df = read_text_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        name = p.name
    missing = [c for c in ("ref_l", "ref_r", "decision") if c not in df.columns]
    if missing:
        raise ParameterError(f"The decisions file {name} lacks the column(s) {', '.join(missing)}; expected "
                             f"{', '.join(DECISION_COLUMNS)}.")
    for c in DECISION_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df[list(DECISION_COLUMNS)].astype(str).apply(lambda s: s.str.lstrip("'"))
    bad = ~df["decision"].str.lower().isin(["accept", "reject", "undo"])
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ParameterError(f"{name}, row {i + 2}, column 'decision': expected accept, reject or undo. "
                             f"Got {df['decision'].iloc[i]!r} instead.")
    df["decision"] = df["decision"].str.lower()
    a, b = df["ref_l"].where(df["ref_l"] <= df["ref_r"], df["ref_r"]), df["ref_r"].where(
        df["ref_l"] <= df["ref_r"], df["ref_l"])
    df["ref_l"], df["ref_r"] = a, b
    df["_pos"] = range(len(df))
    hist = df.sort_values(["at", "_pos"], kind="stable")
    latest = hist.drop_duplicates(["ref_l", "ref_r"], keep="last")
    latest = latest[latest["decision"] != "undo"].drop(columns="_pos").reset_index(drop=True)
    latest.attrs["history"] = hist.drop(columns="_pos").reset_index(drop=True)
    return latest


def append_decisions(path: str | Path, decisions: pd.DataFrame) -> Path:
    """Append decisions (``ref_l, ref_r, decision, by, at, why``) to a decisions file;
    earlier lines are kept (the file is the audit trail)."""
    p = Path(path)
    new = decisions.reindex(columns=list(DECISION_COLUMNS)).fillna("")
    if p.exists():
        new = pd.concat([read_text_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig"), new],
                        ignore_index=True)
    p.parent.mkdir(parents=True, exist_ok=True)
    neutralise(new).to_csv(p, index=False, encoding="utf-8")
    return p


_QUEUE_COLUMNS = ["ref_l", "ref_r", "name_l", "name_r", "match_probability", "match_card", "reason"]


def review_html(queue: pd.DataFrame, *, title: str = "Entity resolution: pairs to review") -> str:
    """A self-contained offline page to accept or reject pairs and download the decisions."""
    rows = []
    for i, r in enumerate(queue.reindex(columns=_QUEUE_COLUMNS).fillna("").to_dict("records")):
        e = {k: html.escape(str(v), quote=True) for k, v in r.items()}
        prob = f"{float(r['match_probability']):.4f}" if r["match_probability"] != "" else ""
        rows.append(
            f'<tr data-l="{e["ref_l"]}" data-r="{e["ref_r"]}"><td>{i + 1}</td>'
            f'<td>{e["name_l"]}<br><small>{e["ref_l"]}</small></td><td>{e["name_r"]}<br><small>{e["ref_r"]}</small>'
            f'</td><td>{prob}</td><td>{e["match_card"]}<br><small>{e["reason"]}</small></td>'
            f'<td><label><input type="radio" name="d{i}" value="accept"> same person</label><br>'
            f'<label><input type="radio" name="d{i}" value="reject"> different</label></td>'
            f'<td><input type="text" class="why" placeholder="why"></td></tr>')
    script = """
function cell(v){v=String(v);if(/^[=+\\-@\\t\\r]/.test(v)){v="'"+v;}return '"'+v.replace(/"/g,'""')+'"';}
document.getElementById('dl').addEventListener('click',function(){
 var by=document.getElementById('by').value, at=new Date().toISOString(), out=['ref_l,ref_r,decision,by,at,why'];
 document.querySelectorAll('tbody tr').forEach(function(tr){
  var c=tr.querySelector('input[type=radio]:checked'); if(!c){return;}
  out.push([tr.dataset.l,tr.dataset.r,c.value,by,at,tr.querySelector('.why').value].map(cell).join(','));});
 var a=document.createElement('a');
 a.href=URL.createObjectURL(new Blob([out.join('\\n')+'\\n'],{type:'text/csv'}));
 a.download='decisions.csv'; a.click();});
"""
    return ("<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "script-src 'unsafe-inline'; style-src 'unsafe-inline'\">"
            f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:1em}}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
            "small{color:#666}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><p>{len(rows)} pair(s). Choose for each pair, give a reason, "
            "enter your name and download <code>decisions.csv</code>; put it in the case folder's "
            "<code>_ingest/</code> (or pass it with <code>--decisions</code>) and run the ingest again.</p>"
            "<p><label>Analyst: <input id=\"by\" type=\"text\"></label> <button id=\"dl\">Download decisions.csv"
            "</button></p><table><thead><tr><th>#</th><th>record</th><th>record</th><th>p</th>"
            "<th>match card</th><th>decision</th><th>why</th></tr></thead><tbody>"
            + "".join(rows) + f"</tbody></table><script>{script}</script>"
            f"<script type=\"application/json\" id=\"n\">{html.escape(json.dumps(len(rows)))}</script>"
            "</body></html>")


def write_review(queue: pd.DataFrame, folder: str | Path) -> tuple[Path, Path]:
    """Write ``review_queue.csv`` (formula-neutralised) and ``review.html`` to ``folder``."""
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    q = queue.reindex(columns=_QUEUE_COLUMNS)
    q = q.assign(decision="", by="", why="")
    csv_path, html_path = d / "review_queue.csv", d / "review.html"
    neutralise(q).to_csv(csv_path, index=False, encoding="utf-8")
    html_path.write_text(review_html(queue), encoding="utf-8")
    return csv_path, html_path
