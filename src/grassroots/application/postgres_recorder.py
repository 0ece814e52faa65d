"""eventsourcing's PostgreSQL recorder, with every wait for the database bounded.

eventsourcing retries each read and write up to ten times on a connection
error, and each try waits the pool's timeout for a connection: with the
database away a request waited some 30-50 s before failing. Here a call is
tried again only while the configured bound has not run out, and never after
the pool has already waited the bound for a connection; new connections give
up after the same bound (libpq's ``connect_timeout``). So a request fails
within about the bound, and the API answers 503 (``api/problems.py``).

Named by ``APPLICATION_RECORDER_TOPIC`` in ``event_store.py``; imported only
when the event store is PostgreSQL.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg_pool import PoolTimeout

__all__ = ["BoundedPostgresApplicationRecorder"]

T = TypeVar("T")

# Between two tries after a connection broke (the pool replaces it meanwhile).
_PAUSE_SECONDS = 0.1
# The pool gives up reconnecting after this long and starts afresh on the next
# request, so its back-off (doubling from 1 s) never grows past ~16 s: the
# service comes back soon after the database does.
_RECONNECT_SECONDS = 30.0


class BoundedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        pool = datastore.pool
        # The pool's timeout is POSTGRES_CONNECT_TIMEOUT (the configured bound).
        self.bound_seconds = float(pool.timeout)
        # libpq counts whole seconds and treats less than 2 as 2.
        if isinstance(pool.kwargs, dict):
            pool.kwargs["connect_timeout"] = max(2, math.ceil(pool.timeout))
        pool.reconnect_timeout = _RECONNECT_SECONDS

    def _bounded(self, call: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.bound_seconds
        while True:
            try:
                return call()
            except (InterfaceError, OperationalError) as error:
                waited_out = isinstance(error.__cause__, PoolTimeout)
                if waited_out or time.monotonic() + _PAUSE_SECONDS >= deadline:
                    raise
                time.sleep(_PAUSE_SECONDS)

    # Each method below is eventsourcing's own, without its ten-try decorator
    # (``__wrapped__``), tried again only within the bound.

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        insert = PostgresApplicationRecorder.insert_events.__wrapped__
        inserted: Sequence[int] | None = self._bounded(
            lambda: insert(self, stored_events, **kwargs)
        )
        return inserted

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        select = PostgresApplicationRecorder.select_events.__wrapped__
        found: Sequence[StoredEvent] = self._bounded(
            lambda: select(self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        )
        return found

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        select = PostgresApplicationRecorder.select_notifications.__wrapped__
        found: Sequence[Notification] = self._bounded(
            lambda: select(self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start)
        )
        return found

    def max_notification_id(self) -> int | None:
        find = PostgresApplicationRecorder.max_notification_id.__wrapped__
        found: int | None = self._bounded(lambda: find(self))
        return found
