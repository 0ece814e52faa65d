"""A test's new database with the read-model schema in it, quickly.

Running the migrations takes 0.2 s on a new SQLite file and 0.2-0.5 s in a new
PostgreSQL schema, and the suite starts servers on new ones some thousand times.
So the migrations run once per test process, into a template, and each new
database starts as a copy of it:

- a new SQLite file is a copy of the template file;
- a new PostgreSQL schema is made by the template schema's own DDL, as
  ``pg_dump --schema-only`` writes it, with the template's name replaced by the
  new schema's, and the template's ``alembic_version`` row (where ``pg_dump`` is
  missing, or cannot dump this server, the migrations run for each schema).

Anything else (a file already there, a URL of another kind) runs the migrations.
The migrations' own tests (``test_migrations.py``, ``test_concurrent_migrations.py``)
call ``upgrade`` directly, and two of them check that a copy holds what the
migrations build, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from grassroots.migrating import upgrade

__all__ = ["migrated"]

_template: Path | None = None
# Per database URL: the DDL of a migrated schema, its name left as a placeholder.
# None where pg_dump is missing or cannot dump this server (another major version):
# the migrations then run for each schema, as without the template.
_schema_scripts: dict[str, str | None] = {}
_PLACEHOLDER = "grassroots_schema_placeholder"


def migrated(database_url: str, *, schema: str | None = None) -> None:
    """As ``grassroots.migrating.upgrade(database_url, schema=schema)``."""
    if schema is not None and make_url(database_url).drivername.startswith("postgresql"):
        _copy_postgres_schema(database_url, schema)
        return
    new_file = _new_sqlite_file(database_url)
    if new_file is None or schema is not None:
        upgrade(database_url, schema=schema)
        return
    new_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_built_template(), new_file)


def _copy_postgres_schema(database_url: str, schema: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        if conn.execute(
            "SELECT 1 FROM pg_tables WHERE schemaname = %s LIMIT 1", (schema,)
        ).fetchone():
            # Not new: the migrations know what to do with what is there.
            upgrade(database_url, schema=schema)
            return
        script = _schema_script(database_url)
        if script is None:
            upgrade(database_url, schema=schema)
            return
        with conn.transaction():
            conn.execute(script.replace(_PLACEHOLDER, schema).encode())


def _schema_script(database_url: str) -> str | None:
    if database_url not in _schema_scripts:
        _schema_scripts[database_url] = _dumped_template(database_url)
    return _schema_scripts[database_url]


def _dumped_template(database_url: str) -> str | None:
    """The DDL of a freshly migrated schema, its name a placeholder, or None."""
    if shutil.which("pg_dump") is None:
        return None
    template = f"tmpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{template}"'.encode())
        try:
            upgrade(database_url, schema=template)
            dump = subprocess.run(
                [
                    *("pg_dump", "--schema-only", "--no-owner", "--no-privileges"),
                    *("--schema", template, database_url),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            versions = [
                row[0]
                for row in conn.execute(
                    f'SELECT version_num FROM "{template}".alembic_version'.encode()
                )
            ]
        finally:
            conn.execute(f'DROP SCHEMA "{template}" CASCADE'.encode())
    if dump.returncode != 0:
        return None
    lines = [
        line
        for line in dump.stdout.splitlines()
        # psql's own commands (\restrict) and the schema, which the test made.
        if not line.startswith("\\") and not line.startswith("CREATE SCHEMA ")
    ]
    lines += [
        f"INSERT INTO {template}.alembic_version (version_num) VALUES ('{version}');"
        for version in versions
    ]
    return "\n".join(lines).replace(template, _PLACEHOLDER)


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
