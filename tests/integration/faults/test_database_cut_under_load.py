"""PostgreSQL cut off while 16 volunteers check in and out of a real server.

The server reaches the database through a relay the test cuts mid-load (a port that
refuses, or one that accepts and never answers) and restores a few seconds later.
Meanwhile every request answers, 2xx or 503 problem+json, within a bound (no hang,
no 500); clients send a 503'd scan again until it passes. Afterwards no write is
partial: each attendance has its events and its presence events, or none, and the
ledgers hold exactly the minutes the events give.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from grassroots.migrating import upgrade
from grassroots.settings import Settings
from tests.conftest import TEST_DATABASE_URL, required_service_url
from tests.e2e.serving import _wait_for_health, free_port
from tests.integration.api.outage import Outage, Relay
from tests.integration.faults.load import (
    Load,
    assert_each_scan_recorded_once,
    lay_out,
    log_in,
    server_env,
)

CLIENTS = 16
ACTIVITIES = 3
BOUND_SECONDS = 2
CUT_SECONDS = 4
# Far below the clients' own 30 s timeout: an answer later than this is a hang.
NO_HANG_SECONDS = 5 * BOUND_SECONDS


@pytest.fixture
def relay() -> Iterator[Relay]:
    parts = urlsplit(required_service_url(TEST_DATABASE_URL, "PostgreSQL"))
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield relay
    relay.close()


def _through(url: str, relay: Relay) -> str:
    parts = urlsplit(url)
    user = f"{parts.netloc.rsplit('@', 1)[0]}@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{relay.port}").geturl()


@pytest.mark.parametrize("outage", ["refused", "silent"])
def test_every_scan_answers_in_bounded_time_and_none_is_half_written_when_the_database_drops(
    relay: Relay,
    postgres_schema: tuple[str, str],
    tmp_path: Path,
    outage: Outage,
    report: Callable[[str], None],
) -> None:
    url, schema = postgres_schema
    port = free_port()
    direct = server_env(port, tmp_path / "var", url, schema)
    settings = Settings.from_env(direct)
    upgrade(settings.database_url, schema=schema)
    site = lay_out(settings, volunteers=CLIENTS, activities=ACTIVITIES)
    env = direct | {
        "GRASSROOTS_DATABASE_URL": _through(url, relay),
        "GRASSROOTS_DATABASE_TIMEOUT_SECONDS": str(BOUND_SECONDS),
    }
    base = f"http://127.0.0.1:{port}"
    total = CLIENTS * ACTIVITIES * 2
    cut: dict[str, float] = {}
    with (tmp_path / "server.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "grassroots", "serve"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_health(port, server)
        load = Load(base, site, [log_in(base, phone) for phone in site.phones])

        def cut_and_restore(load: Load) -> None:
            while load.answered() < total // 4:
                time.sleep(0.005)
            cut["answered"] = load.answered()
            cut["at"] = time.monotonic()
            relay.cut(outage)
            time.sleep(CUT_SECONDS)
            relay.restore()
            cut["restored"] = time.monotonic()

        load.run(cut_and_restore)
        _wait_for_health(port, server)  # and the server says it is whole again
    finally:
        relay.restore()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    odd = [(a.status, a.body) for a in load.attempts if a.status not in (200, 201, 503)]
    assert odd == []  # no 500, and no request left without an answer
    refused = [a for a in load.attempts if a.status == 503]
    assert refused, "the cut landed on no request"
    for attempt in refused:
        assert attempt.content_type.startswith("application/problem+json")
        assert json.loads(attempt.body)["code"] == "service-unavailable"
    slowest = max(a.seconds for a in load.attempts)
    assert slowest < NO_HANG_SECONDS
    answered = {(a.client, a.scan) for a in load.attempts if a.status in (200, 201)}
    assert len(answered) == total  # all answer again once the database is back
    after = [a for a in load.attempts if a.sent_at >= cut["restored"] + BOUND_SECONDS]
    assert all(a.status in (200, 201) for a in after)
    recorded = assert_each_scan_recorded_once(settings, site, load)
    assert len(recorded) == total

    during = sorted(a.seconds for a in refused)
    report(
        f"{outage}: {total} scans by {CLIENTS} clients; {cut['answered']} answered before the "
        f"cut; {len(refused)} answers 503 (median {statistics.median(during):.2f} s, slowest "
        f"{during[-1]:.2f} s; database timeout {BOUND_SECONDS} s); slowest answer of all "
        f"{slowest:.2f} s (a hang: over {NO_HANG_SECONDS} s); {len(load.attempts)} sendings; "
        f"{len(recorded)} scans "
        "recorded, none partial"
    )
