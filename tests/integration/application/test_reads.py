"""The application's three ways to read an aggregate: ``get`` (a copy a command may
change), ``find`` (the same, or None when there is none yet, in one read) and
``read`` (the cached aggregate itself, for looking at only). Each must still see
another process's writes: a session ended or a password changed elsewhere stops
the caller at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from grassroots.api.auth import load_caller
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.activity import Activity
from grassroots.domain.presence import Presence
from grassroots.domain.volunteer import Volunteer
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import build_world, fast_hashing, post_activity, register_volunteer

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@DURABLE
def test_read_hands_out_the_cached_aggregate_and_get_a_copy(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    app = open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(app)
    activity = post_activity(app, world, starts_at=START, capacity=5)

    assert app.read(Activity, activity) is app.read(Activity, activity)
    assert app.get(Activity, activity) is not app.read(Activity, activity)
    assert app.get(Activity, activity) is not app.get(Activity, activity)


@DURABLE
def test_read_sees_another_process_write(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    first, second = open_app(), open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(first)
    activity = post_activity(first, world, starts_at=START, capacity=5)
    volunteer = register_volunteer(first, world)
    assert second.read(Activity, activity).signed_up == []  # now cached in the second

    first.sign_up(activity, volunteer)

    assert second.read(Activity, activity).signed_up == [volunteer]


@DURABLE
def test_find_is_none_until_there_is_one_and_then_a_copy(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    app = open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(app)
    volunteer = register_volunteer(app, world)
    presence_id = Presence.id_for(volunteer)

    assert app.find(Presence, presence_id) is None
    assert not app.exists(presence_id)
    assert app.find(Volunteer, uuid4()) is None

    found = app.find(Volunteer, volunteer)
    assert found is not None
    assert found.id == volunteer
    assert found is not app.find(Volunteer, volunteer)
    assert app.exists(volunteer)


@DURABLE
def test_every_way_refuses_an_aggregate_of_another_kind(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    app = open_app()
    clock.set(START - timedelta(days=1))
    world = build_world(app)
    volunteer = register_volunteer(app, world)

    for way in (app.get, app.find, app.read):
        with pytest.raises(NotFound):
            way(Activity, volunteer)
    for way in (app.get, app.read):
        with pytest.raises(NotFound):
            way(Activity, uuid4())


@DURABLE
def test_a_session_ended_or_a_password_changed_in_another_process_stops_the_caller(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    """The caller's session and account are read without copying; the cached ones
    must still be brought up to date by the other process's events."""
    first, second = fast_hashing(open_app()), fast_hashing(open_app())
    clock.set(START)
    world = build_world(first)

    def logged_in(phone: str) -> tuple[UUID, UUID]:
        first.register_volunteer_account(
            name="王小明",
            phone=phone,
            password=PASSWORD,
            birth_date=date(2001, 5, 4),
            org_unit_id=world.village,
        )
        issued = first.log_in(phone=phone, password=PASSWORD, lifetime=timedelta(days=7))
        return issued.account.id, issued.session.id

    ended_account, ended_session = logged_in("13800138001")
    changed_account, changed_session = logged_in("13800138002")
    for account, session in ((ended_account, ended_session), (changed_account, changed_session)):
        assert load_caller(second, account, session) is not None  # cached in the second

    first.log_out(ended_session)
    first.change_password(changed_account, current=PASSWORD, new="another horse battery")

    assert load_caller(second, ended_account, ended_session) is None
    assert load_caller(second, changed_account, changed_session) is None
