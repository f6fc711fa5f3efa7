"""Build the single-file report: data -> escaped HTML + JSON for the page's script.

The entry points (:func:`render_report`, :func:`write_report`) and the checks of their
arguments; the data is gathered by :mod:`._context`, the investigations' sections by
:mod:`._investigations`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from .._version import __version__
from ..errors import ParameterError
from ..graph import CaseGraph
from ..presentation import (
    FONT_NOTICE,
    VIS_LICENSE,
    Page,
    mask_text,
    render_template,
)
from ..views import node_key, view_case
from ._context import MISSING_TABLE_CONSEQUENCES, _Context
from ._investigations import _investigation_sections
from ._labels import TEXT, check_lang, text
from ._sections import Section, render_blocks

__all__ = ["render_report", "write_report", "MISSING_TABLE_CONSEQUENCES"]

logger = logging.getLogger(__name__)

_REQUIRED_SCORE_COLUMNS = ("official_id", "gang_id", "score")


# ---------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------
def write_report(graph: CaseGraph, scores: pd.DataFrame | None, path: str | Path, **options: Any) -> Path:
    """Render the report and write it to ``path`` (UTF-8)."""
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise ParameterError.invalid("path", "report", "a file name ending in .html", str(p.name))
    pdf = options.pop("pdf", None)
    if pdf is not None and Path(pdf).suffix.lower() != ".pdf":
        raise ParameterError.invalid("pdf", "report", "a file name ending in .pdf", Path(pdf).name)
    text = render_report(graph, scores, **options)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    logger.info("report written: %d bytes", len(text.encode("utf-8")))
    if pdf is not None:
        from ._pdf import print_pdf

        print_pdf(p, pdf)
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
    brief: int = 10,
    lang: str = "en",
    date: str | None = None,
) -> str:
    """The report as one self-contained HTML document (see :func:`umbrella_graph.reporting.report`)."""
    if not isinstance(graph, CaseGraph):
        raise ParameterError.invalid("graph", "report", "a CaseGraph (build_graph(case))", type(graph).__name__)
    for name, value, low in (("top", top, 1), ("details", details, 0), ("paths", paths, 1),
                             ("max_nodes", max_nodes, 2), ("max_gangs", max_gangs, 1), ("brief", brief, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ParameterError.invalid(name, "report", f"an integer >= {low}", value)
    lang = check_lang(lang, "report")
    day = _check_date(date)
    extra = list(sections or [])
    for s in extra:
        if not isinstance(s, Section):
            raise ParameterError.invalid("sections", "report", "a list of umbrella_graph.reporting.Section",
                                         type(s).__name__)
    if scores is None:
        from ..scoring import score_umbrellas

        scores = score_umbrellas(graph, seed=seed)
    scores = _check_scores(scores)
    ctx = _Context(graph, scores, mask=mask_pii, seed=seed, lang=lang)

    ranked = scores.head(top).reset_index(drop=True)
    n_detail = min(details, len(ranked))
    clock = _Clock()
    explanations = [ctx.explain(str(r.official_id), str(r.gang_id), paths)
                    for r in ranked.head(n_detail).itertuples(index=False)]
    # the brief: each top suspect (official) of the ranked pairs once, with his best-scoring gang
    suspects = (ranked.dropna(subset=["score"]).drop_duplicates("official_id").head(brief)
                .reset_index(drop=True))
    known = {(str(r.official_id), str(r.gang_id)): i for i, r in enumerate(ranked.itertuples(index=False))}
    brief_expl = []
    for r in suspects.itertuples(index=False):
        i = known[(str(r.official_id), str(r.gang_id))]
        brief_expl.append(explanations[i] if i < n_detail else ctx.explain(str(r.official_id), str(r.gang_id), paths))

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
    view = view_case(graph, scores=scores, max_nodes=max_nodes, focus=list(dict.fromkeys(focus)),
                     mask_pii=mask_pii, seed=seed, height="640px", title="Network")

    clock.lap("network")
    pairs = [ctx.pair_row(i, r, i < n_detail) for i, r in enumerate(ranked.itertuples(index=False))]
    detail_blocks = [ctx.pair_detail(i, ranked.iloc[i], explanations[i]) for i in range(n_detail)]
    cards = []
    for j, r in enumerate(suspects.itertuples(index=False)):
        i = known[(str(r.official_id), str(r.gang_id))]
        cards.append(ctx.card(j, suspects.iloc[j], brief_expl[j], i, i if i < n_detail else -1))
    breakdown = ctx.breakdown(ranked.head(20))
    clock.lap("pairs")

    inv: list[Section] = (_investigation_sections(graph, scores, seed=seed, max_gangs=max_gangs, ctx=ctx)
                          if investigations else [])
    from ._network import needs_network_sections, network_sections

    if investigations and needs_network_sections(graph):
        inv = network_sections(graph, seed=seed) + inv
    clock.lap("investigations")
    from ._merges import merge_sections  # ingested cases: which nodes are merges, of what

    all_sections = inv + merge_sections(graph.case) + extra
    section_ctx = [
        {"anchor": s.anchor, "title": s.title, "note": mask_text(s.note) if mask_pii else s.note,
         "body": render_blocks(s, mask=mask_pii, lang=lang), "group": s.group}
        for s in all_sections
    ]
    case_name = graph.case.name or "case"
    page_title = title or f"Umbrella report: {case_name}"
    nav = [("brief", text("brief", lang)), ("pairs", text("pairs", lang))]
    if detail_blocks:
        nav.append(("details", text("details", lang)))
    nav += [("summary", text("summary", lang)), ("gaps", text("gaps", lang))]
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
        font_notice=FONT_NOTICE,
        cards=cards,
        breakdown=breakdown,
        lang=lang,
        L={k: text(k, lang) for k in TEXT if "{" not in TEXT[k][0]},
        date=day,
        print_css=Markup(_print_css(case_name, day, mask_pii)),
    )
    data = {"network": view.to_data(), "pairs": [{"focus": f} for f in pair_focus]}
    page = Page(page_title, body, data, scripts=["vis", "network.js", "report.js"],
                styles=["vis", "network.css", "report.css"], body_class="ug-report")
    html_text = page.render()
    clock.lap("summary and page")
    logger.debug("report phases: %s", clock)
    return html_text


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


def _check_date(date: Any) -> str:
    """The report's date (``YYYY-MM-DD``): today (UTC) when None."""
    if date is None:
        return pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
    try:
        return pd.Timestamp(str(date)).strftime("%Y-%m-%d")
    except (ValueError, TypeError):
        raise ParameterError.invalid("date", "report", "a date such as '2024-05-01'", date) from None


def _css_string(value: str) -> str:
    """``value`` as a CSS string literal: every character but letters, digits and a few
    safe marks as a hex escape (so nothing in it can end the string or the style element)."""
    out = []
    for ch in value:
        if (ch.isascii() and ch.isalnum()) or ch in " -_.,:()":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _print_css(case_name: str, day: str, masked: bool) -> str:
    """The ``@page`` rules: A4, and headers with the case, the date and the masking notice."""
    mask_note = "ID and phone numbers masked" if masked else "ID and phone numbers NOT masked: sensitive"
    return ("@page { size: A4; margin: 16mm 12mm 14mm; "
            f"@top-left {{ content: {_css_string('Case ' + case_name)}; font-size: 9pt; color: #444; font-family: \"UG Noto Sans SC\", sans-serif; }} "
            f"@top-center {{ content: {_css_string(day)}; font-size: 9pt; color: #444; font-family: \"UG Noto Sans SC\", sans-serif; }} "
            f"@top-right {{ content: {_css_string(mask_note)}; font-size: 9pt; color: #a61b1b; font-family: \"UG Noto Sans SC\", sans-serif; }} "
            '@bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #444; '
            'font-family: "UG Noto Sans SC", sans-serif; } }')
