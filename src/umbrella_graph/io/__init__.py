"""Loaders: case folders (CSV/Excel/Parquet), DataFrames, Neo4j-import tables, FollowTheMoney.

Loaders know nothing of graph backends: they return a validated
:class:`~umbrella_graph.case.Case`.
"""

from .export import write_csv
from .files import detect_encoding, load_case, read_columns_mapping, read_table
from .ftm import aggregate_ftm, load_ftm, to_ftm, write_ftm
from .graph_tables import load_graph_tables, load_neo4j_import

__all__ = [
    "load_case",
    "read_table",
    "detect_encoding",
    "read_columns_mapping",
    "load_graph_tables",
    "load_neo4j_import",
    "load_ftm",
    "aggregate_ftm",
    "to_ftm",
    "write_ftm",
    "write_csv",
]
