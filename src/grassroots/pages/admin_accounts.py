"""The administration screen's accounts: listed newest first and found by phone number
(``/admin/accounts``); one account's page shows its roles, takes one away, and
disables or enables it. Each write is the API's (``revoke_role``, ``disable_account``,
``enable_account``); its page reads the account's record, as ``getAccount`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.application.errors import NotFound
from grassroots.domain.account import Account, Grant, Role
from grassroots.domain.errors import CodedError
from grassroots.pages.admin_forms import (
    ACCOUNTS,
    Refusal,
    Typed,
    administrator,
    done_of,
    local_time,
    places_of,
    refused_form,
    typed_form,
)
from grassroots.pages.controllers import page
from grassroots.pages.sessions import PageSessions, SessionsDep
from grassroots.projections.account_directory import AccountLine, account_line, accounts_page
from grassroots.projections.activity_catalogue import center_row

__all__ = ["ROUTES"]

ACCOUNTS_PER_PAGE = 50


@dataclass(frozen=True)
class AccountsPage:
    accounts: list[AccountLine]
    places: dict[UUID, str]
    offset: int
    next_offset: int | None


def _accounts(api: Api, offset: int) -> AccountsPage:
    with api.engine.connect() as conn:
        found = accounts_page(conn, limit=ACCOUNTS_PER_PAGE + 1, offset=offset)
        shown = found[:ACCOUNTS_PER_PAGE]
        places = places_of(conn, [g for a in shown for g in a.grants])
    more = len(found) > ACCOUNTS_PER_PAGE
    return AccountsPage(shown, places, offset, offset + ACCOUNTS_PER_PAGE if more else None)


@dataclass(frozen=True)
class AccountPage:
    account: Account
    line: AccountLine | None
    grants: list[Grant]
    places: dict[UUID, str]
    # Where each role's record sits in the tree: the unit page to manage it from.
    units: dict[UUID, UUID]


def _account_page(api: Api, account_id: UUID) -> AccountPage:
    account = api.app.account(account_id)
    grants = sorted(account.grants)
    units: dict[UUID, UUID] = {}
    with api.engine.connect() as conn:
        line = account_line(conn, account_id)
        places = places_of(conn, grants)
        for grant in grants:
            if grant.role is Role.SUPERVISOR and grant.subject_id is not None:
                units[grant.subject_id] = grant.subject_id
            elif grant.role is Role.CENTER_STAFF and grant.subject_id is not None:
                row = center_row(conn, grant.subject_id)
                if row is not None:
                    units[grant.subject_id] = row.org_unit_id
    return AccountPage(account, line, grants, places, units)


@get(ACCOUNTS, name="admin-accounts")
async def accounts(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    phone = request.query_params.get("phone", "").strip()
    not_found = False
    if phone:
        found = await api.read(caller.account_id, api.app.account_with_phone, phone)
        if found is not None:
            return Redirect(f"{ACCOUNTS}/{found}", status_code=HTTP_303_SEE_OTHER)
        not_found = True
    text = request.query_params.get("offset", "0")
    offset = min(int(text), 100_000) if text.isdigit() else 0
    shown = await api.read(caller.account_id, _accounts, api, offset)
    return page(
        request,
        "admin/accounts.html",
        caller=caller,
        shown=shown,
        phone=phone,
        not_found=not_found,
        local=local_time(api),
    )


async def _show_account(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    account_id: UUID,
    *,
    refusal: Refusal | None = None,
    typed: Typed | None = None,
) -> Template:
    try:
        shown = await api.read(caller.account_id, _account_page, api, account_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "admin/account.html",
        caller=caller,
        status=refusal.status if refusal else 200,
        shown=shown,
        own=account_id == caller.account_id,
        done=None if refusal else done_of(request),
        refusal=refusal,
        typed=typed or Typed(),
        local=local_time(api),
    )


@get(f"{ACCOUNTS}/{{account_id:uuid}}", name="admin-account")
async def account_page(
    account_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _show_account(request, api, caller, account_id)


async def _account_step(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    account_id: UUID,
    done: str,
    form_name: str,
    command: Any,
    *args: Any,
    typed: Typed | None = None,
    **kwargs: Any,
) -> Template | Redirect:
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        await api.write(caller.account_id, command, account_id, *args, **kwargs)
    except NotFound as missing:
        if missing.kind == "account":
            raise NotFoundException() from None
        refused = refused_form(request, form_name, missing)
        return await _show_account(request, api, caller, account_id, refusal=refused, typed=typed)
    except (CodedError, ApiProblem) as error:
        refused = refused_form(request, form_name, error)
        return await _show_account(request, api, caller, account_id, refusal=refused, typed=typed)
    return Redirect(f"{ACCOUNTS}/{account_id}?done={done}", status_code=HTTP_303_SEE_OTHER)


@post(f"{ACCOUNTS}/{{account_id:uuid}}/disable", name="admin-disable")
async def disable(
    account_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    typed = typed_form(await request.form(), "reason")
    return await _account_step(
        request,
        api,
        sessions,
        account_id,
        "disabled",
        "disable",
        api.app.disable_account,
        typed=typed,
        reason=typed.reason,
    )


@post(f"{ACCOUNTS}/{{account_id:uuid}}/enable", name="admin-enable")
async def enable(
    account_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _account_step(
        request, api, sessions, account_id, "enabled", "enable", api.app.enable_account
    )


@post(f"{ACCOUNTS}/{{account_id:uuid}}/revoke", name="admin-revoke")
async def revoke(
    account_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    typed = typed_form(await request.form(), "role", "subject_id")
    try:
        grant = Grant(Role(typed.role), UUID(typed.subject_id) if typed.subject_id else None)
    except ValueError:
        # Not a role and record this page offers: nothing such to take away.
        raise NotFoundException() from None
    return await _account_step(
        request, api, sessions, account_id, "revoked", "revoke", api.app.revoke_role, grant
    )


ROUTES = [accounts, account_page, disable, enable, revoke]
