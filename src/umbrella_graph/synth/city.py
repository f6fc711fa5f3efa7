"""Synthetic jurisdictions with planted umbrellas: :func:`generate_city`.

The city is built to be as deceptive as real case files:

* an administrative tree (city > districts > towns > villages), households with spouse,
  child, parent and sibling ties, kin across households, friends, classmates, colleagues;
* officials at every level with jurisdictions, units and tenures (village Party
  secretaries and heads, town Party secretaries and heads, deputies, police stations,
  land offices, construction offices, district investigators and regulators);
* gangs with a leader, core members and members recruited mostly locally, each
  controlling one to three companies; legitimate companies; heavy-tailed background
  money, calls, meetings and public contracts; raids and other enforcement events;
* umbrella mechanisms (:data:`~umbrella_graph.synth.MECHANISMS`), a random subset per
  umbrella: bribes from the leader, core members or gang companies, through front men
  (白手套), to the spouse or relatives; contracts steered to gang companies; calls in the
  hours before raids; frequent meetings with the leader; relatives employed by gang
  companies; a village cadre who is himself a member;
* confounders: investigators who call and meet members *after* raids, officials who are
  innocent relatives of a peripheral member, hub town heads who call and pay many people,
  gang companies that win fair contracts from clean officials, small everyday fees,
  businessmen who bribe officials with no gang involved;
* the gaps of police files: incomplete member lists, front men who are not members, a
  share of every evidence channel missing, cash that leaves no record;
* distribution shift (:class:`CityKnobs`, issue 11): amounts scaled, tip-off lead and
  investigator follow-up windows moved, the gang's relay unrecorded, relatives making the
  warning calls, umbrellas with one channel, bribes relayed by outsiders, recorded cash,
  and kind columns and post titles spelled the way other counties write them
  (:mod:`umbrella_graph.synth.vocab`). Each knob changes only what it names: its draws
  come from a second seeded stream, and records it suppresses are drawn and then hidden.

Background activity is drawn in bulk with NumPy (no Python loop per record): 100,000
people with a million transactions and a million contacts take well under a minute.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError, check_seed
from ..validate import case_from_frames
from ._common import MECHANISMS as _MECH_ORDER
from ._common import SynthCity, write_tables
from .names import draw_surnames, id_numbers, person_names, phone_numbers
from .vocab import VOCABULARIES, apply_vocabulary

__all__ = ["generate_city", "CityKnobs", "DIFFICULTIES"]

logger = logging.getLogger(__name__)

_MIN_PER_DAY = 1440


@dataclass(frozen=True)
class CityKnobs:
    """Every tunable of :func:`generate_city` (the difficulty presets set most of them).

    Attributes
    ----------
    start : str
        First day of the observed period.
    years : int
        Length of the observed period.
    tx_per_person, contacts_per_person : float
        Background transactions and contacts per person over the period, as they
        appear in the data (after the missing-data step).
    umbrellas_per_gang : float
        Mean number of umbrellas per gang.
    channels_per_umbrella : float
        Mean number of mechanisms an umbrella uses (at least one).
    intermediary_share : float
        Probability that a bribe goes through a front man, a spouse or a relative
        instead of straight from the gang to the official.
    cash_share : float
        Probability that a bribe is paid in cash (no record at all).
    tipoff_share : float
        Share of a tipping-off umbrella's raids preceded by a warning call.
    front_man_share : float
        Probability that a gang uses front men (白手套) to own its companies.
    unlisted_share, unlisted_core_share : float
        Share of members, and of core members, missing from the member list.
    member_official_share : float
        Probability that a gang has a village cadre among its members.
    missing_share : float
        Share of every evidence channel (transactions, contacts; half of it for ties,
        company roles and contracts) dropped at random, planted evidence included.
    keep_one : bool
        Keep at least one record of every umbrella's planted evidence (easy, medium).
    confounders : float
        Multiplier on the number of confounders (investigators, innocent relatives,
        everyday fees, busy hubs, corrupt officials without a gang).
    corrupt_share : float
        Share of contract-issuing officials bribed by businessmen with no gang.
    lead_share : float
        Probability that an umbrella is named in a lead (petition, hotline tip).

    The knobs below shift the city away from the style the scorer was developed on
    (issue 11); their defaults reproduce the historic output exactly, and each one changes
    only what it names (randomness they need comes from a second seeded stream):

    amount_scale : float
        Every amount (transactions, contracts) multiplied by this (0.1: a poor county,
        10: a rich one); rounded to the fen.
    tipoff_lead_min_h, tipoff_lead_max_h : float
        The warning call comes uniformly between these many hours before the raid
        (default 0.75 to 8 h).
    relay_share : float
        Share of tip-offs whose relay (the warned member calling the others within the
        hour) is in the records; 1 = always (the default), 0 = never.
    tipoff_relative_share : float or None
        Probability that a relative of the umbrella (spouse or adult household member)
        makes the warning call instead of him; None = the historic rule (his spouse, with
        probability ``intermediary_share / 4``).
    followup_min_h, followup_max_h : float
        Investigators call and meet the gang's members uniformly between these many
        hours after each raid (default 4 h to 20 days).
    one_channel_share : float
        Share of umbrellas restricted to one mechanism, with no calls to the payers
        (default 0).
    outsider_share : float
        Probability that a recorded bribe is routed through an intermediary outside the
        gang's side: a legitimate businessman, a relative of one, or an ordinary local who is
        nobody's member (payer -> intermediary, then intermediary -> official or relative);
        default 0.
    cash_recorded_share : float
        Share of cash bribes that leave a record (channel ``cash``, e.g. a seized ledger);
        default 0 (cash leaves no record).
    vocabulary : str
        How the export spells kind columns and post titles, one of
        :data:`~umbrella_graph.synth.vocab.VOCABULARIES` (default ``"en"``: unchanged).
    """

    start: str = "2019-01-01"
    years: int = 3
    tx_per_person: float = 10.0
    contacts_per_person: float = 10.0
    umbrellas_per_gang: float = 3.0
    channels_per_umbrella: float = 2.5
    intermediary_share: float = 0.45
    cash_share: float = 0.2
    tipoff_share: float = 0.7
    front_man_share: float = 0.6
    unlisted_share: float = 0.25
    unlisted_core_share: float = 0.15
    member_official_share: float = 0.35
    missing_share: float = 0.3
    keep_one: bool = True
    confounders: float = 1.0
    corrupt_share: float = 0.05
    lead_share: float = 0.35
    amount_scale: float = 1.0
    tipoff_lead_min_h: float = 0.75
    tipoff_lead_max_h: float = 8.0
    relay_share: float = 1.0
    tipoff_relative_share: float | None = None
    followup_min_h: float = 4.0
    followup_max_h: float = 480.0
    one_channel_share: float = 0.0
    outsider_share: float = 0.0
    cash_recorded_share: float = 0.0
    vocabulary: str = "en"


#: The difficulty presets: what changes between easy, medium and hard.
DIFFICULTIES: dict[str, CityKnobs] = {
    "easy": CityKnobs(channels_per_umbrella=3.5, intermediary_share=0.15, cash_share=0.1, tipoff_share=0.9,
                      front_man_share=0.4, unlisted_share=0.1, unlisted_core_share=0.0, missing_share=0.1,
                      confounders=0.5, lead_share=0.5),
    "medium": CityKnobs(),
    "hard": CityKnobs(channels_per_umbrella=1.8, intermediary_share=0.75, cash_share=0.35, tipoff_share=0.5,
                      front_man_share=0.85, unlisted_share=0.4, unlisted_core_share=0.3, missing_share=0.45,
                      keep_one=False, confounders=2.0, corrupt_share=0.08, lead_share=0.25),
}

# --------------------------------------------------------------------------- vocabulary
_PLACE_A = list("清柳石东西南北马新长安太永兴丰河李王张黄白青龙凤金桃杏桑梨枣松柏竹梅莲荷云山水田溪湖")
_PLACE_B = list("河林桥坝岭沟庄湾塘口坪集店营堡峪川岗寨铺屯洼家园湖山岗圩墩")
_GANG_KINDS = {
    "敲诈勒索": ("建材", "物流"),
    "非法采砂": ("砂石", "建筑"),
    "开设赌场": ("娱乐", "借贷"),
    "套路贷": ("借贷", "信息咨询"),
    "强揽工程": ("建筑", "土方"),
}
_LEGIT_SECTORS = np.array(["零售", "餐饮", "农业", "建筑", "运输", "建材", "养殖", "制造", "医药", "教育培训"])
_BUILD_SECTORS = {"建筑", "建材", "砂石", "土方", "运输", "物流"}
_CO_WORDS = list("宏达鑫源兴旺金盛恒通顺发华泰永利隆昌富民汇丰天成瑞祥广益嘉禾鼎")
_CO_SUFFIX = {"零售": "超市", "餐饮": "饭店", "农业": "农业合作社", "建筑": "建筑工程有限公司", "运输": "运输有限公司",
              "建材": "建材经营部", "养殖": "养殖场", "制造": "制品厂", "医药": "大药房", "教育培训": "培训学校",
              "砂石": "砂石有限公司", "物流": "物流有限公司", "娱乐": "娱乐会所", "借贷": "小额贷款有限公司",
              "信息咨询": "信息咨询服务部", "土方": "土石方工程有限公司"}
_CONTACT_KINDS = np.array(["call", "chat", "sms", "meeting"], dtype=object)
_TX_MEMOS = np.array(["", "", "", "", "转账", "还款", "红包", "饭钱", "借款", "随礼", "货款", "房租"], dtype=object)
_BRIBE_MEMOS = np.array(["借款", "咨询费", "红包", "劳务费", "", "往来款", "礼金"], dtype=object)
_LEAD_SOURCES = np.array(["12337举报平台", "来信", "来访", "12388举报", "公安机关移送", "巡察组移交"], dtype=object)
_LEAD_TEXT = {
    "gang": "群众反映该公职人员与涉黑涉恶团伙成员来往密切。",
    "money": "反映该公职人员或其亲属收受涉黑团伙钱款。",
    "contract": "反映该公职人员将工程发包给涉黑团伙控制的公司。",
    "tipoff": "反映查处前有人通风报信。",
    "corrupt": "反映该公职人员收受企业老板好处费。",
}

# hour-of-day weights: ordinary life, and the gang's night
_HOURS_DAY = np.array([1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 6, 8, 8, 8, 7, 6, 7, 8, 8, 8, 7, 7, 6, 5, 3, 2], dtype=float)
_HOURS_DAY /= _HOURS_DAY.sum()
_HOURS_NIGHT = np.array([4, 3, 2, 1, 1, 1, 1, 1, 2, 3, 3, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 7, 6], dtype=float)
_HOURS_NIGHT /= _HOURS_NIGHT.sum()
_HOURS_EVENING = np.zeros(24)
_HOURS_EVENING[[18, 19, 20, 21, 22]] = [2, 4, 4, 3, 1]
_HOURS_EVENING /= _HOURS_EVENING.sum()


class _Parts:
    """Column chunks of one table, concatenated once at the end."""

    def __init__(self, *cols: str) -> None:
        self.cols = (*cols, "hide", "extra")
        self.chunks: list[dict[str, np.ndarray]] = []
        #: while True, added records are drawn but hidden after the missing-data step
        self.hiding = False
        #: while True, added records come from the shift knobs' own stream and take their
        #: missing-data draws from it too (the main stream's draws stay as they were)
        self.extra = False

    def add(self, **cols: Any) -> None:
        lens = [len(v) for v in cols.values() if v is not None and np.ndim(v) > 0]
        n = max(lens) if lens else 1
        if n == 0 or (lens and min(lens) == 0):
            return
        chunk = {}
        for c in self.cols:
            v = cols.get(c)
            if v is None:
                chunk[c] = (np.full(n, -1, np.int64) if c == "tag" else np.full(n, self.hiding) if c == "hide"
                            else np.full(n, self.extra) if c == "extra" else np.full(n, None, dtype=object))
            else:
                a = np.asarray(v)
                chunk[c] = np.broadcast_to(a, (n,)) if a.ndim == 0 else a
        if self.hiding:
            chunk["hide"] = np.ones(n, dtype=bool)
        self.chunks.append(chunk)

    def frame(self) -> dict[str, np.ndarray]:
        out = {}
        for c in self.cols:
            arrs = [ch[c] for ch in self.chunks]
            if not arrs:
                out[c] = np.array([], dtype=object)
                continue
            kinds = {a.dtype.kind for a in arrs}
            if kinds <= {"i", "u"}:
                out[c] = np.concatenate(arrs).astype(np.int64)
            elif kinds <= {"f", "i", "u"}:
                out[c] = np.concatenate([a.astype(float) for a in arrs])
            else:
                out[c] = np.concatenate([a.astype(object) for a in arrs])
        return out


def _check(params: dict[str, Any]) -> None:
    func = "generate_city"
    for name in ("people", "gangs"):
        v = params[name]
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ParameterError.invalid(name, func, "a whole number", v)
    if params["people"] < 300:
        raise ParameterError.invalid("people", func, "at least 300", params["people"])
    if params["gangs"] < 1 or params["gangs"] > max(1, params["people"] // 60):
        raise ParameterError.invalid("gangs", func, f"between 1 and {max(1, params['people'] // 60)} "
                                     "(about one gang per 60 people at most)", params["gangs"])
    if params["difficulty"] not in DIFFICULTIES:
        raise ParameterError.invalid("difficulty", func, "one of easy, medium, hard", params["difficulty"])
    ls = params["label_share"]
    if isinstance(ls, bool) or not isinstance(ls, (int, float)) or not 0 <= ls <= 1:
        raise ParameterError.invalid("label_share", func, "a number between 0 and 1", ls)
    seed = params["seed"]
    check_seed(seed, func)


def _knobs(difficulty: str, overrides: dict[str, Any]) -> CityKnobs:
    base = DIFFICULTIES[difficulty]
    names = {f.name: f for f in fields(CityKnobs)}
    for k, v in overrides.items():
        if k not in names:
            raise ParameterError.invalid("knobs", "generate_city", "knob names from " + ", ".join(names), k)
        default = getattr(base, k)
        if k == "vocabulary":
            if v not in VOCABULARIES:
                raise ParameterError.invalid(k, "generate_city", "one of " + ", ".join(VOCABULARIES), v)
            continue
        if k == "tipoff_relative_share" and v is None:
            continue
        if k == "tipoff_relative_share":
            default = 0.0
        if isinstance(default, bool):
            if not isinstance(v, bool):
                raise ParameterError.invalid(k, "generate_city", "True or False", v)
        elif isinstance(default, (int, float)):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise ParameterError.invalid(k, "generate_city", "a non-negative number", v)
            if k.endswith("share") and v > 1:
                raise ParameterError.invalid(k, "generate_city", "a share between 0 and 1", v)
        elif not isinstance(v, str):
            raise ParameterError.invalid(k, "generate_city", "a string", v)
    if "start" in overrides:
        try:
            pd.Timestamp(overrides["start"])
        except ValueError:
            raise ParameterError.invalid("start", "generate_city", "a date such as 2019-01-01",
                                         overrides["start"]) from None
    if "years" in overrides and (not isinstance(overrides["years"], int) or overrides["years"] < 1):
        raise ParameterError.invalid("years", "generate_city", "a whole number of years >= 1", overrides["years"])
    if "amount_scale" in overrides and not 0.001 <= overrides["amount_scale"] <= 1000:
        raise ParameterError.invalid("amount_scale", "generate_city", "a factor between 0.001 and 1000",
                                     overrides["amount_scale"])
    out = replace(base, **overrides)
    for lo, hi, what in (("tipoff_lead_min_h", "tipoff_lead_max_h", "hours before the raid"),
                         ("followup_min_h", "followup_max_h", "hours after the raid")):
        a, b = getattr(out, lo), getattr(out, hi)
        if not (a * 60 >= 1 and b * 60 >= a * 60 + 1):
            name = hi if lo not in overrides else lo
            raise ParameterError.invalid(name, "generate_city", f"a range of {what} with {lo} >= 1 minute "
                                         f"and {hi} > {lo}", getattr(out, name))
        if b > 24 * 120:
            raise ParameterError.invalid(hi, "generate_city", f"at most {24 * 120} {what}", b)
    return out


def generate_city(
    out_dir: str | Path | None = None,
    *,
    people: int = 2000,
    gangs: int = 4,
    seed: int = 0,
    difficulty: str = "medium",
    label_share: float = 0.3,
    **knobs: Any,
) -> SynthCity:
    """Generate a synthetic jurisdiction with planted umbrellas and known truth.

    Parameters
    ----------
    out_dir : str or Path, optional
        If given, the case folder is written there (every table of the data contract as
        UTF-8 CSV) with ``truth.csv``, ``truth_tipoffs.csv`` and ``truth_members.csv``.
    people : int, default 2000
        Number of people (at least 300).
    gangs : int, default 4
        Number of gangs.
    seed : int, default 0
        The seed; the same seed and parameters give identical output.
    difficulty : {"easy", "medium", "hard"}
        A preset of the knobs (see :data:`DIFFICULTIES` and :class:`CityKnobs`): more
        intermediaries, fewer channels per umbrella, more unlisted members, more
        missing data and more confounders as it gets harder.
    label_share : float, default 0.3
        Share of the truth pairs (stratified by label) given as ``labels.csv``.
    **knobs
        Any field of :class:`CityKnobs`, overriding the preset; among them the
        distribution-shift knobs (``amount_scale``, the tip-off lead and investigator
        follow-up windows, ``relay_share``, ``tipoff_relative_share``,
        ``one_channel_share``, ``outsider_share``, ``cash_recorded_share``,
        ``vocabulary``), whose defaults reproduce the historic output exactly.

    Returns
    -------
    SynthCity
        ``.case`` (validated; provenance names the files written, or would write),
        ``.truth`` (one row per official x gang with ``label``, ``role``,
        ``mechanisms`` and ``confounders``), ``.labels``, ``.tipoffs`` (planted
        pre-raid calls that survived the missing-data step), ``.members`` (true
        membership incl. unlisted members and front men), ``.intermediaries``
        (outsiders who relayed bribes), ``.path``.

    Examples
    --------
    >>> city = generate_city(people=600, gangs=2, seed=1)
    >>> city.truth.columns.tolist()[:5]
    ['official_id', 'gang_id', 'label', 'role', 'mechanisms']
    >>> bool(city.truth["label"].sum() > 0)
    True
    >>> generate_city(people=600, gangs=2, seed=1).case.equals(city.case)
    True

    The same city written the way another county exports it: Chinese kind words and a
    poorer economy; the planted truth does not change.

    >>> zh = generate_city(people=600, gangs=2, seed=1, vocabulary="zh", amount_scale=0.2)
    >>> sorted(set(zh.case["events"]["kind"]))
    ['抓捕', '检查', '突击检查']
    >>> zh.truth.equals(city.truth)
    True
    """
    params = {"people": people, "gangs": gangs, "seed": seed, "difficulty": difficulty,
              "label_share": label_share}
    _check(params)
    k = _knobs(difficulty, knobs)
    gen = _CityGen(int(people), int(gangs), int(seed), k)
    frames = gen.build()
    if k.vocabulary != "en":
        frames = apply_vocabulary(frames, k.vocabulary, rng=np.random.default_rng([int(seed), 0x566F63]))
    truth, tipoffs, members = gen.truth(), gen.tipoff_truth(), gen.member_truth()
    intermediaries = gen.intermediary_truth()
    labels = _labels(truth, label_share, int(seed))
    frames["labels"] = labels
    files = {t: f"{t}.csv" for t in frames}
    path = None
    if out_dir is not None:
        extra = {"truth": truth, "truth_tipoffs": tipoffs, "truth_members": members}
        if k.outsider_share > 0:
            extra["truth_intermediaries"] = intermediaries
        path = write_tables({**frames, **extra}, out_dir)
    case = case_from_frames(frames, files=files, name=Path(out_dir).name if out_dir is not None else "synth")
    all_params: dict[str, object] = {**params, **asdict(k)}
    return _city(case, truth, labels, tipoffs, members, path, all_params, intermediaries)


def _city(case: Any, truth: pd.DataFrame, labels: pd.DataFrame, tipoffs: pd.DataFrame, members: pd.DataFrame,
          path: Path | None, params: dict[str, object], intermediaries: pd.DataFrame | None = None) -> SynthCity:
    return SynthCity(case=case, truth=truth, labels=labels, tipoffs=tipoffs, path=path, params=params,
                     members=members, intermediaries=intermediaries)


def _labels(truth: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """A label_share sample of the truth, stratified by label, in truth order."""
    rng = np.random.default_rng([seed, 7])
    keep = np.zeros(len(truth), dtype=bool)
    for lab in (0, 1):
        idx = np.flatnonzero(truth["label"].to_numpy() == lab)
        n = int(round(share * len(idx)))
        if n:
            keep[rng.choice(idx, n, replace=False)] = True
    return truth.loc[keep, ["official_id", "gang_id", "label"]].reset_index(drop=True)


# =========================================================================== the generator
class _CityGen:
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
        self.tip_rows: list[tuple[int, int, int, int]] = []  # event, official, gang, contact tag
        self.outsiders: list[tuple[int, int, int, str]] = []  # intermediary, gang, official, kind
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

    # ------------------------------------------------------------------ build
    def build(self) -> dict[str, pd.DataFrame]:
        self._tree()
        self._people()
        self._family_ties()
        self._officials()
        self._companies()
        self._gangs()
        self._social_ties()
        self._background()
        self._gang_life()
        self._events()
        self._umbrellas()
        self._confounders()
        self._leads()
        return self._frames()

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
        self.g_members: list[np.ndarray] = []
        self.g_roles: list[np.ndarray] = []
        self.g_listed: list[np.ndarray] = []
        self.g_front: list[np.ndarray] = []
        self.g_companies: list[list[int]] = []
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
        self.extra_members: list[tuple[int, int, str, bool]] = []  # member officials
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
        self.umb_posts: dict[int, list[int]] = {}
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
        self.steer_days = getattr(self, "steer_days", {})
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
        days = getattr(self, "steer_days", {}).get((o, g))
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
            self.tip_rows.append((int(e), o, g, len(self.ct.chunks) - 1))
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

    # ------------------------------------------------------------------ confounders
    def _confounders(self) -> None:
        r, k, n = self.rng, self.k, self.n
        umb = self.umbrella_people
        fu_lo, fu_hi = int(round(k.followup_min_h * 60)), int(round(k.followup_max_h * 60))
        fu_shift = (fu_lo, fu_hi) != (4 * 60, 20 * _MIN_PER_DAY)
        # 1. investigators: calls and meetings with members after raids, no money
        inv_posts = np.flatnonzero(np.isin(self.post_kind, ["investigator", "police"]) & self.full_post)
        for g in range(self.n_gangs):
            d = self.t_dist[self.g_town[g]]
            local = [p for p in inv_posts if self._post_district(np.array([p]))[0] == d
                     and int(self.post_person[p]) not in umb]
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
        for g in range(self.n_gangs):
            mem = self.g_members[g]
            m = int(len(mem) * 0.6 * k.confounders) + 1
            payer = mem[r.integers(0, len(mem), m)]
            v = self.village[payer]
            options = [cadres[cad_v == x] for x in v]
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
        tip_pos = np.array([chunk_start[c] for *_, c in self.tip_rows], dtype=np.int64)
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

        tx, ct, ties, roles, cons = (sel(tx, keep["tx"]), sel(ct, keep["ct"]), sel(ties, keep["ties"]),
                                     sel(roles, keep["roles"]), sel(cons, keep["cons"]))
        ent = self.ent_ids
        # transactions: time order, ids T...
        t = tx["t"].astype(np.int64)
        t = np.clip(t, 0, self.days * _MIN_PER_DAY - 1)
        order = np.argsort(t, kind="stable")
        m = len(order)
        width = max(7, len(str(m)))
        transactions = pd.DataFrame({
            "id": np.char.add("T", np.char.zfill(np.arange(1, m + 1).astype(str), width)).astype(object),
            "src": ent[tx["src"].astype(np.int64)[order]],
            "dst": ent[tx["dst"].astype(np.int64)[order]],
            "amount": self._scaled(np.maximum(tx["amount"].astype(float)[order], 1.0)),
            "date": (self.t0 + t[order].astype("timedelta64[m]")).astype("datetime64[ns]"),
            "channel": tx["channel"][order],
            "memo": pd.Series(tx["memo"][order], dtype=object).replace("", None).to_numpy(),
        })
        src, dst = tx["src"].astype(np.int64)[order], tx["dst"].astype(np.int64)[order]
        transactions = transactions[src != dst].reset_index(drop=True)
        t = np.clip(ct["t"].astype(np.int64), 0, self.days * _MIN_PER_DAY - 1)
        order = np.argsort(t, kind="stable")
        cs, cd = ct["src"].astype(np.int64)[order], ct["dst"].astype(np.int64)[order]
        contacts = pd.DataFrame({
            "src": ent[cs], "dst": ent[cd], "kind": ct["kind"][order],
            "time": (self.t0 + t[order].astype("timedelta64[m]")).astype("datetime64[ns]"),
            "duration_s": ct["duration_s"].astype(float)[order],
            "count": ct["count"].astype(np.int64)[order],
        })
        contacts = contacts[cs != cd].reset_index(drop=True)
        ts, td = ties["src"].astype(np.int64), ties["dst"].astype(np.int64)
        a, b = np.minimum(ts, td), np.maximum(ts, td)
        tie_df = pd.DataFrame({"a": a, "b": b, "src": ent[ts], "dst": ent[td], "kind": ties["kind"]})
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
            "id": np.char.add("K", np.char.zfill(np.arange(1, q + 1).astype(str), max(5, len(str(q))))).astype(object),
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
        offs = np.unique(self.post_person)
        G = self.n_gangs
        o = np.repeat(offs, G)
        g = np.tile(np.arange(G), len(offs))
        role = np.array([self.pair_role.get((int(a), int(b)), self.official_role.get(int(a), "none"))
                         for a, b in zip(o, g, strict=True)], dtype=object)
        mech = np.array([";".join(x for x in _MECH_ORDER if x in self.pair_mech.get((int(a), int(b)), set()))
                         for a, b in zip(o, g, strict=True)], dtype=object)
        conf = np.array([";".join(sorted(self.pair_conf.get((int(a), int(b)), set())
                                         | ({self.official_role[int(a)]} if int(a) in self.official_role else set())))
                         for a, b in zip(o, g, strict=True)], dtype=object)
        label = np.isin(role, ["umbrella", "member_official"]).astype(np.int64)
        df = pd.DataFrame({"official_id": self.person_ids[o], "gang_id": self.g_ids[g], "label": label,
                           "role": role, "mechanisms": mech, "confounders": conf})
        return df.sort_values(["official_id", "gang_id"]).reset_index(drop=True)

    def tipoff_truth(self) -> pd.DataFrame:
        rows = [(self.ev_ids[e], self.person_ids[o], self.g_ids[g])
                for (e, o, g, _), kept in zip(self.tip_rows, self.tip_kept, strict=True) if kept]
        return pd.DataFrame(rows, columns=["event_id", "official_id", "gang_id"]).sort_values(
            ["event_id", "official_id"]).reset_index(drop=True)

    def intermediary_truth(self) -> pd.DataFrame:
        """Intermediaries outside the gang's side who relayed bribes (``outsider_share``)."""
        rows = sorted({(self.person_ids[x], self.g_ids[g], self.person_ids[o], kind)
                       for x, g, o, kind in self.outsiders})
        return pd.DataFrame(rows, columns=["person_id", "gang_id", "official_id", "kind"])

    def member_truth(self) -> pd.DataFrame:
        return self._true_members.sort_values(["gang_id", "person_id"]).reset_index(drop=True)


