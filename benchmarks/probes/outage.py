"""Wall clock of one request each while PostgreSQL is out of reach behind a relay the
probe cuts (refused: nothing listens; silent: accepts and never answers), then how long
the API takes to answer again once the relay is restored.

Usage (from the repository root, PostgreSQL running):
    GRASSROOTS_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/probes/outage.py refused|silent
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from urllib.parse import urlsplit

import psycopg
from litestar.testing import TestClient

from grassroots.bootstrap import build_web_app
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings

sys.path.insert(0, os.getcwd())
from tests.integration.api.outage import Relay

PHONE = "13900000001"
PASSWORD = "correct horse 42"


def main() -> None:
    base = os.environ["GRASSROOTS_TEST_DATABASE_URL"]
    mode = sys.argv[1] if len(sys.argv) > 1 else "refused"
    parts = urlsplit(base)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    url = base.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{relay.port}")
    schema = f"probe_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            env = {
                "GRASSROOTS_DATABASE_URL": url,
                "GRASSROOTS_DATABASE_SCHEMA": schema,
                "GRASSROOTS_SECRET_KEY": "p" * 48,
                "GRASSROOTS_DATA_DIR": data_dir,
            }
            _probe(Settings.from_env(env), relay, mode)
    finally:
        relay.close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _probe(settings: Settings, relay: Relay, mode: str) -> None:
    with TestClient(app=build_web_app(settings)) as client:
        client.app.state.grassroots.open_account(
            phone=PHONE, name="管理员", password=PASSWORD, grants=[Grant(Role.ADMINISTRATOR)]
        )
        tokens = client.post("/api/v1/sessions", json={"phone": PHONE, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        relay.cut(mode)  # type: ignore[arg-type]
        for path, sent in (("/health/live", {}), ("/health", {}), ("/api/v1/me", headers)):
            started = time.perf_counter()
            answer = client.get(path, headers=sent)
            took = time.perf_counter() - started
            retry = answer.headers.get("retry-after")
            print(
                f"down ({mode}): {path} -> {answer.status_code} in {took:.2f} s, "
                f"retry-after {retry}"
            )
        relay.restore()
        started = time.perf_counter()
        while True:
            answer = client.get("/api/v1/me", headers=headers)
            if answer.status_code == 200 or time.perf_counter() - started > 120:
                break
            time.sleep(0.2)
        took = time.perf_counter() - started
        print(f"restored: /api/v1/me -> {answer.status_code} after {took:.2f} s")


if __name__ == "__main__":
    main()
