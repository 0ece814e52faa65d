"""The supervisor's weekly dispatch (周调度) and monthly bulletin (月通报) over a subtree.

The dispatch is one document for one ISO week: every cadre's "8+4" standing
with the reasons (the same judgement as ``compliance``), the met share of each
unit of the subtree, each youth center's activity counts, the open problems,
oldest first, and the experience posts written per unit in the week's month.
Beside it: the met share over the last weeks (the trend), one cadre's week in
detail (the drill-down) and the month's bulletin as XLSX or PDF.

Every figure comes from the read models' query functions; like every
supervisor's route, the unit must be the caller's or below it (administrators:
any), anything else answers 404.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import FromPath, PathParameter, QueryParameter
from litestar.security.jwt import Token
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.activity_counts import CenterCountsView, CountsView
from grassroots.api.auth import Caller, requires
from grassroots.api.compliance import CadreComplianceView, cadre_view, worst_first
from grassroots.api.context import Api, ApiDep
from grassroots.api.downloads import attachment
from grassroots.api.fields import Day, Instant
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.api.scope import require_cadre, require_unit
from grassroots.api.sharing import ExperienceCountsView, experience_counts
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.compliance import Month, Status, period_bounds
from grassroots.domain.errors import InvalidValue
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import IsoWeek, iso_week_of, local_date
from grassroots.projections.center_activity import ActivityCounts, org_unit_counts
from grassroots.projections.compliance.verdicts import (
    CadreNotFound,
    CadrePeriod,
    PeriodShare,
    UnitShare,
    cadre_period,
    compliance_trend,
    shares_by_unit,
    unit_compliance,
)
from grassroots.projections.monthly_bulletin import Bulletin, UnitNotInTree, monthly_bulletin
from grassroots.projections.org_tree import subtree_units
from grassroots.projections.problems import (
    OpenProblem,
    RaisedProblem,
    count_open_problems,
    open_problems,
    problems_raised_by,
)
from grassroots.reports.bulletin_pdf import PDF_MEDIA_TYPE, bulletin_pdf
from grassroots.reports.bulletin_xlsx import XLSX_MEDIA_TYPE, bulletin_xlsx

__all__ = [
    "ROUTES",
    "DispatchController",
    "bulletin_response",
    "make_bulletin",
    "read_cadre_week",
    "read_dispatch",
    "read_trend",
]

# The open problems a dispatch lists, oldest first; ``open_problems_total`` counts all.
PROBLEMS_SHOWN = 50
MAX_TREND_WEEKS = 53
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_BULLETIN_FILE = re.compile(r"(\d{4})-(\d{2})\.(xlsx|pdf)")

WeekParam = Annotated[
    str | None,
    QueryParameter(
        name="week",
        description="An ISO week, YYYY-Www; this week in the unit's time zone when left out.",
        examples=[Example(value="2026-W13")],
        max_length=8,
        # Stated, not enforced by the framework: a bad week is the route's own
        # `period-invalid`, which says how a week is written.
        schema_extra={"pattern": r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"},
    ),
]


# --- views -------------------------------------------------------------------------


class UnitShareView(msgspec.Struct, kw_only=True):
    """A unit of the subtree with the statuses of the cadres at or below it."""

    org_unit_id: UUID
    name: Annotated[str, Meta(examples=["东风镇"])]
    level: Annotated[str, Meta(examples=["township"])]
    depth: Annotated[int, Meta(description="Levels below the unit asked about (0: itself).")]
    parent_id: UUID | None
    cadres_total: Annotated[int, Meta(examples=[12])]
    met: Annotated[int, Meta(examples=[9])]
    on_track: int
    behind: int
    missed: int
    met_share: Annotated[float | None, Meta(examples=[0.75])]


class OpenProblemView(msgspec.Struct, kw_only=True):
    problem_id: UUID
    title: Annotated[str, Meta(examples=["路灯损坏"])]
    cadre_id: UUID
    org_unit_id: UUID
    org_unit_name: Annotated[str | None, Meta(examples=["光明村"])]
    state: Annotated[str, Meta(examples=["open"])]
    raised_at: Instant
    age_days: Annotated[int, Meta(description="Whole days since it was raised.", examples=[9])]
    times_reopened: int


class DispatchView(msgspec.Struct, kw_only=True):
    """The weekly dispatch of a subtree: standings, shares per unit, centers, open problems."""

    org_unit_id: UUID
    name: Annotated[str, Meta(examples=["示例县"])]
    week: Annotated[str, Meta(examples=["2026-W13"])]
    first_day: Day
    last_day: Day
    judged_at: Instant
    cadres_total: Annotated[int, Meta(examples=[12])]
    met: Annotated[int, Meta(examples=[9])]
    on_track: int
    behind: int
    missed: int
    met_share: Annotated[float | None, Meta(examples=[0.75])]
    cadres: Annotated[
        list[CadreComplianceView],
        Meta(description="Every cadre of the subtree, those needing attention first."),
    ]
    units: list[UnitShareView]
    center_totals: CountsView
    centers: list[CenterCountsView]
    open_problems_total: Annotated[int, Meta(examples=[7])]
    open_problems: Annotated[
        list[OpenProblemView], Meta(description=f"The oldest {PROBLEMS_SHOWN}, oldest first.")
    ]
    experiences: Annotated[
        ExperienceCountsView,
        Meta(
            description="Experience posts (心得交流) written per unit of the subtree in the "
            "week's month (the month of its Thursday), as getUnitExperienceCounts gives them."
        ),
    ]


class TrendWeekView(msgspec.Struct, kw_only=True):
    week: Annotated[str, Meta(examples=["2026-W13"])]
    cadres_total: Annotated[int, Meta(examples=[12])]
    met: Annotated[int, Meta(examples=[9])]
    met_share: Annotated[float | None, Meta(examples=[0.75])]


class TrendView(msgspec.Struct, kw_only=True):
    """The met share of the subtree's cadres week by week, the earliest first."""

    org_unit_id: UUID
    judged_at: Instant
    weeks: list[TrendWeekView]


