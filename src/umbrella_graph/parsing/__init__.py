"""Text parsers for cells and headers, below validation and the loaders.

Everything that reads a value out of the text of one cell, vectorised (pyarrow compute
kernels, no Python loop per row on the common paths), and the header aliases:

* :mod:`~umbrella_graph.parsing.cells`: cells as stripped text (numbers from spreadsheets
  written without a trailing ``.0``), blanks, and the limits the parsers share;
* :mod:`~umbrella_graph.parsing.dates`: ISO 8601, ``2019/03/05``, ``2019.3.5``,
  ``2019年3月5日``, ``20190305``, with times where given (``14:30``, ``14:30:05``,
  ``14时30分``), and real date cells from spreadsheets. A UTC offset (``+08:00``, ``Z``)
  is dropped: times are kept as the wall-clock time written in the record;
* :mod:`~umbrella_graph.parsing.amounts`: ``1,200.50``, ``¥3000``, ``RMB 3000``,
  ``3000元``, ``2.5万`` (x 10,000), ``1亿`` (x 100,000,000), and numeric cells;
* :mod:`~umbrella_graph.parsing.durations`: ``330``, ``330秒``, ``5分30秒``, ``00:05:30``
  (seconds);
* :mod:`~umbrella_graph.parsing.headers`: how real exports' headers and file names map to
  the data contract.

Validation (:mod:`umbrella_graph.validate`) types whole tables with these; the loaders
(:mod:`umbrella_graph.io`) and raw-export ingestion use the header aliases.
"""

from .amounts import parse_amounts, parse_numbers
from .cells import as_text
from .dates import parse_dates
from .durations import parse_durations
from .headers import normalise_header, resolve_headers, table_for_stem

__all__ = [
    "as_text",
    "parse_dates",
    "parse_amounts",
    "parse_durations",
    "parse_numbers",
    "normalise_header",
    "resolve_headers",
    "table_for_stem",
]
