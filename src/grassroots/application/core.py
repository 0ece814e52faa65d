"""The application's core: one eventsourcing Application, so one ordered log.

Every command reads the aggregates it needs, asks them to change (the domain
checks the rules), and hands them to the committer. Library errors become the
application's own (NotFound, ConcurrentChange) here and nowhere else.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording
from eventsourcing.utils import Environment

from grassroots.application.committing import Committer, DirectCommitter
from grassroots.application.errors import NotFound
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.errors import TokenRejected
from grassroots.domain.qr_token import QrSubject, verify_token
from grassroots.domain.values import DEFAULT_TIME_ZONE, in_utc

__all__ = ["AppConfig", "Clock", "Core", "system_clock"]

Clock = Callable[[], datetime]
A = TypeVar("A", bound=Aggregate)


# Aggregates read lately stay in memory (least recently used first out). A cached
# aggregate is never answered as it stands: each read first applies the events
# stored after its version (one indexed query, so another process's writes are
# seen), and hands out a copy, so a command that fails leaves the cache alone (a
# reader that changes nothing may take the cached one itself: ``read``). A
# save still goes to the store with the version it read, so two writers of one
# aggregate still meet as ConcurrentChange. What the cache saves is replaying an
# aggregate's whole history (an activity's every sign-up) on each request.
AGGREGATE_CACHE_SIZE = 10_000


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AppConfig:
    secret_key: bytes
    qr_rotation_seconds: int = 15
    credit_policy: CreditPolicy = field(default_factory=CreditPolicy)
    time_zone: str = DEFAULT_TIME_ZONE


class Core(Application[UUID]):
    name = "grassroots"

    def __init__(
        self,
        config: AppConfig,
        *,
        env: Mapping[str, str],
        clock: Clock = system_clock,
    ) -> None:
        self.config = config
        self.clock = clock
        super().__init__(env={"AGGREGATE_CACHE_MAXSIZE": str(AGGREGATE_CACHE_SIZE), **env})
        self.committer: Committer = DirectCommitter(self.save)
        self._write_listeners: list[Callable[[int], None]] = []
        self._last_write = threading.local()

    def construct_env(self, name: str, env: Mapping[str, Any] | None = None) -> Environment:
        # Settings are read once, by the composition root; the library must not
        # pick up stray variables from the process environment on its own.
        return Environment(name, dict(env or {}))

    def now(self) -> datetime:
        at = self.clock()
        if at.tzinfo is None:
            raise ValueError("the clock must return timezone-aware instants")
        return in_utc(at)

    def get(self, kind: type[A], aggregate_id: UUID) -> A:
        """The aggregate, or NotFound when there is none of that kind with this id.

        A copy of the cached one: the command may change it and still fail."""
        return self._typed(kind, aggregate_id, self._aggregate(aggregate_id, copy=True))

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        """The aggregate (a copy, as ``get``), or None when there is none yet: one
        read where ``exists`` then ``get`` would read it twice. An aggregate of
        another kind under this id is still NotFound, as with ``get``."""
        aggregate = self._aggregate(aggregate_id, copy=True)
        return None if aggregate is None else self._typed(kind, aggregate_id, aggregate)

    def read(self, kind: type[A], aggregate_id: UUID) -> A:
        """The aggregate for looking at only, never to change: the cached one itself.

        Copying is a deep walk of the aggregate on every read; a reader that
        changes nothing has no need of it. The cached aggregate is brought up to
        date in place when another read finds newer events, so use this only
        where seeing one event's change half applied is harmless: a single
        attribute read (a volunteer's status or name), or a session and an account,
        whose events each change what this reads at once.
        """
        return self._typed(kind, aggregate_id, self._aggregate(aggregate_id, copy=False))

    def exists(self, aggregate_id: UUID) -> bool:
        return self._aggregate(aggregate_id, copy=False) is not None

    def _aggregate(self, aggregate_id: UUID, *, copy: bool) -> Aggregate | None:
        try:
            aggregate: Aggregate = self.repository.get(
                aggregate_id, projector_func=_replay, deepcopy_from_cache=copy
            )
        except AggregateNotFoundError:
            return None
        return aggregate

    @staticmethod
    def _typed(kind: type[A], aggregate_id: UUID, aggregate: Aggregate | None) -> A:
        if not isinstance(aggregate, kind):
            raise NotFound(_kind_name(kind), aggregate_id)
        return aggregate

    def code_step(self, subject: QrSubject, token: str, at: datetime) -> int:
        """The rotation step of ``token``, a code of ``subject`` checked at ``at``;
        a ``TokenRejected`` when it is not one, or not fresh then."""
        return verify_token(
            token,
            secret=self.config.secret_key,
            expected=subject,
            at=at,
            rotation_seconds=self.config.qr_rotation_seconds,
        ).step

    def code_seen_fresh(self, subject: QrSubject, token: str) -> datetime | None:
        """Now, if ``token`` is ``subject``'s code and still fresh now; else None.

        A scan page (a venue's, a point's) asks this when it opens, to hold the scan on
        that phone for a while (``HELD_SCAN``): what it then sends as ``seen_at``."""
        now = self.now()
        try:
            self.code_step(subject, token, now)
        except TokenRejected:
            return None
        return now

    def commit(self, *aggregates: Aggregate) -> None:
        self.committer.commit(aggregates)

    def recorded_events(self, refs: Sequence[str]) -> list[Any]:
        """The events named ``"<aggregate id>:<version>"`` (as read models cite them), in order."""
        found: list[Any] = []
        for ref in refs:
            aggregate_id, _, version = ref.partition(":")
            number = int(version)
            found.extend(self.events.get(UUID(aggregate_id), gt=number - 1, lte=number))
        return found

    def on_write(self, listener: Callable[[int], None]) -> None:
        """Call ``listener`` with the log position after each write in this process
        (it wakes the projection runners instead of waiting for their next poll)."""
        self._write_listeners.append(listener)

    def last_write_position(self) -> int:
        """The log position of this thread's last write (0 before any): what a
        read of one's own writes waits for the projections to reach."""
        return int(getattr(self._last_write, "position", 0))

    def log_head(self) -> int:
        """The position of the last event in the log (0 while it is empty): how far
        the read models must get to include every write so far, anyone's."""
        return self.recorder.max_notification_id() or 0

    def remember_write(self, recordings: Sequence[Recording[UUID]]) -> None:
        """Keep the log position of this thread's own recordings (a group commit
        writes several threads' commands in one of them: each remembers its own)."""
        if recordings:
            self._last_write.position = max(r.notification.id for r in recordings)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if not recordings:
            return
        self.remember_write(recordings)
        position = max(r.notification.id for r in recordings)
        for listener in self._write_listeners:
            listener(position)


def _replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Each event applied in turn. The library's own projector first asks each event
    whether it satisfies a runtime-checked protocol, a test that walks the
    protocol's members every time: 2 % of a server's time under check-ins."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _kind_name(kind: type[Aggregate]) -> str:
    name = kind.__name__
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))
