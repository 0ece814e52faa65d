"""``grassroots serve`` settles its heap once built: the collector stays on, and what
the server holds for its whole life is out of the full passes requests set off."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grassroots import cli
from grassroots.serving import settle_heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_settling_freezes_what_is_alive_and_keeps_the_collector_on(unfrozen: None) -> None:
    kept = [_Cycle() for _ in range(10)]
    garbage = _Cycle()
    del garbage

    frozen = settle_heap()

    assert frozen == gc.get_freeze_count() > len(kept)
    assert gc.isenabled()
    # Made afterwards: still collected as ever.
    later = _Cycle()
    del later
    assert gc.collect() >= 1


def test_serve_settles_the_heap_after_building_the_app_and_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen: None
) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen["frozen"] = gc.get_freeze_count()

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path))

    assert cli.main(["serve"]) == 0

    # The modules, the app and its routes: far more than any test's own objects.
    assert seen["frozen"] > 50_000
    assert gc.isenabled()
