"""The API against its own OpenAPI document: generated requests to every operation,
as an administrator (who passes every role guard, so the handlers themselves are
reached) and as nobody, must never meet a server error and every response must
match what the document promises (status, media type, body schema)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from grassroots.domain.account import Grant, Role
from grassroots.domain.values import text_rule_pattern
from tests.contract.media_types import send_pdfs_as_bytes
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import build_world, register_cadre

EXAMPLES = 12
send_pdfs_as_bytes()
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def contract_server(server_factory: Callable[..., Server]) -> Server:
    server = server_factory()
    # Some real records, so generated ids sometimes meet data through the examples.
    build_world(server.app)
    return server


def test_every_operation_keeps_to_the_document(contract_server: Server) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    admin = contract_server.administrator()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        if _streams(operation.definition.raw):
            # A live stream never ends, so a generated request would wait forever;
            # the live-update tests open and close those streams themselves.
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case: Any) -> None:
            # Logging the administrator out would leave the rest unauthenticated.
            callers = (
                [{}]
                if case.operation.definition.raw.get("operationId") == "logOut"
                else [admin, {}]
            )
            for headers in callers:
                kwargs = case.as_transport_kwargs(
                    base_url="http://testserver.local", headers=headers
                )
                kwargs.pop("cookies", None)
                _files_as_sent(kwargs)
                response = contract_server.client.request(**kwargs)
                # A multipart body stays a stream until read; the checks read the request.
                response.request.read()
                assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
                # What the document promises: statuses, media types, headers, bodies.
                # (A schema-valid body may still break a domain rule, say a rule set
                # with no requirement, and get its 409/422: that is not a violation.)
                case.validate_response(response, checks=CONFORMANCE)

        keeps_to_the_document()


def _files_as_sent(kwargs: dict[str, Any]) -> None:
    """A generated file part that is not bytes (``0`` for a photo) as the text it would
    be on the wire: the test client renders a multipart body only as the server reads
    it, so a value it cannot render would surface as the server's error. A raw body
    (a certificate's PDF) goes as content, the test client's name for raw bytes."""
    if isinstance(kwargs.get("data"), bytes):
        kwargs["content"] = kwargs.pop("data")
    files = kwargs.get("files")
    if not files:
        return
    kwargs["files"] = [
        (name, _part_as_sent(part))
        for name, part in (files.items() if isinstance(files, dict) else files)
    ]


def _part_as_sent(part: Any) -> Any:
    if isinstance(part, tuple) and len(part) >= 2:
        return (part[0], _part_as_sent(part[1]), *part[2:])
    return part if isinstance(part, (bytes, str)) else json.dumps(part)


def _streams(definition: dict[str, Any]) -> bool:
    """Whether an operation answers with a server-sent event stream."""
    return any(
        "text/event-stream" in (response.get("content") or {})
        for response in (definition.get("responses") or {}).values()
        if isinstance(response, dict)
    )


# --- bad input: each a 4xx problem, never a server error, and nothing written -----------

DEEP = 1_000


def _deep_bodies() -> list[bytes]:
    return [
        b"[" * DEEP + b"]" * DEEP,
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b'{"title":' * DEEP + b'"x"' + b"}" * DEEP,
    ]


def _log_end(server: Server) -> int:
    return server.app.recorder.max_notification_id() or 0


def test_json_nested_a_thousand_deep_is_a_bad_request_on_every_route_taking_a_body(
    contract_server: Server,
) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()
    admin = contract_server.administrator()
    written = _log_end(contract_server)
    tried = 0
    for path, item in document["paths"].items():
        for method in ("post", "put", "patch"):
            if method not in item:
                continue
            # Random ids: the body is decoded before any record is looked up.
            url = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
            for body in _deep_bodies():
                response = contract_server.client.request(
                    method.upper(),
                    url,
                    content=body,
                    headers={**admin, "Content-Type": "application/json"},
                )
                assert 400 <= response.status_code < 500, f"{method} {path}: {response.text}"
                problem(response)
                tried += 1
    assert tried >= 3 * 20
    assert _log_end(contract_server) == written


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/activities?from=9999-12-20T00:00:00%2B00:00",
        "/api/v1/activities?from=0001-01-01T00:00:00%2B00:00",
        "/api/v1/activities?from=2026-03-01T00:00:00%2B00:00&to=9999-12-31T23:59:59%2B00:00",
        "/api/v1/activities?from=1999-12-31T23:59:59%2B00:00",
    ],
)
def test_a_query_instant_outside_the_range_is_a_bad_request(
    contract_server: Server, query: str
) -> None:
    response = contract_server.client.get(
        query, headers={**contract_server.administrator(), "Accept-Language": "en"}
    )

    assert response.status_code == 400, response.text
    assert "must fall between 2000-01-01" in problem(response)["detail"]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01"])
def test_a_query_date_outside_the_range_is_a_bad_request(contract_server: Server, day: str) -> None:
    server = contract_server
    world = build_world(server.app)
    cadre_id = register_cadre(server.app, world)
    server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")
    cadre = server.log_in("13700000001")
    admin = server.administrator()

    answers = [
        server.client.get(f"/api/v1/me/standing?date={day}", headers=cadre),
        server.client.get(f"/api/v1/me/standing?period=month&date={day}", headers=cadre),
        server.client.get(f"/api/v1/cadres/{cadre_id}/standing?date={day}", headers=admin),
        server.client.get(f"/api/v1/org-units/{world.county}/compliance?date={day}", headers=admin),
        server.client.get(f"/api/v1/org-units/{world.county}/rule-sets?date={day}", headers=admin),
    ]

    for response in answers:
        assert response.status_code == 400, response.text
        assert problem(response)["code"] == "invalid-request"


@pytest.mark.parametrize("year", ["1999", "2101", "9999", "0"])
def test_a_query_year_outside_the_range_is_a_bad_request(
    contract_server: Server, year: str
) -> None:
    server = contract_server
    world = build_world(server.app)
    cadre_id = register_cadre(server.app, world)
    server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")

    answers = [
        server.client.get(f"/api/v1/me/coverage?year={year}", headers=server.log_in("13700000001")),
        server.client.get(
            f"/api/v1/cadres/{cadre_id}/coverage?year={year}", headers=server.administrator()
        ),
    ]

    for response in answers:
        assert response.status_code == 400, response.text
        assert problem(response)["code"] == "invalid-request"


def _staff_and_center(server: Server) -> tuple[dict[str, str], str]:
    world = build_world(server.app)
    server.account("13800000001", Grant(Role.CENTER_STAFF, world.center))
    return server.log_in("13800000001"), f"/api/v1/centers/{world.center}/activities"


ACTIVITY = {
    "title": "社区环境清洁",
    "category": "environment",
    "starts_at": "2026-03-07T09:00:00+08:00",
    "ends_at": "2026-03-07T11:00:00+08:00",
}


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        (
            {"starts_at": "9999-12-31T21:00:00-14:00", "ends_at": "9999-12-31T23:00:00-14:00"},
            422,
            "instant-out-of-range",
        ),
        (
            {"starts_at": "9999-12-31T22:00:00+00:00", "ends_at": "9999-12-31T23:00:00+00:00"},
            422,
            "instant-out-of-range",
        ),
        ({"description": "a\u0000b"}, 422, "text-control-character"),
        ({"description": "a\u202eb"}, 422, "text-control-character"),
        ({"title": "a\u0085b"}, 422, "text-control-character"),
        # The decoder refuses a lone surrogate before the domain would.
        ({"title": "a\udc00b"}, 400, "invalid-request"),
        ({"capacity": "5"}, 400, "invalid-request"),
        ({"sign_up_required": "false"}, 400, "invalid-request"),
        ({"location": {"lat": "40.84", "lon": 111.75}}, 400, "invalid-request"),
        ({"unknown_field": 1}, 400, "invalid-request"),
        ({"location": {"lat": 40.84, "lon": 111.75, "alt": 1000}}, 400, "invalid-request"),
    ],
)
def test_a_bad_activity_is_refused_with_a_problem_and_writes_nothing(
    contract_server: Server, changes: dict[str, Any], status: int, code: str
) -> None:
    server = contract_server
    staff, url = _staff_and_center(server)
    written = _log_end(server)

    # json.dumps keeps a lone surrogate as its escape, as a client could send it.
    body = json.dumps({**ACTIVITY, **changes})
    response = server.client.post(
        url, content=body, headers={**staff, "Content-Type": "application/json"}
    )

    assert response.status_code == status, response.text
    assert problem(response)["code"] == code
    assert _log_end(server) == written


def test_a_repeated_key_in_a_body_is_refused(contract_server: Server) -> None:
    server = contract_server
    staff, url = _staff_and_center(server)
    written = _log_end(server)
    body = json.dumps(ACTIVITY)[:-1] + ', "title": "另一个标题"}'

    response = server.client.post(
        url, content=body, headers={**staff, "Content-Type": "application/json"}
    )

    assert response.status_code == 400, response.text
    assert problem(response)["errors"][0]["field"] == "title"
    assert _log_end(server) == written


def test_every_operation_taking_a_body_documents_its_415(contract_server: Server) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()

    taking_bodies = {
        (path, method): operation["responses"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    }

    assert len(taking_bodies) >= 20
    for (path, method), responses in taking_bodies.items():
        assert "application/problem+json" in responses["415"]["content"], (path, method)


def test_every_object_a_json_body_holds_says_it_takes_no_other_field(
    contract_server: Server,
) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()
    named = document["components"]["schemas"]
    objects: dict[str, dict[str, Any]] = {}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{where}[{i}]")
        elif isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[-1]
                if name not in objects:
                    objects[name] = named[name]
                    walk(named[name], name)
                return
            if "properties" in node:
                objects.setdefault(where, node)
            for key in ("properties", "items", "oneOf", "anyOf", "allOf", "prefixItems"):
                if key in node:
                    children = node[key].values() if key == "properties" else [node[key]]
                    for child in children:
                        walk(child, f"{where}.{key}")

    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                walk(content["application/json"]["schema"], f"{method} {path}")

    with_fields = {name: node for name, node in objects.items() if "properties" in node}
    # Nested ones too: a center's location, a rule set's rules, a survey's questions.
    assert {"NewCenter", "PresetRules", "QuestionDesign"} <= with_fields.keys()
    assert [
        name for name, node in with_fields.items() if node.get("additionalProperties") is not False
    ] == []


def test_a_field_the_document_does_not_name_is_refused_at_any_depth(
    contract_server: Server,
) -> None:
    server = contract_server
    staff, url = _staff_and_center(server)
    admin = server.administrator()
    written = _log_end(server)

    top = server.client.post(url, json={**ACTIVITY, "points": 5}, headers=staff)
    nested = server.client.post(
        "/api/v1/centers",
        json={
            "name": "东风社区青年之家",
            "org_unit_id": str(uuid.uuid4()),
            "address": "东风路 1 号",
            "location": {"lat": 40.8, "lon": 111.7, "alt": 1050},
        },
        headers=admin,
    )

    assert (top.status_code, nested.status_code) == (400, 400), (top.text, nested.text)
    assert [e["field"] for e in problem(top)["errors"]] == ["points"]
    assert [e["field"] for e in problem(nested)["errors"]] == ["location.alt"]
    assert _log_end(server) == written


def _parameter(document: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    (found,) = [p for p in document["paths"][path][method]["parameters"] if p["name"] == name]
    return dict(found)


def test_the_document_states_what_the_api_checks_of_a_role_a_week_a_bulletin_a_pdf_a_text(
    contract_server: Server,
) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()

    role = _parameter(
        document, "/api/v1/admin/accounts/{account_id}/grants/{role}", "delete", "role"
    )
    week = _parameter(document, "/api/v1/org-units/{org_unit_id}/dispatch", "get", "week")
    bulletin = _parameter(
        document, "/api/v1/org-units/{org_unit_id}/bulletins/{file}", "get", "file"
    )
    check = document["paths"]["/api/v1/certificates/{serial}/check"]["post"]

    roles = role["schema"]
    if "$ref" in roles:
        roles = document["components"]["schemas"][roles["$ref"].rsplit("/", 1)[-1]]
    assert sorted(roles["enum"]) == sorted(r.value for r in Role)
    weeks = re.compile(week["schema"]["pattern"])
    assert weeks.fullmatch("2026-W13")
    assert not weeks.fullmatch("2026-W54")
    files = re.compile(bulletin["schema"]["pattern"])
    assert files.fullmatch("2026-03.pdf")
    assert not files.fullmatch("2026-13.xlsx")
    schemas = document["components"]["schemas"]
    line, lines = text_rule_pattern(required=True), text_rule_pattern(multiline=True, required=True)
    assert schemas["NewCenter"]["properties"]["name"]["pattern"] == line
    assert schemas["NewActivity"]["properties"]["title"]["pattern"] == line
    assert schemas["Adjustment"]["properties"]["reason"]["pattern"] == lines
    assert schemas["NewExperience"]["properties"]["text"]["pattern"] == lines
    assert check["requestBody"]["required"] is True
    assert check["requestBody"]["content"]["application/pdf"]["schema"]["format"] == "binary"


def test_a_role_the_api_does_not_know_is_a_bad_request_and_changes_nothing(
    contract_server: Server,
) -> None:
    server = contract_server
    admin = server.administrator()
    written = _log_end(server)

    answer = server.client.delete(
        f"/api/v1/admin/accounts/{uuid.uuid4()}/grants/wizard", headers=admin
    )

    assert answer.status_code == 400, answer.text
    assert problem(answer)["code"] == "invalid-request"
    assert _log_end(server) == written


@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_declared_json_is_refused_as_unsupported(
    contract_server: Server, media_type: str | None
) -> None:
    server = contract_server
    staff, url = _staff_and_center(server)
    written = _log_end(server)
    headers = dict(staff)
    if media_type is not None:
        headers["Content-Type"] = media_type

    response = server.client.post(url, content=json.dumps(ACTIVITY), headers=headers)

    assert response.status_code == 415, response.text
    assert problem(response)["code"] == "unsupported-media-type"
    assert _log_end(server) == written


def test_a_well_formed_activity_is_still_posted(contract_server: Server) -> None:
    server = contract_server
    staff, url = _staff_and_center(server)

    response = server.client.post(
        url,
        content=json.dumps(ACTIVITY),
        headers={**staff, "Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201, response.text


def _operations_by_id(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        operation["operationId"]: (path, operation)
        for path, item in document["paths"].items()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_every_link_from_a_created_record_feeds_each_path_id_of_its_target(
    contract_server: Server,
) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()
    named = document["components"]["schemas"]
    operations = _operations_by_id(document)
    links = {
        (source, name): link
        for source, (_, operation) in operations.items()
        for name, link in operation["responses"].get("201", {}).get("links", {}).items()
    }

    for (source, _), link in links.items():
        target_path, _ = operations[link["operationId"]]
        answer = operations[source][1]["responses"]["201"]["content"]["application/json"]
        fields = named[answer["schema"]["$ref"].rsplit("/", 1)[-1]]["properties"]
        assert set(link["parameters"]) == set(re.findall(r"\{(\w+)\}", target_path)), link
        for expression in link["parameters"].values():
            assert expression.removeprefix("$response.body#/") in fields, (source, link)
    pairs = {(source, link["operationId"]) for (source, _), link in links.items()}
    assert {
        ("startVisit", "writeVisitLog"),
        ("designSurvey", "publishSurvey"),
        ("writeExperience", "attachExperiencePhoto"),
        ("postActivity", "checkIn"),
        ("createOrgUnit", "getOrgUnit"),
        ("addMyContact", "removeMyContact"),
    } <= pairs


def test_a_link_followed_from_a_new_unit_reaches_the_unit(contract_server: Server) -> None:
    server = contract_server
    admin = server.administrator()
    document = server.client.get("/schema/openapi.json").json()
    path, _ = _operations_by_id(document)["getOrgUnit"]
    (created_at,) = [
        p
        for p, item in document["paths"].items()
        if item.get("post", {}).get("operationId") == "createOrgUnit"
    ]
    link = document["paths"][created_at]["post"]["responses"]["201"]["links"]["getOrgUnit"]

    created = server.client.post(
        created_at, json={"name": "内蒙古自治区", "level": "region"}, headers=admin
    )
    body = created.json()
    # A public read waits for nobody's writes: let the read models catch up first.
    assert server.client.app.state.read_side.wait_for(_log_end(server), 5.0)
    filled = path
    for parameter, expression in link["parameters"].items():
        filled = filled.replace(f"{{{parameter}}}", str(body[expression.split("#/")[1]]))
    unit = server.client.get(filled, headers=admin)

    assert created.status_code == 201, created.text
    assert unit.status_code == 200, unit.text
    assert unit.json()["name"] == "内蒙古自治区"
