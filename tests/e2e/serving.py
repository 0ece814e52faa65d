"""A real `grassroots serve` process for the end-to-end tests: started on a free port,
waited for until /health answers, and always stopped."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(port: int, env: Mapping[str, str], workdir: Path) -> Iterator[None]:
    """`grassroots serve` with ``env`` (which names ``port``), its log in ``workdir``."""
    with (workdir / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "grassroots", "serve"],
            env=dict(env),
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_health(port, process)
            yield
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_health(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                assert json.load(r)["status"] == "ok"
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer within 30 seconds")
