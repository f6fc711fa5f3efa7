"""Confounders (innocent look-alikes of every mechanism) and leads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._state import _State
from ._words import (
    _BRIBE_MEMOS,
    _BUILD_SECTORS,
    _HOURS_EVENING,
    _LEAD_SOURCES,
    _LEAD_TEXT,
    _MIN_PER_DAY,
)


class _Confounders(_State):
    # ------------------------------------------------------------------ confounders
    def _confounders(self) -> None:
        r, k, n = self.rng, self.k, self.n
        umb = self.umbrella_people
        fu_lo, fu_hi = int(round(k.followup_min_h * 60)), int(round(k.followup_max_h * 60))
        fu_shift = (fu_lo, fu_hi) != (4 * 60, 20 * _MIN_PER_DAY)
        # 1. investigators: calls and meetings with members after raids, no money
        inv_posts = np.flatnonzero(np.isin(self.post_kind, ["investigator", "police"]) & self.full_post)
        inv_dist = self._post_district(inv_posts)
        inv_free = np.array([int(self.post_person[p]) not in umb for p in inv_posts], dtype=bool)
        for g in range(self.n_gangs):
            d = self.t_dist[self.g_town[g]]
            local = inv_posts[(inv_dist == d) & inv_free].tolist()
            if not local:
                continue
            n_inv = max(1, int(round(r.uniform(1, 2.5) * k.confounders)))
            pick = r.choice(np.array(local), min(n_inv, len(local)), replace=False)
            ev = np.flatnonzero((self.ev_gang == g) & np.isin(self.ev_kind, ["raid", "arrest"]))
            mem = self.g_members[g]
            listed = mem[self.g_listed[g]]
            for post in pick:
                o = int(self.post_person[post])
                tag = -1
                added = 0
                for i_e, e in enumerate(ev):
                    if r.random() < 0.2 and (i_e < len(ev) - 1 or added):
                        continue
                    m = int(r.integers(3, 12))
                    who = listed[r.integers(0, len(listed), m)] if len(listed) else mem[r.integers(0, len(mem), m)]
                    lag = r.integers(4 * 60, 20 * _MIN_PER_DAY, m)
                    t = self.ev_t[e] + lag
                    # the follow-up ends well before the next raid on the gang
                    later = self.ev_t[ev][self.ev_t[ev] > self.ev_t[e]]
                    limit = min(int(later.min()) - 12 * 60 if len(later) else self.days * _MIN_PER_DAY - 1,
                                self.days * _MIN_PER_DAY - 1)
                    ok = t < limit
                    if fu_shift:
                        # the same draws mapped onto the knob's window; contacts that now fall
                        # after the limit are hidden after the missing-data step
                        t = self.ev_t[e] + fu_lo + ((lag - 4 * 60) * (fu_hi - fu_lo)) // (20 * _MIN_PER_DAY - 4 * 60)
                        self.add_contacts(np.full(int(ok.sum()), o), who[ok], t=t[ok], tag=tag,
                                          p=(0.6, 0.0, 0.1, 0.3))
                        if ok.any():
                            self.ct.chunks[-1]["hide"] = t[ok] >= limit
                        added += int((t[ok] < limit).sum())
                        continue
                    self.add_contacts(np.full(int(ok.sum()), o), who[ok], t=t[ok], tag=tag, p=(0.6, 0.0, 0.1, 0.3))
                    added += int(ok.sum())
                if added:
                    self.pair_role.setdefault((o, g), "investigator")
                    self.pair_conf.setdefault((o, g), set()).add("investigator")
        # 2. innocent relatives: an official whose sibling / cousin is a peripheral member
        for g in range(self.n_gangs):
            if r.random() >= min(1.0, 0.8 * k.confounders):
                continue
            mem = self.g_members[g][self.g_roles[g] == "member"]
            if not len(mem):
                continue
            t = self.g_town[g]
            cand = np.flatnonzero((self.post_sub == t) & np.isin(self.post_kind, ["town_lead", "office", "police"])
                                  | ((self.post_kind == "cadre") & (self.v_town[np.minimum(self.post_sub, self.n_v - 1)] == t)))
            cand_ok = [c for c in cand if int(self.post_person[c]) not in umb and self.full_post[c]
                       and self.pair_role.get((int(self.post_person[c]), g)) is None]
            if not cand_ok:
                continue
            o = int(self.post_person[cand_ok[int(r.integers(0, len(cand_ok)))]])
            p = int(mem[r.integers(0, len(mem))])
            self.ties.add(src=np.array([o]), dst=np.array([p]), kind=str(r.choice(["sibling", "kin", "in_law"])))
            m = int(r.integers(8, 25))
            self.add_contacts(np.full(m, o), np.full(m, p), p=(0.7, 0.2, 0.05, 0.05))
            m = int(r.integers(2, 6))
            self.tx.add(src=np.where(r.random(m) < 0.7, o, p), dst=np.where(r.random(m) < 0.7, p, o),
                        amount=np.round(r.lognormal(np.log(2000), 0.9, m), -2), t=self.times(m),
                        channel="wechat", memo=r.choice(np.array(["红包", "借款", "还款", "随礼"], dtype=object), m))
            self.pair_role[(o, g)] = "innocent_relative"
            self.pair_conf.setdefault((o, g), set()).add("innocent_relative")
        # 3. hubs: town heads call and pay many people, gang members among them
        heads = np.flatnonzero(self.post_kind == "town_head")
        for post in heads:
            o = int(self.post_person[post])
            t = int(self.post_sub[post])
            m = int((self.t_hi[t] - self.t_lo[t]) * 0.4 * k.confounders) + 50
            b = self.pick_range(np.full(m, self.t_lo[t]), np.full(m, self.t_hi[t]))
            ok = self.adult[b] & (b != o)
            self.add_contacts(np.full(int(ok.sum()), o), b[ok], p=(0.8, 0.1, 0.05, 0.05))
            m2 = m // 4
            b = self.pick_range(np.full(m2, self.t_lo[t]), np.full(m2, self.t_hi[t]))
            ok = self.adult[b] & (b != o)
            self.tx.add(src=np.full(int(ok.sum()), o), dst=b[ok],
                        amount=np.round(r.lognormal(np.log(600), 0.7, int(ok.sum())), -1),
                        t=self.times(int(ok.sum())), channel="wechat",
                        memo=r.choice(np.array(["慰问金", "随礼", "红包"], dtype=object), int(ok.sum())))
            gangs_here = np.flatnonzero(self.g_town == t)
            for gh in gangs_here:
                mem = self.g_members[int(gh)]
                m3 = int(r.integers(3, 10))
                self.add_contacts(np.full(m3, o), mem[r.integers(0, len(mem), m3)], p=(0.8, 0.0, 0.0, 0.2))
            if o not in umb:
                self.official_role[o] = "hub"
        # 4. everyday fees: members pay the cadres of their village small amounts
        cadres = np.flatnonzero(self.post_kind == "cadre")
        cad_v = self.post_sub[cadres]
        by_v = np.argsort(cad_v, kind="stable")  # each village's cadres, in post order
        v_sorted = cad_v[by_v]
        for g in range(self.n_gangs):
            mem = self.g_members[g]
            m = int(len(mem) * 0.6 * k.confounders) + 1
            payer = mem[r.integers(0, len(mem), m)]
            v = self.village[payer]
            lo, hi = np.searchsorted(v_sorted, v, "left"), np.searchsorted(v_sorted, v, "right")
            options = [cadres[by_v[a:b]] for a, b in zip(lo, hi, strict=True)]
            has = np.array([len(x) > 0 for x in options])
            if not has.any():
                continue
            recip = np.array([int(self.post_person[x[r.integers(0, len(x))]]) for x, h in zip(options, has, strict=True)
                              if h])
            payer = payer[has]
            self.tx.add(src=payer, dst=recip, amount=np.round(r.uniform(50, 800, len(payer)), -1), t=self.times(len(payer)),
                        channel="wechat",
                        memo=r.choice(np.array(["宅基地手续费", "卫生费", "水费", "办证费", "管理费"], dtype=object), len(payer)))
            for o in set(recip.tolist()):
                self.pair_conf.setdefault((int(o), g), set()).add("everyday_fees")
            # officials eat and shop at gang companies too
            cos = np.array(self.g_companies[g])
            offs = self.post_person[r.integers(0, len(self.post_person), m)]
            self.tx.add(src=offs, dst=cos[r.integers(0, len(cos), m)] + n,
                        amount=np.round(r.lognormal(np.log(300), 0.8, m), 2), t=self.times(m), channel="wechat",
                        memo="消费")
        # 5. corruption with no gang: businessmen bribe issuing officials for contracts
        issuing = np.flatnonzero(np.array([x is not None for x in self.post_issuer]) & self.full_post)
        issuing = np.array([p for p in issuing if int(self.post_person[p]) not in umb
                            and int(self.post_person[p]) not in self.official_role], dtype=np.int64)
        m = int(round(len(issuing) * k.corrupt_share * max(k.confounders, 0.5)))
        legit_builders = np.flatnonzero((self.co_gang_a < 0) & np.isin(self.co_sector_a, list(_BUILD_SECTORS)))
        if m and len(legit_builders):
            for post in r.choice(issuing, min(m, len(issuing)), replace=False):
                o = int(self.post_person[post])
                c = int(legit_builders[r.integers(0, len(legit_builders))])
                boss = int(self.co_owner_a[c])
                if boss == o:
                    continue
                q = int(r.integers(2, 5))
                day = np.sort(r.integers(0, self.days, q))
                amt = np.round(r.lognormal(np.log(500_000), 0.6, q), -2)
                self.contracts.add(issuer=np.full(q, self.post_issuer[post], dtype=object), approver=np.full(q, o),
                                   company=np.full(q, c), amount=amt, t=day * _MIN_PER_DAY, subject=self._subjects(q))
                spouse = int(self.spouse_of[o])
                to = np.where((r.random(q) < k.intermediary_share * 0.6) & (spouse >= 0), spouse, o)
                self.tx.add(src=np.full(q, boss), dst=to, amount=np.round(amt * r.uniform(0.03, 0.08, q), -3),
                            t=np.maximum(day - r.integers(3, 20, q), 0) * _MIN_PER_DAY + 20 * 60,
                            channel=r.choice(np.array(["wechat", "bank"], dtype=object), q),
                            memo=_BRIBE_MEMOS[r.integers(0, len(_BRIBE_MEMOS), q)])
                self.add_contacts(np.full(q * 2, boss), np.full(q * 2, o), hours=_HOURS_EVENING, p=(0.5, 0.0, 0.0, 0.5))
                self.official_role[o] = "corrupt_non_gang"

    # ------------------------------------------------------------------ leads
    def _leads(self) -> None:
        r, k = self.rng, self.k
        rows: list[tuple[int, int, int, str]] = []  # day, subject, gang, text key
        for (o, g), role in self.pair_role.items():
            p = {"umbrella": k.lead_share, "member_official": k.lead_share, "investigator": 0.25,
                 "innocent_relative": 0.3}.get(role, 0.0)
            if r.random() < p:
                mech = self.pair_mech.get((o, g), set())
                key = ("tipoff" if "tipoff" in mech else "contract" if "contract_steered" in mech
                       else "money" if any(x.startswith("bribe") for x in mech) else "gang")
                if role in ("investigator", "innocent_relative"):
                    key = "gang"
                rows.append((int(r.integers(0, self.days)), o, g if r.random() < 0.75 else -1, key))
        for o, role in self.official_role.items():
            if r.random() < (0.5 if role == "corrupt_non_gang" else 0.3):
                g = -1
                if role == "hub":
                    near = np.flatnonzero(self.g_town == self.town[o])
                    g = int(near[0]) if len(near) else -1
                rows.append((int(r.integers(0, self.days)), o, g, "corrupt" if role == "corrupt_non_gang" else "gang"))
        noise = max(1, len(self.post_person) // 25)
        for post in r.choice(len(self.post_person), noise, replace=False):
            g = int(r.integers(0, self.n_gangs)) if r.random() < 0.5 else -1
            rows.append((int(r.integers(0, self.days)), int(self.post_person[post]), g,
                         str(r.choice(["gang", "money", "corrupt"]))))
        rows.sort()
        width = max(4, len(str(len(rows))))
        day = np.array([x[0] for x in rows], dtype=np.int64)
        self.leads = pd.DataFrame({
            "id": np.array([f"L{i:0{width}d}" for i in range(1, len(rows) + 1)], dtype=object),
            "date": (self.t0.astype("datetime64[D]") + day.astype("timedelta64[D]")).astype("datetime64[ns]"),
            "source": _LEAD_SOURCES[r.integers(0, len(_LEAD_SOURCES), len(rows))],
            "subject_id": self.person_ids[np.array([x[1] for x in rows], dtype=np.int64)],
            "gang_id": np.array([self.g_ids[x[2]] if x[2] >= 0 else None for x in rows], dtype=object),
            "text": np.array([_LEAD_TEXT[x[3]] for x in rows], dtype=object),
        })
