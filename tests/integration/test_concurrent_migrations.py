"""Two processes that start at once (the server and a projection worker) both bring
the schema to head on a fresh database, and neither dies of the other's work."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from grassroots.migrating import sqlalchemy_url
from tests.conftest import TEST_DATABASE_URL, required_service_url

ROUNDS = 4
PROCESSES = 2

# Each child imports everything first, says so, and upgrades only when told, so
# the upgrades start together rather than a start-up apart.
CHILD = """
import sys
from grassroots.migrating import upgrade
url, schema = sys.argv[1], sys.argv[2] or None
print("ready", flush=True)
sys.stdin.readline()
upgrade(url, schema=schema)
"""


def _head() -> str:
    from alembic.script import ScriptDirectory

    from grassroots.migrating import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def _upgrade_at_once(url: str, schema: str | None) -> list[tuple[int, str]]:
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, schema or ""],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        for _ in range(PROCESSES)
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        _, err = child.communicate(timeout=120)
        results.append((child.returncode, err[-2000:]))
    return results


def _version(url: str, schema: str | None) -> list[str]:
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            table = f'"{schema}".alembic_version' if schema else "alembic_version"
            return [row[0] for row in conn.execute(sa.text(f"SELECT version_num FROM {table}"))]
    finally:
        engine.dispose()


def test_two_processes_upgrading_a_fresh_sqlite_database_at_once_both_succeed(
    tmp_path: Path,
) -> None:
    for round_no in range(ROUNDS):
        url = f"sqlite:///{tmp_path / f'read-{round_no}.sqlite3'}"

        results = _upgrade_at_once(url, None)

        assert [code for code, _ in results] == [0] * PROCESSES, results
        assert _version(url, None) == [_head()]


@pytest.fixture
def fresh_schemas() -> Iterator[tuple[str, list[str]]]:
    url = required_service_url(TEST_DATABASE_URL, "PostgreSQL")
    import psycopg

    schemas = [f"t_{uuid.uuid4().hex[:12]}" for _ in range(ROUNDS)]
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schemas
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_two_processes_upgrading_a_fresh_postgresql_schema_at_once_both_succeed(
    fresh_schemas: tuple[str, list[str]],
) -> None:
    url, schemas = fresh_schemas
    for schema in schemas:
        results = _upgrade_at_once(url, schema)

        assert [code for code, _ in results] == [0] * PROCESSES, results
        assert _version(url, schema) == [_head()]
