"""Registration against every event store: one volunteer per phone number, enforced by the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from grassroots.application.errors import AlreadyTaken, NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.volunteer import Volunteer
from tests.conftest import DURABLE, Backend
from tests.integration.builders import build_world, register_volunteer


def event_count(app: Grassroots) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_registered_volunteer_can_be_read_back_and_found_by_phone(app: Grassroots) -> None:
    world = build_world(app)
    volunteer_id = register_volunteer(app, world, phone="138 0013 8000")

    volunteer = app.get(Volunteer, volunteer_id)

    assert (volunteer.name, volunteer.phone, volunteer.birth_date) == (
        "王小明",
        "13800138000",
        date(2001, 5, 4),
    )
    assert app.volunteer_id_for_phone("+86 138-0013-8000") == volunteer_id


def test_a_phone_number_registers_one_volunteer_only_and_the_loser_writes_nothing(
    app: Grassroots,
) -> None:
    world = build_world(app)
    register_volunteer(app, world, phone="13800138000")
    before = event_count(app)

    with pytest.raises(AlreadyTaken) as caught:
        register_volunteer(app, world, phone="0086 13800138000")

    assert caught.value.code == "phone-taken"
    assert event_count(app) == before


@DURABLE
def test_two_processes_racing_with_one_phone_number_leave_exactly_one_volunteer(
    backend: Backend, open_app: Callable[[], Grassroots]
) -> None:
    first, second = open_app(), open_app()
    world = build_world(first)

    winner = register_volunteer(first, world, phone="13900139000")
    with pytest.raises(AlreadyTaken):
        register_volunteer(second, world, phone="13900139000")

    assert second.volunteer_id_for_phone("13900139000") == winner


def test_an_unknown_id_or_an_id_of_another_kind_is_not_found(app: Grassroots) -> None:
    world = build_world(app)
    with pytest.raises(NotFound) as caught:
        app.get(Volunteer, world.center)
    assert caught.value.code == "volunteer-not-found"
    with pytest.raises(NotFound):
        app.volunteer_id_for_phone("13700137000")


@DURABLE
def test_events_outlive_the_application_that_wrote_them(
    backend: Backend, open_app: Callable[[], Grassroots]
) -> None:
    writer = open_app()
    world = build_world(writer)
    volunteer_id = register_volunteer(writer, world)
    writer.close()

    reader = open_app()

    assert reader.get(Volunteer, volunteer_id).phone == "13800138000"
