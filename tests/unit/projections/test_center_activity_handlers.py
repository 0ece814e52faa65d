"""The center activity read model's handlers, fed events without an application around them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa

from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.values import GeoPoint
from grassroots.projections.center_activity import (
    ActivityCounts,
    CenterActivity,
    PeriodCounts,
    center_activity_volunteers,
    center_counts,
)
from grassroots.projections.database import metadata
from grassroots.projections.engine import BatchStart, EventContext

POSTED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PLACE = GeoPoint(40.8426, 111.7492)
# Wednesday 2026-03-11 10:00 in Asia/Shanghai.
WEDNESDAY = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


@dataclass
class Feed:
    """The projection and its tables on an in-memory database, fed one aggregate at a time."""

    engine: sa.Engine
    projection: CenterActivity = field(default_factory=CenterActivity)
    position: int = 0

    def events(self, originator_id: UUID, *events: Any) -> None:
        with self.engine.begin() as conn:
            for event in events:
                self.position += 1
                context = EventContext(
                    position=self.position,
                    originator_id=originator_id,
                    originator_version=event.originator_version,
                    recorded_at=event.timestamp,
                )
                self.projection.handle(conn, event, context)

    def aggregate(self, aggregate: Any) -> UUID:
        self.events(aggregate.id, *aggregate.collect_events())
        return UUID(str(aggregate.id))

    def weeks(self, center: UUID) -> list[PeriodCounts]:
        with self.engine.connect() as conn:
            return center_counts(conn, center, "week")


@pytest.fixture
def feed() -> Iterator[Feed]:
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine, tables=list(CenterActivity.tables))
    yield Feed(engine)
    engine.dispose()


def a_center(feed: Feed, time_zone: str = "Asia/Shanghai") -> UUID:
    unit = OrgUnit.create(
        name="东风社区",
        level=OrgLevel.REGION,
        parent_id=None,
        parent_level=None,
        at=POSTED_AT,
        time_zone_name=time_zone,
    )
    feed.aggregate(unit)
    return feed.aggregate(
        Center.register(
            name="东风社区青年之家",
            org_unit_id=unit.id,
            address="东风路 1 号",
            location=PLACE,
            geofence_radius_m=150,
            at=POSTED_AT,
        )
    )


def an_activity(center: UUID, starts_at: datetime, capacity: int | None = None) -> Activity:
    return Activity.post(
        center_id=center,
        title="社区环境清洁",
        description="清理社区公共区域",
        category="environment",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=capacity,
        location=PLACE,
        geofence_radius_m=150,
        location_required=False,
        sign_up_required=False,
        at=POSTED_AT,
    )


def check_in(activity: Activity, volunteer: UUID) -> Attendance:
    return Attendance.check_in(
        volunteer_id=volunteer,
        activity_id=activity.id,
        center_id=activity.center_id,
        scheduled_start=activity.starts_at,
        scheduled_end=activity.ends_at,
        policy=CreditPolicy(),
        at=activity.starts_at,
    )


def moved(activity: Activity, starts_at: datetime) -> Activity.DetailsChanged:
    """A reschedule event built by hand: the domain refuses one after check-in opens."""
    return Activity.DetailsChanged(  # type: ignore[call-arg]
        originator_id=activity.id,
        originator_version=activity.version + 1,
        timestamp=POSTED_AT,
        title=activity.title,
        description=activity.description,
        category=activity.category,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=activity.capacity,
        location_lat=activity.location.lat,
        location_lon=activity.location.lon,
        geofence_radius_m=activity.geofence_radius_m,
        location_required=activity.location_required,
        sign_up_required=activity.sign_up_required,
        at=POSTED_AT,
    )


def members(feed: Feed) -> list[tuple[str, str, UUID]]:
    table = center_activity_volunteers
    with feed.engine.connect() as conn:
        return [
            (row.period_kind, row.period, row.volunteer_id)
            for row in conn.execute(sa.select(table).order_by(table.c.period_kind, table.c.period))
        ]


def test_a_volunteer_at_two_activities_of_a_center_in_one_week_is_one_member(feed: Feed) -> None:
    center = a_center(feed)
    volunteer = uuid4()
    for day in (WEDNESDAY, WEDNESDAY + timedelta(days=1)):
        activity = an_activity(center, day)
        feed.aggregate(activity)
        feed.aggregate(check_in(activity, volunteer))

    assert members(feed) == [("month", "2026-03", volunteer), ("week", "2026-W11", volunteer)]
    (week,) = feed.weeks(center)
    assert (week.counts.check_ins, week.counts.volunteers) == (2, 1)


def test_an_activity_moved_after_attendance_takes_its_volunteers_with_it(feed: Feed) -> None:
    center = a_center(feed)
    stays, goes = uuid4(), uuid4()
    first, second = (
        an_activity(center, WEDNESDAY),
        an_activity(center, WEDNESDAY + timedelta(days=1)),
    )
    for activity in (first, second):
        feed.aggregate(activity)
    feed.aggregate(check_in(first, stays))
    feed.aggregate(check_in(second, stays))
    feed.aggregate(check_in(second, goes))

    feed.events(second.id, moved(second, WEDNESDAY + timedelta(days=7)))

    assert feed.weeks(center) == [
        PeriodCounts("2026-W11", ActivityCounts(posted=1, held=1, check_ins=1, volunteers=1)),
        PeriodCounts("2026-W12", ActivityCounts(posted=1, held=1, check_ins=2, volunteers=2)),
    ]
    assert sorted(members(feed), key=str) == sorted(
        [
            ("month", "2026-03", stays),
            ("month", "2026-03", goes),
            ("week", "2026-W11", stays),
            ("week", "2026-W12", stays),
            ("week", "2026-W12", goes),
        ],
        key=str,
    )


def test_a_center_counts_its_days_in_its_org_units_zone(feed: Feed) -> None:
    # 20:30 UTC on Sunday 8 March is already Monday in Shanghai, still Sunday in London.
    late_sunday_utc = datetime(2026, 3, 8, 20, 30, tzinfo=UTC)
    shanghai, london = a_center(feed), a_center(feed, "Europe/London")
    for center in (shanghai, london):
        feed.aggregate(an_activity(center, late_sunday_utc))

    assert [p.period for p in feed.weeks(shanghai)] == ["2026-W11"]
    assert [p.period for p in feed.weeks(london)] == ["2026-W10"]


def test_leaving_the_waiting_list_gives_up_no_place(feed: Feed) -> None:
    center = a_center(feed)
    activity = an_activity(center, WEDNESDAY, capacity=1)
    first, second = uuid4(), uuid4()
    activity.sign_up(first, at=POSTED_AT)
    activity.sign_up(second, at=POSTED_AT)  # wait-listed
    activity.withdraw(second, at=POSTED_AT)
    activity.sign_up(second, at=POSTED_AT)  # wait-listed again
    activity.withdraw(first, at=POSTED_AT)  # second promoted
    feed.aggregate(activity)

    (week,) = feed.weeks(center)
    assert (week.counts.sign_ups, week.counts.signed_up_now) == (2, 1)


# --- batches ----------------------------------------------------------------------


@dataclass
class Log:
    """Events as the runner hands them over, recorded instead of applied."""

    events: list[tuple[EventContext, Any]] = field(default_factory=list)

    def add(self, originator_id: UUID, *events: Any) -> None:
        for event in events:
            context = EventContext(
                position=len(self.events) + 1,
                originator_id=originator_id,
                originator_version=event.originator_version,
                recorded_at=event.timestamp,
            )
            self.events.append((context, event))

    def aggregate(self, aggregate: Any) -> UUID:
        self.add(aggregate.id, *aggregate.collect_events())
        return UUID(str(aggregate.id))


def a_logged_center(log: Log, time_zone: str = "Asia/Shanghai") -> Center:
    unit = OrgUnit.create(
        name="东风社区",
        level=OrgLevel.REGION,
        parent_id=None,
        parent_level=None,
        at=POSTED_AT,
        time_zone_name=time_zone,
    )
    log.aggregate(unit)
    center = Center.register(
        name="东风社区青年之家",
        org_unit_id=unit.id,
        address="东风路 1 号",
        location=PLACE,
        geofence_radius_m=150,
        at=POSTED_AT,
    )
    log.aggregate(center)
    return center


def a_week_of_everything() -> tuple[Log, UUID, list[UUID]]:
    """Every event type the read model follows, including an activity rescheduled
    after check-in whose volunteer then attends again in the week it left."""
    log = Log()
    center = a_logged_center(log)
    london = a_logged_center(log, "Europe/London")
    volunteers = [uuid4() for _ in range(4)]
    v1, v2, v3, v4 = volunteers
    full = an_activity(center.id, WEDNESDAY, capacity=1)
    moving = an_activity(center.id, WEDNESDAY + timedelta(days=1))
    away = an_activity(london.id, WEDNESDAY)
    for activity in (full, moving, away):
        log.aggregate(activity)
    full.sign_up(v1, at=POSTED_AT)
    full.sign_up(v2, at=POSTED_AT)  # wait-listed
    full.withdraw(v2, at=POSTED_AT)  # leaves the waiting list: no place given up
    full.sign_up(v2, at=POSTED_AT)
    full.withdraw(v1, at=POSTED_AT)  # v2 promoted
    moving.sign_up(v3, at=POSTED_AT)
    log.aggregate(full)
    log.aggregate(moving)
    center.change_details(name="东风社区青年之家（新址）", at=POSTED_AT)
    log.aggregate(center)

    scanned = check_in(full, v1)
    log.aggregate(scanned)
    scanned.check_out(at=WEDNESDAY + timedelta(minutes=50), policy=CreditPolicy())
    log.aggregate(scanned)
    scanned.adjust(
        minutes=-5, reason="提前离场", staff_id=center.id, at=WEDNESDAY + timedelta(hours=3)
    )
    log.aggregate(scanned)
    for volunteer in (v2, v3):
        log.aggregate(check_in(moving, volunteer))
    log.aggregate(check_in(away, v4))
    away.cancel("突降暴雨", at=WEDNESDAY + timedelta(minutes=30))
    log.aggregate(away)

    log.add(moving.id, moved(moving, WEDNESDAY + timedelta(days=7)))  # into week 12
    staff_added = Attendance.add_by_staff(
        volunteer_id=v2,
        activity_id=full.id,
        center_id=center.id,
        scheduled_start=full.starts_at,
        scheduled_end=full.ends_at,
        minutes=60,
        reason="到场未扫码",
        staff_id=center.id,
        at=WEDNESDAY + timedelta(hours=3),
    )
    log.aggregate(staff_added)  # v2 is back in week 11
    return log, center.id, volunteers


def rows_after(
    log: Log, batches: list[int], *, remembering: bool = False
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row once the log is applied in batches of these sizes, one transaction each.

    ``remembering``: as a runner applies them from the log's start, each batch
    after the first told it may keep what the last one left, so memory is
    complete and the tables are never read for what it holds.
    """
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine, tables=list(CenterActivity.tables))
    projection = CenterActivity()
    start = 0
    for size in batches:
        begins = BatchStart(
            remembered=remembering and start > 0, from_start=remembering and start == 0
        )
        with engine.begin() as conn:
            projection.apply_batch(conn, log.events[start : start + size], begins)
        if remembering:
            assert projection._remembered.complete
        start += size
    assert start >= len(log.events)
    with engine.connect() as conn:
        rows = {
            table.name: CenterActivity.rows(conn, table, list(table.primary_key.columns))
            for table in CenterActivity.tables
        }
    engine.dispose()
    return rows


