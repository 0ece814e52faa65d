"""Presence: one open attendance at a time, freed by leaving or by the end plus grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.presence import CheckedInElsewhere, Presence
from grassroots.domain.values import derived_id

AT = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
UNTIL = AT + timedelta(hours=2, minutes=15)
VOLUNTEER = UUID("11111111-1111-4111-8111-111111111111")
OTHER_VOLUNTEER = UUID("22222222-2222-4222-8222-222222222222")
A = UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
B = UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")


def replay(events: list[Any]) -> Any:
    replayed: Aggregate | None = None
    for e in events:
        replayed = e.mutate(replayed)
    return replayed


@pytest.fixture
def presence() -> Presence:
    started = Presence(volunteer_id=VOLUNTEER)
    started.collect_events()
    return started


@pytest.fixture
def at_a(presence: Presence) -> Presence:
    presence.enter(A, open_until=UNTIL, at=AT)
    presence.collect_events()
    return presence


def test_the_presence_id_is_derived_from_the_volunteer() -> None:
    presence = Presence(volunteer_id=VOLUNTEER)

    (started,) = presence.collect_events()
    assert isinstance(started, Presence.Started)
    assert started.volunteer_id == VOLUNTEER
    assert presence.id == Presence.id_for(VOLUNTEER) == derived_id("presence", VOLUNTEER)
    assert Presence(volunteer_id=VOLUNTEER).id == presence.id
    assert Presence.id_for(OTHER_VOLUNTEER) != presence.id
    assert presence.open_activity(AT) is None


def test_entering_records_the_activity_and_how_long_it_stays_open(presence: Presence) -> None:
    presence.enter(A, open_until=UNTIL, at=AT)

    (entered,) = presence.collect_events()
    assert isinstance(entered, Presence.Entered)
    assert (entered.activity_id, entered.open_until, entered.at) == (A, UNTIL, AT)
    assert (presence.activity_id, presence.open_until) == (A, UNTIL)
    assert presence.open_activity(AT) == A
    assert presence.open_activity(UNTIL - timedelta(microseconds=1)) == A


def test_the_open_activity_is_none_from_open_until_on(at_a: Presence) -> None:
    assert at_a.open_activity(UNTIL) is None
    assert at_a.open_activity(UNTIL + timedelta(days=1)) is None


def test_entering_the_same_activity_again_is_allowed(at_a: Presence) -> None:
    at_a.enter(A, open_until=UNTIL, at=AT + timedelta(minutes=5))

    assert [type(e) for e in at_a.collect_events()] == [Presence.Entered]
    assert at_a.open_activity(AT + timedelta(minutes=5)) == A


def test_entering_another_activity_while_one_is_open_is_refused(at_a: Presence) -> None:
    with pytest.raises(CheckedInElsewhere) as caught:
        at_a.enter(B, open_until=UNTIL + timedelta(hours=1), at=AT + timedelta(hours=1))

    assert isinstance(caught.value, NotAllowed)
    assert caught.value.code == "checked-in-elsewhere"
    assert at_a.collect_events() == []
    assert (at_a.activity_id, at_a.open_until) == (A, UNTIL)


def test_just_before_open_until_another_activity_is_still_refused(at_a: Presence) -> None:
    with pytest.raises(CheckedInElsewhere):
        at_a.enter(B, open_until=UNTIL + timedelta(hours=1), at=UNTIL - timedelta(seconds=1))


def test_once_open_until_has_passed_another_activity_may_be_entered(at_a: Presence) -> None:
    later_until = UNTIL + timedelta(hours=3)

    at_a.enter(B, open_until=later_until, at=UNTIL)

    (entered,) = at_a.collect_events()
    assert (entered.activity_id, entered.open_until) == (B, later_until)
    assert at_a.open_activity(UNTIL) == B


def test_leaving_frees_the_volunteer_for_another_activity(at_a: Presence) -> None:
    left_at = AT + timedelta(hours=1)

    at_a.leave(A, at=left_at)

    (left,) = at_a.collect_events()
    assert isinstance(left, Presence.Left)
    assert (left.activity_id, left.at) == (A, left_at)
    assert (at_a.activity_id, at_a.open_until) == (None, None)
    assert at_a.open_activity(left_at) is None
    at_a.enter(B, open_until=UNTIL, at=left_at)
    assert at_a.open_activity(left_at) == B


def test_leaving_another_activity_changes_nothing(at_a: Presence) -> None:
    at_a.leave(B, at=AT + timedelta(hours=1))

    assert at_a.collect_events() == []
    assert at_a.open_activity(AT + timedelta(hours=1)) == A
    with pytest.raises(CheckedInElsewhere):
        at_a.enter(B, open_until=UNTIL, at=AT + timedelta(hours=1))


def test_leaving_without_having_entered_changes_nothing(presence: Presence) -> None:
    presence.leave(A, at=AT)

    assert presence.collect_events() == []


def test_leaving_twice_records_one_left(at_a: Presence) -> None:
    at_a.leave(A, at=AT + timedelta(hours=1))
    at_a.leave(A, at=AT + timedelta(hours=2))

    assert [type(e) for e in at_a.collect_events()] == [Presence.Left]


def test_leaving_an_activity_whose_open_until_has_passed_still_records_it(at_a: Presence) -> None:
    at_a.leave(A, at=UNTIL + timedelta(hours=1))

    assert [type(e) for e in at_a.collect_events()] == [Presence.Left]
    assert at_a.activity_id is None


def test_leaving_an_activity_replaced_by_a_later_one_changes_nothing(at_a: Presence) -> None:
    at_a.enter(B, open_until=UNTIL + timedelta(hours=3), at=UNTIL)
    at_a.collect_events()

    at_a.leave(A, at=UNTIL + timedelta(minutes=1))

    assert at_a.collect_events() == []
    assert at_a.open_activity(UNTIL + timedelta(minutes=1)) == B


def test_a_naive_time_is_refused(presence: Presence) -> None:
    with pytest.raises(InvalidValue) as caught:
        presence.enter(A, open_until=datetime(2026, 3, 7, 3, 0), at=AT)

    assert caught.value.code == "naive-datetime"
    assert presence.collect_events() == []


def test_replaying_the_events_rebuilds_the_presence() -> None:
    presence = Presence(volunteer_id=VOLUNTEER)
    presence.enter(A, open_until=UNTIL, at=AT)
    presence.leave(A, at=AT + timedelta(hours=1))
    presence.enter(B, open_until=UNTIL + timedelta(hours=1), at=AT + timedelta(hours=1))
    events = presence.collect_events()

    replayed = replay(events)

    assert [type(e) for e in events] == [
        Presence.Started,
        Presence.Entered,
        Presence.Left,
        Presence.Entered,
    ]
    assert isinstance(replayed, Presence)
    assert (
        replayed.id,
        replayed.version,
        replayed.volunteer_id,
        replayed.activity_id,
        replayed.open_until,
    ) == (presence.id, 4, VOLUNTEER, B, UNTIL + timedelta(hours=1))
    with pytest.raises(CheckedInElsewhere):
        replayed.enter(A, open_until=UNTIL, at=AT + timedelta(hours=1))
