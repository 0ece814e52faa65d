"""The organisation: org units, youth centers, grassroots points and cadres.

Administrators build it; anyone may list the org units (registering as a
volunteer means picking one, before there is an account), and every logged-in
role may list the centers. Lists are read from the read models (the org tree
and the activity catalogue), so a unit or center just created by the caller is
there on the caller's next read.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, bearer_account, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import LINE, Id, Name, Reason
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from grassroots.projections.activity_catalogue import CenterRow, center_row, centers
from grassroots.projections.org_tree import OrgUnitRow, org_unit, org_units_page

__all__ = [
    "ROUTES",
    "CenterChanges",
    "CenterView",
    "Place",
    "PointPlace",
    "Radius",
    "UnitRenaming",
    "center_view",
    "change_center",
    "create_org_unit",
    "designate_point",
    "reassign_cadre_points",
    "register_center",
    "relocate_point",
    "rename_org_unit",
]

ANY_ROLE = tuple(Role)

UnitName = Annotated[
    str, Meta(min_length=1, max_length=200, examples=["东风社区"], extra_json_schema=LINE)
]
PlaceName = Annotated[
    str, Meta(min_length=1, max_length=200, examples=["东风社区青年之家"], extra_json_schema=LINE)
]
Address = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=300,
        examples=["呼和浩特市新城区东风路 1 号"],
        extra_json_schema=LINE,
    ),
]
TimeZone = Annotated[str, Meta(min_length=1, max_length=64, examples=["Asia/Shanghai"])]
Radius = Annotated[
    float,
    Meta(ge=10, le=5000, description="Radius of the geofence in metres.", examples=[150]),
]


class Place(msgspec.Struct, kw_only=True):
    """A WGS-84 position in decimal degrees."""

    lat: Annotated[float, Meta(ge=-90, le=90, examples=[40.8426])]
    lon: Annotated[float, Meta(ge=-180, le=180, examples=[111.7492])]

    def point(self) -> GeoPoint:
        return GeoPoint(self.lat, self.lon)


def place_of(point: GeoPoint) -> Place:
    return Place(lat=point.lat, lon=point.lon)


class NewOrgUnit(msgspec.Struct, kw_only=True):
    name: UnitName
    level: OrgLevel
    # Every level but the region has a parent one level up.
    parent_id: Id | None = None
    time_zone: TimeZone | None = None


class OrgUnitView(msgspec.Struct, kw_only=True):
    org_unit_id: UUID
    name: str
    level: OrgLevel
    parent_id: UUID | None
    time_zone: str


class NewCenter(msgspec.Struct, kw_only=True):
    name: PlaceName
    org_unit_id: Id
    address: Address
    location: Place
    geofence_radius_m: Radius = 150.0


class CenterView(msgspec.Struct, kw_only=True):
    center_id: UUID
    name: str
    org_unit_id: UUID
    address: str
    location: Place
    geofence_radius_m: float
    closed: bool


class NewPoint(msgspec.Struct, kw_only=True):
    name: PlaceName
    org_unit_id: Id
    # A point at a center takes the center's place and fence unless given its own.
    center_id: Id | None = None
    location: Place | None = None
    geofence_radius_m: Radius | None = None


class UnitRenaming(msgspec.Struct, kw_only=True):
    name: UnitName


class CenterChanges(msgspec.Struct, kw_only=True):
    """What changes; a field left out stays as it is."""

    name: PlaceName | None = None
    address: Address | None = None
    location: Place | None = None
    geofence_radius_m: Radius | None = None


class PointPlace(msgspec.Struct, kw_only=True):
    location: Place
    # Left out, the fence keeps its radius.
    geofence_radius_m: Radius | None = None


class NewCadre(msgspec.Struct, kw_only=True):
    name: Name
    kind: CadreKind
    org_unit_id: Id
    point_ids: Annotated[list[Id], Meta(max_length=100)] = msgspec.field(default_factory=list)


class CadrePoints(msgspec.Struct, kw_only=True):
    point_ids: Annotated[list[Id], Meta(max_length=100)]


class Closing(msgspec.Struct, kw_only=True):
    reason: Reason


class Created(msgspec.Struct, kw_only=True):
    id: UUID


def center_view(row: CenterRow) -> CenterView:
    return CenterView(
        center_id=row.center_id,
        name=row.name,
        org_unit_id=row.org_unit_id,
        address=row.address,
        location=place_of(row.location),
        geofence_radius_m=row.geofence_radius_m,
        closed=row.closed,
    )


# The writes a body asks for, as the API and the administration screen make them.


async def create_org_unit(api: Api, account_id: UUID, body: NewOrgUnit) -> UUID:
    return await api.write(
        account_id,
        api.app.create_org_unit,
        name=body.name,
        level=body.level,
        parent_id=body.parent_id,
        time_zone=body.time_zone,
    )


async def register_center(api: Api, account_id: UUID, body: NewCenter) -> UUID:
    return await api.write(
        account_id,
        api.app.register_center,
        name=body.name,
        org_unit_id=body.org_unit_id,
        address=body.address,
        location=body.location.point(),
        geofence_radius_m=body.geofence_radius_m,
    )


async def designate_point(api: Api, account_id: UUID, body: NewPoint) -> UUID:
    return await api.write(
        account_id,
        api.app.designate_point,
        name=body.name,
        org_unit_id=body.org_unit_id,
        location=None if body.location is None else body.location.point(),
        geofence_radius_m=body.geofence_radius_m,
        center_id=body.center_id,
    )


async def rename_org_unit(
    api: Api, account_id: UUID, org_unit_id: UUID, body: UnitRenaming
) -> None:
    await api.write(account_id, api.app.rename_org_unit, org_unit_id, body.name)


async def change_center(api: Api, account_id: UUID, center_id: UUID, body: CenterChanges) -> None:
    await api.write(
        account_id,
        api.app.change_center_details,
        center_id,
        name=body.name,
        address=body.address,
        location=None if body.location is None else body.location.point(),
        geofence_radius_m=body.geofence_radius_m,
    )


async def relocate_point(api: Api, account_id: UUID, point_id: UUID, body: PointPlace) -> None:
    await api.write(
        account_id,
        api.app.relocate_point,
        point_id,
        location=body.location.point(),
        geofence_radius_m=body.geofence_radius_m,
    )


async def reassign_cadre_points(
    api: Api, account_id: UUID, cadre_id: UUID, body: CadrePoints
) -> None:
    await api.write(
        account_id, api.app.reassign_points, cadre_id, list(dict.fromkeys(body.point_ids))
    )


def _unit_view(row: OrgUnitRow) -> OrgUnitView:
    return OrgUnitView(
        org_unit_id=row.org_unit_id,
        name=row.name,
        level=row.level,
        parent_id=row.parent_id,
        time_zone=row.time_zone,
    )


def _units(
    api: Api, parent_id: UUID | None, level: OrgLevel | None, page: PageRequest
) -> list[OrgUnitView]:
    with api.engine.connect() as conn:
        rows = org_units_page(
            conn, parent_id=parent_id, level=level, limit=page.limit + 1, offset=page.offset
        )
    return [_unit_view(r) for r in rows]


def _unit(api: Api, org_unit_id: UUID) -> OrgUnitView:
    with api.engine.connect() as conn:
        row = org_unit(conn, org_unit_id)
    if row is None:
        raise NotFound("org_unit", org_unit_id)
    return _unit_view(row)


def _centers(api: Api, org_unit_id: UUID | None, page: PageRequest) -> list[CenterView]:
    with api.engine.connect() as conn:
        rows = centers(conn, org_unit_id=org_unit_id, limit=page.limit + 1, offset=page.offset)
    return [center_view(r) for r in rows]


def _center(api: Api, center_id: UUID) -> CenterView:
    with api.engine.connect() as conn:
        row = center_row(conn, center_id)
    if row is None:
        raise NotFound("center", center_id)
    return center_view(row)


class OrgUnitController(Controller):
    path = "/api/v1/org-units"
    tags = ["organisation"]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @post(
        operation_id="createOrgUnit",
        summary="Create an org unit under its parent (administrator)",
        description="Five levels: region, city, county, township, village; each below "
        "a unit one level up. A unit keeps its parent's time zone unless given one.",
        guards=[requires()],
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def create(
        self, data: JSONBody[NewOrgUnit], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Created:
        return Created(id=await create_org_unit(api, request.user.account_id, data))

    @get(
        operation_id="listOrgUnits",
        summary="Org units, to pick one when registering (anyone)",
        description="By name. `parent_id` lists a unit's children, `level` one level. "
        "An access token is not needed; sent, the answer includes the caller's own "
        "writes (a unit created a moment ago).",
        opt={"public": True},
        responses=problem_responses(400, 429),
    )
    async def list_units(
        self,
        request: Request[Any, Any, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        parent_id: FromQuery[UUID | None] = None,
        level: FromQuery[OrgLevel | None] = None,
    ) -> Page[OrgUnitView]:
        reader = bearer_account(request, api.config.jwt_secret)
        return page.page(await api.read(reader, _units, api, parent_id, level, page))

    @get(
        "/{org_unit_id:uuid}",
        operation_id="getOrgUnit",
        summary="One org unit (anyone)",
        description="An access token is not needed; sent, the answer includes the "
        "caller's own writes (a unit created a moment ago).",
        opt={"public": True},
        responses=problem_responses(404, 429),
    )
    async def get_unit(
        self, org_unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep
    ) -> OrgUnitView:
        reader = bearer_account(request, api.config.jwt_secret)
        return await api.read(reader, _unit, api, org_unit_id)

    @patch(
        "/{org_unit_id:uuid}",
        operation_id="renameOrgUnit",
        summary="Rename an org unit (administrator)",
        description="Every list, report and page names it by its new name from then "
        "on, also for the weeks before; the same name again changes nothing.",
        guards=[requires()],
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def rename_unit(
        self,
        org_unit_id: FromPath[UUID],
        data: JSONBody[UnitRenaming],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> OrgUnitView:
        await rename_org_unit(api, request.user.account_id, org_unit_id, data)
        return await api.read(request.user.account_id, _unit, api, org_unit_id)


class CenterController(Controller):
    path = "/api/v1/centers"
    tags = ["organisation"]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @post(
        operation_id="registerCenter",
        summary="Register a youth center in an org unit (administrator)",
        guards=[requires()],
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def register(
        self, data: JSONBody[NewCenter], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Created:
        return Created(id=await register_center(api, request.user.account_id, data))

    @get(
        operation_id="listCenters",
        summary="Youth centers (any role)",
        description="By name. `org_unit_id` keeps the centers in that unit and below it.",
        guards=[requires(*ANY_ROLE)],
        responses=problem_responses(400, 401, 429),
    )
    async def list_centers(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        org_unit_id: FromQuery[UUID | None] = None,
    ) -> Page[CenterView]:
        return page.page(await api.read(request.user.account_id, _centers, api, org_unit_id, page))

    @get(
        "/{center_id:uuid}",
        operation_id="getCenter",
        summary="One youth center (any role)",
        guards=[requires(*ANY_ROLE)],
        responses=problem_responses(401, 404, 429),
    )
    async def get_center(
        self, center_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> CenterView:
        return await api.read(request.user.account_id, _center, api, center_id)

    @patch(
        "/{center_id:uuid}",
        operation_id="changeCenter",
        summary="Change a youth center's name, address, place or fence (administrator)",
        description="Fields left out stay as they are. Activities already posted keep "
        "the place and fence they were posted with. A closed center is not changed.",
        guards=[requires()],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def change_center(
        self,
        center_id: FromPath[UUID],
        data: JSONBody[CenterChanges],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> CenterView:
        await change_center(api, request.user.account_id, center_id, data)
        return await api.read(request.user.account_id, _center, api, center_id)


class OrganisationAdminController(Controller):
    path = "/api/v1"
    tags = ["organisation"]  # noqa: RUF012
    guards = [requires()]  # noqa: RUF012  (administrators only)

    @post(
        "/grassroots-points",
        operation_id="designatePoint",
        summary="Designate a grassroots point with its place and geofence (administrator)",
        description="A point at a center takes the center's place and fence unless "
        "given its own; elsewhere a location is required (default fence 300 m).",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def designate_point(
        self, data: JSONBody[NewPoint], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Created:
        return Created(id=await designate_point(api, request.user.account_id, data))

    @post(
        "/cadres",
        operation_id="registerCadre",
        summary="Register a cadre with their kind and assigned points (administrator)",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def register_cadre(
        self, data: JSONBody[NewCadre], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Created:
        cadre_id = await api.write(
            request.user.account_id,
            api.app.register_cadre,
            name=data.name,
            kind=data.kind,
            org_unit_id=data.org_unit_id,
            point_ids=list(dict.fromkeys(data.point_ids)),
        )
        return Created(id=cadre_id)

    @put(
        "/cadres/{cadre_id:uuid}/points",
        operation_id="reassignCadrePoints",
        summary="Change the grassroots points a cadre is linked to (administrator)",
        description="The whole list: points left out are no longer the cadre's. Each "
        "point must be active; the same list again changes nothing.",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def reassign_cadre_points(
        self,
        cadre_id: FromPath[UUID],
        data: JSONBody[CadrePoints],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        await reassign_cadre_points(api, request.user.account_id, cadre_id, data)

    @put(
        "/grassroots-points/{point_id:uuid}/place",
        operation_id="relocatePoint",
        summary="Move a grassroots point: its place and fence (administrator)",
        description="Its fence keeps its radius unless given another. Visits already "
        "made stay as they were; the next are checked against the new fence. A retired "
        "point is not moved.",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def relocate_point(
        self,
        point_id: FromPath[UUID],
        data: JSONBody[PointPlace],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        await relocate_point(api, request.user.account_id, point_id, data)

    @post(
        "/grassroots-points/{point_id:uuid}/retire",
        operation_id="retirePoint",
        summary="Retire a grassroots point, with the reason (administrator)",
        description="Its code stops starting visits; visits made there stay counted.",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def retire_point(
        self,
        point_id: FromPath[UUID],
        data: JSONBody[Closing],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        await api.write(request.user.account_id, api.app.retire_point, point_id, reason=data.reason)

    @post(
        "/centers/{center_id:uuid}/close",
        operation_id="closeCenter",
        summary="Close a youth center, with the reason (administrator)",
        description="It posts no new activity; those already posted go ahead unless "
        "cancelled, and what it held stays counted.",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def close_center(
        self,
        center_id: FromPath[UUID],
        data: JSONBody[Closing],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        await api.write(
            request.user.account_id, api.app.close_center, center_id, reason=data.reason
        )


ROUTES: list[ControllerRouterHandler] = [
    OrgUnitController,
    CenterController,
    OrganisationAdminController,
]
