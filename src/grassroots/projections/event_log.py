"""The application's notification log, read for the read side as (topic, context, event).

Decoding is ``decoding.py``'s. On SQLite the rows are read with the recorder's
own connections straight from its table, as plain tuples: the recorder's
``select_notifications`` makes a ``Notification`` (a frozen dataclass) and a
new ``UUID`` for every row, which took more time than fetching the rows
themselves (0.5 s of 0.8 s for 100k events here). The statement is the
recorder's own (``rowid`` after the start, up to the stop, the topics asked
for, in ``rowid`` order), and the ids are the recorder's hex text, which the
decoder revives through its id cache as it makes each event. Any other
recorder is read through its ``select_notifications``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Mapper
from eventsourcing.sqlite import SQLiteApplicationRecorder

from grassroots.projections.decoding import EventDecoder
from grassroots.projections.engine import EventContext

__all__ = ["EventLog", "LoggedEvent"]

# (topic, where it stands in the log, the domain event).
LoggedEvent = tuple[str, EventContext, Any]

_context = tuple.__new__

# (position, originator id, originator version, topic, state).
_Row = tuple[int, UUID | str, int, str, bytes]
_Rows = Callable[[int, int, int, Sequence[str]], list[_Row]]


class EventLog:
    """The application's notification log, read as (context, domain event) pairs."""

    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[UUID]) -> None:
        self._recorder = recorder
        self._decode = EventDecoder(mapper)
        self._rows: _Rows
        if (
            isinstance(recorder, SQLiteApplicationRecorder)
            and recorder.datastore.originator_id_type == "uuid"
        ):
            self._rows = _SQLiteRows(recorder)
        else:
            self._rows = _recorder_rows(recorder)

    def last_position(self) -> int:
        return self._recorder.max_notification_id() or 0

    def read(
        self, *, after: int, limit: int, stop: int, topics: Sequence[str]
    ) -> list[tuple[EventContext, Any]]:
        return [
            (context, event)
            for _, context, event in self.read_topics(
                after=after, limit=limit, stop=stop, topics=topics
            )
        ]

    def read_topics(
        self, *, after: int, limit: int, stop: int, topics: Sequence[str]
    ) -> list[LoggedEvent]:
        """Like ``read``, each event with its topic, for sharing a batch between projections."""
        decode = self._decode.decode
        batch: list[LoggedEvent] = []
        append = batch.append
        for position, originator_id, version, topic, state in self._rows(
            after, limit, stop, topics
        ):
            event = decode(originator_id, version, topic, state)
            # The tuple's own constructor: a named tuple's runs a Python function.
            context = _context(
                EventContext, (position, event.originator_id, version, event.timestamp)
            )
            append((topic, context, event))
        return batch


def _recorder_rows(recorder: ApplicationRecorder) -> _Rows:
    def rows(after: int, limit: int, stop: int, topics: Sequence[str]) -> list[_Row]:
        notifications = recorder.select_notifications(
            start=after, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
        )
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
        ]

    return rows


class _SQLiteRows:
    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self._datastore = recorder.datastore
        self._table = recorder.events_table_name
        self._statements: dict[int, str] = {}

    def __call__(self, after: int, limit: int, stop: int, topics: Sequence[str]) -> list[_Row]:
        statement = self._statements.get(len(topics))
        if statement is None:
            among = f"AND topic IN ({','.join('?' * len(topics))}) " if topics else ""
            statement = self._statements[len(topics)] = (
                "SELECT rowid, originator_id, originator_version, topic, state "
                f"FROM {self._table} WHERE rowid>? AND rowid<=? {among}ORDER BY rowid LIMIT ?"
            )
        with self._datastore.transaction(commit=False) as cursor:
            # Plain tuples, as ``_Row`` says: the recorder's connections would
            # make a ``sqlite3.Row`` of each.
            driver_cursor = cursor.sqlite_cursor
            driver_cursor.row_factory = None
            driver_cursor.execute(statement, (after, stop, *topics, limit))
            found: list[_Row] = driver_cursor.fetchall()
        return found
