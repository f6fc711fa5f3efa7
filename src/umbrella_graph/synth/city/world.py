"""The world: the administrative tree, people and households, officials, companies, social
ties and background activity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..names import draw_surnames, id_numbers, person_names, phone_numbers
from ._state import _State
from ._words import _BUILD_SECTORS, _LEGIT_SECTORS, _MIN_PER_DAY, _PLACE_A, _PLACE_B, _TX_MEMOS


class _World(_State):
    # ------------------------------------------------------------------ the tree
    def _tree(self) -> None:
        r = self.rng
        n_v = max(4, self.n // 250)
        n_t = max(2, round(n_v / 8))
        n_d = max(1, round(n_t / 6))
        self.n_v, self.n_t, self.n_d = n_v, n_t, n_d
        n_nodes = 1 + n_d + n_t + n_v
        self.tree_ids = np.array([f"V{i:05d}" for i in range(n_nodes)], dtype=object)
        self.d_node = 1 + np.arange(n_d)
        self.t_node = 1 + n_d + np.arange(n_t)
        self.v_node = 1 + n_d + n_t + np.arange(n_v)
        # contiguous assignment: villages -> towns -> districts
        self.v_town = np.minimum((np.arange(n_v) * n_t) // n_v, n_t - 1)
        self.t_dist = np.minimum((np.arange(n_t) * n_d) // n_t, n_d - 1)
        names = self._place_names(n_d + n_t + n_v)
        level = np.array(["city"] + ["district"] * n_d + ["town"] * n_t + ["village"] * n_v, dtype=object)
        d_suffix = np.where(r.random(n_d) < 0.5, "区", "县")
        t_suffix = np.where(r.random(n_t) < 0.75, "镇", "乡")
        v_suffix = np.where(r.random(n_v) < 0.85, "村", "社区")
        self.d_names = np.char.add(names[:n_d].astype(str), d_suffix).astype(object)
        self.t_names = np.char.add(names[n_d:n_d + n_t].astype(str), t_suffix).astype(object)
        self.v_names = np.char.add(names[n_d + n_t:].astype(str), v_suffix).astype(object)
        self.t_is_xiang = t_suffix == "乡"
        parent = np.empty(n_nodes, dtype=object)
        parent[0] = None
        parent[self.d_node] = self.tree_ids[0]
        parent[self.t_node] = self.tree_ids[self.d_node[self.t_dist]]
        parent[self.v_node] = self.tree_ids[self.t_node[self.v_town]]
        self.villages = pd.DataFrame({
            "id": self.tree_ids,
            "name": np.concatenate([["江州市"], self.d_names, self.t_names, self.v_names]),
            "parent_id": parent,
            "level": level,
        })

    def _place_names(self, n: int) -> np.ndarray:
        a, b = np.array(_PLACE_A), np.array(_PLACE_B)
        combos = len(a) * len(b)
        pick = self.rng.choice(combos, size=min(n, combos), replace=False)
        names = np.char.add(a[pick // len(b)], b[pick % len(b)])
        if n > combos:  # very large cities: numbered names
            extra = np.char.add(names[np.arange(n - combos) % combos], (np.arange(n - combos) // combos + 2).astype(str))
            names = np.concatenate([names, extra])
        return names

    # ------------------------------------------------------------------ people and households
    def _people(self) -> None:
        r, n = self.rng, self.n
        sizes = r.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.08, 0.22, 0.3, 0.24, 0.11, 0.05])
        cum = np.cumsum(sizes)
        n_hh = int(np.searchsorted(cum, n) + 1)
        sizes = sizes[:n_hh].copy()
        sizes[-1] -= int(cum[n_hh - 1] - n)
        hh = np.repeat(np.arange(n_hh), sizes)
        start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        pos = np.arange(n) - start[hh]
        # households -> villages, contiguously, with lognormal village sizes
        w = r.lognormal(0, 0.5, self.n_v)
        bounds = np.cumsum(w) / w.sum() * n_hh
        hh_village = np.minimum(np.searchsorted(bounds, np.arange(n_hh), side="right"), self.n_v - 1)
        village = hh_village[hh]
        # every village gets people: the sort is by household so villages are contiguous
        self.hh, self.pos, self.hh_size = hh, pos, sizes[hh]
        self.village = village
        self.town = self.v_town[village]
        self.district = self.t_dist[self.town]
        # roles in the household: 0 head, 1 spouse, 2.. children, last of a 5+ household a parent
        size = sizes[hh]
        is_head = pos == 0
        is_spouse = (pos == 1) & (size >= 2)
        is_parent = (pos == size - 1) & (size >= 5)
        is_child = ~is_head & ~is_spouse & ~is_parent
        self.is_head, self.is_spouse, self.is_child, self.is_parent = is_head, is_spouse, is_child, is_parent
        head_age = r.uniform(26, 72, n_hh)
        age = np.empty(n)
        age[is_head] = head_age[hh[is_head]]
        age[is_spouse] = np.clip(head_age[hh[is_spouse]] + r.normal(-2, 3, is_spouse.sum()), 20, 90)
        age[is_child] = r.uniform(0, 1, is_child.sum()) * np.maximum(head_age[hh[is_child]] - 21, 0.5)
        age[is_parent] = head_age[hh[is_parent]] + r.uniform(22, 32, is_parent.sum())
        self.age = age
        male = np.where(is_head, (r.random(n) < 0.9) | (size > 1), r.random(n) < 0.5)
        male[is_spouse] = ~male[np.flatnonzero(is_spouse) - 1]
        self.male = male
        gender = np.where(male, "男", "女")
        hh_surname = draw_surnames(r, n_hh)
        surname = hh_surname[hh]
        own = is_spouse | (is_parent & (r.random(n) < 0.5))
        surname[own] = draw_surnames(r, int(own.sum()))
        birth = (self.t0.astype("datetime64[D]") - (age * 365.25).astype(np.int64).astype("timedelta64[D]")
                 - r.integers(0, 365, n).astype("timedelta64[D]"))
        self.adult = age >= 18
        width = max(6, len(str(n)))
        self.person_ids = np.array([f"P{i:0{width}d}" for i in range(1, n + 1)], dtype=object)
        phone = phone_numbers(r, n).astype(object)
        phone[age < 12] = None
        self.people = pd.DataFrame({
            "id": self.person_ids,
            "name": person_names(r, gender, surname),
            "gender": gender,
            "birth_date": birth.astype("datetime64[ns]"),
            "id_number": id_numbers(r, birth, gender),
            "phone": phone,
            "village_id": self.tree_ids[self.v_node[village]],
        })
        # person ranges per village / town / district (people are sorted by village)
        self.v_lo = np.searchsorted(village, np.arange(self.n_v), side="left")
        self.v_hi = np.searchsorted(village, np.arange(self.n_v), side="right")
        self.t_lo = np.searchsorted(self.town, np.arange(self.n_t), side="left")
        self.t_hi = np.searchsorted(self.town, np.arange(self.n_t), side="right")
        self.d_lo = np.searchsorted(self.district, np.arange(self.n_d), side="left")
        self.d_hi = np.searchsorted(self.district, np.arange(self.n_d), side="right")
        self.activity = np.where(self.adult, r.lognormal(0, 0.8, n), 0.02)
        self.spouse_of = np.full(n, -1)
        sp = np.flatnonzero(is_spouse)
        self.spouse_of[sp] = sp - 1
        self.spouse_of[sp - 1] = sp
        self.head_of = start[hh]

    def _family_ties(self) -> None:
        r = self.rng
        sp = np.flatnonzero(self.is_spouse)
        self.ties.add(src=sp - 1, dst=sp, kind="spouse")
        ch = np.flatnonzero(self.is_child)
        head = self.head_of[ch]
        self.ties.add(src=head, dst=ch, kind="child")
        has_sp = self.hh_size[ch] >= 2
        self.ties.add(src=head[has_sp] + 1, dst=ch[has_sp], kind="child")
        sib = ch[1:][(self.hh[ch[1:]] == self.hh[ch[:-1]])]
        self.ties.add(src=sib - 1, dst=sib, kind="sibling")
        par = np.flatnonzero(self.is_parent)
        self.ties.add(src=par, dst=self.head_of[par], kind="parent")
        # kin between households of the same village
        heads = np.flatnonzero(self.is_head)
        m = int(len(heads) * 0.4)
        a = heads[r.integers(0, len(heads), m)]
        v = self.village[a]
        # another head in the same village: a random person of the village, then its head
        b = self.head_of[self.pick_range(self.v_lo[v], self.v_hi[v])]
        ok = a != b
        kinds = r.choice(np.array(["kin", "in_law", "relative"], dtype=object), m, p=[0.5, 0.3, 0.2])
        self.ties.add(src=a[ok], dst=b[ok], kind=kinds[ok])

    # ------------------------------------------------------------------ officials
    def _officials(self) -> None:
        r = self.rng
        posts: list[tuple[str, str, int, int, str, str | None, str]] = []
        # (position, unit, tree node, level code, rank, issuer, kind)
        for v in range(self.n_v):
            vn, node = self.v_names[v], self.v_node[v]
            vid = self.tree_ids[node]
            posts.append(("村党支部书记", f"{vn}党支部", node, v, "村干部", vid, "cadre"))
            posts.append(("村委会主任", f"{vn}村委会", node, v, "村干部", vid, "cadre"))
        for t in range(self.n_t):
            tn, node = self.t_names[t], self.t_node[t]
            x = "乡" if self.t_is_xiang[t] else "镇"
            gov = f"{tn}人民政府"
            posts += [
                (f"{x}党委书记", f"{tn}党委", node, t, "正科", gov, "town_lead"),
                (f"{x}长", gov, node, t, "正科", gov, "town_head"),
                (f"副{x}长", gov, node, t, "副科", gov, "town_lead"),
                ("派出所所长", f"{tn}派出所", node, t, "副科", None, "police"),
                ("国土所所长", f"{tn}国土所", node, t, "股级", f"{tn}国土所", "office"),
                ("城建办主任", f"{tn}城建办", node, t, "股级", f"{tn}城建办", "office"),
            ]
            for _ in range(int(r.integers(2, 4))):
                posts.append(("派出所民警", f"{tn}派出所", node, t, "科员", None, "police"))
        for d in range(self.n_d):
            dn, node = self.d_names[d], self.d_node[d]
            for _ in range(max(2, self.n_t // self.n_d // 2 + 1)):
                posts.append(("刑侦大队侦查员", f"{dn}公安局刑侦大队", node, d, "科员", None, "investigator"))
            for unit, pos in (("住建局", "建设管理科科长"), ("自然资源局", "执法大队队长"), ("水利局", "河道管理站站长"),
                              ("市场监督管理局", "市场监管科科长"), ("交通运输局", "工程科科长")):
                posts.append((pos, f"{dn}{unit}", node, d, "正科", f"{dn}{unit}", "regulator"))
        m = len(posts)
        kind = np.array([p[6] for p in posts], dtype=object)
        node = np.array([p[2] for p in posts])
        sub = np.array([p[3] for p in posts])
        lo = np.where(kind == "cadre", self.v_lo[np.minimum(sub, self.n_v - 1)], 0)
        hi = np.where(kind == "cadre", self.v_hi[np.minimum(sub, self.n_v - 1)], 0)
        town_like = np.isin(kind, ["town_lead", "town_head", "police", "office"])
        lo = np.where(town_like, self.t_lo[np.minimum(sub, self.n_t - 1)], lo)
        hi = np.where(town_like, self.t_hi[np.minimum(sub, self.n_t - 1)], hi)
        dist_like = np.isin(kind, ["investigator", "regulator"])
        lo = np.where(dist_like, self.d_lo[np.minimum(sub, self.n_d - 1)], lo)
        hi = np.where(dist_like, self.d_hi[np.minimum(sub, self.n_d - 1)], hi)
        ok_person = self.adult & (self.age >= 24) & (self.age <= 60)
        person = np.full(m, -1)
        used = np.zeros(self.n, dtype=bool)
        for _ in range(60):  # rejection sampling, vectorised over the posts still open
            todo = np.flatnonzero(person < 0)
            if not len(todo):
                break
            cand = self.pick_range(lo[todo], hi[todo])
            male_pref = self.male[cand] | (r.random(len(todo)) < 0.35)
            good = ok_person[cand] & male_pref & ~used[cand]
            # first come first served among duplicates in this round
            _, first = np.unique(cand, return_index=True)
            uniq = np.zeros(len(todo), dtype=bool)
            uniq[first] = True
            good &= uniq
            person[todo[good]] = cand[good]
            used[cand[good]] = True
        keep = person >= 0
        start = self.t0.astype("datetime64[D]") - r.integers(200, 4000, m).astype("timedelta64[D]")
        end = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
        # some town and district posts change hands during the period
        change = keep & ~np.isin(kind, ["cadre"]) & (r.random(m) < 0.08)
        cut = r.integers(self.days // 4, 3 * self.days // 4, m)
        end[change] = self.t0.astype("datetime64[D]") + cut[change].astype("timedelta64[D]")
        self.post_person = person[keep]
        self.post_kind = kind[keep]
        self.post_node = node[keep]
        self.post_sub = sub[keep]
        self.post_issuer = np.array([p[5] for p in posts], dtype=object)[keep]
        self.post_end_day = np.where(change, cut, -1)[keep]
        rows = pd.DataFrame({
            "person_id": self.person_ids[person[keep]],
            "position": np.array([p[0] for p in posts], dtype=object)[keep],
            "unit": np.array([p[1] for p in posts], dtype=object)[keep],
            "rank": np.array([p[4] for p in posts], dtype=object)[keep],
            "jurisdiction_id": self.tree_ids[node[keep]],
            "start_date": start[keep].astype("datetime64[ns]"),
            "end_date": end[keep].astype("datetime64[ns]"),
        })
        # successors for the posts that changed hands
        succ_idx = np.flatnonzero(change[keep])
        succ_person = []
        for i in succ_idx:
            cand = np.flatnonzero(ok_person[lo[keep][i]:hi[keep][i]] & ~used[lo[keep][i]:hi[keep][i]])
            if len(cand):
                p = lo[keep][i] + int(cand[r.integers(0, len(cand))])
                used[p] = True
                succ_person.append((i, p))
        if succ_person:
            si = np.array([s[0] for s in succ_person])
            sp_ = np.array([s[1] for s in succ_person])
            succ = rows.iloc[si].copy()
            succ["person_id"] = self.person_ids[sp_]
            succ["start_date"] = (self.t0.astype("datetime64[D]") + (self.post_end_day[si] + 1).astype(
                "timedelta64[D]")).astype("datetime64[ns]")
            succ["end_date"] = pd.NaT
            rows = pd.concat([rows, succ], ignore_index=True)
            self.post_person = np.concatenate([self.post_person, sp_])
            self.post_kind = np.concatenate([self.post_kind, self.post_kind[si]])
            self.post_node = np.concatenate([self.post_node, self.post_node[si]])
            self.post_sub = np.concatenate([self.post_sub, self.post_sub[si]])
            self.post_issuer = np.concatenate([self.post_issuer, self.post_issuer[si]])
            self.post_start_day = np.concatenate([np.zeros(len(self.post_end_day), np.int64),
                                                  self.post_end_day[si] + 1])
            self.post_end_day = np.concatenate([self.post_end_day, np.full(len(si), -1)])
        else:
            self.post_start_day = np.zeros(len(self.post_person), np.int64)
        self.officials = rows
        self.is_official = np.zeros(self.n, dtype=bool)
        self.is_official[self.post_person] = True
        # officials are busier than most
        self.activity[self.post_person] *= 2.0
        # colleagues: people holding posts in the same unit
        u = pd.DataFrame({"p": self.post_person, "unit": rows["unit"].to_numpy()})
        pairs = u.merge(u, on="unit")
        pairs = pairs[pairs["p_x"] < pairs["p_y"]]
        pick = r.random(len(pairs)) < 0.6
        self.ties.add(src=pairs["p_x"].to_numpy()[pick], dst=pairs["p_y"].to_numpy()[pick], kind="colleague")
        # full-period posts (umbrella candidates): tenure covers the whole period
        self.full_post = (self.post_end_day < 0) & (self.post_start_day == 0)
        # the household members of officials are kept out of random gang recruitment
        self.official_household = np.isin(self.hh, self.hh[self.post_person])

    # ------------------------------------------------------------------ companies
    def _companies(self) -> None:
        r = self.rng
        n_legit = max(12, self.n // 45)
        sector = r.choice(_LEGIT_SECTORS, n_legit, p=[0.2, 0.15, 0.12, 0.12, 0.08, 0.08, 0.08, 0.07, 0.05, 0.05])
        village = np.sort(r.integers(0, self.n_v, n_legit))
        self.co_sector = list(sector)
        self.co_village = list(village)
        self.co_gang = [-1] * n_legit
        owners = self._random_adults(village, n_legit, local="village")
        self.co_owner = list(owners)
        self.co_owner_a_legit = np.asarray(owners, dtype=np.int64)
        self.n_legit = n_legit

    # ------------------------------------------------------------------ social ties
    def _social_ties(self) -> None:
        r = self.rng
        adults = np.flatnonzero(self.adult)
        m = int(len(adults) * 1.4)
        a = adults[r.integers(0, len(adults), m)]
        local = r.random(m) < 0.8
        t = self.town[a]
        d = self.district[a]
        b = np.where(local, self.pick_range(self.t_lo[t], self.t_hi[t]), self.pick_range(self.d_lo[d], self.d_hi[d]))
        ok = self.adult[b] & (a != b)
        self.ties.add(src=a[ok], dst=b[ok], kind="friend")
        m = int(len(adults) * 0.3)
        a = adults[r.integers(0, len(adults), m)]
        v = self.village[a]
        b = self.pick_range(self.v_lo[v], self.v_hi[v])
        ok = self.adult[b] & (a != b) & (np.abs(self.age[a] - self.age[b]) <= 2)
        self.ties.add(src=a[ok], dst=b[ok], kind="classmate")
        # co-workers
        order = np.argsort(self.emp_c, kind="stable")
        e, c = self.emp_p[order], self.emp_c[order]
        same = (c[1:] == c[:-1]) & (r.random(len(c) - 1) < 0.5) & (e[1:] != e[:-1])
        self.ties.add(src=e[:-1][same], dst=e[1:][same], kind="colleague")
        # business ties between owners
        m = self.n_co // 2
        a = self.co_owner_a[r.integers(0, self.n_co, m)]
        b = self.co_owner_a[r.integers(0, self.n_co, m)]
        ok = a != b
        self.ties.add(src=a[ok], dst=b[ok], kind="business")
        # gang members know each other (friends), and front men know the leader
        for g in range(self.n_gangs):
            mem = self.g_members[g]
            n_f = len(mem)
            a = mem[r.integers(0, n_f, n_f)]
            b = mem[r.integers(0, n_f, n_f)]
            ok = a != b
            self.ties.add(src=a[ok], dst=b[ok], kind="friend")
            if len(self.g_front[g]):
                self.ties.add(src=self.g_front[g], dst=np.full(len(self.g_front[g]), mem[0]), kind="friend")

    # ------------------------------------------------------------------ background activity
    def _tie_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = self.ties.frame()
        return f["src"].astype(np.int64), f["dst"].astype(np.int64), f["kind"]

    def _background(self) -> None:
        r, k, n = self.rng, self.k, self.n
        ts, td, tk = self._tie_arrays()
        both_adult = self.adult[ts] & self.adult[td]
        ts, td, tk = ts[both_adult], td[both_adult], tk[both_adult]
        fam = np.isin(tk, ["spouse", "child", "parent", "sibling"])
        p_person = self.activity / self.activity.sum()
        p_co = self.co_activity / self.co_activity.sum()

        def tie_rows(m: int, fam_w: float) -> tuple[np.ndarray, np.ndarray]:
            w = np.where(fam, fam_w, 1.0) * (self.activity[ts] + self.activity[td])
            i = r.choice(len(ts), m, p=w / w.sum())
            flip = r.random(m) < 0.5
            return np.where(flip, td[i], ts[i]), np.where(flip, ts[i], td[i])

        def local_rows(m: int) -> tuple[np.ndarray, np.ndarray]:
            a = r.choice(n, m, p=p_person)
            t = self.town[a]
            b = self.pick_range(self.t_lo[t], self.t_hi[t])
            return a, b

        # ---- transactions
        # generate enough that the records left after the missing-data step match the knobs
        boost = 1.0 / max(1.0 - k.missing_share, 0.05)
        m = int(n * k.tx_per_person * boost)
        m_payroll_emp = len(self.emp_p)
        n_tie, n_loc, n_buy, n_b2b, n_far = (int(m * s) for s in (0.42, 0.22, 0.16, 0.06, 0.04))
        a, b = tie_rows(n_tie, 3.0)
        amt = np.round(r.lognormal(6.2, 1.2, n_tie))
        self.tx.add(src=a, dst=b, amount=amt, t=self.times(n_tie), channel=r.choice(
            np.array(["wechat", "alipay", "bank"], dtype=object), n_tie, p=[0.6, 0.25, 0.15]),
            memo=_TX_MEMOS[r.integers(0, len(_TX_MEMOS), n_tie)])
        a, b = local_rows(n_loc)
        self.tx.add(src=a, dst=b, amount=np.round(r.lognormal(5.6, 1.1, n_loc)), t=self.times(n_loc),
                    channel=r.choice(np.array(["wechat", "alipay"], dtype=object), n_loc),
                    memo=_TX_MEMOS[r.integers(0, len(_TX_MEMOS), n_loc)])
        # purchases: mostly at companies of one's own town
        a = r.choice(n, n_buy, p=p_person)
        same_town = r.random(n_buy) < 0.7
        co_by_town = np.argsort(self.co_town, kind="stable")
        c_lo = np.searchsorted(self.co_town[co_by_town], self.town[a], side="left")
        c_hi = np.searchsorted(self.co_town[co_by_town], self.town[a], side="right")
        has = c_hi > c_lo
        local_co = co_by_town[np.minimum(self.pick_range(c_lo, np.maximum(c_hi, c_lo + 1)), self.n_co - 1)]
        c = np.where(same_town & has, local_co, r.choice(self.n_co, n_buy, p=p_co))
        self.tx.add(src=a, dst=c + n, amount=np.round(r.lognormal(4.8, 1.0, n_buy), 2), t=self.times(n_buy),
                    channel=r.choice(np.array(["wechat", "alipay"], dtype=object), n_buy, p=[0.7, 0.3]), memo="消费")
        # business to business
        a = r.choice(self.n_co, n_b2b, p=p_co)
        b = r.choice(self.n_co, n_b2b, p=p_co)
        ok = a != b
        self.tx.add(src=a[ok] + n, dst=b[ok] + n, amount=np.round(r.lognormal(10, 1.3, int(ok.sum()))),
                    t=self.times(int(ok.sum())), channel="bank", memo="货款")
        a = r.choice(n, n_far, p=p_person)
        b = r.choice(n, n_far, p=p_person)
        ok = a != b
        self.tx.add(src=a[ok], dst=b[ok], amount=np.round(r.lognormal(6, 1.3, int(ok.sum()))),
                    t=self.times(int(ok.sum())), channel="bank", memo=None)
        # payroll: monthly bank wages for the employees whose bank records were obtained
        paid = np.flatnonzero(r.random(m_payroll_emp) < 0.5)
        months = min(12 * self.k.years, max(1, int((m - n_tie - n_loc - n_buy - n_b2b - n_far) / max(len(paid), 1))))
        wage = np.round(r.lognormal(np.log(4500), 0.35, len(paid)), -1)
        e = np.repeat(paid, months)
        mo = np.tile(np.arange(months) * (12 * self.k.years // months), len(paid))
        day = (mo * 30.4).astype(np.int64) + 9
        self.tx.add(src=self.emp_c[e] + n, dst=self.emp_p[e], amount=wage[np.repeat(np.arange(len(paid)), months)],
                    t=day * _MIN_PER_DAY + 10 * 60, channel="bank", memo="工资")

        # ---- contacts
        m = int(n * k.contacts_per_person * boost)
        n_tie, n_loc, n_co_, n_far, n_work = (int(m * s) for s in (0.55, 0.22, 0.08, 0.05, 0.10))
        add_contacts = self.add_contacts
        a, b = tie_rows(n_tie, 4.0)
        add_contacts(a, b)
        a, b = local_rows(n_loc)
        ok = a != b
        add_contacts(a[ok], b[ok])
        a = r.choice(n, n_co_, p=p_person)
        c = r.choice(self.n_co, n_co_, p=p_co)
        add_contacts(a, c + n, p=(0.8, 0.1, 0.1, 0.0))
        a = r.choice(n, n_far, p=p_person)
        b = r.choice(n, n_far, p=p_person)
        ok = a != b
        add_contacts(a[ok], b[ok])
        # officials' work: calls to people of their jurisdiction
        i = r.integers(0, len(self.post_person), n_work)
        o = self.post_person[i]
        kind = self.post_kind[i]
        sub = self.post_sub[i]
        lo = np.where(kind == "cadre", self.v_lo[np.minimum(sub, self.n_v - 1)],
                      np.where(np.isin(kind, ["investigator", "regulator"]), self.d_lo[np.minimum(sub, self.n_d - 1)],
                               self.t_lo[np.minimum(sub, self.n_t - 1)]))
        hi = np.where(kind == "cadre", self.v_hi[np.minimum(sub, self.n_v - 1)],
                      np.where(np.isin(kind, ["investigator", "regulator"]), self.d_hi[np.minimum(sub, self.n_d - 1)],
                               self.t_hi[np.minimum(sub, self.n_t - 1)]))
        b = self.pick_range(lo, hi)
        ok = (b != o) & self.adult[b]
        add_contacts(o[ok], b[ok], p=(0.7, 0.1, 0.1, 0.1))

        # ---- public contracts (fair): villages, town governments and offices, district bureaus
        builders = np.flatnonzero(np.isin(self.co_sector_a, list(_BUILD_SECTORS)))
        if not len(builders):
            builders = np.arange(self.n_co)
        issuing = np.flatnonzero(np.array([x is not None for x in self.post_issuer]) & (
            np.isin(self.post_kind, ["cadre", "town_head", "office", "regulator"])))
        # village contracts are approved by the village head (second cadre post), towns by the head
        years = self.k.years
        per = np.where(self.post_kind[issuing] == "cadre", 0.6, 2.0) * years
        cnt = r.poisson(per)
        src = np.repeat(issuing, cnt)
        mm = len(src)
        # the bidder: a builder of the same district, larger ones more often
        co_d = self.t_dist[self.co_town[builders]]
        post_d = self._post_district(src)
        w = self.co_activity[builders]
        cand = r.choice(len(builders), (mm, 4), p=w / w.sum())
        same = co_d[cand] == post_d[:, None]
        first = np.where(same.any(axis=1), same.argmax(axis=1), 0)
        comp = builders[cand[np.arange(mm), first]]
        day = r.integers(0, self.days, mm)
        amt = np.round(r.lognormal(np.log(250_000), 0.9, mm), -2)
        self.contracts.add(issuer=self.post_issuer[src], approver=self.post_person[src], company=comp, amount=amt,
                           t=day * _MIN_PER_DAY, subject=self._subjects(mm))
        # fair wins of gang companies are a confounder of their approvers
        g = self.co_gang_a[comp]
        for o, gg in zip(self.post_person[src][g >= 0], g[g >= 0], strict=True):
            self.pair_conf.setdefault((int(o), int(gg)), set()).add("fair_contract")
