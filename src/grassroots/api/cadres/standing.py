"""A cadre's "8+4" standing and "1+100" coverage, for the cadre and their supervisors.

Read from the compliance read models, after the caller's own writes have
reached them.
"""

# No postponed annotations here: a view below is named from the package, and
# its field types must not be looked up again in the package's namespace.

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, TypeVar, TypeVarTuple
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.cadres.views import CallerRequest
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import query_day
from grassroots.api.problems import problem_responses
from grassroots.api.scope import require_cadre
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.cadre import Cadre
from grassroots.domain.compliance import Judgement, Month, Period, PeriodKind, Year
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import (
    FIRST_YEAR,
    LAST_YEAR,
    iso_week_of,
    local_date,
    time_zone,
)
from grassroots.projections.compliance.verdicts import (
    CadreNotFound,
    Coverage,
    GoverningRules,
    cadre_standing,
    contact_coverage,
    governing_rules,
)

__all__ = ["CadreController", "MyStandingController"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


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
    # Named from the package, as before it was split by resource: the OpenAPI
    # document's component names come from the module, and clients use them.
    __module__ = "grassroots.api.cadres"

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


# --- the blocking parts (run through Api.read) -----------------------------------


def _with_cadre_read_model(
    api: Api, cadre_id: UUID, query: Callable[[Api, *Ts], T], *args: *Ts
) -> T:
    try:
        return query(api, *args)
    except CadreNotFound:
        pass
    # Registered moments ago, by someone else, so the caller's own writes say
    # nothing about it: give the read models one bounded wait for the log's head.
    if api.read_side is not None:
        api.read_side.wait_for(api.app.log_head(), api.config.read_wait_seconds)
    try:
        return query(api, *args)
    except CadreNotFound:
        raise NotFound("cadre", cadre_id) from None


def _read_standing(api: Api, cadre_id: UUID, period: Period, now: datetime) -> StandingView:
    with api.engine.connect() as conn:
        judgement = cadre_standing(conn, cadre_id, period, now)
        rules = governing_rules(conn, cadre_id, period, now)
    return _standing_view(cadre_id, judgement, rules)


def _read_coverage(api: Api, cadre_id: UUID, year: int, now: datetime) -> CoverageView:
    with api.engine.connect() as conn:
        return _coverage_view(contact_coverage(conn, cadre_id, year, now))


def _local_today(api: Api, cadre: Cadre, now: datetime) -> date:
    return local_date(now, time_zone(api.app.get(OrgUnit, cadre.org_unit_id).time_zone))


def _standing(api: Api, cadre: Cadre, kind: PeriodKind, on: date | None) -> StandingView:
    now = api.app.now()
    day = query_day(on) or _local_today(api, cadre, now)
    period: Period = iso_week_of(day) if kind == "week" else Month.of(day)
    return _with_cadre_read_model(api, cadre.id, _read_standing, cadre.id, period, now)


def _coverage(api: Api, cadre: Cadre, year: int | None) -> CoverageView:
    now = api.app.now()
    wanted = year or _local_today(api, cadre, now).year
    Year(wanted)  # an impossible year is refused as the domain words it
    return _with_cadre_read_model(api, cadre.id, _read_coverage, cadre.id, wanted, now)


def _own_standing(api: Api, cadre_id: UUID, kind: PeriodKind, on: date | None) -> StandingView:
    return _standing(api, api.app.get(Cadre, cadre_id), kind, on)


def _own_coverage(api: Api, cadre_id: UUID, year: int | None) -> CoverageView:
    return _coverage(api, api.app.get(Cadre, cadre_id), year)


def _cadre_standing(
    api: Api, caller: Caller, cadre_id: UUID, kind: PeriodKind, on: date | None
) -> StandingView:
    return _standing(api, require_cadre(api.app, caller, cadre_id), kind, on)


def _cadre_coverage(api: Api, caller: Caller, cadre_id: UUID, year: int | None) -> CoverageView:
    return _coverage(api, require_cadre(api.app, caller, cadre_id), year)


# --- routes ----------------------------------------------------------------------

InYear = Annotated[int | None, Parameter(ge=FIRST_YEAR, le=LAST_YEAR)]
OnDay = Annotated[date | None, QueryParameter(name="date")]


class MyStandingController(Controller):
    path = "/api/v1/me"
    tags = ["cadres"]  # noqa: RUF012
    guards = [requires(Role.CADRE)]  # noqa: RUF012

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
        on: OnDay = None,
    ) -> StandingView:
        caller = request.user
        return await api.read(caller.account_id, _own_standing, api, caller.cadre_id, period, on)

    @get(
        "/coverage",
        operation_id="getMyCoverage",
        summary='The caller\'s "1+100" coverage in a year (cadre)',
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def coverage(
        self, request: CallerRequest, api: ApiDep, year: InYear = None
    ) -> CoverageView:
        caller = request.user
        return await api.read(caller.account_id, _own_coverage, api, caller.cadre_id, year)


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
        on: OnDay = None,
    ) -> StandingView:
        caller = request.user
        return await api.read(caller.account_id, _cadre_standing, api, caller, cadre_id, period, on)

    @get(
        "/{cadre_id:uuid}/coverage",
        operation_id="getCadreCoverage",
        summary='A cadre\'s "1+100" coverage (supervisor of the subtree; cadre: own)',
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def coverage(
        self, cadre_id: FromPath[UUID], request: CallerRequest, api: ApiDep, year: InYear = None
    ) -> CoverageView:
        caller = request.user
        return await api.read(caller.account_id, _cadre_coverage, api, caller, cadre_id, year)
