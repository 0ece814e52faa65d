"""The read-model database: a SQLAlchemy engine for the URL the settings name.

On the embedded default the read models live in the same SQLite file as the
events, in WAL mode, so readers never block the writer.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

__all__ = ["DEFAULT_TIMEOUT_SECONDS", "create_read_engine", "metadata"]

DEFAULT_TIMEOUT_SECONDS = 3

# Every read-model table is declared on this one MetaData; Alembic's revisions
# create them, and tests compare them row by row.
metadata = sa.MetaData()


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
        _bind_null_directly()
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


def _bind_null_directly() -> None:
    """Let the SQLite driver bind ``None`` without looking for a way to adapt it.

    The driver binds ints, floats and text as they are; any other value, ``None``
    included, first goes through its adapter lookup, which for ``None`` finds
    nothing only after two failed attribute lookups (about 0.5 µs a value here,
    and a catch-up binds some 150,000 NULLs). An adapter registered for
    ``None``'s type is found at once: ``{}.get`` returns ``None`` for any key,
    so NULL is bound exactly as before. Process-wide, as the driver's adapters
    are; registering it again changes nothing.
    """
    sqlite3.register_adapter(type(None), _NONE_AS_NONE)


# A built-in callable returning None for any value: the adapter costs no Python frame.
_NONE_AS_NONE: Any = {}.get
