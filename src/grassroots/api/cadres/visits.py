"""A cadre's visits to grassroots points: started with proof of presence, logged,
ended. Read from the write side: the aggregate is current the moment a write returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.cadres.views import (
    CallerRequest,
    LongText,
    ProblemView,
    Title,
    problem_view,
)
from grassroots.api.context import ApiDep
from grassroots.api.fields import Id, Name
from grassroots.api.problems import problem_responses
from grassroots.api.scope import require_cadre
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.problem import Problem
from grassroots.domain.values import GeoPoint
from grassroots.domain.visit import Visit

__all__ = [
    "LogEntry",
    "NewProblem",
    "StartVisit",
    "VisitController",
    "YouthMet",
    "end_own_visit",
    "own_visit",
    "raise_problem_on_visit",
    "record_youth",
    "start_visit",
    "visible_visit",
    "write_log",
]

QrText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=100,
        description="The text of the point's rotating code, as scanned.",
        examples=["AECG6KRIJN6U6D4RVJBCZUNLTY3QAAAAAAEQUVJWQDZ3BIYVZN5WVAVK"],
    ),
]
Latitude = Annotated[float, Meta(ge=-90, le=90, examples=[40.8426])]
Longitude = Annotated[float, Meta(ge=-180, le=180, examples=[111.7492])]
Accuracy = Annotated[
    float,
    Meta(
        ge=0,
        le=100_000,
        description="The fix's accuracy in metres.",
        examples=[25.0],
        # The document generator drops a bound of zero (it is falsy); say it again.
        extra_json_schema={"extra": {"minimum": 0}},
    ),
]


class StartVisit(msgspec.Struct, kw_only=True):
    """Proof of presence: the point's code (``token``) or a location with its accuracy."""

    point_id: Id
    token: QrText | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    accuracy_m: Accuracy | None = None


class LogEntry(msgspec.Struct, kw_only=True):
    text: LongText


class YouthMet(msgspec.Struct, kw_only=True):
    name: Name
    contact_id: Annotated[
        UUID | None,
        Meta(description="The youth's entry on the caller's \"1+100\" list, if listed."),
    ] = None


class NewProblem(msgspec.Struct, kw_only=True):
    title: Title
    description: LongText
    org_unit_id: Annotated[
        UUID | None,
        Meta(description="The unit that must answer; by default the visited point's unit."),
    ] = None


class LogLine(msgspec.Struct, kw_only=True):
    at: datetime
    text: str


class YouthMetView(msgspec.Struct, kw_only=True):
    name: str
    contact_id: UUID | None


class VisitView(msgspec.Struct, kw_only=True):
    visit_id: UUID
    cadre_id: UUID
    point_id: UUID
    proof: Annotated[str, Meta(examples=["qr"], description='"qr" or "geofence".')]
    point_was_assigned: bool
    started_at: datetime
    ended_at: datetime | None
    log: list[LogLine]
    youths_met: list[YouthMetView]
    problem_ids: list[UUID]


def _visit_view(visit: Visit) -> VisitView:
    return VisitView(
        visit_id=visit.id,
        cadre_id=visit.cadre_id,
        point_id=visit.point_id,
        proof=visit.proof,
        point_was_assigned=visit.point_was_assigned,
        started_at=visit.started_at,
        ended_at=visit.ended_at,
        log=[LogLine(at=at, text=text) for at, text in visit.log],
        youths_met=[YouthMetView(name=n, contact_id=c) for c, n in visit.youths_met],
        problem_ids=list(visit.problem_ids),
    )


# --- the blocking parts (run through Api.read / Api.write) -----------------------
# The routes below and the cadre's pages (grassroots.pages.cadre) both write through these.


def own_visit(app: Grassroots, caller: Caller, visit_id: UUID) -> Visit:
    """One of the caller's visits; another cadre's answers like a missing one."""
    visit = app.get(Visit, visit_id)
    if visit.cadre_id not in caller.subjects(Role.CADRE):
        raise NotFound("visit", visit_id)
    return visit


def visible_visit(app: Grassroots, caller: Caller, visit_id: UUID) -> VisitView:
    """The caller's own visit, or one by a cadre in a unit they supervise."""
    visit = app.get(Visit, visit_id)
    if visit.cadre_id in caller.subjects(Role.CADRE):
        return _visit_view(visit)
    try:
        require_cadre(app, caller, visit.cadre_id)
    except NotFound:
        raise NotFound("visit", visit_id) from None
    return _visit_view(visit)


def start_visit(
    app: Grassroots, cadre_id: UUID, data: StartVisit, seen_at: datetime | None = None
) -> VisitView:
    """``seen_at``: a scan the start page held (the server saw the code on this phone)."""
    location = (
        GeoPoint(data.lat, data.lon) if data.lat is not None and data.lon is not None else None
    )
    visit_id = app.start_visit(
        cadre_id,
        data.point_id,
        token=data.token,
        location=location,
        accuracy_m=data.accuracy_m,
        seen_at=seen_at,
    )
    return _visit_view(app.get(Visit, visit_id))


def write_log(app: Grassroots, caller: Caller, visit_id: UUID, data: LogEntry) -> VisitView:
    own_visit(app, caller, visit_id)
    app.log_visit(visit_id, data.text)
    return _visit_view(app.get(Visit, visit_id))


