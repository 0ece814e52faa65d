"""Alembic: from an empty database up to head and back to base, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from grassroots.migrating import downgrade, sqlalchemy_url, upgrade
from tests.databases import migrated


def _version(url: str, schema: str | None = None) -> list[str]:
    engine = sa.create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            table = f'"{schema}".alembic_version' if schema else "alembic_version"
            if not sa.inspect(conn).has_table("alembic_version", schema=schema):
                return []
            return [row[0] for row in conn.execute(sa.text(f"SELECT version_num FROM {table}"))]
    finally:
        engine.dispose()


def test_sqlite_upgrades_to_head_and_downgrades_to_base(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'read.sqlite3'}"

    upgrade(url)
    assert _version(url) == ["0018_account_directory"]
    downgrade(url)
    assert _version(url) == []


def test_postgresql_upgrades_to_head_and_downgrades_to_base(
    postgres_schema: tuple[str, str],
) -> None:
    url, schema = postgres_schema

    upgrade(url, schema=schema)
    assert _version(url, schema) == ["0018_account_directory"]
    downgrade(url, schema=schema)
    assert _version(url, schema) == []


def test_the_migrated_schema_matches_every_read_models_tables(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from grassroots.bootstrap import ALL_PROJECTIONS
    from grassroots.projections.database import metadata

    url = f"sqlite:///{tmp_path / 'read.sqlite3'}"
    upgrade(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()

    assert diff == []
    assert {t.name for p in ALL_PROJECTIONS for t in p.tables} <= set(metadata.tables)


def test_the_catalogue_attendance_rekeying_sends_the_catalogue_back_to_be_rebuilt(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'read.sqlite3'}"
    upgrade(url, revision="0007")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO projection_tracking (name, position) VALUES"
                    " ('activity_catalogue', 99), ('service_ledger', 99)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO activity_catalogue_centers (center_id, name, org_unit_id,"
                    " address, location_lat, location_lon, geofence_radius_m, closed)"
                    " VALUES ('c1', '青年之家', 'u1', '某路1号', 30.0, 120.0, 200.0, 0)"
                )
            )
        upgrade(url, revision="0010")
        with engine.connect() as conn:
            positions = dict(
                conn.execute(sa.text("SELECT name, position FROM projection_tracking")).all()
            )
            centers = conn.execute(sa.text("SELECT count(*) FROM activity_catalogue_centers"))
            key = sa.inspect(conn).get_pk_constraint("activity_catalogue_attendance")
            assert centers.scalar() == 0
    finally:
        engine.dispose()

    # Replayed from the start on the read side's next start; the others keep their place.
    assert positions == {"activity_catalogue": 0, "service_ledger": 99}
    assert key["constrained_columns"] == ["activity_id", "volunteer_id"]


def test_my_sign_ups_and_the_ledgers_names_send_both_read_models_back_to_be_rebuilt(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'read.sqlite3'}"
    upgrade(url, revision="0011_volunteer_directory")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO projection_tracking (name, position) VALUES"
                    " ('activity_catalogue', 99), ('service_ledger', 99), ('org_tree', 99)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO ledger_zones (org_unit_id, time_zone)"
                    " VALUES ('u1', 'Asia/Shanghai')"
                )
            )
        upgrade(url)
        with engine.connect() as conn:
            positions = dict(
                conn.execute(sa.text("SELECT name, position FROM projection_tracking")).all()
            )
            zones = conn.execute(sa.text("SELECT count(*) FROM ledger_zones")).scalar()
    finally:
        engine.dispose()

    # Replayed from the start on the read side's next start, with the new columns
    # and tables filled; the others keep their place.
    assert positions == {"activity_catalogue": 0, "service_ledger": 0, "org_tree": 99}
    assert zones == 0


def test_a_tests_new_sqlite_file_holds_what_the_migrations_build(tmp_path: Path) -> None:
    # The suite's servers start on copies of one migrated file (tests/databases.py).
    built, copied = tmp_path / "built.sqlite3", tmp_path / "copied.sqlite3"
    upgrade(f"sqlite:///{built}")
    migrated(f"sqlite:///{copied}")

    def schema(path: Path) -> list[tuple[str, str, str]]:
        with sqlite3.connect(path) as conn:
            rows = conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
            ).fetchall()
        conn.close()
        return rows

    assert len(schema(built)) > 20
    assert schema(copied) == schema(built)
    assert _version(f"sqlite:///{copied}") == _version(f"sqlite:///{built}")


def _described(url: str, schema: str) -> list[tuple[str, ...]]:
    """Tables, columns, indexes and constraints of ``schema``, its own name left out."""
    queries = [
        "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')"
        " FROM information_schema.columns WHERE table_schema = %(s)s",
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s",
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE connamespace = %(s)s::regnamespace",
        "SELECT sequence_name, data_type FROM information_schema.sequences"
        " WHERE sequence_schema = %(s)s",
        f'SELECT version_num FROM "{schema}".alembic_version',
    ]
    with psycopg.connect(url) as conn:
        rows = [tuple(row) for query in queries for row in conn.execute(query, {"s": schema})]
    return sorted(tuple(str(v).replace(schema, "S") for v in row) for row in rows)


def test_a_tests_new_postgresql_schema_holds_what_the_migrations_build(
    postgres_schema: tuple[str, str], request: pytest.FixtureRequest
) -> None:
    url, built = postgres_schema
    upgrade(url, schema=built)
    copied = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{copied}"'.encode())
    request.addfinalizer(lambda: _drop(url, copied))

    migrated(url, schema=copied)

    assert len(_described(url, built)) > 100
    assert _described(url, copied) == _described(url, built)


def _drop(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE'.encode())
