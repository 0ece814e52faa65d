"""What registering with a taken phone number tells a caller: that the number has an
account, and nothing about whose (a volunteer's, staff's, one made before ids were
keyed): the same status, the same body, and nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import PASSWORD, Server
from tests.integration.builders import World, build_world


def _register(server: Server, world: World, phone: str) -> Any:
    return server.client.post(
        "/api/v1/volunteers",
        json={
            "name": "王小明",
            "phone": phone,
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )


def test_a_taken_phone_answers_alike_whoever_holds_it(server: Server) -> None:
    app = server.app
    world = build_world(app)
    assert _register(server, world, "13800138001").status_code == 201
    server.account("13800138002", Grant(Role.CENTER_STAFF, world.center), name="张老师")
    server.account("13800138003", Grant(Role.ADMINISTRATOR), name="管理员")
    # A volunteer registered by staff, before they had an account of their own.
    app.register_volunteer(
        name="王小红", phone="13800138004", birth_date=date(2003, 1, 1), org_unit_id=world.village
    )
    before = app.recorder.max_notification_id()

    answers = [
        _register(server, world, phone)
        for phone in ("13800138001", "13800138002", "13800138003", "13800138004")
    ]

    assert {a.status_code for a in answers} == {409}
    assert len({a.text for a in answers}) == 1, [a.text for a in answers]
    assert answers[0].json()["code"] == "phone-taken"
    assert app.recorder.max_notification_id() == before
