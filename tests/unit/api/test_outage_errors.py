"""Which database errors are an outage (503) and which are a defect (500)."""

from __future__ import annotations

import sqlite3

import eventsourcing.persistence
import psycopg
import pytest
import sqlalchemy.exc
from psycopg_pool import PoolTimeout

from grassroots.api.problems import is_outage


def _raised_from(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "error",
    [
        PoolTimeout("couldn't get a connection after 3.00 sec"),
        psycopg.OperationalError("connection refused"),
        psycopg.InterfaceError("the connection is closed"),
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.TooManyConnections("sorry, too many clients already"),
        psycopg.errors.ConnectionFailure("connection failure"),
        _raised_from(
            eventsourcing.persistence.OperationalError("no connection"),
            PoolTimeout("couldn't get a connection after 3.00 sec"),
        ),
        _raised_from(
            eventsourcing.persistence.OperationalError("database is locked"),
            sqlite3.OperationalError("database is locked"),
        ),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("refused")),
        sqlalchemy.exc.TimeoutError("QueuePool limit of size 5 overflow 5 reached"),
        sqlite3.OperationalError("database is locked"),
    ],
    ids=lambda e: type(e).__module__ + "." + type(e).__name__,
)
def test_an_unreachable_or_locked_database_is_an_outage(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        sqlite3.OperationalError("no such table: stored_events"),
        _raised_from(
            eventsourcing.persistence.OperationalError("no such table"),
            sqlite3.OperationalError("no such table: stored_events"),
        ),
        sqlalchemy.exc.OperationalError(
            "SELECT x", {}, sqlite3.OperationalError("no such column: x")
        ),
        eventsourcing.persistence.ProgrammingError("syntax error"),
        ValueError("a bug"),
        # psycopg's OperationalError and InterfaceError also stand for statements the
        # server refuses and cursors misused: those are defects, not an outage.
        psycopg.errors.ProgramLimitExceeded("index row size exceeds maximum"),
        psycopg.errors.StatementTooComplex("stack depth limit exceeded"),
        psycopg.errors.SerializationFailure("could not serialize access"),
        psycopg.InterfaceError("the cursor is closed"),
    ],
    ids=lambda e: type(e).__module__ + "." + type(e).__name__ + ":" + str(e)[:20],
)
def test_a_mistake_in_a_statement_is_not_an_outage(error: Exception) -> None:
    assert not is_outage(error)
