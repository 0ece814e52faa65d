from __future__ import annotations

from pathlib import Path

import pytest

from grassroots.settings import DEFAULT_PUBLIC_URL, Settings, SettingsError


def _settings(tmp_path: Path, public_url: str | None) -> Settings:
    env = {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SECRET_KEY": "s" * 48}
    if public_url is not None:
        env["GRASSROOTS_PUBLIC_URL"] = public_url
    return Settings.from_env(env)


def test_the_public_url_is_the_development_server_by_default(tmp_path: Path) -> None:
    assert _settings(tmp_path, None).public_url == DEFAULT_PUBLIC_URL == "http://127.0.0.1:8000"


def test_a_trailing_slash_is_dropped(tmp_path: Path) -> None:
    assert _settings(tmp_path, " https://qn.example.org/ ").public_url == "https://qn.example.org"


@pytest.mark.parametrize(
    "url", ["qn.example.org", "ftp://qn.example.org", "https://qn.example.org/app"]
)
def test_anything_but_a_base_url_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_PUBLIC_URL must be a base URL"):
        _settings(tmp_path, url)
