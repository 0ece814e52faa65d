"""What a page refuses, in a real browser: a volunteer cannot open the center desk or a
center's roster (both answer like a missing page), and a form sent without its CSRF
token is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import screenshot

DEMO_STAFF = "19900000003"
DEMO_VOLUNTEER = "19900000006"
DEMO_PASSWORD = "grassroots-demo"


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _log_in(page: Any, base: str, phone: str, next_path: str = "/") -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#phone", phone)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _a_past_roster(page: Any, base: str) -> str:
    """The path of the roster of a past activity with a correction form on it, as
    staff see it (an attendee still in has none, so the latest may have none yet)."""
    _log_in(page, base, DEMO_STAFF, "/desk/")
    past = page.locator(".phase-past a.activity:not(.cancelled)")
    links = [str(past.nth(i).get_attribute("href")) for i in range(min(past.count(), 10))]
    for link in links:
        page.goto(base + link)
        if page.locator("form[action*='/adjustments']").count():
            return link
    raise AssertionError("no correction form in the ten latest past activities")


def test_a_volunteer_cannot_open_the_desk_or_a_centers_roster(
    laptop: Any, phone: Any, demo_site: str
) -> None:
    roster = _a_past_roster(laptop, demo_site)
    assert laptop.goto(demo_site + roster).status == 200

    _log_in(phone, demo_site, DEMO_VOLUNTEER)
    for path in ("/desk/", roster):
        answer = phone.goto(demo_site + path)
        assert answer.status == 404, path
        assert "页面不存在" in phone.content()
        assert "到场签到" not in phone.content()
    screenshot(phone, "refused-volunteer-at-desk-390")


def test_a_correction_sent_without_its_form_token_is_refused_and_changes_nothing(
    laptop: Any, demo_site: str
) -> None:
    page = laptop
    roster = _a_past_roster(page, demo_site)
    page.goto(demo_site + roster)
    form = page.locator("form[action*='/adjustments']").first
    action = str(form.get_attribute("action"))
    minutes_before = page.locator("td.num strong").all_inner_texts()

    # The same fields the form sends, with the session cookie, but no _csrf_token.
    answer = page.request.post(
        demo_site + action, form={"minutes": "-10", "reason": "未带表单令牌"}
    )

    assert answer.status == 403
    page.goto(demo_site + roster)
    assert page.locator("td.num strong").all_inner_texts() == minutes_before
    assert "未带表单令牌" not in page.content()
