"""Page sessions: a cookie standing for the same account session as the API's tokens.

Logging in on a page runs the application's own log-in (``Grassroots.log_in``) and
so starts the same ``Session`` record a bearer-token log-in starts. The cookie
carries that session's id and its account's id, signed with a key of its own
derived from the service secret, so it cannot be made up; on every request the
caller is loaded with ``grassroots.api.auth.load_caller``, the API's check: a
logged-out session, a disabled account or a revoked role stops working at once.
The page keeps no refresh token: the session lives its lifetime (30 days), then
the person logs in again.

The rate limits count a request with a well-signed cookie against its account, as
they count a bearer token's (``account_of``), so the people on one venue's Wi-Fi
are not one address's share among them.

The cookie is HttpOnly (no script reads it) and SameSite=Lax (another site's
form cannot send it). It is ``Secure`` and named ``__Host-grassroots_session``
unless ``GRASSROOTS_PAGE_COOKIE_SECURE`` is off, which by default it is only for
a development server listening on a loopback address over plain HTTP, where a
browser would drop a Secure cookie sent without TLS.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any, TypeAlias
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from grassroots.api.auth import Caller, load_caller
from grassroots.api.threads import in_thread
from grassroots.application.service import Grassroots

__all__ = ["PageSessions", "SessionsDep"]

SECURE_NAME = "__Host-grassroots_session"
PLAIN_NAME = "grassroots_session"


class PageSessions:
    def __init__(self, service_secret: bytes, *, secure: bool, lifetime: timedelta) -> None:
        # A key of its own, so a page cookie never verifies as anything else.
        self._key = hmac.new(service_secret, b"grassroots page sessions", hashlib.sha256).digest()
        self.secure = secure
        self.lifetime = lifetime
        self.cookie_name = SECURE_NAME if secure else PLAIN_NAME

    def _signature(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def cookie_for(self, account_id: UUID, session_id: UUID) -> Cookie:
        payload = f"{account_id.hex}.{session_id.hex}"
        return self._cookie(f"{payload}.{self._signature(payload)}", self.lifetime)

    def ended_cookie(self) -> Cookie:
        return self._cookie("", timedelta(0))

    def _cookie(self, value: str, max_age: timedelta) -> Cookie:
        return Cookie(
            key=self.cookie_name,
            value=value,
            path="/",
            max_age=int(max_age.total_seconds()),
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def ids(self, value: str | None) -> tuple[UUID, UUID] | None:
        """The (account, session) ids a well-signed cookie names, else None."""
        if not value:
            return None
        payload, _, signature = value.rpartition(".")
        if not hmac.compare_digest(signature, self._signature(payload)):
            return None
        account, _, session = payload.partition(".")
        try:
            return UUID(hex=account), UUID(hex=session)
        except ValueError:
            return None

    def account_of(self, connection: ASGIConnection[Any, Any, Any, Any]) -> UUID | None:
        """The account a well-signed cookie names, without loading its session: what
        the rate limits count a page request against (``api/rate_limits.py``)."""
        ids = self.ids(connection.cookies.get(self.cookie_name))
        return ids[0] if ids is not None else None

    async def caller(self, request: Request[Any, Any, Any], app: Grassroots) -> Caller | None:
        """Who the request's cookie stands for, if its session still holds."""
        ids = self.ids(request.cookies.get(self.cookie_name))
        if ids is None:
            return None
        return await in_thread(load_caller, app, *ids)


# What a page handler declares to be given the sessions (``sessions: SessionsDep``).
SessionsDep: TypeAlias = NamedDependency[PageSessions]
