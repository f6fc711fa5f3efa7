"""``synth``: generate a synthetic city with planted umbrellas and known truth."""

from __future__ import annotations

from pathlib import Path

import click

from ._app import echo_frame, handle_errors, main


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--people", default=2000, show_default=True, type=int, help="Number of people.")
@click.option("--gangs", default=4, show_default=True, type=int, help="Number of gangs.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed: the same seed gives the same files.")
@click.option("--difficulty", default="medium", show_default=True,
              type=click.Choice(["easy", "medium", "hard"]),
              help="Camouflage: intermediaries, channels per umbrella, unlisted members, missing data, confounders.")
@click.option("--label-share", default=0.3, show_default=True, type=float,
              help="Share of the truth pairs written to labels.csv (stratified by label).")
@handle_errors
def synth(out_dir: Path, people: int, gangs: int, seed: int, difficulty: str, label_share: float) -> None:
    """Write a synthetic case folder to OUT_DIR, with truth.csv and labels.csv.

    OUT_DIR receives every table of the data contract (UTF-8 CSV), truth.csv (one row
    per official x gang: label, role, mechanisms, confounders), truth_tipoffs.csv
    (planted pre-raid calls) and truth_members.csv (true membership, unlisted members
    and front men included). Files of the same names are replaced.
    """
    from ..synth import generate_city

    city = generate_city(out_dir, people=people, gangs=gangs, seed=seed, difficulty=difficulty,
                         label_share=label_share)
    echo_frame(city.case.counts())
    t = city.truth
    click.echo(f"\nofficials: {t['official_id'].nunique()}, gangs: {t['gang_id'].nunique()}, "
               f"umbrella pairs: {int(t['label'].sum())} of {len(t)}; labels.csv: {len(city.labels)} pairs")
    click.echo(f"wrote {out_dir}")
