"""A test's new database with the read-model schema in it, quickly.

Running the migrations takes 0.2 s on a new SQLite file, and the suite starts
servers on new files some thousand times. A new SQLite file therefore starts as
a copy of one file the migrations built once in this test process: the same
schema, the same ``alembic_version``. Anything else (PostgreSQL schemas, a file
already there) runs the migrations themselves. The migrations' own tests
(``test_migrations.py``, ``test_concurrent_migrations.py``) call ``upgrade``
directly, and one of them checks that a copy holds what the migrations build.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from grassroots.migrating import upgrade

__all__ = ["migrated"]

_template: Path | None = None


def migrated(database_url: str, *, schema: str | None = None) -> None:
    """As ``grassroots.migrating.upgrade(database_url, schema=schema)``."""
    new_file = _new_sqlite_file(database_url)
    if new_file is None or schema is not None:
        upgrade(database_url, schema=schema)
        return
    new_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_built_template(), new_file)


def _new_sqlite_file(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database:
        return None
    if url.database == ":memory:" or url.query:
        return None
    path = Path(url.database)
    return None if path.exists() else path


def _built_template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="grassroots-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "migrated.sqlite3"
        upgrade(f"sqlite:///{path}")
        # The read models' connections put a file in WAL mode; a copy of the file
        # alone must hold every page, so fold the log back into it first.
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        _template = path
    return _template
