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
the two merge and share their reads from then on.

A projection whose batch fails never holds the others back, and one event never
stalls it for good: the runner applies everything before the failing event
(``ProjectionRunner.isolate``), the failure is recorded (``failures.py``), and
the projection sits out the rounds for a pause that doubles on every attempt
(up to ``max_retry_seconds``), logged in full once and in one line per retry.
An operator can retry it at once or skip the event (``grassroots projections``).
Reading one's own writes does not wait for a projection that is failing.
Errors of the database itself (a lost connection, a lock timeout) are not
blamed on an event: the batch is only retried after the pause.

Embedded default: ``start()`` runs the rounds in one thread inside the server
process, woken by the process's own writes and polling for anyone else's.
Scale-out: ``grassroots projections run`` does the same in a worker process, and
on PostgreSQL a LISTEN on the event table's channel wakes it on every write.
The projections are given by the composition root (``grassroots.bootstrap``),
and so is ``pause_collector``, which only the worker's commands set.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.projections.collector import CatchUpCollector
from grassroots.projections.engine import EventContext, Projection
from grassroots.projections.failures import (
    Failure,
    Skip,
    SkipRefused,
    describe,
    failures,
    load_failures,
    record_failure,
    record_skip,
)
from grassroots.projections.runner import (
    DEFAULT_BATCH_SIZE,
    EventLog,
    LoggedEvent,
    ProjectionRunner,
    positions,
    tracking,
)
from grassroots.projections.wakeup import Listener

__all__ = ["CatchUpFailed", "ProjectionStatus", "ReadSide", "Round"]

log = logging.getLogger(__name__)

# Errors of the database rather than of an event: the batch is retried, nobody is blamed.
_ENVIRONMENTAL = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
    sa.exc.DisconnectionError,
)

# How long the set of failing projections read from the database is trusted by a
# read waiting for its own writes: one small query a second at most.
_FAILING_SECONDS = 1.0

# While writes stream in, the rounds rest between them. A round's cost is mostly
# its own (the positions, one transaction per read model with events), hardly the
# events': under a 64-client check-in load the rounds followed each other with one
# or two events each, and the worker spent 2.3-2.5 ms of CPU per check-in. Resting
# twice as long as the last round took lets the next gather what came meanwhile:
# 1.6-1.9 ms in a worker, and in the server (the embedded default) 8-10 % less CPU
# per check-in and 10 % more check-ins a second (``benchmarks/check_in.py``). A
# round takes then at most a third of the time. A lone write is applied at once:
# only a round that follows another which found events, and during which more
# writes came, rests. (Without the second condition a check-in and its check-out,
# applied in two rounds, put a rest in the way of the next volunteer's scans: the
# lag on PostgreSQL reached 45-50 ms at its p95, ``benchmarks/lag.py``.) The cap
# bounds the lag a long round (a big batch) would add.
REST_RATIO = 2.0
MAX_REST_SECONDS = 0.1


@dataclass(frozen=True)
class ProjectionStatus:
    """Where a read model stands; ``failed_at`` and ``error`` say why it is stuck, if it is."""

    name: str
    position: int
    last_position: int
    failed_at: int | None = None
    error: str | None = None

    @property
    def lag(self) -> int:
        return max(0, self.last_position - self.position)

    @property
    def failing(self) -> bool:
        return self.failed_at is not None


@dataclass
class Round:
    """What one round did: batches applied, and the projections whose batch failed.

    ``isolated`` holds, of those, the failures pinned on one event and recorded.
    """

    applied: int = 0
    failed: dict[str, Exception] = field(default_factory=dict)
    isolated: dict[str, Failure] = field(default_factory=dict)
    moved: set[str] = field(default_factory=set)


class CatchUpFailed(RuntimeError):
    """A projection failed while catching up (the others were brought up to date)."""


