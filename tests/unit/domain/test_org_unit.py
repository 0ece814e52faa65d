"""The five-level organisation tree: who may sit under whom, renames and moves."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.org_unit import OrgLevel, OrgUnit

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)

PARENT_LEVEL = {
    OrgLevel.CITY: OrgLevel.REGION,
    OrgLevel.COUNTY: OrgLevel.CITY,
    OrgLevel.TOWNSHIP: OrgLevel.COUNTY,
    OrgLevel.VILLAGE: OrgLevel.TOWNSHIP,
}


def a_unit(level: OrgLevel, *, name: str = "城关镇", parent_id: UUID | None = None) -> OrgUnit:
    unit = OrgUnit.create(
        name=name,
        level=level,
        parent_id=None if level is OrgLevel.REGION else (parent_id or uuid4()),
        parent_level=level.parent_level(),
        at=AT,
    )
    unit.collect_events()
    return unit


def test_the_levels_run_from_region_down_to_village() -> None:
    assert [level.value for level in OrgLevel] == [
        "region",
        "city",
        "county",
        "township",
        "village",
    ]
    assert [level.depth for level in OrgLevel] == [0, 1, 2, 3, 4]
    assert OrgLevel.REGION.parent_level() is None
    assert OrgLevel.VILLAGE.parent_level() is OrgLevel.TOWNSHIP


def test_a_region_is_created_without_a_parent_in_the_default_time_zone() -> None:
    region = OrgUnit.create(
        name=" 内蒙古自治区 ", level=OrgLevel.REGION, parent_id=None, parent_level=None, at=AT
    )

    events = region.collect_events()

    assert [type(e) for e in events] == [OrgUnit.Created]
    created = events[0]
    assert created.originator_id == region.id
    assert created.originator_version == 1
    assert (created.name, created.level, created.parent_id, created.time_zone, created.at) == (
        "内蒙古自治区",
        "region",
        None,
        "Asia/Shanghai",
        AT,
    )
    assert (region.name, region.level, region.parent_id, region.time_zone) == (
        "内蒙古自治区",
        OrgLevel.REGION,
        None,
        "Asia/Shanghai",
    )


@pytest.mark.parametrize("level", list(PARENT_LEVEL))
def test_each_level_below_region_is_created_under_a_parent_one_level_up(level: OrgLevel) -> None:
    parent_id = uuid4()

    unit = OrgUnit.create(
        name="某单位",
        level=level,
        parent_id=parent_id,
        parent_level=PARENT_LEVEL[level],
        at=AT,
        time_zone_name="Asia/Urumqi",
    )

    events = unit.collect_events()
    assert [type(e) for e in events] == [OrgUnit.Created]
    assert (events[0].level, events[0].parent_id, events[0].time_zone) == (
        level.value,
        parent_id,
        "Asia/Urumqi",
    )
    assert (unit.level, unit.parent_id, unit.time_zone) == (level, parent_id, "Asia/Urumqi")


def test_a_village_cannot_sit_directly_under_a_county() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(
            name="某嘎查",
            level=OrgLevel.VILLAGE,
            parent_id=uuid4(),
            parent_level=OrgLevel.COUNTY,
            at=AT,
        )

    assert caught.value.code == "org-unit-parent-invalid"


@pytest.mark.parametrize(
    ("level", "parent_level"),
    [
        (OrgLevel.CITY, OrgLevel.CITY),
        (OrgLevel.COUNTY, OrgLevel.REGION),
        (OrgLevel.TOWNSHIP, OrgLevel.VILLAGE),
        (OrgLevel.VILLAGE, OrgLevel.VILLAGE),
        (OrgLevel.CITY, None),
    ],
)
def test_a_unit_under_a_parent_of_the_wrong_level_is_refused(
    level: OrgLevel, parent_level: OrgLevel | None
) -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(
            name="某单位", level=level, parent_id=uuid4(), parent_level=parent_level, at=AT
        )

    assert caught.value.code == "org-unit-parent-invalid"


def test_a_unit_below_region_without_a_parent_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(
            name="某旗", level=OrgLevel.COUNTY, parent_id=None, parent_level=OrgLevel.CITY, at=AT
        )

    assert caught.value.code == "org-unit-parent-invalid"


def test_a_region_with_a_parent_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(
            name="内蒙古自治区",
            level=OrgLevel.REGION,
            parent_id=uuid4(),
            parent_level=None,
            at=AT,
        )

    assert caught.value.code == "org-unit-parent-invalid"


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(
            name="内蒙古自治区",
            level=OrgLevel.REGION,
            parent_id=None,
            parent_level=None,
            at=AT,
            time_zone_name="Inner/Mongolia",
        )

    assert caught.value.code == "time-zone-unknown"


def test_an_empty_name_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(name="  ", level=OrgLevel.REGION, parent_id=None, parent_level=None, at=AT)

    assert caught.value.code == "name-empty"


def test_a_naive_creation_time_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        OrgUnit.create(
            name="内蒙古自治区",
            level=OrgLevel.REGION,
            parent_id=None,
            parent_level=None,
            at=datetime(2026, 3, 2, 9, 0),
        )

    assert caught.value.code == "naive-datetime"


def test_renaming_emits_renamed_with_the_new_name() -> None:
    unit = a_unit(OrgLevel.TOWNSHIP, name="城关镇")

    unit.rename(" 城关街道 ", at=LATER)

    events = unit.collect_events()
    assert [type(e) for e in events] == [OrgUnit.Renamed]
    assert (events[0].name, events[0].at, events[0].originator_version) == ("城关街道", LATER, 2)
    assert unit.name == "城关街道"


def test_renaming_to_the_same_name_emits_nothing() -> None:
    unit = a_unit(OrgLevel.TOWNSHIP, name="城关镇")

    unit.rename("城关镇", at=LATER)
    unit.rename("  城关镇 ", at=LATER)

    assert unit.collect_events() == []
    assert unit.version == 1


def test_renaming_to_an_empty_name_is_refused() -> None:
    unit = a_unit(OrgLevel.TOWNSHIP)

    with pytest.raises(InvalidValue) as caught:
        unit.rename("", at=LATER)

    assert caught.value.code == "name-empty"
    assert unit.collect_events() == []


def test_moving_under_another_parent_one_level_up_emits_moved() -> None:
    old_county, new_county = uuid4(), uuid4()
    township = a_unit(OrgLevel.TOWNSHIP, parent_id=old_county)

    township.move(
        parent_id=new_county,
        parent_level=OrgLevel.COUNTY,
        parent_ancestry=[uuid4(), uuid4()],
        at=LATER,
    )

    events = township.collect_events()
    assert [type(e) for e in events] == [OrgUnit.Moved]
    assert (events[0].parent_id, events[0].at) == (new_county, LATER)
    assert township.parent_id == new_county


def test_moving_under_the_current_parent_emits_nothing() -> None:
    county = uuid4()
    township = a_unit(OrgLevel.TOWNSHIP, parent_id=county)

    township.move(parent_id=county, parent_level=OrgLevel.COUNTY, parent_ancestry=[], at=LATER)

    assert township.collect_events() == []


def test_moving_under_a_parent_of_the_wrong_level_is_refused() -> None:
    township = a_unit(OrgLevel.TOWNSHIP)

    with pytest.raises(InvalidValue) as caught:
        township.move(parent_id=uuid4(), parent_level=OrgLevel.CITY, parent_ancestry=[], at=LATER)

    assert caught.value.code == "org-unit-parent-invalid"
    assert township.collect_events() == []


def test_a_region_cannot_be_moved_under_anything() -> None:
    region = a_unit(OrgLevel.REGION)

    with pytest.raises(InvalidValue) as caught:
        region.move(parent_id=uuid4(), parent_level=OrgLevel.REGION, parent_ancestry=[], at=LATER)

    assert caught.value.code == "org-unit-parent-invalid"


def test_a_unit_cannot_be_moved_under_itself() -> None:
    county = a_unit(OrgLevel.COUNTY)

    # Only reachable with inconsistent input, but the check must still hold.
    with pytest.raises(NotAllowed) as caught:
        county.move(parent_id=county.id, parent_level=OrgLevel.CITY, parent_ancestry=[], at=LATER)

    assert caught.value.code == "org-unit-cycle"
    assert county.collect_events() == []


def test_a_unit_cannot_be_moved_under_one_of_its_descendants() -> None:
    county = a_unit(OrgLevel.COUNTY)
    region_id = uuid4()

    with pytest.raises(NotAllowed) as caught:
        county.move(
            parent_id=uuid4(),
            parent_level=OrgLevel.CITY,
            parent_ancestry=[region_id, county.id],
            at=LATER,
        )

    assert caught.value.code == "org-unit-cycle"
    assert county.collect_events() == []


def test_replaying_the_events_rebuilds_the_unit() -> None:
    new_county = uuid4()
    unit = OrgUnit.create(
        name="城关镇",
        level=OrgLevel.TOWNSHIP,
        parent_id=uuid4(),
        parent_level=OrgLevel.COUNTY,
        at=AT,
    )
    unit.rename("城关街道", at=LATER)
    unit.move(parent_id=new_county, parent_level=OrgLevel.COUNTY, parent_ancestry=[], at=LATER)
    events = unit.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert [type(e) for e in events] == [OrgUnit.Created, OrgUnit.Renamed, OrgUnit.Moved]
    assert isinstance(replayed, OrgUnit)
    assert (replayed.id, replayed.version, replayed.name, replayed.level, replayed.parent_id) == (
        unit.id,
        3,
        "城关街道",
        OrgLevel.TOWNSHIP,
        new_county,
    )
