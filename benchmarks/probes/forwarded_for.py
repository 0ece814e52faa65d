"""Log-ins and registrations from one host, each with a new X-Forwarded-For, against a
real `grassroots serve` on loopback: how many does the server refuse (429)?

Usage: .venv/bin/python benchmarks/probes/forwarded_for.py [path to the grassroots command]
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

PORT = 8765


def _post(path: str, body: dict[str, str], forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{PORT}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ".venv/bin/grassroots"
    with tempfile.TemporaryDirectory() as data_dir:
        env = dict(os.environ, GRASSROOTS_DATA_DIR=data_dir, GRASSROOTS_PORT=str(PORT))
        server = subprocess.Popen(
            [command, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            log_ins = collections.Counter(
                _post(
                    "/api/v1/sessions",
                    {"phone": f"1390013{i:04d}", "password": "wrong-password-1"},
                    f"198.51.100.{i}",
                )
                for i in range(30)
            )
            registrations = collections.Counter(
                _post(
                    "/api/v1/volunteers",
                    {"phone": f"1380013{i:04d}", "name": "测试", "password": "a long pass 1"},
                    f"203.0.113.{i}",
                )
                for i in range(8)
            )
        finally:
            server.terminate()
            server.wait()
    print("log-in, 30 phones, a new X-Forwarded-For each:", dict(log_ins))
    print("registration, 8 tries, a new X-Forwarded-For each:", dict(registrations))


if __name__ == "__main__":
    main()
