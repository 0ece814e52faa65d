"""One open attendance per volunteer: a check-in elsewhere waits for the check-out or the end."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.application.errors import ConcurrentChange
from grassroots.application.service import Grassroots
from grassroots.domain.attendance import Attendance
from grassroots.domain.errors import CodedError, NotAllowed
from grassroots.domain.presence import CheckedInElsewhere, Presence
from grassroots.domain.qr_token import QrSubject, SubjectKind
from grassroots.domain.values import GeoPoint
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import World, build_world, post_activity, register_volunteer
from tests.integration.races import race_at_commit

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Asia/Shanghai
A_END = START + timedelta(hours=2)
B_START = START + timedelta(hours=1)  # B overlaps the second hour of A
OTHER_PLACE = GeoPoint(40.8150, 111.6700)  # a few kilometres away


def event_count(app: Grassroots) -> int:
    return app.recorder.max_notification_id() or 0


@dataclass(frozen=True)
class TwoActivities:
    world: World
    volunteer: UUID
    a: UUID  # START to START + 2h at the first center
    b: UUID  # START + 1h to START + 4h at another center


def two_overlapping_activities(app: Grassroots) -> TwoActivities:
    world = build_world(app)
    other_center = app.register_center(
        name="海拉尔东路青年之家",
        org_unit_id=world.township,
        address="呼和浩特市新城区海拉尔东路 8 号",
        location=OTHER_PLACE,
    )
    volunteer = register_volunteer(app, world)
    a = post_activity(app, world, starts_at=START, hours=2)
    b = app.post_activity(
        other_center,
        title="图书角整理",
        description="整理青年之家图书角",
        category="culture",
        starts_at=B_START,
        ends_at=B_START + timedelta(hours=3),
    )
    app.sign_up(a, volunteer)
    app.sign_up(b, volunteer)
    return TwoActivities(world, volunteer, a, b)


@pytest.fixture
def two(app: Grassroots) -> TwoActivities:
    return two_overlapping_activities(app)


def scan_in(app: Grassroots, activity: UUID, volunteer: UUID) -> Attendance:
    return app.check_in(activity, volunteer, token=app.venue_code(activity).token)


def scan_out(app: Grassroots, activity: UUID, volunteer: UUID) -> Attendance:
    return app.check_out(activity, volunteer, token=app.venue_code(activity).token)


def grace(app: Grassroots) -> timedelta:
    return timedelta(minutes=app.config.credit_policy.grace_minutes)


def test_a_check_in_opens_the_volunteers_presence_in_the_same_write(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)

    scan_in(app, two.a, two.volunteer)

    presence = app.get(Presence, Presence.id_for(two.volunteer))
    assert presence.volunteer_id == two.volunteer
    assert presence.open_activity(clock.now) == two.a
    assert presence.open_until == A_END + grace(app)


def test_a_check_in_elsewhere_while_still_checked_in_is_refused_and_records_nothing(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(B_START + timedelta(minutes=5))
    before = event_count(app)

    with pytest.raises(CheckedInElsewhere) as caught:
        scan_in(app, two.b, two.volunteer)

    assert isinstance(caught.value, NotAllowed)
    assert caught.value.code == "checked-in-elsewhere"
    assert event_count(app) == before
    assert not app.exists(Attendance.id_for(two.volunteer, two.b))
    assert app.attendance(two.a, two.volunteer).is_open


def test_scanning_again_where_one_is_checked_in_still_answers_with_the_attendance(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    first = scan_in(app, two.a, two.volunteer)
    clock.set(B_START)

    again = scan_in(app, two.a, two.volunteer)

    assert again.id == first.id


def test_after_checking_out_the_volunteer_may_check_in_elsewhere(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(B_START)
    scan_out(app, two.a, two.volunteer)

    attendance = scan_in(app, two.b, two.volunteer)

    assert attendance.is_open
    assert attendance.checked_in_at == B_START
    presence = app.get(Presence, Presence.id_for(two.volunteer))
    assert presence.open_activity(B_START) == two.b
    kinds = [type(e).__name__ for e in app.events.get(presence.id)]
    assert kinds == ["Started", "Entered", "Left", "Entered"]


def test_checking_out_of_an_activity_frees_the_presence_in_the_same_write(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(START + timedelta(minutes=30))
    before = event_count(app)

    scan_out(app, two.a, two.volunteer)

    assert event_count(app) == before + 2  # CheckedOut and Left
    assert app.get(Presence, Presence.id_for(two.volunteer)).activity_id is None


def test_once_the_end_and_the_grace_have_passed_a_forgotten_check_out_no_longer_blocks(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(A_END + grace(app) - timedelta(seconds=1))
    with pytest.raises(CheckedInElsewhere):
        scan_in(app, two.b, two.volunteer)
    clock.set(A_END + grace(app))

    attendance = scan_in(app, two.b, two.volunteer)

    assert attendance.is_open
    assert app.attendance(two.a, two.volunteer).is_open  # not closed, just no longer blocking
    presence = app.get(Presence, Presence.id_for(two.volunteer))
    assert presence.open_activity(clock.now) == two.b


def test_closing_the_old_attendance_later_leaves_the_new_presence_alone(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(A_END + grace(app) + timedelta(minutes=1))
    scan_in(app, two.b, two.volunteer)

    app.close_attendance_automatically(two.a, two.volunteer)

    presence = app.get(Presence, Presence.id_for(two.volunteer))
    assert presence.open_activity(clock.now) == two.b
    assert [type(e).__name__ for e in app.events.get(presence.id)][-1] == "Entered"


def test_closing_an_attendance_automatically_frees_the_presence(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    # At A's end the presence is still open (the grace has not passed); the
    # automatic close frees it at once.
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(A_END)
    with pytest.raises(CheckedInElsewhere):
        scan_in(app, two.b, two.volunteer)

    closed = app.close_attendance_automatically(two.a, two.volunteer)

    assert closed.auto_closed
    presence = app.get(Presence, Presence.id_for(two.volunteer))
    assert presence.activity_id is None
    assert scan_in(app, two.b, two.volunteer).is_open


def test_presence_is_per_volunteer(app: Grassroots, two: TwoActivities, clock: FakeClock) -> None:
    other = register_volunteer(app, two.world, phone="13900139000")
    app.sign_up(two.b, other)
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.set(B_START)

    assert scan_in(app, two.b, other).is_open


def test_a_refused_check_in_creates_no_presence(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START - timedelta(hours=1))  # too early for A

    with pytest.raises(CodedError):
        scan_in(app, two.a, two.volunteer)

    assert not app.exists(Presence.id_for(two.volunteer))


def test_a_check_out_of_an_attendance_without_presence_still_works(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    # Attendances opened before presences existed have none to free.
    clock.set(START)
    attendance = Attendance.check_in(
        volunteer_id=two.volunteer,
        activity_id=two.a,
        center_id=two.world.center,
        scheduled_start=START,
        scheduled_end=A_END,
        policy=app.config.credit_policy,
        at=START,
    )
    app.commit(attendance)
    clock.set(START + timedelta(hours=1))

    assert scan_out(app, two.a, two.volunteer).total_minutes == 60
    assert not app.exists(Presence.id_for(two.volunteer))
    assert scan_in(app, two.b, two.volunteer).is_open


@DURABLE
def test_a_process_that_looked_before_the_other_check_in_landed_is_refused_after_its_write(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    first, second = open_app(), open_app()
    two = two_overlapping_activities(first)
    clock.set(B_START)
    b_token = second.venue_code(two.b).token
    # The second process read the presence before the first process's check-in at A.
    race = race_at_commit(second, lambda: scan_in(first, two.a, two.volunteer))

    with pytest.raises(CheckedInElsewhere):
        second.check_in(two.b, two.volunteer, token=b_token)

    # Its write was refused once, and the retry read what the winner wrote.
    assert race.writes == [False]
    assert not second.exists(Attendance.id_for(two.volunteer, two.b))
    assert second.attendance(two.a, two.volunteer).is_open
    presence = second.get(Presence, Presence.id_for(two.volunteer))
    assert presence.open_activity(clock.now) == two.a


@DURABLE
def test_simultaneous_check_ins_at_two_venues_leave_exactly_one_attendance(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    apps = [open_app() for _ in range(4)]
    two = two_overlapping_activities(apps[0])
    clock.set(B_START)
    tokens = {a: apps[0].venue_code(a).token for a in (two.a, two.b)}
    jobs = [(app, activity) for app in apps for activity in (two.a, two.b)]
    barrier = threading.Barrier(len(jobs))

    def scan(job: tuple[Grassroots, UUID]) -> UUID | str:
        app, activity = job
        barrier.wait()
        try:
            return app.check_in(activity, two.volunteer, token=tokens[activity]).activity_id
        except (CheckedInElsewhere, ConcurrentChange) as e:
            return e.code

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(scan, jobs))

    opened = [a for a in (two.a, two.b) if apps[0].exists(Attendance.id_for(two.volunteer, a))]
    assert len(opened) == 1
    (winner,) = opened
    assert winner in outcomes
    assert set(outcomes) <= {winner, "checked-in-elsewhere", "concurrent-change"}
    loser = two.b if winner == two.a else two.a
    assert loser not in outcomes
    presence = apps[0].get(Presence, Presence.id_for(two.volunteer))
    assert presence.open_activity(clock.now) == winner
    # Every later scan agrees.
    with pytest.raises(CheckedInElsewhere):
        apps[1].check_in(loser, two.volunteer, token=tokens[loser])


def test_a_held_scan_checks_the_code_as_it_was_when_seen_and_records_now(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    token = app.venue_code(two.a).token
    seen_at = app.code_seen_fresh(QrSubject(SubjectKind.ACTIVITY, two.a), token)
    assert seen_at == START
    clock.advance(minutes=2)  # the code is stale now
    assert app.code_seen_fresh(QrSubject(SubjectKind.ACTIVITY, two.a), token) is None
    with pytest.raises(CodedError) as stale:
        app.check_in(two.a, two.volunteer, token=token)

    attendance = app.check_in(two.a, two.volunteer, token=token, seen_at=seen_at)

    assert stale.value.code == "token-stale"
    assert attendance.checked_in_at == clock.now
    clock.advance(minutes=4)  # six minutes after it was seen: too late to check out
    with pytest.raises(CodedError) as late:
        app.check_out(two.a, two.volunteer, token=token, seen_at=seen_at)
    assert late.value.code == "token-stale"
    assert app.attendance(two.a, two.volunteer).is_open


def test_a_held_check_out_counts_from_when_the_code_was_seen_not_from_the_tap(
    app: Grassroots, two: TwoActivities, clock: FakeClock
) -> None:
    clock.set(START)
    scan_in(app, two.a, two.volunteer)
    clock.advance(minutes=50)
    token = app.venue_code(two.a).token
    seen_at = app.code_seen_fresh(QrSubject(SubjectKind.ACTIVITY, two.a), token)
    clock.advance(minutes=4)  # the page held open, or left with, for four minutes

    attendance = app.check_out(two.a, two.volunteer, token=token, seen_at=seen_at)

    assert attendance.checked_out_at == seen_at == START + timedelta(minutes=50)
    assert attendance.total_minutes == 50
