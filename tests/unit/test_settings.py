from __future__ import annotations

import stat
from pathlib import Path

import pytest

from grassroots.settings import Mode, Settings, SettingsError


def test_the_embedded_default_is_one_sqlite_file_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)})

    assert settings.mode is Mode.DEVELOPMENT
    assert settings.database_url == f"sqlite:///{tmp_path / 'grassroots.sqlite3'}"
    assert (settings.host, settings.port, settings.qr_rotation_seconds) == ("127.0.0.1", 8000, 15)
    assert settings.time_zone == "Asia/Shanghai"
    assert settings.redis_url is None


def test_development_generates_a_secret_once_and_keeps_it_private(tmp_path: Path) -> None:
    first = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)})
    second = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)})

    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_production_without_a_secret_is_a_clear_start_up_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_SECRET_KEY is not set"):
        Settings.from_env({"GRASSROOTS_MODE": "production", "GRASSROOTS_DATA_DIR": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({"GRASSROOTS_SECRET_KEY": "short", "GRASSROOTS_DATA_DIR": str(tmp_path)})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("GRASSROOTS_PORT", "eighty", "GRASSROOTS_PORT must be a whole number"),
        ("GRASSROOTS_PORT", "70000", "GRASSROOTS_PORT must be between 1 and 65535"),
        ("GRASSROOTS_QR_ROTATION_SECONDS", "1", "GRASSROOTS_QR_ROTATION_SECONDS must be between"),
        ("GRASSROOTS_TIME_ZONE", "Mars/Olympus", "GRASSROOTS_TIME_ZONE names no known"),
        ("GRASSROOTS_MODE", "staging", "GRASSROOTS_MODE must be"),
        ("GRASSROOTS_DATABASE_TIMEOUT_SECONDS", "0", "GRASSROOTS_DATABASE_TIMEOUT_SECONDS must be"),
        ("GRASSROOTS_REDIS_URL", "cache:6379", "GRASSROOTS_REDIS_URL must start with redis://"),
    ],
)
def test_a_malformed_setting_names_its_variable(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value, "GRASSROOTS_DATA_DIR": str(tmp_path)})


def test_overrides_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "GRASSROOTS_DATA_DIR": str(tmp_path),
            "GRASSROOTS_HOST": "0.0.0.0",
            "GRASSROOTS_PORT": "9000",
            "GRASSROOTS_DATABASE_URL": "postgresql://u:p@db:5433/grassroots",
            "GRASSROOTS_REDIS_URL": "redis://cache:6379/1",
            "GRASSROOTS_SECRET_KEY": "k" * 40,
            "GRASSROOTS_TIME_ZONE": "Asia/Urumqi",
            "GRASSROOTS_DATABASE_TIMEOUT_SECONDS": "5",
        }
    )

    assert (settings.host, settings.port) == ("0.0.0.0", 9000)
    assert settings.database_url == "postgresql://u:p@db:5433/grassroots"
    assert settings.redis_url == "redis://cache:6379/1"
    assert settings.secret_key == b"k" * 40
    assert settings.time_zone == "Asia/Urumqi"
    assert settings.database_timeout_seconds == 5
