"""Deprecation shims: keep old call forms working, with a warning, for one release.

* :func:`legacy_positional` lets callers keep passing options positionally after they
  became keyword-only (``scores`` in :func:`~umbrella_graph.view_gang`,
  :func:`~umbrella_graph.view_case`, :func:`~umbrella_graph.report`, ...);
* :func:`renamed_keyword` keeps an old keyword name working after a rename (the seed
  *nodes* of :func:`~umbrella_graph.algorithms.personalized_pagerank` are ``sources``,
  so that ``seed`` always means a random seed);
* :func:`moved_attribute` is the module ``__getattr__`` of a package whose public names
  moved to a submodule (``umbrella_graph.generate_city`` is
  ``umbrella_graph.synth.generate_city``).

Every old form raises a :class:`FutureWarning` and behaves exactly as before.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

__all__ = ["legacy_positional", "renamed_keyword", "moved_attribute", "REMOVED_IN"]

#: The release that drops the deprecated forms.
REMOVED_IN = "0.3"

P = ParamSpec("P")
R = TypeVar("R")


def legacy_positional(
    names: Sequence[str],
    *,
    after: int,
    removed_in: str = REMOVED_IN,
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


def renamed_keyword(old: str, new: str, *, removed_in: str = REMOVED_IN) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept the keyword ``old`` as ``new``, with a warning.

    Examples
    --------
    >>> import warnings
    >>> @renamed_keyword("seeds", "sources")
    ... def walk(A, sources):
    ...     return sources
    >>> walk(None, sources=[1])
    [1]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     walk(None, seeds=[2]), caught[0].category.__name__
    ([2], 'FutureWarning')
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(f"{fn.__name__}() got both {old!r} (deprecated) and {new!r}")
                warnings.warn(f"The {old!r} parameter of {fn.__name__} is deprecated and stops working in "
                              f"{removed_in}; it is called {new!r} now.", FutureWarning, stacklevel=2)
                kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def moved_attribute(package: str, moved: dict[str, str], name: str, *,
                    removed_in: str = REMOVED_IN) -> Any:
    """The value of ``package.name`` that moved to ``package.<moved[name]>``, with a warning.

    For a package's module ``__getattr__``; raises :class:`AttributeError` for names that
    did not move.
    """
    import importlib

    module = moved.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    warnings.warn(f"{package}.{name} is deprecated and stops working in {removed_in}; import it from "
                  f"{package}.{module} ({module}.{name}).", FutureWarning, stacklevel=3)
    return getattr(importlib.import_module(f"{package}.{module}"), name)
