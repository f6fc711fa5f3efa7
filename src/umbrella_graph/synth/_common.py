"""What the synthetic cities and the sample case share: the result type, the truth
vocabulary and the CSV writer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..case import Case
from ..schema import TABLES

__all__ = ["SynthCity", "ROLES", "MECHANISMS", "TRUTH_COLUMNS", "write_tables", "load_written"]

logger = logging.getLogger(__name__)

#: Values of ``truth.role``: what an official is for a gang.
ROLES = ("umbrella", "member_official", "investigator", "innocent_relative", "hub",
         "corrupt_non_gang", "none")

#: Names used in ``truth.mechanisms`` (";"-joined) for how an umbrella serves a gang.
MECHANISMS = (
    "bribe_leader",      # money from the gang leader
    "bribe_core",        # money from a core member
    "bribe_company",     # money from a gang-controlled company
    "bribe_front_man",   # money passed through a front man (白手套)
    "bribe_spouse",      # money paid to the official's spouse
    "bribe_kin",         # money paid to another relative
    "contract_steered",  # public contracts steered to gang companies
    "tipoff",            # calls to the gang in the hours before raids
    "leader_meetings",   # frequent meetings with the leader
    "kin_employed",      # relatives employed by gang companies
    "member",            # the official is himself a gang member
    "bribe_outsider",    # money relayed by someone outside the gang's side (``outsider_share``)
)

TRUTH_COLUMNS = ("official_id", "gang_id", "label", "role", "mechanisms")

_DATE_COLS = {t: {c.name for c in spec.columns if c.type == "date"} for t, spec in TABLES.items()}


@dataclass
class SynthCity:
    """A synthetic case with its known truth.

    Attributes
    ----------
    case : Case
        The validated case (loaded back from the written folder when one was written,
        so provenance cites those files).
    truth : pandas.DataFrame
        One row per official x gang: ``official_id``, ``gang_id``, ``label`` (1 =
        umbrella), ``role`` (one of :data:`ROLES`), ``mechanisms`` (";"-joined names
        from :data:`MECHANISMS`, ``""`` if none).
    labels : pandas.DataFrame
        The training share of the truth: ``official_id``, ``gang_id``, ``label``.
    tipoffs : pandas.DataFrame
        The planted pre-raid tip-off calls: ``event_id``, ``official_id``, ``gang_id``.
    path : pathlib.Path or None
        The folder written, if any.
    params : dict
        The generator parameters (for the record).
    members : pandas.DataFrame or None
        The true gang membership (``person_id, gang_id, role, listed``), unlisted
        members and front men (role ``front_man``) included; None for the sample case,
        whose README tells it.
    intermediaries : pandas.DataFrame or None
        People outside the gang's side who relayed bribes (``person_id, gang_id,
        official_id, kind``; kind ``businessman`` or ``local``); empty unless the
        ``outsider_share`` knob is set.
    """

    case: Case
    truth: pd.DataFrame
    labels: pd.DataFrame
    tipoffs: pd.DataFrame
    path: Path | None = None
    params: dict[str, object] = field(default_factory=dict)
    members: pd.DataFrame | None = None
    intermediaries: pd.DataFrame | None = None

    def investigator_pairs(self) -> set[tuple[str, str]]:
        """The ``(official_id, gang_id)`` pairs of officials who investigate the gang: they
        call and meet its members after raids, a confounder for tip-off detection."""
        t = self.truth
        conf = t["confounders"] if "confounders" in t.columns else pd.Series("", index=t.index)
        inv = (t["role"] == "investigator") | conf.fillna("").str.contains("investigator")
        return set(zip(t.loc[inv, "official_id"], t.loc[inv, "gang_id"], strict=True))

    def __repr__(self) -> str:
        n_pos = int(self.truth["label"].sum()) if len(self.truth) else 0
        where = f", path={str(self.path)!r}" if self.path is not None else ""
        return (f"<SynthCity {len(self.case['people'])} people, {len(self.case.gang_ids())} gangs, "
                f"{len(self.case.official_ids())} officials, {n_pos} umbrella pairs{where}>")

    def _repr_html_(self) -> str:
        from html import escape

        return "<b>" + escape(repr(self)) + "</b>" + self.case.counts().to_html(index=False)


def _format(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Render amounts as the CSV text the contract documents; return the date format."""
    out = df
    fmt: str | None = None
    spec = TABLES.get(table)
    if spec is None:
        return out, fmt
    for c in spec.columns:
        if c.name not in out.columns:
            continue
        s = out[c.name]
        if c.type in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(s.dtype):
            fmt = "%Y-%m-%d" if c.name in _DATE_COLS[table] else "%Y-%m-%d %H:%M"
        elif c.type == "amount" and pd.api.types.is_float_dtype(s.dtype):
            v = s.to_numpy()
            whole = ~np.isfinite(v) | (v == np.round(v))
            if out is df:
                out = df.copy()
            out[c.name] = pd.array(np.round(v), dtype="Int64") if whole.all() else s.round(2)
    return out, fmt


def write_tables(frames: Mapping[str, pd.DataFrame], out_dir: str | Path) -> Path:
    """Write case tables (and extra frames such as ``truth``) as UTF-8 CSV files.

    Dates are written ``YYYY-MM-DD``, times ``YYYY-MM-DD HH:MM``, whole amounts
    without decimals. Existing files of the same names are replaced.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        body, fmt = _format(name, df)
        body.to_csv(out / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n", date_format=fmt)
    logger.info("wrote %d tables to a case folder", len(frames))
    return out


def load_written(out_dir: Path) -> Case:
    """Load a written case folder back through the ordinary loader (strict)."""
    from ..io import load_case

    return load_case(out_dir)
