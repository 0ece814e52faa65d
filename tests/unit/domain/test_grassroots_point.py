"""Grassroots points: designation, relocation and retirement."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from grassroots.domain.errors import AlreadyClosed, InvalidValue, ReasonRequired
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.values import Geofence, GeoPoint

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
VILLAGE = UUID("33333333-3333-4333-8333-333333333333")
CENTER = UUID("44444444-4444-4444-8444-444444444444")
PLACE = GeoPoint(40.6574, 109.8403)
NEW_PLACE = GeoPoint(40.6600, 109.8500)


@pytest.fixture
def point() -> GrassrootsPoint:
    designated = GrassrootsPoint.designate(
        name="阿都赖嘎查", org_unit_id=VILLAGE, location=PLACE, geofence_radius_m=500, at=AT
    )
    designated.collect_events()
    return designated


def test_designating_a_point_at_an_org_unit_records_every_field() -> None:
    point = GrassrootsPoint.designate(
        name=" 阿都赖嘎查 ", org_unit_id=VILLAGE, location=PLACE, geofence_radius_m=500, at=AT
    )

    events = point.collect_events()

    assert [type(e) for e in events] == [GrassrootsPoint.Designated]
    designated = events[0]
    assert designated.originator_id == point.id
    assert (
        designated.name,
        designated.org_unit_id,
        designated.center_id,
        designated.location_lat,
        designated.location_lon,
        designated.geofence_radius_m,
        designated.at,
    ) == ("阿都赖嘎查", VILLAGE, None, 40.6574, 109.8403, 500.0, AT)
    assert isinstance(designated.geofence_radius_m, float)
    assert point.is_retired is False
    assert point.geofence == Geofence(PLACE, 500.0)


def test_designating_a_point_at_a_center_records_the_center() -> None:
    point = GrassrootsPoint.designate(
        name="青年之家联系点",
        org_unit_id=VILLAGE,
        location=PLACE,
        geofence_radius_m=100,
        at=AT,
        center_id=CENTER,
    )

    (designated,) = point.collect_events()

    assert designated.center_id == CENTER
    assert point.center_id == CENTER


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": ""}, "name-empty"),
        ({"geofence_radius_m": 9}, "geofence-radius-invalid"),
        ({"geofence_radius_m": 5_001}, "geofence-radius-invalid"),
        ({"at": datetime(2026, 3, 2, 9, 0)}, "naive-datetime"),
    ],
)
def test_designating_with_an_invalid_field_is_refused(
    overrides: dict[str, object], code: str
) -> None:
    fields: dict[str, object] = {
        "name": "阿都赖嘎查",
        "org_unit_id": VILLAGE,
        "location": PLACE,
        "geofence_radius_m": 500,
        "at": AT,
    }
    fields.update(overrides)

    with pytest.raises(InvalidValue) as caught:
        GrassrootsPoint.designate(**fields)  # type: ignore[arg-type]

    assert caught.value.code == code


def test_relocating_emits_relocated_with_the_new_place_and_fence(point: GrassrootsPoint) -> None:
    point.relocate(location=NEW_PLACE, geofence_radius_m=250, at=LATER)

    events = point.collect_events()
    assert [type(e) for e in events] == [GrassrootsPoint.Relocated]
    relocated = events[0]
    assert (
        relocated.location_lat,
        relocated.location_lon,
        relocated.geofence_radius_m,
        relocated.at,
        relocated.originator_version,
    ) == (40.66, 109.85, 250.0, LATER, 2)
    assert point.location == NEW_PLACE
    assert point.geofence == Geofence(NEW_PLACE, 250.0)


def test_relocating_with_an_invalid_radius_is_refused(point: GrassrootsPoint) -> None:
    with pytest.raises(InvalidValue) as caught:
        point.relocate(location=NEW_PLACE, geofence_radius_m=0, at=LATER)

    assert caught.value.code == "geofence-radius-invalid"
    assert point.collect_events() == []
    assert point.location == PLACE


def test_retiring_records_the_reason(point: GrassrootsPoint) -> None:
    point.retire(" 村组合并 ", at=LATER)

    events = point.collect_events()
    assert [type(e) for e in events] == [GrassrootsPoint.Retired]
    assert (events[0].reason, events[0].at) == ("村组合并", LATER)
    assert point.is_retired is True


def test_retiring_without_a_reason_is_refused(point: GrassrootsPoint) -> None:
    with pytest.raises(ReasonRequired) as caught:
        point.retire("", at=LATER)

    assert caught.value.code == "reason-required"
    assert point.is_retired is False
    assert point.collect_events() == []


def test_a_retired_point_cannot_be_relocated(point: GrassrootsPoint) -> None:
    point.retire("村组合并", at=LATER)
    point.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        point.relocate(location=NEW_PLACE, geofence_radius_m=250, at=LATER)

    assert caught.value.code == "point-retired"
    assert point.collect_events() == []


def test_a_retired_point_cannot_be_retired_again(point: GrassrootsPoint) -> None:
    point.retire("村组合并", at=LATER)
    point.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        point.retire("再次撤销", at=LATER)

    assert caught.value.code == "point-retired"


def test_replaying_the_events_rebuilds_the_point() -> None:
    point = GrassrootsPoint.designate(
        name="阿都赖嘎查", org_unit_id=VILLAGE, location=PLACE, geofence_radius_m=500, at=AT
    )
    point.relocate(location=NEW_PLACE, geofence_radius_m=250, at=LATER)
    point.retire("村组合并", at=LATER)
    events = point.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert isinstance(replayed, GrassrootsPoint)
    assert (replayed.id, replayed.version, replayed.location, replayed.is_retired) == (
        point.id,
        3,
        NEW_PLACE,
        True,
    )


def test_relocating_to_the_same_place_and_radius_emits_nothing(point: GrassrootsPoint) -> None:
    point.relocate(location=point.location, geofence_radius_m=point.geofence_radius_m, at=LATER)

    assert point.collect_events() == []
