"""What every answer tells the browser: no sniffing, no framing, no referrer, only this
origin's scripts, HSTS over HTTPS, nothing per-caller kept in a cache, and CORS only
for the origins the settings list."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.bootstrap import build_web_app
from grassroots.settings import Settings
from tests.integration.api.conftest import PASSWORD, Server
from tests.integration.builders import build_world

APP_ORIGIN = "https://app.example.org"
OTHER_ORIGIN = "https://evil.example.com"


def _client(tmp_path: Path, **env: str) -> TestClient[Litestar]:
    settings = Settings.from_env(
        {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SECRET_KEY": "s" * 48, **env}
    )
    return TestClient(app=build_web_app(settings))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    with _client(tmp_path) as client:
        yield client


@pytest.fixture
def cors_client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    with _client(tmp_path, GRASSROOTS_CORS_ORIGINS=f"{APP_ORIGIN}, http://localhost:5173") as c:
        yield c


def _assert_guarded(response: httpx.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert headers.get("x-frame-options") == "DENY", where
    policy = headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, where
    assert "script-src 'self'" in policy, where
    assert "frame-ancestors 'none'" in policy, where


def test_every_kind_of_answer_carries_the_security_headers(client: TestClient[Litestar]) -> None:
    answers = [
        client.get("/"),
        client.get("/health"),
        client.get("/schema"),
        client.get("/schema/openapi.json"),
        client.get("/api/v1/me"),  # 401 problem
        client.get("/nowhere"),  # the framework's 404
        client.put("/health"),  # the framework's 405
        client.options("/api/v1/me"),
        client.post(
            "/api/v1/sessions", content=b"{", headers={"content-type": "application/json"}
        ),  # 400 problem
    ]

    for response in answers:
        _assert_guarded(response)
    assert [r.status_code for r in answers[4:]] == [401, 404, 405, 204, 400]


def test_hsts_only_over_https(client: TestClient[Litestar]) -> None:
    over_https = client.get("https://testserver.local/health")
    over_http = client.get("http://testserver.local/health")

    assert over_https.status_code == over_http.status_code == 200
    assert over_https.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in over_http.headers


def test_tokens_accounts_and_ledgers_are_never_cached(server: Server) -> None:
    world = build_world(server.app)
    registered = server.client.post(
        "/api/v1/volunteers",
        json={
            "name": "李明",
            "phone": "13800138000",
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )
    tokens = server.client.post(
        "/api/v1/sessions", json={"phone": "13800138000", "password": PASSWORD}
    )
    refreshed = server.client.post(
        "/api/v1/sessions/refresh", json={"refresh_token": tokens.json()["refresh_token"]}
    )
    me = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    volunteer_id = registered.json()["volunteer_id"]
    answers = [
        registered,
        tokens,
        refreshed,
        server.client.get("/api/v1/me", headers=me),
        server.client.get("/api/v1/me/ledger", headers=me),
        server.client.get("/api/v1/me/ledger/totals", headers=me),
        server.client.get(f"/api/v1/volunteers/{volunteer_id}/ledger", headers=me),
        server.client.get(f"/api/v1/admin/accounts/{uuid.uuid4()}", headers=me),  # 403
        server.client.get("/api/v1/me"),  # 401
    ]

    assert [r.status_code for r in answers] == [201, 201, 200, 200, 200, 200, 200, 403, 401]
    for response in answers:
        where = f"{response.request.method} {response.request.url.path}"
        assert response.headers.get("cache-control") == "no-store", where
        _assert_guarded(response)


def test_without_listed_origins_no_page_of_another_origin_may_call(
    client: TestClient[Litestar],
) -> None:
    preflight = client.options(
        "/api/v1/sessions",
        headers={"Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    call = client.get("/health", headers={"Origin": APP_ORIGIN})

    assert preflight.status_code < 500
    for response in (preflight, call):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_a_listed_origin_gets_cors_headers_and_another_gets_none(
    cors_client: TestClient[Litestar],
) -> None:
    def preflight(origin: str) -> httpx.Response:
        return cors_client.options(
            "/api/v1/activities/00000000-0000-0000-0000-000000000000/check-in",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )

    allowed = preflight(APP_ORIGIN)
    refused = preflight(OTHER_ORIGIN)
    call = cors_client.get("/health", headers={"Origin": APP_ORIGIN})
    foreign_call = cors_client.get("/health", headers={"Origin": OTHER_ORIGIN})

    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    _assert_guarded(allowed)
    assert not [h for h in refused.headers if h.lower().startswith("access-control-")]
    assert call.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "retry-after" in call.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in foreign_call.headers
