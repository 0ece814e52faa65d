"""The supervisor's weekly dispatch (周调度) as a page, with a cadre's week and the bulletin.

Every figure is the API's own (``grassroots.api.dispatch``): the same reads of
the same read models, with the same scope checks, so the page and
``GET /api/v1/org-units/{id}/dispatch`` cannot disagree. The page adds only
what a person needs to read it: the unit and week to look at, words for the
statuses and reasons, and the charts' data as a JSON block that
``static/dispatch.js`` draws with the vendored ECharts (no inline script: the
Content-Security-Policy allows this origin's script files only).

A unit outside the caller's subtree, a cadre outside the unit, a week that is
not a week: each answers like a missing page (404).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller, holds_any
from grassroots.api.cadres.visits import VisitView, visible_visit
from grassroots.api.context import Api, ApiDep
from grassroots.api.dispatch import (
    CadreWeekView,
    DispatchView,
    TrendView,
    bulletin_response,
    make_bulletin,
    read_cadre_week,
    read_dispatch,
    read_trend,
)
from grassroots.api.problems import ApiProblem
from grassroots.api.scope import require_point
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.compliance import Month
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.values import IsoWeek, iso_week_of, local_date
from grassroots.pages.controllers import language_of, page, unit_param
from grassroots.pages.sessions import SessionsDep
from grassroots.pages.words import Translate, translator
from grassroots.projections.org_tree import org_units_page, unit_names

__all__ = ["ROUTES", "supervisor_of", "unit_choices"]

TREND_WEEKS = 12
# The units an administrator (who supervises no unit of their own) is offered first.
_TOP_LEVELS = (OrgLevel.REGION, OrgLevel.CITY, OrgLevel.COUNTY)
_MISSING = (NotFound, ApiProblem)


async def supervisor_of(
    request: Request[Any, Any, Any], api: Api, sessions: SessionsDep, path: str
) -> Caller | Redirect:
    """The logged-in supervisor; a redirect to log in; or, for any other role, the missing page."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return Redirect(f"/login?next={quote(path)}", status_code=HTTP_303_SEE_OTHER)
    if not holds_any(caller, [Role.SUPERVISOR]):
        raise NotFoundException()
    return caller


def _week_param(request: Request[Any, Any, Any]) -> str | None:
    return request.query_params.get("week") or None


def unit_choices(api: Api, caller: Caller) -> list[tuple[UUID, str]]:
    """The units the caller may pick from: their own, or for an administrator the top ones."""
    with api.engine.connect() as conn:
        own = caller.subjects(Role.SUPERVISOR)
        if own:
            names = unit_names(conn, own)
            return sorted(((u, names.get(u, str(u))) for u in own), key=lambda c: c[1])
        if not caller.is_administrator:
            return []
        for level in _TOP_LEVELS:
            rows = org_units_page(conn, level=level, limit=50)
            if rows:
                return [(r.org_unit_id, r.name) for r in rows]
    return []


def _iso_week(text: str) -> IsoWeek:
    year, number = text.split("-W")
    return IsoWeek(int(year), int(number))


def _near_weeks(text: str) -> tuple[str, str]:
    monday = _iso_week(text).monday
    return (
        str(iso_week_of(monday - timedelta(weeks=1))),
        str(iso_week_of(monday + timedelta(weeks=1))),
    )


def _bulletin_month(text: str) -> Month:
    return Month.of_week(_iso_week(text))


def _percent(share: float | None) -> int | None:
    return None if share is None else round(100 * share)


def _unit_chart(dispatch: DispatchView, t: Translate) -> dict[str, Any]:
    # Units one level below the one shown, or the unit itself when it has none.
    below = [u for u in dispatch.units if u.depth == 1 and u.cadres_total]
    (shown,) = [u for u in dispatch.units if u.depth == 0]
    if not below:
        return _bars([(shown.name, shown.met_share)], t)
    bars = [(u.name, u.met_share) for u in below]
    # The unit's own cadres (at the county itself, say) belong to no unit below it;
    # without a bar of their own the bars would not add up to the headline share.
    own_total = shown.cadres_total - sum(u.cadres_total for u in below)
    if own_total:
        own_met = shown.met - sum(u.met for u in below)
        bars.append((t("dispatch.own_level", name=shown.name), own_met / own_total))
    return _bars(bars, t)


