"""The activity catalogue, fed from the real application's log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from grassroots.projections.activity_catalogue import (
    ActivityCatalogue,
    Near,
    activities_of_center,
    activity_row,
    arrivals,
    attendance_of,
    center_row,
    centers,
    discover,
    sign_ups_of,
)
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.conftest import FakeClock
from tests.integration.builders import (
    CENTER_PLACE,
    World,
    build_world,
    post_activity,
    register_volunteer,
)

STAFF = UUID("eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee")
BEIJING = GeoPoint(39.9042, 116.4074)


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def catalogue(app: Grassroots, read_engine: Engine) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    # A small batch, so events of one activity land in several batches.
    return ReadSide(read_engine, log, projections=[OrgTree, ActivityCatalogue], batch_size=3)


def phone(n: int) -> str:
    return f"1380013{n:04d}"


def test_a_day_at_an_activity_is_in_the_catalogue(
    app: Grassroots, clock: FakeClock, world: World, catalogue: ReadSide, read_engine: Engine
) -> None:
    starts = clock.now + timedelta(days=1)
    activity = post_activity(app, world, starts_at=starts, capacity=2)
    first, second, third, walk_in = (register_volunteer(app, world, phone(i)) for i in range(4))
    for volunteer in (first, second, third):
        app.sign_up(activity, volunteer)
    app.withdraw(activity, first)  # ``third`` is promoted into the place
    app.change_activity_details(activity, title="社区环境大扫除")
    clock.set(starts)
    token = app.venue_code(activity).token
    app.check_in(activity, second, token=token)
    clock.set(starts + timedelta(hours=1))
    app.check_out(activity, second, token=app.venue_code(activity).token)
    app.adjust_attendance(activity, second, minutes=-10, reason="中途离开", staff_id=STAFF)
    app.adjust_attendance(activity, walk_in, minutes=30, reason="现场核实到场", staff_id=STAFF)
    app.check_in(activity, third, token=app.venue_code(activity).token)
    clock.set(starts + timedelta(hours=3))
    app.close_attendance_automatically(activity, third)

    catalogue.catch_up()

    with read_engine.connect() as conn:
        row = activity_row(conn, activity)
        rows = attendance_of(conn, activity)
    assert row is not None
    assert (row.title, row.status, row.signed_up, row.waiting) == ("社区环境大扫除", "posted", 2, 0)
    assert row.org_unit_id == world.village
    assert row.location == CENTER_PLACE
    assert row.starts_at == starts
    by_volunteer = {r.volunteer_id: r for r in rows}
    assert [r.volunteer_id for r in rows] == [first, second, third, walk_in]
    assert by_volunteer[first].sign_up == "withdrawn"
    assert by_volunteer[second].sign_up == "signed_up"
    assert (by_volunteer[second].scan_minutes, by_volunteer[second].credited_minutes) == (60, 50)
    assert by_volunteer[second].checked_out_at == starts + timedelta(hours=1)
    assert by_volunteer[third].sign_up == "signed_up"
    assert by_volunteer[third].auto_closed_at == starts + timedelta(hours=2)
    # Checked in an hour late and never out: credit runs to the scheduled end.
    assert by_volunteer[third].credited_minutes == 60
    assert by_volunteer[walk_in].sign_up is None
    assert by_volunteer[walk_in].added_by_staff
    assert (by_volunteer[walk_in].credited_minutes, by_volunteer[walk_in].adjustments) == (30, 1)
    with read_engine.connect() as conn:
        assert [r.volunteer_id for r in attendance_of(conn, activity, limit=2, offset=1)] == [
            second,
            third,
        ]
        assert [r.volunteer_id for r in attendance_of(conn, activity, sign_up="withdrawn")] == [
            first
        ]


def test_discovery_by_window_center_category_and_distance(
    app: Grassroots, clock: FakeClock, world: World, catalogue: ReadSide, read_engine: Engine
) -> None:
    now = clock.now
    beijing_unit = app.create_org_unit(name="北京市", level=OrgLevel.REGION)
    beijing = app.register_center(
        name="北京青年之家", org_unit_id=beijing_unit, address="东城区 1 号", location=BEIJING
    )
    soon = post_activity(app, world, starts_at=now + timedelta(days=1))
    later = app.post_activity(
        world.center,
        title="读书会",
        description="",
        category="culture",
        starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=1),
    )
    # Somewhere else than its center: found by its own place, not the center's.
    away = post_activity(
        app, world, starts_at=now + timedelta(days=2), location=BEIJING, geofence_radius_m=200
    )
    far = app.post_activity(
        beijing,
        title="义务植树",
        description="",
        category="environment",
        starts_at=now + timedelta(days=1, hours=1),
        ends_at=now + timedelta(days=1, hours=3),
    )
    cancelled = post_activity(app, world, starts_at=now + timedelta(days=3))
    app.cancel_activity(cancelled, reason="暴雨预警")
    catalogue.catch_up()

    def found(**options: object) -> list[UUID]:
        with read_engine.connect() as conn:
            return [
                a.activity_id
                for a in discover(
                    conn,
                    starts_from=options.pop("starts_from", now),  # type: ignore[arg-type]
                    starts_to=options.pop("starts_to", now + timedelta(days=30)),  # type: ignore[arg-type]
                    **options,  # type: ignore[arg-type]
                )
            ]

    assert found() == [soon, far, away, later]
    assert found(include_cancelled=True) == [soon, far, away, cancelled, later]
    assert found(starts_to=now + timedelta(days=1, hours=1)) == [soon]
    assert found(starts_from=now + timedelta(days=1, hours=1)) == [far, away, later]
    assert found(center_id=world.center) == [soon, away, later]
    assert found(category="culture") == [later]
    assert found(near=Near(CENTER_PLACE, 500)) == [soon, later]
    assert found(near=Near(BEIJING, 500)) == [far, away]
    assert found(near=Near(BEIJING, 500), limit=1, offset=1) == [away]
    assert found(near=Near(GeoPoint(0, 0), 100_000)) == []
    assert found(limit=2, offset=1) == [far, away]
    with read_engine.connect() as conn:
        of_center = activities_of_center(conn, world.center)
        assert [a.activity_id for a in of_center] == [soon, away, cancelled, later]
        gone = activity_row(conn, cancelled)
        assert gone is not None
        assert (gone.status, gone.cancel_reason) == ("cancelled", "暴雨预警")
        assert [c.center_id for c in centers(conn, org_unit_id=world.county)] == [world.center]
        assert {c.center_id for c in centers(conn)} == {world.center, beijing}
        beijing_row = center_row(conn, beijing)
        assert beijing_row is not None
        assert beijing_row.location == BEIJING


def test_a_rebuild_gives_the_same_rows(
    app: Grassroots, clock: FakeClock, world: World, catalogue: ReadSide, read_engine: Engine
) -> None:
    activity = post_activity(app, world, starts_at=clock.now + timedelta(days=1), capacity=1)
    volunteers = [register_volunteer(app, world, phone(i)) for i in range(5)]
    for volunteer in volunteers:
        app.sign_up(activity, volunteer)
    app.withdraw(activity, volunteers[0])
    app.withdraw(activity, volunteers[3])
    app.change_activity_details(activity, capacity=3)
    app.change_center_details(world.center, name="东风社区青年之家（新）")
    catalogue.catch_up()
    first = _snapshot(read_engine)

    runner = catalogue.runner("activity_catalogue")
    with read_engine.begin() as conn:
        runner.projection.clear(conn)
        conn.execute(
            sa.text("UPDATE projection_tracking SET position = 0 WHERE name = :n"),
            {"n": "activity_catalogue"},
        )
    one_by_one = ReadSide(
        read_engine,
        EventLog(app.recorder, app.mapper),
        projections=[OrgTree, ActivityCatalogue],
        batch_size=1,
    )
    one_by_one.catch_up()

    assert _snapshot(read_engine) == first
    with read_engine.connect() as conn:
        row = activity_row(conn, activity)
        assert row is not None
        assert (row.signed_up, row.waiting) == (3, 0)
        center = center_row(conn, world.center)
        assert center is not None
        assert center.name == "东风社区青年之家（新）"


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    rows = {}
    with engine.connect() as conn:
        for table in ActivityCatalogue.tables:
            order = list(table.primary_key.columns)
            rows[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return rows


def test_arrivals_count_each_scan_in_once_newest_first_and_no_staff_additions(
    app: Grassroots, clock: FakeClock, world: World, catalogue: ReadSide, read_engine: Engine
) -> None:
    starts = clock.now + timedelta(days=1)
    activity = post_activity(app, world, starts_at=starts, capacity=5)
    first, second, third, walk_in = (register_volunteer(app, world, phone(i)) for i in range(4))
    for volunteer in (first, second, third):
        app.sign_up(activity, volunteer)
    clock.set(starts)
    app.check_in(activity, first, token=app.venue_code(activity).token)
    clock.set(starts + timedelta(minutes=5))
    app.check_in(activity, second, token=app.venue_code(activity).token)
    clock.set(starts + timedelta(minutes=40))
    # Leaving does not undo an arrival; a staff addition (补录) is not one.
    app.check_out(activity, first, token=app.venue_code(activity).token)
    app.adjust_attendance(activity, walk_in, minutes=30, reason="现场核实到场", staff_id=STAFF)

    catalogue.catch_up()

    with read_engine.connect() as conn:
        seen = arrivals(conn, activity)
        newest = arrivals(conn, activity, latest=1)
    assert seen.count == 2
    assert seen.latest == [
        (second, starts + timedelta(minutes=5)),
        (first, starts),
    ]
    assert newest.count == 2
    assert newest.latest == [(second, starts + timedelta(minutes=5))]


def test_my_sign_ups_give_the_place_in_the_waiting_line_and_record_a_promotion(
    app: Grassroots, clock: FakeClock, world: World, catalogue: ReadSide, read_engine: Engine
) -> None:
    activity = post_activity(app, world, starts_at=clock.now + timedelta(days=1), capacity=1)
    first, second, third = (register_volunteer(app, world, phone(i)) for i in range(3))
    for volunteer in (first, second, third):
        app.sign_up(activity, volunteer)
    # Leaving the waiting list and coming back puts one at its end.
    app.withdraw(activity, second)
    app.sign_up(activity, second)
    catalogue.catch_up()
    with read_engine.connect() as conn:
        (waiting_third,) = sign_ups_of(conn, third, now=clock.now)
        (waiting_second,) = sign_ups_of(conn, second, now=clock.now)

    app.withdraw(activity, first)
    catalogue.catch_up()
    with read_engine.connect() as conn:
        (promoted,) = sign_ups_of(conn, third, now=clock.now)
        (still_waiting,) = sign_ups_of(conn, second, now=clock.now)
        (gone,) = sign_ups_of(conn, first, now=clock.now)

    assert (waiting_third.state, waiting_third.waiting_place) == ("wait_listed", 1)
    assert (waiting_second.state, waiting_second.waiting_place) == ("wait_listed", 2)
    assert (promoted.state, promoted.waiting_place) == ("promoted", None)
    assert promoted.promoted_at == clock.now
    assert (still_waiting.state, still_waiting.waiting_place) == ("wait_listed", 1)
    assert gone.state == "withdrawn"
    assert promoted.title == "社区环境清洁"
    assert promoted.center_name == "东风社区青年之家"


def test_my_sign_ups_come_upcoming_first_soonest_first_then_past_latest_first(
    app: Grassroots, clock: FakeClock, world: World, catalogue: ReadSide, read_engine: Engine
) -> None:
    volunteer = register_volunteer(app, world)
    days = (3, 1, 2, 5)
    activities = {
        day: post_activity(app, world, starts_at=clock.now + timedelta(days=day)) for day in days
    }
    for activity in activities.values():
        app.sign_up(activity, volunteer)
    catalogue.catch_up()

    # Three days on: the ones of days 1 and 2 have ended.
    with read_engine.connect() as conn:
        found = sign_ups_of(conn, volunteer, now=clock.now + timedelta(days=2, hours=12))

    assert [row.activity_id for row in found] == [activities[d] for d in (3, 5, 2, 1)]
