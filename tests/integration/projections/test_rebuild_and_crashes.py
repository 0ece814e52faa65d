"""Exactly once, whatever happens: uneven batches, rebuilds, killed workers, two runners."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from grassroots.simulation import HistoryShape, generate_history
from tests.conftest import Backend
from tests.integration.conftest import SECRET
from tests.integration.projections.conftest import snapshot

SHAPE = HistoryShape(weeks=4, volunteers=40, cadres=6)


def rebuild_all(read_side: ReadSide) -> None:
    for runner in read_side.runners.values():
        runner.rebuild()


def test_a_generated_history_projected_in_uneven_batches_equals_a_rebuild(
    app: Grassroots, read_engine: Engine
) -> None:
    rng = random.Random(11)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS
    )
    for seed in (1, 2, 3):  # three slices of history, projected as they are written
        generate_history(app, seed=seed, shape=SHAPE)
        for runner in read_side.runners.values():
            runner.ensure_tracking()
            while True:
                runner.batch_size = rng.choice([3, 17, 64, 500])
                if runner.process_batch() == 0:
                    break
    incremental = snapshot(read_engine)

    rebuild_all(read_side)

    assert sum(len(rows) for rows in incremental.values()) > 1000
    assert snapshot(read_engine) == incremental


def test_two_runners_on_the_same_projections_at_once_count_nothing_twice(
    app: Grassroots, read_engine: Engine
) -> None:
    generate_history(app, seed=4, shape=SHAPE)
    log = EventLog(app.recorder, app.mapper)
    sides = [
        ReadSide(read_engine, log, projections=ALL_PROJECTIONS, batch_size=25) for _ in range(2)
    ]
    for runner in sides[0].runners.values():
        runner.ensure_tracking()
    threads = [threading.Thread(target=side.catch_up) for side in sides]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    raced = snapshot(read_engine)

    rebuild_all(sides[0])

    assert snapshot(read_engine) == raced


def _worker_env(backend: Backend, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_DATABASE_URL": backend.database_url,
            "GRASSROOTS_SECRET_KEY": SECRET,
            "GRASSROOTS_DATA_DIR": str(tmp_path),
            "GRASSROOTS_PROJECTION_BATCH_SIZE": "5",
        }
    )
    if backend.schema:
        env["GRASSROOTS_DATABASE_SCHEMA"] = backend.schema
    return env


def _run_to_the_end(env: dict[str, str], *dies_at: str) -> subprocess.CompletedProcess[bytes]:
    """A catch-up in a worker process, killed inside a batch if ``dies_at`` says where."""
    return subprocess.run(
        [sys.executable, "-m", "tests.integration.projections.dying_worker", *dies_at],
        env=env,
        cwd=Path(__file__).parents[3],
        capture_output=True,
        timeout=300,
    )


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "grassroots", "projections", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_a_worker_killed_mid_batch_again_and_again_ends_with_the_rows_of_a_clean_rebuild(
    app: Grassroots, read_engine: Engine, backend: Backend, tmp_path: Path
) -> None:
    generate_history(app, seed=5, shape=SHAPE)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS
    )
    end = read_side.log.last_position()
    env = _worker_env(backend, tmp_path)
    # Each worker dies inside a batch of one read model, right after handling the
    # event at that position: the minutes, the activity counts and the catalogue
    # each lose a half-written batch, some more than once.
    kills = [
        ("service_ledger", end // 5),
        ("center_activity", 2 * end // 5),
        ("service_ledger", 3 * end // 5),
        ("activity_catalogue", 4 * end // 5),
    ]
    committed = 0
    for name, position in kills:
        worker = _run_to_the_end(env, name, str(position))
        assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()
        died_at = int(worker.stdout.decode().removeprefix("dying at "))
        at = {s.name: s.position for s in read_side.status()}
        # Its batch died before the commit; the batches before it stay.
        assert at[name] < died_at
        assert died_at >= position
        assert sum(at.values()) > committed
        committed = sum(at.values())

    restarted = _run_to_the_end(env)
    assert restarted.returncode == 0, restarted.stderr.decode()
    assert {s.position for s in read_side.status()} == {end}
    survived = snapshot(read_engine)
    rebuild_all(read_side)

    assert snapshot(read_engine) == survived
    assert survived["ledger_lines"]  # minutes were credited, each once


def test_two_worker_processes_started_by_mistake_give_the_rows_of_a_clean_rebuild(
    app: Grassroots, read_engine: Engine, backend: Backend, tmp_path: Path
) -> None:
    generate_history(app, seed=8, shape=SHAPE)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS
    )
    env = _worker_env(backend, tmp_path)
    workers = [_start_worker(env) for _ in range(2)]
    try:
        for worker in workers:
            # Both must be running before either is asked to stop.
            assert worker.stdout is not None
            assert b"following the log" in worker.stdout.readline()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status = read_side.status()
            if status and all(s.position > 0 and s.lag == 0 for s in status):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the workers did not catch up: {read_side.status()}")
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            _, errors = worker.communicate(timeout=20)
            assert worker.returncode == 0, errors.decode()
    together = snapshot(read_engine)

    rebuild_all(read_side)

    assert snapshot(read_engine) == together
