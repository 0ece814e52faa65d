"""An API client on each backend users have: the embedded default (SQLite, memory
store) and the scale-out one (PostgreSQL + Redis). Same tests on both."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.api.context import ApiConfig
from grassroots.api.rate_limits import DEFAULT_RATES, Rate
from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from tests.conftest import TEST_REDIS_URL, FakeClock, required_service_url
from tests.databases import migrated

SECRET = "a" * 48
PASSWORD = "correct horse 42"
# Generous limits, so only the rate-limit tests meet them.
ROOMY_RATES = {name: Rate(10_000, 60) for name in DEFAULT_RATES}


@dataclass
class Server:
    """A running API, its application (to set up data directly) and its clock."""

    client: TestClient[Litestar]
    app: Grassroots
    clock: FakeClock
    kind: str
    _tokens: dict[str, str] = field(default_factory=dict)

    def account(self, phone: str, *grants: Grant, name: str = "测试用户") -> str:
        """An account made directly in the application; returns its phone."""
        self.app.open_account(phone=phone, name=name, password=PASSWORD, grants=list(grants))
        return phone

    def log_in(self, phone: str, password: str = PASSWORD) -> dict[str, str]:
        """Authorization headers for a fresh session of ``phone``."""
        response = self.client.post("/api/v1/sessions", json={"phone": phone, "password": password})
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def administrator(self) -> dict[str, str]:
        if "admin" not in self._tokens:
            self.account("13900000000", Grant(Role.ADMINISTRATOR), name="管理员")
            self._tokens["admin"] = self.log_in("13900000000")["Authorization"]
        return {"Authorization": self._tokens["admin"]}

    def forget_administrator(self) -> None:
        """Log in afresh (a password change ended the earlier session)."""
        if "admin" in self._tokens:
            self._tokens["admin"] = self.log_in("13900000000")["Authorization"]


def _settings(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Settings, str]:
    env = {"GRASSROOTS_SECRET_KEY": SECRET, "GRASSROOTS_DATA_DIR": str(tmp_path)}
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    if kind == "postgres_redis":
        url, schema = request.getfixturevalue("postgres_schema")
        env |= {
            "GRASSROOTS_DATABASE_URL": url,
            "GRASSROOTS_DATABASE_SCHEMA": schema,
            "GRASSROOTS_REDIS_URL": required_service_url(TEST_REDIS_URL, "Redis"),
        }
    return Settings.from_env(env), namespace


@pytest.fixture(params=["embedded", "postgres_redis"])
def server_factory(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[Callable[..., Server]]:
    """Starts API servers on one backend; several stand for several API processes."""
    settings, namespace = _settings(request.param, tmp_path, request)
    migrated(settings.database_url, schema=settings.database_schema)
    clients: list[TestClient[Litestar]] = []

    def start(
        *, rates: dict[str, Rate] | None = None, embedded: bool = True, **config_changes: Any
    ) -> Server:
        app = build_application(settings, clock=clock)
        app.use_password_hasher(password_hasher(fast=True))
        read_side = build_read_side(settings, app)
        config: ApiConfig = api_config(settings)
        config = ApiConfig(
            jwt_secret=config.jwt_secret,
            redis_url=config.redis_url,
            redis_namespace=namespace,
            rates={**ROOMY_RATES, **(rates or {})},
        )
        config = dataclasses.replace(config, **config_changes)
        web = create_app(
            app,
            event_store_kind=request.param,
            stores=shared_stores(config),
            read_side=read_side,
            run_projections=embedded,
            config=config,
        )
        client = TestClient(app=web)
        client.__enter__()
        clients.append(client)
        return Server(client=client, app=app, clock=clock, kind=request.param)

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def server(server_factory: Callable[..., Server]) -> Server:
    return server_factory()


def problem(response: Any) -> dict[str, Any]:
    """The problem details of a failed response, checked to be RFC 9457 shaped."""
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["type"] == f"/problems/{body['code']}"
    return body