class DrillVisitView(msgspec.Struct, kw_only=True):
    visit_id: UUID
    point_id: UUID
    started_at: Instant
    ended_at: Instant | None
    proof: Annotated[str | None, Meta(examples=["qr"])]
    counted: bool
    reason: Annotated[str | None, Meta(examples=["too-short"])]


class RaisedProblemView(msgspec.Struct, kw_only=True):
    problem_id: UUID
    title: Annotated[str, Meta(examples=["路灯损坏"])]
    org_unit_id: UUID
    visit_id: UUID | None
    state: Annotated[str, Meta(examples=["closed"])]
    raised_at: Instant
    closed_at: Instant | None


class CadreWeekView(msgspec.Struct, kw_only=True):
    """One cadre's week: the standing, every visit that started in it, and their problems
    (those still open, and those raised since the week began)."""

    week: Annotated[str, Meta(examples=["2026-W13"])]
    standing: CadreComplianceView
    visits: list[DrillVisitView]
    problems: list[RaisedProblemView]


def _share_view(share: UnitShare) -> UnitShareView:
    return UnitShareView(
        org_unit_id=share.org_unit_id,
        name=share.name,
        level=share.level,
        depth=share.depth,
        parent_id=share.parent_id,
        cadres_total=share.total,
        met=share.met,
        on_track=share.on_track,
        behind=share.behind,
        missed=share.missed,
        met_share=share.share,
    )


def _counts_view(counts: ActivityCounts) -> CountsView:
    return CountsView(**asdict(counts))


def _open_problem_view(found: OpenProblem, names: dict[UUID, str]) -> OpenProblemView:
    return OpenProblemView(
        problem_id=found.problem_id,
        title=found.title,
        cadre_id=found.cadre_id,
        org_unit_id=found.org_unit_id,
        org_unit_name=names.get(found.org_unit_id),
        state=found.state.value,
        raised_at=found.raised_at,
        age_days=found.age.days,
        times_reopened=found.times_reopened,
    )


def _trend_view(org_unit_id: UUID, now: datetime, trend: list[PeriodShare]) -> TrendView:
    return TrendView(
        org_unit_id=org_unit_id,
        judged_at=now,
        weeks=[
            TrendWeekView(week=w.period, cadres_total=w.total, met=w.met, met_share=w.share)
            for w in trend
        ],
    )


def _raised_view(found: RaisedProblem) -> RaisedProblemView:
    return RaisedProblemView(
        problem_id=found.problem_id,
        title=found.title,
        org_unit_id=found.org_unit_id,
        visit_id=found.visit_id,
        state=found.state.value,
        raised_at=found.raised_at,
        closed_at=found.closed_at,
    )


def _cadre_week_view(
    week: IsoWeek, found: CadrePeriod, raised: list[RaisedProblem]
) -> CadreWeekView:
    verdicts = {v.visit_id: v for v in found.standing.judgement.visits}
    return CadreWeekView(
        week=str(week),
        standing=cadre_view(found.standing),
        visits=[
            DrillVisitView(
                visit_id=v.visit_id,
                point_id=v.point_id,
                started_at=v.started_at,
                ended_at=v.ended_at,
                proof=v.proof,
                counted=verdicts[v.visit_id].counted,
                reason=verdicts[v.visit_id].reason,
            )
            for v in found.visits
        ],
        problems=[_raised_view(p) for p in raised],
    )


