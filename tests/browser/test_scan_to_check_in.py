"""The venue screen's code, read off a screenshot, checks a volunteer in on a phone.

A real ``grassroots serve`` with a 5-second rotation; the organisation, the
activity (check-in open now) and the accounts are made through the application
before the server starts. The venue screen runs in a 1280x800 context logged in as
the center's staff, the volunteer in a 390x844 phone context.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.attendance import Attendance
from grassroots.domain.qr_token import scan_url
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot, server_env
from tests.databases import migrated
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import (
    CENTER_PLACE,
    build_world,
    post_activity,
    register_volunteer,
)

STAFF_PHONE = "13600000001"
VOLUNTEER_PHONE = "13800000001"
ROTATION = 5


@dataclass(frozen=True)
class Venue:
    base: str
    public_url: str
    activity_id: UUID
    volunteer_id: UUID
    # Another activity at the same time, which asks for the phone's location.
    located_id: UUID
    app: Grassroots

    @property
    def screen(self) -> str:
        return f"{self.base}/desk/activities/{self.activity_id}/venue"

    def scanned_url(self, activity_id: UUID | None = None) -> str:
        """What a phone's camera would read off the screen right now."""
        code = self.app.venue_code(activity_id or self.activity_id)
        return scan_url(self.public_url, code.token)


@pytest.fixture
def venue(browser: Any, tmp_path: Path) -> Iterator[Venue]:
    # ``browser`` first: without Chromium the test skips before any set-up.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(port, tmp_path, QR_ROTATION_SECONDS=str(ROTATION))
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrated(settings.database_url)
    app = build_application(settings)
    world = build_world(app)
    volunteer = register_volunteer(app, world, VOLUNTEER_PHONE)
    app.open_account(
        phone=VOLUNTEER_PHONE,
        name="张小红",
        password=PASSWORD,
        grants=[Grant(Role.VOLUNTEER, volunteer)],
    )
    app.open_account(
        phone=STAFF_PHONE,
        name="赵老师",
        password=PASSWORD,
        grants=[Grant(Role.CENTER_STAFF, world.center)],
    )
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    activity = post_activity(app, world, starts_at=starts)
    app.sign_up(activity, volunteer)
    located = post_activity(app, world, starts_at=starts, location_required=True)
    app.sign_up(located, volunteer)
    with running_server(port, env, tmp_path):
        yield Venue(
            base=base,
            public_url=base,
            activity_id=activity,
            volunteer_id=volunteer,
            located_id=located,
            app=app,
        )


def _context(browser: Any, width: int, height: int, *, phone: bool) -> Any:
    return browser.new_context(
        viewport={"width": width, "height": height},
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
    )


def _log_in(page: Any, phone_number: str) -> None:
    page.fill("#phone", phone_number)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _code_on_screen(screen: Any) -> str:
    """The venue code as a camera would read it: decoded from a screenshot."""
    shot = screen.locator("[data-code]").screenshot()
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert len(codes) == 1, "exactly one readable code on the screen"
    return str(codes[0].text)


