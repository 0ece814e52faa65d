"""The demo volunteer on a 390x844 phone: log in, discover, sign up, see it under
"my sign-ups", then my hours and one line explained."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grassroots.demo import DEMO_PASSWORD
from tests.browser.conftest import Served, screenshot, server_env
from tests.e2e.serving import free_port, running_server

DEMO_VOLUNTEER = "19900000006"
PHONE_WIDTH = 390


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Served]:
    """A server over the demo organisation (``grassroots demo`` on an empty store)."""
    port = free_port()
    env = server_env(port, tmp_path)
    subprocess.run(
        [sys.executable, "-m", "grassroots", "demo"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    with running_server(port, env, tmp_path):
        yield Served(f"http://127.0.0.1:{port}", env, tmp_path)


def _fits(phone: Any) -> None:
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_a_volunteer_discovers_signs_up_and_finds_it_under_my_sign_ups(
    phone: Any, browser: Any, demo: Served
) -> None:
    phone.goto(demo.base + "/login?next=/m/")
    phone.fill("#phone", DEMO_VOLUNTEER)
    phone.fill("#password", DEMO_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(demo.base + "/m/")
    screenshot(phone, "m-home")
    assert "我的下一个活动" in phone.inner_text("main")
    _fits(phone)

    phone.click(".m-tabs >> text=找活动")
    phone.wait_for_url(demo.base + "/m/discover")
    screenshot(phone, "m-discover")
    _fits(phone)
    assert phone.locator(".m-list .m-item").count() > 0

    # The first activity the volunteer has not signed up for yet.
    links = phone.locator(".m-list .m-item")
    for index in range(links.count()):
        links.nth(index).click()
        phone.wait_for_load_state()
        if phone.locator("form[action$='/sign-up'] button").count():
            break
        phone.go_back()
    title = phone.inner_text("h1")
    phone.click("form[action$='/sign-up'] button")
    phone.wait_for_load_state()
    screenshot(phone, "m-activity-signed-up")
    notice = phone.inner_text(".notice")
    assert "报名成功" in notice or "候补名单" in notice
    _fits(phone)

    phone.click(".m-tabs >> text=我的报名")
    phone.wait_for_url(demo.base + "/m/sign-ups")
    screenshot(phone, "m-sign-ups")
    _fits(phone)
    mine = phone.locator(".m-item", has_text=title).first
    assert mine.is_visible()
    assert mine.locator(".badge").inner_text() in ("已报名",) or "候补第" in mine.inner_text()

    phone.click(".m-tabs >> text=我的时长")
    phone.wait_for_url(demo.base + "/m/hours")
    screenshot(phone, "m-hours")
    _fits(phone)
    phone.locator(".m-list .m-item").first.click()
    phone.wait_for_load_state()
    screenshot(phone, "m-hours-line")
    assert phone.locator(".m-explain li").count() >= 1

    phone.goto(demo.base + "/m/sign-ups?lang=en")
    screenshot(phone, "m-sign-ups-en")
    _fits(phone)
