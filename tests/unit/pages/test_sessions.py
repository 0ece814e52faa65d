"""The pages' session cookie: signed, Secure by default, plain only for local development."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from grassroots.pages.sessions import PageSessions
from grassroots.settings import Settings

SECRET = b"k" * 48


def _settings(tmp_path: Path, **env: str) -> Settings:
    base = {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_SECRET_KEY": "k" * 48}
    return Settings.from_env(base | {f"GRASSROOTS_{k}": v for k, v in env.items()})


@pytest.mark.parametrize(
    ("env", "secure"),
    [
        ({}, False),
        ({"HOST": "localhost"}, False),
        ({"HOST": "0.0.0.0"}, True),
        ({"MODE": "production"}, True),
        ({"HOST": "0.0.0.0", "PAGE_COOKIE_SECURE": "no"}, False),
        ({"PAGE_COOKIE_SECURE": "yes"}, True),
    ],
)
def test_the_cookie_is_secure_except_for_plain_local_development(
    tmp_path: Path, env: dict[str, str], secure: bool
) -> None:
    assert _settings(tmp_path, **env).page_cookie_secure is secure


def test_a_signed_cookie_names_its_account_and_session_and_a_changed_one_names_none() -> None:
    sessions = PageSessions(SECRET, secure=True, lifetime=timedelta(days=30))
    account, session = uuid.uuid4(), uuid.uuid4()
    value = sessions.cookie_for(account, session).value or ""
    forged = value[:-1] + ("0" if value[-1] != "0" else "1")
    other_key = PageSessions(b"o" * 48, secure=True, lifetime=timedelta(days=30))

    assert sessions.ids(value) == (account, session)
    assert sessions.ids(forged) is None
    assert other_key.ids(value) is None
    assert sessions.ids("") is None
    assert sessions.ids("not.a.cookie") is None


def test_a_secure_cookie_takes_the_host_prefix_and_a_plain_one_does_not() -> None:
    secure = PageSessions(SECRET, secure=True, lifetime=timedelta(days=1)).cookie_for(
        uuid.uuid4(), uuid.uuid4()
    )
    plain = PageSessions(SECRET, secure=False, lifetime=timedelta(days=1)).ended_cookie()

    assert secure.key == "__Host-grassroots_session"
    assert secure.secure
    assert secure.httponly
    assert secure.samesite == "lax"
    assert plain.key == "grassroots_session"
    assert plain.max_age == 0
