"""Sessions end when what they stood on ends: a password change, a disable, a cap on
their whole life; and open live streams end with them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import PASSWORD, Server, problem
from tests.integration.api.test_live_updates import EventStream, event_stream
from tests.integration.api.test_volunteering import activity_soon, open_window, register, scan
from tests.integration.builders import CENTER_PLACE, World, build_world

NEW_PASSWORD = "another horse 43"


def _log_in(server: Server, phone: str, password: str = PASSWORD) -> dict[str, Any]:
    response = server.client.post("/api/v1/sessions", json={"phone": phone, "password": password})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    body["headers"] = {"Authorization": f"Bearer {body['access_token']}"}
    return body


def _refresh(server: Server, session: dict[str, Any]) -> Any:
    response = server.client.post(
        "/api/v1/sessions/refresh", json={"refresh_token": session["refresh_token"]}
    )
    if response.status_code == 200:
        session["refresh_token"] = response.json()["refresh_token"]
    return response


def _me(server: Server, session: dict[str, Any]) -> int:
    return int(server.client.get("/api/v1/me", headers=session["headers"]).status_code)


def test_a_password_change_ends_every_other_session_and_keeps_the_one_that_made_it(
    server: Server,
) -> None:
    phone = server.account("13600000001", Grant(Role.ADMINISTRATOR))
    changer = _log_in(server, phone)
    other = _log_in(server, phone)
    another = _log_in(server, phone)

    changed = server.client.put(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=changer["headers"],
    )

    assert changed.status_code == 204, changed.text
    assert _me(server, other) == 401
    assert _me(server, another) == 401
    refused = _refresh(server, other)
    assert refused.status_code == 401
    problem(refused)
    # The session that proved the current password goes on, and so does its refresh.
    assert _me(server, changer) == 200
    assert _refresh(server, changer).status_code == 200
    assert _me(server, _log_in(server, phone, NEW_PASSWORD)) == 200


def test_disabling_then_enabling_an_account_does_not_bring_its_old_sessions_back(
    server: Server,
) -> None:
    phone = server.account("13600000001", Grant(Role.ADMINISTRATOR))
    before = _log_in(server, phone)
    account_id = before["account"]["account_id"]
    admin = server.administrator()

    disabled = server.client.post(
        f"/api/v1/admin/accounts/{account_id}/disable",
        json={"reason": "手机丢失"},
        headers=admin,
    )
    enabled = server.client.post(f"/api/v1/admin/accounts/{account_id}/enable", headers=admin)

    assert (disabled.status_code, enabled.status_code) == (204, 204)
    assert _me(server, before) == 401
    assert _refresh(server, before).status_code == 401
    assert _me(server, _log_in(server, phone)) == 200


def test_refreshing_never_keeps_a_session_past_its_absolute_cap(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(
        session_lifetime=timedelta(days=30), session_max_lifetime=timedelta(days=90)
    )
    phone = server.account("13600000001", Grant(Role.ADMINISTRATOR))
    session = _log_in(server, phone)

    kept = []
    for _ in range(3):
        server.clock.advance(days=29)
        kept.append(_refresh(server, session).status_code)
    server.clock.advance(days=4)  # day 91: inside the sliding window, past the cap
    late = _refresh(server, session)

    assert kept == [200, 200, 200]
    assert late.status_code == 401
    assert problem(late)["code"] == "session-ended"


@pytest.mark.parametrize("scheme", ["Basic", "x", "Token", "JWT"])
def test_only_a_bearer_authorization_is_accepted(server: Server, scheme: str) -> None:
    session = _log_in(server, server.account("13600000001", Grant(Role.ADMINISTRATOR)))
    token = session["access_token"]

    other = server.client.get("/api/v1/me", headers={"Authorization": f"{scheme} {token}"})
    bare = server.client.get("/api/v1/me", headers={"Authorization": token})
    lower = server.client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"})

    assert other.status_code == 401
    assert bare.status_code == 401
    assert lower.status_code == 200


# --- live streams --------------------------------------------------------------------

RECHECK = timedelta(milliseconds=50)


@pytest.fixture
def live_server(server_factory: Callable[..., Server]) -> Server:
    return server_factory(live_recheck_interval=RECHECK)


def _ended(stream: EventStream) -> dict[str, Any]:
    """The stream's closing event; the stream must end right after it."""
    event = stream.next_event(timeout=5)
    assert event["event"] == "ended", event
    with pytest.raises(AssertionError, match="the stream ended"):
        stream.next_event(timeout=5)
    return event


def _screen_of(server: Server, world: World, *grants: Grant) -> dict[str, Any]:
    phone = server.account("13600000001", Grant(Role.CENTER_STAFF, world.center), *grants)
    return _log_in(server, phone)


def _scan_soon(server: Server, world: World) -> Callable[[], int]:
    volunteer = register(server, world)
    activity = activity_soon(server, world)
    server.client.post(f"/api/v1/activities/{activity}/sign-ups", headers=volunteer.headers)
    open_window(server, activity)
    return lambda: int(scan(server, volunteer, activity).status_code)


def test_a_live_stream_ends_when_its_session_logs_out(live_server: Server) -> None:
    server = live_server
    world = build_world(server.app)
    staff = _screen_of(server, world)
    check_in = _scan_soon(server, world)

    with event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff["headers"]) as s:
        assert s.next_event()["event"] == "ready"
        logged_out = server.client.delete("/api/v1/sessions/current", headers=staff["headers"])
        assert logged_out.status_code == 204
        assert check_in() == 200

        assert _ended(s)["data"] == '{"reason": "session-ended"}'


def test_a_live_stream_ends_when_its_account_is_disabled(live_server: Server) -> None:
    server = live_server
    world = build_world(server.app)
    staff = _screen_of(server, world)
    check_in = _scan_soon(server, world)

    with event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff["headers"]) as s:
        assert s.next_event()["event"] == "ready"
        disabled = server.client.post(
            f"/api/v1/admin/accounts/{staff['account']['account_id']}/disable",
            json={"reason": "离职"},
            headers=server.administrator(),
        )
        assert disabled.status_code == 204
        assert check_in() == 200

        _ended(s)


def test_a_live_stream_ends_when_the_role_it_needs_is_revoked(live_server: Server) -> None:
    server = live_server
    world = build_world(server.app)
    elsewhere = server.app.register_center(
        name="另一个青年之家",
        org_unit_id=world.village,
        address="呼和浩特市新城区东风路 2 号",
        location=CENTER_PLACE,
        geofence_radius_m=150,
    )
    staff = _screen_of(server, world, Grant(Role.CENTER_STAFF, elsewhere))
    check_in = _scan_soon(server, world)

    with event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff["headers"]) as s:
        assert s.next_event()["event"] == "ready"
        revoked = server.client.delete(
            f"/api/v1/admin/accounts/{staff['account']['account_id']}/grants/center_staff",
            params={"subject_id": str(world.center)},
            headers=server.administrator(),
        )
        assert revoked.status_code == 204
        assert check_in() == 200

        _ended(s)
    # The account still works for its other center.
    assert _me(server, staff) == 200


def test_a_live_stream_goes_on_while_its_session_holds(live_server: Server) -> None:
    server = live_server
    world = build_world(server.app)
    staff = _screen_of(server, world)
    check_in = _scan_soon(server, world)

    with event_stream(server.client, f"/api/v1/centers/{world.center}/live", staff["headers"]) as s:
        assert s.next_event()["event"] == "ready"
        assert check_in() == 200

        assert s.next_update()["kind"] == "check-in"
