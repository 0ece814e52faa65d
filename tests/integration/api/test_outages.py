"""PostgreSQL out of reach: requests answer 503 with Retry-After within the
configured bound, liveness stays up while readiness names the part that is
down, and the service comes back by itself when the database does.

The API reaches PostgreSQL through a relay the test cuts (``outage.py``): a
port that refuses, or one that accepts and never answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.api.context import ApiConfig
from grassroots.application.accounts import password_hasher
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.projections.database import create_read_engine
from grassroots.settings import Settings
from tests.conftest import TEST_DATABASE_URL, FakeClock, required_service_url
from tests.databases import migrated
from tests.integration.api.conftest import ROOMY_RATES, SECRET, Server, problem
from tests.integration.api.outage import Outage, Relay
from tests.integration.builders import build_world

BOUND_SECONDS = 2


@pytest.fixture
def relay() -> Iterator[Relay]:
    parts = urlsplit(required_service_url(TEST_DATABASE_URL, "PostgreSQL"))
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield relay
    relay.close()


def _through(url: str, relay: Relay) -> str:
    parts = urlsplit(url)
    user = f"{parts.netloc.rsplit('@', 1)[0]}@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{relay.port}").geturl()


@pytest.fixture
def server(
    relay: Relay, postgres_schema: tuple[str, str], tmp_path: Path, clock: FakeClock
) -> Iterator[Server]:
    url, schema = postgres_schema
    settings = Settings.from_env(
        {
            "GRASSROOTS_DATABASE_URL": _through(url, relay),
            "GRASSROOTS_DATABASE_SCHEMA": schema,
            "GRASSROOTS_SECRET_KEY": SECRET,
            "GRASSROOTS_DATA_DIR": str(tmp_path),
            "GRASSROOTS_DATABASE_TIMEOUT_SECONDS": str(BOUND_SECONDS),
        }
    )
    migrated(settings.database_url, schema=schema)
    app = build_application(settings, clock=clock)
    app.use_password_hasher(password_hasher(fast=True))
    config = ApiConfig(jwt_secret=api_config(settings).jwt_secret, rates=ROOMY_RATES)
    web = create_app(
        app,
        event_store_kind="postgresql",
        stores=shared_stores(config),
        read_side=build_read_side(settings, app),
        run_projections=True,
        config=config,
    )
    with TestClient(app=web) as client:
        yield Server(client=client, app=app, clock=clock, kind="postgresql")
        # Back up before the server stops, so closing its pools waits for nothing.
        relay.restore()


def _staff(server: Server) -> dict[str, str]:
    return server.log_in(server.account("13700000001", Grant(Role.ADMINISTRATOR), name="值班"))


def _assert_service_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    body = problem(response)
    assert body["code"] == "service-unavailable"
    assert int(response.headers["retry-after"]) >= 1
    assert body["retry_after_seconds"] == int(response.headers["retry-after"])


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_a_read_answers_503_with_retry_after_while_the_database_is_out_of_reach(
    server: Server, relay: Relay, outage: Outage
) -> None:
    headers = _staff(server)
    assert server.client.get("/api/v1/me", headers=headers).status_code == 200

    relay.cut(outage)
    response = server.client.get("/api/v1/me", headers={**headers, "Accept-Language": "en"})

    _assert_service_unavailable(response)
    assert problem(response)["title"] == "The service is briefly unavailable; try again shortly"


def test_a_write_answers_503_and_a_chinese_title_while_the_database_is_out_of_reach(
    server: Server, relay: Relay
) -> None:
    world = build_world(server.app)

    relay.cut("refused")
    response = server.client.post(
        "/api/v1/volunteers",
        json={
            "name": "李明",
            "phone": "13800138000",
            "password": "correct horse 42",
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )

    _assert_service_unavailable(response)
    assert problem(response)["title"] == "服务暂时不可用，请稍后再试"


def test_every_wait_for_the_database_is_the_configured_bound(server: Server) -> None:
    datastore = server.app.recorder.datastore  # type: ignore[attr-defined]
    engine = server.client.app.state.read_side.engine

    assert datastore.pool.timeout == BOUND_SECONDS
    assert datastore.pool.kwargs["connect_timeout"] == BOUND_SECONDS
    assert server.app.recorder.bound_seconds == BOUND_SECONDS  # type: ignore[attr-defined]
    # The setting reaches the read engine; the next test shows what the engine does with it.
    assert engine.pool.timeout() == BOUND_SECONDS


def test_the_read_engine_bounds_its_pool_and_its_connects_by_the_setting(relay: Relay) -> None:
    engine = create_read_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{relay.port}/test", timeout_seconds=4
    )

    assert engine.pool.timeout() == 4
    assert _connect_parameters(engine)["connect_timeout"] == 4


def _connect_parameters(engine: sa.Engine) -> dict[str, Any]:
    """What the engine passes the driver when it opens a connection (a fresh engine:
    its pool holds none yet)."""
    seen: dict[str, Any] = {}

    @sa.event.listens_for(engine, "do_connect")
    def capture(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
        seen.update(cparams)
        raise _Captured

    with pytest.raises(_Captured):
        engine.connect()
    sa.event.remove(engine, "do_connect", capture)
    return seen


class _Captured(Exception):
    pass


def test_liveness_answers_while_readiness_names_the_parts_that_are_down(
    server: Server, relay: Relay
) -> None:
    relay.cut("refused")

    live = server.client.get("/health/live")
    ready = server.client.get("/health/ready")
    health = server.client.get("/health")

    assert live.status_code == 200
    assert live.json()["status"] == "ok"
    _assert_service_unavailable(ready)
    _assert_service_unavailable(health)
    body = ready.json()
    assert body["event_store"] == "postgresql"
    assert body["last_event_position"] is None
    parts = {part["name"]: part["status"] for part in body["parts"]}
    assert parts["event-store"] == "down"
    assert parts["read-database"] == "down"
    assert parts["redis"] == "off"


def test_the_service_comes_back_by_itself_when_the_database_returns(
    server: Server, relay: Relay
) -> None:
    headers = _staff(server)
    relay.cut("refused")
    _assert_service_unavailable(server.client.get("/api/v1/me", headers=headers))

    relay.restore()
    answers = _until_ok(server, "/api/v1/me", headers)

    assert answers[-1] == 200
    assert server.client.get("/health/ready").status_code == 200


def _until_ok(server: Server, path: str, headers: dict[str, str]) -> list[int]:
    """Statuses of ``path`` asked again and again, until 200 or 60 s have gone."""
    statuses: list[int] = []
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        statuses.append(server.client.get(path, headers=headers).status_code)
        if statuses[-1] == 200:
            break
        time.sleep(0.5)
    return statuses
