"""What every route handler is given: the application, the read side, and the
API's own configuration, with the two ways of calling into them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, ParamSpec, TypeAlias, TypeVar

from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.security.jwt import JWTAuth, Token
from sqlalchemy.engine import Engine

from grassroots.api.center_places import CenterPlaces
from grassroots.api.consistency import WrittenPositions
from grassroots.api.rate_limits import (
    DEFAULT_RATES,
    GuessPolicy,
    HashingSlots,
    LogInGuesses,
    Network,
    Rate,
)
from grassroots.api.threads import in_thread
from grassroots.application.service import Grassroots
from grassroots.domain.account import MAX_SESSION_LIFETIME
from grassroots.projections.read_side import ReadSide

__all__ = ["Api", "ApiConfig", "ApiDep"]

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True)
class ApiConfig:
    jwt_secret: str
    access_token_lifetime: timedelta = timedelta(minutes=15)
    session_lifetime: timedelta = timedelta(days=30)
    # However often it is refreshed, a session ends this long after its log-in.
    session_max_lifetime: timedelta = MAX_SESSION_LIFETIME
    # How often an open live stream checks that its session, account and role still hold.
    live_recheck_interval: timedelta = timedelta(seconds=5)
    # How long a live stream may stay silent before it sends a comment line, so a
    # proxy that cuts idle connections (often after 30-60 s) leaves it open.
    live_keepalive_interval: timedelta = timedelta(seconds=15)
    redis_url: str | None = None
    # Prefix of every key this API keeps in Redis (tests give each run its own).
    redis_namespace: str = "grassroots"
    rates: Mapping[str, Rate] = field(default_factory=lambda: dict(DEFAULT_RATES))
    # Peers whose X-Forwarded-For names the client (a reverse proxy); none by default.
    trusted_proxies: tuple[Network, ...] = ()
    log_in_guesses: GuessPolicy = field(default_factory=GuessPolicy)
    password_hashing_slots: int = 2
    password_hashing_wait: timedelta = timedelta(seconds=2)
    # How long a read waits for the read models to include the caller's own writes.
    read_wait_seconds: float = 2.0
    threads: int = 16
    # Commands in threads at once, besides password hashes (``Api.write``); None: as
    # many as the pool. ``bootstrap.api_config`` bounds them on SQLite.
    writers: int | None = None
    max_body_bytes: int = 1_000_000
    # Web origins whose pages may call the API (CORS); none: same origin only.
    cors_origins: tuple[str, ...] = ()
    # Where people reach the server (links and QR codes name it).
    public_url: str = "http://127.0.0.1:8000"
    # The font PDF files embed for Chinese text (GRASSROOTS_CJK_FONT).
    cjk_font: Path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    # Whether the pages' session cookie is Secure (and named __Host-...); see pages/sessions.py.
    page_cookie_secure: bool = True


class Api:
    # A plain class, not a dataclass: the framework would otherwise try to
    # validate it field by field when injecting it.
    def __init__(
        self,
        *,
        app: Grassroots,
        read_side: ReadSide | None,
        auth: JWTAuth[Any, Token],
        positions: WrittenPositions,
        config: ApiConfig,
        channels: ChannelsPlugin,
        guesses: LogInGuesses,
        hashing: HashingSlots,
    ) -> None:
        self.app = app
        self.read_side = read_side
        self.auth = auth
        self.positions = positions
        self.config = config
        self.channels = channels
        # Wrong passwords per phone, and the bound on password hashing at once.
        self.guesses = guesses
        self.hashing = hashing
        # Each center's unit and its ancestry, for routing live updates.
        self.center_places = CenterPlaces()
        self._writers: AbstractAsyncContextManager[Any] = (
            nullcontext() if config.writers is None else asyncio.Semaphore(config.writers)
        )

    def live_channel(self, kind: str, record_id: Any) -> str:
        """The channel name for live updates about one record (a center, an org unit)."""
        return f"{self.config.redis_namespace}.{kind}.{record_id}"

    def publish(self, data: Any, channels: list[str]) -> None:
        """Send ``data`` (JSON-encodable) to every subscriber of ``channels``; never blocks."""
        if channels:
            self.channels.publish(data, channels)

    @property
    def engine(self) -> Engine:
        if self.read_side is None:
            raise RuntimeError("this server runs without read models (memory event store)")
        return self.read_side.reader

    async def write(
        self, account_id: Any, command: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a command off the loop and remember where it left the log for the caller.

        The command and its arguments are passed as they are (no closure), so a reader
        and a type checker follow a route straight to the application's method. At most
        ``config.writers`` commands run at once; the rest wait on the loop.
        """
        return await self._write(self._writers, account_id, command, *args, **kwargs)

    async def write_hashing(
        self, account_id: Any, command: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``write`` for a command that hashes a password, called under ``hashing.held()``.

        The hashing slots bound these, and they take no writer's place: a burst of
        log-ins, each a tenth of a second of hashing, holds back no scan.
        """
        return await self._write(nullcontext(), account_id, command, *args, **kwargs)

    async def _write(
        self,
        lane: AbstractAsyncContextManager[Any],
        account_id: Any,
        command: Callable[P, T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        app = self.app

        def run() -> tuple[T, int]:
            result = command(*args, **kwargs)
            # The position is kept per thread: read it in the thread that wrote.
            return result, app.last_write_position()

        async with lane:
            result, position = await in_thread(run)
        if account_id is not None:
            await self.positions.wrote(account_id, position)
        return result

    async def read(
        self, account_id: Any, query: Callable[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run a query off the loop, after the read models include the caller's writes."""
        if account_id is not None:
            await self.positions.settle(account_id)
        return await in_thread(partial(query, *args, **kwargs))


# What a handler declares to be given the Api (``api: ApiDep``).
ApiDep: TypeAlias = NamedDependency[Api]
