"""``score`` and ``explain``: rank official x gang pairs and show the evidence behind one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._app import echo_frame, handle_errors, main
from .case_cmds import case_dir_arg, load_graph, loading_options
from .neo4j_cmds import neo4j_options, open_driver

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
@click.option("--engine", type=click.Choice(["memory", "spark"]), default="memory", show_default=True,
              help="Where the evidence features are computed: this process, or Apache Spark "
                   "(local[2]; needs the 'spark' extra and Java 17).")
@loading_options
@seed_opt
@click.option("--top", default=30, show_default=True, type=click.IntRange(min=1),
              help="Rows printed when no --output is given.")
@click.option("--all-pairs", is_flag=True, default=False,
              help="List every official x gang pair, also those without any evidence path (slow on a city).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars on stderr (default: when stderr is a terminal).")
@handle_errors
def score(case_dir: Path | None, neo4j_uri: str | None, user: str, password: str | None, database: str | None,
          output: Path | None, gangs: tuple[str, ...], officials: tuple[str, ...], model: str,
          engine: str, encoding: str | None, columns: Path | None, lenient: bool, seed: int, top: int,
          all_pairs: bool, progress: bool | None) -> None:
    """Score the official x gang pairs of CASE_DIR, or of the case stored in Neo4j
    (--neo4j URI), 1 = most suspect.

    Only the pairs with an evidence path from the gang's side are scored and listed;
    the others have no evidence and are counted (--all-pairs lists them too). The CSV
    has the columns of score_umbrellas: official_id, gang_id, score, rank,
    top_signals, then sig_NAME and contrib_NAME for every signal.
    """
    import sys

    if (case_dir is None) == (neo4j_uri is None):
        raise click.UsageError("give either CASE_DIR or --neo4j URI (the case stored in Neo4j)")
    if progress is None:
        progress = sys.stderr.isatty()
    opts = {"gangs": list(gangs) or None, "officials": list(officials) or None, "seed": seed,
            "all_pairs": all_pairs, "progress": progress, "engine": engine}
    if neo4j_uri is not None:
        # the server selects the records and computes the aggregates (scoring.pushed);
        # names travel only for the rows printed
        from ..backends.neo4j import compute
        from ..scoring import pushed

        with open_driver(neo4j_uri, user, password, database) as driver:
            graph = pushed.scoring_graph_from_neo4j(driver, database=database)
            facts = pushed.neo4j_facts(driver, database=database)
            res = _score(graph, model, seed, opts, facts)
            names = (compute.display_names(driver, [*res["official_id"].head(top), *res["gang_id"].head(top)],
                                           database=database) if output is None else {})
    else:
        graph = load_graph(case_dir, encoding, columns, lenient)  # type: ignore[arg-type]
        res = _score(graph, model, seed, opts, None)
        names = {}
        if output is None:
            from ..views import name_map

            names = name_map(graph)
    skipped = int(res.attrs.get("pairs_not_scored", 0))
    if skipped:
        click.echo(f"{skipped} pair(s) without any evidence path not scored (score 0 by construction; "
                   "--all-pairs lists them)", err=True)
    if output is None:
        echo_frame(res[["rank", "official_id", "gang_id", "score", "top_signals"]].head(top), max_rows=top,
                   names=names)
        return
    from ..io.export import write_csv

    write_csv(res, output)
    click.echo(f"wrote {len(res)} scored pair(s) to {output}")


def _score(graph: Any, model: str, seed: int, opts: dict[str, Any], facts: Any) -> Any:
    """Scores of ``graph`` (the classifier fitted on its labels with ``--model labels``)."""
    from ..errors import ParameterError
    from ..scoring import UmbrellaClassifier, score_umbrellas

    clf = None
    if model == "labels":
        if not len(graph.case["labels"]):
            raise ParameterError("--model labels needs a labels.csv with known outcomes in the case folder; "
                                 "none was found.")
        clf = UmbrellaClassifier(random_state=seed).fit_graph(graph, seed=seed)
    return score_umbrellas(graph, model=clf, precomputed=facts, **opts)

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
    click.echo(explain_text(graph, ex, max_records=records))


def _memos(graph: Any) -> dict[tuple[str, int], str]:
    """(file name, row) -> memo of every transaction that has one."""
    from .._format import cell_text

    tx = graph.case["transactions"]
    if not len(tx) or "memo" not in tx.columns:
        return {}
    out = {}
    for f, r, m in zip(tx["_file"].tolist(), tx["_row"].tolist(), tx["memo"].tolist(), strict=True):
        if cell_text(m):
            out[(Path(cell_text(f)).name, int(r))] = cell_text(m)
    return out


def _record_line(r: dict[str, Any], who: Any, memos: dict[tuple[str, int], str], text_col: str) -> str:
    """One cited record: date, amount, parties, what it is, the transfer's memo, file:row."""
    import pandas as pd

    from .._format import cell_text, fmt_amount, fmt_time

    parts = [fmt_time(r.get("time")) or "undated"]
    amount = fmt_amount(r.get("amount"))
    if amount and pd.notna(r.get("amount")):
        parts.append(f"¥{amount}")
    if cell_text(r.get("src")) and cell_text(r.get("dst")):
        parts.append(f"{who(r.get('src'))} -> {who(r.get('dst'))}")
    parts.append(cell_text(r.get(text_col)))
    row = cell_text(r.get("row"))
    memo = memos.get((Path(cell_text(r.get("file"))).name, int(float(row)))) if row else None
    if memo and cell_text(r.get("table")) == "transactions":
        parts.append(f'memo "{memo}"')
    where = Path(cell_text(r.get("file"))).name + (f" row {row}" if row else "")
    rid = cell_text(r.get("record_id"))
    parts.append(f"[{where}{', ' + rid if rid else ''}]")
    return "  ".join(p for p in parts if p)


