"""Feeding projections from the event log, exactly once, in batches.

Each batch is one transaction on the read-model database that first moves the
projection's tracking position with a conditional update (``WHERE position =
<where this runner started>``) and then applies the batch's events. The update
comes first so it takes the row lock (PostgreSQL) or the write lock (SQLite,
``BEGIN IMMEDIATE``) before anything else: a second runner on the same
projection waits, then finds the position moved, writes nothing and tries
again from the new position. A crash anywhere rolls the whole batch back. So a
replayed event, a killed worker or two runners started by mistake can never
count anything twice.

Events are read from the log before the transaction, to keep it short; the
log is append-only, so what was read stays true. ``ReadSide`` (``read_side.py``)
reads and decodes one batch for several runners at once and hands each its
share through ``apply``: the same transaction, the same conditional update.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.projections.collector import collector_paused, sweep_young
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext, Projection
from grassroots.projections.event_log import EventLog, LoggedEvent

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "EventLog",
    "LoggedEvent",
    "ProjectionRunner",
    "positions",
    "tracking",
]

# At most this many events per transaction. Live rounds carry a few; after a
# rebuild or downtime a catch-up carries full ones, and fewer, bigger
# transactions write each touched page fewer times. On SQLite each projection's
# share of a batch holds the file's write lock while it is written: at 5000
# events, 30 ms at the median and 75 ms at the 90th percentile here (0.4 s for
# one whose commit also copies the log back into the file), and the event
# store's writes wait that long at most. 10,000 wrote a quarter fewer log pages
# but doubled those waits, and caught up no faster.
DEFAULT_BATCH_SIZE = 5000

tracking = sa.Table(
    "projection_tracking",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


@dataclass(frozen=True)
class Progress:
    position: int
    last_position: int
    events: int
    seconds: float


class ProjectionRunner:
    """Runs one projection over the log; several may run at once without harm."""

    def __init__(
        self,
        projection: Projection,
        engine: Engine,
        log: EventLog,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.projection = projection
        self.engine = engine
        self.log = log
        self.batch_size = batch_size
        self._topics = projection.topics()
        self._topic_set = frozenset(self._topics)
        self._advanced = threading.Condition()
        self._known_position = 0
        # One batch at a time per runner, and where the last one this runner
        # committed left the projection (None: unknown, after a failure).
        self._applying = threading.Lock()
        self._remembered_at: int | None = None

    @property
    def name(self) -> str:
        return self.projection.name

    def ensure_tracking(self) -> None:
        with self.engine.begin() as conn:
            if (
                conn.execute(
                    sa.select(tracking.c.position).where(tracking.c.name == self.name)
                ).first()
                is None
            ):
                insert = _insert_ignoring_duplicates(conn)
                conn.execute(insert.values(name=self.name, position=0))

    def position(self) -> int:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.select(tracking.c.position).where(tracking.c.name == self.name)
            ).scalar()
        return int(found or 0)

    def process_batch(self) -> int:
        """Apply the next batch; the number of log positions it moved over (0: up to date)."""
        start = self.position()
        stop = self.log.last_position()
        if start >= stop:
            self.announce(start)
            return 0
        batch = self.log.read(after=start, limit=self.batch_size, stop=stop, topics=self._topics)
        # With fewer events than asked for, everything up to ``stop`` was read
        # (the other positions hold events this projection does not follow).
        end = batch[-1][0].position if len(batch) == self.batch_size else stop
        return end - start if self.apply(start, end, batch) else 0

    def apply(self, start: int, end: int, batch: Sequence[tuple[EventContext, Any]]) -> bool:
        """Apply ``batch``, every event this projection follows in positions (start, end].

        One transaction moves the tracking row from ``start`` to ``end`` and writes
        the batch's rows; False, with nothing written, if the position was not
        ``start`` (another runner got there first).
        """
        with self._applying:
            # What the projection kept from this runner's last batch is what its
            # tables hold only if that batch committed and ended where this one
            # starts: nothing else (another runner, a rebuild) has moved it since.
            # Should this one fail, nothing is known until a batch commits again.
            self.projection.remembers = self._remembered_at == start
            self.projection.from_start = start == 0
            self._remembered_at = None
            try:
                with self.engine.begin() as conn:
                    moved = conn.execute(
                        tracking.update()
                        .where(tracking.c.name == self.name, tracking.c.position == start)
                        .values(position=end)
                    ).rowcount
                    if moved != 1:
                        raise _LostRace
                    self.projection.apply_batch(conn, batch)
            except _LostRace:
                # Another runner got there first and applied this range; nothing was written.
                return False
            self._remembered_at = end
        self.announce(end)
        return True

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    def follows(self, topic: str) -> bool:
        """Whether this projection reads events of ``topic``."""
        return topic in self._topic_set

    def catch_up(self, progress: Callable[[Progress], None] | None = None) -> int:
        """Process batches until the log's current end; the number of events applied."""
        started = time.perf_counter()
        target = self.log.last_position()
        events = 0
        with collector_paused():
            while self.position() < target:
                before = self.position()
                moved = self.process_batch()
                sweep_young()
                if moved == 0:
                    # Lost a race with another runner, who is moving on; look again.
                    time.sleep(0.005)
                    continue
                events += self.position() - before
                if progress is not None:
                    now = time.perf_counter()
                    progress(Progress(self.position(), target, events, now - started))
        return events

    def rebuild(self, progress: Callable[[Progress], None] | None = None) -> int:
        """Delete the projection's rows and replay the whole log into them."""
        self.ensure_tracking()
        with self.engine.begin() as conn:
            # Moving the position back first makes any runner still at work lose its race.
            conn.execute(tracking.update().where(tracking.c.name == self.name).values(position=0))
            self.projection.clear(conn)
        return self.catch_up(progress)

    def run(self, stop: threading.Event, wake: threading.Event, poll_seconds: float = 0.5) -> None:
        """Follow the log until ``stop`` is set; ``wake`` cuts a wait short after a write."""
        self.ensure_tracking()
        while not stop.is_set():
            if self.process_batch() == 0:
                wake.wait(poll_seconds)
                wake.clear()

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until this projection has applied the log up to ``position``.

        In-process runners announce each batch; a projection run by another
        process is polled. Either way the wait is bounded by ``timeout``.
        """
        deadline = time.monotonic() + timeout
        with self._advanced:
            while self._known_position < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._advanced.wait(min(remaining, 0.02))
                if self._known_position < position:
                    self._known_position = max(self._known_position, self.position())
        return self._known_position >= position

    def announce(self, position: int) -> None:
        """Tell waiters this projection has applied the log up to ``position``."""
        with self._advanced:
            self._known_position = max(self._known_position, position)
            self._advanced.notify_all()


def positions(engine: Engine, names: Sequence[str]) -> dict[str, int]:
    """Where each named projection stands, in one query (0 for one without a row yet)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(tracking.c.name, tracking.c.position).where(tracking.c.name.in_(names))
        )
        found = {name: int(position) for name, position in rows}
    return {name: found.get(name, 0) for name in names}


class _LostRace(Exception):
    pass


def _insert_ignoring_duplicates(conn: sa.Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(tracking).on_conflict_do_nothing(index_elements=["name"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(tracking).on_conflict_do_nothing(index_elements=["name"])
