"""Would a confirmed umbrella teach about other officials? (docs/signals.md, "What the
labels teach").

For each city of a family's tuning split (4,000 people, 6 gangs), the confirmed umbrellas
are the positive rows of the city's ``labels.csv`` (30% of the pairs); for every pair
*not* in it, three facts a confirmed umbrella of the same gang would lend it:

* ``hidden_payer``: the official's circle was paid (ordinary money) by someone who also paid
  a confirmed umbrella's circle, is not on the gang's side and holds no post nor sits in
  an official's circle (the gang's hidden payers);
* ``same_unit`` / ``same_place``: the official holds a post in the same unit / place as a
  confirmed umbrella of the gang.

It prints, per family, how many held-out umbrellas and how many other held-out pairs have
each fact. A fact worth learning from would be far more frequent among the umbrellas.

    python bench/label_propagation.py --families hard "hard combined"
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy  # noqa: E402

import umbrella_graph as ug  # noqa: E402
from umbrella_graph.scoring.facts import case_facts  # noqa: E402
from umbrella_graph.synth import generate_city  # noqa: E402

FACTS = ("hidden_payer", "same_unit", "same_place")


def city_rows(family: accuracy.Family, seed: int, knobs: dict) -> pd.DataFrame:
    """One row per held-out pair of one city: its label and the three facts."""
    city = generate_city(people=4000, gangs=6, seed=seed, difficulty=family.difficulty, **knobs)
    ctx = case_facts(ug.build_graph(city.case))
    off_index = {o: i for i, o in enumerate(ctx.official_ids)}
    gang_index = {g: i for i, g in enumerate(ctx.gang_ids)}
    circle = ctx.circle.reset_index()
    circle_of = circle.groupby(circle.columns[0])["person"].apply(set).to_dict()
    for i, pos in enumerate(ctx.official_pos):
        circle_of.setdefault(i, set()).add(int(pos))
    excluded = set().union(*circle_of.values())
    side_of = ctx.side.groupby("gang")["node"].apply(set).to_dict()
    posts = ctx.posts.reset_index()
    unit_of = posts.groupby(posts.columns[0])["unit"].apply(lambda s: set(s) - {-1}).to_dict()
    place_of = posts.groupby(posts.columns[0])["place"].apply(lambda s: set(s) - {-1}).to_dict()
    tx = ctx.tx_ordinary[["src", "dst"]]

    payers: dict[int, set] = {}
    units: dict[int, set] = {}
    places: dict[int, set] = {}
    confirmed = city.labels[city.labels["label"] == 1]
    for o, g in zip(confirmed["official_id"], confirmed["gang_id"], strict=True):
        oi, gi = off_index[o], gang_index[g]
        paid = set(tx.loc[tx["dst"].isin(circle_of[oi]), "src"])
        payers.setdefault(gi, set()).update(paid - side_of.get(gi, set()) - excluded)
        units.setdefault(gi, set()).update(unit_of.get(oi, set()))
        places.setdefault(gi, set()).update(place_of.get(oi, set()))

    # whom each gang's hidden payers paid, once per gang
    reached = {gi: set(tx.loc[tx["src"].isin(hidden), "dst"]) for gi, hidden in payers.items()}
    truth = city.truth.merge(city.labels[["official_id", "gang_id"]], how="left",
                             on=["official_id", "gang_id"], indicator=True)
    held = truth[truth["_merge"] == "left_only"]
    rows = []
    for o, g, label in zip(held["official_id"], held["gang_id"], held["label"], strict=True):
        oi, gi = off_index[o], gang_index[g]
        rows.append({
            "label": int(label),
            "hidden_payer": bool(circle_of[oi] & reached.get(gi, set())),
            "same_unit": bool(unit_of.get(oi, set()) & units.get(gi, set())),
            "same_place": bool(place_of.get(oi, set()) & places.get(gi, set())),
        })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", nargs="+", default=["hard", "hard combined"])
    ap.add_argument("--settings", type=int, default=6)
    args = ap.parse_args(argv)
    by_name = {f.name: f for f in accuracy.FAMILIES}
    for name in args.families:
        family = by_name[name]
        d = pd.concat([city_rows(family, seed, knobs)
                       for seed, knobs in accuracy.settings(family, "tuning", args.settings)])
        pos, neg = d[d["label"] == 1], d[d["label"] == 0]
        for fact in FACTS:
            sys.stdout.write(f"{name}: {fact}: umbrellas {int(pos[fact].sum())} of {len(pos)} "
                             f"({pos[fact].mean():.1%}), other pairs {int(neg[fact].sum())} of {len(neg)} "
                             f"({neg[fact].mean():.1%})\n")


if __name__ == "__main__":
    main()
