"""Youth centers: registration, changes of details and closing."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from grassroots.domain.center import Center
from grassroots.domain.errors import AlreadyClosed, InvalidValue, ReasonRequired
from grassroots.domain.values import Geofence, GeoPoint

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 2, 30, tzinfo=UTC)
ORG_UNIT = UUID("22222222-2222-4222-8222-222222222222")
PLACE = GeoPoint(40.8426, 111.7492)
OTHER_PLACE = GeoPoint(40.8500, 111.7600)


def register(**overrides: object) -> Center:
    fields: dict[str, object] = {
        "name": "新城区青年之家",
        "org_unit_id": ORG_UNIT,
        "address": "呼和浩特市新城区成吉思汗大街 1 号",
        "location": PLACE,
        "geofence_radius_m": 150,
        "at": AT,
    }
    fields.update(overrides)
    return Center.register(**fields)  # type: ignore[arg-type]


@pytest.fixture
def center() -> Center:
    registered = register()
    registered.collect_events()
    return registered


def test_registering_records_every_field() -> None:
    center = register(name="  新城区青年之家 ", address=" 成吉思汗大街 1 号 ")

    events = center.collect_events()

    assert [type(e) for e in events] == [Center.Registered]
    registered = events[0]
    assert registered.originator_id == center.id
    assert (
        registered.name,
        registered.org_unit_id,
        registered.address,
        registered.location_lat,
        registered.location_lon,
        registered.geofence_radius_m,
        registered.at,
    ) == ("新城区青年之家", ORG_UNIT, "成吉思汗大街 1 号", 40.8426, 111.7492, 150.0, AT)
    assert isinstance(registered.geofence_radius_m, float)


def test_a_registered_center_is_open_with_its_place_and_fence() -> None:
    center = register()

    assert center.is_closed is False
    assert center.location == PLACE
    assert center.geofence == Geofence(PLACE, 150.0)
    assert (center.name, center.org_unit_id) == ("新城区青年之家", ORG_UNIT)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": " "}, "name-empty"),
        ({"name": "x" * 201}, "name-too-long"),
        ({"address": ""}, "address-empty"),
        ({"address": "x" * 301}, "address-too-long"),
        ({"geofence_radius_m": 5}, "geofence-radius-invalid"),
        ({"at": datetime(2026, 3, 2, 9, 0)}, "naive-datetime"),
    ],
)
def test_registering_with_an_invalid_field_is_refused(
    overrides: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        register(**overrides)

    assert caught.value.code == code


def test_changing_one_detail_emits_one_details_changed_with_all_the_new_values(
    center: Center,
) -> None:
    center.change_details(at=LATER, name="新城区青年爱里")

    events = center.collect_events()
    assert [type(e) for e in events] == [Center.DetailsChanged]
    changed = events[0]
    assert (
        changed.name,
        changed.address,
        changed.location_lat,
        changed.location_lon,
        changed.geofence_radius_m,
        changed.at,
        changed.originator_version,
    ) == (
        "新城区青年爱里",
        "呼和浩特市新城区成吉思汗大街 1 号",
        40.8426,
        111.7492,
        150.0,
        LATER,
        2,
    )
    assert center.name == "新城区青年爱里"


def test_changing_several_details_at_once_emits_a_single_event(center: Center) -> None:
    center.change_details(
        at=LATER, address="新华大街 9 号", location=OTHER_PLACE, geofence_radius_m=300
    )

    events = center.collect_events()
    assert [type(e) for e in events] == [Center.DetailsChanged]
    changed = events[0]
    assert (
        changed.name,
        changed.address,
        changed.location_lat,
        changed.location_lon,
        changed.geofence_radius_m,
    ) == ("新城区青年之家", "新华大街 9 号", 40.85, 111.76, 300.0)
    assert (center.address, center.location, center.geofence_radius_m) == (
        "新华大街 9 号",
        OTHER_PLACE,
        300.0,
    )
    assert center.geofence == Geofence(OTHER_PLACE, 300.0)


def test_changing_details_to_the_current_values_emits_nothing(center: Center) -> None:
    center.change_details(at=LATER)
    center.change_details(
        at=LATER,
        name=" 新城区青年之家 ",
        address="呼和浩特市新城区成吉思汗大街 1 号",
        location=GeoPoint(40.8426, 111.7492),
        geofence_radius_m=150,
    )

    assert center.collect_events() == []
    assert center.version == 1


def test_changing_to_an_invalid_radius_is_refused_and_records_nothing(center: Center) -> None:
    with pytest.raises(InvalidValue) as caught:
        center.change_details(at=LATER, geofence_radius_m=6_000)

    assert caught.value.code == "geofence-radius-invalid"
    assert center.collect_events() == []
    assert center.geofence_radius_m == 150.0


def test_closing_records_the_reason_and_closes_the_center(center: Center) -> None:
    center.close("  场地到期  ", at=LATER)

    events = center.collect_events()
    assert [type(e) for e in events] == [Center.Closed]
    assert (events[0].reason, events[0].at) == ("场地到期", LATER)
    assert center.is_closed is True


def test_closing_without_a_reason_is_refused(center: Center) -> None:
    with pytest.raises(ReasonRequired) as caught:
        center.close("   ", at=LATER)

    assert caught.value.code == "reason-required"
    assert center.is_closed is False
    assert center.collect_events() == []


def test_changing_the_details_of_a_closed_center_is_refused(center: Center) -> None:
    center.close("场地到期", at=LATER)
    center.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        center.change_details(at=LATER, name="新名字")

    assert caught.value.code == "center-closed"
    assert center.collect_events() == []


def test_closing_a_closed_center_again_is_refused(center: Center) -> None:
    center.close("场地到期", at=LATER)
    center.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        center.close("再次关闭", at=LATER)

    assert caught.value.code == "center-closed"
    assert center.collect_events() == []


def test_require_open_refuses_only_a_closed_center(center: Center) -> None:
    center.require_open()
    center.close("场地到期", at=LATER)

    with pytest.raises(AlreadyClosed) as caught:
        center.require_open()

    assert caught.value.code == "center-closed"


def test_replaying_the_events_rebuilds_the_center() -> None:
    center = register()
    center.change_details(at=LATER, location=OTHER_PLACE, geofence_radius_m=300)
    center.close("场地到期", at=LATER)
    events = center.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert isinstance(replayed, Center)
    assert (
        replayed.id,
        replayed.version,
        replayed.location,
        replayed.geofence_radius_m,
        replayed.is_closed,
    ) == (center.id, 3, OTHER_PLACE, 300.0, True)
