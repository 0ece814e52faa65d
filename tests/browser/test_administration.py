"""The league office's administrator on a laptop (1280x800), in the demo organisation:
from the first screen to 管理后台, down the tree to a community, a new staff member
given the community's youth center (a new account), who then logs in and finds the
center's desk; the account found again by number and disabled with a reason. The
pages fit a tablet and a phone too. The server holds the demo organisation
(``grassroots demo``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import screenshot

DEMO_ADMIN = "19900000001"
DEMO_PASSWORD = "grassroots-demo"
NEW_STAFF = "13912340001"
NEW_CADRE = "13912340002"
MASKED = re.compile(r"^1\d\d\*\*\*\*\d{4}$")


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _log_in(page: Any, base: str, phone: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#phone", phone)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _fits(page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_an_administrator_gives_a_new_staff_member_a_center_and_disables_the_account(
    laptop: Any, demo_site: str
) -> None:
    page = laptop
    _log_in(page, demo_site, DEMO_ADMIN, DEMO_PASSWORD, "/")
    page.click("a.tile[href='/admin/']")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "管理后台"
    screenshot(page, "admin-home-1280")

    # Down the tree, by the names people know, to a unit with a youth center.
    centers = page.locator("section.centers td .name")
    for _ in range(5):
        if centers.count():
            break
        page.locator("ul.activities a.activity").first.click()
        page.wait_for_load_state()
    center = centers.first.inner_text()
    unit_url = page.url
    screenshot(page, "admin-unit-1280")
    # Closing a center asks for the reason, beside its row (not sent here).
    row = page.locator("section.centers tbody tr").first
    closing = row.locator("details", has=page.locator("summary", has_text="关闭"))
    closing.locator("summary").click()
    assert closing.locator("input[name=reason]").is_visible()
    screenshot(page, "admin-close-center-1280")
    closing.locator("summary").click()

    # Its details change from the same row, the form holding what is there now.
    change = row.locator("details", has=page.locator("summary", has_text="修改"))
    change.locator("summary").click()
    address = change.locator("input[name=address]")
    assert address.input_value()
    assert change.locator("input[name=lat]").input_value()
    moved_to = address.input_value() + "（东门）"
    address.fill(moved_to)
    screenshot(page, "admin-change-center-1280")
    change.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "青年之家信息已修改" in page.locator(".notice").inner_text()
    assert moved_to in page.locator("section.centers tbody tr").first.inner_text()

    page.click("summary:has-text('添加工作人员或督导')")
    page.select_option("#account-role", label=f"青年之家工作人员：{center}")
    page.fill("#account-phone", NEW_STAFF)
    page.fill("#account-name", "孙老师")
    page.fill("#account-password", "first password 1")
    screenshot(page, "admin-give-role-1280")
    page.click("form[action$='/accounts'] button[type=submit]")
    page.wait_for_load_state()

    assert "账号已开设" in page.locator(".notice").inner_text()
    assert f"青年之家工作人员：{center}" in page.inner_text("main")
    account_url = page.url.split("?")[0]
    screenshot(page, "admin-account-1280")

    # The unit lists the new account, its number masked.
    page.goto(unit_url)
    row = page.locator("section.accounts tr", has_text="孙老师")
    assert MASKED.match(row.locator(".phone").inner_text())
    _fits(page, 768)
    screenshot(page, "admin-unit-tablet-768")
    _fits(page, 390)
    screenshot(page, "admin-unit-phone-390")
    page.set_viewport_size({"width": 1280, "height": 800})

    # The new staff member logs in with the first password and finds the desk.
    staff = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    desk = staff.new_page()
    _log_in(desk, demo_site, NEW_STAFF, "first password 1", "/desk/")
    assert center in desk.inner_text("main")
    staff.close()

    # Found again by number from the accounts page, and disabled with a reason.
    page.goto(f"{demo_site}/admin/accounts")
    phones = page.locator(".roster .phone").all_inner_texts()
    assert phones
    assert all(MASKED.match(p) for p in phones), phones
    screenshot(page, "admin-accounts-1280")
    page.fill("#find-phone", NEW_STAFF)
    page.click("form[method=get] button[type=submit]")
    page.wait_for_load_state()
    assert page.url.split("?")[0] == account_url
    page.fill("#disable-reason", "调离岗位")
    page.click("form[action$='/disable'] button[type=submit]")
    page.wait_for_load_state()
    assert "账号已停用" in page.locator(".notice").inner_text()
    assert "已停用，原因：调离岗位" in page.inner_text("main")
    screenshot(page, "admin-account-disabled-1280")

    refused = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    again = refused.new_page()
    _log_in(again, demo_site, NEW_STAFF, "first password 1", "/desk/")
    assert "/login" in again.url
    refused.close()


def test_an_administrator_registers_a_cadre_at_a_county_who_then_logs_in(
    laptop: Any, demo_site: str
) -> None:
    page = laptop
    _log_in(page, demo_site, DEMO_ADMIN, DEMO_PASSWORD, "/admin/")
    # Down the tree to the county: its cadres are linked to its villages' points.
    for _ in range(4):
        if "县（演示）" in page.inner_text("h1"):
            break
        page.locator("ul.activities a.activity").first.click()
        page.wait_for_load_state()
    assert "县（演示）" in page.inner_text("h1")
    cadres_before = page.locator("section.cadres tbody tr").count()

    page.click("summary:has-text('登记团干部')")
    page.fill("#cadre-name", "周书记")
    page.select_option("#cadre-kind", label="挂职")
    new_cadre = page.locator("form[action$='/cadres']")
    points = new_cadre.locator("fieldset.points-choice input[type=checkbox]")
    assert points.count() > 1
    point = new_cadre.locator("fieldset.points-choice label").first.inner_text().strip()
    points.first.check()
    page.fill("#cadre-phone", NEW_CADRE)
    page.fill("#cadre-password", "first password 2")
    screenshot(page, "admin-new-cadre-1280")
    page.click("form[action$='/cadres'] button[type=submit]")
    page.wait_for_load_state()

    assert "账号已开设" in page.locator(".notice").inner_text()
    assert "团干部：周书记" in page.inner_text("main")
    page.go_back()
    page.reload()
    row = page.locator("section.cadres tbody tr", has_text="周书记")
    assert page.locator("section.cadres tbody tr").count() == cadres_before + 1
    assert point in row.inner_text()
    screenshot(page, "admin-cadres-1280")

    # A second point for the new cadre, from their row.
    row.locator("summary:has-text('调整联系点')").click()
    boxes = row.locator("input[type=checkbox]")
    assert boxes.nth(0).is_checked()
    boxes.nth(1).check()
    screenshot(page, "admin-cadre-points-1280")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "团干部的联系点已调整" in page.locator(".notice").inner_text()
    row = page.locator("section.cadres tbody tr", has_text="周书记")
    assert row.locator("td").nth(2).inner_text().count("、") == 1

    cadre = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    start = cadre.new_page()
    _log_in(start, demo_site, NEW_CADRE, "first password 2", "/cadre/")
    assert "本周“8+4”" in start.inner_text("main")
    cadre.close()
