"""Where a rebuild builds a read model before it replaces the live one.

A rebuild replays the log into a scratch copy of the read model's tables (on
SQLite a database file beside the live one; on PostgreSQL a schema of its own
in the same database), with the runner's usual batches and its own tracking
row. Only when the whole log has been applied are the live tables swapped for
it, in one short transaction on the live database: the tracking row is locked
first, the live rows deleted and the scratch rows copied in. A rebuild that
fails, or is killed, leaves the live tables as they were.

Why a copy and not one long transaction: the SQLite event store and its read
models share one file, and a rebuild in one transaction would hold the file's
write lock, and so every scan and sign-up, for all its minutes. The copy holds
it for the time ``INSERT ... SELECT`` takes, a small part of a rebuild.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.private_files import keep_sqlite_files_private
from grassroots.projections.database import create_read_engine

__all__ = ["Scratch", "SwapRefused", "scratch_database", "swap_in"]

# The name the scratch database is attached under on SQLite, for the copy.
_ATTACHED = "rebuild"


@dataclass(frozen=True)
class Scratch:
    """An engine on the scratch database, and how the live database reaches it."""

    engine: Engine
    # SQLite: the scratch file (attached for the copy). PostgreSQL: the schema.
    place: str
    dialect: str


@contextlib.contextmanager
def scratch_database(live: Engine, name: str) -> Iterator[Scratch]:
    """An empty scratch database for rebuilding ``name``, removed afterwards."""
    if live.dialect.name == "sqlite":
        database = live.url.database
        if not database or database == ":memory:":
            raise RuntimeError("a rebuild needs the read models in a database file")
        path = Path(f"{database}.rebuild-{name}")
        _remove_sqlite_files(path)
        # It holds a whole copy of a read model: as private as the live file.
        keep_sqlite_files_private(path)
        engine = create_read_engine(f"sqlite:///{path}", writer=True)
        try:
            yield Scratch(engine, str(path), "sqlite")
        finally:
            engine.dispose()
            _remove_sqlite_files(path)
        return
    with live.connect() as conn:
        schema_now = str(conn.execute(sa.text("SELECT current_schema()")).scalar())
        conn.rollback()
    # Short and unique per live schema and read model (a schema name has 63 bytes at most).
    digest = hashlib.sha256(f"{schema_now}.{name}".encode()).hexdigest()[:16]
    schema = f"rebuild_{digest}"
    _drop_schema(live, schema)
    with live.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = live.url.render_as_string(hide_password=False)
    engine = create_read_engine(url, schema=schema, writer=True)
    try:
        yield Scratch(engine, schema, "postgresql")
    finally:
        engine.dispose()
        _drop_schema(live, schema)


def swap_in(
    live: Engine,
    scratch: Scratch,
    tables: Sequence[sa.Table],
    *,
    before: sa.Executable,
    after: Sequence[sa.Executable] = (),
) -> None:
    """Replace the rows of ``tables`` with the scratch database's, in one transaction.

    ``before`` runs first and must touch one row (it locks the tracking row and
    checks nothing changed meanwhile); ``after`` runs once the rows are in.
    """
    if scratch.dialect == "sqlite":
        with live.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            # Outside a transaction: SQLite attaches nothing within one.
            driver.execute(f"ATTACH DATABASE ? AS {_ATTACHED}", (scratch.place,))
            try:
                with conn.begin():
                    _copy(conn, tables, _ATTACHED, before, after)
            finally:
                driver.execute(f"DETACH DATABASE {_ATTACHED}")
        return
    with live.begin() as conn:
        _copy(conn, tables, scratch.place, before, after)


class SwapRefused(RuntimeError):
    """The live read model changed in a way the scratch copy does not reflect (a new skip)."""


def _copy(
    conn: sa.Connection,
    tables: Sequence[sa.Table],
    schema: str,
    before: sa.Executable,
    after: Sequence[sa.Executable],
) -> None:
    if conn.execute(before).rowcount != 1:
        raise SwapRefused(
            "an event was skipped while the read model was rebuilt; it keeps its previous "
            "rows: rebuild it again"
        )
    for table in reversed(list(tables)):
        conn.execute(table.delete())
    for table in tables:
        # Named column by column: a migrated table may hold its columns in another order.
        source = sa.Table(
            table.name,
            sa.MetaData(),
            *(sa.Column(c.name, c.type) for c in table.columns),
            schema=schema,
        )
        conn.execute(
            table.insert().from_select([c.name for c in table.columns], sa.select(*source.columns))
        )
    for statement in after:
        conn.execute(statement)


def _drop_schema(live: Engine, schema: str) -> None:
    with live.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
