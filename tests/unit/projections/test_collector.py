"""A catch-up pauses the garbage collector, sweeps it between rounds, and puts it back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from grassroots.projections.collector import CatchUpCollector, collector_paused, sweep_young


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_automatic_collection_is_off_while_catching_up_and_back_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_catch_ups_turn_it_back_on_only_when_the_last_ends() -> None:
    first_inside, first_may_end = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_inside.set()
            first_may_end.wait(5)
            seen.append(gc.isenabled())

    worker = threading.Thread(target=first)
    worker.start()
    assert first_inside.wait(5)
    with collector_paused():
        pass
    # The second ended while the first still runs: collection stays off.
    assert not gc.isenabled()
    first_may_end.set()
    worker.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_failing_catch_up_turns_it_back_on() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a batch failed")
    assert gc.isenabled()


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_the_sweep_between_rounds_frees_cycles_made_while_paused() -> None:
    with collector_paused():
        sweep_young()
        for _ in range(100):
            a, b = _Node(), _Node()
            a.other, b.other = b, a
        del a, b
        # Nothing collects them on its own while paused.
        assert sum(type(o) is _Node for o in gc.get_objects(0)) == 200
        assert sweep_young() >= 200
        assert not any(type(o) is _Node for o in gc.get_objects())


def test_a_catch_up_not_told_to_pause_leaves_the_collector_running() -> None:
    collector = CatchUpCollector(pause=False)
    with collector.paused():
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_catch_up_told_to_pause_pauses_it_and_sweeps_between_rounds() -> None:
    collector = CatchUpCollector(pause=True)
    with collector.paused():
        assert not gc.isenabled()
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        del a, b
        collector.sweep()
        assert not any(type(o) is _Node for o in gc.get_objects())
    assert gc.isenabled()
