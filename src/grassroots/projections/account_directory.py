"""The account directory: who has an account, with which roles, and whether it is disabled.

Administrators find the accounts they made here: the staff of a center, a unit's
supervisors, a cadre's log-in. Two tables:

- ``account_directory``: per account its name, its phone number already masked
  (``domain.volunteer.mask_phone``: the full number is never written here, as in
  the volunteer directory), when it was opened and why it is disabled, if it is;
- ``account_grants``: per account each role it holds and the record the role
  applies to. The administrator's grant names no record; it is stored with the
  nil id (``NO_SUBJECT``), so the table keeps a primary key.

Fed by ``Account.Opened``, ``Granted``, ``Revoked``, ``Disabled`` and ``Enabled``.
Password changes are not read: nothing here shows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.account import Account, Grant, Role
from grassroots.domain.volunteer import mask_phone
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import (
    BatchStart,
    EventContext,
    Projection,
    chunked,
    handles,
    rows_where_in,
)
from grassroots.projections.instants import as_utc

__all__ = [
    "NO_SUBJECT",
    "AccountDirectory",
    "AccountLine",
    "account_directory",
    "account_grants",
    "account_line",
    "accounts_page",
]

# The administrator's grant names no record: stored under this id.
NO_SUBJECT = UUID(int=0)

account_directory = sa.Table(
    "account_directory",
    metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    # Masked when written (138****1234): the full number is never stored here.
    sa.Column("phone_masked", sa.String(16), nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    # The Opened event's place in the log: newest first among those opened at one instant.
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("disabled_reason", sa.String(500), nullable=True),
    sa.Index("ix_account_directory_opened", "opened_at", "position"),
)

account_grants = sa.Table(
    "account_grants",
    metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("role", sa.String(16), primary_key=True),
    sa.Column("subject_id", sa.Uuid, primary_key=True),
    sa.Index("ix_account_grants_subject", "subject_id"),
)

_INSERT_ACCOUNTS = Bulk.insert_into(account_directory, sort_by=["account_id"])
_INSERT_GRANTS = Bulk.insert_into(account_grants, sort_by=["account_id", "role", "subject_id"])


def _stored(grant: dict[str, str | None]) -> tuple[str, UUID]:
    parsed = Grant.from_dict(grant)
    return parsed.role.value, NO_SUBJECT if parsed.subject_id is None else parsed.subject_id


@dataclass
class _Batch:
    """The accounts this batch changes, as they stand after its events so far.

    An account touched here is written whole at the batch's end (its row and its
    grants deleted and inserted again): an account changes rarely, and rewriting
    it is simpler than tracking which of its grants moved.
    """

    accounts: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    grants: dict[UUID, set[tuple[str, UUID]]] = field(default_factory=dict)
    # Opened before this batch: their stored rows are replaced.
    stored: set[UUID] = field(default_factory=set)


_CHANGES = (Account.Granted, Account.Revoked, Account.Disabled, Account.Enabled)


class AccountDirectory(Projection):
    name = "account_directory"
    tables = (account_directory, account_grants)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        state = _Batch()
        opened_here = {ctx.originator_id for ctx, e in batch if isinstance(e, Account.Opened)}
        earlier = {
            ctx.originator_id
            for ctx, e in batch
            if isinstance(e, _CHANGES) and ctx.originator_id not in opened_here
        }
        for row in rows_where_in(
            conn, sa.select(account_directory), account_directory.c.account_id, earlier
        ):
            state.accounts[row.account_id] = dict(row._mapping)
            state.grants[row.account_id] = set()
            state.stored.add(row.account_id)
        for row in rows_where_in(
            conn, sa.select(account_grants), account_grants.c.account_id, state.stored
        ):
            state.grants[row.account_id].add((row.role, row.subject_id))
        return state

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        for chunk in chunked(state.stored):
            conn.execute(account_grants.delete().where(account_grants.c.account_id.in_(chunk)))
            conn.execute(
                account_directory.delete().where(account_directory.c.account_id.in_(chunk))
            )
        _INSERT_ACCOUNTS.execute(conn, list(state.accounts.values()))
        _INSERT_GRANTS.execute(
            conn,
            [
                {"account_id": account_id, "role": role, "subject_id": subject}
                for account_id, held in state.grants.items()
                for role, subject in held
            ],
        )

    @handles(Account.Opened)
    def _opened(self, state: _Batch, e: Account.Opened, ctx: EventContext) -> None:
        state.accounts[ctx.originator_id] = {
            "account_id": ctx.originator_id,
            "name": e.name,
            "phone_masked": mask_phone(e.phone),
            "opened_at": as_utc(e.at),
            "position": ctx.position,
            "disabled_reason": None,
        }
        state.grants[ctx.originator_id] = {_stored(g) for g in e.grants}

    @handles(Account.Granted)
    def _granted(self, state: _Batch, e: Account.Granted, ctx: EventContext) -> None:
        held = state.grants.get(ctx.originator_id)
        if held is not None:
            held.add(_stored(e.grant))

    @handles(Account.Revoked)
    def _revoked(self, state: _Batch, e: Account.Revoked, ctx: EventContext) -> None:
        held = state.grants.get(ctx.originator_id)
        if held is not None:
            held.discard(_stored(e.grant))

    @handles(Account.Disabled)
    def _disabled(self, state: _Batch, e: Account.Disabled, ctx: EventContext) -> None:
        row = state.accounts.get(ctx.originator_id)
        if row is not None:
            row["disabled_reason"] = e.reason

    @handles(Account.Enabled)
    def _enabled(self, state: _Batch, e: Account.Enabled, ctx: EventContext) -> None:
        row = state.accounts.get(ctx.originator_id)
        if row is not None:
            row["disabled_reason"] = None


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountLine:
    account_id: UUID
    name: str
    phone_masked: str
    opened_at: datetime
    disabled_reason: str | None
    # In role order, then by record.
    grants: tuple[Grant, ...]

    @property
    def is_disabled(self) -> bool:
        return self.disabled_reason is not None


_A = account_directory.c
_G = account_grants.c


def _grant(role: str, subject: UUID) -> Grant:
    return Grant(Role(role), None if subject == NO_SUBJECT else subject)


def _lines(conn: sa.Connection, rows: Sequence[sa.Row[Any]]) -> list[AccountLine]:
    held: dict[UUID, list[Grant]] = {r.account_id: [] for r in rows}
    for g in rows_where_in(conn, sa.select(account_grants), _G.account_id, held):
        held[g.account_id].append(_grant(g.role, g.subject_id))
    return [
        AccountLine(
            account_id=r.account_id,
            name=r.name,
            phone_masked=r.phone_masked,
            opened_at=as_utc(r.opened_at),
            disabled_reason=r.disabled_reason,
            grants=tuple(sorted(held[r.account_id])),
        )
        for r in rows
    ]


def accounts_page(
    conn: sa.Connection,
    *,
    limit: int,
    offset: int = 0,
    subject_ids: Iterable[UUID] | None = None,
    with_volunteers: bool = False,
) -> list[AccountLine]:
    """Accounts, newest first: those holding a role other than volunteer (the ones an
    administrator made or gave a role), or every one ``with_volunteers``; with
    ``subject_ids``, only those holding a role on one of these records."""
    query = sa.select(account_directory)
    if not with_volunteers:
        query = query.where(
            sa.exists().where(_G.account_id == _A.account_id, _G.role != Role.VOLUNTEER.value)
        )
    if subject_ids is not None:
        # A unit's page names its own and its centers' ids: a handful, one IN list.
        wanted = list(subject_ids)
        query = query.where(
            sa.exists().where(_G.account_id == _A.account_id, _G.subject_id.in_(wanted))
        )
    query = query.order_by(_A.opened_at.desc(), _A.position.desc()).limit(limit).offset(offset)
    return _lines(conn, list(conn.execute(query)))


def account_line(conn: sa.Connection, account_id: UUID) -> AccountLine | None:
    rows = list(conn.execute(sa.select(account_directory).where(_A.account_id == account_id)))
    found = _lines(conn, rows)
    return found[0] if found else None
