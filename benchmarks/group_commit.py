"""Check-ins per second from many threads: one transaction each, or grouped.

N threads each check distinct volunteers in (the API runs commands in worker
threads the same way), first with each command in a transaction of its own
(``DirectCommitter``), then with group commit at several windows. In the same
run and the same database, one thread inserts rows raw, one transaction each:
the ratio commands/raw says how much of the database's speed for one-row
transactions the write side reaches; absolute rates vary by machine.

    python benchmarks/group_commit.py --threads 16 --commands 800
    GRASSROOTS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/test \\
        python benchmarks/group_commit.py

Each line: store, committer, commands/s, ratios to raw and to direct, p50/p95 of
one command, commands written per transaction.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from grassroots.application.committing import Committer, DirectCommitter
from grassroots.application.group_committing import GroupCommitter
from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from grassroots.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.figures import figure

PAYLOAD = b'{"volunteer_id":"00000000-0000-0000-0000-000000000000","at":"x"}' * 4
START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
WINDOWS_MS = (0, 1, 2, 5)


class Clock:
    """The benchmark's clock: each round is a day of its own."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _application(database_url: str, data_dir: Path, schema: str | None, clock: Clock) -> Grassroots:
    settings = Settings.from_env(
        {
            "GRASSROOTS_DATABASE_URL": database_url,
            "GRASSROOTS_DATA_DIR": str(data_dir),
            "GRASSROOTS_SECRET_KEY": "b" * 48,
            "GRASSROOTS_GROUP_COMMIT_WINDOW_MS": "off",
        }
    )
    return build_application(settings, schema=schema, clock=clock)


class CountedSave:
    """The application's save, counting the transactions it opens."""

    def __init__(self, app: Grassroots) -> None:
        self.app = app
        self.calls = 0

    def __call__(self, *aggregates: Aggregate) -> list[Recording[UUID]]:
        self.calls += 1
        return self.app.save(*aggregates)


def _committers(app: Grassroots, save: CountedSave) -> Iterator[tuple[str, Committer]]:
    yield "direct", DirectCommitter(save)
    for window in WINDOWS_MS:
        yield (
            f"group {window} ms",
            GroupCommitter(
                save,
                app.events,
                window_seconds=window / 1000,
                remember=app.remember_write,
            ),
        )
    # Once more at the end: what the rounds' order alone changes (each round's
    # presence has one more event to read).
    yield "direct again", DirectCommitter(save)


def _volunteers(app: Grassroots, count: int) -> tuple[UUID, list[UUID]]:
    unit = app.create_org_unit(name="东风社区", level=OrgLevel.REGION)
    center = app.register_center(
        name="东风社区青年之家",
        org_unit_id=unit,
        address="呼和浩特市新城区东风路 1 号",
        location=GeoPoint(40.8426, 111.7492),
        geofence_radius_m=150,
    )
    volunteers = [
        app.register_volunteer(
            name="王小明", phone=f"139{n:08d}", birth_date=date(2001, 5, 4), org_unit_id=unit
        )
        for n in range(count)
    ]
    return center, volunteers


def _round(
    app: Grassroots, clock: Clock, center: UUID, volunteers: list[UUID], day: int, threads: int
) -> tuple[float, list[float]]:
    """Every volunteer checks in to one activity of ``day``; commands/s and each one's seconds."""
    starts = START + timedelta(days=day)
    clock.now = starts - timedelta(days=1)
    activity = app.post_activity(
        center,
        title="社区环境清洁",
        description="清理社区公共区域",
        category="environment",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        sign_up_required=False,
    )
    clock.now = starts - timedelta(minutes=10)
    token = app.venue_code(activity).token
    took: list[float] = []
    lock = threading.Lock()

    def check_in(volunteer: UUID) -> None:
        began = time.perf_counter()
        app.check_in(activity, volunteer, token=token)
        with lock:
            took.append(time.perf_counter() - began)

    with ThreadPoolExecutor(threads) as pool:
        began = time.perf_counter()
        list(pool.map(check_in, volunteers))
        elapsed = time.perf_counter() - began
    return len(volunteers) / elapsed, took


Result = tuple[str, float, list[float], float]


def _compare(app: Grassroots, clock: Clock, commands: int, threads: int) -> list[Result]:
    """Each committer's commands/s, seconds per command, and commands per transaction."""
    center, volunteers = _volunteers(app, commands)
    results = []
    save = CountedSave(app)
    for day, (name, committer) in enumerate(_committers(app, save)):
        app.committer = committer
        save.calls = 0
        rate, took = _round(app, clock, center, volunteers, day, threads)
        # The round's activity is posted in a transaction of its own.
        results.append((name, rate, took, len(volunteers) / max(1, save.calls - 1)))
    return results


def _report(store: str, results: list[Result], raw: float) -> None:
    direct = results[0][1]
    for name, rate, took, per_write in results:
        cuts = statistics.quantiles(took, n=20)
        print(
            f"{store:9} {name:12} {rate:7.0f} commands/s  /raw {rate / raw:5.2f}"
            f"  /direct {rate / direct:5.2f}  p50 {cuts[9] * 1000:6.1f} ms"
            f"  p95 {cuts[18] * 1000:6.1f} ms  {per_write:4.1f} per transaction"
        )
    print(f"{store:9} raw one-row transactions, one thread: {raw:7.0f}/s")
    for name, rate, _took, per_write in results[1:]:
        figure(
            f"group commit ({name}) ÷ direct, {store}",
            f"{rate / direct:.2f} ({rate:.0f} commands/s, {per_write:.1f} per transaction)",
        )


def _raw_rate(n: int, insert: Callable[[], None]) -> float:
    began = time.perf_counter()
    for _ in range(n):
        insert()
    return n / (time.perf_counter() - began)


def bench_sqlite(commands: int, threads: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        clock = Clock()
        app = _application(f"sqlite:///{path}", Path(tmp), None, clock)
        results = _compare(app, clock, commands, threads)
        app.close()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("CREATE TABLE raw (id BLOB PRIMARY KEY, version INT, state BLOB)")

        def insert() -> None:
            conn.execute("BEGIN")
            conn.execute("INSERT INTO raw VALUES (?, 1, ?)", (uuid.uuid4().bytes, PAYLOAD))
            conn.execute("COMMIT")

        raw = _raw_rate(commands, insert)
        conn.close()
    _report("sqlite", results, raw)


@contextmanager
def _schema(url: str) -> Iterator[str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield schema
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bench_postgres(url: str, commands: int, threads: int) -> None:
    import psycopg

    with _schema(url) as schema, tempfile.TemporaryDirectory() as tmp:
        clock = Clock()
        app = _application(url, Path(tmp), schema, clock)
        results = _compare(app, clock, commands, threads)
        app.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE TABLE "{schema}".raw (id uuid PRIMARY KEY, v int, state bytea)')

            def insert() -> None:
                with conn.transaction():
                    conn.execute(
                        f'INSERT INTO "{schema}".raw VALUES (%s, 1, %s)', (uuid.uuid4(), PAYLOAD)
                    )

            raw = _raw_rate(commands, insert)
    _report("postgres", results, raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--commands", type=int, default=800)
    args = parser.parse_args()
    bench_sqlite(args.commands, args.threads)
    url = os.environ.get("GRASSROOTS_TEST_DATABASE_URL", "")
    if url.startswith("postgres"):
        bench_postgres(url, args.commands, args.threads)


if __name__ == "__main__":
    main()
