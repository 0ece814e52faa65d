"""Activity counts per center, per week and month, rolled up the org tree; SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.compliance import PeriodKind
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.center_activity import (
    ActivityCounts,
    CenterActivity,
    OrgUnitCounts,
    PeriodCounts,
    center_counts,
    org_unit_counts,
)
from grassroots.projections.database import metadata
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

# Wednesday 2026-03-11 10:00 in Asia/Shanghai: ISO week 11, March.
WEDNESDAY = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
WEEK_11 = "2026-W11"


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def counts_side(app: Grassroots, read_engine: Engine) -> ReadSide:
    # The roll-up reads the org tree's closure, so both read models run.
    log = EventLog(app.recorder, app.mapper)
    return ReadSide(read_engine, log, projections=[OrgTree, CenterActivity], batch_size=7)


def phone(n: int) -> str:
    return f"1390000{n:04d}"


def scan_in(
    app: Grassroots, clock: FakeClock, activity: UUID, volunteer: UUID, at: datetime
) -> None:
    clock.set(at)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)


def scan_out(
    app: Grassroots, clock: FakeClock, activity: UUID, volunteer: UUID, at: datetime
) -> None:
    clock.set(at)
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)


def weeks(side: ReadSide, center: UUID, *periods: str) -> list[PeriodCounts]:
    side.catch_up()
    with side.engine.connect() as conn:
        return center_counts(conn, center, "week", periods or None)


def months(side: ReadSide, center: UUID) -> list[PeriodCounts]:
    side.catch_up()
    with side.engine.connect() as conn:
        return center_counts(conn, center, "month")


def test_each_figure_of_a_week_counts_what_its_events_say(
    app: Grassroots, counts_side: ReadSide, world: World, clock: FakeClock
) -> None:
    v1, v2, v3, v4 = (register_volunteer(app, world, phone=phone(i)) for i in range(4))
    held = post_activity(app, world, starts_at=WEDNESDAY, capacity=2)
    cancelled = post_activity(app, world, starts_at=WEDNESDAY + timedelta(hours=3))
    post_activity(app, world, starts_at=WEDNESDAY + timedelta(hours=6))  # nobody comes
    app.sign_up(held, v1)
    app.sign_up(held, v2)
    app.sign_up(held, v3)  # wait-listed
    app.sign_up(held, v4)  # wait-listed
    app.withdraw(held, v1)  # v3 promoted into the freed place
    app.withdraw(held, v4)  # leaves the waiting list: no place given up
    app.sign_up(cancelled, v1)
    app.cancel_activity(cancelled, reason="场地临时不可用")
    scan_in(app, clock, held, v2, WEDNESDAY)
    scan_in(app, clock, held, v3, WEDNESDAY + timedelta(minutes=10))
    scan_out(app, clock, held, v2, WEDNESDAY + timedelta(minutes=60))  # 60 credited
    clock.set(WEDNESDAY + timedelta(hours=2, minutes=1))
    app.close_attendance_automatically(held, v3)  # 110 credited, up to the scheduled end
    app.adjust_attendance(held, v2, minutes=-5, reason="提前离场", staff_id=world.center)
    app.adjust_attendance(held, v1, minutes=30, reason="到场未扫码", staff_id=world.center)

    expected = ActivityCounts(
        posted=3,
        held=1,
        cancelled=1,
        sign_ups=4,  # v1 and v2 at the held one, v3 promoted, v1 at the cancelled one
        signed_up_now=3,  # v2 and v3, and v1 still listed at the cancelled one
        check_ins=2,
        added_by_staff=1,
        volunteers=3,
        credited_minutes=60 + 110 - 5 + 30,
    )
    assert weeks(counts_side, world.center) == [PeriodCounts(WEEK_11, expected)]
    assert months(counts_side, world.center) == [PeriodCounts("2026-03", expected)]


def test_an_activity_cancelled_while_under_way_counts_as_cancelled_and_its_service_still_counts(
    app: Grassroots, counts_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=WEDNESDAY, sign_up_required=False)
    scan_in(app, clock, activity, volunteer, WEDNESDAY)
    assert weeks(counts_side, world.center)[0].counts.held == 1  # held from the first scan on

    clock.set(WEDNESDAY + timedelta(minutes=40))
    app.cancel_activity(activity, reason="突降暴雨")
    scan_out(app, clock, activity, volunteer, WEDNESDAY + timedelta(minutes=40))

    (week,) = weeks(counts_side, world.center)
    assert week.counts == ActivityCounts(
        posted=1, held=0, cancelled=1, check_ins=1, volunteers=1, credited_minutes=40
    )


def test_days_weeks_and_months_are_the_centers_local_ones(
    app: Grassroots, counts_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    # In Asia/Shanghai (UTC+8), each of these falls on another day than in UTC.
    sunday_late = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # Sun 8 March 23:30: week 10
    monday_early = datetime(2026, 3, 8, 16, 10, tzinfo=UTC)  # Mon 9 March 00:10: week 11
    last_of_march = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # Tue 31 March 23:30: March
    first_of_april = datetime(2026, 3, 31, 16, 10, tzinfo=UTC)  # Wed 1 April 00:10: April
    sunday = post_activity(app, world, starts_at=sunday_late, hours=1, sign_up_required=False)
    for start in (monday_early, last_of_march, first_of_april):
        post_activity(app, world, starts_at=start, hours=1)
    scan_in(app, clock, sunday, volunteer, sunday_late)

    assert [
        (p.period, p.counts.posted, p.counts.check_ins) for p in weeks(counts_side, world.center)
    ] == [("2026-W10", 1, 1), ("2026-W11", 1, 0), ("2026-W14", 2, 0)]
    assert [(p.period, p.counts.posted) for p in months(counts_side, world.center)] == [
        ("2026-03", 3),
        ("2026-04", 1),
    ]


def test_rescheduling_into_another_week_and_month_moves_the_activitys_counts(
    app: Grassroots, counts_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=WEDNESDAY)
    app.sign_up(activity, volunteer)
    assert [p.period for p in weeks(counts_side, world.center)] == [WEEK_11]

    april_first = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)  # Wednesday 10:00, week 14
    app.change_activity_details(
        activity, starts_at=april_first, ends_at=april_first + timedelta(hours=2)
    )
    app.change_activity_details(activity, title="社区环境清洁（改期）")  # moves nothing

    moved = ActivityCounts(posted=1, sign_ups=1, signed_up_now=1)
    assert weeks(counts_side, world.center, WEEK_11, "2026-W14") == [
        PeriodCounts(WEEK_11, ActivityCounts()),
        PeriodCounts("2026-W14", moved),
    ]
    assert months(counts_side, world.center) == [PeriodCounts("2026-04", moved)]


@dataclass(frozen=True)
class TwoCenters:
    world: World
    other_county: UUID
    other_township: UUID
    other_village: UUID
    other_center: UUID


@pytest.fixture
def two_centers(app: Grassroots, world: World) -> TwoCenters:
    """The world's center, and a second one in a village of another township of the same county."""
    township = app.create_org_unit(
        name="锡林路街道", level=OrgLevel.TOWNSHIP, parent_id=world.county
    )
    village = app.create_org_unit(name="锡林社区", level=OrgLevel.VILLAGE, parent_id=township)
    center = app.register_center(
        name="锡林社区青年之家",
        org_unit_id=village,
        address="呼和浩特市新城区锡林路 2 号",
        location=CENTER_PLACE,
    )
    other_county = app.create_org_unit(name="回民区", level=OrgLevel.COUNTY, parent_id=world.city)
    return TwoCenters(world, other_county, township, village, center)


