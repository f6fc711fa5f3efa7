"""Neo4j for the test-suite: a real server, never a mock (a pytest plugin, see conftest.py).

Fixtures
--------
neo4j_server (session)
    Where the test server is: ``.uri``, ``.user``, ``.password``, ``.database``. When
    ``NEO4J_URI`` is set (with ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) that
    server is used; the tests DELETE everything in that database, so an existing database
    that is not empty is refused unless ``NEO4J_TEST_ALLOW_WIPE=1``. Otherwise a local Neo4j
    Community is started with ``scripts/neo4j-local start`` (own state file, free port) and
    stopped at the end of the session. The URI and credentials are also exported as
    ``NEO4J_URI`` / ``NEO4J_USER`` / ``NEO4J_PASSWORD`` (/ ``NEO4J_DATABASE``) for
    subprocesses such as notebook kernels.
    The Neo4j tests never skip: if no server can be had, they FAIL with the reason (the
    tail of the server log), locally and in CI.
neo4j_uri (session)
    The Bolt URI alone.
neo4j_driver (session)
    A driver for the server.
neo4j_db (function)
    The database, emptied before the test: ``.driver``, ``.database``, ``.count()``.

Helpers
-------
make_case(seed, people=...)
    A small random but fully deterministic case exercising every table, extra columns,
    missing values, nanosecond times and Chinese names.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "neo4j-local"


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    database: str | None
    local: bool
    state: Path | None = None


def neo4j_local(*args: str, state: Path, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    """Run scripts/neo4j-local with its own state file."""
    return subprocess.run([sys.executable, str(SCRIPT), *args, "--state", str(state)],
                          capture_output=True, text=True, timeout=timeout)


def start_local(state: Path, *extra: str) -> str:
    """Start a local server; return its URI or fail the test with the reason."""
    try:
        proc = neo4j_local("start", *extra, state=state)
    except subprocess.TimeoutExpired:
        pytest.fail("scripts/neo4j-local start did not return within 400s")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines or not lines[-1].startswith("bolt://"):
        pytest.fail("could not start the local Neo4j server (scripts/neo4j-local start, exit "
                    f"{proc.returncode}):\n{proc.stderr[-4000:]}\n{proc.stdout[-1000:]}")
    return lines[-1]


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    keys = ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")
    saved = {k: os.environ.get(k) for k in keys}
    uri = os.environ.get("NEO4J_URI")
    if uri:
        server = Neo4jServer(uri, os.environ.get("NEO4J_USER", "neo4j"),
                             os.environ.get("NEO4J_PASSWORD", ""),
                             os.environ.get("NEO4J_DATABASE") or None, local=False)
        _refuse_non_empty(server)
        yield server
        return
    state = tmp_path_factory.mktemp("neo4j") / "state.json"
    uri = start_local(state)
    server = Neo4jServer(uri, "neo4j", "umbrella-test", None, local=True, state=state)
    os.environ.update({"NEO4J_URI": server.uri, "NEO4J_USER": server.user,
                       "NEO4J_PASSWORD": server.password})
    try:
        yield server
    finally:
        neo4j_local("stop", state=state)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _refuse_non_empty(server: Neo4jServer) -> None:
    from umbrella_graph.backends import connect

    if os.environ.get("NEO4J_TEST_ALLOW_WIPE") == "1":
        return
    with connect(server.uri, server.user, server.password, database=server.database) as d:
        n = d.execute_query("MATCH (n) RETURN count(n) AS n", database_=server.database).records[0]["n"]
    if n:
        pytest.fail(f"NEO4J_URI points at a database holding {n} nodes; the tests delete everything "
                    "in it. Use an empty database or set NEO4J_TEST_ALLOW_WIPE=1.")


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jServer) -> str:
    return neo4j_server.uri


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_server: Neo4jServer) -> Any:
    from umbrella_graph.backends import connect

    driver = connect(neo4j_server.uri, neo4j_server.user, neo4j_server.password,
                     database=neo4j_server.database)
    yield driver
    driver.close()


@dataclass
class Neo4jDB:
    driver: Any
    database: str | None

    def count(self, what: str = "nodes") -> int:
        q = "MATCH (n) RETURN count(n)" if what == "nodes" else "MATCH ()-[r]->() RETURN count(r)"
        return int(self.driver.execute_query(q, database_=self.database).records[0][0])

    def clear(self) -> None:
        from umbrella_graph.backends import clear_database

        clear_database(self.driver, database=self.database)


@pytest.fixture
def neo4j_db(neo4j_server: Neo4jServer, neo4j_driver: Any) -> Neo4jDB:
    db = Neo4jDB(neo4j_driver, neo4j_server.database)
    db.clear()
    return db


# ---------------------------------------------------------------------------------------
# a small deterministic case touching every table
# ---------------------------------------------------------------------------------------
def make_case(seed: int = 0, people: int = 60, transactions: int = 400) -> Any:
    """A random (seeded) case with every table, extra columns and awkward values."""
    from umbrella_graph import case_from_frames

    if people < 40:
        raise ValueError("make_case needs people >= 40")
    rng = np.random.default_rng(seed)
    villages = pd.DataFrame({
        "id": ["V0", "V1", "V2", "V3"], "name": ["清河县", "城关镇", "东村", "西村"],
        "parent_id": [None, "V0", "V1", "V1"], "level": ["district", "town", "village", "village"]})
    pid = [f"P{i:03d}" for i in range(people)]
    births = pd.Series(pd.to_datetime("1960-01-01") + pd.to_timedelta(rng.integers(0, 15000, people), "D"))
    births[rng.random(people) < 0.2] = pd.NaT
    ppl = pd.DataFrame({
        "id": pid, "name": [f"人{i}号" for i in range(people)],
        "gender": rng.choice(["男", "女"], people), "birth_date": births,
        "phone": [f"138{rng.integers(10**7, 10**8)}" for _ in range(people)],
        "village_id": rng.choice(["V2", "V3", None], people),
        "nickname": [None if i % 3 else f"阿{i}" for i in range(people)],  # extra column
    })
    off = pid[:6]
    officials = pd.DataFrame({
        "person_id": off + [off[0]],
        "position": ["镇长", "所长", "副所长", "村主任", "科员", "局长", "书记"],
        "unit": ["城关镇政府", "派出所", "派出所", None, "城关镇政府", None, "城关镇政府"],
        "jurisdiction_id": ["V1", "V1", None, "V2", None, None, "V1"],
        "start_date": ["2015-01-01", "2016-03-01", None, "2018-07-15", "2019-01-01", None, "2012-01-01"],
        "end_date": [None, None, None, None, None, None, "2014-12-31"]})
    gangs = pd.DataFrame({"id": ["G1", "G2"], "name": ["东村帮", "西村帮"], "village_id": ["V2", "V3"]})
    mem = pid[10:22]
    members = pd.DataFrame({"person_id": mem, "gang_id": ["G1"] * 6 + ["G2"] * 6,
                            "role": ["leader", "core", "member", "member", "core", "member"] * 2})
    companies = pd.DataFrame({"id": ["C1", "C2"], "name": ["东兴砂石", "西海建设"], "village_id": ["V2", None],
                              "sector": ["sand", "construction"]})
    roles = pd.DataFrame({"person_id": [pid[10], pid[16], pid[30]], "company_id": ["C1", "C2", "C1"],
                          "role": ["owner", "legal_rep", "shareholder"], "share": [0.7, None, 0.3]})
    ties = pd.DataFrame({"src": [pid[0], pid[1], pid[2], pid[11]], "dst": [pid[30], pid[31], pid[10], "C2"],
                         "kind": ["spouse", "classmate", "kin", "business"]})
    n = transactions
    nodes = pid + ["C1", "C2"]
    src = rng.choice(nodes, n)
    dst = rng.choice(nodes, n)
    base = pd.Timestamp("2018-01-01")
    tx = pd.DataFrame({
        "id": [None if i % 4 == 0 else f"T{i:05d}" for i in range(n)],
        "src": src, "dst": dst,
        "amount": np.round(rng.lognormal(8, 2, n), 2),
        "date": [base + pd.Timedelta(int(x), "s") + pd.Timedelta(int(ns), "ns")
                 for x, ns in zip(rng.integers(0, 3 * 365 * 86400, n), rng.integers(0, 10**9, n), strict=True)],
        "channel": rng.choice(["bank", "wechat", "cash", None], n),
        "memo": rng.choice(["借款", "货款", None, "红包"], n),
        "batch": rng.integers(1, 5, n),  # extra column (int)
    })
    m = max(n // 4, 10)
    contacts = pd.DataFrame({
        "src": rng.choice(pid[:25], m), "dst": rng.choice(pid, m),
        "kind": rng.choice(["call", "sms", "meeting", "chat"], m),
        "time": [base + pd.Timedelta(int(x), "s") for x in rng.integers(0, 3 * 365 * 86400, m)],
        "duration_s": np.where(rng.random(m) < 0.3, np.nan, rng.integers(5, 900, m)),
        "count": pd.array([int(c) if r < 0.5 else None
                           for c, r in zip(rng.integers(1, 6, m), rng.random(m), strict=True)], dtype="Int64"),
    })
    contracts = pd.DataFrame({
        "id": ["K1", None, None], "issuer_id": ["V1", "城关镇政府", "V2"], "approver_id": [off[0], None, off[3]],
        "company_id": ["C1", "C2", "C1"], "amount": [1.2e6, None, 3.5e5],
        "date": ["2019-05-01", "2019-06-01", "2020-01-15"], "subject": ["河道清淤", None, "道路"]})
    events = pd.DataFrame({
        "id": ["E1", "E2", "E3"], "kind": ["raid", "inspection", "arrest"],
        "time": ["2019-07-01 05:30", "2019-08-01", "2020-03-03 23:59:59.999999999"],
        "gang_id": ["G1", None, "G2"], "target_id": [None, "C1", pid[16]], "jurisdiction_id": ["V2", "V2", None]})
    leads = pd.DataFrame({"id": ["L1", "L2"], "date": ["2019-09-09", "2020-02-02"], "source": ["hotline", None],
                          "subject_id": [off[1], off[3]], "gang_id": ["G1", None], "text": ["举报所长", "反映"]})
    labels = pd.DataFrame({"official_id": [off[1], off[4]], "gang_id": ["G1", "G2"], "label": [1, 0]})
    return case_from_frames(people=ppl, villages=villages, officials=officials, gangs=gangs, members=members,
                            companies=companies, company_roles=roles, ties=ties, transactions=tx,
                            contacts=contacts, contracts=contracts, events=events, leads=leads, labels=labels,
                            name=f"made-{seed}")
