"""Liveness and a look at the event store: what a load balancer and a newcomer check first."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, get
from litestar.datastructures import State

from grassroots import __version__

__all__ = ["Health", "HealthController"]


class ProjectionLag(msgspec.Struct, kw_only=True):
    name: str
    position: int
    lag: int


class Health(msgspec.Struct, kw_only=True):
    status: Literal["ok"]
    version: str
    event_store: str
    last_event_position: int
    projections: list[ProjectionLag]


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012

    @get(
        operation_id="getHealth",
        summary="Is the service up, and which event store does it use",
        sync_to_thread=True,
        cache=False,
        opt={"public": True, "rate": "health"},
    )
    def health(self, state: State) -> Health:
        # Reading the last position touches the store, so a dead database shows here.
        app = state.grassroots
        read_side = state.read_side
        lags = [] if read_side is None else read_side.status()
        return Health(
            status="ok",
            version=__version__,
            event_store=state.event_store_kind,
            last_event_position=app.recorder.max_notification_id() or 0,
            projections=[ProjectionLag(name=s.name, position=s.position, lag=s.lag) for s in lags],
        )
