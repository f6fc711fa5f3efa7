"""Shared fixtures. Topic fixtures live in their own test modules or plugins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from umbrella_graph import Case, CaseGraph, build_graph, load_case

# the Neo4j fixtures (neo4j_server, neo4j_uri, neo4j_driver, neo4j_db): tests/neo4j_support.py
pytest_plugins = ["neo4j_support"]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "qinghe"
DATASETS = ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The bundled sample case folder."""
    return SAMPLE


@pytest.fixture(scope="session")
def sample_case(sample_dir: Path) -> Case:
    """The sample case, loaded once for the whole run (a Case is immutable: its tables
    are handed out as copies, so the test modules can share it)."""
    return load_case(sample_dir)


@pytest.fixture(scope="session")
def sample_graph(sample_case: Case) -> CaseGraph:
    """The sample case's graph, built once for the whole run (a CaseGraph is immutable,
    tests/test_immutable.py, so the test modules can share it)."""
    return build_graph(sample_case)


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """``../shared/datasets`` (real public data; read, never copied)."""
    if not DATASETS.is_dir():
        pytest.fail(f"shared datasets not found at {DATASETS}")
    return DATASETS


@pytest.fixture(scope="session")
def tipoff_pattern_graph() -> CaseGraph:
    """A 4,000-person city of bench/accuracy.py's tip-off hidden family (tuning split, seed
    102: few relays, relatives calling) in which events below the tip-off threshold count
    inside a pattern (scoring.tipoff.is_tipoff); built once for the modules that use it."""
    from umbrella_graph.synth import generate_city

    return build_graph(generate_city(people=4000, gangs=6, seed=102, relay_share=0.08,
                                     tipoff_relative_share=0.54).case)


_HEAVY = ("neo4j", "notebook", "browser", "slow")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files that start servers or run for minutes first (Spark's, then those marked
    neo4j, notebook, browser or slow), each file's tests in their own order: under
    ``scripts/test`` (two xdist workers, a file per worker) the long files start early
    and the short ones fill in, instead of one long file running alone at the end."""
    def path(item: pytest.Item) -> str:
        return item.nodeid.split("::", 1)[0]

    heavy: dict[str, int] = {}
    for item in items:
        f = path(item)
        if "spark" in f:
            heavy[f] = 0
        elif any(item.get_closest_marker(m) for m in _HEAVY):
            heavy[f] = min(heavy.get(f, 1), 1)
    items.sort(key=lambda item: heavy.get(path(item), 2))  # stable: the order within a file holds


# the test files that use the session's Neo4j server (tests/neo4j_support.py's fixtures)
_NEO4J_FILES = frozenset(
    f"tests/{p.name}" for p in Path(__file__).parent.glob("test_*.py")
    if re.search(r"\bneo4j_(server|db|driver|uri)\b", p.read_text(encoding="utf-8")))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadfile`` (scripts/test), the files that use the session's Neo4j
    server are one work unit, so one worker starts one server for all of them (a server
    per worker costs a JVM start, 10-25 s, and its memory). xdist's ``loadgroup`` would
    say this with marks, but with pytest 9.2 it ignores them (it renames
    ``item._nodeid``, which pytest 9.2's ``nodeid`` no longer reads)."""
    if config.getoption("dist", None) != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class _Neo4jFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            f = nodeid.split("::", 1)[0]
            return "neo4j server files" if f in _NEO4J_FILES else f

    return _Neo4jFilesTogether(config, log)