# --- reading -------------------------------------------------------------------------


def _week(text: str | None, unit: OrgUnit, now: datetime) -> IsoWeek:
    """The week asked for; without one, this week in the unit's zone."""
    if text is None:
        return iso_week_of(local_date(now, ZoneInfo(unit.time_zone)))
    match = _WEEK.fullmatch(text)
    try:
        if match is None:
            raise ValueError
        week = IsoWeek(int(match[1]), int(match[2]))
        period_bounds(week)
    except (ValueError, InvalidValue):
        raise ApiProblem(
            400, "period-invalid", f"a week is written like 2026-W13, not {text!r}"
        ) from None
    return week


def _weeks_ending(last: IsoWeek, count: int) -> list[IsoWeek]:
    return [iso_week_of(last.monday - timedelta(weeks=back)) for back in range(count - 1, -1, -1)]


def read_dispatch(
    api: Api, caller: Caller, org_unit_id: UUID, week_text: str | None
) -> DispatchView:
    unit = require_unit(api.app, caller, org_unit_id)
    now = api.app.now()
    week = _week(week_text, unit, now)
    with api.engine.connect() as conn:
        result = unit_compliance(conn, org_unit_id, week, now)
        units = subtree_units(conn, org_unit_id)
        counts = org_unit_counts(conn, org_unit_id, "week", str(week))
        problems = open_problems(conn, org_unit_id, now, limit=PROBLEMS_SHOWN)
        problems_total = count_open_problems(conn, org_unit_id)
    names = {u.unit.org_unit_id: u.unit.name for u in units}
    first, last = period_bounds(week)
    month = str(Month.of_week(week))
    experiences = experience_counts(api, caller, org_unit_id, month, month)
    return DispatchView(
        org_unit_id=org_unit_id,
        name=unit.name,
        week=str(week),
        first_day=first,
        last_day=last,
        judged_at=now,
        cadres_total=result.total,
        met=result.met,
        on_track=result.count(Status.ON_TRACK),
        behind=result.count(Status.BEHIND),
        missed=result.count(Status.MISSED),
        met_share=result.share,
        cadres=[cadre_view(s) for s in worst_first(result.cadres)],
        units=[_share_view(s) for s in shares_by_unit(result, units)],
        center_totals=_counts_view(counts.totals),
        centers=[
            CenterCountsView(
                center_id=c.center_id,
                name=c.name,
                org_unit_id=c.org_unit_id,
                counts=_counts_view(c.counts),
            )
            for c in counts.centers
        ],
        open_problems_total=problems_total,
        open_problems=[_open_problem_view(p, names) for p in problems],
        experiences=experiences,
    )


def read_trend(
    api: Api, caller: Caller, org_unit_id: UUID, week_text: str | None, weeks: int
) -> TrendView:
    unit = require_unit(api.app, caller, org_unit_id)
    now = api.app.now()
    last = _week(week_text, unit, now)
    with api.engine.connect() as conn:
        trend = compliance_trend(conn, org_unit_id, _weeks_ending(last, weeks), now)
    return _trend_view(org_unit_id, now, trend)


def read_cadre_week(
    api: Api, caller: Caller, org_unit_id: UUID, cadre_id: UUID, week_text: str | None
) -> CadreWeekView:
    app = api.app
    unit = require_unit(app, caller, org_unit_id)
    cadre = require_cadre(app, caller, cadre_id)
    # The cadre must belong to the subtree asked about, not merely be visible.
    if org_unit_id != cadre.org_unit_id and org_unit_id not in app.ancestry(cadre.org_unit_id):
        raise NotFound("cadre", cadre_id)
    now = app.now()
    week = _week(week_text, unit, now)
    first, _ = period_bounds(week)
    since = datetime.combine(first, datetime.min.time(), ZoneInfo(unit.time_zone))
    with api.engine.connect() as conn:
        try:
            found = cadre_period(conn, cadre_id, week, now)
        except CadreNotFound:
            raise NotFound("cadre", cadre_id) from None
        raised = problems_raised_by(conn, cadre_id, since=since)
    return _cadre_week_view(week, found, raised)


def _month(text: str) -> Month:
    try:
        return Month(int(text[:4]), int(text[5:7]))
    except (ValueError, InvalidValue):
        raise ApiProblem(400, "period-invalid", f"there is no month {text!r}") from None


