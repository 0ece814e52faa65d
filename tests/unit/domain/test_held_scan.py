"""A scan the server saw fresh on a phone is good on that phone for five minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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
