"""The ``umbrella-graph`` command line.

Each topic registers its commands in its own module below; this module only builds the
group. Errors from the library are printed as one line per problem (no stack trace)
and the command exits non-zero.
"""

from __future__ import annotations

# topic modules register their commands on import
from . import (
    case_cmds,  # noqa: E402,F401
    ingest_cmds,  # noqa: E402,F401
    investigate_cmds,  # noqa: E402,F401
    neo4j_cmds,  # noqa: E402,F401
    report_cmds,  # noqa: E402,F401
    score_cmds,  # noqa: E402,F401
    synth_cmds,  # noqa: E402,F401
)
from ._app import main

__all__ = ["main"]
