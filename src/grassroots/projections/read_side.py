"""All the read models together: fed from one shared read of the log, started and stopped as one.

The log is read and decoded once for all projections: a *round* groups the
runners by tracking position, reads one batch over the union of a group's
topics, and hands each runner the events it follows, which it applies in a
transaction of its own with its own conditional tracking update (see
``runner.py``), so sharing the read changes nothing about exactly once. Runners
at the same position (every one, in a catch-up from scratch and at the head of
the log) share every read. One that is behind, after a rebuild or a failure,
is read for separately, so it never holds the others back; its batch stops at
the next group's position, and a group it lands on waits that one round, so
the two merge and share their reads from then on. A projection whose batch
fails is logged and left out of the rounds for a pause, then tried again; the
others go on meanwhile.

Embedded default: ``start()`` runs the rounds in one thread inside the server
process, woken by the process's own writes and polling for anyone else's.
Scale-out: ``grassroots projections run`` does the same in a worker process, and
on PostgreSQL a LISTEN on the event table's channel wakes it on every write.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from grassroots.projections.activity_catalogue import ActivityCatalogue
from grassroots.projections.center_activity import CenterActivity
from grassroots.projections.collector import collector_paused, sweep_young
from grassroots.projections.compliance import CadreCompliance
from grassroots.projections.engine import EventContext, Projection
from grassroots.projections.ledger import ServiceLedger
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.problems import Problems
from grassroots.projections.runner import (
    DEFAULT_BATCH_SIZE,
    EventLog,
    LoggedEvent,
    ProjectionRunner,
    positions,
)
from grassroots.projections.wakeup import PostgresListener

__all__ = ["ALL_PROJECTIONS", "ProjectionStatus", "ReadSide", "Round"]

log = logging.getLogger(__name__)

ALL_PROJECTIONS: tuple[type[Projection], ...] = (
    OrgTree,
    ServiceLedger,
    CenterActivity,
    CadreCompliance,
    Problems,
    ActivityCatalogue,
)


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    last_position: int

    @property
    def lag(self) -> int:
        return max(0, self.last_position - self.position)


@dataclass
class Round:
    """What one round did: batches applied, and the projections whose batch failed."""

    applied: int = 0
    failed: dict[str, Exception] = field(default_factory=dict)


def _shares(
    members: Sequence[ProjectionRunner], batch: list[LoggedEvent]
) -> list[list[tuple[EventContext, Any]]]:
    """Each runner's events of ``batch``, in log order: one pass over the batch for all."""
    shares: list[list[tuple[EventContext, Any]]] = [[] for _ in members]
    followers: dict[str, list[list[tuple[EventContext, Any]]]] = {}
    for topic, context, event in batch:
        found = followers.get(topic)
        if found is None:
            pairs = zip(members, shares, strict=True)
            found = followers[topic] = [share for runner, share in pairs if runner.follows(topic)]
        # One pair for all its followers: they only read it.
        pair = (context, event)
        for share in found:
            share.append(pair)
    return shares


