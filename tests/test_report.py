"""The single-file report: content, self-containment, masking, escaping, gaps, hook, CLI."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import escape, unescape
from html.parser import HTMLParser

import pandas as pd
import pytest
from click.testing import CliRunner

from umbrella_graph import ParameterError, build_graph, case_from_frames
from umbrella_graph.cli import main
from umbrella_graph.reporting import (
    Chart,
    Section,
    mask_id_number,
    mask_phone,
    mask_text,
    render_report,
    report,
)
from umbrella_graph.reporting._html import json_for_html


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
def sample(sample_graph):
    from umbrella_graph.scoring import score_umbrellas

    graph = sample_graph
    scores = score_umbrellas(graph, seed=0)
    page = render_report(graph, scores, top=20, details=3)
    return graph, scores, page


def test_self_contained_with_csp_hashes(sample):
    _, _, page = sample
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


def test_ranked_table_and_network_focus(sample):
    graph, scores, page = sample
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


def test_pair_sections_cite_the_records(sample):
    from umbrella_graph.scoring import explain

    graph, scores, page = sample
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


def test_summary_gaps_and_investigations(sample):
    graph, _, page = sample
    for name in graph.case["gangs"]["name"]:
        assert f"<td>{name}</td>" in page
    assert "Every table of the data contract is present." in page
    for anchor in ("tipoffs", "leads", "accountability", "disruption"):
        assert f'<section id="{anchor}" class="ug-section ug-extra">' in page
    disruption = page.split('<section id="disruption"', 1)[1].split("</section>", 1)[0]
    assert disruption.count("<polyline ") == len(graph.gangs)
    assert "Could not be computed" not in page


def test_pii_masked_by_default(sample, sample_dir):
    graph, scores, page = sample
    people = graph.case["people"]
    for col in ("phone", "id_number"):
        values = [v for v in people[col].dropna().astype(str) if len(v) >= 8]
        assert values and not [v for v in values if v in page]
    official = scores["official_id"].iat[0]
    phone = str(people.loc[people["id"] == official, "phone"].iat[0])
    assert mask_phone(phone) in page
    unmasked = render_report(graph, scores, top=5, details=1, investigations=False, mask_pii=False)
    assert phone in unmasked and "NOT masked" in unmasked


def test_deterministic(sample):
    graph, scores, _ = sample
    a = render_report(graph, scores, top=5, details=1, investigations=False)
    b = render_report(graph, scores, top=5, details=1, investigations=False)
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
    page = render_report(graph, scores, details=0, investigations=False)
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
    page = render_report(graph, scores, details=0, investigations=False, sections=[extra])
    sec = page.split('<section id="field-notes"', 1)[1].split("</section>", 1)[0]
    assert bad not in sec and "&lt;script&gt;alert(1)&lt;/script&gt;" in sec
    assert "138****8000" in sec and "139****5678" in sec
    assert sec.count("<polyline ") == 1
    assert '<a href="#field-notes">Field notes</a>' in page
    with pytest.raises(ParameterError, match="'blocks' parameter of Section"):
        Section("x", [object()])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match="'sections' parameter of report"):
        render_report(graph, scores, sections=["not a section"])  # type: ignore[list-item]


def test_parameter_errors(tmp_path):
    graph = build_graph(_gappy_case())
    scores = pd.DataFrame({"official_id": ["O"], "gang_id": ["G1"], "score": [0.5]})
    with pytest.raises(ParameterError, match="The 'top' parameter of report must be an integer >= 1. Got 0"):
        render_report(graph, scores, top=0)
    with pytest.raises(ParameterError, match="'scores' parameter of report"):
        render_report(graph, scores.drop(columns="score"))
    with pytest.raises(ParameterError, match="'path' parameter of report"):
        report(graph, scores, tmp_path / "report.pdf")


def test_public_report_is_the_function(tmp_path):
    import types

    import umbrella_graph
    import umbrella_graph.reporting as reporting

    assert umbrella_graph.report is reporting.report
    assert isinstance(umbrella_graph.report, types.FunctionType)
    assert not callable(reporting)
    graph = build_graph(_gappy_case())
    scores = pd.DataFrame({"official_id": ["O"], "gang_id": ["G1"], "score": [0.5]})
    p = umbrella_graph.report(graph, scores, tmp_path / "a.html", details=0, investigations=False)
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
    render_report(sample_graph, scores, top=5, details=2, seed=3)
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
