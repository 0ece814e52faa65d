"""Check-ins and check-outs as they happen, as server-sent events.

A center's screen follows its center; a supervisor's page follows an org unit,
which hears every center below it (a scan is published to the center's unit
and to each of its ancestors). The updates go through the channels plugin: in
process by default, through Redis pub/sub when configured, so a scan answered
by one API process reaches a screen connected to another.

Each stream starts with a ``ready`` event once the subscription is in place, so
a client knows from then on it misses nothing (a screen that reconnects should
reload its counts: updates while it was away are not replayed).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any
from uuid import UUID

import anyio
from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.security.jwt import Token
from litestar.types import ControllerRouterHandler

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import problem_responses
from grassroots.api.scope import require_center, require_unit
from grassroots.domain.account import Role

__all__ = ["ROUTES", "LiveController"]

_STREAM_DESCRIPTION = (
    "A `text/event-stream`: first an event `ready`, then one event per scan, named "
    '`check-in` or `check-out`, whose data is JSON: `{"kind", "activity_id", '
    '"center_id", "volunteer_name", "at"}`.'
)


async def _updates(api: Api, channel: str) -> AsyncGenerator[ServerSentEventMessage, None]:
    subscriber = await api.channels.subscribe([channel])
    try:
        yield ServerSentEventMessage(event="ready", data=json.dumps({"channel": "subscribed"}))
        async for raw in subscriber.iter_events():
            text = raw.decode() if isinstance(raw, bytes) else str(raw)
            try:
                kind = str(json.loads(text).get("kind", "update"))
            except (ValueError, AttributeError):
                kind = "update"
            yield ServerSentEventMessage(event=kind, data=text)
    finally:
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
        return ServerSentEvent(_updates(api, api.live_channel("center", center_id)))

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
        return ServerSentEvent(_updates(api, api.live_channel("org-unit", org_unit_id)))


ROUTES: list[ControllerRouterHandler] = [LiveController]
