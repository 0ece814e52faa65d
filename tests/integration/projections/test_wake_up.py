"""Runners wake on writes: their own process's directly, another's through PostgreSQL's NOTIFY."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import psycopg
import psycopg.sql
import pytest

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_read_side
from grassroots.projections.ledger import read_ledger
from grassroots.projections.read_side import ReadSide
from grassroots.projections.wakeup import PostgresListener
from tests.conftest import Backend, FakeClock
from tests.integration.builders import build_world, post_activity, register_volunteer
from tests.integration.conftest import settings_for

POSTGRES = pytest.mark.parametrize("backend", ["postgres"], indirect=True)
START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)


@dataclass
class Following:
    """A worker's read side following the log, with a writer in another process."""

    writer: Grassroots
    read_side: ReadSide
    clock: FakeClock
    activity: UUID
    volunteer: UUID
    database_url: str

    @property
    def channel(self) -> str:
        return str(self.writer.recorder.channel_name)  # type: ignore[attr-defined]

    def check_in_and_out(self, minutes: int) -> int:
        """A volunteer's check-in and check-out; the log position after them."""
        self.clock.set(START)
        self.writer.check_in(self.activity, self.volunteer, token=self._token())
        self.clock.set(START + timedelta(minutes=minutes))
        self.writer.check_out(self.activity, self.volunteer, token=self._token())
        return self.writer.last_write_position()

    def _token(self) -> str:
        return self.writer.venue_code(self.activity).token

    def credited(self) -> list[int]:
        with self.read_side.engine.connect() as conn:
            return [line.minutes for line in read_ledger(conn, self.volunteer)]


@pytest.fixture
def following(
    backend: Backend,
    open_app: Callable[[], Grassroots],
    clock: FakeClock,
    tmp_path: Path,
    read_engine: object,
) -> Iterator[Following]:
    writer, worker_app = open_app(), open_app()
    read_side = build_read_side(settings_for(backend, tmp_path), worker_app, schema=backend.schema)
    read_side.poll_seconds = 60.0  # only a wake-up can have it look in time
    world = build_world(writer)
    volunteer = register_volunteer(writer, world)
    activity = post_activity(writer, world, starts_at=START, sign_up_required=False)
    with read_side.running():
        assert read_side.wait_for(writer.recorder.max_notification_id() or 0, timeout=10)
        yield Following(writer, read_side, clock, activity, volunteer, backend.database_url)
    read_side.close()


@POSTGRES
def test_a_worker_wakes_on_another_processs_write_long_before_its_next_poll(
    following: Following,
) -> None:
    listening_backend(following.database_url, following.channel)
    position = following.check_in_and_out(minutes=40)
    waited = time.monotonic()

    assert following.read_side.wait_for(position, timeout=10)
    assert time.monotonic() - waited < 5
    assert following.credited() == [40]


@POSTGRES
def test_a_write_while_the_listening_connection_was_lost_is_applied_when_it_reconnects(
    following: Following,
) -> None:
    url, channel = following.database_url, following.channel
    lost = listening_backend(url, channel)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (lost,))
    wait_until(lambda: _listener_pids(url, channel) == [], "the listener's connection to go")
    # Its NOTIFY reaches no one: the listener is between connections.
    position = following.check_in_and_out(minutes=25)
    written = _now(url)
    waited = time.monotonic()

    again = listening_backend(url, channel)
    assert again != lost
    assert _started_at(url, again) > written, "the listener came back before the write"
    assert following.read_side.wait_for(position, timeout=10)
    assert time.monotonic() - waited < 5
    assert following.credited() == [25]


@POSTGRES
def test_the_listener_wakes_the_runners_each_time_it_starts_listening(backend: Backend) -> None:
    # No NOTIFY is ever sent on this channel: only (re)starting to listen wakes.
    url, channel = backend.database_url, f"wake_{uuid.uuid4().hex}"
    woken = threading.Event()
    listener = PostgresListener(url, channel, woken.set)
    listener.start()
    try:
        wait_until(woken.is_set, "the wake-up on first listening")
        lost = listening_backend(url, channel)
        woken.clear()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (lost,))

        wait_until(woken.is_set, "the wake-up on listening again")
        assert listening_backend(url, channel) != lost
    finally:
        listener.stop()


def wait_until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout}s for {what}"
        time.sleep(0.01)


def listening_backend(url: str, channel: str) -> int:
    """The process id of the database connection LISTENing on ``channel``, once there is one."""
    wait_until(lambda: len(_listener_pids(url, channel)) == 1, f"a LISTEN on {channel}")
    (pid,) = _listener_pids(url, channel)
    return pid


def _listener_pids(url: str, channel: str) -> list[int]:
    listen = psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel))
    with psycopg.connect(url, autocommit=True) as conn:
        text = listen.as_string(conn)
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE query = %s AND pid <> pg_backend_pid()",
            (text,),
        ).fetchall()
    return [int(row[0]) for row in rows]


def _now(url: str) -> datetime:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def _started_at(url: str, pid: int) -> datetime:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT backend_start FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]
