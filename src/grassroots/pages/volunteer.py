"""The volunteer's phone (``/m/``): my next activity and hours, discover, an activity
with sign up and withdraw, my sign-ups, my hours and what each line of them means.

Every read is a read-model query function the API uses too, run through
``Api.read`` (so a page shows the caller's own sign-up at once); sign up and
withdraw are the API's own commands through ``Api.write``. A refusal is shown
as a sentence from ``words.py`` chosen by the error's stable code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, PathParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller, holds_any
from grassroots.api.centers import DEFAULT_RADIUS_M
from grassroots.api.context import Api, ApiDep
from grassroots.api.pagination import PageRequest
from grassroots.api.volunteering import (
    ExplainedEvent,
    LedgerTotals,
    MySignUpView,
    SignUpView,
    explanation,
    ledger_totals,
    my_sign_ups,
    sign_up_answer,
)
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.errors import CodedError
from grassroots.domain.values import GeoPoint
from grassroots.pages.controllers import language_of, page
from grassroots.pages.screens import SCREENS
from grassroots.pages.sessions import SessionsDep
from grassroots.pages.words import WORDS, Translate, translator
from grassroots.projections.activity_catalogue import (
    ActivityRow,
    CenterRow,
    MySignUp,
    MyState,
    Near,
    activity_row,
    center_row,
    centers,
    discover,
    sign_ups_of,
)
from grassroots.projections.ledger import LedgerLine, periods_of, read_ledger

__all__ = ["ROUTES", "Me", "between", "day_of", "duration", "phone_page", "volunteer_of", "when"]

SCREEN = next(screen for screen in SCREENS if screen.key == "m")
# How far ahead "discover" looks, and how many it lists at once.
DISCOVER_DAYS = 14
DISCOVER_LIMIT = 50
# "My sign-ups" and "my hours" show this many; an app reads further through the API.
LIST_LIMIT = 100
# The sign-ups still to come, for "my next activity".
_COMING = (MyState.SIGNED_UP, MyState.PROMOTED, MyState.WAIT_LISTED, MyState.CHECKED_IN)
# On a list, and there at the activity (or done): no sign-up to offer in either.
_HOLDING = (MyState.SIGNED_UP, MyState.PROMOTED, MyState.WAIT_LISTED)
_ATTENDING = (MyState.CHECKED_IN, MyState.ATTENDED)
# The notices an activity's page shows after a form (``?done=``).
_DONE = ("signed_up", "wait_listed", "withdrawn", "unchanged")


# --- words for times and minutes -------------------------------------------------------


def when(t: Translate, at: datetime, zone: ZoneInfo) -> str:
    """A day and a time in the page's language: 12月6日 周六 09:00 / Sat 6 Dec 09:00."""
    local = at.astimezone(zone)
    weekday = t(f"m.weekday.{local.weekday()}")
    month = t(f"m.month.{local.month}")
    return t("m.when", month=month, day=local.day, weekday=weekday, time=local.strftime("%H:%M"))


def between(t: Translate, starts: datetime, ends: datetime, zone: ZoneInfo) -> str:
    """From and to, the day named once when both fall on it."""
    if starts.astimezone(zone).date() == ends.astimezone(zone).date():
        return f"{when(t, starts, zone)}–{ends.astimezone(zone):%H:%M}"
    return f"{when(t, starts, zone)} – {when(t, ends, zone)}"


def day_of(t: Translate, day: date) -> str:
    """A date in the page's language: 12月4日 周五 / Fri 4 Dec."""
    return t(
        "m.day",
        month=t(f"m.month.{day.month}"),
        day=day.day,
        weekday=t(f"m.weekday.{day.weekday()}"),
    )


def duration(t: Translate, minutes: int) -> str:
    """Minutes as hours and minutes (2小时30分 / 2 h 30 min); a negative sign kept."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        return sign + t("m.hours_minutes", hours=hours, minutes=rest)
    if hours:
        return sign + t("m.hours", hours=hours)
    return sign + t("m.minutes", minutes=rest)


def refusal(code: str) -> str:
    """The words key saying why a sign-up or withdrawal was refused, by the error's code."""
    key = f"m.refused.{code}"
    return key if key in WORDS else "m.refused.other"


# --- access ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Me:
    caller: Caller
    # None for an administrator, who opens the screen but has no volunteer record.
    volunteer_id: UUID | None


async def volunteer_of(
    request: Request[Any, Any, Any], api: Api, sessions: SessionsDep
) -> Me | Redirect:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        # The router strips a trailing slash; the home's address keeps it (``/m/``).
        path = request.url.path.rstrip("/") or "/"
        path = SCREEN.path if path == SCREEN.path.rstrip("/") else path
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?next={quote(target)}", status_code=HTTP_303_SEE_OTHER)
    if not holds_any(caller, [Role.VOLUNTEER]):
        # Like a page that does not exist, as every role screen answers.
        raise NotFoundException()
    return Me(caller, caller.volunteer_id if caller.subjects(Role.VOLUNTEER) else None)


