"""Cadre "8+4" compliance over a supervisor's subtree: judged, exported, and re-judged.

The judgement is the read model's (``projections.compliance.verdicts``), made
when asked with the application's clock; this module pages it, writes it as
CSV, and re-judges it under other rules for a what-if, writing nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Day, Instant
from grassroots.api.pagination import PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.api.rule_sets import (
    OtherRules,
    RuleSetRules,
    RuleTermsBody,
    rule_set_rules,
    terms_of,
    terms_view,
)
from grassroots.api.scope import require_unit
from grassroots.api.supervision import (
    CSV_MEDIA_TYPE,
    DEFAULT_PRESET,
    READ_ERRORS,
    DayParam,
    PeriodParam,
    RulesView,
    Span,
    csv_file,
    csv_response,
    names_of_units,
    paged,
    span_of,
    wants_chinese,
)
from grassroots.domain.account import Role
from grassroots.domain.compliance import PeriodKind, Reason, Status, period_bounds
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.rules import RuleTerms
from grassroots.projections.compliance.verdicts import (
    DEFAULT_TERMS,
    CadreStanding,
    GoverningRules,
    UnitCompliance,
    unit_compliance,
    unit_compliance_under,
)

__all__ = [
    "ROUTES",
    "CadreComplianceView",
    "ComplianceController",
    "cadre_view",
    "worst_first",
]


class WhatIfRequest(msgspec.Struct, kw_only=True):
    """Re-judge a period (any day in it; today when left out) under other rules."""

    period: PeriodKind = "month"
    date: Day | None = None
    rules: OtherRules


# --- views -------------------------------------------------------------------------


class StillNeeded(msgspec.Struct, kw_only=True):
    visits: Annotated[int, Meta(examples=[1])]
    days: Annotated[int, Meta(examples=[2])]


class UncountedVisitView(msgspec.Struct, kw_only=True):
    """A visit of the period that did not count, and why."""

    visit_id: UUID
    point_id: UUID
    started_at: Instant
    ended_at: Instant | None
    reason: Annotated[Reason, Meta(examples=["too-short"])]


class CadreComplianceView(msgspec.Struct, kw_only=True):
    cadre_id: UUID
    name: Annotated[str, Meta(examples=["李书记"])]
    kind: Annotated[str, Meta(examples=["full_time"])]
    org_unit_id: UUID
    status: Annotated[Status, Meta(examples=["behind"])]
    counted_visits: Annotated[int, Meta(examples=[1])]
    required_visits: Annotated[int | None, Meta(examples=[2])]
    visit_days: Annotated[int, Meta(description="Local days on site that counted.", examples=[1])]
    required_days: Annotated[int | None, Meta(examples=[3])]
    monthly_mode: Annotated[str, Meta(examples=["either"])]
    still_needed: StillNeeded
    remaining_workdays: Annotated[int, Meta(examples=[4])]
    uncounted_visits: list[UncountedVisitView]
    rules: RulesView


class ComplianceView(msgspec.Struct, kw_only=True):
    """The subtree's cadres in one period, those needing attention first (missed, behind, ...).

    The figures cover every cadre; ``cadres`` is one page of them.
    """

    org_unit_id: UUID
    period_kind: PeriodKind
    period: Annotated[str, Meta(examples=["2026-03"])]
    first_day: Day
    last_day: Day
    judged_at: Instant
    what_if: bool
    # The terms of a what-if, when given as terms or a preset rather than a rule set.
    what_if_terms: RuleTermsBody | None = None
    cadres_total: Annotated[int, Meta(examples=[12])]
    met: Annotated[int, Meta(examples=[9])]
    on_track: int
    behind: int
    missed: int
    met_share: Annotated[
        float | None, Meta(description="Met / total; null with no cadres.", examples=[0.75])
    ]
    cadres: list[CadreComplianceView]
    limit: int
    offset: int
    next_offset: int | None


def _rules_view(rules: GoverningRules) -> RulesView:
    if rules.is_default:
        return RulesView(preset=DEFAULT_PRESET if rules.terms == DEFAULT_TERMS else None)
    return RulesView(
        rule_set_id=rules.rule_set_id,
        rule_set_name=rules.rule_set_name,
        org_unit_id=rules.org_unit_id,
        version=rules.version,
        effective_from=rules.effective_from,
    )


def cadre_view(standing: CadreStanding) -> CadreComplianceView:
    judgement = standing.judgement
    return CadreComplianceView(
        cadre_id=standing.cadre_id,
        name=standing.name,
        kind=standing.kind,
        org_unit_id=standing.org_unit_id,
        status=judgement.status,
        counted_visits=judgement.counted_visits,
        required_visits=judgement.required_visits,
        visit_days=len(judgement.counted_days),
        required_days=judgement.required_days,
        monthly_mode=judgement.mode,
        still_needed=StillNeeded(
            visits=judgement.still_needed.visits, days=judgement.still_needed.days
        ),
        remaining_workdays=judgement.remaining_workdays,
        uncounted_visits=[
            UncountedVisitView(
                visit_id=v.visit_id,
                point_id=v.point_id,
                started_at=v.started_at,
                ended_at=v.ended_at,
                reason=v.reason,
            )
            for v in standing.uncounted
        ],
        rules=_rules_view(standing.rules),
    )


def worst_first(standings: Iterable[CadreStanding]) -> list[CadreStanding]:
    # Stable: within one status the name order of the read model stays.
    return sorted(standings, key=lambda s: -s.status.severity)


def _compliance_view(
    result: UnitCompliance,
    span: Span,
    page: PageRequest | None,
    *,
    what_if_terms: RuleTerms | None = None,
    what_if: bool = False,
) -> ComplianceView:
    ordered = worst_first(result.cadres)
    first, last = period_bounds(span.period)
    if page is None:
        shown, limit, offset, next_offset = ordered, len(ordered), 0, None
    else:
        shown, next_offset = paged(ordered, page)
        limit, offset = page.limit, page.offset
    return ComplianceView(
        org_unit_id=result.org_unit_id,
        period_kind=span.kind,
        period=span.label,
        first_day=first,
        last_day=last,
        judged_at=result.now,
        what_if=what_if,
        what_if_terms=None if what_if_terms is None else terms_view(what_if_terms),
        cadres_total=result.total,
        met=result.count(Status.MET),
        on_track=result.count(Status.ON_TRACK),
        behind=result.count(Status.BEHIND),
        missed=result.count(Status.MISSED),
        met_share=result.share,
        cadres=[cadre_view(s) for s in shown],
        limit=limit,
        offset=offset,
        next_offset=next_offset,
    )


def _compliance(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None
) -> tuple[OrgUnit, Span, UnitCompliance]:
    unit = require_unit(api.app, caller, org_unit_id)
    now = api.app.now()
    span = span_of(kind, day, unit, now)
    with api.engine.connect() as conn:
        return unit, span, unit_compliance(conn, org_unit_id, span.period, now)


def _what_if(
    api: Api, caller: Caller, org_unit_id: UUID, body: WhatIfRequest, page: PageRequest
) -> ComplianceView:
    app = api.app
    unit = require_unit(app, caller, org_unit_id)
    what_if_terms: RuleTerms | None = None
    if isinstance(body.rules, RuleSetRules):
        rules = rule_set_rules(app, caller, body.rules.rule_set_id, body.rules.version, org_unit_id)
    else:
        what_if_terms = terms_of(body.rules)
        rules = GoverningRules(what_if_terms)
    now = app.now()
    span = span_of(body.period, body.date, unit, now)
    with api.engine.connect() as conn:
        result = unit_compliance_under(conn, org_unit_id, span.period, now, rules)
    return _compliance_view(result, span, page, what_if=True, what_if_terms=what_if_terms)


# --- CSV ---------------------------------------------------------------------------

_STATUS_ZH = {
    Status.MET: "已达标",
    Status.ON_TRACK: "进度正常",
    Status.BEHIND: "落后",
    Status.MISSED: "未达标",
}
_STATUS_EN = {
    Status.MET: "met",
    Status.ON_TRACK: "on track",
    Status.BEHIND: "behind",
    Status.MISSED: "missed",
}
_REASON_ZH: dict[str, str] = {
    "not-ended": "未结束",
    "not-proven-on-site": "未经现场核验",
    "not-assigned-point": "非指定联系点",
    "too-short": "时长不足",
    "same-day": "同日已计",
}
_KIND_ZH = {"full_time": "专职", "seconded": "挂职", "part_time": "兼职"}
_MODE_ZH = {"either": "满足其一", "both": "同时满足"}

_COMPLIANCE_COLUMNS = (
    ("姓名", "name"),
    ("干部编号", "cadre id"),
    ("类别", "kind"),
    ("所属组织", "org unit"),
    ("状态", "status"),
    ("计入走访次数", "visits counted"),
    ("要求走访次数", "visits required"),
    ("在岗天数", "visit days"),
    ("要求天数", "days required"),
    ("达标方式", "mode"),
    ("尚差次数", "visits still needed"),
    ("尚差天数", "days still needed"),
    ("剩余工作日", "workdays left"),
    ("未计入的走访", "visits not counted"),
    ("适用规则", "rule set"),
    ("规则版本", "rule set version"),
)


def _compliance_csv(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None, zh: bool
) -> tuple[OrgUnit, Span, bytes]:
    unit, span, result = _compliance(api, caller, org_unit_id, kind, day)
    names = names_of_units(api, {s.org_unit_id for s in result.cadres})
    status = _STATUS_ZH if zh else _STATUS_EN

    def reasons(standing: CadreStanding) -> str:
        counted = Counter(v.reason for v in standing.uncounted)
        label: Callable[[str], str] = (lambda r: _REASON_ZH.get(r, r)) if zh else str
        return "; ".join(f"{label(r)} ×{n}" for r, n in sorted(counted.items()))

    def rule_name(rules: GoverningRules) -> str:
        if rules.rule_set_name is not None:
            return rules.rule_set_name
        return "默认规则（内蒙古）" if zh else f"default ({DEFAULT_PRESET})"

    rows = []
    for s in worst_first(result.cadres):
        j = s.judgement
        rows.append(
            (
                s.name,
                s.cadre_id,
                _KIND_ZH.get(s.kind, s.kind) if zh else s.kind,
                names.get(s.org_unit_id, str(s.org_unit_id)),
                status[j.status],
                j.counted_visits,
                j.required_visits,
                len(j.counted_days),
                j.required_days,
                _MODE_ZH.get(j.mode, j.mode) if zh else j.mode,
                j.still_needed.visits,
                j.still_needed.days,
                j.remaining_workdays,
                reasons(s),
                rule_name(s.rules),
                s.rules.version,
            )
        )
    header = [zh_name if zh else en_name for zh_name, en_name in _COMPLIANCE_COLUMNS]
    return unit, span, csv_file(header, rows)


# --- routes -------------------------------------------------------------------------


class ComplianceController(Controller):
    path = "/api/v1/org-units"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/compliance",
        operation_id="getUnitCompliance",
        summary='"8+4" compliance of every cadre in the subtree (supervisor)',
        description="The share of cadres who met the period's requirement and, per cadre, "
        "the status (met / on_track / behind / missed), visits and days counted against "
        "those required, why visits did not count and what is still needed. Those "
        "needing attention come first. `cadres` is paginated; the figures cover all.",
        responses=READ_ERRORS,
    )
    async def compliance(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> ComplianceView:
        caller = request.user
        _, span, result = await api.read(
            caller.account_id, _compliance, api, caller, org_unit_id, period, day
        )
        return _compliance_view(result, span, page)

    @get(
        "/{org_unit_id:uuid}/compliance.csv",
        operation_id="exportUnitCompliance",
        summary="Compliance of the subtree as CSV (supervisor)",
        description="Every cadre of the subtree, those needing attention first; UTF-8 with "
        "a byte-order mark. Column names in Chinese, or English by `Accept-Language`.",
        media_type=CSV_MEDIA_TYPE,
        response_description="A CSV file",
        responses=READ_ERRORS,
    )
    async def compliance_csv(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> Response[bytes]:
        caller = request.user
        unit, span, content = await api.read(
            caller.account_id,
            _compliance_csv,
            api,
            caller,
            org_unit_id,
            period,
            day,
            wants_chinese(request),
        )
        return csv_response(content, "compliance", unit, span)

    @post(
        "/{org_unit_id:uuid}/compliance/what-if",
        operation_id="whatIfUnitCompliance",
        summary="Re-judge the subtree's compliance under other rules, writing nothing (supervisor)",
        description="The same answer as the compliance route, judged under the `rules` "
        "given (a preset, figures, or a stored rule set's version) instead of the "
        "governing ones. Nothing is stored.",
        status_code=HTTP_200_OK,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def what_if(
        self,
        org_unit_id: FromPath[UUID],
        data: JSONBody[WhatIfRequest],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> ComplianceView:
        caller = request.user
        return await api.read(caller.account_id, _what_if, api, caller, org_unit_id, data, page)


ROUTES: list[ControllerRouterHandler] = [ComplianceController]
