"""The validated case: typed tables with provenance.

A :class:`Case` is what every loader returns and what every graph is built from. Its
tables follow :data:`umbrella_graph.schema.TABLES`: canonical column names, typed
columns (ids as strings, dates as ``datetime64``, amounts as ``float64``), extra columns
kept as they came, and two provenance columns on every table:

``_file``
    the file the row came from (``"<DataFrame people>"`` for frames);
``_row``
    its spreadsheet row number (the header is row 1, so the first record is row 2).

Evidence cites records by ``(_file, _row)`` and, where the table has one, by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem
from .schema import TABLES

__all__ = ["Case", "LoadReport", "PROVENANCE", "empty_table"]

#: The provenance columns every case table carries.
PROVENANCE = ("_file", "_row")

_DTYPES = {
    "id": "string",
    "ref": "string",
    "str": "string",
    "enum": "string",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
    "amount": "float64",
    "duration": "float64",
    "float": "float64",
    "int": "Int64",
}


def empty_table(name: str) -> pd.DataFrame:
    """An empty, correctly typed frame for table ``name``."""
    spec = TABLES[name]
    cols: dict[str, pd.Series] = {
        c.name: pd.Series([], dtype=_DTYPES[c.type]) for c in spec.columns  # type: ignore[call-overload]
    }
    cols["_file"] = pd.Series([], dtype="string")
    cols["_row"] = pd.Series([], dtype="int64")
    return pd.DataFrame(cols)


def column_dtype(type_: str) -> str:
    """The pandas dtype used for a column of schema type ``type_``."""
    return _DTYPES[type_]


@dataclass
class LoadReport:
    """What a load did: files read, rows kept, and every row skipped or repaired.

    In strict mode (the default) :attr:`problems` is empty, since any problem raises
    :class:`~umbrella_graph.errors.CaseError`. In lenient mode it lists every skipped
    or repaired row: nothing disappears without a trace.

    :attr:`warnings` lists suspicious but legal values, in both modes: they were loaded
    (as written, or as documented in docs/data-contract.md, e.g. a ``9999-12-31`` end
    date read as an open end), but an analyst should look at them (``action`` is
    ``"warning"``): negative counts, shares over 100 %, end dates before start dates,
    village cycles, duplicate memberships, contradicting labels, confusable ids...
    """

    files: dict[str, str] = field(default_factory=dict)  # table -> file
    encodings: dict[str, str] = field(default_factory=dict)  # file -> encoding used
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_kept: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    missing_tables: list[str] = field(default_factory=list)
    ignored: dict[str, str] = field(default_factory=dict)  # file -> why it was not read
    notes: list[str] = field(default_factory=list)  # facts about the input worth knowing
    warnings: list[Problem] = field(default_factory=list)  # suspicious values, loaded

    def __str__(self) -> str:
        lines = [f"{t}: {self.rows_kept.get(t, 0)} of {n} row(s) kept ({self.files.get(t, '')})"
                 for t, n in self.rows_read.items()]
        lines += [f"encoding of {f}: {e}" for f, e in self.encodings.items()]
        lines += [f"ignored {f}: {why}" for f, why in self.ignored.items()]
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"{p}" for p in self.problems]
        lines += [f"warning: {p}" for p in self.warnings]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The skipped/repaired rows as a DataFrame (empty when there were none)."""
        cols = ["code", "table", "file", "row", "column", "value", "expected", "action"]
        return pd.DataFrame([p.as_dict() for p in self.problems], columns=cols)

    def warnings_frame(self) -> pd.DataFrame:
        """The warnings as a DataFrame (same columns as :meth:`to_frame`)."""
        cols = ["code", "table", "file", "row", "column", "value", "expected", "action"]
        return pd.DataFrame([p.as_dict() for p in self.warnings], columns=cols)

    def summary(self) -> pd.DataFrame:
        """Rows read and kept per table."""
        names = [t for t in TABLES if t in set(self.rows_read) | set(self.rows_kept)]
        files = [self.files.get(n, "") for n in names]
        return pd.DataFrame(
            {
                "table": names,
                "file": files,
                "encoding": [self.encodings.get(f, "") for f in files],
                "rows_read": [self.rows_read.get(n, 0) for n in names],
                "rows_kept": [self.rows_kept.get(n, 0) for n in names],
            }
        )


