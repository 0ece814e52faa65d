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

A batch that fails is rolled back whole, as any other. Only then does
``isolate`` apply it again in halves, each in a transaction of its own with
the same conditional update, until the one event that fails alone is found:
everything before it is applied, and the projection stands just before it.
Batches that do not fail take the path above and nothing else. Events an
operator skipped (``failures.py``) are left out of every batch; the tracking
row counts the skips, and the conditional update names the count the runner
knows, so a skip recorded meanwhile makes the batch lose its race.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.projections.collector import CatchUpCollector
from grassroots.projections.database import metadata
from grassroots.projections.engine import BatchStart, EventContext, Projection
from grassroots.projections.event_log import EventLog, LoggedEvent
from grassroots.projections.failures import describe, failures, skipped_positions, skips
from grassroots.projections.scratch import scratch_database, swap_in

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "EventLog",
    "Isolated",
    "LoggedEvent",
    "ProjectionRunner",
    "RebuildFailed",
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
    # How many events an operator has had this projection skip (see ``failures.py``).
    sa.Column("skips", sa.Integer, nullable=False, server_default="0"),
)


@dataclass(frozen=True)
class Progress:
    position: int
    last_position: int
    events: int
    seconds: float


class Isolated(NamedTuple):
    """The one event of a failed batch that fails alone, once everything before it is applied."""

    stands_at: int
    context: EventContext
    event: Any
    error: Exception

    @property
    def topic(self) -> str:
        from eventsourcing.utils import get_topic

        return get_topic(type(self.event))


class RebuildFailed(RuntimeError):
    """A rebuild met an event it cannot apply; the live read model was left as it was."""

    def __init__(self, name: str, found: Isolated | None, error: BaseException) -> None:
        self.name = name
        self.found = found
        if found is None:
            what = f"the rebuild failed: {describe(error, 'unknown')}"
        else:
            what = (
                f"the rebuild stopped at position {found.context.position}: "
                f"{describe(found.error, found.topic)}"
            )
        super().__init__(f"{name}: {what}")


