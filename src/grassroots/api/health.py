"""Liveness and readiness: what a load balancer and a newcomer check first.

``/health/live`` says the process answers; it touches nothing, so it stays 200
through any outage (restart the process only when it fails). ``/health`` and
``/health/ready`` look at each part the API needs, at once and each within
``CHECK_SECONDS``, and name the part that is down:

- ``event-store`` or ``read-database`` down: 503, a problem document
  (``service-unavailable``) carrying the same report (requests needing them
  answer 503 too; take the process out of rotation);
- ``redis`` down, or a read model failing: 200 ``degraded`` (the API goes on:
  limits are counted in process, live updates pause; see ``degrading.py``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import anyio
import anyio.to_thread
import msgspec
from anyio import CapacityLimiter
from litestar import Controller, Request, Response, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from redis.asyncio import Redis

from grassroots import __version__
from grassroots.api.messages import message_for
from grassroots.api.problems import (
    OUTAGE_RETRY_AFTER_SECONDS,
    PROBLEM_MEDIA_TYPE,
    language_of,
    problem_type,
)
from grassroots.application.service import Grassroots
from grassroots.projections.reachable import answers
from grassroots.projections.read_side import ProjectionStatus, ReadSide

__all__ = ["CHECK_SECONDS", "Health", "HealthController", "HealthPart", "Liveness", "check"]

T = TypeVar("T")

# Each part's check gives up after this long and reports the part down: a
# readiness probe must answer before the balancer's own timeout.
CHECK_SECONDS = 1.5

PartStatus = Literal["up", "down", "degraded", "off"]


class ProjectionLag(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str
    position: int
    lag: int
    # Where the read model stopped on an event it could not apply, and why.
    failed_at: int | None = None
    error: str | None = None


class HealthPart(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: Literal["event-store", "read-database", "read-models", "redis"]
    status: PartStatus
    detail: str | None = None


class Health(msgspec.Struct, kw_only=True):
    status: Literal["ok", "degraded", "unavailable"]
    version: str
    event_store: str
    # None while the event store cannot be read.
    last_event_position: int | None
    projections: list[ProjectionLag]
    parts: list[HealthPart]


class Liveness(msgspec.Struct, kw_only=True):
    status: Literal["ok"]
    version: str


class NotReady(msgspec.Struct, kw_only=True):
    """503: a problem document (RFC 9457, code ``service-unavailable``) whose
    extension members are the health report's, ``status`` being the HTTP status."""

    type: str
    code: str
    title: str
    status: int
    detail: str
    instance: str
    retry_after_seconds: int
    version: str
    event_store: str
    last_event_position: int | None
    projections: list[ProjectionLag]
    parts: list[HealthPart]


_NOT_READY = {
    503: ResponseSpec(
        data_container=NotReady,
        # The framework's generated examples are random strings: show a real answer.
        generate_examples=False,
        description="The event store or the read database is out of reach (the parts say which)",
        media_type=PROBLEM_MEDIA_TYPE,
        examples=[
            Example(
                summary="service-unavailable (the event store is out of reach)",
                value={
                    "type": "/problems/service-unavailable",
                    "code": "service-unavailable",
                    "title": "服务暂时不可用，请稍后再试",
                    "status": 503,
                    "detail": "暂不可用：event-store",
                    "instance": "/health/ready",
                    "retry_after_seconds": 5,
                    "version": "0.1.0",
                    "event_store": "postgresql",
                    "last_event_position": None,
                    "projections": [],
                    "parts": [
                        {"name": "event-store", "status": "down", "detail": "connection refused"},
                        {"name": "read-database", "status": "up"},
                    ],
                },
            )
        ],
    )
}


class HealthController(Controller):
    path = "/health"
    tags = ["health"]  # noqa: RUF012

    @get(
        "/live",
        operation_id="getLiveness",
        summary="Is the process up (touches no database)",
        cache=False,
        opt={"public": True, "rate": "health"},
    )
    async def live(self) -> Liveness:
        return Liveness(status="ok", version=__version__)

    @get(
        operation_id="getHealth",
        summary="Is the service ready, which part is down, and which event store it uses",
        cache=False,
        opt={"public": True, "rate": "health"},
        responses=_NOT_READY,
    )
    async def health(self, state: State, request: Request[Any, Any, Any]) -> Response[Health]:
        return await _readiness(state, request)

    @get(
        "/ready",
        operation_id="getReadiness",
        summary="Is the service ready to serve (the same answer as /health)",
        cache=False,
        opt={"public": True, "rate": "health"},
        responses=_NOT_READY,
    )
    async def ready(self, state: State, request: Request[Any, Any, Any]) -> Response[Health]:
        return await _readiness(state, request)


