"""The venue screen: ``/desk/activities/<id>/venue``, for a tablet or laptop at the activity.

It shows the rotating venue code full screen, the activity's name and time, how
many have checked in and the latest arrivals with masked names (张*). Center staff
of the activity's center only (administrators too); anyone else gets the page
that does not exist.

- ``venue/code.png`` is the code the API's ``venue-code.png`` draws (the same
  ``venue_code_image``), with ``X-Venue-Code-Replaced-At``: the screen fetches
  the next one at that instant, before the shown one expires.
- ``venue/arrivals`` is the count and the latest arrivals as an HTML fragment,
  from the activity catalogue's ``arrivals`` query; the screen reloads it when its
  live connection comes back, since updates sent while it was away are not replayed.
- ``venue/live`` is the activity's live channel (``grassroots.api.live.updates``,
  keep-alive comments included) over the page session, with each name masked
  before it leaves the server.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, ServerSentEvent, ServerSentEventMessage, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api import live
from grassroots.api.auth import Caller
from grassroots.api.centers import staffed_activity, venue_code_image
from grassroots.api.context import Api, ApiDep
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.values import mask_name
from grassroots.domain.volunteer import Volunteer
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import page
from grassroots.pages.sessions import SessionsDep
from grassroots.projections.activity_catalogue import arrivals

__all__ = ["ROUTES"]

LATEST = 5


@dataclass(frozen=True)
class Arrival:
    name: str  # masked
    time: str  # local HH:MM


@dataclass(frozen=True)
class VenueView:
    activity_id: UUID
    title: str
    day: str
    start: str
    end: str
    count: int
    latest: list[Arrival]
    # Before check-in opens (the activity's window, by the credit policy): when it
    # does, in local time, and how many seconds are left until then.
    opens_at: str | None = None
    opens_in_seconds: int | None = None
    # Once the activity has ended, its code takes no more check-ins.
    closed: bool = False


def _clock(api: Api) -> LocalClock:
    return local_clock(ZoneInfo(api.app.config.time_zone), "%H:%M")


def _arrivals(api: Api, activity_id: UUID) -> tuple[int, list[Arrival]]:
    local = _clock(api)
    with api.engine.connect() as conn:
        seen = arrivals(conn, activity_id, latest=LATEST)
    # At most LATEST names, read from the volunteers' own records and masked here:
    # the full name never reaches the screen.
    latest = [
        Arrival(mask_name(api.app.get(Volunteer, volunteer_id).name), local(at))
        for volunteer_id, at in seen.latest
    ]
    return seen.count, latest


def _venue_view(api: Api, caller: Caller, activity_id: UUID) -> VenueView:
    activity = staffed_activity(api.app, caller, activity_id)
    local = _clock(api)
    count, latest = _arrivals(api, activity_id)
    now = api.app.now()
    opens, closes = activity.check_in_window(api.app.config.credit_policy)
    early = now < opens
    return VenueView(
        activity_id=activity_id,
        title=activity.title,
        day=local(activity.starts_at, "%Y-%m-%d"),
        start=local(activity.starts_at),
        end=local(activity.ends_at),
        count=count,
        latest=latest,
        opens_at=local(opens, "%m-%d %H:%M") if early else None,
        opens_in_seconds=int((opens - now).total_seconds()) if early else None,
        closed=now >= closes,
    )


def _path(activity_id: UUID) -> str:
    return f"/desk/activities/{activity_id}/venue"


@get("/desk/activities/{activity_id:uuid}/venue", name="venue-screen")
async def venue_screen(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return Redirect(f"/login?next={_path(activity_id)}", status_code=HTTP_303_SEE_OTHER)
    try:
        view = await api.read(caller.account_id, _venue_view, api, caller, activity_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "venue.html",
        caller=caller,
        view=view,
        base=_path(activity_id),
        rotation=api.app.config.qr_rotation_seconds,
        margin=api.app.config.credit_policy.check_in_margin_minutes,
    )


@get("/desk/activities/{activity_id:uuid}/venue/code.png", name="venue-code")
async def venue_code(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Response[bytes]:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        raise NotFoundException()
    try:
        response = await venue_code_image(api, caller, activity_id)
    except NotFound:
        raise NotFoundException() from None
    response.headers["Cache-Control"] = "no-store"
    return response


@get("/desk/activities/{activity_id:uuid}/venue/arrivals", name="venue-arrivals")
async def venue_arrivals(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        raise NotFoundException()
    try:
        view = await api.read(caller.account_id, _venue_view, api, caller, activity_id)
    except NotFound:
        raise NotFoundException() from None
    return page(request, "venue_arrivals.html", caller=caller, view=view)


def _masked(api: Api, message: ServerSentEventMessage) -> ServerSentEventMessage:
    """A scan's update as the screen may show it: the name masked, the time local."""
    if message.event not in ("check-in", "check-out") or not isinstance(message.data, str):
        return message
    data = json.loads(message.data)
    data["volunteer_name"] = mask_name(str(data.get("volunteer_name", "")))
    at = data.get("at")
    data["time"] = _clock(api)(datetime.fromisoformat(at)) if at else ""
    return ServerSentEventMessage(event=message.event, data=json.dumps(data, ensure_ascii=False))


async def _screen_updates(
    api: Api, caller: Caller, activity_id: UUID
) -> AsyncGenerator[ServerSentEventMessage, None]:
    recheck = live.recheck_for(api, caller, (Role.CENTER_STAFF,), staffed_activity, activity_id)
    async for message in live.updates(api, api.live_channel("activity", activity_id), recheck):
        yield _masked(api, message)


@get("/desk/activities/{activity_id:uuid}/venue/live", name="venue-live")
async def venue_live(
    activity_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> ServerSentEvent:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        raise NotFoundException()
    try:
        await api.read(None, staffed_activity, api.app, caller, activity_id)
    except NotFound:
        raise NotFoundException() from None
    return ServerSentEvent(_screen_updates(api, caller, activity_id))


ROUTES = [venue_screen, venue_code, venue_arrivals, venue_live]
