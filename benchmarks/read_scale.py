"""Reads at scale: do the read models' queries stay flat from 100k events to a million?

For each database (SQLite always; PostgreSQL, in a schema of its own, when
GRASSROOTS_TEST_DATABASE_URL names one) the script writes a province's history
(``grassroots.loading``: 12 cities, 100 counties, 41 centers a city, 700
activities a year a city, 10,000 cadres in the capital's 10 counties) twice: a
small one of about 100k events (a few weeks, 30,000 volunteers) and a large one
of over a million (a year, 300,000 volunteers). It catches up the read models,
then times each read, called as the read models' query functions, n times:

- a volunteer's ledger page (50 lines), also over the API in process;
- a center's counts for one week;
- a county's weekly compliance (1,000 cadres) and the capital city's (10,000);
- the open problems of the region (first page of 50).

It prints p50/p99 of each at both sizes, and the large figure over the small one
(goal: at most 1.2, "flat"); goals: p99 under 10 ms for the ledger page and a
center's counts, under 100 ms for a county's compliance.

    python benchmarks/read_scale.py            # ~100k and ~1.4M events; minutes
    python benchmarks/read_scale.py --quick    # ~20k and ~100k events
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.api.context import ApiConfig
from grassroots.api.rate_limits import DEFAULT_RATES, Rate
from grassroots.application.accounts import password_hasher
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.domain.values import IsoWeek
from grassroots.loading import ProvinceShape, generate_province
from grassroots.migrating import upgrade
from grassroots.projections.center_activity import center_counts, week_of
from grassroots.projections.compliance.verdicts import unit_compliance
from grassroots.projections.ledger import read_ledger_page
from grassroots.projections.problems import open_problems
from grassroots.settings import Settings
from grassroots.simulation import FIRST_MONDAY

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.figures import figure

SMALL = ProvinceShape(weeks=3, volunteers=30_000)
LARGE = ProvinceShape(weeks=52, volunteers=300_000)
QUICK_SMALL = ProvinceShape(weeks=2, volunteers=5_000, cadres_per_county=100)
QUICK_LARGE = ProvinceShape(weeks=8, volunteers=30_000, cadres_per_county=100)
PASSWORD = "read-scale-benchmark"
GOALS_MS = {"ledger page": 10.0, "ledger page (API)": 10.0, "center week": 10.0}
COUNTY_GOAL_MS = 100.0


@dataclass(frozen=True)
class Figures:
    events: int
    percentiles: dict[str, tuple[float, float]]  # read -> (p50, p99) in ms


def _settings(url: str, data_dir: Path, schema: str | None) -> Settings:
    env = {
        "GRASSROOTS_DATABASE_URL": url,
        "GRASSROOTS_DATA_DIR": str(data_dir),
        "GRASSROOTS_SECRET_KEY": "b" * 48,
    }
    if schema:
        env["GRASSROOTS_DATABASE_SCHEMA"] = schema
    return Settings.from_env(env)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[98] * 1000


def _timed(n: int, call: Callable[[int], Any]) -> tuple[float, float]:
    call(0)  # warm: statement caches, pages
    # The heap settled as the server settles it once built (see ``grassroots serve``).
    gc.collect()
    gc.freeze()
    samples = []
    for i in range(n):
        started = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def measure(
    name: str, url: str, shape: ProvinceShape, n: int, city_n: int, schema: str | None
) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(url, Path(tmp), schema)
        upgrade(settings.database_url, schema=schema)
        app = build_application(settings, clock=lambda: datetime.now(UTC))
        app.use_password_hasher(password_hasher(fast=True))
        started = time.perf_counter()
        province = generate_province(app, seed=7, shape=shape, batch=2_000)
        seconds = time.perf_counter() - started
        print(
            f"{name}: wrote {province.events:,} events in {seconds:.0f}s"
            f" ({province.events / seconds:,.0f} events/s)",
            flush=True,
        )
        app.open_account(
            phone="13900000000",
            name="管理员",
            password=PASSWORD,
            grants=[Grant(Role.ADMINISTRATOR)],
        )
        read_side = build_read_side(settings, app)
        started = time.perf_counter()
        read_side.catch_up()
        seconds = time.perf_counter() - started
        print(f"{name}: caught up in {seconds:.0f}s", flush=True)

        rng = random.Random(1)
        volunteers = [rng.choice(province.volunteers) for _ in range(n + 1)]
        centers = [rng.choice(province.centers) for _ in range(n + 1)]
        last_week = FIRST_MONDAY + timedelta(days=7 * (shape.weeks - 1), hours=12)
        day = last_week.astimezone(UTC).date()
        week = week_of(day)
        iso = day.isocalendar()
        period = IsoWeek(iso.year, iso.week)
        now = last_week + timedelta(days=7)
        county = province.counties[0][0]
        capital = province.cities[0]
        results: dict[str, tuple[float, float]] = {}
        engine = read_side.engine
        with engine.connect() as conn:
            results["ledger page"] = _timed(
                n, lambda i: read_ledger_page(conn, volunteers[i], limit=51)
            )
            results["center week"] = _timed(
                n, lambda i: center_counts(conn, centers[i], "week", [week])
            )
            results["county compliance"] = _timed(
                n, lambda _i: unit_compliance(conn, county, period, now)
            )
            results["city compliance"] = _timed(
                city_n, lambda _i: unit_compliance(conn, capital, period, now)
            )
            results["open problems"] = _timed(
                n, lambda _i: open_problems(conn, province.region, now, limit=50)
            )
        results["ledger page (API)"] = _over_the_api(settings, app, read_side, volunteers, n)
        read_side.close()
        app.close()
    return Figures(province.events, results)


def _over_the_api(
    settings: Settings, app: Any, read_side: Any, volunteers: list[uuid.UUID], n: int
) -> tuple[float, float]:
    config = api_config(settings)
    config = ApiConfig(
        jwt_secret=config.jwt_secret,
        redis_url=config.redis_url,
        redis_namespace=f"bench-{uuid.uuid4().hex[:8]}",
        rates={name: Rate(1_000_000, 60) for name in DEFAULT_RATES},
    )
    web = create_app(
        app,
        event_store_kind="embedded",
        stores=shared_stores(config),
        read_side=read_side,
        run_projections=False,
        config=config,
    )
    with TestClient(app=web) as client:
        response = client.post(
            "/api/v1/sessions", json={"phone": "13900000000", "password": PASSWORD}
        )
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

        def page(i: int) -> None:
            answer = client.get(f"/api/v1/volunteers/{volunteers[i]}/ledger", headers=headers)
            if answer.status_code != 200:
                raise RuntimeError(answer.text)

        return _timed(n, page)


def report(name: str, small: Figures, large: Figures) -> None:
    print(f"\n{name}: {small.events:,} events vs {large.events:,} events (ms)")
    print(f"{'read':<20} {'p50':>8} {'p99':>8} | {'p50':>8} {'p99':>8} | {'p99 x':>6}  goal")
    for read, (p50, p99) in large.percentiles.items():
        s50, s99 = small.percentiles[read]
        goal = GOALS_MS.get(read, COUNTY_GOAL_MS if read == "county compliance" else None)
        verdict = "" if goal is None else f"p99<{goal:.0f}: {'met' if p99 < goal else 'MISSED'}"
        flat = p99 / s99
        print(
            f"{read:<20} {s50:8.2f} {s99:8.2f} | {p50:8.2f} {p99:8.2f} | {flat:6.2f}"
            f"  {'flat' if flat <= 1.2 else 'NOT flat'}; {verdict}"
        )
        goals = ["large ÷ small p99 ≤ 1.2"] + ([] if goal is None else [f"p99 < {goal:.0f} ms"])
        figure(
            f"{read}, {large.events:,} events ({name})",
            f"p99 {p99:.2f} ms; ÷ {small.events:,} events {flat:.2f}",
            ", ".join(goals),
            flat <= 1.2 and (goal is None or p99 < goal),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~20k and ~100k events")
    parser.add_argument("-n", type=int, default=200, help="timings per read (at least 200)")
    parser.add_argument(
        "--city-n", type=int, default=None, help="timings of the city's compliance (default n)"
    )
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    city_n = args.city_n or args.n
    small, large = (QUICK_SMALL, QUICK_LARGE) if args.quick else (SMALL, LARGE)
    targets: list[tuple[str, str, str | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        if not args.postgres_only:
            targets.append(("sqlite", f"sqlite:///{tmp}/small.sqlite3", None))
        url = os.environ.get("GRASSROOTS_TEST_DATABASE_URL", "")
        schemas = []
        if url.startswith("postgres"):
            import psycopg

            own = f"bench_{uuid.uuid4().hex[:8]}"
            schemas.append(own)
            targets.append(("postgres", url, own))
        try:
            for name, target, schema in targets:
                if schema:
                    with psycopg.connect(target, autocommit=True) as conn:
                        conn.execute(f'CREATE SCHEMA "{schema}"')
                a = measure(f"{name} small", target, small, args.n, city_n, schema)
                if schema:
                    with psycopg.connect(target, autocommit=True) as conn:
                        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
                        conn.execute(f'CREATE SCHEMA "{schema}"')
                    large_target = target
                else:
                    large_target = f"sqlite:///{tmp}/large.sqlite3"
                b = measure(f"{name} large", large_target, large, args.n, city_n, schema)
                report(name, a, b)
        finally:
            for schema in schemas:
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
