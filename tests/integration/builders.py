"""A small world to run application tests in: a region down to a village, a center, people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.domain.cadre import CadreKind
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint

CENTER_PLACE = GeoPoint(40.8426, 111.7492)  # Hohhot


@dataclass(frozen=True)
class World:
    region: UUID
    city: UUID
    county: UUID
    township: UUID
    village: UUID
    center: UUID
    point: UUID


def fast_hashing(app: Grassroots) -> Grassroots:
    """The app with a password hasher quick enough for tests that log in often."""
    app.use_password_hasher(password_hasher(fast=True))
    return app


def build_world(app: Grassroots) -> World:
    region = app.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
    city = app.create_org_unit(name="呼和浩特市", level=OrgLevel.CITY, parent_id=region)
    county = app.create_org_unit(name="新城区", level=OrgLevel.COUNTY, parent_id=city)
    township = app.create_org_unit(name="海拉尔东路街道", level=OrgLevel.TOWNSHIP, parent_id=county)
    village = app.create_org_unit(name="东风社区", level=OrgLevel.VILLAGE, parent_id=township)
    center = app.register_center(
        name="东风社区青年之家",
        org_unit_id=village,
        address="呼和浩特市新城区东风路 1 号",
        location=CENTER_PLACE,
        geofence_radius_m=150,
    )
    point = app.designate_point(name="东风社区联系点", org_unit_id=village, center_id=center)
    return World(region, city, county, township, village, center, point)


def register_volunteer(app: Grassroots, world: World, phone: str = "13800138000") -> UUID:
    return app.register_volunteer(
        name="王小明", phone=phone, birth_date=date(2001, 5, 4), org_unit_id=world.village
    )


def register_cadre(app: Grassroots, world: World) -> UUID:
    return app.register_cadre(
        name="李书记", kind=CadreKind.FULL_TIME, org_unit_id=world.county, point_ids=[world.point]
    )


def post_activity(
    app: Grassroots,
    world: World,
    *,
    starts_at: datetime,
    hours: float = 2,
    **options: object,
) -> UUID:
    return app.post_activity(
        world.center,
        title="社区环境清洁",
        description="清理社区公共区域",
        category="environment",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **options,  # type: ignore[arg-type]
    )
