"""The knobs of :func:`~umbrella_graph.synth.generate_city`: :class:`CityKnobs`, the
difficulty presets, and the checks of the arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from ...errors import ParameterError, check_seed
from ..vocab import VOCABULARIES


@dataclass(frozen=True)
class CityKnobs:
    """Every tunable of :func:`generate_city` (the difficulty presets set most of them).

    Attributes
    ----------
    start : str
        First day of the observed period.
    years : int
        Length of the observed period.
    tx_per_person, contacts_per_person : float
        Background transactions and contacts per person over the period, as they
        appear in the data (after the missing-data step).
    umbrellas_per_gang : float
        Mean number of umbrellas per gang.
    channels_per_umbrella : float
        Mean number of mechanisms an umbrella uses (at least one).
    intermediary_share : float
        Probability that a bribe goes through a front man, a spouse or a relative
        instead of straight from the gang to the official.
    cash_share : float
        Probability that a bribe is paid in cash (no record at all).
    tipoff_share : float
        Share of a tipping-off umbrella's raids preceded by a warning call.
    front_man_share : float
        Probability that a gang uses front men (白手套) to own its companies.
    unlisted_share, unlisted_core_share : float
        Share of members, and of core members, missing from the member list.
    member_official_share : float
        Probability that a gang has a village cadre among its members.
    missing_share : float
        Share of every evidence channel (transactions, contacts; half of it for ties,
        company roles and contracts) dropped at random, planted evidence included.
    keep_one : bool
        Keep at least one record of every umbrella's planted evidence (easy, medium).
    confounders : float
        Multiplier on the number of confounders (investigators, innocent relatives,
        everyday fees, busy hubs, corrupt officials without a gang).
    corrupt_share : float
        Share of contract-issuing officials bribed by businessmen with no gang.
    lead_share : float
        Probability that an umbrella is named in a lead (petition, hotline tip).

    The knobs below shift the city away from the style the scorer was developed on
    (issue 11); their defaults reproduce the historic output exactly, and each one changes
    only what it names (randomness they need comes from a second seeded stream):

    amount_scale : float
        Every amount (transactions, contracts) multiplied by this (0.1: a poor county,
        10: a rich one); rounded to the fen.
    tipoff_lead_min_h, tipoff_lead_max_h : float
        The warning call comes uniformly between these many hours before the raid
        (default 0.75 to 8 h).
    relay_share : float
        Share of tip-offs whose relay (the warned member calling the others within the
        hour) is in the records; 1 = always (the default), 0 = never.
    tipoff_relative_share : float or None
        Probability that a relative of the umbrella (spouse or adult household member)
        makes the warning call instead of him; None = the historic rule (his spouse, with
        probability ``intermediary_share / 4``).
    followup_min_h, followup_max_h : float
        Investigators call and meet the gang's members uniformly between these many
        hours after each raid (default 4 h to 20 days).
    one_channel_share : float
        Share of umbrellas restricted to one mechanism, with no calls to the payers
        (default 0).
    outsider_share : float
        Probability that a recorded bribe is routed through an intermediary outside the
        gang's side: a legitimate businessman, a relative of one, or an ordinary local who is
        nobody's member (payer -> intermediary, then intermediary -> official or relative);
        default 0.
    cash_recorded_share : float
        Share of cash bribes that leave a record (channel ``cash``, e.g. a seized ledger);
        default 0 (cash leaves no record).
    vocabulary : str
        How the export spells kind columns and post titles, one of
        :data:`~umbrella_graph.synth.vocab.VOCABULARIES` (default ``"en"``: unchanged).
    """

    start: str = "2019-01-01"
    years: int = 3
    tx_per_person: float = 10.0
    contacts_per_person: float = 10.0
    umbrellas_per_gang: float = 3.0
    channels_per_umbrella: float = 2.5
    intermediary_share: float = 0.45
    cash_share: float = 0.2
    tipoff_share: float = 0.7
    front_man_share: float = 0.6
    unlisted_share: float = 0.25
    unlisted_core_share: float = 0.15
    member_official_share: float = 0.35
    missing_share: float = 0.3
    keep_one: bool = True
    confounders: float = 1.0
    corrupt_share: float = 0.05
    lead_share: float = 0.35
    amount_scale: float = 1.0
    tipoff_lead_min_h: float = 0.75
    tipoff_lead_max_h: float = 8.0
    relay_share: float = 1.0
    tipoff_relative_share: float | None = None
    followup_min_h: float = 4.0
    followup_max_h: float = 480.0
    one_channel_share: float = 0.0
    outsider_share: float = 0.0
    cash_recorded_share: float = 0.0
    vocabulary: str = "en"


#: The difficulty presets: what changes between easy, medium and hard.
DIFFICULTIES: dict[str, CityKnobs] = {
    "easy": CityKnobs(channels_per_umbrella=3.5, intermediary_share=0.15, cash_share=0.1, tipoff_share=0.9,
                      front_man_share=0.4, unlisted_share=0.1, unlisted_core_share=0.0, missing_share=0.1,
                      confounders=0.5, lead_share=0.5),
    "medium": CityKnobs(),
    "hard": CityKnobs(channels_per_umbrella=1.8, intermediary_share=0.75, cash_share=0.35, tipoff_share=0.5,
                      front_man_share=0.85, unlisted_share=0.4, unlisted_core_share=0.3, missing_share=0.45,
                      keep_one=False, confounders=2.0, corrupt_share=0.08, lead_share=0.25),
}

def _check(params: dict[str, Any]) -> None:
    func = "generate_city"
    for name in ("people", "gangs"):
        v = params[name]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ParameterError.invalid(name, func, "a whole number", v)
    if params["people"] < 300:
        raise ParameterError.invalid("people", func, "at least 300", params["people"])
    if params["gangs"] < 1 or params["gangs"] > max(1, params["people"] // 60):
        raise ParameterError.invalid("gangs", func, f"between 1 and {max(1, params['people'] // 60)} "
                                     "(about one gang per 60 people at most)", params["gangs"])
    if params["difficulty"] not in DIFFICULTIES:
        raise ParameterError.invalid("difficulty", func, "one of easy, medium, hard", params["difficulty"])
    ls = params["label_share"]
    if isinstance(ls, bool) or not isinstance(ls, (int, float)) or not 0 <= ls <= 1:
        raise ParameterError.invalid("label_share", func, "a number between 0 and 1", ls)
    seed = params["seed"]
    check_seed(seed, func)


def _knobs(difficulty: str, overrides: dict[str, Any]) -> CityKnobs:
    base = DIFFICULTIES[difficulty]
    names = {f.name: f for f in fields(CityKnobs)}
    for k, v in overrides.items():
        if k not in names:
            raise ParameterError.invalid("knobs", "generate_city", "knob names from " + ", ".join(names), k)
        default = getattr(base, k)
        if k == "vocabulary":
            if v not in VOCABULARIES:
                raise ParameterError.invalid(k, "generate_city", "one of " + ", ".join(VOCABULARIES), v)
            continue
        if k == "tipoff_relative_share" and v is None:
            continue
        if k == "tipoff_relative_share":
            default = 0.0
        if isinstance(default, bool):
            if not isinstance(v, bool):
                raise ParameterError.invalid(k, "generate_city", "True or False", v)
        elif isinstance(default, (int, float)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ParameterError.invalid(k, "generate_city", "a non-negative number", v)
            if k.endswith("share") and v > 1:
                raise ParameterError.invalid(k, "generate_city", "a share between 0 and 1", v)
        elif not isinstance(v, str):
            raise ParameterError.invalid(k, "generate_city", "a string", v)
    if "start" in overrides:
        try:
            pd.Timestamp(overrides["start"])
        except ValueError:
            raise ParameterError.invalid("start", "generate_city", "a date such as 2019-01-01",
                                         overrides["start"]) from None
    if "years" in overrides and (not isinstance(overrides["years"], int) or overrides["years"] < 1):
        raise ParameterError.invalid("years", "generate_city", "a whole number of years >= 1", overrides["years"])
    if "amount_scale" in overrides and not 0.001 <= overrides["amount_scale"] <= 1000:
        raise ParameterError.invalid("amount_scale", "generate_city", "a factor between 0.001 and 1000",
                                     overrides["amount_scale"])
    out = replace(base, **overrides)
    for lo, hi, what in (("tipoff_lead_min_h", "tipoff_lead_max_h", "hours before the raid"),
                         ("followup_min_h", "followup_max_h", "hours after the raid")):
        a, b = getattr(out, lo), getattr(out, hi)
        if not (a * 60 >= 1 and b * 60 >= a * 60 + 1):
            name = hi if lo not in overrides else lo
            raise ParameterError.invalid(name, "generate_city", f"a range of {what} with {lo} >= 1 minute "
                                         f"and {hi} > {lo}", getattr(out, name))
        if b > 24 * 120:
            raise ParameterError.invalid(hi, "generate_city", f"at most {24 * 120} {what}", b)
    return out
