"""A body or query that does not validate names its fields in the client's language:
Chinese title and Chinese field messages for zh-CN, English for en."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api.conftest import Server, problem

ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}
UNIT = "6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f"
REGISTRATION = {
    "name": "李明",
    "phone": "13800138000",
    "password": "correct horse 42",
    "birth_date": "2004-05-04",
    "org_unit_id": UNIT,
}


def _errors(response: Any) -> dict[str | None, str]:
    body = problem(response)
    assert body["code"] == "invalid-request"
    return {e["field"]: e["message"] for e in body["errors"]}


@pytest.mark.parametrize(
    ("change", "field", "chinese", "english"),
    [
        ({"name": ""}, "name", "长度不能少于 1 个字符", "Expected `str` of length >= 1"),
        ({"name": 5}, "name", "应为文字，不能是整数", "Expected `str`, got `int`"),
        ({"org_unit_id": "nope"}, "org_unit_id", "不是有效的编号（UUID）", "Invalid UUID"),
        (
            {"birth_date": "04/05/2004"},
            "birth_date",
            "不是有效的日期，应如 2004-05-04",
            "Invalid RFC3339 encoded date",
        ),
        ({"phone": None}, "phone", "应为文字，不能是空值（null）", "Expected `str`, got `null`"),
    ],
)
def test_a_registration_field_is_refused_in_the_clients_language(
    server: Server, change: dict[str, Any], field: str, chinese: str, english: str
) -> None:
    body = {**REGISTRATION, **change}

    zh = server.client.post("/api/v1/volunteers", json=body)
    en = server.client.post("/api/v1/volunteers", json=body, headers=ENGLISH)

    assert zh.json()["title"] == "请求格式不正确"
    assert _errors(zh) == {field: chinese}
    assert _errors(en) == {field: english}


def test_a_missing_field_is_named_and_said_in_chinese(server: Server) -> None:
    body = {k: v for k, v in REGISTRATION.items() if k != "name"}

    zh = server.client.post("/api/v1/volunteers", json=body)

    assert _errors(zh) == {"name": "缺少必填字段 name"}


def test_a_query_parameter_out_of_range_is_said_in_chinese(server: Server) -> None:
    headers = server.administrator()

    zh = server.client.get("/api/v1/activities?limit=0", headers=headers)
    en = server.client.get("/api/v1/activities?limit=0", headers={**headers, **ENGLISH})

    assert _errors(zh) == {"limit": "不能小于 1"}
    assert _errors(en) == {"limit": "Expected `int` >= 1"}
    assert problem(zh)["errors"][0]["source"] == "query"
