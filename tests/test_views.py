"""Network views: selection, styles, evidence tooltips, masking, escaping, determinism."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from umbrella_graph import ParameterError, build_graph, case_from_frames
from umbrella_graph.views import (
    EDGE_STYLES,
    NODE_STYLES,
    NetworkView,
    view_case,
    view_gang,
    view_pair,
)

PAYLOAD = "</script><script>alert(1)</script><img src=x onerror=alert(1)>\"'"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(page: str) -> list[tuple[str, dict]]:
    """The start tags a browser's HTML parser sees (script contents are raw text)."""
    p = _Tags()
    p.feed(page)
    return p.tags


def small_case(name_of_o1: str = "丙官") -> object:
    return case_from_frames(
        people=pd.DataFrame({
            "id": ["L", "C1", "M1", "O1", "W1", "X1", "X2"],
            "name": ["刘老大", "陈骨干", "马成员", name_of_o1, "王妻", "路人甲", "孤立者"],
            "id_number": ["110101199003071234", "", "", "110101198001011111", "", "", ""],
            "phone": ["13800138000", "", "", "13912345678", "", "", ""],
        }),
        gangs=pd.DataFrame({"id": ["G1"], "name": ["黑虎帮"], "kind": ["敲诈勒索"]}),
        members=pd.DataFrame({"person_id": ["L", "C1", "M1"], "gang_id": ["G1"] * 3,
                              "role": ["leader", "core", "member"]}),
        officials=pd.DataFrame({"person_id": ["O1"], "position": ["所长"], "unit": ["清河派出所"],
                                "start_date": ["2015-01-01"]}),
        ties=pd.DataFrame({"src": ["O1"], "dst": ["W1"], "kind": ["spouse"]}),
        transactions=pd.DataFrame({
            "id": ["T1", "T2", "T3"], "src": ["L", "L", "X1"], "dst": ["W1", "W1", "M1"],
            "amount": [50000, 30000, 100], "date": ["2020-05-01", "2020-06-01", "2021-01-01"],
            "memo": ["好处费 13800138000", "", ""],
        }),
        contacts=pd.DataFrame({"src": ["O1", "O1"], "dst": ["C1", "C1"], "kind": ["call", "meeting"],
                               "time": ["2020-05-20 22:00", "2020-05-21 10:00"], "count": [3, 1]}),
        events=pd.DataFrame({"id": ["E1"], "kind": ["raid"], "time": ["2020-05-21 23:00"], "gang_id": ["G1"]}),
    )


@pytest.fixture(scope="module")
def graph():
    return build_graph(small_case())


def _node(view: NetworkView, nid: str) -> dict:
    return next(n for n in view.network.nodes if n["id"] == nid)


def _edges(view: NetworkView, fam: str) -> list[dict]:
    return [e for e in view.network.edges if e["fam"] == fam]


