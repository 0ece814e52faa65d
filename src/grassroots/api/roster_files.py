"""An activity's roster as a file (签到表): XLSX or CSV, for the center's own records
and the report it sends up. The same people and figures as ``listActivityAttendance``,
for the same callers (its center's staff, the supervisors above it), every line at
once; the cells are ``reports.roster_export``'s."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.security.jwt import Token
from litestar.types import ControllerRouterHandler

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.downloads import attachment
from grassroots.api.problems import problem_responses
from grassroots.api.scope import require_activity
from grassroots.api.supervision import CSV_MEDIA_TYPE, csv_file
from grassroots.domain.account import Role
from grassroots.domain.center import Center
from grassroots.domain.org_unit import OrgUnit
from grassroots.projections.volunteer_directory import RosterLine, roster_of
from grassroots.reports.bulletin_xlsx import XLSX_MEDIA_TYPE
from grassroots.reports.roster_export import HEADER, RosterFacts, roster_cells, roster_xlsx

__all__ = ["ROUTES", "roster_file"]

# Read a page at a time, as an activity may have thousands on its lists.
_PAGE = 2000
Kind = Literal["xlsx", "csv"]


def roster_file(api: Api, caller: Caller, activity_id: UUID, kind: Kind) -> Response[bytes]:
    """The roster of an activity the caller staffs or supervises, as a download."""
    activity = require_activity(api.app, caller, activity_id)
    center = api.app.get(Center, activity.center_id)
    zone = ZoneInfo(api.app.get(OrgUnit, center.org_unit_id).time_zone)
    lines: list[RosterLine] = []
    with api.engine.connect() as conn:
        while True:
            found = roster_of(conn, activity_id, limit=_PAGE, offset=len(lines))
            lines.extend(found)
            if len(found) < _PAGE:
                break
    day = activity.starts_at.astimezone(zone).date()
    named = f"{center.name}-{activity.title}-{day}-签到表.{kind}"
    plain = f"roster-{activity_id}.{kind}"
    if kind == "csv":
        content = csv_file(HEADER, roster_cells(lines, zone))
        return attachment(content, CSV_MEDIA_TYPE, plain, named)
    facts = RosterFacts(
        title=activity.title,
        center=center.name,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        exported_at=api.app.now(),
        zone=zone,
    )
    return attachment(roster_xlsx(facts, lines), XLSX_MEDIA_TYPE, plain, named)


class RosterFileController(Controller):
    path = "/api/v1/activities/{activity_id:uuid}"
    tags = ["centers"]  # noqa: RUF012
    guards = [requires(Role.CENTER_STAFF, Role.SUPERVISOR)]  # noqa: RUF012

    @get(
        "/attendance.xlsx",
        operation_id="exportActivityAttendanceXlsx",
        summary="An activity's roster as XLSX (签到表): everyone on its lists or who came "
        "(center staff, supervisor)",
        description="One row each, in the order they came: name, masked phone number, "
        "sign-up, the times on the center's clock, scan and corrected minutes, and what "
        "was added or closed by hand. A second sheet says what the file is of.",
        media_type=XLSX_MEDIA_TYPE,
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def export_xlsx(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Response[bytes]:
        caller = request.user
        return await api.read(caller.account_id, roster_file, api, caller, activity_id, "xlsx")

    @get(
        "/attendance.csv",
        operation_id="exportActivityAttendanceCsv",
        summary="An activity's roster as CSV (签到表), the XLSX's first sheet "
        "(center staff, supervisor)",
        media_type=CSV_MEDIA_TYPE,
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def export_csv(
        self, activity_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> Response[bytes]:
        caller = request.user
        return await api.read(caller.account_id, roster_file, api, caller, activity_id, "csv")


ROUTES: list[ControllerRouterHandler] = [RosterFileController]
