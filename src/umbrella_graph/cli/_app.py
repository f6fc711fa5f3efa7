"""The click group and the shared error handling of the CLI."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import BackendError, CaseError, UmbrellaGraphError

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="umbrella-graph")
def main() -> None:
    """Map protective umbrellas (保护伞) and relationship networks around gangs."""


def handle_errors(func: F) -> F:
    """Turn library errors into readable messages and a non-zero exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CaseError as exc:
            click.echo(f"error: {len(exc.problems)} problem(s) in the case data:", err=True)
            for p in exc.problems:
                click.echo(f"  - {p}", err=True)
            sys.exit(2)
        except BackendError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(3)
        except UmbrellaGraphError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def echo_frame(df: Any, *, max_rows: int = 50) -> None:
    """Print a DataFrame as plain text."""
    import pandas as pd

    with pd.option_context("display.max_rows", max_rows, "display.width", 200,
                           "display.max_columns", 50):
        click.echo(df.to_string(index=False))
