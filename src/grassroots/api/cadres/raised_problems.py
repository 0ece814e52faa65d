"""Problems (问题反馈) cadres bring back: raised, answered by the unit they are
routed to, closed, reopened, rerouted; and each unit's list of open ones.

One problem is read from the write side; the open-problem list from its read
model, after the caller's own writes have reached it.
"""

# No postponed annotations here: a view below is named from the package, and
# its field types must not be looked up again in the package's namespace.

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from grassroots.api.auth import Caller, requires
from grassroots.api.cadres.views import CallerRequest, LongText, ProblemView, Title, problem_view
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Id, Reason
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.api.scope import in_unit_scope, require_problem, require_unit
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.problem import Problem, ProblemState
from grassroots.projections.problems import OpenProblem, open_problems

__all__ = [
    "Answer",
    "ProblemController",
    "ProblemSteps",
    "Reopening",
    "UnitProblemsController",
    "answer_routed_problem",
    "close_routed_problem",
    "problem_steps",
    "reopen_own_problem",
    "visible_problem",
]


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


class OpenProblemView(msgspec.Struct, kw_only=True):
    # Named from the package, as before it was split by resource: the OpenAPI
    # document's component names come from the module, and clients use them.
    __module__ = "grassroots.api.cadres"

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


def _routed_here(app: Grassroots, caller: Caller, problem_id: UUID) -> Problem:
    """A problem routed now to a unit the caller supervises.

    Not ``require_problem``: that also admits the cadre who raised it, who must
    not answer, close or reroute their own problem.
    """
    problem = app.get(Problem, problem_id)
    if not in_unit_scope(app, caller, problem.org_unit_id):
        raise NotFound("problem", problem_id)
    return problem


def _raised_by(caller: Caller, problem: Problem) -> bool:
    """Whether the caller is the cadre who raised the problem."""
    return problem.cadre_id in caller.subjects(Role.CADRE)


@dataclass(frozen=True)
class ProblemSteps:
    """What the caller may do to a problem now, as the routes below would let them:
    answer and close (a supervisor of the unit it is routed to), reopen (its raiser)."""

    answer: bool
    close: bool
    reopen: bool


def problem_steps(app: Grassroots, caller: Caller, problem_id: UUID) -> ProblemSteps:
    """The steps open to the caller on a problem they may read (the pages' buttons)."""
    problem = require_problem(app, caller, problem_id)
    routed = in_unit_scope(app, caller, problem.org_unit_id)
    return ProblemSteps(
        answer=routed and problem.may_be_answered,
        close=routed and problem.may_be_closed,
        reopen=_raised_by(caller, problem) and problem.may_be_reopened,
    )


def _raise(
    app: Grassroots, caller: Caller, cadre_id: UUID, data: NewStandaloneProblem
) -> ProblemView:
    problem_id = app.raise_problem(
        cadre_id, title=data.title, description=data.description, org_unit_id=data.org_unit_id
    )
    return problem_view(app, caller, app.get(Problem, problem_id))


def visible_problem(app: Grassroots, caller: Caller, problem_id: UUID) -> ProblemView:
    """A problem with its answers, for its raiser or a supervisor of its unit."""
    return problem_view(app, caller, require_problem(app, caller, problem_id))


def answer_routed_problem(
    app: Grassroots, caller: Caller, problem_id: UUID, data: Answer
) -> ProblemView:
    """Answer a problem routed to a unit the caller supervises."""
    _routed_here(app, caller, problem_id)
    app.answer_problem(problem_id, answer=data.answer, answered_by=caller.account_id)
    return problem_view(app, caller, app.get(Problem, problem_id))


def close_routed_problem(app: Grassroots, caller: Caller, problem_id: UUID) -> ProblemView:
    """Close an answered problem routed to a unit the caller supervises."""
    _routed_here(app, caller, problem_id)
    app.close_problem(problem_id, closed_by=caller.account_id)
    return problem_view(app, caller, app.get(Problem, problem_id))


def reopen_own_problem(
    app: Grassroots, caller: Caller, problem_id: UUID, data: Reopening
) -> ProblemView:
    """Reopen a closed problem the caller raised, with a reason."""
    problem = require_problem(app, caller, problem_id)
    # A supervisor who is also a cadre sees the problem, but only its
    # own raiser may reopen it: the domain says so with its own code.
    reopened_by = problem.cadre_id if _raised_by(caller, problem) else caller.cadre_id
    app.reopen_problem(problem_id, reason=data.reason, reopened_by=reopened_by)
    return problem_view(app, caller, app.get(Problem, problem_id))


def _reroute(app: Grassroots, caller: Caller, problem_id: UUID, data: Rerouting) -> ProblemView:
    _routed_here(app, caller, problem_id)
    app.reroute_problem(problem_id, org_unit_id=data.org_unit_id, reason=data.reason)
    return problem_view(app, caller, app.get(Problem, problem_id))


def _open_in_unit(
    api: Api, caller: Caller, org_unit_id: UUID, page: PageRequest
) -> list[OpenProblemView]:
    require_unit(api.app, caller, org_unit_id)
    with api.engine.connect() as conn:
        found = open_problems(
            conn, org_unit_id, api.app.now(), limit=page.limit + 1, offset=page.offset
        )
    return [_open_problem_view(p) for p in found]


# --- routes ----------------------------------------------------------------------


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
        return await api.write(caller.account_id, _raise, api.app, caller, caller.cadre_id, data)

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
        return await api.read(None, visible_problem, api.app, request.user, problem_id)

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
        return await api.write(
            caller.account_id, answer_routed_problem, api.app, caller, problem_id, data
        )

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
        return await api.write(caller.account_id, close_routed_problem, api.app, caller, problem_id)

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
        return await api.write(
            caller.account_id, reopen_own_problem, api.app, caller, problem_id, data
        )

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
        return await api.write(caller.account_id, _reroute, api.app, caller, problem_id, data)


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
        found = await api.read(caller.account_id, _open_in_unit, api, caller, org_unit_id, page)
        return page.page(found)
