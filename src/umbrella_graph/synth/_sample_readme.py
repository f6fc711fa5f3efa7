"""The sample's ``README.md``: the stories and the cast table, filled in from the ids the
script assigned.
"""

from __future__ import annotations

import pandas as pd

from ._sample_builder import SAMPLE_SEED


def _readme(frames: dict[str, pd.DataFrame], truth: pd.DataFrame, c: dict[str, str]) -> str:
    people = frames["people"].set_index("id")["name"]
    posts = frames["officials"].drop_duplicates("person_id").set_index("person_id")

    def who(key: str) -> str:
        pid = c[key]
        post_ = f", {posts.loc[pid, 'unit']} {posts.loc[pid, 'position']}" if pid in posts.index else ""
        return f"`{pid}` {people[pid]}{post_}"

    counts = "\n".join(f"| {t} | {len(df)} |" for t, df in frames.items())
    pos = truth[truth["label"] == 1]
    truth_rows = "\n".join(
        f"| `{r.official_id}` {people[r.official_id]} | {r.gang_id} | {r.label} | {r.role} | {r.mechanisms} |"
        for r in pos.itertuples())
    conf = truth[(truth["label"] == 0) & (truth["role"] != "none")]
    conf_rows = "\n".join(
        f"| `{r.official_id}` {people[r.official_id]} | {r.gang_id} | {r.role} |" for r in conf.itertuples())
    return f"""# 清河县 (Qinghe county): the bundled sample case

A small **fictional** case: the county, its towns and villages, every person, company,
ID number (region code 990101, which does not exist) and phone number (prefix 199) are
invented. It is in the documented data contract (UTF-8 CSV, English headers) and tells
the stories below, all present in the records. Load it with

```bash
.venv/bin/umbrella-graph validate data/samples/qinghe
```

or `umbrella_graph.load_case("data/samples/qinghe")`.

## Regenerate

The files are written by a deterministic script (hand-scripted stories on seeded
background noise, seed {SAMPLE_SEED}); this README is written by the same script, so the
ids below always match the data:

```bash
.venv/bin/python -c "from umbrella_graph.synth.sample import write_sample; write_sample('data/samples/qinghe')"
```

## Tables

| table | rows |
|---|---|
{counts}

Extra files, not part of the case: `truth.csv` (one row per official x gang: `official_id,
gang_id, label, role, mechanisms`) and `truth_tipoffs.csv` (`event_id, official_id,
gang_id`: the planted pre-raid calls). `labels.csv` is the *known* part of the truth that a
supervised model may train on (a conviction and two cleared officials); everything else is
for evaluation only.

The administrative tree: 江州市 `V00` > 清河县 `V01` > towns 清河镇 `V10`, 柳林镇 `V11`,
石桥乡 `V12` > eight villages `V101`-`V122`. Gangs: `G01` 东坝刘家帮 (extortion, 东坝村),
`G02` 柳林河砂帮 (illegal sand mining), `G03` 夜色赌场团伙 (gambling, KTV), `G04` 南沟放贷团伙
(loan sharking). Raids and other enforcement events are `E01`-`E11`, leads `L01`-`L07`,
companies `C01`-`C15` (gang companies: `C01` G01; `C02`, `C03` G02; `C04`, `C05` G03;
`C06` G04).

## The stories

1. **The Party secretary who joined the gang.** {who("sec_V102")} is a listed
   core member of G01 (`members.csv`), a cousin of its leader {who("g1_leader")} (`ties.csv`,
   kin). He meets and calls the leader at night, receives "分红" transfers from him, and
   awarded two village contracts to the gang's building-materials shop `C01`.
2. **The building contractor paying village cadres.** {who("contractor")}, a core member of
   G02 and owner of 宏达建筑 `C03`, pays {who("head_V103")} and {who("head_V112")} (wechat
   "借款" before each contract, company "劳务费" after); their villages' contracts go to
   `C03` ({c["steered_contracts"]}). The second head's son {who("dong_son")} is on `C03`'s
   payroll and the head meets the G02 leader {who("g2_leader")}.
3. **The police officer who tips off the gang.** {who("tipoff_cop")} calls the G03 leader
   {who("g3_leader")} two to five hours before the raids {c["tipoff_events"]} (the leader
   then calls his men); he meets the leader often and receives Spring Festival "红包" from
   the core member {who("g3_core")}. Before the raid E07 there is no call (cash and
   face-to-face leave no record).
4. **The official whose wife takes the money.** {who("land_head")}: his wife
   {who("land_wife")} (`ties.csv`, spouse) receives transfers from the front man (白手套)
   {who("front_man")}, who is **not** a listed member but is the legal representative of the
   gang's sand company `C02` and is fed by the G02 leader; `C02` also pays her a
   "咨询费". He meets the front man two days before the inspection E08.
5. **Clean but busy** (label 0; the roles are in `truth.csv`):
   - the town head {who("hub_town_head")} calls about 120 people and pays dozens
     (慰问金, 随礼), gang members among them, and awards a fair contract to `C01` (role `hub`);
   - the county investigator {who("investigator")} calls and meets G01 and G03 members
     only **after** raids (role `investigator`); a petition (L05) accuses him anyway;
   - the deputy township head {who("innocent_deputy")} is the brother of the peripheral G04
     member {who("g4_peripheral")}: family calls, red envelopes and a loan that was paid back
     (role `innocent_relative`);
   - the water official {who("water_head")} awards a fair open-tender contract
     ({c["fair_contract"]}) to the gang company `C03`;
   - the village heads {who("head_V102")} and {who("head_V101")} receive small fees
     (宅基地手续费, 卫生费) from gang members.
6. **Corruption with no gang.** The businessman {who("businessman")} (清河建工 `C07`, no gang
   ties) bribes {who("cj_head")} for three contracts (role `corrupt_non_gang`, label 0: an
   umbrella score must not simply be a corruption score).

Also realistic gaps: some members are not on the member lists ({c["unlisted"]}; among
them the G01 core member {who("g1_unlisted_core")}); cash bribes leave no record.

## Truth: the umbrella pairs (label 1)

| official | gang | label | role | mechanisms |
|---|---|---|---|---|
{truth_rows}

## Confounders (label 0, role not `none`)

| official | gang | role |
|---|---|---|
{conf_rows}
"""
