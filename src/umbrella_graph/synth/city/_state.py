"""The generator's state, declared once and created eagerly, and the draws every phase uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._words import _CONTACT_KINDS, _HOURS_DAY, _MIN_PER_DAY, _Parts
from .knobs import CityKnobs


class _State:
    """Everything the generator holds, declared here and nothing else: the accumulators are
    created in ``__init__``; the arrays of each phase are assigned by that phase, in the
    fixed order of :meth:`_CityGen.build` (``tests/test_synth_state.py`` checks that no other
    attribute appears and that nothing is created on first use)."""

    _true_members: Any
    activity: np.ndarray
    adult: np.ndarray
    age: np.ndarray
    co_activity: np.ndarray
    co_gang: list[int]
    co_gang_a: np.ndarray
    co_ids: np.ndarray
    co_owner: list[Any]
    co_owner_a: np.ndarray
    co_owner_a_legit: np.ndarray
    co_sector: list[Any]
    co_sector_a: np.ndarray
    co_town: Any
    co_village: list[Any]
    co_village_a: np.ndarray
    companies: Any
    d_hi: np.ndarray
    d_lo: np.ndarray
    d_names: np.ndarray
    d_node: np.ndarray
    district: np.ndarray
    emp_c: np.ndarray
    emp_p: np.ndarray
    ent_ids: np.ndarray
    ev_gang: np.ndarray
    ev_ids: np.ndarray
    ev_kind: np.ndarray
    ev_t: np.ndarray
    events: Any
    extra_members: list[tuple[int, int, str, bool]]
    full_post: Any
    g_companies: list[list[int]]
    g_front: list[np.ndarray]
    g_ids: np.ndarray
    g_kind: np.ndarray
    g_listed: list[np.ndarray]
    g_members: list[np.ndarray]
    g_roles: list[np.ndarray]
    g_town: np.ndarray
    g_village: np.ndarray
    head_of: np.ndarray
    hh: np.ndarray
    hh_size: np.ndarray
    in_gang: np.ndarray
    is_child: np.ndarray
    is_head: np.ndarray
    is_official: np.ndarray
    is_parent: Any
    is_spouse: np.ndarray
    leads: Any
    male: np.ndarray
    mem_g: np.ndarray
    mem_listed: np.ndarray
    mem_p: np.ndarray
    mem_role: np.ndarray
    mem_start: np.ndarray
    n_co: int
    n_d: int
    n_legit: int
    n_t: int
    n_v: int
    official_household: np.ndarray
    officials: Any
    people: Any
    person_ids: np.ndarray
    pos: np.ndarray
    post_end_day: np.ndarray
    post_issuer: np.ndarray
    post_kind: np.ndarray
    post_node: np.ndarray
    post_person: np.ndarray
    post_start_day: np.ndarray
    post_sub: np.ndarray
    spouse_of: np.ndarray
    t_dist: np.ndarray
    t_hi: np.ndarray
    t_is_xiang: Any
    t_lo: np.ndarray
    t_names: np.ndarray
    t_node: np.ndarray
    tip_kept: np.ndarray
    town: np.ndarray
    tree_ids: np.ndarray
    umb_posts: dict[int, list[int]]
    umbrella_people: set[int]
    v_hi: np.ndarray
    v_lo: np.ndarray
    v_names: np.ndarray
    v_node: np.ndarray
    v_town: np.ndarray
    village: np.ndarray
    villages: Any

    def __init__(self, n: int, n_gangs: int, seed: int, k: CityKnobs) -> None:
        self.n = n
        self.n_gangs = n_gangs
        self.k = k
        self.rng = np.random.default_rng(seed)
        # the shift knobs draw from their own stream so that the main one is untouched
        self.srng = np.random.default_rng([seed, 0x5348])
        self.t0 = np.datetime64(pd.Timestamp(k.start).normalize().to_datetime64(), "m")
        self.days = int(365 * k.years)
        self.tx = _Parts("src", "dst", "amount", "t", "channel", "memo", "tag")
        self.ct = _Parts("src", "dst", "kind", "t", "duration_s", "count", "tag")
        self.ties = _Parts("src", "dst", "kind", "tag")
        self.roles = _Parts("person", "company", "role", "share", "tag")
        self.contracts = _Parts("issuer", "approver", "company", "amount", "t", "subject", "tag")
        # truth bookkeeping: (official person index, gang index) -> role, mechanisms, confounders
        self.pair_role: dict[tuple[int, int], str] = {}
        self.pair_mech: dict[tuple[int, int], set[str]] = {}
        self.pair_conf: dict[tuple[int, int], set[str]] = {}
        self.pair_tag: dict[tuple[int, int], int] = {}
        self.tip_rows: list[tuple[int, int, int, int, int]] = []  # event, official, gang, contact chunk, caller
        self.outsiders: list[tuple[int, int, int, str]] = []  # intermediary, gang, official, kind
        #: (official, gang) -> the days of the contracts steered to the gang's companies
        self.steer_days: dict[tuple[int, int], np.ndarray] = {}
        self.official_role: dict[int, str] = {}  # official -> gang-independent role (hub, corrupt_non_gang)

    # ------------------------------------------------------------------ helpers
    def times(self, n: int, hours: np.ndarray = _HOURS_DAY, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Minutes since t0 for n random moments between day lo and day hi."""
        hi = self.days if hi is None else hi
        r = self.rng
        d = r.integers(lo, max(hi, lo + 1), n)
        h = r.choice(24, n, p=hours)
        return d * _MIN_PER_DAY + h * 60 + r.integers(0, 60, n)

    def add_contacts(self, a: np.ndarray, b: np.ndarray, hours: np.ndarray = _HOURS_DAY, tag: int = -1,
                     p: tuple[float, ...] = (0.62, 0.2, 0.1, 0.08), t: np.ndarray | None = None) -> None:
        """Contacts between a[i] and b[i]: kinds drawn with weights p (call, chat, sms,
        meeting), times from the hour profile unless given."""
        r = self.rng
        mm = len(a)
        kd = r.choice(_CONTACT_KINDS, mm, p=list(p))
        dur = np.where(kd == "call", np.round(r.lognormal(4.5, 1.0, mm)),
                       np.where(kd == "meeting", r.integers(1800, 10800, mm).astype(float), np.nan))
        cnt = r.geometric(0.6, mm)
        self.ct.add(src=a, dst=b, kind=kd, t=self.times(mm, hours) if t is None else t, duration_s=dur,
                    count=cnt, tag=np.full(mm, tag))

    def tag_of(self, o: int, g: int) -> int:
        key = (o, g)
        if key not in self.pair_tag:
            self.pair_tag[key] = len(self.pair_tag)
        return self.pair_tag[key]

    def pick_range(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """One uniform integer in [lo, hi) per row."""
        return lo + (self.rng.random(len(lo)) * (hi - lo)).astype(np.int64)


    def _random_adults(self, village: np.ndarray, m: int, local: str = "town", exclude: np.ndarray | None = None
                       ) -> np.ndarray:
        """m adults, one per row, living in the row's village (or its town)."""
        if local == "village":
            lo, hi = self.v_lo[village], self.v_hi[village]
        else:
            t = self.v_town[village]
            lo, hi = self.t_lo[t], self.t_hi[t]
        out = self.pick_range(lo, hi)
        for _ in range(30):
            bad = ~self.adult[out]
            if exclude is not None:
                bad |= exclude[out]
            if not bad.any():
                break
            out[bad] = self.pick_range(lo[bad], hi[bad])
        return out


    def _post_district(self, posts: np.ndarray) -> np.ndarray:
        """The district index of each post."""
        sub = self.post_sub[posts]
        kind = self.post_kind[posts]
        d = np.where(kind == "cadre", self.t_dist[self.v_town[np.minimum(sub, self.n_v - 1)]],
                     np.where(np.isin(kind, ["investigator", "regulator"]), sub,
                              self.t_dist[np.minimum(sub, self.n_t - 1)]))
        return d

    def _subjects(self, m: int) -> np.ndarray:
        subjects = np.array(["村道硬化", "排水沟渠", "路灯安装", "学校维修", "垃圾清运", "绿化工程", "党群服务中心修缮",
                             "桥梁维修", "河堤加固", "农田水利", "危房改造", "建材采购"], dtype=object)
        return subjects[self.rng.integers(0, len(subjects), m)]
