"""Read-model schema migrations (Alembic), run from code as well as from ``alembic``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from alembic import command
from alembic.config import Config

__all__ = ["alembic_config", "downgrade", "sqlalchemy_url", "upgrade"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def sqlalchemy_url(database_url: str) -> str:
    """The SQLAlchemy spelling of a ``GRASSROOTS_DATABASE_URL`` (psycopg 3 for PostgreSQL)."""
    scheme = urlsplit(database_url).scheme
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return database_url


def alembic_config(database_url: str, *, schema: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url).replace("%", "%%"))
    if schema:
        config.attributes["schema"] = schema
    return config


def upgrade(database_url: str, *, revision: str = "head", schema: str | None = None) -> None:
    command.upgrade(alembic_config(database_url, schema=schema), revision)


def downgrade(database_url: str, *, revision: str = "base", schema: str | None = None) -> None:
    command.downgrade(alembic_config(database_url, schema=schema), revision)
