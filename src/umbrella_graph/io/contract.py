"""The data contract as documentation: generated from :mod:`umbrella_graph.schema` and the aliases.

``docs/data-contract.md`` holds three generated sections between markers
(``<!-- contract:columns -->``, ``<!-- contract:enums -->`` and ``<!-- contract:aliases -->``). Regenerate them with::

    .venv/bin/python -m umbrella_graph.io.contract docs/data-contract.md

and a test checks that the file is up to date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ..domain import ENUM_COLUMNS, enum_spellings
from ..parsing.headers import markdown_alias_table
from ..schema import TABLES

__all__ = ["COLUMN_DOCS", "markdown_columns_table", "markdown_enum_table", "update_document"]

#: What every column of the contract means (``table.column`` -> text).
COLUMN_DOCS: dict[str, str] = {
    "people.id": "the person's id in the case (unique across people, companies, gangs, villages, events, leads)",
    "people.name": "full name",
    "people.gender": "as written (男/女, M/F)",
    "people.birth_date": "date of birth",
    "people.id_number": "national ID number (kept as text; never shown in messages)",
    "people.phone": "phone number (kept as text; never shown in messages)",
    "people.village_id": "where the person lives (a villages id)",
    "officials.person_id": "the people id of the post holder",
    "officials.position": "the post (村党支部书记, 派出所所长, ...)",
    "officials.unit": "the government unit (a unit node is made for each distinct value)",
    "officials.rank": "rank or grade",
    "officials.jurisdiction_id": "the village/town/district the post governs",
    "officials.start_date": "start of the post",
    "officials.end_date": "end of the post (empty: still in post)",
    "gangs.id": "the gang's id",
    "gangs.name": "the gang's name as in the case file",
    "gangs.kind": "what the gang does (extortion, gambling, sand mining, ...)",
    "gangs.village_id": "where the gang operates",
    "members.person_id": "the member",
    "members.gang_id": "the gang",
    "members.role": "leader, core or member (头目/骨干/成员, traditional 頭目/骨幹/成員 ... accepted)",
    "members.start_date": "joined",
    "members.end_date": "left",
    "villages.id": "the place's id",
    "villages.name": "its name",
    "villages.parent_id": "the place it belongs to (village -> town -> district -> city)",
    "villages.level": "village, town, district or city (村/镇/区/市, traditional 鎮/鄉/區/縣 ... accepted)",
    "companies.id": "the company's id (a 统一社会信用代码 is fine)",
    "companies.name": "registered name",
    "companies.village_id": "where it is registered",
    "companies.sector": "industry",
    "company_roles.person_id": "the person",
    "company_roles.company_id": "the company",
    "company_roles.role": "owner, legal_rep, director, shareholder, manager or employee (Chinese, simplified or traditional, accepted)",
    "company_roles.share": "ownership share as a fraction (0.3) or a percentage with a sign (30%)",
    "ties.src": "one person or company",
    "ties.dst": "the other",
    "ties.kind": ("spouse, kin, parent, child, sibling, in_law, relative (family; also a \"specific related person\", "
                  "特定关系人 or 情妇, as the bribery law counts one; not sworn brothers 结拜兄弟 nor godchildren 干儿子), "
                  "friend, classmate, colleague, business, ..."),
    "ties.weight": "how strong the tie is (meetings together, calls, a count; bigger = closer); empty: 1",
    "transactions.id": "the bank's serial number; empty: a stable content id `tx-...` is made",
    "transactions.src": "payer (a person or company id)",
    "transactions.dst": "payee (a person or company id)",
    "transactions.amount": "amount in yuan, >= 0",
    "transactions.date": "date and time of the transfer",
    "transactions.channel": "bank, wechat, alipay, cash, ...",
    "transactions.memo": "the transfer's memo (never shown in messages)",
    "contacts.src": "caller / sender / one side of a meeting",
    "contacts.dst": "the other side",
    "contacts.kind": "call, sms, meeting or chat (通话/短信/见面/聊天, traditional 通話/簡訊/見面 ... accepted)",
    "contacts.time": "date and time",
    "contacts.duration_s": "duration in seconds (`330`, `330秒`, `5分30秒`, `00:05:30`; a header 时长(分钟) converts plain numbers)",
    "contacts.count": "number of contacts this row stands for (default 1)",
    "contracts.id": "contract number; empty: a stable content id `ct-...` is made",
    "contracts.issuer_id": "who awarded it: an official's person id, a village id or a unit named in officials.unit",
    "contracts.approver_id": "the official who approved it",
    "contracts.company_id": "the contractor",
    "contracts.amount": "contract value in yuan",
    "contracts.date": "date signed",
    "contracts.subject": "what the contract is for",
    "events.id": "the event's id",
    "events.kind": "raid, arrest, inspection, trial, ...",
    "events.time": "when it happened",
    "events.gang_id": "the gang it targeted (empty: the gang whose side holds the target, `scoring.facts.event_gang_ids`; "
                      "tip-offs are tested before events on a gang only; the load report counts those without)",
    "events.target_id": "the person or company it targeted (names the gang of an event without `gang_id`)",
    "events.jurisdiction_id": "where",
    "leads.id": "the lead's id",
    "leads.date": "when it was received",
    "leads.source": "petition, hotline, referral, ...",
    "leads.subject_id": "the person it names (usually an official)",
    "leads.gang_id": "the gang it names",
    "leads.text": "summary (never shown in messages)",
    "labels.official_id": "the official",
    "labels.gang_id": "the gang (empty: any gang)",
    "labels.label": "1 = confirmed umbrella, 0 = cleared (是/否 accepted)",
}

_TYPE_WORDS = {
    "id": "id (text)", "ref": "id of a {refs}", "str": "text", "enum": "one of {choices}",
    "date": "date", "datetime": "date and time", "amount": "amount",
    "duration": "duration (seconds, or 5分30秒, 00:05:30)", "float": "number",
    "int": "whole number",
}


def markdown_columns_table() -> str:
    """Every table and column of the contract as Markdown."""
    lines = ["| table | column | type | required | meaning |", "|---|---|---|---|---|"]
    for tname, spec in TABLES.items():
        for c in spec.columns:
            typ = _TYPE_WORDS[c.type].format(refs="/".join(c.refs), choices=", ".join(c.choices))
            doc = COLUMN_DOCS.get(f"{tname}.{c.name}", "")
            lines.append(f"| {tname} | {c.name} | {typ} | {'yes' if c.required else ''} | {doc} |")
    return "\n".join(lines) + "\n"


def markdown_enum_table() -> str:
    """The accepted spellings of every enumerated column (the ``enums`` vocabulary of
    :mod:`umbrella_graph.domain`) as Markdown."""
    lines = ["| table | column | value | accepted spellings (traditional and full-width forms too) |",
             "|---|---|---|---|"]
    for tname, cname in ENUM_COLUMNS:
        words = enum_spellings(tname, cname)
        for canon in TABLES[tname].column(cname).choices:
            cell = ", ".join(f"`{w}`" for w, c in words.items() if c == canon and w != canon)
            lines.append(f"| {tname} | {cname} | `{canon}` | {cell} |")
    return "\n".join(lines) + "\n"


def _sections() -> dict[str, str]:
    return {"columns": markdown_columns_table(), "enums": markdown_enum_table(),
            "aliases": markdown_alias_table()}


def update_document(text: str) -> str:
    """Replace the generated sections of ``docs/data-contract.md`` in ``text``."""
    for name, body in _sections().items():
        pat = re.compile(rf"(<!-- contract:{name} -->\n).*?(<!-- /contract:{name} -->)", re.S)

        def repl(m: re.Match[str], body: str = body) -> str:
            return m.group(1) + body + m.group(2)

        text = pat.sub(repl, text)
    return text


if __name__ == "__main__":  # pragma: no cover
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/data-contract.md")
    path.write_text(update_document(path.read_text(encoding="utf-8")), encoding="utf-8")
