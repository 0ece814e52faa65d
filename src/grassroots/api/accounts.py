"""Registering, logging in and out, refreshing, and the caller's own account."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.params import JSONBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import Meta

from grassroots.api.auth import Caller, access_token_for, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Day, GivenPassword, Id, Name, Password, Phone
from grassroots.api.problems import problem_responses
from grassroots.application.accounts import IssuedSession
from grassroots.application.errors import CredentialsRejected
from grassroots.domain.account import Account, Grant, Role

__all__ = [
    "AccountController",
    "GrantBody",
    "GrantView",
    "LogIn",
    "Registration",
    "SessionController",
    "log_in_guarded",
    "register_guarded",
]

ANY_ROLE = tuple(Role)


class Registration(msgspec.Struct, kw_only=True):
    name: Name
    phone: Phone
    password: Password
    birth_date: Day
    org_unit_id: Id


class Registered(msgspec.Struct, kw_only=True):
    account_id: UUID
    volunteer_id: UUID


class LogIn(msgspec.Struct, kw_only=True):
    phone: Phone
    password: GivenPassword


class Refresh(msgspec.Struct, kw_only=True):
    refresh_token: Annotated[
        str, Meta(min_length=1, max_length=200, examples=["0f4c...e2.kq3V...Zs"])
    ]


class GrantView(msgspec.Struct, kw_only=True):
    role: Role
    subject_id: UUID | None = None


GrantBody = GrantView


class Me(msgspec.Struct, kw_only=True):
    account_id: UUID
    name: str
    phone: str
    grants: list[GrantView]


class Tokens(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: str
    expires_in: Annotated[int, Meta(description="Seconds the access token lives.")]
    refresh_token: str
    session_id: UUID
    account: Me


class NewPassword(msgspec.Struct, kw_only=True):
    current_password: GivenPassword
    new_password: Password


def me_of(account: Account) -> Me:
    return Me(
        account_id=account.id,
        name=account.name,
        phone=account.phone,
        grants=[GrantView(role=g.role, subject_id=g.subject_id) for g in sorted(account.grants)],
    )


def _tokens(api: ApiDep, issued: IssuedSession) -> Tokens:
    return Tokens(
        access_token=access_token_for(
            api.auth, account_id=issued.account.id, session_id=issued.session.id
        ),
        token_type="Bearer",
        expires_in=int(api.config.access_token_lifetime.total_seconds()),
        refresh_token=issued.refresh_token,
        session_id=issued.session.id,
        account=me_of(issued.account),
    )


async def log_in_guarded(api: Api, data: LogIn) -> IssuedSession:
    """The application's log-in behind the guessing delays and the hashing bound;
    the API's log-in and the log-in page both go through here."""
    # Checked before any hashing: a delayed phone costs the server nothing.
    await api.guesses.require_allowed(data.phone)
    async with api.hashing.held():
        # Again once a slot is ours, and the failure counted before the slot is
        # given up: guesses sent at once all passed the first look while they
        # queued, and the ones before them may since have started a delay.
        await api.guesses.require_allowed(data.phone)
        try:
            issued = await api.write_hashing(
                None,
                api.app.log_in,
                phone=data.phone,
                password=data.password,
                lifetime=api.config.session_lifetime,
                max_lifetime=api.config.session_max_lifetime,
            )
        except CredentialsRejected:
            await api.guesses.failed(data.phone)
            raise
    await api.guesses.succeeded(data.phone)
    return issued


async def register_guarded(api: Api, data: Registration) -> Registered:
    """The application's volunteer registration behind the hashing bound; the API's
    registration and the registration page both go through here."""
    async with api.hashing.held():
        account_id, volunteer_id = await api.write_hashing(
            None,
            api.app.register_volunteer_account,
            name=data.name,
            phone=data.phone,
            password=data.password,
            birth_date=data.birth_date,
            org_unit_id=data.org_unit_id,
        )
    return Registered(account_id=account_id, volunteer_id=volunteer_id)


