"""The sample's places, time span and seed, and :class:`_Builder`, which adds people,
families, payments, contacts and contracts to the tables the sample script writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .names import person_names

#: The seed of the background noise. Changing it changes every background record.
SAMPLE_SEED = 20190101

_T0 = pd.Timestamp("2019-01-01")
_T1 = pd.Timestamp("2021-12-31 23:00")

# (id, name, parent, level)
_VILLAGES = [
    ("V00", "江州市", None, "city"),
    ("V01", "清河县", "V00", "district"),
    ("V10", "清河镇", "V01", "town"),
    ("V11", "柳林镇", "V01", "town"),
    ("V12", "石桥乡", "V01", "town"),
    ("V101", "清河村", "V10", "village"),
    ("V102", "东坝村", "V10", "village"),
    ("V103", "河湾村", "V10", "village"),
    ("V111", "柳林村", "V11", "village"),
    ("V112", "西岭村", "V11", "village"),
    ("V113", "马家庄村", "V11", "village"),
    ("V121", "石桥村", "V12", "village"),
    ("V122", "南沟村", "V12", "village"),
]
_VILLAGE_IDS = [v[0] for v in _VILLAGES if v[3] == "village"]
_TOWN_OF = {v[0]: v[2] for v in _VILLAGES if v[3] == "village"}


@dataclass
class _Builder:
    rng: np.random.Generator
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    cast: dict[str, str] = field(default_factory=dict)  # role key -> id
    names: set[str] = field(default_factory=set)
    n_people: int = 0
    n_tx: int = 0
    n_ct: int = 0
    household: dict[str, list[str]] = field(default_factory=dict)  # head -> members
    adults: dict[str, list[str]] = field(default_factory=dict)  # village -> adult ids
    village_of: dict[str, str] = field(default_factory=dict)
    birth: dict[str, pd.Timestamp] = field(default_factory=dict)

    def add(self, table: str, **row: object) -> None:
        self.rows.setdefault(table, []).append(row)

    # -- people ---------------------------------------------------------------------
    def person(self, village: str, gender: str, birth: str | pd.Timestamp, name: str | None = None,
               surname: str | None = None, key: str | None = None) -> str:
        self.n_people += 1
        pid = f"P{self.n_people:04d}"
        if name is None:
            for _ in range(50):
                sur = np.array([surname]) if surname else None
                name = str(person_names(self.rng, np.array([gender]), sur)[0])
                if name not in self.names:
                    break
        assert name is not None
        self.names.add(name)
        b = pd.Timestamp(birth)
        self.add("people", id=pid, name=name, gender=gender, birth_date=b, village_id=village)
        self.village_of[pid] = village
        self.birth[pid] = b
        if b.year <= 2001:
            self.adults.setdefault(village, []).append(pid)
        if key:
            self.cast[key] = pid
        return pid

    def family(self, head: str, *, spouse_name: str | None = None, spouse_key: str | None = None,
               kids: int | None = None, kid_names: tuple[str, ...] = (), parent: bool | None = None) -> str:
        """Give ``head`` (a man) a wife, children and maybe a parent; returns the wife's id."""
        r = self.rng
        v = self.village_of[head]
        sur = self._name(head)[0]
        hb = self.birth[head]
        wife = self.person(v, "女", hb + pd.Timedelta(days=int(r.integers(-1500, 1500))), name=spouse_name,
                           key=spouse_key)
        self.add("ties", src=head, dst=wife, kind="spouse")
        members = [head, wife]
        n_kids = int(r.integers(1, 3)) if kids is None else kids
        kid_ids = []
        for k in range(n_kids):
            kb = hb + pd.Timedelta(days=int(365.25 * r.integers(22, 32) + r.integers(0, 365)))
            g = "男" if r.random() < 0.52 else "女"
            kn = kid_names[k] if k < len(kid_names) else None
            kid = self.person(v, "男" if kn else g, kb, name=kn, surname=sur)
            kid_ids.append(kid)
            self.add("ties", src=head, dst=kid, kind="child")
            self.add("ties", src=wife, dst=kid, kind="child")
        for i in range(len(kid_ids)):
            for j in range(i + 1, len(kid_ids)):
                self.add("ties", src=kid_ids[i], dst=kid_ids[j], kind="sibling")
        members += kid_ids
        if parent if parent is not None else r.random() < 0.35:
            pb = hb - pd.Timedelta(days=int(365.25 * r.integers(24, 32)))
            par = self.person(v, "女" if r.random() < 0.6 else "男", pb, surname=sur if r.random() < 0.5 else None)
            self.add("ties", src=par, dst=head, kind="parent")
            members.append(par)
        self.household[head] = members
        return wife

    def _name(self, pid: str) -> str:
        for row in self.rows["people"]:
            if row["id"] == pid:
                return str(row["name"])
        raise KeyError(pid)

    # -- records --------------------------------------------------------------------
    def pay(self, src: str, dst: str, amount: float, when: pd.Timestamp, channel: str = "wechat",
            memo: str | None = None) -> str:
        self.n_tx += 1
        tid = f"T{self.n_tx:06d}"
        self.add("transactions", id=tid, src=src, dst=dst, amount=float(round(amount)), date=when,
                 channel=channel, memo=memo)
        return tid

    def contact(self, src: str, dst: str, kind: str, when: pd.Timestamp, duration: float | None = None,
                count: int = 1) -> None:
        if duration is None and kind == "call":
            duration = float(self.rng.integers(20, 600))
        if kind == "meeting" and duration is None:
            duration = float(self.rng.integers(1800, 10800))
        self.add("contacts", src=src, dst=dst, kind=kind, time=when.floor("min"), duration_s=duration, count=count)

    def contract(self, issuer: str, approver: str | None, company: str, amount: float, when: str | pd.Timestamp,
                 subject: str) -> str:
        self.n_ct += 1
        cid = f"K{self.n_ct:04d}"
        self.add("contracts", id=cid, issuer_id=issuer, approver_id=approver, company_id=company,
                 amount=float(amount), date=pd.Timestamp(when).normalize(), subject=subject)
        return cid

    def when(self, start: pd.Timestamp = _T0, end: pd.Timestamp = _T1, *, day: bool = True) -> pd.Timestamp:
        span = int((end - start) / pd.Timedelta(hours=1))
        t = start + pd.Timedelta(hours=int(self.rng.integers(0, max(span, 1))))
        if day:  # most activity in waking hours
            t = t.normalize() + pd.Timedelta(hours=int(self.rng.integers(8, 22)),
                                             minutes=int(self.rng.integers(0, 60)))
        return t


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)