def _bars(bars: list[tuple[str, float | None]], t: Translate) -> dict[str, Any]:
    return {
        "names": [name for name, _ in bars],
        "shares": [_percent(share) or 0 for _, share in bars],
        "label": t("dispatch.share_met"),
    }


def _trend_chart(trend: TrendView, today: date, t: Translate) -> dict[str, Any]:
    # A week not over yet has no share to plot: early in a week nearly everyone is
    # still "on track", and a point at 0 % would read as a collapse.
    return {
        "weeks": [w.week for w in trend.weeks],
        "shares": [
            None if _iso_week(w.week).days()[-1] >= today else _percent(w.met_share)
            for w in trend.weeks
        ],
        "label": t("dispatch.share_met"),
    }


def _today_in(api: Api, unit_id: UUID, at: datetime) -> date:
    """The date ``at`` falls on where the unit is: its weeks are that zone's weeks."""
    return local_date(at, ZoneInfo(api.app.get(OrgUnit, unit_id).time_zone))


def _read_dispatch(
    api: Api, caller: Caller, unit_id: UUID, week: str | None
) -> tuple[DispatchView, date]:
    found = read_dispatch(api, caller, unit_id, week)
    return found, _today_in(api, unit_id, found.judged_at)


def _read_trend(
    api: Api, caller: Caller, unit_id: UUID, week: str | None
) -> tuple[TrendView, date]:
    found = read_trend(api, caller, unit_id, week, TREND_WEEKS)
    return found, _today_in(api, unit_id, found.judged_at)


def _unit_places(dispatch: DispatchView) -> dict[UUID, str]:
    """Each unit's name, with the unit above it for those two levels down or more:
    villages of one county may share a name (two 光明村), "东风镇 / 光明村" does not."""
    names = {u.org_unit_id: u.name for u in dispatch.units}
    return {
        u.org_unit_id: f"{names[u.parent_id]} / {u.name}"
        if u.depth >= 2 and u.parent_id in names
        else u.name
        for u in dispatch.units
    }


def _link(path: str, **params: object) -> str:
    given = {k: str(v) for k, v in params.items() if v is not None}
    return f"{path}?{urlencode(given)}" if given else path


