"""Waking projection runners when events are written by another process.

PostgreSQL: the event store's insert sends a NOTIFY on the events table's
channel; a LISTEN here turns each into a wake-up. SQLite has no such thing, so
there the runners poll (and the writing process wakes its own runners directly).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["PostgresListener"]

log = logging.getLogger(__name__)


class PostgresListener:
    def __init__(self, conninfo: str, channel: str, on_notify: Callable[[], None]) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._on_notify = on_notify
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._listen, name="projection-listen", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _listen(self) -> None:
        import psycopg
        from psycopg import sql

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
                    # Writes made while nobody listened (before the first LISTEN,
                    # or while the connection was lost) sent their NOTIFY to no one:
                    # one wake-up now has the runners look for them at once.
                    self._on_notify()
                    while not self._stop.is_set():
                        # A short timeout so stop() is noticed; a missed wake-up costs
                        # at most one poll interval, never an event.
                        for _ in conn.notifies(timeout=0.5, stop_after=1):
                            self._on_notify()
            except Exception:
                log.exception("listening for new events failed; polling until it reconnects")
                self._stop.wait(1.0)
