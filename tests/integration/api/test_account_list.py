"""An administrator lists the accounts they made (listAccounts): newest first, with
roles and state, phone numbers masked, volunteers' own accounts left out unless asked
for, a record's accounts found by its id; an administrator's own writes are in the
next list at once."""

from __future__ import annotations

from typing import Any

from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import build_world, register_volunteer


def _list(server: Server, **params: Any) -> dict[str, Any]:
    answer = server.client.get(
        "/api/v1/admin/accounts", params=params, headers=server.administrator()
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_an_administrator_lists_the_accounts_made_with_roles_state_and_masked_numbers(
    server: Server,
) -> None:
    world = build_world(server.app)
    admin = server.administrator()
    server.clock.advance(minutes=1)
    made = server.client.post(
        "/api/v1/admin/accounts",
        json={
            "phone": "13700000001",
            "name": "张老师",
            "password": "correct horse battery",
            "grants": [{"role": "center_staff", "subject_id": str(world.center)}],
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    staff_id = made.json()["account_id"]
    server.clock.advance(minutes=1)
    server.account("13700000002", Grant(Role.SUPERVISOR, world.county), name="李部长")
    register_volunteer(server.app, world, phone="13700000003")
    disabled = server.client.post(
        f"/api/v1/admin/accounts/{staff_id}/disable", json={"reason": "调离岗位"}, headers=admin
    )
    assert disabled.status_code == 204, disabled.text

    listed = _list(server)
    names = [a["name"] for a in listed["items"]]
    staff = next(a for a in listed["items"] if a["account_id"] == staff_id)
    at_center = _list(server, subject_id=str(world.center))
    first = _list(server, limit=1)

    assert names == ["李部长", "张老师", "管理员"]
    assert staff["phone_masked"] == "137****0001"
    assert "13700000001" not in str(listed)
    assert staff["grants"] == [{"role": "center_staff", "subject_id": str(world.center)}]
    assert staff["disabled"] is True
    assert staff["disabled_reason"] == "调离岗位"
    assert [a["name"] for a in at_center["items"]] == ["张老师"]
    assert [a["name"] for a in first["items"]] == ["李部长"]
    assert first["next_offset"] == 1


def test_volunteers_own_accounts_are_listed_only_when_asked_for(server: Server) -> None:
    world = build_world(server.app)
    server.app.register_volunteer_account(
        name="赵同学",
        phone="13700000004",
        password="correct horse battery",
        birth_date=server.clock.now.date().replace(year=2003),
        org_unit_id=world.village,
    )
    # The administrator's next read waits for their own write, made after the registration.
    made = server.client.post(
        "/api/v1/admin/accounts",
        json={
            "phone": "13700000006",
            "name": "张老师",
            "password": "correct horse battery",
            "grants": [{"role": "center_staff", "subject_id": str(world.center)}],
        },
        headers=server.administrator(),
    )
    assert made.status_code == 201, made.text

    without = _list(server)
    with_them = _list(server, with_volunteers="true")

    assert "赵同学" not in [a["name"] for a in without["items"]]
    volunteer = next(a for a in with_them["items"] if a["name"] == "赵同学")
    assert [g["role"] for g in volunteer["grants"]] == ["volunteer"]


def test_no_one_but_an_administrator_may_list_accounts(server: Server) -> None:
    world = build_world(server.app)
    staff = server.log_in(server.account("13700000005", Grant(Role.CENTER_STAFF, world.center)))

    refused = server.client.get("/api/v1/admin/accounts", headers=staff)
    anonymous = server.client.get("/api/v1/admin/accounts")

    assert refused.status_code == 403
    problem(refused)
    assert anonymous.status_code == 401
