"""What the views and the report share, below both: pages, the font, masking, formatting.

* :mod:`~umbrella_graph.presentation.page`: self-contained HTML pages (inlined assets,
  safe JSON data blocks, a strict Content-Security-Policy) and the autoescaping
  templates; the assets themselves stay with the report, in ``reporting/assets``;
* :mod:`~umbrella_graph.presentation.font`: the embedded CJK font subset;
* masking of ID and phone numbers (from :mod:`umbrella_graph.masking`) and display text
  for cells, times, amounts and record sources (from :mod:`umbrella_graph._format`),
  re-exported here so that presentation code has one public module to import them from.

Views (:mod:`umbrella_graph.views`) and the report (:mod:`umbrella_graph.reporting`)
import this package; it imports neither of them.
"""

from .._format import cell_text, fmt_amount, fmt_time, source
from ..masking import mask_id_number, mask_phone, mask_text
from .font import FONT_FAMILY, FONT_NOTICE, embedded_font
from .page import VIS_LICENSE, Page, json_for_html, render_template

__all__ = [
    "Page",
    "render_template",
    "json_for_html",
    "VIS_LICENSE",
    "FONT_FAMILY",
    "FONT_NOTICE",
    "embedded_font",
    "mask_id_number",
    "mask_phone",
    "mask_text",
    "cell_text",
    "fmt_amount",
    "fmt_time",
    "source",
]
