"""``grassroots projections run | rebuild [NAME] | status``: the read-model worker's commands."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from grassroots.bootstrap import build_application, build_read_side, event_store_kind
from grassroots.migrating import upgrade
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import Progress
from grassroots.settings import Settings

__all__ = ["progress_bar", "rebuild", "run", "status"]


@contextlib.contextmanager
def _read_side(settings: Settings) -> Iterator[ReadSide]:
    if event_store_kind(settings) != "memory":
        upgrade(settings.database_url, schema=settings.database_schema)
    # The application must outlive the read side: closing it (which the library
    # also does when it is garbage collected) closes the pool the log is read through.
    application = build_application(settings)
    read_side = build_read_side(settings, application)
    try:
        yield read_side
    finally:
        read_side.close()
        application.close()


def run(settings: Settings) -> int:
    """Keep every read model up to date until SIGINT or SIGTERM."""
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    with _read_side(settings) as read_side:
        print(f"projections: following the log for {', '.join(read_side.runners)}", flush=True)
        read_side.start()
        stopped.wait()
    return 0


def rebuild(settings: Settings, name: str | None, out: TextIO = sys.stderr) -> int:
    with _read_side(settings) as read_side:
        names = [name] if name else list(read_side.runners)
        for projection in names:
            runner = read_side.runner(projection)
            events = runner.rebuild(progress_bar(projection, out))
            out.write(f"\n{projection}: rebuilt from {events} log positions\n")
    return 0


def status(settings: Settings, out: TextIO = sys.stdout) -> int:
    with _read_side(settings) as read_side:
        out.write(f"{'projection':<20} {'position':>10} {'log end':>10} {'lag':>8}\n")
        for row in read_side.status():
            out.write(f"{row.name:<20} {row.position:>10} {row.last_position:>10} {row.lag:>8}\n")
    return 0


def progress_bar(name: str, out: TextIO, width: int = 30) -> Callable[[Progress], None]:
    """A one-line bar: positions done of the log's end, rate, and time left."""

    def show(p: Progress) -> None:
        done = p.position / p.last_position if p.last_position else 1.0
        rate = p.events / p.seconds if p.seconds > 0 else 0.0
        left = (p.last_position - p.position) / rate if rate > 0 else 0.0
        bar = "#" * int(done * width)
        out.write(
            f"\r{name:<16} [{bar:<{width}}] {p.position:>9,}/{p.last_position:,}"
            f"  {rate:>8,.0f} ev/s  {int(left) // 60}:{int(left) % 60:02d} left"
        )
        out.flush()

    return show
