from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.settings import Settings
from tests.conftest import Backend, FakeClock

SECRET = "s" * 48


def settings_for(backend: Backend, data_dir: Path) -> Settings:
    return Settings.from_env(
        {
            "GRASSROOTS_DATABASE_URL": backend.database_url,
            "GRASSROOTS_SECRET_KEY": SECRET,
            "GRASSROOTS_DATA_DIR": str(data_dir),
        }
    )


@pytest.fixture
def open_app(
    backend: Backend, tmp_path: Path, clock: FakeClock
) -> Iterator[Callable[[], Grassroots]]:
    """Opens applications on the backend; more than one stands for several processes."""
    opened: list[Grassroots] = []

    def _open() -> Grassroots:
        app = build_application(settings_for(backend, tmp_path), clock=clock, schema=backend.schema)
        opened.append(app)
        return app

    yield _open
    for app in opened:
        app.close()


@pytest.fixture
def app(open_app: Callable[[], Grassroots]) -> Grassroots:
    return open_app()
