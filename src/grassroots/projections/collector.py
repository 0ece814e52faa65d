"""The garbage collector during a catch-up: in the worker, paused and swept once per round.

A catch-up batch makes about a million short-lived objects (events, rows,
parameter tuples) that are alive all at once, until the batch is written.
Reference counting frees nearly all of them, but the cyclic collector keeps
walking them while they live: at the usual thresholds it spent a fifth of a
catch-up's time. With thresholds raised a hundredfold it still took a seventh
in a process that holds a large heap besides (measured in the benchmark's,
which has just written the history), though only about 1% in a fresh worker.
So while a worker's catch-up runs, automatic collection is off, and after each round
(when the batch's objects are gone) the catch-up sweeps the two young
generations: whatever cyclic garbage the round or the rest of the process
made is freed then, so it never outlives a round's worth of work.

The collector is the process's, not the thread's: the pause is counted, and
the last catch-up to end puts the collector back as the first one found it.
Being the process's, it is paused only where the process does nothing else:
``grassroots projections run`` and ``rebuild`` build their read side with
``pause_collector=True``. In ``grassroots serve`` (the embedded default) the
catch-up leaves the collector alone: a pause there would also stop it for every
request the server answers meanwhile, for as long as the catch-up lasts, and
their cycles would pile up. The server pays for it in catch-up time
(docs/performance.md has the figure).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

__all__ = ["CatchUpCollector", "collector_paused", "sweep_young"]

_lock = threading.Lock()
_pausing = 0
_was_enabled = True


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collections until the last overlapping catch-up ends."""
    global _pausing, _was_enabled
    with _lock:
        if _pausing == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pausing += 1
    try:
        yield
    finally:
        with _lock:
            _pausing -= 1
            if _pausing == 0 and _was_enabled:
                gc.enable()


def sweep_young() -> int:
    """Collect the two young generations (cheap between rounds); what was freed."""
    return gc.collect(1)


@dataclass(frozen=True)
class CatchUpCollector:
    """What a catch-up does with the collector: pause it and sweep each round, or nothing."""

    pause: bool

    def paused(self) -> AbstractContextManager[None]:
        return collector_paused() if self.pause else contextlib.nullcontext()

    def sweep(self) -> None:
        # With the collector running, it frees cycles by itself.
        if self.pause:
            sweep_young()
