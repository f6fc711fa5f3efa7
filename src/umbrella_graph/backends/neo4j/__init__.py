"""The Neo4j backend: load a case into Neo4j, read it back, query it on the server.

This is the only package of umbrella-graph that imports the ``neo4j`` driver. Its modules,
each with one job:

* :mod:`.cypher`: the only names formatted into query text (whitelisted labels, types, properties);
* :mod:`.codecs`: column values to driver values and back, dtypes, the case fingerprint;
* :mod:`.connection`: :func:`connect`, sessions, reads, driver errors as one-line messages,
  :func:`clear_database`;
* :mod:`.writer`: :func:`to_neo4j` and :class:`LoadSummary`;
* :mod:`.reader`: :func:`from_neo4j`;
* :mod:`.backend`: :class:`Neo4jBackend`, the backend queries in Cypher.

The stored model (see ``docs/neo4j.md``)
---------------------------------------
* Every node has the label ``Entity`` plus its kind's label from
  :data:`~umbrella_graph.schema.NODE_KINDS` (``Person``, ``Gang``, ``Village``, ``Company``,
  ``Event``, ``Lead``, ``Unit``); people who hold a post also have ``Official``. Node
  properties are the record's columns (extra columns included), the provenance ``_file``
  and ``_row``. ``id`` is unique per label.
* Every record edge of the :class:`~umbrella_graph.graph.CaseGraph` is one relationship,
  typed by :data:`~umbrella_graph.schema.RELATIONS` (``PAID``, ``CONTACTED``, ``TIE``,
  ``MEMBER_OF``, ``HOLDS_POST``...). The relationship that carries a record holds all of
  its columns except the two endpoint ids (the nodes it joins), plus ``_file`` and
  ``_row``; for tables whose rows give two edges (officials, contracts) ``_primary`` says
  which one carries the record and the other holds the columns queries need.
* One ``CaseMeta`` node describes the case: its name, a fingerprint of its tables, the
  columns and dtypes of every table, the load status, and the records of tables that
  are not part of the graph (``labels``).

Labels and relationship types are written into Cypher only from the schema's whitelists
(:data:`~umbrella_graph.schema.NEO4J_LABELS`, :data:`~umbrella_graph.schema.NEO4J_REL_TYPES`);
every value travels as a query parameter. Dates are stored as Neo4j ``LocalDateTime``
(nanosecond precision, so the round trip is exact).

Loading is idempotent: nodes are merged on their id, and relationships are keyed by
their record (transaction or contract id; otherwise file and spreadsheet row; for edges
of node tables, the node), so a second load of the same case, or a rerun after a load
was interrupted, writes only what is missing.
"""

from __future__ import annotations

from .backend import Neo4jBackend
from .codecs import case_fingerprint
from .connection import clear_database, connect
from .reader import from_neo4j
from .writer import LoadSummary, to_neo4j

__all__ = ["Neo4jBackend", "LoadSummary", "to_neo4j", "from_neo4j", "connect", "case_fingerprint",
           "clear_database"]
