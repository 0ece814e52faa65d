"""Waking projection runners when events are written by another process.

PostgreSQL: the event store's insert sends a NOTIFY on the events table's
channel; a LISTEN here turns each into a wake-up. SQLite has no such thing; but
``PRAGMA data_version`` changes whenever another connection commits to the file,
and asking it reads only shared memory (WAL mode), so ``SqliteWatcher`` asks every
few milliseconds and wakes the runners on a change. The writing process also wakes
its own runners directly, and the runners still poll, so a missed wake-up costs at
most a poll interval, never an event.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

__all__ = ["Listener", "PostgresListener", "SqliteWatcher"]


class Listener(Protocol):
    """Something that calls back when another process may have written events."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 5.0) -> None: ...


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


class SqliteWatcher:
    """Wakes the runners when another connection has committed to the SQLite file.

    Measured with ``benchmarks/lag.py`` (API processes and a separate projection
    worker on one SQLite file): a check-out's ledger line was readable ~310 ms after
    the answer with the runners' 0.5 s poll alone.
    """

    def __init__(
        self, path: Path, on_change: Callable[[], None], *, interval_seconds: float = 0.002
    ) -> None:
        self._path = path
        self._on_change = on_change
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name="projection-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                conn = sqlite3.connect(self._path, check_same_thread=False)
                try:
                    seen = conn.execute("PRAGMA data_version").fetchone()[0]
                    while not self._stop.wait(self._interval):
                        version = conn.execute("PRAGMA data_version").fetchone()[0]
                        if version != seen:
                            seen = version
                            self._on_change()
                finally:
                    conn.close()
            except sqlite3.Error:
                log.exception("watching the SQLite file failed; polling until it reopens")
                self._stop.wait(1.0)