def test_a_history_counts_the_same_whichever_batches_it_is_applied_in() -> None:
    log, center, (_, v2, v3, _) = a_week_of_everything()
    n = len(log.events)
    one_batch = rows_after(log, [n])

    assert rows_after(log, [1] * n) == one_batch
    for split in range(1, n):  # wherever the runner cuts the log
        assert rows_after(log, [split, n - split]) == one_batch, f"split after {split}"
    for size in (2, 3, 5, 8):
        assert rows_after(log, [size] * (n // size + 1)) == one_batch, f"batches of {size}"
    # Remembering from the start, memory alone holds what each batch needs: the
    # moved activity's attendees and their other visits among them.
    for split in range(1, n):
        rows = rows_after(log, [split, n - split], remembering=True)
        assert rows == one_batch, f"remembering, split after {split}"
    assert rows_after(log, [1] * n, remembering=True) == one_batch

    volunteers = {(row[1], row[2], row[3]) for row in one_batch["center_activity_volunteers"]}
    assert {(kind, period, v) for kind, period, v in volunteers if v in (v2, v3)} == {
        ("week", "2026-W11", v2),  # left with the rescheduled activity, back by 补录
        ("week", "2026-W12", v2),
        ("week", "2026-W12", v3),
        ("month", "2026-03", v2),
        ("month", "2026-03", v3),
    }
    (centers_row, *_) = [r for r in one_batch["center_activity_centers"] if r[0] == center]
    assert centers_row[1] == "东风社区青年之家（新址）"


def test_figures_carried_over_from_earlier_batches_add_up(feed: Feed) -> None:
    log, center, _ = a_week_of_everything()
    with feed.engine.begin() as conn:
        for start in range(0, len(log.events), 4):
            feed.projection.apply_batch(conn, log.events[start : start + 4])

    assert feed.weeks(center) == [
        PeriodCounts(
            "2026-W11",
            ActivityCounts(
                posted=1,
                held=1,
                sign_ups=2,  # v1, and v2 promoted
                signed_up_now=1,
                check_ins=1,
                added_by_staff=1,
                volunteers=2,
                credited_minutes=50 - 5 + 60,
            ),
        ),
        PeriodCounts(
            "2026-W12",
            ActivityCounts(
                posted=1, held=1, sign_ups=1, signed_up_now=1, check_ins=2, volunteers=2
            ),
        ),
    ]
