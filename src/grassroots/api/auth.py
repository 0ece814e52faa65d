"""Who is calling: access tokens, the caller they stand for, and role guards.

An access token is a JWT signed with HS256 (the only algorithm accepted) under
a key derived from the service secret, lives a few minutes and names the
account (``sub``) and the session (``sid``). On every request the session and
the account are read from the event store: a logged-out session, a disabled
account or a revoked role stops working at once, not when the token expires.
The roles used are the account's current grants, never the token's.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTAuth, JWTAuthenticationMiddleware, Token

from grassroots.api.problems import ApiProblem
from grassroots.api.threads import in_thread
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Account, Grant, Role, Session

__all__ = [
    "ISSUER",
    "Caller",
    "access_token_for",
    "bearer_account",
    "holds_any",
    "jwt_auth",
    "jwt_secret",
    "load_caller",
    "requires",
]

ISSUER = "grassroots"
ALGORITHM = "HS256"
# Claims every access token must carry, wherever one is read.
REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss"]


def jwt_secret(service_secret: bytes) -> str:
    """A key of its own for tokens, so the QR key never signs anything else."""
    return hmac.new(service_secret, b"grassroots access tokens", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Caller:
    account_id: UUID
    session_id: UUID
    name: str
    grants: frozenset[Grant]

    def has(self, role: Role) -> bool:
        return any(g.role is role for g in self.grants)

    def subjects(self, role: Role) -> set[UUID]:
        return {g.subject_id for g in self.grants if g.role is role and g.subject_id is not None}

    @property
    def is_administrator(self) -> bool:
        return self.has(Role.ADMINISTRATOR)

    @property
    def volunteer_id(self) -> UUID:
        """The caller's own volunteer record (403 for accounts that are not volunteers)."""
        found = self.subjects(Role.VOLUNTEER)
        if not found:
            raise ApiProblem(403, "forbidden", "this account is not a volunteer's")
        return min(found)

    @property
    def cadre_id(self) -> UUID:
        found = self.subjects(Role.CADRE)
        if not found:
            raise ApiProblem(403, "forbidden", "this account is not a cadre's")
        return min(found)


def load_caller(app: Grassroots, account_id: UUID, session_id: UUID) -> Caller | None:
    """The caller a session stands for, or None once the session no longer holds."""
    try:
        session = app.read(Session, session_id)
        account = app.read(Account, account_id)
    except NotFound:
        return None
    if not account.holds(session, app.now()):
        return None
    return Caller(
        account_id=account.id,
        session_id=session.id,
        name=account.name,
        grants=frozenset(account.grants),
    )


class BearerOnly(JWTAuthenticationMiddleware):
    """Reads the token from ``Authorization: Bearer <token>`` and no other scheme.

    The framework takes whatever follows the first space, so ``Basic <token>``
    would pass; a client sending its token under another scheme has a bug worth
    hearing about, and a proxy may treat other schemes differently (logging them).
    """

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = _bearer_token(connection.headers.get(self.auth_header, ""))
        if token is None:
            raise NotAuthorizedException("an access token goes in 'Authorization: Bearer <token>'")
        return await self.authenticate_token(encoded_token=token, connection=connection)


def _bearer_token(header: str) -> str | None:
    """The token of ``Bearer <token>`` (the scheme in any case), else None."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def jwt_auth(
    application: Grassroots, *, secret: str, lifetime: timedelta, exclude: Sequence[str]
) -> JWTAuth[Caller, Token]:
    async def retrieve_caller(
        token: Token, _connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Caller | None:
        try:
            account_id = UUID(token.sub)
            session_id = UUID(str(token.extras.get("sid", "")))
        except ValueError:
            return None
        caller = await in_thread(load_caller, application, account_id, session_id)
        if caller is None:
            # A genuine token (the signature held) whose session was logged out,
            # expired, or ended by a password change or a disable: refreshing
            # cannot help, so the answer says to log in again, as a refused
            # refresh token does.
            raise ApiProblem(401, "session-ended", "this session has ended; log in again")
        return caller

    return JWTAuth[Caller, Token](
        retrieve_user_handler=retrieve_caller,
        token_secret=secret,
        algorithm=ALGORITHM,
        default_token_expiration=lifetime,
        accepted_issuers=[ISSUER],
        require_claims=REQUIRED_CLAIMS,
        exclude=list(exclude),
        # Routes anyone may call (log-in, registration) say so with opt={"public": True}.
        exclude_opt_key="public",
        authentication_middleware_class=BearerOnly,
        description="An access token from POST /api/v1/sessions (log-in) or "
        "POST /api/v1/sessions/refresh, as `Authorization: Bearer <token>`.",
    )


def access_token_for(auth: JWTAuth[Caller, Token], *, account_id: UUID, session_id: UUID) -> str:
    return auth.create_token(
        identifier=str(account_id),
        token_issuer=ISSUER,
        token_extras={"sid": str(session_id)},
    )


def bearer_account(connection: ASGIConnection[Any, Any, Any, Any], secret: str) -> UUID | None:
    """The account a genuine, unexpired access token on a public route names, if any.

    A public read authorises nothing by it; it only learns whose own writes to wait
    for, so an administrator who has just created a unit reads it at once. Neither
    the session nor the account is read: waiting a moment for a logged-out
    session's writes harms no one, and a forged or expired token waits for nothing.
    """
    token = _bearer_token(connection.headers.get("Authorization", ""))
    if token is None:
        return None
    try:
        decoded = Token.decode(
            token,
            secret=secret,
            algorithm=ALGORITHM,
            issuer=[ISSUER],
            require_claims=REQUIRED_CLAIMS,
        )
        return UUID(decoded.sub)
    except (NotAuthorizedException, ValueError):
        return None


def holds_any(caller: Caller, roles: Sequence[Role]) -> bool:
    """Whether ``caller`` holds one of ``roles`` (administrators hold every one)."""
    return caller.is_administrator or any(g.role in roles for g in caller.grants)


def requires(
    *roles: Role,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """A guard letting through callers holding any of ``roles`` (administrators always).

    ``async`` although it never waits: the framework runs a plain function guard in a
    worker thread, a hop of its own on every request for a check of a few lines.
    """
    allowed = frozenset(roles)

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
    ) -> None:
        if connection.scope.get("method") == "OPTIONS":
            # The framework's own OPTIONS answer (a browser's pre-flight, sent without
            # credentials) only names the methods a path serves; authentication skips
            # it, so there is no caller to judge and nothing to protect.
            return
        caller = connection.user
        if not isinstance(caller, Caller):
            raise ApiProblem(401, "not-authenticated")
        if holds_any(caller, roles):
            return
        names = ", ".join(sorted(r.value for r in allowed)) or "administrator"
        raise ApiProblem(403, "forbidden", f"this needs one of the roles: {names}")

    guard.__name__ = "requires_" + "_or_".join(sorted(r.value for r in allowed))
    return guard
