from __future__ import annotations

from pathlib import Path

import pytest

from grassroots.settings import Settings, SettingsError


def _settings(tmp_path: Path, origins: str | None) -> Settings:
    env = {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SECRET_KEY": "s" * 48}
    if origins is not None:
        env["GRASSROOTS_CORS_ORIGINS"] = origins
    return Settings.from_env(env)


def test_no_origin_is_allowed_by_default(tmp_path: Path) -> None:
    assert _settings(tmp_path, None).cors_origins == ()


def test_origins_are_a_comma_separated_list(tmp_path: Path) -> None:
    settings = _settings(tmp_path, " https://app.example.org/ ,http://localhost:5173")

    assert settings.cors_origins == ("https://app.example.org", "http://localhost:5173")


@pytest.mark.parametrize("origin", ["*", "app.example.org", "https://app.example.org/path", "null"])
def test_anything_but_an_exact_origin_is_refused(tmp_path: Path, origin: str) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_CORS_ORIGINS must list origins"):
        _settings(tmp_path, origin)
