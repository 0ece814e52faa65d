"""Accounts and sessions against every event store: registering, logging in, refreshing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from grassroots.application.accounts import password_hasher
from grassroots.application.errors import AlreadyTaken, CredentialsRejected, NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Account, Grant, Role, Session, SessionEnded
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.volunteer import PhoneClaim, Volunteer
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import (
    World,
    build_world,
    fast_hashing,
    register_cadre,
    register_volunteer,
)

PHONE = "13800138000"
PASSWORD = "correct horse battery"
LIFETIME = timedelta(days=7)
WRONG_CREDENTIALS = "the phone number or the password is not right"


def event_count(app: Grassroots) -> int:
    return app.recorder.max_notification_id() or 0


@pytest.fixture
def app(open_app: Callable[[], Grassroots]) -> Grassroots:
    return fast_hashing(open_app())


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def register(
    app: Grassroots, world: World, *, phone: str = PHONE, password: str = PASSWORD
) -> tuple[UUID, UUID]:
    return app.register_volunteer_account(
        name="王小明",
        phone=phone,
        password=password,
        birth_date=date(2001, 5, 4),
        org_unit_id=world.village,
    )


def secret_of(token: str) -> str:
    return token.partition(".")[2]


# registering


def test_registering_writes_the_account_the_volunteer_and_the_phone_claim_together(
    app: Grassroots, world: World
) -> None:
    before = event_count(app)

    account_id, volunteer_id = register(app, world, phone="+86 138-0013-8000")

    account = app.account(account_id)
    volunteer = app.get(Volunteer, volunteer_id)
    assert account_id == Account.id_for(PHONE, app.config.secret_key)
    assert (account.phone, account.name) == (PHONE, "王小明")
    assert account.grants == {Grant(Role.VOLUNTEER, volunteer_id)}
    assert not account.is_disabled
    assert (volunteer.phone, volunteer.org_unit_id) == (PHONE, world.village)
    assert app.volunteer_id_for_phone(PHONE) == volunteer_id
    assert event_count(app) == before + 3
    # The password is stored as an argon2 hash only.
    assert PASSWORD not in account.password_hash
    assert account.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    "again", [PHONE, "１３８００１３８０００", "+86 138 0013 8000", "0086-138-0013-8000"]
)
def test_a_second_registration_with_the_same_phone_is_taken_and_writes_nothing(
    app: Grassroots, world: World, again: str
) -> None:
    register(app, world)
    before = event_count(app)

    with pytest.raises(AlreadyTaken) as caught:
        register(app, world, phone=again, password="another password")

    assert caught.value.code == "phone-taken"
    assert event_count(app) == before
    assert app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)


def test_registering_a_phone_already_registered_as_a_volunteer_is_taken(
    app: Grassroots, world: World
) -> None:
    # Staff registered the volunteer before there were accounts: the phone is claimed.
    register_volunteer(app, world, phone=PHONE)
    before = event_count(app)

    with pytest.raises(AlreadyTaken) as caught:
        register(app, world)

    assert caught.value.code == "phone-taken"
    assert event_count(app) == before
    assert not app.exists(Account.id_for(PHONE, app.config.secret_key))


def test_registering_in_an_unknown_org_unit_is_not_found(app: Grassroots, world: World) -> None:
    before = event_count(app)

    with pytest.raises(NotFound):
        app.register_volunteer_account(
            name="王小明",
            phone=PHONE,
            password=PASSWORD,
            birth_date=date(2001, 5, 4),
            org_unit_id=uuid4(),
        )

    assert event_count(app) == before


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("1234567", "password-too-short"),
        ("", "password-too-short"),
        ("x" * 129, "password-too-long"),
    ],
)
def test_a_password_too_short_or_too_long_is_refused_and_nothing_is_written(
    app: Grassroots, world: World, password: str, code: str
) -> None:
    before = event_count(app)

    with pytest.raises(InvalidValue) as caught:
        register(app, world, password=password)

    assert caught.value.code == code
    assert event_count(app) == before
    assert not app.exists(PhoneClaim.id_for(PHONE, app.config.secret_key))


@pytest.mark.parametrize("password", ["12345678", "x" * 128])
def test_passwords_of_the_shortest_and_longest_lengths_are_accepted(
    app: Grassroots, world: World, password: str
) -> None:
    register(app, world, password=password)

    assert app.log_in(phone=PHONE, password=password, lifetime=LIFETIME).account.phone == PHONE


# accounts opened by an administrator


def test_an_administrator_opens_an_account_with_grants_on_existing_records(
    app: Grassroots, world: World
) -> None:
    cadre = register_cadre(app, world)
    grants = [
        Grant(Role.CENTER_STAFF, world.center),
        Grant(Role.CADRE, cadre),
        Grant(Role.SUPERVISOR, world.county),
        Grant(Role.ADMINISTRATOR),
    ]

    account_id = app.open_account(
        phone="13900139000", name="李书记", password=PASSWORD, grants=grants
    )

    assert account_id == Account.id_for("13900139000", app.config.secret_key)
    assert app.account(account_id).grants == set(grants)
    # No volunteer and no phone claim come with it.
    assert not app.exists(PhoneClaim.id_for("13900139000", app.config.secret_key))


@pytest.mark.parametrize("role", [Role.CENTER_STAFF, Role.CADRE, Role.SUPERVISOR, Role.VOLUNTEER])
def test_a_grant_on_a_record_that_does_not_exist_is_not_found(
    app: Grassroots, world: World, role: Role
) -> None:
    before = event_count(app)

    with pytest.raises(NotFound):
        app.open_account(
            phone="13900139000", name="李书记", password=PASSWORD, grants=[Grant(role, uuid4())]
        )

    assert event_count(app) == before
    assert not app.exists(Account.id_for("13900139000", app.config.secret_key))


def test_a_grant_on_a_record_of_another_kind_is_not_found(app: Grassroots, world: World) -> None:
    with pytest.raises(NotFound):
        app.open_account(
            phone="13900139000",
            name="李书记",
            password=PASSWORD,
            grants=[Grant(Role.CENTER_STAFF, world.village)],
        )


def test_an_unknown_center_is_not_found(app: Grassroots, world: World) -> None:
    missing = uuid4()

    with pytest.raises(NotFound) as caught:
        app.open_account(
            phone="13900139000",
            name="李书记",
            password=PASSWORD,
            grants=[Grant(Role.CENTER_STAFF, missing)],
        )

    assert caught.value.code == "center-not-found"
    assert caught.value.id == missing


def test_opening_an_account_for_a_phone_that_has_one_is_taken(
    app: Grassroots, world: World
) -> None:
    register(app, world)
    before = event_count(app)

    with pytest.raises(AlreadyTaken) as caught:
        app.open_account(
            phone="+86 13800138000",
            name="李书记",
            password=PASSWORD,
            grants=[Grant(Role.ADMINISTRATOR)],
        )

    assert caught.value.code == "phone-taken"
    assert event_count(app) == before


def test_an_account_with_no_grant_is_refused(app: Grassroots, world: World) -> None:
    with pytest.raises(InvalidValue) as caught:
        app.open_account(phone="13900139000", name="李书记", password=PASSWORD, grants=[])

    assert caught.value.code == "grant-missing"


def test_roles_are_granted_and_revoked_but_never_the_last_one(
    app: Grassroots, world: World
) -> None:
    account_id, volunteer_id = register(app, world)
    staff = Grant(Role.CENTER_STAFF, world.center)

    with pytest.raises(NotFound):
        app.grant_role(account_id, Grant(Role.CENTER_STAFF, uuid4()))
    app.grant_role(account_id, staff)
    assert app.account(account_id).grants == {staff, Grant(Role.VOLUNTEER, volunteer_id)}
    app.revoke_role(account_id, Grant(Role.VOLUNTEER, volunteer_id))
    assert app.account(account_id).grants == {staff}
    with pytest.raises(NotAllowed) as last:
        app.revoke_role(account_id, staff)

    assert last.value.code == "grant-last"
    assert app.account(account_id).grants == {staff}


# logging in


def test_the_right_password_issues_a_session_with_a_refresh_token(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    account_id, _ = register(app, world)

    issued = app.log_in(phone="138 0013 8000", password=PASSWORD, lifetime=LIFETIME)

    head, dot, secret = issued.refresh_token.partition(".")
    assert dot == "."
    assert head == issued.session.id.hex
    assert len(secret) >= 32
    assert issued.account.id == account_id
    stored = app.session(issued.session.id)
    assert stored.account_id == account_id
    assert stored.expires_at == clock.now + LIFETIME
    assert stored.is_open(clock.now)
    # Only a hash of the secret is kept.
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in stored.secret_hash


def test_every_log_in_is_a_session_of_its_own(app: Grassroots, world: World) -> None:
    register(app, world)

    first = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    second = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)

    assert first.session.id != second.session.id
    assert first.refresh_token != second.refresh_token
    assert app.refresh_session(first.refresh_token, lifetime=LIFETIME)
    assert app.refresh_session(second.refresh_token, lifetime=LIFETIME)


@pytest.mark.parametrize(
    ("phone", "password"),
    [
        (PHONE, "wrong password"),
        (PHONE, PASSWORD.upper()),
        (PHONE, ""),
        ("13900139000", PASSWORD),  # no account with this number
        ("0471-6912345", PASSWORD),  # not a mobile number at all
    ],
)
def test_a_wrong_password_and_an_unknown_phone_are_refused_alike(
    app: Grassroots, world: World, phone: str, password: str
) -> None:
    register(app, world)
    before = event_count(app)

    with pytest.raises(CredentialsRejected) as caught:
        app.log_in(phone=phone, password=password, lifetime=LIFETIME)

    assert caught.value.code == "credentials-rejected"
    assert str(caught.value) == WRONG_CREDENTIALS
    assert event_count(app) == before


def test_a_disabled_account_cannot_log_in_until_enabled(app: Grassroots, world: World) -> None:
    account_id, _ = register(app, world)
    app.disable_account(account_id, reason="冒用他人身份")
    before = event_count(app)

    with pytest.raises(AlreadyClosed) as caught:
        app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    assert caught.value.code == "account-disabled"
    assert event_count(app) == before
    # A wrong password still says nothing about the account's state.
    with pytest.raises(CredentialsRejected):
        app.log_in(phone=PHONE, password="wrong password", lifetime=LIFETIME)

    app.enable_account(account_id)
    assert app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME).account.id == account_id


def test_a_hash_made_with_weaker_costs_is_upgraded_at_the_next_log_in(
    app: Grassroots, world: World
) -> None:
    account_id, _ = register(app, world)
    weak = app.account(account_id).password_hash
    earlier = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME).session
    app.use_password_hasher(password_hasher())

    app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    assert app.account(account_id).holds(app.session(earlier.id), app.now())

    upgraded = app.account(account_id).password_hash
    assert upgraded != weak
    assert not password_hasher().check_needs_rehash(upgraded)
    # Not a change of password: the sessions the account already has go on.
    assert [type(e) for e in app.events.get(account_id)][-1] is Account.PasswordRehashed
    assert app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)


# refreshing and logging out


def test_refreshing_rotates_the_token_and_extends_the_session(
    app: Grassroots, world: World, clock: FakeClock
) -> None:
    register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    clock.advance(days=6)

    refreshed = app.refresh_session(issued.refresh_token, lifetime=LIFETIME)

    assert refreshed.session.id == issued.session.id
    assert refreshed.refresh_token != issued.refresh_token
    assert refreshed.refresh_token.partition(".")[0] == issued.session.id.hex
    stored = app.session(issued.session.id)
    assert stored.expires_at == clock.now + LIFETIME
    assert (
        stored.secret_hash
        == hashlib.sha256(secret_of(refreshed.refresh_token).encode()).hexdigest()
    )
    clock.advance(days=6)  # past the first expiry, within the second
    assert app.refresh_session(refreshed.refresh_token, lifetime=LIFETIME)


def test_a_refresh_token_used_twice_ends_the_session_for_both_holders(
    app: Grassroots, world: World
) -> None:
    register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    refreshed = app.refresh_session(issued.refresh_token, lifetime=LIFETIME)

    with pytest.raises(SessionEnded) as reused:
        app.refresh_session(issued.refresh_token, lifetime=LIFETIME)

    assert "already used" in str(reused.value)
    session = app.session(issued.session.id)
    assert session.ended_reason == "refresh-token-reused"
    assert [type(e) for e in app.events.get(session.id)][-1] is Session.Ended
    with pytest.raises(SessionEnded) as caught:
        app.refresh_session(refreshed.refresh_token, lifetime=LIFETIME)
    assert caught.value.code == "session-ended"
    with pytest.raises(SessionEnded):
        app.refresh_session(issued.refresh_token, lifetime=LIFETIME)


def test_an_expired_session_is_refused(app: Grassroots, world: World, clock: FakeClock) -> None:
    register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=timedelta(hours=1))
    clock.advance(minutes=59)
    refreshed = app.refresh_session(issued.refresh_token, lifetime=timedelta(hours=1))
    clock.advance(hours=1)
    before = event_count(app)

    with pytest.raises(SessionEnded) as caught:
        app.refresh_session(refreshed.refresh_token, lifetime=timedelta(hours=1))

    assert caught.value.code == "session-ended"
    assert event_count(app) == before


def test_a_token_with_a_wrong_secret_is_refused_and_the_session_lives_on(
    app: Grassroots, world: World
) -> None:
    register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    forged = f"{issued.session.id.hex}.{'A' * 43}"

    with pytest.raises(SessionEnded) as caught:
        app.refresh_session(forged, lifetime=LIFETIME)

    assert caught.value.code == "session-ended"
    assert app.session(issued.session.id).ended_reason is None
    assert app.refresh_session(issued.refresh_token, lifetime=LIFETIME)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-token",
        "nothex.secret",
        f"{uuid4().hex}",  # no secret
        f"{uuid4().hex}.",
        f"{uuid4().hex}.secret",  # no such session
        f"{uuid4().hex}.{'s' * 101}",
    ],
)
def test_a_malformed_or_unknown_refresh_token_ends_nothing_and_says_the_session_has_ended(
    app: Grassroots, world: World, token: str
) -> None:
    before = event_count(app)

    with pytest.raises(SessionEnded) as caught:
        app.refresh_session(token, lifetime=LIFETIME)

    assert caught.value.code == "session-ended"
    assert event_count(app) == before


def test_a_refresh_token_naming_another_kind_of_record_is_rejected_like_an_unknown_one(
    app: Grassroots, world: World
) -> None:
    # Account ids are derived from phone numbers: a token naming one must not
    # tell whether that number has an account.
    account_id, volunteer_id = register(app, world)

    for record in (account_id, volunteer_id, world.center):
        with pytest.raises(SessionEnded) as caught:
            app.refresh_session(f"{record.hex}.secret", lifetime=LIFETIME)
        assert str(caught.value) == "this refresh token is not valid; log in again"


def test_a_disabled_account_cannot_refresh_its_sessions(app: Grassroots, world: World) -> None:
    account_id, _ = register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    app.disable_account(account_id, reason="冒用他人身份")

    with pytest.raises(AlreadyClosed) as caught:
        app.refresh_session(issued.refresh_token, lifetime=LIFETIME)

    assert caught.value.code == "account-disabled"


def test_after_logging_out_the_session_cannot_be_refreshed(app: Grassroots, world: World) -> None:
    register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    other = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)

    app.log_out(issued.session.id)

    assert app.session(issued.session.id).ended_reason == "logged-out"
    with pytest.raises(SessionEnded) as caught:
        app.refresh_session(issued.refresh_token, lifetime=LIFETIME)
    assert caught.value.code == "session-ended"
    # Other sessions of the same account are not touched.
    assert app.refresh_session(other.refresh_token, lifetime=LIFETIME)


def test_logging_out_twice_records_one_end(app: Grassroots, world: World) -> None:
    register(app, world)
    issued = app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    app.log_out(issued.session.id)
    before = event_count(app)

    app.log_out(issued.session.id)

    assert event_count(app) == before
    assert [type(e) for e in app.events.get(issued.session.id)] == [
        Session.Started,
        Session.Ended,
    ]


def test_logging_out_of_an_unknown_session_is_not_found(app: Grassroots, world: World) -> None:
    with pytest.raises(NotFound):
        app.log_out(uuid4())


# changing the password


def test_a_changed_password_logs_in_and_the_old_one_does_not(app: Grassroots, world: World) -> None:
    account_id, _ = register(app, world)

    app.change_password(account_id, current=PASSWORD, new="a new password")

    assert app.log_in(phone=PHONE, password="a new password", lifetime=LIFETIME)
    with pytest.raises(CredentialsRejected):
        app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)


def test_a_wrong_current_password_changes_nothing(app: Grassroots, world: World) -> None:
    account_id, _ = register(app, world)
    before = event_count(app)

    with pytest.raises(CredentialsRejected):
        app.change_password(account_id, current="wrong password", new="a new password")

    assert event_count(app) == before
    assert app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)


@pytest.mark.parametrize(
    ("new", "code"), [("short", "password-too-short"), ("x" * 129, "password-too-long")]
)
def test_a_new_password_too_short_or_too_long_is_refused(
    app: Grassroots, world: World, new: str, code: str
) -> None:
    account_id, _ = register(app, world)
    before = event_count(app)

    with pytest.raises(InvalidValue) as caught:
        app.change_password(account_id, current=PASSWORD, new=new)

    assert caught.value.code == code
    assert event_count(app) == before


# several processes


@DURABLE
def test_two_processes_registering_one_phone_leave_one_account(
    open_app: Callable[[], Grassroots],
) -> None:
    first, second = fast_hashing(open_app()), fast_hashing(open_app())
    world = build_world(first)

    account_id, volunteer_id = register(first, world)
    with pytest.raises(AlreadyTaken) as caught:
        register(second, world, password="another password")

    assert caught.value.code == "phone-taken"
    assert second.account(account_id).grants == {Grant(Role.VOLUNTEER, volunteer_id)}
    assert second.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)


@DURABLE
def test_a_token_refreshed_in_one_process_is_reused_in_another(
    open_app: Callable[[], Grassroots],
) -> None:
    first, second = fast_hashing(open_app()), fast_hashing(open_app())
    world = build_world(first)
    register(first, world)
    issued = first.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME)
    first.refresh_session(issued.refresh_token, lifetime=LIFETIME)

    with pytest.raises(SessionEnded):
        second.refresh_session(issued.refresh_token, lifetime=LIFETIME)

    assert first.session(issued.session.id).ended_reason == "refresh-token-reused"


def test_a_new_number_gets_an_account_with_the_role_given(app: Grassroots, world: World) -> None:
    grant = Grant(Role.CENTER_STAFF, world.center)

    account_id, opened = app.open_or_grant(
        phone="13900000021", name="张老师", password=PASSWORD, grant=grant
    )

    account = app.get(Account, account_id)
    assert opened
    assert (account.name, account.grants) == ("张老师", {grant})
    assert app.account_with_phone("13900000021") == account_id


def test_a_known_number_keeps_its_account_name_and_password(app: Grassroots, world: World) -> None:
    account_id, _volunteer = register(app, world)
    grant = Grant(Role.SUPERVISOR, world.village)

    found, opened = app.open_or_grant(
        phone=PHONE, name="另一个名字", password="another password", grant=grant
    )

    account = app.get(Account, account_id)
    assert (found, opened) == (account_id, False)
    assert account.name == "王小明"
    assert grant in account.grants
    assert app.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME).account.id == account_id


def test_a_role_at_an_unknown_record_opens_no_account(app: Grassroots) -> None:
    before = event_count(app)

    with pytest.raises(NotFound):
        app.open_or_grant(
            phone="13900000022",
            name="张老师",
            password=PASSWORD,
            grant=Grant(Role.CENTER_STAFF, uuid4()),
        )

    assert event_count(app) == before
    assert app.account_with_phone("13900000022") is None


def test_a_cadre_and_their_account_are_written_together(app: Grassroots, world: World) -> None:
    cadre_id, account_id, opened = app.register_cadre_with_account(
        name="李书记",
        kind=CadreKind.SECONDED,
        org_unit_id=world.county,
        point_ids=[world.point],
        phone="13900000023",
        password=PASSWORD,
    )

    cadre = app.get(Cadre, cadre_id)
    assert opened
    assert (cadre.name, cadre.point_ids) == ("李书记", [world.point])
    assert app.get(Account, account_id).grants == {Grant(Role.CADRE, cadre_id)}


def test_a_refused_first_password_leaves_no_cadre_without_an_account(
    app: Grassroots, world: World
) -> None:
    before = event_count(app)

    with pytest.raises(InvalidValue):
        app.register_cadre_with_account(
            name="李书记",
            kind=CadreKind.SECONDED,
            org_unit_id=world.county,
            point_ids=[world.point],
            phone="13900000024",
            password="short",
        )

    assert event_count(app) == before
