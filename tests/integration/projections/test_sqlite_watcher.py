"""A projection worker on SQLite wakes when another process commits to the file,
not only at its next poll."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from grassroots.projections.wakeup import SqliteWatcher


def test_a_commit_by_another_connection_wakes_the_runners_and_nothing_else_does(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.sqlite3"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE stored_events (id INTEGER PRIMARY KEY)")
    writer.commit()
    woken = threading.Event()
    watcher = SqliteWatcher(path, woken.set, interval_seconds=0.001)
    watcher.start()
    try:
        # Reads, and time passing, are no change.
        writer.execute("SELECT count(*) FROM stored_events").fetchall()
        assert not woken.wait(0.3)

        writer.execute("INSERT INTO stored_events DEFAULT VALUES")
        writer.commit()
        assert woken.wait(5)

        woken.clear()
        assert not woken.wait(0.3)
        writer.execute("INSERT INTO stored_events DEFAULT VALUES")
        writer.commit()
        assert woken.wait(5)
    finally:
        watcher.stop()
        writer.close()
