"""The bundled sample case 清河县 (Qinghe county): hand-scripted stories on seeded noise.

:func:`write_sample` writes ``data/samples/qinghe/``: every table of the data contract,
``truth.csv``, ``truth_tipoffs.csv`` and a ``README.md`` whose cast table is filled in from
the ids the script assigned, so the documentation can never drift from the data.

Everything is fictional: the county, its towns and villages, the people, their ID and
phone numbers.

The stories (see the written README for the ids):

* a village Party secretary (村党支部书记) who is a listed core member of an extortion gang;
* a building contractor whose gang company pays two village cadres (村委会主任) and wins
  their villages' contracts; one cadre's son is on the company's payroll;
* a police officer (派出所民警) who calls the gambling gang's leader in the hours before
  raids, meets him often and takes money from a core member;
* a land-office head (国土所所长) whose wife receives the sand gang's money through a
  front man (白手套) who owns the gang's sand company;
* officials who are clean but look busy: a town head who calls and pays many people,
  a county investigator who calls and meets gang members *after* raids, a deputy
  township head whose brother is a peripheral member of a loan-sharking gang, a water
  official who awards a fair contract to a gang company, village heads who receive small
  fees from gang members;
* corruption with no gang: a businessman who bribes a town construction-office head for
  contracts.

The script is :func:`sample_frames`; its building blocks are in ``_sample_builder`` and
the written README in ``_sample_readme``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._common import SynthCity, load_written, write_tables
from ._sample_builder import _T0, _TOWN_OF, _VILLAGE_IDS, _VILLAGES, SAMPLE_SEED, _Builder, _t
from ._sample_readme import _readme
from .names import draw_surnames, id_numbers, phone_numbers

__all__ = ["write_sample", "sample_frames", "SAMPLE_SEED"]

def sample_frames() -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Build the sample case in memory.

    Returns
    -------
    frames : dict of str to DataFrame
        The case tables (typed values, canonical columns).
    truth : DataFrame
        ``official_id, gang_id, label, role, mechanisms`` for every official x gang.
    tipoffs : DataFrame
        ``event_id, official_id, gang_id``: the planted pre-raid calls.
    cast : dict of str to str
        Story role key -> id (people, companies, events, leads).
    """
    b = _Builder(np.random.default_rng(SAMPLE_SEED))
    r = b.rng
    for vid, name, parent, level in _VILLAGES:
        b.add("villages", id=vid, name=name, parent_id=parent, level=level)

    # ------------------------------------------------------------------ the cast (people)
    P = b.person
    # officials
    P("V101", "男", "1968-03-12", "郑国平", key="qh_party_sec")        # 清河镇党委书记
    P("V101", "男", "1972-07-21", "陈建华", key="hub_town_head")       # 清河镇镇长 (hub)
    P("V111", "男", "1970-11-02", "孙立新", key="ll_town_head")        # 柳林镇镇长
    P("V111", "男", "1966-05-18", "吴德明", key="ll_party_sec")        # 柳林镇党委书记
    P("V121", "男", "1969-09-09", "何永春", key="sq_head")             # 石桥乡乡长
    P("V121", "男", "1978-02-14", "马海东", key="innocent_deputy")     # 石桥乡副乡长
    P("V101", "男", "1971-01-30", "高志刚", key="qh_police_chief")     # 清河派出所所长
    P("V101", "男", "1983-06-06", "罗明", key="tipoff_cop")           # 清河派出所民警 (umbrella)
    P("V101", "男", "1988-12-01", "韩磊", key="qh_cop2")              # 清河派出所民警 (clean)
    P("V111", "男", "1985-04-22", "许文斌", key="ll_cop")             # 柳林派出所民警
    P("V101", "男", "1980-08-08", "唐俊峰", key="investigator")       # 县公安局刑侦大队侦查员
    P("V111", "男", "1967-10-10", "冯建国", key="land_head")          # 柳林国土所所长 (umbrella via wife)
    P("V101", "男", "1974-03-03", "曹宏伟", key="cj_head")            # 清河镇城建办主任 (corrupt, no gang)
    P("V101", "男", "1965-12-12", "袁立德", key="water_head")         # 县水利局河道管理站站长
    P("V101", "女", "1979-05-05", "潘静", key="market_chief")         # 县市场监督管理局科长
    # village cadres: secretary and head of every village
    cadre_names = {
        "V101": ("朱永平", "许国庆"), "V102": ("刘建军", "王德成"), "V103": ("胡长林", "黄国强"),
        "V111": ("郭玉林", "梁文华"), "V112": ("谢成功", "董春海"), "V113": ("马立新", "宋金山"),
        "V121": ("唐德胜", "韩光明"), "V122": ("邓永刚", "覃家明"),
    }
    for v, (sec, head) in cadre_names.items():
        P(v, "男", f"{int(r.integers(1960, 1980))}-0{int(r.integers(1, 9))}-1{int(r.integers(0, 9))}", sec,
          key=f"sec_{v}")
        hb = "1966-04-20" if v == "V112" else f"{int(r.integers(1962, 1982))}-0{int(r.integers(1, 9))}-2{int(r.integers(0, 8))}"
        P(v, "男", hb, head, key=f"head_{v}")
    # gang people
    P("V102", "男", "1970-02-02", "刘长庆", key="g1_leader")
    P("V102", "男", "1973-04-04", "刘长胜", key="g1_core_brother")
    P("V102", "男", "1985-09-19", "赵勇", key="g1_core")
    P("V101", "男", "1990-01-15", "钱磊", key="g1_unlisted_core")
    P("V111", "男", "1972-06-16", "杨大海", key="g2_leader")
    P("V111", "男", "1976-08-26", "杨二虎", key="g2_core")
    P("V113", "男", "1975-03-23", "周宏达", key="contractor")          # 宏达建筑 owner, G02 core
    P("V111", "男", "1982-11-11", "林志文", key="front_man")           # 白手套, not a member
    P("V101", "男", "1979-12-24", "蒋天明", key="g3_leader")
    P("V101", "男", "1986-07-07", "蔡小龙", key="g3_core")
    P("V101", "男", "1988-10-01", "余强", key="g3_core2")
    P("V122", "男", "1977-01-01", "覃志强", key="g4_leader")
    P("V122", "男", "1984-02-28", "邓小军", key="g4_core")
    P("V122", "男", "1989-05-20", "马海涛", key="g4_peripheral")       # brother of the deputy head
    P("V101", "男", "1968-09-30", "彭德成", key="businessman")         # 清河建工, bribes, no gang
    c = b.cast

    # families of the cast (named spouses where the story needs them)
    b.family(c["land_head"], spouse_name="沈秀英", spouse_key="land_wife", kids=1)
    b.family(c["head_V112"], kids=1, kid_names=("董小川",))
    b.cast["dong_son"] = b.household[c["head_V112"]][2]
    for key in list(c):
        pid = c[key]
        if key in ("land_head", "head_V112", "g4_peripheral", "land_wife", "dong_son") or pid in b.household:
            continue
        if b.birth[pid].year < 1990 and r.random() < 0.85:
            b.family(pid)
    # the deputy and his brother: siblings, with a shared mother
    b.add("ties", src=c["innocent_deputy"], dst=c["g4_peripheral"], kind="sibling")
    mother = b.person("V122", "女", "1953-03-08", surname="李")
    b.add("ties", src=mother, dst=c["innocent_deputy"], kind="parent")
    b.add("ties", src=mother, dst=c["g4_peripheral"], kind="parent")
    # the two Liu brothers, the two Yang brothers; the secretary is the Liu brothers' cousin
    b.add("ties", src=c["g1_leader"], dst=c["g1_core_brother"], kind="sibling")
    b.add("ties", src=c["g1_leader"], dst=c["sec_V102"], kind="kin")
    b.add("ties", src=c["g2_leader"], dst=c["g2_core"], kind="sibling")

    # ------------------------------------------------------------------ background people
    for v in _VILLAGE_IDS:
        n_households = int(r.integers(9, 12))
        for _ in range(n_households):
            hb = _T0 - pd.Timedelta(days=int(365.25 * r.integers(28, 66)))
            sur = str(draw_surnames(r, 1)[0])
            head = b.person(v, "男", hb.normalize(), surname=sur)
            b.family(head)
        # kin across households of the same village
        heads = [h for h in b.household if b.village_of[h] == v]
        for _ in range(3):
            i, j = r.choice(len(heads), 2, replace=False)
            b.add("ties", src=heads[i], dst=heads[j], kind="kin")

    people = pd.DataFrame(b.rows["people"])
    adults = people[people["birth_date"].dt.year <= 2001]["id"].tolist()
    town_of_person = {p: _TOWN_OF[v] for p, v in b.village_of.items()}

    # friends and classmates (the cast keeps to the ties its stories give it, so that a
    # story is never muddied by a random friendship with a gangster)
    cast_ids = set(c.values())
    for p in adults:
        same_town = [q for q in adults if town_of_person[q] == town_of_person[p] and q != p]
        for _ in range(int(r.integers(0, 3))):
            pool = same_town if r.random() < 0.8 else adults
            q = pool[int(r.integers(0, len(pool)))]
            if q != p and p not in cast_ids and q not in cast_ids:
                b.add("ties", src=p, dst=q, kind="friend")
        if r.random() < 0.25:
            byear = b.birth[p].year
            mates = [q for q in same_town if abs(b.birth[q].year - byear) <= 1 and q not in cast_ids]
            if mates and p not in cast_ids:
                b.add("ties", src=p, dst=mates[int(r.integers(0, len(mates)))], kind="classmate")

    # ------------------------------------------------------------------ officials (posts)
    def post(key: str, position: str, unit: str, rank: str, jur: str, start: str, end: str | None = None) -> None:
        b.add("officials", person_id=c[key], position=position, unit=unit, rank=rank, jurisdiction_id=jur,
              start_date=_t(start), end_date=_t(end) if end else None)

    post("qh_party_sec", "镇党委书记", "清河镇党委", "正科", "V10", "2016-06-01")
    post("hub_town_head", "镇长", "清河镇政府", "正科", "V10", "2017-03-01")
    post("ll_town_head", "镇长", "柳林镇政府", "正科", "V11", "2015-09-01", "2020-12-31")
    post("ll_party_sec", "镇党委书记", "柳林镇党委", "正科", "V11", "2016-01-01")
    post("ll_party_sec", "镇长", "柳林镇政府", "正科", "V11", "2021-01-01")
    post("sq_head", "乡长", "石桥乡政府", "正科", "V12", "2018-01-01")
    post("innocent_deputy", "副乡长", "石桥乡政府", "副科", "V12", "2018-05-01")
    post("qh_police_chief", "派出所所长", "清河派出所", "副科", "V10", "2016-08-01")
    post("tipoff_cop", "派出所民警", "清河派出所", "科员", "V10", "2012-07-01")
    post("qh_cop2", "派出所民警", "清河派出所", "科员", "V10", "2014-07-01")
    post("ll_cop", "派出所民警", "柳林派出所", "科员", "V11", "2013-07-01")
    post("investigator", "刑侦大队侦查员", "清河县公安局刑侦大队", "科员", "V01", "2010-07-01")
    post("land_head", "国土所所长", "柳林国土所", "股级", "V11", "2014-04-01")
    post("cj_head", "城建办主任", "清河镇城建办", "股级", "V10", "2015-02-01")
    post("water_head", "河道管理站站长", "清河县水利局", "副科", "V01", "2013-03-01")
    post("market_chief", "市场监管科科长", "清河县市场监督管理局", "正科", "V01", "2017-10-01")
    for v in cadre_names:
        vname = next(x[1] for x in _VILLAGES if x[0] == v)
        post(f"sec_{v}", "村党支部书记", f"{vname}党支部", "村干部", v, f"201{int(r.integers(2, 8))}-01-01")
        post(f"head_{v}", "村委会主任", f"{vname}村委会", "村干部", v, f"201{int(r.integers(2, 8))}-01-01")
    officials: list[str] = list(dict.fromkeys(str(row["person_id"]) for row in b.rows["officials"]))
    # colleagues
    units: dict[str, list[str]] = {}
    for row in b.rows["officials"]:
        units.setdefault(str(_TOWN_OF.get(str(row["jurisdiction_id"]), row["jurisdiction_id"])), []).append(
            str(row["person_id"]))
    for members in units.values():
        members = list(dict.fromkeys(members))
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                if r.random() < 0.3:
                    b.add("ties", src=members[i], dst=members[j], kind="colleague")

    # ------------------------------------------------------------------ gangs and members
    b.add("gangs", id="G01", name="东坝刘家帮", kind="敲诈勒索", village_id="V102")
    b.add("gangs", id="G02", name="柳林河砂帮", kind="非法采砂", village_id="V111")
    b.add("gangs", id="G03", name="夜色赌场团伙", kind="开设赌场", village_id="V101")
    b.add("gangs", id="G04", name="南沟放贷团伙", kind="套路贷", village_id="V122")
    gang_members: dict[str, list[str]] = {}
    unlisted: dict[str, list[str]] = {}

    def member(pid: str, gang: str, role: str, start: str, listed: bool = True) -> None:
        gang_members.setdefault(gang, []).append(pid)
        if listed:
            b.add("members", person_id=pid, gang_id=gang, role=role, start_date=_t(start), end_date=None)
        else:
            unlisted.setdefault(gang, []).append(pid)

    member(c["g1_leader"], "G01", "leader", "2014-05-01")
    member(c["g1_core_brother"], "G01", "core", "2014-05-01")
    member(c["g1_core"], "G01", "core", "2015-03-01")
    member(c["sec_V102"], "G01", "core", "2016-02-01")                 # the Party secretary
    member(c["g1_unlisted_core"], "G01", "core", "2017-01-01", listed=False)
    member(c["g2_leader"], "G02", "leader", "2013-04-01")
    member(c["g2_core"], "G02", "core", "2013-04-01")
    member(c["contractor"], "G02", "core", "2015-06-01")
    member(c["g3_leader"], "G03", "leader", "2015-01-01")
    member(c["g3_core"], "G03", "core", "2015-01-01")
    member(c["g3_core2"], "G03", "core", "2016-06-01")
    member(c["g4_leader"], "G04", "leader", "2017-03-01")
    member(c["g4_core"], "G04", "core", "2017-03-01")
    member(c["g4_peripheral"], "G04", "member", "2019-06-01")
    # foot soldiers: young men, mostly from the gang's own town
    base_town = {"G01": "V10", "G02": "V11", "G03": "V10", "G04": "V12"}
    sizes = {"G01": 7, "G02": 6, "G03": 8, "G04": 3}
    taken = set(officials) | set(c.values())
    for someone in set(officials) | set(c.values()):
        taken |= set(b.household.get(someone, []))
    young = [p for p in adults if 1975 <= b.birth[p].year <= 1999 and p not in taken
             and people.set_index("id").loc[p, "gender"] == "男"]
    for g in ("G01", "G02", "G03", "G04"):
        local = [p for p in young if town_of_person[p] == base_town[g] and p not in taken]
        other = [p for p in young if p not in taken and p not in local]
        for k in range(sizes[g]):
            pool = local if (r.random() < 0.8 and local) else other
            p = pool.pop(int(r.integers(0, len(pool))))
            taken.add(p)
            listed = k < sizes[g] - 2 if g != "G04" else k < sizes[g] - 1
            member(p, g, "member", f"20{int(r.integers(15, 19))}-0{int(r.integers(1, 9))}-01", listed=listed)
    c["g1_unlisted_member"] = unlisted["G01"][1]
    c["g2_unlisted_member"] = unlisted["G02"][0]
    c["unlisted"] = ", ".join(f"{g}: {len(unlisted.get(g, []))}" for g in sorted(gang_members))

    # ------------------------------------------------------------------ companies
    companies = [
        ("C01", "东坝建材经营部", "V102", "建材"),
        ("C02", "柳林砂石有限公司", "V111", "砂石"),
        ("C03", "宏达建筑工程有限公司", "V113", "建筑"),
        ("C04", "金夜色KTV", "V101", "娱乐"),
        ("C05", "汇通小额贷款有限公司", "V101", "借贷"),
        ("C06", "石桥信息咨询服务部", "V121", "借贷"),
        ("C07", "清河建工有限公司", "V101", "建筑"),
        ("C08", "清河惠民超市", "V101", "零售"),
        ("C09", "柳林农机合作社", "V111", "农业"),
        ("C10", "鸿运饭店", "V101", "餐饮"),
        ("C11", "清河物流有限公司", "V103", "运输"),
        ("C12", "马家庄砖厂", "V113", "建材"),
        ("C13", "西岭果品合作社", "V112", "农业"),
        ("C14", "石桥养殖场", "V121", "养殖"),
        ("C15", "江州路桥工程有限公司", "V01", "建筑"),
    ]
    for cid, name, v, sector in companies:
        b.add("companies", id=cid, name=name, village_id=v, sector=sector)
    gang_companies = {"G01": ["C01"], "G02": ["C02", "C03"], "G03": ["C04", "C05"], "G04": ["C06"]}
    b.add("company_roles", person_id=c["g1_core_brother"], company_id="C01", role="owner", share=1.0)
    b.add("company_roles", person_id=c["front_man"], company_id="C02", role="legal_rep", share=0.6)
    b.add("company_roles", person_id=c["g2_core"], company_id="C02", role="shareholder", share=0.4)
    b.add("company_roles", person_id=c["contractor"], company_id="C03", role="owner", share=1.0)
    b.add("company_roles", person_id=c["dong_son"], company_id="C03", role="employee", share=None)
    b.add("company_roles", person_id=c["g3_leader"], company_id="C04", role="owner", share=1.0)
    b.add("company_roles", person_id=c["g3_core"], company_id="C05", role="legal_rep", share=1.0)
    b.add("company_roles", person_id=c["g4_core"], company_id="C06", role="owner", share=1.0)
    b.add("company_roles", person_id=c["businessman"], company_id="C07", role="owner", share=1.0)
    c["fair_contractor_co"] = "C15"
    legit_owners: dict[str, str] = {"C07": c["businessman"]}
    free = [p for p in adults if p not in taken]
    for cid, _, v, _ in companies[7:]:
        if cid in legit_owners:
            continue
        local = [p for p in free if town_of_person[p] == _TOWN_OF.get(v, "V10")] or free
        owner = local[int(r.integers(0, len(local)))]
        free.remove(owner)
        legit_owners[cid] = owner
        b.add("company_roles", person_id=owner, company_id=cid, role="owner", share=1.0)
    # employees (members work for gang companies)
    employees: dict[str, list[str]] = {}
    for g, cos in gang_companies.items():
        for i, p in enumerate(gang_members[g][2:]):
            co = cos[i % len(cos)]
            if p in (c["sec_V102"], c["contractor"]):
                continue
            employees.setdefault(co, []).append(p)
    for cid, *_ in companies:
        for _ in range(int(r.integers(1, 4))):
            p = free[int(r.integers(0, len(free)))]
            employees.setdefault(cid, []).append(p)
    employees.setdefault("C03", []).append(c["dong_son"])
    for cid, emps in employees.items():
        for p in dict.fromkeys(emps):
            if p == c["dong_son"]:
                continue
            b.add("company_roles", person_id=p, company_id=cid, role="employee", share=None)
    b.add("ties", src=c["businessman"], dst=legit_owners["C10"], kind="business")
    b.add("ties", src=c["contractor"], dst=legit_owners["C12"], kind="business")
    b.add("ties", src=c["front_man"], dst=c["g2_leader"], kind="friend")

    # ------------------------------------------------------------------ background money and calls
    ties = pd.DataFrame(b.rows["ties"])
    adult_set = set(adults)
    tie_pairs = [(s, d, k) for s, d, k in ties[["src", "dst", "kind"]].itertuples(index=False)
                 if s in adult_set and d in adult_set]
    memos = [None, None, None, "还款", "红包", "饭钱", "货款", "借款", "随礼", "转账"]
    for s, d, k in tie_pairs:
        n_calls = int(r.poisson(8 if k in ("spouse", "sibling", "parent", "child") else 3))
        for _ in range(n_calls):
            a, z = (s, d) if r.random() < 0.5 else (d, s)
            kind = "call" if r.random() < 0.75 else ("chat" if r.random() < 0.6 else "sms")
            b.contact(a, z, kind, b.when(), count=int(r.integers(1, 4)))
        if r.random() < 0.15:
            b.contact(s, d, "meeting", b.when())
        for _ in range(int(r.poisson(1.5 if k != "spouse" else 3))):
            a, z = (s, d) if r.random() < 0.5 else (d, s)
            amt = float(np.exp(r.normal(6.0, 1.1)))
            b.pay(a, z, amt, b.when(), str(r.choice(["wechat", "alipay", "bank"], p=[0.6, 0.25, 0.15])),
                  memos[int(r.integers(0, len(memos)))])
    # neighbours and strangers in the same town
    for _ in range(500):
        p = adults[int(r.integers(0, len(adults)))]
        pool = [q for q in adults if town_of_person[q] == town_of_person[p] and q != p]
        q = pool[int(r.integers(0, len(pool)))]
        if r.random() < 0.6:
            b.contact(p, q, "call", b.when(), count=1)
        else:
            b.pay(p, q, float(np.exp(r.normal(5.5, 1.0))), b.when(), "wechat", memos[int(r.integers(0, 6))])
    # shopping and dining at companies; payroll
    shops = ["C08", "C10", "C09", "C13", "C01", "C04"]
    for _ in range(350):
        p = adults[int(r.integers(0, len(adults)))]
        co = shops[int(r.integers(0, len(shops)))]
        b.pay(p, co, float(np.exp(r.normal(5.0, 0.8))), b.when(), "wechat", "消费")
    for cid, emps in employees.items():
        for p in dict.fromkeys(emps):
            wage = float(r.integers(30, 70) * 100)
            for m in range(0, 36, 3):  # quarterly wage records (bank statements sampled)
                when = (_T0 + pd.DateOffset(months=m)).normalize() + pd.Timedelta(days=9, hours=10)
                b.pay(cid, p, wage, when, "bank", "工资")

    # officials talk to colleagues and to the cadres of their jurisdiction
    for row in b.rows["officials"]:
        pid = str(row["person_id"])
        peers = [str(x["person_id"]) for x in b.rows["officials"]
                 if x["person_id"] != pid and (_TOWN_OF.get(str(x["jurisdiction_id"]), x["jurisdiction_id"])
                                               == _TOWN_OF.get(str(row["jurisdiction_id"]), row["jurisdiction_id"]))]
        for _ in range(int(r.integers(6, 15))):
            if peers:
                b.contact(pid, peers[int(r.integers(0, len(peers)))], "call", b.when(), count=int(r.integers(1, 3)))

    # ------------------------------------------------------------------ the gangs' life
    for g, mem in gang_members.items():
        leader, cores = mem[0], mem[1:3]
        for p in mem[1:]:
            for _ in range(int(r.poisson(14 if p in cores else 7))):
                boss = leader if r.random() < 0.6 else cores[int(r.integers(0, len(cores)))]
                if boss != p:
                    kind = "call" if r.random() < 0.7 else ("meeting" if r.random() < 0.5 else "chat")
                    b.contact(p, boss, kind, b.when(day=False), count=int(r.integers(1, 4)))
            for _ in range(int(r.poisson(5))):
                b.pay(leader, p, float(r.integers(10, 80) * 100), b.when(), "wechat",
                      str(r.choice(["辛苦费", "红包", "", "生活费"])) or None)
        for co in gang_companies[g]:
            for _ in range(6):
                b.pay(co, leader if co not in ("C02",) else c["front_man"], float(r.integers(5, 40) * 10000),
                      b.when(), "bank", "分红" if co != "C02" else "往来款")

    # ------------------------------------------------------------------ contracts (background)
    legit_builders = ["C07", "C11", "C12", "C15"]
    subjects = ["村道硬化", "排水沟渠", "路灯安装", "小学维修", "垃圾清运", "绿化工程", "党群服务中心修缮", "桥梁维修"]
    for v in _VILLAGE_IDS:
        for _ in range(int(r.integers(2, 4))):
            co = legit_builders[int(r.integers(0, len(legit_builders)))]
            b.contract(v, c[f"head_{v}"], co, float(r.integers(5, 40) * 10000), b.when().normalize(),
                       str(r.choice(subjects)))
    for unit, key in (("清河镇政府", "hub_town_head"), ("柳林镇政府", "ll_town_head"), ("石桥乡政府", "sq_head")):
        for _ in range(3):
            co = legit_builders[int(r.integers(0, len(legit_builders)))]
            when = b.when(_T0, _t("2020-12-01")).normalize()
            b.contract(unit, c[key], co, float(r.integers(20, 150) * 10000), when, str(r.choice(subjects)))
    # gang companies also win fair, open-tender contracts from clean officials
    c["fair_contract"] = b.contract("清河县水利局", c["water_head"], "C03", 1_200_000, "2020-10-15", "清河河堤加固工程")
    b.contract("清河镇政府", c["hub_town_head"], "C01", 86_000, "2019-08-20", "镇敬老院建材采购")

    # ------------------------------------------------------------------ events: raids and more
    raids = [
        ("E01", "raid", "2019-09-12 21:00", "G01", None, "V102"),
        ("E02", "raid", "2020-05-20 23:00", "G01", "C01", "V102"),
        ("E03", "arrest", "2021-03-02 05:00", "G01", c["g1_leader"], "V102"),
        ("E04", "raid", "2019-06-08 22:00", "G03", "C04", "V101"),
        ("E05", "raid", "2019-12-14 23:30", "G03", "C04", "V101"),
        ("E06", "raid", "2020-08-22 01:00", "G03", "C05", "V101"),
        ("E07", "raid", "2021-05-15 22:00", "G03", "C04", "V101"),
        ("E08", "inspection", "2020-03-10 09:00", "G02", "C02", "V111"),
        ("E09", "raid", "2021-04-20 06:00", "G02", "C02", "V111"),
        ("E10", "raid", "2021-07-08 06:00", "G04", "C06", "V122"),
        ("E11", "inspection", "2020-11-05 10:00", None, "C08", "V101"),
    ]
    for eid, kind, when, eg, target, jur in raids:
        b.add("events", id=eid, kind=kind, time=_t(when), gang_id=eg, target_id=target, jurisdiction_id=jur)
    ev_time = {e[0]: _t(e[2]) for e in raids}

    # ================================================================== the stories
    # 1. the Party secretary of 东坝村 is a core member of G01: he meets the leader, the
    #    leader pays him, he collects "protection fees" from villagers with the gang.
    sec = c["sec_V102"]
    for _ in range(20):
        b.contact(sec, c["g1_leader"], "meeting" if r.random() < 0.4 else "call", b.when(day=False),
                  count=int(r.integers(1, 3)))
    for m in range(2, 34, 4):
        b.pay(c["g1_leader"], sec, float(r.integers(8, 20) * 1000),
              _T0 + pd.DateOffset(months=m) + pd.Timedelta(days=3, hours=20), "wechat", "分红")
    b.contract("V102", sec, "C01", 150_000, "2019-05-06", "村委会院墙及建材")
    b.contract("V102", sec, "C01", 220_000, "2020-09-18", "东坝村道路建材")
    # villagers forced to pay the gang
    for _ in range(12):
        p = b.adults["V102"][int(r.integers(0, len(b.adults["V102"])))]
        if p not in taken:
            b.pay(p, "C01", float(r.integers(20, 100) * 100), b.when(), "wechat", "管理费")

    # 2. the contractor (G02 core, owner of 宏达建筑) pays two village heads; their villages'
    #    contracts go to his company; one head's son is on the company payroll.
    steered = [("V103", "head_V103", 380_000, "2019-04-10", "村道硬化工程"),
               ("V103", "head_V103", 220_000, "2020-03-25", "排水渠改造"),
               ("V103", "head_V103", 450_000, "2021-05-12", "文化广场建设"),
               ("V112", "head_V112", 600_000, "2019-07-01", "村委会办公楼"),
               ("V112", "head_V112", 300_000, "2020-10-08", "果园道路")]
    c["steered_contracts"] = ""
    for v, key, amt, when, subj in steered:
        kid = b.contract(v, c[key], "C03", amt, when, subj)
        c["steered_contracts"] += ("" if not c["steered_contracts"] else ",") + kid
        t = _t(when)
        b.pay(c["contractor"], c[key], round(amt * 0.05, -2), t - pd.Timedelta(days=int(r.integers(5, 20))) +
              pd.Timedelta(hours=20), "wechat", "借款")
        b.pay("C03", c[key], round(amt * 0.03, -2), t + pd.Timedelta(days=int(r.integers(10, 40))) +
              pd.Timedelta(hours=11), "bank", "劳务费")
        for _ in range(3):
            b.contact(c[key], c["contractor"], "call", t - pd.Timedelta(days=int(r.integers(1, 30))) +
                      pd.Timedelta(hours=int(r.integers(9, 22))))
        b.contact(c[key], c["contractor"], "meeting", t - pd.Timedelta(days=2) + pd.Timedelta(hours=19))
    for m in range(6, 36, 3):
        b.pay("C03", c["dong_son"], 9000, (_T0 + pd.DateOffset(months=m)).normalize() + pd.Timedelta(days=9, hours=10),
              "bank", "工资")
    for _ in range(6):
        b.contact(c["head_V112"], c["g2_leader"], "meeting", b.when(day=False))

    # 3. the police officer tips off G03 before raids (E04, E05, E06; E07 he was on leave),
    #    meets the leader, and a core member sends him money.
    c["tipoff_events"] = "E04,E05,E06"
    tip_rows = []
    for eid, hours in (("E04", 3), ("E05", 5), ("E06", 2)):
        t = ev_time[eid] - pd.Timedelta(hours=hours) + pd.Timedelta(minutes=int(r.integers(0, 50)))
        b.contact(c["tipoff_cop"], c["g3_leader"], "call", t, duration=float(r.integers(30, 90)))
        # the leader warns his people right after
        for p in gang_members["G03"][1:5]:
            b.contact(c["g3_leader"], p, "call", t + pd.Timedelta(minutes=int(r.integers(5, 40))))
        tip_rows.append((eid, c["tipoff_cop"], "G03"))
    b.contact(c["tipoff_cop"], c["g3_core"], "sms", ev_time["E06"] - pd.Timedelta(hours=1, minutes=20))
    for _ in range(10):
        b.contact(c["tipoff_cop"], c["g3_leader"], "meeting", b.when(day=False))
    for when in ("2019-02-03 20:00", "2020-01-22 21:00", "2021-02-10 20:30"):
        b.pay(c["g3_core"], c["tipoff_cop"], 8800, _t(when), "wechat", "红包")

    # 4. the land-office head's wife receives the sand gang's money through the front man,
    #    who owns the sand company and is fed by the leader.
    wife = c["land_wife"]
    for when, amt in (("2019-03-15 19:00", 50_000), ("2019-10-02 20:00", 30_000), ("2020-02-28 21:00", 80_000),
                      ("2020-09-09 19:30", 50_000), ("2021-03-01 20:00", 60_000)):
        t = _t(when)
        b.pay(c["g2_leader"], c["front_man"], amt * 1.2, t - pd.Timedelta(days=3), "bank", "往来款")
        b.pay(c["front_man"], wife, amt, t, "bank", "借款")
    b.pay("C02", wife, 20_000, _t("2020-06-18 11:00"), "bank", "咨询费")
    for _ in range(5):
        b.contact(c["front_man"], wife, "call", b.when())
    b.contact(c["land_head"], c["front_man"], "meeting", _t("2020-03-08 19:00"))  # two days before E08

    # 5. clean but busy. The town head calls and pays many people, gang members included.
    hub = c["hub_town_head"]
    qh_adults = [p for p in adults if town_of_person[p] == "V10" and p != hub]
    for _ in range(120):
        p = qh_adults[int(r.integers(0, len(qh_adults)))]
        b.contact(hub, p, "call", b.when(), count=int(r.integers(1, 3)))
    for p in (c["g3_leader"], c["sec_V102"], c["g1_leader"]):
        for _ in range(3):
            b.contact(hub, p, "call", b.when())
    for _ in range(45):
        p = qh_adults[int(r.integers(0, len(qh_adults)))]
        b.pay(hub, p, float(r.integers(2, 20) * 100), b.when(), "wechat", str(r.choice(["慰问金", "随礼", "红包"])))
    b.pay(hub, gang_members["G03"][4], 500, _t("2020-01-20 10:00"), "wechat", "慰问金")
    b.contact(hub, c["g3_leader"], "meeting", _t("2019-05-20 15:00"))  # safety talk at the KTV

    # the investigator calls and meets members of G01 and G03 after raids (never before)
    inv = c["investigator"]
    for eid, g in (("E01", "G01"), ("E02", "G01"), ("E03", "G01"), ("E04", "G03"), ("E05", "G03"),
                   ("E06", "G03"), ("E07", "G03")):
        for p in gang_members[g][:6]:
            if r.random() < 0.7:
                t = ev_time[eid] + pd.Timedelta(hours=int(r.integers(10, 24 * 10)))
                b.contact(inv, p, "call" if r.random() < 0.6 else "meeting", t)

    # the deputy township head and his brother (a peripheral G04 member): family calls and
    # Spring Festival money, nothing else
    for _ in range(15):
        b.contact(c["innocent_deputy"], c["g4_peripheral"], "call", b.when(), count=int(r.integers(1, 3)))
    for when in ("2019-02-04 12:00", "2020-01-24 12:00", "2021-02-11 12:00", "2020-07-15 18:00"):
        b.pay(c["innocent_deputy"], c["g4_peripheral"], 2000 if "07" not in when[5:7] else 15000, _t(when),
              "wechat", "红包" if "07" not in when[5:7] else "借款")
    b.pay(c["g4_peripheral"], c["innocent_deputy"], 15000, _t("2021-01-10 18:00"), "wechat", "还款")

    # everyday fees: gang members pay village heads small amounts (permits, water, sanitation)
    for g, head in (("G01", "head_V102"), ("G03", "head_V101")):
        for p in gang_members[g][:5]:
            b.pay(p, c[head], float(r.integers(1, 6) * 100), b.when(), "wechat",
                  str(r.choice(["宅基地手续费", "卫生费", "水费"])))
    # the market regulator inspects the KTV and calls its owner about it
    for t in ("2019-04-11 10:00", "2020-11-05 10:00"):
        b.contact(c["market_chief"], c["g3_leader"], "call", _t(t) - pd.Timedelta(days=1))

    # 6. corruption without a gang: the businessman bribes the construction-office head
    for when, amt in (("2019-06-10", 520_000), ("2020-04-22", 780_000), ("2021-06-30", 430_000)):
        t = _t(when)
        b.contract("清河镇城建办", c["cj_head"], "C07", amt, t, str(r.choice(subjects)))
        b.pay(c["businessman"], c["cj_head"], round(amt * 0.06, -3), t - pd.Timedelta(days=10) + pd.Timedelta(hours=21),
              "wechat", "借款")
        b.contact(c["businessman"], c["cj_head"], "meeting", t - pd.Timedelta(days=12) + pd.Timedelta(hours=19))

    # ------------------------------------------------------------------ leads
    leads = [
        ("L01", "2020-09-03", "12337举报平台", "tipoff_cop", "G03",
         "群众反映清河派出所一民警与夜色KTV老板关系密切，多次查处前KTV提前关门。"),
        ("L02", "2021-01-10", "来信", "land_head", "G02", "反映柳林国土所所长家属收受砂场方面钱款。"),
        ("L03", "2020-11-20", "12337举报平台", "hub_town_head", "G03", "反映清河镇镇长与KTV老板吃饭。"),
        ("L04", "2021-04-02", "公安机关移送", "sec_V102", "G01", "东坝村党支部书记系刘家帮骨干成员。"),
        ("L05", "2021-05-30", "来访", "investigator", "G01", "刘家帮成员家属反映办案民警与涉案人员来往密切。"),
        ("L06", "2021-08-15", "12388举报", "cj_head", None, "反映清河镇城建办主任收受建筑公司老板好处费。"),
        ("L07", "2021-09-01", "来信", "head_V103", "G02", "反映河湾村村委会主任将村里工程发包给宏达建筑。"),
    ]
    for lid, when, source, key, lg, text in leads:
        b.add("leads", id=lid, date=_t(when), source=source, subject_id=c[key], gang_id=lg, text=text)

    # ------------------------------------------------------------------ phones and ID numbers
    people = pd.DataFrame(b.rows["people"])
    people["id_number"] = id_numbers(r, people["birth_date"].to_numpy(dtype="datetime64[D]"),
                                     people["gender"].to_numpy())
    phones = phone_numbers(r, len(people)).astype(object)
    phones[(people["birth_date"].dt.year > 2006).to_numpy()] = None
    people["phone"] = phones
    people = people[["id", "name", "gender", "birth_date", "id_number", "phone", "village_id"]]

    # ------------------------------------------------------------------ truth
    umbrellas = {
        (c["sec_V102"], "G01"): ("member_official", "member;bribe_leader;contract_steered"),
        (c["head_V103"], "G02"): ("umbrella", "bribe_core;bribe_company;contract_steered"),
        (c["head_V112"], "G02"): ("umbrella", "bribe_core;bribe_company;contract_steered;kin_employed;leader_meetings"),
        (c["tipoff_cop"], "G03"): ("umbrella", "tipoff;leader_meetings;bribe_core"),
        (c["land_head"], "G02"): ("umbrella", "bribe_spouse;bribe_front_man;bribe_company"),
    }
    gangs = ["G01", "G02", "G03", "G04"]
    trows = []
    for o in officials:
        for g in gangs:
            if (o, g) in umbrellas:
                role, mech = umbrellas[(o, g)]
                trows.append((o, g, 1, role, mech))
                continue
            role = "none"
            if o == c["investigator"] and g in ("G01", "G03"):
                role = "investigator"
            elif o == c["innocent_deputy"] and g == "G04":
                role = "innocent_relative"
            elif o == hub:
                role = "hub"
            elif o == c["cj_head"]:
                role = "corrupt_non_gang"
            trows.append((o, g, 0, role, ""))
    truth = pd.DataFrame(trows, columns=["official_id", "gang_id", "label", "role", "mechanisms"])
    truth = truth.sort_values(["official_id", "gang_id"]).reset_index(drop=True)
    tipoffs = pd.DataFrame(tip_rows, columns=["event_id", "official_id", "gang_id"])

    labels = pd.DataFrame([(c["sec_V102"], "G01", 1), (c["investigator"], "G01", 0), (hub, "G03", 0)],
                          columns=["official_id", "gang_id", "label"])

    frames: dict[str, pd.DataFrame] = {"people": people}
    for t in ("villages", "officials", "gangs", "members", "companies", "company_roles", "ties",
              "transactions", "contacts", "contracts", "events", "leads"):
        frames[t] = pd.DataFrame(b.rows[t])
    # records in time order, as bank and telecom exports come
    frames["transactions"] = frames["transactions"].sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    frames["transactions"]["id"] = [f"T{i:06d}" for i in range(1, len(frames["transactions"]) + 1)]
    frames["contacts"] = frames["contacts"].sort_values("time", kind="stable").reset_index(drop=True)
    frames["contracts"] = frames["contracts"].sort_values(["date", "id"], kind="stable").reset_index(drop=True)
    k_new = {old: f"K{i:04d}" for i, old in enumerate(frames["contracts"]["id"], start=1)}
    frames["contracts"]["id"] = frames["contracts"]["id"].map(k_new)
    for key in ("steered_contracts", "fair_contract"):
        c[key] = ", ".join(k_new[k] for k in c[key].split(","))
    frames["ties"] = frames["ties"].drop_duplicates(["src", "dst", "kind"]).reset_index(drop=True)
    frames["ties"] = frames["ties"][frames["ties"]["src"] != frames["ties"]["dst"]].reset_index(drop=True)
    frames["labels"] = labels
    # shuffle person ids so that an id says nothing about the story a person plays
    perm = np.random.default_rng(SAMPLE_SEED + 1).permutation(len(people)) + 1
    remap = dict(zip(people["id"], [f"P{i:04d}" for i in perm], strict=True))
    person_cols = {"people": ["id"], "officials": ["person_id"], "members": ["person_id"],
                   "company_roles": ["person_id"], "ties": ["src", "dst"], "transactions": ["src", "dst"],
                   "contacts": ["src", "dst"], "contracts": ["issuer_id", "approver_id"],
                   "events": ["target_id"], "leads": ["subject_id"], "labels": ["official_id"]}
    for t, cols in person_cols.items():
        for col in cols:
            frames[t][col] = frames[t][col].map(lambda v: remap.get(v, v))
    frames["people"] = frames["people"].sort_values("id").reset_index(drop=True)
    truth["official_id"] = truth["official_id"].map(remap)
    truth = truth.sort_values(["official_id", "gang_id"]).reset_index(drop=True)
    tipoffs["official_id"] = tipoffs["official_id"].map(remap)
    cast = {k: remap.get(v, v) for k, v in c.items()}
    return frames, truth, tipoffs, cast


def write_sample(out_dir: str | Path) -> SynthCity:
    """Write the sample case 清河县 to ``out_dir`` and load it back.

    Writes every table of the data contract as UTF-8 CSV, ``truth.csv``,
    ``truth_tipoffs.csv`` and ``README.md`` (stories, cast ids, truth, how to
    regenerate). The output is identical on every run.

    Parameters
    ----------
    out_dir : str or Path
        The folder to write (created if missing; files of the same names replaced).

    Returns
    -------
    SynthCity
        With the validated case, the truth, the labels and the planted tip-offs.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     city = write_sample(folder)
    >>> len(city.case.gang_ids()), int(city.truth["label"].sum())
    (4, 5)
    """
    out = Path(out_dir)
    frames, truth, tipoffs, cast = sample_frames()
    write_tables({**frames, "truth": truth, "truth_tipoffs": tipoffs}, out)
    (out / "README.md").write_text(_readme(frames, truth, cast), encoding="utf-8")
    case = load_written(out)
    return SynthCity(case=case, truth=truth, labels=frames["labels"][["official_id", "gang_id", "label"]],
                     tipoffs=tipoffs, path=out, params={"seed": SAMPLE_SEED, "sample": "qinghe"})
