"""A volunteer's whole day through the API: register, find an activity, sign up,
scan in with the code read off the venue screen's PNG, scan out, and see the
hours in the ledger at once."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from uuid import UUID

import zxingcpp
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.activity import Activity
from tests.integration.api.conftest import Server
from tests.integration.api.test_volunteering import Volunteer, register
from tests.integration.builders import CENTER_PLACE, build_world, post_activity

PNG_ROUTE = "/api/v1/activities/{activity_id}/venue-code.png"


class _VenueScreen:
    """What the venue screen shows: the center's PNG route, read as its staff."""

    def __init__(self, server: Server, activity_id: UUID) -> None:
        self.server = server
        self.activity_id = activity_id
        center_id = server.app.get(Activity, activity_id).center_id
        self.staff = server.log_in(
            server.account("13600000001", Grant(Role.CENTER_STAFF, center_id))
        )

    def png(self) -> bytes:
        response = self.server.client.get(
            PNG_ROUTE.format(activity_id=self.activity_id), headers=self.staff
        )
        assert response.status_code == 200, response.text
        assert "no-store" in response.headers["cache-control"]
        return response.content

    def scan(self) -> str:
        """The token a phone's camera reads off the screen."""
        [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(self.png())))
        # The code opens the check-in page <public URL>/S/<token>.
        base, _, token = str(code.text).rpartition("/S/")
        assert base == "HTTP://127.0.0.1:8000"
        return token


def _settle(server: Server) -> None:
    """Let the read models take in set-up written behind the API's back (bounded)."""
    read_side = server.client.app.state["read_side"]
    assert read_side.wait_for(server.app.last_write_position(), 5)


def _discover(server: Server, volunteer: Volunteer, activity_id: UUID) -> None:
    """Discovery is its own route over its own read model: the activity is found there."""
    response = server.client.get(
        "/api/v1/activities",
        params={"near_lat": CENTER_PLACE.lat, "near_lon": CENTER_PLACE.lon + 0.01},
        headers=volunteer.headers,
    )
    assert response.status_code == 200, response.text
    found = [a["activity_id"] for a in response.json()["items"]]
    assert str(activity_id) in found


def test_a_volunteers_day_from_registration_to_hours_in_the_ledger(server: Server) -> None:
    world = build_world(server.app)
    starts_at = server.clock.now + timedelta(days=1)
    activity = post_activity(server.app, world, starts_at=starts_at, hours=3)
    _settle(server)
    screen = _VenueScreen(server, activity)

    # Morning before: register, log in, find the activity, sign up.
    volunteer = register(server, world)
    _discover(server, volunteer, activity)
    signed = server.client.post(
        f"/api/v1/activities/{activity}/sign-ups", headers=volunteer.headers
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "signed_up"

    # At the venue, a few minutes early: scan the screen.
    server.clock.set(starts_at - timedelta(minutes=5))
    check_in = server.client.post(
        f"/api/v1/activities/{activity}/check-in",
        json={
            "token": screen.scan(),
            "device_id": "iPhone-李明",
            "client_time": (starts_at - timedelta(minutes=6)).isoformat(),
            "location": {"lat": CENTER_PLACE.lat, "lon": CENTER_PLACE.lon},
            "accuracy_m": 12,
        },
        headers=volunteer.headers,
    )
    assert check_in.status_code == 200, check_in.text
    assert check_in.json()["checked_in_at"] is not None
    assert check_in.json()["credited_minutes"] == 0

    # Three hours later: scan the screen's new code on the way out.
    server.clock.set(starts_at + timedelta(hours=3, minutes=2))
    check_out = server.client.post(
        f"/api/v1/activities/{activity}/check-out",
        json={"token": screen.scan()},
        headers=volunteer.headers,
    )
    assert check_out.status_code == 200, check_out.text
    credited = check_out.json()["credited_minutes"]
    # In 5 minutes early and out 2 minutes late, both inside the 15-minute grace:
    # the stay inside [start - grace, end + grace] is 187 minutes, and the credit
    # is capped at the scheduled 3 hours.
    assert server.app.config.credit_policy.grace_minutes == 15
    assert credited == 180

    # At once, without waiting: the ledger has the line, the totals the hours.
    ledger = server.client.get("/api/v1/me/ledger", headers=volunteer.headers)
    assert ledger.status_code == 200, ledger.text
    [line] = ledger.json()["items"]
    assert line["kind"] == "credit"
    assert line["minutes"] == line["balance_after"] == credited
    assert line["activity_id"] == str(activity)
    assert ledger.json()["next_offset"] is None

    totals = server.client.get("/api/v1/me/ledger/totals", headers=volunteer.headers).json()
    assert totals["balance_minutes"] == credited
    assert [t["minutes"] for t in totals["weeks"]] == [credited]
    assert totals["months"] == [{"period": "2026-03", "minutes": credited}]

    explained = server.client.get(
        f"/api/v1/me/ledger/lines/{line['position']}/explanation", headers=volunteer.headers
    )
    assert explained.status_code == 200, explained.text
    events = explained.json()["events"]
    assert [e["type"] for e in events] == ["Attendance.CheckedIn", "Attendance.CheckedOut"]
    assert events[0]["fields"]["device_id"] == "iPhone-李明"
    assert events[1]["fields"]["credited_minutes"] == credited

    # As of a moment before the check-out was recorded, the ledger was empty.
    recorded_at = datetime.fromisoformat(line["recorded_at"])
    for as_of, expected in ((recorded_at - timedelta(microseconds=1), 0), (recorded_at, 1)):
        then = server.client.get(
            "/api/v1/me/ledger", params={"as_of": as_of.isoformat()}, headers=volunteer.headers
        )
        assert then.status_code == 200, then.text
        assert len(then.json()["items"]) == expected
