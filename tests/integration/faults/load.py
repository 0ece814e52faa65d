"""Volunteers scanning in and out of a real `grassroots serve` process, many at once,
and what the event store and the read models hold afterwards.

The site is laid out in the test's own process on the server's database: a center,
a few activities starting within the check-in margin (the server keeps the real
clock), volunteers with accounts. Each client then walks through its plan (check in
to an activity, check out of it, on to the next) over HTTP, and sends a request
again, unchanged (same venue token, same body), whenever it got no answer or a 503.
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application, build_read_side
from grassroots.domain.attendance import Attendance
from grassroots.domain.crediting import credited_minutes
from grassroots.domain.presence import Presence
from grassroots.projections.ledger import read_ledger
from grassroots.settings import Settings
from tests.integration.builders import build_world

PASSWORD = "correct horse battery staple"
SECRET = "faults-under-load-" + "k" * 40
GRACE_MINUTES = 15
# Generous for every limit the server keeps per address: all clients share 127.0.0.1.
ROOMY = "100000/60"


def server_env(port: int, data_dir: Path, database_url: str, schema: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_PORT": str(port),
            "GRASSROOTS_DATA_DIR": str(data_dir),
            "GRASSROOTS_DATABASE_URL": database_url,
            "GRASSROOTS_SECRET_KEY": SECRET,
            "GRASSROOTS_GRACE_MINUTES": str(GRACE_MINUTES),
            # One code for the whole run: a retry after a restart sends the same token.
            "GRASSROOTS_QR_ROTATION_SECONDS": "300",
            **{f"GRASSROOTS_RATE_{name}": ROOMY for name in ("DEFAULT", "SCAN", "LOG_IN")},
        }
    )
    if schema:
        env["GRASSROOTS_DATABASE_SCHEMA"] = schema
    return env


@dataclass(frozen=True)
class Site:
    center: UUID
    activities: list[UUID]
    volunteers: list[UUID]
    phones: list[str]
    tokens: dict[UUID, str]  # the venue code of each activity


def lay_out(settings: Settings, *, volunteers: int, activities: int) -> Site:
    """The site, written directly through the application (the server may be down)."""
    app = build_application(settings)
    try:
        app.use_password_hasher(password_hasher(fast=True))
        world = build_world(app)
        now = datetime.now(UTC).replace(microsecond=0)
        posted = [
            app.post_activity(
                world.center,
                title=f"社区服务 {n + 1}",
                description="负载下的签到",
                category="community",
                starts_at=now + timedelta(minutes=10),
                ends_at=now + timedelta(hours=2),
                sign_up_required=False,
            )
            for n in range(activities)
        ]
        phones = [f"1380000{n:04d}" for n in range(volunteers)]
        people = [
            app.register_volunteer_account(
                name=f"志愿者{n}",
                phone=phone,
                password=PASSWORD,
                birth_date=date(2000, 1, 1),
                org_unit_id=world.village,
            )[1]
            for n, phone in enumerate(phones)
        ]
        tokens = {activity: app.venue_code(activity).token for activity in posted}
        return Site(world.center, posted, people, phones, tokens)
    finally:
        app.close()


def call(
    base: str, method: str, path: str, body: Mapping[str, Any] | None, headers: Mapping[str, str]
) -> tuple[int, str, str]:
    """(status, content type, body text); raises OSError when no answer came."""
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return (
                response.status,
                response.headers.get("content-type", ""),
                response.read().decode(),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type", ""), error.read().decode()


def log_in(base: str, phone: str) -> dict[str, str]:
    status, _, text = call(
        base, "POST", "/api/v1/sessions", {"phone": phone, "password": PASSWORD}, {}
    )
    assert status == 201, text
    return {"Authorization": f"Bearer {json.loads(text)['access_token']}"}


@dataclass(frozen=True)
class Scan:
    kind: str  # "check-in" or "check-out"
    activity: UUID


@dataclass
class Attempt:
    """One sending of one scan: its answer, or ``status`` None when none came."""

    client: int
    scan: Scan
    try_no: int
    status: int | None
    content_type: str
    body: str
    seconds: float
    sent_at: float


@dataclass
class Load:
    """Clients scanning through their plans; every attempt is kept."""

    base: str
    site: Site
    headers: list[dict[str, str]]
    give_up_after: float = 90.0
    attempts: list[Attempt] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def plan(self) -> list[Scan]:
        return [Scan(kind, a) for a in self.site.activities for kind in ("check-in", "check-out")]

    def answered(self) -> int:
        with self._lock:
            return sum(1 for a in self.attempts if a.status is not None)

    def run(self, during: Callable[[Load], None]) -> None:
        """All clients at once; ``during`` runs in this thread while they scan."""
        threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True)
            for n in range(len(self.headers))
        ]
        for thread in threads:
            thread.start()
        during(self)
        for thread in threads:
            thread.join(self.give_up_after + 60)
        assert not any(t.is_alive() for t in threads), "a client never finished"

    def _client(self, n: int) -> None:
        deadline = time.monotonic() + self.give_up_after
        for scan in self.plan():
            for try_no in range(1, 10_000):
                started = time.monotonic()
                body = {"token": self.site.tokens[scan.activity], "device_id": f"phone-{n}"}
                try:
                    status, kind, text = call(
                        self.base,
                        "POST",
                        f"/api/v1/activities/{scan.activity}/{scan.kind}",
                        body,
                        self.headers[n],
                    )
                except (OSError, http.client.HTTPException):
                    status, kind, text = None, "", ""
                with self._lock:
                    self.attempts.append(
                        Attempt(
                            n, scan, try_no, status, kind, text, time.monotonic() - started, started
                        )
                    )
                if status is not None and 200 <= status < 300:
                    break
                if (status is not None and status != 503) or time.monotonic() > deadline:
                    return  # the test names it
                time.sleep(0.1)


def stream(app: Grassroots, aggregate_id: UUID) -> list[Any]:
    """The domain events of one aggregate, as stored."""
    return [app.mapper.to_domain_event(e) for e in app.recorder.select_events(aggregate_id)]


def assert_each_scan_recorded_once(
    settings: Settings, site: Site, load: Load
) -> dict[tuple[int, Scan], datetime]:
    """Every scan that got a 2xx is in the event store once, and after catch-up in
    the ledger once, with the minutes its events give. Returns when each recorded
    scan was recorded (the server's time in its event)."""
    answered = {
        (a.client, a.scan) for a in load.attempts if a.status is not None and 200 <= a.status < 300
    }
    app = build_application(settings)
    read_side = build_read_side(settings, app)
    try:
        read_side.catch_up()
        recorded: dict[tuple[int, Scan], datetime] = {}
        with read_side.engine.connect() as conn:
            for n, volunteer in enumerate(site.volunteers):
                ledger = read_ledger(conn, volunteer)
                expected_lines = []
                stream_kinds: dict[UUID, list[str]] = {}
                for activity in site.activities:
                    checked_in = (n, Scan("check-in", activity)) in answered
                    checked_out = (n, Scan("check-out", activity)) in answered
                    history = stream(app, Attendance.id_for(volunteer, activity))
                    for event in history:
                        kind = (
                            "check-in" if isinstance(event, Attendance.CheckedIn) else "check-out"
                        )
                        recorded[(n, Scan(kind, activity))] = event.at
                    kinds = stream_kinds[activity] = [type(e).__name__ for e in history]
                    # A scan with no answer may still have been recorded; one with an
                    # answer must have been, and nothing is ever recorded twice.
                    assert kinds in ([], ["CheckedIn"], ["CheckedIn", "CheckedOut"]), kinds
                    if checked_in:
                        assert kinds[:1] == ["CheckedIn"]
                    if checked_out:
                        assert kinds == ["CheckedIn", "CheckedOut"]
                    if len(history) == 2:
                        came, left = history
                        minutes = credited_minutes(
                            checked_in_at=came.at,
                            checked_out_at=left.at,
                            scheduled_start=came.scheduled_start,
                            scheduled_end=came.scheduled_end,
                            grace_minutes=left.grace_minutes,
                        )
                        assert left.credited_minutes == minutes
                        expected_lines.append((Attendance.id_for(volunteer, activity), minutes))
                # A scan writes the attendance and the volunteer's presence together:
                # both or neither, whatever was cut off.
                presence = stream(app, Presence.id_for(volunteer))
                came_to = [a for a in site.activities if stream_kinds[a]]
                left_from = [a for a in site.activities if len(stream_kinds[a]) == 2]
                assert [e.activity_id for e in presence if isinstance(e, Presence.Entered)] == (
                    came_to
                )
                assert [e.activity_id for e in presence if isinstance(e, Presence.Left)] == (
                    left_from
                )
                lines = [(line.attendance_id, line.minutes) for line in ledger]
                assert sorted(lines) == sorted(expected_lines)
                assert ledger[-1:] == [] or ledger[-1].balance_after == sum(m for _, m in lines)
        return recorded
    finally:
        read_side.close()
        app.close()
