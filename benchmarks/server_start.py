"""What starting a server costs, in its parts, against a bare Litestar app's start.

Each round makes a new SQLite data directory and times, for the product's server:
running the migrations, building the app (``create_app``, which registers every route),
and its start-up (the lifespan, through a test client); then the same two steps for a
bare Litestar app with one msgspec route, the baseline. Medians of the rounds; the
figure is the product's build and start-up against the baseline's. The test suite
starts such a server for most of its tests, and every API process starts one.

    python benchmarks/server_start.py --rounds 8
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import msgspec
from litestar import Litestar, post
from litestar.testing import TestClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.figures import figure  # noqa: E402

from grassroots.api.app import create_app  # noqa: E402
from grassroots.bootstrap import (  # noqa: E402
    api_config,
    build_application,
    build_read_side,
    prepare_database_files,
    shared_stores,
)
from grassroots.migrating import upgrade  # noqa: E402
from grassroots.settings import Settings  # noqa: E402


class Echo(msgspec.Struct):
    text: str


@post("/echo")
async def echo(data: Echo) -> Echo:
    return data


def _bare() -> tuple[float, float]:
    started = time.perf_counter()
    app = Litestar(route_handlers=[echo])
    built = time.perf_counter()
    with TestClient(app):
        up = time.perf_counter()
    return built - started, up - built


def _product() -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings.from_env(
            {"GRASSROOTS_SECRET_KEY": "benchmark-" + "s" * 40, "GRASSROOTS_DATA_DIR": directory}
        )
        started = time.perf_counter()
        prepare_database_files(settings)
        upgrade(settings.database_url, schema=settings.database_schema)
        migrated = time.perf_counter()
        application = build_application(settings)
        read_side = build_read_side(settings, application)
        config = api_config(settings)
        app = create_app(
            application,
            event_store_kind="sqlite",
            stores=shared_stores(config),
            read_side=read_side,
            run_projections=True,
            config=config,
        )
        built = time.perf_counter()
        with TestClient(app):
            up = time.perf_counter()
    return migrated - started, built - migrated, up - built


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the migrations' lines, once per round
    _bare(), _product()  # imports and first-use costs out of the way
    product, bare = [], []
    for _ in range(args.rounds):
        product.append(_product())
        bare.append(_bare())
    migrate, build, start = (statistics.median(p[i] for p in product) for i in range(3))
    bare_build, bare_start = (statistics.median(b[i] for b in bare) for i in range(2))
    print(
        f"{args.rounds} rounds, medians: migrations {migrate * 1000:.0f} ms, "
        f"create_app {build * 1000:.0f} ms, start-up {start * 1000:.1f} ms; "
        f"a bare app: build {bare_build * 1000:.1f} ms, start-up {bare_start * 1000:.1f} ms"
    )
    figure(
        "server build and start-up ÷ a bare app's",
        f"{(build + start) / (bare_build + bare_start):.0f} "
        f"(create_app {build * 1000:.0f} ms, start-up {start * 1000:.1f} ms, "
        f"migrations {migrate * 1000:.0f} ms)",
    )


if __name__ == "__main__":
    main()
