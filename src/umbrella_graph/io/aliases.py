"""Header and file-name aliases (moved to :mod:`umbrella_graph.parsing.headers`).

The alias tables sit below validation, which maps headers through them; this module
re-exports them for the loaders and for code that imported them from here.
"""

from ..parsing.headers import (
    COLUMN_ALIASES,
    COMMON_ALIASES,
    HARMLESS_UNITS,
    TABLE_ALIASES,
    UNIT_SCALES,
    HeaderResolution,
    accepted_headers,
    markdown_alias_table,
    normalise_header,
    resolve_headers,
    table_for_stem,
)

__all__ = [
    "TABLE_ALIASES",
    "COMMON_ALIASES",
    "COLUMN_ALIASES",
    "UNIT_SCALES",
    "HARMLESS_UNITS",
    "normalise_header",
    "table_for_stem",
    "resolve_headers",
    "HeaderResolution",
    "accepted_headers",
    "markdown_alias_table",
]
