"""The cadre's phone: start a visit from the point's code, work the visit, see my standing.

A grassroots point's screen shows a code encoding ``<PUBLIC URL>/P/<TOKEN>``
(``grassroots.api.cadres.point_codes``), so the phone's camera, WeChat's scanner
or the in-app scanner (``/scan``) opens ``/P/<TOKEN>`` here. One tap starts the
visit through the API's own ``start_visit`` (the token is the proof of presence,
so no location is asked for). The visit page writes the log, records youths met,
raises problems and ends the visit through the same functions as
``/api/v1/visits/...``, which check the visit is the caller's own.

``/cadre/`` shows the "8+4" standing this week and month and the "1+100"
coverage from the API's ``own_standing`` / ``own_coverage``, read after the
caller's own writes reached the read models, and the latest visits from the
compliance read model (``recent_visits``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller
from grassroots.api.cadres.standing import CoverageView, StandingView, own_coverage, own_standing
from grassroots.api.cadres.visits import (
    LogEntry,
    NewProblem,
    StartVisit,
    YouthMet,
    end_own_visit,
    own_visit,
    raise_problem_on_visit,
    record_youth,
    start_visit,
    write_log,
)
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.cadre import Cadre
from grassroots.domain.cadre_presence import VisitUnderWay
from grassroots.domain.compliance import Month, long_enough
from grassroots.domain.errors import CodedError, TokenExpired, TokenRejected
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.problem import Problem
from grassroots.domain.qr_token import POINT_PATH, QrSubject, SubjectKind, scanned_subject
from grassroots.domain.values import local_date, time_zone
from grassroots.domain.visit import Visit
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import page
from grassroots.pages.held_scans import HeldScansDep
from grassroots.pages.sessions import PageSessions, SessionsDep
from grassroots.projections.compliance.verdicts import (
    CadreNotFound,
    governing_rules,
    recent_visits,
)
from grassroots.projections.grassroots_points import point_row

__all__ = ["REFUSALS", "ROUTES", "refusal_key"]

HOME = "/cadre/"

# The domain's and the application's refusal codes, in a cadre's words. A code
# missing here still gets a sentence (``cadre.refused.other``).
REFUSALS: dict[str, str] = {
    "token-stale": "cadre.refused.stale",
    "token-from-future": "cadre.refused.stale",
    "token-forged": "cadre.refused.not_ours",
    "token-wrong-length": "cadre.refused.not_ours",
    "token-alphabet": "cadre.refused.not_ours",
    "token-not-text": "cadre.refused.not_ours",
    "token-not-base32": "cadre.refused.not_ours",
    "token-version-unknown": "cadre.refused.not_ours",
    "token-kind-unknown": "cadre.refused.not_ours",
    "token-other-kind": "cadre.refused.not_point",
    "point-retired": "cadre.refused.point_retired",
    "visit-ended": "cadre.refused.visit_ended",
    "visit-under-way": "cadre.refused.visit_under_way",
    "visit-log-full": "cadre.refused.log_full",
    "contact-not-listed": "cadre.refused.contact_not_listed",
    "end-before-last-entry": "cadre.refused.clock",
    "before-visit-start": "cadre.refused.clock",
}


def refusal_key(error: Exception) -> str:
    """The sentence (a words key) for why a visit's step was refused."""
    if isinstance(error, TokenExpired):
        return "cadre.refused.stale"
    if isinstance(error, NotFound):
        return "cadre.refused.missing"
    if isinstance(error, ApiProblem) and error.status_code == 429:
        return "cadre.refused.busy"
    if isinstance(error, CodedError):
        return REFUSALS.get(error.code, "cadre.refused.other")
    return "cadre.refused.other"


# --- what the pages show (blocking: run through Api.read) -------------------------


@dataclass(frozen=True)
class VisitLine:
    visit_id: UUID
    point_name: str
    started_at: datetime
    ended_at: datetime | None
    # As this month's (or week's) judgement has it; None for a visit outside both.
    counted: bool | None = None
    # Why it did not count (the judgement's reason code), if it did not.
    reason: str | None = None


@dataclass(frozen=True)
class Standing:
    week: StandingView
    month: StandingView
    coverage: CoverageView
    under_way: VisitLine | None
    recent: list[VisitLine]


