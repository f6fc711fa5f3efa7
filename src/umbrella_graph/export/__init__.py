"""Any tool out: case folders, FollowTheMoney, Gephi (GEXF), GraphML, Cytoscape and i2.

* :func:`write_case` -- a case folder that :func:`umbrella_graph.load_case` reads back;
* :func:`to_ftm` / :func:`write_ftm` -- FollowTheMoney entities (OpenSanctions, Aleph);
* :func:`write_gexf` -- GEXF 1.3 for Gephi, with transactions and contacts on the timeline;
* :func:`write_graphml` -- GraphML 1.0 (yEd, Cytoscape, Gephi, igraph);
* :func:`write_cytoscape` -- Cytoscape JSON;
* :func:`write_i2` -- the i2 Analyst's Notebook import layout.

Every export writes one node per case node and one edge per record with the record's
columns as typed attributes; CSV outputs neutralise spreadsheet formulas. The GEXF and
GraphML schemas the files validate against ship in ``schemas/`` (:func:`validate_xml`).
"""

from ..io.ftm import to_ftm, write_ftm
from ._common import export_network, neutralize
from .case_folder import write_case
from .graph_files import (
    compact_rules,
    cytoscape_data,
    expand_compact,
    validate_xml,
    write_cytoscape,
    write_gexf,
    write_graphml,
)
from .i2 import write_i2

__all__ = ["write_case", "to_ftm", "write_ftm", "write_gexf", "write_graphml", "write_cytoscape",
           "cytoscape_data", "write_i2", "validate_xml", "expand_compact", "compact_rules", "export_network",
           "neutralize"]
