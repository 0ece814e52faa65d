"""Activity counts per youth center over a supervisor's subtree, and the subtree's totals.

The counts are the ``center_activity`` read model's; this module pages them and
writes them as CSV with a last row of totals.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.security.jwt import Token
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.pagination import PageRequest, page_request
from grassroots.api.scope import require_unit
from grassroots.api.supervision import (
    CSV_MEDIA_TYPE,
    READ_ERRORS,
    DayParam,
    PeriodParam,
    Span,
    csv_file,
    csv_response,
    names_of_units,
    paged,
    span_of,
    wants_chinese,
)
from grassroots.domain.account import Role
from grassroots.domain.compliance import PeriodKind
from grassroots.domain.org_unit import OrgUnit
from grassroots.projections.center_activity import ActivityCounts, OrgUnitCounts, org_unit_counts

__all__ = ["ROUTES", "ActivityCountsController"]


class CountsView(msgspec.Struct, kw_only=True):
    posted: Annotated[int, Meta(examples=[6])]
    held: Annotated[int, Meta(examples=[5])]
    cancelled: Annotated[int, Meta(examples=[1])]
    sign_ups: Annotated[int, Meta(examples=[48])]
    signed_up_now: int
    check_ins: Annotated[int, Meta(examples=[41])]
    added_by_staff: int
    volunteers: Annotated[int, Meta(description="Distinct volunteers.", examples=[37])]
    credited_minutes: Annotated[int, Meta(examples=[4920])]


class CenterCountsView(msgspec.Struct, kw_only=True):
    center_id: UUID
    name: Annotated[str, Meta(examples=["东风社区青年之家"])]
    org_unit_id: UUID
    counts: CountsView


class ActivityCountsView(msgspec.Struct, kw_only=True):
    """The subtree's totals (volunteers counted once across centers) and one page of centers."""

    org_unit_id: UUID
    period_kind: PeriodKind
    period: Annotated[str, Meta(examples=["2026-W10"])]
    totals: CountsView
    centers: list[CenterCountsView]
    limit: int
    offset: int
    next_offset: int | None


def _counts_view(counts: ActivityCounts) -> CountsView:
    return CountsView(**asdict(counts))


def _activity_counts(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None
) -> tuple[OrgUnit, Span, OrgUnitCounts]:
    unit = require_unit(api.app, caller, org_unit_id)
    span = span_of(kind, day, unit, api.app.now())
    with api.engine.connect() as conn:
        return unit, span, org_unit_counts(conn, org_unit_id, kind, span.label)


def _activity_counts_view(found: OrgUnitCounts, page: PageRequest) -> ActivityCountsView:
    centers, next_offset = paged(found.centers, page)
    return ActivityCountsView(
        org_unit_id=found.org_unit_id,
        period_kind=found.period_kind,
        period=found.period,
        totals=_counts_view(found.totals),
        centers=[
            CenterCountsView(
                center_id=c.center_id,
                name=c.name,
                org_unit_id=c.org_unit_id,
                counts=_counts_view(c.counts),
            )
            for c in centers
        ],
        limit=page.limit,
        offset=page.offset,
        next_offset=next_offset,
    )


_COUNT_FIELDS = (
    ("posted", "发布活动数"),
    ("held", "已举办"),
    ("cancelled", "已取消"),
    ("sign_ups", "报名人次"),
    ("signed_up_now", "当前报名"),
    ("check_ins", "签到人次"),
    ("added_by_staff", "补录人次"),
    ("volunteers", "志愿者人数"),
    ("credited_minutes", "服务时长（分钟）"),
)


def _activity_counts_csv(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None, zh: bool
) -> tuple[OrgUnit, Span, bytes]:
    unit, span, found = _activity_counts(api, caller, org_unit_id, kind, day)
    names = names_of_units(api, {c.org_unit_id for c in found.centers})
    header = (
        ["青年之家", "青年之家编号", "所属组织", *(zh_name for _, zh_name in _COUNT_FIELDS)]
        if zh
        else ["center", "center id", "org unit", *(name for name, _ in _COUNT_FIELDS)]
    )
    rows: list[list[object]] = [
        [
            c.name,
            c.center_id,
            names.get(c.org_unit_id, str(c.org_unit_id)),
            *(getattr(c.counts, name) for name, _ in _COUNT_FIELDS),
        ]
        for c in found.centers
    ]
    rows.append(
        [
            "合计" if zh else "total",
            "",
            unit.name,
            *(getattr(found.totals, name) for name, _ in _COUNT_FIELDS),
        ]
    )
    return unit, span, csv_file(header, rows)


class ActivityCountsController(Controller):
    path = "/api/v1/org-units"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/activity-counts",
        operation_id="getUnitActivityCounts",
        summary="Activity counts per youth center in the subtree, and the total (supervisor)",
        description="Posted, held, cancelled, sign-ups, check-ins, distinct volunteers and "
        "credited minutes per center; `centers` is paginated, `totals` covers all of them.",
        responses=READ_ERRORS,
    )
    async def activity_counts(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> ActivityCountsView:
        caller = request.user
        _, _, found = await api.read(
            caller.account_id, _activity_counts, api, caller, org_unit_id, period, day
        )
        return _activity_counts_view(found, page)

    @get(
        "/{org_unit_id:uuid}/activity-counts.csv",
        operation_id="exportUnitActivityCounts",
        summary="Activity counts per youth center as CSV (supervisor)",
        description="Every center of the subtree and a last row with the totals; UTF-8 "
        "with a byte-order mark.",
        media_type=CSV_MEDIA_TYPE,
        response_description="A CSV file",
        responses=READ_ERRORS,
    )
    async def activity_counts_csv(
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
            _activity_counts_csv,
            api,
            caller,
            org_unit_id,
            period,
            day,
            wants_chinese(request),
        )
        return csv_response(content, "activity-counts", unit, span)


ROUTES: list[ControllerRouterHandler] = [ActivityCountsController]