def frozen_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A shallow copy of ``df`` that an edit of it, or of a copy of it, cannot change.

    With pandas' Copy-on-Write (always on from pandas 3) an edit of a shallow copy writes
    to new memory, so cases and graphs keep their tables this way and hand out shallow
    copies. Under pandas 2 without Copy-on-Write the NumPy-backed columns are made
    read-only instead, so an edit raises rather than changes the case behind its back.
    """
    out = df.copy(deep=False)
    if not _COPY_ON_WRITE:
        for block in getattr(getattr(out, "_mgr", None), "blocks", ()):  # pandas internals
            values = getattr(block, "values", None)
            arr = values if isinstance(values, np.ndarray) else getattr(values, "_ndarray", None)
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False
    return out


def _copy_on_write() -> bool:
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return bool(pd.options.mode.copy_on_write)


_COPY_ON_WRITE = _copy_on_write()


class Case:
    """A validated case: a dict of typed tables plus the load report.

    A case does not change: its tables are handed out as read-only views (editing
    ``case["people"]`` edits a copy); :meth:`with_tables` makes a new case.

    Build one with :func:`umbrella_graph.load_case` or
    :func:`umbrella_graph.case_from_frames`; do not construct it by hand.

    Examples
    --------
    >>> import pandas as pd
    >>> from umbrella_graph import case_from_frames
    >>> case = case_from_frames(people=pd.DataFrame({"id": ["p1"], "name": ["张三"]}))
    >>> case["people"].loc[0, "_row"]
    np.int64(2)
    >>> case.has("transactions")
    False
    """

    def __init__(
        self,
        tables: dict[str, pd.DataFrame],
        report: LoadReport | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self._tables = {name: frozen_frame(df) for name, df in tables.items()}
        self._report = report if report is not None else LoadReport()
        self._name = name

    def __setstate__(self, state: dict[str, Any]) -> None:
        # a Case pickled by 0.1 kept 'report' and 'name' as plain attributes
        for old in ("report", "name"):
            if old in state:
                state[f"_{old}"] = state.pop(old)
        state.setdefault("_report", LoadReport())
        state.setdefault("_name", None)
        self.__dict__.update(state)

    @property
    def report(self) -> LoadReport:
        """The load report (files, encodings, rows read and kept, problems, notes)."""
        return self._report

    @property
    def name(self) -> str | None:
        """The case name (the folder name for a loaded folder), or None."""
        return self._name

    # -- access -----------------------------------------------------------------
    def __getitem__(self, table: str) -> pd.DataFrame:
        if table not in TABLES:
            raise KeyError(f"unknown table {table!r}; known tables: {', '.join(TABLES)}")
        t = self._tables.get(table)
        return t.copy(deep=False) if t is not None else empty_table(table)

    def has(self, table: str) -> bool:
        """Whether the case has table ``table`` (even an empty one)."""
        return table in self._tables

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name (read-only views: editing one never changes the case)."""
        return {name: df.copy(deep=False) for name, df in self._tables.items()}

    def counts(self) -> pd.DataFrame:
        """Number of records per table (every table of the contract, 0 if absent)."""
        return pd.DataFrame(
            {
                "table": list(TABLES),
                "rows": [len(self._tables[t]) if t in self._tables else 0 for t in TABLES],
                "present": [t in self._tables for t in TABLES],
            }
        )

    def official_ids(self) -> list[str]:
        """Sorted ids of people who hold at least one post."""
        return sorted(set(self["officials"]["person_id"].dropna().astype(str)))

    def gang_ids(self) -> list[str]:
        """Sorted gang ids."""
        return sorted(set(self["gangs"]["id"].dropna().astype(str)))

    def __repr__(self) -> str:
        parts = ", ".join(f"{t}={len(df)}" for t, df in self._tables.items())
        label = f" {self.name!r}" if self.name else ""
        return f"<Case{label}: {parts}>"

    def _repr_html_(self) -> str:
        from html import escape

        head = f"<b>Case {escape(self.name)}</b>" if self.name else "<b>Case</b>"
        return head + self.counts().to_html(index=False)

    def equals(self, other: Case, *, ignore_provenance: bool = False) -> bool:
        """Whether two cases hold the same tables (same rows, same values)."""
        if set(self._tables) != set(other._tables):
            return False
        for name, a in self._tables.items():
            b = other._tables[name]
            if ignore_provenance:
                a = a.drop(columns=list(PROVENANCE), errors="ignore")
                b = b.drop(columns=list(PROVENANCE), errors="ignore")
            if list(a.columns) != list(b.columns):
                return False
            if not a.reset_index(drop=True).equals(b.reset_index(drop=True)):
                return False
        return True

    def with_tables(self, **tables: Any) -> Case:
        """A copy with some tables replaced (already validated frames only)."""
        new = dict(self._tables)
        new.update(tables)
        return Case(new, self.report, name=self.name)
