"""The settings certificates need: where people reach the server, and the CJK font."""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots.settings import Settings, SettingsError
from grassroots.supervisor import codes_lead_to, start_up_message


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


def test_without_a_public_url_codes_lead_to_the_port_the_server_listens_on(
    tmp_path: Path,
) -> None:
    assert _settings(tmp_path, port="8102").public_url == "http://127.0.0.1:8102"
    assert _settings(tmp_path, host="192.168.1.20", port="9000").public_url == (
        "http://192.168.1.20:9000"
    )
    assert _settings(tmp_path, host="venue.lan").public_url == "http://venue.lan:8000"
    # A wildcard or IPv6 host names no address a phone could use: the message says so.
    assert _settings(tmp_path, host="0.0.0.0", port="80").public_url == "http://127.0.0.1:80"
    assert _settings(tmp_path, host="::", port="81").public_url == "http://127.0.0.1:81"
    # Given, it is taken as it is, whatever the port.
    assert _settings(tmp_path, port="8102", public_url="https://tw.example.org").public_url == (
        "https://tw.example.org"
    )


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://192.168.1.20:8000", False),
        ("https://tw.example.org", False),
    ],
)
def test_the_start_up_message_warns_when_codes_open_only_on_this_machine(
    tmp_path: Path, url: str, warned: bool
) -> None:
    settings = _settings(tmp_path, public_url=url)
    for message in (codes_lead_to(settings), start_up_message(settings, 2, True)):
        assert f"codes lead to   {url}/" in message
        assert ("set GRASSROOTS_PUBLIC_URL" in message) is warned
