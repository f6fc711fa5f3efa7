"""``report``: write the single-file offline HTML report of a case."""

from __future__ import annotations

from pathlib import Path

import click

from ._app import handle_errors, main
from .case_cmds import case_dir_arg, loading_options


def _read_scores(path: Path):  # type: ignore[no-untyped-def]
    import pandas as pd

    from ..io.export import restore_formulas

    try:
        df = restore_formulas(pd.read_csv(path, dtype={"official_id": "string", "gang_id": "string"},
                                          encoding="utf-8-sig"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{path.name} cannot be read as a CSV file ({type(exc).__name__})",
                                 param_hint="--scores") from exc
    missing = [c for c in ("official_id", "gang_id", "score") if c not in df.columns]
    if missing:
        raise click.BadParameter(
            f"{path.name} has no column(s) {', '.join(missing)}; expected the output of score_umbrellas "
            "(official_id, gang_id, score[, rank, top_signals, ...])", param_hint="--scores")
    bad = pd.to_numeric(df["score"], errors="coerce").isna() & df["score"].notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise click.BadParameter(f"{path.name}, row {row}, column 'score': expected a number", param_hint="--scores")
    return df


@main.command("report")
@case_dir_arg
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--scores", "scores_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Use these scores (CSV from score_umbrellas) instead of scoring the case.")
@click.option("--no-mask", is_flag=True, help="Show ID numbers and phone numbers unmasked (handle the file as sensitive).")
@click.option("--top", type=click.IntRange(min=1), default=50, show_default=True, help="Rows of the ranked table of suspect pairs.")
@click.option("--details", type=click.IntRange(min=0), default=10, show_default=True,
              help="Top pairs that get a section with signals, evidence paths and a timeline.")
@click.option("--max-nodes", type=click.IntRange(min=2), default=500, show_default=True, help="Node budget of the network.")
@click.option("--no-investigations", is_flag=True, help="Leave out tip-offs, lead triage, accountability and disruption.")
@click.option("--max-gangs", type=click.IntRange(min=1), default=5, show_default=True,
              help="Gangs covered by the per-gang analyses (those with the highest-scoring pairs).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for scoring, layout and analyses.")
@click.option("--brief", type=click.IntRange(min=0), default=10, show_default=True,
              help="Top suspects that get a card in the brief that opens the report.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of table column labels and headings.")
@click.option("--date", "report_date", default=None, help="The report's date (default: today).")
@click.option("--pdf", "pdf", is_flag=False, flag_value="", default=None, metavar="[FILE.pdf]",
              help="Also print the brief to PDF with headless Chromium (A4, page headers); "
                   "default file name: the output's, ending in .pdf.")
@loading_options
@handle_errors
def report_cmd(
    case_dir: Path,
    output: Path,
    scores_csv: Path | None,
    no_mask: bool,
    top: int,
    details: int,
    max_nodes: int,
    no_investigations: bool,
    max_gangs: int,
    seed: int,
    brief: int,
    lang: str,
    report_date: str | None,
    pdf: str | None,
    encoding: str | None,
    columns: Path | None,
    lenient: bool,
) -> None:
    """Write the report of CASE_DIR as one self-contained HTML file (no network requests).

    Scores the case with score_umbrellas unless --scores is given. ID numbers and phone
    numbers are masked unless --no-mask.
    """
    from ..graph import build_graph
    from ..io import load_case
    from ..reporting import report

    if output.suffix.lower() not in (".html", ".htm"):
        raise click.BadParameter("the output file name must end in .html", param_hint="-o/--output")
    case = load_case(case_dir, encoding=encoding, columns=columns, lenient=lenient)
    graph = build_graph(case)
    scores = _read_scores(scores_csv) if scores_csv is not None else None
    if scores is None:
        from ..scoring import score_umbrellas

        scores = score_umbrellas(graph, seed=seed)
    pdf_path = None if pdf is None else (Path(pdf) if pdf else output.with_suffix(".pdf"))
    if pdf_path is not None and pdf_path.suffix.lower() != ".pdf":
        raise click.BadParameter("the PDF file name must end in .pdf", param_hint="--pdf")
    path = report(graph, output, scores=scores, mask_pii=not no_mask, top=top, details=details, max_nodes=max_nodes,
                  investigations=not no_investigations, max_gangs=max_gangs, seed=seed, brief=brief, lang=lang,
                  date=report_date, pdf=pdf_path)
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size / 1e6:.1f} MB): {len(scores):,} pairs scored, top {min(top, len(scores))} listed, "
               f"{'masked' if not no_mask else 'NOT masked'}")
    if pdf_path is not None:
        click.echo(f"wrote {pdf_path} ({pdf_path.stat().st_size / 1e6:.1f} MB): the brief, A4")
