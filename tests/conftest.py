"""Shared fixtures: a controllable clock and the event-store backends.

PostgreSQL tests run when GRASSROOTS_TEST_DATABASE_URL is set and skip with a
message naming it otherwise; under CI (CI=true) a missing URL fails instead,
because there they must never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

TEST_DATABASE_URL = "GRASSROOTS_TEST_DATABASE_URL"
TEST_REDIS_URL = "GRASSROOTS_TEST_REDIS_URL"


class FakeClock:
    """A clock the test moves by hand; the application reads time only through it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, at: datetime) -> None:
        self.now = at


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))


def required_service_url(variable: str, what: str) -> str:
    url = os.environ.get(variable, "").strip()
    if url:
        return url
    # Only PostgreSQL and Redis are asked for this way; in CI they must be there.
    missing_postgres_or_redis_url = f"set {variable} to run the {what} tests"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{missing_postgres_or_redis_url}: in CI they must run, not skip")
    pytest.skip(missing_postgres_or_redis_url)


@dataclass(frozen=True)
class Backend:
    """One event store the same test body runs against."""

    name: str
    database_url: str
    schema: str | None = None


@pytest.fixture
def postgres_schema() -> Iterator[tuple[str, str]]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    url = required_service_url(TEST_DATABASE_URL, "PostgreSQL")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield url, schema
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# Two applications on one in-memory store share nothing, so tests of several
# processes, or of events outliving a process, run on the durable stores only.
DURABLE = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "memory":
        return Backend("memory", "memory://")
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite:///{tmp_path / 'events.sqlite3'}")
    url, schema = request.getfixturevalue("postgres_schema")
    return Backend("postgres", url, schema)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last.

    Playwright's synchronous API keeps its own event loop running in the main thread
    for as long as the (session-wide) browser is open; an ``asyncio.run`` after that,
    in any test, fails with "cannot be called from a running event loop". Sorting is
    stable, so every other test keeps its order.
    """
    items.sort(key=lambda item: item.nodeid.startswith("tests/browser/"))
