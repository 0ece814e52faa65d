"""A catch-up holds the garbage collector back, and puts it back as it found it."""

from __future__ import annotations

import gc
import threading

from grassroots.projections.read_side import _fewer_collections


def test_the_thresholds_are_raised_while_catching_up_and_restored_after() -> None:
    before = gc.get_threshold()
    with _fewer_collections():
        during = gc.get_threshold()
    assert during[0] >= 100_000
    assert during[0] > before[0]
    assert gc.get_threshold() == before


def test_overlapping_catch_ups_restore_the_thresholds_only_when_the_last_ends() -> None:
    before = gc.get_threshold()
    first_inside, first_may_end = threading.Event(), threading.Event()
    seen: list[tuple[int, int, int]] = []

    def first() -> None:
        with _fewer_collections():
            first_inside.set()
            first_may_end.wait(5)
            seen.append(gc.get_threshold())

    worker = threading.Thread(target=first)
    worker.start()
    first_inside.wait(5)
    with _fewer_collections():
        pass
    # The second ended while the first still runs: the raised thresholds stay.
    assert gc.get_threshold()[0] >= 100_000
    first_may_end.set()
    worker.join(5)
    assert seen
    assert seen[0][0] >= 100_000
    assert gc.get_threshold() == before


def test_a_failing_catch_up_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    try:
        with _fewer_collections():
            raise RuntimeError("a batch failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