@get("/dispatch/", name="screen-dispatch")
async def dispatch_page(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    found = await supervisor_of(request, api, sessions, "/dispatch/")
    if isinstance(found, Redirect):
        return found
    caller = found
    unit_id = unit_param(request)
    week = _week_param(request)
    if unit_id is None:
        choices = await api.read(caller.account_id, unit_choices, api, caller)
        if len(choices) != 1:
            # Several units (or an administrator): the person picks one first.
            return page(request, "dispatch/choose.html", caller=caller, choices=choices, week=week)
        unit_id = choices[0][0]
    try:
        dispatch, today = await api.read(
            caller.account_id, _read_dispatch, api, caller, unit_id, week
        )
    except _MISSING:
        raise NotFoundException() from None
    previous, following = _near_weeks(dispatch.week)
    t = translator(language_of(request))
    month = _bulletin_month(dispatch.week)
    return page(
        request,
        "dispatch/week.html",
        caller=caller,
        dispatch=dispatch,
        trend_weeks=TREND_WEEKS,
        # The page's week is still running (or yet to come): its shares will grow.
        week_running=dispatch.last_day >= today,
        chart_data={"units": _unit_chart(dispatch, t)},
        # The trend judges twelve weeks: it is fetched after the page has shown.
        trend_url=_link("/dispatch/trend", unit=unit_id, week=dispatch.week),
        unit_names=_unit_places(dispatch),
        previous=_link("/dispatch/", unit=unit_id, week=previous),
        following=_link("/dispatch/", unit=unit_id, week=following),
        this_week=_link("/dispatch/", unit=unit_id),
        # One query string for every cadre's link (a thousand rows: built once, not per row).
        cadre_query=_link("", unit=unit_id, week=dispatch.week),
        month=month,
        bulletin_xlsx=f"/dispatch/bulletins/{unit_id}/{month}.xlsx",
        bulletin_pdf=f"/dispatch/bulletins/{unit_id}/{month}.pdf",
        several_units=len(caller.subjects(Role.SUPERVISOR)) != 1,
        shared=dispatch.experiences,
        share_list=_link("/share/", unit=unit_id),
    )


def _read_cadre_week(
    api: Api, caller: Caller, unit_id: UUID, cadre_id: UUID, week: str | None
) -> tuple[CadreWeekView, list[VisitView], dict[UUID, str], ZoneInfo]:
    found = read_cadre_week(api, caller, unit_id, cadre_id, week)
    # Times are shown in the unit's zone (the scope was checked by the read above).
    zone = ZoneInfo(api.app.get(OrgUnit, unit_id).time_zone)
    # Each visit as its page in the API shows it (log lines, youths met), and its point's name.
    visits = [visible_visit(api.app, caller, v.visit_id) for v in found.visits]
    points: dict[UUID, str] = {}
    for point_id in {v.point_id for v in found.visits}:
        try:
            points[point_id] = require_point(api.app, caller, point_id).name
        except NotFound:
            # A point outside the caller's subtree keeps its name to itself.
            continue
    return found, visits, points, zone


@get("/dispatch/trend", name="dispatch-trend")
async def trend_data(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Response[dict[str, Any]]:
    """The share met over the weeks ending with the page's week: the trend chart's data."""
    caller = await sessions.caller(request, api.app)
    unit_id = unit_param(request)
    if caller is None or not holds_any(caller, [Role.SUPERVISOR]) or unit_id is None:
        raise NotFoundException()
    try:
        trend, today = await api.read(
            caller.account_id, _read_trend, api, caller, unit_id, _week_param(request)
        )
    except _MISSING:
        raise NotFoundException() from None
    return Response(
        _trend_chart(trend, today, translator(language_of(request))),
        headers={"Cache-Control": "no-store"},
    )


@get("/dispatch/cadres/{cadre_id:uuid}", name="dispatch-cadre")
async def cadre_page(
    cadre_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    found = await supervisor_of(request, api, sessions, f"/dispatch/cadres/{cadre_id}")
    if isinstance(found, Redirect):
        return found
    caller = found
    unit_id = unit_param(request)
    week = _week_param(request)
    if unit_id is None:
        choices = await api.read(caller.account_id, unit_choices, api, caller)
        if not choices:
            raise NotFoundException()
        unit_id = choices[0][0]
    try:
        week_view, visits, points, zone = await api.read(
            caller.account_id, _read_cadre_week, api, caller, unit_id, cadre_id, week
        )
    except _MISSING:
        raise NotFoundException() from None
    details = {v.visit_id: v for v in visits}
    return page(
        request,
        "dispatch/cadre.html",
        caller=caller,
        week=week_view,
        details=details,
        points=points,
        zone=zone,
        back=_link("/dispatch/", unit=unit_id, week=week_view.week),
    )


@get("/dispatch/bulletins/{org_unit_id:uuid}/{file:str}", name="dispatch-bulletin")
async def bulletin_file(
    org_unit_id: FromPath[UUID],
    file: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Response[bytes] | Redirect:
    """The month's bulletin, the very file the API's bulletin route gives."""
    found = await supervisor_of(request, api, sessions, "/dispatch/")
    if isinstance(found, Redirect):
        return found
    caller = found
    try:
        bulletin, content = await api.read(
            caller.account_id, make_bulletin, api, caller, org_unit_id, file
        )
    except NotFound:
        raise NotFoundException() from None
    except ApiProblem as refused:
        if refused.status_code in (400, 404):
            raise NotFoundException() from None
        raise
    return bulletin_response(bulletin, content, "pdf" if file.endswith(".pdf") else "xlsx")


ROUTES = [dispatch_page, trend_data, cadre_page, bulletin_file]
