"""The gangs: members and front men, their companies, the gang's own life, raids and other
enforcement events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._state import _State
from ._words import _CO_SUFFIX, _CO_WORDS, _GANG_KINDS, _HOURS_NIGHT, _MIN_PER_DAY


class _Gangs(_State):
    # ------------------------------------------------------------------ gangs
    def _gangs(self) -> None:
        r, k = self.rng, self.k
        G = self.n_gangs
        kinds = np.array(list(_GANG_KINDS), dtype=object)
        self.g_kind = kinds[r.integers(0, len(kinds), G)]
        # home villages spread over towns
        self.g_village = r.choice(self.n_v, G, replace=self.n_v < G)
        self.g_town = self.v_town[self.g_village]
        self.g_ids = np.array([f"G{i:02d}" for i in range(1, G + 1)], dtype=object)
        in_gang = np.zeros(self.n, dtype=bool)
        blocked = self.is_official | self.official_household
        blocked[self.co_owner_a_legit] = True
        mem_p, mem_g, mem_role, mem_listed = [], [], [], []
        self.g_members = []
        self.g_roles = []
        self.g_listed = []
        self.g_front = []
        self.g_companies = []
        per_gang_cap = max(8, int(0.04 * self.n / G))
        for g in range(G):
            size = int(np.clip(r.lognormal(np.log(16), 0.4), 8, min(60, per_gang_cap)))
            t = self.g_town[g]
            pool_t = np.arange(self.t_lo[t], self.t_hi[t])
            d = self.t_dist[t]
            pool_d = np.arange(self.d_lo[d], self.d_hi[d])
            ok_t = pool_t[self.male[pool_t] & (self.age[pool_t] >= 18) & (self.age[pool_t] <= 55)
                          & ~blocked[pool_t] & ~in_gang[pool_t]]
            ok_d = pool_d[self.male[pool_d] & (self.age[pool_d] >= 18) & (self.age[pool_d] <= 55)
                          & ~blocked[pool_d] & ~in_gang[pool_d]]
            n_loc = min(len(ok_t), int(round(size * 0.8)))
            chosen = r.choice(ok_t, n_loc, replace=False) if n_loc else np.array([], dtype=np.int64)
            rest = np.setdiff1d(ok_d, chosen)
            n_far = min(len(rest), size - n_loc)
            chosen = np.concatenate([chosen, r.choice(rest, n_far, replace=False)]).astype(np.int64)
            # the leader: the oldest of the home-village recruits, else the oldest
            order = np.argsort(-self.age[chosen] + 30 * (self.village[chosen] == self.g_village[g]) * -1)
            chosen = chosen[order]
            n_core = max(2, len(chosen) // 5)
            roles = np.array(["leader"] + ["core"] * n_core + ["member"] * (len(chosen) - 1 - n_core), dtype=object)
            listed = np.ones(len(chosen), dtype=bool)
            u = r.random(len(chosen))
            listed[roles == "member"] = u[roles == "member"] >= k.unlisted_share
            listed[roles == "core"] = u[roles == "core"] >= k.unlisted_core_share
            in_gang[chosen] = True
            # front men: adults of the home town, not members
            fronts = np.array([], dtype=np.int64)
            if r.random() < k.front_man_share:
                nf = int(r.integers(1, 3))
                cand = pool_t[self.adult[pool_t] & ~blocked[pool_t] & ~in_gang[pool_t] & (self.age[pool_t] < 60)]
                fronts = r.choice(cand, min(nf, len(cand)), replace=False).astype(np.int64)
                in_gang[fronts] = True
            self.g_members.append(chosen)
            self.g_roles.append(roles)
            self.g_listed.append(listed)
            self.g_front.append(fronts)
            # companies: 1-3, sectors by the gang's trade
            secs = _GANG_KINDS[self.g_kind[g]]
            n_co = int(r.integers(1, 4))
            cos = []
            for j in range(n_co):
                c = len(self.co_sector)
                self.co_sector.append(secs[j % len(secs)])
                self.co_village.append(int(self.g_village[g]) if j == 0 else int(
                    r.integers(self.v_lo_of_town(t), self.v_hi_of_town(t))))
                self.co_gang.append(g)
                if len(fronts) and r.random() < 0.75:
                    owner = int(fronts[j % len(fronts)])
                else:
                    owner = int(chosen[0] if j == 0 else chosen[1 + (j % n_core)])
                self.co_owner.append(owner)
                cos.append(c)
            self.g_companies.append(cos)
            mem_p.append(chosen)
            mem_g.append(np.full(len(chosen), g))
            mem_role.append(roles)
            mem_listed.append(listed)
        self.in_gang = in_gang
        self.mem_p = np.concatenate(mem_p)
        self.mem_g = np.concatenate(mem_g)
        self.mem_role = np.concatenate(mem_role)
        self.mem_listed = np.concatenate(mem_listed)
        self.mem_start = r.integers(200, 3000, len(self.mem_p))
        self.extra_members = []  # member officials
        self._company_table()

    def v_lo_of_town(self, t: int) -> int:
        return int(np.searchsorted(self.v_town, t, side="left"))

    def v_hi_of_town(self, t: int) -> int:
        return int(np.searchsorted(self.v_town, t, side="right"))

    def _company_table(self) -> None:
        r = self.rng
        n_co = len(self.co_sector)
        self.n_co = n_co
        self.co_sector_a = np.array(self.co_sector, dtype=object)
        self.co_village_a = np.array(self.co_village)
        self.co_gang_a = np.array(self.co_gang)
        self.co_owner_a = np.array(self.co_owner)
        self.co_town = self.v_town[self.co_village_a]
        words = np.array(_CO_WORDS)
        w1 = words[r.integers(0, len(words), n_co)]
        w2 = words[r.integers(0, len(words), n_co)]
        place = np.array([self.v_names[v][:2] for v in self.co_village_a], dtype=object)
        suffix = np.array([_CO_SUFFIX[s] for s in self.co_sector_a], dtype=object)
        names = place + np.char.add(w1, w2).astype(object) + suffix
        width = max(5, len(str(n_co)))
        self.co_ids = np.array([f"C{i:0{width}d}" for i in range(1, n_co + 1)], dtype=object)
        self.companies = pd.DataFrame({"id": self.co_ids, "name": names,
                                       "village_id": self.tree_ids[self.v_node[self.co_village_a]],
                                       "sector": self.co_sector_a})
        # entity index space: people 0..n-1, companies n..n+n_co-1
        self.ent_ids = np.concatenate([self.person_ids, self.co_ids])
        co = np.arange(n_co)
        gang_co = self.co_gang_a >= 0
        owner_role = np.where(gang_co & np.isin(self.co_owner_a, np.concatenate(self.g_front) if self.g_front else []),
                              "legal_rep", "owner")
        self.roles.add(person=self.co_owner_a, company=co, role=owner_role.astype(object),
                       share=np.where(owner_role == "owner", 1.0, 0.51))
        # gang companies: a core member as shareholder when a front man fronts it
        fr = np.flatnonzero(owner_role == "legal_rep")
        if len(fr):
            g = self.co_gang_a[fr]
            core = np.array([self.g_members[x][1] for x in g])
            self.roles.add(person=core, company=fr, role="shareholder", share=0.49)
        # employees: legit companies hire locally; gang companies hire their members and locals
        n_emp = np.maximum(1, r.lognormal(np.log(4), 0.8, n_co).astype(int))
        n_emp = np.minimum(n_emp, 80)
        comp = np.repeat(co, n_emp)
        emp = self._random_adults(self.co_village_a[comp], len(comp), exclude=self.in_gang | self.is_official)
        keep = np.unique(np.stack([emp, comp]), axis=1, return_index=True)[1]
        keep = np.sort(keep)
        emp, comp = emp[keep], comp[keep]
        gm_c, gm_p = [], []
        for gi, gcos in enumerate(self.g_companies):
            mem = self.g_members[gi][1:]
            if len(mem):
                gm_p.append(mem)
                gm_c.append(np.array(gcos)[np.arange(len(mem)) % len(gcos)])
        if gm_p:
            emp = np.concatenate([emp, np.concatenate(gm_p)])
            comp = np.concatenate([comp, np.concatenate(gm_c)])
        self.emp_p, self.emp_c = emp, comp
        self.roles.add(person=emp, company=comp, role="employee", share=np.nan)
        self.co_activity = r.pareto(1.5, n_co) + 1.0

    # ------------------------------------------------------------------ the gang's life
    def _gang_life(self) -> None:
        r, n = self.rng, self.n
        for g in range(self.n_gangs):
            mem, roles = self.g_members[g], self.g_roles[g]
            leader = mem[0]
            cores = mem[roles == "core"]
            rest = mem[1:]
            if not len(rest):
                continue
            # members call the leader and the core members, often at night
            lam = np.where(roles[1:] == "core", 40, 15)
            cnt = r.poisson(lam * self.k.years / 3)
            a = np.repeat(rest, cnt)
            to_leader = r.random(len(a)) < 0.55
            b = np.where(to_leader, leader, cores[r.integers(0, len(cores), len(a))])
            ok = a != b
            self.add_contacts(a[ok], b[ok], hours=_HOURS_NIGHT, p=(0.65, 0.15, 0.05, 0.15))
            # the leader pays the members
            cnt = r.poisson(np.where(roles[1:] == "core", 10, 5) * self.k.years / 3)
            b = np.repeat(rest, cnt)
            self.tx.add(src=np.full(len(b), leader), dst=b, amount=np.round(r.lognormal(np.log(3000), 0.7, len(b)), -2),
                        t=self.times(len(b), _HOURS_NIGHT), channel=r.choice(np.array(["wechat", "bank"], dtype=object),
                                                                             len(b), p=[0.7, 0.3]),
                        memo=r.choice(np.array(["辛苦费", "红包", "", "生活费", "工资"], dtype=object), len(b)))
            # companies pay dividends to the leader or the front man; the leader feeds front men
            fronts = self.g_front[g]
            for c in self.g_companies[g]:
                m = int(r.integers(4, 12))
                if len(fronts):
                    dst = np.where(r.random(m) < 0.5, fronts[r.integers(0, len(fronts), m)], leader)
                else:
                    dst = np.full(m, leader)
                self.tx.add(src=np.full(m, c + n), dst=dst, amount=np.round(r.lognormal(np.log(150_000), 0.8, m), -3),
                            t=self.times(m), channel="bank", memo=r.choice(np.array(["分红", "往来款", "借款"],
                                                                                     dtype=object), m))
            for f in fronts:
                m = int(r.integers(3, 9))
                flip = r.random(m) < 0.3
                self.tx.add(src=np.where(flip, f, leader), dst=np.where(flip, leader, f),
                            amount=np.round(r.lognormal(np.log(80_000), 0.8, m), -3), t=self.times(m), channel="bank",
                            memo="往来款")
                self.add_contacts(np.full(m * 3, f), np.full(m * 3, leader), hours=_HOURS_NIGHT)
            # the trade: extortion fees, loans and repayments with local people
            m = len(mem) * 6
            victims = self._random_adults(np.full(m, self.g_village[g]), m, exclude=self.in_gang)
            gc = np.array(self.g_companies[g])[r.integers(0, len(self.g_companies[g]), m)]
            lend = np.isin(self.co_sector_a[gc], ["借贷", "信息咨询"])
            amt = np.round(r.lognormal(np.log(3000), 1.0, m), -1)
            self.tx.add(src=np.where(lend, gc + n, victims), dst=np.where(lend, victims, gc + n), amount=amt,
                        t=self.times(m), channel=r.choice(np.array(["wechat", "bank", "alipay"], dtype=object), m),
                        memo=np.where(lend, "借款", "管理费").astype(object))
            self.tx.add(src=victims[lend], dst=gc[lend] + n, amount=np.round(amt[lend] * r.uniform(1.3, 3, lend.sum())),
                        t=self.times(int(lend.sum())), channel="wechat", memo="还款")

    # ------------------------------------------------------------------ events
    def _events(self) -> None:
        r = self.rng
        rows = []
        for g in range(self.n_gangs):
            n_raid = 2 + int(r.poisson(2 * self.k.years / 3))
            day = np.sort(r.choice(np.arange(30, self.days - 15), n_raid, replace=False))
            hour = r.choice([21, 22, 23, 0, 1, 5, 6], n_raid)
            t = day * _MIN_PER_DAY + hour * 60
            kinds = np.where(r.random(n_raid) < 0.8, "raid", "arrest")
            kinds[0] = "raid"
            for i in range(n_raid):
                if kinds[i] == "arrest":
                    target = self.ent_ids[self.g_members[g][int(r.integers(0, len(self.g_members[g])))]]
                else:
                    target = self.co_ids[self.g_companies[g][int(r.integers(0, len(self.g_companies[g])))]] \
                        if r.random() < 0.6 else None
                jur = self.tree_ids[self.v_node[self.g_village[g]]] if r.random() < 0.5 else \
                    self.tree_ids[self.t_node[self.g_town[g]]]
                rows.append((kinds[i], int(t[i]), g, target, jur))
            # an inspection of a gang company
            if r.random() < 0.5:
                c = self.g_companies[g][0]
                rows.append(("inspection", int(r.integers(0, self.days) * _MIN_PER_DAY + 10 * 60), g, self.co_ids[c],
                             self.tree_ids[self.t_node[self.g_town[g]]]))
        # inspections of legitimate companies
        m = max(2, self.n_legit // 20)
        for c in r.choice(self.n_legit, m, replace=False):
            rows.append(("inspection", int(r.integers(0, self.days) * _MIN_PER_DAY + 10 * 60), -1, self.co_ids[c],
                         self.tree_ids[self.t_node[self.co_town[c]]]))
        rows.sort(key=lambda x: x[1])
        width = max(4, len(str(len(rows))))
        self.ev_ids = np.array([f"E{i:0{width}d}" for i in range(1, len(rows) + 1)], dtype=object)
        self.ev_kind = np.array([x[0] for x in rows], dtype=object)
        self.ev_t = np.array([x[1] for x in rows], dtype=np.int64)
        self.ev_gang = np.array([x[2] for x in rows])
        self.events = pd.DataFrame({
            "id": self.ev_ids, "kind": self.ev_kind,
            "time": self.t0 + self.ev_t.astype("timedelta64[m]"),
            "gang_id": np.where(self.ev_gang >= 0, self.g_ids[np.maximum(self.ev_gang, 0)], None),
            "target_id": np.array([x[3] for x in rows], dtype=object),
            "jurisdiction_id": np.array([x[4] for x in rows], dtype=object),
        })
