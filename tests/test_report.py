"""The single-file report: content, self-containment, masking, escaping, gaps, hook, CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import ParameterError, build_graph, case_from_frames
from umbrella_graph.cli import main
from umbrella_graph.presentation.page import json_for_html
from umbrella_graph.reporting import (
    Chart,
    Section,
    mask_id_number,
    mask_phone,
    mask_text,
    render_report,
    report,
)
from umbrella_graph.reporting._sections import frame_table


class _Page(HTMLParser):
    """Start tags and the raw text of every <script> element, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in: dict | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in, self._buf = dict(attrs), []

    def handle_data(self, data):
        if self._in is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in is not None:
            self.scripts.append((self._in, "".join(self._buf)))
            self._in = None


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def page_data(page: str) -> dict:
    attrs, text = next(s for s in parse(page).scripts if s[0].get("id") == "ug-data")
    return json.loads(text)


@pytest.fixture(scope="module")
def rendered_sample(sample_graph):
    """The sample's scores and rendered report page (the graph is the session's sample_graph)."""
    from umbrella_graph.scoring import score_umbrellas

    graph = sample_graph
    scores = score_umbrellas(graph, seed=0)
    page = render_report(graph, scores=scores, top=20, details=3)
    return graph, scores, page


def test_self_contained_with_csp_hashes(rendered_sample):
    _, _, page = rendered_sample
    p = parse(page)
    assert [t for t, _ in p.tags if t in ("link", "img", "iframe", "object", "embed", "base")] == []
    assert [a for t, a in p.tags if "src" in a] == []
    assert {a["href"][0] for t, a in p.tags if "href" in a} == {"#"}  # in-page anchors only
    csp = next(a["content"] for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none';") and "connect-src 'none'" in csp and "unsafe-eval" not in csp
    code = [text for attrs, text in p.scripts if attrs.get("type") != "application/json"]
    assert len(code) == 3 and "vis-network" in code[0][:300]
    for text in code:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:|//)", page)
    assert "vis-network 9.1.2" in page and "Apache License 2.0 and the MIT License" in page


def test_ranked_table_and_network_focus(rendered_sample):
    graph, scores, page = rendered_sample
    rows = re.findall(r'<tr data-pair="(\d+)" tabindex="0"[^>]*>\s*<td class="num">(\d+)</td>', page)
    assert [int(i) for i, _ in rows] == list(range(20))
    assert [int(r) for _, r in rows] == scores["rank"].head(20).tolist()
    data = page_data(page)
    assert len(data["pairs"]) == 20
    shown = {n["id"] for n in data["network"]["nodes"]}
    for pair, r in zip(data["pairs"], scores.head(20).itertuples(), strict=True):
        assert pair["focus"][:2] == [r.official_id, r.gang_id]
        assert {r.official_id, r.gang_id} <= shown  # the evidence of the listed pairs comes first
    assert data["network"]["note"].startswith(f"{len(data['network']['nodes'])} of {graph.number_of_nodes()} nodes shown")


def test_pair_sections_cite_the_records(rendered_sample):
    from umbrella_graph.scoring import explain

    graph, scores, page = rendered_sample
    assert len(re.findall(r'<article class="ug-pair" id="pair-\d+">', page)) == 3
    top = scores.iloc[0]
    ex = explain(graph, top["official_id"], top["gang_id"], k=5)
    section = page.split('id="pair-1"', 1)[1].split('id="pair-2"', 1)[0]
    frame = ex.to_frame() if ex.paths else pd.DataFrame()
    for rec in frame.head(30).to_dict("records"):
        src = f"{rec['file'].rsplit('/', 1)[-1]}:{rec['row']}"
        assert src in section
        if isinstance(rec.get("record_id"), str) and rec["record_id"]:
            assert rec["record_id"] in section
    for sig in ex.signals["signal"]:
        assert f"<td>{sig}</td>" in section
    assert '<svg class="ug-timeline"' in section
    raids = graph.case["events"]
    n_raids = int((raids["gang_id"].astype(str) == top["gang_id"]).sum())
    assert section.count('<g class="ug-raid">') >= n_raids > 0


def test_summary_gaps_and_investigations(rendered_sample):
    graph, _, page = rendered_sample
    for name in graph.case["gangs"]["name"]:
        assert f"<td>{name}</td>" in page
    assert "Every table of the data contract is present." in page
    for anchor in ("tipoffs", "leads", "accountability", "disruption"):
        assert f'<section id="{anchor}" class="ug-section ug-extra">' in page
    disruption = page.split('<section id="disruption"', 1)[1].split("</section>", 1)[0]
    assert disruption.count("<polyline ") == len(graph.gangs)
    assert "Could not be computed" not in page


def test_pii_masked_by_default(rendered_sample, sample_dir):
    graph, scores, page = rendered_sample
    people = graph.case["people"]
    for col in ("phone", "id_number"):
        values = [v for v in people[col].dropna().astype(str) if len(v) >= 8]
        assert values and not [v for v in values if v in page]
    official = scores["official_id"].iat[0]
    phone = str(people.loc[people["id"] == official, "phone"].iat[0])
    assert mask_phone(phone) in page
    unmasked = render_report(graph, scores=scores, top=5, details=1, investigations=False, mask_pii=False)
    assert phone in unmasked and "NOT masked" in unmasked


def test_deterministic(rendered_sample):
    graph, scores, _ = rendered_sample
    a = render_report(graph, scores=scores, top=5, details=1, investigations=False)
    b = render_report(graph, scores=scores, top=5, details=1, investigations=False)
    assert a == b


def _gappy_case():
    return case_from_frames(
        people=pd.DataFrame({"id": ["A", "B", "O"], "name": ["甲", "乙", "丙官"]}),
        gangs=pd.DataFrame({"id": ["G1", "G2"], "name": ["一帮", "二帮"]}),
        members=pd.DataFrame({"person_id": ["A"], "gang_id": ["G1"], "role": ["leader"]}),
        officials=pd.DataFrame({"person_id": ["O"], "position": ["镇长"]}),
        transactions=pd.DataFrame({"id": ["T1", "T2"], "src": ["A", "A"], "dst": ["O", "B"],
                                   "amount": ["50000", "lots"], "date": ["2020-01-02", "2020-01-03"]}),
        lenient=True,
        name="gappy",
    )


def test_data_gaps_are_reported():
    case = _gappy_case()
    assert len(case.report.problems) >= 1
    graph = build_graph(case)
    scores = pd.DataFrame({"official_id": ["O", "O"], "gang_id": ["G1", "G2"], "score": [0.7, 0.1]})
    page = render_report(graph, scores=scores, details=0, investigations=False)
    gaps = page.split('<section id="gaps"', 1)[1].split("</section>", 1)[0]
    for table in ("contacts", "ties", "events", "leads", "villages"):
        assert f"<li><b>{table}</b>:" in gaps
    assert "calls or meetings" in unescape(gaps) and "1 gang(s) have no listed members: G2." in gaps
    assert "Rows skipped or repaired while loading" in gaps
    prob = case.report.problems[0]
    assert f"<td>{escape(prob.file)}</td><td class=\"num\">{prob.row}</td>" in gaps


def test_extra_sections_are_escaped():
    graph = build_graph(_gappy_case())
    scores = pd.DataFrame({"official_id": ["O"], "gang_id": ["G1"], "score": [0.5]})
    bad = "<script>alert(1)</script>"
    extra = Section("Field notes", [f"note {bad} 13800138000",
                                    pd.DataFrame({"who": [bad], "phone": ["13912345678"]}),
                                    Chart({bad: ([0, 1, 2], [1.0, 0.5, 0.2])}, x_label=bad)])
    page = render_report(graph, scores=scores, details=0, investigations=False, sections=[extra])
    sec = page.split('<section id="field-notes"', 1)[1].split("</section>", 1)[0]
    assert bad not in sec and "&lt;script&gt;alert(1)&lt;/script&gt;" in sec
    assert "138****8000" in sec and "139****5678" in sec
    assert sec.count("<polyline ") == 1
    assert '<a href="#field-notes">Field notes</a>' in page
    with pytest.raises(ParameterError, match="'blocks' parameter of Section"):
        Section("x", [object()])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="'sections' parameter of report"):
        render_report(graph, scores=scores, sections=["not a section"])  # type: ignore[list-item]


