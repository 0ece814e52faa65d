"""Which event store the application uses, chosen by the database URL.

The event store is eventsourcing's own recorders (``eventsourcing.sqlite`` and
``eventsourcing.postgres``), configured here and nowhere else; they create and
own their tables. ``memory://`` keeps events in memory for tests.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

__all__ = ["UnsupportedDatabase", "event_store_env"]

APPLICATION_NAME = "grassroots"
# How long a call waits for the database before it fails (the API answers 503).
DEFAULT_TIMEOUT_SECONDS = 3


class UnsupportedDatabase(ValueError):
    pass


def event_store_env(
    database_url: str,
    *,
    schema: str | None = None,
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, str]:
    """eventsourcing's environment for the database at ``database_url``.

    On PostgreSQL every wait for the database (a connection from the pool, a
    new connection, the tries after a broken one) ends within about
    ``timeout_seconds`` (see ``postgres_recorder.py``).
    """
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if scheme == "sqlite":
        path = database_url.split("://", 1)[1]
        # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy spells them.
        path = path[1:] if path.startswith("/") else path
        if not path or path == ":memory:":
            raise UnsupportedDatabase("use memory:// for an in-memory event store")
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "10",
            "CREATE_TABLE": "y",
        }
    if scheme in ("postgresql", "postgres"):
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            # eventsourcing's name for the pool's wait for a connection.
            "POSTGRES_CONNECT_TIMEOUT": str(timeout_seconds),
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "10",
            "CREATE_TABLE": "y",
            "APPLICATION_RECORDER_TOPIC": (
                "grassroots.application.postgres_recorder:BoundedPostgresApplicationRecorder"
            ),
        }
        if schema:
            env["POSTGRES_SCHEMA"] = schema
        return env
    raise UnsupportedDatabase(
        f"GRASSROOTS_DATABASE_URL must start with sqlite://, postgresql:// or memory://, "
        f"not {parts.scheme or database_url!r}://"
    )
