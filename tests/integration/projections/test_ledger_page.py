"""One page of a volunteer's ledger, read in SQL, on SQLite and PostgreSQL: the same
lines, in the same order, as the slice of the whole ledger it stands for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.application.service import Grassroots
from grassroots.projections.ledger import LedgerLine, read_ledger, read_ledger_page
from grassroots.projections.read_side import ReadSide
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, post_activity, register_volunteer

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
LINES = 7


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def _ledger_of_seven(app: Grassroots, world: World, clock: FakeClock) -> tuple[UUID, UUID]:
    """A volunteer with seven lines (a credit, then six corrections, an hour apart),
    and another volunteer with one line, interleaved in the log."""
    volunteer = register_volunteer(app, world, phone="13800130001")
    other = register_volunteer(app, world, phone="13800130002")
    activity = post_activity(app, world, starts_at=START, sign_up_required=False)
    clock.set(START)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(START + timedelta(hours=1))
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)
    app.adjust_attendance(activity, other, minutes=5, reason="补录", staff_id=world.center)
    for i in range(1, LINES):
        clock.set(START + timedelta(days=1, hours=i))
        app.adjust_attendance(activity, volunteer, minutes=i, reason="更正", staff_id=world.center)
    return volunteer, other


def _keys(lines: list[LedgerLine]) -> list[tuple[int, int, int]]:
    return [(x.position, x.line_no, x.minutes) for x in lines]


def test_pages_are_the_slices_of_the_whole_ledger(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer, _ = _ledger_of_seven(app, world, clock)
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        whole = read_ledger(conn, volunteer)
        first = read_ledger_page(conn, volunteer, limit=3)
        middle = read_ledger_page(conn, volunteer, limit=3, offset=3)
        last = read_ledger_page(conn, volunteer, limit=3, offset=6)
        beyond = read_ledger_page(conn, volunteer, limit=3, offset=7)
        after = read_ledger_page(conn, volunteer, limit=3, after=whole[2].position)

    assert len(whole) == LINES
    assert first == whole[:3]  # every field, titles and names included
    assert _keys(middle) == _keys(whole[3:6])
    assert _keys(last) == _keys(whole[6:])
    assert len(last) == 1
    assert beyond == []
    # A keyset page starts right after the position it is given.
    assert _keys(after) == _keys(whole[3:6])


def test_a_page_as_of_an_instant_holds_only_what_was_recorded_by_then(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer, _ = _ledger_of_seven(app, world, clock)
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        whole = read_ledger(conn, volunteer)
        then = whole[3].recorded_at
        page = read_ledger_page(conn, volunteer, limit=10, offset=1, as_of=then)
        as_read = read_ledger(conn, volunteer, as_of=then)

    assert _keys(page) == _keys(as_read[1:]) == _keys(whole[1:4])


def test_a_volunteer_without_lines_has_an_empty_page(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    _ledger_of_seven(app, world, clock)
    nobody = register_volunteer(app, world, phone="13800130003")
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        assert read_ledger_page(conn, nobody, limit=5) == []
        assert read_ledger_page(conn, nobody, limit=5, as_of=START) == []
