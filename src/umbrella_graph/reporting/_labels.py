"""Human labels for the report's tables and headings, in English or Chinese (``lang``).

Analysis functions return snake_case columns (``official_id``, ``lead_hours``); a review
board reads "Official ID" or "官员编号". :func:`column_label` maps a column to its label in
the report's language; a column without a label is shown with its underscores as spaces.
"""

from __future__ import annotations

from typing import Literal

from ..errors import ParameterError

__all__ = ["LANGS", "Lang", "COLUMN_LABELS", "TEXT", "column_label", "text", "check_lang"]

Lang = Literal["en", "zh"]
LANGS: tuple[str, ...] = ("en", "zh")

#: column -> (English, Chinese)
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "official_id": ("Official ID", "官员编号"),
    "official": ("Official", "官员"),
    "gang_id": ("Gang ID", "团伙编号"),
    "gang": ("Gang", "团伙"),
    "best gang": ("Best-scoring gang", "最高分团伙"),
    "id": ("ID", "编号"),
    "name": ("Name", "姓名"),
    "post": ("Post", "职务"),
    "type": ("Type", "类型"),
    "village": ("Village", "村"),
    "members listed": ("Members listed", "在册成员"),
    "leaders": ("Leaders", "头目"),
    "events": ("Events", "执法事件"),
    "top suspect": ("Top suspect", "首要嫌疑人"),
    "score": ("Score", "评分"),
    "rank": ("Rank", "排名"),
    "event_id": ("Event ID", "事件编号"),
    "event_kind": ("Event", "事件类型"),
    "event_time": ("Event time", "事件时间"),
    "event_dated": ("By day", "按日比较"),
    "event_gang_from": ("Gang from", "团伙依据"),
    "via": ("Via", "经由"),
    "via_person_id": ("Via (person)", "经由人员"),
    "contact_person_id": ("Contacted", "联系对象"),
    "contact_side": ("Contact's role", "对象身份"),
    "family_contact": ("Through family", "亲属联系"),
    "contact_kind": ("Contact", "联系方式"),
    "contact_time": ("Contact time", "联系时间"),
    "contact_dated": ("Contact by day", "联系按日"),
    "lead_hours": ("Hours before", "提前小时"),
    "max_lead_hours": ("Earliest (h before)", "最早(小时前)"),
    "min_lead_hours": ("Latest (h before)", "最晚(小时前)"),
    "file": ("File", "文件"),
    "row": ("Row", "行"),
    "n_relay": ("Relays in gang", "团伙内转告"),
    "relay_expected": ("Relays expected", "预期转告"),
    "n_window": ("Contacts in window", "窗口内联系"),
    "n_baseline": ("Contacts, baseline", "基线联系"),
    "n_follow_up": ("Contacts after", "事后联系"),
    "n_records": ("Records", "记录数"),
    "baseline_hours": ("Baseline (h)", "基线(小时)"),
    "expected": ("Expected", "预期"),
    "p_value": ("p-value", "p值"),
    "surprise": ("Surprise", "异常度"),
    "relay_surprise": ("Relay surprise", "转告异常度"),
    "pattern_score": ("Pattern (several events)", "多次行动规律"),
    "contacts": ("Contacts", "联系人"),
    "evidence": ("Evidence (file:row)", "证据(文件:行)"),
    "lead_id": ("Lead ID", "线索编号"),
    "date": ("Date", "日期"),
    "source": ("Source", "来源"),
    "subject_id": ("Subject ID", "被反映人编号"),
    "subject": ("Subject", "被反映人"),
    "text": ("Text", "内容"),
    "reason": ("Reason", "理由"),
    "priority": ("Priority", "优先级"),
    "support": ("Support", "佐证"),
    "role": ("Role", "角色"),
    "tier": ("Tier", "层级"),
    "person_id": ("Person ID", "人员编号"),
    "node_id": ("Node ID", "节点编号"),
    "kind": ("Kind", "类别"),
    "step": ("Step", "步骤"),
    "lcc_fraction": ("Largest part (share)", "最大连通比例"),
    "strategy": ("Strategy", "策略"),
    "amount": ("Amount (¥)", "金额(元)"),
    "time": ("Time", "时间"),
    "record": ("Record", "记录"),
    "table": ("Table", "表"),
    "link": ("Link", "关系"),
    "detail": ("Detail", "详情"),
    "memo": ("Memo", "备注"),
    "channel": ("Channel", "渠道"),
    "code": ("Problem", "问题"),
    "action": ("Action", "处理"),
    "rows": ("Rows", "行数"),
    "message": ("Message", "说明"),
    "column": ("Column", "列"),
    "value": ("Value", "值"),
    "records": ("Records", "记录数"),
    "nodes": ("Nodes", "节点数"),
    "node kind": ("Node kind", "节点类别"),
    "edge kind": ("Record kind", "记录类别"),
    "present": ("Present", "存在"),
    "confidence": ("Confidence", "置信度"),
    "group": ("Group", "组"),
    "is_official": ("Official?", "是否官员"),
    "matched_gang_id": ("Matched gang", "匹配团伙"),
    "pair_score": ("Pair score", "配对评分"),
    "pair_rank": ("Pair rank", "配对排名"),
    "n_channels": ("Evidence channels", "证据渠道数"),
    "channels": ("Channels", "证据渠道"),
    "n_leads_official": ("Leads on him", "涉及线索"),
    "n_sources_official": ("Sources", "来源数"),
    "removed": ("Removed", "移除"),
    "supervisor": ("Supervisor", "监管人"),
    "signal": ("Signal", "信号"),
    "contribution": ("Contribution", "贡献"),
    "description": ("What it measures", "含义"),
    "responsibility": ("Responsibility", "责任"),
    "start_date": ("From", "起始"),
    "end_date": ("To", "截止"),
    "unit": ("Unit", "单位"),
    "position": ("Position", "职位"),
    "jurisdiction_id": ("Jurisdiction", "辖区"),
}