@dataclass(frozen=True)
class VisitPage:
    visit: Visit
    point_name: str
    problems: list[Problem]
    contacts: list[tuple[UUID, str]]
    # While under way and still shorter than the cadre's rules ask of a visit that
    # counts: the minutes so far and the minimum (ending now would not count).
    short: tuple[int, int] | None = None


def _point_names(app: Grassroots, point_ids: set[UUID]) -> dict[UUID, str]:
    return {point_id: app.get(GrassrootsPoint, point_id).name for point_id in point_ids}


def _standing(api: Api, cadre_id: UUID) -> Standing:
    week = own_standing(api, cadre_id, "week", None)
    month = own_standing(api, cadre_id, "month", None)
    coverage = own_coverage(api, cadre_id, None)
    with api.engine.connect() as conn:
        facts = recent_visits(conn, cadre_id, limit=8)
    names = _point_names(api.app, {f.point_id for f in facts})
    # The month first: a week straddling two months has visits of the month before.
    judged = {v.visit_id: v for v in (*week.visits, *month.visits)}
    # A recent visit of an earlier month is judged with its own month, so the label
    # saying why it did not count ("too short") stays on it after the month ends.
    zone = time_zone(api.app.get(OrgUnit, api.app.get(Cadre, cadre_id).org_unit_id).time_zone)
    earlier = {
        local_date(f.started_at, zone).replace(day=1)
        for f in facts
        if f.visit_id not in judged and f.ended_at is not None
    }
    for first_day in sorted(earlier):
        judged |= {v.visit_id: v for v in own_standing(api, cadre_id, "month", first_day).visits}
    lines = [
        VisitLine(
            f.visit_id,
            names[f.point_id],
            f.started_at,
            f.ended_at,
            counted=judged[f.visit_id].counted if f.visit_id in judged else None,
            reason=judged[f.visit_id].reason if f.visit_id in judged else None,
        )
        for f in facts
    ]
    under_way = next((line for line in lines if line.ended_at is None), None)
    return Standing(week, month, coverage, under_way, [v for v in lines if v is not under_way])


def _visit_page(api: Api, caller: Caller, visit_id: UUID) -> VisitPage:
    app = api.app
    visit = own_visit(app, caller, visit_id)
    cadre = app.get(Cadre, visit.cadre_id)
    return VisitPage(
        visit=visit,
        point_name=app.get(GrassrootsPoint, visit.point_id).name,
        problems=[app.get(Problem, problem_id) for problem_id in visit.problem_ids],
        contacts=[(c.id, c.name) for c in cadre.contacts.values()],
        short=None if visit.is_ended else _short_so_far(api, cadre, visit),
    )


