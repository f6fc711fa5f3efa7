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


#: id columns whose people, gangs or companies get a name column next to them
_NAMED_ID_COLUMNS = ("official_id", "gang_id", "person_id", "contact_person_id", "via_person_id", "subject_id",
                     "node_id", "company_id", "target_id")


def display_frame(df: Any, names: dict[str, str] | None = None) -> Any:
    """A copy of ``df`` as display text: missing values blank (never ``<NA>``, ``NaT`` or
    ``NaN``), dates as ``YYYY-MM-DD[ HH:MM]``, numbers with thousands separators, and after
    each id column of people, gangs or companies, a column with their names."""
    import numpy as np
    import pandas as pd

    from .._format import cell_text, fmt_time

    def cell(v: Any) -> str:
        if isinstance(v, (pd.Timestamp, np.datetime64)):
            return fmt_time(v)
        if not cell_text(v):
            return ""
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if isinstance(v, (float, np.floating)):
            f = float(v)
            if f == round(f) and abs(f) < 1e15:
                return f"{int(round(f)):,}"
            return f"{f:.4g}" if abs(f) < 1000 else f"{f:,.2f}"
        if isinstance(v, (int, np.integer)):
            return f"{int(v):,}" if abs(int(v)) >= 10000 else str(int(v))
        return str(v)

    out = pd.DataFrame(index=range(len(df)))
    for col in df.columns:
        values = df[col].tolist()
        out[col] = [cell(v) for v in values]
        c = str(col)
        if names and c in _NAMED_ID_COLUMNS:
            shown = [names.get(cell_text(v), "") for v in values]
            label = c[: -len("_id")] or "name"
            if any(shown) and label not in df.columns:
                out[label if label not in out.columns else f"{label} name"] = shown
    return out


def echo_frame(df: Any, *, max_rows: int = 50, names: dict[str, str] | None = None) -> None:
    """Print a DataFrame as plain text (see :func:`display_frame`): no ``<NA>``/``NaT``/``NaN``."""
    import pandas as pd

    shown = display_frame(df.head(max_rows), names)
    with pd.option_context("display.max_rows", max_rows, "display.width", 250,
                           "display.max_columns", 60, "display.max_colwidth", 80):
        click.echo(shown.to_string(index=False) if len(shown) else "(no rows)")
    if len(df) > max_rows:
        click.echo(f"... {len(df) - max_rows:,} more row(s); write them all with -o FILE.csv")