async def _readiness(state: State, request: Request[Any, Any, Any]) -> Response[Health]:
    health = await check(
        state.grassroots,
        state.read_side,
        state.get("redis"),
        event_store_kind=state.event_store_kind,
    )
    if health.status != "unavailable":
        return Response(health)
    language = language_of(request)
    message = message_for("service-unavailable")
    assert message is not None
    down = ", ".join(part.name for part in health.parts if part.status == "down")
    not_ready = NotReady(
        type=problem_type("service-unavailable"),
        code="service-unavailable",
        title=message.en if language == "en" else message.zh,
        status=503,
        detail=f"not ready: {down} down" if language == "en" else f"暂不可用：{down}",
        instance=request.url.path,
        retry_after_seconds=OUTAGE_RETRY_AFTER_SECONDS,
        version=health.version,
        event_store=health.event_store,
        last_event_position=health.last_event_position,
        projections=health.projections,
        parts=health.parts,
    )
    # Every failure is a problem document; this one carries the whole report.
    response: Response[Any] = Response(
        not_ready,
        status_code=503,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={
            "Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS),
            "Content-Language": language,
        },
    )
    return response


async def check(
    application: Grassroots,
    read_side: ReadSide | None,
    redis: Redis | None,
    *,
    event_store_kind: str,
) -> Health:
    """Every part's state, the checks run side by side."""
    last, reading, redis_part = await asyncio.gather(
        _within(application.log_head),
        _within(_read_side_check(read_side)),
        _redis_part(redis),
    )
    event_store = _part("event-store", last)
    read_database, statuses = _read_parts(read_side, reading)
    read_models = _read_models_part(read_side, statuses)
    parts = [event_store, read_database, read_models, redis_part]
    if "down" in (event_store.status, read_database.status):
        overall: Literal["ok", "degraded", "unavailable"] = "unavailable"
    elif any(part.status in ("down", "degraded") for part in parts):
        overall = "degraded"
    else:
        overall = "ok"
    return Health(
        status=overall,
        version=__version__,
        event_store=event_store_kind,
        last_event_position=(last or 0) if not isinstance(last, BaseException) else None,
        projections=[_lag(s) for s in statuses or []],
        parts=parts,
    )


def _read_side_check(read_side: ReadSide | None) -> Callable[[], tuple[bool, Any]]:
    def run() -> tuple[bool, Any]:
        if read_side is None:
            return False, None
        answers(read_side.reader)
        # The read database answers; the positions also need the event store's end.
        try:
            return True, read_side.status()
        except Exception as error:
            return True, error

    return run


def _read_parts(
    read_side: ReadSide | None, reading: tuple[bool, Any] | BaseException
) -> tuple[HealthPart, list[ProjectionStatus] | None]:
    if read_side is None:
        return HealthPart(name="read-database", status="off"), None
    if isinstance(reading, BaseException):
        return _part("read-database", reading), None
    _, statuses = reading
    if isinstance(statuses, BaseException):
        return HealthPart(name="read-database", status="up"), None
    return HealthPart(name="read-database", status="up"), list(statuses)


def _read_models_part(
    read_side: ReadSide | None, statuses: list[ProjectionStatus] | None
) -> HealthPart:
    if read_side is None:
        return HealthPart(name="read-models", status="off")
    if statuses is None:
        return HealthPart(name="read-models", status="down", detail="positions unknown")
    failing = sorted(s.name for s in statuses if s.failed_at is not None)
    if failing:
        # The others go on and reads answer; only these are behind.
        return HealthPart(name="read-models", status="degraded", detail=", ".join(failing))
    return HealthPart(name="read-models", status="up")


async def _redis_part(redis: Redis | None) -> HealthPart:
    if redis is None:
        return HealthPart(name="redis", status="off")
    try:
        with anyio.fail_after(CHECK_SECONDS):
            await redis.ping()
    except Exception as error:
        return HealthPart(name="redis", status="down", detail=_describe(error))
    return HealthPart(name="redis", status="up")


def _part(
    name: Literal["event-store", "read-database"], outcome: object | BaseException
) -> HealthPart:
    if isinstance(outcome, BaseException):
        return HealthPart(name=name, status="down", detail=_describe(outcome))
    return HealthPart(name=name, status="up")


def _lag(status: ProjectionStatus) -> ProjectionLag:
    error = status.error
    return ProjectionLag(
        name=status.name,
        position=status.position,
        lag=status.lag,
        failed_at=status.failed_at,
        # Only the kind of error: this page is public, and a message may quote the
        # event's values (names, phones) or SQL. `grassroots projections failures`
        # shows the whole line to the operator.
        error=None if error is None else error.split(":", 1)[0].split(" (", 1)[0],
    )


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {CHECK_SECONDS} s"
    # The class only: a driver's message may carry host names and users.
    return type(error).__name__


# Health checks have threads of their own, so a busy or stuck request pool
# never delays them; one limiter per event loop (tests run several loops).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


async def _within(function: Callable[[], T]) -> T | BaseException:
    """``function()`` in a thread, or the error it raised, or TimeoutError after
    ``CHECK_SECONDS`` (the thread is left to finish on its own, within the
    database's own bound)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(4)
    try:
        with anyio.fail_after(CHECK_SECONDS):
            return await anyio.to_thread.run_sync(function, limiter=limiter, abandon_on_cancel=True)
    except Exception as error:
        return error
