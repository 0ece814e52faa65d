"""The API process SIGKILLed while 32 volunteers check in and out at once.

Clients whose request got no answer send it again, unchanged, until the restarted
server answers. Whatever the kill interrupted, every scan that was answered 2xx is in
the event store once, and after catch-up in the ledger once, with the minutes the
domain's crediting rule gives for its events; no attendance is opened twice.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grassroots.migrating import upgrade
from grassroots.settings import Settings
from tests.conftest import Backend
from tests.e2e.serving import _wait_for_health, free_port
from tests.integration.faults.load import (
    Load,
    assert_each_scan_recorded_once,
    lay_out,
    log_in,
    server_env,
)

CLIENTS = 32
ACTIVITIES = 3


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite:///{tmp_path / 'events.sqlite3'}")
    url, schema = request.getfixturevalue("postgres_schema")
    return Backend("postgres", url, schema)


def _serve(env: dict[str, str], workdir: Path, n: int) -> subprocess.Popen[bytes]:
    with (workdir / f"server-{n}.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "grassroots", "serve"],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_every_answered_scan_is_recorded_once_after_the_api_is_killed_mid_load(
    backend: Backend, tmp_path: Path, report: Callable[[str], None]
) -> None:
    port = free_port()
    env = server_env(port, tmp_path / "var", backend.database_url, backend.schema)
    settings = Settings.from_env(env)
    upgrade(settings.database_url, schema=backend.schema)
    site = lay_out(settings, volunteers=CLIENTS, activities=ACTIVITIES)
    base = f"http://127.0.0.1:{port}"
    servers = [_serve(env, tmp_path, 1)]
    killed: dict[str, float] = {}
    killed_at: list[datetime] = []
    try:
        _wait_for_health(port, servers[0])
        load = Load(base, site, [log_in(base, phone) for phone in site.phones])
        total = CLIENTS * ACTIVITIES * 2

        def kill_and_restart(load: Load) -> None:
            while load.answered() < total // 4:
                time.sleep(0.005)
            killed["answered"] = load.answered()
            killed["at"] = time.monotonic()
            killed_at.append(datetime.now(UTC))
            servers[0].send_signal(signal.SIGKILL)
            servers[0].wait()
            servers.append(_serve(env, tmp_path, 2))
            _wait_for_health(port, servers[-1])
            killed["back_after"] = time.monotonic() - killed["at"]

        load.run(kill_and_restart)
    finally:
        for server in servers:
            if server.poll() is None:
                server.send_signal(signal.SIGINT)
                server.wait(timeout=20)

    statuses = {a.status for a in load.attempts}
    assert statuses <= {200, 201, None}, sorted(
        (a.status, a.body) for a in load.attempts if a.status not in (200, 201, None)
    )
    answered = {(a.client, a.scan) for a in load.attempts if a.status in (200, 201)}
    assert len(answered) == total  # every client got through its whole plan
    unanswered = [a for a in load.attempts if a.status is None]
    assert unanswered, "the kill interrupted nothing"
    # A retry of an interrupted scan that had been recorded answers from the record.
    recorded = assert_each_scan_recorded_once(settings, site, load)
    assert len(recorded) == total
    retried_scans = {(a.client, a.scan) for a in unanswered}
    # Those the server had recorded before it died: their retry was answered from
    # the record, not recorded again.
    already = sum(1 for scan in retried_scans if recorded[scan] < killed_at[0])
    report(
        f"{backend.name}: {total} scans by {CLIENTS} clients; {killed['answered']} answered "
        f"before the kill; {len(retried_scans)} scans had no answer and were sent again "
        f"({len(unanswered)} unanswered sendings), {already} of them recorded before the kill; "
        f"server back after {killed['back_after']:.1f} s; {len(recorded)} scans recorded, "
        "none twice"
    )
