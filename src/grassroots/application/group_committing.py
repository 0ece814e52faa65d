"""Group commit: concurrent commands share one transaction.

Commands run in worker threads; each hands its aggregates to the committer and
waits. The first to arrive leads: it waits up to the window (or until the group
is full) for others, then writes every waiting command's events with one call
of the application's ``save`` (one recorder transaction, so one lock and one
flush instead of one per command). Only one group is written at a time; the
commands that arrive meanwhile form the next group, whose leader is chosen as
the write ends. So even with no window, commands that queue up behind a write
share the next one.

A conflict (another writer recorded the same aggregate at the same version, or
created the same id) rolls the whole transaction back. The leader then finds
the losers: a command whose events clash with an earlier command of the same
group, or whose versions are already recorded. The losers get ConcurrentChange;
the rest are written again without them. A command returns only once its own
events are recorded, or raises. Any other failure of the write (the database
away, a bug) is raised to every command of the group, and none of its events
is written.

``save`` is the application's own, so everything it does after recording
(snapshots, waking the read models with the new log position) still happens,
once per group; ``remember`` is called in each command's own thread with that
command's recordings (the position a read of one's own writes waits for).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, IntegrityError, Recording

from grassroots.application.errors import ConcurrentChange

__all__ = ["GroupCommitter"]

Save = Callable[..., list[Recording[UUID]]]
Remember = Callable[[list[Recording[UUID]]], None]

_CONFLICT = "another change to the same record was saved first; try again"


class _Request:
    """One command's aggregates, waiting to be written."""

    __slots__ = (
        "aggregates",
        "error",
        "events",
        "keys",
        "lead",
        "ready",
        "recordings",
        "settled",
    )

    def __init__(self, aggregates: Sequence[Aggregate]) -> None:
        self.aggregates = tuple(aggregates)
        # The events this command writes, kept to put back if a try is rolled back.
        self.events: tuple[tuple[Aggregate, tuple[Any, ...]], ...] = tuple(
            (a, tuple(a.pending_events)) for a in self.aggregates
        )
        self.keys = [
            (e.originator_id, e.originator_version) for _, events in self.events for e in events
        ]
        self.ready = threading.Event()
        self.lead = False
        self.settled = False
        self.error: BaseException | None = None
        self.recordings: list[Recording[UUID]] = []

    def restore(self) -> None:
        """Put the events back on the aggregates after a rolled-back try."""
        for aggregate, events in self.events:
            aggregate.pending_events[:] = list(events)

    def settle(self, error: BaseException | None = None) -> None:
        self.error = error
        self.settled = True
        self.ready.set()


class GroupCommitter:
    """Concurrent commands' changes, written together in one transaction."""

    def __init__(
        self,
        save: Save,
        events: EventStore[UUID],
        *,
        window_seconds: float,
        max_group: int = 64,
        remember: Remember | None = None,
    ) -> None:
        if window_seconds < 0 or max_group < 1:
            raise ValueError("the window must not be negative and a group holds one at least")
        self._save = save
        self._events = events
        self._window = window_seconds
        self._max_group = max_group
        self._remember = remember
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._waiting: list[_Request] = []
        self._leading = False
        # Set in a thread while it writes a group: a command run from within that
        # write (by a listener) is written at once, not queued behind it.
        self._writing = threading.local()

    def commit(self, aggregates: Sequence[Aggregate]) -> None:
        if getattr(self._writing, "active", False):
            self._commit_alone(aggregates)
            return
        request = _Request(aggregates)
        if not request.keys:
            return
        with self._lock:
            self._waiting.append(request)
            if len(self._waiting) >= self._max_group:
                self._arrived.notify()
            if not self._leading:
                self._leading = True
                request.lead = True
        while not request.settled:
            if request.lead:
                request.lead = False
                self._lead()
            else:
                request.ready.wait()
                request.ready.clear()
        if request.error is not None:
            raise request.error
        if self._remember is not None:
            self._remember(request.recordings)

    def _lead(self) -> None:
        """Gather a group, write it, and hand the lead to the next one waiting."""
        deadline = time.monotonic() + self._window
        with self._lock:
            while len(self._waiting) < self._max_group:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._arrived.wait(left)
            group = self._waiting[: self._max_group]
            del self._waiting[: self._max_group]
        self._writing.active = True
        try:
            self._write(group)
        finally:
            self._writing.active = False
            with self._lock:
                if self._waiting:
                    following = self._waiting[0]
                    following.lead = True
                    following.ready.set()
                else:
                    self._leading = False
            for request in group:
                if not request.settled:
                    request.settle(RuntimeError("the group was not written"))

    def _commit_alone(self, aggregates: Sequence[Aggregate]) -> None:
        try:
            recordings = self._save(*aggregates)
        except IntegrityError as error:
            raise ConcurrentChange(_CONFLICT) from error
        if self._remember is not None:
            self._remember(recordings)

    def _write(self, group: list[_Request]) -> None:
        group = self._without_clashes(group)
        while group:
            try:
                recordings = self._save(*(a for r in group for a in r.aggregates))
            except IntegrityError:
                for request in group:
                    request.restore()
                losers = [r for r in group if self._already_recorded(r)]
                if not losers:
                    # Nothing recorded explains it: each on its own finds out.
                    self._write_one_by_one(group)
                    return
                for request in losers:
                    request.settle(ConcurrentChange(_CONFLICT))
                group = [r for r in group if not r.settled]
            except BaseException as error:
                for request in group:
                    request.settle(error)
                return
            else:
                self._hand_out(group, recordings)
                return

    def _without_clashes(self, group: list[_Request]) -> list[_Request]:
        """The group without any command whose events clash with an earlier one's."""
        taken: set[tuple[UUID, int]] = set()
        kept: list[_Request] = []
        for request in group:
            keys = request.keys
            if taken.intersection(keys):
                request.settle(ConcurrentChange(_CONFLICT))
                continue
            taken.update(keys)
            kept.append(request)
        return kept

    def _already_recorded(self, request: _Request) -> bool:
        for _, events in request.events:
            if not events:
                continue
            first, last = events[0], events[-1]
            found = self._events.get(
                first.originator_id,
                gt=first.originator_version - 1,
                lte=last.originator_version,
                limit=1,
            )
            if next(iter(found), None) is not None:
                return True
        return False

    def _write_one_by_one(self, group: list[_Request]) -> None:
        for request in group:
            try:
                recordings = self._save(*request.aggregates)
            except IntegrityError:
                request.settle(ConcurrentChange(_CONFLICT))
            except BaseException as error:
                request.settle(error)
            else:
                self._hand_out([request], recordings)

    @staticmethod
    def _hand_out(group: list[_Request], recordings: list[Recording[UUID]]) -> None:
        """Each command its own recordings (they come back in the order saved)."""
        start = 0
        for request in group:
            count = len(request.keys)
            request.recordings = recordings[start : start + count]
            start += count
            request.settle()