def test_view_gang_styles_and_evidence(graph):
    v = view_gang(graph, "G1")
    cats = {n["id"]: n["cat"] for n in v.network.nodes}
    assert cats["G1"] == "gang" and cats["L"] == "leader" and cats["C1"] == "core" and cats["M1"] == "member"
    assert cats["O1"] == "official" and cats["W1"] == "person"
    assert "X2" not in cats  # no record links the isolated person to the gang
    for nid, cat in cats.items():
        node = _node(v, nid)
        assert node["shape"] == NODE_STYLES[cat].shape
        assert node["color"] == NODE_STYLES[cat].color
        assert node["physics"] is False and isinstance(node["x"], float)
    # money: one drawn edge L -> W1 carrying both transfers, arrow in payment direction
    money = [e for e in _edges(v, "money") if (e["from"], e["to"]) == ("L", "W1")]
    assert len(money) == 1
    e = money[0]
    assert e["arrows"] == "to" and e["color"] == EDGE_STYLES["money"].color
    rows = dict(e["tip"]["rows"])
    assert rows["records"] == "2" and rows["total amount"] == "80,000"
    assert rows["dates"] == "2020-05-01 … 2020-06-01"
    assert [r[0] for r in e["tip"]["recs"]] == ["2020-05-01", "2020-06-01"]
    assert e["tip"]["recs"][0][2] == "T1" and e["tip"]["recs"][0][3] == "<DataFrame transactions>:2"
    # the bigger transfer total gives a wider edge than the small one
    small = next(x for x in _edges(v, "money") if (x["from"], x["to"]) == ("X1", "M1"))
    assert e["width"] > 2 * small["width"] > 2.0
    # call and meeting are separate families with their own dashes; kin is solid green
    assert {x["fam"] for x in v.network.edges} >= {"call", "meeting", "kin", "membership", "event"}
    call = _edges(v, "call")[0]
    assert call["dashes"] == list(EDGE_STYLES["call"].dashes) and dict(call["tip"]["rows"])["contacts"] == "3"
    # a day number per dated record for the date filter
    assert e["t"] == [int(pd.Timestamp(d).value // 86_400_000_000_000) for d in ("2020-05-01", "2020-06-01")]


def test_tooltips_mask_id_and_phone_numbers(graph):
    v = view_gang(graph, "G1")
    tip = dict(_node(v, "L")["tip"]["rows"])
    assert tip["ID number"] == "110101********1234" and tip["phone"] == "138****8000"
    memo = next(e for e in _edges(v, "money") if e["from"] == "L")["tip"]["recs"][0][4]
    assert memo == "好处费 138****8000"
    text = v.html
    assert "13800138000" not in text and "110101199003071234" not in text
    unmasked = view_gang(graph, "G1", mask_pii=False)
    assert dict(_node(unmasked, "L")["tip"]["rows"])["phone"] == "13800138000"


def test_official_post_and_score_size(graph):
    scores = pd.DataFrame({"official_id": ["O1"], "gang_id": ["G1"], "score": [0.9]})
    v = view_gang(graph, "G1", scores=scores)
    o = _node(v, "O1")
    assert o["size"] > NODE_STYLES["official"].size
    rows = dict(o["tip"]["rows"])
    assert rows["post"].startswith("所长, 清河派出所") and rows["score"] == "0.900"


def test_html_is_self_contained_and_escaped():
    g = build_graph(small_case(name_of_o1=PAYLOAD))
    v = view_gang(g, "G1")
    page = v.html
    # only our own elements: the data block and three inlined scripts, nothing loaded
    tags = start_tags(page)
    assert [t for t, _ in tags if t == "script"] == ["script"] * 4
    assert not [t for t, _ in tags if t in ("img", "link", "iframe", "object", "embed")]
    assert not [a for _, a in tags if "src" in a or "href" in a]
    assert "alert(1)</script>" not in page and "<img src=x" not in page
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none'; script-src 'sha256-") and "connect-src 'none'" in csp
    data = json.loads(re.search(r'<script id="ug-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    names = {n["id"]: n["name"] for n in data["view"]["nodes"]}
    assert names["O1"] == PAYLOAD  # the exact text survives the JSON escaping
    frame = v._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"") and 'sandbox="allow-scripts"' in frame
    assert html.unescape(frame.split('srcdoc="', 1)[1].split('" style=', 1)[0]) == page


def test_view_case_budget_note_and_focus(sample_graph):
    g = sample_graph
    v = view_case(g, max_nodes=40, focus=["P0188"])
    ids = [n["id"] for n in v.network.nodes]
    assert len(ids) == 40 and ids[0] == "P0188"
    assert set(g.gangs) <= set(ids)
    assert v.note.startswith(f"40 of {g.number_of_nodes():,} nodes shown.")
    left = g.number_of_nodes() - 40
    counts = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:people|units|villages|companies|events|leads)",
                                                          v.note.split("Left out:")[1])]
    assert sum(counts) == left
    assert repr(v) == f"<NetworkView 'Case qinghe': 40 of {g.number_of_nodes()} nodes, {len(v.network.edges)} edges>"


def test_views_are_deterministic(sample_graph):
    a = view_case(sample_graph, max_nodes=120, seed=3)
    b = view_case(sample_graph, max_nodes=120, seed=3)
    assert a.html == b.html
    c = view_case(sample_graph, max_nodes=120, seed=4)
    assert [(n["x"], n["y"]) for n in c.network.nodes] != [(n["x"], n["y"]) for n in a.network.nodes]


def test_communities(sample_graph):
    v = view_gang(sample_graph, "G01", max_nodes=60, communities="auto")
    groups = {n["id"]: n["grp"] for n in v.network.nodes}
    assert len(groups) == 60 and v.meta["communities"] == len(set(groups.values())) > 1
    assert isinstance(_node(v, "G01")["color"], dict)
    fixed = view_gang(sample_graph, "G01", max_nodes=20, communities={"G01": "a", "P0242": "a", "P0124": "b"})
    grp = {n["id"]: n.get("grp") for n in fixed.network.nodes}
    assert grp["G01"] == grp["P0242"] != grp["P0124"]
    assert sum(g is not None for g in grp.values()) == 3


