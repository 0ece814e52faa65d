"""The cadre's phone in a real browser: open the point's code URL logged out, log in,
start the visit with one tap, write a log line, record a youth, raise a problem, end
it, see the standing page.

A real ``grassroots serve``; the organisation, the cadre (with one visit earlier
today, so the standing has something counted) and the account are made through the
application before the server starts. The phone is a 390x844 context.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import pytest

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.qr_token import POINT_PATH, QrSubject, SubjectKind, scan_url
from grassroots.domain.visit import Visit
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot, server_env
from tests.conftest import FakeClock
from tests.databases import migrated
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import build_world, register_cadre

CADRE_PHONE = "13700000001"


@dataclass(frozen=True)
class Field:
    base: str
    app: Grassroots
    clock: FakeClock
    point_id: Any

    def scanned_url(self) -> str:
        """What a phone's camera reads off the point's screen right now."""
        self.clock.set(datetime.now(UTC))
        code = self.app.rotating_code(QrSubject(SubjectKind.POINT, self.point_id))
        return scan_url(self.base, code.token, path=POINT_PATH)


@pytest.fixture
def field(browser: Any, tmp_path: Path) -> Iterator[Field]:
    # ``browser`` first: without Chromium the test skips before any set-up.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(port, tmp_path)
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrated(settings.database_url)
    clock = FakeClock(datetime.now(UTC) - timedelta(hours=3))
    app = build_application(settings, clock=clock)
    world = build_world(app)
    cadre = register_cadre(app, world)
    app.open_account(
        phone=CADRE_PHONE, name="李书记", password=PASSWORD, grants=[Grant(Role.CADRE, cadre)]
    )
    app.add_contact(cadre, name="赵青年", phone="13512345678", walk_of_life="外卖骑手")
    # An earlier visit today, long enough to count.
    code = app.rotating_code(QrSubject(SubjectKind.POINT, world.point))
    earlier = app.start_visit(cadre, world.point, token=code.token)
    clock.advance(minutes=70)
    app.log_visit(earlier, "走访东风社区，了解青年就业需求")
    app.end_visit(earlier)
    with running_server(port, env, tmp_path):
        yield Field(base=base, app=app, clock=clock, point_id=world.point)


def test_a_cadre_scans_the_points_code_starts_a_visit_logs_it_ends_it_and_sees_the_standing(
    phone: Any, field: Field
) -> None:
    scanned = field.scanned_url()
    assert re.fullmatch(r"HTTP://127\.0\.0\.1:\d+/P/[A-Z2-7]{56}", scanned), scanned

    # A camera app opens the text as it is; logged out, the log-in comes first.
    phone.goto(scanned)
    assert urlsplit(phone.url).path == "/login"
    phone.fill("#phone", CADRE_PHONE)
    phone.fill("#password", PASSWORD)
    phone.click("main button[type=submit]")
    phone.wait_for_selector("text=东风社区联系点")
    assert urlsplit(phone.url).path == urlsplit(scanned).path
    screenshot(phone, "cadre-start-visit")

    phone.click("button:has-text('开始走访')")
    phone.wait_for_url(re.compile(r".*/cadre/visits/[0-9a-f-]{36}$"))
    visit_id = phone.url.rsplit("/", 1)[1]
    phone.fill("#log-text", "与社区书记座谈，青年之家周末开放时间需调整")
    phone.click("button:has-text('保存日志')")
    phone.wait_for_selector("text=与社区书记座谈")
    phone.fill("#youth-name", "赵青年")
    phone.select_option("#youth-contact", label="赵青年")
    phone.click("button:has-text('记录见面')")
    phone.wait_for_selector(".entries >> text=名单内")
    phone.click("summary:has-text('反馈一个问题')")
    phone.fill("#problem-title", "篮球场照明坏了")
    phone.fill("#problem-description", "晚上打球的青年反映灯不亮，已两周")
    phone.click("button:has-text('提交问题')")
    phone.wait_for_selector("text=待答复")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "cadre-visit-under-way")

    visit = field.app.get(Visit, UUID(visit_id))
    assert [text for _, text in visit.log] == ["与社区书记座谈，青年之家周末开放时间需调整"]
    assert [name for _, name in visit.youths_met] == ["赵青年"]
    assert len(visit.problem_ids) == 1

    phone.click("button:has-text('结束走访')")
    phone.wait_for_selector("text=走访已结束")
    assert urlsplit(phone.url).path == "/cadre/"
    main = phone.inner_text("main")
    assert "本周“8+4”" in main
    assert "已达标" in main  # the earlier visit today counts this week
    assert "本月“8+4”" in main
    assert "还需" in main or "还差" in main  # what the month still asks for, in words
    assert "“1+100”" in main
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "cadre-standing")

    phone.goto(f"{field.base}/cadre/visits/{visit_id}?lang=en")
    assert "End the visit" not in phone.inner_text("main")  # ended: no more forms
    phone.goto(f"{field.base}/cadre/")
    assert '"8+4" this week' in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "cadre-standing-en")
    assert field.app.get(Visit, visit.id).ended_at is not None
