"""FollowTheMoney (FtM) entities <-> Case, through the ``followthemoney`` library.

`FollowTheMoney <https://followthemoney.tech>`_ is the entity model of OpenSanctions
and Aleph: each entity is ``{"id", "schema", "properties": {name: [values]}}``, one per
line in ``.ijson`` / ``.jsonl`` files. Reading uses followthemoney itself: every entity
becomes an :class:`followthemoney.proxy.EntityProxy` of the library's model (values
cleaned by their property type), and the *fragments* that ``ftm map`` emits (several
partial entities with one id) are merged with :meth:`EntityProxy.merge`, exactly as
``ftm aggregate`` does (:func:`aggregate_ftm`), so raw mapping output loads as is.

How schemata become case tables is decided by the FtM model, not by a list of names:

=====================================================  ==================================
FtM schema (or any schema that extends it)             case table
=====================================================  ==================================
Person                                                 people
any other non-edge Thing (LegalEntity, Company,        companies (``ftm_schema`` says which)
Organization, PublicBody, Vessel, ...)
Payment (its edge: payer -> beneficiary)               transactions (``amountEur``, else
                                                       ``amount`` with its ``currency``;
                                                       ``date``, else ``startDate``)
Ownership, Directorship, Employment with a Person at   company_roles, role ``owner`` /
the source                                             ``director`` / ``employee``
Ownership with a company at the source                 ties, kind ``owns``
Family / Associate / Membership / UnknownLink          ties, kind ``kin`` / ``associate`` /
                                                       ``member`` / ``link``
any other edge schema (Representation, Succession...)  ties, kind = schema name, lower case
Address                                                not a record: its ``full`` text is the
                                                       ``address`` column of the entities
                                                       citing it, the entity itself is kept
                                                       in their ``ftm_addresses`` column
=====================================================  ==================================

Nothing is truncated. An edge whose source or target property holds several values
(two fragments merged, a mutual holding) gives one record per source x target value
(pairs of an entity with itself are left out when an end holds several values, so that
a merged cross-holding A<->B gives A->B and B->A, not A->A). Every FtM property is kept as
a column of its own (named like the property; ``ftm_<name>`` where the property's name is
a contract column, e.g. ``ftm_name``), a single value as text, several as a JSON list;
the contract columns (``name``, ``amount``, ``date``, ``share``...) are read from them.
Ownership shares become numbers (``share``, a fraction: ``"50"`` and ``"50%"`` are 0.5).
``ftm_id`` holds the entity id of each link record.

:func:`to_ftm` writes a case back as entities (proxies of the same model): records read
from FtM come back as the entities they were read from, other records are mapped from
their contract columns (people -> Person, companies -> Company, transactions -> Payment,
company roles -> Ownership / Directorship / Employment, ties -> Family / Associate /
UnknownLink). ``_row`` is the entity's line number in the file (the first fragment's),
or its position from 1 for entities given as objects.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import product
from pathlib import Path
from typing import Any

import pandas as pd
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from ..case import Case, LoadReport
from ..errors import CaseError, Problem
from ..schema import KIN_TIES, TABLES
from .graph_tables import EDGE_ENDPOINTS

__all__ = ["load_ftm", "aggregate_ftm", "to_ftm", "write_ftm", "parse_share", "FTM_ROLE_SCHEMATA",
           "FTM_TIE_KINDS"]

logger = logging.getLogger(__name__)

#: Edge schemata that are company roles when their source is a person: schema -> role.
FTM_ROLE_SCHEMATA: dict[str, str] = {"Ownership": "owner", "Directorship": "director", "Employment": "employee"}
#: Tie kinds of edge schemata (others: the schema name in lower case).
FTM_TIE_KINDS: dict[str, str] = {"Ownership": "owns", "Family": "kin", "Associate": "associate",
                                 "Membership": "member", "UnknownLink": "link"}
#: Columns the loader derives (readable address text, payment currency): FtM properties of
#: those names are kept as ``ftm_<name>``.
_DERIVED = ("address", "currency", "ftm_id", "ftm_schema", "ftm_addresses")
_NODE_PROPS = {"people": {"name": "name", "birth_date": "birthDate", "gender": "gender",
                          "id_number": "idNumber", "phone": "phone"},
               "companies": {"name": "name", "sector": "sector"}}


def _enc(values: list[str]) -> str | None:
    """A property's values as one cell: the value, or a JSON list when there are several."""
    if not values:
        return None
    return values[0] if len(values) == 1 else json.dumps(values, ensure_ascii=False)