def at_unit(side: ReadSide, unit: UUID, period: str = WEEK_11) -> tuple[ActivityCounts, list[str]]:
    side.catch_up()
    with side.engine.connect() as conn:
        found = org_unit_counts(conn, unit, "week", period)
    return found.totals, [c.name for c in found.centers]


def test_a_unit_sees_the_sum_over_every_center_in_its_subtree(
    app: Grassroots, counts_side: ReadSide, two_centers: TwoCenters, clock: FakeClock
) -> None:
    world = two_centers.world
    v1, v2, v3 = (register_volunteer(app, world, phone=phone(i)) for i in range(3))
    first = post_activity(app, world, starts_at=WEDNESDAY, sign_up_required=False)
    second = app.post_activity(
        two_centers.other_center,
        title="敬老院探访",
        description="陪伴老人",
        category="elderly",
        starts_at=WEDNESDAY + timedelta(days=1),
        ends_at=WEDNESDAY + timedelta(days=1, hours=2),
        sign_up_required=False,
    )
    app.post_activity(
        two_centers.other_center,
        title="图书整理",
        description="整理图书角",
        category="culture",
        starts_at=WEDNESDAY + timedelta(days=2),
        ends_at=WEDNESDAY + timedelta(days=2, hours=1),
    )
    scan_in(app, clock, first, v1, WEDNESDAY)
    scan_out(app, clock, first, v1, WEDNESDAY + timedelta(minutes=90))
    for volunteer in (v2, v3):
        scan_in(app, clock, second, volunteer, WEDNESDAY + timedelta(days=1))
        scan_out(app, clock, second, volunteer, WEDNESDAY + timedelta(days=1, minutes=50))

    first_only = ActivityCounts(posted=1, held=1, check_ins=1, volunteers=1, credited_minutes=90)
    second_only = ActivityCounts(posted=2, held=1, check_ins=2, volunteers=2, credited_minutes=100)
    both = ActivityCounts(posted=3, held=2, check_ins=3, volunteers=3, credited_minutes=190)
    assert at_unit(counts_side, world.village) == (first_only, ["东风社区青年之家"])
    assert at_unit(counts_side, world.township) == (first_only, ["东风社区青年之家"])
    assert at_unit(counts_side, two_centers.other_township) == (second_only, ["锡林社区青年之家"])
    for unit in (world.county, world.city, world.region):
        assert at_unit(counts_side, unit) == (both, ["东风社区青年之家", "锡林社区青年之家"])
    assert at_unit(counts_side, two_centers.other_county) == (ActivityCounts(), [])
    assert at_unit(counts_side, world.county, "2026-W12")[0] == ActivityCounts()


