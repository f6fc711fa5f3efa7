"""``load``: put a case into Neo4j; the shared ``--neo4j`` options (also used by ``score``).

Connection problems (server unreachable, wrong credentials, unknown database, lost
connection) print one line saying what to check and exit with code 3.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ._app import echo_frame, handle_errors, main

F = TypeVar("F", bound=Callable[..., Any])


def neo4j_options(*, required: bool) -> Callable[[F], F]:
    """The ``--neo4j URI --user --password --database`` options (env: NEO4J_URI...)."""

    def decorate(func: F) -> F:
        opts = [
            click.option("--neo4j", "neo4j_uri", required=required, metavar="URI",
                         envvar="NEO4J_URI" if required else None,
                         help="Neo4j Bolt URI, e.g. bolt://localhost:7687"
                              + (" (env NEO4J_URI)." if required else ".")),
            click.option("--user", default="neo4j", show_default=True, envvar="NEO4J_USER",
                         help="Neo4j user (env NEO4J_USER)."),
            click.option("--password", default=None, envvar="NEO4J_PASSWORD",
                         help="Neo4j password (env NEO4J_PASSWORD; prefer the variable to keep it "
                              "out of the shell history)."),
            click.option("--database", default=None, envvar="NEO4J_DATABASE",
                         help="Neo4j database (default: the server's default; env NEO4J_DATABASE)."),
        ]
        for opt in reversed(opts):
            func = opt(func)
        return func

    return decorate


def open_driver(uri: str, user: str | None, password: str | None, database: str | None) -> Any:
    """A checked driver (errors become one-line BackendErrors)."""
    from ..backends.neo4j import connect

    return connect(uri, user, password, database=database)


def graph_from_neo4j(uri: str, user: str | None, password: str | None, database: str | None) -> Any:
    """The CaseGraph stored in Neo4j (for commands that accept ``--neo4j``)."""
    from ..backends.neo4j import from_neo4j

    with open_driver(uri, user, password, database) as driver:
        return from_neo4j(driver, database=database)


@main.command()
@click.argument("case_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@neo4j_options(required=True)
@click.option("--batch-size", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Rows per write transaction.")
@click.option("--replace", is_flag=True,
              help="Delete everything in the database first (needed when it holds another case).")
@click.option("--encoding", default=None, help="Force a file encoding (utf-8, gbk, gb18030); default: detect.")
@click.option("--lenient", is_flag=True, help="Skip bad rows instead of failing; every skipped row is listed.")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar.")
@handle_errors
def load(case_dir: Path, neo4j_uri: str, user: str, password: str | None, database: str | None,
         batch_size: int, replace: bool, encoding: str | None, lenient: bool, progress: bool) -> None:
    """Load CASE_DIR into Neo4j (idempotent: loading again writes only what is missing).

    Creates the constraints, then writes nodes and one relationship per record in
    batches. An interrupted load can simply be run again.
    """
    from ..backends.neo4j import to_neo4j
    from ..io import load_case

    case = load_case(case_dir, encoding=encoding, lenient=lenient)
    with open_driver(neo4j_uri, user, password, database) as driver:
        summary = to_neo4j(case, driver, database=database, batch_size=batch_size,
                           progress=progress, replace=replace)
    echo_frame(summary.by_type, max_rows=100)
    click.echo(f"\n{summary!r}")