def test_parameter_errors(graph):
    with pytest.raises(ParameterError, match="The 'gang_id' parameter of view_gang must be the id of a gang"):
        view_gang(graph, "L")
    with pytest.raises(ParameterError, match="'kinds' parameter of view_case must be edge kinds"):
        view_case(graph, kinds=["money"])
    with pytest.raises(ParameterError, match="'height' parameter of view_gang"):
        view_gang(graph, "G1", height="100px;background:url(x)")
    with pytest.raises(ParameterError, match="'max_nodes' parameter of view_case"):
        view_case(graph, max_nodes=1)
    with pytest.raises(ParameterError, match="'scores' parameter of view_gang"):
        view_gang(graph, "G1", scores=pd.DataFrame({"official_id": ["O1"]}))
    with pytest.raises(ParameterError, match="'official_id' parameter of view_pair"):
        view_pair(graph, "nobody", "G1")


def test_save(tmp_path, graph):
    v = view_gang(graph, "G1")
    p = v.save(tmp_path / "g.html")
    assert p.read_text(encoding="utf-8") == v.html


def test_view_pair_from_explanation(sample_graph):
    from umbrella_graph.scoring import explain

    ex = explain(sample_graph, "P0061", "G01", k=3)
    assert ex.paths, "the sample's planted umbrella P0061 has evidence paths to G01"
    v = view_pair(sample_graph, "P0061", "G01", explanation=ex)
    ids = {n["id"] for n in v.network.nodes}
    on_paths = {str(n) for p in ex.paths for n in p.nodes}
    assert on_paths | {"P0061", "G01"} == ids
    xs = {n["id"]: n["x"] for n in v.network.nodes}
    assert xs["P0061"] == 0.0 and xs["G01"] == max(xs.values())
    ev = [e for e in v.network.edges if e.get("evidence")]
    cited = {src.rsplit("/", 1)[-1] + ":" + str(row)
             for src, row in ex.to_frame()[["file", "row"]].itertuples(index=False)}
    assert ev
    for e in ev:
        # every evidence edge's tooltip shows at least one record the explanation cites
        assert {r[3] for r in e["tip"]["recs"]} & cited, e["fam"]
        assert e["width"] >= 3.0
    # every hop of every path is drawn as an evidence edge
    ev_pairs = {frozenset((e["from"], e["to"])) for e in ev}
    assert {frozenset((str(h.src), str(h.dst))) for p in ex.paths for h in p.hops} <= ev_pairs
    # every edge says whether it carries evidence; the others cite none of the explanation's records
    assert all(isinstance(e.get("evidence"), bool) for e in v.network.edges)
    context = [e for e in v.network.edges if not e["evidence"]]
    assert context, "the pair view also draws the records between path nodes that are not evidence"
    for e in context:
        assert not {r[3] for r in e["tip"]["recs"]} & cited, e["tip"]
        assert e["fam"] != "gangside"


def test_views_embed_the_font_they_need(sample_graph):
    """A view, like the report, carries the subset of the shipped CJK font with every
    character it shows (names in its data included), so it renders without a CJK font."""
    import base64
    import io
    import json
    import re

    from fontTools.ttLib import TTFont

    v = view_gang(sample_graph, "G01", max_nodes=60)
    page = v.html
    m = re.search(r'@font-face \{ font-family: "UG Noto Sans SC";[^}]*base64,([A-Za-z0-9+/=]+)\)', page)
    assert m
    cmap = TTFont(io.BytesIO(base64.b64decode(m.group(1)))).getBestCmap()
    labels = "".join(n["label"] for n in json.loads(json.dumps(v.to_data()))["nodes"])
    cjk = {c for c in labels if ord(c) > 0x2E80}
    assert cjk and all(ord(c) in cmap for c in cjk)
    assert 'font-family: "UG Noto Sans SC", system-ui' in page  # listed first by the view's style
    assert "face: '\"UG Noto Sans SC\", sans-serif'" in page  # and by the network's canvas labels


def test_edge_tip_counts_records_it_does_not_list() -> None:
    """A tooltip lists the first records it is given and counts the rest of the edge's."""
    from umbrella_graph.views import _edge_tip

    rows = [(f"2020-01-0{i + 1}", "", f"c{i}", f"contacts.csv:{i + 2}", "call") for i in range(3)]
    tip = _edge_tip("A", "B", "call", rows, 0.0, 40.0, "2020-01-01", "2020-03-01", n_records=40)
    assert [r[2] for r in tip["recs"]] == ["c0", "c1", "c2"]
    assert tip["rows"][0] == ["records", "40"] and tip["more"] == "… and 37 more record(s)"
    assert _edge_tip("A", "B", "call", rows, 0.0, 3.0, "", "")["more"] == ""
