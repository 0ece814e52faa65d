"""A session that no longer holds answers `session-ended` ("log in again"), whether
the caller shows a revoked access token or a replayed, unknown or revoked refresh
token; only a wrong password answers `credentials-rejected`."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import PASSWORD, Server, problem

PHONE = "13600000001"
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
ZH_TITLE = "登录已失效，请重新登录"
EN_TITLE = "Your session has ended; log in again"


def _log_in(server: Server) -> dict[str, Any]:
    response = server.client.post("/api/v1/sessions", json={"phone": PHONE, "password": PASSWORD})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    body["headers"] = {"Authorization": f"Bearer {body['access_token']}"}
    return body


def _refresh(server: Server, token: str, headers: dict[str, str] | None = None) -> Any:
    return server.client.post(
        "/api/v1/sessions/refresh", json={"refresh_token": token}, headers=headers or {}
    )


def _written(server: Server) -> int:
    return server.app.recorder.max_notification_id() or 0


def _assert_session_ended(zh: Any, en: Any) -> None:
    assert (zh.status_code, en.status_code) == (401, 401)
    zh_body, en_body = problem(zh), problem(en)
    assert zh_body["type"] == en_body["type"] == "/problems/session-ended"
    assert (zh_body["title"], zh_body["detail"]) == (ZH_TITLE, ZH_TITLE)
    assert en_body["title"] == EN_TITLE
    assert zh.headers["content-language"] == "zh-CN"
    assert en.headers["content-language"] == "en"


@pytest.fixture
def staff(server: Server) -> Server:
    server.account(PHONE, Grant(Role.ADMINISTRATOR))
    return server


def test_a_replayed_refresh_token_says_the_session_has_ended_in_both_languages(
    staff: Server,
) -> None:
    first = _log_in(staff)
    assert _refresh(staff, first["refresh_token"]).status_code == 200

    zh = _refresh(staff, first["refresh_token"])
    written = _written(staff)
    en = _refresh(staff, first["refresh_token"], ENGLISH)

    _assert_session_ended(zh, en)
    # The first replay ends the session (recorded); presenting it again writes nothing.
    assert _written(staff) == written


@pytest.mark.parametrize(
    "token",
    [f"{uuid4().hex}.{'s' * 43}", "not-a-token", f"{uuid4().hex}."],
    ids=["no-such-session", "malformed", "no-secret"],
)
def test_an_unknown_refresh_token_says_the_session_has_ended_and_writes_nothing(
    staff: Server, token: str
) -> None:
    before = _written(staff)

    zh = _refresh(staff, token)
    en = _refresh(staff, token, ENGLISH)

    _assert_session_ended(zh, en)
    assert _written(staff) == before


def test_a_refresh_token_with_a_wrong_secret_leaves_the_session_alive(staff: Server) -> None:
    session = _log_in(staff)
    forged = f"{session['session_id'].replace('-', '')}.{'A' * 43}"
    before = _written(staff)

    zh = _refresh(staff, forged)
    en = _refresh(staff, forged, ENGLISH)

    _assert_session_ended(zh, en)
    assert _written(staff) == before
    assert _refresh(staff, session["refresh_token"]).status_code == 200


def test_a_logged_out_sessions_tokens_say_the_session_has_ended(staff: Server) -> None:
    session = _log_in(staff)
    logged_out = staff.client.delete("/api/v1/sessions/current", headers=session["headers"])
    assert logged_out.status_code == 204
    before = _written(staff)

    access_zh = staff.client.get("/api/v1/me", headers=session["headers"])
    access_en = staff.client.get("/api/v1/me", headers={**session["headers"], **ENGLISH})
    refresh_zh = _refresh(staff, session["refresh_token"])
    refresh_en = _refresh(staff, session["refresh_token"], ENGLISH)

    _assert_session_ended(access_zh, access_en)
    _assert_session_ended(refresh_zh, refresh_en)
    assert _written(staff) == before


def test_a_wrong_password_is_still_credentials_rejected(staff: Server) -> None:
    wrong = staff.client.post("/api/v1/sessions", json={"phone": PHONE, "password": "not it!!"})

    assert wrong.status_code == 401
    assert problem(wrong)["code"] == "credentials-rejected"
    assert wrong.json()["title"] == "手机号或密码不正确"


def test_no_token_at_all_is_not_authenticated_not_an_ended_session(staff: Server) -> None:
    response = staff.client.get("/api/v1/me")

    assert response.status_code == 401
    assert problem(response)["code"] == "not-authenticated"


def test_the_session_ended_type_is_served_and_documented(staff: Server) -> None:
    served = staff.client.get("/problems/session-ended")
    document = staff.client.get("/schema/openapi.json").json()

    assert served.status_code == 200
    assert served.json() == {"code": "session-ended", "title_zh": ZH_TITLE, "title_en": EN_TITLE}
    for path, method in [("/api/v1/sessions/refresh", "post"), ("/api/v1/me", "get")]:
        unauthorised = document["paths"][path][method]["responses"]["401"]
        examples = unauthorised["content"]["application/problem+json"]["examples"].values()
        assert "session-ended" in unauthorised["description"]
        assert "session-ended" in {example["value"]["code"] for example in examples}
