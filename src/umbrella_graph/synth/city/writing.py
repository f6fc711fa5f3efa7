"""Writing the city down: the missing-data step, the case tables, and the truth tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._common import MECHANISMS as _MECH_ORDER
from ._state import _State
from ._words import _MIN_PER_DAY


def _record_ids(prefix: str, n: int, width: int) -> pd.api.extensions.ExtensionArray:
    """``prefix`` + 1..n zero-padded to ``width`` digits (``T0000001``...), as Arrow text:
    no NumPy unicode array or Python string per record (at 1M people ten million ids)."""
    digits = pc.utf8_lpad(pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string()), width=width, padding="0")
    return pd.array(pc.binary_join_element_wise(prefix, digits, ""), dtype="str")


class _Writing(_State):
    # ------------------------------------------------------------------ missing data and frames
    def _drop(self, f: dict[str, np.ndarray], share: float) -> np.ndarray:
        """Which records survive the missing-data step (True = kept); the shift knobs'
        extra records draw from their own stream."""
        extra = f["extra"].astype(bool)
        keep = np.empty(len(extra), dtype=bool)
        keep[~extra] = self.rng.random(int((~extra).sum())) >= share
        keep[extra] = self.srng.random(int(extra.sum())) >= share
        return keep

    def _frames(self) -> dict[str, pd.DataFrame]:
        r, k = self.rng, self.k
        tx, ct, ties, roles, cons = (p.frame() for p in (self.tx, self.ct, self.ties, self.roles, self.contracts))
        # tip-off contacts: locate them in the concatenated contacts to report which survive
        chunk_len = np.array([len(ch["src"]) for ch in self.ct.chunks])
        chunk_start = np.concatenate([[0], np.cumsum(chunk_len)[:-1]])
        tip_pos = np.array([chunk_start[c] for _, _, _, c, _ in self.tip_rows], dtype=np.int64)
        for parts in (self.tx, self.ct, self.ties, self.roles, self.contracts):
            parts.chunks.clear()  # concatenated above: the drawn records are held once, not twice
        keep = {
            "tx": self._drop(tx, k.missing_share),
            "ct": self._drop(ct, k.missing_share),
            "ties": self._drop(ties, k.missing_share / 2),
            "roles": self._drop(roles, k.missing_share / 2),
            "cons": self._drop(cons, k.missing_share / 4),
        }
        # records drawn but never seen (unrecorded relays, follow-ups past the limit, the
        # other channels of one-channel umbrellas)
        for name, f in (("tx", tx), ("ct", ct), ("ties", ties), ("roles", roles), ("cons", cons)):
            keep[name] &= ~f["hide"].astype(bool)
        # owners' roles and family spouse ties that carry the stories are kept as often as the rest
        if k.keep_one and self.pair_tag:
            n_tags = len(self.pair_tag)
            kept = np.zeros(n_tags, np.int64)
            for name, f in (("tx", tx), ("ct", ct), ("roles", roles), ("cons", cons)):
                t = f["tag"].astype(np.int64)
                mask = (t >= 0) & keep[name]
                kept += np.bincount(t[mask], minlength=n_tags)
            for tagv in np.flatnonzero(kept == 0):
                for name, f in (("tx", tx), ("ct", ct), ("cons", cons), ("roles", roles)):
                    hit = np.flatnonzero((f["tag"].astype(np.int64) == tagv) & ~f["hide"].astype(bool))
                    if len(hit):
                        keep[name][hit[0]] = True
                        break
        self.tip_kept = keep["ct"][tip_pos] if len(tip_pos) else np.array([], dtype=bool)

        def sel(f: dict[str, np.ndarray], m: np.ndarray) -> dict[str, np.ndarray]:
            return {c: v[m] for c, v in f.items()}

        # one table at a time, so that a table's drawn and kept records are not all held together
        tx = sel(tx, keep["tx"])
        ct = sel(ct, keep["ct"])
        ties = sel(ties, keep["ties"])
        roles = sel(roles, keep["roles"])
        cons = sel(cons, keep["cons"])
        # the entity ids as one string array, taken per record (no per-record Python string
        # object and no conversion of an object column by the frame constructor)
        ent = pd.array(self.ent_ids, dtype="str")
        # transactions: time order, ids T...
        t = tx["t"].astype(np.int64)
        t = np.clip(t, 0, self.days * _MIN_PER_DAY - 1)
        order = np.argsort(t, kind="stable")
        m = len(order)
        width = max(7, len(str(m)))
        transactions = pd.DataFrame({
            "id": _record_ids("T", m, width),
            "src": ent.take(tx["src"].astype(np.int64)[order]),
            "dst": ent.take(tx["dst"].astype(np.int64)[order]),
            "amount": self._scaled(np.maximum(tx["amount"].astype(float)[order], 1.0)),
            "date": (self.t0 + t[order].astype("timedelta64[m]")).astype("datetime64[ns]"),
            "channel": tx["channel"][order],
            "memo": pd.Series(tx["memo"][order], dtype=object).replace("", None).to_numpy(),
        })
        src, dst = tx["src"].astype(np.int64)[order], tx["dst"].astype(np.int64)[order]
        del tx
        transactions = transactions[src != dst].reset_index(drop=True)
        t = np.clip(ct["t"].astype(np.int64), 0, self.days * _MIN_PER_DAY - 1)
        order = np.argsort(t, kind="stable")
        cs, cd = ct["src"].astype(np.int64)[order], ct["dst"].astype(np.int64)[order]
        contacts = pd.DataFrame({
            "src": ent.take(cs), "dst": ent.take(cd), "kind": ct["kind"][order],
            "time": (self.t0 + t[order].astype("timedelta64[m]")).astype("datetime64[ns]"),
            "duration_s": ct["duration_s"].astype(float)[order],
            "count": ct["count"].astype(np.int64)[order],
        })
        del ct
        contacts = contacts[cs != cd].reset_index(drop=True)
        ts, td = ties["src"].astype(np.int64), ties["dst"].astype(np.int64)
        a, b = np.minimum(ts, td), np.maximum(ts, td)
        tie_df = pd.DataFrame({"a": a, "b": b, "src": ent.take(ts), "dst": ent.take(td), "kind": ties["kind"]})
        tie_df = tie_df[tie_df["a"] != tie_df["b"]].drop_duplicates(["a", "b", "kind"])
        tie_df = tie_df.drop(columns=["a", "b"]).reset_index(drop=True)
        company_roles = pd.DataFrame({
            "person_id": self.person_ids[roles["person"].astype(np.int64)],
            "company_id": self.co_ids[roles["company"].astype(np.int64)],
            "role": roles["role"], "share": roles["share"].astype(float),
        }).drop_duplicates(["person_id", "company_id", "role"]).reset_index(drop=True)
        ct_t = cons["t"].astype(np.int64)
        order = np.argsort(ct_t, kind="stable")
        q = len(order)
        contracts = pd.DataFrame({
            "id": _record_ids("K", q, max(5, len(str(q)))),
            "issuer_id": cons["issuer"][order],
            "approver_id": self.person_ids[cons["approver"].astype(np.int64)[order]],
            "company_id": self.co_ids[cons["company"].astype(np.int64)[order]],
            "amount": self._scaled(cons["amount"].astype(float)[order]),
            "date": (self.t0.astype("datetime64[D]") + (ct_t[order] // _MIN_PER_DAY).astype("timedelta64[D]")
                     ).astype("datetime64[ns]"),
            "subject": cons["subject"][order],
        })
        # members: listed ones only (member officials included when listed)
        mp = np.concatenate([self.mem_p, np.array([x[0] for x in self.extra_members], dtype=np.int64)])
        mg = np.concatenate([self.mem_g, np.array([x[1] for x in self.extra_members], dtype=np.int64)])
        mr = np.concatenate([self.mem_role, np.array([x[2] for x in self.extra_members], dtype=object)])
        ml = np.concatenate([self.mem_listed, np.array([x[3] for x in self.extra_members], dtype=bool)])
        ms = np.concatenate([self.mem_start, r.integers(200, 3000, len(self.extra_members))])
        start = (self.t0.astype("datetime64[D]") - ms.astype("timedelta64[D]")).astype("datetime64[ns]")
        members = pd.DataFrame({"person_id": self.person_ids[mp[ml]], "gang_id": self.g_ids[mg[ml]],
                                "role": mr[ml], "start_date": start[ml],
                                "end_date": np.full(int(ml.sum()), np.datetime64("NaT"), dtype="datetime64[ns]")})
        self._true_members = pd.DataFrame({
            "person_id": np.concatenate([self.person_ids[mp], self.person_ids[np.concatenate(self.g_front).astype(np.int64)]
                                         if self.g_front else []]),
            "gang_id": np.concatenate([self.g_ids[mg], self.g_ids[np.concatenate(
                [np.full(len(f), g) for g, f in enumerate(self.g_front)]).astype(np.int64)]]),
            "role": np.concatenate([mr, np.full(sum(len(f) for f in self.g_front), "front_man", dtype=object)]),
            "listed": np.concatenate([ml, np.zeros(sum(len(f) for f in self.g_front), dtype=bool)]),
        })
        gangs = pd.DataFrame({"id": self.g_ids, "name": [f"{self.v_names[v][:2]}{kd}团伙" for v, kd in
                                                       zip(self.g_village, self.g_kind, strict=True)],
                              "kind": self.g_kind, "village_id": self.tree_ids[self.v_node[self.g_village]]})
        return {
            "people": self.people, "villages": self.villages, "officials": self.officials, "gangs": gangs,
            "members": members, "companies": self.companies, "company_roles": company_roles, "ties": tie_df,
            "transactions": transactions, "contacts": contacts, "contracts": contracts, "events": self.events,
            "leads": self.leads,
        }

    def _scaled(self, amount: np.ndarray) -> np.ndarray:
        """Amounts times the ``amount_scale`` knob, rounded to the fen (unchanged at 1)."""
        if self.k.amount_scale == 1.0:
            return amount
        return np.maximum(np.round(amount * self.k.amount_scale, 2), 0.01)

    # ------------------------------------------------------------------ truth
    def truth(self) -> pd.DataFrame:
        """One row per official x gang, sorted by official then gang id. Built column-wise:
        every pair gets its official's gang-independent role and confounder, then the few
        pairs the phases wrote (``pair_role``, ``pair_mech``, ``pair_conf``) are set; no
        Python loop over the officials x gangs grid."""
        offs = np.unique(self.post_person)
        G = self.n_gangs
        n_o = len(offs)
        # rows in the final order: official ids then gang ids compared as strings
        o_order = np.argsort(self.person_ids[offs].astype(str), kind="stable")
        g_order = np.argsort(self.g_ids.astype(str), kind="stable")
        o_rank = np.empty(n_o, dtype=np.int64)
        o_rank[o_order] = np.arange(n_o)
        g_rank = np.empty(G, dtype=np.int64)
        g_rank[g_order] = np.arange(G)
        o = np.repeat(offs[o_order], G)
        g = np.tile(g_order, n_o)
        own = [self.official_role.get(int(a)) for a in offs[o_order]]
        role = np.repeat(np.array([x if x is not None else "none" for x in own], dtype=object), G)
        conf = np.repeat(np.array([x if x is not None else "" for x in own], dtype=object), G)
        mech = np.full(n_o * G, "", dtype=object)

        def row(a: int, b: int) -> int:
            i = int(np.searchsorted(offs, a))
            return int(o_rank[i]) * G + int(g_rank[b]) if i < n_o and offs[i] == a and 0 <= b < G else -1

        for (a, b), v in self.pair_role.items():
            if (i := row(a, b)) >= 0:
                role[i] = v
        for (a, b), ms in self.pair_mech.items():
            if (i := row(a, b)) >= 0:
                mech[i] = ";".join(x for x in _MECH_ORDER if x in ms)
        for (a, b), cs in self.pair_conf.items():
            if (i := row(a, b)) >= 0:
                conf[i] = ";".join(sorted(cs | ({self.official_role[a]} if a in self.official_role else set())))
        label = np.isin(role, ["umbrella", "member_official"]).astype(np.int64)
        return pd.DataFrame({"official_id": self.person_ids[o], "gang_id": self.g_ids[g], "label": label,
                             "role": role, "mechanisms": mech, "confounders": conf})

    def tipoff_truth(self) -> pd.DataFrame:
        """The planted warning calls whose record survived: ``event_id, official_id,
        gang_id, caller_id`` (the official, or the relative who made the call for him; the
        first call when one official warned twice before one event)."""
        rows = [(self.ev_ids[e], self.person_ids[o], self.g_ids[g], self.person_ids[c])
                for (e, o, g, _, c), kept in zip(self.tip_rows, self.tip_kept, strict=True) if kept]
        out = pd.DataFrame(rows, columns=["event_id", "official_id", "gang_id", "caller_id"])
        return out.sort_values(["event_id", "official_id"], kind="stable").drop_duplicates(
            ["event_id", "official_id"]).reset_index(drop=True)

    def intermediary_truth(self) -> pd.DataFrame:
        """Intermediaries outside the gang's side who relayed bribes (``outsider_share``)."""
        rows = sorted({(self.person_ids[x], self.g_ids[g], self.person_ids[o], kind)
                       for x, g, o, kind in self.outsiders})
        return pd.DataFrame(rows, columns=["person_id", "gang_id", "official_id", "kind"])

    def member_truth(self) -> pd.DataFrame:
        return self._true_members.sort_values(["gang_id", "person_id"]).reset_index(drop=True)
