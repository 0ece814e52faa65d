"""``grassroots serve`` starts the server believing no forwarding header itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from grassroots import bootstrap, cli


def test_serve_turns_off_the_servers_own_trust_in_forwarding_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRASSROOTS_DATABASE_URL", "memory://")
    monkeypatch.setattr(bootstrap, "build_web_app", lambda _settings: "the app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.update(options, app=app))

    assert cli.main(["serve"]) == 0

    assert started["app"] == "the app"
    # Left on, uvicorn believes X-Forwarded-For from 127.0.0.1, so anyone on the
    # server's host could pick the address every rate limit counts against.
    assert started["proxy_headers"] is False