#: UI strings: key -> (English, Chinese)
TEXT: dict[str, tuple[str, str]] = {
    "brief": ("Brief: top suspects", "要点：主要嫌疑人"),
    "summary": ("Summary", "概况"),
    "gaps": ("Data gaps", "数据缺口"),
    "pairs": ("Suspect pairs", "嫌疑配对"),
    "details": ("Evidence", "证据"),
    "post": ("Post", "职务"),
    "gang": ("Gang", "团伙"),
    "score": ("Score", "评分"),
    "confidence": ("Confidence", "置信度"),
    "group": ("Group", "组"),
    "is_official": ("Official?", "是否官员"),
    "matched_gang_id": ("Matched gang", "匹配团伙"),
    "pair_score": ("Pair score", "配对评分"),
    "pair_rank": ("Pair rank", "配对排名"),
    "n_channels": ("Evidence channels", "证据渠道数"),
    "channels": ("Channels", "证据渠道"),
    "n_leads_official": ("Leads on him", "涉及线索"),
    "n_sources_official": ("Sources", "来源数"),
    "removed": ("Removed", "移除"),
    "supervisor": ("Supervisor", "监管人"),
    "strongest": ("Strongest cited records", "最有力的记录"),
    "alternative": ("What the data cannot rule out", "数据无法排除的解释"),
    "show_rows": ("Show {n} rows", "展开 {n} 行"),
    "network": ("Network", "关系网络"),
    "no_records": ("No record is cited for this pair.", "此配对没有引用记录。"),
    "high": ("high", "高"),
    "medium": ("medium", "中"),
    "low": ("low", "低"),
}


def check_lang(lang: object, where: str) -> str:
    """``lang`` if it is a supported language, else a ParameterError."""
    if lang not in LANGS:
        raise ParameterError.invalid("lang", where, "one of " + ", ".join(repr(x) for x in LANGS), lang)
    return str(lang)


def column_label(column: str, lang: str = "en") -> str:
    """The label of a table column in ``lang``.

    Examples
    --------
    >>> column_label("official_id"), column_label("official_id", "zh"), column_label("n_things")
    ('Official ID', '官员编号', 'n things')
    """
    pair = COLUMN_LABELS.get(column)
    if pair is None:
        return column.replace("_", " ")
    return pair[1] if lang == "zh" else pair[0]


def text(key: str, lang: str = "en", **fmt: object) -> str:
    """A UI string in ``lang`` (``{name}`` fields filled from ``fmt``).

    Examples
    --------
    >>> text("show_rows", "zh", n=12)
    '展开 12 行'
    """
    en, zh = TEXT[key]
    return (zh if lang == "zh" else en).format(**fmt)
