"""Check-ins reach a center's screen and a supervisor's page as they happen.

The test client collects a whole response before answering, which an endless
event stream never ends; so the stream is driven here at the ASGI level, on the
client's own event loop, with its messages handed over as they are sent.
"""

from __future__ import annotations

import json
import queue
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api import volunteering
from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import Server, problem
from tests.integration.api.test_volunteering import (
    activity_soon,
    open_window,
    register,
    scan,
    sign_up,
)
from tests.integration.builders import CENTER_PLACE, World, build_world

WAIT_SECONDS = 10


@dataclass
class EventStream:
    """An open ``text/event-stream`` response, read event by event."""

    status: int
    headers: dict[str, str]
    _messages: queue.Queue[dict[str, Any]]
    _buffer: str = ""
    _ended: bool = field(default=False)

    def next_event(self, timeout: float = WAIT_SECONDS) -> dict[str, str]:
        """The next event (its ``event`` and ``data`` fields); comments are skipped."""
        while True:
            block, sep, rest = self._buffer.replace("\r\n", "\n").partition("\n\n")
            if sep:
                self._buffer = rest
                fields: dict[str, str] = {}
                for line in block.split("\n"):
                    if not line or line.startswith(":"):
                        continue
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                if fields:
                    return fields
                continue
            assert not self._ended, "the stream ended"
            message = self._messages.get(timeout=timeout)
            self._buffer += message.get("body", b"").decode()
            self._ended = not message.get("more_body", False)

    def next_raw_block(self, timeout: float = WAIT_SECONDS) -> str:
        """The next block as sent, comments included."""
        while True:
            block, sep, rest = self._buffer.replace("\r\n", "\n").partition("\n\n")
            if sep:
                self._buffer = rest
                return block
            assert not self._ended, "the stream ended"
            message = self._messages.get(timeout=timeout)
            self._buffer += message.get("body", b"").decode()
            self._ended = not message.get("more_body", False)

    def next_update(self, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        event = self.next_event(timeout)
        data: dict[str, Any] = json.loads(event["data"])
        assert event["event"] == data["kind"]
        return data


@contextmanager
def event_stream(
    client: TestClient[Litestar], path: str, headers: dict[str, str]
) -> Iterator[EventStream]:
    messages: queue.Queue[dict[str, Any]] = queue.Queue()
    with client.portal() as portal:
        gone = portal.call(anyio.Event)
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            messages.put(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [
                (b"host", b"testserver"),
                (b"accept", b"text/event-stream"),
                *((k.lower().encode(), v.encode()) for k, v in headers.items()),
            ],
            "client": ("testclient", 50000),
            "server": ("testserver", 80),
            "extensions": {},
        }
        running: Future[Any] = portal.start_task_soon(client.app, scope, receive, send)
        start = messages.get(timeout=WAIT_SECONDS)
        assert start["type"] == "http.response.start", start
        stream = EventStream(
            status=start["status"],
            headers={k.decode(): v.decode() for k, v in start["headers"]},
            _messages=messages,
        )
        try:
            yield stream
        finally:
            portal.call(gone.set)
            running.result(timeout=WAIT_SECONDS)


def _ready(stream: EventStream) -> None:
    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.next_event()["event"] == "ready"


@pytest.fixture
def world(server: Server) -> World:
    return build_world(server.app)


def test_a_centers_screen_and_a_supervisors_page_see_check_in_and_check_out(
    server: Server, world: World
) -> None:
    staff = server.log_in(server.account("13600000001", Grant(Role.CENTER_STAFF, world.center)))
    supervisor = server.log_in(server.account("13700000001", Grant(Role.SUPERVISOR, world.city)))
    volunteer = register(server, world)
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    with (
        event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff) as screen,
        event_stream(server.client, f"/api/v1/org-units/{world.city}/live", supervisor) as page,
    ):
        _ready(screen)
        _ready(page)
        assert scan(server, volunteer, activity).status_code == 200
        # A repeated scan is no news: the next update is the check-out.
        assert scan(server, volunteer, activity).status_code == 200
        server.clock.advance(hours=1)
        assert scan(server, volunteer, activity, "check-out").status_code == 200

        for stream in (screen, page):
            check_in = stream.next_update()
            check_out = stream.next_update()
            assert check_in["kind"] == "check-in"
            assert check_in["activity_id"] == str(activity)
            assert check_in["center_id"] == str(world.center)
            assert check_in["volunteer_name"] == "王小明"
            assert check_in["at"] is not None
            assert check_out["kind"] == "check-out"


def test_a_quiet_stream_sends_keep_alive_comments_so_proxies_keep_it_open(
    server_factory: Callable[..., Server],
) -> None:
    from datetime import timedelta

    server = server_factory(
        live_keepalive_interval=timedelta(milliseconds=200),
        live_recheck_interval=timedelta(milliseconds=100),
    )
    world = build_world(server.app)
    staff = server.log_in(server.account("13600000001", Grant(Role.CENTER_STAFF, world.center)))

    with event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff) as screen:
        assert "event: ready" in screen.next_raw_block()
        blocks = [screen.next_raw_block(timeout=2) for _ in range(2)]

    # Comment lines only: an EventSource dispatches nothing for them.
    assert blocks == [": keep-alive", ": keep-alive"]


