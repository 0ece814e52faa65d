"""Rate limits per account and route, a growing delay after wrong passwords, and a
bound on password hashing at once; counted in the shared store.

Every route is limited (a guard on the whole app): by the account for logged-in
callers, by the client's address for anonymous ones (log-in, registration). A
logged-in caller is one with a bearer token or, on the pages' routes (those whose
``opt`` says ``PAGE_OPT``), a page-session cookie whose signature holds; a cookie
that does not verify counts for nothing, and the request counts per address. So
the volunteers on one venue's Wi-Fi (one public address) are each held to their
own share, not to one share among them.

The client's address is the socket's peer, unless the peer is one of the
trusted proxies (``GRASSROOTS_TRUSTED_PROXIES``, none by default): then
``X-Forwarded-For`` is walked from the right, one hop at a time, while the hop
is itself a trusted proxy, and the first other address is the client. Anything
left of it is the client's own writing and counts for nothing.

Routes name their own limit in ``opt={"rate": "log-in"}``; the rest share the
default. Counting is a fixed window: in memory (one process) by default, in
Redis when ``GRASSROOTS_REDIS_URL`` is set, so every API process counts
against the same total (INCR is atomic there).

Wrong passwords are also counted per phone, whatever address they come from
(``LogInGuesses``): after a few free failures each further one starts a delay
that doubles up to a cap, during which every log-in for that phone, the right
password included, answers 429 without a password being checked. It is a
delay, not a lock: it ends by itself, so an attacker can hold the owner off
only by spending a guess every time a delay ends, at most one per cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import math
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any, Protocol
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from redis.asyncio import Redis

from grassroots.api.problems import ApiProblem
from grassroots.domain.errors import InvalidValue
from grassroots.domain.volunteer import normalise_phone
from grassroots.settings import Limits, Rate

__all__ = [
    "DEFAULT_RATES",
    "PAGE_OPT",
    "GuessPolicy",
    "HashingSlots",
    "LogInGuesses",
    "MemoryCounter",
    "Network",
    "PageAccount",
    "Rate",
    "RateLimits",
    "RedisCounter",
    "WindowCounter",
    "client_address",
]

Network = IPv4Network | IPv6Network
Clock = Callable[[], float]
# The account a request's page-session cookie names, its signature checked (else None).
PageAccount = Callable[[ASGIConnection[Any, Any, Any, Any]], UUID | None]

# The ``opt`` key a router of pages sets: there a page-session cookie stands for an account.
PAGE_OPT = "page_session"


DEFAULT_RATES: Mapping[str, Rate] = {
    "default": Rate(300, 60),
    # Load balancers and monitors call it often, from one address, without an
    # account: a limit of its own, so they never use up the address's default.
    "health": Rate(600, 60),
    # Log-in and registration count per address: one venue's Wi-Fi is one address
    # for all its people, so these are sized for a venue (about 30 logging in within
    # the same minute; a registration drive of 30 to 60 in ten minutes, a second try
    # each). Guessing a password is held back per phone (``LogInGuesses``) whatever
    # the address, and hashing by ``HashingSlots``, not by these.
    "log-in": Rate(30, 60),
    "register": Rate(60, 600),
    "refresh": Rate(30, 60),
    "scan": Rate(20, 60),
    # Anonymous survey answers, per client address: a class answering on one
    # school's Wi-Fi shares an address, so more than a person's share.
    "survey-answer": Rate(120, 60),
}


# The settings' defaults, so the API's own defaults are the same numbers.
_DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class GuessPolicy:
    """How wrong passwords for one phone slow down the next attempts."""

    free_failures: int = _DEFAULT_LIMITS.log_in_free_failures
    first_delay_seconds: int = _DEFAULT_LIMITS.log_in_first_delay_seconds
    max_delay_seconds: int = _DEFAULT_LIMITS.log_in_max_delay_seconds
    # Failures are forgotten this long after the last one (and on a success).
    memory_seconds: int = _DEFAULT_LIMITS.log_in_failure_memory_seconds

    def __post_init__(self) -> None:
        if self.max_delay_seconds > self.memory_seconds:
            # Else a delay could outlive the count it grew from, and start again small.
            raise ValueError(
                "memory_seconds must be at least max_delay_seconds: "
                "a delay may not outlive its count"
            )

    def delay_after(self, failures: int) -> int:
        """Seconds the phone must wait after its ``failures``-th failure in a row."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return 0
        # 2**30 is past any cap; the bound keeps the number small.
        doubled: int = self.first_delay_seconds << min(beyond - 1, 30)
        return min(self.max_delay_seconds, doubled)


