"""The service-hour ledger, fed from the log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from grassroots.application.service import Grassroots
from grassroots.projections.ledger import (
    ServiceLedger,
    explain_line,
    ledger_lines,
    read_ledger,
    read_totals,
)
from grassroots.projections.read_side import ReadSide
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, post_activity, register_volunteer

# Sunday 2026-03-08 23:30 in Asia/Shanghai is 15:30 UTC: still ISO week 10.
SUNDAY_LATE = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def test_a_check_out_credits_a_line_that_names_its_sources_and_its_week(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=SUNDAY_LATE, hours=0.5, sign_up_required=False)
    clock.set(SUNDAY_LATE)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(SUNDAY_LATE + timedelta(minutes=20))
    attendance = app.check_out(activity, volunteer, token=app.venue_code(activity).token)

    read_side.catch_up()

    with read_side.engine.connect() as conn:
        (line,) = read_ledger(conn, volunteer)
        weeks = read_totals(conn, volunteer, "week")
    assert (line.kind, line.minutes, line.balance_after) == ("credit", 20, 20)
    assert line.source_events == [f"{attendance.id}:1", f"{attendance.id}:2"]
    assert (line.activity_id, line.center_id) == (activity, world.center)
    assert weeks == {"2026-W10": 20}


def test_corrections_are_lines_of_their_own_with_a_running_balance(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    activity = post_activity(app, world, starts_at=start, sign_up_required=False)
    clock.set(start)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(start + timedelta(hours=1))
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(start + timedelta(days=30))
    app.adjust_attendance(
        activity, volunteer, minutes=-15, reason="提前离场未签退", staff_id=world.center
    )

    read_side.catch_up()

    with read_side.engine.connect() as conn:
        lines = read_ledger(conn, volunteer)
        months = read_totals(conn, volunteer, "month")
    assert [(x.kind, x.minutes, x.balance_after) for x in lines] == [
        ("credit", 60, 60),
        ("adjustment", -15, 45),
    ]
    assert lines[1].reason == "提前离场未签退"
    # The correction was made in April but belongs to the March activity.
    assert months == {"2026-03": 45}


def test_the_ledger_as_of_an_earlier_instant_shows_what_was_recorded_by_then(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    activity = post_activity(app, world, starts_at=start, sign_up_required=False)
    clock.set(start)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(start + timedelta(hours=1))
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        first = read_ledger(conn, volunteer)[0]
    app.adjust_attendance(activity, volunteer, minutes=30, reason="补录", staff_id=world.center)
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        then = read_ledger(conn, volunteer, as_of=first.recorded_at)
        now = read_ledger(conn, volunteer)
    assert [x.minutes for x in then] == [60]
    assert [x.minutes for x in now] == [60, 30]


def test_rebuilding_gives_the_same_rows_as_following_the_log(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    volunteers = [register_volunteer(app, world, phone=f"1380013{i:04d}") for i in range(5)]
    activity = post_activity(app, world, starts_at=start, sign_up_required=False)
    for i, volunteer in enumerate(volunteers):
        clock.set(start + timedelta(minutes=i))
        app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    for i, volunteer in enumerate(volunteers):
        clock.set(start + timedelta(minutes=40 + 10 * i))
        app.check_out(activity, volunteer, token=app.venue_code(activity).token)
        read_side.catch_up()  # incremental, in uneven steps
    runner = read_side.runner("service_ledger")
    with read_side.engine.connect() as conn:
        incremental = runner.projection.rows(conn, ledger_lines, [ledger_lines.c.position])

    runner.rebuild()

    with read_side.engine.connect() as conn:
        rebuilt = runner.projection.rows(conn, ledger_lines, [ledger_lines.c.position])
        count = conn.execute(sa.select(sa.func.count()).select_from(ledger_lines)).scalar()
    assert rebuilt == incremental
    assert count == 5


def test_a_line_is_explained_by_the_events_behind_it_in_order(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    volunteer = register_volunteer(app, world)
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    activity = post_activity(app, world, starts_at=start, sign_up_required=False)
    clock.set(start)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    clock.set(start + timedelta(minutes=50))
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        (line,) = read_ledger(conn, volunteer)
        refs = explain_line(conn, volunteer, line.position)
        missing = explain_line(conn, volunteer, line.position + 10_000)
    events = app.recorded_events(refs or [])

    assert [type(e).__name__ for e in events] == ["CheckedIn", "CheckedOut"]
    assert events[1].credited_minutes == line.minutes == 50
    assert missing is None


def test_a_volunteer_reads_their_own_check_out_at_once_with_runners_in_the_background(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    app.on_write(read_side.wake)
    volunteer = register_volunteer(app, world)
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    with read_side.running():
        for minutes in (30, 45, 60):
            clock.set(start - timedelta(days=1))
            other = post_activity(app, world, starts_at=start, sign_up_required=False)
            clock.set(start)
            app.check_in(other, volunteer, token=app.venue_code(other).token)
            clock.set(start + timedelta(minutes=minutes))
            app.check_out(other, volunteer, token=app.venue_code(other).token)

            assert read_side.wait_for(app.last_write_position(), timeout=5.0)
            with read_side.engine.connect() as conn:
                assert read_ledger(conn, volunteer)[-1].minutes == minutes


def test_lines_name_their_activity_and_center_as_they_are_now_and_a_rebuild_agrees(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    start = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
    volunteer = register_volunteer(app, world)
    activity = post_activity(app, world, starts_at=start, sign_up_required=False)
    clock.set(start - timedelta(days=1))
    app.change_activity_details(activity, title="社区环境清洁（第二期）")
    clock.set(start)
    app.check_in(activity, volunteer, token=app.venue_code(activity).token)
    read_side.catch_up()  # the title change and the check-in in one run, the rest in another
    clock.set(start + timedelta(hours=1))
    app.check_out(activity, volunteer, token=app.venue_code(activity).token)
    app.change_center_details(world.center, name="东风社区青年之家（新）")
    read_side.catch_up()
    runner = read_side.runner("service_ledger")
    with read_side.engine.connect() as conn:
        (line,) = read_ledger(conn, volunteer)
        incremental = {
            t.name: runner.projection.rows(conn, t, list(t.primary_key.columns))
            for t in ServiceLedger.tables
        }

    runner.rebuild()

    with read_side.engine.connect() as conn:
        rebuilt = {
            t.name: runner.projection.rows(conn, t, list(t.primary_key.columns))
            for t in ServiceLedger.tables
        }
    assert (line.activity_title, line.center_name) == (
        "社区环境清洁（第二期）",
        "东风社区青年之家（新）",
    )
    assert rebuilt == incremental
    assert incremental["ledger_activities"]
    assert incremental["ledger_centers"]
