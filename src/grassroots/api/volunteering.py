"""What volunteers do: sign up, scan in and out at the venue, read their sign-ups
and their ledger.

The volunteer acting is always the caller's own volunteer record, never an id
from the request, so nobody can sign up, scan or read for someone else here.
Supervisors read a volunteer of their subtree through ``/volunteers/{id}/ledger``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api import live
from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import query_instant
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.api.scope import require_volunteer
from grassroots.application.activities import ScanContext
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.activity import Activity, SignUpStatus
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.values import GeoPoint
from grassroots.domain.volunteer import Volunteer
from grassroots.projections.activity_catalogue import MySignUp, center_row, sign_ups_of
from grassroots.projections.ledger import (
    LedgerLine,
    explain_line,
    read_ledger_page,
    read_totals,
)
from grassroots.projections.org_tree import ancestry_of

__all__ = [
    "ROUTES",
    "Location",
    "Scan",
    "answer_scan",
    "check_in_scan",
    "check_out_scan",
    "explanation",
    "ledger_totals",
    "my_sign_ups",
    "sign_up_answer",
]


# --- bodies -------------------------------------------------------------------


class SignUpView(msgspec.Struct, kw_only=True):
    activity_id: UUID
    volunteer_id: UUID
    status: SignUpStatus
    waiting_position: Annotated[
        int | None,
        Meta(description="Place on the waiting list (1 = next to get a place); null with a place."),
    ] = None


MY_STATES = "signed_up, wait_listed, promoted, withdrawn, checked_in, attended"


class MySignUpView(msgspec.Struct, kw_only=True):
    activity_id: UUID
    title: Annotated[str, Meta(examples=["社区敬老院陪伴"])]
    center_id: UUID
    center_name: Annotated[str | None, Meta(examples=["城关镇青年之家"])]
    starts_at: datetime
    ends_at: datetime
    activity_status: Annotated[str, Meta(examples=["posted"], description="posted or cancelled")]
    state: Annotated[
        str,
        Meta(
            examples=["promoted"],
            description=f"Where the caller stands: {MY_STATES}. `promoted` holds a place "
            "got from the waiting list (已递补).",
        ),
    ]
    waiting_position: Annotated[
        int | None,
        Meta(description="Place on the waiting list (1 = next to get a place) while waiting."),
    ] = None
    promoted: Annotated[
        bool, Meta(description="Holds a place got from the waiting list, at `promoted_at`.")
    ] = False
    promoted_at: datetime | None = None
    signed_up_at: datetime | None = None
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    credited_minutes: int = 0


class Location(msgspec.Struct, kw_only=True):
    lat: Annotated[float, Meta(ge=-90, le=90, examples=[40.8426])]
    lon: Annotated[float, Meta(ge=-180, le=180, examples=[111.7492])]


class Scan(msgspec.Struct, kw_only=True):
    token: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=100,
            description="The text of the venue's QR code, as scanned.",
            examples=["AEBQG2YDPZRA6NTUOPGRQ3KF6ITLBK4HIEAAAAAAFRUL4RDWDYYQQ6BH"],
        ),
    ]
    device_id: Annotated[str, Meta(max_length=200, examples=["a1b2c3d4-phone"])] | None = None
    client_time: (
        Annotated[
            datetime,
            Meta(
                tz=True,
                description="The phone's own clock: kept as evidence, never trusted.",
                examples=["2026-03-07T00:55:12Z"],
            ),
        ]
        | None
    ) = None
    location: Location | None = None
    accuracy_m: (
        Annotated[float, Meta(ge=0, le=100_000, description="Accuracy of the location, metres.")]
        | None
    ) = None


class AttendanceView(msgspec.Struct, kw_only=True):
    attendance_id: UUID
    activity_id: UUID
    center_id: UUID
    volunteer_id: UUID
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    auto_closed: bool
    credited_minutes: Annotated[
        int, Meta(description="Minutes credited so far, staff corrections included.")
    ]


class LedgerLineView(msgspec.Struct, kw_only=True):
    position: Annotated[int, Meta(description="The line's key: use it to ask for its events.")]
    line_no: int
    kind: Annotated[
        str,
        Meta(examples=["credit"], description="credit, auto_closed, added_by_staff, adjustment"),
    ]
    minutes: int
    balance_after: Annotated[int, Meta(description="The running balance in minutes.")]
    attendance_id: UUID
    activity_id: UUID
    center_id: UUID
    activity_title: Annotated[
        str | None, Meta(examples=["社区敬老院陪伴"], description="The activity's title now.")
    ]
    center_name: Annotated[
        str | None, Meta(examples=["城关镇青年之家"], description="The center's name now.")
    ]
    reason: str | None
    staff_name: Annotated[
        str | None,
        Meta(description="Who recorded a staff line (补录 or a correction), by name."),
    ]
    staff_id: Annotated[
        UUID | None,
        Meta(description="The staff member's account: shown to administrators only."),
    ] = None
    service_date: date
    recorded_at: datetime


class PeriodTotal(msgspec.Struct, kw_only=True):
    period: Annotated[str, Meta(examples=["2026-W10"])]
    minutes: int


class LedgerTotals(msgspec.Struct, kw_only=True):
    volunteer_id: UUID
    balance_minutes: int
    weeks: list[PeriodTotal]
    months: list[PeriodTotal]
    years: list[PeriodTotal]


class ExplainedEvent(msgspec.Struct, kw_only=True):
    type: Annotated[str, Meta(examples=["Attendance.CheckedIn"])]
    aggregate_id: UUID
    version: int
    at: datetime
    fields: dict[str, Any]


class LineExplanation(msgspec.Struct, kw_only=True):
    position: int
    events: list[ExplainedEvent]


AsOf = Annotated[
    datetime | None,
    QueryParameter(
        description="Read the ledger as it stood at this instant (RFC 3339 with an offset)."
    ),
]


# --- sign-ups and scans ---------------------------------------------------------


def _attendance_view(attendance: Attendance) -> AttendanceView:
    return AttendanceView(
        attendance_id=attendance.id,
        activity_id=attendance.activity_id,
        center_id=attendance.center_id,
        volunteer_id=attendance.volunteer_id,
        checked_in_at=attendance.checked_in_at,
        checked_out_at=attendance.checked_out_at,
        auto_closed=attendance.auto_closed,
        credited_minutes=attendance.total_minutes,
    )


def _scan_context(data: Scan) -> ScanContext:
    return ScanContext(
        device_id=data.device_id,
        client_time=data.client_time,
        location=None if data.location is None else GeoPoint(data.location.lat, data.location.lon),
        accuracy_m=data.accuracy_m,
    )


ScanKind = Literal["check-in", "check-out"]
# What screens and supervisors' pages are sent, and every channel it goes to.
LiveUpdate = tuple[dict[str, Any], list[str]]


def _live_update(api: Api, kind: ScanKind, attendance: Attendance) -> LiveUpdate:
    """The message for screens and supervisors' pages, and every channel it goes to.

    Blocks (reads): call it in the thread that did the scan.
    """
    center_id = attendance.center_id
    org_unit_id, ancestry, volunteer_name = _routing(api, center_id, attendance.volunteer_id)
    at = attendance.checked_in_at if kind == "check-in" else attendance.checked_out_at
    channels = [
        api.live_channel("center", center_id),
        api.live_channel("activity", attendance.activity_id),
        *(api.live_channel("org-unit", unit) for unit in (org_unit_id, *ancestry)),
    ]
    message = {
        "kind": kind,
        "activity_id": str(attendance.activity_id),
        "center_id": str(center_id),
        "volunteer_name": volunteer_name,
        "at": None if at is None else at.isoformat(),
    }
    return message, channels


def _routing(api: Api, center_id: UUID, volunteer_id: UUID) -> tuple[UUID, list[UUID], str]:
    """The center's unit, that unit's ancestry and the volunteer's name, for a live update.

    The center's place comes from the read models (indexed reads) rather than
    from the aggregates of the center and every unit above it, and is remembered
    for a minute (``center_places``): a unit moved a moment ago may route a
    minute's messages by its old place. The name comes from the volunteer's
    aggregate, which the scan has just read, so it is in the cache and current:
    one indexed query that finds no newer event, where the directory's
    ``IN (...)`` read was as dear as a third of the command. Anything the read
    models do not hold yet (a center registered a moment ago) is read from the
    aggregates.
    """
    name = api.app.read(Volunteer, volunteer_id).name
    place = api.center_places.get(center_id)
    if place is None and api.read_side is not None:
        with api.engine.connect() as conn:
            center = center_row(conn, center_id)
            ancestry = None if center is None else ancestry_of(conn, center.org_unit_id)
        if center is not None and ancestry is not None:
            place = (center.org_unit_id, tuple(ancestry))
            api.center_places.remember(center_id, place)
    if place is not None:
        return place[0], list(place[1]), name
    org_unit_id = api.app.get(Center, center_id).org_unit_id
    return org_unit_id, api.app.ancestry(org_unit_id), name


def check_in_scan(
    api: Api, volunteer_id: UUID, activity_id: UUID, data: Scan, seen_at: datetime | None = None
) -> tuple[Attendance, LiveUpdate | None]:
    """``seen_at``: a scan the page held (the server saw the code fresh on this phone)."""
    before = api.app.last_write_position()
    attendance = api.app.check_in(
        activity_id, volunteer_id, token=data.token, scan=_scan_context(data), seen_at=seen_at
    )
    return attendance, _news(api, "check-in", before, attendance)


def check_out_scan(
    api: Api, volunteer_id: UUID, activity_id: UUID, data: Scan, seen_at: datetime | None = None
) -> tuple[Attendance, LiveUpdate | None]:
    before = api.app.last_write_position()
    attendance = api.app.check_out(
        activity_id, volunteer_id, token=data.token, scan=_scan_context(data), seen_at=seen_at
    )
    return attendance, _news(api, "check-out", before, attendance)


def _news(api: Api, kind: ScanKind, before: int, attendance: Attendance) -> LiveUpdate | None:
    """The live update for a scan, or None when it recorded nothing.

    A repeated scan answers without writing: the thread's last write position
    moves only when this scan recorded something, and only then is it news.
    """
    if api.app.last_write_position() == before:
        return None
    return _live_update(api, kind, attendance)


def answer_scan(api: Api, scan: tuple[Attendance, LiveUpdate | None]) -> AttendanceView:
    """Publish a scan's live update, if it recorded something, and answer the
    attendance. The check-in routes and the check-in page (``/S/<token>``) both
    write through ``check_in_scan`` / ``check_out_scan`` and answer through here."""
    attendance, update = scan
    if update is not None:
        api.publish(*update)
    return _attendance_view(attendance)


def sign_up_answer(app: Grassroots, activity_id: UUID, volunteer_id: UUID) -> SignUpView:
    status = app.sign_up(activity_id, volunteer_id)
    waiting = app.get(Activity, activity_id).waiting
    position = waiting.index(volunteer_id) + 1 if volunteer_id in waiting else None
    return SignUpView(
        activity_id=activity_id,
        volunteer_id=volunteer_id,
        status=status,
        waiting_position=position if status is SignUpStatus.WAIT_LISTED else None,
    )


def _my_sign_up_view(row: MySignUp) -> MySignUpView:
    return MySignUpView(
        activity_id=row.activity_id,
        title=row.title,
        center_id=row.center_id,
        center_name=row.center_name,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        activity_status=row.activity_status,
        state=row.state,
        waiting_position=row.waiting_place,
        promoted=row.promoted_at is not None and row.sign_up == SignUpStatus.SIGNED_UP,
        promoted_at=row.promoted_at,
        signed_up_at=row.signed_up_at,
        checked_in_at=row.checked_in_at,
        checked_out_at=row.checked_out_at,
        credited_minutes=row.credited_minutes,
    )


def my_sign_ups(api: Api, volunteer_id: UUID, page: PageRequest) -> list[MySignUpView]:
    """A volunteer's sign-ups, one more than the page asks for (to tell a next page)."""
    with api.engine.connect() as conn:
        rows = sign_ups_of(
            conn, volunteer_id, now=api.app.now(), limit=page.limit + 1, offset=page.offset
        )
    return [_my_sign_up_view(row) for row in rows]


