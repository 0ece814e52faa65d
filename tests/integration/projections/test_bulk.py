"""Bulk statements store exactly what SQLAlchemy's own executemany stores."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import NamedTuple

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.migrating import sqlalchemy_url
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import JsonList, create_read_engine
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


def _stored(conn: sa.Connection, table: sa.Table) -> list[tuple[object, ...]]:
    # The values as the database holds them, not as SQLAlchemy reads them back.
    columns = ", ".join(c.name for c in table.columns)
    return [
        tuple(r) for r in conn.exec_driver_sql(f"SELECT {columns} FROM {table.name} ORDER BY key")
    ]


def test_rows_as_tuples_store_what_rows_as_mappings_store(engine: Engine) -> None:
    metadata = sa.MetaData()
    tuples, mappings, core = (
        _table(name, metadata) for name in ("tuple_rows", "mapping_rows", "core_rows")
    )
    metadata.create_all(engine)
    rows = _rows(40)
    names = [c.name for c in tuples.columns]
    try:
        with engine.begin() as conn:
            # A whole-row insert: on PostgreSQL both go through COPY.
            Bulk.insert_into(tuples, sort_by=["key"]).insert_rows(
                conn, [tuple(row[n] for n in names) for row in rows]
            )
            Bulk.insert_into(mappings, sort_by=["key"]).execute(conn, rows)
            conn.execute(core.insert(), rows)
        with engine.connect() as conn:
            stored = [_stored(conn, table) for table in (tuples, mappings, core)]
    finally:
        metadata.drop_all(engine)
    assert len(stored[0]) == 40
    assert stored[0] == stored[1] == stored[2]


def test_a_tuple_of_another_length_is_refused_and_nothing_written(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _table("short_rows", metadata)
    metadata.create_all(engine)
    row = _rows(1)[0]
    whole = tuple(row[c.name] for c in table.columns)
    try:
        for wrong in (whole[:-1], (*whole, "one too many")):
            with pytest.raises(ValueError, match="unpack"), engine.begin() as conn:
                Bulk.insert_into(table).insert_rows(conn, [whole, wrong])
        with engine.connect() as conn:
            assert _stored(conn, table) == []
    finally:
        metadata.drop_all(engine)


def test_tuples_are_only_for_a_statement_inserting_whole_rows(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _table("updated_rows", metadata)
    update = Bulk(table.update().where(table.c.key == sa.bindparam("b_key")).values(count=1))
    with pytest.raises(TypeError, match="whole rows"), engine.begin() as conn:
        update.insert_rows(conn, [(uuid.uuid4(),)])


def test_an_insert_that_skips_conflicts_takes_tuples(engine: Engine) -> None:
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    metadata = sa.MetaData()
    table = _table("skipping_rows", metadata)
    metadata.create_all(engine)
    insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
    bulk = Bulk(insert(table).on_conflict_do_nothing(), sort_by=["key"], rows_of=table)
    rows = [tuple(row[c.name] for c in table.columns) for row in _rows(6)]
    try:
        with engine.begin() as conn:
            bulk.insert_rows(conn, rows[:4])
            # Two already there (with other counts), two new: only the new go in.
            again = [(key, *rest[:4], 999, *rest[5:]) for key, *rest in rows[2:]]
            bulk.insert_rows(conn, again)
        with engine.connect() as conn:
            counts = dict(conn.execute(sa.select(table.c.key, table.c.count)).all())
    finally:
        metadata.drop_all(engine)
    assert counts == {row[0]: row[5] if i < 4 else 999 for i, row in enumerate(rows)}


class _Named(NamedTuple):
    key: uuid.UUID
    names: list[str] | None


class _Swapped(NamedTuple):
    names: list[str] | None
    key: uuid.UUID


def _named_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "named_rows",
        metadata,
        sa.Column("key", sa.Uuid, primary_key=True),
        sa.Column("names", JsonList, nullable=True),
    )


def test_named_rows_store_their_lists_as_the_json_text_json_dumps_writes(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _named_table(metadata)
    metadata.create_all(engine)
    rows = [
        _Named(uuid.UUID(int=i + 1, version=4), None if i == 0 else [f"{i}:1", f"é{i}:2"])
        for i in range(5)
    ]
    try:
        with engine.begin() as conn:
            Bulk.insert_into(table, sort_by=["key"]).insert_rows(conn, rows)
        with engine.connect() as conn:
            stored = _stored(conn, table)
            read = [tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.key))]
    finally:
        metadata.drop_all(engine)
    assert [text for _, text in stored] == [
        None if row.names is None else json.dumps(row.names) for row in rows
    ]
    assert read == [tuple(row) for row in rows]


def test_named_rows_whose_fields_are_not_the_columns_are_refused(engine: Engine) -> None:
    metadata = sa.MetaData()
    table = _named_table(metadata)
    row = _Swapped(["a:1"], uuid.uuid4())
    with pytest.raises(TypeError, match="not the columns"), engine.begin() as conn:
        Bulk.insert_into(table).insert_rows(conn, [row])