def _dec(cell: Any) -> list[str]:
    """The values of a cell written by :func:`_enc` (or any scalar)."""
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return []
    if isinstance(cell, list | tuple):
        return [str(v) for v in cell]
    text = str(cell)
    if text.startswith("[") and text.endswith("]"):
        try:
            vals = json.loads(text)
        except ValueError:
            return [text]
        if isinstance(vals, list) and all(isinstance(v, str) for v in vals):
            return vals
    return [text]


def parse_share(value: Any) -> float | None:
    """An ownership share as a fraction: ``"50"``, ``"50%"``, ``"50,5 %"`` -> 0.5, 0.5, 0.505.

    Values above 1 (or written with ``%``) are percentages; values in [0, 1] without ``%``
    are taken as fractions already. Returns None for text that is not a share.

    Examples
    --------
    >>> parse_share("100%"), parse_share("8.6"), parse_share("0.25"), parse_share("n/a")
    (1.0, 0.086, 0.25, None)
    """
    if value is None:
        return None
    text = str(value).strip().replace("\u00a0", " ")
    pct = text.endswith("%")
    text = text.rstrip("%").strip().replace(",", ".")
    try:
        x = float(text)
    except ValueError:
        return None
    if not math.isfinite(x) or x < 0:
        return None
    if pct or x > 1:
        x = x / 100.0
    return x if x <= 1.0 + 1e-12 else None


def _iter_raw(source: str | Path | Iterable[Any]) -> Iterable[tuple[int, Any, str]]:
    if isinstance(source, str | Path):
        p = Path(source)
        text = p.read_text(encoding="utf-8-sig")
        if text.lstrip().startswith("["):
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


def _aggregate(source: str | Path | Iterable[Any], lenient: bool,
               problems: list[Problem]) -> tuple[dict[str, EntityProxy], dict[str, tuple[str, int]], Counter[str]]:
    proxies: dict[str, EntityProxy] = {}
    where: dict[str, tuple[str, int]] = {}
    fragments: Counter[str] = Counter()
    for line, e, file in _iter_raw(source):
        try:
            if isinstance(e, EntityProxy):
                proxy = model.get_proxy(e.to_dict(), cleaned=True)
            elif isinstance(e, Mapping) and e.get("id") and e.get("schema"):
                proxy = model.get_proxy({"id": e["id"], "schema": e["schema"],
                                         "properties": dict(e.get("properties") or {})}, cleaned=False)
            else:
                raise InvalidData("not an entity")
        except InvalidData:
            problems.append(Problem("bad_entity", "", file, line, None, "<not an FtM entity>",
                                    "an object with 'id', a 'schema' of the FtM model and 'properties'",
                                    "skipped" if lenient else "error"))
            continue
        assert proxy.id is not None
        fragments[proxy.id] += 1
        if proxy.id in proxies:
            try:
                proxies[proxy.id].merge(proxy)
            except InvalidData:
                problems.append(Problem("ftm_conflict", "", file, line, None, f"<{proxy.schema.name}>",
                                        f"a fragment of the same schema family as the first fragment of this id "
                                        f"(line {where[proxy.id][1]}: {proxies[proxy.id].schema.name})",
                                        "skipped" if lenient else "error"))
        else:
            proxies[proxy.id] = proxy
            where[proxy.id] = (file, line)
    return proxies, where, fragments


