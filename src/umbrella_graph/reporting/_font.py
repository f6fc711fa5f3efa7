"""The embedded CJK font (moved to :mod:`umbrella_graph.presentation.font`).

Re-exported here for code that imported it from the report's package.
"""

from __future__ import annotations

from ..presentation.font import (
    FONT_FAMILY,
    FONT_NOTICE,
    EmbeddedFont,
    embedded_font,
    font_coverage,
)

__all__ = ["FONT_FAMILY", "FONT_NOTICE", "EmbeddedFont", "embedded_font", "font_coverage"]
