"""Every notebook in notebooks/ runs from top to bottom (cwd = notebooks/), and is committed
without outputs.

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

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL = "umbrella-graph-test"

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


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
    """NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD of the test server (the Neo4j helper's fixture)."""
    for name in ("neo4j_server", "neo4j_uri", "neo4j"):
        if name in request.fixturenames or name in request.session._fixturemanager._arg2fixturedefs:
            server = request.getfixturevalue(name)
            break
    else:
        pytest.fail("no Neo4j test fixture found (tests/conftest.py) for the Neo4j notebook")
    env = {}
    for key, attr in (("NEO4J_URI", "uri"), ("NEO4J_USER", "user"), ("NEO4J_PASSWORD", "password")):
        value = server.get(attr) if isinstance(server, dict) else getattr(server, attr, None)
        if isinstance(server, str) and attr == "uri":
            value = server
        if value is not None:
            env[key] = str(value)
    return env


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, kernel_path, request, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    if "neo4j" in path.stem:
        env.update(_neo4j_env(request))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute(env=env)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
