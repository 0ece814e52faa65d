"""Youth center staff at the desk on a laptop (1280x800): the center's activities, an
activity's roster with names and masked phones, and a minute count corrected with a
reason. The server holds the demo organisation (``grassroots demo``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import screenshot

DEMO_STAFF = "19900000003"
DEMO_PASSWORD = "grassroots-demo"
MASKED = re.compile(r"^1\d\d\*\*\*\*\d{4}$")


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_staff_open_a_roster_and_correct_minutes_with_a_reason(laptop: Any, demo_site: str) -> None:
    page = laptop
    page.goto(demo_site + "/login?next=/desk/")
    page.fill("#phone", DEMO_STAFF)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()

    # One center: the desk opens on it, its activities by where they stand in time.
    assert "/desk/centers/" in page.url
    headings = page.locator(".phase h2").all_inner_texts()
    assert [h.split()[0] for h in headings] == ["进行中", "即将开始", "已结束"]
    screenshot(page, "desk-center-1280")

    # The latest past activity with an attendance that can lose ten minutes: closed
    # (one still in is offered no correction) and credited at least ten.
    row, before = _correctable(page, demo_site)
    line = row.get_attribute("id")
    phones = page.locator(".roster .phone").all_inner_texts()
    assert phones
    assert all(MASKED.match(p) for p in phones), phones
    screenshot(page, "desk-roster-1280")

    row.locator("summary").click()
    row.locator("input[name=minutes]").fill("-10")
    row.locator("input[name=reason]").fill("提前离场十分钟，现场核实")
    screenshot(page, "desk-correction-form-1280")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()

    assert "服务时长已更正" in page.locator(".notice").inner_text()
    corrected = page.locator(f"tr#{line}")
    assert int(corrected.locator("td.num strong").inner_text()) == before - 10
    assert "更正 -10" in corrected.locator("td.num").inner_text()
    screenshot(page, "desk-corrected-1280")
    # Nothing wider than the screen, on the laptop and on a tablet held upright.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.set_viewport_size({"width": 768, "height": 1024})
    screenshot(page, "desk-roster-tablet-768")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    # And on a phone, should nothing else be at hand: each line a card.
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "desk-roster-phone-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The forms to post and to change an activity, looked at on the laptop.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.click(".crumbs a >> nth=1")
    page.click("text=发布活动")
    assert page.inner_text("h1") == "发布活动"
    screenshot(page, "desk-new-activity-1280")
    page.go_back()
    page.locator(".phase-upcoming .activity").first.click()
    page.click("text=修改 / 取消")
    screenshot(page, "desk-edit-activity-1280")
    assert page.locator("#title").input_value()


def _correctable(page: Any, demo_site: str) -> tuple[Any, int]:
    """Open past activities, latest first, until one has a row to take ten minutes off
    that no one has corrected yet (its line then reads exactly -10)."""
    past = page.locator(".phase-past .activity:not(.cancelled)")
    links = [past.nth(i).get_attribute("href") or "" for i in range(min(past.count(), 10))]
    assert links, "the demo center has no past activity"
    for link in links:
        page.goto(demo_site + link)
        attended = page.locator("section").filter(has=page.locator("h2", has_text="到场签到"))
        rows = attended.locator("tbody tr")
        for i in range(rows.count()):
            row = rows.nth(i)
            minutes = int(row.locator("td.num strong").inner_text())
            corrected_before = row.locator("td.num .muted").count()
            if row.locator("details.correct").count() and minutes >= 10 and not corrected_before:
                return row, minutes
    raise AssertionError("no closed attendance of ten minutes or more in ten past activities")
