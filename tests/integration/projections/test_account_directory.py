"""The account directory read model, fed from the real application's log, on SQLite and
PostgreSQL: accounts an administrator made, newest first, with their roles and state,
volunteers' own accounts left out unless asked for, a unit's accounts found by the
records their roles name; a rebuild equal to the incremental run at any batch size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.account import Grant, Role
from grassroots.projections.account_directory import (
    AccountDirectory,
    account_directory,
    account_grants,
    account_line,
    accounts_page,
)
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, fast_hashing

NOW = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def world(app: Grassroots, clock: FakeClock) -> World:
    clock.set(NOW)
    fast_hashing(app)
    return build_world(app)


def _read_side(app: Grassroots, read_engine: Engine, batch_size: int) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    return ReadSide(read_engine, log, projections=[AccountDirectory], batch_size=batch_size)


def _open(app: Grassroots, phone: str, name: str, *grants: Grant) -> UUID:
    return app.open_account(phone=phone, name=name, password=PASSWORD, grants=list(grants))


def _history(
    app: Grassroots, world: World, clock: FakeClock, read_side: ReadSide
) -> dict[str, UUID]:
    """Staff, a supervisor, an administrator and a volunteer, changed across catch-ups."""
    staff = _open(app, "13900000001", "张老师", Grant(Role.CENTER_STAFF, world.center))
    clock.set(NOW + timedelta(minutes=1))
    supervisor = _open(app, "13900000002", "李部长", Grant(Role.SUPERVISOR, world.county))
    read_side.catch_up()
    clock.set(NOW + timedelta(minutes=2))
    admin = _open(app, "13900000003", "王管理", Grant(Role.ADMINISTRATOR))
    volunteer_account, _ = app.register_volunteer_account(
        name="赵同学",
        phone="13900000004",
        password=PASSWORD,
        birth_date=date(2003, 1, 2),
        org_unit_id=world.village,
    )
    # Changes to an account projected in an earlier batch, and to one of this batch.
    app.grant_role(staff, Grant(Role.SUPERVISOR, world.village))
    app.disable_account(supervisor, reason="调离岗位")
    app.grant_role(admin, Grant(Role.CENTER_STAFF, world.center))
    app.revoke_role(admin, Grant(Role.CENTER_STAFF, world.center))
    read_side.catch_up()
    app.enable_account(supervisor)
    app.disable_account(supervisor, reason="长期未登录")
    read_side.catch_up()
    return {
        "staff": staff,
        "supervisor": supervisor,
        "admin": admin,
        "volunteer": volunteer_account,
    }


def test_accounts_are_listed_newest_first_with_their_roles_and_state(
    app: Grassroots, world: World, clock: FakeClock, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=3)
    ids = _history(app, world, clock, read_side)

    with read_engine.connect() as conn:
        made = accounts_page(conn, limit=10)
        everyone = accounts_page(conn, limit=10, with_volunteers=True)
        second_page = accounts_page(conn, limit=1, offset=1)
        at_center = accounts_page(conn, limit=10, subject_ids=[world.center])
        at_village_or_county = accounts_page(
            conn, limit=10, subject_ids=[world.village, world.county]
        )
        staff = account_line(conn, ids["staff"])
        supervisor = account_line(conn, ids["supervisor"])
        admin = account_line(conn, ids["admin"])

    assert [a.account_id for a in made] == [ids["admin"], ids["supervisor"], ids["staff"]]
    assert ids["volunteer"] in [a.account_id for a in everyone]
    assert len(everyone) == 4
    assert [a.account_id for a in second_page] == [ids["supervisor"]]
    # The administrator's own staff grant was revoked: only the staff member is left.
    assert [a.account_id for a in at_center] == [ids["staff"]]
    assert [a.account_id for a in at_village_or_county] == [ids["supervisor"], ids["staff"]]

    assert staff is not None
    assert supervisor is not None
    assert admin is not None
    assert staff.grants == (
        Grant(Role.CENTER_STAFF, world.center),
        Grant(Role.SUPERVISOR, world.village),
    )
    assert staff.name == "张老师"
    assert staff.phone_masked == "139****0001"
    assert staff.opened_at == NOW
    assert staff.opened_at.tzinfo is UTC
    assert not staff.is_disabled
    assert supervisor.disabled_reason == "长期未登录"
    assert admin.grants == (Grant(Role.ADMINISTRATOR),)
    assert not admin.is_disabled


def test_the_directory_never_holds_a_full_phone_number(
    app: Grassroots, world: World, clock: FakeClock, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=5)
    _history(app, world, clock, read_side)

    with read_engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(sa.select(account_directory))]

    assert len(stored) == 4
    for phone in ("13900000001", "13900000002", "13900000003", "13900000004"):
        assert all(phone not in str(row) for row in stored)


@pytest.mark.parametrize("batch_size", [1, 2, 100])
def test_rebuilding_from_the_log_gives_the_rows_of_the_incremental_run(
    app: Grassroots, world: World, clock: FakeClock, read_engine: Engine, batch_size: int
) -> None:
    read_side = _read_side(app, read_engine, batch_size=batch_size)
    _history(app, world, clock, read_side)

    def rows() -> dict[str, list[tuple[object, ...]]]:
        with read_engine.connect() as conn:
            return {
                table.name: [
                    tuple(r)
                    for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))
                ]
                for table in (account_directory, account_grants)
            }

    incremental = rows()
    for runner in read_side.runners.values():
        runner.rebuild()

    assert len(incremental["account_directory"]) == 4
    # Staff 2, supervisor 1, administrator 1, volunteer 1.
    assert len(incremental["account_grants"]) == 5
    assert rows() == incremental
