"""Each application keeps the aggregates it read lately; another process's writes
must still be seen, and a write decided on a stale read must still be refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from grassroots.application.errors import ConcurrentChange
from grassroots.application.service import Grassroots
from grassroots.domain.activity import Activity, SignUpStatus
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import build_world, post_activity, register_volunteer
from tests.integration.races import race_at_commit

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)


@DURABLE
def test_a_read_after_another_process_wrote_sees_the_write(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    first, second = open_app(), open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(first)
    activity = post_activity(first, world, starts_at=START, capacity=5)
    volunteer = register_volunteer(first, world)
    assert second.get(Activity, activity).signed_up == []  # now in the second's memory

    first.sign_up(activity, volunteer)

    assert second.get(Activity, activity).signed_up == [volunteer]


@DURABLE
def test_a_change_to_a_read_copy_does_not_reach_the_next_read(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    app = open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(app)
    activity = post_activity(app, world, starts_at=START, capacity=5)
    volunteer = register_volunteer(app, world)

    copy = app.get(Activity, activity)
    copy.sign_up(volunteer, at=clock.now)  # never saved

    assert app.get(Activity, activity).signed_up == []


@DURABLE
def test_a_write_from_a_stale_read_is_refused_and_the_retry_sees_the_winner(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    first, second = open_app(), open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(first)
    activity = post_activity(first, world, starts_at=START, capacity=1)
    winner = register_volunteer(first, world, phone="13800138001")
    loser = register_volunteer(first, world, phone="13800138002")
    stale = second.get(Activity, activity)  # cached at its first version

    first.sign_up(activity, winner)
    stale.sign_up(loser, at=clock.now)
    with pytest.raises(ConcurrentChange):
        second.commit(stale)

    # The same race through a command: its read was cached before the winner wrote.
    other = post_activity(first, world, starts_at=START, capacity=1)
    second.get(Activity, other)
    race = race_at_commit(second, lambda: first.sign_up(other, winner))
    with pytest.raises(ConcurrentChange):
        second.sign_up(other, loser)
    assert race.writes == [False]
    second.committer = race.real
    assert second.sign_up(other, loser) is SignUpStatus.WAIT_LISTED
    assert first.get(Activity, other).signed_up == [winner]
