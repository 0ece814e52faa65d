"""Activities: center staff post and run them, volunteers discover them.

Staff (``center_staff`` of the activity's center) post, change and cancel
activities, show the venue code on the screen and correct credited minutes;
supervisors of the center's unit (or above) may read its lists. An activity of
a center outside the caller's scope answers 404, like one that does not exist.

Lists and single activities are read from the activity catalogue read model,
after it includes the caller's own writes (``Api.read``). Venue codes are
minted and drawn in a worker thread: drawing a PNG takes a few milliseconds of
CPU that the event loop should not spend.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import LINE, Instant, Reason, Text, query_instant
from grassroots.api.organisation import Place, Radius
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.api.scope import require_activity, require_center
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.application.venue_codes import render_png, render_svg, screen_headers
from grassroots.domain.account import Role
from grassroots.domain.activity import MAX_CAPACITY, Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.errors import AlreadyClosed
from grassroots.domain.qr_token import scan_url
from grassroots.domain.values import GeoPoint
from grassroots.projections.activity_catalogue import (
    ActivityRow,
    Near,
    activities_of_center,
    activity_row,
    discover,
)
from grassroots.projections.volunteer_directory import RosterLine, roster_of

__all__ = [
    "ROUTES",
    "ActivityChange",
    "Adjustment",
    "Cancellation",
    "NewActivity",
    "require_staff_of",
    "staff_adjust",
    "staff_cancel",
    "staff_change",
    "staff_post",
    "staffed_activity",
    "venue_code_image",
]

ANY_ROLE = tuple(Role)
STAFF = (Role.CENTER_STAFF,)
STAFF_OR_SUPERVISOR = (Role.CENTER_STAFF, Role.SUPERVISOR)

# Discovery looks this far ahead unless told otherwise, and never further than the maximum.
DEFAULT_WINDOW = timedelta(days=30)
MAX_WINDOW = timedelta(days=366)
DEFAULT_RADIUS_M = 5_000.0
MAX_RADIUS_M = 100_000.0
NO_STORE = CacheControlHeader(no_store=True)

Title = Annotated[
    str, Meta(min_length=1, max_length=200, examples=["社区环境清洁"], extra_json_schema=LINE)
]
Category = Annotated[
    str, Meta(min_length=1, max_length=50, examples=["environment"], extra_json_schema=LINE)
]
Capacity = Annotated[int, Meta(ge=1, le=MAX_CAPACITY, examples=[30])]
Minutes = Annotated[
    int,
    Meta(
        ge=-1440,
        le=1440,
        description="Minutes to add (positive) or remove (negative); never zero.",
        examples=[45],
    ),
]


class NewActivity(msgspec.Struct, kw_only=True):
    title: Title
    description: Text = ""
    category: Category
    starts_at: Instant
    ends_at: Instant
    # No capacity: anyone who signs up gets a place.
    capacity: Capacity | None = None
    sign_up_required: bool = True
    location_required: bool = False
    # Elsewhere than the center: the place and fence of the activity itself.
    location: Place | None = None
    geofence_radius_m: Radius | None = None


class ActivityChange(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Only the details given change; ``capacity_unlimited`` lifts the limit."""

    title: Title | None = None
    description: Text | None = None
    category: Category | None = None
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    capacity: Capacity | None = None
    capacity_unlimited: bool = False
    sign_up_required: bool | None = None
    location_required: bool | None = None
    location: Place | None = None
    geofence_radius_m: Radius | None = None


class Cancellation(msgspec.Struct, kw_only=True):
    reason: Reason


class Adjustment(msgspec.Struct, kw_only=True):
    minutes: Minutes
    reason: Reason


class ActivityPosted(msgspec.Struct, kw_only=True):
    activity_id: UUID


class DetailsChanged(msgspec.Struct, kw_only=True):
    # Volunteers moved from the waiting list into places a raised capacity opened.
    promoted_volunteer_ids: list[UUID]


class ActivityView(msgspec.Struct, kw_only=True):
    activity_id: UUID
    center_id: UUID
    org_unit_id: UUID | None
    title: str
    description: str
    category: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    places_left: int | None
    sign_up_required: bool
    location_required: bool
    location: Place | None
    geofence_radius_m: float | None
    status: Annotated[str, Meta(examples=["posted"], description="posted or cancelled")]
    cancel_reason: str | None
    signed_up: int
    waiting: int