def test_a_volunteer_at_two_centers_counts_once_for_the_county_and_once_at_each_center(
    app: Grassroots, counts_side: ReadSide, two_centers: TwoCenters, clock: FakeClock
) -> None:
    world = two_centers.world
    volunteer = register_volunteer(app, world)
    here = post_activity(app, world, starts_at=WEDNESDAY, sign_up_required=False)
    there = app.post_activity(
        two_centers.other_center,
        title="敬老院探访",
        description="陪伴老人",
        category="elderly",
        starts_at=WEDNESDAY + timedelta(days=1),
        ends_at=WEDNESDAY + timedelta(days=1, hours=2),
        sign_up_required=False,
    )
    scan_in(app, clock, here, volunteer, WEDNESDAY)
    scan_in(app, clock, there, volunteer, WEDNESDAY + timedelta(days=1))
    counts_side.catch_up()

    with counts_side.engine.connect() as conn:
        county = org_unit_counts(conn, world.county, "week", WEEK_11)
        city_month = org_unit_counts(conn, world.city, "month", "2026-03")
    assert [(c.name, c.counts.volunteers) for c in county.centers] == [
        ("东风社区青年之家", 1),
        ("锡林社区青年之家", 1),
    ]
    assert (county.totals.check_ins, county.totals.volunteers) == (2, 1)
    assert (city_month.totals.check_ins, city_month.totals.volunteers) == (2, 1)


