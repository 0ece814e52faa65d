"""The activity catalogue's handlers and queries, without an application around them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa
from eventsourcing.domain import Aggregate

from grassroots.domain.activity import Activity
from grassroots.domain.center import Center
from grassroots.domain.values import GeoPoint
from grassroots.projections.activity_catalogue import (
    ActivityCatalogue,
    Near,
    activity_row,
    attendance_of,
    discover,
)
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext
from grassroots.projections.org_tree import org_closure

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VILLAGE = UUID("f0f0f0f0-f0f0-4f0f-8f0f-f0f0f0f0f0f0")
HOHHOT = GeoPoint(40.8426, 111.7492)
VOLUNTEERS = [UUID(int=100 + i) for i in range(4)]


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine, tables=[org_closure, *ActivityCatalogue.tables])
    yield engine
    engine.dispose()


def _events(*aggregates: Aggregate) -> list[tuple[EventContext, Any]]:
    found = []
    for aggregate in aggregates:
        for event in aggregate.collect_events():
            found.append(event)
    return [
        (
            EventContext(
                position=i + 1,
                originator_id=e.originator_id,
                originator_version=e.originator_version,
                recorded_at=e.timestamp,
            ),
            e,
        )
        for i, e in enumerate(found)
    ]


def _center(place: GeoPoint = HOHHOT) -> Center:
    return Center.register(
        name="东风社区青年之家",
        org_unit_id=VILLAGE,
        address="东风路 1 号",
        location=place,
        geofence_radius_m=150,
        at=AT,
    )


def _activity(center_id: UUID, place: GeoPoint, capacity: int | None = 1) -> Activity:
    return Activity.post(
        center_id=center_id,
        title="社区环境清洁",
        description="",
        category="environment",
        starts_at=AT + timedelta(days=1),
        ends_at=AT + timedelta(days=1, hours=2),
        capacity=capacity,
        location=place,
        geofence_radius_m=150,
        location_required=False,
        sign_up_required=True,
        at=AT,
    )


def _apply(engine: sa.Engine, events: list[tuple[EventContext, Any]], batch_size: int) -> None:
    projection = ActivityCatalogue()
    for start in range(0, len(events), batch_size):
        with engine.begin() as conn:
            projection.apply_batch(conn, events[start : start + batch_size])


def _rows(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns))]
            for t in ActivityCatalogue.tables
        }


def _lists_and_withdrawals() -> list[tuple[EventContext, Any]]:
    center = _center()
    activity = _activity(center.id, center.location)
    for volunteer in VOLUNTEERS:
        activity.sign_up(volunteer, at=AT)
    activity.withdraw(VOLUNTEERS[2], at=AT)  # leaves the waiting list: no place freed
    activity.withdraw(VOLUNTEERS[0], at=AT)  # frees the place: VOLUNTEERS[1] promoted
    activity.sign_up(VOLUNTEERS[0], at=AT)  # back, at the end of the waiting list
    return _events(center, activity)


@pytest.mark.parametrize("batch_size", [1, 2, 5, 100])
def test_any_batching_gives_the_same_rows(batch_size: int) -> None:
    whole = sa.create_engine("sqlite://")
    split = sa.create_engine("sqlite://")
    for engine in (whole, split):
        metadata.create_all(engine, tables=list(ActivityCatalogue.tables))
    events = _lists_and_withdrawals()

    _apply(whole, events, len(events))
    _apply(split, events, batch_size)

    assert _rows(split) == _rows(whole)


def test_the_lists_follow_sign_ups_promotions_and_withdrawals(engine: sa.Engine) -> None:
    events = _lists_and_withdrawals()
    activity_id = events[-1][0].originator_id

    _apply(engine, events, 3)

    with engine.connect() as conn:
        row = activity_row(conn, activity_id)
        rows = attendance_of(conn, activity_id)
    assert row is not None
    assert (row.signed_up, row.waiting, row.places_left) == (1, 2, 0)
    assert row.org_unit_id == VILLAGE
    assert [(r.volunteer_id, r.sign_up) for r in rows] == [
        (VOLUNTEERS[0], "wait_listed"),
        (VOLUNTEERS[1], "signed_up"),
        (VOLUNTEERS[2], "withdrawn"),
        (VOLUNTEERS[3], "wait_listed"),
    ]


def test_an_activity_of_a_center_never_seen_has_no_org_unit(engine: sa.Engine) -> None:
    activity = _activity(UUID(int=42), GeoPoint(40.0, 111.0))

    _apply(engine, _events(activity), 10)

    with engine.connect() as conn:
        row = activity_row(conn, activity.id)
    assert row is not None
    assert row.org_unit_id is None


def test_near_finds_places_across_the_antimeridian(engine: sa.Engine) -> None:
    east = GeoPoint(-16.5, 179.999)
    west = GeoPoint(-16.5, -179.999)
    center = _center(east)
    here = _activity(center.id, east)
    there = _activity(center.id, west)
    _apply(engine, _events(center, here, there), 10)

    with engine.connect() as conn:
        found = discover(
            conn,
            starts_from=AT,
            starts_to=AT + timedelta(days=7),
            near=Near(east, 1_000),
        )
        none = discover(
            conn,
            starts_from=AT,
            starts_to=AT + timedelta(days=7),
            near=Near(GeoPoint(-16.5, 179.9), 1_000),
        )

    assert {a.activity_id for a in found} == {here.id, there.id}
    assert none == []


def test_near_the_pole_looks_all_the_way_round(engine: sa.Engine) -> None:
    center = _center(GeoPoint(89.9999, 0.0))
    activity = _activity(center.id, GeoPoint(89.9999, 120.0))
    _apply(engine, _events(center, activity), 10)

    with engine.connect() as conn:
        found = discover(
            conn,
            starts_from=AT,
            starts_to=AT + timedelta(days=7),
            near=Near(GeoPoint(89.9999, -60.0), 100),
        )

    assert [a.activity_id for a in found] == [activity.id]