class AttendanceView(msgspec.Struct, kw_only=True):
    volunteer_id: UUID
    # Who to call on the roll. Null only for a volunteer registered a moment ago.
    name: Annotated[str | None, Meta(examples=["张三"])] = None
    # Never the full number: the first three and last four digits.
    phone_masked: Annotated[str | None, Meta(examples=["138****1234"])] = None
    sign_up: Annotated[
        str | None,
        Meta(
            description="signed_up, wait_listed, withdrawn, or null for a walk-in",
            examples=["signed_up"],
        ),
    ]
    signed_up_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    # When an attendance nobody scanned out of was closed (at the scheduled end).
    auto_closed_at: datetime | None
    added_by_staff: bool
    scan_minutes: int
    adjustment_minutes: int
    adjustments: int
    credited_minutes: int


class AdjustedAttendance(msgspec.Struct, kw_only=True):
    activity_id: UUID
    volunteer_id: UUID
    scan_minutes: int
    adjustment_minutes: int
    credited_minutes: int


class VenueCodeView(msgspec.Struct, kw_only=True):
    token: Annotated[
        str, Meta(examples=["A1B2C3D4E5F6G7H8J9K0L1M2N3P4Q5R6S7T8U9V0W1X2Y3Z4A5B6C7D8"])
    ]
    # What the drawn code encodes: the check-in page a phone's camera opens.
    url: Annotated[
        str,
        Meta(
            examples=[
                "HTTPS://QN.EXAMPLE.ORG/S/A1B2C3D4E5F6G7H8J9K0L1M2N3P4Q5R6S7T8U9V0W1X2Y3Z4A5B6C7D8"
            ]
        ),
    ]
    # Show the next code from this instant on.
    replaced_at: datetime
    # The code is still accepted until this instant (one rotation later).
    expires_at: datetime


def _activity_view(row: ActivityRow) -> ActivityView:
    return ActivityView(
        activity_id=row.activity_id,
        center_id=row.center_id,
        org_unit_id=row.org_unit_id,
        title=row.title,
        description=row.description,
        category=row.category,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        places_left=row.places_left,
        sign_up_required=row.sign_up_required,
        location_required=row.location_required,
        location=None
        if row.location is None
        else Place(lat=row.location.lat, lon=row.location.lon),
        geofence_radius_m=row.geofence_radius_m,
        status=row.status,
        cancel_reason=row.cancel_reason,
        signed_up=row.signed_up,
        waiting=row.waiting,
    )


def _aggregate_view(app: Grassroots, activity: Activity) -> ActivityView:
    location = activity.location
    return ActivityView(
        activity_id=activity.id,
        center_id=activity.center_id,
        org_unit_id=app.get(Center, activity.center_id).org_unit_id,
        title=activity.title,
        description=activity.description,
        category=activity.category,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        capacity=activity.capacity,
        places_left=activity.places_left,
        sign_up_required=activity.sign_up_required,
        location_required=activity.location_required,
        location=Place(lat=location.lat, lon=location.lon),
        geofence_radius_m=activity.geofence_radius_m,
        status="cancelled" if activity.is_cancelled else "posted",
        cancel_reason=activity.cancel_reason,
        signed_up=len(activity.signed_up),
        waiting=len(activity.waiting),
    )


def _attendance_view(line: RosterLine) -> AttendanceView:
    row = line.attendance
    return AttendanceView(
        volunteer_id=row.volunteer_id,
        name=line.name,
        phone_masked=line.phone_masked,
        sign_up=row.sign_up,
        signed_up_at=row.signed_up_at,
        checked_in_at=row.checked_in_at,
        checked_out_at=row.checked_out_at,
        auto_closed_at=row.auto_closed_at,
        added_by_staff=row.added_by_staff,
        scan_minutes=row.scan_minutes,
        adjustment_minutes=row.adjustment_minutes,
        adjustments=row.adjustments,
        credited_minutes=row.credited_minutes,
    )


def require_staff_of(app: Grassroots, caller: Caller, center_id: UUID) -> None:
    """A center the caller works at (administrators: any); any other is not found."""
    app.get(Center, center_id)
    if caller.is_administrator or center_id in caller.subjects(Role.CENTER_STAFF):
        return
    raise NotFound("center", center_id)


def staffed_activity(app: Grassroots, caller: Caller, activity_id: UUID) -> Activity:
    """An activity of a center the caller works at; any other is not found."""
    activity = app.get(Activity, activity_id)
    if caller.is_administrator or activity.center_id in caller.subjects(Role.CENTER_STAFF):
        return activity
    raise NotFound("activity", activity_id)


