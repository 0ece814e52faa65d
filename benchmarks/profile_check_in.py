"""Where one check-in spends its time: cProfile over check-ins sent through the
Litestar app in process (ASGI, no sockets), the store SQLite as ``grassroots serve``.

The API runs its commands in a thread pool; here they run in the calling thread, so
one profiler sees the whole request. The embedded projections keep running in their
own threads and are not in the profile (their cost shows in benchmarks/check_in.py).

    python benchmarks/profile_check_in.py --check-ins 200 --top 30

It first times the check-in command alone, straight through the application (no
HTTP, no session, no live update): the floor under anything done above it.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.check_in import World2  # noqa: E402

from grassroots.bootstrap import build_web_app  # noqa: E402
from grassroots.settings import Settings  # noqa: E402


async def _inline(function: Callable[..., Any], *args: Any, **_options: Any) -> Any:
    return function(*args)


def _command_floor(world: World2, volunteers: list[Any]) -> None:
    """The check-in command alone, straight through the application: no HTTP, no
    session, no live update. What no change above the application can go below."""
    codes = {v.activity: world.code(v.activity) for v in volunteers}
    for v in volunteers[:10]:  # warm the aggregate cache as the server's would be
        world.app.check_in(v.activity, v.id, token=codes[v.activity])
    timed = volunteers[10:]
    cpu, wall = time.process_time(), time.perf_counter()
    for v in timed:
        world.app.check_in(v.activity, v.id, token=codes[v.activity])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(
        f"the command alone ({len(timed)} check-ins, no HTTP): {cpu / len(timed) * 1000:.2f} ms "
        f"CPU, {wall / len(timed) * 1000:.2f} ms wall each"
    )


async def _run(app: Any, world: World2, top: int) -> None:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        volunteers = world.load[: len(world.load) // 2]
        codes = {v.activity: world.code(v.activity) for v in volunteers}

        async def one(v: Any) -> None:
            answer = await client.post(
                f"/api/v1/activities/{v.activity}/check-in",
                json={"token": codes[v.activity], "device_id": "bench-phone"},
                headers={"Authorization": f"Bearer {v.access_token}"},
            )
            assert answer.status_code == 200, answer.text

        for v in volunteers[:10]:  # warm up
            await one(v)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for v in volunteers[10:]:
            await one(v)
        profile.disable()
        took = time.perf_counter() - started
        count = len(volunteers) - 10
        print(f"{count} check-ins in process: {took / count * 1000:.2f} ms each (profiled)")
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
            print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-ins", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
        env.update(
            {
                "GRASSROOTS_DATA_DIR": str(Path(tmp) / "var"),
                "GRASSROOTS_SECRET_KEY": "benchmark-" + "b" * 40,
                "GRASSROOTS_RATE_SCAN": "1000000/60",
                "GRASSROOTS_RATE_DEFAULT": "1000000/60",
            }
        )
        # Half the volunteers check in through HTTP, the other half straight through
        # the application (the same activities, distinct volunteers).
        world = World2(env, 2 * (args.check_ins + 10), 0, 0)
        _command_floor(world, world.load[len(world.load) // 2 :])
        app = build_web_app(Settings.from_env(env))
        asyncio.run(_run(app, world, args.top))


if __name__ == "__main__":
    main()
