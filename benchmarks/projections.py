"""Catch-up rate of the read models, against a raw batched INSERT of the same rows.

For each database (SQLite always; PostgreSQL when GRASSROOTS_TEST_DATABASE_URL or
GRASSROOTS_DATABASE_URL names one) the script writes a generated history of at
least N events (scans, corrections, visits, problems), then times the read side
catching up from scratch (every projection), counts the view rows that produced,
and times inserting that many rows of the same width raw, 500 per transaction,
into the same database. The ratio raw time / catch-up time says how much of the
database's own insert speed the projections keep.

The catch-up runs with GRASSROOTS_PROJECTION_BATCH_SIZE=2000, the product's own
setting (default 500): each round reads 2000 log events once for all five
projections, and each projection applies its share of them (at most 2000
events) in one transaction of its own. The raw baseline stays at 500 rows per
transaction, through the same engine factory as the read side.

    python benchmarks/projections.py --events 100000

The last line reads ``catch-up/raw ratio: sqlite=<x> postgres=<y>``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from grassroots.bootstrap import build_application, build_read_side
from grassroots.migrating import sqlalchemy_url, upgrade
from grassroots.projections.database import create_read_engine
from grassroots.projections.read_side import ALL_PROJECTIONS
from grassroots.settings import Settings
from grassroots.simulation import HistoryShape, generate_history

SHAPE = HistoryShape(weeks=26, townships=4, villages_per_township=4, volunteers=600, cadres=40)
BATCH = 500
# The product setting the catch-up runs with (see the docstring); printed with the result.
PROJECTION_BATCH_SIZE = 2000


def _settings(url: str, data_dir: Path, schema: str | None) -> Settings:
    env = {
        "GRASSROOTS_DATABASE_URL": url,
        "GRASSROOTS_DATA_DIR": str(data_dir),
        "GRASSROOTS_SECRET_KEY": "b" * 48,
        "GRASSROOTS_PROJECTION_BATCH_SIZE": str(PROJECTION_BATCH_SIZE),
    }
    if schema:
        env["GRASSROOTS_DATABASE_SCHEMA"] = schema
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
    started = time.perf_counter()
    for i in range(0, rows, BATCH):
        with engine.begin() as conn:
            conn.execute(scratch.insert(), payload[i : i + BATCH])
    seconds = time.perf_counter() - started
    scratch.drop(engine)
    return seconds


def bench(name: str, url: str, events_wanted: int, schema: str | None = None) -> float:
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
        read_side = build_read_side(settings, app)
        started = time.perf_counter()
        read_side.catch_up()
        catch_up = time.perf_counter() - started
        rows = _view_rows(read_side.engine)
        read_side.close()
        engine = create_read_engine(sqlalchemy_url(url), schema=schema)
        raw = _raw_insert_seconds(engine, rows)
        engine.dispose()
        app.close()
    print(
        f"{name}: catch-up {events / catch_up:,.0f} events/s ({rows} view rows in {catch_up:.1f}s,"
        f" GRASSROOTS_PROJECTION_BATCH_SIZE={PROJECTION_BATCH_SIZE});"
        f" raw insert of {rows} rows {raw:.1f}s; ratio {raw / catch_up:.2f}"
    )
    return raw / catch_up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ratios = [f"sqlite={bench('sqlite', f'sqlite:///{tmp}/bench.sqlite3', args.events):.2f}"]
    url = os.environ.get("GRASSROOTS_TEST_DATABASE_URL") or os.environ.get(
        "GRASSROOTS_DATABASE_URL", ""
    )
    if url.startswith("postgres"):
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            ratios.append(f"postgres={bench('postgres', url, args.events, schema):.2f}")
        finally:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print("catch-up/raw ratio: " + " ".join(ratios))


if __name__ == "__main__":
    main()
