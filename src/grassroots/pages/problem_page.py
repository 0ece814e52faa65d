"""A problem (问题反馈) as a page: what was raised, where it is routed, every answer;
answering and closing it (a supervisor of the unit it is routed to), reopening it
with a reason (the cadre who raised it).

Whoever ``GET /api/v1/problems/{id}`` lets read it opens it here (its raiser, a
supervisor in scope, an administrator); anyone else finds the missing page. Every
read and write goes through the API's own functions in
``grassroots.api.cadres.raised_problems``, so the scope and the rules are the API's:
the page shows a button where ``problem_steps`` says the step is open, and a
refusal shows the page again with its reason, nothing written.

The page is ``/feedback/<id>`` (问题反馈), not ``/problems/<id>``: ``/problems/<code>``
is where the API's error answers point (their RFC 9457 ``type``), for any code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller
from grassroots.api.cadres.raised_problems import (
    Answer,
    ProblemSteps,
    Reopening,
    answer_routed_problem,
    close_routed_problem,
    problem_steps,
    reopen_own_problem,
    visible_problem,
)
from grassroots.api.cadres.views import ProblemView
from grassroots.api.cadres.visits import visible_visit
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.cadre import Cadre
from grassroots.domain.errors import CodedError
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import iso_week_of, local_date
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import page
from grassroots.pages.refusals import refusal_words
from grassroots.pages.sessions import PageSessions, SessionsDep

__all__ = ["ROUTES"]

HOME = "/feedback/"
# What a step's redirect says on the page (``?done=``).
_DONE = frozenset({"answered", "closed", "reopened"})


@dataclass(frozen=True)
class ProblemPage:
    problem: ProblemView
    steps: ProblemSteps
    unit_name: str
    cadre_name: str
    # Whether the caller raised it: their visit page, not the dispatch, is theirs.
    mine: bool
    # The visit it was raised on: its point's name and start, and a link where the
    # caller may open it (their own visit; the raiser's week in the dispatch).
    visit: tuple[str, datetime] | None
    visit_link: str | None


def _visit_of(
    app: Grassroots, caller: Caller, shown: ProblemView, mine: bool
) -> tuple[tuple[str, datetime] | None, str | None]:
    """The visit's point and start and the caller's link to it, or Nones where the
    caller may not see the visit."""
    if shown.visit_id is None:
        return None, None
    try:
        visit = visible_visit(app, caller, shown.visit_id)
    except NotFound:
        return None, None
    point = app.get(GrassrootsPoint, visit.point_id).name
    if mine:
        return (point, visit.started_at), f"/cadre/visits/{visit.visit_id}"
    # A supervisor reads a visit in the raiser's week of the dispatch, asked about the
    # raiser's own unit (``visible_visit`` found it in the caller's scope).
    unit = app.get(OrgUnit, app.get(Cadre, visit.cadre_id).org_unit_id)
    week = iso_week_of(local_date(visit.started_at, ZoneInfo(unit.time_zone)))
    query = urlencode({"unit": str(unit.id), "week": str(week)})
    return (point, visit.started_at), f"/dispatch/cadres/{visit.cadre_id}?{query}"


def _problem_page(app: Grassroots, caller: Caller, problem_id: UUID) -> ProblemPage:
    shown = visible_problem(app, caller, problem_id)
    mine = shown.cadre_id in caller.subjects(Role.CADRE)
    visit, visit_link = _visit_of(app, caller, shown, mine)
    return ProblemPage(
        problem=shown,
        steps=problem_steps(app, caller, problem_id),
        unit_name=app.get(OrgUnit, shown.org_unit_id).name,
        cadre_name=app.get(Cadre, shown.cadre_id).name,
        mine=mine,
        visit=visit,
        visit_link=visit_link,
    )


def _local(api: Api) -> LocalClock:
    return local_clock(ZoneInfo(api.app.config.time_zone), "%Y-%m-%d %H:%M")


async def _logged_in(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions, problem_id: UUID
) -> Caller | Redirect:
    """The logged-in caller; logged out, the log-in that comes back to the problem."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        path = quote(f"{HOME}{problem_id}", safe="")
        return Redirect(f"/login?next={path}", status_code=HTTP_303_SEE_OTHER)
    return caller


async def _show(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    problem_id: UUID,
    *,
    status: int = 200,
    refused: str | None = None,
    answer: str = "",
    reason: str = "",
) -> Template:
    try:
        shown = await api.read(None, _problem_page, api.app, caller, problem_id)
    except NotFound:
        raise NotFoundException() from None
    done = request.query_params.get("done") if status == 200 else None
    return page(
        request,
        "problems/problem.html",
        caller=caller,
        status=status,
        shown=shown,
        p=shown.problem,
        done=done if done in _DONE else None,
        refused=refused,
        answer=answer,
        reason=reason,
        local=_local(api),
    )


@get(f"{HOME}{{problem_id:uuid}}", name="problem-page")
async def problem_page(
    problem_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _logged_in(request, api, sessions, problem_id)
    if isinstance(caller, Redirect):
        return caller
    return await _show(request, api, caller, problem_id)


async def _step(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    problem_id: UUID,
    done: str,
    command: Any,
    *args: Any,
    answer: str = "",
    reason: str = "",
) -> Template | Redirect:
    """One of the page's forms: the API's own function, then back to the problem with
    a notice; refused, the problem again with the reason and what was typed."""
    caller = await _logged_in(request, api, sessions, problem_id)
    if isinstance(caller, Redirect):
        return caller
    try:
        await api.write(caller.account_id, command, api.app, caller, problem_id, *args)
    except NotFound:
        raise NotFoundException() from None
    except (CodedError, ApiProblem) as error:
        refused, status = refusal_words(request, error)
        return await _show(
            request,
            api,
            caller,
            problem_id,
            status=status,
            refused=refused,
            answer=answer,
            reason=reason,
        )
    return Redirect(f"{HOME}{problem_id}?done={done}", status_code=HTTP_303_SEE_OTHER)


@post(f"{HOME}{{problem_id:uuid}}/answer", name="problem-answer")
async def answer(
    problem_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    text = str(form.get("answer", ""))
    # Built, not converted: an empty or long answer is the domain's refusal, in words.
    body = Answer(answer=text)
    return await _step(
        request, api, sessions, problem_id, "answered", answer_routed_problem, body, answer=text
    )


@post(f"{HOME}{{problem_id:uuid}}/close", name="problem-close")
async def close(
    problem_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _step(request, api, sessions, problem_id, "closed", close_routed_problem)


@post(f"{HOME}{{problem_id:uuid}}/reopen", name="problem-reopen")
async def reopen(
    problem_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    text = str(form.get("reason", ""))
    # Built, not converted: an empty reason is the domain's refusal, in words.
    body = Reopening(reason=text)
    return await _step(
        request, api, sessions, problem_id, "reopened", reopen_own_problem, body, reason=text
    )


ROUTES = [problem_page, answer, close, reopen]
