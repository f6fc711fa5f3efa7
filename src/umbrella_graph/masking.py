"""Masking of ID numbers and phone numbers in what views and reports show.

This public module sits below both presentation layers (:mod:`umbrella_graph.views` and
:mod:`umbrella_graph.reporting`), so neither imports the other's internals to mask a
number; ``umbrella_graph.reporting._mask`` re-exports it for one release.

Reports travel: they are mailed, printed and shown on projectors. By default they show
resident ID numbers as ``110101********1234`` and mobile numbers as ``138****8000``, in
the ``id_number`` / ``phone`` columns and wherever such a number appears in free text
(memos, lead texts, record ids).

What counts as an ID or phone number is decided in one place,
:mod:`umbrella_graph._sensitive`, on a normalised view of the text: full-width and other
Unicode digits, zero-width characters, spaced or dotted forms (``138.0000.5555``,
``110101 19900101 7777``) and letters glued to the number (``sfz110101199001016666``)
are all caught.
"""

from __future__ import annotations

from ._sensitive import mask_numbers, number_runs

__all__ = ["mask_id_number", "mask_phone", "mask_text"]


def mask_id_number(value: object) -> str:
    """Mask an ID number, keeping the region code and the last four characters.

    Examples
    --------
    >>> mask_id_number("110101199003071234")
    '110101********1234'
    >>> mask_id_number("P1234567")
    'P1****67'
    >>> mask_id_number("")
    ''
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return ""
    runs = number_runs(text)
    if len(runs) == 1 and len(runs[0]) in (15, 18) and runs[0][0] == 0 and runs[0][-1] == len(text) - 1:
        return mask_numbers(text)  # the whole cell is one ID number (however it is written)
    if len(text) <= 4:
        return "*" * len(text)
    return text[:2] + "*" * (len(text) - 4) + text[-2:]


def mask_phone(value: object) -> str:
    """Mask a phone number, keeping the first three and the last four digits.

    Examples
    --------
    >>> mask_phone("13800138000")
    '138****8000'
    >>> mask_phone("010-6512 3456")
    '010-**** 3456'
    """
    text = "" if value is None else str(value).strip()
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(digits) <= 7:
        return "*" * len(text)
    hide = set(digits[3:-4])
    return "".join("*" if i in hide else ch for i, ch in enumerate(text))


def mask_text(text: object) -> str:
    """Mask every ID number and mobile number inside free text.

    Examples
    --------
    >>> mask_text("转账 call 13800138000, ID 110101199003071234.")
    '转账 call 138****8000, ID 110101********1234.'
    >>> mask_text("sfz110101199001016666, 138.0000.5555, １３８００１３８０００")
    'sfz110101********6666, 138****5555, １３８****８０００'
    """
    s = "" if text is None else str(text)
    return mask_numbers(s)
