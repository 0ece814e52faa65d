"""Administrators make the accounts of staff, cadres and supervisors, find them, and
manage their roles. The list is the account directory's read
(``projections.account_directory``), with phone numbers masked; one account, read
from its record, shows its full number to the administrator."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from grassroots.api.accounts import GrantBody, GrantView, Me, grant_of, me_of
from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Name, Password, Phone, Reason
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.domain.account import Role
from grassroots.projections.account_directory import AccountLine, accounts_page

__all__ = ["AccountSummary", "AdminController", "summary_of"]


class NewAccount(msgspec.Struct, kw_only=True):
    phone: Phone
    name: Name
    password: Password
    grants: list[GrantBody]


class AccountCreated(msgspec.Struct, kw_only=True):
    account_id: UUID


class Disabling(msgspec.Struct, kw_only=True):
    reason: Reason


class AccountSummary(msgspec.Struct, kw_only=True):
    account_id: UUID
    name: str
    # 138****1234: the list never hands out full numbers (getAccount does, one at a time).
    phone_masked: str
    opened_at: datetime
    disabled: bool
    disabled_reason: str | None
    grants: list[GrantView]


def summary_of(line: AccountLine) -> AccountSummary:
    return AccountSummary(
        account_id=line.account_id,
        name=line.name,
        phone_masked=line.phone_masked,
        opened_at=line.opened_at,
        disabled=line.is_disabled,
        disabled_reason=line.disabled_reason,
        grants=[GrantView(role=g.role, subject_id=g.subject_id) for g in line.grants],
    )


def _accounts(
    api: Api, page: PageRequest, subject_id: UUID | None, with_volunteers: bool
) -> list[AccountSummary]:
    with api.engine.connect() as conn:
        lines = accounts_page(
            conn,
            limit=page.limit + 1,
            offset=page.offset,
            subject_ids=None if subject_id is None else [subject_id],
            with_volunteers=with_volunteers,
        )
    return [summary_of(line) for line in lines]


class AdminController(Controller):
    path = "/api/v1/admin/accounts"
    tags = ["administration"]  # noqa: RUF012
    guards = [requires()]  # noqa: RUF012  (administrators only)
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        operation_id="listAccounts",
        summary="Accounts, newest first (administrator)",
        description="Those holding a role other than volunteer, or every account "
        "with `with_volunteers`. `subject_id` keeps those holding a role on that "
        "record (a center, an org unit, a cadre). Phone numbers are masked; "
        "getAccount gives one account's full number.",
        responses=problem_responses(400, 401, 403, 429),
    )
    async def list_accounts(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        subject_id: FromQuery[UUID | None] = None,
        with_volunteers: FromQuery[bool] = False,
    ) -> Page[AccountSummary]:
        found = await api.read(
            request.user.account_id, _accounts, api, page, subject_id, with_volunteers
        )
        return page.page(found)

    @post(
        operation_id="createAccount",
        summary="Create an account with roles (administrator)",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def create(
        self, data: JSONBody[NewAccount], request: Request[Caller, Token, Any], api: ApiDep
    ) -> AccountCreated:
        account_id = await api.write(
            request.user.account_id,
            api.app.open_account,
            phone=data.phone,
            name=data.name,
            password=data.password,
            grants=[grant_of(g) for g in data.grants],
        )
        return AccountCreated(account_id=account_id)

    @get(
        "/{account_id:uuid}",
        operation_id="getAccount",
        summary="An account and its roles (administrator)",
        responses=problem_responses(401, 403, 404, 429),
    )
    async def account(self, account_id: FromPath[UUID], api: ApiDep) -> Me:
        return me_of(await api.read(None, api.app.account, account_id))

    @post(
        "/{account_id:uuid}/grants",
        operation_id="grantRole",
        summary="Give an account a role (administrator)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def grant(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[GrantBody],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        await api.write(request.user.account_id, api.app.grant_role, account_id, grant_of(data))

    @delete(
        "/{account_id:uuid}/grants/{role:str}",
        operation_id="revokeRole",
        summary="Take a role from an account (administrator)",
        description="`subject_id` names the record of the grant (none for administrator).",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def revoke(
        self,
        account_id: FromPath[UUID],
        role: FromPath[Role],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        subject_id: FromQuery[UUID | None] = None,
    ) -> None:
        body = msgspec.convert({"role": role, "subject_id": subject_id}, GrantBody)
        await api.write(request.user.account_id, api.app.revoke_role, account_id, grant_of(body))

    @post(
        "/{account_id:uuid}/disable",
        operation_id="disableAccount",
        summary="Disable an account: its sessions stop working at once (administrator)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def disable(
        self,
        account_id: FromPath[UUID],
        data: JSONBody[Disabling],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> None:
        await api.write(
            request.user.account_id,
            api.app.disable_account,
            account_id,
            reason=data.reason,
        )

    @post(
        "/{account_id:uuid}/enable",
        operation_id="enableAccount",
        summary="Enable a disabled account (administrator)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def enable(
        self, account_id: FromPath[UUID], request: Request[Caller, Token, Any], api: ApiDep
    ) -> None:
        await api.write(request.user.account_id, api.app.enable_account, account_id)
