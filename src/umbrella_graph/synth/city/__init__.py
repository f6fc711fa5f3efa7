"""Synthetic jurisdictions with planted umbrellas: :func:`generate_city`.

The city is built to be as deceptive as real case files:

* an administrative tree (city > districts > towns > villages), households with spouse,
  child, parent and sibling ties, kin across households, friends, classmates, colleagues;
* officials at every level with jurisdictions, units and tenures (village Party
  secretaries and heads, town Party secretaries and heads, deputies, police stations,
  land offices, construction offices, district investigators and regulators);
* gangs with a leader, core members and members recruited mostly locally, each
  controlling one to three companies; legitimate companies; heavy-tailed background
  money, calls, meetings and public contracts; raids and other enforcement events;
* umbrella mechanisms (:data:`~umbrella_graph.synth.MECHANISMS`), a random subset per
  umbrella: bribes from the leader, core members or gang companies, through front men
  (白手套), to the spouse or relatives; contracts steered to gang companies; calls in the
  hours before raids; frequent meetings with the leader; relatives employed by gang
  companies; a village cadre who is himself a member;
* confounders: investigators who call and meet members *after* raids, officials who are
  innocent relatives of a peripheral member, hub town heads who call and pay many people,
  gang companies that win fair contracts from clean officials, small everyday fees,
  businessmen who bribe officials with no gang involved;
* the gaps of police files: incomplete member lists, front men who are not members, a
  share of every evidence channel missing, cash that leaves no record;
* distribution shift (:class:`CityKnobs`, issue 11): amounts scaled, tip-off lead and
  investigator follow-up windows moved, the gang's relay unrecorded, relatives making the
  warning calls, umbrellas with one channel, bribes relayed by outsiders, recorded cash,
  and kind columns and post titles spelled the way other counties write them
  (:mod:`umbrella_graph.synth.vocab`). Each knob changes only what it names: its draws
  come from a second seeded stream, and records it suppresses are drawn and then hidden.

Background activity is drawn in bulk with NumPy (no Python loop per record): 100,000
people with a million transactions and a million contacts take well under a minute.

The generator is one object, :class:`~umbrella_graph.synth.city._gen._CityGen`, whose
state is declared and created once (``_state``) and whose phases live in the modules
named for them: ``world`` (the tree, people, officials, companies, social ties,
background activity), ``gangs`` (members, front men, gang companies, the gang's life,
raids), ``mechanisms`` (the planted umbrellas), ``confounders`` (innocent look-alikes,
leads) and ``writing`` (missing data, the case tables, the truth). ``knobs`` holds
:class:`CityKnobs` and the difficulty presets.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._memory import release_freed_memory
from ...validate import case_from_frames
from .._common import SynthCity, write_tables
from ..vocab import apply_vocabulary
from ._gen import _CityGen
from .knobs import DIFFICULTIES, CityKnobs, _check, _knobs

__all__ = ["generate_city", "CityKnobs", "DIFFICULTIES"]

logger = logging.getLogger(__name__)


def generate_city(
    out_dir: str | Path | None = None,
    *,
    people: int = 2000,
    gangs: int = 4,
    seed: int = 0,
    difficulty: str = "medium",
    label_share: float = 0.3,
    **knobs: Any,
) -> SynthCity:
    """Generate a synthetic jurisdiction with planted umbrellas and known truth.

    Parameters
    ----------
    out_dir : str or Path, optional
        If given, the case folder is written there (every table of the data contract as
        UTF-8 CSV) with ``truth.csv``, ``truth_tipoffs.csv`` and ``truth_members.csv``.
    people : int, default 2000
        Number of people (at least 300).
    gangs : int, default 4
        Number of gangs.
    seed : int, default 0
        The seed; the same seed and parameters give identical output.
    difficulty : {"easy", "medium", "hard"}
        A preset of the knobs (see :data:`DIFFICULTIES` and :class:`CityKnobs`): more
        intermediaries, fewer channels per umbrella, more unlisted members, more
        missing data and more confounders as it gets harder.
    label_share : float, default 0.3
        Share of the truth pairs (stratified by label) given as ``labels.csv``.
    **knobs
        Any field of :class:`CityKnobs`, overriding the preset; among them the
        distribution-shift knobs (``amount_scale``, the tip-off lead and investigator
        follow-up windows, ``relay_share``, ``tipoff_relative_share``,
        ``one_channel_share``, ``outsider_share``, ``cash_recorded_share``,
        ``vocabulary``), whose defaults reproduce the historic output exactly.

    Returns
    -------
    SynthCity
        ``.case`` (validated; provenance names the files written, or would write),
        ``.truth`` (one row per official x gang with ``label``, ``role``,
        ``mechanisms`` and ``confounders``), ``.labels``, ``.tipoffs`` (planted
        pre-raid calls that survived the missing-data step: event, official, gang and
        ``caller_id``, the official or the relative who called), ``.members`` (true
        membership incl. unlisted members and front men), ``.intermediaries``
        (outsiders who relayed bribes), ``.path``.

    Examples
    --------
    >>> city = generate_city(people=600, gangs=2, seed=1)
    >>> city.truth.columns.tolist()[:5]
    ['official_id', 'gang_id', 'label', 'role', 'mechanisms']
    >>> bool(city.truth["label"].sum() > 0)
    True
    >>> generate_city(people=600, gangs=2, seed=1).case.equals(city.case)
    True

    The same city written the way another county exports it: Chinese kind words and a
    poorer economy; the planted truth does not change.

    >>> zh = generate_city(people=600, gangs=2, seed=1, vocabulary="zh", amount_scale=0.2)
    >>> sorted(set(zh.case["events"]["kind"]))
    ['抓捕', '检查', '突击检查']
    >>> zh.truth.equals(city.truth)
    True
    """
    params = {"people": people, "gangs": gangs, "seed": seed, "difficulty": difficulty,
              "label_share": label_share}
    _check(params)
    k = _knobs(difficulty, knobs)
    gen = _CityGen(int(people), int(gangs), int(seed), k)
    frames = gen.build()
    if k.vocabulary != "en":
        frames = apply_vocabulary(frames, k.vocabulary, rng=np.random.default_rng([int(seed), 0x566F63]))
    truth, tipoffs, members = gen.truth(), gen.tipoff_truth(), gen.member_truth()
    intermediaries = gen.intermediary_truth()
    labels = _labels(truth, label_share, int(seed))
    frames["labels"] = labels
    files = {t: f"{t}.csv" for t in frames}
    path = None
    if out_dir is not None:
        extra = {"truth": truth, "truth_tipoffs": tipoffs, "truth_members": members}
        if k.outsider_share > 0:
            extra["truth_intermediaries"] = intermediaries
        path = write_tables({**frames, **extra}, out_dir)
    case = case_from_frames(frames, files=files, name=Path(out_dir).name if out_dir is not None else "synth")
    del gen, frames
    release_freed_memory()  # the generator's many small blocks (a third of the RSS at 300k)
    all_params: dict[str, object] = {**params, **asdict(k)}
    return _city(case, truth, labels, tipoffs, members, path, all_params, intermediaries)


def _city(case: Any, truth: pd.DataFrame, labels: pd.DataFrame, tipoffs: pd.DataFrame, members: pd.DataFrame,
          path: Path | None, params: dict[str, object], intermediaries: pd.DataFrame | None = None) -> SynthCity:
    return SynthCity(case=case, truth=truth, labels=labels, tipoffs=tipoffs, path=path, params=params,
                     members=members, intermediaries=intermediaries)


def _labels(truth: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """A label_share sample of the truth, stratified by label, in truth order."""
    rng = np.random.default_rng([seed, 7])
    keep = np.zeros(len(truth), dtype=bool)
    for lab in (0, 1):
        idx = np.flatnonzero(truth["label"].to_numpy() == lab)
        n = int(round(share * len(idx)))
        if n:
            keep[rng.choice(idx, n, replace=False)] = True
    return truth.loc[keep, ["official_id", "gang_id", "label"]].reset_index(drop=True)


