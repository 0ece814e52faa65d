"""The interactive API reference at /schema runs only code this server serves."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api.reference import scalar_release
from grassroots.bootstrap import build_web_app
from grassroots.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)})
    with TestClient(app=build_web_app(settings)) as client:
        yield client


def test_the_reference_page_loads_its_script_from_this_server(
    client: TestClient[Litestar],
) -> None:
    page = client.get("/schema")

    assert page.status_code == 200
    assert "//" not in re.sub(r"<!doctype html>", "", page.text, flags=re.I), page.text
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.text)
    assert sources == [scalar_release().url]
    # No inline script: the content security policy allows none.
    assert re.findall(r"<script(?![^>]*(?:\ssrc=|type=\"application/json\"))", page.text) == []
    assert 'data-url="/schema/openapi.json"' in page.text


def test_the_script_served_is_the_pinned_release(client: TestClient[Litestar]) -> None:
    release = scalar_release()
    script = client.get(release.url)

    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert hashlib.sha256(script.content).hexdigest() == release.sha256


def test_one_renderer_only(client: TestClient[Litestar]) -> None:
    assert client.get("/schema/swagger").status_code == 404
    assert client.get("/swagger").status_code == 404
