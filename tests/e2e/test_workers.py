"""`grassroots serve --workers N`: N API processes on one address and a projection worker.

On PostgreSQL and Redis, volunteers check in and out through two API processes at
once and every ledger comes out exact; on SQLite, an API process that dies is
started again, and stopping the supervisor stops every process it started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_REDIS_URL, required_service_url
from tests.e2e.serving import free_port, volunteers_at_an_open_activity

PASSWORD = "workers test password"
VOLUNTEERS = 24


def _children(pid: int) -> list[tuple[int, str]]:
    found = subprocess.run(["pgrep", "-a", "-P", str(pid)], capture_output=True, text=True)
    return [
        (int(pid_text), command)
        for pid_text, _, command in (line.partition(" ") for line in found.stdout.splitlines())
    ]


def _call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            # A new connection each time: the kernel hands each to either process.
            "Connection": "close",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}: {error.code} {error.read().decode()}") from None


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    """Yields a starter: ``start(env)`` runs ``serve --workers 2`` until the test ends."""
    started: list[subprocess.Popen[bytes]] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_PORT": str(free_port()),
            "GRASSROOTS_DATA_DIR": str(tmp_path / "var"),
            "GRASSROOTS_SECRET_KEY": "workers-" + "w" * 48,
            "GRASSROOTS_RATE_DEFAULT": "100000/60",
            "GRASSROOTS_RATE_LOG_IN": "100000/60",
            "GRASSROOTS_RATE_SCAN": "100000/60",
            "GRASSROOTS_RATE_HEALTH": "100000/60",
        }
    )
    log = (tmp_path / "supervisor.log").open("wb")

    class Starter:
        def __call__(self) -> subprocess.Popen[bytes]:
            process = subprocess.Popen(
                [sys.executable, "-m", "grassroots", "serve", "--workers", "2"],
                env=env,
                cwd=tmp_path,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            started.append(process)
            _wait_for_health(f"http://127.0.0.1:{env['GRASSROOTS_PORT']}", process)
            return process

    yield Starter(), env
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    log.close()


def _wait_for_health(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the supervisor exited early"
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as answer:
                if json.load(answer)["status"] == "ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("no API process answered within 60 seconds")


def test_check_ins_through_two_api_processes_on_postgres_and_redis_leave_every_ledger_exact(
    supervised: Any, postgres_schema: tuple[str, str]
) -> None:
    start, env = supervised
    url, schema = postgres_schema
    env.update(
        {
            "GRASSROOTS_DATABASE_URL": url,
            "GRASSROOTS_DATABASE_SCHEMA": schema,
            "GRASSROOTS_REDIS_URL": required_service_url(TEST_REDIS_URL, "Redis"),
        }
    )
    app, activity, people = volunteers_at_an_open_activity(env, VOLUNTEERS, password=PASSWORD)
    phones = [phone for phone, _ in people]
    supervisor = start()
    commands = [command for _, command in _children(supervisor.pid)]
    assert sum("serve --fd" in c for c in commands) == 2, commands
    assert sum("projections run" in c for c in commands) == 1, commands
    base = f"http://127.0.0.1:{env['GRASSROOTS_PORT']}"

    credited: dict[str, int] = {}
    failures: list[BaseException] = []

    def visit(phone: str) -> None:
        try:
            token = _call(base, "POST", "/api/v1/sessions", {"phone": phone, "password": PASSWORD})
            access = token["access_token"]
            scan = {"token": app.venue_code(activity).token, "device_id": f"phone-{phone}"}
            _call(base, "POST", f"/api/v1/activities/{activity}/check-in", scan, access)
            out = _call(base, "POST", f"/api/v1/activities/{activity}/check-out", scan, access)
            credited[phone] = out["credited_minutes"]
        except BaseException as failure:  # reported below, with the phone's own thread gone
            failures.append(failure)

    threads = [threading.Thread(target=visit, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures
    assert len(credited) == VOLUNTEERS

    # The API processes run no read models: the worker process fills the ledgers.
    deadline = time.monotonic() + 60
    for phone in phones:
        access = _call(base, "POST", "/api/v1/sessions", {"phone": phone, "password": PASSWORD})[
            "access_token"
        ]
        while True:
            items = _call(base, "GET", "/api/v1/me/ledger", token=access)["items"]
            if items or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert [line["minutes"] for line in items] == [credited[phone]], (phone, items)
    app.close()


def test_a_dead_api_process_is_started_again_and_stopping_stops_them_all(
    supervised: Any,
) -> None:
    start, env = supervised
    supervisor = start()
    before = _children(supervisor.pid)
    victim = next(pid for pid, command in before if "serve --fd" in command)
    os.kill(victim, signal.SIGKILL)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = _children(supervisor.pid)
        apis = [pid for pid, command in now if "serve --fd" in command]
        if len(apis) == 2 and victim not in apis:
            break
        time.sleep(0.2)
    assert len(apis) == 2, now
    assert victim not in apis, now
    _wait_for_health(f"http://127.0.0.1:{env['GRASSROOTS_PORT']}", supervisor)

    everyone = [pid for pid, _ in _children(supervisor.pid)]
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(30) == 0
    for pid in everyone:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid), f"{pid} outlived the supervisor"


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True
