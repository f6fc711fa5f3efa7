"""How scripts/test spreads the suite over its two workers (tests/conftest.py)."""

from __future__ import annotations

import conftest


def test_the_files_that_use_the_neo4j_server_are_one_work_unit() -> None:
    # found by the fixtures they name; a rename of a fixture must not empty the group
    # (each worker would start its own server again)
    expected = {"tests/test_neo4j.py", "tests/test_neo4j_pushed.py", "tests/test_backends.py",
                "tests/test_ingest_neo4j.py", "tests/test_notebooks.py"}
    assert expected <= conftest._NEO4J_FILES
    assert "tests/test_spark.py" not in conftest._NEO4J_FILES
