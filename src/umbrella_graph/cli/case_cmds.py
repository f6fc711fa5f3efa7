"""``validate`` and ``info``: check a case folder and describe it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._app import echo_frame, handle_errors, main

if TYPE_CHECKING:  # pragma: no cover
    from ..case import Case

F = TypeVar("F", bound=Callable[..., Any])


def _load(case_dir: Path, encoding: str | None, columns: Path | None, lenient: bool) -> Case:
    from ..io import load_case

    return load_case(case_dir, encoding=encoding, columns=columns, lenient=lenient)


def load_graph(case_dir: Path, encoding: str | None, columns: Path | None, lenient: bool) -> Any:
    """The case graph of a case folder, read with the CLI's loading options."""
    from ..graph import build_graph

    return build_graph(_load(case_dir, encoding, columns, lenient))


def _echo_report(case: Case) -> None:
    rep = case.report
    if rep.ignored:
        click.echo("\nfiles not read:")
        for f, why in rep.ignored.items():
            click.echo(f"  {f}: {why}")
    if rep.notes:
        click.echo("\nnotes:")
        for n in rep.notes:
            click.echo(f"  {n}")


case_dir_arg = click.argument("case_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
encoding_opt = click.option(
    "--encoding", default=None, metavar="NAME",
    help="Encoding of every CSV file (utf-8, utf-8-sig, gbk, gb18030); default: detect per file.")
columns_opt = click.option(
    "--columns", "columns", default=None, metavar="MAPPING.json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='Your header mapping as JSON, e.g. {"transactions": {"Payer": "src"}}; "*" for every table.')
lenient_opt = click.option(
    "--lenient", is_flag=True,
    help="Skip bad rows (blank bad optional cells) instead of failing; every one is listed.")


def loading_options(func: F) -> F:
    """``--encoding``, ``--columns`` and ``--lenient``: how a case folder is read."""
    return encoding_opt(columns_opt(lenient_opt(func)))


@main.command()
@case_dir_arg
@loading_options
@handle_errors
def validate(case_dir: Path, encoding: str | None, columns: Path | None, lenient: bool) -> None:
    """Check CASE_DIR against the data contract; print rows per table.

    Exits 0 when the case loads, 2 with every problem (file, row, column, value,
    what was expected) listed on stderr otherwise.
    """
    case = _load(case_dir, encoding, columns, lenient)
    echo_frame(case.report.summary())
    _echo_report(case)
    listed = case.report.to_frame()
    if len(listed):
        click.echo(f"\n{len(listed)} row(s) skipped or cells repaired (lenient mode):")
        for p in case.report.problems:
            click.echo(f"  - {p}")
    if case.report.warnings:
        click.echo(f"\n{len(case.report.warnings)} warning(s): suspicious values, loaded (check them):")
        for p in case.report.warnings:
            click.echo(f"  - {p}")
    click.echo("\nOK: the case is loadable.")


@main.command()
@case_dir_arg
@loading_options
@handle_errors
def info(case_dir: Path, encoding: str | None, columns: Path | None, lenient: bool) -> None:
    """Describe CASE_DIR: tables, node and edge counts, gangs and officials."""
    from ..graph import build_graph

    case = _load(case_dir, encoding, columns, lenient)
    g = build_graph(case)
    click.echo(f"case: {case.name}")
    echo_frame(case.counts())
    click.echo("\nnodes by kind:")
    echo_frame(_counts(g.nodes["kind"]))
    click.echo("\nrecord edges by kind:")
    echo_frame(_counts(g.edges["kind"]))
    click.echo(f"\nofficials: {len(case.official_ids())}, gangs: {len(case.gang_ids())}")
    _echo_report(case)


def _counts(s: Any) -> Any:
    vc = s.value_counts(sort=False)
    vc = vc[vc > 0]
    return vc.rename_axis("kind").reset_index(name="count")
