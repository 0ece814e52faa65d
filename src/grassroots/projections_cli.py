"""``grassroots projections run | rebuild [NAME] | status | failures | retry | skip``.

The read-model worker's commands, and an operator's for a read model that is
stuck before an event it cannot apply: ``failures`` shows each one (and the
events skipped so far), ``retry NAME`` tries it again now, ``skip NAME
POSITION --reason TEXT`` passes over that one event for good, audited.
"""

from __future__ import annotations

import contextlib
import getpass
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TextIO

from grassroots.bootstrap import (
    build_application,
    build_read_side,
    event_store_kind,
    prepare_database_files,
)
from grassroots.migrating import upgrade
from grassroots.projections.failures import SkipRefused, load_skips
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import Progress, RebuildFailed
from grassroots.projections.scratch import SwapRefused
from grassroots.settings import Settings

__all__ = ["failures", "progress_bar", "rebuild", "retry", "run", "skip", "status"]


@contextlib.contextmanager
def _read_side(settings: Settings, *, worker: bool = False) -> Iterator[ReadSide]:
    """``worker``: this process does nothing but the read models, so a catch-up may
    pause the garbage collector (see ``projections/collector.py``)."""
    if event_store_kind(settings) != "memory":
        # The files made private before anything (the migration first) creates them.
        prepare_database_files(settings)
        upgrade(settings.database_url, schema=settings.database_schema)
    # The application must outlive the read side: closing it (which the library
    # also does when it is garbage collected) closes the pool the log is read through.
    application = build_application(settings)
    read_side = build_read_side(settings, application, pause_collector=worker)
    try:
        yield read_side
    finally:
        read_side.close()
        application.close()


def run(settings: Settings, stopped: threading.Event | None = None) -> int:
    """Keep every read model up to date until SIGINT or SIGTERM (or ``stopped`` is set)."""
    if stopped is None:
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
    with _read_side(settings, worker=True) as read_side:
        print(f"projections: following the log for {', '.join(read_side.runners)}", flush=True)
        read_side.start()
        stopped.wait()
    return 0


def rebuild(
    settings: Settings, name: str | None, out: TextIO = sys.stderr, err: TextIO = sys.stderr
) -> int:
    """Rebuild read models one by one; 1 at the first that meets an event it cannot apply."""
    with _read_side(settings, worker=True) as read_side:
        names = [name] if name else list(read_side.runners)
        for projection in names:
            runner = read_side.runner(projection)
            try:
                events = runner.rebuild(progress_bar(projection, out))
            except SwapRefused as refused:
                err.write(f"\n{projection}: {refused}\n")
                return 1
            except RebuildFailed as failed:
                err.write(
                    f"\n{failed}\n{projection} keeps its previous rows, at position "
                    f"{runner.position()}. Fix the cause and rebuild again, or pass over the "
                    f"event: grassroots projections skip {projection} <POSITION> --reason TEXT\n"
                )
                return 1
            out.write(f"\n{projection}: rebuilt from {events} log positions\n")
    return 0


def status(settings: Settings, out: TextIO = sys.stdout) -> int:
    with _read_side(settings) as read_side:
        out.write(f"{'projection':<20} {'position':>10} {'log end':>10} {'lag':>8}  state\n")
        for row in read_side.status():
            state = "ok" if row.failed_at is None else f"failing at {row.failed_at}: {row.error}"
            out.write(
                f"{row.name:<20} {row.position:>10} {row.last_position:>10} {row.lag:>8}  {state}\n"
            )
    return 0


def failures(settings: Settings, out: TextIO = sys.stdout) -> int:
    """Each failing read model: where it stands, the event it cannot apply, and why; then skips."""
    with _read_side(settings) as read_side:
        failing = read_side.failures()
        at = {s.name: s.position for s in read_side.status()}
        if not failing:
            out.write("no read model is failing\n")
        for failure in failing.values():
            out.write(
                f"{failure.name}: stands at {at.get(failure.name, 0)}, cannot apply position "
                f"{failure.position}\n"
                f"  event     {failure.topic} {failure.originator_id} "
                f"v{failure.originator_version}\n"
                f"  error     {failure.error}\n"
                f"  since     {failure.first_seen_at:%Y-%m-%d %H:%M:%S}, "
                f"{failure.attempts} attempt(s), last {failure.last_seen_at:%Y-%m-%d %H:%M:%S}\n"
                f"  then      grassroots projections retry {failure.name}  (once fixed), or\n"
                f"            grassroots projections skip {failure.name} {failure.position} "
                "--reason TEXT\n"
            )
        with read_side.reader.connect() as conn:
            skipped = load_skips(conn)
        if skipped:
            out.write("skipped events:\n")
        for s in skipped:
            out.write(
                f"  {s.name} position {s.position} ({s.topic} {s.originator_id}) "
                f"skipped {s.skipped_at:%Y-%m-%d %H:%M:%S} by {s.operator}: {s.reason}\n"
            )
    return 0


def retry(settings: Settings, name: str, out: TextIO = sys.stdout) -> int:
    """Try a read model again now; 1 if it fails again (the attempt is counted)."""
    with _read_side(settings) as read_side:
        failure = read_side.retry(name)
        if failure is not None:
            out.write(
                f"{name} still cannot apply position {failure.position} "
                f"(attempt {failure.attempts}): {failure.error}\n"
            )
            return 1
        out.write(f"{name} is up to date\n")
    return 0


def skip(
    settings: Settings,
    name: str,
    position: int,
    *,
    reason: str,
    operator: str | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Have ``name`` pass over the event at ``position``, for good and in every rebuild."""
    who = operator or _os_user()
    with _read_side(settings) as read_side:
        try:
            done = read_side.skip(name, position, reason=reason, operator=who)
        except SkipRefused as refused:
            err.write(f"not skipped: {refused}\n")
            return 1
        out.write(
            f"{name} will pass over position {done.position} ({done.topic} "
            f"{done.originator_id}), recorded as skipped by {done.operator}\n"
        )
    return 0


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


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
