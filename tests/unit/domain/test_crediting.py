"""Credited minutes: the attended interval against the schedule widened by the grace period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots.domain.crediting import CreditPolicy, credited_minutes
from grassroots.domain.errors import InvalidValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 7, 9, 0, tzinfo=SHANGHAI)
END = datetime(2026, 3, 7, 11, 0, tzinfo=SHANGHAI)


def at(hour: int, minute: int = 0, second: int = 0, microsecond: int = 0) -> datetime:
    return datetime(2026, 3, 7, hour, minute, second, microsecond, tzinfo=SHANGHAI)


def credit(
    checked_in_at: datetime,
    checked_out_at: datetime,
    *,
    start: datetime = START,
    end: datetime = END,
    grace_minutes: int = 15,
) -> int:
    return credited_minutes(
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        scheduled_start=start,
        scheduled_end=end,
        grace_minutes=grace_minutes,
    )


def test_by_default_grace_is_fifteen_minutes_and_check_in_opens_half_an_hour_early() -> None:
    policy = CreditPolicy()

    assert (policy.grace_minutes, policy.check_in_margin_minutes) == (15, 30)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"grace_minutes": -1}, "grace-negative"),
        ({"check_in_margin_minutes": -1}, "check-in-margin-negative"),
    ],
)
def test_a_policy_with_a_negative_period_is_refused(options: dict[str, int], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        CreditPolicy(**options)

    assert caught.value.code == code


def test_a_policy_without_grace_or_margin_is_allowed() -> None:
    policy = CreditPolicy(grace_minutes=0, check_in_margin_minutes=0)

    assert (policy.grace_minutes, policy.check_in_margin_minutes) == (0, 0)


def test_early_arrival_is_credited_only_from_the_grace_period() -> None:
    # Arrived 08:30; the grace period opens at 08:45.
    assert credit(at(8, 30), at(10, 0)) == 75


def test_late_departure_is_credited_only_until_the_grace_period_closes() -> None:
    # Left 11:40; the grace period closes at 11:15.
    assert credit(at(10, 0), at(11, 40)) == 75


def test_arriving_late_and_leaving_early_credits_exactly_the_time_attended() -> None:
    assert credit(at(9, 20), at(10, 5)) == 45


def test_arriving_exactly_at_the_opening_grace_edge_counts_from_the_edge() -> None:
    assert credit(at(8, 45), at(9, 45)) == 60
    assert credit(at(8, 44, 59), at(9, 45)) == 60


def test_leaving_exactly_at_the_closing_grace_edge_counts_to_the_edge() -> None:
    assert credit(at(10, 30), at(11, 15)) == 45
    assert credit(at(10, 30), at(11, 15, 1)) == 45


def test_without_grace_the_schedule_itself_bounds_the_credit() -> None:
    assert credit(at(8, 30), at(10, 0), grace_minutes=0) == 60


@pytest.mark.parametrize(
    ("checked_in_at", "checked_out_at"),
    [
        (at(7, 0), at(8, 40)),  # left before the grace period opened
        (at(11, 20), at(12, 0)),  # came after the grace period closed
        (at(8, 0), at(8, 45)),  # left exactly as it opened
        (at(11, 15), at(11, 30)),  # came exactly as it closed
    ],
)
def test_an_attendance_wholly_outside_the_widened_schedule_credits_nothing(
    checked_in_at: datetime, checked_out_at: datetime
) -> None:
    assert credit(checked_in_at, checked_out_at) == 0


def test_the_credit_is_capped_at_the_scheduled_length_even_with_grace_on_both_sides() -> None:
    # 08:30 to 11:30 overlaps the widened schedule 08:45-11:15 for 150 minutes.
    assert credit(at(8, 30), at(11, 30)) == 120


def test_an_overnight_activity_across_midnight_is_credited_across_the_date_change() -> None:
    start = datetime(2026, 3, 7, 22, 0, tzinfo=SHANGHAI)
    end = datetime(2026, 3, 8, 2, 0, tzinfo=SHANGHAI)

    arrived_late = credit(
        datetime(2026, 3, 7, 23, 30, tzinfo=SHANGHAI),
        datetime(2026, 3, 8, 2, 10, tzinfo=SHANGHAI),
        start=start,
        end=end,
    )
    stayed_throughout = credit(
        datetime(2026, 3, 7, 21, 40, tzinfo=SHANGHAI),
        datetime(2026, 3, 8, 2, 30, tzinfo=SHANGHAI),
        start=start,
        end=end,
    )

    assert (arrived_late, stayed_throughout) == (160, 240)


def test_partial_minutes_are_floored_so_only_fully_served_minutes_count() -> None:
    assert credit(at(9, 0), at(9, 0, 59, 900_000)) == 0
    assert credit(at(9, 0), at(9, 1, 59, 999_999)) == 1
    assert credit(at(9, 0, 30), at(9, 30, 29)) == 29
    assert credit(at(9, 0, 30), at(9, 30, 30)) == 30


def test_a_check_out_at_the_moment_of_check_in_credits_nothing() -> None:
    assert credit(at(9, 30), at(9, 30)) == 0


@pytest.mark.parametrize(
    "field", ["checked_in_at", "checked_out_at", "scheduled_start", "scheduled_end"]
)
def test_a_naive_datetime_is_refused(field: str) -> None:
    values = {
        "checked_in_at": at(9, 0),
        "checked_out_at": at(10, 0),
        "scheduled_start": START,
        "scheduled_end": END,
    }
    values[field] = values[field].replace(tzinfo=None)

    with pytest.raises(InvalidValue) as caught:
        credited_minutes(**values, grace_minutes=15)

    assert caught.value.code == "naive-datetime"


def test_a_check_out_before_the_check_in_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        credit(at(10, 0), at(9, 59))

    assert caught.value.code == "check-out-before-check-in"


@pytest.mark.parametrize("end", [START, START - timedelta(minutes=1)])
def test_a_schedule_that_does_not_end_after_it_starts_is_refused(end: datetime) -> None:
    with pytest.raises(InvalidValue) as caught:
        credit(at(9, 0), at(10, 0), end=end)

    assert caught.value.code == "activity-end-before-start"


def test_a_negative_grace_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        credit(at(9, 0), at(10, 0), grace_minutes=-5)

    assert caught.value.code == "grace-negative"


def test_the_same_instants_in_shanghai_and_in_utc_give_the_same_credit() -> None:
    shanghai = credit(at(8, 50), at(10, 20))
    in_utc = credit(
        at(8, 50).astimezone(UTC),
        at(10, 20).astimezone(UTC),
        start=START.astimezone(UTC),
        end=END.astimezone(UTC),
    )
    mixed = credit(at(8, 50).astimezone(UTC), at(10, 20), end=END.astimezone(UTC))

    assert shanghai == in_utc == mixed == 90


def test_a_daylight_saving_jump_does_not_add_wall_clock_minutes_that_never_happened() -> None:
    # In Berlin the clocks jump from 02:00 to 03:00 on 29 March 2026: the
    # activity from 01:00 to 04:00 wall clock lasts two real hours.
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, 1, 0, tzinfo=berlin)
    end = datetime(2026, 3, 29, 4, 0, tzinfo=berlin)

    assert credit(start, end, start=start, end=end) == 120


SCHEDULE_BASE = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def attendances(draw: st.DrawFn) -> tuple[datetime, datetime, datetime, datetime, int]:
    start = SCHEDULE_BASE + timedelta(seconds=draw(st.integers(0, 366 * 24 * 3600)))
    end = start + timedelta(seconds=draw(st.integers(1, 24 * 3600)))
    checked_in_at = start + timedelta(seconds=draw(st.integers(-3 * 3600, 27 * 3600)))
    checked_out_at = checked_in_at + timedelta(
        seconds=draw(st.integers(0, 30 * 3600)), microseconds=draw(st.integers(0, 999_999))
    )
    return checked_in_at, checked_out_at, start, end, draw(st.integers(0, 120))


@given(attendances())
def test_credit_is_never_negative_nor_more_than_the_scheduled_length(
    case: tuple[datetime, datetime, datetime, datetime, int],
) -> None:
    checked_in_at, checked_out_at, start, end, grace = case

    minutes = credit(checked_in_at, checked_out_at, start=start, end=end, grace_minutes=grace)

    assert 0 <= minutes <= (end - start) // timedelta(minutes=1)


@given(attendances(), st.integers(0, 10 * 3600))
def test_a_later_check_out_never_credits_less(
    case: tuple[datetime, datetime, datetime, datetime, int], extra_seconds: int
) -> None:
    checked_in_at, checked_out_at, start, end, grace = case
    later = checked_out_at + timedelta(seconds=extra_seconds)

    earlier_credit = credit(
        checked_in_at, checked_out_at, start=start, end=end, grace_minutes=grace
    )
    later_credit = credit(checked_in_at, later, start=start, end=end, grace_minutes=grace)

    assert later_credit >= earlier_credit


@given(attendances(), st.sampled_from(["Asia/Shanghai", "Asia/Urumqi", "America/New_York"]))
def test_the_zone_the_instants_are_written_in_never_changes_the_credit(
    case: tuple[datetime, datetime, datetime, datetime, int], zone_name: str
) -> None:
    checked_in_at, checked_out_at, start, end, grace = case
    zone = ZoneInfo(zone_name)

    in_utc = credit(checked_in_at, checked_out_at, start=start, end=end, grace_minutes=grace)
    in_zone = credit(
        checked_in_at.astimezone(zone),
        checked_out_at.astimezone(zone),
        start=start.astimezone(zone),
        end=end.astimezone(zone),
        grace_minutes=grace,
    )

    assert in_zone == in_utc