def test_rebuilding_gives_the_same_rows_and_figures_as_following_the_log(
    app: Grassroots, counts_side: ReadSide, two_centers: TwoCenters, clock: FakeClock
) -> None:
    world = two_centers.world
    volunteers = [register_volunteer(app, world, phone=phone(i)) for i in range(6)]
    runner = counts_side.runner("center_activity")

    # Step 1: activities at both centers, one of them rescheduled into the next week.
    days = [WEDNESDAY + timedelta(days=d) for d in range(4)]
    here = [post_activity(app, world, starts_at=day, capacity=3) for day in days[:2]]
    there = [
        app.post_activity(
            two_centers.other_center,
            title=f"图书整理 {i}",
            description="整理图书角",
            category="culture",
            starts_at=day,
            ends_at=day + timedelta(hours=1),
            sign_up_required=False,
        )
        for i, day in enumerate(days[2:])
    ]
    app.change_activity_details(
        here[1], starts_at=days[1] + timedelta(days=7), ends_at=days[1] + timedelta(days=7, hours=2)
    )
    counts_side.catch_up()

    # Step 2: sign-ups, a waiting list, withdrawals and a cancellation.
    for volunteer in volunteers[:5]:
        app.sign_up(here[0], volunteer)
    app.withdraw(here[0], volunteers[0])
    app.withdraw(here[0], volunteers[4])
    app.sign_up(here[1], volunteers[5])
    app.cancel_activity(here[1], reason="负责人出差")
    counts_side.catch_up()

    # Step 3: scans, automatic closes and corrections.
    for volunteer in volunteers[1:4]:
        scan_in(app, clock, here[0], volunteer, days[0] + timedelta(minutes=5))
    for volunteer in volunteers[1:3]:
        scan_out(app, clock, here[0], volunteer, days[0] + timedelta(minutes=95))
    clock.set(days[0] + timedelta(hours=3))
    app.close_attendance_automatically(here[0], volunteers[3])
    app.adjust_attendance(here[0], volunteers[1], minutes=-10, reason="迟到", staff_id=world.center)
    app.adjust_attendance(here[0], volunteers[0], minutes=45, reason="补录", staff_id=world.center)
    counts_side.catch_up()
    for i, activity in enumerate(there):
        for volunteer in volunteers[i + 2 : i + 5]:
            scan_in(app, clock, activity, volunteer, days[2 + i])
            scan_out(app, clock, activity, volunteer, days[2 + i] + timedelta(minutes=30 + i))

    counts_side.catch_up()
    assert (app.recorder.max_notification_id() or 0) >= 48  # a few dozen events, in steps

    periods: list[tuple[PeriodKind, str]] = [
        ("week", WEEK_11),
        ("week", "2026-W12"),
        ("month", "2026-03"),
    ]
    kinds: list[PeriodKind] = ["week", "month"]

    def snapshot() -> tuple[
        list[list[tuple[Any, ...]]], list[OrgUnitCounts], list[list[PeriodCounts]]
    ]:
        with counts_side.engine.connect() as conn:
            rows = [
                CenterActivity.rows(conn, table, list(table.primary_key.columns))
                for table in CenterActivity.tables
            ]
            figures = [
                org_unit_counts(conn, unit, kind, period)
                for unit in (world.county, world.township, two_centers.other_township)
                for kind, period in periods
            ]
            per_center = [
                center_counts(conn, center, kind)
                for center in (world.center, two_centers.other_center)
                for kind in kinds
            ]
        return rows, figures, per_center

    incremental = snapshot()
    runner.rebuild()
    assert snapshot() == incremental

    totals = incremental[1][0].totals  # the county in week 11
    assert totals == ActivityCounts(
        posted=3,
        held=3,
        cancelled=0,
        sign_ups=4,  # volunteers 0..2 signed up, volunteer 3 waited and was promoted
        signed_up_now=3,
        check_ins=3 + 6,
        added_by_staff=1,
        volunteers=6,  # 4 here and 4 there, 2 of them at both
        credited_minutes=90 + 90 - 10 + 115 + 45 + 3 * 30 + 3 * 31,
    )


def test_the_migration_creates_exactly_the_tables_the_read_model_declares(
    read_engine: Engine,
) -> None:
    with read_engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    ours = [d for d in differences if "center_activity_" in repr(d)]
    assert ours == []
    with read_engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {t.name for t in CenterActivity.tables} <= tables
