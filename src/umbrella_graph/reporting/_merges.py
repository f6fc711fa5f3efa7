"""The report section on merged identities (cases built by :func:`umbrella_graph.ingest.ingest`).

An ingested case's ``people`` table carries ``identities`` (how many source identities
were merged into the person), ``records`` (how many source records name them) and
``source_identities`` (each identity as written, with the record that cites it:
``name [file:row:slot]``). The section lists the merged people, officials first, so
that a reader can see which nodes are merges and of what. Cases without these columns
get no section.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._sections import Section

__all__ = ["merge_sections"]


def merge_sections(case: Any, *, max_rows: int = 200) -> list[Section]:
    """The "Merged identities" section for ``case``, or ``[]`` if it was not ingested.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames
    >>> case = case_from_frames(people=pd.DataFrame({
    ...     "id": ["P1", "P2"], "name": ["张伟", "李芳"], "identities": ["2", "1"], "records": ["7", "1"],
    ...     "source_identities": ["张伟 [户籍.csv:2:person]; ZHANG Wei [bank.csv:9:holder]", "李芳 [户籍.csv:3:person]"]}))
    >>> [s.title for s in merge_sections(case)]
    ['Merged identities']
    """
    people = case["people"]
    if "source_identities" not in people.columns or "identities" not in people.columns:
        return []
    n = pd.to_numeric(people["identities"], errors="coerce").fillna(1).astype(int)
    merged = people[n > 1].assign(_n=n[n > 1])
    officials = set(case.official_ids())
    merged = merged.assign(official=merged["id"].astype(str).isin(officials))
    merged = merged.sort_values(["official", "_n", "id"], ascending=[False, False, True], kind="stable")
    table = pd.DataFrame({"person": merged["id"].astype(str), "name": merged["name"].astype(str),
                          "official": merged["official"].map({True: "yes", False: ""}),
                          "identities": merged["_n"], "records": merged.get("records", ""),
                          "source identities (name as written [file:row:party])": merged["source_identities"]})
    note = (f"{len(merged)} of {len(people)} people are merges of several source identities (officials first). "
            "Each identity is cited by its first record; the match card of every merge and every identity's "
            "identifiers are in _ingest/merges.csv and _ingest/pairs.csv of the case folder.")
    return [Section("Merged identities", [table] if len(table) else ["No person was merged."], note=note,
                    anchor="merged-identities", max_rows=max_rows, group="data")]
