"""How ``grassroots serve`` runs uvicorn: connections that idle or dawdle are dropped.

uvicorn closes a kept-alive connection that stays idle (``timeout_keep_alive``), but
it sets no time limit on a request still arriving: a client that opens connections
and sends a request's headers a byte at a time ("slowloris") holds each connection
for ever, until the server runs out of them. ``BoundedH11Protocol`` gives every
request a deadline: its head and body must have arrived within
``request_seconds`` of the connection opening (or of the previous answer on a
kept-alive connection), or the connection is closed. uvicorn's h11 protocol is used,
not httptools: h11 refuses a request head over a bounded size
(``h11_max_incomplete_event_size``) with a 400, httptools collects headers without
a bound.

``settle_heap`` is the other half of serving: what a started server holds for its
whole life is left out of the garbage collector's later full passes.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from grassroots.settings import Settings

__all__ = ["MAX_REQUEST_HEAD_BYTES", "BoundedH11Protocol", "settle_heap", "uvicorn_options"]

MAX_REQUEST_HEAD_BYTES = 16 * 1024


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request to arrive in full."""

    request_seconds: float = 20.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._arm_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.DONE:
            self._disarm_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request on a kept-alive connection gets a deadline of its own.
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_deadline()
        super().connection_lost(exc)

    def _arm_deadline(self) -> None:
        self._disarm_deadline()
        self._deadline = self.loop.call_later(self.request_seconds, self._too_slow)

    def _disarm_deadline(self) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing() and self.conn.their_state is not h11.DONE:
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """``uvicorn.run`` keyword arguments for the connection limits in ``settings``."""
    protocol = type(
        "BoundedH11Protocol",
        (BoundedH11Protocol,),
        {"request_seconds": float(settings.request_timeout_seconds)},
    )
    return {
        "http": protocol,
        "timeout_keep_alive": settings.idle_timeout_seconds,
        "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES,
    }


def settle_heap() -> int:
    """Collect once, then exempt every object alive now from later collections.

    A built server holds a few hundred thousand objects that live as long as the
    process (modules, the Litestar app and its routes, SQLAlchemy's tables, the
    application). CPython's full collection walks every tracked object, so a
    request that allocates much (the weekly dispatch of a county judges a
    thousand cadres) set off full passes over all of them, in the middle of that
    request: the dispatch page's p95 was 2.5x its median. Frozen objects are
    still freed by reference counting; only the cycle search skips them, and the
    collector stays on for everything made afterwards. Returns how many were frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
