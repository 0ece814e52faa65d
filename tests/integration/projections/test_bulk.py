"""Bulk statements store exactly what SQLAlchemy's own executemany stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.migrating import sqlalchemy_url
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import create_read_engine
from tests.conftest import Backend


def _table(name: str, metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("key", sa.Uuid, primary_key=True),
        sa.Column("other", sa.Uuid, nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("day", sa.Date, nullable=True),
        sa.Column("flag", sa.Boolean, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("share", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
    )


@pytest.fixture
def engine(backend: Backend) -> Iterator[Engine]:
    engine = create_read_engine(sqlalchemy_url(backend.database_url), schema=backend.schema)
    yield engine
    engine.dispose()


def _rows(n: int) -> list[dict[str, object]]:
    shanghai = timezone(timedelta(hours=8))
    return [
        {
            "key": uuid.UUID(int=(i * 7919) << 64 | i, version=4),
            "other": None if i % 3 == 0 else uuid.UUID(int=i + 1, version=4),
            # Whole seconds too (no fraction in ISO text), and a year before 1000.
            "at": None
            if i % 4 == 0
            else datetime(
                2026 if i % 9 else 987,
                3,
                1,
                23,
                30,
                i % 60,
                1234 * (i % 3),
                tzinfo=UTC if i % 2 else shanghai,
            ),
            "day": None if i % 5 == 0 else date(2026 if i % 8 else 987, 3, 1) + timedelta(days=i),
            "flag": i % 2 == 0,
            "count": i - 3,
            "share": None if i % 6 == 0 else i / 7,
            "text": None if i % 7 == 0 else f"第{i}行 'quoted' \\ back",
        }
        for i in range(40)
    ]


def test_an_insert_stores_what_sqlalchemy_stores(engine: Engine) -> None:
    metadata = sa.MetaData()
    bulk_table, core_table = _table("bulk_rows", metadata), _table("core_rows", metadata)
    metadata.create_all(engine)
    rows = _rows(40)
    with engine.begin() as conn:
        Bulk(bulk_table.insert(), sort_by=["key"]).execute(conn, rows)
        conn.execute(core_table.insert(), rows)
    columns = ", ".join(c.name for c in bulk_table.columns)
    with engine.connect() as conn:
        # The values as the database holds them, not as SQLAlchemy reads them back.
        stored = [
            conn.exec_driver_sql(f"SELECT {columns} FROM {name} ORDER BY key").all()
            for name in ("bulk_rows", "core_rows")
        ]
        read_back = conn.execute(sa.select(bulk_table).order_by(bulk_table.c.key)).all()
    metadata.drop_all(engine)
    assert stored[0] == stored[1]
    assert len(stored[0]) == 40
    assert {row.key for row in read_back} == {row["key"] for row in rows}


def test_an_update_with_named_parameters_changes_the_rows_it_names(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _table("bulk_updates", metadata)
    metadata.create_all(engine)
    rows = _rows(10)
    with engine.begin() as conn:
        conn.execute(table.insert(), rows)
        Bulk(
            table.update()
            .where(table.c.key == sa.bindparam("b_key"))
            .values(count=table.c.count + sa.bindparam("b_add"), text=sa.bindparam("b_text")),
            sort_by=["b_key"],
        ).execute(
            conn,
            [{"b_key": row["key"], "b_add": 100, "b_text": None} for row in rows[:4]],
        )
        found = {
            row.key: (row.count, row.text)
            for row in conn.execute(sa.select(table.c.key, table.c.count, table.c.text))
        }
    metadata.drop_all(engine)
    for i, row in enumerate(rows):
        expected = (row["count"] + 100, None) if i < 4 else (row["count"], row["text"])
        assert found[row["key"]] == expected


def test_nothing_to_write_runs_nothing(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _table("bulk_nothing", metadata)
    # No table exists: a statement run for no rows would fail.
    with engine.begin() as conn:
        Bulk(table.insert()).execute(conn, [])


def test_a_row_missing_a_parameter_is_refused(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _table("bulk_missing", metadata)
    metadata.create_all(engine)
    row = _rows(1)[0]
    del row["count"]
    try:
        with pytest.raises((KeyError, sa.exc.StatementError)), engine.begin() as conn:
            Bulk(table.insert()).execute(conn, [row])
    finally:
        metadata.drop_all(engine)
