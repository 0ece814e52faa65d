"""The garbage collector is paused for a catch-up only in the projection worker's
process, never in the API server's, where it would stop for every request too."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from grassroots import projections_cli
from grassroots.bootstrap import build_application, build_read_side, build_web_app
from grassroots.projections.runner import ProjectionRunner
from grassroots.settings import Settings
from grassroots.simulation import HistoryShape, generate_history
from tests.databases import migrated

SHAPE = HistoryShape(weeks=2, volunteers=20, cadres=3)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A SQLite install with some history the read models have not applied yet."""
    settings = Settings.from_env(
        {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_PROJECTION_BATCH_SIZE": "20"}
    )
    migrated(settings.database_url)
    application = build_application(settings)
    generate_history(application, seed=31, shape=SHAPE)
    application.close()
    return settings


@pytest.fixture
def collector_states(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether the collector was on as each batch was applied, in any runner."""
    seen: list[bool] = []
    applied = ProjectionRunner.apply

    def watching(self: ProjectionRunner, *args: Any) -> bool:
        seen.append(gc.isenabled())
        return applied(self, *args)

    monkeypatch.setattr(ProjectionRunner, "apply", watching)
    yield seen
    assert gc.isenabled()


def test_the_servers_catch_up_leaves_the_collector_running(
    settings: Settings, collector_states: list[bool]
) -> None:
    with TestClient(app=build_web_app(settings)) as client:
        read_side = client.app.state.read_side
        assert read_side.wait_for(read_side.log.last_position(), timeout=60)

    assert len(collector_states) > 3
    assert all(collector_states)


def test_the_workers_catch_up_pauses_the_collector(
    settings: Settings, collector_states: list[bool]
) -> None:
    stopped = threading.Event()
    worker = threading.Thread(target=projections_cli.run, args=(settings, stopped))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while not _caught_up(settings) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stopped.set()
        worker.join(10)

    assert _caught_up(settings)
    assert len(collector_states) > 3
    assert not any(collector_states)


def test_the_workers_rebuild_pauses_the_collector(
    settings: Settings, collector_states: list[bool]
) -> None:
    assert projections_cli.rebuild(settings, "service_ledger") == 0

    assert len(collector_states) > 3
    assert not any(collector_states)


def _caught_up(settings: Settings) -> bool:
    application = build_application(settings)
    try:
        read_side = build_read_side(settings, application)
        try:
            return all(status.lag == 0 and status.position > 0 for status in read_side.status())
        finally:
            read_side.close()
    finally:
        application.close()
