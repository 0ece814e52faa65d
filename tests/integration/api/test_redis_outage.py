"""Redis out of reach: the API starts (saying so, naming GRASSROOTS_REDIS_URL),
reports itself degraded, and goes on: log-ins, check-ins and rate limits,
counted in the process meanwhile; live streams pause and resume.

Redis here is a port nobody listens on, or one that accepts and never answers
(no Redis server needed), or the real one behind a relay the test cuts.
"""

from __future__ import annotations

import logging
import queue
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.api.context import ApiConfig
from grassroots.api.rate_limits import Rate
from grassroots.application.accounts import password_hasher
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from tests.conftest import TEST_REDIS_URL, FakeClock, required_service_url
from tests.databases import migrated
from tests.integration.api.conftest import PASSWORD, ROOMY_RATES, SECRET, Server
from tests.integration.api.outage import Relay
from tests.integration.api.test_live_updates import EventStream, event_stream
from tests.integration.api.test_volunteering import (
    activity_soon,
    open_window,
    register,
    scan,
    sign_up,
)
from tests.integration.builders import build_world

RedisOutage = Literal["refused", "silent"]


@pytest.fixture(params=["refused", "silent"])
def dead_redis_url(request: pytest.FixtureRequest) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if request.param == "silent":
        sock.listen(16)  # accepts into the backlog, never answers
    else:
        sock.close()  # nothing listens: connections are refused
    yield f"redis://127.0.0.1:{port}/0"
    sock.close()


@pytest.fixture
def start_server(
    dead_redis_url: str, tmp_path: Path, clock: FakeClock
) -> Iterator[Callable[..., Server]]:
    yield from _servers(dead_redis_url, tmp_path, clock)


def _servers(redis_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Server]]:
    settings = Settings.from_env(
        {
            "GRASSROOTS_SECRET_KEY": SECRET,
            "GRASSROOTS_DATA_DIR": str(tmp_path),
            "GRASSROOTS_REDIS_URL": redis_url,
        }
    )
    migrated(settings.database_url)
    clients: list[TestClient[Litestar]] = []

    def start(*, rates: dict[str, Rate] | None = None) -> Server:
        app = build_application(settings, clock=clock)
        app.use_password_hasher(password_hasher(fast=True))
        config = ApiConfig(
            jwt_secret=api_config(settings).jwt_secret,
            redis_url=settings.redis_url,
            redis_namespace=f"test-{uuid.uuid4().hex[:12]}",
            rates={**ROOMY_RATES, **(rates or {})},
        )
        web = create_app(
            app,
            event_store_kind="sqlite",
            stores=shared_stores(config),
            read_side=build_read_side(settings, app),
            run_projections=True,
            config=config,
        )
        client = TestClient(app=web)
        client.__enter__()
        clients.append(client)
        return Server(client=client, app=app, clock=clock, kind="sqlite")

    yield start
    for client in clients:
        client.__exit__(None, None, None)


class _Recorded(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_the_api_starts_saying_that_the_configured_redis_does_not_answer(
    start_server: Callable[..., Server],
) -> None:
    # On the package's logger: the server's logging set-up replaces the root's handlers.
    recorded = _Recorded()
    logger = logging.getLogger("grassroots")
    logger.addHandler(recorded)
    try:
        server = start_server()
    finally:
        logger.removeHandler(recorded)

    warnings = recorded.messages
    assert any("GRASSROOTS_REDIS_URL" in message for message in warnings), warnings
    health = server.client.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "degraded"
    parts = {part["name"]: part["status"] for part in body["parts"]}
    assert parts == {
        "event-store": "up",
        "read-database": "up",
        "read-models": "up",
        "redis": "down",
    }
    assert server.client.get("/health/live").status_code == 200


def test_a_volunteer_registers_logs_in_and_checks_in_while_redis_is_away(
    start_server: Callable[..., Server],
) -> None:
    server = start_server()
    world = build_world(server.app)
    activity = activity_soon(server, world)

    volunteer = register(server, world)
    me = server.client.get("/api/v1/me", headers=volunteer.headers)
    sign_up(server, volunteer, activity)
    open_window(server, activity)
    checked_in = scan(server, volunteer, activity)

    assert me.status_code == 200, me.text
    assert checked_in.status_code == 200, checked_in.text
    assert checked_in.json()["checked_in_at"] is not None


def test_log_ins_are_still_limited_counting_in_the_process_while_redis_is_away(
    start_server: Callable[..., Server],
) -> None:
    server = start_server(rates={"log-in": Rate(2, 60)})
    world = build_world(server.app)
    register(server, world)  # its own log-in counts as the first
    wrong = {"phone": "13800138000", "password": "wrong " + PASSWORD}

    answers = [server.client.post("/api/v1/sessions", json=wrong) for _ in range(2)]

    assert [a.status_code for a in answers] == [401, 429]
    assert int(answers[1].headers["retry-after"]) >= 1


@pytest.fixture
def redis_relay() -> Iterator[Relay]:
    parts = urlsplit(required_service_url(TEST_REDIS_URL, "Redis"))
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 6379)
    yield relay
    relay.close()


@pytest.fixture
def relayed_server(redis_relay: Relay, tmp_path: Path, clock: FakeClock) -> Iterator[Server]:
    """A server whose Redis is the real one, reached through a relay the test cuts."""
    for start in _servers(f"redis://127.0.0.1:{redis_relay.port}/0", tmp_path, clock):
        yield start()
        redis_relay.restore()


def test_a_live_stream_opens_while_redis_is_away_and_hears_updates_once_it_is_back(
    relayed_server: Server, redis_relay: Relay
) -> None:
    server = relayed_server
    world = build_world(server.app)
    staff = server.log_in(server.account("13600000001", Grant(Role.CENTER_STAFF, world.center)))
    volunteer = register(server, world)
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)
    api = server.client.app.state.api
    channel = api.live_channel("center", world.center)

    redis_relay.cut("refused")
    with event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff) as screen:
        assert screen.status == 200
        assert screen.next_event()["event"] == "ready"
        # Publishing is dropped meanwhile, and never fails the scan.
        assert scan(server, volunteer, activity).status_code == 200

        redis_relay.restore()
        heard = _publish_until_heard(api, channel, screen)

    assert heard["kind"] == "check-in"


def _publish_until_heard(api: Any, channel: str, screen: EventStream) -> dict[str, Any]:
    """Publish a marker every half second until the stream hears one (at most 20 s)."""
    give_up = time.monotonic() + 20
    while time.monotonic() < give_up:
        api.publish({"kind": "check-in", "marker": True}, [channel])
        try:
            return screen.next_update(timeout=0.5)
        except queue.Empty:
            continue
    raise AssertionError("no update reached the stream after Redis came back")
