"""A center's place in the org tree, remembered for live updates for a while only."""

from __future__ import annotations

from uuid import uuid4

from grassroots.api.center_places import CenterPlaces


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_place_is_remembered_until_it_is_older_than_the_ttl() -> None:
    clock = Clock()
    places = CenterPlaces(ttl_seconds=60, clock=clock)
    center, unit, county = uuid4(), uuid4(), uuid4()
    assert places.get(center) is None

    places.remember(center, (unit, (county,)))
    clock.now += 60
    assert places.get(center) == (unit, (county,))
    clock.now += 1
    assert places.get(center) is None


def test_past_its_bound_the_memo_starts_again_rather_than_grow() -> None:
    places = CenterPlaces(max_entries=3)
    centers = [uuid4() for _ in range(4)]
    for center in centers:
        places.remember(center, (uuid4(), ()))

    assert [places.get(c) is not None for c in centers] == [False, False, False, True]
