"""An event stored before its class gained a field reads with the field's default.

``Attendance.CheckedOut`` is at version 2: it names the scanning device. A check-out
stored at version 1 (no ``device_id``, no ``class_version`` in its state) must
still rebuild its attendance through the application, and still reach the read
models through the read side's own decoder, which reads events without the
library's mapper.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent

from grassroots.application.activities import ScanContext
from grassroots.application.service import Grassroots
from grassroots.domain.attendance import Attendance
from grassroots.projections.decoding import EventDecoder
from grassroots.projections.ledger import read_ledger
from grassroots.projections.read_side import ReadSide
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, post_activity, register_volunteer

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def _checked_in(app: Grassroots, world: World, clock: FakeClock) -> tuple[UUID, UUID, UUID]:
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=START, sign_up_required=False)
    clock.set(START)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    return volunteer, activity, Attendance.id_for(volunteer, activity)


def _store_version_1_check_out(app: Grassroots, attendance_id: UUID, at: datetime) -> None:
    """Record a check-out as the code before version 2 wrote it."""
    attendance = app.repository.get(attendance_id)
    assert isinstance(attendance, Attendance)
    attendance.check_out(at=at, policy=app.config.credit_policy)
    (checked_out,) = attendance.collect_events()
    stored = app.mapper.to_stored_event(checked_out)
    state = app.mapper.transcoder.decode(stored.state)
    assert state.pop("class_version") == 2
    del state["device_id"]
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=stored.originator_id,
                originator_version=stored.originator_version,
                topic=stored.topic,
                state=app.mapper.transcoder.encode(state),
            )
        ]
    )


def _stored_check_outs(app: Grassroots, attendance_id: UUID) -> list[StoredEvent]:
    return [
        stored
        for stored in app.recorder.select_events(attendance_id)
        if stored.topic.endswith("Attendance.CheckedOut")
    ]


def test_a_version_1_check_out_reads_with_no_device_in_the_aggregate_and_the_read_side(
    app: Grassroots, world: World, clock: FakeClock, read_side: ReadSide
) -> None:
    volunteer, _, attendance_id = _checked_in(app, world, clock)
    _store_version_1_check_out(app, attendance_id, START + timedelta(minutes=50))
    (stored,) = _stored_check_outs(app, attendance_id)
    assert b"device_id" not in stored.state
    assert b"class_version" not in stored.state

    attendance = app.repository.get(attendance_id)
    assert isinstance(attendance, Attendance)
    assert attendance.checked_out_at == START + timedelta(minutes=50)
    assert attendance.checked_out_device_id is None

    decoded = EventDecoder(app.mapper)(stored)
    assert type(decoded) is Attendance.CheckedOut
    assert decoded.device_id is None
    assert decoded.credited_minutes == 50
    assert vars(decoded) == vars(app.mapper.to_domain_event(stored))

    read_side.catch_up()
    with read_side.engine.connect() as conn:
        (line,) = read_ledger(conn, volunteer)
    assert (line.kind, line.minutes) == ("credit", 50)


def test_a_check_out_now_names_its_device_and_reads_it_back(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    volunteer, activity, attendance_id = _checked_in(app, world, clock)
    clock.set(START + timedelta(minutes=30))
    app.check_out(
        activity,
        volunteer,
        token=app.venue_code(activity).token,
        scan=ScanContext(device_id="phone-7"),
    )
    (stored,) = _stored_check_outs(app, attendance_id)

    attendance = app.repository.get(attendance_id)
    assert isinstance(attendance, Attendance)
    assert attendance.checked_out_device_id == "phone-7"
    assert EventDecoder(app.mapper)(stored).device_id == "phone-7"
