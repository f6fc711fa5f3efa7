"""Every notebook in notebooks/ runs from top to bottom (cwd = notebooks/), and is committed
without outputs; the views it displays and the files it writes open in headless Chromium
(as JupyterLab and VS Code show HTML outputs: the view's sandboxed ``<iframe srcdoc>``),
draw their network and log no console error.

Files the notebooks write go to a temporary folder (UMBRELLA_GRAPH_OUT), never into the
repository.

The kernel is this interpreter (the project's venv): a kernelspec pointing at
``sys.executable`` is written to a temporary JUPYTER_PATH, so the test works from a clean
clone without registering a kernel. Notebooks about Neo4j get the URI and credentials of
the test Neo4j server in their environment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the browser helpers of test_report_browser

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "umbrella-graph-test"

pytestmark = [pytest.mark.notebook, pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("jupyter")
    spec = base / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "umbrella-graph (test)",
        "language": "python",
    }), encoding="utf-8")
    return base


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    assert {"01_quickstart.ipynb", "03_us_mafia.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"


def _neo4j_env(request) -> dict[str, str]:
    """NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD (/ NEO4J_DATABASE) of the test server.

    The server comes from the ``neo4j_server`` fixture (tests/neo4j_support.py): a local
    Neo4j started for the session, or the one NEO4J_URI names; ``neo4j_db`` empties the
    database first, so the notebook starts from a clean graph.
    """
    request.getfixturevalue("neo4j_db")
    server = request.getfixturevalue("neo4j_server")
    env = {"NEO4J_URI": server.uri, "NEO4J_USER": server.user, "NEO4J_PASSWORD": server.password}
    if server.database:
        env["NEO4J_DATABASE"] = server.database
    return env


def _repo_files() -> set[Path]:
    return {p for p in ROOT.rglob("*.html") if ".venv" not in p.parts and "node_modules" not in p.parts}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, kernel_path, request, monkeypatch, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    out = tmp_path / "out"
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["UMBRELLA_GRAPH_OUT"] = str(out)
    if "neo4j" in path.stem:
        env.update(_neo4j_env(request))
    before = _repo_files()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert _repo_files() == before  # nothing written into the repository
    # the HTML outputs (views) as JupyterLab / VS Code show them, and the files written
    pages = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            html = o.get("data", {}).get("text/html") if o.output_type in ("display_data", "execute_result") else None
            if html and "<iframe srcdoc=" in html:
                page = tmp_path / f"cell{i}.html"
                page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                                + (html if isinstance(html, str) else "".join(html)) + "</body></html>",
                                encoding="utf-8")
                pages.append(("frame", page))
    pages += [("page", p) for p in sorted(out.glob("*.html"))] if out.exists() else []
    if path.stem.startswith(("01", "03")):
        assert any(k == "frame" for k, _ in pages) and any(k == "page" for k, _ in pages)
    if pages:
        _open_in_chromium(pages)


def _open_in_chromium(pages: list[tuple[str, Path]]) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    from test_report_browser import assert_clean, open_page, start_chromium

    d = start_chromium()
    try:
        for kind, page in pages:
            if kind == "page":
                info = open_page(d, page)
            else:  # the notebook output: a sandboxed iframe whose srcdoc is the view
                d.get("about:blank")
                d.get_log("performance")
                d.get_log("browser")
                d.get(page.resolve().as_uri())
                frame = d.find_element("css selector", "iframe")
                d.switch_to.frame(frame)
                WebDriverWait(d, 60).until(lambda drv: drv.execute_script("return !!(window.UG && window.UG.ready)"))
                from test_report_browser import _requests

                info = {"requests": _requests(d), "console": d.get_log("browser")}
            assert d.execute_script("return UG.nodeCount()") > 1, page.name
            painted = d.execute_script("""
                var c = document.querySelector('.ug-canvas canvas');
                var px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, n = 0;
                for (var i = 3; i < px.length; i += 4) { if (px[i] > 0) { n++; } }
                return n;""")
            assert painted > 1000, page.name
            assert_clean(info)
            d.switch_to.default_content()
    finally:
        d.quit()
