"""A grassroots point's rotating code, for the screen at the point that cadres scan."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.cadres.views import CallerRequest
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import problem_responses
from grassroots.api.scope import in_unit_scope
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.application.venue_codes import render_png, screen_headers
from grassroots.domain.account import Role
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.qr_token import POINT_PATH, QrSubject, SubjectKind, scan_url

__all__ = ["PointCodeController", "point_code_image", "shown_point"]


class PointCode(msgspec.Struct, kw_only=True):
    point_id: UUID
    token: str
    # What the drawn code encodes: the page a cadre's phone camera opens to start the visit.
    url: Annotated[
        str,
        Meta(
            examples=[
                "HTTPS://QN.EXAMPLE.ORG/P/AECG6KRIJN6U6D4RVJBCZUNLTY3QAAAAAAEQUVJWQDZ3BIYVZN5WVAVK"
            ]
        ),
    ]
    expires_at: Annotated[datetime, Meta(description="When a photo of this code stops working.")]
    next_rotation_at: Annotated[datetime, Meta(description="When the screen should refresh.")]
    rotation_seconds: int


def shown_point(app: Grassroots, caller: Caller, point_id: UUID) -> GrassrootsPoint:
    """A point whose code the caller may show: not retired, and in their scope."""
    point = app.get(GrassrootsPoint, point_id)
    # Supervisors of the point's unit only: a cadre assigned to the point must
    # not be able to show its code to themselves and scan it from anywhere.
    if not in_unit_scope(app, caller, point.org_unit_id):
        raise NotFound("grassroots_point", point_id)
    point.require_active()
    return point


def _point_code(api: Api, caller: Caller, point_id: UUID) -> PointCode:
    app = api.app
    shown_point(app, caller, point_id)
    code = app.rotating_code(QrSubject(SubjectKind.POINT, point_id))
    return PointCode(
        point_id=point_id,
        token=code.token,
        url=scan_url(api.config.public_url, code.token, path=POINT_PATH),
        expires_at=code.expires_at,
        next_rotation_at=code.replaced_at,
        rotation_seconds=app.config.qr_rotation_seconds,
    )


def _point_code_png(api: Api, caller: Caller, point_id: UUID) -> tuple[bytes, PointCode]:
    code = _point_code(api, caller, point_id)
    return render_png(code.url), code


async def point_code_image(api: Api, caller: Caller, point_id: UUID) -> Response[bytes]:
    """The point's code drawn for a screen, with when to fetch the next one; the API's
    PNG route and the point screen's page both answer with this."""
    png, code = await api.read(None, _point_code_png, api, caller, point_id)
    headers = screen_headers(
        "Point",
        replaced_at=code.next_rotation_at,
        expires_at=code.expires_at,
        now=api.app.now(),
    )
    return Response(png, media_type="image/png", headers=headers)


class PointCodeController(Controller):
    path = "/api/v1/points"
    tags = ["cadres"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012

    @get(
        "/{point_id:uuid}/code",
        operation_id="getPointCode",
        summary="The point's current rotating code, as text (supervisor of its unit)",
        description="For the point's own screen. `url` is what the drawn code encodes "
        "(`<public URL>/P/<TOKEN>`, upper case), which a cadre's phone camera opens to "
        "start the visit. Fetch again at `next_rotation_at`.",
        cache_control=CacheControlHeader(no_store=True),
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def code(
        self, point_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> PointCode:
        return await api.read(None, _point_code, api, request.user, point_id)

    @get(
        "/{point_id:uuid}/code.png",
        operation_id="getPointCodePng",
        summary="The point's current rotating code as a QR image (supervisor of its unit)",
        media_type="image/png",
        cache_control=CacheControlHeader(no_store=True),
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def code_png(
        self, point_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> Response[bytes]:
        return await point_code_image(api, request.user, point_id)
