"""``score`` and ``explain``: rank official x gang pairs and show the evidence behind one."""

from __future__ import annotations

from pathlib import Path

import click

from ._app import echo_frame, handle_errors, main
from .case_cmds import case_dir_arg, load_graph, loading_options
from .neo4j_cmds import graph_from_neo4j, neo4j_options

seed_opt = click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
                        help="Seed of the community detection and brokerage sample.")



@main.command()
@click.argument("case_dir", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@neo4j_options(required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the scores as CSV here (default: print the top of the ranking).")
@click.option("--gang", "gangs", multiple=True, help="Score only this gang (repeatable).")
@click.option("--official", "officials", multiple=True, help="Score only this official (repeatable).")
@click.option("--model", type=click.Choice(["none", "labels"]), default="none", show_default=True,
              help="'labels': fit the classifier on the case's labels.csv and use its probabilities; "
                   "'none': the unsupervised score.")
@loading_options
@seed_opt
@click.option("--top", default=30, show_default=True, type=click.IntRange(min=1),
              help="Rows printed when no --output is given.")
@handle_errors
def score(case_dir: Path | None, neo4j_uri: str | None, user: str, password: str | None, database: str | None,
          output: Path | None, gangs: tuple[str, ...], officials: tuple[str, ...], model: str,
          encoding: str | None, columns: Path | None, lenient: bool, seed: int, top: int) -> None:
    """Score every official x gang pair of CASE_DIR, or of the case stored in Neo4j
    (--neo4j URI), 1 = most suspect.

    The CSV has the columns of score_umbrellas: official_id, gang_id, score, rank,
    top_signals, then sig_NAME and contrib_NAME for every signal.
    """
    from ..errors import ParameterError
    from ..scoring import UmbrellaClassifier, score_umbrellas

    if (case_dir is None) == (neo4j_uri is None):
        raise click.UsageError("give either CASE_DIR or --neo4j URI (the case stored in Neo4j)")
    graph = (graph_from_neo4j(neo4j_uri, user, password, database) if neo4j_uri is not None
             else load_graph(case_dir, encoding, columns, lenient))  # type: ignore[arg-type]
    clf = None
    if model == "labels":
        if not len(graph.case["labels"]):
            raise ParameterError("--model labels needs a labels.csv with known outcomes in the case folder; "
                                 "none was found.")
        clf = UmbrellaClassifier(random_state=seed).fit_graph(graph, seed=seed)
    res = score_umbrellas(graph, gangs=list(gangs) or None, officials=list(officials) or None, model=clf,
                          seed=seed)
    if output is None:
        echo_frame(res[["rank", "official_id", "gang_id", "score", "top_signals"]].head(top), max_rows=top)
        return
    from ..io.export import write_csv

    write_csv(res, output)
    click.echo(f"wrote {len(res)} scored pair(s) to {output}")


@main.command()
@case_dir_arg
@click.option("--official", "official_id", required=True, help="The official's person id.")
@click.option("--gang", "gang_id", required=True, help="The gang id.")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(min=1), help="Evidence paths to show.")
@click.option("--max-hops", default=3, show_default=True, type=click.IntRange(min=1),
              help="Longest chain of records from the official to the gang side.")
@click.option("--records", default=8, show_default=True, type=click.IntRange(min=1),
              help="Records listed per hop.")
@loading_options
@seed_opt
@handle_errors
def explain(case_dir: Path, official_id: str, gang_id: str, k: int, max_hops: int, records: int,
            encoding: str | None, columns: Path | None, lenient: bool, seed: int) -> None:
    """Explain one official x gang score: its signals, then its evidence paths with records."""
    from ..scoring import explain as explain_pair

    graph = load_graph(case_dir, encoding, columns, lenient)
    ex = explain_pair(graph, official_id, gang_id, k=k, max_hops=max_hops, seed=seed)
    click.echo(ex.to_text(max_records=records))