@dataclass
class _Trouble:
    """A projection sitting out the rounds: since when, how often tried, and until when."""

    position: int | None
    attempts: int
    until: float


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
        projections: Sequence[type[Projection]],
        batch_size: int = DEFAULT_BATCH_SIZE,
        pause_collector: bool = False,
        poll_seconds: float = 0.5,
        retry_seconds: float = 1.0,
        max_retry_seconds: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
        reader: Engine | None = None,
        rest_ratio: float = REST_RATIO,
        max_rest_seconds: float = MAX_REST_SECONDS,
    ) -> None:
        self.engine = engine
        # Queries go through ``reader``. On SQLite the runners' engine takes the
        # write lock when a transaction begins, so a query on it would wait for
        # every batch being written; a reader begins deferred and, in WAL mode,
        # never waits for a writer.
        self.reader = engine if reader is None else reader
        self.log = log
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self.rest_ratio = rest_ratio
        self.max_rest_seconds = max_rest_seconds
        # The clock the pauses between tries are measured by (tests pass their own).
        self._monotonic = monotonic
        # Only a process that does nothing else pauses the collector (see ``collector.py``).
        self.pause_collector = pause_collector
        self.runners = {
            p.name: ProjectionRunner(
                p(),
                engine,
                log,
                batch_size=batch_size,
                pause_collector=pause_collector,
                reader=self.reader,
            )
            for p in projections
        }
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Listener] = []
        # A projection whose batch failed sits out the rounds for a while.
        self._troubles: dict[str, _Trouble] = {}
        self._failing_read: tuple[float, dict[str, int]] = (float("-inf"), {})

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
        pairs = list(zip(members, shares, strict=True))
        # Those with events to write go first, each in its own transaction; those
        # without only move their position, all in one (each alone if one lost a race).
        for runner, own in pairs:
            if own:
                self._apply_one(runner, start, end, own, done)
        idle = [runner for runner, own in pairs if not own]
        if len(idle) > 1 and ProjectionRunner.advance_together(self.engine, idle, start, end):
            done.applied += len(idle)
            done.moved.update(runner.name for runner in idle)
        else:
            for runner in idle:
                self._apply_one(runner, start, end, [], done)
        return end

    def _apply_one(
        self,
        runner: ProjectionRunner,
        start: int,
        end: int,
        own: list[tuple[EventContext, Any]],
        done: Round,
    ) -> None:
        try:
            if runner.apply(start, end, own):
                done.applied += 1
                done.moved.add(runner.name)
        except Exception as error:
            # Its transaction rolled back; the others' batches do not depend on it.
            done.failed[runner.name] = error
            if not isinstance(error, _ENVIRONMENTAL):
                self._isolate(runner, start, end, own, done)

    def _isolate(
        self,
        runner: ProjectionRunner,
        start: int,
        end: int,
        own: list[tuple[EventContext, Any]],
        done: Round,
    ) -> None:
        """Apply what comes before the failing event, and record the failure."""
        try:
            found = runner.isolate(start, end, own)
            if found is None:
                return
            context = found.context
            topic = found.topic
            failure = record_failure(
                self.engine,
                runner.name,
                position=context.position,
                topic=topic,
                originator_id=context.originator_id,
                originator_version=context.originator_version,
                error=describe(found.error, topic),
                now=datetime.now(UTC),
            )
        except Exception as error:
            # The database went away meanwhile, say: retried after the pause all the same.
            done.failed[runner.name] = error
            return
        runner.mark_failing(failure.position)
        done.failed[runner.name] = found.error
        done.isolated[runner.name] = failure

    def catch_up(self) -> None:
        """Bring every projection up to the log's current end, sharing each read.

        A projection whose batch fails is brought up to its failing event and
        recorded; the others are still brought up to date; then the first
        failure is raised. ``stop()`` ends it after the current round.
        """
        runners = list(self.runners.values())
        for runner in runners:
            runner.ensure_tracking()
        target = self.log.last_position()
        failed: dict[str, Exception] = {}
        collector = CatchUpCollector(pause=self.pause_collector)
        with collector.paused():
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
                collector.sweep()
                self._note(done, behind)
                for name, error in done.failed.items():
                    failed.setdefault(name, error)
                if done.applied == 0 and not done.failed:
                    # Lost a race with another runner, who is moving on; look again.
                    time.sleep(0.005)
        for runner in runners:
            if runner.name not in failed:
                runner.announce(target)
        if failed:
            name, error = next(iter(failed.items()))
            raise CatchUpFailed(f"projection {name} failed while catching up") from error

    def _note(self, done: Round, tried: Sequence[ProjectionRunner]) -> None:
        """Schedule the next try of each projection that failed; forget those that got on.

        A failure is logged in full the first time it is met, and in one line at
        each later try: the pauses double, so the log grows slower and slower.
        """
        now = self._monotonic()
        for name, error in done.failed.items():
            failure = done.isolated.get(name)
            before = self._troubles.get(name)
            position = None if failure is None else failure.position
            if failure is not None:
                attempts = failure.attempts
            elif before is not None:
                attempts = before.attempts + 1
            else:
                attempts = 1
            pause = min(self.retry_seconds * 2 ** min(attempts - 1, 30), self.max_retry_seconds)
            self._troubles[name] = _Trouble(position, attempts, now + pause)
            if attempts == 1 or (before is not None and before.position != position):
                where = "" if failure is None else f" at position {failure.position}"
                log.error(
                    "projection %s failed%s; it will be retried, or see `grassroots projections "
                    "failures`",
                    name,
                    where,
                    exc_info=error,
                )
            else:
                what = failure.error if failure is not None else describe(error, "unknown")
                log.warning(
                    "projection %s still failing (attempt %d): %s; next try in %.0f s",
                    name,
                    attempts,
                    what,
                    pause,
                )
        for runner in tried:
            if runner.name in done.moved and runner.name not in done.failed:
                trouble = self._troubles.pop(runner.name, None)
                if trouble is not None:
                    log.warning("projection %s is applying the log again", runner.name)
                    runner.mark_failing(None)

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
            # same rounds, with the collector paused in a worker (see ``collector.py``).
            self.catch_up()
        except CatchUpFailed as failed:
            # Each failure was logged in full where it was met; the rounds below retry it.
            log.warning("%s; following the log anyway", failed)
        except Exception:
            log.exception("projections could not catch up; following the log anyway")
        streaming = False
        while not self._stop.is_set():
            # Cleared before the round: a write during it wakes the next wait at once.
            self._wake.clear()
            began = self._monotonic()
            try:
                done = self._live_round()
            except Exception:
                # Finding the positions or the log's end failed (the database is
                # away, say); try again after a pause rather than stop for good.
                log.exception("projections could not read the log; retrying")
                self._stop.wait(self.retry_seconds)
                continue
            if done.applied == 0:
                streaming = False
                self._wake.wait(self._idle_seconds())
                continue
            # A stream: this round and the one before found events, and more came
            # while this one ran. A check-out right after its check-in, or a write
            # after a quiet spell, finds no rest in its way.
            if streaming and self._wake.is_set():
                self._stop.wait(self.rest_after(self._monotonic() - began))
            streaming = True

    def rest_after(self, round_seconds: float) -> float:
        """How long the rounds rest after one of ``round_seconds`` while writes stream in."""
        return max(0.0, min(self.rest_ratio * round_seconds, self.max_rest_seconds))

    def _live_round(self) -> Round:
        self._resume_resolved()
        now = self._monotonic()
        troubles = self._troubles
        ready = [
            r
            for r in self.runners.values()
            if r.name not in troubles or troubles[r.name].until <= now
        ]
        done = self.process_round(ready)
        self._note(done, ready)
        return done

    def _resume_resolved(self) -> None:
        """Try at once a resting projection an operator has dealt with (skip, retry, rebuild)."""
        recorded = [name for name, t in self._troubles.items() if t.position is not None]
        if not recorded:
            return
        with self.engine.connect() as conn:
            still = load_failures(conn, recorded)
        for name in recorded:
            found = still.get(name)
            trouble = self._troubles[name]
            if found is None or found.position != trouble.position:
                trouble.until = 0.0

    def _idle_seconds(self) -> float:
        if not self._troubles:
            return self.poll_seconds
        retry = min(t.until for t in self._troubles.values()) - self._monotonic()
        return max(0.0, min(self.poll_seconds, retry))

    # --- an operator's commands ----------------------------------------------------

    def failures(self) -> dict[str, Failure]:
        """The read models failing now, by name: the event each is stuck before."""
        with self.reader.connect() as conn:
            return load_failures(conn, list(self.runners))

    def retry(self, name: str) -> Failure | None:
        """Try a read model again now, up to the log's end; its failure if it fails again."""
        runner = self.runner(name)
        runner.ensure_tracking()
        self._troubles.pop(name, None)
        target = self.log.last_position()
        while runner.position() < target:
            done = self._round([runner], target)
            self._note(done, [runner])
            if name in done.failed:
                failure = done.isolated.get(name)
                if failure is None:
                    raise done.failed[name]
                return failure
            if done.applied == 0:
                time.sleep(0.005)
        with self.engine.begin() as conn:
            # Got past it: the record has served its purpose.
            conn.execute(
                failures.delete().where(
                    failures.c.name == name,
                    failures.c.position
                    <= sa.select(tracking.c.position)
                    .where(tracking.c.name == name)
                    .scalar_subquery(),
                )
            )
        return None

    def skip(self, name: str, position: int, *, reason: str, operator: str) -> Skip:
        """Have ``name`` pass over the event at ``position``, audited; see ``failures.py``."""
        runner = self.runner(name)
        runner.ensure_tracking()
        found = (
            self.log.read_topics(after=position - 1, limit=1, stop=position, topics=runner.topics)
            if position > 0
            else []
        )
        if not found or found[0][1].position != position:
            raise SkipRefused(f"position {position} holds no event {name} reads")
        topic, context, _event = found[0]
        skip = record_skip(
            self.engine,
            name,
            position=position,
            topic=topic,
            originator_id=context.originator_id,
            originator_version=context.originator_version,
            reason=reason,
            operator=operator,
            now=datetime.now(UTC),
        )
        runner.forget_skips()
        trouble = self._troubles.get(name)
        if trouble is not None:
            trouble.until = 0.0
        if runner.failed_at == position:
            runner.mark_failing(None)
        self.wake()
        return skip

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

    def listen(self, listener: Listener) -> None:
        """Also wake on another process's writes (PostgreSQL's NOTIFY, SQLite's data version)."""
        self._listeners.append(listener)

    def close(self) -> None:
        self.stop()
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()

    def wait_for(self, position: int, timeout: float = 2.0) -> bool:
        """Bounded wait until every read model that can reach ``position`` has applied it.

        A read model failing before ``position`` is not waited for: it cannot get
        there until an operator acts, and every read would pay the whole wait.
        True when all the others have applied it; False if one ran out of time.
        """
        pending = [r for r in self.runners.values() if not r.reached(position)]
        if not pending:
            return True
        deadline = time.monotonic() + timeout
        for runner in pending:
            if self._stuck_before(runner, position):
                continue
            if runner.wait_for(position, max(0.0, deadline - time.monotonic())):
                continue
            if not self._stuck_before(runner, position, fresh=True):
                return False
        return True

    def _stuck_before(
        self, runner: ProjectionRunner, position: int, *, fresh: bool = False
    ) -> bool:
        """Whether ``runner`` is failing at or before ``position``: in this process, or recorded."""
        failed_at = runner.failed_at
        if failed_at is None:
            failed_at = self._failing_positions(fresh).get(runner.name)
        return failed_at is not None and failed_at <= position

    def _failing_positions(self, fresh: bool) -> dict[str, int]:
        # Another process may run the projections: the record says which are failing.
        read_at, known = self._failing_read
        now = time.monotonic()
        if fresh or now - read_at > _FAILING_SECONDS:
            known = {name: f.position for name, f in self.failures().items()}
            self._failing_read = (now, known)
        return known

    def status(self) -> list[ProjectionStatus]:
        last = self.log.last_position()
        names = list(self.runners)
        at = positions(self.reader, names)
        failing = self.failures()
        statuses: list[ProjectionStatus] = []
        for name in names:
            failure = failing.get(name)
            statuses.append(
                ProjectionStatus(
                    name,
                    at[name],
                    last,
                    failed_at=None if failure is None else failure.position,
                    error=None if failure is None else failure.error,
                )
            )
        return statuses

    @contextlib.contextmanager
    def running(self) -> Iterator[ReadSide]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
