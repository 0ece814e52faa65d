"""Attendance: scans in and out, the automatic close, staff additions and adjustments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    DatetimeAsISO,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    UUIDAsHex,
)

from grassroots.domain.attendance import Attendance, StaffLine
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.errors import (
    AlreadyClosed,
    InvalidValue,
    NotAllowed,
    OutsideWindow,
    ReasonRequired,
)
from grassroots.domain.values import GeoPoint

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Asia/Shanghai
END = START + timedelta(hours=2)
POLICY = CreditPolicy()
VOLUNTEER = UUID("11111111-1111-4111-8111-111111111111")
ACTIVITY = UUID("22222222-2222-4222-8222-222222222222")
CENTER = UUID("33333333-3333-4333-8333-333333333333")
STAFF = UUID("44444444-4444-4444-8444-444444444444")
OTHER = UUID("55555555-5555-4555-8555-555555555555")


def minutes(n: float) -> datetime:
    return START + timedelta(minutes=n)


def check_in(at: datetime = START, **overrides: Any) -> Attendance:
    fields: dict[str, Any] = {
        "volunteer_id": VOLUNTEER,
        "activity_id": ACTIVITY,
        "center_id": CENTER,
        "scheduled_start": START,
        "scheduled_end": END,
        "policy": POLICY,
        "at": at,
    }
    fields.update(overrides)
    return Attendance.check_in(**fields)


def checked_in(at: datetime = START) -> Attendance:
    attendance = check_in(at)
    attendance.collect_events()
    return attendance


def checked_out(in_at: datetime = START, out_at: datetime | None = None) -> Attendance:
    attendance = checked_in(in_at)
    attendance.check_out(at=minutes(60) if out_at is None else out_at, policy=POLICY)
    attendance.collect_events()
    return attendance


def add_by_staff(**overrides: Any) -> Attendance:
    fields: dict[str, Any] = {
        "volunteer_id": VOLUNTEER,
        "activity_id": ACTIVITY,
        "center_id": CENTER,
        "scheduled_start": START,
        "scheduled_end": END,
        "minutes": 90,
        "reason": "手机没电，现场签到表为证",
        "staff_id": STAFF,
        "at": END + timedelta(hours=1),
    }
    fields.update(overrides)
    return Attendance.add_by_staff(**fields)


def kinds(events: Sequence[object]) -> list[type]:
    return [type(e) for e in events]


def stored_and_loaded(events: Sequence[DomainEventProtocol[UUID]]) -> list[Any]:
    """The events as they come back from the event store's JSON encoding."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    return [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]


# --- identity --------------------------------------------------------------------


def test_the_attendance_id_is_derived_from_the_volunteer_and_the_activity() -> None:
    attendance = check_in()

    assert attendance.id == Attendance.id_for(VOLUNTEER, ACTIVITY)
    assert Attendance.id_for(VOLUNTEER, ACTIVITY) == Attendance.id_for(VOLUNTEER, ACTIVITY)
    assert Attendance.id_for(OTHER, ACTIVITY) != attendance.id
    assert Attendance.id_for(VOLUNTEER, OTHER) != attendance.id
    assert Attendance.id_for(ACTIVITY, VOLUNTEER) != attendance.id


def test_a_staff_addition_takes_the_same_id_a_scan_would() -> None:
    assert add_by_staff().id == check_in().id


def test_the_event_store_refuses_a_second_attendance_for_the_same_volunteer_and_activity() -> None:
    app: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    app.save(check_in(START))

    with pytest.raises(IntegrityError):
        app.save(check_in(minutes(1)))

    stored = list(app.events.get(Attendance.id_for(VOLUNTEER, ACTIVITY)))
    assert [(type(e), e.at) for e in stored] == [(Attendance.CheckedIn, START)]
    app.close()


# --- checking in ---------------------------------------------------------------------


