"""From seized exports to a case: source readers, normalisers, entity resolution, review.

* :mod:`~umbrella_graph.ingest.normalize`: ID numbers, phones, accounts, credit codes,
  company and person names, each with its check;
* :func:`ingest`: read a folder of raw exports (bank statements, call records, registry
  extracts, rosters), resolve the people in them with splink and write a case folder that
  :func:`umbrella_graph.load_case` reads; see ``docs/ingest.md``.
"""

from __future__ import annotations

from .normalize import (
    normalize_account,
    normalize_company_name,
    normalize_credit_code,
    normalize_id_number,
    normalize_person_name,
    normalize_phone,
)
from .pipeline import DEFAULT_LOWER, DEFAULT_UPPER, IngestResult, ingest

__all__ = [
    "ingest",
    "IngestResult",
    "DEFAULT_UPPER",
    "DEFAULT_LOWER",
    "normalize_account",
    "normalize_company_name",
    "normalize_credit_code",
    "normalize_id_number",
    "normalize_person_name",
    "normalize_phone",
]
