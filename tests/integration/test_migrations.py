"""Alembic: from an empty database up to head and back to base, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from grassroots.migrating import downgrade, sqlalchemy_url, upgrade


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
    assert _version(url) == ["0007"]
    downgrade(url)
    assert _version(url) == []


def test_postgresql_upgrades_to_head_and_downgrades_to_base(
    postgres_schema: tuple[str, str],
) -> None:
    url, schema = postgres_schema

    upgrade(url, schema=schema)
    assert _version(url, schema) == ["0007"]
    downgrade(url, schema=schema)
    assert _version(url, schema) == []


def test_the_migrated_schema_matches_every_read_models_tables(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from grassroots.projections.database import metadata
    from grassroots.projections.read_side import ALL_PROJECTIONS

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
