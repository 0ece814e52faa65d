"""Cadres in the field: visits to grassroots points, the "1+100" list, their "8+4"
standing, and the problems (问题反馈) they bring back.

The cadre a route acts for is always the caller's own cadre record, never one
named in the body. Visits and contacts are read from the write side (the
aggregate is the record, and it is current the moment a write returns);
standing, coverage and the open-problem list come from the read models, after
the caller's own writes have reached them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Id, Name, Phone, Reason, query_day
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.api.scope import in_unit_scope, require_cadre, require_problem, require_unit
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.application.venue_codes import render_png
from grassroots.domain.account import Role
from grassroots.domain.cadre import Cadre
from grassroots.domain.compliance import Judgement, Month, Period, PeriodKind, Year
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.problem import Problem, ProblemState
from grassroots.domain.qr_token import QrSubject, SubjectKind
from grassroots.domain.values import (
    FIRST_YEAR,
    LAST_YEAR,
    GeoPoint,
    iso_week_of,
    local_date,
    time_zone,
)
from grassroots.domain.visit import Visit
from grassroots.projections.compliance.verdicts import (
    CadreNotFound,
    Coverage,
    GoverningRules,
    cadre_standing,
    contact_coverage,
    governing_rules,
)
from grassroots.projections.problems import OpenProblem, open_problems

__all__ = ["ROUTES"]

T = TypeVar("T")

CallerRequest = Request[Caller, Token, Any]

Title = Annotated[str, Meta(min_length=1, max_length=200, examples=["村里篮球场照明坏了"])]
LongText = Annotated[
    str, Meta(min_length=1, max_length=4000, examples=["晚上打球的青年反映灯不亮，已两周"])
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
WalkOfLife = Annotated[str, Meta(min_length=1, max_length=50, examples=["外卖骑手"])]


# --- bodies ----------------------------------------------------------------------


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


class NewStandaloneProblem(msgspec.Struct, kw_only=True):
    title: Title
    description: LongText
    org_unit_id: Id


class Answer(msgspec.Struct, kw_only=True):
    answer: LongText


class Reopening(msgspec.Struct, kw_only=True):
    reason: Reason


class Rerouting(msgspec.Struct, kw_only=True):
    org_unit_id: Id
    reason: Reason


class NewContact(msgspec.Struct, kw_only=True):
    name: Name
    phone: Phone
    walk_of_life: WalkOfLife


# --- views -----------------------------------------------------------------------


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


class PointCode(msgspec.Struct, kw_only=True):
    point_id: UUID
    token: str
    expires_at: Annotated[datetime, Meta(description="When a photo of this code stops working.")]
    next_rotation_at: Annotated[datetime, Meta(description="When the screen should refresh.")]
    rotation_seconds: int


class ContactView(msgspec.Struct, kw_only=True):
    contact_id: UUID
    name: str
    phone: str
    walk_of_life: str


class Needed(msgspec.Struct, kw_only=True):
    visits: int
    days: int


class VisitJudged(msgspec.Struct, kw_only=True):
    visit_id: UUID
    counted: bool
    reason: Annotated[
        str | None,
        Meta(
            description="Why it did not count: not-ended, not-proven-on-site, "
            "not-assigned-point, too-short or same-day.",
            examples=["too-short"],
        ),
    ]


class RulesView(msgspec.Struct, kw_only=True):
    is_default: Annotated[bool, Meta(description="No rule set governs: the preset applies.")]
    rule_set_id: UUID | None
    rule_set_name: str | None
    org_unit_id: UUID | None
    version: int | None
    effective_from: date | None


class StandingView(msgspec.Struct, kw_only=True):
    cadre_id: UUID
    period: Annotated[str, Meta(examples=["2026-W10"])]
    first_day: date
    last_day: date
    status: Annotated[str, Meta(examples=["on_track"], description="met, on_track, behind, missed")]
    visits_counted: int
    visit_days: int
    counted_days: list[date]
    required_visits: int | None
    required_days: int | None
    mode: Annotated[str, Meta(examples=["either"])]
    still_needed: Needed
    remaining_workdays: int
    visits: list[VisitJudged]
    rules: RulesView


class MetContactView(msgspec.Struct, kw_only=True):
    contact_id: UUID
    name: str
    walk_of_life: str
    meetings: int
    last_met_at: datetime


class CoverageView(msgspec.Struct, kw_only=True):
    cadre_id: UUID
    year: int
    kind: str
    target: int
    listed: int
    still_to_list: int
    list_complete: bool
    met_face_to_face: int
    met: list[MetContactView]
    rules: RulesView


class AnswerView(msgspec.Struct, kw_only=True):
    answered_at: datetime
    answered_by_name: Annotated[
        str | None, Meta(description="Who answered, by the name of their account.")
    ]
    answered_by: Annotated[
        UUID | None, Meta(description="The answering account: shown to administrators only.")
    ] = None
    answer: str


class ProblemView(msgspec.Struct, kw_only=True):
    problem_id: UUID
    cadre_id: UUID
    visit_id: UUID | None
    title: str
    description: str
    org_unit_id: UUID
    state: ProblemState
    raised_at: datetime
    answers: list[AnswerView]


class OpenProblemView(msgspec.Struct, kw_only=True):
    problem_id: UUID
    title: str
    cadre_id: UUID
    visit_id: UUID | None
    org_unit_id: UUID
    state: ProblemState
    raised_at: datetime
    age_seconds: int
    times_reopened: int
    times_rerouted: int


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


def _problem_view(app: Grassroots, caller: Caller, problem: Problem) -> ProblemView:
    """The problem as ``caller`` may see it: answers name who gave them, and only an
    administrator (who administers accounts) is shown the answering account's id."""
    names = app.account_names(by for _, by, _ in problem.answers)
    show_ids = caller.is_administrator
    return ProblemView(
        problem_id=problem.id,
        cadre_id=problem.cadre_id,
        visit_id=problem.visit_id,
        title=problem.title,
        description=problem.description,
        org_unit_id=problem.org_unit_id,
        state=problem.state,
        raised_at=problem.raised_at,
        answers=[
            AnswerView(
                answered_at=at,
                answered_by_name=names.get(by),
                answered_by=by if show_ids else None,
                answer=a,
            )
            for at, by, a in problem.answers
        ],
    )


