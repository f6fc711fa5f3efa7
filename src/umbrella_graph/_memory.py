"""Memory honesty: refuse an allocation that would not fit, before making it.

:func:`available_bytes` is what this process may still allocate: the operating system's
``MemAvailable`` (Linux ``/proc/meminfo``; physical memory on other systems), or the
``UMBRELLA_GRAPH_MEMORY_LIMIT`` environment variable when set (bytes, or a number with a
``K``/``M``/``G``/``T`` suffix, e.g. ``2G``), which tests and shared machines use to
cap the library. :func:`check_memory` raises
:class:`~umbrella_graph.errors.InsufficientMemoryError` naming the step when a planned
allocation exceeds it.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .errors import InsufficientMemoryError, ParameterError

__all__ = ["available_bytes", "check_memory", "release_freed_memory", "ENV_LIMIT"]

#: Environment variable overriding the available memory (bytes or ``2G``-style).
ENV_LIMIT = "UMBRELLA_GRAPH_MEMORY_LIMIT"
_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _parse(text: str) -> int:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not m:
        raise ParameterError(f"{ENV_LIMIT} must be a number of bytes, optionally with a K, M, G or T "
                             f"suffix (e.g. 2G); got {text[:20]!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def available_bytes() -> int:
    """Bytes this process may still allocate (see the module docstring).

    Examples
    --------
    >>> available_bytes() > 0
    True
    """
    env = os.environ.get(ENV_LIMIT, "").strip()
    if env:
        return _parse(env)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - exotic platforms
        return 2**62


def check_memory(needed: float, step: str, *, hint: str = "") -> None:
    """Raise :class:`~umbrella_graph.errors.InsufficientMemoryError` if ``needed`` bytes
    exceed :func:`available_bytes`.

    Examples
    --------
    >>> check_memory(1024, "a tiny step")  # fits: returns None
    """
    avail = available_bytes()
    if needed > avail:
        raise InsufficientMemoryError(step, needed=int(needed), available=avail, hint=hint)


def release_freed_memory() -> None:
    """Hand the memory this process has freed back to the operating system.

    glibc keeps freed small blocks in its heap (the many short-lived objects of building
    a city's tables leave it fragmented), so the resident size after a step can be
    several times what is still in use: at 300k people, 2.08 GB after generating the
    city for 0.75 GB of tables. ``malloc_trim(0)`` returns the free pages; the steps
    that free most call this when they end. It changes no value, costs milliseconds to
    a second, and does nothing where the C library has no ``malloc_trim`` (macOS,
    Windows, musl).

    Examples
    --------
    >>> release_freed_memory()
    """
    global _TRIM
    if _TRIM is None:
        import ctypes
        import ctypes.util

        try:
            _TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
            _TRIM.argtypes, _TRIM.restype = [ctypes.c_size_t], ctypes.c_int
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None  # the C function, False where there is none, None before the first call
