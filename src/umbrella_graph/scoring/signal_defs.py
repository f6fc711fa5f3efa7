"""The named signals of the umbrella score and how they combine: :data:`SIGNALS`.

Each :class:`Signal` turns raw features (:mod:`umbrella_graph.scoring.signals`) into a
value in ``[0, 1]`` and carries the most it may weigh; :func:`combine` is the noisy-OR
of :mod:`umbrella_graph.scoring.score`. This module sits below both the scorer and the
classifier (``score -> model -> signal_defs``), so neither imports the other back;
:mod:`umbrella_graph.scoring.score` re-exports every name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .tipoff import TIPOFF_MIN_SCORE

__all__ = ["SIGNALS", "SIGNAL_NAMES", "Signal", "signal_values", "combine"]


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((np.asarray(x, dtype=float) - lo) / (hi - lo), 0.0, 1.0)


def _log_amount_ramp(log1p_amount: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """0 at ``lo`` yuan or less, 1 at ``hi`` yuan or more, linear in log(amount) between."""
    amount = np.expm1(np.asarray(log1p_amount, dtype=float))
    with np.errstate(divide="ignore"):
        la = np.log10(np.maximum(amount, 1e-9))
    return _ramp(la, np.log10(lo), np.log10(hi))


def _sat(x: np.ndarray, scale: float) -> np.ndarray:
    return 1.0 - np.exp(-np.maximum(np.asarray(x, dtype=float), 0.0) / scale)


@dataclass(frozen=True)
class Signal:
    """One named signal: how its value is computed and how much it may weigh.

    Attributes
    ----------
    name : str
        Used in the ``sig_NAME`` / ``contrib_NAME`` columns.
    weight : float
        The most this signal alone can contribute to the unsupervised score.
    features : tuple of str
        The raw features it reads (the classifier's contributions are grouped by these).
    value : callable
        ``value(features_frame) -> ndarray`` in ``[0, 1]``.
    description : str
        One line for explanations.
    """

    name: str
    weight: float
    features: tuple[str, ...]
    value: Callable[[pd.DataFrame], np.ndarray]
    description: str


#: Share of a relative's gang-side tie that counts in ``kinship`` (his job at a gang
#: company counts fully).
KIN_SIDE_SHARE = 0.3
#: The contract test's surprise (-log10 p) at which ``contracts`` starts and saturates.
CONTRACT_SURPRISE = (0.5, 2.0)
#: Confidence-weighted contracts to the gang needed for the full ``contracts`` value.
CONTRACT_FULL_COUNT = 1.5
#: Share of the unit's contracts (issued by his unit or village, approved by someone else).
UNIT_CONTRACT_SHARE = 0.25
#: How much of ``contacts`` is lost when none of the contacts is with the leader or core.
CONTACT_PERIPHERY_DISCOUNT = 0.5


def _money(f: pd.DataFrame) -> np.ndarray:
    # judged against the case's own transfers (signals.EVERYDAY_QUANTILE, BRIBE_QUANTILE)
    amount = f["money_level"].to_numpy(dtype=float)
    return amount * (0.5 + 0.5 * _sat(f["money_large"].to_numpy(), 1.0))


def _tipoff(f: pd.DataFrame) -> np.ndarray:
    # the tip-off score is -log10 of the scan's p-value (scoring.tipoff): from 0.8 below
    # the listing threshold (TIPOFF_MIN_SCORE, 1 in 1,000) it starts to count, and 1.9
    # above it (1 in ~100,000) is as strong as timing gets; every further tipped raid adds
    v = _ramp(f["tipoff_score"].to_numpy(dtype=float), TIPOFF_MIN_SCORE - 0.8, TIPOFF_MIN_SCORE + 1.9)
    more = np.maximum(f["tipoff_raids"].to_numpy(dtype=float) - 1.0, 0.0)
    return 1.0 - (1.0 - v) * 0.6 ** more


def _kinship(f: pd.DataFrame) -> np.ndarray:
    # a relative's wages from a gang company are a payment (the gang's money reaching
    # his family in kind); a relative on the gang's side is a family fact that unrelated
    # officials show about as often as umbrellas do, so it counts for less than a third
    a = KIN_SIDE_SHARE * f["kin_side"].to_numpy(dtype=float)
    b = f["kin_employed"].to_numpy(dtype=float)
    return 1.0 - (1.0 - a) * (1.0 - b)


def _contracts(f: pd.DataFrame) -> np.ndarray:
    # the count test is conservative on its own case (discrete counts, leave-one-out
    # expectation): unrelated pairs reach a given surprise far less often than the
    # Poisson null says, so surprise 2 is already rare; contracts his unit issued and
    # someone else approved are the approver's act more than his
    direct = _ramp(f["contract_surprise"].to_numpy(), CONTRACT_SURPRISE[0], CONTRACT_SURPRISE[1])
    # one contract is never enough: when the gang's companies win almost nothing from
    # anybody else, the expectation rests on no wins at all and a single fair win looks
    # improbable; the full value needs CONTRACT_FULL_COUNT confidence-weighted contracts
    direct = direct * np.clip(f["contract_count"].to_numpy(dtype=float) / CONTRACT_FULL_COUNT, 0.0, 1.0)
    unit = UNIT_CONTRACT_SHARE * _ramp(f["contract_unit"].to_numpy(), 0.5, 1.5)
    return np.maximum(direct, unit)


def _contacts(f: pd.DataFrame) -> np.ndarray:
    # judged against his own volume (the surprise), then by whom: the leader and core
    # count fully, contacts with peripheral or inferred side members only (a hub's
    # callers, a relative's fellow members) count half
    v = _ramp(f["contact_surprise"].to_numpy(), 1.0, 6.0)
    w = f["contact_weight"].to_numpy(dtype=float)
    core = np.divide(f["contact_core"].to_numpy(dtype=float), w, out=np.zeros_like(w), where=w > 0)
    return v * (1.0 - CONTACT_PERIPHERY_DISCOUNT * (1.0 - np.clip(core, 0.0, 1.0)))


#: The signals of the unsupervised score, in column order. Weights and rationale are in
#: docs/signals.md.
SIGNALS: tuple[Signal, ...] = (
    Signal("money", 0.8,
           ("money_amount", "money_level", "money_count", "money_large", "money_self", "money_spouse", "money_kin",
            "money_listed", "money_company", "money_front", "money_bank", "money_wechat", "money_alipay",
            "money_cash", "money_other"),
           _money, "money from the gang side (members, gang companies, front men) to the official or his family"),
    Signal("relay", 0.7, ("relay_amount", "relay_level", "relay_count"),
           lambda f: f["relay_level"].to_numpy(dtype=float),
           "money from the gang side passed on to the official's circle by one intermediary within 30 days"),
    Signal("contracts", 0.7,
           ("contract_count", "contract_amount", "contract_total", "contract_expected", "contract_surprise",
            "contract_unit"),
           _contracts,
           "contracts the official issued or approved to gang companies, beyond what chance predicts"),
    Signal("contacts", 0.6,
           ("contact_weight", "contact_core", "contact_people", "contact_volume", "contact_expected",
            "contact_surprise", "contact_post"),
           _contacts,
           "calls and meetings with the gang's leader, core and side, beyond what his contact volume predicts"),
    Signal("tipoff", 0.7, ("tipoff_raids", "tipoff_score", "tipoff_spread", "tipoff_post_raids"), _tipoff,
           "contacts with the gang side hours to days before its raids, improbable under the official's own "
           "baseline (the warning passed on strengthens it)"),
    Signal("kinship", 0.5, ("kin_side", "kin_employed"), _kinship,
           "relatives who are members or front men of the gang, or work for its companies"),
    Signal("member", 0.9, ("member",), lambda f: f["member"].to_numpy(dtype=float),
           "the official is on the gang's member list"),
    Signal("jurisdiction", 0.15, ("jurisdiction",), lambda f: f["jurisdiction"].to_numpy(dtype=float),
           "the official governs the gang's place or regulates its trade (opportunity, not evidence)"),
    Signal("leads", 0.1, ("leads_gang", "leads_other"), lambda f: _sat(f["leads_gang"].to_numpy(), 1.0),
           "petitions or tips naming the official with this gang (allegations, not evidence)"),
    Signal("ppr", 0.1, ("ppr",), lambda f: _ramp(f["ppr"].to_numpy(), 0.5, 2.0),
           "a random walk from the gang side visits the official more than his activity explains"),
    Signal("community", 0.05, ("community",), lambda f: f["community"].to_numpy(dtype=float),
           "share of the gang side in the official's network community (Leiden)"),
    Signal("link", 0.05, ("link_aa", "link_ra"), lambda f: _sat(f["link_aa"].to_numpy(), 2.0),
           "shared contacts with the gang side (Adamic-Adar)"),
    Signal("brokerage", 0.0, ("brokerage",), lambda f: _sat(f["brokerage"].to_numpy() * 100.0, 1.0),
           "brokerage (sampled betweenness); a centrality, weight 0 in the default score"),
)

SIGNAL_NAMES: tuple[str, ...] = tuple(s.name for s in SIGNALS)


def signal_values(features: pd.DataFrame) -> pd.DataFrame:
    """The signal values (``[0, 1]``) of a :func:`pair_features` frame, one column per signal."""
    return pd.DataFrame({s.name: np.clip(np.nan_to_num(s.value(features), nan=0.0), 0.0, 1.0)
                         for s in SIGNALS}, index=features.index)


def combine(values: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Noisy-OR score and per-signal contributions (which add up to the score)."""
    w = np.array([s.weight for s in SIGNALS])
    v = values[list(SIGNAL_NAMES)].to_numpy(dtype=float)
    L = -np.log1p(-np.clip(v * w[None, :], 0.0, 1.0 - 1e-12))
    total = L.sum(axis=1)
    score = 1.0 - np.exp(-total)
    share = np.divide(L, total[:, None], out=np.zeros_like(L), where=total[:, None] > 0)
    contrib = share * score[:, None]
    return score, pd.DataFrame(contrib, columns=list(SIGNAL_NAMES), index=values.index)
