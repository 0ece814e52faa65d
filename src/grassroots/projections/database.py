"""The read-model database: a SQLAlchemy engine for the URL the settings name.

On the embedded default the read models live in the same SQLite file as the
events, in WAL mode, so readers never block the writer.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "JsonList", "create_read_engine", "metadata"]

DEFAULT_TIMEOUT_SECONDS = 3

# Every read-model table is declared on this one MetaData; Alembic's revisions
# create them, and tests compare them row by row.
metadata = sa.MetaData()


class JsonList(sa.types.TypeDecorator[list[str]]):
    """A list of names kept as its JSON text in a ``TEXT`` column.

    A read model gives and gets a list; how it is spelt in the database is the
    column's business (``json.dumps``' spelling, which the stored rows already
    have), and the bulk writer converts it with the type's own converter.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: list[str] | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else json.dumps(value)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> list[str] | None:
        return None if value is None else list(json.loads(value))


# The projection writers' connections. A batch touches rows all over tables keyed
# by random ids, so it dirties many pages: a bigger page cache keeps them, and a
# checkpoint (copying the log back into the file, with a sync) every 64 MiB of
# log instead of every 4 MiB stops it running on nearly every commit; it was
# most of a catch-up's time in the database. The log file is cut back to 64 MiB
# after a checkpoint, so it does not stay at its largest.
_WRITER_PRAGMAS = (
    "PRAGMA cache_size=-65536",
    "PRAGMA wal_autocheckpoint=16384",
    "PRAGMA journal_size_limit=67108864",
)


def create_read_engine(
    url: str,
    *,
    schema: str | None = None,
    writer: bool = False,
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
) -> Engine:
    """An engine on ``url`` (SQLAlchemy spelling), with a PostgreSQL search path if given.

    A ``writer`` engine (the projection runners') takes SQLite's write lock when a
    transaction begins; readers begin deferred and never wait for a writer in WAL mode.
    On PostgreSQL, waiting for a pooled connection and opening a new one each
    give up after ``timeout_seconds``, so an unreachable database fails a
    request quickly (503) instead of holding it.
    """
    if url.startswith("sqlite"):
        # Connections are kept and reused: opening one (and setting it up below)
        # costs more than a small transaction, and a kept one keeps its page cache.
        # Each is used by one thread at a time, which is all pysqlite asks.
        engine = sa.create_engine(
            url,
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=10,
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        @sa_event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling would defer BEGIN until the first
            # write; the runner needs the write lock at BEGIN (see runner.py).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            if writer:
                for pragma in _WRITER_PRAGMAS:
                    cursor.execute(pragma)
            cursor.close()

        @sa_event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

        return engine
    # libpq counts whole seconds and treats less than 2 as 2.
    connect_args: dict[str, Any] = {"connect_timeout": max(2, timeout_seconds)}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        pool_timeout=timeout_seconds,
        connect_args=connect_args,
    )
