"""心得交流 in real browsers over the demo county: a cadre writes two posts on a phone
(390x844) and edits one; the county's supervisor, at a desk (1280x800), features the
earlier one, which then comes first in the list, and hides the other with a reason,
which the author then reads on the post."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from grassroots.demo import DEMO_PASSWORD
from tests.browser.conftest import screenshot

DEMO_SUPERVISOR = "19900000002"
DEMO_CADRE = "19900000004"
REASON = "文中有群众的手机号码，请删去后重新发布"


@pytest.fixture
def laptop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _log_in(page: Any, base: str, phone: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#phone", phone)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _write(page: Any, base: str, title: str, text: str) -> str:
    page.goto(f"{base}/share/new")
    page.fill("#share-title", title)
    page.fill("#share-text", text)
    page.click("form.card button[type=submit]")
    page.wait_for_load_state()
    assert re.search(r"/share/[0-9a-f-]{36}$", page.url), page.url
    return str(page.url)


def _titles(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".posts li strong").all_inner_texts()]


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_supervisor_features_one_post_and_hides_another_with_a_reason(
    phone: Any, laptop: Any, demo_site: str
) -> None:
    # The cadre writes two posts, then edits the first.
    _log_in(phone, demo_site, DEMO_CADRE, "/share/new")
    first = _write(phone, demo_site, "入户走访的三点体会", "第一，先听后说。\n\n第二，带着问题去。")
    second = _write(phone, demo_site, "青年之家活动小结", "周末组织了环境整治，十二人参加。")
    phone.goto(first)
    phone.click("text=修改")
    assert phone.locator("#share-title").input_value() == "入户走访的三点体会"
    phone.fill("#share-text", "第一，先听后说。\n\n第二，带着问题去。\n\n第三，事后回访。")
    screenshot(phone, "share-edit-390")
    _fits(phone, 390)
    phone.click("form.card button[type=submit]")
    phone.wait_for_load_state()
    assert phone.url == first
    assert "第三，事后回访。" in phone.locator(".post-text").inner_text()
    assert "已编辑" in phone.locator("main").inner_text()
    screenshot(phone, "share-post-edited-390")
    _fits(phone, 390)

    # The supervisor reads the county's posts: the newest first.
    _log_in(laptop, demo_site, DEMO_SUPERVISOR, "/share/")
    assert "示例县" in laptop.locator("main").inner_text()
    assert _titles(laptop)[:2] == ["青年之家活动小结", "入户走访的三点体会"]

    # Featured, the earlier post comes first.
    laptop.goto(first)
    laptop.click("text=设为精选")
    laptop.wait_for_load_state()
    assert laptop.locator("button", has_text="取消精选").count() == 1
    screenshot(laptop, "share-post-supervisor-1280")
    laptop.goto(f"{demo_site}/share/")
    assert _titles(laptop)[:2] == ["入户走访的三点体会", "青年之家活动小结"]
    assert "精选" in laptop.locator(".posts li").first.inner_text()
    screenshot(laptop, "share-list-supervisor-1280")
    _fits(laptop, 1280)

    # Hiding without a reason is not sent; with one, the post leaves the list.
    laptop.goto(second)
    laptop.click("text=隐藏这篇心得")
    assert laptop.url == second
    assert laptop.locator("#share-hide-reason:invalid").count() == 1
    laptop.fill("#share-hide-reason", REASON)
    laptop.click("text=隐藏这篇心得")
    laptop.wait_for_load_state()
    assert f"已被上级隐藏：{REASON}" in laptop.locator("main").inner_text()
    laptop.goto(f"{demo_site}/share/")
    assert "青年之家活动小结" not in _titles(laptop)
    assert _titles(laptop)[0] == "入户走访的三点体会"

    # The same screens on a phone.
    laptop.set_viewport_size({"width": 390, "height": 844})
    screenshot(laptop, "share-list-supervisor-390")
    _fits(laptop, 390)
    laptop.goto(first)
    screenshot(laptop, "share-post-supervisor-390")
    _fits(laptop, 390)

    # The author reads why the post was hidden; the post offers no edit any more.
    phone.goto(second)
    assert f"已被上级隐藏：{REASON}" in phone.locator("main").inner_text()
    assert phone.locator("text=修改").count() == 0
    screenshot(phone, "share-post-hidden-390")
    phone.goto(f"{demo_site}/share/?mine=1")
    assert "已隐藏" in phone.locator(".posts").inner_text()
    screenshot(phone, "share-mine-390")
    _fits(phone, 390)
