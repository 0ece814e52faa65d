"""A scan the server saw fresh on a phone is good on that phone for five minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from grassroots.domain.attendance import Attendance
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.errors import InvalidValue, TokenExpired
from grassroots.domain.qr_token import HELD_SCAN, held_scan_at

NOW = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("ago", [timedelta(0), timedelta(seconds=40), HELD_SCAN])
def test_a_scan_held_up_to_five_minutes_is_checked_as_it_was_seen(ago: timedelta) -> None:
    assert held_scan_at(NOW - ago, NOW) == NOW - ago


def test_a_scan_held_longer_is_stale_and_one_from_later_is_refused() -> None:
    with pytest.raises(TokenExpired) as stale:
        held_scan_at(NOW - HELD_SCAN - timedelta(seconds=1), NOW)
    with pytest.raises(TokenExpired) as future:
        held_scan_at(NOW + timedelta(seconds=1), NOW)

    assert stale.value.code == "token-stale"
    assert future.value.code == "token-from-future"


def test_instants_without_a_zone_are_refused() -> None:
    with pytest.raises(InvalidValue):
        held_scan_at(NOW.replace(tzinfo=None), NOW)


def test_a_check_out_time_is_never_before_the_check_in() -> None:
    # As when a scan held while logged out checks in and then straight out again.
    attendance = Attendance.check_in(
        volunteer_id=uuid4(),
        activity_id=uuid4(),
        center_id=uuid4(),
        scheduled_start=NOW,
        scheduled_end=NOW + timedelta(hours=2),
        policy=CreditPolicy(),
        at=NOW + timedelta(minutes=3),
        token_step=1,
    )
    held = NOW + timedelta(minutes=1)

    assert attendance.check_out_time(seen_at=held, now=NOW + timedelta(minutes=4)) == (
        NOW + timedelta(minutes=3)
    )
    assert attendance.check_out_time(seen_at=None, now=NOW + timedelta(minutes=4)) == (
        NOW + timedelta(minutes=4)
    )
