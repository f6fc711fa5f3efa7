"""Header and file-name aliases: how real exports' headers map to the data contract.

This module is data. :data:`TABLE_ALIASES` maps file stems (``人员.csv``,
``交易流水.xlsx``) to case tables; :data:`COLUMN_ALIASES` maps headers, per table, to
canonical column names; :data:`COMMON_ALIASES` holds the few headers that mean the same
in every table that has the column. :data:`UNIT_SCALES` says which unit suffixes in a
header (``金额(万元)``, ``通话时长(分钟)``) scale the column's values.

Headers are compared after :func:`normalise_header`: Unicode NFKC (full-width letters
and brackets become half-width), surrounding whitespace, a trailing ``*`` or ``:``
removed, whitespace removed inside Chinese headers, and English headers lower-cased
with ``camelCase``, spaces, dots and dashes turned into ``_`` (``Person ID`` ->
``person_id``, ``birthDate`` -> ``birth_date``). A header that is already a canonical
column name always maps to itself.

Aliases are per table because the same word means different columns in different
tables: ``时间`` is ``time`` in contacts and events but ``date`` in transactions;
``甲方`` is the issuer of a contract but one side of a tie.

The table in ``docs/data-contract.md`` is generated from this module
(:func:`markdown_alias_table`) and a test checks that it is up to date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..schema import TABLES

__all__ = [
    "TABLE_ALIASES",
    "COMMON_ALIASES",
    "COLUMN_ALIASES",
    "UNIT_SCALES",
    "HARMLESS_UNITS",
    "normalise_header",
    "table_for_stem",
    "resolve_headers",
    "HeaderResolution",
    "accepted_headers",
    "markdown_alias_table",
]

#: File stems (after :func:`normalise_header`) accepted for each table, besides the
#: table's own name.
TABLE_ALIASES: dict[str, str] = {
    # people
    "person": "people", "persons": "people", "人员": "people", "人员信息": "people",
    "人员名单": "people", "人口": "people", "人口信息": "people", "涉案人员": "people",
    # officials
    "official": "officials", "公职人员": "officials", "干部": "officials", "干部任职": "officials",
    "任职": "officials", "任职信息": "officials", "官员": "officials",
    # gangs
    "gang": "gangs", "团伙": "gangs", "黑恶团伙": "gangs", "涉黑涉恶团伙": "gangs",
    "犯罪团伙": "gangs",
    # members
    "member": "members", "团伙成员": "members", "成员": "members",
    # villages
    "village": "villages", "村": "villages", "村庄": "villages", "村居": "villages",
    "行政区划": "villages", "区划": "villages",
    # companies
    "company": "companies", "企业": "companies", "公司": "companies", "企业信息": "companies",
    # company_roles
    "company_role": "company_roles", "企业人员": "company_roles", "企业任职": "company_roles",
    "股东": "company_roles", "股东信息": "company_roles",
    # ties
    "tie": "ties", "关系": "ties", "社会关系": "ties", "亲属关系": "ties", "人员关系": "ties",
    # transactions
    "transaction": "transactions", "交易": "transactions", "交易流水": "transactions",
    "资金流水": "transactions", "银行流水": "transactions", "转账记录": "transactions",
    "流水": "transactions",
    # contacts
    "contact": "contacts", "通联": "contacts", "通联记录": "contacts", "通话记录": "contacts",
    "通讯记录": "contacts", "话单": "contacts",
    # contracts
    "contract": "contracts", "合同": "contracts", "工程合同": "contracts", "项目合同": "contracts",
    # events
    "event": "events", "事件": "events", "执法行动": "events", "打击行动": "events",
    "行动": "events",
    # leads
    "lead": "leads", "线索": "leads", "问题线索": "leads", "举报": "leads", "信访": "leads",
    # labels
    "label": "labels", "标签": "labels", "定性": "labels",
}

#: Headers that mean the same column in every table that has that column.
COMMON_ALIASES: dict[str, str] = {
    "编号": "id", "id号": "id", "identifier": "id",
    "姓名": "name", "名称": "name", "名字": "name", "全称": "name",
    "开始日期": "start_date", "起始日期": "start_date", "start": "start_date", "from_date": "start_date",
    "结束日期": "end_date", "终止日期": "end_date", "end": "end_date", "to_date": "end_date",
    "所在村": "village_id", "村": "village_id", "村编号": "village_id", "village": "village_id",
    "团伙编号": "gang_id", "团伙": "gang_id", "所属团伙": "gang_id", "gang": "gang_id",
    "辖区": "jurisdiction_id", "辖区编号": "jurisdiction_id", "jurisdiction": "jurisdiction_id",
    "金额": "amount",
    "备注": "memo",
}

#: Per-table header aliases (they win over :data:`COMMON_ALIASES`).
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "people": {
        "人员编号": "id", "人员id": "id", "人员代码": "id", "person_id": "id", "person": "id",
        "sex": "gender", "性别": "gender",
        "出生日期": "birth_date", "出生年月": "birth_date", "出生年月日": "birth_date",
        "生日": "birth_date", "dob": "birth_date", "birthday": "birth_date", "birthdate": "birth_date",
        "date_of_birth": "birth_date",
        "身份证号": "id_number", "身份证号码": "id_number", "公民身份号码": "id_number",
        "证件号码": "id_number", "证件号": "id_number", "身份证": "id_number",
        "national_id": "id_number", "id_card": "id_number",
        "手机号": "phone", "手机号码": "phone", "手机": "phone", "电话": "phone",
        "电话号码": "phone", "联系电话": "phone", "联系方式": "phone", "mobile": "phone",
        "tel": "phone", "telephone": "phone", "phone_number": "phone",
        "户籍村": "village_id", "居住村": "village_id",
    },
    "officials": {
        "人员编号": "person_id", "人员id": "person_id", "person": "person_id", "official": "person_id",
        "official_id": "person_id", "公职人员编号": "person_id",
        "职务": "position", "职位": "position", "岗位": "position", "title": "position",
        "单位": "unit", "工作单位": "unit", "所在单位": "unit", "任职单位": "unit",
        "department": "unit", "organisation": "unit", "organization": "unit",
        "职级": "rank", "级别": "rank", "grade": "rank",
        "管辖区域": "jurisdiction_id", "分管区域": "jurisdiction_id", "管辖范围": "jurisdiction_id",
        "任职开始": "start_date", "任职开始日期": "start_date", "任职日期": "start_date",
        "任职时间": "start_date", "到任日期": "start_date",
        "任职结束": "end_date", "任职结束日期": "end_date", "离任日期": "end_date",
        "离任时间": "end_date",
        "现任职务": "position", "职务名称": "position", "任现职时间": "start_date",
        "任职起始时间": "start_date", "任职机构": "unit",
    },
    "gangs": {
        "团伙编号": "id", "gang_id": "id", "团伙名称": "name", "gang_name": "name",
        "类型": "kind", "团伙类型": "kind", "性质": "kind", "type": "kind",
        "活动地": "village_id", "盘踞地": "village_id",
    },
    "members": {
        "人员编号": "person_id", "成员编号": "person_id", "人员id": "person_id", "person": "person_id",
        "member": "person_id", "member_id": "person_id",
        "角色": "role", "地位": "role", "作用": "role", "身份": "role",
        "加入日期": "start_date", "加入时间": "start_date", "退出日期": "end_date",
        "退出时间": "end_date",
        "团伙地位": "role", "团伙角色": "role", "在团伙中的地位": "role", "入伙时间": "start_date",
        "参加时间": "start_date",
    },
    "villages": {
        "区划代码": "id", "行政区划代码": "id", "村名": "name",
        "上级": "parent_id", "上级编号": "parent_id", "上级区划": "parent_id", "parent": "parent_id",
        "级别": "level", "层级": "level", "类型": "level", "type": "level",
    },
    "companies": {
        "企业编号": "id", "公司编号": "id", "统一社会信用代码": "id", "company_id": "id",
        "企业名称": "name", "公司名称": "name", "company_name": "name",
        "行业": "sector", "所属行业": "sector", "industry": "sector",
        "注册地": "village_id", "住所地": "village_id",
    },
    "company_roles": {
        "人员编号": "person_id", "人员id": "person_id", "person": "person_id",
        "企业编号": "company_id", "公司编号": "company_id", "企业": "company_id", "公司": "company_id",
        "company": "company_id",
        "角色": "role", "职务": "role", "身份": "role",
        "持股比例": "share", "股比": "share", "占股": "share", "出资比例": "share",
        "shareholding": "share", "percentage": "share",
    },
    "ties": {
        "人员1": "src", "人员甲": "src", "一方": "src", "甲方": "src", "source": "src",
        "from": "src", "person1": "src", "person_1": "src", "start_id": "src",
        "人员2": "dst", "人员乙": "dst", "另一方": "dst", "乙方": "dst", "对方": "dst",
        "target": "dst", "to": "dst", "person2": "dst", "person_2": "dst", "end_id": "dst",
        "关系": "kind", "关系类型": "kind", "类型": "kind", "type": "kind", "relation": "kind",
        "relationship": "kind",
        "权重": "weight", "强度": "weight", "次数": "weight", "count": "weight", "strength": "weight",
        "本人": "src", "当事人": "src", "关系人": "dst",
        "与本人关系": "kind", "关系类别": "kind", "称谓": "kind", "亲属关系": "kind",
    },
    "transactions": {
        "交易流水号": "id", "流水号": "id", "交易编号": "id", "交易号": "id", "交易id": "id",
        "transaction_id": "id",
        "付款方": "src", "付款人": "src", "转出方": "src", "付款方编号": "src", "汇款人": "src",
        "支付方": "src", "出账方": "src", "payer": "src", "sender": "src", "from": "src",
        "source": "src",
        "收款方": "dst", "收款人": "dst", "转入方": "dst", "收款方编号": "dst", "受益人": "dst",
        "payee": "dst", "beneficiary": "dst", "receiver": "dst", "recipient": "dst", "to": "dst",
        "target": "dst",
        "交易金额": "amount", "转账金额": "amount", "发生额": "amount", "value": "amount",
        "交易时间": "date", "交易日期": "date", "日期": "date", "时间": "date", "转账时间": "date",
        "转账日期": "date", "记账日期": "date", "datetime": "date", "time": "date",
        "timestamp": "date",
        "渠道": "channel", "交易渠道": "channel", "交易方式": "channel", "支付方式": "channel",
        "方式": "channel",
        "摘要": "memo", "附言": "memo", "用途": "memo", "交易摘要": "memo", "remark": "memo",
        "note": "memo", "purpose": "memo", "description": "memo",
        "入账时间": "date", "交易发生时间": "date", "交易附言": "memo",
    },
    "contacts": {
        "主叫": "src", "主叫方": "src", "主叫号码": "src", "发起方": "src", "caller": "src",
        "from": "src", "source": "src",
        "被叫": "dst", "被叫方": "dst", "被叫号码": "dst", "接收方": "dst", "对方": "dst",
        "callee": "dst", "to": "dst", "target": "dst",
        "类型": "kind", "方式": "kind", "通联类型": "kind", "联系类型": "kind", "type": "kind",
        "时间": "time", "通话时间": "time", "联系时间": "time", "开始时间": "time", "日期": "time",
        "通话日期": "time", "date": "time", "datetime": "time", "timestamp": "time",
        "时长": "duration_s", "通话时长": "duration_s", "持续时间": "duration_s",
        "duration": "duration_s", "seconds": "duration_s",
        "次数": "count", "通话次数": "count", "n": "count",
        "通话开始时间": "time", "通话起始时间": "time", "起始时间": "time", "联系日期": "time",
        "联系次数": "count",
    },
    "contracts": {
        "合同编号": "id", "项目编号": "id", "contract_id": "id",
        "发包方": "issuer_id", "发包单位": "issuer_id", "发包人": "issuer_id", "甲方": "issuer_id",
        "签发人": "issuer_id", "issuer": "issuer_id",
        "审批人": "approver_id", "批准人": "approver_id", "approver": "approver_id",
        "承包方": "company_id", "承包单位": "company_id", "中标单位": "company_id",
        "中标企业": "company_id", "乙方": "company_id", "company": "company_id",
        "contractor": "company_id",
        "合同金额": "amount", "中标金额": "amount", "value": "amount",
        "签订日期": "date", "签约日期": "date", "日期": "date", "签订时间": "date",
        "项目名称": "subject", "项目": "subject", "标的": "subject", "内容": "subject",
        "title": "subject",
        "招标人": "issuer_id", "招标单位": "issuer_id", "采购人": "issuer_id", "采购单位": "issuer_id",
        "建设单位": "issuer_id",
        "施工单位": "company_id", "供应商": "company_id", "成交供应商": "company_id",
        "合同价款": "amount", "成交金额": "amount", "项目金额": "amount",
        "中标日期": "date", "成交日期": "date", "合同签订日期": "date",
        "合同名称": "subject", "工程名称": "subject",
    },
    "events": {
        "事件编号": "id", "行动编号": "id", "event_id": "id",
        "类型": "kind", "行动类型": "kind", "事件类型": "kind", "type": "kind",
        "时间": "time", "行动时间": "time", "日期": "time", "date": "time", "datetime": "time",
        "目标团伙": "gang_id",
        "目标": "target_id", "目标人员": "target_id", "对象": "target_id", "target": "target_id",
        "地点": "jurisdiction_id", "区域": "jurisdiction_id",
        "行动日期": "time", "发生时间": "time", "发生日期": "time", "事件时间": "time", "执法时间": "time",
        "涉及团伙": "gang_id", "打击对象团伙": "gang_id", "行动地点": "jurisdiction_id",
    },
    "leads": {
        "线索编号": "id", "lead_id": "id",
        "日期": "date", "收到日期": "date", "受理日期": "date", "时间": "date",
        "来源": "source", "线索来源": "source",
        "被反映人": "subject_id", "反映对象": "subject_id", "涉及人员": "subject_id",
        "对象": "subject_id", "subject": "subject_id",
        "涉及团伙": "gang_id",
        "内容": "text", "线索内容": "text", "摘要": "text", "content": "text",
        "反映内容": "text", "主要问题": "text", "问题描述": "text", "被举报人": "subject_id",
        "受理时间": "date", "收到时间": "date", "登记日期": "date",
    },
    "labels": {
        "公职人员": "official_id", "人员编号": "official_id", "公职人员编号": "official_id",
        "official": "official_id", "person_id": "official_id",
        "标签": "label", "定性": "label", "结论": "label", "结果": "label", "outcome": "label",
        "是否保护伞": "label", "认定结果": "label",
    },
}

#: Unit suffixes in a header, ``金额(万元)``, that scale the column's values, by column.
UNIT_SCALES: dict[str, dict[str, float]] = {
    "amount": {"元": 1.0, "人民币": 1.0, "人民币元": 1.0, "rmb": 1.0, "cny": 1.0, "yuan": 1.0,
               "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8},
    "duration_s": {"秒": 1.0, "s": 1.0, "sec": 1.0, "seconds": 1.0, "分钟": 60.0, "分": 60.0,
                   "min": 60.0, "minutes": 60.0, "小时": 3600.0, "h": 3600.0, "hours": 3600.0},
}
#: Unit suffixes that are simply dropped from a header (they do not change values).
HARMLESS_UNITS = frozenset({"元", "人民币", "rmb", "cny", "yuan", "%"})

_CJK = re.compile(r"[\u3400-\u9fff]")
_UNIT = re.compile(r"^(.*?)\s*\(\s*([^()]*?)\s*\)$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEP = re.compile(r"[\s.\-/]+")


def normalise_header(text: object) -> str:
    """Normalise a header or file stem for comparison with the alias tables.

    Examples
    --------
    >>> normalise_header(" Person ID ")
    'person_id'
    >>> normalise_header("birthDate")
    'birth_date'
    >>> normalise_header("交易 金额（元）*")
    '交易金额(元)'
    """
    t = unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "").strip()
    t = t.rstrip("*:：").strip()
    if _CJK.search(t):
        return re.sub(r"\s+", "", t).lower()
    t = _CAMEL.sub("_", t)
    t = _SEP.sub("_", t.lower()).strip("_")
    return re.sub(r"_+", "_", t)


def _split_unit(norm: str) -> tuple[str, str | None]:
    m = _UNIT.match(norm)
    if not m or not m.group(1):
        return norm, None
    return m.group(1).strip("_"), m.group(2).strip().lower()


def table_for_stem(stem: str) -> str | None:
    """The case table a file stem stands for, or None.

    Examples
    --------
    >>> table_for_stem("交易流水"), table_for_stem("People"), table_for_stem("notes")
    ('transactions', 'people', None)
    """
    n = normalise_header(stem)
    if n in TABLES:
        return n
    return TABLE_ALIASES.get(n)


def _lookup(table: str, base: str) -> str | None:
    cols = TABLES[table].column_names
    if base in cols:
        return base
    hit = COLUMN_ALIASES.get(table, {}).get(base)
    if hit is not None:
        return hit
    hit = COMMON_ALIASES.get(base)
    if hit is not None and hit in cols:
        return hit
    return None


@dataclass
class HeaderResolution:
    """The result of :func:`resolve_headers` for one table.

    Attributes
    ----------
    rename : dict
        Raw header -> column name in the case table (canonical, or the raw header
        stripped, for extra columns).
    scales : dict
        Canonical column -> factor from a unit suffix (``金额(万元)`` -> 10000).
    conflicts : dict
        Column name -> the raw headers that all map to it (an error).
    """

    rename: dict[str, str] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def resolve_headers(
    table: str,
    headers: list[str],
    columns: Mapping[str, Mapping[str, str]] | None = None,
    *,
    use_aliases: bool = True,
) -> HeaderResolution:
    """Map a table's raw headers to column names.

    Parameters
    ----------
    table : str
        The case table.
    headers : list of str
        The headers as found in the file or frame.
    columns : mapping, optional
        The user's mapping ``{table: {header: column}}``; the key ``"*"`` applies to
        every table. Headers are matched as written or normalised. It wins over the
        alias tables.
    use_aliases : bool, default True
        False: only canonical names and the user's mapping are recognised.

    Returns
    -------
    HeaderResolution

    Examples
    --------
    >>> r = resolve_headers("transactions", ["付款方", "收款方", "金额(万元)", "时间", "Payer"],
    ...                     {"transactions": {"Payer": "payer_account"}})
    >>> r.rename["时间"], r.scales, r.rename["Payer"]
    ('date', {'amount': 10000.0}, 'payer_account')
    >>> resolve_headers("contacts", ["时间"]).rename
    {'时间': 'time'}
    >>> resolve_headers("people", ["姓名", "name"]).conflicts
    {'name': ['姓名', 'name']}
    """
    user: dict[str, str] = {}
    for key in ("*", table):
        for k, v in (columns or {}).get(key, {}).items():
            user[str(k).strip()] = v
            user[normalise_header(k)] = v
    res = HeaderResolution()
    for h in headers:
        raw = str(h)
        if raw in ("_file", "_row"):
            res.rename[raw] = raw
            continue
        stripped = raw.replace("\ufeff", "").strip()
        norm = normalise_header(raw)
        target = user.get(stripped) or user.get(norm)
        scale: float | None = None
        if target is None and not use_aliases:
            target = norm if norm in TABLES[table].column_names else None
        elif target is None:
            target = _lookup(table, norm)
            if target is None:
                base, unit = _split_unit(norm)
                canon = _lookup(table, base) if unit is not None else None
                if canon is not None and unit is not None:
                    scales = UNIT_SCALES.get(canon, {})
                    if unit in scales:
                        target, scale = canon, scales[unit]
                    elif unit in HARMLESS_UNITS:
                        target = canon
        if target is None:
            target = stripped
        res.rename[raw] = target
        if scale is not None and scale != 1.0:
            res.scales[target] = scale
    by_target: dict[str, list[str]] = {}
    for raw, target in res.rename.items():
        by_target.setdefault(target, []).append(raw)
    # duplicate raw headers (a list, not a dict key) also conflict
    seen: dict[str, int] = {}
    for h in headers:
        seen[str(h)] = seen.get(str(h), 0) + 1
    for raw, n in seen.items():
        if n > 1:
            by_target.setdefault(res.rename[raw], [])
            by_target[res.rename[raw]] = [raw] * n
    res.conflicts = {t: hs for t, hs in by_target.items() if len(hs) > 1}
    return res


def accepted_headers(table: str, column: str) -> list[str]:
    """Every header accepted for ``column`` of ``table`` (the canonical name first)."""
    out = [column]
    out += [h for h, c in COLUMN_ALIASES.get(table, {}).items() if c == column]
    out += [h for h, c in COMMON_ALIASES.items() if c == column and h not in COLUMN_ALIASES.get(table, {})]
    return out


def markdown_alias_table() -> str:
    """The alias tables as Markdown (the section of ``docs/data-contract.md``)."""
    lines = ["| table | column | accepted headers |", "|---|---|---|"]
    for tname, spec in TABLES.items():
        for c in spec.columns:
            hs = accepted_headers(tname, c.name)
            units = UNIT_SCALES.get(c.name)
            cell = ", ".join(f"`{h}`" for h in hs)
            if units:
                cell += "; unit suffixes: " + ", ".join(f"`({u})` x{f:g}" for u, f in units.items())
            lines.append(f"| {tname} | {c.name} | {cell} |")
    lines.append("")
    lines.append("| file stem | table |")
    lines.append("|---|---|")
    for stem, tname in TABLE_ALIASES.items():
        lines.append(f"| `{stem}` | {tname} |")
    return "\n".join(lines) + "\n"
