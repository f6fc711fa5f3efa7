"""The one exception tree of umbrella-graph.

Every error the library raises on purpose derives from :class:`UmbrellaGraphError`.
Errors about input data carry structured :class:`Problem` records naming the file, the
spreadsheet row, the column, the offending cell and what was expected.

Sensitive cells (names, ID numbers, phone numbers) are never quoted: their value is
replaced by a mask that only says how long it was.

    UmbrellaGraphError
    ├── CaseError (ValueError)          bad case data: one or more Problems
    ├── ParameterError (ValueError)     a bad argument to a public function
    ├── NotFittedError (AttributeError) an estimator used before ``fit``
    ├── BackendError (RuntimeError)     a graph store (e.g. Neo4j) could not be used
    └── InsufficientMemoryError (MemoryError)  a step would need more memory than is available
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, overload

from ._sensitive import has_sensitive_number

__all__ = [
    "UmbrellaGraphError",
    "CaseError",
    "ParameterError",
    "NotFittedError",
    "BackendError",
    "InsufficientMemoryError",
    "Problem",
    "SENSITIVE_COLUMNS",
    "mask_value",
    "shown_headers",
    "check_seed",
]

#: Columns whose cell values must never reach a log line or an error message.
SENSITIVE_COLUMNS = frozenset({"name", "id_number", "phone", "text", "memo"})


def mask_value(column: str | None, value: Any) -> str:
    """Return ``value`` as it may appear in a message about ``column``.

    Cells of sensitive columns are replaced by ``<masked, N chars>``, and so is any
    cell that holds something that may be an ID number or a phone number (11 digits or
    more, however written: full-width, spaced, dotted, after letters; see
    :mod:`umbrella_graph._sensitive`), whatever its column (an id column filled with ID
    numbers, say).

    Examples
    --------
    >>> mask_value("amount", "12,3x")
    "'12,3x'"
    >>> mask_value("phone", "13800138000")
    '<masked, 11 chars>'
    >>> mask_value("person_id", "11010119900101123X")
    '<masked, 18 chars>'
    >>> mask_value("src", "tel:138.0000.5555")
    '<masked, 17 chars>'
    """
    if value is None:
        return "<empty>"
    text = str(value)
    if (column is not None and column in SENSITIVE_COLUMNS) or has_sensitive_number(text):
        return f"<masked, {len(text)} chars>"
    if len(text) > 60:
        text = text[:57] + "..."
    return repr(text)


def shown_headers(headers: Iterable[Any], recognised: Callable[[str], bool] | None = None,
                  limit: int = 20) -> str:
    """The headers of a file as they may appear in a message.

    Each goes through :func:`mask_value`. When ``recognised`` says that none of them is
    a known header, the "headers" are most likely the first record of a file without a
    header row (a name, an ID number...): then only their number is given.

    Examples
    --------
    >>> shown_headers(["编号", "13800138000"])
    "'编号', <masked, 11 chars>"
    >>> shown_headers(["p1", "张三"], recognised=lambda h: h in ("id", "name"))
    '2 cells, none of them a known header (is the header row missing?)'
    """
    hs = [str(h) for h in headers]
    if not hs:
        return "none"
    if recognised is not None and not any(recognised(h) for h in hs):
        return f"{len(hs)} cells, none of them a known header (is the header row missing?)"
    return ", ".join(mask_value(None, h) for h in hs[:limit])


class UmbrellaGraphError(Exception):
    """Base class of every error umbrella-graph raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input data.

    Attributes
    ----------
    code : str
        A stable machine-readable kind, e.g. ``"missing_column"``, ``"bad_date"``,
        ``"dangling_reference"``, ``"duplicate_id"``, ``"negative_amount"``.
    table : str
        The case table (``"transactions"``) the problem was found in.
    file : str
        The file it came from, or ``"<DataFrame transactions>"`` for frames.
    row : int or None
        The spreadsheet row number (the header is row 1, the first record row 2), or
        None for problems about a whole file (e.g. a missing column).
    column : str or None
        The canonical column name.
    value : str
        The offending cell as it may be shown (sensitive cells are masked).
    expected : str
        What was expected instead, in words.
    action : str
        ``"error"`` (the load failed), or in lenient mode what was done:
        ``"skipped"`` (the row was dropped) or ``"repaired"``.
    """

    code: str
    table: str
    file: str
    row: int | None
    column: str | None
    value: str
    expected: str
    action: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        msg = f"{where}: {self.code}: got {self.value}; expected {self.expected}"
        if self.action != "error":
            msg += f" ({self.action})"
        return msg

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for DataFrames and JSON)."""
        return {
            "code": self.code,
            "table": self.table,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "action": self.action,
        }


