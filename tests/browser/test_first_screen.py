"""A person on a phone opens the first screen, logs in, sees their screens, and the
volunteer app opens offline to a clear "no connection" page."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import ADMIN_PHONE, PASSWORD, Served, screenshot


def _log_in(phone: Any, served: Served, who: str) -> None:
    phone.goto(served.base + "/login")
    phone.fill("#phone", who)
    phone.fill("#password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_load_state()


def test_the_first_screen_on_a_phone_is_chinese_and_fits_the_screen(
    phone: Any, served: Served
) -> None:
    phone.goto(served.base + "/")
    screenshot(phone, "first-screen-visitor")

    assert phone.locator("html").get_attribute("lang") == "zh-CN"
    assert "青年志愿服务与基层工作平台" in phone.inner_text("h1")
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_person_logs_in_on_a_phone_and_sees_who_they_are_and_what_they_can_open(
    phone: Any, served: Served
) -> None:
    _log_in(phone, served, ADMIN_PHONE)
    screenshot(phone, "first-screen-logged-in")

    assert phone.url == served.base + "/"
    assert "您好，管理员" in phone.inner_text("h1")
    tiles = phone.locator(".tile strong").all_inner_texts()
    assert tiles == ["我的志愿服务", "青年之家工作台", "下沉走访", "周调度", "管理后台"]

    phone.click("text=周调度")
    screenshot(phone, "dispatch-screen")
    assert phone.url == served.base + "/dispatch/"
    # A new installation has no org unit yet: the dispatch says so instead of a table.
    assert "还没有可查看的组织" in phone.inner_text("main")

    phone.click("text=English")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert "Weekly dispatch" in phone.inner_text("h1")


def test_a_wrong_password_is_answered_with_a_sentence_on_the_page(
    phone: Any, served: Served
) -> None:
    phone.goto(served.base + "/login")
    phone.fill("#phone", ADMIN_PHONE)
    phone.fill("#password", "not the password")
    phone.click("button[type=submit]")
    screenshot(phone, "log-in-refused")

    assert "手机号或密码不正确" in phone.inner_text(".error")


def test_the_volunteer_app_opens_offline_to_the_no_connection_page(
    phone: Any, served: Served
) -> None:
    _log_in(phone, served, ADMIN_PHONE)
    phone.goto(served.base + "/m/")
    phone.evaluate("navigator.serviceWorker.ready.then(() => true)")

    phone.context.set_offline(True)
    phone.reload()
    screenshot(phone, "volunteer-app-offline")

    assert "没有网络连接" in phone.inner_text("h1")


def test_the_first_screen_in_english_fits_a_360_pixel_phone(browser: Any, served: Served) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        _log_in(page, served, ADMIN_PHONE)
        page.goto(served.base + "/?lang=en")
        screenshot(page, "first-screen-english-360")

        assert "Hello, 管理员" in page.inner_text("h1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        bar = page.locator(".bar").bounding_box()
        assert bar is not None
        assert bar["height"] < 80, "the top bar wrapped onto a second line"
    finally:
        context.close()


def test_the_first_screen_of_the_demo_lists_its_accounts_and_one_logs_in_from_it(
    phone: Any, demo_site: str
) -> None:
    phone.goto(demo_site + "/")
    rows = phone.locator(".demo tbody tr")
    assert rows.count() == 6
    assert "grassroots-demo" in phone.inner_text(".demo")
    screenshot(phone, "first-screen-demo-390")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The volunteer's number is filled in by the link; the password is the demo's.
    phone.locator(".demo a", has_text="19900000006").click()
    phone.wait_for_load_state()
    assert phone.input_value("#phone") == "19900000006"
    phone.fill("#password", "grassroots-demo")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert "吴小青" in phone.inner_text("main")
