"""A problem (问题反馈) in real browsers: the supervisor of the unit it is routed to opens
it on a laptop (1280x800) and answers it; the cadre who raised it opens it from the
visit on a 360-px phone and reads the answer.

A real ``grassroots serve``; the organisation, the cadre's visit and problem and both
accounts are made through the application before the server starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.problem import Problem, ProblemState
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot, server_env
from tests.conftest import FakeClock
from tests.databases import migrated
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import CENTER_PLACE, build_world, register_cadre

CADRE_PHONE = "13700000001"
SUPERVISOR_PHONE = "13700000009"
ANSWER = "已协调物业更换灯具。\n本周五前修好，修好后请再去看看。"


@dataclass(frozen=True)
class Raised:
    base: str
    settings: Settings
    visit_id: UUID
    problem_id: UUID


@pytest.fixture
def raised(browser: Any, tmp_path: Path) -> Iterator[Raised]:
    # ``browser`` first: without Chromium the test skips before any set-up.
    port = free_port()
    env = server_env(port, tmp_path)
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrated(settings.database_url)
    app = build_application(settings, clock=FakeClock(datetime.now(UTC) - timedelta(hours=1)))
    world = build_world(app)
    cadre = register_cadre(app, world)
    app.open_account(
        phone=CADRE_PHONE, name="李书记", password=PASSWORD, grants=[Grant(Role.CADRE, cadre)]
    )
    app.open_account(
        phone=SUPERVISOR_PHONE,
        name="街道团工委",
        password=PASSWORD,
        grants=[Grant(Role.SUPERVISOR, world.township)],
    )
    visit_id = app.start_visit(cadre, world.point, location=CENTER_PLACE, accuracy_m=10)
    problem_id = app.raise_problem(
        cadre,
        title="社区篮球场照明坏了",
        description="晚上打球的青年反映灯不亮，已经两周。\n物业说要等街道批经费，青年们只能早早回家。",
        org_unit_id=world.village,
        visit_id=visit_id,
    )
    with running_server(port, env, tmp_path):
        yield Raised(
            base=f"http://127.0.0.1:{port}",
            settings=settings,
            visit_id=visit_id,
            problem_id=problem_id,
        )


def _log_in(page: Any, base: str, phone: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#phone", phone)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + next_path)


def test_the_supervisor_answers_on_a_laptop_and_the_cadre_reads_it_on_a_phone(
    browser: Any, raised: Raised
) -> None:
    path = f"/feedback/{raised.problem_id}"
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    desk = laptop.new_page()
    _log_in(desk, raised.base, SUPERVISOR_PHONE, path)
    main = desk.inner_text("main")
    assert "社区篮球场照明坏了" in main
    assert "待答复" in main
    assert "东风社区" in main
    assert "李书记" in main
    # The raiser's visit is outside this supervisor's subtree: only that there was one.
    assert "走访中提出" in main
    screenshot(desk, "problem-supervisor-1280")

    desk.fill("#problem-answer", ANSWER)
    desk.click("form[action$='/answer'] button[type=submit]")
    desk.wait_for_url(f"{raised.base}{path}?done=answered")
    main = desk.inner_text("main")
    assert "答复已提交" in main
    assert "已答复" in main
    assert "本周五前修好" in main
    assert desk.locator("form[action$='/close'] button").is_visible()
    screenshot(desk, "problem-answered-1280")
    laptop.close()

    app = build_application(raised.settings)
    assert app.get(Problem, raised.problem_id).state is ProblemState.ANSWERED

    handset = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone = handset.new_page()
    _log_in(phone, raised.base, CADRE_PHONE, f"/cadre/visits/{raised.visit_id}")
    phone.click(f"a[href='{path}']")
    phone.wait_for_url(raised.base + path)
    main = phone.inner_text("main")
    assert "已答复" in main
    assert "街道团工委" in main
    # The answer as written, its line break kept.
    assert "已协调物业更换灯具。\n本周五前修好" in main
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "problem-cadre-360")
    handset.close()