def aggregate_ftm(source: str | Path | Iterable[Any]) -> list[EntityProxy]:
    """Merge FtM entity fragments with the same id (as ``ftm aggregate`` does).

    Fragments are merged in input order with followthemoney's
    :meth:`~followthemoney.proxy.EntityProxy.merge` (the narrower schema wins, values of
    every property are united); entities come out in the order their id first appears.

    Examples
    --------
    >>> ents = aggregate_ftm([
    ...     {"id": "x", "schema": "LegalEntity", "properties": {"name": ["ACME"]}},
    ...     {"id": "x", "schema": "Company", "properties": {"name": ["ACME GmbH"]}}])
    >>> [(e.schema.name, sorted(e.get("name"))) for e in ents]
    [('Company', ['ACME', 'ACME GmbH'])]
    """
    problems: list[Problem] = []
    proxies, _, _ = _aggregate(source, False, problems)
    if problems:
        raise CaseError(problems)
    return list(proxies.values())


def _prop_column(prop: str, table: str) -> str:
    """The column of FtM property ``prop``: its name, or ``ftm_<name>`` where the name (or its
    snake_case form, which the header matching would map) is a contract column."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", prop).lower()
    names = (*TABLES[table].column_names, *_DERIVED)
    return f"ftm_{prop}" if prop in names or snake in names or prop.startswith("_") else prop


def _props_to_columns(proxy: EntityProxy, table: str, skip: Iterable[str] = ()) -> dict[str, Any]:
    skipped = set(skip)
    return {_prop_column(p, table): _enc(vals) for p, vals in proxy.properties.items() if p not in skipped}


def _full_date(values: list[str]) -> str | None:
    v = values[0] if values else None
    return v if v is not None and len(v) >= 10 else None


def _link_table(schema: Schema, src_schema: Schema | None) -> tuple[str, dict[str, str]]:
    if schema.is_a("Payment"):
        return "transactions", {}
    role = next((r for s, r in FTM_ROLE_SCHEMATA.items() if schema.is_a(s)), None)
    if role is not None and (src_schema is None or src_schema.is_a("Person")):
        return "company_roles", {"role": role}
    kind = next((k for s, k in FTM_TIE_KINDS.items() if schema.is_a(s)), schema.name.lower())
    return "ties", {"kind": kind}


def load_ftm(
    source: str | Path | Iterable[Mapping[str, Any] | EntityProxy],
    *,
    lenient: bool = False,
    name: str | None = None,
) -> Case:
    """Load FollowTheMoney entities (a ``.ijson``/``.jsonl`` file, dicts or proxies) as a Case.

    Fragments (the raw output of ``ftm map``) are merged first (:func:`aggregate_ftm`).

    Parameters
    ----------
    source : path or iterable of dict or EntityProxy
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

    problems: list[Problem] = []
    proxies, where, fragments = _aggregate(source, lenient, problems)
    if problems and not lenient:
        raise CaseError(problems)
    report = LoadReport()
    files = {f for f, _ in where.values()}
    addresses = {i: p for i, p in proxies.items() if p.schema.is_a("Address")}
    rows: dict[str, list[dict[str, Any]]] = {}
    counts: Counter[str] = Counter()
    unread: Counter[str] = Counter()
    cited: set[str] = set()
    self_pairs = 0
    for eid, proxy in proxies.items():
        schema = proxy.schema
        counts[schema.name] += 1
        file, line = where[eid]
        rec: dict[str, Any] = {"_file": file, "_row": line}
        if schema.is_a("Address"):
            continue
        if schema.edge and schema.edge_source and schema.edge_target:
            srcs, dsts = proxy.get(schema.edge_source), proxy.get(schema.edge_target)
            src_schema = proxies[srcs[0]].schema if srcs and srcs[0] in proxies else None
            table, const = _link_table(schema, src_schema)
            ends = EDGE_ENDPOINTS[table]
            extra = _props_to_columns(proxy, table, skip=(schema.edge_source, schema.edge_target))
            props = proxy.properties
            if table == "transactions":
                eur = props.get("amountEur")
                none: list[str | None] = [None]
                extra["amount"] = (eur or props.get("amount") or none)[0]
                extra["currency"] = "EUR" if eur else (props.get("currency") or none)[0]
                extra["date"] = (props.get("date") or props.get("startDate") or none)[0]
                memo = props.get("purpose") or props.get("summary")
                extra["memo"] = "; ".join(memo) if memo else None
            elif schema.is_a("Ownership"):
                pct = props.get("percentage") or []
                share = parse_share(pct[0]) if len(pct) == 1 else None
                extra["share"] = share
                if pct and share is None:
                    report.notes.append(f"Ownership {eid}: share {'values' if len(pct) > 1 else 'value'} "
                                        f"{pct!r} not read as one number (kept in 'percentage')")
            if not srcs or not dsts:
                problems.append(Problem("missing_link_end", table, file, line,
                                        ends[0] if not srcs else ends[1], "<empty>",
                                        f"a {schema.name} with its {schema.edge_source} and {schema.edge_target}",
                                        "skipped" if lenient else "error"))
                continue
            pairs = list(product(srcs, dsts))
            if len(pairs) > 1:
                n0 = len(pairs)
                pairs = [(s, d) for s, d in pairs if s != d]
                self_pairs += n0 - len(pairs)
            for k, (s, d) in enumerate(pairs):
                r = {**rec, **extra, **const, ends[0]: s, ends[1]: d, "ftm_id": eid, "ftm_schema": schema.name}
                if table == "transactions":
                    r["id"] = eid if len(pairs) == 1 else f"{eid}/{k + 1}"
                rows.setdefault(table, []).append(r)
        elif schema.is_a("Thing"):
            table = "people" if schema.is_a("Person") else "companies"
            rec["id"] = eid
            for col, prop in _NODE_PROPS[table].items():
                vals = proxy.get(prop, quiet=True)
                rec[col] = _full_date(vals) if col == "birth_date" else (vals[0] if vals else None)
            if table == "people" and rec["name"] is None:
                rec["name"] = proxy.caption
            rec["ftm_schema"] = schema.name
            rec.update(_props_to_columns(proxy, table))
            addr_ids = proxy.get("addressEntity", quiet=True)
            if addr_ids:
                cited.update(addr_ids)
                found = [addresses[a] for a in addr_ids if a in addresses]
                full = [(a.get("full") or [", ".join(x for x in (a.first("street"), a.first("city")) if x)])[0]
                        for a in found]
                rec["address"] = "; ".join(f for f in full if f) or None
                rec["ftm_addresses"] = json.dumps([a.to_dict() for a in found], ensure_ascii=False,
                                                  sort_keys=True) if found else None
            rows.setdefault(table, []).append(rec)
        else:
            unread[schema.name] += 1
    uncited = [a for a in addresses if a not in cited]
    n_frag = sum(fragments.values())
    if n_frag > len(proxies):
        report.notes.append(f"{n_frag} FtM fragments merged into {len(proxies)} entities "
                            f"({sum(1 for v in fragments.values() if v > 1)} ids had several fragments)")
    if self_pairs:
        report.notes.append(f"{self_pairs} pair(s) of an entity with itself left out of multi-valued link ends")
    if addresses:
        report.notes.append(f"{len(addresses)} Address entities not read as records (their full text is the address "
                            f"column of the entities citing them, the entities themselves their ftm_addresses column)"
                            + (f"; {len(uncited)} cited by no entity are not kept" if uncited else ""))
    for s, n in sorted(unread.items()):
        report.notes.append(f"{n} {s} entit{'y' if n == 1 else 'ies'} not read as records (schema not mapped)")
    report.notes.append("FtM entities by schema: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    if problems and not lenient:
        raise CaseError(problems)
    raw = {t: RawTable(_sorted_columns(pd.DataFrame(r)), str(r[0]["_file"])) for t, r in rows.items()}
    if "people" not in raw:
        raw["people"] = RawTable(pd.DataFrame({"id": pd.Series([], dtype="string"),
                                               "name": pd.Series([], dtype="string")}),
                                 next(iter(sorted(files)), "<FtM entities>"))
    return validate_tables(raw, lenient=lenient, report=report, name=name, problems=problems, aliases=False)


def _sorted_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Columns in a fixed order whatever the order of the entities' properties: the derived
    ones, then the FtM property columns by name."""
    first = [c for c in ("id", "src", "dst", "person_id", "company_id", "name", "role", "kind", "amount",
                         "currency", "date", "memo", "share", "address", "ftm_id", "ftm_schema",
                         "ftm_addresses") if c in df.columns]
    rest = sorted(c for c in df.columns if c not in first and c not in ("_file", "_row"))
    return df[[*first, *rest, "_file", "_row"]]


# -- writing ------------------------------------------------------------------------------------
_ROLE_SCHEMA = {"owner": "Ownership", "shareholder": "Ownership", "director": "Directorship",
                "legal_rep": "Directorship", "manager": "Directorship", "employee": "Employment"}


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _text(v: Any) -> str:
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _fill_from_columns(proxy: EntityProxy, rec: Mapping[str, Any], table: str, skip: Iterable[str] = ()) -> None:
    """Add the FtM properties stored as columns (``prop`` or ``ftm_prop``)."""
    skipped = set(skip)
    for prop in proxy.schema.properties.values():
        if prop.stub or prop.name in skipped:
            continue
        col = _prop_column(prop.name, table)
        if col in rec and not _missing(rec[col]):
            proxy.add(prop.name, _dec(rec[col]), cleaned=True)


def _node_entity(rec: Mapping[str, Any], table: str) -> tuple[EntityProxy, list[EntityProxy]]:
    schema = str(rec.get("ftm_schema") or ("Person" if table == "people" else "Company"))
    if model.get(schema) is None:
        schema = "Person" if table == "people" else "Company"
    proxy = model.make_entity(schema)
    proxy.id = str(rec["id"])
    _fill_from_columns(proxy, rec, table)
    for col, prop in _NODE_PROPS[table].items():
        if not proxy.has(prop, quiet=True) and col in rec and not _missing(rec[col]):
            # phone numbers without a country code are read as dialled in China
            proxy.add(prop, _text(rec[col]), quiet=True, format="cn" if prop == "phone" else None)
            if not proxy.has(prop, quiet=True):
                logger.warning("to_ftm: a %s value of a %s record is not a valid FtM %s and is not written",
                               col, table, prop)
    found = []
    cell = rec.get("ftm_addresses")
    if not _missing(cell):
        found = [model.get_proxy(d) for d in json.loads(str(cell))]
    elif not proxy.has("address", quiet=True) and not _missing(rec.get("address")):
        proxy.add("address", str(rec["address"]), quiet=True)
    return proxy, found


def to_ftm(case: Case) -> list[EntityProxy]:
    """The case as FollowTheMoney entities (proxies of the followthemoney model).

    People become Person, companies Company (or their ``ftm_schema``), transactions
    Payment, company roles Ownership (owners, shareholders and any role with a share) /
    Directorship / Employment (the role kept in ``role``), ties Family (kin ties) /
    Associate (other kinds) / the edge schema they were read from. Records read by
    :func:`load_ftm` come back as the entities they were read from (link records of one
    entity are joined again). Other tables (officials, gangs, contacts, events...) have
    no FtM counterpart here and are not written (logged).

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a"], "name": ["张三"]}),
    ...     companies=pd.DataFrame({"id": ["c"], "name": ["某公司"]}),
    ...     company_roles=pd.DataFrame({"person_id": ["a"], "company_id": ["c"], "role": ["owner"],
    ...                                 "share": [0.6]}))
    >>> [(e.schema.name, e.first("percentage", quiet=True) or e.first("name")) for e in to_ftm(case)]
    [('Person', '张三'), ('Company', '某公司'), ('Ownership', '60')]
    """
    out: dict[str, EntityProxy] = {}
    extra_addresses: dict[str, EntityProxy] = {}
    for table in ("people", "companies"):
        if not case.has(table):
            continue
        for rec in case[table].to_dict("records"):
            proxy, addrs = _node_entity(rec, table)
            for a in addrs:
                if a.id is not None:
                    extra_addresses.setdefault(a.id, a)
            assert proxy.id is not None
            out[proxy.id] = proxy
    for table in ("transactions", "company_roles", "ties"):
        if not case.has(table):
            continue
        ends = EDGE_ENDPOINTS[table]
        for i, rec in enumerate(case[table].to_dict("records")):
            eid = rec.get("ftm_id")
            schema_name = rec.get("ftm_schema")
            if _missing(schema_name) or model.get(str(schema_name)) is None:
                if table == "transactions":
                    schema_name = "Payment"
                elif table == "company_roles":  # a role with a share is also a holding
                    schema_name = ("Ownership" if not _missing(rec.get("share"))
                                   else _ROLE_SCHEMA.get(str(rec.get("role")), "UnknownLink"))
                else:
                    schema_name = "Family" if str(rec.get("kind")) in KIN_TIES else "Associate"
            schema = model.get(str(schema_name))
            assert schema is not None
            if _missing(eid):
                eid = str(rec["id"]) if table == "transactions" and not _missing(rec.get("id")) else \
                    f"{table}-{rec.get('_file')}-{rec.get('_row')}-{i}"
            eid = str(eid)
            found = out.get(eid)
            if found is not None:
                proxy = found
            else:
                proxy = model.make_entity(schema)
                proxy.id = eid
                _fill_from_columns(proxy, rec, table, skip=(schema.edge_source or "", schema.edge_target or ""))
                _native_link_props(proxy, rec, table)
                out[eid] = proxy
            s, d = rec[ends[0]], rec[ends[1]]
            proxy.add(schema.edge_source or "", str(s), cleaned=True)
            proxy.add(schema.edge_target or "", str(d), cleaned=True)
    for aid, a in extra_addresses.items():
        out.setdefault(aid, a)
    left = [t for t in ("officials", "gangs", "members", "villages", "contacts", "contracts", "events", "leads")
            if case.has(t) and len(case[t])]
    if left:
        logger.info("to_ftm: tables without an FtM mapping not written: %s", ", ".join(left))
    return list(out.values())


def _native_link_props(proxy: EntityProxy, rec: Mapping[str, Any], table: str) -> None:
    """Properties of a link record that did not come from FtM, from its contract columns."""
    has = proxy.has
    if table == "transactions":
        if not has("amount") and not has("amountEur") and not _missing(rec.get("amount")):
            if str(rec.get("currency") or "") == "EUR":
                proxy.add("amountEur", _text(rec["amount"]))
            else:
                proxy.add("amount", _text(rec["amount"]))
                if not _missing(rec.get("currency")) and not has("currency"):
                    proxy.add("currency", str(rec["currency"]))
        if not has("date") and not has("startDate") and not _missing(rec.get("date")):
            proxy.add("date", _text(rec["date"]))
        if not has("purpose") and not has("summary") and not _missing(rec.get("memo")):
            proxy.add("purpose", str(rec["memo"]))
    elif proxy.schema.is_a("Ownership") and not has("percentage") and not _missing(rec.get("share")):
        proxy.add("percentage", _text(round(float(rec["share"]) * 100, 10)))
    if table == "company_roles" and "role" in proxy.schema.properties \
            and not has("role") and not _missing(rec.get("role")):
        proxy.add("role", str(rec["role"]))
    if table == "ties" and not _missing(rec.get("kind")) and "relationship" in proxy.schema.properties \
            and not has("relationship"):
        proxy.add("relationship", str(rec["kind"]))


def write_ftm(case: Case, path: str | Path) -> Path:
    """Write :func:`to_ftm` of the case as one JSON entity per line (``.ijson``/``.jsonl``)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8") as f:
        for e in to_ftm(case):
            f.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    return p
