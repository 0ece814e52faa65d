"""Save rate of single-event aggregates on the event stores, against raw inserts.

For each store, N aggregates are saved through the application (one command, one
transaction each) and, in the same run and the same database, N rows of the same
size are inserted raw with one transaction each. The ratio saves/raw says how much
of the database's own speed the write side keeps; absolute rates vary by machine.

    python benchmarks/event_store.py --events 2000
    GRASSROOTS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1/test \
        python benchmarks/event_store.py

The last line reads: ``save/raw ratio: sqlite=<x> postgres=<y>``.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.org_unit import OrgLevel
from grassroots.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.figures import figure

PAYLOAD = b'{"name":"benchmark region","level":"region","parent_id":null}' * 2


def _rate(n: int, work: Callable[[int], None]) -> float:
    started = time.perf_counter()
    for i in range(n):
        work(i)
    return n / (time.perf_counter() - started)


def _application(database_url: str, data_dir: Path, schema: str | None) -> Grassroots:
    settings = Settings.from_env(
        {
            "GRASSROOTS_DATABASE_URL": database_url,
            "GRASSROOTS_DATA_DIR": str(data_dir),
            "GRASSROOTS_SECRET_KEY": "b" * 48,
        }
    )
    return build_application(settings, schema=schema, clock=lambda: datetime.now(UTC))


def _saves(app: Grassroots, n: int) -> float:
    return _rate(n, lambda i: app.create_org_unit(name=f"区 {i}", level=OrgLevel.REGION))


def bench_sqlite(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        app = _application(f"sqlite:///{path}", Path(tmp), None)
        saves = _saves(app, n)
        app.close()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE raw (id BLOB PRIMARY KEY, version INT, state BLOB)")

        def insert(_: int) -> None:
            conn.execute("BEGIN")
            conn.execute("INSERT INTO raw VALUES (?, 1, ?)", (uuid.uuid4().bytes, PAYLOAD))
            conn.execute("COMMIT")

        raw = _rate(n, insert)
        conn.close()
    print(f"sqlite:   {saves:8.0f} saves/s   raw {raw:8.0f} inserts/s   ratio {saves / raw:.2f}")
    figure("application saves ÷ raw inserts, SQLite", f"{saves / raw:.2f}")
    return saves / raw


def bench_postgres(url: str, n: int) -> float:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            with tempfile.TemporaryDirectory() as tmp:
                app = _application(url, Path(tmp), schema)
                saves = _saves(app, n)
                app.close()
            conn.execute(f'CREATE TABLE "{schema}".raw (id uuid PRIMARY KEY, v int, state bytea)')

            def insert(_: int) -> None:
                with conn.transaction():
                    conn.execute(
                        f'INSERT INTO "{schema}".raw VALUES (%s, 1, %s)', (uuid.uuid4(), PAYLOAD)
                    )

            raw = _rate(n, insert)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"postgres: {saves:8.0f} saves/s   raw {raw:8.0f} inserts/s   ratio {saves / raw:.2f}")
    figure("application saves ÷ raw inserts, PostgreSQL", f"{saves / raw:.2f}")
    return saves / raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    ratios = [f"sqlite={bench_sqlite(args.events):.2f}"]
    url = os.environ.get("GRASSROOTS_TEST_DATABASE_URL") or os.environ.get(
        "GRASSROOTS_DATABASE_URL", ""
    )
    if url.startswith("postgres"):
        ratios.append(f"postgres={bench_postgres(url, args.events):.2f}")
    print("save/raw ratio: " + " ".join(ratios))


if __name__ == "__main__":
    main()