def make_bulletin(api: Api, caller: Caller, org_unit_id: UUID, file: str) -> tuple[Bulletin, bytes]:
    match = _BULLETIN_FILE.fullmatch(file)
    if match is None:
        raise ApiProblem(404, "no-such-route", "a bulletin is named YYYY-MM.xlsx or YYYY-MM.pdf")
    month = _month(f"{match[1]}-{match[2]}")
    zone = ZoneInfo(require_unit(api.app, caller, org_unit_id).time_zone)
    with api.engine.connect() as conn:
        try:
            bulletin = monthly_bulletin(conn, org_unit_id, month, api.app.now())
        except UnitNotInTree:
            raise NotFound("org_unit", org_unit_id) from None
    if match[3] == "xlsx":
        return bulletin, bulletin_xlsx(bulletin, zone)
    # Without the font this raises CjkFontMissing: 503 cjk-font-missing, naming the package.
    return bulletin, bulletin_pdf(bulletin, zone, api.config.cjk_font)


def bulletin_response(
    bulletin: Bulletin, content: bytes, kind: Literal["xlsx", "pdf"]
) -> Response[bytes]:
    month = bulletin.month
    return attachment(
        content,
        XLSX_MEDIA_TYPE if kind == "xlsx" else PDF_MEDIA_TYPE,
        f"bulletin-{month}.{kind}",
        f"{bulletin.name}{month.year}年{month.month}月通报.{kind}",
    )


# --- routes -------------------------------------------------------------------------

_READ_ERRORS = problem_responses(400, 401, 403, 404, 422, 429)
_FILE_ERRORS: dict[int, ResponseSpec] = problem_responses(400, 401, 403, 404, 429, 503)


class DispatchController(Controller):
    path = "/api/v1/org-units"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/dispatch",
        operation_id="getWeeklyDispatch",
        summary="The weekly dispatch of the subtree (supervisor)",
        description='For one ISO week: every cadre\'s "8+4" status with the reasons '
        "(those needing attention first), the met share of every unit of the subtree, "
        "each youth center's activity counts, the open problems, oldest first, and the "
        "experience posts written per unit in the week's month.",
        responses=_READ_ERRORS,
    )
    async def dispatch(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        week: WeekParam = None,
    ) -> DispatchView:
        caller = request.user
        return await api.read(caller.account_id, read_dispatch, api, caller, org_unit_id, week)

    @get(
        "/{org_unit_id:uuid}/compliance-trend",
        operation_id="getComplianceTrend",
        summary="The met share of the subtree week by week (supervisor)",
        description='The share of cadres who met the week\'s "8+4" requirement, for '
        "`weeks` ISO weeks ending with `week` (this week when left out), the earliest first.",
        responses=_READ_ERRORS,
    )
    async def compliance_trend(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        week: WeekParam = None,
        weeks: Annotated[
            int,
            QueryParameter(name="weeks", ge=1, le=MAX_TREND_WEEKS, examples=[Example(value=12)]),
        ] = 12,
    ) -> TrendView:
        caller = request.user
        return await api.read(caller.account_id, read_trend, api, caller, org_unit_id, week, weeks)

    @get(
        "/{org_unit_id:uuid}/dispatch/cadres/{cadre_id:uuid}",
        operation_id="getDispatchCadreWeek",
        summary="One cadre's week in the dispatch: standing, visits and problems (supervisor)",
        responses=_READ_ERRORS,
    )
    async def cadre_week(
        self,
        org_unit_id: FromPath[UUID],
        cadre_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        week: WeekParam = None,
    ) -> CadreWeekView:
        caller = request.user
        return await api.read(
            caller.account_id, read_cadre_week, api, caller, org_unit_id, cadre_id, week
        )

    @get(
        "/{org_unit_id:uuid}/bulletins/{file:str}",
        operation_id="getMonthlyBulletin",
        summary="The monthly bulletin as XLSX or PDF (supervisor)",
        description="`file` is `YYYY-MM.xlsx` (a sheet per org level, each with a totals "
        "row) or `YYYY-MM.pdf` (the same tables, in Chinese). The PDF needs the server's "
        "Chinese font: without it, 503 `cjk-font-missing`.",
        media_type=XLSX_MEDIA_TYPE,
        response_description="An XLSX or PDF file",
        responses=_FILE_ERRORS,
    )
    async def bulletin(
        self,
        org_unit_id: FromPath[UUID],
        file: Annotated[
            str,
            PathParameter(
                max_length=12,
                schema_extra={"pattern": r"^\d{4}-(0[1-9]|1[0-2])\.(xlsx|pdf)$"},
            ),
        ],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> Response[bytes]:
        caller = request.user
        bulletin, content = await api.read(
            caller.account_id, make_bulletin, api, caller, org_unit_id, file
        )
        return bulletin_response(bulletin, content, "pdf" if file.endswith(".pdf") else "xlsx")


ROUTES: list[ControllerRouterHandler] = [DispatchController]
