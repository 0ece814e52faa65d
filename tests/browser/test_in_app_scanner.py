"""The in-app scanner (``/scan``) reading a code from the camera.

Chromium's fake camera plays a video file instead of a real one: the file is made
from the code's own PNG as the server draws it, so the page's scanner reads the
code exactly as a phone held up to a screen or a printed poster would (the same
vendored decoder, in the page). A survey's code opens its answer page; a code of
another site is said to be none of ours and the scanner keeps looking.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import qrcode
from PIL import Image

from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.survey import Audience, Question, QuestionKind
from grassroots.settings import Settings
from tests.browser.conftest import PASSWORD, screenshot, server_env
from tests.databases import migrated
from tests.e2e.serving import free_port, running_server
from tests.integration.builders import build_world

SUPERVISOR_PHONE = "13700000002"
FRAME = (640, 480)


def write_camera_video(code_png: bytes, path: Path) -> Path:
    """A one-frame Y4M video (Chromium loops it) of the code on a white page.

    The chroma planes are flat grey: a code is black on white, the luma is all a
    decoder reads.
    """
    code = Image.open(io.BytesIO(code_png)).convert("L")
    # The scanner reads the middle two thirds of the frame, as a person centres a
    # code in the box on the screen.
    side = min(FRAME) * 3 // 5
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", FRAME, 255)
    frame.paste(code, ((FRAME[0] - side) // 2, (FRAME[1] - side) // 2))
    chroma = bytes([128]) * (FRAME[0] // 2 * FRAME[1] // 2)
    header = f"YUV4MPEG2 W{FRAME[0]} H{FRAME[1]} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + frame.tobytes() + chroma + chroma)
    return path


@dataclass(frozen=True)
class Site:
    base: str
    survey_id: UUID
    token: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
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
    now = datetime.now(UTC)
    survey_id = app.design_survey(
        title="青年需求调研",
        intro="请花两分钟填写",
        org_unit_id=world.township,
        audience=Audience.ANYONE_WITH_LINK,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        questions=[Question("", "满意度", QuestionKind.RATING)],
        designed_by=uuid4(),
    )
    app.publish_survey(survey_id, published_by=uuid4())
    app.close()
    with running_server(port, env, tmp_path), httpx.Client(base_url=base, timeout=30) as api:
        session = api.post(
            "/api/v1/sessions", json={"phone": SUPERVISOR_PHONE, "password": PASSWORD}
        )
        assert session.status_code == 201, session.text
        yield Site(base, survey_id, session.json()["access_token"])


def _phone_with_camera(chromium: Callable[..., Any], video: Path, base: str) -> tuple[Any, Any]:
    browser = chromium(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.grant_permissions(["camera"], origin=base)
    return browser, context.new_page()


def test_the_scanner_opens_a_survey_from_its_code_on_the_camera(
    chromium: Callable[..., Any], site: Site, tmp_path: Path
) -> None:
    png = httpx.get(
        f"{site.base}/api/v1/surveys/{site.survey_id}/code.png",
        headers={"Authorization": f"Bearer {site.token}"},
        timeout=30,
    )
    assert png.status_code == 200, png.text
    video = write_camera_video(png.content, tmp_path / "survey-code.y4m")
    browser, phone = _phone_with_camera(chromium, video, site.base)
    try:
        phone.goto(f"{site.base}/scan")
        phone.wait_for_url(f"{site.base}/s/{site.survey_id}", timeout=20_000)
        screenshot(phone, "scanner-opened-a-survey")
        assert "青年需求调研" in phone.inner_text("h1")
    finally:
        browser.close()


def test_a_code_of_another_site_is_refused_and_the_scanner_keeps_looking(
    chromium: Callable[..., Any], site: Site, tmp_path: Path
) -> None:
    out = io.BytesIO()
    qrcode.make("https://example.com/S/ABCDEFGH").save(out)
    video = write_camera_video(out.getvalue(), tmp_path / "foreign-code.y4m")
    browser, phone = _phone_with_camera(chromium, video, site.base)
    try:
        phone.goto(f"{site.base}/scan")
        phone.wait_for_selector("[data-not-ours]:not([hidden])", timeout=20_000)
        screenshot(phone, "scanner-foreign-code")
        assert "这不是本平台的二维码" in phone.inner_text("[data-not-ours]")
        assert phone.url == f"{site.base}/scan"
    finally:
        browser.close()
