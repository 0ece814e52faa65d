"""The weekly dispatch and its trend for a county of about 1,000 cadres, against a baseline.

Writes the simulated history (``grassroots.simulation``) of a county with
``--cadres`` cadres, 100 villages with a youth center and a grassroots point
each, 12 weeks of visits, activities, attendance and problems, into a fresh
SQLite store; opens a supervisor's account for the county; lets the read
models catch up; then asks the API in process
(Litestar's test client: the whole request path, no network) for the dispatch
of this week, the 12-week trend, a past month's bulletin as XLSX, and, as the
baseline, ``GET /health/live``, each ``--requests`` times after two warm-ups,
one kind after another, and prints p50 and p95 per kind.

    python benchmarks/dispatch.py --cadres 1000 --requests 30

Goal (the screens' speed): the dispatch's p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.application.accounts import password_hasher
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel
from grassroots.migrating import upgrade
from grassroots.projections.org_tree import org_units_page
from grassroots.settings import Settings
from grassroots.simulation import HistoryShape, generate_history

# A Thursday noon in Hohhot: a week and a month under way.
NOW = datetime(2026, 3, 26, 4, 0, tzinfo=UTC)
SUPERVISOR_PHONE = "13900000009"
PASSWORD = "benchmark-password"


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(call: Callable[[], int], requests: int) -> list[float]:
    for _ in range(2):
        assert call() == 200
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        status = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cadres", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    # The test client logs every request; the figures are the output here.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(
            {"GRASSROOTS_SECRET_KEY": "b" * 48, "GRASSROOTS_DATA_DIR": str(Path(tmp))}
        )
        upgrade(settings.database_url)
        app = build_application(settings, clock=lambda: NOW)
        app.use_password_hasher(password_hasher(fast=True))
        shape = HistoryShape(
            weeks=12,
            townships=10,
            villages_per_township=10,
            volunteers=1000,
            cadres=args.cadres,
            activities_per_center_week=2,
        )
        started = time.perf_counter()
        events = generate_history(app, seed=16, shape=shape)
        read_side = build_read_side(settings, app)
        read_side.catch_up()
        with read_side.engine.connect() as conn:
            county = org_units_page(conn, level=OrgLevel.COUNTY, limit=1)[0].org_unit_id
        app.open_account(
            phone=SUPERVISOR_PHONE,
            name="县团委督导",
            password=PASSWORD,
            grants=[Grant(Role.SUPERVISOR, county)],
        )
        print(
            f"wrote {events} events ({args.cadres} cadres) and caught up "
            f"in {time.perf_counter() - started:.0f} s"
        )
        config = api_config(settings)
        web = create_app(
            app,
            event_store_kind="sqlite",
            stores=shared_stores(config),
            read_side=read_side,
            config=config,
        )
        with TestClient(app=web) as client:
            session = client.post(
                "/api/v1/sessions", json={"phone": SUPERVISOR_PHONE, "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {session.json()['access_token']}"}

            def get(path: str) -> Callable[[], int]:
                return lambda: client.get(path, headers=headers).status_code

            base = f"/api/v1/org-units/{county}"
            kinds = {
                "baseline GET /health/live": get("/health/live"),
                "GET .../dispatch (this week)": get(f"{base}/dispatch"),
                "GET .../compliance-trend?weeks=12": get(f"{base}/compliance-trend?weeks=12"),
                "GET .../bulletins/2026-02.xlsx": get(f"{base}/bulletins/2026-02.xlsx"),
            }
            size = len(client.get(f"{base}/dispatch", headers=headers).content)
            print(f"dispatch document: {size / 1024:.0f} KiB of JSON")
            print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            for name, call in kinds.items():
                samples = _timed(call, args.requests)
                print(
                    f"{name:38s} p50 {statistics.median(samples):7.1f} ms   "
                    f"p95 {_percentile(samples, 0.95):7.1f} ms   (n={len(samples)})"
                )


if __name__ == "__main__":
    main()