class MySignUpsController(Controller):
    path = "/api/v1/me/sign-ups"
    tags = ["volunteering"]  # noqa: RUF012
    guards = [requires(Role.VOLUNTEER)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        operation_id="getMySignUps",
        summary="The caller's sign-ups and where they stand on each (volunteer)",
        description="Every activity the caller signed up for (or came to without), with its "
        "title, center and time: those not yet ended first, soonest first, then the ended "
        "ones, latest first. `state` is one of " + MY_STATES + "; a volunteer waiting has "
        "their place on the waiting list, one promoted from it `promoted` with the instant. "
        "Includes the caller's own sign-ups at once.",
        responses=problem_responses(400, 401, 403, 429),
    )
    async def my_sign_ups(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> Page[MySignUpView]:
        caller = request.user
        found = await api.read(caller.account_id, my_sign_ups, api, caller.volunteer_id, page)
        return page.page(found)


SCAN_FAILURES = problem_responses(400, 401, 403, 404, 409, 422, 429)


class VolunteeringController(Controller):
    path = "/api/v1/activities/{activity_id:uuid}"
    tags = ["volunteering"]  # noqa: RUF012
    guards = [requires(Role.VOLUNTEER)]  # noqa: RUF012

    @post(
        "/sign-ups",
        operation_id="signUp",
        summary="Sign up for an activity (volunteer)",
        description="Takes a place, or a place on the waiting list when the activity is "
        "full. Signing up again changes nothing and answers where the caller stands.",
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 422, 429),
    )
    async def sign_up(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> SignUpView:
        caller = request.user
        return await api.write(
            caller.account_id, sign_up_answer, api.app, activity_id, caller.volunteer_id
        )

    @delete(
        "/sign-ups/me",
        operation_id="withdrawSignUp",
        summary="Withdraw from an activity, until it starts (volunteer)",
        description="Gives up the caller's place or waiting-list spot; the first one waiting "
        "gets a freed place.",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(401, 403, 404, 409, 422, 429),
    )
    async def withdraw(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> None:
        caller = request.user
        volunteer_id = caller.volunteer_id
        await api.write(caller.account_id, api.app.withdraw, activity_id, volunteer_id)

    @post(
        "/check-in",
        operation_id="checkIn",
        summary="Check in by scanning the venue's code (volunteer)",
        description="The code must be the activity's current or previous one, the check-in "
        "window open, the caller signed up (where the activity asks for it), inside the "
        "geofence (where it asks for a location) and not checked in elsewhere. Scanning "
        "again answers the same attendance and records nothing.",
        opt={"rate": "scan"},
        status_code=HTTP_200_OK,
        responses=SCAN_FAILURES,
    )
    async def check_in(
        self,
        activity_id: FromPath[UUID],
        data: JSONBody[Scan],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> AttendanceView:
        caller = request.user
        scan = await api.write(
            caller.account_id, check_in_scan, api, caller.volunteer_id, activity_id, data
        )
        return answer_scan(api, scan)

    @post(
        "/check-out",
        operation_id="checkOut",
        summary="Check out by scanning the venue's code again (volunteer)",
        description="Credits the time on site within the schedule (with the grace). "
        "Scanning again answers the same credit and records nothing.",
        opt={"rate": "scan"},
        status_code=HTTP_200_OK,
        responses=SCAN_FAILURES,
    )
    async def check_out(
        self,
        activity_id: FromPath[UUID],
        data: JSONBody[Scan],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> AttendanceView:
        caller = request.user
        scan = await api.write(
            caller.account_id, check_out_scan, api, caller.volunteer_id, activity_id, data
        )
        return answer_scan(api, scan)


# --- the ledger -------------------------------------------------------------------


def _line_view(line: LedgerLine, names: dict[UUID, str], *, show_ids: bool) -> LedgerLineView:
    return LedgerLineView(
        position=line.position,
        line_no=line.line_no,
        kind=line.kind,
        minutes=line.minutes,
        balance_after=line.balance_after,
        attendance_id=line.attendance_id,
        activity_id=line.activity_id,
        center_id=line.center_id,
        activity_title=line.activity_title,
        center_name=line.center_name,
        reason=line.reason,
        staff_name=None if line.staff_id is None else names.get(line.staff_id),
        # An account id is for those who administer accounts; everyone else sees a name.
        staff_id=line.staff_id if show_ids else None,
        service_date=line.service_date,
        recorded_at=line.recorded_at,
    )


def _ledger_lines(
    api: Api, caller: Caller, volunteer_id: UUID, page: PageRequest, as_of: datetime | None
) -> list[LedgerLineView]:
    with api.engine.connect() as conn:
        lines = read_ledger_page(
            conn, volunteer_id, limit=page.limit + 1, offset=page.offset, as_of=as_of
        )
    names = api.app.account_names(line.staff_id for line in lines if line.staff_id)
    return [_line_view(line, names, show_ids=caller.is_administrator) for line in lines]


async def _ledger_page(
    api: Api, caller: Caller, volunteer_id: UUID, page: PageRequest, as_of: datetime | None
) -> Page[LedgerLineView]:
    instant = query_instant(as_of, "as_of")
    # Read after the caller's own writes: a check-out shows here at once.
    lines = await api.read(
        caller.account_id, _ledger_lines, api, caller, volunteer_id, page, instant
    )
    return page.page(lines)


def ledger_totals(api: Api, volunteer_id: UUID, as_of: datetime | None) -> LedgerTotals:
    with api.engine.connect() as conn:
        years = read_totals(conn, volunteer_id, "year", as_of=as_of)
        return LedgerTotals(
            volunteer_id=volunteer_id,
            balance_minutes=sum(years.values()),
            weeks=_totals(read_totals(conn, volunteer_id, "week", as_of=as_of)),
            months=_totals(read_totals(conn, volunteer_id, "month", as_of=as_of)),
            years=_totals(years),
        )


def explanation(api: Api, caller: Caller, volunteer_id: UUID, position: int) -> LineExplanation:
    with api.engine.connect() as conn:
        refs = explain_line(conn, volunteer_id, position)
    if refs is None:
        raise ApiProblem(404, "not-found", f"no line {position} in this ledger")
    events = api.app.recorded_events(refs)
    names = api.app.account_names(
        e.staff_id for e in events if isinstance(getattr(e, "staff_id", None), UUID)
    )
    show_ids = caller.is_administrator
    return LineExplanation(
        position=position,
        events=[_explained(e, names, show_ids=show_ids) for e in events],
    )


def _totals(rows: dict[str, int]) -> list[PeriodTotal]:
    return [PeriodTotal(period=name, minutes=minutes) for name, minutes in rows.items()]


def _fields_of(event: Any) -> dict[str, Any]:
    skipped = {"originator_id", "originator_version", "timestamp"}
    found = {k: v for k, v in vars(event).items() if k not in skipped and not k.startswith("_")}
    return dict(msgspec.to_builtins(found))


def _explained(event: Any, names: dict[UUID, str], *, show_ids: bool) -> ExplainedEvent:
    at = getattr(event, "at", None)
    fields = _fields_of(event)
    staff_id = getattr(event, "staff_id", None)
    if isinstance(staff_id, UUID) and not show_ids:
        # The event names the staff member's account; a volunteer is shown the name.
        del fields["staff_id"]
        fields["staff_name"] = names.get(staff_id)
    return ExplainedEvent(
        type=type(event).__qualname__,
        aggregate_id=event.originator_id,
        version=event.originator_version,
        at=at if isinstance(at, datetime) else event.timestamp,
        fields=fields,
    )


class LedgerController(Controller):
    path = "/api/v1"
    tags = ["ledger"]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/me/ledger",
        operation_id="getMyLedger",
        summary="The caller's service-hour ledger, line by line (volunteer)",
        description="Each credit or correction with the running balance, oldest first. "
        "Includes the caller's own scans at once. `as_of` shows the ledger as it stood "
        "then.",
        guards=[requires(Role.VOLUNTEER)],
        responses=problem_responses(400, 401, 403, 429),
    )
    async def my_ledger(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        as_of: AsOf = None,
    ) -> Page[LedgerLineView]:
        caller = request.user
        return await _ledger_page(api, caller, caller.volunteer_id, page, as_of)

    @get(
        "/me/ledger/totals",
        operation_id="getMyLedgerTotals",
        summary="The caller's credited minutes per week, month and year (volunteer)",
        description="A line counts toward the day its activity was scheduled to start, in "
        "the volunteer's local time; `as_of` shows the totals as they stood then.",
        guards=[requires(Role.VOLUNTEER)],
        responses=problem_responses(400, 401, 403, 429),
    )
    async def my_totals(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        as_of: AsOf = None,
    ) -> LedgerTotals:
        caller = request.user
        instant = query_instant(as_of, "as_of")
        return await api.read(caller.account_id, ledger_totals, api, caller.volunteer_id, instant)

    @get(
        "/me/ledger/lines/{position:int}/explanation",
        operation_id="explainMyLedgerLine",
        summary="The events behind one line of the caller's ledger (volunteer)",
        description="The recorded events the line was computed from, in order: for a "
        "credit the check-in and the check-out, for a correction the correction itself.",
        guards=[requires(Role.VOLUNTEER)],
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def explain(
        self,
        position: Annotated[int, PathParameter(ge=0, le=2**62)],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> LineExplanation:
        caller = request.user
        return await api.read(
            caller.account_id, explanation, api, caller, caller.volunteer_id, position
        )

    @get(
        "/volunteers/{volunteer_id:uuid}/ledger",
        operation_id="getVolunteerLedger",
        summary="A volunteer's ledger (supervisor of their unit; a volunteer: their own)",
        guards=[requires(Role.SUPERVISOR, Role.VOLUNTEER)],
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def volunteer_ledger(
        self,
        volunteer_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        as_of: AsOf = None,
    ) -> Page[LedgerLineView]:
        caller = request.user
        await api.read(None, require_volunteer, api.app, caller, volunteer_id)
        return await _ledger_page(api, caller, volunteer_id, page, as_of)


ROUTES: list[ControllerRouterHandler] = [
    VolunteeringController,
    MySignUpsController,
    LedgerController,
    *live.ROUTES,
]