def _short_so_far(api: Api, cadre: Cadre, visit: Visit) -> tuple[int, int] | None:
    """(minutes so far, the minimum) while ending now would be too short to count,
    by the rules governing the month the visit started in; else None."""
    now = api.app.now()
    zone = time_zone(api.app.get(OrgUnit, cadre.org_unit_id).time_zone)
    month = Month.of(local_date(visit.started_at, zone))
    try:
        with api.engine.connect() as conn:
            terms = governing_rules(conn, cadre.id, month, now).terms
    except CadreNotFound:  # registered moments ago: the read models have not seen it yet
        return None
    if long_enough(visit.started_at, now, terms):
        return None
    return int((now - visit.started_at).total_seconds() // 60), terms.min_visit_minutes


@dataclass(frozen=True)
class StartPoint:
    name: str
    # The point's unit and the one above it ("东风镇 / 光明村"): two villages of one
    # county may share a name, and so may their points.
    place: str
    # Whether the point is one of the cadre's own: said before the visit starts,
    # since a visit elsewhere is recorded but does not count.
    assigned: bool


def _start_point(api: Api, cadre_id: UUID | None, point_id: UUID) -> StartPoint:
    point = api.app.get(GrassrootsPoint, point_id)
    # Its place as the points read model names it (the points list names it so too).
    with api.engine.connect() as conn:
        row = point_row(conn, point_id)
    place = "" if row is None else row.place
    assigned = cadre_id is None or api.app.get(Cadre, cadre_id).is_assigned_to(point_id)
    return StartPoint(point.name, place, assigned)


def _local(app: Grassroots) -> LocalClock:
    return local_clock(ZoneInfo(app.config.time_zone), "%m-%d %H:%M")


# --- who may open them ------------------------------------------------------------


def _log_in(path: str) -> Redirect:
    return Redirect(f"/login?next={quote(path, safe='')}", status_code=HTTP_303_SEE_OTHER)


async def _cadre(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """The logged-in cadre; logged out, the log-in that comes back here; anyone
    else (a volunteer, staff, an administrator with no cadre record) finds no page."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return _log_in(request.url.path)
    if not caller.subjects(Role.CADRE):
        raise NotFoundException()
    return caller


def _page(
    request: Request[Any, Any, Any],
    api: Api,
    template: str,
    caller: Caller,
    *,
    status: int = 200,
    **context: Any,
) -> Template:
    return page(request, template, caller=caller, status=status, local=_local(api.app), **context)


# --- routes -----------------------------------------------------------------------


@get(HOME, name="cadre-home")
async def cadre_home(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return _log_in(request.url.path)
    if not caller.subjects(Role.CADRE):
        if not caller.is_administrator:
            raise NotFoundException()
        # Administrators open every role's screen (as in the API), but this one
        # shows a cadre's own record, which their account does not have.
        return _page(request, api, "cadre/home.html", caller, standing=None, ended=False)
    standing = await api.read(caller.account_id, _standing, api, caller.cadre_id)
    return _page(
        request,
        api,
        "cadre/home.html",
        caller,
        standing=standing,
        ended=request.query_params.get("ended") == "1",
    )


def _point_of(api: Api, token: str) -> tuple[UUID | None, str | None]:
    """The point a scanned token names, or the words key saying why there is none."""
    try:
        subject = scanned_subject(token, secret=api.app.config.secret_key)
    except TokenRejected as refused:
        return None, refusal_key(refused)
    if subject.kind is not SubjectKind.POINT:
        return None, "cadre.refused.not_point"
    return subject.id, None


async def _start_page(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    token: str,
    point_id: UUID | None,
    *,
    status: int = 200,
    refused: str | None = None,
    under_way: UUID | None = None,
) -> Template:
    point = None
    if point_id is not None:
        # An administrator without a cadre record of their own is told so elsewhere.
        cadre_id = caller.cadre_id if caller.has(Role.CADRE) else None
        try:
            point = await api.read(None, _start_point, api, cadre_id, point_id)
        except NotFound:
            refused, status = "cadre.refused.missing", 404
    return _page(
        request,
        api,
        "cadre/start.html",
        caller,
        status=status,
        action=f"{POINT_PATH}{token}",
        point=point,
        refused=refused,
        under_way=under_way,
    )


@get(f"{POINT_PATH}{{token:str}}", name="cadre-point")
async def point_page(
    token: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
    held_scans: HeldScansDep,
) -> Template | Redirect:
    caller = await _cadre(request, api, sessions)
    point_id, refused = _point_of(api, token)
    # Opened while the code is on the screen, logged in or on the way to log in: hold
    # the scan on this phone, so the start still holds once the code has changed.
    seen_at = (
        None
        if point_id is None
        else api.app.code_seen_fresh(QrSubject(SubjectKind.POINT, point_id), token)
    )
    answer: Template | Redirect
    if isinstance(caller, Redirect):
        answer = caller
    else:
        answer = await _start_page(
            request, api, caller, token, point_id, status=400 if refused else 200, refused=refused
        )
    if seen_at is not None:
        answer.cookies.append(held_scans.cookie(token, seen_at, POINT_PATH))
    return answer


@post(f"{POINT_PATH}{{token:str}}", name="cadre-start-visit", opt={"rate": "scan"})
async def start(
    token: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
    held_scans: HeldScansDep,
) -> Template | Redirect:
    caller = await _cadre(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    point_id, refused = _point_of(api, token)
    if point_id is None:
        return await _start_page(request, api, caller, token, None, status=400, refused=refused)
    given = StartVisit(point_id=point_id, token=token)
    try:
        visit = await api.write(
            caller.account_id,
            start_visit,
            api.app,
            caller.cadre_id,
            given,
            held_scans.seen_at(request, token),
        )
    except (CodedError, ApiProblem) as error:
        status = error.status_code if isinstance(error, ApiProblem) else 409
        # The visit under way elsewhere is one tap away: that is where it gets ended.
        under_way = error.visit_id if isinstance(error, VisitUnderWay) else None
        return await _start_page(
            request,
            api,
            caller,
            token,
            point_id,
            status=status,
            refused=refusal_key(error),
            under_way=under_way,
        )
    return Redirect(f"/cadre/visits/{visit.visit_id}", status_code=HTTP_303_SEE_OTHER)


async def _show_visit(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    visit_id: UUID,
    *,
    status: int = 200,
    refused: str | None = None,
    confirm_short: bool = False,
) -> Template:
    try:
        shown = await api.read(None, _visit_page, api, caller, visit_id)
    except NotFound:
        raise NotFoundException() from None
    return _page(
        request,
        api,
        "cadre/visit.html",
        caller,
        status=status,
        shown=shown,
        visit=shown.visit,
        refused=refused,
        confirm_short=confirm_short,
    )


@get("/cadre/visits/{visit_id:uuid}", name="cadre-visit")
async def visit_page(
    visit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _cadre(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _show_visit(request, api, caller, visit_id)


def _field(form: Any, name: str) -> str:
    return str(form.get(name, "")).strip()


async def _step(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    visit_id: UUID,
    build: Any,
    command: Any,
    *,
    then: str | None = None,
) -> Template | Redirect:
    """One of the visit page's forms: check the caller, read the form into the API's
    body (same bounds), write through the API's own function, and go back to the
    visit (or ``then``); a refusal shows the visit again with the reason."""
    caller = await _cadre(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    form = await request.form()
    try:
        body = build(form)
    except (msgspec.ValidationError, ValueError):
        return await _show_visit(
            request, api, caller, visit_id, status=400, refused="cadre.refused.incomplete"
        )
    args = () if body is None else (body,)
    try:
        await api.write(caller.account_id, command, api.app, caller, visit_id, *args)
    except NotFound:
        raise NotFoundException() from None
    except (CodedError, ApiProblem) as error:
        status = error.status_code if isinstance(error, ApiProblem) else 409
        return await _show_visit(
            request, api, caller, visit_id, status=status, refused=refusal_key(error)
        )
    return Redirect(then or f"/cadre/visits/{visit_id}", status_code=HTTP_303_SEE_OTHER)


def _log_entry(form: Any) -> LogEntry:
    return msgspec.convert({"text": _field(form, "text")}, LogEntry)


def _youth(form: Any) -> YouthMet:
    given: dict[str, Any] = {"name": _field(form, "name")}
    if contact := _field(form, "contact_id"):
        given["contact_id"] = contact
    return msgspec.convert(given, YouthMet, strict=False)


def _no_body(_form: Any) -> None:
    return None


def _problem(form: Any) -> NewProblem:
    given = {"title": _field(form, "title"), "description": _field(form, "description")}
    return msgspec.convert(given, NewProblem)


@post("/cadre/visits/{visit_id:uuid}/log", name="cadre-visit-log")
async def log(
    visit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _step(request, api, sessions, visit_id, _log_entry, write_log)


@post("/cadre/visits/{visit_id:uuid}/youths", name="cadre-visit-youth")
async def youth(
    visit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _step(request, api, sessions, visit_id, _youth, record_youth)


@post("/cadre/visits/{visit_id:uuid}/problems", name="cadre-visit-problem")
async def problem(
    visit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _step(request, api, sessions, visit_id, _problem, raise_problem_on_visit)


@post("/cadre/visits/{visit_id:uuid}/end", name="cadre-visit-end")
async def end(
    visit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    if form.get("short") != "confirmed":
        # Ending a visit too short to count takes the button that says so: any other
        # end is answered with that question, and nothing is written.
        caller = await _cadre(request, api, sessions)
        if isinstance(caller, Redirect):
            return caller
        try:
            shown = await api.read(None, _visit_page, api, caller, visit_id)
        except NotFound:
            raise NotFoundException() from None
        if shown.short is not None:
            return await _show_visit(request, api, caller, visit_id, confirm_short=True)
    return await _step(
        request, api, sessions, visit_id, _no_body, end_own_visit, then=f"{HOME}?ended=1"
    )


ROUTES = [cadre_home, point_page, start, visit_page, log, youth, problem, end]
