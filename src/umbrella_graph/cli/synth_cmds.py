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
@click.option("--knob", "knobs", multiple=True, metavar="NAME=VALUE",
              help="Override a generator knob (a field of CityKnobs), e.g. --knob vocabulary=zh "
                   "--knob amount_scale=0.2 --knob tipoff_lead_max_h=72. Repeatable.")
@handle_errors
def synth(out_dir: Path, people: int, gangs: int, seed: int, difficulty: str, label_share: float,
          knobs: tuple[str, ...]) -> None:
    """Write a synthetic case folder to OUT_DIR, with truth.csv and labels.csv.

    OUT_DIR receives every table of the data contract (UTF-8 CSV), truth.csv (one row
    per official x gang: label, role, mechanisms, confounders), truth_tipoffs.csv
    (planted pre-raid calls: event, official, gang, caller) and truth_members.csv (true membership, unlisted members
    and front men included). Files of the same names are replaced.
    """
    from ..synth import generate_city

    city = generate_city(out_dir, people=people, gangs=gangs, seed=seed, difficulty=difficulty,
                         label_share=label_share, **_parse_knobs(knobs))
    echo_frame(city.case.counts())
    t = city.truth
    click.echo(f"\nofficials: {t['official_id'].nunique()}, gangs: {t['gang_id'].nunique()}, "
               f"umbrella pairs: {int(t['label'].sum())} of {len(t)}; labels.csv: {len(city.labels)} pairs")
    click.echo(f"wrote {out_dir}")


def _parse_knobs(items: tuple[str, ...]) -> dict[str, object]:
    """``NAME=VALUE`` pairs as typed knob values (the generator checks names and ranges)."""
    from dataclasses import fields

    from ..synth import CityKnobs

    types = {f.name: f.type for f in fields(CityKnobs)}
    out: dict[str, object] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE; got {item!r}", param_hint="--knob")
        kind = str(types.get(name, "str"))
        value: object = raw
        try:
            if raw.lower() == "none" and "None" in kind:
                value = None
            elif kind == "bool":
                if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(raw)
                value = raw.lower() in ("true", "1", "yes")
            elif kind == "int":
                value = int(raw)
            elif "float" in kind:
                value = float(raw)
        except ValueError:
            raise click.BadParameter(f"{name} must be a {kind.replace(' | None', '')}; got {raw!r}",
                                     param_hint="--knob") from None
        out[name] = value
    return out
