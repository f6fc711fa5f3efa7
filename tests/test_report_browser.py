"""The report and the views in a real headless Chromium, with the network disabled.

Checks that pages load and draw, log no console error, make no request outside the file,
react to clicks, and render hostile strings as text without executing anything; and that
Chinese renders on a machine with no font at all (a second Chromium whose fontconfig has
no font directory), through the page's embedded font.

Screenshots go to a temporary folder (printed with ``-s``), or to the folder named by the
environment variable UG_TEST_ARTIFACTS; tests never write into the repository.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from umbrella_graph import build_graph, case_from_frames
from umbrella_graph.reporting import report
from umbrella_graph.views import view_gang

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ALLOWED_SCHEMES = ("file:", "data:", "about:", "blob:")
FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--window-size=1500,1100",
)
# installed before any page script runs: records dialogs instead of showing them
HOOKS = """
window.__ugDialogs = [];
['alert', 'confirm', 'prompt', 'print'].forEach(function (name) {
  window[name] = function (msg) { window.__ugDialogs.push(name + ':' + String(msg)); return null; };
});
"""
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"quoted" \'single\'',
    "</script><b>bold</b>",
)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    """Where screenshots go: $UG_TEST_ARTIFACTS, or a temporary folder."""
    env = os.environ.get("UG_TEST_ARTIFACTS")
    out = Path(env) if env else tmp_path_factory.mktemp("artifacts")
    out.mkdir(parents=True, exist_ok=True)
    return out


def start_chromium(env: dict[str, str] | None = None, size: str = "1500,1100"):
    """A headless Chromium (offline, dialogs recorded), with extra environment ``env``."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"headless Chromium is needed ({CHROMIUM}, {CHROMEDRIVER}): run scripts/setup --system")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        opts.add_argument(flag)
    opts.add_argument(f"--window-size={size}")
    profile = tempfile.mkdtemp(prefix="ug-chromium-")
    opts.add_argument(f"--user-data-dir={profile}")
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service_env = {**os.environ, **(env or {})}
    d = webdriver.Chrome(service=Service(str(CHROMEDRIVER), env=service_env), options=opts)
    d.execute_cdp_cmd("Network.enable", {})
    d.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOKS})
    return d


@pytest.fixture(scope="module")
def driver():
    d = start_chromium()
    try:
        yield d
    finally:
        d.quit()


LATIN_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)


