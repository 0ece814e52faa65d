"""Rate limits per account and route, counted in the shared store.

Every route is limited (a guard on the whole app): by the account for logged-in
callers, by the socket's peer address for anonymous routes (log-in,
registration). ``X-Forwarded-For`` is never read: anyone can write it. Behind a
proxy the proxy is the peer; limit there, or run the server with the proxy's
trusted-forwarding option so the peer is the real client.

Routes name their own limit in ``opt={"rate": "log-in"}``; the rest share the
default. Counting is a fixed window: in memory (one process) by default, in
Redis when ``GRASSROOTS_REDIS_URL`` is set, so every API process counts
against the same total (INCR is atomic there).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from redis.asyncio import Redis

from grassroots.api.problems import ApiProblem

__all__ = [
    "DEFAULT_RATES",
    "MemoryCounter",
    "Rate",
    "RateLimits",
    "RedisCounter",
    "WindowCounter",
]


@dataclass(frozen=True)
class Rate:
    limit: int
    per_seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/60"``: ten per sixty seconds."""
        limit, _, seconds = text.partition("/")
        rate = cls(int(limit), int(seconds))
        if rate.limit < 1 or rate.per_seconds < 1:
            raise ValueError(f"not a rate: {text!r} (want e.g. 10/60)")
        return rate


DEFAULT_RATES: Mapping[str, Rate] = {
    "default": Rate(300, 60),
    "log-in": Rate(10, 60),
    "register": Rate(5, 600),
    "refresh": Rate(30, 60),
    "scan": Rate(20, 60),
}


class WindowCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one more hit in the current window of ``key``; the count so far."""

    async def close(self) -> None: ...


class MemoryCounter:
    """Windows aligned on the clock, as in Redis, so ``Retry-After`` means the same."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = asyncio.Lock()

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        async with self._lock:
            seen_window, count = self._counts.get(key, (window, 0))
            count = count + 1 if seen_window == window else 1
            self._counts[key] = (window, count)
            if len(self._counts) > 100_000:
                # Keys of past windows count for nothing any more.
                for old_key, (old_window, _) in list(self._counts.items()):
                    if old_window != window:
                        del self._counts[old_key]
            return count

    async def close(self) -> None:
        self._counts.clear()


class RedisCounter:
    def __init__(self, redis: Redis, namespace: str = "grassroots:rate") -> None:
        self._redis = redis
        self._namespace = namespace

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(time.time()) // window_seconds
        name = f"{self._namespace}:{key}:{window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimits:
    def __init__(self, counter: WindowCounter, rates: Mapping[str, Rate] = DEFAULT_RATES) -> None:
        self.counter = counter
        self.rates = {**DEFAULT_RATES, **rates}

    async def guard(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        name = str(handler.opt.get("rate", "default"))
        if name == "none":
            return
        rate = self.rates.get(name, self.rates["default"])
        who = _who(connection)
        count = await self.counter.hit(f"{name}:{_route_of(handler)}:{who}", rate.per_seconds)
        if count > rate.limit:
            retry_after = _seconds_left(rate.per_seconds)
            raise ApiProblem(
                429,
                "rate-limited",
                f"at most {rate.limit} requests per {rate.per_seconds} s here; "
                f"try again in {retry_after} s",
                headers={"Retry-After": str(retry_after)},
                retry_after_seconds=retry_after,
            )


def _route_of(handler: BaseRouteHandler) -> str:
    # A name that stays the same across requests and processes: the framework's
    # own handler ids include per-request controller instances, so they don't.
    methods = ",".join(sorted(getattr(handler, "http_methods", ()) or ()))
    return f"{methods}:{'|'.join(sorted(handler.paths))}:{handler.handler_name}"


def _who(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    user = connection.scope.get("user")
    account_id = getattr(user, "account_id", None)
    if account_id is not None:
        return f"account:{account_id}"
    client = connection.client
    return f"peer:{client.host if client else 'unknown'}"


def _seconds_left(window_seconds: int) -> int:
    # An upper bound for either counter: a window is never longer than this.
    return max(1, math.ceil(window_seconds - (time.time() % window_seconds)))
