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
