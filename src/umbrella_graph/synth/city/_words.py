"""Words and draws shared by the generator's phases: place and company words, record
kinds, hour profiles, and the record accumulator :class:`_Parts`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_MIN_PER_DAY = 1440

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
