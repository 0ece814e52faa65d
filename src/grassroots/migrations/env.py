"""Alembic environment.

The database comes from the caller's config, or else from GRASSROOTS_DATABASE_URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool, text

from grassroots.migrating import migration_lock, sqlalchemy_url
from grassroots.settings import Settings

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    return sqlalchemy_url(Settings.from_env().database_url)


def run_migrations_offline() -> None:
    context.configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    schema = config.attributes.get("schema")
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection, migration_lock(connection):
        if schema:
            # Tests give each run its own PostgreSQL schema.
            connection.execute(text(f'SET search_path TO "{schema}"'))
            connection.commit()
        # Configured only once the lock is held: the version is read afresh, after
        # any other process's upgrade has finished.
        context.configure(connection=connection, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
