"""Rate limits on the pages: at a venue everyone shares one Wi-Fi (one address), so a
logged-in person counts against their own account, as a bearer token does; only a
cookie the server signed says who that is. A refusal is a page saying how long to
wait, never the API's problem JSON (which the API keeps)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.application.accounts import password_hasher
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.domain.attendance import Attendance
from grassroots.pages.sessions import PageSessions
from grassroots.settings import Settings
from tests.conftest import FakeClock
from tests.databases import migrated
from tests.integration.builders import build_world, post_activity, register_volunteer
from tests.integration.pages.conftest import PASSWORD, Site

SECRET = "p" * 48
HOST = "testserver.local"
# Enough taps that a limit of three is passed even when a window boundary falls
# between them (the windows are aligned on the real clock).
TAPS = 7


@pytest.fixture
def site_with(tmp_path: Path, clock: FakeClock) -> Iterator[Callable[..., Site]]:
    """The pages' site (as in conftest), with rates set as the settings would set them."""
    clients: list[TestClient[Litestar]] = []

    def make(**rates: str) -> Site:
        env = {"GRASSROOTS_SECRET_KEY": SECRET, "GRASSROOTS_DATA_DIR": str(tmp_path)}
        env |= {f"GRASSROOTS_RATE_{name.upper()}": rate for name, rate in rates.items()}
        settings = Settings.from_env(env)
        migrated(settings.database_url)
        app = build_application(settings, clock=clock)
        app.use_password_hasher(password_hasher(fast=True))
        config = dataclasses.replace(api_config(settings), page_cookie_secure=True)
        web = create_app(
            app,
            event_store_kind="sqlite",
            stores=shared_stores(config),
            read_side=build_read_side(settings, app),
            run_projections=True,
            config=config,
        )
        client = TestClient(app=web, base_url=f"https://{HOST}")
        client.__enter__()
        clients.append(client)
        return Site(client=client, app=app, world=build_world(app))

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def _sessions() -> PageSessions:
    return PageSessions(SECRET.encode(), secure=True, lifetime=timedelta(days=30))


def _open_activity(site: Site, clock: FakeClock) -> UUID:
    """An activity whose check-in window is open now."""
    starts = clock.now + timedelta(hours=2)
    activity = post_activity(site.app, site.world, starts_at=starts)
    clock.set(starts - timedelta(minutes=10))
    return activity


def _volunteer(site: Site, activity: UUID, number: int) -> tuple[UUID, str]:
    """A volunteer signed up for the activity, and their page cookie's value."""
    phone = f"139{number:08d}"
    volunteer_id = register_volunteer(site.app, site.world, phone=phone)
    site.account(phone, Grant(Role.VOLUNTEER, volunteer_id))
    site.app.sign_up(activity, volunteer_id)
    issued = site.app.log_in(phone=phone, password=PASSWORD, lifetime=timedelta(days=30))
    cookie = _sessions().cookie_for(issued.account.id, issued.session.id)
    assert cookie.value is not None
    return volunteer_id, cookie.value


def _as(site: Site, cookie_value: str) -> None:
    """The client's next requests carry this page-session cookie (one phone each)."""
    site.client.cookies.set(_sessions().cookie_name, cookie_value, domain=HOST)


def _tap(site: Site, path: str, csrf: str) -> Response:
    return site.client.post(path, data={"action": "check-in", "_csrf_token": csrf})


def _is_wait_page(answer: Response) -> None:
    """A page in Chinese saying to wait as many seconds as Retry-After says."""
    assert answer.status_code == 429
    assert answer.headers["content-type"].startswith("text/html")
    seconds = int(answer.headers["retry-after"])
    assert seconds >= 1
    assert "请稍候" in answer.text
    assert f"请 {seconds} 秒后再试" in answer.text
    assert 'name="viewport"' in answer.text
    assert "/problems/" not in answer.text


