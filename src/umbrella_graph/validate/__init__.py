"""Validation: raw tables -> a typed :class:`~umbrella_graph.case.Case`.

The cells are read by the text parsers of :mod:`umbrella_graph.parsing` (dates, amounts,
numbers, headers); this package types whole tables with them and checks the records
together, vectorised so that a million-row table validates in about a second:

* headers: mapped to canonical column names through the alias tables of
  :mod:`umbrella_graph.parsing.headers` plus a user mapping (``columns=``);
* ids and strings: kept as strings, surrounding whitespace removed; numbers from
  spreadsheets written without a trailing ``.0``;
* dates and amounts: see :mod:`umbrella_graph.parsing`;
* enums: the documented values, plus the spellings of the domain's ``enums`` vocabulary
  (simplified, traditional, full-width, abbreviated Chinese and English: ``骨干``,
  ``骨幹``, ``core member`` -> ``core``). Every cell not written as its canonical value is
  counted in a note of the load report (``case.report.notes``): file, column, the
  spelling as written, the value it was read as, how many rows and the first row.

All problems are collected (not just the first). In strict mode (the default) they
raise one :class:`~umbrella_graph.errors.CaseError`. In lenient mode bad rows are
skipped or bad optional cells blanked, and every one is listed in the
:class:`~umbrella_graph.case.LoadReport`; rows that pointed at a skipped record are
skipped (or their optional reference blanked) and listed too.

The modules: ``_tables`` (raw tables, the problem collector, header mapping),
``_columns`` (typing one column), ``_checks`` (rules across cells and records) and
``_validator`` (:func:`validate_tables`, :func:`case_from_frames`).
"""

from ..parsing.amounts import parse_amounts
from ..parsing.cells import as_text
from ..parsing.dates import parse_dates
from ._tables import ENUM_ALIASES, FATAL_CODES, LABEL_ALIASES, RawTable
from ._validator import case_from_frames, validate_tables

__all__ = [
    "case_from_frames",
    "parse_dates",
    "parse_amounts",
    "ENUM_ALIASES",
    "LABEL_ALIASES",
    "FATAL_CODES",
    "RawTable",
    "validate_tables",
    "as_text",
]
