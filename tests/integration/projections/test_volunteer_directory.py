"""The volunteer directory, fed from the real application's log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.projections.activity_catalogue import ActivityCatalogue
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from grassroots.projections.volunteer_directory import (
    VolunteerDirectory,
    names_of,
    roster_of,
    volunteer_directory,
)
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, post_activity, register_volunteer


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def directory(app: Grassroots, read_engine: Engine) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    # Batches of two: a registration and its rename land in one batch or in two.
    return ReadSide(
        read_engine, log, projections=[OrgTree, ActivityCatalogue, VolunteerDirectory], batch_size=2
    )


def test_names_and_masked_phones_follow_registrations_and_renames(
    app: Grassroots, world: World, directory: ReadSide, read_engine: Engine
) -> None:
    first = register_volunteer(app, world, phone="13800138000")
    app.change_volunteer_profile(first, name="王晓明")
    second = register_volunteer(app, world, phone="13912345678")
    directory.catch_up()
    app.change_volunteer_profile(second, name="王小红")
    directory.catch_up()

    with read_engine.connect() as conn:
        found = names_of(conn, [first, second, UUID(int=7)])
        stored = conn.execute(sa.select(volunteer_directory)).all()

    assert {v: (n.name, n.phone_masked) for v, n in found.items()} == {
        first: ("王晓明", "138****8000"),
        second: ("王小红", "139****5678"),
    }
    # The full number is in no column of any row.
    assert not [row for row in stored if any(str(value) == "13912345678" for value in row)]


def test_the_roster_is_the_catalogues_lists_with_names(
    app: Grassroots, clock: FakeClock, world: World, directory: ReadSide, read_engine: Engine
) -> None:
    activity = post_activity(app, world, starts_at=clock.now + timedelta(days=1), capacity=1)
    first = register_volunteer(app, world, phone="13800138000")
    second = register_volunteer(app, world, phone="13800138001")
    app.sign_up(activity, first)
    app.sign_up(activity, second)
    directory.catch_up()

    with read_engine.connect() as conn:
        everyone = roster_of(conn, activity)
        waiting = roster_of(conn, activity, sign_up="wait_listed")

    assert [(line.attendance.volunteer_id, line.phone_masked) for line in everyone] == [
        (first, "138****8000"),
        (second, "138****8001"),
    ]
    assert [line.attendance.volunteer_id for line in waiting] == [second]
    assert {line.name for line in everyone} == {"王小明"}
