"""``grassroots serve --workers N``: several API processes and one projection worker.

One listening socket is bound here and handed to N ``grassroots serve`` processes
(``--fd``), so the kernel spreads connections among them on one address; none of
them runs read models (``GRASSROOTS_EMBEDDED_PROJECTIONS=no`` in their
environment). Unless the settings say read models run elsewhere
(``GRASSROOTS_EMBEDDED_PROJECTIONS=no``), one ``grassroots projections run``
process keeps them up to date. A child that dies is started again, after a
pause that grows while it keeps dying; SIGINT or SIGTERM stops them all.

Processes share only what the settings point them at: the event store and the
read models (SQLite file or PostgreSQL), and, when ``GRASSROOTS_REDIS_URL`` is
set, rate limits, live updates and log-in delays. Without Redis each process
counts and broadcasts on its own, which the start-up message says.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from grassroots.settings import Settings, loopback_only

__all__ = [
    "Child",
    "Supervisor",
    "bind",
    "codes_lead_to",
    "serve_workers",
    "start_up_message",
]

# A child that lived at least this long before dying is restarted at once.
_HEALTHY_SECONDS = 10.0
_MAX_PAUSE_SECONDS = 30.0


def bind(host: str, port: int) -> socket.socket:
    """The listening socket every API process accepts on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@dataclass
class Child:
    """One supervised process: what starts it, and how often it has died quickly."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    pass_fds: tuple[int, ...] = ()
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0

    def start(self) -> None:
        self.process = subprocess.Popen(list(self.argv), env=dict(self.env), pass_fds=self.pass_fds)
        self.started_at = time.monotonic()

    def pause_before_restart(self) -> float:
        """No pause after a long life; then 1, 2, 4 ... seconds while it keeps dying early."""
        if time.monotonic() - self.started_at >= _HEALTHY_SECONDS:
            self.quick_deaths = 0
            return 0.0
        self.quick_deaths += 1
        return min(_MAX_PAUSE_SECONDS, 2.0 ** (self.quick_deaths - 1))


@dataclass
class Supervisor:
    children: list[Child]
    stopping: threading.Event = field(default_factory=threading.Event)
    poll_seconds: float = 0.2

    def run(self) -> int:
        for child in self.children:
            child.start()
        restart_at: dict[str, float] = {}
        while not self.stopping.wait(self.poll_seconds):
            now = time.monotonic()
            for child in self.children:
                assert child.process is not None
                if child.name in restart_at:
                    if now >= restart_at[child.name]:
                        del restart_at[child.name]
                        child.start()
                    continue
                code = child.process.poll()
                if code is not None:
                    pause = child.pause_before_restart()
                    print(
                        f"grassroots: {child.name} (pid {child.process.pid}) exited with {code}; "
                        f"starting it again in {pause:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
                    restart_at[child.name] = now + pause
        self.stop()
        return 0

    def stop(self, timeout: float = 20.0) -> None:
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_up_message(settings: Settings, workers: int, projection_worker: bool) -> str:
    base = f"http://{settings.host}:{settings.port}"
    shared = (
        "rate limits, log-in delays and live updates shared through Redis"
        if settings.redis_url
        else "no GRASSROOTS_REDIS_URL: each process keeps its own rate limits, log-in "
        "delays and live updates (a venue screen hears only the check-ins its own "
        "process answered)"
    )
    worker = (
        "one projection worker keeps the read models up to date"
        if projection_worker
        else "GRASSROOTS_EMBEDDED_PROJECTIONS=no: run `grassroots projections run` elsewhere"
    )
    return (
        f"\n  Grassroots is starting {workers} API processes on {base}/\n"
        f"    {worker};\n    {shared}.\n"
        f"    event store     {settings.database_url}\n"
        f"{codes_lead_to(settings)}"
        "  Press Ctrl+C to stop.\n"
    )


def codes_lead_to(settings: Settings) -> str:
    """The start-up message's line on where QR codes and links lead, with a warning
    when that is this machine only: a venue screen's code would open nothing on a
    volunteer's phone."""
    line = f"    codes lead to   {settings.public_url}/\n"
    if loopback_only(settings.public_url):
        line += (
            "    (this machine only: phones scanning a code reach nothing; set "
            "GRASSROOTS_PUBLIC_URL to the address people use)\n"
        )
    return line


def serve_workers(settings: Settings, workers: int) -> int:
    """Bind, start ``workers`` API processes and the projection worker, supervise them."""
    from grassroots.bootstrap import event_store_kind, prepare_database_files
    from grassroots.migrating import upgrade

    if event_store_kind(settings) == "memory":
        print(
            "grassroots: several processes cannot share memory://; "
            "use SQLite or PostgreSQL (GRASSROOTS_DATABASE_URL)",
            file=sys.stderr,
        )
        return 2
    # Once, before any child opens the database.
    prepare_database_files(settings)
    upgrade(settings.database_url, schema=settings.database_schema)
    projection_worker = settings.embedded_projections
    sock = bind(settings.host, settings.port)
    env = {**os.environ, "GRASSROOTS_EMBEDDED_PROJECTIONS": "no"}
    python = [sys.executable, "-m", "grassroots"]
    children = [
        Child(
            f"api-{n}",
            [*python, "serve", "--fd", str(sock.fileno())],
            env,
            pass_fds=(sock.fileno(),),
        )
        for n in range(1, workers + 1)
    ]
    if projection_worker:
        children.append(Child("projections", [*python, "projections", "run"], env))
    print(start_up_message(settings, workers, projection_worker), flush=True)
    supervisor = Supervisor(children)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: supervisor.stopping.set())
    try:
        return supervisor.run()
    finally:
        sock.close()
