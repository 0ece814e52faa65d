"""The OpenAPI document's examples are answers the API could give: problems with a
real type, title and status, and instants in UTC as the API returns them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from grassroots.api.messages import MESSAGES
from tests.integration.api.conftest import Server
from tests.integration.builders import build_world, post_activity

INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(?P<zone>Z|[+-]\d\d:\d\d)?$")


@pytest.fixture
def document(server: Server) -> dict[str, Any]:
    response = server.client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _examples(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every example value in the document, with where it sits."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "example":
                yield f"{path}/{key}", value
            elif key == "examples":
                items = value.values() if isinstance(value, dict) else value
                for i, item in enumerate(items):
                    inner = item["value"] if isinstance(item, dict) and "value" in item else item
                    yield f"{path}/{key}[{i}]", inner
            yield from _examples(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _examples(value, f"{path}[{i}]")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def test_every_example_instant_is_in_utc_as_the_api_answers(document: dict[str, Any]) -> None:
    instants = [
        (where, text)
        for where, value in _examples(document)
        for text in _strings(value)
        if INSTANT.match(text)
    ]
    offsets = [(where, text) for where, text in instants if not text.endswith("Z")]

    assert instants, "the reader found no example instant at all"
    assert offsets == []
    assert "+08:00" not in str([value for _, value in _examples(document)])


def test_an_answer_gives_its_instants_in_utc_as_the_examples_do(server: Server) -> None:
    world = build_world(server.app)
    activity = post_activity(
        server.app, world, starts_at=datetime(2026, 3, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    )

    answer = server.client.get(f"/api/v1/activities/{activity}", headers=server.administrator())

    assert answer.status_code == 200, answer.text
    assert answer.json()["starts_at"] == "2026-03-07T01:00:00Z"


def test_the_instant_fields_say_answers_are_in_utc(document: dict[str, Any]) -> None:
    starts_at = document["components"]["schemas"]["NewActivity"]["properties"]["starts_at"]

    assert "UTC" in starts_at["description"]
    assert starts_at["examples"] == ["2026-03-07T01:00:00Z"]


def _problem_examples(document: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/problem+json", {})
                for example in content.get("examples", {}).values():
                    yield int(status), example["value"]


def test_every_problem_example_is_a_real_problem(server: Server, document: dict[str, Any]) -> None:
    examples = list(_problem_examples(document))
    codes = {body["code"] for _, body in examples}

    assert {"session-ended", "not-authenticated", "invalid-request"} <= codes
    for status, body in examples:
        assert body["status"] == status, body
        assert body["type"] == f"/problems/{body['code']}"
        assert body["title"] == MESSAGES[body["code"]].zh
        assert body["instance"].startswith("/")
        assert server.client.get(body["type"]).status_code == 200, body["type"]


def test_the_problem_schema_shows_a_real_problem_not_random_text(
    document: dict[str, Any],
) -> None:
    properties = document["components"]["schemas"]["Problem"]["properties"]
    example = {name: spec["examples"][0] for name, spec in properties.items() if "examples" in spec}

    assert example["code"] in MESSAGES
    assert example["type"] == f"/problems/{example['code']}"
    assert example["title"] == MESSAGES[example["code"]].zh
    assert 400 <= example["status"] <= 599
    assert example["instance"].startswith("/api/")
    assert "examples" not in document["components"]["schemas"]["Problem"]


def test_each_route_documents_the_401_it_answers(document: dict[str, Any]) -> None:
    def codes(path: str, method: str) -> set[str]:
        response = document["paths"][path][method]["responses"]["401"]
        examples = response["content"]["application/problem+json"]["examples"].values()
        return {example["value"]["code"] for example in examples}

    assert codes("/api/v1/sessions", "post") == {"credentials-rejected"}
    assert codes("/api/v1/sessions/refresh", "post") == {"session-ended"}
    assert codes("/api/v1/me", "get") == {"not-authenticated", "session-ended"}
    assert "credentials-rejected" in codes("/api/v1/me/password", "put")
