"""A grassroots point's screen in a real browser: a supervisor finds the point in the
list, opens its screen, and the code read off a screenshot starts a cadre's visit on
their phone; after the rotation period the screen shows another code by itself.

A real ``grassroots serve`` with a 5-second rotation; the organisation, the cadre
and the accounts are made through the application before the server starts.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.visit import Visit
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot, server_env
from tests.databases import migrated
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import build_world, register_cadre

SUPERVISOR_PHONE = "13600000002"
CADRE_PHONE = "13700000001"
ROTATION = 5


@dataclass(frozen=True)
class Point:
    base: str
    app: Grassroots
    point_id: UUID
    township: UUID

    @property
    def screen(self) -> str:
        return f"{self.base}/screens/points/{self.point_id}"


@pytest.fixture
def point(browser: Any, tmp_path: Path) -> Iterator[Point]:
    # ``browser`` first: without Chromium the test skips before any set-up.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(port, tmp_path, QR_ROTATION_SECONDS=str(ROTATION))
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrated(settings.database_url)
    app = build_application(settings)
    world = build_world(app)
    cadre = register_cadre(app, world)
    app.open_account(
        phone=CADRE_PHONE, name="李书记", password=PASSWORD, grants=[Grant(Role.CADRE, cadre)]
    )
    app.open_account(
        phone=SUPERVISOR_PHONE,
        name="周督导",
        password=PASSWORD,
        grants=[Grant(Role.SUPERVISOR, world.township)],
    )
    with running_server(port, env, tmp_path):
        yield Point(base=base, app=app, point_id=world.point, township=world.township)


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
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _code_on_screen(screen: Any) -> str:
    """The point's code as a camera would read it: decoded from a screenshot."""
    shot = screen.locator("[data-code]").screenshot()
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert len(codes) == 1, "exactly one readable code on the screen"
    return str(codes[0].text)


def _wait_until(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_points_list_on_a_phone_leads_to_the_points_screen(browser: Any, point: Point) -> None:
    context = _context(browser, 390, 844, phone=True)
    try:
        page = context.new_page()
        page.goto(f"{point.base}/dispatch/")
        _log_in(page, SUPERVISOR_PHONE)
        page.click("[data-point-screens]")
        page.wait_for_selector("text=东风社区联系点")
        assert urlsplit(page.url).path == "/screens/points"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "point-list-390")
        page.click(f"[data-point='{point.point_id}']")
        page.wait_for_selector("h1:has-text('东风社区联系点')")
        assert page.url == point.screen
    finally:
        context.close()


def test_the_code_on_the_points_screen_starts_a_cadres_visit_and_rotates(
    browser: Any, point: Point
) -> None:
    supervisor = _context(browser, 1280, 800, phone=False)
    cadre = _context(browser, 390, 844, phone=True)
    try:
        screen = supervisor.new_page()
        screen.goto(point.screen)
        _log_in(screen, SUPERVISOR_PHONE)
        assert screen.url == point.screen
        # The first refresh replaced the server-drawn image with a fetched one.
        # Polled from here: the page's CSP refuses the eval wait_for_function uses.
        _wait_until(
            lambda: screen.evaluate(
                "document.querySelector('[data-code]').src.startsWith('data:')"
            ),
            timeout=10,
        )
        assert "所属单位：东风社区" in screen.inner_text("body")
        assert screen.is_hidden("[data-code-failed]")
        screenshot(screen, "point-screen-1280")

        scanned = _code_on_screen(screen)
        assert re.fullmatch(r"HTTP://127\.0\.0\.1:\d+/P/[A-Z2-7]{56}", scanned), scanned

        phone = cadre.new_page()
        phone.goto(point.base + "/login")
        _log_in(phone, CADRE_PHONE)
        # A camera app opens the text as it is; the browser lower-cases scheme and host.
        phone.goto(scanned)
        phone.wait_for_selector("text=东风社区联系点")
        phone.click("button:has-text('开始走访')")
        phone.wait_for_url(re.compile(r".*/cadre/visits/[0-9a-f-]{36}$"))
        visit = point.app.get(Visit, UUID(phone.url.rsplit("/", 1)[1]))
        assert visit.point_id == point.point_id

        # After the rotation period the screen shows another code, by itself.
        _wait_until(lambda: _code_on_screen(screen) != scanned, timeout=ROTATION * 2 + 5)
        renewed = _code_on_screen(screen)
        assert renewed.rsplit("/P/", 1)[0] == scanned.rsplit("/P/", 1)[0]

        # A code that cannot be fetched is said so on the screen, in words.
        supervisor.route("**/code.png", lambda route: route.abort())
        _wait_until(lambda: screen.is_visible("[data-code-failed]"), timeout=ROTATION * 2 + 5)
        assert screen.inner_text("[data-code-failed]") == "二维码刷新失败，正在重试…"
        supervisor.unroute("**/code.png")
        _wait_until(lambda: screen.is_hidden("[data-code-failed]"), timeout=10)
    finally:
        supervisor.close()
        cadre.close()