def test_a_check_in_records_the_scan_and_the_schedule_it_was_made_for() -> None:
    client_time = datetime(2026, 3, 7, 3, 55, tzinfo=ZoneInfo("Asia/Shanghai"))

    attendance = check_in(
        minutes(-10),
        token_step=117_880_000,
        device_id="  phone-1  ",
        client_time=client_time,
        location=GeoPoint(40.8427, 111.7491),
        accuracy_m=12,
    )

    events = attendance.collect_events()
    assert kinds(events) == [Attendance.CheckedIn]
    e = events[0]
    assert (e.originator_id, e.originator_version) == (attendance.id, 1)
    assert (e.volunteer_id, e.activity_id, e.center_id) == (VOLUNTEER, ACTIVITY, CENTER)
    assert (e.scheduled_start, e.scheduled_end, e.at) == (START, END, minutes(-10))
    assert (e.proof, e.token_step, e.device_id, e.client_time) == (
        "qr",
        117_880_000,
        "phone-1",
        client_time,
    )
    assert (e.location_lat, e.location_lon, e.location_accuracy_m) == (40.8427, 111.7491, 12.0)
    assert (attendance.checked_in_at, attendance.checked_out_at) == (minutes(-10), None)
    assert (attendance.is_open, attendance.auto_closed, attendance.total_minutes) == (
        True,
        False,
        0,
    )


def test_the_phone_clock_is_kept_as_evidence_but_never_used_for_the_check_in_time() -> None:
    lying_clock = START - timedelta(hours=5)

    attendance = check_in(START, client_time=lying_clock)

    assert attendance.checked_in_at == START
    assert attendance.collect_events()[0].client_time == lying_clock


def test_a_check_in_without_evidence_records_none_for_it() -> None:
    event = check_in(device_id="   ").collect_events()[0]

    assert (event.token_step, event.device_id, event.client_time) == (None, None, None)
    assert (event.location_lat, event.location_lon, event.location_accuracy_m) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "at",
    [minutes(-30), minutes(-1), START, END - timedelta(microseconds=1)],
    ids=["margin-edge", "just-before-start", "start", "last-instant"],
)
def test_check_in_is_accepted_from_the_margin_before_the_start_until_the_end(
    at: datetime,
) -> None:
    assert check_in(at).checked_in_at == at


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (minutes(-30) - timedelta(microseconds=1), "check-in-too-early"),
        (minutes(-120), "check-in-too-early"),
        (END, "check-in-after-end"),
        (END + timedelta(hours=1), "check-in-after-end"),
    ],
)
def test_check_in_outside_the_window_is_refused(at: datetime, code: str) -> None:
    with pytest.raises(OutsideWindow) as caught:
        check_in(at)

    assert caught.value.code == code