def _mint_venue_code(api: Api, caller: Caller, activity_id: UUID) -> VenueCodeView:
    activity = staffed_activity(api.app, caller, activity_id)
    if activity.is_cancelled:
        raise AlreadyClosed("the activity has been cancelled", code="activity-cancelled")
    code = api.app.venue_code(activity_id)
    return VenueCodeView(
        token=code.token,
        url=scan_url(api.config.public_url, code.token),
        replaced_at=code.replaced_at,
        expires_at=code.expires_at,
    )


async def _venue_code(api: Api, caller: Caller, activity_id: UUID) -> VenueCodeView:
    return await api.read(None, _mint_venue_code, api, caller, activity_id)


async def venue_code_image(api: Api, caller: Caller, activity_id: UUID) -> Response[bytes]:
    """The venue code drawn for a screen, with when to fetch the next one; the API's
    PNG route and the venue screen's page both answer with this."""
    code = await _venue_code(api, caller, activity_id)
    png = await api.read(None, render_png, code.url)
    return Response(png, media_type="image/png", headers=_expiry(api, code))


# The staff's writes, each behind its scope check: the API's routes and the center
# desk's forms both call these, so the two cannot drift apart.


def staff_post(app: Grassroots, caller: Caller, center_id: UUID, data: NewActivity) -> UUID:
    require_staff_of(app, caller, center_id)
    return app.post_activity(
        center_id,
        title=data.title,
        description=data.description,
        category=data.category,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        sign_up_required=data.sign_up_required,
        location_required=data.location_required,
        location=None if data.location is None else data.location.point(),
        geofence_radius_m=data.geofence_radius_m,
    )


def staff_change(
    app: Grassroots, caller: Caller, activity_id: UUID, data: ActivityChange
) -> list[UUID]:
    staffed_activity(app, caller, activity_id)
    return app.change_activity_details(
        activity_id,
        title=data.title,
        description=data.description,
        category=data.category,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        capacity_unlimited=data.capacity_unlimited,
        location=None if data.location is None else data.location.point(),
        geofence_radius_m=data.geofence_radius_m,
        location_required=data.location_required,
        sign_up_required=data.sign_up_required,
    )


def staff_cancel(app: Grassroots, caller: Caller, activity_id: UUID, data: Cancellation) -> None:
    staffed_activity(app, caller, activity_id)
    app.cancel_activity(activity_id, reason=data.reason)


def staff_adjust(
    app: Grassroots, caller: Caller, activity_id: UUID, volunteer_id: UUID, data: Adjustment
) -> Attendance:
    staffed_activity(app, caller, activity_id)
    return app.adjust_attendance(
        activity_id,
        volunteer_id,
        minutes=data.minutes,
        reason=data.reason,
        staff_id=caller.account_id,
    )


def _center_activities(
    api: Api,
    caller: Caller,
    center_id: UUID,
    page: PageRequest,
    starts_from: datetime | None,
    starts_to: datetime | None,
) -> list[ActivityView]:
    require_center(api.app, caller, center_id)
    with api.engine.connect() as conn:
        rows = activities_of_center(
            conn,
            center_id,
            starts_from=starts_from,
            starts_to=starts_to,
            limit=page.limit + 1,
            offset=page.offset,
        )
    return [_activity_view(r) for r in rows]


def _attendance(
    api: Api, caller: Caller, activity_id: UUID, page: PageRequest, sign_up: str | None
) -> list[AttendanceView]:
    require_activity(api.app, caller, activity_id)
    with api.engine.connect() as conn:
        lines = roster_of(
            conn, activity_id, sign_up=sign_up, limit=page.limit + 1, offset=page.offset
        )
    return [_attendance_view(line) for line in lines]


def _discover(
    api: Api,
    page: PageRequest,
    begin: datetime,
    end: datetime,
    center_id: UUID | None,
    category: str | None,
    near: Near | None,
) -> list[ActivityView]:
    with api.engine.connect() as conn:
        rows = discover(
            conn,
            starts_from=begin,
            starts_to=end,
            center_id=center_id,
            category=category,
            near=near,
            limit=page.limit + 1,
            offset=page.offset,
        )
    return [_activity_view(r) for r in rows]


def _activity(api: Api, activity_id: UUID) -> ActivityView:
    with api.engine.connect() as conn:
        row = activity_row(conn, activity_id)
    if row is None:
        # Posted by someone else a moment ago: the read model may not have
        # it yet, but an id handed out must not answer 404.
        return _aggregate_view(api.app, api.app.get(Activity, activity_id))
    return _activity_view(row)


def _expiry(api: Api, code: VenueCodeView) -> dict[str, str]:
    # Lets a screen showing the image know when to fetch the next one, and when the
    # one it shows stops being accepted.
    return screen_headers(
        "Venue", replaced_at=code.replaced_at, expires_at=code.expires_at, now=api.app.now()
    )


