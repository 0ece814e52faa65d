"""The weekly dispatch *page* for a county of about 1,000 cadres, beside the API's dispatch.

The same simulated county as ``benchmarks/dispatch.py`` (``grassroots.simulation``:
``--cadres`` cadres, 100 villages with a youth center and a grassroots point each,
12 weeks of history) in a fresh SQLite store; a supervisor of the county logs in
on the log-in page (cookie session, CSRF token) and over the API (bearer token);
then, each ``--requests`` times after two warm-ups, one kind after another:
``GET /dispatch/?unit=<county>`` (the whole page: the dispatch and the HTML of
every cadre's row), ``GET /dispatch/trend`` (the 12-week trend the page's script
fetches once the page has shown), the API's dispatch and, as the baseline,
``GET /health/live``. Prints p50 and p95 per kind and the page's size.

    python benchmarks/dispatch_page.py --cadres 1000 --requests 30

Goal (the screens' speed): the weekly dispatch's p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import re
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
        with TestClient(app=web, base_url="https://benchmark.local") as client:
            form = re.search(r'name="_csrf_token" value="([^"]+)"', client.get("/login").text)
            assert form is not None
            logged_in = client.post(
                "/login",
                data={"phone": SUPERVISOR_PHONE, "password": PASSWORD, "_csrf_token": form[1]},
                follow_redirects=False,
            )
            assert logged_in.status_code == 303, logged_in.text
            session = client.post(
                "/api/v1/sessions", json={"phone": SUPERVISOR_PHONE, "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {session.json()['access_token']}"}
            page_path = f"/dispatch/?unit={county}"
            api_path = f"/api/v1/org-units/{county}/dispatch"
            trend_path = f"/dispatch/trend?unit={county}"
            kinds = {
                "baseline GET /health/live": lambda: client.get("/health/live").status_code,
                "GET /dispatch/?unit=... (page)": lambda: client.get(page_path).status_code,
                "GET /dispatch/trend (after the page)": lambda: client.get(trend_path).status_code,
                "GET /api/v1/.../dispatch": lambda: (
                    client.get(api_path, headers=headers).status_code
                ),
            }
            page = client.get(page_path).content
            rows = page.count(b"<tr data-cadre=")
            print(
                f"dispatch page: {rows} cadres, {len(page) / 1024:.0f} KiB of HTML, "
                f"{len(gzip.compress(page)) / 1024:.0f} KiB gzipped"
            )
            print(f"load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            for name, call in kinds.items():
                samples = _timed(call, args.requests)
                print(
                    f"{name:38s} p50 {statistics.median(samples):7.1f} ms   "
                    f"p95 {_percentile(samples, 0.95):7.1f} ms   (n={len(samples)})"
                )


if __name__ == "__main__":
    main()