def _rules_view(rules: GoverningRules) -> RulesView:
    return RulesView(
        is_default=rules.is_default,
        rule_set_id=rules.rule_set_id,
        rule_set_name=rules.rule_set_name,
        org_unit_id=rules.org_unit_id,
        version=rules.version,
        effective_from=rules.effective_from,
    )


def _standing_view(cadre_id: UUID, judgement: Judgement, rules: GoverningRules) -> StandingView:
    return StandingView(
        cadre_id=cadre_id,
        period=judgement.period,
        first_day=judgement.first_day,
        last_day=judgement.last_day,
        status=judgement.status.value,
        visits_counted=judgement.counted_visits,
        visit_days=len(judgement.counted_days),
        counted_days=list(judgement.counted_days),
        required_visits=judgement.required_visits,
        required_days=judgement.required_days,
        mode=judgement.mode,
        still_needed=Needed(visits=judgement.still_needed.visits, days=judgement.still_needed.days),
        remaining_workdays=judgement.remaining_workdays,
        visits=[
            VisitJudged(visit_id=v.visit_id, counted=v.counted, reason=v.reason)
            for v in judgement.visits
        ],
        rules=_rules_view(rules),
    )


def _coverage_view(coverage: Coverage) -> CoverageView:
    return CoverageView(
        cadre_id=coverage.cadre_id,
        year=coverage.year,
        kind=coverage.kind,
        target=coverage.target,
        listed=coverage.listed,
        still_to_list=coverage.still_to_list,
        list_complete=coverage.list_complete,
        met_face_to_face=coverage.met_face_to_face,
        met=[
            MetContactView(
                contact_id=m.contact_id,
                name=m.name,
                walk_of_life=m.walk_of_life,
                meetings=m.meetings,
                last_met_at=m.last_met_at,
            )
            for m in coverage.met
        ],
        rules=_rules_view(coverage.rules),
    )


