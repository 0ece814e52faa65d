"""A supervisor designs a survey in the browser and publishes it; its QR code, decoded
from its PNG, opens the answer page on a phone; the answer shows on the supervisor's
results page, already open, without a reload (its live stream).

A real ``grassroots serve``; the organisation and the supervisor's account are made
through the application before the server starts. The phone is a 390x844 context
without an account (an anonymous answer), the supervisor a 1280x800 one.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image

from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot, server_env
from tests.databases import migrated
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import build_world

SUPERVISOR_PHONE = "13700000002"


def test_a_designed_survey_is_answered_from_its_qr_code_and_its_results_follow_live(
    browser: Any, phone: Any, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(port, tmp_path)
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrated(settings.database_url)
    app = build_application(settings)
    world = build_world(app)
    app.open_account(
        phone=SUPERVISOR_PHONE,
        name="街道团工委",
        password=PASSWORD,
        grants=[Grant(Role.SUPERVISOR, world.township)],
    )
    app.close()

    with running_server(port, env, tmp_path):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = context.new_page()
        try:
            survey_id = _design_and_publish(page, base)
            png = context.request.get(f"{base}/surveys/{survey_id}/code.png")
            assert png.status == 200, png.text()
            codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body())))
            assert [c.text for c in codes] == [f"{base}/s/{survey_id}"]

            # The results page is open before the answer comes, and stays the same page.
            page.goto(f"{base}/s/{survey_id}/results")
            page.wait_for_selector(".survey-count")
            assert "共 0 份答卷" in page.inner_text(".survey-count")
            page.evaluate("window.stillTheSamePage = true")

            phone.goto(codes[0].text)
            phone.get_by_label("助老").check()
            phone.locator("fieldset[data-key=q2] input[value='4']").check()
            screenshot(phone, "survey-answer-form-on-a-phone")
            phone.click("button[type=submit]")
            phone.wait_for_selector(".done")
            screenshot(phone, "survey-answered-on-a-phone")

            page.wait_for_function(
                "document.querySelector('.survey-count').textContent.includes('共 1 份答卷')",
                timeout=15000,
            )
            assert page.evaluate("window.stillTheSamePage") is True
            assert page.locator("[data-reconnecting]").is_hidden()
            screenshot(page, "survey-results-for-the-supervisor")
            first = page.locator("section[data-key=q1] .bar-count").nth(1).inner_text()
            assert first.startswith("1 ")
        finally:
            context.close()

        _screens_on_a_phone(browser, base, survey_id)


def _log_in(page: Any, base: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#phone", SUPERVISOR_PHONE)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def _design_and_publish(page: Any, base: str) -> str:
    """The supervisor designs the survey in the browser, adds a row, saves and publishes."""
    _log_in(page, base, "/dispatch/")
    page.click("a[data-surveys]")
    page.wait_for_selector("text=设计新问卷")
    page.click("text=设计新问卷")
    page.fill("#sv-title", "青年需求调研")
    page.fill("#sv-intro", "请花两分钟填写")
    page.fill("#q0-prompt", "最常参加哪类活动？")
    page.fill("#q0-options", "环保\n助老")
    page.fill("#q1-prompt", "满意度")
    page.select_option("#q1-kind", "rating")
    page.click("button[name=add]")  # the form again, one row more, nothing lost
    assert page.input_value("#q0-prompt") == "最常参加哪类活动？"
    page.fill("#q3-prompt", "建议")
    page.select_option("#q3-kind", "text")
    page.uncheck("input[name=q3_required]")
    screenshot(page, "survey-design-form")
    page.click("form.survey-design button[type=submit]:not([name])")
    page.wait_for_selector("[data-publish]")
    page.click("[data-publish]")
    page.wait_for_selector("[data-state=published]")
    screenshot(page, "survey-published")
    survey_id = page.url.split("/surveys/")[1].split("?")[0]
    page.goto(f"{base}/surveys/{survey_id}/code")
    page.wait_for_selector("img.survey-code")
    assert page.evaluate("document.querySelector('img.survey-code').naturalWidth") > 0
    screenshot(page, "survey-printable-code")
    return survey_id


def _screens_on_a_phone(browser: Any, base: str, survey_id: str) -> None:
    """The list, one survey and its design form at a phone's width: nothing wider than it."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="zh-CN"
    )
    page = context.new_page()
    try:
        _log_in(page, base, "/surveys/")
        for path, name in (
            ("/surveys/", "survey-list-on-a-phone"),
            (f"/surveys/{survey_id}", "survey-manage-on-a-phone"),
            ("/surveys/new", "survey-design-on-a-phone"),
            (f"/s/{survey_id}/results", "survey-results-on-a-phone"),
        ):
            page.goto(base + path)
            screenshot(page, name)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    finally:
        context.close()
