"""The single-file offline HTML report (work in progress)."""
from ._mask import mask_id_number, mask_phone, mask_text

__all__ = ["mask_id_number", "mask_phone", "mask_text"]
