"""`grassroots serve` (what `make run` starts) comes up on the embedded default and answers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_server_starts_on_a_fresh_data_dir_and_serves_health_and_the_schema(
    tmp_path: Path,
) -> None:
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRASSROOTS_")}
    env.update({"GRASSROOTS_PORT": str(port), "GRASSROOTS_DATA_DIR": str(tmp_path / "var")})
    server = subprocess.Popen(
        [sys.executable, "-m", "grassroots", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = _wait_for_json(f"http://127.0.0.1:{port}/health", server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/schema/openapi.json") as r:
            schema = json.load(r)
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=20)

    assert health["status"] == "ok"
    assert health["event_store"] == "sqlite"
    assert "/health" in schema["paths"]
    assert f"http://127.0.0.1:{port}/schema" in output
    assert (tmp_path / "var" / "grassroots.sqlite3").exists()


def _wait_for_json(url: str, server: subprocess.Popen[str]) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(
                f"the server exited early:\n{server.stdout.read() if server.stdout else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return dict(json.load(response))
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the server did not answer within 30 seconds")