def _wait_until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_code_on_the_venue_screen_checks_a_phone_in_and_the_screen_counts_it(
    browser: Any, venue: Venue
) -> None:
    staff = _context(browser, 1280, 800, phone=False)
    volunteer = _context(browser, 390, 844, phone=True)
    try:
        screen = staff.new_page()
        screen.goto(venue.screen)
        _log_in(screen, STAFF_PHONE)
        assert screen.url == venue.screen
        # The first refresh replaced the server-drawn image with a fetched one.
        # Polled from here: the page's CSP refuses the eval wait_for_function uses.
        _wait_until(
            lambda: screen.evaluate(
                "document.querySelector('[data-code]').src.startsWith('data:')"
            ),
            timeout=10,
        )
        screen.wait_for_selector("[data-reconnecting]", state="hidden")
        screenshot(screen, "venue-screen-before")
        assert screen.inner_text("[data-count]") == "0"

        scanned = _code_on_screen(screen)
        assert re.fullmatch(r"HTTP://127\.0\.0\.1:\d+/S/[A-Z2-7]{56}", scanned), scanned

        phone = volunteer.new_page()
        phone.goto(venue.base + "/login")
        _log_in(phone, VOLUNTEER_PHONE)
        # A camera app opens the text as it is; the browser lower-cases scheme and host.
        phone.goto(scanned)
        screenshot(phone, "phone-check-in-page")
        phone.click("button:has-text('签到')")
        phone.wait_for_selector("text=签到成功")
        screenshot(phone, "phone-checked-in")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390

        # Live, without a reload: the count and the masked name arrive over the stream.
        _wait_until(lambda: screen.inner_text("[data-count]").strip() == "1", timeout=10)
        assert screen.inner_text("[data-latest] li span") == "王**"
        assert "王小明" not in screen.inner_text("body")
        screenshot(screen, "venue-screen-after-check-in")

        # After the rotation period the screen shows another code, by itself.
        _wait_until(lambda: _code_on_screen(screen) != scanned, timeout=ROTATION * 2 + 5)
        renewed = _code_on_screen(screen)
        assert renewed.rsplit("/S/", 1)[0] == scanned.rsplit("/S/", 1)[0]
        screenshot(screen, "venue-screen-rotated")

        # A screen whose live connection cannot get through says so, and once it
        # can, hides the notice and reads the count afresh.
        staff.route("**/venue/live", lambda route: route.abort())
        cut = staff.new_page()
        cut.goto(venue.screen)
        cut.wait_for_selector("[data-reconnecting]:not([hidden])", timeout=10_000)
        assert cut.inner_text("[data-reconnecting]") == "正在重新连接…"
        screenshot(cut, "venue-screen-reconnecting")
        staff.unroute("**/venue/live")
        cut.wait_for_selector("[data-reconnecting]", state="hidden", timeout=15_000)
        assert cut.inner_text("[data-count]") == "1"
    finally:
        staff.close()
        volunteer.close()


def test_a_logged_out_volunteer_who_opens_the_scanned_url_logs_in_and_lands_checked_in(
    browser: Any, venue: Venue
) -> None:
    context = _context(browser, 390, 844, phone=True)
    try:
        phone = context.new_page()
        phone.goto(venue.scanned_url())
        screenshot(phone, "phone-scan-logged-out")
        assert "社区环境清洁" in phone.inner_text("main")
        phone.click("text=登录并签到")
        _log_in(phone, VOLUNTEER_PHONE)

        # Back on the check-in page, which sends itself: no second scan, no second tap.
        phone.wait_for_selector("text=签到成功", timeout=10_000)
        screenshot(phone, "phone-logged-in-and-checked-in")
        assert re.fullmatch(rf"{re.escape(venue.base)}/S/[A-Z2-7]{{56}}", phone.url), phone.url
    finally:
        context.close()


def test_scanning_again_after_checking_in_says_so_and_leaving_early_is_a_deliberate_step(
    browser: Any, venue: Venue
) -> None:
    context = _context(browser, 390, 844, phone=True)
    try:
        phone = context.new_page()
        phone.goto(venue.base + "/login")
        _log_in(phone, VOLUNTEER_PHONE)
        phone.goto(venue.scanned_url())
        phone.click("button:has-text('签到')")
        phone.wait_for_selector("text=签到成功")

        # The same code scanned again a moment later: the page says the volunteer is in.
        phone.goto(venue.scanned_url())
        screenshot(phone, "phone-scanned-again-checked-in")
        attendance = venue.app.get(
            Attendance, Attendance.id_for(venue.volunteer_id, venue.activity_id)
        )
        checked_in_at = attendance.checked_in_at
        assert checked_in_at is not None
        china = checked_in_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
        said = phone.locator("[data-already-in]")
        assert said.is_visible()
        assert said.inner_text() == f"您已于 {china} 签到「社区环境清洁」。"
        assert "您已签到" in phone.inner_text("[role=status]")
        # No big check-out button: the only one is the early one, below the message,
        # quiet, and it says what leaving now costs.
        assert phone.locator(".button-big").count() == 0
        leave = phone.locator("button:has-text('确认提前签退')")
        assert leave.is_visible()
        assert leave.bounding_box()["y"] > said.bounding_box()["y"]
        background = leave.evaluate("b => getComputedStyle(b).backgroundColor")
        assert background == "rgb(255, 255, 255)"
        assert "签退后不能再次签到本活动" in phone.inner_text("main")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert venue.app.get(Attendance, attendance.id).is_open

        leave.click()
        phone.wait_for_selector("text=签退成功", timeout=10_000)
        screenshot(phone, "phone-checked-out-early")
        assert not venue.app.get(Attendance, attendance.id).is_open
    finally:
        context.close()


