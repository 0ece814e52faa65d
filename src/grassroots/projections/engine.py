"""What a projection is: handlers per event type writing rows of its own tables.

A projection never reads the clock or the event store; it is given each event
with its place in the log and writes rows through the connection it is handed,
inside the runner's transaction (see ``runner.py``). Rebuilding it means deleting
its rows and replaying the log, so handlers must be deterministic: the same
events in the same order give the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Protocol, TypeVar
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.utils import get_topic

__all__ = [
    "IN_CHUNK",
    "BatchState",
    "EventContext",
    "Projection",
    "chunked",
    "handles",
    "missing",
    "rows_where_in",
]

# Keys per ``IN (...)`` list: well under every backend's limit on bound parameters
# (SQLite's is the lowest).
IN_CHUNK = 500

E = TypeVar("E")
K = TypeVar("K")
S = TypeVar("S", bound="BatchState")

# Past this many remembered rows of one kind, a batch starts from nothing and
# loads what it needs: memory stays bounded, and forgetting is always correct.
MAX_REMEMBERED = 100_000


class BatchState(Protocol):
    """A batch's state that can start the next batch with the rows it holds.

    ``complete``: the state holds every row the tables hold of the kinds it
    remembers, so a batch need not look in the tables for any of them (see
    ``Projection.carried_over``).
    """

    complete: bool

    def next_batch(self: S) -> S:
        """A state holding the same stored rows, with nothing yet to write."""
        ...

    def remembered(self) -> int:
        """The most rows it holds of any one kind."""
        ...


Handler = Callable[[Any, sa.Connection, Any, "EventContext"], None]


class EventContext(NamedTuple):
    """Where an event stands in the log, beside the event itself.

    A named tuple, not a frozen dataclass: one is made for every event read, and
    a frozen dataclass sets each field through ``object.__setattr__``.
    """

    position: int
    originator_id: UUID
    originator_version: int
    recorded_at: datetime

    @property
    def event_ref(self) -> str:
        """A stable name for the event: its aggregate and version."""
        return f"{self.originator_id}:{self.originator_version}"


def handles(*event_classes: type) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a method as the projection's handler of these event classes."""

    def mark(method: Callable[..., None]) -> Callable[..., None]:
        method.__handles__ = event_classes  # type: ignore[attr-defined]
        return method

    return mark


class Projection:
    """A read model: its name, its tables, and one handler per event type."""

    name: ClassVar[str]
    tables: ClassVar[Sequence[sa.Table]]
    _handlers: ClassVar[dict[type, Handler]]

    # Set by the runner before each batch (see ``ProjectionRunner.apply``): whether
    # the rows this projection kept in memory from its previous batch are still
    # its tables' rows. Then ``begin_batch`` may take them from memory instead of
    # loading them again; otherwise it must forget them. A projection applied
    # without a runner (a test feeding batches) never remembers.
    remembers: bool = False
    # Set by the runner beside ``remembers``: whether the batch starts at the
    # log's beginning. Nothing has been applied there, so the tables are empty
    # (a rebuild empties them in the transaction that moves the position back).
    from_start: bool = False

    def carried_over(self, kept: S, fresh: Callable[[], S]) -> S:
        """The state a batch starts from: what the previous batch left, if that still
        holds (``remembers``) and is not too big; otherwise a fresh one.

        A fresh state at the log's beginning is complete: the tables hold
        nothing it lacks. A carried-over state stays as complete as it was, since
        each batch adds to memory every row it writes of the kinds memory keeps.
        So a catch-up from nothing (a new install, a rebuild) never looks in its
        own tables for those rows, until memory grows past its cap and starts
        afresh.
        """
        if self.remembers and kept.remembered() < MAX_REMEMBERED:
            return kept.next_batch()
        state = fresh()
        state.complete = self.from_start
        return state

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[type, Handler] = {}
        for klass in reversed(cls.__mro__):
            for attribute in vars(klass).values():
                for event_class in getattr(attribute, "__handles__", ()):
                    handlers[event_class] = attribute
        cls._handlers = handlers

    @classmethod
    def topics(cls) -> list[str]:
        """The event topics this projection reads; the runner asks the log for these only."""
        return sorted(get_topic(event_class) for event_class in cls._handlers)

    def handle(self, conn: sa.Connection, event: object, context: EventContext) -> None:
        """Apply one event on its own, as a batch of one.

        Handlers are called with whatever ``begin_batch`` returns, so only
        ``apply_batch`` knows how to call them: every read model gets this path
        from here rather than writing its own.
        """
        self.apply_batch(conn, [(context, event)])

    def apply_batch(self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]]) -> None:
        """Apply a batch of events in the runner's transaction.

        By default each handler writes through the connection as it goes. A
        projection that overrides ``begin_batch`` gets its handlers called with
        the object it returns instead, and ``flush_batch`` writes the result with
        a few bulk statements: per-statement overhead, not the database, is what
        limits a catch-up that runs one statement per event.
        """
        target = self.begin_batch(conn, batch)
        for context, event in batch:
            handler = self._handlers.get(type(event))
            if handler is not None:
                handler(self, target, event, context)
        self.flush_batch(conn, target)

    def begin_batch(self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]]) -> Any:
        return conn

    def flush_batch(self, conn: sa.Connection, target: Any) -> None:
        return None

    def clear(self, conn: sa.Connection) -> None:
        """Delete every row (children first), ready for a rebuild."""
        for table in reversed(list(self.tables)):
            conn.execute(table.delete())

    @staticmethod
    def rows(
        conn: sa.Connection, table: sa.Table, order_by: Iterable[Any]
    ) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in conn.execute(sa.select(table).order_by(*order_by))]


def rows_where_in(
    conn: sa.Connection, query: sa.Select[Any], column: sa.ColumnElement[Any], keys: Iterable[Any]
) -> list[sa.Row[Any]]:
    """The rows of ``query`` whose ``column`` holds one of ``keys``: one query per chunk of keys.

    How a batch loads the stored rows its events need.
    """
    rows: list[sa.Row[Any]] = []
    for chunk in chunked(keys):
        rows.extend(conn.execute(query.where(column.in_(chunk))))
    return rows


def chunked(keys: Iterable[K]) -> list[list[K]]:
    """The keys, in their order, in lists short enough for one ``IN (...)`` each.

    Every statement of a read model that names many keys goes through this (or
    ``rows_where_in``), so no backend's limit on bound parameters is ever met.
    """
    wanted = list(keys)
    return [wanted[i : i + IN_CHUNK] for i in range(0, len(wanted), IN_CHUNK)]


def missing(keys: Iterable[K], known: Mapping[K, Any]) -> set[K]:
    """The keys ``known`` lacks, at the cost of one lookup per key.

    ``set(keys) - known.keys()`` would build a set of every key ``known`` holds:
    fine for one batch's rows, too slow for all that a projection remembers.
    """
    return {key for key in keys if key not in known}
