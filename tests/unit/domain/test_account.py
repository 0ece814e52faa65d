"""Accounts (id from the phone, grants, password, disabling) and sessions (rotation, reuse)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate

from grassroots.domain.account import Account, Grant, RefreshOutcome, Role, Session, SessionEnded
from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, ReasonRequired
from grassroots.domain.values import derived_id
from grassroots.domain.volunteer import PhoneClaim

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)
MUCH_LATER = datetime(2026, 3, 20, 1, 0, tzinfo=UTC)
REUSED_AT = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # before the rotated expiry
VOLUNTEER = UUID("11111111-1111-4111-8111-111111111111")
CENTER = UUID("22222222-2222-4222-8222-222222222222")
OTHER_CENTER = UUID("33333333-3333-4333-8333-333333333333")
ACCOUNT = UUID("44444444-4444-4444-8444-444444444444")
LIFETIME = timedelta(days=7)
ID_SECRET = b"a server secret of at least 32 bytes"


def replay(events: list[Any]) -> Any:
    replayed: Aggregate | None = None
    for e in events:
        replayed = e.mutate(replayed)
    return replayed


def open_account(phone: str = "13800138000", **overrides: object) -> Account:
    fields: dict[str, object] = {
        "phone": phone,
        "name": "张青",
        "password_hash": "hash-1",
        "grants": [Grant(Role.VOLUNTEER, VOLUNTEER)],
        "at": AT,
        "id_secret": ID_SECRET,
    }
    fields.update(overrides)
    return Account.open(**fields)  # type: ignore[arg-type]


@pytest.fixture
def account() -> Account:
    opened = open_account()
    opened.collect_events()
    return opened


def start_session(**overrides: object) -> Session:
    fields: dict[str, object] = {
        "account_id": ACCOUNT,
        "secret_hash": "secret-1",
        "at": AT,
        "lifetime": LIFETIME,
    }
    fields.update(overrides)
    return Session.start(**fields)  # type: ignore[arg-type]


@pytest.fixture
def session() -> Session:
    started = start_session()
    started.collect_events()
    return started


# grants


def test_an_administrator_grant_names_no_record_and_every_other_role_names_one() -> None:
    Grant(Role.ADMINISTRATOR)
    for role in (Role.VOLUNTEER, Role.CENTER_STAFF, Role.CADRE, Role.SUPERVISOR):
        assert Grant(role, CENTER).subject_id == CENTER


@pytest.mark.parametrize(
    ("role", "subject"),
    [
        (Role.ADMINISTRATOR, CENTER),
        (Role.VOLUNTEER, None),
        (Role.CENTER_STAFF, None),
        (Role.CADRE, None),
        (Role.SUPERVISOR, None),
    ],
)
def test_a_grant_with_a_missing_or_superfluous_record_is_refused(
    role: Role, subject: UUID | None
) -> None:
    with pytest.raises(InvalidValue) as caught:
        Grant(role, subject)

    assert caught.value.code == "grant-invalid"


@pytest.mark.parametrize("grant", [Grant(Role.ADMINISTRATOR), Grant(Role.CENTER_STAFF, CENTER)])
def test_a_grant_survives_its_dict_form(grant: Grant) -> None:
    assert Grant.from_dict(grant.as_dict()) == grant


def test_a_grant_dict_holds_plain_strings() -> None:
    assert Grant(Role.CENTER_STAFF, CENTER).as_dict() == {
        "role": "center_staff",
        "subject_id": str(CENTER),
    }
    assert Grant(Role.ADMINISTRATOR).as_dict() == {"role": "administrator", "subject_id": None}


# opening


def test_the_account_id_is_derived_from_the_normalised_phone_under_the_secret() -> None:
    account = open_account("+86 138-0013-8000")

    assert account.id == Account.id_for("13800138000", ID_SECRET)
    assert account.id == Account.id_for("１３８００１３８０００", ID_SECRET)
    assert account.id != Account.id_for("13900139000", ID_SECRET)
    assert account.id != Account.id_for("13800138000", b"another secret of at least 32 bytes")


def test_the_account_id_cannot_be_recomputed_from_the_phone_alone() -> None:
    account = open_account("13800138000")

    # Without the secret, the phone gives only the id accounts had before ids were keyed.
    assert account.id != derived_id("account", "13800138000")
    assert account.id != Account.legacy_id_for("13800138000")
    assert Account.ids_for("13800138000", ID_SECRET) == (
        account.id,
        derived_id("account", "13800138000"),
    )


def test_the_account_id_is_not_the_phone_claims_id() -> None:
    assert Account.id_for("13800138000", ID_SECRET) != PhoneClaim.id_for("13800138000", ID_SECRET)
    assert Account.legacy_id_for("13800138000") != derived_id("phone", "13800138000")


def test_a_short_secret_is_refused_for_keyed_ids() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        open_account(id_secret=b"short")


def test_opening_records_every_field_and_the_grants() -> None:
    account = open_account(
        "+86 138 0013 8000",
        name=" 张青 ",
        grants=[Grant(Role.CENTER_STAFF, CENTER), Grant(Role.VOLUNTEER, VOLUNTEER)],
    )

    events = account.collect_events()

    assert [type(e) for e in events] == [Account.Opened]
    opened = events[0]
    assert (opened.originator_id, opened.originator_version) == (account.id, 1)
    assert (opened.phone, opened.name, opened.password_hash, opened.at) == (
        "13800138000",
        "张青",
        "hash-1",
        AT,
    )
    assert sorted(opened.grants, key=lambda g: str(g["role"])) == [
        {"role": "center_staff", "subject_id": str(CENTER)},
        {"role": "volunteer", "subject_id": str(VOLUNTEER)},
    ]
    assert (account.phone, account.name, account.password_hash) == (
        "13800138000",
        "张青",
        "hash-1",
    )
    assert account.grants == {Grant(Role.CENTER_STAFF, CENTER), Grant(Role.VOLUNTEER, VOLUNTEER)}
    assert account.is_disabled is False
    assert account.disabled_reason is None


def test_a_grant_given_twice_is_held_once() -> None:
    account = open_account(grants=[Grant(Role.ADMINISTRATOR), Grant(Role.ADMINISTRATOR)])

    (opened,) = account.collect_events()

    assert opened.grants == [{"role": "administrator", "subject_id": None}]
    assert account.grants == {Grant(Role.ADMINISTRATOR)}


def test_an_account_with_several_grants_of_one_role_opens() -> None:
    account = open_account(
        grants=[
            Grant(Role.CENTER_STAFF, OTHER_CENTER),
            Grant(Role.ADMINISTRATOR),
            Grant(Role.CENTER_STAFF, CENTER),
        ]
    )

    assert account.grants == {
        Grant(Role.CENTER_STAFF, OTHER_CENTER),
        Grant(Role.CENTER_STAFF, CENTER),
        Grant(Role.ADMINISTRATOR),
    }


def test_an_account_without_a_role_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        open_account(grants=[])

    assert caught.value.code == "grant-missing"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"phone": "0471-6912345"}, "phone-invalid"),
        ({"name": "  "}, "name-empty"),
        ({"name": "名" * 51}, "name-too-long"),
        ({"password_hash": ""}, "hash-invalid"),
        ({"password_hash": "h" * 513}, "hash-invalid"),
        ({"at": datetime(2026, 3, 2, 1, 0)}, "naive-datetime"),
    ],
)
def test_opening_with_an_invalid_field_is_refused(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        open_account(**overrides)

    assert caught.value.code == code


# password


def test_changing_the_password_records_the_new_hash(account: Account) -> None:
    account.change_password("hash-2", at=LATER)

    (changed,) = account.collect_events()
    assert isinstance(changed, Account.PasswordChanged)
    assert (changed.password_hash, changed.at, changed.originator_version) == ("hash-2", LATER, 2)
    assert account.password_hash == "hash-2"


def test_an_empty_password_hash_is_refused_and_changes_nothing(account: Account) -> None:
    with pytest.raises(InvalidValue) as caught:
        account.change_password("", at=LATER)

    assert caught.value.code == "hash-invalid"
    assert account.collect_events() == []
    assert account.password_hash == "hash-1"


# granting and revoking


def test_granting_a_new_role_records_it(account: Account) -> None:
    account.grant(Grant(Role.CENTER_STAFF, CENTER), at=LATER)

    (granted,) = account.collect_events()
    assert isinstance(granted, Account.Granted)
    assert granted.grant == {"role": "center_staff", "subject_id": str(CENTER)}
    assert account.grants == {Grant(Role.VOLUNTEER, VOLUNTEER), Grant(Role.CENTER_STAFF, CENTER)}


def test_granting_a_role_already_held_records_nothing(account: Account) -> None:
    account.grant(Grant(Role.VOLUNTEER, VOLUNTEER), at=LATER)

    assert account.collect_events() == []
    assert account.grants == {Grant(Role.VOLUNTEER, VOLUNTEER)}


def test_the_same_role_for_another_record_is_another_grant(account: Account) -> None:
    account.grant(Grant(Role.CENTER_STAFF, CENTER), at=LATER)
    account.grant(Grant(Role.CENTER_STAFF, OTHER_CENTER), at=LATER)

    assert len(account.collect_events()) == 2
    assert len(account.grants) == 3


def test_revoking_a_held_role_records_it(account: Account) -> None:
    account.grant(Grant(Role.CENTER_STAFF, CENTER), at=LATER)
    account.collect_events()

    account.revoke(Grant(Role.VOLUNTEER, VOLUNTEER), at=MUCH_LATER)

    (revoked,) = account.collect_events()
    assert isinstance(revoked, Account.Revoked)
    assert (revoked.grant, revoked.at) == (
        {"role": "volunteer", "subject_id": str(VOLUNTEER)},
        MUCH_LATER,
    )
    assert account.grants == {Grant(Role.CENTER_STAFF, CENTER)}


def test_revoking_the_last_role_is_refused(account: Account) -> None:
    with pytest.raises(NotAllowed) as caught:
        account.revoke(Grant(Role.VOLUNTEER, VOLUNTEER), at=LATER)

    assert caught.value.code == "grant-last"
    assert account.collect_events() == []
    assert account.grants == {Grant(Role.VOLUNTEER, VOLUNTEER)}


@pytest.mark.parametrize(
    "grant",
    [
        Grant(Role.ADMINISTRATOR),
        Grant(Role.CENTER_STAFF, CENTER),
        Grant(Role.VOLUNTEER, CENTER),  # the held role, for another record
    ],
)
def test_revoking_a_role_not_held_is_refused(account: Account, grant: Grant) -> None:
    account.grant(Grant(Role.CENTER_STAFF, OTHER_CENTER), at=LATER)
    account.collect_events()

    with pytest.raises(NotAllowed) as caught:
        account.revoke(grant, at=LATER)

    assert caught.value.code == "grant-not-held"
    assert account.collect_events() == []
    assert len(account.grants) == 2


# disabling


def test_disabling_records_the_reason_and_refuses_the_account(account: Account) -> None:
    account.disable(" 离职 ", at=LATER)

    (disabled,) = account.collect_events()
    assert isinstance(disabled, Account.Disabled)
    assert (disabled.reason, disabled.at) == ("离职", LATER)
    assert account.is_disabled
    assert account.disabled_reason == "离职"
    with pytest.raises(AlreadyClosed) as caught:
        account.require_enabled()
    assert caught.value.code == "account-disabled"


def test_an_enabled_account_passes_the_check(account: Account) -> None:
    account.require_enabled()


def test_disabling_needs_a_reason(account: Account) -> None:
    with pytest.raises(ReasonRequired):
        account.disable("  ", at=LATER)

    assert account.collect_events() == []
    assert not account.is_disabled


def test_disabling_a_disabled_account_is_refused(account: Account) -> None:
    account.disable("离职", at=LATER)
    account.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        account.disable("again", at=MUCH_LATER)

    assert caught.value.code == "account-disabled"
    assert account.collect_events() == []
    assert account.disabled_reason == "离职"


def test_enabling_a_disabled_account_lets_it_in_again(account: Account) -> None:
    account.disable("离职", at=LATER)
    account.collect_events()

    account.enable(at=MUCH_LATER)

    (enabled,) = account.collect_events()
    assert isinstance(enabled, Account.Enabled)
    assert enabled.at == MUCH_LATER
    assert not account.is_disabled
    assert account.disabled_reason is None
    account.require_enabled()


def test_enabling_an_enabled_account_is_refused(account: Account) -> None:
    with pytest.raises(NotAllowed) as caught:
        account.enable(at=LATER)

    assert caught.value.code == "account-not-disabled"
    assert account.collect_events() == []


def test_replaying_the_events_rebuilds_the_account() -> None:
    account = open_account(grants=[Grant(Role.VOLUNTEER, VOLUNTEER)])
    account.grant(Grant(Role.CENTER_STAFF, CENTER), at=LATER)
    account.grant(Grant(Role.ADMINISTRATOR), at=LATER)
    account.revoke(Grant(Role.VOLUNTEER, VOLUNTEER), at=LATER)
    account.change_password("hash-2", at=LATER)
    account.disable("离职", at=LATER)
    account.enable(at=MUCH_LATER)
    account.disable("再次离职", at=MUCH_LATER)
    events = account.collect_events()

    replayed = replay(events)

    assert [type(e) for e in events] == [
        Account.Opened,
        Account.Granted,
        Account.Granted,
        Account.Revoked,
        Account.PasswordChanged,
        Account.Disabled,
        Account.Enabled,
        Account.Disabled,
    ]
    assert isinstance(replayed, Account)
    assert (
        replayed.id,
        replayed.version,
        replayed.phone,
        replayed.name,
        replayed.password_hash,
        replayed.grants,
        replayed.disabled_reason,
    ) == (
        account.id,
        8,
        "13800138000",
        "张青",
        "hash-2",
        {Grant(Role.CENTER_STAFF, CENTER), Grant(Role.ADMINISTRATOR)},
        "再次离职",
    )


# sessions: starting


def test_a_session_starts_with_its_secret_and_an_expiry() -> None:
    session = start_session()

    (started,) = session.collect_events()
    assert isinstance(started, Session.Started)
    assert (started.account_id, started.secret_hash, started.at, started.expires_at) == (
        ACCOUNT,
        "secret-1",
        AT,
        AT + LIFETIME,
    )
    assert (session.account_id, session.secret_hash, session.expires_at) == (
        ACCOUNT,
        "secret-1",
        AT + LIFETIME,
    )
    assert session.ended_reason is None


def test_every_session_gets_a_fresh_id() -> None:
    assert start_session().id != start_session().id


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"secret_hash": ""}, "hash-invalid"),
        ({"lifetime": timedelta(0)}, "lifetime-invalid"),
        ({"lifetime": timedelta(seconds=-1)}, "lifetime-invalid"),
        ({"at": datetime(2026, 3, 2, 1, 0)}, "naive-datetime"),
    ],
)
def test_starting_a_session_with_an_invalid_field_is_refused(
    overrides: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        start_session(**overrides)

    assert caught.value.code == code


def test_a_session_is_open_until_just_before_it_expires(session: Session) -> None:
    assert session.is_open(AT)
    assert session.is_open(AT + LIFETIME - timedelta(microseconds=1))
    assert not session.is_open(AT + LIFETIME)
    session.require_open(AT + LIFETIME - timedelta(microseconds=1))
    with pytest.raises(SessionEnded) as caught:
        session.require_open(AT + LIFETIME)
    assert caught.value.code == "session-ended"


# sessions: rotating


def test_presenting_the_current_secret_rotates_it_and_extends_the_expiry(
    session: Session,
) -> None:
    outcome = session.rotate(
        presented_hash="secret-1", new_hash="secret-2", at=LATER, lifetime=LIFETIME
    )

    assert outcome is RefreshOutcome.ROTATED
    (rotated,) = session.collect_events()
    assert isinstance(rotated, Session.Rotated)
    assert (rotated.secret_hash, rotated.at, rotated.expires_at) == (
        "secret-2",
        LATER,
        LATER + LIFETIME,
    )
    assert session.secret_hash == "secret-2"
    assert session.expires_at == LATER + LIFETIME
    assert session.is_open(AT + LIFETIME)


def test_the_new_secret_rotates_again(session: Session) -> None:
    session.rotate(presented_hash="secret-1", new_hash="secret-2", at=LATER, lifetime=LIFETIME)

    outcome = session.rotate(
        presented_hash="secret-2", new_hash="secret-3", at=LATER, lifetime=LIFETIME
    )

    assert outcome is RefreshOutcome.ROTATED
    assert session.secret_hash == "secret-3"
    assert [type(e) for e in session.collect_events()] == [Session.Rotated, Session.Rotated]


@pytest.mark.parametrize("earlier", ["secret-1", "secret-2"])
def test_presenting_an_earlier_secret_ends_the_session(session: Session, earlier: str) -> None:
    session.rotate(presented_hash="secret-1", new_hash="secret-2", at=LATER, lifetime=LIFETIME)
    session.rotate(presented_hash="secret-2", new_hash="secret-3", at=LATER, lifetime=LIFETIME)
    session.collect_events()

    outcome = session.rotate(
        presented_hash=earlier, new_hash="secret-4", at=REUSED_AT, lifetime=LIFETIME
    )

    assert outcome is RefreshOutcome.REUSED
    (ended,) = session.collect_events()
    assert isinstance(ended, Session.Ended)
    assert (ended.reason, ended.at) == ("refresh-token-reused", REUSED_AT)
    assert session.ended_reason == "refresh-token-reused"
    assert session.secret_hash == "secret-3"
    assert not session.is_open(REUSED_AT)
    # The holder of the current secret is refused too.
    with pytest.raises(SessionEnded):
        session.rotate(
            presented_hash="secret-3",
            new_hash="secret-5",
            at=REUSED_AT,
            lifetime=LIFETIME,
        )
    assert session.collect_events() == []


def test_an_unknown_secret_is_refused_and_changes_nothing(session: Session) -> None:
    with pytest.raises(SessionEnded) as caught:
        session.rotate(presented_hash="forged", new_hash="secret-2", at=LATER, lifetime=LIFETIME)

    assert caught.value.code == "session-ended"
    assert session.collect_events() == []
    assert session.secret_hash == "secret-1"
    assert session.ended_reason is None


def test_the_new_secret_is_not_mistaken_for_an_earlier_one_before_it_is_used(
    session: Session,
) -> None:
    with pytest.raises(SessionEnded) as caught:
        session.rotate(presented_hash="secret-2", new_hash="secret-3", at=LATER, lifetime=LIFETIME)

    assert caught.value.code == "session-ended"
    assert session.ended_reason is None


def test_an_expired_session_refuses_even_the_current_secret(session: Session) -> None:
    with pytest.raises(SessionEnded) as caught:
        session.rotate(
            presented_hash="secret-1", new_hash="secret-2", at=AT + LIFETIME, lifetime=LIFETIME
        )

    assert caught.value.code == "session-ended"
    assert session.collect_events() == []
    assert session.secret_hash == "secret-1"


def test_an_ended_session_refuses_every_secret(session: Session) -> None:
    session.end("logged-out", at=LATER)
    session.collect_events()

    for presented in ("secret-1", "forged"):
        with pytest.raises(SessionEnded) as caught:
            session.rotate(
                presented_hash=presented, new_hash="secret-2", at=LATER, lifetime=LIFETIME
            )
        assert caught.value.code == "session-ended"
    assert session.collect_events() == []


def test_a_rotation_to_an_empty_secret_is_refused(session: Session) -> None:
    with pytest.raises(InvalidValue) as caught:
        session.rotate(presented_hash="secret-1", new_hash="", at=LATER, lifetime=LIFETIME)

    assert caught.value.code == "hash-invalid"
    assert session.collect_events() == []
    assert session.secret_hash == "secret-1"


# sessions: ending


def test_ending_a_session_records_the_reason(session: Session) -> None:
    session.end("logged-out", at=LATER)

    (ended,) = session.collect_events()
    assert isinstance(ended, Session.Ended)
    assert (ended.reason, ended.at) == ("logged-out", LATER)
    assert session.ended_reason == "logged-out"
    assert not session.is_open(LATER)
    with pytest.raises(SessionEnded) as caught:
        session.require_open(LATER)
    assert caught.value.code == "session-ended"


def test_ending_an_ended_session_records_nothing(session: Session) -> None:
    session.end("logged-out", at=LATER)
    session.collect_events()

    session.end("again", at=MUCH_LATER)

    assert session.collect_events() == []
    assert session.ended_reason == "logged-out"


def test_ending_needs_a_reason(session: Session) -> None:
    with pytest.raises(ReasonRequired):
        session.end(" ", at=LATER)

    assert session.collect_events() == []
    assert session.ended_reason is None


def test_replaying_the_events_rebuilds_the_session() -> None:
    session = start_session()
    session.rotate(presented_hash="secret-1", new_hash="secret-2", at=LATER, lifetime=LIFETIME)
    session.rotate(presented_hash="secret-2", new_hash="secret-3", at=LATER, lifetime=LIFETIME)
    session.rotate(presented_hash="secret-1", new_hash="secret-4", at=LATER, lifetime=LIFETIME)
    events = session.collect_events()

    replayed = replay(events)

    assert [type(e) for e in events] == [
        Session.Started,
        Session.Rotated,
        Session.Rotated,
        Session.Ended,
    ]
    assert isinstance(replayed, Session)
    assert (
        replayed.id,
        replayed.version,
        replayed.account_id,
        replayed.secret_hash,
        replayed.earlier_hashes,
        replayed.expires_at,
        replayed.ended_reason,
    ) == (
        session.id,
        4,
        ACCOUNT,
        "secret-3",
        {"secret-1", "secret-2"},
        LATER + LIFETIME,
        "refresh-token-reused",
    )


def test_a_replayed_session_still_detects_a_reused_secret() -> None:
    session = start_session()
    session.rotate(presented_hash="secret-1", new_hash="secret-2", at=LATER, lifetime=LIFETIME)
    replayed = replay(session.collect_events())

    outcome = replayed.rotate(
        presented_hash="secret-1", new_hash="secret-3", at=LATER, lifetime=LIFETIME
    )

    assert outcome is RefreshOutcome.REUSED
    assert replayed.ended_reason == "refresh-token-reused"