# Only where users run several API processes: the embedded default is one process,
# and there live updates never leave it.
@pytest.mark.parametrize("server_factory", ["postgres_redis"], indirect=True)
def test_an_update_published_by_one_server_reaches_a_screen_on_another(
    server_factory: Callable[..., Server],
) -> None:
    screen_server = server_factory()
    scan_server = server_factory(embedded=False)
    world = build_world(screen_server.app)
    staff = screen_server.log_in(
        screen_server.account("13600000001", Grant(Role.CENTER_STAFF, world.center))
    )
    volunteer = register(screen_server, world)
    activity = activity_soon(screen_server, world)
    sign_up(screen_server, volunteer, activity)
    open_window(screen_server, activity)

    with event_stream(
        screen_server.client, f"/api/v1/centers/{world.center}/live", staff
    ) as screen:
        _ready(screen)
        assert scan(scan_server, volunteer, activity).status_code == 200

        update = screen.next_update()

    assert update["kind"] == "check-in"
    assert update["activity_id"] == str(activity)


def test_streams_outside_the_callers_scope_answer_404_and_volunteers_403(
    server: Server, world: World
) -> None:
    other_center = server.app.register_center(
        name="另一个青年之家",
        org_unit_id=world.village,
        address="呼和浩特市新城区东风路 2 号",
        location=CENTER_PLACE,
        geofence_radius_m=150,
    )
    staff = server.log_in(server.account("13600000001", Grant(Role.CENTER_STAFF, world.center)))
    township = server.log_in(server.account("13700000001", Grant(Role.SUPERVISOR, world.township)))
    volunteer = register(server, world)

    foreign_center = server.client.get(f"/api/v1/centers/{other_center}/live", headers=staff)
    unit_for_staff = server.client.get(f"/api/v1/org-units/{world.village}/live", headers=staff)
    above = server.client.get(f"/api/v1/org-units/{world.county}/live", headers=township)
    as_volunteer = server.client.get(
        f"/api/v1/centers/{world.center}/live", headers=volunteer.headers
    )
    # Administrators are in every scope, but a stream of nothing is still a 404.
    nowhere = server.client.get(
        "/api/v1/org-units/6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f/live",
        headers=server.administrator(),
    )

    assert foreign_center.status_code == 404
    assert problem(foreign_center)["code"] == "center-not-found"
    assert unit_for_staff.status_code == 403
    assert above.status_code == 404
    problem(above)
    assert as_volunteer.status_code == 403
    assert nowhere.status_code == 404
    assert problem(nowhere)["code"] == "org-unit-not-found"


def test_a_scan_routes_its_update_from_the_read_models_without_reading_the_org_tree_aggregates(
    server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor = server.log_in(server.account("13700000002", Grant(Role.SUPERVISOR, world.city)))
    volunteer = register(server, world)
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    assert server.client.app.state.read_side.wait_for(server.app.log_head(), 10)
    with event_stream(server.client, f"/api/v1/org-units/{world.city}/live", supervisor) as page:
        _ready(page)

        def no_walk_up_the_aggregates(org_unit_id: Any) -> list[Any]:
            raise AssertionError("the live update read the org units' aggregates")

        monkeypatch.setattr(server.app, "ancestry", no_walk_up_the_aggregates)
        assert scan(server, volunteer, activity).status_code == 200
        update = page.next_update()

    assert update["kind"] == "check-in"
    assert update["volunteer_name"] == "王小明"


def test_a_scan_before_the_read_models_know_the_volunteer_still_reaches_the_supervisor(
    server_factory: Callable[..., Server],
) -> None:
    # No embedded projections: the read models hold nothing the scan could route by,
    # so the update is routed from the aggregates.
    server = server_factory(embedded=False)
    world = build_world(server.app)
    supervisor = server.log_in(server.account("13700000003", Grant(Role.SUPERVISOR, world.county)))
    volunteer = register(server, world)
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    with event_stream(server.client, f"/api/v1/org-units/{world.county}/live", supervisor) as page:
        _ready(page)
        assert scan(server, volunteer, activity).status_code == 200
        update = page.next_update()

    assert update["kind"] == "check-in"
    assert update["center_id"] == str(world.center)
    assert update["volunteer_name"] == "王小明"


def test_later_scans_at_a_center_route_by_its_remembered_place(
    server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    supervisor = server.log_in(server.account("13700000004", Grant(Role.SUPERVISOR, world.city)))
    first, second = register(server, world), register(server, world, phone="13800138001")
    activity = activity_soon(server, world)
    for volunteer in (first, second):
        sign_up(server, volunteer, activity)
    open_window(server, activity)
    assert server.client.app.state.read_side.wait_for(server.app.log_head(), 10)

    with event_stream(server.client, f"/api/v1/org-units/{world.city}/live", supervisor) as page:
        _ready(page)
        assert scan(server, first, activity).status_code == 200
        assert page.next_update()["kind"] == "check-in"
        looked_up: list[Any] = []
        original = volunteering.ancestry_of

        def counted(conn: Any, org_unit_id: Any) -> Any:
            looked_up.append(org_unit_id)
            return original(conn, org_unit_id)

        monkeypatch.setattr(volunteering, "ancestry_of", counted)
        assert scan(server, second, activity).status_code == 200
        update = page.next_update()

    # The city's page, two levels above the center's unit, still hears the second.
    assert update["kind"] == "check-in"
    assert update["center_id"] == str(world.center)
    assert looked_up == []
