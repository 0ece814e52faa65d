"""Ids derived from a phone number are keyed by the server's secret; records made
before that keep their earlier ids, still log in and still hold their number."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from uuid import UUID, uuid5

import pytest

from grassroots.application.accounts import password_hasher
from grassroots.application.errors import AlreadyTaken
from grassroots.application.service import Grassroots
from grassroots.domain.account import Account, Grant, Role
from grassroots.domain.values import ID_NAMESPACE
from grassroots.domain.volunteer import PhoneClaim, Volunteer
from tests.conftest import DURABLE
from tests.integration.builders import World, build_world

PHONE = "13800138000"
PASSWORD = "correct horse battery"
LIFETIME = timedelta(days=7)


def event_count(app: Grassroots) -> int:
    return app.recorder.max_notification_id() or 0


@pytest.fixture
def app(open_app: Callable[[], Grassroots]) -> Grassroots:
    app = open_app()
    app.use_password_hasher(password_hasher(fast=True))
    return app


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def register(app: Grassroots, world: World, phone: str = PHONE) -> tuple[UUID, UUID]:
    return app.register_volunteer_account(
        name="王小明",
        phone=phone,
        password=PASSWORD,
        birth_date=date(2001, 5, 4),
        org_unit_id=world.village,
    )


def public_uuid5(kind: str, phone: str) -> UUID:
    """What anyone who read the code could compute from a phone number."""
    return uuid5(ID_NAMESPACE, f'["{kind}", "{phone}"]')


def open_legacy_account(app: Grassroots, grants: list[Grant], phone: str = PHONE) -> UUID:
    """An account as it was recorded before ids were keyed: its id a uuid5 of the phone."""
    account = Account._create(
        Account.Opened,
        id=Account.legacy_id_for(phone),
        phone=phone,
        name="张老师",
        password_hash=password_hasher(fast=True).hash(PASSWORD),
        grants=[g.as_dict() for g in grants],
        at=app.now(),
    )
    app.commit(account)
    return account.id


def register_legacy_volunteer(app: Grassroots, world: World, phone: str = PHONE) -> UUID:
    """A volunteer with the phone claim recorded before ids were keyed."""
    volunteer, _ = Volunteer.register(
        name="王小明",
        phone=phone,
        birth_date=date(2001, 5, 4),
        org_unit_id=world.village,
        at=app.now(),
        id_secret=app.config.secret_key,
    )
    claim = PhoneClaim._create(
        PhoneClaim.Claimed,
        id=PhoneClaim.legacy_id_for(phone),
        phone=phone,
        volunteer_id=volunteer.id,
        at=app.now(),
    )
    app.commit(volunteer, claim)
    return volunteer.id


def test_ids_made_now_cannot_be_recomputed_from_the_phone_number(
    app: Grassroots, world: World
) -> None:
    account_id, volunteer_id = register(app, world)
    staff_id = app.open_account(
        phone="13900139000",
        name="张老师",
        password=PASSWORD,
        grants=[Grant(Role.CENTER_STAFF, world.center)],
    )

    assert account_id != public_uuid5("account", PHONE)
    assert staff_id != public_uuid5("account", "13900139000")
    assert not app.exists(public_uuid5("phone", PHONE))
    # Still one deterministic id per phone, which the store keeps unique.
    assert account_id == Account.id_for(PHONE, app.config.secret_key)
    assert app.volunteer_id_for_phone(PHONE) == volunteer_id


def test_an_account_made_before_ids_were_keyed_still_logs_in(app: Grassroots, world: World) -> None:
    legacy_id = open_legacy_account(app, [Grant(Role.CENTER_STAFF, world.center)])

    issued = app.log_in(phone="+86 138 0013 8000", password=PASSWORD, lifetime=LIFETIME)

    assert issued.account.id == legacy_id == public_uuid5("account", PHONE)


@pytest.mark.parametrize("how", ["register", "open"])
def test_a_phone_with_an_account_made_before_ids_were_keyed_is_taken(
    app: Grassroots, world: World, how: str
) -> None:
    open_legacy_account(app, [Grant(Role.CENTER_STAFF, world.center)])
    before = event_count(app)

    def again() -> object:
        if how == "register":
            return register(app, world)
        return app.open_account(
            phone=PHONE, name="张老师", password=PASSWORD, grants=[Grant(Role.ADMINISTRATOR)]
        )

    with pytest.raises(AlreadyTaken) as caught:
        again()

    assert caught.value.code == "phone-taken"
    assert event_count(app) == before
    assert not app.exists(Account.id_for(PHONE, app.config.secret_key))


@pytest.mark.parametrize("how", ["register_account", "register_volunteer"])
def test_a_phone_claimed_before_ids_were_keyed_is_taken_and_still_found(
    app: Grassroots, world: World, how: str
) -> None:
    volunteer_id = register_legacy_volunteer(app, world)
    before = event_count(app)

    def again() -> object:
        if how == "register_account":
            return register(app, world)
        return app.register_volunteer(
            name="王小明", phone=PHONE, birth_date=date(2001, 5, 4), org_unit_id=world.village
        )

    with pytest.raises(AlreadyTaken) as caught:
        again()

    assert caught.value.code == "phone-taken"
    assert event_count(app) == before
    assert app.volunteer_id_for_phone(PHONE) == volunteer_id


def test_another_secret_names_other_ids(app: Grassroots, world: World) -> None:
    account_id, _ = register(app, world)

    assert account_id != Account.id_for(PHONE, b"another server secret, 32 bytes long")


@DURABLE
def test_two_processes_registering_one_phone_at_once_leave_one_account(
    open_app: Callable[[], Grassroots],
) -> None:
    one, two = open_app(), open_app()
    for app in (one, two):
        app.use_password_hasher(password_hasher(fast=True))
    world = build_world(one)
    # Both have checked the earlier ids and found none; the keyed id decides.
    first = one.register_volunteer_account(
        name="王小明",
        phone=PHONE,
        password=PASSWORD,
        birth_date=date(2001, 5, 4),
        org_unit_id=world.village,
    )

    with pytest.raises(AlreadyTaken):
        two.register_volunteer_account(
            name="王大明",
            phone=PHONE,
            password=PASSWORD,
            birth_date=date(2001, 5, 4),
            org_unit_id=world.village,
        )

    assert two.log_in(phone=PHONE, password=PASSWORD, lifetime=LIFETIME).account.id == first[0]
