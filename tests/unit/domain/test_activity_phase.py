"""Where an activity stands in time: upcoming, running or past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from grassroots.domain.activity import Phase, phase_of

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
END = START + timedelta(hours=2)


def test_before_its_start_an_activity_is_upcoming() -> None:
    assert phase_of(START, END, START - timedelta(seconds=1)) is Phase.UPCOMING


def test_from_its_start_to_just_before_its_end_it_is_running() -> None:
    assert phase_of(START, END, START) is Phase.RUNNING
    assert phase_of(START, END, END - timedelta(seconds=1)) is Phase.RUNNING


def test_at_its_end_and_after_it_is_past() -> None:
    assert phase_of(START, END, END) is Phase.PAST
    assert phase_of(START, END, END + timedelta(days=3)) is Phase.PAST