def test_parameter_errors(tmp_path):
    graph = build_graph(_gappy_case())
    scores = pd.DataFrame({"official_id": ["O"], "gang_id": ["G1"], "score": [0.5]})
    with pytest.raises(ParameterError, match="The 'top' parameter of report must be an integer >= 1. Got 0"):
        render_report(graph, scores=scores, top=0)
    with pytest.raises(ParameterError, match="'scores' parameter of report"):
        render_report(graph, scores=scores.drop(columns="score"))
    with pytest.raises(ParameterError, match="'path' parameter of report"):
        report(graph, tmp_path / "report.pdf", scores=scores)


def test_public_report_is_the_function(tmp_path):
    import types

    import umbrella_graph
    import umbrella_graph.reporting as reporting

    assert umbrella_graph.report is reporting.report
    assert isinstance(umbrella_graph.report, types.FunctionType)
    assert not callable(reporting)
    graph = build_graph(_gappy_case())
    scores = pd.DataFrame({"official_id": ["O"], "gang_id": ["G1"], "score": [0.5]})
    p = umbrella_graph.report(graph, tmp_path / "a.html", scores=scores, details=0, investigations=False)
    assert p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_json_for_html_cannot_break_out():
    value = {"name": "</script><script>alert(1)</script>\u2028&<>"}
    text = json_for_html(value)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_masks():
    assert mask_id_number("11010119900307123X") == "110101********123X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_text("+86 138 0013 8000 / 110101199003071234 / T000123") == \
        "+86 138****8000 / 110101********1234 / T000123"


