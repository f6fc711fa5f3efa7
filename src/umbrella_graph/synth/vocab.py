"""How a county writes its exports: the generator's own vocabularies for kind columns and posts.

:func:`~umbrella_graph.synth.generate_city` builds every city with English kind words
(``spouse``, ``raid``, ``call``, ``bank``) and the full official post titles
(``村党支部书记``, ``国土所所长``). Its ``vocabulary`` knob rewrites them at the very end, the
way another county's export would spell them:

``"en"``
    Unchanged (the default; reproduces the historic output exactly).
``"zh"``
    Simplified Chinese kind words (配偶, 突击检查, 抓捕, 通话, 银行转账 ...); posts unchanged.
``"zh_hant"``
    Traditional Chinese: kind words (親屬, 突擊檢查, 銀行轉帳, 通話, 簡訊, 骨幹, 股東 ...) and
    every post title and unit written in traditional characters (鎮黨委書記, 清河鎮派出所).
``"zh_abbrev"``
    Short forms (夫妻, 收网, 电话, 银行) and abbreviated post titles (村支书, 村主任, 治安民警,
    刑警, 建管科长).
``"zh_renamed"``
    Renamed institutions (国土所 -> 自然资源所, 城建办 -> 住建办, 住建局 -> 住房和城乡建设局,
    刑侦大队 -> 刑事侦查大队) with their own kind words (收网行动, 执法检查, 网银转账).
``"zh_mixed"``
    Every record picks one of the four Chinese styles at random (seeded): a city whose
    counties and bureaus each spell things their own way.

The word lists here are deliberately the generator's own data: the scorer keeps its own
vocabularies, so a benchmark over these styles tests whether the scorer understands the
words, not whether it shares a table with the generator. The ``contacts.kind`` and the
``role`` columns are enums of the data contract that the loader maps to their canonical
English values (simplified, traditional and abbreviated spellings alike; see the enums in
docs/data-contract.md), so those columns change only in the written CSV files.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["VOCABULARIES", "KIND_WORDS", "POST_WORDS", "UNIT_WORDS", "to_traditional", "apply_vocabulary"]

#: The values of the ``vocabulary`` knob of :func:`~umbrella_graph.synth.generate_city`.
VOCABULARIES = ("en", "zh", "zh_hant", "zh_abbrev", "zh_renamed", "zh_mixed")

_ZH_STYLES = ("zh", "zh_hant", "zh_abbrev", "zh_renamed")

#: Kind words by style, table and column: English word -> the style's word.
KIND_WORDS: dict[str, dict[tuple[str, str], dict[str, str]]] = {
    "zh": {
        ("ties", "kind"): {"spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姐妹",
                           "kin": "亲属", "in_law": "姻亲", "relative": "亲戚", "friend": "朋友",
                           "classmate": "同学", "colleague": "同事", "business": "生意伙伴"},
        ("events", "kind"): {"raid": "突击检查", "arrest": "抓捕", "inspection": "检查"},
        ("contacts", "kind"): {"call": "通话", "sms": "短信", "meeting": "见面", "chat": "微信聊天"},
        ("transactions", "channel"): {"bank": "银行转账", "wechat": "微信", "alipay": "支付宝", "cash": "现金"},
        ("members", "role"): {"leader": "组织领导者", "core": "骨干成员", "member": "一般成员"},
        ("company_roles", "role"): {"owner": "实际控制人", "legal_rep": "法定代表人", "shareholder": "股东",
                                    "employee": "员工", "director": "董事", "manager": "经理"},
    },
    "zh_hant": {
        ("ties", "kind"): {"spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姊妹",
                           "kin": "親屬", "in_law": "姻親", "relative": "親戚", "friend": "朋友",
                           "classmate": "同學", "colleague": "同事", "business": "生意夥伴"},
        ("events", "kind"): {"raid": "突擊檢查", "arrest": "抓捕", "inspection": "檢查"},
        ("contacts", "kind"): {"call": "通話", "sms": "簡訊", "meeting": "見面", "chat": "聊天"},
        ("transactions", "channel"): {"bank": "銀行轉帳", "wechat": "微信", "alipay": "支付寶", "cash": "現金"},
        ("members", "role"): {"leader": "首要分子", "core": "骨幹", "member": "參加者"},
        ("company_roles", "role"): {"owner": "實際控制人", "legal_rep": "法人代表", "shareholder": "股東",
                                    "employee": "職工", "director": "董事", "manager": "總經理"},
    },
    "zh_abbrev": {
        ("ties", "kind"): {"spouse": "夫妻", "child": "子女", "parent": "父母", "sibling": "兄弟",
                           "kin": "亲属", "in_law": "姻亲", "relative": "亲戚", "friend": "朋友",
                           "classmate": "同学", "colleague": "同事", "business": "合作"},
        ("events", "kind"): {"raid": "收网", "arrest": "抓捕", "inspection": "检查"},
        ("contacts", "kind"): {"call": "电话", "sms": "短信", "meeting": "会面", "chat": "微信"},
        ("transactions", "channel"): {"bank": "银行", "wechat": "微信", "alipay": "支付宝", "cash": "现金"},
        ("members", "role"): {"leader": "头目", "core": "骨干", "member": "成员"},
        ("company_roles", "role"): {"owner": "老板", "legal_rep": "法人", "shareholder": "股东",
                                    "employee": "员工", "director": "董事", "manager": "经理"},
    },
    "zh_renamed": {
        ("ties", "kind"): {"spouse": "配偶", "child": "子女", "parent": "父母", "sibling": "兄弟姐妹",
                           "kin": "近亲属", "in_law": "姻亲", "relative": "其他亲属", "friend": "朋友",
                           "classmate": "同学", "colleague": "同事", "business": "业务往来"},
        ("events", "kind"): {"raid": "收网行动", "arrest": "抓捕", "inspection": "执法检查"},
        ("contacts", "kind"): {"call": "通话", "sms": "短信", "meeting": "见面", "chat": "微信聊天"},
        ("transactions", "channel"): {"bank": "网银转账", "wechat": "微信转账", "alipay": "支付宝转账",
                                      "cash": "现金"},
        ("members", "role"): {"leader": "组织者", "core": "积极参加者", "member": "其他参加者"},
        ("company_roles", "role"): {"owner": "实际控制人", "legal_rep": "法定代表人", "shareholder": "股东",
                                    "employee": "员工", "director": "董事", "manager": "经理"},
    },
}

#: Post titles (``officials.position``) by style: full title -> the style's title.
POST_WORDS: dict[str, dict[str, str]] = {
    "zh_abbrev": {
        "村党支部书记": "村支书", "村委会主任": "村主任", "镇党委书记": "镇委书记", "乡党委书记": "乡委书记",
        "派出所所长": "所长", "国土所所长": "国土所长", "城建办主任": "城建主任", "派出所民警": "治安民警",
        "刑侦大队侦查员": "刑警", "建设管理科科长": "建管科长", "执法大队队长": "执法队长",
        "河道管理站站长": "河道站长", "市场监管科科长": "市监科长", "工程科科长": "工程科长",
    },
    "zh_renamed": {"国土所所长": "自然资源所所长", "城建办主任": "住建办主任"},
}

#: Unit names (``officials.unit``) by style: substring -> replacement, applied in order.
UNIT_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "zh_renamed": (("国土所", "自然资源所"), ("城建办", "住建办"), ("住建局", "住房和城乡建设局"),
                   ("自然资源局", "自然资源和规划局"), ("刑侦大队", "刑事侦查大队")),
}

# Simplified -> traditional for every character of the generator's posts, units and place
# names that differs (a hand-kept table: the generator's own data, not a converter shared
# with the scorer).
_HANT = str.maketrans(
    "党书记会镇长乡国办侦队员设执场监运输资规划区县龙马东兴丰张黄凤云桥岭沟湾坝营岗铺园庄洼枣莲顺华达宁汇广",
    "黨書記會鎮長鄉國辦偵隊員設執場監運輸資規劃區縣龍馬東興豐張黃鳳雲橋嶺溝灣壩營崗鋪園莊窪棗蓮順華達寧匯廣",
)


def to_traditional(text: str) -> str:
    """Write a post title or unit name in traditional characters (the generator's own table).

    Examples
    --------
    >>> to_traditional("清河镇派出所")
    '清河鎮派出所'
    >>> to_traditional("村党支部书记")
    '村黨支部書記'
    """
    return text.translate(_HANT)


def _post(style: str, position: str) -> str:
    if style == "zh_hant":
        return to_traditional(position)
    return POST_WORDS.get(style, {}).get(position, position)


def _unit(style: str, unit: str) -> str:
    if style == "zh_hant":
        return to_traditional(unit)
    for old, new in UNIT_WORDS.get(style, ()):
        unit = unit.replace(old, new)
    return unit


def _map_column(values: pd.Series, styles: np.ndarray, table: str, column: str) -> pd.Series:
    out = values.astype(object).to_numpy(copy=True)
    for style in np.unique(styles):
        words = KIND_WORDS[str(style)].get((table, column))
        if not words:
            continue
        rows = styles == style
        out[rows] = [words.get(v, v) if isinstance(v, str) else v for v in out[rows]]
    return pd.Series(out, index=values.index, dtype=object)


def apply_vocabulary(frames: Mapping[str, pd.DataFrame], style: str, rng: np.random.Generator | None = None
                     ) -> dict[str, pd.DataFrame]:
    """Rewrite the kind columns and post titles of case frames in a county's ``style``.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Case tables with the generator's English kind words and full post titles.
    style : str
        One of :data:`VOCABULARIES`.
    rng : numpy.random.Generator, optional
        Draws the style of every record for ``"zh_mixed"`` (required for that style).

    Returns
    -------
    dict of str to DataFrame
        New frames; only ``ties.kind``, ``events.kind``, ``contacts.kind``,
        ``transactions.channel``, ``members.role``, ``company_roles.role``,
        ``officials.position`` and ``officials.unit`` differ (and ``contracts.issuer_id``
        where it names a unit, spelled as the unit is).

    Examples
    --------
    >>> import pandas as pd
    >>> f = {"events": pd.DataFrame({"id": ["E1", "E2"], "kind": ["raid", "arrest"]})}
    >>> apply_vocabulary(f, "zh")["events"]["kind"].tolist()
    ['突击检查', '抓捕']
    """
    if style not in VOCABULARIES:
        raise ValueError(f"style must be one of {', '.join(VOCABULARIES)}; got {style!r}")
    out = dict(frames)
    if style == "en":
        return out
    if style == "zh_mixed" and rng is None:
        raise ValueError("the zh_mixed style needs a seeded rng")

    def styles_for(n: int) -> np.ndarray:
        if style == "zh_mixed":
            assert rng is not None
            return np.array(_ZH_STYLES, dtype=object)[rng.integers(0, len(_ZH_STYLES), n)]
        return np.full(n, style, dtype=object)

    for table, column in (("ties", "kind"), ("events", "kind"), ("contacts", "kind"),
                          ("transactions", "channel"), ("members", "role"), ("company_roles", "role")):
        if table not in out or column not in out[table].columns:
            continue
        df = out[table].copy()
        df[column] = _map_column(df[column], styles_for(len(df)), table, column)
        out[table] = df
    if "officials" in out:
        # one spelling per unit (a bureau writes its own name one way), shared by the posts
        # of the unit and by the contracts it issues
        df = out["officials"].copy()
        units = sorted(set(df["unit"]))
        unit_style = dict(zip(units, styles_for(len(units)), strict=True))
        unit_name = {u: _unit(str(unit_style[u]), u) for u in units}
        df["position"] = [_post(str(unit_style[u]), p) for u, p in zip(df["unit"], df["position"], strict=True)]
        df["unit"] = df["unit"].map(unit_name)
        out["officials"] = df
        if "contracts" in out:
            c = out["contracts"].copy()
            c["issuer_id"] = [unit_name.get(x, x) for x in c["issuer_id"]]
            out["contracts"] = c
    return out