def phone_page(
    request: Request[Any, Any, Any], api: Api, me: Me, template: str, **context: Any
) -> Template:
    zone = ZoneInfo(api.app.config.time_zone)
    t = translator(language_of(request))
    status = context.pop("status", 200)
    return page(
        request,
        template,
        caller=me.caller,
        status=status,
        screen=SCREEN,
        role=Role.VOLUNTEER if me.volunteer_id else Role.ADMINISTRATOR,
        me=me,
        now=api.app.now(),
        when=lambda at: when(t, at, zone),
        between=lambda starts, ends: between(t, starts, ends, zone),
        day=lambda d: day_of(t, d),
        duration=lambda minutes: duration(t, minutes),
        **context,
    )


# --- reads (run off the loop by Api.read) -------------------------------------------------


@dataclass(frozen=True)
class Home:
    next_up: MySignUpView | None
    week: int
    month: int
    year: int


def _home(api: Api, volunteer_id: UUID) -> Home:
    coming = my_sign_ups(api, volunteer_id, PageRequest(limit=20, offset=0))
    now = api.app.now()
    next_up = next((s for s in coming if s.state in _COMING and s.ends_at > now), None)
    week, month, year = periods_of(_today(api))
    totals = ledger_totals(api, volunteer_id, None)
    return Home(
        next_up=next_up,
        week=_total(totals, "weeks", week),
        month=_total(totals, "months", month),
        year=_total(totals, "years", year),
    )


def _today(api: Api) -> date:
    return api.app.now().astimezone(ZoneInfo(api.app.config.time_zone)).date()


def _total(totals: LedgerTotals, kind: str, period: str) -> int:
    rows = getattr(totals, kind)
    return next((row.minutes for row in rows if row.period == period), 0)


@dataclass(frozen=True)
class Discovered:
    activities: list[ActivityRow]
    centers: list[CenterRow]
    names: dict[UUID, str]


def _discover(api: Api, center_id: UUID | None, near: Near | None) -> Discovered:
    now = api.app.now()
    with api.engine.connect() as conn:
        found = discover(
            conn,
            starts_from=now - timedelta(hours=2),
            starts_to=now + timedelta(days=DISCOVER_DAYS),
            center_id=center_id,
            near=near,
            limit=DISCOVER_LIMIT,
        )
        known = centers(conn, limit=200)
    names = {c.center_id: c.name for c in known}
    return Discovered(activities=[a for a in found if a.ends_at > now], centers=known, names=names)


@dataclass(frozen=True)
class Detail:
    activity: ActivityRow
    center: CenterRow | None
    mine: MySignUp | None
    open_for_sign_up: bool
    open_for_withdrawal: bool


def _detail(api: Api, activity_id: UUID, volunteer_id: UUID | None) -> Detail:
    now = api.app.now()
    with api.engine.connect() as conn:
        activity = activity_row(conn, activity_id)
        if activity is None:
            raise NotFoundException()
        center = center_row(conn, activity.center_id)
        mine = (
            None
            if volunteer_id is None
            else next(iter(sign_ups_of(conn, volunteer_id, now=now, activity_id=activity_id)), None)
        )
    posted = activity.status == "posted"
    state = mine.state if mine else None
    holding = state in _HOLDING
    attending = state in _ATTENDING
    return Detail(
        activity=activity,
        center=center,
        mine=mine,
        open_for_sign_up=posted and not holding and not attending and now < activity.ends_at,
        open_for_withdrawal=posted and holding and now < activity.starts_at,
    )


def _lines(api: Api, volunteer_id: UUID) -> list[LedgerLine]:
    with api.engine.connect() as conn:
        lines = read_ledger(conn, volunteer_id)
    # Newest first: the phone shows what just happened on top.
    return lines[::-1][:LIST_LIMIT]


def _line(api: Api, volunteer_id: UUID, position: int) -> LedgerLine | None:
    with api.engine.connect() as conn:
        lines = read_ledger(conn, volunteer_id)
    return next((line for line in lines if line.position == position), None)


# --- explanations in words ------------------------------------------------------------------


_EXPLAINED = {
    "Attendance.CheckedIn": "m.explain.checked_in",
    "Attendance.CheckedOut": "m.explain.checked_out",
    "Attendance.AutoClosed": "m.explain.auto_closed",
    "Attendance.AddedByStaff": "m.explain.added_by_staff",
    "Attendance.Adjusted": "m.explain.adjusted",
}


def explained(t: Translate, event: ExplainedEvent, zone: ZoneInfo) -> str:
    """One event behind a ledger line, as a sentence."""
    fields = event.fields
    minutes = fields.get("credited_minutes", fields.get("minutes", 0))
    return t(
        _EXPLAINED.get(event.type, "m.explain.other"),
        at=when(t, event.at, zone),
        minutes=duration(t, int(minutes)),
        staff=fields.get("staff_name") or t("m.staff_unknown"),
        reason=fields.get("reason") or "",
    )


# --- routes -------------------------------------------------------------------------------


