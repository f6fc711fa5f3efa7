"""i2 Analyst's Notebook import layout: an entity file, a link file and the import
specification that maps their columns.

Analyst's Notebook imports tabular data through its Import Wizard, which reads one
row per entity or link and needs to be told which column is the identity, the type,
the label, the date and so on; that mapping is the *import specification*. The wizard
saves specifications in its own binary-compatible ``.ximp`` format, which is not
documented publicly, so it is not written here: :func:`write_i2` writes the mapping as
``i2_import_specification.json`` (machine readable) and ``i2_import_specification.txt``
(the wizard's steps, column by column), next to ``i2_entities.csv`` and ``i2_links.csv``.

Both CSV files are UTF-8 with a byte-order mark; every text cell a spreadsheet would run
as a formula is neutralised (a leading ``'``).
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path
from typing import Any

from ..case import Case
from ..errors import ParameterError
from ..graph import CaseGraph
from ._common import export_network, neutralize

__all__ = ["write_i2", "I2_ENTITY_TYPES", "I2_LINK_TYPES"]

logger = logging.getLogger(__name__)

#: Node kind -> Analyst's Notebook entity type (names of the standard icon set).
I2_ENTITY_TYPES: dict[str, str] = {"person": "Person", "company": "Organisation", "gang": "Organisation",
                                   "village": "Location", "unit": "Organisation", "event": "Event",
                                   "lead": "Document"}
#: Edge kind -> Analyst's Notebook link type.
I2_LINK_TYPES: dict[str, str] = {"transaction": "Transaction", "contact": "Communication", "tie": "Associate",
                                 "member": "Member Of", "company_role": "Role In", "post": "Holds Post",
                                 "works_in": "Works In", "contract": "Contract", "approval": "Approved",
                                 "located_in": "Located In", "part_of": "Part Of", "event_gang": "Targets",
                                 "event_target": "Targets", "event_place": "Took Place In",
                                 "lead_subject": "Names", "lead_gang": "Names"}
_DIRECTED = {"transaction", "member", "company_role", "post", "works_in", "contract", "approval",
             "located_in", "part_of", "event_gang", "event_target", "event_place", "lead_subject", "lead_gang"}

_ENTITY_COLS = ["Entity ID", "Entity Type", "Label", "Kind", "Official", "Source File", "Source Row"]
_LINK_COLS = ["Link ID", "From ID", "To ID", "Link Type", "Label", "Direction", "Date", "Time", "Amount",
              "Strength", "Source Table", "Source File", "Source Row"]


def _write(path: Path, header: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if r.get(c) is None else neutralize(r.get(c)) for c in header])


def write_i2(graph: CaseGraph | Case, folder: str | Path) -> dict[str, Path]:
    """Write the case in the i2 Analyst's Notebook import layout.

    Returns the paths by role: ``entities``, ``links``, ``specification`` (JSON) and
    ``instructions`` (text). Entities carry their record's columns after the fixed ones;
    links carry the record's columns (``amount``, ``memo``, ``kind``...) after theirs.

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from umbrella_graph import case_from_frames
    >>> case = case_from_frames(
    ...     people=pd.DataFrame({"id": ["a", "b"], "name": ["=张三", "李四"]}),
    ...     transactions=pd.DataFrame({"src": ["a"], "dst": ["b"], "amount": [5.0],
    ...                                "date": ["2020-01-02 10:30"]}))
    >>> paths = write_i2(case, tempfile.mkdtemp())
    >>> paths["entities"].read_text(encoding="utf-8-sig").splitlines()[1].split(",")[:3]
    ['a', 'Person', "'=张三"]
    """
    if not isinstance(graph, CaseGraph | Case):
        raise ParameterError.invalid("graph", "write_i2", "a CaseGraph or Case", type(graph).__name__)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    G = export_network(graph)
    entities, links = [], []
    e_extra: list[str] = []
    l_extra: list[str] = []
    for n, d in G.nodes(data=True):
        kind = str(d.get("kind"))
        row = {"Entity ID": n, "Entity Type": I2_ENTITY_TYPES.get(kind, "Entity"), "Label": d.get("name") or n,
               "Kind": kind, "Official": "yes" if d.get("official") else "no",
               "Source File": d.get("_file"), "Source Row": d.get("_row")}
        for k, v in d.items():
            if k not in ("kind", "name", "official", "_file", "_row", "_table"):
                row[k] = v
                if k not in e_extra:
                    e_extra.append(k)
        entities.append(row)
    for j, (u, v, d) in enumerate(G.edges(data=True)):
        kind = str(d.get("kind"))
        t = d.get("time") or ""
        row = {"Link ID": f"L{j + 1}", "From ID": u, "To ID": v, "Link Type": I2_LINK_TYPES.get(kind, "Link"),
               "Label": d.get("record_kind") or kind, "Direction": "With" if kind in _DIRECTED else "None",
               "Date": t[:10] or None, "Time": t[11:19] or None, "Amount": d.get("amount"),
               "Strength": d.get("strength"), "Source Table": d.get("table"), "Source File": d.get("_file"),
               "Source Row": d.get("_row")}
        for k, x in d.items():
            if k not in ("kind", "table", "strength", "time", "_file", "_row", "amount", "primary"):
                row[k] = x
                if k not in l_extra:
                    l_extra.append(k)
        links.append(row)
    e_extra = [c for c in e_extra if c not in _ENTITY_COLS]
    l_extra = [c for c in l_extra if c not in _LINK_COLS]
    paths = {"entities": out / "i2_entities.csv", "links": out / "i2_links.csv",
             "specification": out / "i2_import_specification.json",
             "instructions": out / "i2_import_specification.txt"}
    _write(paths["entities"], _ENTITY_COLS + e_extra, entities)
    _write(paths["links"], _LINK_COLS + l_extra, links)
    spec: dict[str, Any] = {
        "format": "umbrella-graph i2 Analyst's Notebook import layout, version 1",
        "encoding": "UTF-8 with byte-order mark; comma separated; first row = column headings",
        "entities": {"file": paths["entities"].name, "identity": "Entity ID", "type": "Entity Type",
                     "label": "Label", "attributes": ["Kind", "Official", "Source File", "Source Row", *e_extra],
                     "types": sorted(set(I2_ENTITY_TYPES.values()) | {"Entity"})},
        "links": {"file": paths["links"].name, "identity": "Link ID", "from_identity": "From ID",
                  "to_identity": "To ID", "type": "Link Type", "label": "Label", "direction": "Direction",
                  "direction_values": {"With": "arrow from From to To", "None": "no arrow"},
                  "date": "Date", "date_format": "yyyy-MM-dd", "time": "Time", "time_format": "HH:mm:ss",
                  "attributes": ["Amount", "Strength", "Source Table", "Source File", "Source Row", *l_extra],
                  "types": sorted(set(I2_LINK_TYPES.values()) | {"Link"})},
        "formula_neutralised": "text cells starting with = + - @ tab or CR carry a leading '",
    }
    paths["specification"].write_text(json.dumps(spec, ensure_ascii=False, indent=2), encoding="utf-8")
    steps = [
        "Importing into i2 Analyst's Notebook (Import Wizard, 'Import data' -> 'New specification')",
        "",
        f"1. Entities: import {paths['entities'].name} with the design 'Entity'.",
        "   Identity <- 'Entity ID'; Entity type <- 'Entity Type' (one of: " + ", ".join(spec["entities"]["types"]) + ");",
        "   Label <- 'Label'; attributes <- " + ", ".join(f"'{c}'" for c in spec["entities"]["attributes"]) + ".",
        f"2. Links: import {paths['links'].name} with the design 'Link only' (ends matched by identity).",
        "   End 1 identity <- 'From ID'; End 2 identity <- 'To ID'; Link type <- 'Link Type'; Label <- 'Label';",
        "   Direction <- 'Direction' (With = arrow End 1 -> End 2, None = no arrow);",
        "   Date <- 'Date' (yyyy-MM-dd); Time <- 'Time' (HH:mm:ss);",
        "   attributes <- " + ", ".join(f"'{c}'" for c in spec["links"]["attributes"]) + ".",
        "3. Save the specification in the wizard to reuse it for the next export of this case.",
        "",
        "Cells starting with = + - @ (formulas in a spreadsheet) carry a leading ' : remove it in the wizard's",
        "column transformation if the original text is wanted.",
    ]
    paths["instructions"].write_text("\n".join(steps) + "\n", encoding="utf-8")
    logger.info("write_i2: %d entities, %d links", len(entities), len(links))
    return paths
