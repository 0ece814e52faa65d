"""Scanning in and out against every event store: credit, idempotence, freshness, place."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.application.activities import ScanContext
from grassroots.application.service import Grassroots
from grassroots.domain.attendance import Attendance
from grassroots.domain.errors import (
    AlreadyClosed,
    NotAllowed,
    OutsideWindow,
    ReasonRequired,
    TokenExpired,
    TokenForged,
    TokenForOtherSubject,
)
from grassroots.domain.values import GeoPoint
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import (
    CENTER_PLACE,
    World,
    build_world,
    post_activity,
    register_volunteer,
)
from tests.integration.races import race_at_commit

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Asia/Shanghai


def event_count(app: Grassroots) -> int:
    return app.recorder.max_notification_id() or 0


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def signed_up_volunteer(
    app: Grassroots, world: World, **activity_options: object
) -> tuple[UUID, UUID]:
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=START, **activity_options)
    app.sign_up(activity, volunteer)
    return activity, volunteer


def test_a_volunteer_who_scans_in_and_out_is_credited_the_overlap(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START - timedelta(minutes=25))
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(START + timedelta(hours=1, minutes=40))

    attendance = app.check_out(activity, volunteer, token=app.venue_code(activity).token)

    # Arrived 25 minutes early: credit starts at the 15-minute grace edge.
    assert attendance.total_minutes == 115
    stored = app.get(Attendance, Attendance.id_for(volunteer, activity))
    assert stored.total_minutes == 115
    assert stored.checked_in_at == START - timedelta(minutes=25)


def test_a_repeated_scan_answers_the_same_and_records_nothing(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START)
    first = app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    before = event_count(app)
    clock.advance(seconds=20)

    again = app.check_in(activity, volunteer, token=app.venue_code(activity).token)

    assert again.id == first.id
    assert again.checked_in_at == first.checked_in_at
    assert event_count(app) == before


def test_a_scan_records_the_device_and_client_time_without_trusting_the_client_clock(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START)
    lying_clock = START - timedelta(hours=5)

    attendance = app.check_in(
        activity,
        volunteer,
        token=app.venue_code(activity).token,
        scan=ScanContext(device_id="phone-1", client_time=lying_clock),
    )

    created = app.events.get(attendance.id)
    first = next(iter(created))
    assert (first.device_id, first.client_time) == ("phone-1", lying_clock)
    assert attendance.checked_in_at == START


def test_a_token_from_two_rotations_ago_is_stale(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START)
    token = app.venue_code(activity).token
    clock.advance(seconds=2 * app.config.qr_rotation_seconds)

    with pytest.raises(TokenExpired):
        app.check_in(activity, volunteer, token=token)
    assert not app.exists(Attendance.id_for(volunteer, activity))


def test_a_token_of_another_activity_or_a_forged_one_is_refused(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    other = post_activity(app, world, starts_at=START)
    clock.set(START)
    other_token = app.venue_code(other).token
    good = app.venue_code(activity).token
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")

    with pytest.raises(TokenForOtherSubject):
        app.check_in(activity, volunteer, token=other_token)
    with pytest.raises(TokenForged):
        app.check_in(activity, volunteer, token=forged)


def test_check_in_needs_a_sign_up_when_the_activity_asks_for_one(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=START)
    clock.set(START)

    with pytest.raises(NotAllowed) as caught:
        app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    assert caught.value.code == "not-signed-up"


def test_check_in_outside_the_window_is_refused(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START - timedelta(minutes=31))

    with pytest.raises(OutsideWindow):
        app.check_in(activity, volunteer, token=app.venue_code(activity).token)


def test_an_activity_that_asks_for_a_location_refuses_scans_without_one_or_far_away(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world, location_required=True)
    clock.set(START)
    token = app.venue_code(activity).token

    with pytest.raises(NotAllowed) as missing:
        app.check_in(activity, volunteer, token=token)
    far = ScanContext(location=GeoPoint(40.8526, 111.7492), accuracy_m=10)  # ~1.1 km north
    with pytest.raises(NotAllowed) as outside:
        app.check_in(activity, volunteer, token=token, scan=far)
    near = ScanContext(location=CENTER_PLACE, accuracy_m=15)
    attendance = app.check_in(activity, volunteer, token=token, scan=near)

    assert (missing.value.code, outside.value.code) == ("location-required", "outside-geofence")
    assert attendance.is_open


def test_an_attendance_left_open_closes_at_the_scheduled_end(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START + timedelta(minutes=30))
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(START + timedelta(hours=5))

    attendance = app.close_attendance_automatically(activity, volunteer)

    assert attendance.auto_closed
    assert attendance.total_minutes == 90
    with pytest.raises(AlreadyClosed):
        app.check_out(activity, volunteer, token=app.venue_code(activity).token)


def test_a_staff_correction_is_its_own_event_and_keeps_the_scan_record(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    staff = world.center  # any id stands for the staff member here
    clock.set(START)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(START + timedelta(hours=1))
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)

    with pytest.raises(ReasonRequired):
        app.adjust_attendance(activity, volunteer, minutes=30, reason=" ", staff_id=staff)
    attendance = app.adjust_attendance(
        activity, volunteer, minutes=30, reason="扫码失败，现场签到表为证", staff_id=staff
    )

    assert (attendance.scan_minutes, attendance.total_minutes) == (60, 90)
    kinds = [type(e).__name__ for e in app.events.get(attendance.id)]
    assert kinds == ["CheckedIn", "CheckedOut", "Adjusted"]


def test_a_volunteer_who_never_scanned_can_be_added_by_staff_with_a_reason(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START + timedelta(hours=3))

    attendance = app.adjust_attendance(
        activity, volunteer, minutes=120, reason="手机没电，补录", staff_id=world.center
    )

    assert attendance.total_minutes == 120
    assert [type(e).__name__ for e in app.events.get(attendance.id)] == ["AddedByStaff"]


@DURABLE
def test_a_process_that_loses_the_race_to_open_an_attendance_answers_with_the_winners(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    first, second = open_app(), open_app()
    world = build_world(first)
    activity, volunteer = signed_up_volunteer(first, world)
    clock.set(START)
    token = first.venue_code(activity).token
    attendance_id = Attendance.id_for(volunteer, activity)
    winners: list[Attendance] = []

    def first_scans_at_start() -> None:
        # Scanned first, but its write lands after the second process looked.
        clock.set(START)
        winners.append(first.check_in(activity, volunteer, token=token))
        clock.set(START + timedelta(seconds=2))

    # The second process found no attendance, so its own write is refused.
    race = race_at_commit(second, first_scans_at_start)
    clock.set(START + timedelta(seconds=2))

    loser = second.check_in(activity, volunteer, token=token)

    (winner,) = winners
    assert race.refused == 1
    assert loser.id == winner.id == attendance_id
    assert loser.checked_in_at == winner.checked_in_at == START
    assert len(list(second.events.get(attendance_id))) == 1


@DURABLE
def test_many_simultaneous_scans_of_one_volunteer_record_one_check_in(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    apps = [open_app() for _ in range(4)]
    world = build_world(apps[0])
    activity, volunteer = signed_up_volunteer(apps[0], world)
    clock.set(START)
    token = apps[0].venue_code(activity).token
    barrier = threading.Barrier(8)

    def scan(app: Grassroots) -> UUID:
        barrier.wait()
        return app.check_in(activity, volunteer, token=token).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(scan, apps * 2))

    assert ids == {Attendance.id_for(volunteer, activity)}
    assert len(list(apps[0].events.get(Attendance.id_for(volunteer, activity)))) == 1


def test_the_venue_code_is_replaced_each_rotation_and_accepted_one_rotation_longer(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    activity, volunteer = signed_up_volunteer(app, world)
    clock.set(START + timedelta(seconds=3))
    code = app.venue_code(activity)
    period = timedelta(seconds=app.config.qr_rotation_seconds)

    assert code.expires_at - code.replaced_at == period
    assert START < code.replaced_at <= START + period + timedelta(seconds=3)
    clock.set(code.replaced_at)
    assert app.venue_code(activity).token != code.token
    clock.set(code.expires_at - timedelta(microseconds=1))
    assert app.check_in(activity, volunteer, token=code.token).is_open
