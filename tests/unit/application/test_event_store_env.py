from __future__ import annotations

import pytest

from grassroots.application.event_store import UnsupportedDatabase, event_store_env
from grassroots.migrating import sqlalchemy_url


def test_a_sqlite_url_selects_eventsourcings_sqlite_recorder_on_that_file() -> None:
    env = event_store_env("sqlite:///var/grassroots.sqlite3")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == "var/grassroots.sqlite3"
    assert event_store_env("sqlite:////srv/g.sqlite3")["SQLITE_DBNAME"] == "/srv/g.sqlite3"


def test_a_postgresql_url_is_taken_apart_for_eventsourcings_postgres_recorder() -> None:
    env = event_store_env("postgresql://grass%40roots:p%2Fw@db.local:5433/events", schema="s1")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"]) == ("db.local", "5433")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("grass@roots", "p/w")
    assert (env["POSTGRES_DBNAME"], env["POSTGRES_SCHEMA"]) == ("events", "s1")


def test_memory_selects_the_in_memory_store() -> None:
    assert event_store_env("memory://") == {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@pytest.mark.parametrize("url", ["mysql://db/x", "sqlite://", "sqlite:///:memory:", "nonsense"])
def test_an_unsupported_url_is_refused_with_the_variable_named(url: str) -> None:
    with pytest.raises(UnsupportedDatabase, match=r"GRASSROOTS_DATABASE_URL|memory://"):
        event_store_env(url)


def test_read_models_use_psycopg_3_for_postgresql() -> None:
    assert sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert sqlalchemy_url("sqlite:///var/x.sqlite3") == "sqlite:///var/x.sqlite3"


def test_the_postgresql_store_waits_for_the_database_at_most_the_given_bound() -> None:
    env = event_store_env("postgresql://u@db/events", timeout_seconds=4)

    assert env["POSTGRES_CONNECT_TIMEOUT"] == "4"
    assert env["APPLICATION_RECORDER_TOPIC"].endswith(":BoundedPostgresApplicationRecorder")
