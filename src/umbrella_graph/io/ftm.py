"""FollowTheMoney (FtM) entities -> Case.

`FollowTheMoney <https://followthemoney.tech>`_ is the entity model of OpenSanctions
and Aleph: each entity is a JSON object ``{"id", "schema", "properties": {name: [values]}}``,
one per line in ``.ijson`` / ``.jsonl`` files. This reader parses the JSON directly
(no dependency on the ``followthemoney`` package) and maps:

================================================  ======================================
FtM schema                                        case table
================================================  ======================================
Person                                            people
Company, Organization, LegalEntity, PublicBody    companies (``ftm_schema`` column says which)
Payment (payer -> beneficiary)                    transactions (``amountEur``, else ``amount``
                                                  with its ``currency``; ``date``/``startDate``)
Ownership (owner -> asset)                        company_roles, role ``owner``, ``share`` from
                                                  ``percentage``; a company owner gives a tie
                                                  of kind ``owns`` (with ``share``) instead
Directorship (director -> organization)           company_roles, role ``director``
Employment (employee -> employer)                 company_roles, role ``employee``
Family (person -> relative)                       ties, kind ``kin`` (``relationship`` kept)
Associate (person -> associate)                   ties, kind ``associate``
Membership (member -> organization)               ties, kind ``member``
UnknownLink (subject -> object)                   ties, kind ``link``
Address                                           not a record: its ``full`` text becomes the
                                                  ``address`` column of entities citing it
================================================  ======================================

Multi-valued properties are joined with ``"; "``; properties without a contract
column are kept as extra columns under their FtM name. Entities of other schemata are
not read and are counted in ``case.report.notes``. ``_row`` is the entity's line
number in the file (or its position, from 1, for entities given as dicts).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..case import Case, LoadReport
from ..errors import CaseError, Problem
from .graph_tables import EDGE_ENDPOINTS

__all__ = ["load_ftm", "FTM_NODE_TABLES", "FTM_LINKS"]

#: FtM node schemata and their case table.
FTM_NODE_TABLES: dict[str, str] = {
    "Person": "people",
    "Company": "companies",
    "Organization": "companies",
    "LegalEntity": "companies",
    "PublicBody": "companies",
}

#: FtM link schemata: (source property, target property, table, constant columns).
FTM_LINKS: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "Payment": ("payer", "beneficiary", "transactions", {}),
    "Ownership": ("owner", "asset", "company_roles", {"role": "owner"}),
    "Directorship": ("director", "organization", "company_roles", {"role": "director"}),
    "Employment": ("employee", "employer", "company_roles", {"role": "employee"}),
    "Family": ("person", "relative", "ties", {"kind": "kin"}),
    "Associate": ("person", "associate", "ties", {"kind": "associate"}),
    "Membership": ("member", "organization", "ties", {"kind": "member"}),
    "UnknownLink": ("subject", "object", "ties", {"kind": "link"}),
}

_PERSON_PROPS = {"name": "name", "birthDate": "birth_date", "gender": "gender",
                 "idNumber": "id_number", "phone": "phone"}
_COMPANY_PROPS = {"name": "name", "sector": "sector"}


def _iter_entities(source: str | Path | Iterable[Mapping[str, Any]]) -> Iterable[tuple[int, Mapping[str, Any], str]]:
    if isinstance(source, str | Path):
        p = Path(source)
        text = p.read_text(encoding="utf-8-sig")
        stripped = text.lstrip()
        if stripped.startswith("["):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise CaseError([Problem("unreadable_file", "", p.name, None, None, f"<{type(exc).__name__}>",
                                         "a JSON array of FtM entities or one entity per line",
                                         "error")]) from None
            for i, e in enumerate(data, start=1):
                yield i, e, p.name
            return
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield i, json.loads(line), p.name
            except ValueError:
                raise CaseError([Problem("unreadable_file", "", p.name, i, None, "<not JSON>",
                                         "one FtM entity (a JSON object) per line", "error")]) from None
        return
    for i, e in enumerate(source, start=1):
        yield i, e, "<FtM entities>"


def _join(vals: Any) -> str | None:
    if vals is None:
        return None
    if isinstance(vals, str):
        return vals
    vals = [str(v) for v in vals if v is not None and str(v) != ""]
    return "; ".join(dict.fromkeys(vals)) if vals else None


def _first(vals: Any) -> str | None:
    if vals is None:
        return None
    if isinstance(vals, str):
        return vals
    for v in vals:
        if v is not None and str(v) != "":
            return str(v)
    return None


def load_ftm(
    source: str | Path | Iterable[Mapping[str, Any]],
    *,
    lenient: bool = False,
    name: str | None = None,
) -> Case:
    """Load FollowTheMoney entities (a ``.ijson``/``.jsonl`` file, or dicts) as a Case.

    Parameters
    ----------
    source : path or iterable of dict
        One FtM entity per line (or a JSON array), or the entities themselves.
    lenient, name
        As in :func:`~umbrella_graph.load_case`.

    Examples
    --------
    >>> ents = [
    ...     {"id": "p1", "schema": "Person", "properties": {"name": ["Anna Muster"]}},
    ...     {"id": "o1", "schema": "Organization", "properties": {"name": ["Partei X"]}},
    ...     {"id": "pay1", "schema": "Payment", "properties": {"payer": ["p1"], "beneficiary": ["o1"],
    ...      "amountEur": ["60000"], "date": ["2011-12-29"]}},
    ... ]
    >>> case = load_ftm(ents)
    >>> len(case["people"]), len(case["companies"]), float(case["transactions"]["amount"][0])
    (1, 1, 60000.0)
    """
    from ..validate import RawTable, validate_tables

    entities = list(_iter_entities(source))
    report = LoadReport()
    addresses: dict[str, str] = {}
    schema_of: dict[str, str] = {}
    counts: Counter[str] = Counter()
    problems: list[Problem] = []
    files: set[str] = set()
    for line, e, file in entities:
        files.add(file)
        if not isinstance(e, Mapping) or "schema" not in e or "id" not in e:
            problems.append(Problem("bad_entity", "", file, line, None, "<not an FtM entity>",
                                    "an object with 'id', 'schema' and 'properties'",
                                    "skipped" if lenient else "error"))
            continue
        schema_of[str(e["id"])] = str(e["schema"])
        counts[str(e["schema"])] += 1
        if e["schema"] == "Address":
            aprops: Mapping[str, Any] = e.get("properties") or {}
            full = _first(aprops.get("full")) or ", ".join(
                x for x in (_first(aprops.get("street")), _first(aprops.get("city"))) if x)
            addresses[str(e["id"])] = full
    rows: dict[str, list[dict[str, Any]]] = {}
    file_of: dict[str, str] = {}
    for line, e, file in entities:
        if not isinstance(e, Mapping) or "schema" not in e or "id" not in e:
            continue
        schema = str(e["schema"])
        props: Mapping[str, Any] = e.get("properties") or {}
        rec: dict[str, Any] = {"_file": file, "_row": line}
        if schema in FTM_NODE_TABLES:
            table = FTM_NODE_TABLES[schema]
            known = _PERSON_PROPS if table == "people" else _COMPANY_PROPS
            rec["id"] = str(e["id"])
            for prop, col in known.items():
                rec[col] = _first(props.get(prop))
            rec["ftm_schema"] = schema
            for prop, vals in props.items():
                if prop in known:
                    continue
                if prop == "addressEntity":
                    rec["address"] = _join([addresses.get(str(a)) for a in vals]) or rec.get("address")
                    continue
                rec[prop] = _join(vals)
        elif schema in FTM_LINKS:
            s_prop, d_prop, table, const = FTM_LINKS[schema]
            src, dst = _first(props.get(s_prop)), _first(props.get(d_prop))
            if table == "company_roles" and schema_of.get(src or "") not in (None, "Person"):
                table = "ties"
                const = {"kind": "owns" if schema == "Ownership" else schema.lower()}
            ends = EDGE_ENDPOINTS[table]
            if table == "transactions":
                rec["id"] = str(e["id"])
            else:
                rec["ftm_id"] = str(e["id"])
            rec[ends[0]], rec[ends[1]] = src, dst
            rec.update(const)
            if schema == "Payment":
                eur = _first(props.get("amountEur"))
                rec["amount"] = eur if eur is not None else _first(props.get("amount"))
                if eur is None and props.get("currency"):
                    rec["currency"] = _first(props.get("currency"))
                elif eur is not None:
                    rec["currency"] = "EUR"
                rec["date"] = _first(props.get("date")) or _first(props.get("startDate"))
                rec["memo"] = _join(props.get("purpose")) or _join(props.get("summary"))
                used = {"payer", "beneficiary", "amountEur", "date", "purpose", "summary"}
                if eur is None:
                    used |= {"amount", "currency"}
                if not props.get("date"):
                    used.add("startDate")
            else:
                used = {s_prop, d_prop}
                if schema == "Ownership":
                    pct = _first(props.get("percentage"))
                    if pct is not None:
                        rec["share"] = pct if pct.strip().endswith("%") else pct.strip() + "%"
                    used.add("percentage")
            for prop, vals in props.items():
                if prop not in used:
                    rec[prop] = _join(vals)
            rec["ftm_schema"] = schema
        else:
            continue
        rows.setdefault(table, []).append(rec)
        file_of[table] = file
    skipped = {s: n for s, n in counts.items() if s not in FTM_NODE_TABLES and s not in FTM_LINKS}
    for s, n in sorted(skipped.items()):
        report.notes.append(f"{n} {s} entit{'y' if n == 1 else 'ies'} not read as records"
                            + (" (their full text is the address column of the entities citing them)"
                               if s == "Address" else " (schema not mapped)"))
    report.notes.append("FtM entities by schema: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    raw = {t: RawTable(pd.DataFrame(r), file_of[t]) for t, r in rows.items()}
    if "people" not in raw:
        raw["people"] = RawTable(pd.DataFrame({"id": pd.Series([], dtype="string"),
                                               "name": pd.Series([], dtype="string")}),
                                 next(iter(files), "<FtM entities>"))
    if problems and not lenient:
        raise CaseError(problems)
    return validate_tables(raw, lenient=lenient, report=report, name=name, problems=problems)
