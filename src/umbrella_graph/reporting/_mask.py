"""Masking of ID numbers and phone numbers in what views and reports show.

Reports travel: they are mailed, printed and shown on projectors. By default they show
resident ID numbers as ``110101********1234`` and mobile numbers as ``138****8000``, in
the ``id_number`` / ``phone`` columns and wherever such a number appears in free text
(memos, lead texts).
"""

from __future__ import annotations

import re

__all__ = ["mask_id_number", "mask_phone", "mask_text"]

# 18-digit resident ID (last character may be X) or the old 15-digit form, not part of a
# longer run of digits/letters
_ID18_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_ID15_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{5})(\d{4})(?![0-9A-Za-z])")
# mainland mobile numbers, optionally written with +86 / 0086 and separators
_MOBILE_RE = re.compile(
    r"(?<![0-9])((?:\+?86|0086)?[\s-]?1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?![0-9])"
)


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
    m = _ID18_RE.fullmatch(text)
    if m:
        return m.group(1) + "*" * 8 + m.group(3)[-4:]
    m = _ID15_RE.fullmatch(text)
    if m:
        return m.group(1) + "*" * 5 + m.group(3)
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
    """
    s = "" if text is None else str(text)
    if not any(ch.isdigit() for ch in s):
        return s
    s = _ID18_RE.sub(lambda m: m.group(1) + "*" * 8 + m.group(3)[-4:], s)
    s = _ID15_RE.sub(lambda m: m.group(1) + "*" * 5 + m.group(3), s)
    return _MOBILE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), s)