def test_forty_one_volunteers_on_one_address_each_check_in_within_the_scan_limit(
    site: Site, clock: FakeClock
) -> None:
    # The default limit (20 scans a minute), all from the test client's one address.
    # Counted per address, one minute's window would hold more than 20 of these
    # even when a window boundary falls among the taps (the windows are aligned on
    # the real clock), so this fails whenever the limit is not per account.
    crowd = 2 * 20 + 1
    activity = _open_activity(site, clock)
    volunteers = [_volunteer(site, activity, n) for n in range(crowd)]
    path = f"/S/{site.app.venue_code(activity).token}"
    csrf = site.csrf_token()

    answers = []
    for _, cookie in volunteers:
        _as(site, cookie)
        answers.append(_tap(site, path, csrf))

    assert [a.status_code for a in answers] == [200] * crowd, [a.text for a in answers]
    assert all("签到成功" in a.text for a in answers)
    for volunteer_id, _ in volunteers:
        assert site.app.get(Attendance, Attendance.id_for(volunteer_id, activity)).is_open


def test_one_volunteer_past_the_scan_limit_is_told_in_chinese_to_wait(
    site_with: Callable[..., Site], clock: FakeClock
) -> None:
    site = site_with(scan="3/60")
    activity = _open_activity(site, clock)
    _, eager = _volunteer(site, activity, 1)
    other_id, other = _volunteer(site, activity, 2)
    path = f"/S/{site.app.venue_code(activity).token}"
    csrf = site.csrf_token()

    _as(site, eager)
    answers = [_tap(site, path, csrf) for _ in range(TAPS)]
    _as(site, other)
    others_tap = _tap(site, path, csrf)

    assert all(a.status_code != 429 for a in answers[:3])
    limited = [a for a in answers if a.status_code == 429]
    assert limited
    _is_wait_page(limited[0])
    assert f'href="{path}"' in limited[0].text
    # Another volunteer on the same address has a share of their own.
    assert others_tap.status_code == 200, others_tap.text
    assert site.app.get(Attendance, Attendance.id_for(other_id, activity)).is_open


def test_the_wait_page_speaks_english_when_asked(
    site_with: Callable[..., Site], clock: FakeClock
) -> None:
    site = site_with(scan="1/60")
    activity = _open_activity(site, clock)
    _, cookie = _volunteer(site, activity, 1)
    path = f"/S/{site.app.venue_code(activity).token}"
    csrf = site.csrf_token()
    _as(site, cookie)

    answers = [
        site.client.post(f"{path}?lang=en", data={"action": "check-in", "_csrf_token": csrf})
        for _ in range(3)
    ]

    limited = next(a for a in answers if a.status_code == 429)
    seconds = limited.headers["retry-after"]
    assert f"Please try again in {seconds} seconds." in limited.text


def test_a_forged_cookie_counts_against_the_address(
    site_with: Callable[..., Site], clock: FakeClock
) -> None:
    site = site_with(scan="3/60")
    activity = _open_activity(site, clock)
    _, genuine = _volunteer(site, activity, 1)
    path = f"/S/{site.app.venue_code(activity).token}"
    csrf = site.csrf_token()
    _, session, signature = genuine.split(".")

    # Each tap names another account, none signed by the server (one keeps the
    # genuine signature but names another account): all count as the one address.
    forged = [f"{uuid4().hex}.{uuid4().hex}.{'0' * 64}" for _ in range(TAPS - 1)]
    forged.append(f"{uuid4().hex}.{session}.{signature}")
    statuses = []
    for cookie in forged:
        _as(site, cookie)
        statuses.append(_tap(site, path, csrf).status_code)

    # Not logged in (the session ended, as far as the page knows), then refused.
    assert all(status == 401 for status in statuses[:3])
    assert 429 in statuses


def test_log_in_on_the_page_past_its_limit_is_a_page_and_the_api_keeps_problem_json(
    site_with: Callable[..., Site],
) -> None:
    site = site_with(log_in="2/60")
    site.account("13900000001", Grant(Role.ADMINISTRATOR))
    csrf = site.csrf_token("/login")
    wrong = {"phone": "13900000001", "password": "wrong password", "next": "/"}

    pages = [site.client.post("/login", data={**wrong, "_csrf_token": csrf}) for _ in range(TAPS)]
    api = [
        site.client.post(
            "/api/v1/sessions", json={"phone": "13800000009", "password": "wrong password"}
        )
        for _ in range(TAPS)
    ]

    assert all(a.status_code == 401 for a in pages[:2])
    _is_wait_page(next(a for a in pages if a.status_code == 429))
    refused = next(a for a in api if a.status_code == 429)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert re.search(r"<html", refused.text) is None
