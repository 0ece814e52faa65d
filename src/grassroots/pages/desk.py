"""The center desk (青年之家工作台): a youth center's activities, their rosters and corrections.

Who may open it: the staff of a center for that center, administrators for any;
anyone else gets the page every missing thing gets (404), as the API answers a
record outside the caller's scope. The writes are the API's own
(``api.centers.staff_post`` and its siblings, each with its scope check), fed
the API's own bodies (``NewActivity`` ...), so a form and a JSON request are
held to the same rules; a refusal is shown as the sentence the API's problem
catalogue gives its code, in the page's language. The roster is the API's
read (``projections.volunteer_directory.roster_of``): names and masked phone
numbers, never a full number.

Times are shown and typed in the zone of the center's org unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller
from grassroots.api.centers import (
    ActivityChange,
    Adjustment,
    Cancellation,
    Minutes,
    NewActivity,
    require_staff_of,
    staff_adjust,
    staff_cancel,
    staff_change,
    staff_post,
    staffed_activity,
)
from grassroots.api.context import Api, ApiDep
from grassroots.api.field_messages import field_message
from grassroots.api.problems import refusal_of
from grassroots.api.roster_files import Kind, roster_file
from grassroots.application.errors import NotFound
from grassroots.domain.activity import Activity, Phase, phase_of
from grassroots.domain.center import Center
from grassroots.domain.errors import CodedError
from grassroots.domain.org_unit import OrgUnit
from grassroots.pages.action_addresses import FORM_PAGE
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import language_of, page
from grassroots.pages.refusals import invalid_field
from grassroots.pages.screens import SCREENS, screens_for
from grassroots.pages.sessions import PageSessions, SessionsDep
from grassroots.pages.words import WORDS, Translate, translator
from grassroots.projections.activity_catalogue import (
    ActivityRow,
    SignUpState,
    activities_of_center,
    center_row,
    centers,
)
from grassroots.projections.ledger import StaffLineRow, staff_lines_at
from grassroots.projections.volunteer_directory import RosterLine, roster_of

__all__ = ["ROUTES"]

DESK = next(screen for screen in SCREENS if screen.key == "desk")
# How far back the desk lists past activities, and how many it lists at most.
PAST_WINDOW = timedelta(days=42)
MAX_LISTED = 500
# An administrator picks from this many centers (by name); a center's staff see theirs.
MAX_CENTERS = 200
# A roster longer than this is cut, and says so.
MAX_ROSTER = 2000
# The form's datetime-local value.
FORM_TIME = "%Y-%m-%dT%H:%M"
# Messages shown once after a write (``?done=``), by the write.
DONE = {"posted", "changed", "cancelled", "corrected"}


# --- who may open the desk --------------------------------------------------------------


async def _staff(
    request: Request[Any, Any, Any], api: Api, sessions: SessionsDep
) -> Caller | Redirect:
    """The caller, if the desk is theirs; a way to the log-in page if nobody is logged in."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return Redirect(f"/login?next={quote(request.url.path)}", status_code=HTTP_303_SEE_OTHER)
    if DESK not in screens_for(caller):
        raise NotFoundException()
    return caller


def _found(query: Any, *args: Any) -> Any:
    """Run a scope-checked read; a record out of scope is a missing page."""
    try:
        return query(*args)
    except NotFound:
        raise NotFoundException() from None


# --- reads (each runs in a worker thread) ---------------------------------------------


@dataclass(frozen=True)
class CenterChoice:
    center_id: UUID
    name: str


@dataclass(frozen=True)
class CenterDesk:
    center: CenterChoice
    zone: ZoneInfo
    running: list[ActivityRow]
    upcoming: list[ActivityRow]
    past: list[ActivityRow]


@dataclass(frozen=True)
class Roster:
    attended: list[RosterLine]
    signed_up: list[RosterLine]
    waiting: list[RosterLine]
    withdrawn: list[RosterLine]
    cut: bool


@dataclass(frozen=True)
class ActivityDesk:
    activity: Activity
    center: CenterChoice
    zone: ZoneInfo
    phase: Phase
    roster: Roster
    # Each corrected volunteer's staff lines (补录 and corrections): minutes, why, who, when.
    staff_lines: dict[UUID, list[StaffLineRow]]
    # Who wrote them, by the name of their account (colleagues at the same center).
    staff_names: dict[UUID, str]


def _zone_of(api: Api, center: Center) -> ZoneInfo:
    return ZoneInfo(api.app.get(OrgUnit, center.org_unit_id).time_zone)


