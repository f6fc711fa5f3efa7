"""Report sections: the hook for extra content, and escaped HTML for tables and text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from ..errors import ParameterError
from ..presentation import cell_text, fmt_time, mask_id_number, mask_phone, mask_text
from ._labels import column_label
from ._labels import text as text_label
from ._svg import Chart

__all__ = ["Section", "Chart", "Block", "frame_table", "render_blocks", "slug"]

#: What a section may contain: a paragraph of text, a table, or a chart. There is no raw
#: HTML block: every block is escaped when it is rendered.
Block: TypeAlias = str | pd.DataFrame | Chart


@dataclass
class Section:
    """An extra section of the report.

    Attributes
    ----------
    title : str
        The heading (also listed in the report's navigation).
    blocks : sequence of str, DataFrame or Chart
        Shown in order: text as a paragraph, a DataFrame as a table (first
        ``max_rows`` rows; ID and phone numbers masked when the report masks), a
        :class:`~umbrella_graph.reporting.Chart` as an inline SVG line chart.
    note : str
        A remark shown under the heading (e.g. why the section is empty).
    anchor : str, optional
        The section's id in the page (default: from the title).
    max_rows : int
        Rows shown per table.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph.reporting import Section, Chart
    >>> s = Section("Field visits", [
    ...     "Visits by the inspection team.",
    ...     pd.DataFrame({"village": ["东坝村"], "visits": [3]}),
    ...     Chart({"visits": ([2019, 2020], [1, 2])}, x_label="year"),
    ... ])
    >>> s.anchor
    'field-visits'
    """

    title: str
    blocks: Sequence[Block] = ()
    note: str = ""
    anchor: str | None = None
    max_rows: int = 200
    group: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ParameterError.invalid("title", "Section", "a non-empty string", self.title)
        if self.anchor is None:
            self.anchor = slug(self.title)
        elif not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", self.anchor):
            raise ParameterError.invalid("anchor", "Section", "letters, digits, '-' or '_', starting with a letter",
                                         self.anchor)
        for b in self.blocks:
            if not isinstance(b, (str, pd.DataFrame, Chart)):
                raise ParameterError.invalid("blocks", "Section", "str, pandas.DataFrame or Chart items",
                                             type(b).__name__)


def slug(text: str) -> str:
    """An ASCII anchor for ``text`` (``"s-<hash>"`` when it has no ASCII letters).

    Examples
    --------
    >>> slug("Tip-offs before raids")
    'tip-offs-before-raids'
    """
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not s or not s[0].isalpha():
        import hashlib

        s = "s-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8] + (f"-{s}" if s else "")
    return s


def _cell(v: Any, col: str, mask: bool) -> str:
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return fmt_time(v)
    if not cell_text(v):  # missing
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f == round(f) and abs(f) < 1e15:
            return f"{int(round(f)):,}" if abs(f) >= 10000 else str(int(round(f)))
        return f"{f:.4g}" if abs(f) < 1000 else f"{f:,.2f}"
    if isinstance(v, (list, tuple, set)):
        return "; ".join(_cell(x, col, mask) for x in v)
    text = str(v)
    if mask:
        c = col.lower()
        if c in ("id_number", "idnumber", "id_no") or c.endswith("id_number"):
            return mask_id_number(text)
        if "phone" in c or c == "mobile":
            return mask_phone(text)
        return mask_text(text)
    return text


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?")


def frame_table(
    df: pd.DataFrame,
    *,
    mask: bool,
    max_rows: int = 200,
    cls: str = "ug-table",
    numeric: Sequence[str] = (),
    lang: str = "en",
    collapse: int | None = 12,
    caption: str = "",
) -> Markup:
    """A DataFrame as an escaped HTML table (first ``max_rows`` rows, with a note).

    Columns get human labels in ``lang`` (:func:`~umbrella_graph.reporting._labels.column_label`);
    missing values show as empty cells (never ``<NA>``/``NaT``/``NaN``), numbers with
    thousands separators, dates as ``YYYY-MM-DD[ HH:MM]``. A table of more than
    ``collapse`` rows is folded behind a ``<details>`` heading that says how many rows it
    has (closed: it takes one line on screen and in print).
    """
    cols = [str(c) for c in df.columns]
    shown = df.head(max_rows)
    num = set(numeric) | {c for c in cols if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
    out = [f'<div class="ug-table-wrap"><table class="{escape(cls)}"><thead><tr>']
    out += [f'<th title="{escape(c)}">{escape(column_label(c, lang))}</th>' for c in cols]
    out.append("</tr></thead><tbody>")
    for row in shown.itertuples(index=False, name=None):
        out.append("<tr>")
        for c, v in zip(cols, row, strict=True):
            text = _cell(v, c, mask)
            klass = (' class="num"' if c in num else ' class="wide"' if len(text) > 40
                     else ' class="date"' if _DATE.fullmatch(text) else "")
            out.append(f"<td{klass}>{escape(text)}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    if len(df) > len(shown):
        out.append(f'<p class="ug-muted">First {len(shown):,} of {len(df):,} rows.</p>')
    if not len(df):
        out.append('<p class="ug-muted">No rows.</p>')
    html = "".join(out)
    if collapse is not None and len(df) > collapse:
        label = (f"{caption} · " if caption else "") + text_label("show_rows", lang, n=f"{len(df):,}")
        html = f'<details class="ug-long"><summary>{escape(label)}</summary>{html}</details>'
    return Markup(html)


def render_blocks(section: Section, *, mask: bool, lang: str = "en") -> Markup:
    """The escaped HTML of a section's blocks (long tables folded, see :func:`frame_table`)."""
    out: list[str] = []
    for b in section.blocks:
        if isinstance(b, str):
            out.append(f"<p>{escape(mask_text(b) if mask else b)}</p>")
        elif isinstance(b, pd.DataFrame):
            out.append(str(frame_table(b, mask=mask, max_rows=section.max_rows, lang=lang)))
        else:
            cap = f"<figcaption>{escape(b.title)}</figcaption>" if b.title else ""
            out.append(f'<figure class="ug-figure">{cap}{b.svg()}</figure>')
    return Markup("".join(out))
