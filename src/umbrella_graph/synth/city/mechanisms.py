"""The umbrellas: the mechanisms planted per official x gang pair (bribes, steered
contracts, tip-off calls, meetings, employed relatives, member cadres).
"""

from __future__ import annotations

import numpy as np

from ._state import _State
from ._words import _BRIBE_MEMOS, _BUILD_SECTORS, _HOURS_EVENING, _HOURS_NIGHT, _MIN_PER_DAY


class _Mechanisms(_State):
    # ------------------------------------------------------------------ umbrellas
    def _relatives(self, o: int) -> tuple[int, np.ndarray]:
        """The official's spouse (-1 if none) and other adult relatives in the household."""
        spouse = int(self.spouse_of[o])
        hh = np.flatnonzero(self.hh == self.hh[o])
        kin = hh[(hh != o) & (hh != spouse) & self.adult[hh]]
        return spouse, kin

    def _candidates(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Posts (indices) that could shield gang g, with weights."""
        t = self.g_town[g]
        v = self.g_village[g]
        d = self.t_dist[t]
        kind = self.post_kind
        sub = self.post_sub
        cadre_here = (kind == "cadre") & (self.v_town[np.minimum(sub, self.n_v - 1)] == t)
        town_here = np.isin(kind, ["town_lead", "town_head", "police", "office"]) & (sub == t)
        dist_here = np.isin(kind, ["investigator", "regulator"]) & (sub == d)
        w = np.zeros(len(kind))
        w[cadre_here] = 1.0
        w[cadre_here & (sub == v)] = 4.0
        w[town_here] = 1.5
        w[town_here & (kind == "police")] = 3.0
        w[dist_here] = 0.6
        w[~self.full_post] = 0.0
        busy = np.isin(self.post_person, list(self.official_role))
        w[busy] = 0.0
        return np.flatnonzero(w > 0), w[w > 0]

    def _umbrellas(self) -> None:
        r, k, n = self.rng, self.k, self.n
        self.umb_posts = {}
        taken_persons: set[int] = set()
        for g in range(self.n_gangs):
            mem, roles = self.g_members[g], self.g_roles[g]
            leader, cores = int(mem[0]), mem[roles == "core"]
            if not len(cores):
                cores = mem[:1]
            fronts = self.g_front[g]
            cos = np.array(self.g_companies[g])
            # the village cadre who is himself a member
            if r.random() < k.member_official_share:
                cad = np.flatnonzero((self.post_kind == "cadre") & (self.post_sub == self.g_village[g]) & self.full_post)
                cad_ok = [c for c in cad if int(self.post_person[c]) not in taken_persons]
                if cad_ok:
                    cpost = cad_ok[int(r.integers(0, len(cad_ok)))]
                    p = int(self.post_person[cpost])
                    taken_persons.add(p)
                    role = "core" if r.random() < 0.5 else "member"
                    listed = bool(r.random() >= k.unlisted_share)
                    self.extra_members.append((p, g, role, listed))
                    tag = self.tag_of(p, g)
                    self.pair_role[(p, g)] = "member_official"
                    mechs: set[str] = {"member"}
                    m = int(r.poisson(25 * k.years / 3)) + 3
                    self.add_contacts(np.full(m, p), np.full(m, leader), hours=_HOURS_NIGHT, tag=tag,
                                      p=(0.6, 0.1, 0.05, 0.25))
                    m = int(r.poisson(6 * k.years / 3)) + 1
                    self.tx.add(src=np.full(m, leader), dst=np.full(m, p),
                                amount=np.round(r.lognormal(np.log(8000), 0.6, m), -2), t=self.times(m, _HOURS_NIGHT),
                                channel="wechat", memo=r.choice(np.array(["分红", "红包", ""], dtype=object), m),
                                tag=np.full(m, tag))
                    mechs.add("bribe_leader")
                    if self.post_issuer[cpost] is not None and r.random() < 0.6:
                        self._steer(p, self.post_issuer[cpost], cos, g, tag)
                        mechs.add("contract_steered")
                    self.pair_mech[(p, g)] = mechs
            cand, w = self._candidates(g)
            keep = np.array([int(self.post_person[c]) not in taken_persons for c in cand], dtype=bool)
            cand, w = cand[keep], w[keep]
            cap = min(len(cand), int(np.ceil(2 * k.umbrellas_per_gang)))
            n_umb = int(np.clip(1 + r.poisson(max(k.umbrellas_per_gang - 1, 0)), 1, cap)) if len(cand) else 0
            if not n_umb:
                continue
            chosen = r.choice(cand, n_umb, replace=False, p=w / w.sum())
            for post in chosen:
                o = int(self.post_person[post])
                taken_persons.add(o)
                tag = self.tag_of(o, g)
                self.pair_role[(o, g)] = "umbrella"
                mechs = set()
                kind = self.post_kind[post]
                issuer = self.post_issuer[post]
                spouse, kin = self._relatives(o)
                options = ["money", "leader_meetings", "kin_employed"]
                weights = [3.0, 1.5, 0.8 if (spouse >= 0 or len(kin)) else 0.0]
                if issuer is not None:
                    options.append("contract_steered")
                    weights.append(2.5)
                if kind in ("police", "investigator") or r.random() < 0.15:
                    options.append("tipoff")
                    weights.append(3.5 if kind in ("police", "investigator") else 1.0)
                wts = np.array(weights)
                n_m = int(np.clip(1 + r.poisson(max(k.channels_per_umbrella - 1, 0)), 1, int((wts > 0).sum())))
                picks = list(r.choice(np.array(options, dtype=object), n_m, replace=False, p=wts / wts.sum()))
                # one channel only: the other mechanisms are drawn all the same (the main
                # stream stays as it was) but their records are hidden and not in the truth
                one = k.one_channel_share > 0 and self.srng.random() < k.one_channel_share
                shown = picks[0]
                if "contract_steered" in picks:
                    self._hide(one and shown != "contract_steered")
                    self._steer(o, issuer, cos, g, tag)
                    mechs.add("contract_steered")
                    if "money" not in picks and r.random() < 0.7:
                        picks.append("money")  # steering is paid for
                if "money" in picks:
                    self._hide(one and shown != "money")
                    mechs |= self._bribes(o, g, leader, cores, fronts, cos, spouse, kin, tag, calls_hidden=one)
                if "leader_meetings" in picks:
                    self._hide(one and shown != "leader_meetings")
                    m = int(r.integers(8, 26) * k.years / 3) + 2
                    who = np.where(r.random(m) < 0.75, leader, cores[r.integers(0, len(cores), m)])
                    self.add_contacts(np.full(m, o), who, hours=_HOURS_EVENING, tag=tag, p=(0.2, 0.0, 0.0, 0.8))
                    mechs.add("leader_meetings")
                if "kin_employed" in picks:
                    self._hide(one and shown != "kin_employed")
                    rel = spouse if (spouse >= 0 and (not len(kin) or r.random() < 0.4)) else int(
                        kin[r.integers(0, len(kin))])
                    c = int(cos[r.integers(0, len(cos))])
                    self.roles.add(person=np.array([rel]), company=np.array([c]), role="employee", share=np.nan,
                                   tag=np.array([tag]))
                    months = int(r.integers(6, 12 * k.years))
                    mo = np.sort(r.choice(12 * k.years, months, replace=False))
                    self.tx.add(src=np.full(months, c + n), dst=np.full(months, rel),
                                amount=np.full(months, float(np.round(r.uniform(6000, 15000), -2))),
                                t=(mo * 30.4).astype(np.int64) * _MIN_PER_DAY + 9 * _MIN_PER_DAY + 600, channel="bank",
                                memo="工资", tag=np.full(months, tag))
                    mechs.add("kin_employed")
                if "tipoff" in picks:
                    self._hide(one and shown != "tipoff")
                    if self._tipoffs(o, g, leader, cores, fronts, spouse, tag):
                        mechs.add("tipoff")
                self._hide(False)
                if one:
                    mechs = {m_ for m_ in mechs if m_ == shown or (shown == "money" and m_.startswith("bribe_"))}
                self.pair_mech[(o, g)] = mechs
            self.umb_posts[g] = [int(x) for x in chosen]
        self.umbrella_people = taken_persons

    def _hide(self, on: bool) -> None:
        """Hide (True) or show the records added from now on, in every table."""
        for parts in (self.tx, self.ct, self.ties, self.roles, self.contracts):
            parts.hiding = on

    def _steer(self, o: int, issuer: str, cos: np.ndarray, g: int, tag: int) -> None:
        r = self.rng
        builders = [c for c in cos if self.co_sector_a[c] in _BUILD_SECTORS] or list(cos)
        m = int(r.integers(2, 6))
        comp = np.array(builders)[r.integers(0, len(builders), m)]
        day = np.sort(r.integers(0, self.days, m))
        amt = np.round(r.lognormal(np.log(400_000), 0.7, m), -2)
        self.contracts.add(issuer=np.full(m, issuer, dtype=object), approver=np.full(m, o), company=comp, amount=amt,
                           t=day * _MIN_PER_DAY, subject=self._subjects(m), tag=np.full(m, tag))
        self.steer_days[(o, g)] = day

    def _bribes(self, o: int, g: int, leader: int, cores: np.ndarray, fronts: np.ndarray, cos: np.ndarray,
                spouse: int, kin: np.ndarray, tag: int, calls_hidden: bool = False) -> set[str]:
        r, k, n = self.rng, self.k, self.n
        m = int(r.integers(2, 8) * max(k.years, 1) / 3) + 1
        # one paying channel, sometimes two
        kinds = r.choice(np.array(["leader", "core", "company"], dtype=object), 1 + int(r.random() < 0.3),
                         replace=False, p=[0.4, 0.3, 0.3])
        payer_kind = kinds[r.integers(0, len(kinds), m)]
        payer = np.where(payer_kind == "leader", leader,
                         np.where(payer_kind == "core", cores[r.integers(0, len(cores), m)],
                                  cos[r.integers(0, len(cos), m)] + n))
        mechs: set[str] = set()
        via_front = (r.random(m) < k.intermediary_share * 0.6) & (len(fronts) > 0)
        if len(fronts):
            payer = np.where(via_front, fronts[r.integers(0, len(fronts), m)], payer)
        recip_kind = np.full(m, "self", dtype=object)
        u = r.random(m)
        if spouse >= 0:
            recip_kind[u < k.intermediary_share * 0.7] = "spouse"
        if len(kin):
            recip_kind[(u >= k.intermediary_share * 0.7) & (u < k.intermediary_share)] = "kin"
        recip = np.where(recip_kind == "spouse", spouse, o)
        if len(kin):
            recip = np.where(recip_kind == "kin", kin[r.integers(0, len(kin), m)], recip)
        cash = r.random(m) < k.cash_share
        days = self.steer_days.get((o, g))
        if days is not None and len(days):
            base = days[r.integers(0, len(days), m)] + r.integers(-30, 40, m)
            t = np.clip(base, 0, self.days - 1) * _MIN_PER_DAY + r.choice(24, m, p=_HOURS_EVENING) * 60
        else:
            t = self.times(m, _HOURS_EVENING)
        amt = np.round(r.lognormal(np.log(30_000), 0.7, m), -3)
        rec = ~cash
        channel = r.choice(np.array(["bank", "wechat", "alipay"], dtype=object), int(rec.sum()), p=[0.5, 0.4, 0.1])
        memo = _BRIBE_MEMOS[r.integers(0, len(_BRIBE_MEMOS), int(rec.sum()))]
        # routed through an outsider: the direct record is drawn all the same and hidden
        via = np.zeros(int(rec.sum()), dtype=bool)
        if k.outsider_share > 0:
            via = self.srng.random(int(rec.sum())) < k.outsider_share
            if via.any() and self._via_outsiders(o, g, payer[rec][via], recip[rec][via], amt[rec][via],
                                                 t[rec][via], tag):
                mechs.add("bribe_outsider")
            else:
                via[:] = False
        self.tx.add(src=payer[rec], dst=recip[rec], amount=amt[rec], t=t[rec], channel=channel, memo=memo,
                    tag=np.full(int(rec.sum()), tag), hide=via | self.tx.hiding)
        if k.cash_recorded_share > 0:
            ledger = cash & (self.srng.random(m) < k.cash_recorded_share)
            self.tx.extra = True
            self.tx.add(src=payer[ledger], dst=recip[ledger], amount=amt[ledger], t=t[ledger], channel="cash",
                        memo=_BRIBE_MEMOS[self.srng.integers(0, len(_BRIBE_MEMOS), int(ledger.sum()))],
                        tag=np.full(int(ledger.sum()), tag))
            self.tx.extra = False
        # for the truth: what the money really was, cash included
        for pk, vf, rk in zip(payer_kind, via_front, recip_kind, strict=True):
            mechs.add({"leader": "bribe_leader", "core": "bribe_core", "company": "bribe_company"}[str(pk)])
            if vf:
                mechs.add("bribe_front_man")
            if rk == "spouse":
                mechs.add("bribe_spouse")
            elif rk == "kin":
                mechs.add("bribe_kin")
        # a few calls with whoever paid, or the spouse with the front man
        callers = np.where(recip_kind == "self", o, recip)
        hiding = self.ct.hiding
        self.ct.hiding = hiding or calls_hidden
        self.add_contacts(callers, np.where(payer >= n, self.co_owner_a[np.maximum(payer - n, 0)], payer),
                          hours=_HOURS_EVENING, tag=tag, p=(0.7, 0.1, 0.1, 0.1))
        self.ct.hiding = hiding
        return mechs

    def _via_outsiders(self, o: int, g: int, payer: np.ndarray, recip: np.ndarray, amt: np.ndarray, t: np.ndarray,
                       tag: int) -> bool:
        """Route bribes through people outside the gang's side: a legitimate businessman of
        the gang's town (money disguised as trade), an adult relative of such a businessman
        (family of a non-member), or an ordinary local (a loan). Each bribe becomes payer ->
        intermediary a few days before, then intermediary -> recipient. False when the town
        has nobody to play the part."""
        s = self.srng
        m = len(payer)
        t_town = int(self.g_town[g])
        blocked = self.in_gang | self.is_official | self.official_household
        legit = np.flatnonzero((self.co_gang_a < 0) & (self.co_town == t_town))
        owners = np.unique(np.array([int(x) for x in self.co_owner_a[legit] if not blocked[int(x)]], dtype=np.int64))
        kin_of = np.flatnonzero(np.isin(self.hh, self.hh[owners]) & self.adult & ~blocked)
        kin_of = np.setdiff1d(kin_of, owners)
        lo, hi = self.t_lo[t_town], self.t_hi[t_town]
        locals_ = np.arange(lo, hi)[self.adult[lo:hi] & ~blocked[lo:hi]]
        pools = [("businessman", owners), ("businessman_relative", kin_of), ("local", locals_)]
        pools = [(name, pool) for name, pool in pools if len(pool)]
        if not pools:
            return False
        w = np.array([{"businessman": 0.4, "businessman_relative": 0.3, "local": 0.3}[name] for name, _ in pools])
        pick = s.choice(len(pools), m, p=w / w.sum())
        who = np.array([int(pools[i][1][s.integers(0, len(pools[i][1]))]) for i in pick], dtype=np.int64)
        kind = np.array([pools[i][0] for i in pick], dtype=object)
        trade = kind == "businessman"
        before = s.integers(1, 10 * _MIN_PER_DAY, m)
        t_in = np.maximum(t - before, 0)
        self.tx.extra = True
        self.tx.add(src=payer, dst=who, amount=np.round(amt * s.uniform(1.0, 1.15, m), -2), t=t_in,
                    channel=s.choice(np.array(["bank", "wechat"], dtype=object), m),
                    memo=np.where(trade, "货款", "借款").astype(object), tag=np.full(m, tag))
        self.tx.add(src=who, dst=recip, amount=amt, t=t,
                    channel=s.choice(np.array(["bank", "wechat", "alipay"], dtype=object), m),
                    memo=np.where(trade, "咨询费", "还款").astype(object), tag=np.full(m, tag))
        self.tx.extra = False
        for x, kd in zip(who, kind, strict=True):
            self.outsiders.append((int(x), g, o, str(kd)))
        return True

    def _tipoffs(self, o: int, g: int, leader: int, cores: np.ndarray, fronts: np.ndarray, spouse: int,
                 tag: int) -> bool:
        r, k = self.rng, self.k
        ev = np.flatnonzero((self.ev_gang == g) & np.isin(self.ev_kind, ["raid", "arrest"]))
        if not len(ev):
            return False
        warn = ev[r.random(len(ev)) < k.tipoff_share]
        if not len(warn):
            warn = ev[:1]
        lead_lo, lead_hi = int(round(k.tipoff_lead_min_h * 60)), int(round(k.tipoff_lead_max_h * 60))
        for e in warn:
            lead_min = int(r.integers(lead_lo, lead_hi))
            t = self.ev_t[e] - lead_min
            # (the historic rule's draw is made in either case: the main stream stays as it was)
            caller = spouse if (spouse >= 0 and r.random() < k.intermediary_share * 0.25) else o
            if k.tipoff_relative_share is not None:
                _, kin = self._relatives(o)
                rels = ([spouse] if spouse >= 0 else []) + [int(x) for x in kin]
                caller = o
                if rels and self.srng.random() < k.tipoff_relative_share:
                    caller = rels[int(self.srng.integers(0, len(rels)))]
            pool = [leader, *cores.tolist(), *fronts.tolist()]
            callee = leader if r.random() < 0.6 else int(pool[r.integers(0, len(pool))])
            kind = "call" if r.random() < 0.8 else "sms"
            self.ct.add(src=np.array([caller]), dst=np.array([callee]), kind=kind, t=np.array([t]),
                        duration_s=np.array([float(r.integers(20, 120)) if kind == "call" else np.nan]),
                        count=np.array([1]), tag=np.array([tag]))
            self.tip_rows.append((int(e), o, g, len(self.ct.chunks) - 1, int(caller)))
            # the alarm spreads through the gang
            mem = self.g_members[g][1:]
            m = min(len(mem), int(r.integers(2, 6)))
            if m:
                b = r.choice(mem, m, replace=False)
                # an unrecorded relay is drawn all the same (the main stream stays as it was)
                # and hidden after the missing-data step
                hide = k.relay_share < 1.0 and not self.srng.random() < k.relay_share
                self.ct.add(src=np.full(m, callee), dst=b, kind="call",
                            t=t + r.integers(3, 40, m), duration_s=r.integers(15, 90, m).astype(float),
                            count=np.ones(m, np.int64), hide=np.full(m, hide))
        return True