def _center_choices(api: Api, caller: Caller) -> list[CenterChoice]:
    with api.engine.connect() as conn:
        if caller.is_administrator and not caller.subjects(DESK.role):
            return [CenterChoice(c.center_id, c.name) for c in centers(conn, limit=MAX_CENTERS)]
        choices = []
        for center_id in caller.subjects(DESK.role):
            row = center_row(conn, center_id)
            if row is not None:
                choices.append(CenterChoice(center_id, row.name))
            else:
                # Registered a moment ago: the catalogue has not caught up yet.
                choices.append(CenterChoice(center_id, api.app.get(Center, center_id).name))
    return sorted(choices, key=lambda c: (c.name, str(c.center_id)))


def _center(api: Api, caller: Caller, center_id: UUID) -> tuple[Center, ZoneInfo]:
    require_staff_of(api.app, caller, center_id)
    center = api.app.get(Center, center_id)
    return center, _zone_of(api, center)


def _center_desk(api: Api, caller: Caller, center_id: UUID) -> CenterDesk:
    center, zone = _center(api, caller, center_id)
    now = api.app.now()
    with api.engine.connect() as conn:
        rows = activities_of_center(
            conn, center_id, starts_from=now - PAST_WINDOW, limit=MAX_LISTED
        )
    grouped: dict[Phase, list[ActivityRow]] = {phase: [] for phase in Phase}
    for row in rows:
        grouped[phase_of(row.starts_at, row.ends_at, now)].append(row)
    return CenterDesk(
        center=CenterChoice(center_id, center.name),
        zone=zone,
        running=grouped[Phase.RUNNING],
        upcoming=grouped[Phase.UPCOMING],
        # The latest first: last week's activity is the one being looked for.
        past=grouped[Phase.PAST][::-1],
    )


def _roster(lines: list[RosterLine]) -> Roster:
    attended, signed_up, waiting, withdrawn = [], [], [], []
    for line in lines:
        row = line.attendance
        if row.checked_in_at is not None or row.adjustments:
            attended.append(line)
        if row.sign_up == SignUpState.SIGNED_UP:
            signed_up.append(line)
        elif row.sign_up == SignUpState.WAIT_LISTED:
            waiting.append(line)
        elif row.sign_up == SignUpState.WITHDRAWN:
            withdrawn.append(line)
    return Roster(attended, signed_up, waiting, withdrawn, cut=len(lines) > MAX_ROSTER)


def _activity_desk(api: Api, caller: Caller, activity_id: UUID) -> ActivityDesk:
    activity = staffed_activity(api.app, caller, activity_id)
    center = api.app.get(Center, activity.center_id)
    with api.engine.connect() as conn:
        lines = roster_of(conn, activity_id, limit=MAX_ROSTER + 1)
        corrected = [
            line.attendance.volunteer_id
            for line in lines[:MAX_ROSTER]
            if line.attendance.adjustments or line.attendance.added_by_staff
        ]
        staff_lines = staff_lines_at(conn, activity_id, corrected)
    return ActivityDesk(
        activity=activity,
        center=CenterChoice(center.id, center.name),
        zone=_zone_of(api, center),
        phase=phase_of(activity.starts_at, activity.ends_at, api.app.now()),
        roster=_roster(lines[:MAX_ROSTER]),
        staff_lines=staff_lines,
        staff_names=api.app.account_names(
            s.staff_id for written in staff_lines.values() for s in written
        ),
    )


# --- forms ------------------------------------------------------------------------------


@dataclass
class Refusal:
    """Why a form was not taken: a sentence, and the field it is about if any."""

    sentence: str
    field: str | None = None
    status: int = 422


@dataclass
class ActivityForm:
    """An activity form's values as typed, to show again beside a refusal."""

    title: str = ""
    description: str = ""
    category: str = ""
    starts_at: str = ""
    ends_at: str = ""
    capacity: str = ""
    sign_up_required: bool = True
    location_required: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, activity: Activity, zone: ZoneInfo) -> ActivityForm:
        return cls(
            title=activity.title,
            description=activity.description,
            category=activity.category,
            starts_at=activity.starts_at.astimezone(zone).strftime(FORM_TIME),
            ends_at=activity.ends_at.astimezone(zone).strftime(FORM_TIME),
            capacity="" if activity.capacity is None else str(activity.capacity),
            sign_up_required=activity.sign_up_required,
            location_required=activity.location_required,
        )

    @classmethod
    def typed(cls, form: Any) -> ActivityForm:
        def text(name: str) -> str:
            return str(form.get(name, "")).strip()

        return cls(
            title=text("title"),
            description=str(form.get("description", "")).strip(),
            category=_chosen_category(text("category"), text("category_other")),
            starts_at=text("starts_at"),
            ends_at=text("ends_at"),
            capacity=text("capacity"),
            sign_up_required=form.get("sign_up_required") is not None,
            location_required=form.get("location_required") is not None,
        )