def test_cli_report(sample_dir, sample_graph, tmp_path):
    from umbrella_graph.scoring import score_umbrellas

    graph = sample_graph
    scores_csv = tmp_path / "scores.csv"
    score_umbrellas(graph, seed=0).to_csv(scores_csv, index=False)
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(sample_dir), "-o", str(out), "--scores", str(scores_csv),
                                    "--top", "10", "--details", "1", "--no-investigations"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"wrote {out}") and "masked" in res.output
    assert len(page_data(out.read_text(encoding="utf-8"))["pairs"]) == 10
    bad = tmp_path / "bad.csv"
    bad.write_text("official_id,gang_id,points\nP1,G01,3\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["report", str(sample_dir), "-o", str(out), "--scores", str(bad)])
    assert res.exit_code == 2 and "bad.csv has no column(s) score" in res.output
    res = CliRunner().invoke(main, ["report", str(sample_dir), "-o", str(tmp_path / "r.txt")])
    assert res.exit_code == 2 and "must end in .html" in res.output


def test_explanations_use_the_report_seed(sample_graph, monkeypatch):
    # the detailed sections explain pairs with the seed the report was scored with
    import umbrella_graph.scoring as scoring
    from umbrella_graph.scoring import score_umbrellas

    seen = []
    real = scoring.explain

    def spy(*args, **kwargs):
        seen.append(kwargs.get("seed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring, "explain", spy)
    scores = score_umbrellas(sample_graph, seed=3)
    render_report(sample_graph, scores=scores, top=5, details=2, seed=3)
    assert seen and set(seen) == {3}


def test_masked_report_holds_no_id_number_used_as_a_person_id(tmp_path):
    # person ids that are resident ID numbers (common in real exports) are masked in the
    # tables, headings, paths, tooltips and in the page's data; unmasked, they are shown
    idn, phone = "110101199003071234", "13800138000"
    people = pd.DataFrame({"id": [idn, phone, "P3"], "name": ["张三", "李四", "王五"]})
    officials = pd.DataFrame({"person_id": [idn], "position": ["派出所所长"]})
    gangs = pd.DataFrame({"id": ["G1"], "name": ["某团伙"]})
    members = pd.DataFrame({"person_id": [phone, "P3"], "gang_id": ["G1", "G1"], "role": ["leader", "member"]})
    tx = pd.DataFrame({"src": [phone, "P3"], "dst": [idn, idn], "amount": [50000, 20000],
                       "date": ["2020-01-02", "2020-02-03"]})
    graph = build_graph(case_from_frames(people=people, officials=officials, gangs=gangs, members=members,
                                         transactions=tx))
    page = render_report(graph, top=5, details=1)
    assert idn not in page and phone not in page
    assert idn in render_report(graph, top=5, details=1, mask_pii=False)


# --- the brief, labels, charts, embedded font (issue 14) --------------------------------------------
def _body(page: str) -> str:
    """The visible part of the page: the body without the data block and scripts."""
    body = page.split("<body", 1)[1].split('<script id="ug-data"', 1)[0]
    return body


def test_brief_opens_the_report(rendered_sample):
    from umbrella_graph.reporting._brief import ALTERNATIVES
    from umbrella_graph.scoring import explain

    graph, scores, page = rendered_sample
    body = _body(page)
    sections = re.findall(r'<section id="([a-z0-9-]+)"', body)
    assert sections[:3] == ["brief", "pairs", "details"]
    brief = body.split('<section id="brief"', 1)[1].split("</section>", 1)[0]
    assert 'id="network"' in brief  # the network sits next to the cards
    cards = re.findall(r'<article class="ug-card ug-conf-(high|medium|low)" id="suspect-(\d+)">', brief)
    officials = scores.head(20)["official_id"].drop_duplicates()
    assert [int(n) for _, n in cards] == list(range(1, min(10, len(officials)) + 1))
    top = scores.iloc[0]
    first = brief.split('id="suspect-1"', 1)[1].split("</article>", 1)[0]
    names = dict(zip(graph.case["people"]["id"], graph.case["people"]["name"], strict=True))
    assert names[top["official_id"]] in first and f"{top['score']:.3f}" in first
    # three records the score's signals used (explain().records), with dates and file:row
    ex = explain(graph, top["official_id"], top["gang_id"], k=5, seed=0)
    used = ex.records[ex.records["used"].to_numpy(dtype=bool)]
    cited = {f"{Path(r['file']).name}:{r['row']}" for r in used.to_dict("records")}
    recs = re.findall(r"<li><span class=\"ug-date\">([^<]+)</span>.*?· ([\w.]+:\d+)</span></li>", first, re.S)
    assert len(recs) == 3
    for date, src in recs:
        assert (date == "undated" or re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", date)) and src in cited
    # the strongest signal's records come first (for the top pair: its own membership row)
    top_signal = ex.signals.sort_values("contribution", ascending=False).iloc[0]["signal"]
    first_used = used[used["signal"] == top_signal]
    assert f"{Path(first_used['file'].iat[0]).name}:{first_used['row'].iat[0]}" == recs[0][1]
    assert any(unescape(alt) in unescape(first) or alt in unescape(first) for alt in ALTERNATIVES.values())
    assert "What the data cannot rule out" in first


def test_no_missing_markers_and_human_labels(rendered_sample):
    _, _, page = rendered_sample
    body = unescape(_body(page))
    for marker in ("<NA>", "NaT", ">nan<", ">None<", "nan%"):
        assert marker not in body, marker
    assert "<th title=\"official_id\">Official ID</th>" in _body(page)
    assert "<th>official_id</th>" not in _body(page)


def test_lang_zh_labels_and_bad_lang(sample_graph):
    from umbrella_graph.scoring import score_umbrellas

    scores = score_umbrellas(sample_graph, seed=0)
    page = render_report(sample_graph, scores=scores, top=10, details=1, lang="zh", date="2024-05-01")
    assert "<th title=\"official_id\">官员编号</th>" in page and "要点：主要嫌疑人" in page
    assert "数据无法排除的解释" in page and "成员名单可能有误" in page  # P0061 is on G01's member list
    assert '<html lang="zh-CN">' in page  # in both languages: Han characters in their Chinese forms
    with pytest.raises(ParameterError, match="'lang' parameter of report"):
        render_report(sample_graph, scores=scores, lang="fr")
    with pytest.raises(ParameterError, match="'date' parameter of report"):
        render_report(sample_graph, scores=scores, date="not a date")


def test_long_tables_fold_behind_their_heading(rendered_sample):
    _, _, page = rendered_sample
    body = _body(page)
    folded = re.findall(r'<details class="ug-long"><summary>([^<]*)</summary>', body)
    assert folded and all(re.search(r"Show [\d,]+ rows", s) for s in folded)
    short = frame_table(pd.DataFrame({"a": range(3)}), mask=False)
    assert "<details" not in short and "<details" in frame_table(pd.DataFrame({"a": range(13)}), mask=False)


def test_charts(rendered_sample):
    graph, scores, page = rendered_sample
    pairs = page.split('<section id="pairs"', 1)[1].split("</section>", 1)[0]
    stacked = pairs.split('<svg class="ug-chart ug-stacked"', 1)[1].split("</svg>", 1)[0]
    assert stacked.count('<text x="') >= 20 and "#20 " in stacked  # one bar per top-20 pair
    pair1 = page.split('id="pair-1"', 1)[1].split('id="pair-2"', 1)[0]
    timeline = pair1.split('<svg class="ug-timeline"', 1)[1].split("</svg>", 1)[0]
    assert "¥1,000" in timeline or "¥10,000" in timeline  # amounts on a labelled scale
    for mark in ('class="ug-call"', 'class="ug-sms"', 'class="ug-meeting"'):
        assert mark in timeline  # calls, SMS and meetings drawn differently (legend at least)
    assert '<svg class="ug-chart ug-heat"' in pair1 or "No dated contact" in pair1
    pair2 = page.split('id="pair-2"', 1)[1].split('id="pair-3"', 1)[0]
    assert "ug-cum" in pair2 and "transfer(s)" in pair2  # cumulative money, labelled
    tip = page.split('<section id="tipoffs"', 1)[1].split("</section>", 1)[0]
    assert tip.count('<svg class="ug-chart ug-raidwin"') >= 3 and "gang relays" in tip


def test_embedded_font_covers_every_character(rendered_sample):
    import io

    from fontTools.ttLib import TTFont

    _, _, page = rendered_sample
    m = re.search(r'@font-face \{ font-family: "UG Noto Sans SC";[^}]*base64,([A-Za-z0-9+/=]+)\)', page)
    assert m
    font = TTFont(io.BytesIO(base64.b64decode(m.group(1))))
    cmap = font.getBestCmap()
    shown = set(unescape(re.sub(r"<[^>]+>", "", _body(page).split("<style", 1)[0])))
    data = json.dumps(page_data(page), ensure_ascii=False)
    cjk = {c for c in shown | set(data) if ord(c) > 0x2E80}
    assert len(cjk) > 100 and not [c for c in cjk if ord(c) not in cmap]
    assert len(cmap) < len(cjk) + 400  # a subset: the page's characters, not the whole shipped font
    assert "SIL Open Font License" in page


def test_missing_glyphs_are_listed():
    from umbrella_graph.presentation.font import embedded_font

    f = embedded_font(["东坝村 \U0001F600 𠀀"])
    assert f.missing == "\U0001F600𠀀" and f.characters >= 95 + 3
    graph = build_graph(case_from_frames(
        people=pd.DataFrame({"id": ["p1", "o1"], "name": ["甲\U0001F600", "丙"]}),
        gangs=pd.DataFrame({"id": ["g1"], "name": ["黑虎帮"]}),
        members=pd.DataFrame({"person_id": ["p1"], "gang_id": ["g1"], "role": ["leader"]}),
        officials=pd.DataFrame({"person_id": ["o1"], "position": ["所长"]})))
    page = render_report(graph, investigations=False)
    assert '<span class="ug-font-missing-chars">\U0001F600</span>' in page


def test_strongest_records_use_the_explanation_only():
    """The cards' records come from the explanation: per-signal records when it has them
    (strongest signal first), its paths only when it has none; ties broken by money first, bigger first."""
    from types import SimpleNamespace

    from umbrella_graph.reporting._brief import (
        ALTERNATIVES,
        ALTERNATIVES_ZH,
        alternative,
        confidence,
        strongest_records,
    )

    def recs(*rows):
        return pd.DataFrame([dict(zip(["record_id", "table", "file", "row", "time", "amount", "detail"], r,
                                      strict=True)) for r in rows])

    sig = pd.DataFrame({
        "signal": ["money", "contacts", "tipoff"],
        "value": [1.0, 0.5, 0.0],
        "contribution": [0.5, 0.2, 0.0],
        "description": ["", "", ""],
        "records": [recs(("T1", "transactions", "t.csv", 3, "2020-01-02", 5000.0, "transfer"),
                         ("T2", "transactions", "t.csv", 4, "2020-02-02", 90000.0, "transfer")),
                    recs(("c#9", "contacts", "c.csv", 9, "2020-03-01 22:00", None, "call")),
                    recs(("c#1", "contacts", "c.csv", 1, "2020-03-02", None, "call"))],
    })
    hop = SimpleNamespace(src="a", dst="b", kind="transaction",
                          records=recs(("T1", "transactions", "t.csv", 3, "2020-01-02", 5000.0, "transfer")))
    ex = SimpleNamespace(signals=sig, paths=[SimpleNamespace(nodes=["a", "b"], hops=[hop], strength=0.9,
                                                             through_hub=False)])
    top = strongest_records(ex, 3)
    assert [r["record_id"] for r in top] == ["T2", "T1", "c#9"]  # signal 'tipoff' (0) cites nothing
    assert top[0]["amount"] == "90,000" and top[0]["source"] == "t.csv:4" and top[2]["time"] == "2020-03-01 22:00"
    row = pd.Series({"official_id": "a", "gang_id": "g", "score": 0.7})
    assert confidence(ex, row)[0] == "high"
    assert "loan" in alternative(ex, row) and "official business" in alternative(ex, row)
    assert "借款" in alternative(ex, row, "zh") and set(ALTERNATIVES) == set(ALTERNATIVES_ZH)
    assert confidence(ex, row, "zh") == ("high", "2 个独立信号（money、contacts），引用 3 条记录")  # paths only as a fallback
    empty = SimpleNamespace(signals=sig.assign(records=[None, None, None]), paths=[])
    assert confidence(empty, row)[0] == "low" and strongest_records(empty) == []


def test_page_headers_cannot_be_broken_by_the_case_name():
    from umbrella_graph.reporting._build import _css_string, _print_css

    hostile = '清河"; } </style><script>alert(1)</script>'
    css = _print_css(hostile, "2024-05-01", True)
    assert "<" not in css and "</style" not in css and '"; }' not in css
    assert _css_string("Case 清河") == '"Case \\6e05 \\6cb3 "'
    assert '@top-right { content: "ID and phone numbers masked"' in css and "size: A4" in css


def test_transfer_memos_are_shown_with_their_records(rendered_sample):
    graph, scores, page = rendered_sample
    tx = graph.case["transactions"]
    memos = {(r["id"]): r["memo"] for r in tx.to_dict("records") if isinstance(r.get("memo"), str) and r["memo"]}
    body = _body(page)
    assert '<th title="memo">Memo</th>' in body
    rows = re.findall(r"<tr><td>[^<]*</td><td>transaction</td><td>(T\d+)</td>.*?<td[^>]*>([^<]*)</td></tr>", body)
    shown = [(rid, memo) for rid, memo in rows if rid in memos]
    assert shown and all(memo == memos[rid] for rid, memo in shown)
    assert re.search(r'<span class="ug-memo">memo “[^”]+”</span>', body)  # and on the brief's cards