def _open_problem_view(found: OpenProblem) -> OpenProblemView:
    return OpenProblemView(
        problem_id=found.problem_id,
        title=found.title,
        cadre_id=found.cadre_id,
        visit_id=found.visit_id,
        org_unit_id=found.org_unit_id,
        state=found.state,
        raised_at=found.raised_at,
        age_seconds=int(found.age.total_seconds()),
        times_reopened=found.times_reopened,
        times_rerouted=found.times_rerouted,
    )


# --- the blocking parts (run through Api.read / Api.write) -----------------------


def _own_visit(app: Grassroots, caller: Caller, visit_id: UUID) -> Visit:
    """One of the caller's visits; another cadre's answers like a missing one."""
    visit = app.get(Visit, visit_id)
    if visit.cadre_id not in caller.subjects(Role.CADRE):
        raise NotFound("visit", visit_id)
    return visit


def _visible_visit(app: Grassroots, caller: Caller, visit_id: UUID) -> Visit:
    """The caller's own visit, or one by a cadre in a unit they supervise."""
    visit = app.get(Visit, visit_id)
    if visit.cadre_id in caller.subjects(Role.CADRE):
        return visit
    try:
        require_cadre(app, caller, visit.cadre_id)
    except NotFound:
        raise NotFound("visit", visit_id) from None
    return visit


def _routed_here(app: Grassroots, caller: Caller, problem_id: UUID) -> Problem:
    """A problem routed now to a unit the caller supervises.

    Not ``require_problem``: that also admits the cadre who raised it, who must
    not answer, close or reroute their own problem.
    """
    problem = app.get(Problem, problem_id)
    if not in_unit_scope(app, caller, problem.org_unit_id):
        raise NotFound("problem", problem_id)
    return problem


def _with_cadre_read_model(api: Api, query: Callable[[], T], cadre_id: UUID) -> T:
    try:
        return query()
    except CadreNotFound:
        pass
    # Registered moments ago, by someone else, so the caller's own writes say
    # nothing about it: give the read models one bounded wait for the log's head.
    if api.read_side is not None:
        head = api.app.recorder.max_notification_id() or 0
        api.read_side.wait_for(head, api.config.read_wait_seconds)
    try:
        return query()
    except CadreNotFound:
        raise NotFound("cadre", cadre_id) from None


def _standing(api: Api, cadre: Cadre, kind: PeriodKind, on: date | None) -> StandingView:
    app = api.app
    now = app.now()
    day = query_day(on) or local_date(now, time_zone(app.get(OrgUnit, cadre.org_unit_id).time_zone))
    period: Period = iso_week_of(day) if kind == "week" else Month.of(day)

    def query() -> StandingView:
        with api.engine.connect() as conn:
            judgement = cadre_standing(conn, cadre.id, period, now)
            rules = governing_rules(conn, cadre.id, period, now)
        return _standing_view(cadre.id, judgement, rules)

    return _with_cadre_read_model(api, query, cadre.id)


def _coverage(api: Api, cadre: Cadre, year: int | None) -> CoverageView:
    app = api.app
    now = app.now()
    wanted = year or local_date(now, time_zone(app.get(OrgUnit, cadre.org_unit_id).time_zone)).year
    Year(wanted)  # an impossible year is refused as the domain words it

    def query() -> CoverageView:
        with api.engine.connect() as conn:
            return _coverage_view(contact_coverage(conn, cadre.id, wanted, now))

    return _with_cadre_read_model(api, query, cadre.id)


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
        'but does not count toward "8+4".',
        opt={"rate": "scan"},
        status_code=HTTP_201_CREATED,
        responses=problem_responses(*_VISIT_ERRORS),
    )
    async def start(
        self, data: JSONBody[StartVisit], request: CallerRequest, api: ApiDep
    ) -> VisitView:
        caller = request.user
        cadre_id = caller.cadre_id
        location = (
            GeoPoint(data.lat, data.lon) if data.lat is not None and data.lon is not None else None
        )

        def run() -> VisitView:
            visit_id = api.app.start_visit(
                cadre_id,
                data.point_id,
                token=data.token,
                location=location,
                accuracy_m=data.accuracy_m,
            )
            return _visit_view(api.app.get(Visit, visit_id))

        return await api.write(caller.account_id, run)

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
        caller = request.user
        return _visit_view(await api.read(None, _visible_visit, api.app, caller, visit_id))

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

        def run() -> VisitView:
            _own_visit(api.app, caller, visit_id)
            api.app.log_visit(visit_id, data.text)
            return _visit_view(api.app.get(Visit, visit_id))

        return await api.write(caller.account_id, run)

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

        def run() -> VisitView:
            _own_visit(api.app, caller, visit_id)
            api.app.record_youth_met(visit_id, name=data.name, contact_id=data.contact_id)
            return _visit_view(api.app.get(Visit, visit_id))

        return await api.write(caller.account_id, run)

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

        def run() -> ProblemView:
            visit = _own_visit(api.app, caller, visit_id)
            unit = data.org_unit_id or api.app.get(GrassrootsPoint, visit.point_id).org_unit_id
            problem_id = api.app.raise_problem(
                visit.cadre_id,
                title=data.title,
                description=data.description,
                org_unit_id=unit,
                visit_id=visit_id,
            )
            return _problem_view(api.app, caller, api.app.get(Problem, problem_id))

        return await api.write(caller.account_id, run)

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

        def run() -> VisitView:
            _own_visit(api.app, caller, visit_id)
            api.app.end_visit(visit_id)
            return _visit_view(api.app.get(Visit, visit_id))

        return await api.write(caller.account_id, run)


