"""Surveys through the API: designed and published by a supervisor or a cadre, answered
anonymously (a device cookie, once a day) or as a volunteer (a second answer replaces
the first), each bad answer its own problem with nothing written, results and exports
for those who manage the survey only."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from ipaddress import ip_network
from typing import Any
from uuid import UUID

import pytest
from openpyxl import load_workbook

from grassroots.api.rate_limits import Rate
from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel
from tests.integration.api.conftest import Server, problem
from tests.integration.api.test_limits import post_from
from tests.integration.api.test_live_updates import event_stream
from tests.integration.builders import World, build_world, register_cadre, register_volunteer

QUESTIONS = [
    {
        "prompt": "你最常参加哪类活动？",
        "kind": "single_choice",
        "options": ["环保", "助老", "文艺"],
    },
    {
        "prompt": "希望增加",
        "kind": "multiple_choice",
        "options": ["读书", "运动"],
        "required": False,
    },
    {"prompt": "满意度", "kind": "rating"},
    {"prompt": "每月几次", "kind": "number", "min_value": 0, "max_value": 30, "required": False},
    {"prompt": "建议", "kind": "text", "required": False},
]


@pytest.fixture
def server(server_factory: Callable[..., Server]) -> Server:
    # Plain cookies over the test client's http://, so the device cookie comes back.
    return server_factory(page_cookie_secure=False)


def _world(server: Server) -> tuple[World, dict[str, str]]:
    world = build_world(server.app)
    server.account("13700000002", Grant(Role.SUPERVISOR, world.township), name="街道团工委")
    return world, server.log_in("13700000002")


def _design(
    server: Server, world: World, headers: dict[str, str], **changes: Any
) -> dict[str, Any]:
    now = server.clock()
    body = {
        "org_unit_id": str(world.township),
        "title": "青年需求调研",
        "intro": "请花两分钟填写",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "questions": QUESTIONS,
        **changes,
    }
    designed = server.client.post("/api/v1/surveys", json=body, headers=headers)
    assert designed.status_code == 201, designed.text
    published = server.client.post(
        f"/api/v1/surveys/{designed.json()['survey_id']}/publish", headers=headers
    )
    assert published.status_code == 200, published.text
    return dict(published.json())


def _caught_up(server: Server) -> None:
    head = server.app.recorder.max_notification_id() or 0
    assert server.client.app.state.read_side.wait_for(head, 5.0)


def _anonymous(server: Server, survey_id: str, answers: dict[str, Any], **extra: Any) -> Any:
    return server.client.post(
        f"/api/v1/surveys/{survey_id}/anonymous-answers", json={"answers": answers, **extra}
    )


def test_a_published_survey_is_answered_anonymously_once_a_day_per_device(
    server: Server,
) -> None:
    world, supervisor = _world(server)
    survey = _design(server, world, supervisor)
    survey_id = survey["survey_id"]
    assert survey["state"] == "published"
    assert survey["url"].endswith(f"/s/{survey_id}")
    _caught_up(server)

    form = server.client.get(f"/api/v1/surveys/{survey_id}/form")
    first = _anonymous(server, survey_id, {"q1": 0, "q3": 5, "q5": "多办读书会"})
    head = server.app.log_head()
    second = _anonymous(server, survey_id, {"q1": 1, "q3": 4})
    server.client.cookies.clear()
    other_device = _anonymous(server, survey_id, {"q1": 1, "q3": 4})

    assert form.status_code == 200, form.text
    assert [q["key"] for q in form.json()["questions"]] == ["q1", "q2", "q3", "q4", "q5"]
    assert form.json()["open"] is True
    assert first.status_code == 200, first.text
    assert first.json() == {"survey_id": survey_id, "version": 1, "replaced": False}
    assert "grassroots_device" in first.headers["set-cookie"]
    assert second.status_code == 409
    assert problem(second)["code"] == "survey-answered-today"
    assert other_device.status_code == 200
    assert server.app.log_head() == head + 1


@pytest.mark.parametrize(
    ("answers", "status", "code"),
    [
        ({"q1": 0}, 422, "survey-answer-missing"),
        ({"q1": 3, "q3": 5}, 422, "survey-choice-not-offered"),
        ({"q1": 0, "q3": 5, "q4": 31}, 422, "survey-number-out-of-range"),
        ({"q1": 0, "q3": 6}, 422, "survey-rating-out-of-range"),
        ({"q1": "环保", "q3": 5}, 422, "survey-answer-malformed"),
        ({"q1": 0, "q3": 5, "q9": 1}, 422, "survey-question-unknown"),
    ],
)
def test_each_bad_answer_is_its_own_problem_and_writes_nothing(
    server: Server, answers: dict[str, Any], status: int, code: str
) -> None:
    world, supervisor = _world(server)
    survey_id = _design(server, world, supervisor)["survey_id"]
    head = server.app.log_head()

    refused = _anonymous(server, survey_id, answers)

    assert refused.status_code == status, refused.text
    assert problem(refused)["code"] == code
    assert server.app.log_head() == head


def test_an_answer_after_the_survey_closed_is_refused(server: Server) -> None:
    world, supervisor = _world(server)
    survey_id = _design(server, world, supervisor)["survey_id"]
    closed = server.client.post(f"/api/v1/surveys/{survey_id}/close", headers=supervisor)

    refused = _anonymous(server, survey_id, {"q1": 0, "q3": 5})

    assert closed.json()["state"] == "closed"
    assert refused.status_code == 409
    assert problem(refused)["code"] == "survey-closed"


def test_a_volunteers_second_answer_replaces_the_first(server: Server) -> None:
    world, supervisor = _world(server)
    volunteer_id = register_volunteer(server.app, world)
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer_id), name="王小明")
    volunteer = server.log_in("13800138000")
    survey_id = _design(server, world, supervisor, audience="subtree_volunteers")["survey_id"]

    anonymous = _anonymous(server, survey_id, {"q1": 0, "q3": 5})
    first = server.client.post(
        f"/api/v1/surveys/{survey_id}/answers",
        json={"answers": {"q1": 0, "q3": 2}},
        headers=volunteer,
    )
    second = server.client.post(
        f"/api/v1/surveys/{survey_id}/answers",
        json={"answers": {"q1": 2, "q3": 4}},
        headers=volunteer,
    )
    _caught_up(server)
    results = server.client.get(f"/api/v1/surveys/{survey_id}/results", headers=supervisor)

    assert problem(anonymous)["code"] == "survey-volunteers-only"
    assert anonymous.status_code == 403
    assert (first.json()["replaced"], second.json()["replaced"]) == (False, True)
    body = results.json()
    assert body["answers"] == 1
    assert [o["count"] for o in body["questions"][0]["options"]] == [0, 0, 1]
    assert body["questions"][2]["mean"] == 4.0


def test_results_breakdown_texts_and_exports_show_every_answer_and_nobody(
    server: Server,
) -> None:
    world, supervisor = _world(server)
    survey_id = _design(server, world, supervisor)["survey_id"]
    for n in range(6):
        server.clock.advance(seconds=1)
        server.client.cookies.clear()
        answered = _anonymous(
            server,
            survey_id,
            {"q1": n % 3, "q2": [0, 1], "q3": 1 + n % 5, "q4": n, "q5": f"=建议{n}"},
            org_unit_id=str(world.village),
        )
        assert answered.status_code == 200, answered.text
    server.client.cookies.clear()
    _anonymous(server, survey_id, {"q1": 0, "q3": 3})
    _caught_up(server)
    url = f"/api/v1/surveys/{survey_id}"

    results = server.client.get(f"{url}/results", headers=supervisor).json()
    cells = server.client.get(f"{url}/results/units", headers=supervisor).json()["cells"]
    texts = server.client.get(f"{url}/results/texts/q5?limit=4", headers=supervisor).json()
    # Only a text question has texts to read: a choice's key or none at all is a 404.
    not_texts = [
        server.client.get(f"{url}/results/texts/{key}", headers=supervisor) for key in ("q1", "q9")
    ]
    rows = list(
        csv.reader(io.StringIO(server.client.get(f"{url}/answers.csv", headers=supervisor).text))
    )
    xlsx = server.client.get(f"{url}/answers.xlsx", headers=supervisor)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    code = server.client.get(f"{url}/code.png", headers=supervisor)

    assert results["answers"] == 7
    assert [o["count"] for o in results["questions"][0]["options"]] == [3, 2, 2]
    assert results["questions"][3]["median"] == 2.5
    assert {c["name"]: c["label"] for c in cells} == {"东风社区": "6", None: "少于5份"}
    assert (len(texts["items"]), texts["next_offset"]) == (4, 4)
    assert [(a.status_code, problem(a)["code"]) for a in not_texts] == [
        (404, "question-not-found")
    ] * 2
    assert rows[0][:3] == ["\ufeff提交时间 (UTC)", "所属组织", "q1 你最常参加哪类活动？"]
    assert len(rows) == 8
    assert rows[1][6] == "'=建议0"
    assert sheet is not None
    assert sheet.max_row == 8
    assert sheet.cell(row=2, column=7).value == "=建议0"
    assert sheet.cell(row=2, column=7).data_type == "s"
    assert code.headers["content-type"] == "image/png"


def test_a_cadre_designs_for_their_own_unit_and_nobody_else_sees_the_survey(
    server: Server,
) -> None:
    world, supervisor = _world(server)
    cadre_id = register_cadre(server.app, world)
    server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")
    cadre = server.log_in("13700000001")
    other = server.app.create_org_unit(name="另一区", level=OrgLevel.COUNTY, parent_id=world.city)
    server.account("13700000009", Grant(Role.SUPERVISOR, other), name="他区团委")
    stranger = server.log_in("13700000009")

    mine = _design(server, world, cadre)
    elsewhere = server.client.post(
        "/api/v1/surveys",
        json={
            "org_unit_id": str(world.city),
            "title": "t",
            "opens_at": server.clock().isoformat(),
            "closes_at": (server.clock() + timedelta(days=1)).isoformat(),
            "questions": QUESTIONS[:1],
        },
        headers=cadre,
    )
    seen_by_stranger = server.client.get(f"/api/v1/surveys/{mine['survey_id']}", headers=stranger)
    seen_by_supervisor = server.client.get(
        f"/api/v1/surveys/{mine['survey_id']}", headers=supervisor
    )

    assert elsewhere.status_code == 404
    assert seen_by_stranger.status_code == 404
    assert seen_by_supervisor.status_code == 200


def test_answers_are_published_live_to_the_surveys_stream(server: Server) -> None:
    world, supervisor = _world(server)
    survey_id = _design(server, world, supervisor)["survey_id"]
    with event_stream(server.client, f"/api/v1/surveys/{survey_id}/live", supervisor) as page:
        assert page.next_event()["event"] == "ready"
        _anonymous(server, survey_id, {"q1": 0, "q3": 5})
        update = page.next_update()

    assert (update["kind"], update["survey_id"]) == ("answer", survey_id)


def test_a_unit_lists_the_surveys_of_its_subtree(server: Server) -> None:
    world, supervisor = _world(server)
    survey_id = _design(server, world, supervisor)["survey_id"]
    _caught_up(server)

    listed = server.client.get(f"/api/v1/org-units/{world.township}/surveys", headers=supervisor)

    assert [s["survey_id"] for s in listed.json()["items"]] == [survey_id]
    assert UUID(survey_id)


def test_anonymous_answers_are_limited_per_client_address_behind_a_trusted_proxy(
    server_factory: Callable[..., Server],
) -> None:
    # Each answer below comes without a cookie, i.e. from a new device: only the limit
    # per address (here 3 a minute) stops one address answering again and again.
    server = server_factory(
        page_cookie_secure=False,
        rates={"survey-answer": Rate(3, 60)},
        trusted_proxies=(ip_network("127.0.0.1/32"),),
    )
    world, supervisor = _world(server)
    survey_id = _design(server, world, supervisor)["survey_id"]
    _caught_up(server)
    path = f"/api/v1/surveys/{survey_id}/anonymous-answers"
    body = {"answers": {"q1": 0, "q3": 5}}

    one_client = [post_from(server, "127.0.0.1", path, body, "198.51.100.7") for _ in range(4)]
    another = post_from(server, "127.0.0.1", path, body, "198.51.100.8")
    _caught_up(server)
    results = server.client.get(f"/api/v1/surveys/{survey_id}/results", headers=supervisor)

    assert [a.status for a in one_client] == [200, 200, 200, 429]
    assert one_client[3].body["status"] == 429
    assert "retry-after" in one_client[3].headers
    assert another.status == 200
    assert results.json()["answers"] == 4
