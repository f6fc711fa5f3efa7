"""Write a case back as a case folder that :func:`umbrella_graph.load_case` reads."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..case import Case
from ..errors import ParameterError
from ._common import neutralize

__all__ = ["write_case"]

logger = logging.getLogger(__name__)


def write_case(case: Case, folder: str | Path, *, format: str = "csv", overwrite: bool = False) -> Path:
    """Write every table of the case as a file of a case folder.

    Parameters
    ----------
    case : Case
    folder : str or Path
        Created if missing. One file per table, named like the table (``people.csv``).
    format : {"csv", "parquet"}, default "csv"
        CSV (UTF-8 with a byte-order mark, so Excel opens Chinese text right) or Parquet
        (types kept exactly). In CSV files a text cell starting with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return is written with a leading ``'`` so that a
        spreadsheet shows it instead of running it; such a cell reads back with the
        ``'``. Numbers and dates are written as they are (dates ISO 8601).
    overwrite : bool, default False
        Replace files that exist; otherwise an existing table file is an error.

    Returns
    -------
    Path
        The folder. ``load_case(folder)`` gives back the same tables (same columns, rows
        and values; provenance ``_file``/``_row`` then points at the written files).

    Examples
    --------
    >>> import pandas as pd, tempfile
    >>> from umbrella_graph import case_from_frames, load_case
    >>> case = case_from_frames(people=pd.DataFrame({"id": ["p1"], "name": ["张三"]}))
    >>> back = load_case(write_case(case, tempfile.mkdtemp()))
    >>> back["people"].drop(columns=["_file", "_row"]).equals(case["people"].drop(columns=["_file", "_row"]))
    True
    """
    if not isinstance(case, Case):
        raise ParameterError.invalid("case", "write_case", "a Case", type(case).__name__)
    if format not in ("csv", "parquet"):
        raise ParameterError.invalid("format", "write_case", "'csv' or 'parquet'", format)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in case.tables.items():
        path = out / f"{name}.{format}"
        if path.exists() and not overwrite:
            raise ParameterError.invalid("folder", "write_case", "a folder without the case's table files "
                                         "(or overwrite=True)", f"{path.name} exists")
        data = df.drop(columns=[c for c in ("_file", "_row") if c in df.columns])
        if format == "parquet":
            data.to_parquet(path, index=False)
            continue
        text = data.copy()
        for c in text.columns:
            col = text[c]
            if pd.api.types.is_datetime64_any_dtype(col):
                has_time = bool(((col.dropna() - col.dropna().dt.normalize()) != pd.Timedelta(0)).any())
                text[c] = col.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
            elif col.dtype == object or pd.api.types.is_string_dtype(col):
                text[c] = col.map(neutralize, na_action="ignore")
        text.to_csv(path, index=False, encoding="utf-8-sig")
    logger.info("write_case: %d table(s) written as %s", len(case.tables), format)
    return out
