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
    "BatchStart",
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
S_co = TypeVar("S_co", bound="BatchState", covariant=True)

# Past this many remembered rows of one kind, a batch starts from nothing and
# loads what it needs: memory stays bounded, and forgetting is always correct.
MAX_REMEMBERED = 100_000


class BatchStart(NamedTuple):
    """What the runner knows of the tables when a batch starts, handed to the batch.

    ``remembered``: the rows the projection kept in memory from its previous
    batch are still its tables' rows (that batch committed, and nothing has
    moved the projection since), so ``begin_batch`` may take them from memory.
    ``from_start``: the batch starts at the log's beginning, where the tables
    are empty (a rebuild empties them in the transaction that moves the
    position back). A batch applied without a runner (a test feeding batches)
    gets neither: it remembers nothing and looks in its tables.
    """

    remembered: bool = False
    from_start: bool = False


# A batch applied with no word from a runner.
UNKNOWN_START = BatchStart()


class BatchState(Protocol):
    """A batch's state that can start the next batch with the rows it holds.

    ``complete``: the state holds every row the tables hold of the kinds it
    remembers, so a batch need not look in the tables for any of them (see
    ``Projection.carried_over``).
    """

    @property
    def complete(self) -> bool: ...

    def next_batch(self: S) -> S:
        """A state holding the same stored rows, with nothing yet to write."""
        ...

    def remembered(self) -> int:
        """The most rows it holds of any one kind."""
        ...


class FreshState(Protocol[S_co]):
    """How a projection makes an empty batch state, complete or not."""

    def __call__(self, *, complete: bool) -> S_co: ...


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

    @staticmethod
    def carried_over(kept: S, fresh: FreshState[S], start: BatchStart) -> S:
        """The state a batch starts from: what the previous batch left, if that still
        holds (``start.remembered``) and is not too big; otherwise a fresh one.

        A fresh state at the log's beginning is complete: the tables hold
        nothing it lacks. A carried-over state stays as complete as it was, since
        each batch adds to memory every row it writes of the kinds memory keeps.
        So a catch-up from nothing (a new install, a rebuild) never looks in its
        own tables for those rows, until memory grows past its cap and starts
        afresh.
        """
        if start.remembered and kept.remembered() < MAX_REMEMBERED:
            return kept.next_batch()
        return fresh(complete=start.from_start)

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

    def apply_batch(
        self,
        conn: sa.Connection,
        batch: Sequence[tuple[EventContext, Any]],
        start: BatchStart = UNKNOWN_START,
    ) -> None:
        """Apply a batch of events in the runner's transaction.

        ``start``: what the runner knows of the tables as the batch starts (see
        ``BatchStart``); it is handed to ``begin_batch`` and kept nowhere.

        By default each handler writes through the connection as it goes. A
        projection that overrides ``begin_batch`` gets its handlers called with
        the object it returns instead, and ``flush_batch`` writes the result with
        a few bulk statements: per-statement overhead, not the database, is what
        limits a catch-up that runs one statement per event.
        """
        target = self.begin_batch(conn, batch, start)
        for context, event in batch:
            handler = self._handlers.get(type(event))
            if handler is not None:
                handler(self, target, event, context)
        self.flush_batch(conn, target)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> Any:
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