def test_the_in_app_scanner_says_so_when_the_camera_is_refused(browser: Any, venue: Venue) -> None:
    context = _context(browser, 390, 844, phone=True)
    try:
        phone = context.new_page()
        phone.goto(venue.base + "/scan")
        phone.wait_for_selector("[data-camera-refused]:not([hidden])", timeout=10_000)
        screenshot(phone, "phone-scanner-camera-refused")
        assert "无法使用摄像头" in phone.inner_text("main")
    finally:
        context.close()


def test_where_the_activity_asks_for_a_location_a_refusal_and_a_distance_are_explained(
    browser: Any, venue: Venue
) -> None:
    context = _context(browser, 390, 844, phone=True)
    try:
        phone = context.new_page()
        phone.goto(venue.base + "/login")
        _log_in(phone, VOLUNTEER_PHONE)

        # The phone refuses to give its location.
        phone.goto(venue.scanned_url(venue.located_id))
        assert "本活动需要确认您在活动现场" in phone.inner_text("main")
        phone.click("button:has-text('签到')")
        phone.wait_for_selector("[data-location-refused]:not([hidden])", timeout=10_000)
        screenshot(phone, "phone-location-refused")

        # Given, but far from the venue: the server refuses, in words.
        context.grant_permissions(["geolocation"])
        context.set_geolocation({"latitude": 39.9042, "longitude": 116.4074, "accuracy": 10})
        phone.goto(venue.scanned_url(venue.located_id))
        phone.click("button:has-text('签到')")
        phone.wait_for_selector("text=您不在活动现场范围内", timeout=10_000)
        screenshot(phone, "phone-outside-the-venue")

        # At the venue.
        context.set_geolocation(
            {"latitude": CENTER_PLACE.lat, "longitude": CENTER_PLACE.lon, "accuracy": 10}
        )
        phone.goto(venue.scanned_url(venue.located_id))
        phone.click("button:has-text('签到')")
        phone.wait_for_selector("text=签到成功", timeout=10_000)
    finally:
        context.close()


def test_the_venue_screen_hides_an_expired_code_while_the_server_does_not_answer(
    browser: Any, venue: Venue
) -> None:
    staff = _context(browser, 1280, 800, phone=False)
    try:
        screen = staff.new_page()
        screen.goto(venue.screen)
        _log_in(screen, STAFF_PHONE)
        _wait_until(
            lambda: screen.evaluate(
                "document.querySelector('[data-code]').src.startsWith('data:')"
            ),
            timeout=10,
        )
        assert screen.is_hidden("[data-code-paused]")

        # The code stops being answered, as when the server is down.
        staff.route("**/venue/code.png", lambda route: route.abort())
        # The first failed refresh comes when the next code was due: the one shown is
        # still accepted for a rotation, so it stays, with the small notice.
        screen.wait_for_selector("[data-code-failed]:not([hidden])", timeout=(ROTATION + 5) * 1000)
        assert screen.is_visible("[data-code]")
        assert screen.is_hidden("[data-code-paused]")
        # Once it has expired it is gone, and the screen says check-in is paused.
        screen.wait_for_selector("[data-code-paused]:not([hidden])", timeout=(ROTATION + 5) * 1000)
        assert screen.is_hidden("[data-code]")
        assert screen.inner_text("[data-code-paused]") == "暂停签到 · 正在重新连接"
        shot = screenshot(screen, "venue-screen-paused")
        assert zxingcpp.read_barcodes(Image.open(shot)) == [], "no code left to scan"

        # When the server answers again, a fresh code comes back by itself.
        staff.unroute("**/venue/code.png")
        screen.wait_for_selector("[data-code-paused]", state="hidden", timeout=10_000)
        assert screen.is_visible("[data-code]")
        assert re.fullmatch(r"HTTP://127\.0\.0\.1:\d+/S/[A-Z2-7]{56}", _code_on_screen(screen))
        screenshot(screen, "venue-screen-resumed")
    finally:
        staff.close()
