"""Registering, logging in, refreshing and logging out through the API."""

from __future__ import annotations

from collections.abc import Callable

from grassroots.api.rate_limits import Rate
from tests.integration.api.conftest import PASSWORD, Server, problem
from tests.integration.builders import build_world


def _register(server: Server, phone: str = "13800138000") -> dict[str, str]:
    world = build_world(server.app)
    response = server.client.post(
        "/api/v1/volunteers",
        json={
            "name": "李明",
            "phone": phone,
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_volunteer_registers_logs_in_and_sees_their_account(server: Server) -> None:
    registered = _register(server)

    headers = server.log_in("13800138000")
    me = server.client.get("/api/v1/me", headers=headers)

    assert me.status_code == 200
    body = me.json()
    assert body["account_id"] == registered["account_id"]
    assert body["grants"] == [{"role": "volunteer", "subject_id": registered["volunteer_id"]}]


def test_a_second_registration_with_the_same_number_is_refused(server: Server) -> None:
    _register(server)
    world = build_world(server.app)

    again = server.client.post(
        "/api/v1/volunteers",
        json={
            "name": "李明",
            "phone": "+86 138 0013 8000",
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )

    assert again.status_code == 409
    assert problem(again)["code"] == "phone-taken"


def test_a_wrong_password_is_refused_in_chinese_by_default_and_english_on_request(
    server: Server,
) -> None:
    _register(server)

    zh = server.client.post(
        "/api/v1/sessions", json={"phone": "13800138000", "password": "wrong password"}
    )
    en = server.client.post(
        "/api/v1/sessions",
        json={"phone": "13800138000", "password": "wrong password"},
        headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"},
    )

    assert zh.status_code == en.status_code == 401
    assert problem(zh)["code"] == problem(en)["code"] == "credentials-rejected"
    assert zh.json()["title"] == "手机号或密码不正确"
    assert zh.headers["content-language"] == "zh-CN"
    assert en.json()["title"] == "The phone number or the password is wrong"


def test_no_token_and_a_forged_token_both_answer_401(server: Server) -> None:
    assert problem(server.client.get("/api/v1/me"))["code"] == "not-authenticated"
    forged = server.client.get("/api/v1/me", headers={"Authorization": "Bearer abc.def.ghi"})
    assert forged.status_code == 401


def test_logging_out_stops_the_access_token_at_once(server: Server) -> None:
    _register(server)
    headers = server.log_in("13800138000")

    assert server.client.delete("/api/v1/sessions/current", headers=headers).status_code == 204

    assert server.client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_refresh_token_works_once_and_its_reuse_ends_the_session(server: Server) -> None:
    _register(server)
    first = server.client.post(
        "/api/v1/sessions", json={"phone": "13800138000", "password": PASSWORD}
    ).json()

    second = server.client.post(
        "/api/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert second.status_code == 200
    reused = server.client.post(
        "/api/v1/sessions/refresh", json={"refresh_token": first["refresh_token"]}
    )

    assert reused.status_code == 401
    headers = {"Authorization": f"Bearer {second.json()['access_token']}"}
    assert server.client.get("/api/v1/me", headers=headers).status_code == 401


def test_malformed_bodies_are_problem_details_and_change_nothing(server: Server) -> None:
    before = server.app.recorder.max_notification_id()

    response = server.client.post("/api/v1/volunteers", json={"name": "李明"})

    assert response.status_code == 400
    assert problem(response)["code"] == "invalid-request"
    assert server.app.recorder.max_notification_id() == before


def test_log_in_attempts_are_rate_limited_per_client_address(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(rates={"log-in": Rate(2, 60)})
    _register(server)
    wrong = {"phone": "13800138000", "password": "wrong password"}

    answers = [server.client.post("/api/v1/sessions", json=wrong) for _ in range(3)]

    assert [a.status_code for a in answers] == [401, 401, 429]
    body = problem(answers[2])
    assert body["code"] == "rate-limited"
    assert int(answers[2].headers["retry-after"]) >= 1
    # Even the right password waits out the window: guessing is what is limited.
    right = server.client.post(
        "/api/v1/sessions", json={"phone": "13800138000", "password": PASSWORD}
    )
    assert right.status_code == 429


def test_control_characters_in_a_query_are_bad_input_not_a_server_error(server: Server) -> None:
    headers = server.administrator()

    response = server.client.get("/api/v1/activities?category=a%00b", headers=headers)

    assert response.status_code == 400
    assert problem(response)["code"] == "invalid-request"


def test_every_documented_failure_is_a_problem_document(server: Server) -> None:
    document = server.client.get("/schema/openapi.json").json()

    wrong = [
        (path, method, status)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        for status, response in operation.get("responses", {}).items()
        if int(status) >= 400 and "application/problem+json" not in response.get("content", {})
    ]

    assert wrong == []