class ActivityController(Controller):
    """What center staff do with their center's activities, and how anyone finds them.

    One controller for both: handlers on one path must share a controller.
    """

    path = "/api/v1"
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/centers/{center_id:uuid}/activities",
        operation_id="postActivity",
        tags=["centers"],
        summary="Post an activity at the center (center staff)",
        description="It takes place at the center unless given a location of its own. "
        "Times are instants with an offset; an activity lasts at most 24 hours.",
        guards=[requires(*STAFF)],
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def post_activity(
        self,
        center_id: FromPath[UUID],
        data: JSONBody[NewActivity],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> ActivityPosted:
        caller = request.user
        posted = await api.write(caller.account_id, staff_post, api.app, caller, center_id, data)
        return ActivityPosted(activity_id=posted)

    @get(
        "/centers/{center_id:uuid}/activities",
        operation_id="listCenterActivities",
        tags=["centers"],
        summary="The center's activities by start time (center staff, supervisor)",
        description="Cancelled ones included. `from`/`to` bound the start time.",
        guards=[requires(*STAFF_OR_SUPERVISOR)],
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def center_activities(
        self,
        center_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        starts_from: Annotated[datetime | None, QueryParameter(name="from")] = None,
        starts_to: Annotated[datetime | None, QueryParameter(name="to")] = None,
    ) -> Page[ActivityView]:
        caller = request.user
        starts_from = query_instant(starts_from, "from")
        starts_to = query_instant(starts_to, "to")

        found = await api.read(
            caller.account_id,
            _center_activities,
            api,
            caller,
            center_id,
            page,
            starts_from,
            starts_to,
        )
        return page.page(found)

    @patch(
        "/activities/{activity_id:uuid}",
        operation_id="changeActivity",
        tags=["centers"],
        summary="Change an activity's details before it starts (center staff)",
        description="Only the fields given change. A raised capacity promotes volunteers "
        "from the waiting list, first come first served.",
        guards=[requires(*STAFF)],
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def change(
        self,
        activity_id: FromPath[UUID],
        data: JSONBody[ActivityChange],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> DetailsChanged:
        caller = request.user

        promoted = await api.write(
            caller.account_id, staff_change, api.app, caller, activity_id, data
        )
        return DetailsChanged(promoted_volunteer_ids=promoted)

    @post(
        "/activities/{activity_id:uuid}/cancel",
        operation_id="cancelActivity",
        tags=["centers"],
        summary="Cancel an activity, with a reason (center staff)",
        guards=[requires(*STAFF)],
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def cancel(
        self,
        activity_id: FromPath[UUID],
        data: JSONBody[Cancellation],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        caller = request.user

        await api.write(caller.account_id, staff_cancel, api.app, caller, activity_id, data)

    @get(
        "/activities/{activity_id:uuid}/attendance",
        operation_id="listActivityAttendance",
        tags=["centers"],
        summary="An activity's sign-ups and attendance (center staff, supervisor)",
        description="Everyone who signed up, waits for a place, withdrew or has an "
        "attendance, in the order they came, with their scans and credited minutes "
        "(scan credit plus every staff correction), and each volunteer's name and "
        "masked phone number (138****1234) for calling the roll. `sign_up` keeps one list.",
        guards=[requires(*STAFF_OR_SUPERVISOR)],
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def attendance(
        self,
        activity_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        sign_up: Annotated[
            str | None,
            QueryParameter(
                pattern="^(signed_up|wait_listed|withdrawn)$",
                description="signed_up, wait_listed or withdrawn",
            ),
        ] = None,
    ) -> Page[AttendanceView]:
        caller = request.user

        found = await api.read(
            caller.account_id, _attendance, api, caller, activity_id, page, sign_up
        )
        return page.page(found)

    @post(
        "/activities/{activity_id:uuid}/attendance/{volunteer_id:uuid}/adjustments",
        operation_id="adjustAttendance",
        tags=["centers"],
        summary="Add or remove credited minutes, with a reason (center staff)",
        description="A line of its own in the volunteer's ledger, never an overwrite. "
        "A volunteer who came but never scanned is added with the minutes (补录). "
        "The credit stays between zero and the scheduled length.",
        guards=[requires(*STAFF)],
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def adjust(
        self,
        activity_id: FromPath[UUID],
        volunteer_id: FromPath[UUID],
        data: JSONBody[Adjustment],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> AdjustedAttendance:
        caller = request.user

        attendance = await api.write(
            caller.account_id, staff_adjust, api.app, caller, activity_id, volunteer_id, data
        )
        return AdjustedAttendance(
            activity_id=activity_id,
            volunteer_id=volunteer_id,
            scan_minutes=attendance.scan_minutes,
            adjustment_minutes=attendance.adjustment_minutes,
            credited_minutes=attendance.total_minutes,
        )

    @get(
        "/activities/{activity_id:uuid}/venue-code",
        operation_id="getVenueCode",
        tags=["centers"],
        summary="The venue code's token now, and when it changes (center staff)",
        description="For a screen that draws the code itself: show `token` until "
        "`replaced_at`, then ask again. It is accepted until `expires_at`.",
        guards=[requires(*STAFF)],
        cache_control=NO_STORE,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def venue_code(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> VenueCodeView:
        return await _venue_code(api, request.user, activity_id)

    @get(
        "/activities/{activity_id:uuid}/venue-code.png",
        operation_id="getVenueCodePng",
        tags=["centers"],
        summary="The venue code as a PNG for the screen (center staff)",
        guards=[requires(*STAFF)],
        cache_control=NO_STORE,
        media_type="image/png",
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def venue_code_png(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Response[bytes]:
        return await venue_code_image(api, request.user, activity_id)

    @get(
        "/activities/{activity_id:uuid}/venue-code.svg",
        operation_id="getVenueCodeSvg",
        tags=["centers"],
        summary="The venue code as an SVG (center staff)",
        guards=[requires(*STAFF)],
        cache_control=NO_STORE,
        media_type="image/svg+xml",
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def venue_code_svg(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Response[str]:
        code = await _venue_code(api, request.user, activity_id)
        svg = await api.read(None, render_svg, code.url)
        return Response(svg, media_type="image/svg+xml", headers=_expiry(api, code))

    @get(
        "/activities",
        operation_id="discoverActivities",
        tags=["activities"],
        summary="Discover activities by time, center, category and place (any role)",
        description="Activities not cancelled that start in [`from`, `to`), soonest first. "
        f"`from` defaults to now, `to` to {DEFAULT_WINDOW.days} days after `from` "
        f"(at most {MAX_WINDOW.days} days). `near_lat` and `near_lon` together keep "
        f"those within `radius_m` metres (default {DEFAULT_RADIUS_M:.0f}).",
        guards=[requires(*ANY_ROLE)],
        responses=problem_responses(400, 401, 429),
    )
    async def discover(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        starts_from: Annotated[datetime | None, QueryParameter(name="from")] = None,
        starts_to: Annotated[datetime | None, QueryParameter(name="to")] = None,
        center_id: FromQuery[UUID | None] = None,
        category: Annotated[str | None, Parameter(min_length=1, max_length=50)] = None,
        near_lat: Annotated[float | None, Parameter(ge=-90, le=90)] = None,
        near_lon: Annotated[float | None, Parameter(ge=-180, le=180)] = None,
        radius_m: Annotated[float | None, Parameter(gt=0, le=MAX_RADIUS_M)] = None,
    ) -> Page[ActivityView]:
        starts_from = query_instant(starts_from, "from")
        starts_to = query_instant(starts_to, "to")
        if (near_lat is None) != (near_lon is None):
            raise ApiProblem(400, "invalid-request", "give both near_lat and near_lon, or neither")
        if radius_m is not None and near_lat is None:
            raise ApiProblem(400, "invalid-request", "radius_m needs near_lat and near_lon")
        near = (
            None
            if near_lat is None or near_lon is None
            else Near(GeoPoint(near_lat, near_lon), radius_m or DEFAULT_RADIUS_M)
        )
        begin = starts_from or api.app.now()
        end = starts_to or begin + DEFAULT_WINDOW
        if end <= begin:
            raise ApiProblem(400, "invalid-request", "`to` must come after `from`")
        if end - begin > MAX_WINDOW:
            raise ApiProblem(
                400, "invalid-request", f"a window spans at most {MAX_WINDOW.days} days"
            )

        found = await api.read(
            request.user.account_id, _discover, api, page, begin, end, center_id, category, near
        )
        return page.page(found)

    @get(
        "/activities/{activity_id:uuid}",
        operation_id="getActivity",
        tags=["activities"],
        summary="One activity, cancelled ones too (any role)",
        guards=[requires(*ANY_ROLE)],
        responses=problem_responses(401, 404, 429),
    )
    async def get_activity(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> ActivityView:
        return await api.read(request.user.account_id, _activity, api, activity_id)


ROUTES: list[ControllerRouterHandler] = [ActivityController]