class _Unreadable(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _instant(value: str, zone: ZoneInfo, name: str) -> datetime:
    try:
        typed = datetime.strptime(value, FORM_TIME)
    except ValueError:
        raise _Unreadable(name) from None
    return typed.replace(tzinfo=zone)


def _whole(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise _Unreadable(name) from None


def _minutes(value: str) -> int:
    """Typed minutes, within the API's bounds (``Minutes``)."""
    whole = _whole(value, "minutes")
    try:
        bounded: int = msgspec.convert(whole, Minutes)
    except msgspec.ValidationError as error:
        # Said of the field, as a body's error is.
        raise msgspec.ValidationError(f"{error} - at `$.minutes`") from None
    return bounded


def _body(values: dict[str, Any], kind: type[Any]) -> Any:
    # The API's own body: the same limits as a JSON request (lengths, ranges, zones).
    return msgspec.convert(values, kind)


def _refusal(request: Request[Any, Any, Any], error: Exception) -> Refusal:
    """What a page says of a refused write, in its language, with the status the
    API's route would answer (the problem handler's own reading of the error)."""
    language = language_of(request)
    t = _t(request)
    if isinstance(error, _Unreadable):
        return Refusal(t("desk.unreadable", field=t(f"desk.field.{error.name}")), error.name, 400)
    if isinstance(error, msgspec.ValidationError):
        name, said = invalid_field(error)
        label = t(f"desk.field.{name}") if f"desk.field.{name}" in _FIELDS else name
        message = field_message(said, "en" if language == "en" else "zh-CN")
        return Refusal(t("desk.invalid", field=label, message=message), name or None, 400)
    assert isinstance(error, CodedError)
    found, status = refusal_of(error)
    if found is None:
        sentence = error.message if language == "en" else t("desk.refused")
    else:
        sentence = found.en if language == "en" else found.zh
    return Refusal(sentence, _FIELD_OF_CODE.get(error.code), status)


# The form field a rule's refusal is about, so the page marks it and puts the cursor
# there (the domain names rules, not form fields).
_FIELD_OF_CODE = {
    "activity-end-before-start": "ends_at",
    "activity-too-long": "ends_at",
    "activity-starts-in-past": "starts_at",
    "activity-started": "starts_at",
    "activity-check-in-open": "starts_at",
    "capacity-invalid": "capacity",
    "capacity-conflicting": "capacity",
    "capacity-below-signed-up": "capacity",
}


_FIELDS = {
    f"desk.field.{name}"
    for name in (
        "title",
        "description",
        "category",
        "starts_at",
        "ends_at",
        "capacity",
        "reason",
        "minutes",
    )
}


def _t(request: Request[Any, Any, Any]) -> Translate:
    return translator(language_of(request))


def _new_activity(form: ActivityForm, zone: ZoneInfo) -> NewActivity:
    values: dict[str, Any] = {
        "title": form.title,
        "description": form.description,
        "category": form.category,
        "starts_at": _instant(form.starts_at, zone, "starts_at"),
        "ends_at": _instant(form.ends_at, zone, "ends_at"),
        "sign_up_required": form.sign_up_required,
        "location_required": form.location_required,
    }
    if form.capacity:
        values["capacity"] = _whole(form.capacity, "capacity")
    body: NewActivity = _body(values, NewActivity)
    return body


def _change(form: ActivityForm, before: ActivityForm, zone: ZoneInfo) -> ActivityChange:
    """Only what the form changed: an unchanged start is not a change of the start."""
    values: dict[str, Any] = {}
    for name in ("title", "description", "category"):
        if getattr(form, name) != getattr(before, name):
            values[name] = getattr(form, name)
    for name in ("starts_at", "ends_at"):
        if getattr(form, name) != getattr(before, name):
            values[name] = _instant(getattr(form, name), zone, name)
    if form.capacity != before.capacity:
        if form.capacity:
            values["capacity"] = _whole(form.capacity, "capacity")
        else:
            values["capacity_unlimited"] = True
    for name in ("sign_up_required", "location_required"):
        if getattr(form, name) != getattr(before, name):
            values[name] = getattr(form, name)
    body: ActivityChange = _body(values, ActivityChange)
    return body


# --- the pages --------------------------------------------------------------------------


# Categories the form offers, by the code activities are posted under.
CATEGORIES = ("environment", "elderly", "culture", "traffic", "education", "publicity")
# The select's "other" choice: the category is then the text typed beside it.
OTHER_CATEGORY = "__other__"


def _chosen_category(chosen: str, typed: str) -> str:
    """The category the form names: a chosen code, or the text typed under "other";
    an offered category's name becomes its code (typed "环境保护" is "environment",
    not a second category beside it)."""
    given = typed if chosen == OTHER_CATEGORY else chosen
    by_name = {
        name.casefold(): code for code in CATEGORIES for name in WORDS[f"desk.category.{code}"]
    }
    return by_name.get(given.casefold(), given)


def _category_namer(request: Request[Any, Any, Any]) -> Any:
    t = _t(request)

    def category(code: str) -> str:
        key = f"desk.category.{code}"
        return t(key) if key in WORDS else code

    return category


def _page(request: Request[Any, Any, Any], template: str, **context: Any) -> Template:
    """A desk page: ``controllers.page`` with the categories' names."""
    return page(
        request,
        template,
        category=_category_namer(request),
        categories=CATEGORIES,
        other_category=OTHER_CATEGORY,
        **context,
    )


def _local(zone: ZoneInfo) -> LocalClock:
    return local_clock(zone, "%Y-%m-%d %H:%M")


@get("/desk/", name="desk")
async def desk(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    choices = await api.read(caller.account_id, _center_choices, api, caller)
    if len(choices) == 1:
        # One center: its desk is the desk.
        return Redirect(f"/desk/centers/{choices[0].center_id}", status_code=HTTP_303_SEE_OTHER)
    return _page(request, "desk/choose.html", caller=caller, choices=choices)


@get("/desk/centers/{center_id:uuid}", name="desk-center")
async def center_desk(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, center_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    shown = await api.read(caller.account_id, _found, _center_desk, api, caller, center_id)
    several = len(caller.subjects(DESK.role)) > 1 or caller.is_administrator
    return _page(
        request,
        "desk/center.html",
        caller=caller,
        desk=shown,
        local=_local(shown.zone),
        several=several,
        done=_done(request),
    )


def _done(request: Request[Any, Any, Any]) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


@get("/desk/centers/{center_id:uuid}/new", name="desk-new-activity")
async def new_activity_form(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, center_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    center, _zone = await api.read(caller.account_id, _found, _center, api, caller, center_id)
    return _page(
        request, "desk/activity_form.html", caller=caller, center=center, form=ActivityForm()
    )


@post(
    "/desk/centers/{center_id:uuid}/activities",
    name="desk-post-activity",
    # A GET here (after a refusal: the language switch, a reload) leads to the form.
    opt={FORM_PAGE: "/desk/centers/{center_id}/new"},
)
async def post_activity(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, center_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    center, zone = await api.read(caller.account_id, _found, _center, api, caller, center_id)
    form = ActivityForm.typed(await request.form())
    try:
        data = _new_activity(form, zone)
        posted = await api.write(
            caller.account_id, _found, staff_post, api.app, caller, center_id, data
        )
    except (_Unreadable, msgspec.ValidationError, CodedError) as error:
        refusal = _refusal(request, error)
        return _page(
            request,
            "desk/activity_form.html",
            caller=caller,
            center=center,
            form=form,
            refusal=refusal,
            status=refusal.status,
        )
    return Redirect(f"/desk/activities/{posted}?done=posted", status_code=HTTP_303_SEE_OTHER)


@get("/desk/activities/{activity_id:uuid}", name="desk-activity")
async def activity_desk(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, activity_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _activity_page(request, api, caller, activity_id)


async def _activity_page(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    activity_id: UUID,
    *,
    refusal: Refusal | None = None,
    refused_for: UUID | None = None,
    typed: dict[str, str] | None = None,
) -> Template:
    shown = await api.read(caller.account_id, _found, _activity_desk, api, caller, activity_id)
    return _page(
        request,
        "desk/activity.html",
        caller=caller,
        desk=shown,
        local=_local(shown.zone),
        done=_done(request),
        refusal=refusal,
        refused_for=refused_for,
        typed=typed or {},
        status=200 if refusal is None else refusal.status,
    )


@post(
    "/desk/activities/{activity_id:uuid}/attendance/{volunteer_id:uuid}/adjustments",
    name="desk-adjust",
    opt={FORM_PAGE: "/desk/activities/{activity_id}#v-{volunteer_id}"},
)
async def adjust(
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
    activity_id: FromPath[UUID],
    volunteer_id: FromPath[UUID],
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    form = await request.form()
    minutes = str(form.get("minutes", "")).strip()
    reason = str(form.get("reason", "")).strip()
    try:
        # The reason is left to the domain (``require_reason``), whose refusal is a
        # sentence (请填写原因), as the sharing pages' are; the minutes keep the API's bounds.
        data = Adjustment(minutes=_minutes(minutes), reason=reason)
        await api.write(
            caller.account_id,
            _found,
            staff_adjust,
            api.app,
            caller,
            activity_id,
            volunteer_id,
            data,
        )
    except (_Unreadable, msgspec.ValidationError, CodedError) as error:
        return await _activity_page(
            request,
            api,
            caller,
            activity_id,
            refusal=_refusal(request, error),
            refused_for=volunteer_id,
            typed={"minutes": minutes, "reason": reason},
        )
    return Redirect(
        f"/desk/activities/{activity_id}?done=corrected#v-{volunteer_id}",
        status_code=HTTP_303_SEE_OTHER,
    )


@get("/desk/activities/{activity_id:uuid}/edit", name="desk-edit-activity")
async def edit_activity_form(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, activity_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    shown = await api.read(caller.account_id, _found, _activity_desk, api, caller, activity_id)
    return _page(
        request,
        "desk/edit.html",
        caller=caller,
        desk=shown,
        form=ActivityForm.of(shown.activity, shown.zone),
        reason="",
    )


@post("/desk/activities/{activity_id:uuid}/edit", name="desk-change-activity")
async def change_activity(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, activity_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    shown = await api.read(caller.account_id, _found, _activity_desk, api, caller, activity_id)
    form = ActivityForm.typed(await request.form())
    try:
        data = _change(form, ActivityForm.of(shown.activity, shown.zone), shown.zone)
        await api.write(caller.account_id, _found, staff_change, api.app, caller, activity_id, data)
    except (_Unreadable, msgspec.ValidationError, CodedError) as error:
        refusal = _refusal(request, error)
        return _page(
            request,
            "desk/edit.html",
            caller=caller,
            desk=shown,
            form=form,
            reason="",
            refusal=refusal,
            status=refusal.status,
        )
    return Redirect(f"/desk/activities/{activity_id}?done=changed", status_code=HTTP_303_SEE_OTHER)


@post(
    "/desk/activities/{activity_id:uuid}/cancel",
    name="desk-cancel-activity",
    opt={FORM_PAGE: "/desk/activities/{activity_id}/edit"},
)
async def cancel_activity(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, activity_id: FromPath[UUID]
) -> Template | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    reason = str((await request.form()).get("reason", "")).strip()
    try:
        data = Cancellation(reason=reason)
        await api.write(caller.account_id, _found, staff_cancel, api.app, caller, activity_id, data)
    except (msgspec.ValidationError, CodedError) as error:
        shown = await api.read(caller.account_id, _found, _activity_desk, api, caller, activity_id)
        refusal = _refusal(request, error)
        return _page(
            request,
            "desk/edit.html",
            caller=caller,
            desk=shown,
            form=ActivityForm.of(shown.activity, shown.zone),
            reason=reason,
            cancel_refusal=refusal,
            status=refusal.status,
        )
    return Redirect(
        f"/desk/activities/{activity_id}?done=cancelled", status_code=HTTP_303_SEE_OTHER
    )


async def _roster_file(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions, activity_id: UUID, kind: Kind
) -> Response[bytes] | Redirect:
    caller = await _staff(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    found: Response[bytes] = await api.read(
        caller.account_id, _found, roster_file, api, caller, activity_id, kind
    )
    return found


@get("/desk/activities/{activity_id:uuid}/roster.xlsx", name="desk-roster-xlsx")
async def roster_xlsx(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, activity_id: FromPath[UUID]
) -> Response[bytes] | Redirect:
    return await _roster_file(request, api, sessions, activity_id, "xlsx")


@get("/desk/activities/{activity_id:uuid}/roster.csv", name="desk-roster-csv")
async def roster_csv(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep, activity_id: FromPath[UUID]
) -> Response[bytes] | Redirect:
    return await _roster_file(request, api, sessions, activity_id, "csv")


ROUTES = [
    desk,
    roster_xlsx,
    roster_csv,
    center_desk,
    new_activity_form,
    post_activity,
    activity_desk,
    adjust,
    edit_activity_form,
    change_activity,
    cancel_activity,
]
