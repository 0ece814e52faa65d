"""The supervisor's weekly dispatch in a desk browser (1280x800) over the demo county:
the statuses the API gives for the week, and both charts drawn."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from grassroots.demo import DEMO_PASSWORD
from tests.browser.conftest import Served, screenshot, server_env
from tests.e2e.serving import free_port, running_server

DEMO_SUPERVISOR = "19900000002"
# The share of a chart's canvas that must be drawn on (not blank) for it to count as drawn.
DRAWN = 0.01
# Counts the canvas pixels that are not blank (transparent or white).
_DRAWN_SHARE = """(selector) => {
  const canvas = document.querySelector(selector + " canvas");
  if (!canvas) { return 0; }
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) { inked++; }
  }
  return inked / (canvas.width * canvas.height);
}"""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Served]:
    """A server over the demo organisation (``grassroots demo`` on an empty store)."""
    port = free_port()
    env = server_env(port, tmp_path)
    subprocess.run(
        [sys.executable, "-m", "grassroots", "demo"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=180,
    )
    with running_server(port, env, tmp_path):
        yield Served(f"http://127.0.0.1:{port}", env, tmp_path)


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context.new_page()
    context.close()


def _api_statuses(base: str, unit_id: str, week: str) -> dict[str, str]:
    with httpx.Client(base_url=base) as api:
        session = api.post(
            "/api/v1/sessions", json={"phone": DEMO_SUPERVISOR, "password": DEMO_PASSWORD}
        )
        session.raise_for_status()
        token = session.json()["access_token"]
        answer = api.get(
            f"/api/v1/org-units/{unit_id}/dispatch",
            params={"week": week},
            headers={"Authorization": f"Bearer {token}"},
        )
        answer.raise_for_status()
        return {c["cadre_id"]: c["status"] for c in answer.json()["cadres"]}


def test_a_supervisor_sees_last_weeks_statuses_and_both_charts(desk: Any, demo: Served) -> None:
    desk.goto(demo.base + "/login?next=/dispatch/")
    desk.fill("#phone", DEMO_SUPERVISOR)
    desk.fill("#password", DEMO_PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_url(demo.base + "/dispatch/")
    # Last week is whole: every cadre's visits of it are seeded.
    desk.click("a[rel=prev]")
    desk.wait_for_url(re.compile(r".*week=\d{4}-W\d\d"))
    unit_id, week = re.search(r"unit=([0-9a-f-]+)&week=(\d{4}-W\d\d)", desk.url).groups()  # type: ignore[union-attr]
    desk.wait_for_function(
        "() => document.querySelectorAll('#chart-units canvas, #chart-trend canvas').length == 2"
    )
    desk.wait_for_timeout(300)
    screenshot(desk, "dispatch-desk")

    shown = dict(
        desk.eval_on_selector_all(
            "tr[data-cadre]", "rows => rows.map(r => [r.dataset.cadre, r.dataset.status])"
        )
    )
    assert shown == _api_statuses(demo.base, unit_id, week)
    assert set(shown.values()) - {"met"}, "the demo's last week has cadres who lag"
    assert "达标" in desk.inner_text(".standings")
    for chart in ("#chart-units", "#chart-trend"):
        assert desk.evaluate(_DRAWN_SHARE, chart) > DRAWN, f"{chart} is blank"

    _prints_on_a4(desk)

    desk.click("tr[data-status=met] a")
    desk.wait_for_url(re.compile(r".*/dispatch/cadres/"))
    screenshot(desk, "dispatch-cadre")
    assert "本周走访" in desk.inner_text("main")
    assert desk.locator(".visits li.card").count() >= 1


def test_the_dispatch_reads_on_a_phone_in_english(phone: Any, demo: Served) -> None:
    phone.goto(demo.base + "/login?next=/dispatch/%3Flang%3Den")
    phone.fill("#phone", DEMO_SUPERVISOR)
    phone.fill("#password", DEMO_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(r".*/dispatch/\?lang=en"))
    phone.wait_for_function("() => document.querySelectorAll('#chart-trend canvas').length == 1")
    screenshot(phone, "dispatch-phone-en")

    assert "Weekly dispatch" in phone.inner_text("h1")
    assert "Share met by unit" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def _prints_on_a4(desk: Any) -> None:
    """Printed (A4 at 96 dpi, 794 px wide): no red bar, week links or download
    buttons, and the charts redrawn to the paper's width, not cut off at its edge."""
    desk.set_viewport_size({"width": 794, "height": 1123})
    desk.emulate_media(media="print")
    desk.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    desk.wait_for_timeout(300)
    screenshot(desk, "dispatch-printed")

    for hidden in (".bar", ".downloads", "a[rel=prev]"):
        shown = desk.eval_on_selector(hidden, "e => getComputedStyle(e).display")
        assert shown == "none", hidden
    for chart in ("#chart-units", "#chart-trend"):
        right = desk.eval_on_selector(chart + " canvas", "c => c.getBoundingClientRect().right")
        assert right <= 794, f"{chart} runs off the page ({right} px)"
    assert desk.evaluate("document.documentElement.scrollWidth") <= 794
    desk.emulate_media(media="screen")
    desk.set_viewport_size({"width": 1280, "height": 800})
