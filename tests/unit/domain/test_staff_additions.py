"""Whom staff may add to an activity with minutes (补录): a volunteer on its list,
or one living in the center's county; nobody else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.domain.activity import Activity, staff_addition_area
from grassroots.domain.errors import NotAllowed
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint

POSTED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
CENTER = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
HOLDER, WAITING, WITHDRAWN, STRANGER = (
    UUID(f"0000000{i}-0000-4000-8000-000000000000") for i in range(1, 5)
)
REGION, CITY, COUNTY, TOWNSHIP, VILLAGE = (
    UUID(f"1000000{i}-0000-4000-8000-000000000000") for i in range(1, 6)
)
OTHER_CITY, OTHER_COUNTY, OTHER_VILLAGE = (
    UUID(f"2000000{i}-0000-4000-8000-000000000000") for i in range(1, 4)
)
CENTER_UNITS = [
    (VILLAGE, OrgLevel.VILLAGE),
    (TOWNSHIP, OrgLevel.TOWNSHIP),
    (COUNTY, OrgLevel.COUNTY),
    (CITY, OrgLevel.CITY),
    (REGION, OrgLevel.REGION),
]
AREA = staff_addition_area(CENTER_UNITS)


def posted(*, sign_up_required: bool = True) -> Activity:
    activity = Activity.post(
        center_id=CENTER,
        title="社区环境清洁",
        description="清理社区公共区域",
        category="environment",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        capacity=1,
        location=GeoPoint(40.8426, 111.7492),
        geofence_radius_m=150.0,
        location_required=False,
        sign_up_required=sign_up_required,
        at=POSTED_AT,
    )
    activity.sign_up(WITHDRAWN, at=POSTED_AT)
    activity.withdraw(WITHDRAWN, at=POSTED_AT)
    activity.sign_up(HOLDER, at=POSTED_AT)
    activity.sign_up(WAITING, at=POSTED_AT)
    return activity


def test_the_area_is_the_county_the_center_is_in_or_its_own_unit_above_that() -> None:
    assert staff_addition_area(CENTER_UNITS) == COUNTY
    assert staff_addition_area(CENTER_UNITS[2:]) == COUNTY
    assert staff_addition_area([(CITY, OrgLevel.CITY), (REGION, OrgLevel.REGION)]) == CITY
    assert staff_addition_area([(REGION, OrgLevel.REGION)]) == REGION


@pytest.mark.parametrize("volunteer", [HOLDER, WAITING])
def test_a_volunteer_on_the_list_may_be_added_wherever_they_live(volunteer: UUID) -> None:
    posted().require_may_be_added(
        volunteer, volunteer_units={OTHER_VILLAGE, OTHER_COUNTY, OTHER_CITY}, area_id=AREA
    )


@pytest.mark.parametrize("sign_up_required", [True, False])
def test_a_walk_in_living_in_the_centers_county_may_be_added(sign_up_required: bool) -> None:
    posted(sign_up_required=sign_up_required).require_may_be_added(
        STRANGER, volunteer_units={VILLAGE, TOWNSHIP, COUNTY, CITY, REGION}, area_id=AREA
    )


@pytest.mark.parametrize("sign_up_required", [True, False])
@pytest.mark.parametrize("volunteer", [STRANGER, WITHDRAWN])
@pytest.mark.parametrize(
    "units",
    [
        {OTHER_VILLAGE, OTHER_COUNTY, OTHER_CITY, REGION},  # another city of the region
        {CITY, REGION},  # registered at the city, above the center's county
    ],
)
def test_a_volunteer_neither_on_the_list_nor_of_the_county_may_not_be_added(
    volunteer: UUID, units: set[UUID], sign_up_required: bool
) -> None:
    activity = posted(sign_up_required=sign_up_required)

    with pytest.raises(NotAllowed) as caught:
        activity.require_may_be_added(volunteer, volunteer_units=units, area_id=AREA)

    assert caught.value.code == "not-on-activity-list"
