"""Read-model schema migrations (Alembic), run from code as well as from ``alembic``.

The server and the projection workers each bring the schema to head as they
start, so several processes may upgrade one fresh database at the same moment.
Each migration run holds ``migration_lock`` while it reads the schema's version
and changes it: the second process waits, then finds the schema at head and
does nothing (without it, both created ``alembic_version`` and one died).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

__all__ = [
    "MIGRATION_LOCK_KEY",
    "alembic_config",
    "downgrade",
    "migration_lock",
    "sqlalchemy_url",
    "upgrade",
]

# The PostgreSQL advisory lock every migration run takes: one fixed number per
# database (a 64-bit key, spelled "grassmig" in ASCII), so runs on different
# schemas of one database wait for each other too, which costs nothing.
MIGRATION_LOCK_KEY = 0x67726173736D6967

# Shipped inside the package, so an installed copy migrates as well as a checkout.
SCRIPTS = Path(__file__).resolve().parent / "migrations"


def sqlalchemy_url(database_url: str) -> str:
    """The SQLAlchemy spelling of a ``GRASSROOTS_DATABASE_URL`` (psycopg 3 for PostgreSQL)."""
    scheme = urlsplit(database_url).scheme
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


def alembic_config(database_url: str, *, schema: str | None = None) -> Config:
    # No alembic.ini: it lives in the checkout only and holds nothing running needs.
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    if schema:
        config.attributes["schema"] = schema
    return config


def upgrade(database_url: str, *, revision: str = "head", schema: str | None = None) -> None:
    command.upgrade(alembic_config(database_url, schema=schema), revision)


def downgrade(database_url: str, *, revision: str = "base", schema: str | None = None) -> None:
    command.downgrade(alembic_config(database_url, schema=schema), revision)


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold the database's migration lock while the block runs.

    PostgreSQL: a session advisory lock taken on the migration's own connection
    (released when the block ends, or when the connection closes if it breaks).
    SQLite: an exclusive file lock on a file beside the database, because the
    migration's own statements need the database's write lock themselves.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        with _advisory_lock(connection):
            yield
    elif dialect == "sqlite" and (path := _sqlite_file(connection)) is not None:
        with _file_lock(path.with_name(path.name + ".migration-lock")):
            yield
    else:
        yield


@contextmanager
def _advisory_lock(connection: Connection) -> Iterator[None]:
    key = {"key": MIGRATION_LOCK_KEY}
    connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
    # A session lock outlives the transaction it was taken in; committing here
    # leaves Alembic a connection with no transaction open, as it expects.
    connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        connection.commit()


def _sqlite_file(connection: Connection) -> Path | None:
    database = connection.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