def test_the_check_in_margin_comes_from_the_policy() -> None:
    strict = CreditPolicy(check_in_margin_minutes=5)

    check_in(minutes(-5), policy=strict)
    with pytest.raises(OutsideWindow) as caught:
        check_in(minutes(-6), policy=strict)

    assert caught.value.code == "check-in-too-early"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"at": START.replace(tzinfo=None)}, "naive-datetime"),
        ({"scheduled_start": START.replace(tzinfo=None)}, "naive-datetime"),
        ({"client_time": START.replace(tzinfo=None)}, "naive-datetime"),
        ({"scheduled_end": START}, "activity-end-before-start"),
        ({"proof": "photo"}, "proof-unknown"),
        ({"token_step": -1}, "token-step-invalid"),
        ({"device_id": "x" * 201}, "device-id-too-long"),
        ({"device_id": "phone\x00"}, "text-control-character"),
        ({"device_id": "phone\u202e"}, "text-control-character"),
        ({"client_time": datetime(9999, 12, 31, 23, tzinfo=UTC)}, "instant-out-of-range"),
        ({"client_time": datetime(1970, 1, 1, tzinfo=UTC)}, "instant-out-of-range"),
        ({"accuracy_m": 10.0}, "accuracy-without-location"),
        ({"location": GeoPoint(40.0, 111.0), "accuracy_m": -1.0}, "accuracy-invalid"),
        ({"location": GeoPoint(40.0, 111.0), "accuracy_m": float("nan")}, "accuracy-invalid"),
    ],
)
def test_a_check_in_refuses_malformed_details(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_in(**overrides)

    assert caught.value.code == code


# --- checking out ---------------------------------------------------------------------


def test_a_check_out_credits_the_overlap_with_the_widened_schedule() -> None:
    attendance = checked_in(minutes(-25))

    credited = attendance.check_out(at=minutes(100), policy=POLICY)

    events = attendance.collect_events()
    assert kinds(events) == [Attendance.CheckedOut]
    assert (events[0].at, events[0].credited_minutes, events[0].grace_minutes) == (
        minutes(100),
        115,
        15,
    )
    assert credited == 115
    assert (attendance.checked_out_at, attendance.closed_at) == (minutes(100), minutes(100))
    assert (attendance.is_open, attendance.auto_closed) == (False, False)
    assert (attendance.scan_minutes, attendance.adjustment_minutes) == (115, 0)
    assert (attendance.total_minutes, attendance.scheduled_length_minutes) == (115, 120)


def test_the_grace_used_is_recorded_with_the_check_out() -> None:
    attendance = checked_in(minutes(-25))

    credited = attendance.check_out(at=minutes(100), policy=CreditPolicy(grace_minutes=0))

    event = attendance.collect_events()[0]
    assert (event.credited_minutes, event.grace_minutes) == (100, 0)
    assert (credited, attendance.grace_minutes) == (100, 0)


def test_a_check_out_before_the_check_in_is_refused() -> None:
    attendance = checked_in(minutes(10))

    with pytest.raises(InvalidValue) as caught:
        attendance.check_out(at=minutes(9), policy=POLICY)

    assert caught.value.code == "check-out-before-check-in"
    assert attendance.collect_events() == []
    assert attendance.is_open


def test_a_repeated_check_out_records_nothing_and_answers_the_first_credit() -> None:
    attendance = checked_out(START, minutes(60))

    again = attendance.check_out(at=minutes(110), policy=POLICY)

    assert again == 60
    assert attendance.collect_events() == []
    assert (attendance.checked_out_at, attendance.total_minutes) == (minutes(60), 60)


def test_a_naive_check_out_time_is_refused() -> None:
    attendance = checked_in()

    with pytest.raises(InvalidValue) as caught:
        attendance.check_out(at=minutes(60).replace(tzinfo=None), policy=POLICY)

    assert caught.value.code == "naive-datetime"


def test_a_check_out_preview_before_the_end_is_early_and_credits_what_checking_out_would() -> None:
    attendance = checked_in(minutes(-10))

    preview = attendance.check_out_preview(at=minutes(1), policy=POLICY)

    assert (preview.minutes, preview.minutes_at_end, preview.early) == (11, 120, True)
    assert preview.minutes == checked_in(minutes(-10)).check_out(at=minutes(1), policy=POLICY)
    assert attendance.collect_events() == []
    assert attendance.is_open


def test_a_check_out_preview_at_or_after_the_scheduled_end_is_not_early() -> None:
    attendance = checked_in(minutes(30))

    at_end = attendance.check_out_preview(at=END, policy=POLICY)
    later = attendance.check_out_preview(at=END + timedelta(hours=1), policy=POLICY)

    assert (at_end.minutes, at_end.minutes_at_end, at_end.early) == (90, 90, False)
    assert (later.minutes, later.minutes_at_end, later.early) == (105, 105, False)


def test_a_check_out_preview_with_a_clock_behind_the_check_in_previews_no_time() -> None:
    preview = checked_in(minutes(10)).check_out_preview(at=minutes(9), policy=POLICY)

    assert (preview.minutes, preview.early) == (0, True)


def test_a_closed_attendance_has_no_check_out_to_preview() -> None:
    with pytest.raises(AlreadyClosed) as caught:
        checked_out(START, minutes(60)).check_out_preview(at=minutes(70), policy=POLICY)

    assert caught.value.code == "attendance-closed"


# --- closing automatically ------------------------------------------------------------


def test_an_attendance_left_open_closes_automatically_at_the_scheduled_end() -> None:
    attendance = checked_in(minutes(30))
    now = END + timedelta(hours=3)

    credited = attendance.close_automatically(at=now, policy=POLICY)

    events = attendance.collect_events()
    assert kinds(events) == [Attendance.AutoClosed]
    e = events[0]
    assert (e.closed_at, e.credited_minutes, e.grace_minutes, e.at) == (END, 90, 15, now)
    assert credited == 90
    assert (attendance.auto_closed, attendance.is_open) == (True, False)
    assert (attendance.checked_out_at, attendance.closed_at) == (None, END)
    assert attendance.total_minutes == 90


def test_the_automatic_close_credits_no_grace_after_the_end() -> None:
    attendance = checked_in(minutes(-20))

    credited = attendance.close_automatically(at=END + timedelta(hours=1), policy=POLICY)

    # From the grace edge 15 minutes before the start to the scheduled end: 135,
    # capped at the scheduled length.
    assert credited == 120


def test_the_automatic_close_may_run_exactly_at_the_scheduled_end() -> None:
    attendance = checked_in(minutes(60))

    attendance.close_automatically(at=END, policy=POLICY)

    assert kinds(attendance.collect_events()) == [Attendance.AutoClosed]


def test_an_attendance_cannot_close_automatically_before_the_scheduled_end() -> None:
    attendance = checked_in()

    with pytest.raises(OutsideWindow) as caught:
        attendance.close_automatically(at=END - timedelta(seconds=1), policy=POLICY)

    assert caught.value.code == "activity-not-ended"
    assert attendance.collect_events() == []
    assert attendance.is_open


def test_a_checked_out_attendance_does_not_close_automatically() -> None:
    attendance = checked_out()

    with pytest.raises(AlreadyClosed) as caught:
        attendance.close_automatically(at=END + timedelta(hours=1), policy=POLICY)

    assert caught.value.code == "attendance-closed"
    assert (attendance.auto_closed, attendance.total_minutes) == (False, 60)


def test_closing_automatically_twice_is_refused() -> None:
    attendance = checked_in()
    attendance.close_automatically(at=END, policy=POLICY)
    attendance.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        attendance.close_automatically(at=END + timedelta(hours=1), policy=POLICY)

    assert caught.value.code == "attendance-closed"
    assert attendance.collect_events() == []


def test_a_check_out_after_the_automatic_close_is_refused() -> None:
    attendance = checked_in(minutes(30))
    attendance.close_automatically(at=END + timedelta(hours=1), policy=POLICY)
    attendance.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        attendance.check_out(at=END + timedelta(hours=2), policy=POLICY)

    assert caught.value.code == "attendance-auto-closed"
    assert attendance.collect_events() == []
    assert (attendance.checked_out_at, attendance.total_minutes) == (None, 90)


# --- adjustments ------------------------------------------------------------------------


def test_an_adjustment_is_its_own_event_and_leaves_the_scan_record_unchanged() -> None:
    attendance = checked_out(START, minutes(60))
    at = END + timedelta(days=1)

    total = attendance.adjust(minutes=30, reason="  扫码失败，签到表为证  ", staff_id=STAFF, at=at)

    events = attendance.collect_events()
    assert kinds(events) == [Attendance.Adjusted]
    e = events[0]
    assert (e.minutes, e.reason, e.staff_id, e.at) == (30, "扫码失败，签到表为证", STAFF, at)
    assert total == 90
    assert (attendance.checked_in_at, attendance.checked_out_at) == (START, minutes(60))
    assert (attendance.scan_minutes, attendance.adjustment_minutes) == (60, 30)
    assert attendance.total_minutes == 90
    assert attendance.staff_lines == [StaffLine(30, "扫码失败，签到表为证", STAFF, at)]


def test_adjustments_add_up_as_separate_ledger_lines() -> None:
    attendance = checked_out(START, minutes(60))

    attendance.adjust(minutes=40, reason="补记搬运物资时间", staff_id=STAFF, at=END)
    attendance.adjust(minutes=-25, reason="提前离场", staff_id=OTHER, at=END)

    assert kinds(attendance.collect_events()) == [Attendance.Adjusted, Attendance.Adjusted]
    assert [(line.minutes, line.staff_id) for line in attendance.staff_lines] == [
        (40, STAFF),
        (-25, OTHER),
    ]
    assert (attendance.scan_minutes, attendance.adjustment_minutes) == (60, 15)
    assert attendance.total_minutes == 75


@pytest.mark.parametrize("reason", ["", "  "])
def test_an_adjustment_without_a_reason_is_refused(reason: str) -> None:
    attendance = checked_out()

    with pytest.raises(ReasonRequired) as caught:
        attendance.adjust(minutes=10, reason=reason, staff_id=STAFF, at=END)

    assert caught.value.code == "reason-required"
    assert attendance.collect_events() == []


def test_an_adjustment_may_bring_the_total_exactly_to_either_bound() -> None:
    attendance = checked_out(START, minutes(60))

    attendance.adjust(minutes=60, reason="全程在岗", staff_id=STAFF, at=END)
    full = attendance.total_minutes
    attendance.adjust(minutes=-120, reason="误签，实际未到场", staff_id=STAFF, at=END)

    assert (full, attendance.total_minutes) == (120, 0)


@pytest.mark.parametrize(
    ("delta", "code"),
    [(61, "credit-above-scheduled-length"), (-61, "credit-below-zero")],
)
def test_an_adjustment_cannot_take_the_total_outside_zero_and_the_scheduled_length(
    delta: int, code: str
) -> None:
    attendance = checked_out(START, minutes(60))

    with pytest.raises(NotAllowed) as caught:
        attendance.adjust(minutes=delta, reason="调整", staff_id=STAFF, at=END)

    assert caught.value.code == code
    assert attendance.collect_events() == []
    assert attendance.total_minutes == 60


@pytest.mark.parametrize(("delta", "code"), [(0, "adjustment-zero"), (True, "minutes-invalid")])
def test_an_adjustment_must_change_a_whole_number_of_minutes(delta: int, code: str) -> None:
    attendance = checked_out()

    with pytest.raises(InvalidValue) as caught:
        attendance.adjust(minutes=delta, reason="调整", staff_id=STAFF, at=END)

    assert caught.value.code == code


def test_an_open_attendance_cannot_be_adjusted() -> None:
    attendance = checked_in()

    with pytest.raises(NotAllowed) as caught:
        attendance.adjust(minutes=10, reason="调整", staff_id=STAFF, at=minutes(30))

    assert caught.value.code == "attendance-still-open"
    assert attendance.collect_events() == []


def test_an_automatically_closed_attendance_can_be_adjusted() -> None:
    attendance = checked_in(minutes(30))
    attendance.close_automatically(at=END, policy=POLICY)

    attendance.adjust(minutes=-20, reason="实际提前离开", staff_id=STAFF, at=END)

    assert (attendance.scan_minutes, attendance.total_minutes) == (90, 70)
    assert attendance.auto_closed


# --- added by staff ----------------------------------------------------------------------


def test_staff_can_add_a_volunteer_who_came_but_never_scanned() -> None:
    at = END + timedelta(hours=1)

    attendance = add_by_staff(minutes=90, at=at)

    events = attendance.collect_events()
    assert kinds(events) == [Attendance.AddedByStaff]
    e = events[0]
    assert (e.originator_id, e.volunteer_id, e.activity_id, e.center_id) == (
        Attendance.id_for(VOLUNTEER, ACTIVITY),
        VOLUNTEER,
        ACTIVITY,
        CENTER,
    )
    assert (e.scheduled_start, e.scheduled_end, e.minutes) == (START, END, 90)
    assert (e.reason, e.staff_id, e.at) == ("手机没电，现场签到表为证", STAFF, at)
    assert (attendance.added_by_staff, attendance.checked_in_at, attendance.is_open) == (
        True,
        None,
        False,
    )
    assert (attendance.scan_minutes, attendance.adjustment_minutes) == (0, 90)
    assert attendance.total_minutes == 90


def test_an_attendance_added_by_staff_has_no_scan_to_close() -> None:
    attendance = add_by_staff()

    with pytest.raises(NotAllowed) as check_out:
        attendance.check_out(at=END, policy=POLICY)
    with pytest.raises(NotAllowed) as auto_close:
        attendance.close_automatically(at=END, policy=POLICY)

    assert (check_out.value.code, auto_close.value.code) == ("not-checked-in", "not-checked-in")


def test_an_attendance_added_by_staff_can_be_adjusted_within_the_bounds() -> None:
    attendance = add_by_staff(minutes=90)
    attendance.collect_events()

    attendance.adjust(minutes=30, reason="全程在岗", staff_id=OTHER, at=END)
    with pytest.raises(NotAllowed) as caught:
        attendance.adjust(minutes=1, reason="再加一分钟", staff_id=OTHER, at=END)

    assert kinds(attendance.collect_events()) == [Attendance.Adjusted]
    assert caught.value.code == "credit-above-scheduled-length"
    assert attendance.total_minutes == 120


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"reason": " "}, ReasonRequired, "reason-required"),
        ({"minutes": 0}, InvalidValue, "added-minutes-invalid"),
        ({"minutes": -10}, InvalidValue, "added-minutes-invalid"),
        ({"minutes": 121}, NotAllowed, "credit-above-scheduled-length"),
        ({"at": START - timedelta(seconds=1)}, OutsideWindow, "activity-not-started"),
        ({"scheduled_end": START}, InvalidValue, "activity-end-before-start"),
    ],
)
def test_a_staff_addition_refuses_what_it_cannot_record(
    overrides: dict[str, Any], error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as caught:
        add_by_staff(**overrides)

    assert getattr(caught.value, "code", None) == code


def test_a_staff_addition_may_credit_the_whole_scheduled_length() -> None:
    assert add_by_staff(minutes=120, at=START).total_minutes == 120


# --- replay ---------------------------------------------------------------------------


def state_of(attendance: Attendance) -> tuple[object, ...]:
    return (
        attendance.id,
        attendance.version,
        attendance.volunteer_id,
        attendance.activity_id,
        attendance.center_id,
        attendance.scheduled_start,
        attendance.scheduled_end,
        attendance.checked_in_at,
        attendance.checked_out_at,
        attendance.closed_at,
        attendance.auto_closed,
        attendance.added_by_staff,
        attendance.scan_minutes,
        attendance.grace_minutes,
        attendance.staff_lines,
        attendance.total_minutes,
    )


def scanned_history() -> tuple[Attendance, list[Any]]:
    attendance = check_in(minutes(-20), token_step=7, device_id="phone-1", client_time=START)
    attendance.check_out(at=minutes(70), policy=POLICY)
    attendance.adjust(minutes=20, reason="补记布置场地", staff_id=STAFF, at=END)
    return attendance, attendance.collect_events()


def auto_closed_history() -> tuple[Attendance, list[Any]]:
    attendance = check_in(minutes(45))
    attendance.close_automatically(at=END + timedelta(hours=2), policy=POLICY)
    return attendance, attendance.collect_events()


def staff_history() -> tuple[Attendance, list[Any]]:
    attendance = add_by_staff(minutes=60)
    attendance.adjust(minutes=-15, reason="核对后扣减", staff_id=OTHER, at=END + timedelta(days=1))
    return attendance, attendance.collect_events()


HISTORIES = [scanned_history, auto_closed_history, staff_history]


@pytest.mark.parametrize("history", HISTORIES)
def test_replaying_the_events_rebuilds_the_same_attendance(history: Any) -> None:
    attendance, events = history()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert isinstance(replayed, Attendance)
    assert state_of(replayed) == state_of(attendance)


@pytest.mark.parametrize("history", HISTORIES)
def test_the_events_survive_the_event_store_encoding_and_replay_to_the_same_attendance(
    history: Any,
) -> None:
    attendance, events = history()
    loaded = stored_and_loaded(events)

    replayed = None
    for e in loaded:
        replayed = e.mutate(replayed)

    assert kinds(loaded) == kinds(events)
    assert isinstance(replayed, Attendance)
    assert state_of(replayed) == state_of(attendance)
