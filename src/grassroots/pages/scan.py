"""Checking in from a scanned code: ``/S/<TOKEN>`` and the in-app scanner ``/scan``.

A venue code encodes ``<PUBLIC URL>/S/<TOKEN>`` (``grassroots.domain.qr_token.scan_url``),
so a phone's camera or WeChat's scanner opens this page. The token names its
activity; the page shows it with one button to check in. A volunteer already in
reads so first (您已于 HH:MM 签到); checking out is then one button once the
activity has ended, and before its end a quiet one apart, "确认提前签退", beside
what leaving now credits (``Attendance.check_out_preview``, the domain's credit).
A check-out without that confirmation before the end is answered with the question
and writes nothing. Each button is one form POST that writes through the API's own
scan commands (``check_in_scan`` / ``check_out_scan``, and ``answer_scan`` to
publish the live update) and answers the finished page: one round trip.

Logged out, the page links to the log-in with ``next=/S/<TOKEN>?go=1``; back here
with ``go=1`` the page sends the same form by itself (after asking for the location
where the activity needs it), so the volunteer does not scan again. The code has gone
stale by then, but the page held the scan on that phone when it opened
(``pages/held_scans.py``): sent within five minutes, it is checked as it was then.
Later than that it is refused, in the words of a stale code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from grassroots.api.auth import Caller
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.api.volunteering import Scan, answer_scan, check_in_scan, check_out_scan
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance, CheckOutPreview
from grassroots.domain.errors import CodedError, TokenExpired, TokenRejected
from grassroots.domain.qr_token import QrSubject, SubjectKind, scanned_subject
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import page
from grassroots.pages.held_scans import HeldScansDep
from grassroots.pages.sessions import SessionsDep

__all__ = ["ROUTES", "refusal_key"]

# The domain's and the application's refusal codes, in a volunteer's words. A code
# missing here still gets a sentence (``scan.refused.other``).
REFUSALS: dict[str, str] = {
    "token-stale": "scan.refused.stale",
    "token-from-future": "scan.refused.stale",
    "token-forged": "scan.refused.not_ours",
    "token-wrong-length": "scan.refused.not_ours",
    "token-alphabet": "scan.refused.not_ours",
    "token-not-text": "scan.refused.not_ours",
    "token-not-base32": "scan.refused.not_ours",
    "token-version-unknown": "scan.refused.not_ours",
    "token-kind-unknown": "scan.refused.not_ours",
    "not-signed-up": "scan.refused.not_signed_up",
    "still-wait-listed": "scan.refused.wait_listed",
    "activity-cancelled": "scan.refused.cancelled",
    "check-in-too-early": "scan.refused.too_early",
    "check-in-after-end": "scan.refused.ended",
    "location-required": "scan.refused.location_required",
    "outside-geofence": "scan.refused.outside",
    "checked-in-elsewhere": "scan.refused.elsewhere",
    "volunteer-suspended": "scan.refused.suspended",
    "not-checked-in": "scan.refused.not_checked_in",
    "attendance-closed": "scan.refused.closed",
    "attendance-auto-closed": "scan.refused.closed",
    "check-out-before-check-in": "scan.refused.closed",
}


# Refusals where only a fresh scan helps.
_SCAN_AGAIN = frozenset({"scan.refused.stale", "scan.refused.not_ours"})


def refusal_key(error: Exception) -> str:
    """The sentence (a words key) for why a scan was refused."""
    if isinstance(error, TokenExpired):
        return "scan.refused.stale"
    if isinstance(error, NotFound):
        return "scan.refused.missing"
    if isinstance(error, ApiProblem) and error.status_code == 429:
        return "scan.refused.busy"
    if isinstance(error, CodedError):
        return REFUSALS.get(error.code, "scan.refused.other")
    return "scan.refused.other"


@dataclass(frozen=True)
class ScanView:
    """What the page shows about the scanned activity and where the volunteer stands."""

    activity_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    location_required: bool
    # None: not checked in; else the attendance (open or closed).
    attendance: Attendance | None
    # While the attendance is open: what checking out now would credit, and
    # whether it would end the attendance before the scheduled end (the domain's).
    leaving: CheckOutPreview | None


def _scan_view(app: Grassroots, activity_id: UUID, volunteer_id: UUID | None) -> ScanView:
    activity = app.get(Activity, activity_id)
    attendance = None
    if volunteer_id is not None:
        attendance = app.find(Attendance, Attendance.id_for(volunteer_id, activity_id))
    leaving = None
    if attendance is not None and attendance.is_open:
        leaving = attendance.check_out_preview(at=app.now(), policy=app.config.credit_policy)
    return ScanView(
        activity_id=activity_id,
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        location_required=activity.location_required,
        attendance=attendance,
        leaving=leaving,
    )


def _local(app: Grassroots) -> LocalClock:
    return local_clock(ZoneInfo(app.config.time_zone), "%H:%M")


def _volunteer_id(caller: Caller | None) -> UUID | None:
    if caller is None or not caller.subjects(Role.VOLUNTEER):
        return None
    return caller.volunteer_id


def _scan_page(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller | None,
    token: str,
    *,
    status: int = 200,
    **context: Any,
) -> Template:
    return page(
        request,
        "scan.html",
        caller=caller,
        status=status,
        token=token,
        local=_local(api.app),
        margin=api.app.config.credit_policy.check_in_margin_minutes,
        **context,
    )


async def _subject_or_refusal(api: Api, token: str) -> tuple[UUID | None, str | None]:
    """The activity a scanned token names, or the words key saying why there is none."""
    try:
        subject = scanned_subject(token, secret=api.app.config.secret_key)
    except TokenRejected as refused:
        return None, refusal_key(refused)
    if subject.kind is not SubjectKind.ACTIVITY:
        return None, "scan.not_activity"
    return subject.id, None


@get("/S/{token:str}", name="scan-page")
async def scan_page(
    token: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
    held_scans: HeldScansDep,
) -> Template:
    caller = await sessions.caller(request, api.app)
    activity_id, refused = await _subject_or_refusal(api, token)
    if activity_id is None:
        return _scan_page(request, api, caller, token, status=400, refused=refused)
    volunteer_id = _volunteer_id(caller)
    try:
        view = await api.read(None, _scan_view, api.app, activity_id, volunteer_id)
    except NotFound:
        return _scan_page(request, api, caller, token, status=404, refused="scan.refused.missing")
    here = f"/S/{token}"
    shown = _scan_page(
        request,
        api,
        caller,
        token,
        view=view,
        action=here,
        log_in=f"/login?next={quote(here + '?go=1', safe='')}",
        register=f"/register?next={quote(here + '?go=1', safe='')}",
        not_volunteer=caller is not None and volunteer_id is None,
        # Back from the log-in: send the form without a second tap.
        go=request.query_params.get("go") == "1",
    )
    # Opened while the code is on the screen: hold the scan on this phone. A stale
    # code (back from the log-in) leaves the scan held when it was fresh alone.
    seen_at = api.app.code_seen_fresh(QrSubject(SubjectKind.ACTIVITY, activity_id), token)
    if seen_at is not None:
        shown.cookies.append(held_scans.cookie(token, seen_at))
    return shown


def _scan_from(form: Any, token: str) -> Scan | None:
    """The scan the form describes; None when its location fields are not numbers."""
    given: dict[str, Any] = {"token": token}
    lat, lon, accuracy = (str(form.get(k, "")).strip() for k in ("lat", "lon", "accuracy"))
    if lat and lon:
        given["location"] = {"lat": lat, "lon": lon}
        if accuracy:
            given["accuracy_m"] = accuracy
    device = str(form.get("device_id", "")).strip()
    if device:
        given["device_id"] = device
    try:
        return msgspec.convert(given, Scan, strict=False)
    except msgspec.ValidationError:
        return None


@post("/S/{token:str}", name="scan-record", opt={"rate": "scan"})
async def scan_record(
    token: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
    held_scans: HeldScansDep,
) -> Template:
    caller = await sessions.caller(request, api.app)
    activity_id, refused = await _subject_or_refusal(api, token)
    if activity_id is None:
        return _scan_page(request, api, caller, token, status=400, refused=refused)
    here = f"/S/{token}"
    if caller is None:
        # The session ended between the page and the tap: log in and come back.
        return _scan_page(
            request,
            api,
            caller,
            token,
            status=401,
            refused="login.session_ended",
            log_in=f"/login?next={quote(here + '?go=1', safe='')}",
        )
    volunteer_id = _volunteer_id(caller)
    if volunteer_id is None:
        return _scan_page(request, api, caller, token, status=403, refused="scan.not_volunteer")
    form = await request.form()
    scan = _scan_from(form, token)
    if scan is None:
        return _scan_page(
            request, api, caller, token, status=400, refused="scan.refused.location_required"
        )
    command = check_out_scan if form.get("action") == "check-out" else check_in_scan
    if command is check_out_scan and form.get("early") != "confirmed":
        # Leaving before the scheduled end takes the explicit button that says what
        # it costs: any other check-out then is answered with that question, unwritten.
        try:
            standing = await api.read(None, _scan_view, api.app, activity_id, volunteer_id)
        except NotFound:
            return _scan_page(
                request, api, caller, token, status=404, refused="scan.refused.missing"
            )
        if standing.leaving is not None and standing.leaving.early:
            return _scan_page(
                request, api, caller, token, view=standing, action=here, confirm_early=True
            )
    try:
        recorded = await api.write(
            caller.account_id,
            command,
            api,
            volunteer_id,
            activity_id,
            scan,
            held_scans.seen_at(request, token),
        )
    except (CodedError, ApiProblem) as error:
        status = error.status_code if isinstance(error, ApiProblem) else 409
        refused = refusal_key(error)
        try:
            view = await api.read(None, _scan_view, api.app, activity_id, volunteer_id)
        except NotFound:
            view = None
        return _scan_page(
            request,
            api,
            caller,
            token,
            status=status,
            view=view,
            refused=refused,
            # Trying the same code again helps unless it is the code that is wrong.
            retry=None if refused in _SCAN_AGAIN else here,
        )
    answer_scan(api, recorded)
    view = await api.read(None, _scan_view, api.app, activity_id, volunteer_id)
    return _scan_page(
        request,
        api,
        caller,
        token,
        view=view,
        done="check-out" if command is check_out_scan else "check-in",
    )


@get("/scan", name="scanner")
async def scanner(request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep) -> Template:
    caller = await sessions.caller(request, api.app)
    return page(request, "scanner.html", caller=caller)


ROUTES = [scan_page, scan_record, scanner]
