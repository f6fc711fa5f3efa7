"""``validate`` and ``info``: check a case folder and describe it."""

from __future__ import annotations

from pathlib import Path

import click

from ._app import echo_frame, handle_errors, main


def _load(case_dir: Path, encoding: str | None, lenient: bool):  # type: ignore[no-untyped-def]
    from ..io import load_case

    return load_case(case_dir, encoding=encoding, lenient=lenient)


case_dir_arg = click.argument("case_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
encoding_opt = click.option("--encoding", default=None, help="Force a file encoding (utf-8, gbk, gb18030); default: detect.")
lenient_opt = click.option("--lenient", is_flag=True, help="Skip bad rows instead of failing; every skipped row is listed.")


@main.command()
@case_dir_arg
@encoding_opt
@lenient_opt
@handle_errors
def validate(case_dir: Path, encoding: str | None, lenient: bool) -> None:
    """Check CASE_DIR against the data contract; print counts per table.

    Exits 0 when the case loads, 2 with every problem listed otherwise.
    """
    case = _load(case_dir, encoding, lenient)
    echo_frame(case.counts())
    skipped = case.report.to_frame()
    if len(skipped):
        click.echo(f"\n{len(skipped)} row(s) skipped or repaired (lenient mode):")
        echo_frame(skipped, max_rows=200)
    click.echo("\nOK: the case is loadable.")


@main.command()
@case_dir_arg
@encoding_opt
@handle_errors
def info(case_dir: Path, encoding: str | None) -> None:
    """Describe CASE_DIR: tables, node and edge counts, gangs and officials."""
    from ..graph import build_graph

    case = _load(case_dir, encoding, False)
    g = build_graph(case)
    click.echo(f"case: {case.name}")
    echo_frame(case.counts())
    click.echo("\nnodes by kind:")
    echo_frame(g.nodes["kind"].value_counts().rename_axis("kind").reset_index())
    click.echo("\nrecord edges by kind:")
    echo_frame(g.edges["kind"].value_counts().rename_axis("kind").reset_index())
    click.echo(f"\nofficials: {len(case.official_ids())}, gangs: {len(case.gang_ids())}")