def no_cjk_font_env(folder: Path) -> dict[str, str]:
    """Environment for a Chromium that sees one Latin font and no CJK font (a stock Debian).

    Its fontconfig lists a single font directory holding a copy of DejaVu Sans (or
    Liberation Sans), checked to have no Chinese glyph. (Chromium aborts when it finds no
    font at all, so "no font" means "no CJK font".)
    """
    from fontTools.ttLib import TTFont

    src = next((f for f in LATIN_FONTS if f.exists()), None)
    if src is None:
        pytest.fail(f"a Latin font is needed for the no-CJK-font browser test: one of {LATIN_FONTS}")
    fonts = folder / "fonts"
    fonts.mkdir(exist_ok=True)
    (fonts / src.name).write_bytes(src.read_bytes())
    assert ord("伞") not in TTFont(fonts / src.name).getBestCmap()
    cache = folder / "fc-cache"
    cache.mkdir(exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>\n", encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf), "FONTCONFIG_PATH": str(folder), "HOME": str(folder)}


@pytest.fixture(scope="module")
def bare_driver(tmp_path_factory):
    """Chromium on a machine without any CJK font (its fontconfig path holds one Latin font)."""
    d = start_chromium(no_cjk_font_env(tmp_path_factory.mktemp("nofonts")), size="1600,1000")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": 1600, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
    try:
        yield d
    finally:
        d.quit()


# Every character shown on the page (text nodes, SVG text) is drawn on a canvas with the
# embedded font. It fell back if it looks like the tofu reference (a code point no font has,
# drawn with the embedded font or with the machine's fonts), or like the same character
# drawn with a font that does not exist (the machine's fallback): not drawn by the
# embedded font, and on a machine with no CJK font, a box.
FALLBACK_PROBE = """
var fam = arguments[0];
var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null);
var seen = {}, n;
while ((n = walker.nextNode())) {
  var p = n.parentElement;
  if (!p || p.closest('script, style, .ug-font-missing')) { continue; }
  for (var ch of n.data) { if (!/\\s/.test(ch)) { seen[ch] = true; } }
}
var chars = Object.keys(seen).sort();
var c = document.createElement('canvas'); c.width = 48; c.height = 48;
var ctx = c.getContext('2d', {willReadFrequently: true});
function ink(font, ch) {
  ctx.clearRect(0, 0, 48, 48); ctx.font = font; ctx.textBaseline = 'top'; ctx.fillText(ch, 4, 4);
  var d = ctx.getImageData(0, 0, 48, 48).data, s = '';
  for (var i = 3; i < d.length; i += 4) { s += d[i] > 127 ? '1' : '0'; }
  return s + '|' + ctx.measureText(ch).width.toFixed(2);
}
var own = '32px "' + fam + '"', other = '32px "UG no such font"';
var tofu = [ink(own, '\\u{10FFFD}'), ink(other, '\\u{10FFFD}')];  // a code point no font has
var fallback = [];
chars.forEach(function (ch) {
  var mine = ink(own, ch);
  if (tofu.indexOf(mine) >= 0 || mine === ink(other, ch)) { fallback.push(ch); }
});
var face = null;
document.fonts.forEach(function (f) { if (f.family.replace(/"/g, '') === fam) { face = f.status; } });
return {chars: chars.length, fallback: fallback, face: face,
        bodyFont: getComputedStyle(document.body).fontFamily};
"""


def fallback_glyphs(d) -> dict:
    from umbrella_graph.presentation.font import FONT_FAMILY

    d.execute_async_script("var done = arguments[arguments.length - 1]; document.fonts.ready.then(function () { done(); });")
    return d.execute_script(FALLBACK_PROBE, FONT_FAMILY)


def _requests(d) -> list[str]:
    urls = []
    for entry in d.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
        elif msg["method"] == "Network.webSocketCreated":
            urls.append(msg["params"]["url"])
    return urls


def open_page(d, path: Path) -> dict:
    """Load ``path``; wait for ``UG.ready``; return the requests and console messages."""
    from selenium.webdriver.support.ui import WebDriverWait

    d.get("about:blank")
    d.get_log("performance")
    d.get_log("browser")
    d.get(path.resolve().as_uri())
    WebDriverWait(d, 30).until(lambda drv: drv.execute_script("return !!(window.UG && window.UG.ready)"))
    time.sleep(0.2)
    return {"requests": _requests(d), "console": d.get_log("browser")}


def painted_pixels(d) -> int:
    return int(d.execute_script("""
        var c = document.querySelector('.ug-canvas canvas');
        var px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
        for (var i = 3; i < px.length; i += 4) { if (px[i] > 0) { n++; } }
        return n;"""))


def assert_clean(info: dict) -> None:
    errors = [m for m in info["console"] if m["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors
    outside = [u for u in info["requests"] if not u.startswith(ALLOWED_SCHEMES)]
    assert not outside, outside
    assert any(u.startswith("file:") for u in info["requests"])  # the log did record the page itself


@pytest.fixture(scope="module")
def sample_report(sample_graph, tmp_path_factory) -> tuple[Path, object]:
    graph = sample_graph
    path = report(graph, tmp_path_factory.mktemp("report") / "qinghe.html", top=30, details=5)
    return path, graph


def test_report_loads_draws_and_stays_offline(driver, sample_report):
    path, _ = sample_report
    info = open_page(driver, path)
    assert_clean(info)
    n = driver.execute_script("return UG.nodeCount()")
    data = json.loads(driver.execute_script("return document.getElementById('ug-data').textContent"))
    assert n == len(data["network"]["nodes"]) > 50
    assert driver.execute_script("return UG.edgeCount()") == len(data["network"]["edges"])
    assert painted_pixels(driver) > 5000
    assert driver.execute_script("return window.__ugDialogs.length") == 0


def test_clicking_a_row_focuses_the_pair(driver, sample_report, artifacts):
    from selenium.webdriver.common.by import By

    path, _ = sample_report
    open_page(driver, path)
    assert driver.execute_script("return UG.selectedNodes()") == []
    data = json.loads(driver.execute_script("return document.getElementById('ug-data').textContent"))
    shown = {n["id"] for n in data["network"]["nodes"]}
    seen = []
    for i in (0, 1):
        row = driver.find_element(By.CSS_SELECTOR, f'#ug-pairs tr[data-pair="{i}"]')
        row.click()
        time.sleep(0.2)
        selected = driver.execute_script("return UG.selectedNodes()")
        expected = sorted(set(data["pairs"][i]["focus"]) & shown)
        assert selected == expected and len(selected) >= 2
        assert "ug-active" in row.get_attribute("class")
        seen.append(selected)
    assert seen[0] != seen[1]
    driver.execute_script("document.getElementById('pairs').scrollIntoView()")
    time.sleep(0.3)
    shot = artifacts / "report.png"
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def test_view_filters_and_search(driver, sample_graph, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    graph = sample_graph
    view = view_gang(graph, "G01", max_nodes=60)
    info = open_page(driver, view.save(tmp_path / "gang.html"))
    assert_clean(info)
    total = driver.execute_script("return UG.visibleEdgeCount()")
    assert total == len(view.network.edges) == driver.execute_script("return UG.edgeCount()")
    assert painted_pixels(driver) > 2000
    money = sum(e["fam"] == "money" for e in view.network.edges)
    assert money > 0
    driver.find_element(By.CSS_SELECTOR, '.ug-fams input[value="money"]').click()
    assert driver.execute_script("return UG.visibleEdgeCount()") == total - money
    # a date range that holds no record hides every dated edge; undated ties stay
    undated = sum(not e["t"] for e in view.network.edges if e["fam"] != "money")
    driver.execute_script("""
        var inputs = document.querySelectorAll('.ug-dates input');
        inputs[0].value = '1990-01-01'; inputs[1].value = '1990-12-31';
        inputs[1].dispatchEvent(new Event('change'));""")
    assert driver.execute_script("return UG.visibleEdgeCount()") == undated
    driver.find_element(By.CSS_SELECTOR, "button.ug-reset").click()
    assert driver.execute_script("return UG.visibleEdgeCount()") == total
    box = driver.find_element(By.CSS_SELECTOR, "input.ug-search")
    box.send_keys("P0242", Keys.ENTER)
    assert driver.execute_script("return UG.selectedNodes()") == ["P0242"]


def xss_case():
    p = PAYLOADS
    return case_from_frames(
        people=pd.DataFrame({
            "id": ["L", "M", "O", "W"],
            "name": [p[0], p[1], p[2], p[3]],
            "phone": ["13800138000", "", "13912345678", ""],
        }),
        gangs=pd.DataFrame({"id": ["G1"], "name": [p[1] + " gang"], "kind": [p[0]], "village_id": ["V1"]}),
        villages=pd.DataFrame({"id": ["V1"], "name": [p[3] + " village"], "level": ["village"]}),
        companies=pd.DataFrame({"id": ["C1"], "name": [p[0] + " Ltd"], "village_id": ["V1"], "sector": [p[2]]}),
        company_roles=pd.DataFrame({"person_id": ["M"], "company_id": ["C1"], "role": ["owner"]}),
        members=pd.DataFrame({"person_id": ["L", "M"], "gang_id": ["G1", "G1"], "role": ["leader", "member"]}),
        officials=pd.DataFrame({"person_id": ["O"], "position": [p[1]], "unit": [p[0] + " unit"],
                                "jurisdiction_id": ["V1"], "start_date": ["2015-01-01"]}),
        ties=pd.DataFrame({"src": ["O"], "dst": ["W"], "kind": ["spouse"]}),
        transactions=pd.DataFrame({
            "id": ["T1", "T2"], "src": ["L", "M"], "dst": ["W", "O"], "amount": [80000, 20000],
            "date": ["2020-05-01", "2020-06-01"], "memo": [p[1] + " 好处费", p[3]],
        }),
        contacts=pd.DataFrame({"src": ["O", "O"], "dst": ["L", "M"], "kind": ["call", "call"],
                               "time": ["2020-05-20 22:00", "2020-05-20 22:30"]}),
        contracts=pd.DataFrame({"id": ["K1"], "issuer_id": ["V1"], "approver_id": ["O"], "company_id": ["C1"],
                                "amount": [500000], "date": ["2019-04-01"], "subject": [p[0]]}),
        events=pd.DataFrame({"id": ["E1"], "kind": ["raid"], "time": ["2020-05-21 03:00"], "gang_id": ["G1"],
                             "jurisdiction_id": ["V1"]}),
        leads=pd.DataFrame({"id": ["LD1"], "date": ["2021-01-01"], "source": [p[2]], "subject_id": ["O"],
                            "gang_id": ["G1"], "text": [p[0] + p[1] + " 电话 13800138000"]}),
        name="xss",
    )


def test_hostile_strings_render_as_text(driver, tmp_path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    graph = build_graph(xss_case())
    path = report(graph, tmp_path / "xss.html", details=3)
    info = open_page(driver, path)
    assert_clean(info)
    assert driver.execute_script("return window.__ugDialogs") == []
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    injected = driver.execute_script("""
        var bad = [];
        document.querySelectorAll('img, iframe, object, embed').forEach(function (e) { bad.push(e.outerHTML); });
        document.querySelectorAll('b').forEach(function (e) { if (e.textContent === 'bold') { bad.push(e.outerHTML); } });
        document.querySelectorAll('*').forEach(function (e) {
          for (var i = 0; i < e.attributes.length; i++) {
            if (/^on/i.test(e.attributes[i].name)) { bad.push(e.tagName + ' ' + e.attributes[i].name); }
          }
        });
        return {bad: bad, scripts: document.scripts.length};""")
    assert injected == {"bad": [], "scripts": 4}
    text = driver.execute_script("return document.body.innerText")
    for p in PAYLOADS:
        assert p in text, p
    source = path.read_text(encoding="utf-8")
    assert "138****8000" in source and "13800138000" not in source and "13800138000" not in text
    # the network's tooltips show the same strings as text
    driver.execute_script("document.getElementById('network').scrollIntoView({block: 'center'})")
    time.sleep(0.2)
    pos = driver.execute_script("return UG.domPosition('L')")
    canvas = driver.find_element(By.CSS_SELECTOR, ".ug-canvas canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(pos["x"] - size["width"] / 2), int(pos["y"] - size["height"] / 2)).perform()
    from selenium.webdriver.support.ui import WebDriverWait

    tip = WebDriverWait(driver, 5).until(
        lambda drv: drv.execute_script(
            "var t = document.querySelector('div.vis-tooltip');"
            "return t && t.style.visibility !== 'hidden' && t.textContent ? t.textContent : null;"))
    assert PAYLOADS[0] in tip
    assert driver.execute_script("return document.querySelectorAll('div.vis-tooltip *:not(div):not(table):not(tbody):not(tr):not(th):not(td)').length") == 0
    assert driver.execute_script("return window.__ugDialogs") == []


def test_chinese_renders_without_a_cjk_font(bare_driver, sample_report, artifacts):
    """On a machine with no CJK font, every character of the report is drawn by the
    embedded font (no tofu), the network still draws, and nothing is fetched."""
    path, _ = sample_report
    d = bare_driver
    info = open_page(d, path)
    assert_clean(info)
    probe = fallback_glyphs(d)
    assert probe["face"] == "loaded", probe
    assert probe["bodyFont"].startswith('"UG Noto Sans SC"'), probe["bodyFont"]
    assert probe["chars"] > 200  # Chinese names, posts and the English labels
    assert probe["fallback"] == [], probe["fallback"]
    assert painted_pixels(d) > 5000
    d.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.2)
    # the first screen (1600 x 1000) shows the top suspect's whole card and the network
    first = d.execute_script("""
        function box(sel) { var r = document.querySelector(sel).getBoundingClientRect();
                            return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }
        return {w: innerWidth, h: innerHeight, card: box('#suspect-1'), net: box('#network .ug-canvas'),
                name: document.querySelector('#suspect-1 .ug-card-name').textContent};""")
    assert (first["w"], first["h"]) == (1600, 1000)
    assert first["card"]["top"] >= 0 and first["card"]["bottom"] <= 1000, first
    assert first["net"]["top"] < 400 and first["net"]["bottom"] <= 1000 and first["net"]["right"] <= 1600, first
    assert first["net"]["left"] > first["card"]["right"] - 1  # side by side
    shot = artifacts / "report-no-fonts.png"
    d.save_screenshot(str(shot))
    print("screenshot without fonts:", shot)


def test_the_tofu_check_can_fail(bare_driver, tmp_path):
    """A character the shipped font lacks is listed on the page and found by the probe, and
    the probe would see a page whose text does not use the embedded font."""
    case = case_from_frames(
        people=pd.DataFrame({"id": ["p1", "o1"], "name": ["甲\U0001F600", "丙𠀀"]}),
        gangs=pd.DataFrame({"id": ["g1"], "name": ["黑虎帮"]}),
        members=pd.DataFrame({"person_id": ["p1"], "gang_id": ["g1"], "role": ["leader"]}),
        officials=pd.DataFrame({"person_id": ["o1"], "position": ["所长"]}),
        transactions=pd.DataFrame({"src": ["p1"], "dst": ["o1"], "amount": [50000], "date": ["2020-05-01"]}),
        name="tofu")
    path = report(build_graph(case), tmp_path / "tofu.html", investigations=False)
    listed = bare_driver
    open_page(listed, path)
    note = listed.execute_script("var e = document.querySelector('.ug-font-missing-chars'); return e && e.textContent")
    assert note is not None and "\U0001F600" in note and "𠀀" in note
    probe = fallback_glyphs(listed)
    assert "𠀀" in probe["fallback"] and "黑" not in probe["fallback"]
