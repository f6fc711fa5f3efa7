"""Finding ID numbers and phone numbers in text, however they are written.

The one place that decides what looks like a resident ID number or a phone number; used
by error messages (:func:`umbrella_graph.errors.mask_value`) and by masked reports and
views (:mod:`umbrella_graph.masking`).

Matching is done on a normalised view of the text, not on the raw characters, so that
the ways people (and the people under investigation) write numbers do not slip through:

* any Unicode decimal digit counts as a digit (full-width ``１３８``, Arabic-Indic...);
* zero-width characters and soft hyphens inside a number are ignored;
* digits separated by single spaces, dots, dashes, slashes or middle dots are one number
  (``138.0000.5555``, ``110101 19900101 7777``, ``138-0013-8000``);
* letters before or after a number do not protect it (``sfz110101199001016666``,
  ``tel13800138000``);
* a trailing ``X`` after 17 digits is the check character of an ID number.

A run of 11 or more digits is sensitive: 15 and 18 digits (or 17 + ``X``) are masked
as ID numbers (region code and last four kept), anything else keeps its first three and
last four digits (a mobile number ``138****8000``; a ``+86``/``0086`` prefix is kept as
well). This also masks bank card numbers and long numeric record ids; it may mask two
numbers written next to each other (``2019-01-01 2019-01-02``). In a masked output a
false alarm costs a few stars, a miss leaks a person's number, so the rule errs on the
side of masking. Written by hand rather than with a regular expression: the normalised
scan is linear in the length of the text whatever it holds.
"""

from __future__ import annotations

import unicodedata

__all__ = ["number_runs", "has_sensitive_number", "mask_numbers", "MIN_DIGITS"]

#: Digits (after normalisation) from which a run of digits is treated as sensitive.
MIN_DIGITS = 11
#: Characters that may sit between two groups of digits of one number (one at a time).
_SEPARATORS = frozenset(" .-/·\u00a0\u3000\u2002\u2003\u2009\u2010\u2011\u2012\u2013\u2014\u2212\uff0d\uff0e\u30fb")
#: Characters ignored inside a number (any number of them).
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_X = frozenset("Xx\uff38\uff58")


def _digit(ch: str) -> int | None:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if ch.isascii():
        return None
    d = unicodedata.decimal(ch, None)
    return d


def number_runs(text: str) -> list[list[int]]:
    """Positions of the characters of every number in ``text`` (digits and a final ``X``).

    Examples
    --------
    >>> [len(r) for r in number_runs("call 138.0000.5555 or 12")]
    [11, 2]
    >>> [len(r) for r in number_runs("sfz１１0101199001016666")]
    [18]
    """
    runs: list[list[int]] = []
    cur: list[int] = []
    sep = False  # a separator was seen after the last digit
    for i, ch in enumerate(text):
        if _digit(ch) is not None:
            cur.append(i)
            sep = False
        elif ch in _INVISIBLE and cur:
            continue
        elif ch in _SEPARATORS and cur and not sep:
            sep = True
        elif ch in _X and len(cur) == 17 and not sep:
            cur.append(i)
            runs.append(cur)
            cur, sep = [], False
        else:
            if cur:
                runs.append(cur)
            cur, sep = [], False
    if cur:
        runs.append(cur)
    return runs


def has_sensitive_number(text: str) -> bool:
    """Whether ``text`` holds something that may be an ID number or a phone number.

    Examples
    --------
    >>> has_sensitive_number("110101 19900101 7777"), has_sensitive_number("p1"), has_sensitive_number("2019-03-05")
    (True, False, False)
    """
    if not any(_digit(ch) is not None for ch in text):
        return False
    return any(len(r) >= MIN_DIGITS for r in number_runs(text))


def _head(text: str, run: list[int]) -> int:
    """How many leading characters of ``run`` are shown."""
    n = len(run)
    if n in (15, 18):
        return 6
    digits = "".join(str(_digit(text[p])) for p in run)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and n == len(prefix) + 11 and digits[len(prefix)] == "1":
            return len(prefix) + 3
    return 3


def mask_numbers(text: str) -> str:
    """``text`` with every sensitive number masked (see the module docstring).

    Examples
    --------
    >>> mask_numbers("转账 call 13800138000, ID 110101199003071234.")
    '转账 call 138****8000, ID 110101********1234.'
    >>> mask_numbers("sfz110101199001016666 / 138.0000.5555 / +86 138 0013 8000")
    'sfz110101********6666 / 138****5555 / +86 138****8000'
    """
    runs = [r for r in number_runs(text) if len(r) >= MIN_DIGITS]
    if not runs:
        return text
    out: list[str] = []
    last = 0
    for run in runs:
        head = _head(text, run)
        keep_to = run[head - 1] + 1
        out.append(text[last:keep_to])
        out.append("*" * (len(run) - head - 4))
        out.append("".join(text[p] for p in run[-4:]))
        last = run[-1] + 1
    out.append(text[last:])
    return "".join(out)
