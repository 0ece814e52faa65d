"""Browser tests: the system's Chromium (Debian's ``chromium``) driven by Playwright.

No browser is downloaded: Playwright is pointed at ``/usr/bin/chromium`` (or
``GRASSROOTS_CHROMIUM``). Without it these tests skip and say what to install,
except where ``GRASSROOTS_REQUIRE_BROWSER=1`` (CI), where a missing browser fails.
Screenshots go to tests/browser/screenshots/ (not committed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.serving import free_port, running_server

SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "correct horse battery staple"
ADMIN_PHONE = "13900000000"
INSTALL = "apt-get install -y chromium fonts-noto-cjk (and pip install -e '.[dev]' for playwright)"


def _chromium() -> str | None:
    named = os.environ.get("GRASSROOTS_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str) -> None:
    if os.environ.get("GRASSROOTS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GRASSROOTS_REQUIRE_BROWSER=1 but {reason}: {INSTALL}")
    else:
        # Only on a machine without a browser; CI sets GRASSROOTS_REQUIRE_BROWSER=1.
        pytest.skip(
            f"{reason}: {INSTALL}, or set GRASSROOTS_CHROMIUM to a Chromium binary "
            "(GRASSROOTS_REQUIRE_BROWSER=1 makes this a failure)"
        )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Callable[..., Any]]:
    """Launches the system's Chromium with extra switches: ``chromium(*args)``.

    One Playwright driver serves the session (a second one cannot start beside it).
    """
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium found (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the python package playwright is not installed")
    with sync_playwright() as playwright:
        launched: list[Any] = []

        def launch(*args: str) -> Any:
            # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", *args]
            )
            launched.append(browser)
            return browser

        yield launch
        for browser in launched:
            if browser.is_connected():
                browser.close()


@pytest.fixture(scope="session")
def browser(chromium: Callable[..., Any]) -> Any:
    return chromium()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a fresh context the size of a common phone (390x844)."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    yield context.new_page()
    context.close()


@dataclass(frozen=True)
class Served:
    base: str
    env: dict[str, str]
    workdir: Path

    def user(self, phone: str, name: str, *grants: str) -> str:
        """An account made the way an operator makes one (``grassroots users create``)."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "grassroots",
                "users",
                "create",
                "--phone",
                phone,
                "--name",
                name,
                *(arg for grant in grants for arg in ("--grant", grant)),
            ],
            input=PASSWORD + "\n",
            env=self.env,
            cwd=self.workdir,
            check=True,
            text=True,
            capture_output=True,
            timeout=30,
        )
        return phone


def server_env(port: int, workdir: Path, **settings: str) -> dict[str, str]:
    """The environment of one test's own server: this process's, without any
    GRASSROOTS_ setting of the machine, then its port, data dir, secret, public URL
    (codes and certificates name the server, so a phone can open what it reads) and
    ``settings`` (``QR_ROTATION_SECONDS="15"`` sets ``GRASSROOTS_QR_ROTATION_SECONDS``)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_PORT": str(port),
            "GRASSROOTS_DATA_DIR": str(workdir / "var"),
            "GRASSROOTS_SECRET_KEY": "browser-tests-" + "x" * 40,
            "GRASSROOTS_PUBLIC_URL": f"http://127.0.0.1:{port}",
            **{f"GRASSROOTS_{name}": value for name, value in settings.items()},
        }
    )
    return env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    env = server_env(port, tmp_path)
    site = Served(f"http://127.0.0.1:{port}", env, tmp_path)
    site.user(ADMIN_PHONE, "管理员", "administrator")
    with running_server(port, env, tmp_path):
        yield site


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def demo_site(tmp_path: Path) -> Iterator[str]:
    """A server holding the demo organisation (``grassroots demo``): its base URL."""
    port = free_port()
    env = server_env(port, tmp_path)
    subprocess.run(
        [sys.executable, "-m", "grassroots", "demo"],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=300,
    )
    with running_server(port, env, tmp_path):
        yield f"http://127.0.0.1:{port}"
