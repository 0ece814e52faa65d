"""Catch-up rate of the read models, against a raw batched INSERT of as many rows.

For each database (SQLite always; PostgreSQL when GRASSROOTS_TEST_DATABASE_URL or
GRASSROOTS_DATABASE_URL names one) the script writes a generated history of at
least N events (sign-ups and withdrawals, scans, 补录 and corrections, reschedules,
visits, problems), written in time order so that lives span batches as they do in
production (see ``grassroots.simulation``), then times the read side
catching up from scratch (every projection), counts the view rows that produced,
and times inserting that many ledger-line-wide rows raw, 500 per transaction with
SQLAlchemy Core, into the same database through the same engine factory. The ratio
raw time / catch-up time says how much of the database's own insert speed the
projections keep.

Machines are noisy (this one's speed drifts by a third within minutes), so each
catch-up is timed between two raw inserts, one just before it and one just after,
and its ratio is taken against their mean: a drift during the run moves both
sides alike. That is run three times (``--repeats``; the read models are emptied
in between, as a rebuild does, and each run has a read side of its own, so
nothing decoded before is reused) and the median ratio counts. A first catch-up,
not timed, counts the rows, so every timed one runs after it, into tables a
rebuild has emptied, as a second rebuild would. On SQLite each timing starts and
ends with a checkpoint of the write-ahead log, so none leaves work for another
to pay.

The catch-up runs with the product's batch size (GRASSROOTS_PROJECTION_BATCH_SIZE
from the environment if set): each round reads that many log events once for all
projections, and each projection applies its share in one transaction of its own.

The catch-up pauses the garbage collector as the worker does (``grassroots
projections run`` and ``rebuild``); ``--collector running`` leaves it on, as the
server's embedded read side does, to compare the two.

    python benchmarks/projections.py --events 100000
    python benchmarks/projections.py --events 100000 --collector running

The last line reads ``catch-up/raw ratio: sqlite=<x> postgres=<y>``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from grassroots.bootstrap import ALL_PROJECTIONS, build_application, build_read_side
from grassroots.migrating import sqlalchemy_url, upgrade
from grassroots.projections.database import create_read_engine
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import tracking
from grassroots.settings import Settings
from grassroots.simulation import HistoryShape, generate_history

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.figures import figure

SHAPE = HistoryShape(weeks=26, townships=4, villages_per_township=4, volunteers=600, cadres=40)
BATCH = 500


def _settings(url: str, data_dir: Path, schema: str | None) -> Settings:
    env = {
        "GRASSROOTS_DATABASE_URL": url,
        "GRASSROOTS_DATA_DIR": str(data_dir),
        "GRASSROOTS_SECRET_KEY": "b" * 48,
    }
    if schema:
        env["GRASSROOTS_DATABASE_SCHEMA"] = schema
    # The product's own batch size unless the environment sets one.
    if "GRASSROOTS_PROJECTION_BATCH_SIZE" in os.environ:
        env["GRASSROOTS_PROJECTION_BATCH_SIZE"] = os.environ["GRASSROOTS_PROJECTION_BATCH_SIZE"]
    return Settings.from_env(env)


def _view_rows(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return sum(
            int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
            for p in ALL_PROJECTIONS
            for t in p.tables
        )


def _raw_insert_seconds(engine: sa.Engine, rows: int) -> float:
    """Insert ``rows`` ledger-line-wide rows, BATCH per transaction, into a scratch table."""
    scratch = sa.Table(
        "bench_raw_rows",
        sa.MetaData(),
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(20)),
        sa.Column("minutes", sa.Integer),
        sa.Column("balance_after", sa.Integer),
        sa.Column("source_events", sa.Text),
        sa.Column("service_date", sa.Date),
        sa.Column("iso_week", sa.String(8)),
        sa.Column("recorded_at", sa.DateTime(timezone=True)),
    )
    scratch.create(engine)
    volunteer = uuid.uuid4()
    now = datetime.now(UTC)
    payload = [
        {
            "volunteer_id": volunteer,
            "position": i,
            "kind": "credit",
            "minutes": 60,
            "balance_after": 60 * i,
            "source_events": f'["{volunteer}:1", "{volunteer}:2"]',
            "service_date": date(2026, 3, 7),
            "iso_week": "2026-W10",
            "recorded_at": now,
        }
        for i in range(rows)
    ]
    # The payload is the benchmark's, not the database's work: kept out of the
    # collector's scans, which would otherwise walk its rows again and again.
    gc.collect()
    gc.freeze()
    # Whatever the file's log holds from before is copied back first, not timed.
    _settle(engine)
    started = time.perf_counter()
    for i in range(0, rows, BATCH):
        with engine.begin() as conn:
            conn.execute(scratch.insert(), payload[i : i + BATCH])
    _settle(engine)
    seconds = time.perf_counter() - started
    gc.unfreeze()
    scratch.drop(engine)
    _settle(engine)
    return seconds


def _reset(read_side: ReadSide) -> None:
    """Empty every read model and move it back to the start of the log (a rebuild's first step)."""
    with read_side.engine.begin() as conn:
        for runner in read_side.runners.values():
            conn.execute(tracking.update().where(tracking.c.name == runner.name).values(position=0))
            runner.projection.clear(conn)


def _settle(engine: sa.Engine) -> None:
    """Let SQLite copy its write-ahead log back into the file, so a timing pays for its own."""
    if engine.dialect.name != "sqlite":
        return
    connection = engine.raw_connection()
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def bench(
    name: str,
    url: str,
    events_wanted: int,
    repeats: int,
    schema: str | None = None,
    *,
    pause_collector: bool = True,
) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(url, Path(tmp), schema)
        upgrade(settings.database_url, schema=schema)
        app = build_application(settings, clock=lambda: datetime.now(UTC))
        events, seed = 0, 0
        started = time.perf_counter()
        while events < events_wanted:
            seed += 1
            events += generate_history(app, seed=seed, shape=SHAPE, batch=500)
        print(f"{name}: wrote {events} events in {time.perf_counter() - started:.1f}s")
        raw_engine = create_read_engine(sqlalchemy_url(url), schema=schema, writer=True)
        # A first catch-up, not timed, counts the rows each run writes (the raw
        # inserts before a run need the number) and warms the file's pages.
        read_side = build_read_side(settings, app)
        read_side.catch_up()
        rows = _view_rows(read_side.engine)
        read_side.close()
        ratios = []
        for run in range(1, repeats + 1):
            # A read side of its own each run: nothing decoded or remembered in an
            # earlier run is reused. Module-level caches (compiled statements, the
            # days' periods) stay warm, as in a worker's second rebuild.
            read_side = build_read_side(settings, app, pause_collector=pause_collector)
            _reset(read_side)
            before = _raw_insert_seconds(raw_engine, rows)
            _settle(read_side.engine)
            started = time.perf_counter()
            read_side.catch_up()
            _settle(read_side.engine)
            catch_up = time.perf_counter() - started
            if _view_rows(read_side.engine) != rows:
                raise RuntimeError("a catch-up wrote other rows than the first one")
            batch_size = read_side.batch_size
            read_side.close()
            after = _raw_insert_seconds(raw_engine, rows)
            raw = (before + after) / 2
            ratios.append(raw / catch_up)
            print(
                f"{name} run {run}: catch-up {events / catch_up:,.0f} events/s ({rows} view rows"
                f" in {catch_up:.1f}s); raw insert of {rows} rows {before:.1f}s before,"
                f" {after:.1f}s after; ratio {raw / catch_up:.2f}"
            )
        raw_engine.dispose()
        app.close()
    ratio = statistics.median(ratios)
    collector = "paused" if pause_collector else "running"
    print(
        f"{name}: median ratio of {repeats} runs {ratio:.2f} (batch size {batch_size},"
        f" collector {collector})"
    )
    figure(
        f"projection catch-up ÷ raw batched inserts, {name}", f"{ratio:.2f}", "≥ 0.5", ratio >= 0.5
    )
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--repeats", type=int, default=3, help="paired catch-up and raw runs; the median counts"
    )
    parser.add_argument(
        "--collector",
        choices=["paused", "running"],
        default="paused",
        help="paused during the catch-up, as in the worker (default), or running, as in the server",
    )
    args = parser.parse_args()
    pause = args.collector == "paused"
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = bench(
            "sqlite",
            f"sqlite:///{tmp}/bench.sqlite3",
            args.events,
            args.repeats,
            pause_collector=pause,
        )
    ratios = [f"sqlite={sqlite:.2f}"]
    url = os.environ.get("GRASSROOTS_TEST_DATABASE_URL") or os.environ.get(
        "GRASSROOTS_DATABASE_URL", ""
    )
    if url.startswith("postgres"):
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            ratio = bench("postgres", url, args.events, args.repeats, schema, pause_collector=pause)
            ratios.append(f"postgres={ratio:.2f}")
        finally:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print("catch-up/raw ratio: " + " ".join(ratios))


if __name__ == "__main__":
    main()
