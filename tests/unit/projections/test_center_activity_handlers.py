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
from grassroots.projections.engine import EventContext

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
