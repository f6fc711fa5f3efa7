"""Deprecated location of the masking helpers: use :mod:`umbrella_graph.masking`.

Kept as a re-export for one release so that code importing
``umbrella_graph.reporting._mask`` keeps working.
"""

from __future__ import annotations

from ..masking import mask_id_number, mask_phone, mask_text

__all__ = ["mask_id_number", "mask_phone", "mask_text"]
