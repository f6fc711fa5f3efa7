"""Deprecation shims: keep old call forms working, with a warning, for one release.

The one shim so far lets callers keep passing ``scores`` (and, for :func:`report`, the
output path after it) positionally after ``scores`` became keyword-only in
:func:`~umbrella_graph.view_gang`, :func:`~umbrella_graph.view_case`,
:func:`~umbrella_graph.report` and :func:`~umbrella_graph.reporting.render_report`, as it
already was in ``accountability``, ``triage_leads`` and ``plan_disruption``. The old form
raises a :class:`FutureWarning` and behaves exactly as before.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

__all__ = ["legacy_positional"]

P = ParamSpec("P")
R = TypeVar("R")


def legacy_positional(
    names: Sequence[str],
    *,
    after: int,
    removed_in: str = "0.3",
    is_legacy: Callable[[tuple[Any, ...]], bool] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept ``names`` passed positionally after the first ``after`` arguments, with a warning.

    Parameters
    ----------
    names : sequence of str
        The parameters that used to follow the first ``after`` positional ones, in their
        old order (they are keyword-only, or later in the order, now).
    after : int
        How many positional parameters the new signature keeps before them.
    removed_in : str, default "0.3"
        The release that drops the old form (said in the warning).
    is_legacy : callable, optional
        Given the extra positional arguments, whether they are the old form (for a function
        whose new signature still takes a positional argument there, e.g. ``report``'s path).

    Examples
    --------
    >>> import warnings
    >>> @legacy_positional(["scores"], after=1)
    ... def view(graph, *, scores=None):
    ...     return graph, scores
    >>> view("g", scores="s")
    ('g', 's')
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     view("g", "s"), caught[0].category.__name__
    (('g', 's'), 'FutureWarning')
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            extra = tuple(args[after:])
            if extra and (is_legacy is None or is_legacy(extra)):
                if len(extra) > len(names):
                    raise TypeError(f"{fn.__name__}() takes at most {after + len(names)} positional "
                                    f"arguments in its deprecated form ({len(args)} given)")
                for name, value in zip(names, extra, strict=False):
                    if name in kwargs:
                        raise TypeError(f"{fn.__name__}() got multiple values for argument {name!r}")
                    kwargs[name] = value
                given = ", ".join(f"{n}=" for n in names[:len(extra)])
                warnings.warn(f"Passing {' and '.join(repr(n) for n in names[:len(extra)])} positionally "
                              f"to {fn.__name__} is deprecated and stops working in {removed_in}; pass "
                              f"{given}... as keyword(s).", FutureWarning, stacklevel=2)
                args = args[:after]
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
