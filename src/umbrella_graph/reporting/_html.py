"""Self-contained HTML pages (moved to :mod:`umbrella_graph.presentation.page`).

The page machinery sits below both the views and the report; this module re-exports it
for code that imported it from here.
"""

from __future__ import annotations

from ..presentation.page import (
    VIS_LICENSE,
    VIS_VERSION,
    Page,
    json_for_html,
    read_asset,
    render_template,
    vis_assets,
)

__all__ = [
    "VIS_VERSION",
    "VIS_LICENSE",
    "json_for_html",
    "read_asset",
    "vis_assets",
    "Page",
    "render_template",
]
