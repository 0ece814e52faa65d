"""Request bodies are decoded strictly, into the route's own type, for every route."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import msgspec
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody
from litestar.testing import TestClient

from grassroots.api.bodies import StrictRequest
from grassroots.api.problems import exception_handlers


class Place(msgspec.Struct, kw_only=True):
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lon: float


class Preset(msgspec.Struct, kw_only=True, tag_field="kind", tag="preset"):
    preset: str


class Terms(msgspec.Struct, kw_only=True, tag_field="kind", tag="terms"):
    visits: int


class Order(msgspec.Struct, kw_only=True):
    title: str
    count: int = 1
    urgent: bool = False
    place: Place | None = None
    stops: list[Place] = msgspec.field(default_factory=list)
    rules: Preset | Terms | None = None
    mode: Literal["a", "b"] = "a"


received: list[Order] = []


@post("/orders", status_code=201)
async def take(data: JSONBody[Order]) -> dict[str, str]:
    received.append(data)
    return {"title": data.title}


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    received.clear()
    app = Litestar(
        route_handlers=[take], request_class=StrictRequest, exception_handlers=exception_handlers
    )
    with TestClient(app=app) as test_client:
        yield test_client


def send(
    client: TestClient[Litestar], body: str | bytes, media_type: str | None = "application/json"
) -> Any:
    headers = {} if media_type is None else {"Content-Type": media_type}
    return client.post("/orders", content=body, headers=headers)


def refused(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert received == []
    body: dict[str, Any] = response.json()
    return body


def test_a_well_formed_body_reaches_the_handler_as_its_type(client: TestClient[Litestar]) -> None:
    body = {
        "title": "清洁",
        "count": 3,
        "place": {"lat": 40, "lon": 111.7},
        "stops": [{"lat": 1.5, "lon": 2}],
        "rules": {"kind": "terms", "visits": 2},
    }

    response = send(client, json.dumps(body), "application/json; charset=utf-8")

    assert response.status_code == 201, response.text
    [order] = received
    assert order.place == Place(lat=40.0, lon=111.7)
    assert order.rules == Terms(visits=2)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"count": "5"}, "count"),
        ({"urgent": "false"}, "urgent"),
        ({"place": {"lat": "40.84", "lon": 1}}, "place.lat"),
        ({"count": 5.5}, "count"),
        ({"count": True}, "count"),
        ({"place": {"lat": 91, "lon": 1}}, "place.lat"),
    ],
)
def test_a_value_of_the_wrong_type_is_not_coerced(
    client: TestClient[Litestar], fields: dict[str, Any], field: str
) -> None:
    problem = refused(send(client, json.dumps({"title": "x", **fields})))

    assert problem["code"] == "invalid-request"
    assert problem["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("written", "count"),
    [("5.0", 5), ("5e0", 5), ("0.5E1", 5), ("50e-1", 5), ("-0.0", 0), ("-3.000", -3)],
)
def test_a_whole_number_with_a_zero_fraction_is_an_integer(
    client: TestClient[Litestar], written: str, count: int
) -> None:
    # JSON has one kind of number; JSON Schema (the document's) counts 5.0 an integer.
    body = f'{{"title": "x", "count": {written}, "place": {{"lat": 40.0, "lon": 2}}}}'

    response = send(client, body)

    assert response.status_code == 201, response.text
    [order] = received
    assert (order.count, type(order.count)) == (count, int)
    assert order.place == Place(lat=40.0, lon=2.0)


@pytest.mark.parametrize(
    "written",
    ["5.5", "4.0000000000000001", "1e400", "18446744073709551616.0", "1e-400"],
)
def test_a_number_with_a_fraction_is_not_an_integer(
    client: TestClient[Litestar], written: str
) -> None:
    problem = refused(send(client, f'{{"title": "x", "count": {written}}}'))

    assert problem["errors"][0]["field"] == "count"
    assert received == []


def test_a_whole_number_does_not_hide_another_fields_refusal(
    client: TestClient[Litestar],
) -> None:
    problem = refused(send(client, '{"title": "x", "count": 5.0, "colour": "red"}'))
    assert problem["errors"][0]["field"] == "colour"
    problem = refused(send(client, '{"title": "x", "count": 5.0, "urgent": "no"}'))
    assert problem["errors"][0]["field"] == "urgent"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"place": {"lat": 1, "lon": 2, "alt": 3}}, "place.alt"),
        ({"stops": [{"lat": 1, "lon": 2}, {"lat": 1, "lon": 2, "x": 0}]}, "stops[1].x"),
        ({"rules": {"kind": "preset", "preset": "p", "visits": 2}}, "rules.visits"),
        ({"rules": {"kind": "terms", "visits": 2, "preset": "p"}}, "rules.preset"),
    ],
)
def test_an_unknown_field_is_refused_at_any_depth(
    client: TestClient[Litestar], fields: dict[str, Any], field: str
) -> None:
    problem = refused(send(client, json.dumps({"title": "x", **fields})))

    assert problem["errors"][0]["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"title": "a", "title": "b"}', "title"),
        ('{"title": "a", "place": {"lat": 1, "lon": 2, "lat": 3}}', "lat"),
    ],
)
def test_a_repeated_key_is_refused(client: TestClient[Litestar], body: str, field: str) -> None:
    problem = refused(send(client, body))

    assert problem["errors"][0]["field"] == field


@pytest.mark.parametrize(
    "media_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", None],
)
def test_a_body_not_declared_as_utf8_json_is_an_unsupported_media_type(
    client: TestClient[Litestar], media_type: str | None
) -> None:
    problem = refused(send(client, json.dumps({"title": "x"}), media_type), 415)

    assert problem["code"] == "unsupported-media-type"


def test_a_structured_json_media_type_is_json(client: TestClient[Litestar]) -> None:
    response = send(client, json.dumps({"title": "x"}), "application/vnd.grassroots+json")

    assert response.status_code == 201, response.text


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
@pytest.mark.parametrize(
    ("opening", "inner", "closing"),
    [("[", "", "]"), ('{"a":', "1", "}"), ('{"title":', '"x"', "}"), ('{"place":', "1", "}")],
)
def test_json_nested_to_any_depth_is_a_bad_request(
    client: TestClient[Litestar], depth: int, opening: str, inner: str, closing: str
) -> None:
    problem = refused(send(client, opening * depth + inner + closing * depth))

    assert problem["code"] == "invalid-request"


@pytest.mark.parametrize("body", ["{", "", "nul", '{"title": "\\ud800"}', '{"title": NaN}'])
def test_a_body_that_is_not_json_is_a_bad_request(client: TestClient[Litestar], body: str) -> None:
    response = send(client, body)

    assert response.status_code == 400, response.text
    assert received == []
