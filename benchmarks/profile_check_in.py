"""Where one check-in spends its time, in process, one request at a time.

Three measures on one world (SQLite, as ``grassroots serve``; the read models
caught up once beforehand and then left alone, as when a projection worker runs
them elsewhere, so their threads take no CPU from the requests):

1. the check-in command alone, straight through the application (no HTTP, no
   session, no live update): the floor under anything done above it;
2. check-ins sent one at a time through the Litestar app (ASGI, no sockets), CPU
   and wall time each, beside ``GET /health/live`` the same way as the baseline;
3. cProfile over more of them. The API runs its commands in a thread pool; for the
   profile they run in the calling thread, so one profiler sees the whole request.

    python benchmarks/profile_check_in.py --check-ins 200 --top 30
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.check_in import World2  # noqa: E402
from benchmarks.figures import figure  # noqa: E402

from grassroots.bootstrap import build_read_side, build_web_app  # noqa: E402
from grassroots.settings import Settings  # noqa: E402


async def _inline(function: Callable[..., Any], *args: Any, **_options: Any) -> Any:
    return function(*args)


def _command_floor(world: World2, volunteers: list[Any]) -> float:
    """CPU seconds of the check-in command alone, straight through the application."""
    codes = {v.activity: world.code(v.activity) for v in volunteers}
    for v in volunteers[:10]:  # warm the aggregate cache as the server's would be
        world.app.check_in(v.activity, v.id, token=codes[v.activity])
    timed = volunteers[10:]
    cpu, wall = time.process_time(), time.perf_counter()
    for v in timed:
        world.app.check_in(v.activity, v.id, token=codes[v.activity])
    cpu, wall = (time.process_time() - cpu) / len(timed), (time.perf_counter() - wall) / len(timed)
    print(
        f"1. the command alone ({len(timed)} check-ins, no HTTP): {cpu * 1000:.2f} ms CPU, "
        f"{wall * 1000:.2f} ms wall each"
    )
    return cpu


async def _each(calls: list[Callable[[], Awaitable[None]]]) -> tuple[float, float]:
    """CPU and wall seconds per call, the calls made one after another."""
    cpu, wall = time.process_time(), time.perf_counter()
    for call in calls:
        await call()
    return (time.process_time() - cpu) / len(calls), (time.perf_counter() - wall) / len(calls)


async def _run(
    app: Any,
    world: World2,
    timed: list[Any],
    profiled: list[Any],
    floor: list[Any],
    top: int,
    save: Path | None,
) -> None:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client,
    ):
        codes = {v.activity: world.code(v.activity) for v in world.load}

        def check_in(v: Any) -> Callable[[], Awaitable[None]]:
            async def send() -> None:
                answer = await client.post(
                    f"/api/v1/activities/{v.activity}/check-in",
                    json={"token": codes[v.activity], "device_id": "bench-phone"},
                    headers={"Authorization": f"Bearer {v.access_token}"},
                )
                assert answer.status_code == 200, answer.text

            return send

        async def live() -> None:
            assert (await client.get("/health/live")).status_code == 200

        def me(v: Any) -> Callable[[], Awaitable[None]]:
            async def send() -> None:
                answer = await client.get(
                    "/api/v1/me", headers={"Authorization": f"Bearer {v.access_token}"}
                )
                assert answer.status_code == 200, answer.text

            return send

        await _each([check_in(v) for v in timed[:10]])  # warm up
        cpu, wall = await _each([check_in(v) for v in timed[10:]])
        base_cpu, base_wall = await _each([live] * len(timed))
        # The floor under any caller's request: the session and the account read
        # (each new to this process, as a check-in's are) and one more read of the
        # account, with no command and no write.
        me_cpu, me_wall = await _each([me(v) for v in floor])
        print(
            f"2. check-ins through the app, one at a time: {cpu * 1000:.2f} ms CPU, "
            f"{wall * 1000:.2f} ms wall each; GET /health/live {base_cpu * 1000:.2f} ms CPU, "
            f"{base_wall * 1000:.2f} ms wall; GET /api/v1/me (a caller new to the process) "
            f"{me_cpu * 1000:.2f} ms CPU, {me_wall * 1000:.2f} ms wall"
        )
        figure(
            "a check-in through the app in process, one at a time: CPU",
            f"{cpu * 1000:.2f} ms; ÷ GET /health/live {cpu / base_cpu:.1f}",
        )
        figure(
            "GET /api/v1/me in process, one at a time: CPU",
            f"{me_cpu * 1000:.2f} ms; ÷ GET /health/live {me_cpu / base_cpu:.1f}",
        )

        anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for v in profiled:
            await check_in(v)()
        profile.disable()
        took = time.perf_counter() - started
        print(f"3. {len(profiled)} check-ins profiled: {took / len(profiled) * 1000:.2f} ms each")
        if save is not None:
            profile.dump_stats(save)
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(top)
            print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check-ins", type=int, default=200, help="for each of the three")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, help="also write the profile here (pstats format)")
    args = parser.parse_args()
    # The client's own line per request is the benchmark's cost, not the server's.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    n = args.check_ins + 10
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
        env.update(
            {
                "GRASSROOTS_DATA_DIR": str(Path(tmp) / "var"),
                "GRASSROOTS_SECRET_KEY": "benchmark-" + "b" * 40,
                "GRASSROOTS_RATE_SCAN": "1000000/60",
                "GRASSROOTS_RATE_DEFAULT": "1000000/60",
                "GRASSROOTS_RATE_HEALTH": "1000000/60",
                "GRASSROOTS_EMBEDDED_PROJECTIONS": "no",
            }
        )
        world = World2(env, 4 * n, 0, 0)
        settings = Settings.from_env(env)
        read_side = build_read_side(settings, world.app)
        read_side.catch_up()
        floor = _command_floor(world, world.load[:n])
        figure("the check-in command alone, in process: CPU", f"{floor * 1000:.2f} ms")
        app = build_web_app(settings)
        timed, profiled, callers = (
            world.load[n : 2 * n],
            world.load[2 * n : 3 * n],
            world.load[3 * n :],
        )
        asyncio.run(_run(app, world, timed, profiled, callers, args.top, args.save))


if __name__ == "__main__":
    main()
