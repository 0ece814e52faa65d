"""A session holds only on the credentials it began under, and never past its absolute end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from grassroots.domain.account import Account, Grant, Role, Session, SessionEnded

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LIFETIME = timedelta(days=30)
CAP = timedelta(days=90)


def _account() -> Account:
    return Account.open(
        phone="13800138000",
        name="张青",
        password_hash="hash-1",
        grants=[Grant(Role.ADMINISTRATOR)],
        at=AT,
        id_secret=b"a server secret of at least thirty-two bytes",
    )


def _session(account: Account, secret: str = "secret-1") -> Session:
    return Session.start(
        account_id=account.id,
        secret_hash=secret,
        at=AT,
        lifetime=LIFETIME,
        max_lifetime=CAP,
        credentials_version=account.credentials_version,
    )


def test_a_password_change_ends_the_sessions_begun_before_it_but_the_reauthenticated_one() -> None:
    account = _account()
    kept, other = _session(account), _session(account, "secret-2")

    account.change_password("hash-2", at=AT)
    kept.reauthenticate(account, at=AT)

    assert account.holds(kept, AT)
    assert not account.holds(other, AT)
    with pytest.raises(SessionEnded):
        other.require_current(account, AT)
    assert account.holds(_session(account, "secret-3"), AT)


def test_a_rehash_of_the_same_password_ends_no_session() -> None:
    account = _account()
    session = _session(account)

    account.rehash_password("hash-1-stronger", at=AT)

    assert account.holds(session, AT)


def test_enabling_a_disabled_account_does_not_bring_its_sessions_back() -> None:
    account = _account()
    session = _session(account)

    account.disable("手机丢失", at=AT)
    account.enable(at=AT)

    assert not account.holds(session, AT)


def test_refreshing_slides_the_expiry_but_never_past_the_absolute_end() -> None:
    account = _account()
    session = _session(account)

    session.rotate(
        presented_hash="secret-1",
        new_hash="secret-2",
        at=AT + timedelta(days=29),
        lifetime=LIFETIME,
        max_lifetime=CAP,
    )
    assert session.expires_at == AT + timedelta(days=59)
    session.rotate(
        presented_hash="secret-2",
        new_hash="secret-3",
        at=AT + timedelta(days=58),
        lifetime=LIFETIME,
        max_lifetime=CAP,
    )
    session.rotate(
        presented_hash="secret-3",
        new_hash="secret-4",
        at=AT + timedelta(days=85),
        lifetime=LIFETIME,
        max_lifetime=CAP,
    )

    assert session.expires_at == AT + CAP
    assert not account.holds(session, AT + CAP)


def test_a_session_recorded_before_credentials_were_counted_reads_as_the_first_count() -> None:
    state = {"account_id": "x", "secret_hash": "h", "at": AT, "expires_at": AT + LIFETIME}

    Session.Started.upcast_v1_v2(state)  # type: ignore[attr-defined]

    assert state["credentials_version"] == 0