def _signal_record_lines(ex: Any, signal: str, who: Any, memos: dict[tuple[str, int], str],
                         max_records: int) -> list[str]:
    """The records one signal used, then the ones it saw and left out (with the reason)."""
    get = getattr(ex, "signal_records", None)
    if get is None:
        return []
    out = []
    for used in (True, False):
        recs = get(signal, used=used)
        for r in recs.head(max_records).to_dict("records"):
            out.append(("      - " if used else "      - left out: ") + _record_line(r, who, memos, "note"))
        if len(recs) > max_records:
            out.append(f"      ... and {len(recs) - max_records} more record(s)" + ("" if used else " left out"))
    return out


def explain_text(graph: Any, ex: Any, *, max_records: int = 8) -> str:
    """An explanation as text for the terminal: names next to ids, each record with its date,
    amount, what it is, the transfer's memo, and where it comes from (file:row, record id).
    Missing values are left out (never ``nan``/``NaT``)."""
    import pandas as pd

    from .._format import cell_text
    from ..views import name_map

    names = name_map(graph)

    def who(i: Any) -> str:
        i = cell_text(i)
        n = names.get(i, "")
        return f"{n} ({i})" if n and n != i else i

    memos = _memos(graph)
    score = getattr(ex, "score", None)
    rank = getattr(ex, "rank", None)
    head = f"official {who(ex.official_id)} x gang {who(ex.gang_id)}"
    if score is not None and pd.notna(score):
        head += f": score {float(score):.3f}"
    if rank is not None and pd.notna(rank):
        head += f", rank {int(rank)}"
    lines = [head, ""]
    sig = getattr(ex, "signals", None)
    if isinstance(sig, pd.DataFrame) and len(sig):
        model = cell_text(getattr(ex, "model", ""))
        lines.append(f"signals (value, contribution{'; ' + model if model else ''}), each with the records it used:")
        order = pd.to_numeric(sig["contribution"], errors="coerce").fillna(0.0) if "contribution" in sig else None
        if order is not None:
            sig = sig.assign(_c=order).sort_values("_c", ascending=False, kind="stable").drop(columns="_c")
        for r in sig.to_dict("records"):
            v = pd.to_numeric(pd.Series([r.get("value")]), errors="coerce").iloc[0]
            c = pd.to_numeric(pd.Series([r.get("contribution")]), errors="coerce").iloc[0]
            lines.append(f"  {cell_text(r.get('signal')):<14} {'' if pd.isna(v) else f'{v:.3f}':>6} "
                         f"{'' if pd.isna(c) else f'{c:+.3f}':>7}  {cell_text(r.get('description'))}")
            lines += _signal_record_lines(ex, cell_text(r.get("signal")), who, memos, max_records)
        lines.append("")
    if cell_text(getattr(ex, "message", "")):
        lines += [cell_text(ex.message), ""]
    for j, path in enumerate(getattr(ex, "paths", None) or [], start=1):
        chain = " -> ".join(who(n) for n in path.nodes)
        strength = getattr(path, "strength", None)
        lines.append(f"path {j}: {chain}" + (f"  [strength {float(strength):.3f}]" if strength is not None else ""))
        if getattr(path, "through_hub", False):
            lines.append("  passes through a hub (someone linked to very many people): weaker evidence")
        for h in path.hops:
            recs = h.records if isinstance(h.records, pd.DataFrame) else pd.DataFrame()
            lines.append(f"  {who(h.src)} -> {who(h.dst)}: {cell_text(h.kind)} ({len(recs)} record(s))")
            for r in recs.head(max_records).to_dict("records"):
                lines.append("    - " + _record_line(r, lambda i: "", memos, "detail"))
            if len(recs) > max_records:
                lines.append(f"    ... and {len(recs) - max_records} more record(s)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
