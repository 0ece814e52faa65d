"""A real `grassroots serve` process for the end-to-end tests: started on a free port,
waited for until /health answers, and always stopped."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from tests.databases import migrated
from tests.integration.builders import build_world, post_activity


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(port: int, env: Mapping[str, str], workdir: Path) -> Iterator[None]:
    """`grassroots serve` with ``env`` (which names ``port``), its log in ``workdir``."""
    with (workdir / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "grassroots", "serve"],
            env=dict(env),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_health(port, process)
            yield
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                assert json.load(r)["status"] == "ok"
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer within 30 seconds")


def volunteers_at_an_open_activity(
    env: Mapping[str, str], count: int, *, password: str, phone_prefix: str = "1370000"
) -> tuple[Grassroots, UUID, list[tuple[str, UUID]]]:
    """A migrated store with an activity open for check-in (starting in 5 minutes) and
    ``count`` volunteers signed up to it, each with an account: (app, activity, [(phone,
    volunteer id)]). The caller closes the app."""
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrated(settings.database_url, schema=settings.database_schema)
    app = build_application(settings)
    world = build_world(app)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    activity = post_activity(app, world, starts_at=starts, capacity=count)
    people = []
    for i in range(count):
        phone = f"{phone_prefix}{i:04d}"
        volunteer = app.register_volunteer(
            name=f"志愿者{i}", phone=phone, birth_date=date(2000, 1, 1), org_unit_id=world.village
        )
        app.open_account(
            phone=phone,
            name=f"志愿者{i}",
            password=password,
            grants=[Grant(Role.VOLUNTEER, volunteer)],
        )
        app.sign_up(activity, volunteer)
        people.append((phone, volunteer))
    return app, activity, people
