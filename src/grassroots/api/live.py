"""Check-ins and check-outs as they happen, as server-sent events.

A center's screen follows its center; a supervisor's page follows an org unit,
which hears every center below it (a scan is published to the center's unit
and to each of its ancestors). The updates go through the channels plugin: in
process by default, through Redis pub/sub when configured, so a scan answered
by one API process reaches a screen connected to another.

Each stream starts with a ``ready`` event once the subscription is in place, so
a client knows from then on it misses nothing (a screen that reconnects should
reload its counts: updates while it was away are not replayed).

A stream lasts only as long as what let it start: before each delivery, and at
least every ``live_recheck_interval`` while it is quiet, the session, the
account and the role and scope are read again. Once any of them is gone (log-out,
a password change, a disable, a revoked role) the stream sends an ``ended``
event naming why and closes; reconnecting then answers 401 or 404.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID

import anyio
from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.security.jwt import Token
from litestar.types import ControllerRouterHandler

from grassroots.api.auth import Caller, holds_any, load_caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.api.scope import require_center, require_unit
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role

__all__ = ["ROUTES", "LiveController"]

_STREAM_DESCRIPTION = (
    "A `text/event-stream`: first an event `ready`, then one event per scan, named "
    '`check-in` or `check-out`, whose data is JSON: `{"kind", "activity_id", '
    '"center_id", "volunteer_name", "at"}`. When the session, the account or the '
    "role that opened it no longer holds, a last event `ended` "
    '(`{"reason": "session-ended" | "forbidden"}`) and the stream closes.'
)

# Why a stream stopped, or None while it may go on.
Recheck = Callable[[], Awaitable[str | None]]


def _recheck(
    api: Api,
    caller: Caller,
    roles: tuple[Role, ...],
    in_scope: Callable[[Grassroots, Caller, UUID], Any],
    scope_id: UUID,
) -> Recheck:
    """Reads the session, the account and the scope again, as opening the stream did."""

    def check() -> str | None:
        now = load_caller(api.app, caller.account_id, caller.session_id)
        if now is None:
            return "session-ended"
        if not holds_any(now, roles):
            return "forbidden"
        try:
            in_scope(api.app, now, scope_id)
        except (ApiProblem, NotFound):
            return "forbidden"
        return None

    async def recheck() -> str | None:
        return await api.read(None, check)

    return recheck


async def _next(events: AsyncIterator[bytes]) -> bytes | None:
    try:
        return await anext(events)
    except StopAsyncIteration:
        return None


async def _updates(
    api: Api, channel: str, recheck: Recheck
) -> AsyncGenerator[ServerSentEventMessage, None]:
    subscriber = await api.channels.subscribe([channel])
    interval = api.config.live_recheck_interval.total_seconds()
    events = subscriber.iter_events()
    # Waiting for the next update runs as a task of its own, so a quiet stream
    # can wake to re-check without cancelling (and so losing) that wait.
    waiting = asyncio.ensure_future(_next(events))
    try:
        yield ServerSentEventMessage(event="ready", data=json.dumps({"channel": "subscribed"}))
        while True:
            await asyncio.wait({waiting}, timeout=interval)
            reason = await recheck()
            if reason is not None:
                yield ServerSentEventMessage(event="ended", data=json.dumps({"reason": reason}))
                return
            if not waiting.done():
                continue
            raw = waiting.result()
            if raw is None:
                return
            waiting = asyncio.ensure_future(_next(events))
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            try:
                kind = str(json.loads(text).get("kind", "update"))
            except (ValueError, AttributeError):
                kind = "update"
            yield ServerSentEventMessage(event=kind, data=text)
    finally:
        waiting.cancel()
        # The client went away (the stream is cancelled): still let go of the
        # channel, or each closed screen would leave a subscription behind.
        with anyio.CancelScope(shield=True):
            await api.channels.unsubscribe(subscriber)


class LiveController(Controller):
    path = "/api/v1"
    tags = ["live"]  # noqa: RUF012

    @get(
        "/centers/{center_id:uuid}/live",
        operation_id="followCenterLive",
        summary="Scans at a center as they happen (center staff of it, supervisor)",
        description=_STREAM_DESCRIPTION,
        guards=[requires(Role.CENTER_STAFF, Role.SUPERVISOR)],
        responses=problem_responses(401, 403, 404, 429),
        media_type="text/event-stream",
    )
    async def center(
        self, center_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> ServerSentEvent:
        # Before the stream starts: a center outside the caller's scope is a 404.
        await api.read(None, require_center, api.app, request.user, center_id)
        recheck = _recheck(
            api,
            request.user,
            (Role.CENTER_STAFF, Role.SUPERVISOR),
            require_center,
            center_id,
        )
        return ServerSentEvent(_updates(api, api.live_channel("center", center_id), recheck))

    @get(
        "/org-units/{org_unit_id:uuid}/live",
        operation_id="followOrgUnitLive",
        summary="Scans anywhere in an org unit's subtree as they happen (supervisor)",
        description=_STREAM_DESCRIPTION,
        guards=[requires(Role.SUPERVISOR)],
        responses=problem_responses(401, 403, 404, 429),
        media_type="text/event-stream",
    )
    async def org_unit(
        self, org_unit_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> ServerSentEvent:
        await api.read(None, require_unit, api.app, request.user, org_unit_id)
        recheck = _recheck(
            api,
            request.user,
            (Role.SUPERVISOR,),
            require_unit,
            org_unit_id,
        )
        return ServerSentEvent(_updates(api, api.live_channel("org-unit", org_unit_id), recheck))


ROUTES: list[ControllerRouterHandler] = [LiveController]
