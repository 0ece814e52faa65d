"""Account ids are shown only to administrators: a volunteer reading a staff line of
their ledger, and a cadre reading the answer to their problem, see a name."""

from __future__ import annotations

import json
from datetime import date, timedelta
from uuid import UUID

from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import PASSWORD, Server
from tests.integration.builders import build_world, post_activity, register_cadre


def _caught_up(server: Server) -> None:
    head = server.app.recorder.max_notification_id() or 0
    assert server.client.app.state.read_side.wait_for(head, 5.0)


def test_a_volunteer_sees_the_name_of_the_staff_who_added_minutes_never_their_account(
    server: Server,
) -> None:
    app = server.app
    world = build_world(app)
    volunteer_id = app.register_volunteer(
        name="王小明", phone="13800138000", birth_date=date(2001, 5, 4), org_unit_id=world.village
    )
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer_id))
    staff_id = app.open_account(
        phone="13900139001",
        name="张老师",
        password=PASSWORD,
        grants=[Grant(Role.CENTER_STAFF, world.center)],
    )
    activity = post_activity(app, world, starts_at=server.clock.now + timedelta(days=1))
    server.clock.advance(days=1, hours=3)
    app.adjust_attendance(
        activity, volunteer_id, minutes=90, reason="扫码时手机没电", staff_id=staff_id
    )
    _caught_up(server)
    volunteer = server.log_in("13800138000")

    ledger = server.client.get("/api/v1/me/ledger", headers=volunteer)
    [line] = ledger.json()["items"]
    explained = server.client.get(
        f"/api/v1/me/ledger/lines/{line['position']}/explanation", headers=volunteer
    )
    supervised = server.client.get(
        f"/api/v1/volunteers/{volunteer_id}/ledger", headers=server.administrator()
    )

    assert ledger.status_code == explained.status_code == 200
    assert (line["staff_name"], line["staff_id"]) == ("张老师", None)
    assert explained.json()["events"][0]["fields"]["staff_name"] == "张老师"
    for response in (ledger, explained):
        assert str(staff_id) not in response.text
        assert staff_id.hex not in response.text
    # An administrator administers accounts, and is shown the id as well.
    [seen] = supervised.json()["items"]
    assert (seen["staff_name"], seen["staff_id"]) == ("张老师", str(staff_id))


def test_a_cadre_sees_the_name_of_who_answered_their_problem_never_the_account(
    server: Server,
) -> None:
    app = server.app
    world = build_world(app)
    cadre_id = register_cadre(app, world)
    server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")
    supervisor_id = app.open_account(
        phone="13700000002",
        name="县团委",
        password=PASSWORD,
        grants=[Grant(Role.SUPERVISOR, world.county)],
    )
    cadre = server.log_in("13700000001")
    raised = server.client.post(
        "/api/v1/problems",
        json={
            "title": "篮球场照明坏了",
            "description": "晚上打球的青年反映灯不亮",
            "org_unit_id": str(world.village),
        },
        headers=cadre,
    )
    assert raised.status_code == 201, raised.text
    problem_id = raised.json()["problem_id"]

    answered = server.client.post(
        f"/api/v1/problems/{problem_id}/answer",
        json={"answer": "已报修"},
        headers=server.log_in("13700000002"),
    )
    seen = server.client.get(f"/api/v1/problems/{problem_id}", headers=cadre)
    administered = server.client.get(
        f"/api/v1/problems/{problem_id}", headers=server.administrator()
    )

    assert answered.status_code == seen.status_code == 200
    for response in (answered, seen):
        [answer] = response.json()["answers"]
        assert (answer["answered_by_name"], answer["answered_by"]) == ("县团委", None)
        assert str(supervisor_id) not in json.dumps(response.json())
    [answer] = administered.json()["answers"]
    assert UUID(answer["answered_by"]) == supervisor_id
