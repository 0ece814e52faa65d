"""Runners wake on writes: their own process's directly, another's through PostgreSQL's NOTIFY."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_read_side
from grassroots.projections.ledger import read_ledger
from grassroots.projections.read_side import ReadSide
from tests.conftest import Backend, FakeClock
from tests.integration.builders import build_world, post_activity, register_volunteer
from tests.integration.conftest import settings_for


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_worker_wakes_on_another_processs_write_long_before_its_next_poll(
    backend: Backend,
    open_app: Callable[[], Grassroots],
    clock: FakeClock,
    tmp_path: Path,
    read_engine: object,
) -> None:
    writer, worker_app = open_app(), open_app()
    settings = settings_for(backend, tmp_path)
    read_side = build_read_side(settings, worker_app, schema=backend.schema)
    read_side.poll_seconds = 60.0  # only a NOTIFY can wake it in time
    world = build_world(writer)
    volunteer = register_volunteer(writer, world)
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    activity = post_activity(writer, world, starts_at=start, sign_up_required=False)
    with read_side.running():
        _assert_wakes(writer, read_side, clock, activity, volunteer, start)
    read_side.close()


def _assert_wakes(
    writer: Grassroots,
    read_side: ReadSide,
    clock: FakeClock,
    activity: UUID,
    volunteer: UUID,
    start: datetime,
) -> None:
    assert read_side.wait_for(writer.recorder.max_notification_id() or 0, timeout=10)
    time.sleep(0.5)  # the runners are now waiting for a wake-up
    clock.set(start)
    writer.check_in(activity, volunteer, token=writer.venue_code(activity).token)
    clock.set(start + timedelta(minutes=40))
    writer.check_out(activity, volunteer, token=writer.venue_code(activity).token)
    waited = time.monotonic()

    assert read_side.wait_for(writer.last_write_position(), timeout=10)
    assert time.monotonic() - waited < 5
    with read_side.engine.connect() as conn:
        assert [line.minutes for line in read_ledger(conn, volunteer)] == [40]
