"""Loaders: case folders (CSV/Excel/Parquet), DataFrames, Neo4j-import tables, FollowTheMoney.

Loaders know nothing of graph backends: they return a validated
:class:`~umbrella_graph.case.Case`.
"""

from .files import load_case, read_table

__all__ = ["load_case", "read_table"]
