"""An ingested, resolved case goes into a real Neo4j server and back unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import umbrella_graph as ug
from umbrella_graph.backends import from_neo4j, to_neo4j
from umbrella_graph.ingest import ingest
from umbrella_graph.synth import generate_city
from umbrella_graph.synth.messy import write_messy_sources

pytestmark = pytest.mark.neo4j


def test_ingested_case_round_trips_through_neo4j(neo4j_db, tmp_path: Path) -> None:
    city = generate_city(people=300, gangs=1, seed=5)
    ms = write_messy_sources(city, tmp_path / "sources", seed=5)
    case = ug.load_case(ingest(ms.path).write(tmp_path / "case"))
    to_neo4j(case, neo4j_db.driver, database=neo4j_db.database, progress=False)
    back = from_neo4j(neo4j_db.driver, database=neo4j_db.database)
    assert back.case.equals(case)
    # the merge data travels with the people: source identities, and provenance of records
    people = back.case["people"]
    assert (people["identities"].astype(int) > 1).any()
    assert back.case["transactions"]["source_file"].notna().all()
