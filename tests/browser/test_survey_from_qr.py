"""A survey's QR code, decoded from its PNG, opens the answer page on a phone; the
answer shows on the supervisor's results page.

A real ``grassroots serve``; the organisation, the survey and the supervisor's account
are made through the application before the server starts. The phone is a 390x844
context without an account (an anonymous answer), the supervisor a 1280x800 one.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import zxingcpp
from PIL import Image

from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.survey import Audience, Question, QuestionKind
from grassroots.migrating import upgrade
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import build_world

SUPERVISOR_PHONE = "13700000002"


def test_a_phone_answers_a_survey_from_its_qr_code_and_the_supervisor_sees_it(
    browser: Any, phone: Any, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_PORT": str(port),
            "GRASSROOTS_DATA_DIR": str(tmp_path / "var"),
            "GRASSROOTS_SECRET_KEY": "browser-tests-" + "x" * 40,
            "GRASSROOTS_PUBLIC_URL": base,
        }
    )
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    app = build_application(settings)
    world = build_world(app)
    app.open_account(
        phone=SUPERVISOR_PHONE,
        name="街道团工委",
        password=PASSWORD,
        grants=[Grant(Role.SUPERVISOR, world.township)],
    )
    now = datetime.now(UTC)
    survey_id = app.design_survey(
        title="青年需求调研",
        intro="请花两分钟填写",
        org_unit_id=world.township,
        audience=Audience.ANYONE_WITH_LINK,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        questions=[
            Question(
                "", "最常参加哪类活动？", QuestionKind.SINGLE_CHOICE, options=("环保", "助老")
            ),
            Question("", "满意度", QuestionKind.RATING),
        ],
        designed_by=uuid4(),
    )
    app.publish_survey(survey_id, published_by=uuid4())
    app.close()

    with running_server(port, env, tmp_path):
        with httpx.Client(base_url=base, timeout=30) as api:
            session = api.post(
                "/api/v1/sessions", json={"phone": SUPERVISOR_PHONE, "password": PASSWORD}
            )
            token = session.json()["access_token"]
            png = api.get(
                f"/api/v1/surveys/{survey_id}/code.png",
                headers={"Authorization": f"Bearer {token}"},
            )
        assert png.status_code == 200, png.text
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
        assert [c.text for c in codes] == [f"{base}/s/{survey_id}"]

        phone.goto(codes[0].text)
        phone.get_by_label("助老").check()
        phone.locator("fieldset[data-key=q2] input[value='4']").check()
        phone.click("button[type=submit]")
        phone.wait_for_selector(".done")
        screenshot(phone, "survey-answered-on-a-phone")

        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page = context.new_page()
        try:
            page.goto(f"{base}/login?next=/s/{survey_id}/results")
            page.fill("#phone", SUPERVISOR_PHONE)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_selector(".survey-count")
            # The read model may take a moment: the page reloads itself; so do we.
            for _ in range(20):
                if "共 1 份答卷" in page.inner_text(".survey-count"):
                    break
                page.wait_for_timeout(250)
                page.reload()
            screenshot(page, "survey-results-for-the-supervisor")
            assert "共 1 份答卷" in page.inner_text(".survey-count")
            first = page.locator("section[data-key=q1] .bar-count").nth(1).inner_text()
            assert first.startswith("1 ")
        finally:
            context.close()