class ReadSide:
    def __init__(
        self,
        engine: Engine,
        log: EventLog,
        *,
        projections: Sequence[type[Projection]] = ALL_PROJECTIONS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        poll_seconds: float = 0.5,
        retry_seconds: float = 1.0,
    ) -> None:
        self.engine = engine
        self.log = log
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.runners = {
            p.name: ProjectionRunner(p(), engine, log, batch_size=batch_size) for p in projections
        }
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[PostgresListener] = []
        # A projection whose batch failed sits out the rounds until this instant.
        self._resting: dict[str, float] = {}

    def runner(self, name: str) -> ProjectionRunner:
        try:
            return self.runners[name]
        except KeyError:
            known = ", ".join(sorted(self.runners))
            raise KeyError(f"no projection named {name!r} (known: {known})") from None

    # --- rounds -------------------------------------------------------------------

    def process_round(
        self, runners: Sequence[ProjectionRunner] | None = None, *, stop: int | None = None
    ) -> Round:
        """Apply one batch for every group of ``runners`` (default: all) at one position.

        Reads the log up to ``stop`` (default: its current end). A projection
        whose batch fails is reported in the result, not raised: the others'
        batches are applied all the same.
        """
        return self._round(runners, stop)

    def _round(
        self,
        runners: Sequence[ProjectionRunner] | None,
        stop: int | None,
    ) -> Round:
        chosen = list(self.runners.values()) if runners is None else list(runners)
        done = Round()
        if not chosen:
            return done
        stop = self.log.last_position() if stop is None else stop
        at = positions(self.engine, [r.name for r in chosen])
        groups: dict[int, list[ProjectionRunner]] = {}
        for runner in chosen:
            groups.setdefault(at[runner.name], []).append(runner)
        starts = sorted(groups)
        landed: set[int] = set()
        for i, start in enumerate(starts):
            members = groups[start]
            if start >= stop:
                for runner in members:
                    runner.announce(start)
                continue
            if start in landed:
                # A group behind reached this position in this round; from the next
                # round on the two share one read.
                continue
            # A group behind stops at the next group's position, so it can land on it.
            bound = min(starts[i + 1], stop) if i + 1 < len(starts) else stop
            end = self._apply_group(members, start, bound, done)
            if end == bound:
                landed.add(end)
        return done

    def _apply_group(
        self,
        members: list[ProjectionRunner],
        start: int,
        stop: int,
        done: Round,
    ) -> int:
        """One read from ``start`` for runners all at ``start``; where the batch ended."""
        topics = sorted({t for r in members for t in r.topics})
        try:
            batch = self.log.read_topics(
                after=start, limit=self.batch_size, stop=stop, topics=topics
            )
        except Exception as error:
            for runner in members:
                done.failed[runner.name] = error
            return start
        # With fewer events than asked for, everything up to ``stop`` was read.
        end = batch[-1][1].position if len(batch) == self.batch_size else stop
        shares = _shares(members, batch)
        for runner, own in zip(members, shares, strict=True):
            try:
                if runner.apply(start, end, own):
                    done.applied += 1
            except Exception as error:
                # Its transaction rolled back; the others' batches do not depend on it.
                done.failed[runner.name] = error
        return end

    def catch_up(self) -> None:
        """Bring every projection up to the log's current end, sharing each read.

        If a projection's batch fails, the others are still brought up to date;
        then the first failure is raised. ``stop()`` ends it after the current round.
        """
        runners = list(self.runners.values())
        for runner in runners:
            runner.ensure_tracking()
        target = self.log.last_position()
        failed: dict[str, Exception] = {}
        with collector_paused():
            while True:
                if self._stop.is_set():
                    # Stopped from outside: whatever was applied stays; nobody is told more.
                    return
                healthy = [r for r in runners if r.name not in failed]
                at = positions(self.engine, [r.name for r in healthy])
                behind = [r for r in healthy if at[r.name] < target]
                if not behind:
                    break
                done = self._round(behind, target)
                # The round's batch is gone: free any cycles it (or anyone) made.
                sweep_young()
                for name, error in done.failed.items():
                    log.error("projection %s failed while catching up", name, exc_info=error)
                    failed.setdefault(name, error)
                if done.applied == 0 and not done.failed:
                    # Lost a race with another runner, who is moving on; look again.
                    time.sleep(0.005)
        for runner in runners:
            if runner.name not in failed:
                runner.announce(target)
        if failed:
            name, error = next(iter(failed.items()))
            raise RuntimeError(f"projection {name} failed while catching up") from error

    # --- following the log ----------------------------------------------------------

    def start(self) -> None:
        """Run the rounds in a thread until ``stop()``."""
        self._stop.clear()
        for listener in self._listeners:
            listener.start()
        for runner in self.runners.values():
            runner.ensure_tracking()
        self._thread = threading.Thread(target=self._run, name="projections", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            # Far behind (a rebuild, a restart after downtime), catch up first: the
            # same rounds, with the collector paused (see ``collector.py``).
            self.catch_up()
        except Exception:
            # Logged per projection; the rounds below retry the ones that failed.
            log.exception("projections could not catch up; following the log anyway")
        while not self._stop.is_set():
            # Cleared before the round: a write during it wakes the next wait at once.
            self._wake.clear()
            try:
                done = self._live_round()
            except Exception:
                # Finding the positions or the log's end failed (the database is
                # away, say); try again after a pause rather than stop for good.
                log.exception("projections could not read the log; retrying")
                self._stop.wait(self.retry_seconds)
                continue
            if done.applied == 0:
                self._wake.wait(self._idle_seconds())

    def _live_round(self) -> Round:
        now = time.monotonic()
        ready = [r for r in self.runners.values() if self._resting.get(r.name, 0.0) <= now]
        done = self.process_round(ready)
        for name, error in done.failed.items():
            # A failing batch rolled back; log it and try again after a pause
            # rather than stop the read model for good.
            log.error("projection %s failed; retrying", name, exc_info=error)
            self._resting[name] = time.monotonic() + self.retry_seconds
        for runner in ready:
            if runner.name not in done.failed:
                self._resting.pop(runner.name, None)
        return done

    def _idle_seconds(self) -> float:
        if not self._resting:
            return self.poll_seconds
        retry = min(self._resting.values()) - time.monotonic()
        return max(0.0, min(self.poll_seconds, retry))

    def wake(self, _position: int = 0) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.wake()
        for listener in self._listeners:
            listener.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None
        self._listeners.clear()

    def listen(self, listener: PostgresListener) -> None:
        """Also wake on another process's writes (PostgreSQL's NOTIFY)."""
        self._listeners.append(listener)

    def close(self) -> None:
        self.stop()
        self.engine.dispose()

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
