"""A volunteer's visit over real HTTP to a running `grassroots serve` process: the
administrator lays out an org unit chain, a center and an activity starting soon;
a volunteer registers, logs in, signs up, scans in with the code the venue screen
reads, scans out, and finds the credit in the ledger. The server keeps the real
clock, so the stay is seconds long and credits what the crediting rule gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from grassroots.domain.crediting import credited_minutes
from tests.e2e.serving import free_port, running_server

PASSWORD = "correct horse battery staple"
ADMIN_PHONE = "13900000000"
VOLUNTEER_PHONE = "13800138000"
PLACE = {"lat": 40.8426, "lon": 111.7492}
GRACE_MINUTES = 15


class _Http:
    def __init__(self, base: str) -> None:
        self.base = base

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **(headers or {})},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def ok(self, method: str, path: str, body: Mapping[str, Any] | None = None, **kw: Any) -> Any:
        status, answer = self.call(method, path, body, **kw)
        assert 200 <= status < 300, f"{method} {path}: {status} {answer}"
        return answer

    def bearer(self, phone: str) -> dict[str, str]:
        tokens = self.ok("POST", "/api/v1/sessions", {"phone": phone, "password": PASSWORD})
        return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
def http(tmp_path: Path) -> Iterator[_Http]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_PORT": str(port),
            "GRASSROOTS_DATA_DIR": str(tmp_path / "var"),
            "GRASSROOTS_SECRET_KEY": "e2e-volunteer-flow-" + "x" * 40,
            "GRASSROOTS_GRACE_MINUTES": str(GRACE_MINUTES),
        }
    )
    # The administrator is made the way an operator makes the first one.
    subprocess.run(
        [
            *(sys.executable, "-m", "grassroots", "users", "create"),
            *("--phone", ADMIN_PHONE, "--name", "管理员", "--grant", "administrator"),
        ],
        input=PASSWORD + "\n",
        env=env,
        cwd=tmp_path,
        check=True,
        text=True,
        capture_output=True,
        timeout=30,
    )
    with running_server(port, env, tmp_path):
        yield _Http(f"http://127.0.0.1:{port}")


def test_a_volunteer_signs_up_scans_in_and_out_and_finds_the_credit_in_the_ledger(
    http: _Http,
) -> None:
    admin = http.bearer(ADMIN_PHONE)
    units: list[str] = []
    for name, level in [
        ("内蒙古自治区", "region"),
        ("呼和浩特市", "city"),
        ("新城区", "county"),
        ("海拉尔东路街道", "township"),
        ("东风社区", "village"),
    ]:
        body: dict[str, Any] = {"name": name, "level": level}
        if units:
            body["parent_id"] = units[-1]
        units.append(str(http.ok("POST", "/api/v1/org-units", body, headers=admin)["id"]))
    village = units[-1]
    center = http.ok(
        "POST",
        "/api/v1/centers",
        {"name": "东风社区青年之家", "org_unit_id": village, "address": "东风路 1 号"}
        | {"location": PLACE, "geofence_radius_m": 150},
        headers=admin,
    )["id"]
    # Starting within the check-in margin, so check-in is open now.
    now = datetime.now(UTC).replace(microsecond=0)
    starts_at, ends_at = now + timedelta(minutes=10), now + timedelta(hours=1)
    activity = http.ok(
        "POST",
        f"/api/v1/centers/{center}/activities",
        {
            "title": "社区环境清洁",
            "category": "environment",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
        },
        headers=admin,
    )["activity_id"]

    registered = http.ok(
        "POST",
        "/api/v1/volunteers",
        {
            "name": "李明",
            "phone": VOLUNTEER_PHONE,
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": village,
        },
    )
    volunteer = http.bearer(VOLUNTEER_PHONE)
    signed = http.ok("POST", f"/api/v1/activities/{activity}/sign-ups", headers=volunteer)
    assert signed["status"] == "signed_up"

    def venue_token() -> str:
        # What a screen that draws the code itself asks for.
        code = http.ok("GET", f"/api/v1/activities/{activity}/venue-code", headers=admin)
        return str(code["token"])

    checked_in = http.ok(
        "POST",
        f"/api/v1/activities/{activity}/check-in",
        {
            "token": venue_token(),
            "device_id": "iPhone-李明",
            "client_time": datetime.now(UTC).isoformat(),
            "location": PLACE,
            "accuracy_m": 12,
        },
        headers=volunteer,
    )
    assert checked_in["credited_minutes"] == 0
    checked_out = http.ok(
        "POST",
        f"/api/v1/activities/{activity}/check-out",
        {"token": venue_token()},
        headers=volunteer,
    )

    expected = credited_minutes(
        checked_in_at=datetime.fromisoformat(checked_in["checked_in_at"]),
        checked_out_at=datetime.fromisoformat(checked_out["checked_out_at"]),
        scheduled_start=starts_at,
        scheduled_end=ends_at,
        grace_minutes=GRACE_MINUTES,
    )
    # Seconds inside the window, and only whole minutes count.
    assert expected == 0
    assert checked_out["credited_minutes"] == expected
    assert checked_out["volunteer_id"] == registered["volunteer_id"]

    ledger = http.ok("GET", "/api/v1/me/ledger", headers=volunteer)
    [line] = ledger["items"]
    assert line["kind"] == "credit"
    assert line["activity_id"] == activity
    assert line["attendance_id"] == checked_out["attendance_id"]
    assert line["minutes"] == line["balance_after"] == expected
    explained = http.ok(
        "GET", f"/api/v1/me/ledger/lines/{line['position']}/explanation", headers=volunteer
    )
    events = explained["events"]
    assert [e["type"] for e in events] == ["Attendance.CheckedIn", "Attendance.CheckedOut"]
    assert events[0]["fields"]["device_id"] == "iPhone-李明"
    assert events[1]["fields"]["credited_minutes"] == line["minutes"]