class ProjectionRunner:
    """Runs one projection over the log; several may run at once without harm."""

    def __init__(
        self,
        projection: Projection,
        engine: Engine,
        log: EventLog,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        pause_collector: bool = False,
        reader: Engine | None = None,
    ) -> None:
        self.projection = projection
        self.engine = engine
        # Waiters poll the position through ``reader`` (see ``ReadSide``): on SQLite
        # a read on the runners' own engine would queue for the write lock.
        self._reader = engine if reader is None else reader
        self.log = log
        self.batch_size = batch_size
        # Set in the worker's process only (see ``collector.py``).
        self.pause_collector = pause_collector
        self._topics = projection.topics()
        self._topic_set = frozenset(self._topics)
        self._advanced = threading.Condition()
        self._known_position = 0
        # One batch at a time per runner, and where the last one this runner
        # committed left the projection (None: unknown, after a failure).
        self._applying = threading.Lock()
        self._remembered_at: int | None = None
        # The positions an operator had this projection skip, in order (None: not
        # read yet, or perhaps changed since); and where it is known to be stuck.
        self._skips: tuple[int, ...] | None = None
        self._skip_count = 0
        self._failed_at: int | None = None

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
        self._skips = None

    def position(self) -> int:
        return self._position(self.engine)

    def _position(self, engine: Engine) -> int:
        with engine.connect() as conn:
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
        ``start`` (another runner got there first) or a skip was recorded that
        this runner did not know of.
        """
        with self._applying:
            skipped = self._skips if self._skips is not None else self._read_skips()
            lo, hi = bisect_right(skipped, start), bisect_right(skipped, end)
            if hi > lo:
                passed = frozenset(skipped[lo:hi])
                batch = [pair for pair in batch if pair[0].position not in passed]
            # What the projection kept from this runner's last batch is what its
            # tables hold only if that batch committed and ended where this one
            # starts: nothing else (another runner, a rebuild) has moved it since.
            # Should this one fail, nothing is known until a batch commits again.
            begins = BatchStart(remembered=self._remembered_at == start, from_start=start == 0)
            self._remembered_at = None
            try:
                with self.engine.begin() as conn:
                    _without_waiting_for_the_disk(conn)
                    moved = conn.execute(
                        tracking.update()
                        .where(
                            tracking.c.name == self.name,
                            tracking.c.position == start,
                            tracking.c.skips == self._skip_count,
                        )
                        .values(position=end)
                    ).rowcount
                    if moved != 1:
                        raise _LostRace
                    self.projection.apply_batch(conn, batch, begins)
            except _LostRace:
                # Another runner got there first and applied this range, or an
                # operator skipped an event: nothing was written; read the skips again.
                self._skips = None
                return False
            self._remembered_at = end
            if self._failed_at is not None and end >= self._failed_at:
                self._failed_at = None
        self.announce(end)
        return True

    @staticmethod
    def advance_together(
        engine: Engine, runners: Sequence[ProjectionRunner], start: int, end: int
    ) -> bool:
        """Move ``runners``, none of which follows an event in (start, end], from ``start``
        to ``end`` in one transaction; False, with nothing written, if any lost its race
        (the caller then applies each alone, and learns which).

        Each would otherwise commit alone to move nothing but its position: with ten
        read models, a check-out's ledger line waited behind nine such commits.
        """
        ordered = sorted(runners, key=lambda r: r.name)  # one order: no deadlock
        with ExitStack() as held:
            for runner in ordered:
                held.enter_context(runner._applying)
                if runner._skips is None:
                    runner._read_skips()
            try:
                with engine.begin() as conn:
                    _without_waiting_for_the_disk(conn)
                    each = [
                        sa.and_(tracking.c.name == r.name, tracking.c.skips == r._skip_count)
                        for r in ordered
                    ]
                    moved = conn.execute(
                        tracking.update()
                        .where(tracking.c.position == start, sa.or_(*each))
                        .values(position=end)
                    ).rowcount
                    if moved != len(ordered):
                        raise _LostRace
            except _LostRace:
                for runner in ordered:
                    runner._skips = None
                return False
            for runner in ordered:
                # Nothing was applied: what a projection kept is still true only if
                # it was true at ``start``.
                runner._remembered_at = end if runner._remembered_at == start else None
        for runner in ordered:
            runner.announce(end)
        return True

    def _read_skips(self) -> tuple[int, ...]:
        with self.engine.connect() as conn:
            self._skips = skipped_positions(conn, self.name)
            # The count the tracking row holds, not the rows counted: were the two
            # ever to differ, every batch would lose its race for good.
            counted = conn.execute(
                sa.select(tracking.c.skips).where(tracking.c.name == self.name)
            ).scalar()
        self._skip_count = int(counted or 0)
        return self._skips

    def isolate(
        self, start: int, end: int, batch: Sequence[tuple[EventContext, Any]]
    ) -> Isolated | None:
        """After ``apply(start, end, batch)`` failed: find the one event that fails alone.

        Applies the batch again in halves, each in a transaction of its own: a
        half that fails is halved again, one that commits is kept. So everything
        before the failing event is applied (in about twice the batch's work) and
        the projection stands just before it. None if nothing failed this time
        (the failure came from elsewhere) or another runner moved the projection.
        """
        skipped = set(self._skips or ())
        suspect = [pair for pair in batch if pair[0].position not in skipped]
        position = start
        while len(suspect) > 1:
            half = suspect[: len(suspect) // 2]
            half_end = half[-1][0].position
            try:
                if not self.apply(position, half_end, half):
                    return None
            except Exception:
                suspect = half
                continue
            position = half_end
            suspect = suspect[len(half) :]
        if not suspect:
            return None
        context, event = suspect[0]
        try:
            if not self.apply(position, context.position, suspect):
                return None
        except Exception as error:
            failing = error
        else:
            return None
        # Over the positions between (events it does not follow), so it stands
        # right before the failing one, as the failure record says.
        if position < context.position - 1 and self.apply(position, context.position - 1, []):
            position = context.position - 1
        return Isolated(position, context, event, failing)

    def mark_failing(self, position: int | None) -> None:
        """Note that this projection cannot get past ``position`` (None: it can again)."""
        with self._advanced:
            self._failed_at = position
            self._advanced.notify_all()

    @property
    def failed_at(self) -> int | None:
        """The position this projection is known, in this process, to be stuck before."""
        return self._failed_at

    def forget_skips(self) -> None:
        """Read the skips again before the next batch (an operator recorded one)."""
        self._skips = None

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
        collector = CatchUpCollector(pause=self.pause_collector)
        with collector.paused():
            while self.position() < target:
                before = self.position()
                moved = self.process_batch()
                collector.sweep()
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
        """Replay the whole log into scratch tables, then swap them for the live ones.

        Honours every skip recorded for the projection, so it gives the rows an
        incremental run gives. If an event fails, raises ``RebuildFailed`` and the
        live tables keep their rows and position (see ``scratch.py``).
        """
        self.ensure_tracking()
        tables = list(self.projection.tables)
        with scratch_database(self.engine, self.name) as scratch:
            metadata.create_all(scratch.engine, tables=[tracking, skips, *tables])
            with self.engine.connect() as conn:
                audited = [
                    row._asdict()
                    for row in conn.execute(sa.select(skips).where(skips.c.name == self.name))
                ]
                counted = int(
                    conn.execute(
                        sa.select(tracking.c.skips).where(tracking.c.name == self.name)
                    ).scalar()
                    or 0
                )
            with scratch.engine.begin() as conn:
                if audited:
                    conn.execute(skips.insert(), audited)
                conn.execute(tracking.insert().values(name=self.name, position=0, skips=counted))
            builder = ProjectionRunner(
                type(self.projection)(),
                scratch.engine,
                self.log,
                batch_size=self.batch_size,
                pause_collector=self.pause_collector,
            )
            events = builder.build(progress)
            built = builder.position()
            swap_in(
                self.engine,
                scratch,
                tables,
                before=tracking.update()
                .where(tracking.c.name == self.name, tracking.c.skips == counted)
                .values(position=built),
                after=[
                    failures.delete().where(
                        failures.c.name == self.name, failures.c.position <= built
                    )
                ],
            )
        with self._applying:
            # The live rows are new: nothing this runner remembers is known to hold.
            self._remembered_at = None
            self._skips = None
        if self._failed_at is not None and built >= self._failed_at:
            self.mark_failing(None)
        self.announce(built)
        return events

    def build(self, progress: Callable[[Progress], None] | None = None) -> int:
        """Apply the log up to its current end in batches; ``RebuildFailed`` at a failing event.

        A rebuild's catch-up, in its scratch database; the number of log positions applied.
        """
        started = time.perf_counter()
        target = self.log.last_position()
        events = 0
        collector = CatchUpCollector(pause=self.pause_collector)
        with collector.paused():
            while (start := self.position()) < target:
                batch = self.log.read(
                    after=start, limit=self.batch_size, stop=target, topics=self._topics
                )
                end = batch[-1][0].position if len(batch) == self.batch_size else target
                try:
                    self.apply(start, end, batch)
                except Exception as error:
                    raise RebuildFailed(
                        self.name, self.isolate(start, end, batch), error
                    ) from error
                collector.sweep()
                events += end - start
                if progress is not None:
                    progress(Progress(end, target, events, time.perf_counter() - started))
        return events

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
                if self._failed_at is not None and self._failed_at <= position:
                    # Stuck before it: waiting cannot help (the read side decides).
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._advanced.wait(min(remaining, 0.02))
                if self._known_position < position:
                    polled = self._position(self._reader)
                    self._known_position = max(self._known_position, polled)
        return self._known_position >= position

    def reached(self, position: int) -> bool:
        """Whether this projection is known to have applied the log up to ``position``."""
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


def _without_waiting_for_the_disk(conn: sa.Connection) -> None:
    """A read model's rows and its position commit together, so a commit lost to a
    crash is lost whole and applied again from the position that did last: on
    PostgreSQL the commit need not wait for its flush (the event log's commits, in
    another transaction, still do). Measured: 0.85 ms per commit that moves a
    position, a round of ten read models 12 ms."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")


def _insert_ignoring_duplicates(conn: sa.Connection) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(tracking).on_conflict_do_nothing(index_elements=["name"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(tracking).on_conflict_do_nothing(index_elements=["name"])
