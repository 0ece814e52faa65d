"""Problem figures over a supervisor's subtree: raised, closed and open in a period.

The figures are the ``problems`` read model's, counted when asked with the
application's clock (a problem is open "now" only until it is closed).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.security.jwt import Token
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Instant
from grassroots.api.scope import require_unit
from grassroots.api.supervision import READ_ERRORS, DayParam, PeriodParam, span_of
from grassroots.domain.account import Role
from grassroots.domain.compliance import PeriodKind
from grassroots.projections.problems import ProblemFigures, problem_figures

__all__ = ["ROUTES", "ProblemFiguresController"]


class ProblemFiguresView(msgspec.Struct, kw_only=True):
    """Problems routed into the subtree in one period."""

    org_unit_id: UUID
    period_kind: PeriodKind
    period: Annotated[str, Meta(examples=["2026-03"])]
    starts_at: Instant
    ends_at: Instant
    as_of: Instant
    raised: Annotated[int, Meta(examples=[7])]
    closed: Annotated[int, Meta(examples=[5])]
    open_at_end: Annotated[int, Meta(examples=[3])]
    oldest_open_age_seconds: Annotated[int | None, Meta(examples=[432000])]
    median_time_to_close_seconds: Annotated[int | None, Meta(examples=[172800])]


def _problem_figures(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None
) -> ProblemFigures:
    unit = require_unit(api.app, caller, org_unit_id)
    now = api.app.now()
    span = span_of(kind, day, unit, now)
    with api.engine.connect() as conn:
        return problem_figures(conn, org_unit_id, kind, span.label, now)


def _seconds(value: timedelta | None) -> int | None:
    return None if value is None else int(value.total_seconds())


class ProblemFiguresController(Controller):
    path = "/api/v1/org-units"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/problem-figures",
        operation_id="getUnitProblemFigures",
        summary="Problems raised, closed and open in the subtree (supervisor)",
        description="Raised and closed in the period, open at its end (or now), the oldest "
        "open problem's age and the median time to close, in seconds.",
        responses=READ_ERRORS,
    )
    async def problem_figures(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> ProblemFiguresView:
        caller = request.user
        found = await api.read(
            caller.account_id, _problem_figures, api, caller, org_unit_id, period, day
        )
        return ProblemFiguresView(
            org_unit_id=found.org_unit_id,
            period_kind=found.period_kind,
            period=found.period,
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            as_of=found.as_of,
            raised=found.raised,
            closed=found.closed,
            open_at_end=found.open_at_end,
            oldest_open_age_seconds=_seconds(found.oldest_open_age),
            median_time_to_close_seconds=_seconds(found.median_time_to_close),
        )


ROUTES: list[ControllerRouterHandler] = [ProblemFiguresController]
