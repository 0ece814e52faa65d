"""A grassroots point's screen: its rotating code, for cadres to scan on their visit.

- ``/screens/points?unit=<id>``: the points of a unit the caller supervises and of
  every unit below it (the grassroots points read model's ``points_under``); without
  ``unit``, the caller's one unit, or a choice among several (administrators: the
  top units).
- ``/screens/points/<id>``: the code full screen with the point's name, its unit,
  the rotation period and the instruction. The code opens ``/P/<TOKEN>`` on a
  cadre's phone, which starts the visit (``pages.cadre``).
- ``/screens/points/<id>/code.png``: the code the API's ``code.png`` draws (the
  same ``point_code_image``), with ``X-Point-Code-Replaced-At``: the screen
  (``static/venue.js``) fetches the next one at that instant.

Supervisors of the point's unit (or of a unit above it) and administrators only;
anyone else, and a retired point, get the page that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grassroots.api.auth import Caller, holds_any
from grassroots.api.cadres.point_codes import point_code_image, shown_point
from grassroots.api.context import Api, ApiDep
from grassroots.api.scope import require_unit
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.errors import AlreadyClosed
from grassroots.domain.org_unit import OrgUnit
from grassroots.pages.controllers import page, unit_param
from grassroots.pages.dispatch import supervisor_of, unit_choices
from grassroots.pages.sessions import SessionsDep
from grassroots.projections.grassroots_points import PointRow, points_under

__all__ = ["ROUTES"]

LIST_PATH = "/screens/points"
# A point outside the caller's scope, a retired one, one that does not exist: all alike.
_MISSING = (NotFound, AlreadyClosed)


@dataclass(frozen=True)
class PointScreenView:
    point_id: UUID
    name: str
    org_unit_id: UUID
    unit_name: str


def _points(api: Api, caller: Caller, unit_id: UUID) -> tuple[str, list[PointRow]]:
    unit = require_unit(api.app, caller, unit_id)
    with api.engine.connect() as conn:
        return unit.name, points_under(conn, unit_id)


def _screen_view(api: Api, caller: Caller, point_id: UUID) -> PointScreenView:
    point = shown_point(api.app, caller, point_id)
    unit = api.app.get(OrgUnit, point.org_unit_id)
    return PointScreenView(point_id, point.name, point.org_unit_id, unit.name)


@get(LIST_PATH, name="point-list")
async def point_list(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    found = await supervisor_of(request, api, sessions, str(request.url.path))
    if isinstance(found, Redirect):
        return found
    caller = found
    unit_id = unit_param(request)
    several = len(caller.subjects(Role.SUPERVISOR)) != 1
    if unit_id is None:
        choices = await api.read(caller.account_id, unit_choices, api, caller)
        if len(choices) != 1:
            return page(request, "points/list.html", caller=caller, choices=choices, unit_name=None)
        unit_id = choices[0][0]
    try:
        unit_name, points = await api.read(caller.account_id, _points, api, caller, unit_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "points/list.html",
        caller=caller,
        unit_name=unit_name,
        points=points,
        several_units=several,
    )


def _path(point_id: UUID) -> str:
    return f"{LIST_PATH}/{point_id}"


@get(f"{LIST_PATH}/{{point_id:uuid}}", name="point-screen")
async def point_screen(
    point_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    found = await supervisor_of(request, api, sessions, _path(point_id))
    if isinstance(found, Redirect):
        return found
    caller = found
    try:
        view = await api.read(caller.account_id, _screen_view, api, caller, point_id)
    except _MISSING:
        raise NotFoundException() from None
    return page(
        request,
        "points/screen.html",
        caller=caller,
        view=view,
        base=_path(point_id),
        rotation=api.app.config.qr_rotation_seconds,
    )


@get(f"{LIST_PATH}/{{point_id:uuid}}/code.png", name="point-screen-code")
async def point_screen_code(
    point_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Response[bytes]:
    caller = await sessions.caller(request, api.app)
    if caller is None or not holds_any(caller, [Role.SUPERVISOR]):
        raise NotFoundException()
    try:
        response = await point_code_image(api, caller, point_id)
    except _MISSING:
        raise NotFoundException() from None
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES = [point_list, point_screen, point_screen_code]
