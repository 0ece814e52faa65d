"""Going on without Redis: what each use of it does while it does not answer.

Redis is optional (``GRASSROOTS_REDIS_URL``); when it is configured, every API
process shares rate counts, read-your-writes positions and live updates
through it. When it stops answering, at start-up or later, the API keeps
serving and says so in ``/health`` (``redis: down``, status ``degraded``):

- rate limits are counted in this process (``MemoryCounter``): each process
  allows its own share, so the limits hold per process, not in total;
- read-your-writes is off: reads no longer wait for the caller's own writes
  (they may miss a write made a moment before);
- live updates pause: scans are not published and open streams hear nothing
  until Redis answers again (a screen that reconnects reloads its counts);
- check-ins, check-outs and every other write go on as usual.

A start-up with Redis out of reach logs a warning naming
``GRASSROOTS_REDIS_URL`` and starts degraded rather than not at all: the same
outage a minute later would be met the same way. A malformed URL stops the
start (``settings.py``).

Each Redis call waits at most ``SOCKET_TIMEOUT_SECONDS``; after a failure the
breaker stops asking Redis for ``PAUSE_SECONDS`` (so requests do not each wait
a timeout), then lets one call try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from litestar.channels.backends.base import ChannelsBackend
from litestar.stores.base import Store
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from grassroots.api.rate_limits import MemoryCounter, WindowCounter

__all__ = [
    "PAUSE_SECONDS",
    "DegradingChannels",
    "DegradingCounter",
    "DegradingStore",
    "RedisBreaker",
    "connect_redis",
    "redacted",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

CONNECT_TIMEOUT_SECONDS = 0.5
SOCKET_TIMEOUT_SECONDS = 1.0
PAUSE_SECONDS = 5.0

# What a Redis that went away raises (a refused or reset socket, a timeout).
REDIS_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError, asyncio.TimeoutError)


def connect_redis(url: str) -> Redis:
    """A client that fails fast: short timeouts and no retries of its own (the
    breaker decides when to try again)."""
    return Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


def redacted(url: str) -> str:
    """``url`` without its password, fit for a log line."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class RedisBreaker:
    """Whether to ask Redis now; one per Redis client, shared by all its uses."""

    def __init__(
        self, pause_seconds: float = PAUSE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._pause = pause_seconds
        self._clock = clock
        self._retry_at = 0.0
        self.down = False

    def may_try(self) -> bool:
        if not self.down:
            return True
        now = self._clock()
        if now < self._retry_at:
            return False
        # This call tries; the others keep to the fallback until it has answered.
        self._retry_at = now + self._pause
        return True

    def failed(self, error: BaseException, *, announce: bool = True) -> None:
        if announce and not self.down:
            log.warning(
                "Redis does not answer (%s: %s): counting rate limits in this process, "
                "reads not waiting for own writes, live updates paused, until it answers",
                type(error).__name__,
                error,
            )
        self.down = True
        self._retry_at = self._clock() + self._pause

    def succeeded(self) -> None:
        if self.down:
            log.warning("Redis answers again: shared rate limits and live updates resume")
        self.down = False

    async def call(
        self, operation: Callable[[], Awaitable[T]], fallback: Callable[[], Awaitable[T]]
    ) -> T:
        if not self.may_try():
            return await fallback()
        try:
            result = await operation()
        except REDIS_ERRORS as error:
            self.failed(error)
            return await fallback()
        self.succeeded()
        return result


class DegradingCounter:
    """Counts in Redis, or in this process while Redis does not answer."""

    def __init__(
        self,
        primary: WindowCounter,
        breaker: RedisBreaker,
        fallback: WindowCounter | None = None,
    ) -> None:
        self._primary = primary
        self._breaker = breaker
        self.fallback = fallback or MemoryCounter()

    async def hit(self, key: str, window_seconds: int) -> int:
        return await self._breaker.call(
            lambda: self._primary.hit(key, window_seconds),
            lambda: self.fallback.hit(key, window_seconds),
        )

    async def fail(self, key: str, *, now: float, memory_seconds: int) -> int:
        return await self._breaker.call(
            lambda: self._primary.fail(key, now=now, memory_seconds=memory_seconds),
            lambda: self.fallback.fail(key, now=now, memory_seconds=memory_seconds),
        )

    async def hold(self, key: str, *, until: float, memory_seconds: int) -> None:
        await self._breaker.call(
            lambda: self._primary.hold(key, until=until, memory_seconds=memory_seconds),
            lambda: self.fallback.hold(key, until=until, memory_seconds=memory_seconds),
        )

    async def held_until(self, key: str, *, now: float) -> float | None:
        return await self._breaker.call(
            lambda: self._primary.held_until(key, now=now),
            lambda: self.fallback.held_until(key, now=now),
        )

    async def forget(self, key: str) -> None:
        await self._breaker.call(
            lambda: self._primary.forget(key),
            lambda: self.fallback.forget(key),
        )

    async def close(self) -> None:
        # The Redis client is the application's to close (see app.py's lifespan).
        await self.fallback.close()


async def _nothing() -> None:
    return None


async def _false() -> bool:
    return False


class DegradingStore(Store):
    """A store that forgets while Redis does not answer: gets find nothing, sets are dropped.

    For the written positions that means reads do not wait (see ``consistency.py``).
    """

    def __init__(self, primary: Store, breaker: RedisBreaker) -> None:
        self._primary = primary
        self._breaker = breaker

    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        await self._breaker.call(lambda: self._primary.set(key, value, expires_in), _nothing)

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        found: bytes | None = await self._breaker.call(
            lambda: self._primary.get(key, renew_for), _nothing
        )
        return found

    async def delete(self, key: str) -> None:
        await self._breaker.call(lambda: self._primary.delete(key), _nothing)

    async def delete_all(self) -> None:
        await self._breaker.call(self._primary.delete_all, _nothing)

    async def exists(self, key: str) -> bool:
        return await self._breaker.call(lambda: self._primary.exists(key), _false)

    async def expires_in(self, key: str) -> int | None:
        found: int | None = await self._breaker.call(
            lambda: self._primary.expires_in(key), _nothing
        )
        return found


class DegradingChannels(ChannelsBackend):
    """Live updates through Redis that pause, and never fail a caller, while it is away.

    Publishing drops the update; subscribing remembers the channel and
    subscribes it once Redis answers; the stream of events waits and reconnects.
    """

    def __init__(
        self, backend: ChannelsBackend, breaker: RedisBreaker, retry_seconds: float = 1.0
    ) -> None:
        self._backend = backend
        self._breaker = breaker
        self._retry_seconds = retry_seconds
        self._wanted: set[str] = set()
        self._resubscribing: asyncio.Task[None] | None = None
        self._shut_down = False

    async def on_startup(self) -> None:
        self._shut_down = False
        with contextlib.suppress(*REDIS_ERRORS):
            await self._backend.on_startup()

    async def on_shutdown(self) -> None:
        self._shut_down = True
        if self._resubscribing is not None:
            self._resubscribing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resubscribing
        with contextlib.suppress(*REDIS_ERRORS):
            await self._backend.on_shutdown()

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        # While Redis is away the update is lost: nobody could hear it anyway.
        await self._breaker.call(lambda: self._backend.publish(data, channels), _nothing)

    async def subscribe(self, channels: Iterable[str]) -> None:
        channels = set(channels)
        self._wanted |= channels
        try:
            await self._backend.subscribe(channels)
        except REDIS_ERRORS as error:
            self._breaker.failed(error)
            self._resubscribe_later()

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        channels = set(channels)
        self._wanted -= channels
        if self._shut_down:
            # A stream ended by the server's shutdown: its subscription went with the
            # connection, and unsubscribing would open a new one as the loop closes.
            return
        with contextlib.suppress(*REDIS_ERRORS):
            await self._backend.unsubscribe(channels)

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        while True:
            try:
                async for event in self._backend.stream_events():
                    yield event
            except REDIS_ERRORS as error:
                # The subscription's connection broke; the next read reconnects
                # and subscribes again to what it had.
                self._breaker.failed(error)
                await asyncio.sleep(self._retry_seconds)

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        return []

    def _resubscribe_later(self) -> None:
        if self._resubscribing is None or self._resubscribing.done():
            self._resubscribing = asyncio.create_task(self._resubscribe())

    async def _resubscribe(self) -> None:
        while self._wanted:
            await asyncio.sleep(self._retry_seconds)
            try:
                await self._backend.subscribe(set(self._wanted))
            except REDIS_ERRORS:
                continue
            self._breaker.succeeded()
            return