def _point_code(api: Api, caller: Caller, point_id: UUID) -> PointCode:
    app = api.app
    point = app.get(GrassrootsPoint, point_id)
    # Supervisors of the point's unit only: a cadre assigned to the point must
    # not be able to show its code to themselves and scan it from anywhere.
    if not in_unit_scope(app, caller, point.org_unit_id):
        raise NotFound("grassroots_point", point_id)
    point.require_active()
    code = app.rotating_code(QrSubject(SubjectKind.POINT, point_id))
    return PointCode(
        point_id=point_id,
        token=code.token,
        expires_at=code.expires_at,
        next_rotation_at=code.replaced_at,
        rotation_seconds=app.config.qr_rotation_seconds,
    )


class PointCodeController(Controller):
    path = "/api/v1/points"
    tags = ["cadres"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012

    @get(
        "/{point_id:uuid}/code",
        operation_id="getPointCode",
        summary="The point's current rotating code, as text (supervisor of its unit)",
        description="For the point's own screen. Fetch again at `next_rotation_at`.",
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
    ) -> bytes:
        def run() -> bytes:
            return render_png(_point_code(api, request.user, point_id).token)

        return await api.read(None, run)


class MyCadreController(Controller):
    path = "/api/v1/me"
    tags = ["cadres"]  # noqa: RUF012
    guards = [requires(Role.CADRE)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/contacts",
        operation_id="listMyContacts",
        summary='The caller\'s "1+100" direct-contact list, in the order added (cadre)',
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def contacts(
        self, request: CallerRequest, api: ApiDep, page: NamedDependency[PageRequest]
    ) -> Page[ContactView]:
        cadre_id = request.user.cadre_id
        cadre = await api.read(None, api.app.get, Cadre, cadre_id)
        listed = list(cadre.contacts.values())[page.offset : page.offset + page.limit + 1]
        return page.page(
            [
                ContactView(
                    contact_id=c.id, name=c.name, phone=c.phone, walk_of_life=c.walk_of_life
                )
                for c in listed
            ]
        )

    @post(
        "/contacts",
        operation_id="addMyContact",
        summary='Put a youth on the caller\'s "1+100" list (cadre)',
        description="One entry per phone number.",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def add_contact(
        self, data: JSONBody[NewContact], request: CallerRequest, api: ApiDep
    ) -> ContactView:
        caller = request.user
        cadre_id = caller.cadre_id

        def run() -> ContactView:
            contact_id = api.app.add_contact(
                cadre_id, name=data.name, phone=data.phone, walk_of_life=data.walk_of_life
            )
            c = api.app.get(Cadre, cadre_id).contacts[contact_id]
            return ContactView(
                contact_id=c.id, name=c.name, phone=c.phone, walk_of_life=c.walk_of_life
            )

        return await api.write(caller.account_id, run)

    @delete(
        "/contacts/{contact_id:uuid}",
        operation_id="removeMyContact",
        summary='Take a youth off the caller\'s "1+100" list, with a reason (cadre)',
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def remove_contact(
        self,
        contact_id: FromPath[UUID],
        reason: Annotated[str, Parameter(min_length=1, max_length=500)],
        request: CallerRequest,
        api: ApiDep,
    ) -> None:
        caller = request.user
        await api.write(
            caller.account_id,
            lambda: api.app.remove_contact(caller.cadre_id, contact_id, reason=reason),
        )

    @get(
        "/standing",
        operation_id="getMyStanding",
        summary='The caller\'s "8+4" standing this week or month (cadre)',
        description="Visit days, visits counted, the requirement, the status, why each "
        "visit did or did not count and what is still needed. `date` picks the week "
        "or month holding it (today in the cadre's unit by default).",
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def standing(
        self,
        request: CallerRequest,
        api: ApiDep,
        period: FromQuery[PeriodKind] = "week",
        on: Annotated[date | None, QueryParameter(name="date")] = None,
    ) -> StandingView:
        caller = request.user
        cadre_id = caller.cadre_id

        def run() -> StandingView:
            return _standing(api, api.app.get(Cadre, cadre_id), period, on)

        return await api.read(caller.account_id, run)

    @get(
        "/coverage",
        operation_id="getMyCoverage",
        summary='The caller\'s "1+100" coverage in a year (cadre)',
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def coverage(
        self,
        request: CallerRequest,
        api: ApiDep,
        year: Annotated[int | None, Parameter(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    ) -> CoverageView:
        caller = request.user
        cadre_id = caller.cadre_id

        def run() -> CoverageView:
            return _coverage(api, api.app.get(Cadre, cadre_id), year)

        return await api.read(caller.account_id, run)


class CadreController(Controller):
    path = "/api/v1/cadres"
    tags = ["cadres"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR, Role.CADRE)]  # noqa: RUF012

    @get(
        "/{cadre_id:uuid}/standing",
        operation_id="getCadreStanding",
        summary='A cadre\'s "8+4" standing (supervisor of the subtree; cadre: own)',
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def standing(
        self,
        cadre_id: FromPath[UUID],
        request: CallerRequest,
        api: ApiDep,
        period: FromQuery[PeriodKind] = "week",
        on: Annotated[date | None, QueryParameter(name="date")] = None,
    ) -> StandingView:
        caller = request.user

        def run() -> StandingView:
            return _standing(api, require_cadre(api.app, caller, cadre_id), period, on)

        return await api.read(caller.account_id, run)

    @get(
        "/{cadre_id:uuid}/coverage",
        operation_id="getCadreCoverage",
        summary='A cadre\'s "1+100" coverage (supervisor of the subtree; cadre: own)',
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def coverage(
        self,
        cadre_id: FromPath[UUID],
        request: CallerRequest,
        api: ApiDep,
        year: Annotated[int | None, Parameter(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
    ) -> CoverageView:
        caller = request.user

        def run() -> CoverageView:
            return _coverage(api, require_cadre(api.app, caller, cadre_id), year)

        return await api.read(caller.account_id, run)


class ProblemController(Controller):
    path = "/api/v1/problems"
    tags = ["problems"]  # noqa: RUF012

    @post(
        operation_id="raiseProblem",
        summary="Raise a problem outside a visit (cadre)",
        guards=[requires(Role.CADRE)],
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def raise_problem(
        self, data: JSONBody[NewStandaloneProblem], request: CallerRequest, api: ApiDep
    ) -> ProblemView:
        caller = request.user
        cadre_id = caller.cadre_id

        def run() -> ProblemView:
            problem_id = api.app.raise_problem(
                cadre_id,
                title=data.title,
                description=data.description,
                org_unit_id=data.org_unit_id,
            )
            return _problem_view(api.app, caller, api.app.get(Problem, problem_id))

        return await api.write(caller.account_id, run)

    @get(
        "/{problem_id:uuid}",
        operation_id="getProblem",
        summary="A problem with its answers (cadre who raised it; supervisor of its unit)",
        guards=[requires(Role.CADRE, Role.SUPERVISOR)],
        responses=problem_responses(401, 403, 404, 429),
    )
    async def problem(
        self, problem_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> ProblemView:
        caller = request.user

        def query() -> ProblemView:
            return _problem_view(api.app, caller, require_problem(api.app, caller, problem_id))

        return await api.read(None, query)

    @post(
        "/{problem_id:uuid}/answer",
        operation_id="answerProblem",
        summary="Answer a problem routed to one's unit (supervisor of that unit)",
        guards=[requires(Role.SUPERVISOR)],
        status_code=HTTP_200_OK,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def answer(
        self,
        problem_id: FromPath[UUID],
        data: JSONBody[Answer],
        request: CallerRequest,
        api: ApiDep,
    ) -> ProblemView:
        caller = request.user

        def run() -> ProblemView:
            _routed_here(api.app, caller, problem_id)
            api.app.answer_problem(problem_id, answer=data.answer, answered_by=caller.account_id)
            return _problem_view(api.app, caller, api.app.get(Problem, problem_id))

        return await api.write(caller.account_id, run)

    @post(
        "/{problem_id:uuid}/close",
        operation_id="closeProblem",
        summary="Close an answered problem routed to one's unit (supervisor of that unit)",
        guards=[requires(Role.SUPERVISOR)],
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def close(
        self, problem_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> ProblemView:
        caller = request.user

        def run() -> ProblemView:
            _routed_here(api.app, caller, problem_id)
            api.app.close_problem(problem_id, closed_by=caller.account_id)
            return _problem_view(api.app, caller, api.app.get(Problem, problem_id))

        return await api.write(caller.account_id, run)

    @post(
        "/{problem_id:uuid}/reopen",
        operation_id="reopenProblem",
        summary="Reopen a closed problem one raised, with a reason (cadre who raised it)",
        guards=[requires(Role.CADRE)],
        status_code=HTTP_200_OK,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def reopen(
        self,
        problem_id: FromPath[UUID],
        data: JSONBody[Reopening],
        request: CallerRequest,
        api: ApiDep,
    ) -> ProblemView:
        caller = request.user

        def run() -> ProblemView:
            problem = require_problem(api.app, caller, problem_id)
            own = caller.subjects(Role.CADRE)
            # A supervisor who is also a cadre sees the problem, but only its
            # own raiser may reopen it: the domain says so with its own code.
            reopened_by = problem.cadre_id if problem.cadre_id in own else caller.cadre_id
            api.app.reopen_problem(problem_id, reason=data.reason, reopened_by=reopened_by)
            return _problem_view(api.app, caller, api.app.get(Problem, problem_id))

        return await api.write(caller.account_id, run)

    @post(
        "/{problem_id:uuid}/reroute",
        operation_id="rerouteProblem",
        summary="Send a problem to another unit, with a reason (supervisor of its unit)",
        guards=[requires(Role.SUPERVISOR)],
        status_code=HTTP_200_OK,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def reroute(
        self,
        problem_id: FromPath[UUID],
        data: JSONBody[Rerouting],
        request: CallerRequest,
        api: ApiDep,
    ) -> ProblemView:
        caller = request.user

        def run() -> ProblemView:
            _routed_here(api.app, caller, problem_id)
            api.app.reroute_problem(problem_id, org_unit_id=data.org_unit_id, reason=data.reason)
            return _problem_view(api.app, caller, api.app.get(Problem, problem_id))

        return await api.write(caller.account_id, run)


class UnitProblemsController(Controller):
    path = "/api/v1/org-units"
    tags = ["problems"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/problems",
        operation_id="listOpenProblems",
        summary="Problems not yet closed in a unit's subtree, oldest first (supervisor)",
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def open_problems(
        self,
        org_unit_id: FromPath[UUID],
        request: CallerRequest,
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> Page[OpenProblemView]:
        caller = request.user

        def run() -> list[OpenProblem]:
            require_unit(api.app, caller, org_unit_id)
            with api.engine.connect() as conn:
                return open_problems(
                    conn, org_unit_id, api.app.now(), limit=page.limit + 1, offset=page.offset
                )

        found = await api.read(caller.account_id, run)
        return page.page([_open_problem_view(p) for p in found])


ROUTES: list[ControllerRouterHandler] = [
    VisitController,
    PointCodeController,
    MyCadreController,
    CadreController,
    ProblemController,
    UnitProblemsController,
]
