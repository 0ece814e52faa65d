"""Problems (问题反馈) through the API: raised on a visit, answered and closed by
the unit they are routed to, reopened only by the cadre who raised them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.org_unit import OrgLevel
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import World, build_world, register_cadre


@dataclass
class Desk:
    world: World
    cadre_id: UUID
    cadre: dict[str, str]
    county: dict[str, str]
    village: dict[str, str]
    supervisor_account: str


def _desk(server: Server) -> Desk:
    world = build_world(server.app)
    cadre_id = register_cadre(server.app, world)
    server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")
    server.account("13700000002", Grant(Role.SUPERVISOR, world.county), name="县团委")
    server.account("13700000003", Grant(Role.SUPERVISOR, world.village), name="社区团支部")
    county = server.log_in("13700000002")
    me = server.client.get("/api/v1/me", headers=county).json()
    return Desk(
        world=world,
        cadre_id=cadre_id,
        cadre=server.log_in("13700000001"),
        county=county,
        village=server.log_in("13700000003"),
        supervisor_account=me["account_id"],
    )


def _raise_on_visit(server: Server, desk: Desk, title: str = "篮球场照明坏了") -> dict[str, Any]:
    code = server.client.get(f"/api/v1/points/{desk.world.point}/code", headers=desk.county).json()[
        "token"
    ]
    visit = server.client.post(
        "/api/v1/visits",
        json={"point_id": str(desk.world.point), "token": code},
        headers=desk.cadre,
    ).json()
    raised = server.client.post(
        f"/api/v1/visits/{visit['visit_id']}/problems",
        json={"title": title, "description": "晚上打球的青年反映灯不亮，已两周"},
        headers=desk.cadre,
    )
    assert raised.status_code == 201, raised.text
    return dict(raised.json())


def _caught_up(server: Server) -> None:
    """Another caller's writes reach a supervisor's list a moment later; wait for them."""
    head = server.app.recorder.max_notification_id() or 0
    assert server.client.app.state.read_side.wait_for(head, 5.0)


def _open(server: Server, headers: dict[str, str], unit: UUID, query: str = "") -> Any:
    _caught_up(server)
    return server.client.get(f"/api/v1/org-units/{unit}/problems{query}", headers=headers)


def test_a_problem_raised_on_a_visit_is_answered_closed_and_reopened(server: Server) -> None:
    desk = _desk(server)
    raised = _raise_on_visit(server, desk)
    problem_id = raised["problem_id"]
    # Routed by default to the visited point's unit, and noted on the visit.
    assert (raised["org_unit_id"], raised["state"]) == (str(desk.world.village), "open")
    visit = server.client.get(f"/api/v1/visits/{raised['visit_id']}", headers=desk.cadre).json()
    assert visit["problem_ids"] == [problem_id]

    listed = _open(server, desk.county, desk.world.county).json()
    assert [p["problem_id"] for p in listed["items"]] == [problem_id]

    answered = server.client.post(
        f"/api/v1/problems/{problem_id}/answer",
        json={"answer": "已报修，本周内修好"},
        headers=desk.village,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered"
    closed = server.client.post(f"/api/v1/problems/{problem_id}/close", headers=desk.county)
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed"
    assert closed.json()["answers"][0]["answer"] == "已报修，本周内修好"
    assert _open(server, desk.county, desk.world.county).json()["items"] == []

    reopened = server.client.post(
        f"/api/v1/problems/{problem_id}/reopen", json={"reason": "灯还是不亮"}, headers=desk.cadre
    )
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["state"] == "open"
    seen = server.client.get(f"/api/v1/problems/{problem_id}", headers=desk.cadre).json()
    assert seen["state"] == "open"
    assert [r["reason"] for r in seen["reopenings"]] == ["灯还是不亮"]
    assert closed.json()["reopenings"] == []
    listed = _open(server, desk.county, desk.world.county).json()
    assert [(p["problem_id"], p["times_reopened"]) for p in listed["items"]] == [(problem_id, 1)]


def test_the_answer_names_the_supervisor_by_name_not_by_account(server: Server) -> None:
    desk = _desk(server)
    problem_id = _raise_on_visit(server, desk)["problem_id"]

    answered = server.client.post(
        f"/api/v1/problems/{problem_id}/answer", json={"answer": "收到"}, headers=desk.county
    )

    [answer] = answered.json()["answers"]
    assert (answer["answered_by_name"], answer["answered_by"]) == ("县团委", None)
    assert desk.supervisor_account not in answered.text


def test_an_unanswered_problem_cannot_be_closed(server: Server) -> None:
    desk = _desk(server)
    problem_id = _raise_on_visit(server, desk)["problem_id"]

    response = server.client.post(f"/api/v1/problems/{problem_id}/close", headers=desk.county)

    assert response.status_code == 409
    assert problem(response)["code"] == "problem-unanswered"
    seen = server.client.get(f"/api/v1/problems/{problem_id}", headers=desk.county).json()
    assert seen["state"] == "open"


def test_only_the_cadre_who_raised_a_problem_may_reopen_it(server: Server) -> None:
    desk = _desk(server)
    problem_id = _raise_on_visit(server, desk)["problem_id"]
    server.client.post(
        f"/api/v1/problems/{problem_id}/answer", json={"answer": "已处理"}, headers=desk.county
    )
    server.client.post(f"/api/v1/problems/{problem_id}/close", headers=desk.county)
    other = server.app.register_cadre(
        name="赵干事", kind=CadreKind.PART_TIME, org_unit_id=desk.world.county
    )
    server.account("13700000009", Grant(Role.CADRE, other), name="赵干事")

    response = server.client.post(
        f"/api/v1/problems/{problem_id}/reopen",
        json={"reason": "我觉得没解决"},
        headers=server.log_in("13700000009"),
    )
    open_again = server.client.post(
        f"/api/v1/problems/{problem_id}/reopen", json={"reason": "灯还是不亮"}, headers=desk.cadre
    )

    assert response.status_code == 404
    assert problem(response)["code"] == "problem-not-found"
    assert open_again.status_code == 200
    twice = server.client.post(
        f"/api/v1/problems/{problem_id}/reopen", json={"reason": "再次"}, headers=desk.cadre
    )
    assert problem(twice)["code"] == "problem-not-closed"


def test_the_cadre_who_raised_a_problem_may_not_answer_or_close_it(server: Server) -> None:
    desk = _desk(server)
    problem_id = _raise_on_visit(server, desk)["problem_id"]

    for path, body in (("answer", {"answer": "自己答"}), ("close", None)):
        response = server.client.post(
            f"/api/v1/problems/{problem_id}/{path}", json=body, headers=desk.cadre
        )
        assert response.status_code == 403, response.text


def test_a_supervisor_of_another_subtree_sees_none_of_it(server: Server) -> None:
    desk = _desk(server)
    problem_id = _raise_on_visit(server, desk)["problem_id"]
    elsewhere = server.app.create_org_unit(
        name="赛罕区", level=OrgLevel.COUNTY, parent_id=desk.world.city
    )
    server.account("13700000004", Grant(Role.SUPERVISOR, elsewhere), name="赛罕区团委")
    outsider = server.log_in("13700000004")

    assert server.client.get(f"/api/v1/problems/{problem_id}", headers=outsider).status_code == 404
    for path, body in (
        ("answer", {"answer": "越权"}),
        ("close", None),
        ("reroute", {"org_unit_id": str(elsewhere), "reason": "越权"}),
    ):
        response = server.client.post(
            f"/api/v1/problems/{problem_id}/{path}", json=body, headers=outsider
        )
        assert response.status_code == 404, (path, response.text)
        assert problem(response)["code"] == "problem-not-found"
    listing = _open(server, outsider, desk.world.county)
    assert listing.status_code == 404
    assert problem(listing)["code"] == "org-unit-not-found"
    assert _open(server, outsider, elsewhere).json()["items"] == []


def test_a_rerouted_problem_leaves_the_old_units_desk(server: Server) -> None:
    desk = _desk(server)
    problem_id = _raise_on_visit(server, desk)["problem_id"]

    moved = server.client.post(
        f"/api/v1/problems/{problem_id}/reroute",
        json={"org_unit_id": str(desk.world.township), "reason": "需街道协调"},
        headers=desk.village,
    )

    assert moved.status_code == 200, moved.text
    assert moved.json()["org_unit_id"] == str(desk.world.township)
    assert _open(server, desk.village, desk.world.village).json()["items"] == []
    answer = server.client.post(
        f"/api/v1/problems/{problem_id}/answer", json={"answer": "我来"}, headers=desk.village
    )
    assert answer.status_code == 404
    listed = _open(server, desk.county, desk.world.county).json()["items"]
    assert [p["times_rerouted"] for p in listed] == [1]


def test_open_problems_come_oldest_first_in_pages(server: Server) -> None:
    desk = _desk(server)
    first = _raise_on_visit(server, desk, "第一个问题")["problem_id"]
    server.clock.advance(minutes=5)
    second = server.client.post(
        "/api/v1/problems",
        json={
            "title": "第二个问题",
            "description": "没有走访也能反映",
            "org_unit_id": str(desk.world.township),
        },
        headers=desk.cadre,
    )
    assert second.status_code == 201, second.text
    assert second.json()["visit_id"] is None

    page_one = _open(server, desk.county, desk.world.county, "?limit=1").json()
    page_two = _open(server, desk.county, desk.world.county, "?limit=1&offset=1").json()

    assert [p["problem_id"] for p in page_one["items"]] == [first]
    assert page_one["next_offset"] == 1
    assert [p["problem_id"] for p in page_two["items"]] == [second.json()["problem_id"]]
    assert page_two["next_offset"] is None
    assert page_one["items"][0]["age_seconds"] == 300
    too_many = _open(server, desk.county, desk.world.county, "?limit=100000")
    assert too_many.status_code == 400


def test_a_problem_needs_a_title_and_a_real_unit(server: Server) -> None:
    desk = _desk(server)

    blank = server.client.post(
        "/api/v1/problems",
        json={"title": "   ", "description": "x", "org_unit_id": str(desk.world.village)},
        headers=desk.cadre,
    )
    nowhere = server.client.post(
        "/api/v1/problems",
        json={
            "title": "问题",
            "description": "x",
            "org_unit_id": "6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f",
        },
        headers=desk.cadre,
    )

    assert problem(blank)["code"] == "title-empty"
    assert nowhere.status_code == 404
    assert _open(server, desk.county, desk.world.county).json()["items"] == []
