"""The settings certificates need: where people reach the server, and the CJK font."""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots.settings import Settings, SettingsError


def _settings(tmp_path: Path, **extra: str) -> Settings:
    env = {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SECRET_KEY": "s" * 48}
    return Settings.from_env(env | {f"GRASSROOTS_{k.upper()}": v for k, v in extra.items()})


def test_by_default_the_server_is_reached_where_it_listens_and_uses_debians_noto_cjk(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    assert settings.public_url == "http://127.0.0.1:8000"
    assert settings.cjk_font == Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def test_a_public_url_loses_its_trailing_slash_and_may_have_a_path(tmp_path: Path) -> None:
    assert _settings(tmp_path, public_url="https://tw.example.org/").public_url == (
        "https://tw.example.org"
    )
    assert _settings(tmp_path, public_url="https://example.org/grassroots").public_url == (
        "https://example.org/grassroots"
    )


@pytest.mark.parametrize(
    "url", ["example.org", "ftp://example.org", "https://example.org/?q=1", "https://a b"]
)
def test_a_public_url_that_is_not_a_plain_web_address_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_PUBLIC_URL"):
        _settings(tmp_path, public_url=url)


def test_the_font_is_a_path_read_as_given(tmp_path: Path) -> None:
    assert _settings(tmp_path, cjk_font="/opt/fonts/x.ttf").cjk_font == Path("/opt/fonts/x.ttf")