def record_youth(app: Grassroots, caller: Caller, visit_id: UUID, data: YouthMet) -> VisitView:
    own_visit(app, caller, visit_id)
    app.record_youth_met(visit_id, name=data.name, contact_id=data.contact_id)
    return _visit_view(app.get(Visit, visit_id))


def raise_problem_on_visit(
    app: Grassroots, caller: Caller, visit_id: UUID, data: NewProblem
) -> ProblemView:
    visit = own_visit(app, caller, visit_id)
    unit = data.org_unit_id or app.get(GrassrootsPoint, visit.point_id).org_unit_id
    problem_id = app.raise_problem(
        visit.cadre_id,
        title=data.title,
        description=data.description,
        org_unit_id=unit,
        visit_id=visit_id,
    )
    return problem_view(app, caller, app.get(Problem, problem_id))


def end_own_visit(app: Grassroots, caller: Caller, visit_id: UUID) -> VisitView:
    own_visit(app, caller, visit_id)
    app.end_visit(visit_id)
    return _visit_view(app.get(Visit, visit_id))


# --- routes ----------------------------------------------------------------------

_VISIT_ERRORS = (400, 401, 403, 404, 409, 422, 429)


class VisitController(Controller):
    path = "/api/v1/visits"
    tags = ["cadres"]  # noqa: RUF012
    # Guards per route, not here: a controller's guards add to each route's, and
    # supervisors read visits too.

    @post(
        operation_id="startVisit",
        guards=[requires(Role.CADRE)],
        summary="Start a visit at a grassroots point (cadre)",
        description="Presence is proven by scanning the point's rotating code (`token`) or, "
        "failing that, by a location inside the point's geofence (`lat`, `lon`, "
        "`accuracy_m`). A visit to a point not assigned to the cadre is recorded "
        'but does not count toward "8+4". One visit is under way at a time: a second '
        "start at the same point answers the visit under way (201, nothing written); a "
        "start at another point is refused with 409 `visit-under-way` until it has ended.",
        opt={"rate": "scan"},
        status_code=HTTP_201_CREATED,
        responses=problem_responses(*_VISIT_ERRORS),
    )
    async def start(
        self, data: JSONBody[StartVisit], request: CallerRequest, api: ApiDep
    ) -> VisitView:
        caller = request.user
        return await api.write(caller.account_id, start_visit, api.app, caller.cadre_id, data)

    @get(
        "/{visit_id:uuid}",
        operation_id="getVisit",
        summary="A visit with its log, youths met and problems (cadre: own; supervisor)",
        guards=[requires(Role.CADRE, Role.SUPERVISOR)],
        responses=problem_responses(401, 403, 404, 429),
    )
    async def visit(
        self, visit_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> VisitView:
        return await api.read(None, visible_visit, api.app, request.user, visit_id)

    @post(
        "/{visit_id:uuid}/log",
        operation_id="writeVisitLog",
        guards=[requires(Role.CADRE)],
        summary="Add to the written log of one's visit under way (cadre)",
        status_code=HTTP_200_OK,
        responses=problem_responses(*_VISIT_ERRORS),
    )
    async def write_log(
        self,
        visit_id: FromPath[UUID],
        data: JSONBody[LogEntry],
        request: CallerRequest,
        api: ApiDep,
    ) -> VisitView:
        caller = request.user
        return await api.write(caller.account_id, write_log, api.app, caller, visit_id, data)

    @post(
        "/{visit_id:uuid}/youths-met",
        operation_id="recordYouthMet",
        guards=[requires(Role.CADRE)],
        summary="Record a youth met face to face during one's visit (cadre)",
        description='`contact_id` links a youth on the caller\'s "1+100" list; meetings '
        "with listed youths count toward the list's coverage.",
        status_code=HTTP_200_OK,
        responses=problem_responses(*_VISIT_ERRORS),
    )
    async def youth_met(
        self,
        visit_id: FromPath[UUID],
        data: JSONBody[YouthMet],
        request: CallerRequest,
        api: ApiDep,
    ) -> VisitView:
        caller = request.user
        return await api.write(caller.account_id, record_youth, api.app, caller, visit_id, data)

    @post(
        "/{visit_id:uuid}/problems",
        operation_id="raiseVisitProblem",
        guards=[requires(Role.CADRE)],
        summary="Raise a problem during one's visit (cadre)",
        description="The problem goes to `org_unit_id`, by default the visited point's unit.",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(*_VISIT_ERRORS),
    )
    async def raise_problem(
        self,
        visit_id: FromPath[UUID],
        data: JSONBody[NewProblem],
        request: CallerRequest,
        api: ApiDep,
    ) -> ProblemView:
        caller = request.user
        return await api.write(
            caller.account_id, raise_problem_on_visit, api.app, caller, visit_id, data
        )

    @post(
        "/{visit_id:uuid}/end",
        operation_id="endVisit",
        guards=[requires(Role.CADRE)],
        summary="End one's visit (cadre)",
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 422, 429),
    )
    async def end(self, visit_id: FromPath[UUID], request: CallerRequest, api: ApiDep) -> VisitView:
        caller = request.user
        return await api.write(caller.account_id, end_own_visit, api.app, caller, visit_id)