class WindowCounter(Protocol):
    async def hit(self, key: str, window_seconds: int) -> int:
        """Count one more hit in the current window of ``key``; the count so far."""

    async def fail(self, key: str, *, now: float, memory_seconds: int) -> int:
        """Count one more failure of ``key``, forgotten ``memory_seconds`` after the last."""

    async def hold(self, key: str, *, until: float, memory_seconds: int) -> None:
        """Record that ``key`` may not be tried again before ``until``."""

    async def held_until(self, key: str, *, now: float) -> float | None: ...

    async def forget(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryCounter:
    """Windows aligned on the clock, as in Redis, so ``Retry-After`` means the same.

    One dict per window length holds the current window's counts only: when the
    next window begins the whole dict is replaced, so no hit ever walks the keys.
    Failures per phone sit in insertion order of their last failure, so the
    forgotten ones are always at the front.
    """

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._windows: dict[int, tuple[int, dict[str, int]]] = {}
        # key -> [failures, held until, forgotten at]
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def hit(self, key: str, window_seconds: int) -> int:
        window = int(self._clock()) // window_seconds
        async with self._lock:
            seen = self._windows.get(window_seconds)
            if seen is None or seen[0] != window:
                seen = (window, {})
                self._windows[window_seconds] = seen
            counts = seen[1]
            count = counts.get(key, 0) + 1
            counts[key] = count
            return count

    def keys_held(self) -> int:
        return sum(len(counts) for _, counts in self._windows.values()) + len(self._failures)

    def _forget_expired(self, now: float) -> None:
        while self._failures:
            oldest = next(iter(self._failures.values()))
            if oldest[2] > now:
                return
            self._failures.popitem(last=False)

    async def fail(self, key: str, *, now: float, memory_seconds: int) -> int:
        self._forget_expired(now)
        entry = self._failures.pop(key, None) or [0.0, 0.0, 0.0]
        entry[0] += 1
        entry[2] = now + memory_seconds
        self._failures[key] = entry
        return int(entry[0])

    async def hold(self, key: str, *, until: float, memory_seconds: int) -> None:
        entry = self._failures.get(key)
        if entry is not None:
            entry[1] = max(entry[1], until)

    async def held_until(self, key: str, *, now: float) -> float | None:
        self._forget_expired(now)
        entry = self._failures.get(key)
        return entry[1] if entry is not None and entry[1] > now else None

    async def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    async def close(self) -> None:
        self._windows.clear()
        self._failures.clear()


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

    # A phone's failures are one hash: its count, and the instant (on the
    # application's clock) before which it may not be tried. Redis's own expiry,
    # in real seconds, only clears it away.
    async def fail(self, key: str, *, now: float, memory_seconds: int) -> int:
        name = f"{self._namespace}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, "failures", 1)
            pipe.expire(name, memory_seconds)
            count, _ = await pipe.execute()
        return int(count)

    async def hold(self, key: str, *, until: float, memory_seconds: int) -> None:
        name = f"{self._namespace}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(name, "until", repr(until))
            pipe.expire(name, memory_seconds)
            await pipe.execute()

    async def held_until(self, key: str, *, now: float) -> float | None:
        raw = await self._redis.hget(f"{self._namespace}:{key}", "until")
        until = float(raw) if raw is not None else None
        return until if until is not None and until > now else None

    async def forget(self, key: str) -> None:
        await self._redis.delete(f"{self._namespace}:{key}")

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimits:
    def __init__(
        self,
        counter: WindowCounter,
        rates: Mapping[str, Rate] = DEFAULT_RATES,
        trusted_proxies: Sequence[Network] = (),
        page_account: PageAccount | None = None,
    ) -> None:
        self.counter = counter
        self.rates = {**DEFAULT_RATES, **rates}
        self.trusted_proxies = tuple(trusted_proxies)
        self.page_account = page_account

    async def guard(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> None:
        name = str(handler.opt.get("rate", "default"))
        if name == "none":
            return
        rate = self.rates.get(name, self.rates["default"])
        who = self._who(connection, handler)
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

    def _who(
        self, connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
    ) -> str:
        user = connection.scope.get("user")
        account_id = getattr(user, "account_id", None)
        if account_id is None and self.page_account is not None and handler.opt.get(PAGE_OPT):
            # The same key a bearer token of this account counts under. Only the
            # signature is checked here (the handler loads the session): a cookie
            # the server signed names an account it logged in, and a forged one
            # names none, so it counts per address.
            account_id = self.page_account(connection)
        if account_id is not None:
            return f"account:{account_id}"
        client = connection.client
        peer = client.host if client else "unknown"
        forwarded = connection.headers.getall("x-forwarded-for", [])
        return f"peer:{client_address(peer, forwarded, self.trusted_proxies)}"


def client_address(peer: str, forwarded_for: Iterable[str], trusted: Sequence[Network]) -> str:
    """The address a request counts against: the peer, or, when the peer is a trusted
    proxy, the nearest hop of ``X-Forwarded-For`` that is not one."""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for line in forwarded_for for hop in line.split(",")]
    address = peer
    while hops and _is_trusted(address, trusted):
        hop = hops.pop()
        try:
            address = str(ip_address(hop))
        except ValueError:
            # Garbled: whoever is left of the proxy that wrote it is unknown.
            return address
    return address


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


class LogInGuesses:
    """Wrong passwords per phone, counted in the rate limits' store."""

    def __init__(
        self, counter: WindowCounter, policy: GuessPolicy, clock: Clock, key: bytes
    ) -> None:
        self._counter = counter
        self._policy = policy
        self._clock = clock
        self._key = key

    def _name(self, phone: str) -> str:
        with contextlib.suppress(InvalidValue):
            phone = normalise_phone(phone)
        # Keyed, so the store does not list the phones being tried.
        digest = hmac.new(self._key, phone.encode(), hashlib.sha256).hexdigest()[:32]
        return f"guesses:{digest}"

    async def require_allowed(self, phone: str) -> None:
        now = self._clock()
        until = await self._counter.held_until(self._name(phone), now=now)
        if until is None:
            return
        retry_after = max(1, math.ceil(until - now))
        raise ApiProblem(
            429,
            "log-in-delayed",
            f"too many wrong passwords for this phone number; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
            retry_after_seconds=retry_after,
        )

    async def failed(self, phone: str) -> None:
        now = self._clock()
        name = self._name(phone)
        memory = self._policy.memory_seconds
        failures = await self._counter.fail(name, now=now, memory_seconds=memory)
        delay = self._policy.delay_after(failures)
        if delay:
            await self._counter.hold(name, until=now + delay, memory_seconds=memory)

    async def succeeded(self, phone: str) -> None:
        await self._counter.forget(self._name(phone))


class HashingSlots:
    """At most ``slots`` password hashes at once (argon2 takes its memory per hash);
    a request waits ``wait_seconds`` for a slot, then answers 503."""

    def __init__(self, slots: int, wait_seconds: float) -> None:
        self._semaphore = asyncio.Semaphore(slots)
        self._wait_seconds = wait_seconds

    async def acquire(self) -> None:
        if self._wait_seconds <= 0 and self._semaphore.locked():
            raise _busy()
        try:
            await asyncio.wait_for(self._semaphore.acquire(), timeout=self._wait_seconds or None)
        except TimeoutError:
            raise _busy() from None

    def release(self) -> None:
        self._semaphore.release()

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        await self.acquire()
        try:
            yield
        finally:
            self.release()


def _busy() -> ApiProblem:
    return ApiProblem(
        503,
        "busy",
        "too many passwords are being checked at once; try again in a second",
        headers={"Retry-After": "1"},
        retry_after_seconds=1,
    )


def _route_of(handler: BaseRouteHandler) -> str:
    # A name that stays the same across requests and processes: the framework's
    # own handler ids include per-request controller instances, so they don't.
    methods = ",".join(sorted(getattr(handler, "http_methods", ()) or ()))
    return f"{methods}:{'|'.join(sorted(handler.paths))}:{handler.handler_name}"


def _seconds_left(window_seconds: int) -> int:
    # An upper bound for either counter: a window is never longer than this.
    return max(1, math.ceil(window_seconds - (time.time() % window_seconds)))
