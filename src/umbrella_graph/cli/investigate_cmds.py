"""``tipoffs``, ``accountability``, ``leads`` and ``disrupt``: the campaign's investigations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._app import echo_frame, handle_errors, main
from .case_cmds import case_dir_arg, load_graph, loading_options

seed_opt = click.option("--seed", default=0, show_default=True, type=int, help="Seed passed to the scorer.")



def _write(df: Any, output: Path | None, what: str, graph: Any = None) -> None:
    """Write ``df`` as UTF-8 CSV (with BOM, so spreadsheets show Chinese; formulas
    neutralised, see :mod:`umbrella_graph.io.export`) or print it (with the names of the
    ids, when the graph is given)."""
    from ..io.export import write_csv

    if output is None:
        from ..views import name_map

        echo_frame(df, names=name_map(graph) if graph is not None else None)
        return
    write_csv(df, output)
    click.echo(f"wrote {len(df)} {what} to {output}")


output_opt = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                          help="Write a CSV file here (default: print the table).")


@main.command()
@case_dir_arg
@output_opt
@click.option("--window", default=None,
              help="Test one lead window ('48h', '2D', or hours) instead of scanning 1 hour to 4 days "
                   "(the default, corrected for the scan).")
@click.option("--baseline", default="730D", show_default=True,
              help="Background period on each side of the event for the official's normal rate.")
@click.option("--follow-up", "follow_up", default="auto", show_default=True,
              help="Period after each event whose contacts are measured as follow-up (investigations); "
                   "'auto' measures it from the case.")
@click.option("--min-score", default=None, type=float,
              help="Keep (event, official) pairs whose combined score (-log10 p) is at least this, "
                   "or at least 2.0 inside a pattern (the same official before several of the gang's "
                   "events) at least this [default: 3.0]; 0 keeps every pre-event contact.")
@click.option("--summary", is_flag=True, help="One row per (event, official) instead of one per contact record.")
@loading_options
@handle_errors
def tipoffs(case_dir: Path, output: Path | None, window: str | None, baseline: str, follow_up: str,
            min_score: float | None, summary: bool, encoding: str | None, columns: Path | None, lenient: bool) -> None:
    """Officials (and their families) in contact with a gang just before raids on it.

    One row per contact record in the window before an event on a gang, with the lead time,
    a surprise score against the official's own normal contact rate with that gang, whether
    the gang relayed the warning, and the combined score (see docs/investigations.md).
    """
    from ..investigate.tipoffs import find_tipoffs, tipoffs_summary

    kw: dict[str, Any] = {"baseline": baseline, "follow_up": follow_up}
    if min_score is not None:
        kw["min_score"] = min_score
    graph = load_graph(case_dir, encoding, columns, lenient)
    df = find_tipoffs(graph, window=window, **kw)
    if summary:
        df = tipoffs_summary(df)
    _write(df, output, "rows", graph)


@main.command()
@case_dir_arg
@click.option("--gang", "gang_id", default=None, help="One gang id (default: every gang).")
@output_opt
@click.option("--min-score", default=0.5, show_default=True, type=float,
              help="Officials scoring at least this are listed as suspected umbrellas.")
@seed_opt
@loading_options
@handle_errors
def accountability(case_dir: Path, gang_id: str | None, output: Path | None, min_score: float, seed: int,
                   encoding: str | None, columns: Path | None, lenient: bool) -> None:
    """One case, three investigations (一案三查): the gang, its umbrellas, its supervisors."""
    from ..investigate.three_investigations import accountability as run

    graph = load_graph(case_dir, encoding, columns, lenient)
    df = run(graph, gang_id, min_score=min_score, seed=seed)
    _write(df, output, "rows", graph)


@main.command()
@case_dir_arg
@output_opt
@seed_opt
@loading_options
@handle_errors
def leads(case_dir: Path, output: Path | None, seed: int, encoding: str | None, columns: Path | None, lenient: bool) -> None:
    """Rank the leads (petitions, tips) by the independent graph evidence behind them."""
    from ..investigate.leads import triage_leads

    graph = load_graph(case_dir, encoding, columns, lenient)
    df = triage_leads(graph, seed=seed)
    _write(df, output, "leads", graph)


@main.command()
@case_dir_arg
@click.option("--gang", "gang_id", required=True, help="The gang id.")
@click.option("--strategy", default="betweenness", show_default=True,
              type=click.Choice(["betweenness", "degree", "collective_influence", "katz"]))
@click.option("--mode", default="sequential", show_default=True, type=click.Choice(["sequential", "block"]))
@click.option("-k", "k", default=5, show_default=True, type=int, help="How many nodes to remove.")
@output_opt
@seed_opt
@loading_options
@handle_errors
def disrupt(case_dir: Path, gang_id: str, strategy: str, mode: str, k: int, output: Path | None, seed: int,
            encoding: str | None, columns: Path | None, lenient: bool) -> None:
    """Which nodes of a gang's network to remove, and the largest component after each."""
    from ..investigate.plan import plan_disruption

    graph = load_graph(case_dir, encoding, columns, lenient)
    plan = plan_disruption(graph, gang_id, strategy=strategy, mode=mode, k=k, seed=seed)
    click.echo(repr(plan))
    _write(plan.curve, output, "steps", graph)
