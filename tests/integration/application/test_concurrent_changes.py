"""Two requests that change the same aggregate must not both win."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from grassroots.application.errors import ConcurrentChange
from grassroots.application.service import Grassroots
from grassroots.domain.center import Center
from tests.conftest import DURABLE
from tests.integration.builders import build_world


def test_the_later_of_two_changes_to_one_aggregate_loses_with_a_conflict(
    app: Grassroots,
) -> None:
    world = build_world(app)
    first = app.get(Center, world.center)
    second = app.get(Center, world.center)
    first.change_details(name="东风青年之家", at=app.now())
    second.change_details(name="东风社区青年爱里", at=app.now())
    app.commit(first)

    with pytest.raises(ConcurrentChange) as caught:
        app.commit(second)

    assert caught.value.code == "concurrent-change"
    assert app.get(Center, world.center).name == "东风青年之家"


@DURABLE
def test_a_conflict_between_processes_leaves_the_winners_events_only(
    open_app: Callable[[], Grassroots],
) -> None:
    one, two = open_app(), open_app()
    world = build_world(one)
    seen_by_two = two.get(Center, world.center)
    one.change_center_details(world.center, name="东风青年之家")
    seen_by_two.change_details(address="呼和浩特市新城区东风路 2 号", at=two.now())

    with pytest.raises(ConcurrentChange):
        two.commit(seen_by_two)

    center = one.get(Center, world.center)
    assert (center.name, center.address) == ("东风青年之家", "呼和浩特市新城区东风路 1 号")
    assert center.version == 2