@get("/m/", name="m-home")
async def home(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    summary = None
    if me.volunteer_id is not None:
        summary = await api.read(me.caller.account_id, _home, api, me.volunteer_id)
    return phone_page(request, api, me, "screens/m.html", home=summary)


@get("/m/discover", name="m-discover")
async def discover_page(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    query = request.query_params
    center_id = _uuid(query.get("center"))
    near = _near(query.get("near_lat"), query.get("near_lon"))
    found = await api.read(me.caller.account_id, _discover, api, center_id, near)
    return phone_page(
        request,
        api,
        me,
        "m/discover.html",
        found=found,
        center_id=center_id,
        near=near,
        radius_km=int(DEFAULT_RADIUS_M / 1000),
    )


@get("/m/activities/{activity_id:uuid}", name="m-activity")
async def activity_page(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    detail = await api.read(me.caller.account_id, _detail, api, activity_id, me.volunteer_id)
    done = request.query_params.get("done")
    return phone_page(
        request,
        api,
        me,
        "m/activity.html",
        detail=detail,
        done=done if done in _DONE else None,
    )


async def _act(
    request: Request[Any, Any, Any], api: Api, sessions: SessionsDep, activity_id: UUID, act: str
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    if me.volunteer_id is None:
        raise NotFoundException()
    account = me.caller.account_id
    try:
        if act == "sign-up":
            answer = await api.write(account, _sign_up, api.app, activity_id, me.volunteer_id)
            done = "unchanged" if answer is None else answer.status.value
        else:
            await api.write(account, api.app.withdraw, activity_id, me.volunteer_id)
            done = "withdrawn"
    except NotFound as missing:
        raise NotFoundException() from missing
    except CodedError as refused:
        detail = await api.read(account, _detail, api, activity_id, me.volunteer_id)
        return phone_page(
            request,
            api,
            me,
            "m/activity.html",
            detail=detail,
            done=None,
            error=refusal(refused.code),
            status=409,
        )
    target = f"/m/activities/{activity_id}?{urlencode({'done': done})}"
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


def _sign_up(app: Grassroots, activity_id: UUID, volunteer_id: UUID) -> SignUpView | None:
    """The API's sign-up; None when it recorded nothing (signing up again answers where
    the volunteer already stands and writes nothing: no news to announce as success).
    Runs in the writer's thread, whose last write position moves only with a write."""
    before = app.last_write_position()
    answer = sign_up_answer(app, activity_id, volunteer_id)
    return None if app.last_write_position() == before else answer


@post("/m/activities/{activity_id:uuid}/sign-up", name="m-sign-up")
async def sign_up_form(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _act(request, api, sessions, activity_id, "sign-up")


@post("/m/activities/{activity_id:uuid}/withdraw", name="m-withdraw")
async def withdraw_form(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _act(request, api, sessions, activity_id, "withdraw")


@get("/m/sign-ups", name="m-sign-ups")
async def sign_ups_page(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    items: list[MySignUpView] = []
    if me.volunteer_id is not None:
        items = await api.read(
            me.caller.account_id,
            my_sign_ups,
            api,
            me.volunteer_id,
            PageRequest(limit=LIST_LIMIT, offset=0),
        )
    return phone_page(request, api, me, "m/sign_ups.html", items=items[:LIST_LIMIT])


@dataclass(frozen=True)
class Hours:
    totals: LedgerTotals
    lines: list[LedgerLine]
    week: str
    month: str
    year: str


def _hours(api: Api, volunteer_id: UUID) -> Hours:
    week, month, year = periods_of(_today(api))
    return Hours(
        totals=ledger_totals(api, volunteer_id, None),
        lines=_lines(api, volunteer_id),
        week=week,
        month=month,
        year=year,
    )


@get("/m/hours", name="m-hours")
async def hours_page(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    hours = None
    if me.volunteer_id is not None:
        hours = await api.read(me.caller.account_id, _hours, api, me.volunteer_id)
    return phone_page(request, api, me, "m/hours.html", hours=hours)


@get("/m/hours/lines/{position:int}", name="m-hours-line")
async def line_page(
    position: Annotated[int, PathParameter(ge=0, le=2**62)],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    if me.volunteer_id is None:
        raise NotFoundException()
    account = me.caller.account_id
    line = await api.read(account, _line, api, me.volunteer_id, position)
    if line is None:
        raise NotFoundException()
    events = await api.read(account, explanation, api, me.caller, me.volunteer_id, position)
    zone = ZoneInfo(api.app.config.time_zone)
    t = translator(language_of(request))
    sentences = [explained(t, event, zone) for event in events.events]
    return phone_page(request, api, me, "m/line.html", line=line, sentences=sentences)


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


def _near(lat: str | None, lon: str | None) -> Near | None:
    """The phone's place, given only when the person asked for "near me"."""
    try:
        point = GeoPoint(float(lat or ""), float(lon or ""))
    except (ValueError, CodedError):
        return None
    return Near(point, DEFAULT_RADIUS_M)


ROUTES = [
    home,
    discover_page,
    activity_page,
    sign_up_form,
    withdraw_form,
    sign_ups_page,
    hours_page,
    line_page,
]
