"""The single-file offline HTML report, and the building blocks it shares with views.

:func:`report` writes one HTML file that opens on an air-gapped machine: every script,
style and font is inlined (vis-network from the installed pyvis package), the data sits in
a JSON block, and a Content-Security-Policy forbids every network request. It shows

* a summary of the case (counts, gangs, top officials) and what the data could not show
  (missing tables, rows skipped while loading, unmatched ids);
* the ranked suspect pairs next to the network: clicking a row selects that pair's
  evidence in the network and zooms to it;
* for the top pairs, the signal breakdown, the evidence paths with their records (file,
  row, id, date, amount) and a timeline of money and contacts around raids;
* the campaign's own analyses (tip-offs, 一案三查 accountability, lead triage, disruption
  curves per gang) and any extra :class:`Section` you pass.

ID numbers and phone numbers are masked by default (``110101********1234``,
``138****8000``).

The report opens with the brief (one card per top suspect) next to the network; long
tables are folded behind their headings; charts are inline SVG (raid windows per tip-off,
cumulative money and an hour-by-weekday contact heat map per pair, the score breakdown of
the top pairs). Every page embeds the subset of the shipped Noto Sans SC font it needs,
so Chinese renders on machines without a CJK font. A print stylesheet and
:func:`print_pdf` give an A4 brief with headers (case, date, masking notice).

The package is :mod:`umbrella_graph.reporting`; its :func:`report` function is also
exported as ``umbrella_graph.report(graph, path, scores=scores)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._compat import legacy_positional
from ..presentation import mask_id_number, mask_phone, mask_text
from ._pdf import PrintError, print_pdf
from ._sections import Section
from ._svg import Chart

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ..graph import CaseGraph

__all__ = ["report", "render_report", "print_pdf", "PrintError", "Section", "Chart", "mask_id_number", "mask_phone",
           "mask_text"]


def _old_report_call(extra: tuple[Any, ...]) -> bool:
    """``report(graph, scores[, path])``: the second positional is a score table or None."""
    import pandas as pd

    return extra[0] is None or isinstance(extra[0], pd.DataFrame)


@legacy_positional(["scores", "path"], after=1, is_legacy=_old_report_call)
def report(
    graph: CaseGraph,
    path: str | Path = "report.html",
    *,
    scores: pd.DataFrame | None = None,
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
    pdf: str | Path | None = None,
) -> Path:
    """Write the case report as one self-contained, offline HTML file.

    Parameters
    ----------
    graph : CaseGraph
        The case graph (:func:`~umbrella_graph.build_graph`).
    path : str or Path
        Where to write (must end in ``.html``); parent folders are created.
    scores : DataFrame, optional
        Output of :func:`umbrella_graph.scoring.score_umbrellas` (at least
        ``official_id``, ``gang_id``, ``score``; ``rank`` and ``top_signals`` are used
        when present). Computed with ``score_umbrellas(graph, seed=seed)`` when None.
        Keyword-only; ``report(graph, scores, path)`` still works until 0.3 with a
        :class:`FutureWarning`.
    mask_pii : bool, default True
        Mask ID numbers and phone numbers everywhere in the report, including inside
        memos and lead texts.
    top : int, default 50
        Rows of the ranked table of suspect pairs.
    details : int, default 10
        Pairs (from the top) that get their own section: signals, evidence paths with
        records, timeline.
    paths : int, default 5
        Evidence paths per detailed pair (``k`` of ``explain``).
    max_nodes : int, default 500
        Node budget of the network (the evidence of the top pairs comes first).
    sections : list of Section, optional
        Extra sections, appended after the built-in ones.
    investigations : bool, default True
        Include the campaign analyses from :mod:`umbrella_graph.investigate` (tip-offs,
        lead triage, 一案三查 accountability, disruption curves).
    max_gangs : int, default 5
        The per-gang analyses (accountability, disruption) cover at most this many gangs,
        those with the highest-scoring pairs; the sections say which were left out.
    title : str, optional
        Page title (default ``"Umbrella report: <case name>"``).
    seed : int, default 0
        Seed for scoring (when ``scores`` is None), the layout and the analyses. The same
        inputs, seed and ``date`` give a byte-identical file.
    brief : int, default 10
        Suspects (officials, each with his best-scoring gang among the ranked pairs) that
        get a card in the brief that opens the report: name, post, gang, score,
        confidence, the three strongest records cited by ``explain``, and the innocent
        explanation the data cannot rule out.
    lang : {"en", "zh"}, default "en"
        Language of table column labels and of the report's headings.
    date : str, optional
        The report's date, shown in the header and on every printed page (default:
        today, UTC).
    pdf : str or Path, optional
        Also print the report to this PDF (A4, headless Chromium; see :func:`print_pdf`).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from umbrella_graph import build_graph, case_from_frames
    >>> from umbrella_graph.reporting import report
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["p1", "o1"], "name": ["甲", "丙"], "phone": ["13800138000", ""]}),
    ...     gangs=pd.DataFrame({"id": ["g1"], "name": ["黑虎帮"]}),
    ...     members=pd.DataFrame({"person_id": ["p1"], "gang_id": ["g1"], "role": ["leader"]}),
    ...     officials=pd.DataFrame({"person_id": ["o1"], "position": ["所长"]}),
    ...     transactions=pd.DataFrame({"src": ["p1"], "dst": ["o1"], "amount": [50000],
    ...                                "date": ["2020-05-01"]}))
    >>> path = report(build_graph(case), path=Path(tempfile.mkdtemp()) / "case.html", investigations=False)
    >>> page = path.read_text(encoding="utf-8")
    >>> page.startswith("<!DOCTYPE html>"), "13800138000" in page, "138****8000" in page
    (True, False, True)
    """
    from ._build import write_report

    return write_report(
        graph, scores, path, mask_pii=mask_pii, top=top, details=details, paths=paths,
        max_nodes=max_nodes, sections=sections, investigations=investigations, max_gangs=max_gangs,
        title=title, seed=seed, brief=brief, lang=lang, date=date, pdf=pdf,
    )


@legacy_positional(["scores"], after=1)
def render_report(graph: CaseGraph, *, scores: pd.DataFrame | None = None, **options: Any) -> str:
    """The report as an HTML string (same options as :func:`report`, without ``path``)."""
    from ._build import render_report as _render

    return _render(graph, scores, **options)