class CaseError(UmbrellaGraphError, ValueError):
    """The case data cannot be loaded as given.

    Carries every problem found (not just the first) in :attr:`problems`.
    """

    def __init__(self, problems: list[Problem], *, max_shown: int = 20) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:max_shown])
        more = len(self.problems) - max_shown
        tail = f"\n  ... and {more} more" if more > 0 else ""
        n = len(self.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the case data:\n{shown}{tail}")

    @property
    def first(self) -> Problem:
        """The first problem found."""
        return self.problems[0]

    def to_frame(self) -> Any:
        """All problems as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame([p.as_dict() for p in self.problems])


class ParameterError(UmbrellaGraphError, ValueError):
    """A public function was called with an invalid argument.

    Messages follow scikit-learn's style, e.g. ``"The 'window' parameter of
    find_tipoffs must be a positive duration. Got -2 instead."``
    """

    @classmethod
    def invalid(cls, param: str, func: str, expected: str, got: Any) -> ParameterError:
        """Build the standard message for parameter ``param`` of ``func`` (a text that
        looks like an ID or phone number is masked, as in every message)."""
        shown = mask_value(None, got) if isinstance(got, str) else repr(got)
        return cls(f"The {param!r} parameter of {func} must be {expected}. Got {shown} instead.")


@overload
def check_seed(seed: object, func: str, *, allow_none: Literal[False] = ...) -> int: ...
@overload
def check_seed(seed: object, func: str, *, allow_none: bool) -> int | None: ...


def check_seed(seed: object, func: str, *, allow_none: bool = False) -> int | None:
    """Check a random ``seed`` parameter; the one rule used wherever a seed is taken.

    A seed is a non-negative whole number (a Python or NumPy integer, not a bool), so the
    same call always gives the same result. ``None`` (fresh entropy on every call) is
    accepted only where the function says so (``allow_none=True``); no public function
    does today, because every result an analyst defends must be reproducible.

    Parameters
    ----------
    seed : object
        The value passed by the caller.
    func : str
        The public function's name, for the message.
    allow_none : bool, default False
        Accept ``None``.

    Returns
    -------
    int or None
        The seed as a Python ``int`` (or ``None``).

    Raises
    ------
    ParameterError
        When ``seed`` breaks the rule.

    Examples
    --------
    >>> check_seed(3, "communities")
    3
    >>> check_seed(-1, "communities")
    Traceback (most recent call last):
    ...
    umbrella_graph.errors.ParameterError: The 'seed' parameter of communities must be a non-negative integer. Got -1 instead.
    """
    if seed is None and allow_none:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or int(seed) < 0:
        expected = "None or a non-negative integer" if allow_none else "a non-negative integer"
        raise ParameterError.invalid("seed", func, expected, seed)
    return int(seed)


class NotFittedError(UmbrellaGraphError, AttributeError):
    """An estimator was used before it was fitted."""


class BackendError(UmbrellaGraphError, RuntimeError):
    """A graph store could not be used; the message says what to check."""


class InsufficientMemoryError(UmbrellaGraphError, MemoryError):
    """A step would allocate more memory than this machine has available.

    Raised *before* the allocation, so the process is left usable. The message names
    the step, the bytes it needs and the bytes available, and suggests the remedies:
    scoring fewer pairs (the default, without ``all_pairs=True``), or the distributed
    engine (``engine="spark"``).

    Attributes
    ----------
    step : str
        What was about to be allocated.
    needed, available : int
        Bytes.

    Examples
    --------
    >>> e = InsufficientMemoryError("walks", needed=3 * 2**30, available=2**30)
    >>> isinstance(e, MemoryError), e.step
    (True, 'walks')
    >>> print(str(e).split(";")[0])
    walks needs about 3.0 GiB but only 1.0 GiB is available
    """

    def __init__(self, step: str, *, needed: int, available: int, hint: str = "") -> None:
        self.step = step
        self.needed = int(needed)
        self.available = int(available)
        advice = hint or ('score on a larger machine or with the distributed engine (engine="spark", '
                          "umbrella-graph score --engine spark)")
        super().__init__(f"{step} needs about {self.needed / 2**30:.1f} GiB but only "
                         f"{self.available / 2**30:.1f} GiB is available; {advice}")
