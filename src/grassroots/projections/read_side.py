"""All the read models together: their runners, started and stopped as one.

Embedded default: ``start()`` runs one thread per projection inside the server
process, woken by the process's own writes and polling for anyone else's.
Scale-out: ``grassroots projections run`` does the same in a worker process, and
on PostgreSQL a LISTEN on the event table's channel wakes it on every write.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from grassroots.projections.center_activity import CenterActivity
from grassroots.projections.compliance import CadreCompliance
from grassroots.projections.engine import Projection
from grassroots.projections.ledger import ServiceLedger
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.problems import Problems
from grassroots.projections.runner import DEFAULT_BATCH_SIZE, EventLog, ProjectionRunner
from grassroots.projections.wakeup import PostgresListener

__all__ = ["ALL_PROJECTIONS", "ProjectionStatus", "ReadSide"]

log = logging.getLogger(__name__)

ALL_PROJECTIONS: tuple[type[Projection], ...] = (
    OrgTree,
    ServiceLedger,
    CenterActivity,
    CadreCompliance,
    Problems,
)


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    last_position: int

    @property
    def lag(self) -> int:
        return max(0, self.last_position - self.position)


class ReadSide:
    def __init__(
        self,
        engine: Engine,
        log: EventLog,
        *,
        projections: Sequence[type[Projection]] = ALL_PROJECTIONS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        poll_seconds: float = 0.5,
    ) -> None:
        self.engine = engine
        self.log = log
        self.poll_seconds = poll_seconds
        self.runners = {
            p.name: ProjectionRunner(p(), engine, log, batch_size=batch_size) for p in projections
        }
        self._stop = threading.Event()
        self._wakes = {name: threading.Event() for name in self.runners}
        self._threads: list[threading.Thread] = []
        self._listeners: list[PostgresListener] = []

    def runner(self, name: str) -> ProjectionRunner:
        try:
            return self.runners[name]
        except KeyError:
            known = ", ".join(sorted(self.runners))
            raise KeyError(f"no projection named {name!r} (known: {known})") from None

    def start(self) -> None:
        """Run every projection in a thread of its own until ``stop()``."""
        self._stop.clear()
        for listener in self._listeners:
            listener.start()
        for name, runner in self.runners.items():
            runner.ensure_tracking()
            thread = threading.Thread(
                target=self._run, args=(runner,), name=f"projection-{name}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, runner: ProjectionRunner) -> None:
        while not self._stop.is_set():
            try:
                runner.run(self._stop, self._wakes[runner.name], self.poll_seconds)
            except Exception:
                # A failing batch rolled back; log it and try again after a pause
                # rather than stop the read model for good.
                log.exception("projection %s failed; retrying", runner.name)
                self._stop.wait(1.0)

    def wake(self, _position: int = 0) -> None:
        for event in self._wakes.values():
            event.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.wake()
        for listener in self._listeners:
            listener.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        self._listeners.clear()

    def listen(self, listener: PostgresListener) -> None:
        """Also wake on another process's writes (PostgreSQL's NOTIFY)."""
        self._listeners.append(listener)

    def close(self) -> None:
        self.stop()
        self.engine.dispose()

    def catch_up(self) -> None:
        for runner in self.runners.values():
            runner.ensure_tracking()
            runner.catch_up()

    def wait_for(self, position: int, timeout: float = 2.0) -> bool:
        """Bounded wait until every projection has applied the log up to ``position``."""
        return all(runner.wait_for(position, timeout) for runner in self.runners.values())

    def status(self) -> list[ProjectionStatus]:
        last = self.log.last_position()
        return [
            ProjectionStatus(name, runner.position(), last) for name, runner in self.runners.items()
        ]

    @contextlib.contextmanager
    def running(self) -> Iterator[ReadSide]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