class SessionController(Controller):
    path = "/api/v1/sessions"
    tags = ["accounts"]  # noqa: RUF012

    @post(
        operation_id="logIn",
        summary="Log in with phone and password (anyone)",
        description="Returns a short-lived access token and a refresh token. "
        "Rate limited per client address; after a few wrong passwords for a phone "
        "number, from anywhere, each further attempt for it waits a doubling delay "
        "(429 `log-in-delayed` with Retry-After, the right password included). "
        "503 `busy` when too many passwords are being checked at once.",
        opt={"public": True, "rate": "log-in"},
        status_code=HTTP_201_CREATED,
        responses=problem_responses(
            400,
            401,
            409,
            429,
            503,
            codes={401: ["credentials-rejected"]},
            instance="/api/v1/sessions",
        ),
    )
    async def log_in(self, data: JSONBody[LogIn], api: ApiDep) -> Tokens:
        return _tokens(api, await log_in_guarded(api, data))

    @post(
        "/refresh",
        operation_id="refreshSession",
        summary="Swap a refresh token for new tokens (anyone holding one)",
        description="The refresh token is single-use: presenting it a second time ends "
        "the session. A replayed, unknown or expired refresh token, or one of a session "
        "that was logged out or ended by a password change, answers 401 `session-ended`: "
        "log in again.",
        opt={"public": True, "rate": "refresh"},
        status_code=HTTP_200_OK,
        responses=problem_responses(
            400, 401, 429, codes={401: ["session-ended"]}, instance="/api/v1/sessions/refresh"
        ),
    )
    async def refresh(self, data: JSONBody[Refresh], api: ApiDep) -> Tokens:
        issued = await api.write(
            None,
            api.app.refresh_session,
            data.refresh_token,
            lifetime=api.config.session_lifetime,
            max_lifetime=api.config.session_max_lifetime,
        )
        return _tokens(api, issued)

    @delete(
        "/current",
        operation_id="logOut",
        summary="Log out: end this session (any role)",
        guards=[requires(*ANY_ROLE)],
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(401, 429),
    )
    async def log_out(self, request: Request[Caller, Token, Any], api: ApiDep) -> None:
        caller = request.user
        await api.write(caller.account_id, api.app.log_out, caller.session_id)


class AccountController(Controller):
    path = "/api/v1"
    tags = ["accounts"]  # noqa: RUF012

    @post(
        "/volunteers",
        operation_id="registerVolunteer",
        summary="Register as a volunteer (anyone)",
        description="Creates the volunteer and their account in one write; one account per "
        "phone number. Rate limited per client address.",
        opt={"public": True, "rate": "register"},
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 404, 409, 422, 429, 503),
    )
    async def register(self, data: JSONBody[Registration], api: ApiDep) -> Registered:
        return await register_guarded(api, data)

    @get(
        "/me",
        operation_id="getMe",
        summary="The caller's account and roles (any role)",
        guards=[requires(*ANY_ROLE)],
        responses=problem_responses(401, 429),
    )
    async def me(self, request: Request[Caller, Token, Any], api: ApiDep) -> Me:
        account = await api.read(None, api.app.account, request.user.account_id)
        return me_of(account)

    @put(
        "/me/password",
        operation_id="changePassword",
        summary="Change the caller's password (any role)",
        description="Ends every other session of the account at once; this one goes on.",
        guards=[requires(*ANY_ROLE)],
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(
            400,
            401,
            422,
            429,
            503,
            # A wrong current password is a wrong password, not an ended session.
            codes={401: ["not-authenticated", "session-ended", "credentials-rejected"]},
            instance="/api/v1/me/password",
        ),
    )
    async def change_password(
        self, data: JSONBody[NewPassword], request: Request[Caller, Token, Any], api: ApiDep
    ) -> None:
        caller = request.user
        async with api.hashing.held():
            await api.write_hashing(
                caller.account_id,
                api.app.change_password,
                caller.account_id,
                current=data.current_password,
                new=data.new_password,
                kept_session_id=caller.session_id,
            )


def grant_of(body: GrantBody) -> Grant:
    return Grant(body.role, body.subject_id)
