"""Interactive network views of a case: a gang, one suspect pair, the whole case.

Each view is a :class:`NetworkView`: a :class:`pyvis.network.Network` holding the nodes
and edges (reach it as ``view.network``), rendered by our own self-contained page
(vis-network inlined, no CDN, no network request) so that it shows the same way

* inline in Jupyter (classic, JupyterLab, VS Code): ``view`` as the last expression of
  a cell, displayed through an ``<iframe srcdoc=...>``;
* as an HTML file: ``view.save("gang.html")``.

What the picture means
----------------------
* Node shape and colour say what a node is: officials (red diamonds), gang leaders, core
  members and members (purple triangles and dots), other people (grey dots), gangs
  (stars), companies (blue squares), villages and towns (green hexagons), government units
  (teal hexagons), raids and other events (orange triangles), leads (olive squares).
  Officials are bigger the higher their score. With ``communities=`` the fill colour
  shows the community instead; the shape still shows the kind.
* An edge is all the records of one kind between two nodes: money (orange, arrow in the
  direction of payment, width by total amount), calls/messages and meetings (blue,
  dashed, width by number of contacts), kin (green), other social ties, contracts and
  approvals, gang membership, company roles, posts, places, events and leads.
* Hovering shows the evidence: for a node its record; for an edge its records with date,
  amount, record id, file and spreadsheet row.
* The toolbar searches names and ids, filters edges by kind and by date range (undated
  ties such as kinship stay visible), and says how many nodes are shown out of how many.

Big graphs
----------
A view shows at most ``max_nodes`` nodes, chosen deterministically by relevance (the
rule is stated in the view's note, with what was left out), laid out in Python with a
seeded spring layout per connected component (physics is off in the browser), so the
same call gives the same picture every time.
The modules: ``make`` (the three views), ``select`` (which nodes), ``style`` (how they
look), ``tooltips`` (what hovering shows), ``layout`` (where they go, communities) and
``view`` (:class:`NetworkView` and the drawing). Pages, masking and display text come from
:mod:`umbrella_graph.presentation`, shared with the report.
"""

from .make import view_case, view_gang, view_pair
from .style import (
    DEFAULT_VIEW_KINDS,
    EDGE_STYLES,
    NODE_STYLES,
    EdgeStyle,
    NodeStyle,
)

# used by the report and the command line, kept out of ``__all__`` as before the split
from .style import kind_map as kind_map
from .style import name_map as name_map
from .style import node_key as node_key
from .tooltips import _edge_tip  # noqa: F401  (tests reach the tooltip text through here)
from .view import NetworkView

__all__ = [
    "NetworkView",
    "NodeStyle",
    "EdgeStyle",
    "NODE_STYLES",
    "EDGE_STYLES",
    "DEFAULT_VIEW_KINDS",
    "view_gang",
    "view_pair",
    "view_case",
]
