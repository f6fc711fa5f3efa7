"""``ingest``: raw exports (bank statements, call records, registry extracts, rosters) to a case folder."""

from __future__ import annotations

from pathlib import Path

import click

from ._app import echo_frame, handle_errors, main


@main.command("ingest")
@click.argument("sources_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", "case_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The case folder to write (tables, and _ingest/ with the report, pairs, merges and review queue).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Mapping file for layouts that are not recognised (default: SOURCES_DIR/ingest-mapping.json).")
@click.option("--decisions", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Analyst decisions to replay (default: CASE_DIR/_ingest/decisions.csv if it exists).")
@click.option("--upper", type=click.FloatRange(0, 1, min_open=True), default=0.99, show_default=True,
              help="Match probability from which pairs sharing an identifier are merged automatically.")
@click.option("--lower", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
              help="Match probability from which pairs go to the review queue.")
@click.option("--encoding", default=None, help="Force one encoding for every CSV (default: detect per file).")
@handle_errors
def ingest_cmd(sources_dir: Path, case_dir: Path, mapping: Path | None, decisions: Path | None, upper: float,
               lower: float, encoding: str | None) -> None:
    """Read the raw exports in SOURCES_DIR, resolve the people in them and write a case folder.

    Every input row is counted as ingested, merged as a duplicate (the other side of a
    transfer or call listed by both parties) or rejected with its reason
    (CASE_DIR/_ingest/report.csv and rows_not_ingested.csv). Pairs the model is unsure
    about go to CASE_DIR/_ingest/review_queue.csv and review.html; the decisions saved
    from that page (CASE_DIR/_ingest/decisions.csv) are replayed on the next run.
    """
    from ..ingest import ingest

    if decisions is None and (case_dir / "_ingest" / "decisions.csv").exists():
        decisions = case_dir / "_ingest" / "decisions.csv"
    res = ingest(sources_dir, mapping=mapping, decisions=decisions, upper=upper, lower=lower, encoding=encoding)
    res.write(case_dir)
    echo_frame(res.rows)
    click.echo("")
    click.echo(res.summary())
    click.echo(f"wrote {case_dir}")


@main.command("synth-exports")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--people", default=2000, show_default=True, type=int, help="Number of people in the city.")
@click.option("--gangs", default=4, show_default=True, type=int, help="Number of gangs.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed: the same seed gives the same files.")
@click.option("--difficulty", default="medium", show_default=True, type=click.Choice(["easy", "medium", "hard"]))
@handle_errors
def synth_exports(out_dir: Path, people: int, gangs: int, seed: int, difficulty: str) -> None:
    """Write a synthetic city as messy raw exports (bank statements, call records, registry,
    rosters) to OUT_DIR, with the truth in OUT_DIR/truth/, for trying `ingest`."""
    from ..synth import generate_city
    from ..synth.messy import write_messy_sources

    city = generate_city(people=people, gangs=gangs, seed=seed, difficulty=difficulty)
    ms = write_messy_sources(city, out_dir, seed=seed)
    click.echo(f"wrote {ms.rows} source rows in {len([p for p in ms.path.iterdir() if p.is_file()])} files "
               f"to {out_dir} (truth in {out_dir / 'truth'})")
