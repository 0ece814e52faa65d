"""``GET /me/sign-ups``: where the caller stands on each activity, and the ledger's
lines named by their activity's title and center's name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from grassroots.domain.account import Grant, Role
from grassroots.domain.activity import Activity
from tests.integration.api.conftest import Server
from tests.integration.api.test_volunteering import (
    Volunteer,
    activity_soon,
    open_window,
    register,
    scan,
    sign_up,
)
from tests.integration.builders import World, build_world, post_activity


@pytest.fixture
def world(server: Server) -> World:
    return build_world(server.app)


def mine(server: Server, volunteer: Volunteer) -> list[dict[str, Any]]:
    response = server.client.get("/api/v1/me/sign-ups", headers=volunteer.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def by_activity(items: list[dict[str, Any]]) -> dict[UUID, dict[str, Any]]:
    return {UUID(item["activity_id"]): item for item in items}


def withdraw(server: Server, volunteer: Volunteer, activity_id: UUID) -> None:
    response = server.client.delete(
        f"/api/v1/activities/{activity_id}/sign-ups/me", headers=volunteer.headers
    )
    assert response.status_code == 204, response.text


def test_my_sign_ups_say_where_i_stand_with_title_center_and_place_on_the_waiting_list(
    server: Server, world: World
) -> None:
    me = register(server, world)
    first, second = (register(server, world, phone=f"1380013800{i}") for i in (1, 2))
    full = activity_soon(server, world, capacity=1)
    later = post_activity(
        server.app, world, starts_at=server.clock.now + timedelta(days=3), capacity=5
    )
    left = activity_soon(server, world)
    for volunteer in (first, second, me):
        sign_up(server, volunteer, full)
    sign_up(server, me, later)
    sign_up(server, me, left)
    withdraw(server, me, left)

    items = mine(server, me)
    found = by_activity(items)

    assert found[full]["state"] == "wait_listed"
    # ``second`` waits before me.
    assert found[full]["waiting_position"] == 2
    assert found[full]["promoted"] is False
    assert found[later]["state"] == "signed_up"
    assert found[later]["waiting_position"] is None
    assert found[left]["state"] == "withdrawn"
    assert found[full]["title"] == "社区环境清洁"
    assert found[full]["center_name"] == "东风社区青年之家"
    # Upcoming first, soonest first: the one in three days comes last.
    assert [UUID(item["activity_id"]) for item in items][-1] == later


def test_a_withdrawal_ahead_of_me_promotes_me_with_a_clear_flag_and_when(
    server: Server, world: World
) -> None:
    me = register(server, world)
    other = register(server, world, phone="13800138001")
    activity = activity_soon(server, world, capacity=1)
    sign_up(server, other, activity)
    sign_up(server, me, activity)

    withdraw(server, other, activity)
    # Read after the withdrawal (the one who wrote it waits for it to be read).
    assert by_activity(mine(server, other))[activity]["state"] == "withdrawn"
    (item,) = mine(server, me)

    assert item["state"] == "promoted"
    assert item["promoted"] is True
    assert item["promoted_at"] is not None
    assert item["waiting_position"] is None


def test_checked_in_then_attended(server: Server, world: World) -> None:
    me = register(server, world)
    activity = activity_soon(server, world, hours=1)
    sign_up(server, me, activity)
    open_window(server, activity)
    assert scan(server, me, activity).status_code == 200

    assert mine(server, me)[0]["state"] == "checked_in"

    starts_at = server.app.get(Activity, activity).starts_at
    server.clock.set(starts_at + timedelta(minutes=30))
    assert scan(server, me, activity, "check-out").status_code == 200
    (item,) = mine(server, me)
    assert item["state"] == "attended"
    assert item["credited_minutes"] > 0


def test_each_volunteer_sees_only_their_own_and_other_roles_are_refused(
    server: Server, world: World
) -> None:
    me = register(server, world)
    other = register(server, world, phone="13800138001")
    activity = activity_soon(server, world)
    sign_up(server, other, activity)
    staff = server.log_in(server.account("13700000001", Grant(Role.CENTER_STAFF, world.center)))

    assert mine(server, me) == []
    assert len(mine(server, other)) == 1
    assert server.client.get("/api/v1/me/sign-ups", headers=staff).status_code == 403
    assert server.client.get("/api/v1/me/sign-ups").status_code == 401


def test_ledger_lines_name_their_activity_and_center(server: Server, world: World) -> None:
    me = register(server, world)
    activity = activity_soon(server, world, hours=1, sign_up_required=False)
    open_window(server, activity)
    scan(server, me, activity)
    server.clock.set(server.app.get(Activity, activity).starts_at + timedelta(minutes=45))
    scan(server, me, activity, "check-out")

    page = server.client.get("/api/v1/me/ledger", headers=me.headers).json()

    (line,) = page["items"]
    assert line["activity_title"] == "社区环境清洁"
    assert line["center_name"] == "东风社区青年之家"
