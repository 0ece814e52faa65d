"""The problems read model (问题反馈), fed from the log, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.compliance import PeriodKind
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.problem import ProblemState
from grassroots.projections import problems as problems_module
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.problems import (
    ProblemFigures,
    Problems,
    count_open_problems,
    open_problems,
    problem_figures,
    problems_changes,
    problems_current,
)
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, register_cadre

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF = UUID("eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given on a Shanghai wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Desk:
    """Drives the real application: every command at the instant the test names."""

    app: Grassroots
    clock: FakeClock
    world: World
    cadre: UUID

    def raise_(self, at: datetime, unit: UUID | None = None, title: str = "活动场地不足") -> UUID:
        self.clock.set(at)
        return self.app.raise_problem(
            self.cadre,
            title=title,
            description="周末活动需要更大的场地",
            org_unit_id=unit or self.world.village,
        )

    def close(self, problem: UUID, at: datetime) -> None:
        self.clock.set(at)
        self.app.answer_problem(problem, answer="已协调镇文化站场地", answered_by=STAFF)
        self.app.close_problem(problem, closed_by=STAFF)

    def reopen(self, problem: UUID, at: datetime) -> None:
        self.clock.set(at)
        self.app.reopen_problem(problem, reason="场地仍未落实", reopened_by=self.cadre)

    def reroute(self, problem: UUID, unit: UUID, at: datetime) -> None:
        self.clock.set(at)
        self.app.reroute_problem(problem, org_unit_id=unit, reason="属地不符，转交")


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def desk(app: Grassroots, clock: FakeClock, world: World) -> Desk:
    return Desk(app, clock, world, register_cadre(app, world))


@pytest.fixture
def read_side(app: Grassroots, read_engine: Engine) -> ReadSide:
    # A small batch size makes one catch-up span several batches.
    return ReadSide(
        read_engine,
        EventLog(app.recorder, app.mapper),
        projections=[OrgTree, Problems],
        batch_size=3,
    )


@pytest.fixture(params=["sorted", "walked"])
def open_list_plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each open-list test runs on both of the list's plans (see ``open_problems``)."""
    if request.param == "walked":
        monkeypatch.setattr(problems_module, "_WALK_FROM", 1)
    return str(request.param)


def figures(
    read_side: ReadSide, unit: UUID, kind: PeriodKind, period: str, now: datetime
) -> ProblemFigures:
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        return problem_figures(conn, unit, kind, period, now)


def counts(found: ProblemFigures) -> tuple[int, int, int]:
    return found.raised, found.closed, found.open_at_end


def test_weeks_and_months_turn_at_midnight_in_shanghai_not_in_utc(
    desk: Desk, read_side: ReadSide, world: World
) -> None:
    sunday_late = desk.raise_(local(2026, 3, 8, 23, 30))  # W10; 15:30 UTC
    desk.raise_(local(2026, 3, 9, 0, 10))  # W11, though still Sunday in UTC
    desk.close(sunday_late, local(2026, 3, 9, 0, 5))  # closed in W11
    desk.raise_(local(2026, 3, 31, 23, 30))  # March
    desk.raise_(local(2026, 4, 1, 0, 30))  # April, though still March 31 in UTC
    now = local(2026, 4, 10, 12)

    w10 = figures(read_side, world.village, "week", "2026-W10", now)
    w11 = figures(read_side, world.village, "week", "2026-W11", now)
    march = figures(read_side, world.village, "month", "2026-03", now)
    april = figures(read_side, world.village, "month", "2026-04", now)

    assert (w10.starts_at, w10.ends_at) == (
        datetime(2026, 3, 1, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 16, 0, tzinfo=UTC),
    )
    assert counts(w10) == (1, 0, 1)
    assert counts(w11) == (1, 1, 1)
    assert march.ends_at == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert counts(march) == (3, 1, 2)
    # April is not over: open "at the end" means open now.
    assert april.as_of == now
    assert counts(april) == (1, 0, 3)


def test_open_at_the_end_of_a_past_week_comes_from_history_with_the_oldest_ones_age(
    desk: Desk, read_side: ReadSide, world: World
) -> None:
    first = desk.raise_(local(2026, 3, 2, 9))  # W10
    desk.raise_(local(2026, 3, 10, 12))  # W11
    desk.close(first, local(2026, 3, 18, 10))  # W12
    now = local(2026, 3, 25, 12)  # W13

    def week(period: str) -> ProblemFigures:
        return figures(read_side, world.village, "week", period, now)

    w10, w11, w12, w13, w14 = (week(f"2026-W{n}") for n in range(10, 15))
    assert (w10.open_at_end, w10.oldest_open_age) == (1, timedelta(days=6, hours=15))
    assert (w11.open_at_end, w11.oldest_open_age) == (2, timedelta(days=13, hours=15))
    # The first one was closed in W12: the second is now the oldest.
    assert counts(w12) == (0, 1, 1)
    assert w12.oldest_open_age == timedelta(days=12, hours=12)
    # The current week is measured at ``now``.
    assert (w13.as_of, w13.open_at_end, w13.oldest_open_age) == (now, 1, timedelta(days=15))
    # A week that has not begun has nothing to say.
    assert counts(w14) == (0, 0, 0)
    assert w14.oldest_open_age is None


def test_median_time_to_close_over_an_odd_and_an_even_number_of_problems(
    desk: Desk, read_side: ReadSide, world: World
) -> None:
    start = local(2026, 3, 9, 9)  # Monday of W11
    problems = [desk.raise_(start) for _ in range(5)]
    for problem, hours in zip(problems, [2, 5, 30, 7 * 24, 8 * 24], strict=True):
        desk.close(problem, start + timedelta(hours=hours))
    now = local(2026, 4, 1, 12)

    w11 = figures(read_side, world.village, "week", "2026-W11", now)
    w12 = figures(read_side, world.village, "week", "2026-W12", now)
    march = figures(read_side, world.village, "month", "2026-03", now)
    w10 = figures(read_side, world.village, "week", "2026-W10", now)

    assert (w11.closed, w11.median_time_to_close) == (3, timedelta(hours=5))
    assert (w12.closed, w12.median_time_to_close) == (2, timedelta(days=7, hours=12))
    assert (march.closed, march.median_time_to_close) == (5, timedelta(hours=30))
    assert w10.median_time_to_close is None
    assert w12.oldest_open_age is None


def test_a_reopened_problem_is_open_again_and_its_time_to_close_runs_from_its_raising(
    desk: Desk, read_side: ReadSide, world: World
) -> None:
    problem = desk.raise_(local(2026, 3, 2, 9))  # W10
    desk.close(problem, local(2026, 3, 4, 9))  # W10
    desk.reopen(problem, local(2026, 3, 10, 9))  # W11
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        (listed,) = open_problems(conn, world.village, local(2026, 3, 11, 9), limit=10, offset=0)
    assert (listed.problem_id, listed.state, listed.times_reopened) == (
        problem,
        ProblemState.OPEN,
        1,
    )
    assert listed.age == timedelta(days=9)

    desk.close(problem, local(2026, 3, 18, 9))  # W12
    now = local(2026, 4, 2, 12)

    w10 = figures(read_side, world.village, "week", "2026-W10", now)
    w11 = figures(read_side, world.village, "week", "2026-W11", now)
    w12 = figures(read_side, world.village, "week", "2026-W12", now)
    march = figures(read_side, world.village, "month", "2026-03", now)

    # W10 keeps its close: the problem was closed then.
    assert counts(w10) == (1, 1, 0)
    assert w10.median_time_to_close == timedelta(days=2)
    assert counts(w11) == (0, 0, 1)
    assert w11.oldest_open_age == timedelta(days=13, hours=15)
    assert counts(w12) == (0, 1, 0)
    assert w12.median_time_to_close == timedelta(days=16)
    # Closed twice in March, counted once, up to its final close.
    assert counts(march) == (1, 1, 0)
    assert march.median_time_to_close == timedelta(days=16)
    with read_side.engine.connect() as conn:
        row = conn.execute(
            problems_current.select().where(problems_current.c.problem_id == problem)
        ).one()
        assert open_problems(conn, world.village, now, limit=10, offset=0) == []
    assert (row.state, row.times_reopened) == ("closed", 1)
    closed_at = row.closed_at if row.closed_at.tzinfo else row.closed_at.replace(tzinfo=UTC)
    assert closed_at == local(2026, 3, 18, 9)


def test_a_reroute_moves_the_problem_to_the_new_units_counts_from_then_on(
    app: Grassroots, desk: Desk, read_side: ReadSide, world: World
) -> None:
    other_county = app.create_org_unit(name="回民区", level=OrgLevel.COUNTY, parent_id=world.city)
    other_township = app.create_org_unit(
        name="新华西路街道", level=OrgLevel.TOWNSHIP, parent_id=other_county
    )
    problem = desk.raise_(local(2026, 3, 3, 9))  # W10, to our village
    desk.reroute(problem, other_township, local(2026, 3, 11, 9))  # W11
    read_side.catch_up()
    moment = local(2026, 3, 12, 9)
    with read_side.engine.connect() as conn:
        assert open_problems(conn, world.county, moment, limit=10, offset=0) == []
        (listed,) = open_problems(conn, other_county, moment, limit=10, offset=0)
    assert (listed.org_unit_id, listed.times_rerouted) == (other_township, 1)

    desk.close(problem, local(2026, 3, 17, 9))  # W12
    now = local(2026, 4, 1, 12)

    def week(unit: UUID, n: int) -> tuple[int, int, int]:
        return counts(figures(read_side, unit, "week", f"2026-W{n}", now))

    # Raised to our county's village: counted there, and open there at the end of W10.
    assert week(world.county, 10) == (1, 0, 1)
    assert week(other_county, 10) == (0, 0, 0)
    # Rerouted in W11: open at its end in the other county only.
    assert week(world.county, 11) == (0, 0, 0)
    assert week(other_county, 11) == (0, 0, 1)
    assert week(other_township, 11) == (0, 0, 1)
    # Closed where it was routed to then.
    assert week(world.county, 12) == (0, 0, 0)
    assert week(other_county, 12) == (0, 1, 0)
    # The city above both saw it all along.
    assert [week(world.city, n) for n in (10, 11, 12)] == [(1, 0, 1), (0, 0, 1), (0, 1, 0)]


def test_a_county_sees_the_sum_of_its_subtree(
    app: Grassroots, desk: Desk, read_side: ReadSide, world: World
) -> None:
    other_county = app.create_org_unit(name="回民区", level=OrgLevel.COUNTY, parent_id=world.city)
    desk.raise_(local(2026, 3, 2, 9), world.village)
    desk.raise_(local(2026, 3, 2, 10), world.township)
    desk.raise_(local(2026, 3, 2, 11), world.county)
    closed = desk.raise_(local(2026, 3, 3, 9), world.village)
    desk.raise_(local(2026, 3, 3, 10), other_county)
    desk.close(closed, local(2026, 3, 4, 9))
    now = local(2026, 3, 20, 12)

    def w10(unit: UUID) -> ProblemFigures:
        return figures(read_side, unit, "week", "2026-W10", now)

    assert counts(w10(world.village)) == (2, 1, 1)
    assert counts(w10(world.township)) == (3, 1, 2)
    assert counts(w10(world.county)) == (4, 1, 3)
    assert counts(w10(world.city)) == (5, 1, 4)
    assert counts(w10(other_county)) == (1, 0, 1)
    assert w10(world.county).oldest_open_age == timedelta(days=6, hours=15)


def test_the_open_list_is_oldest_first_and_pages_neither_overlap_nor_skip(
    desk: Desk, read_side: ReadSide, world: World, open_list_plan: str
) -> None:
    raised_at = [
        local(2026, 3, 2, 9),
        local(2026, 3, 3, 9),
        local(2026, 3, 3, 9),  # a tie, broken by id
        local(2026, 3, 4, 9),
        local(2026, 3, 5, 9),
        local(2026, 3, 6, 9),
    ]
    units = [world.village, world.township, world.village, world.county, world.village]
    problems = [
        desk.raise_(at, unit, title=f"问题{i}")
        for i, (at, unit) in enumerate(zip(raised_at, [*units, world.township], strict=True))
    ]
    desk.close(problems[3], local(2026, 3, 7, 9))
    read_side.catch_up()
    now = local(2026, 3, 10, 9)

    with read_side.engine.connect() as conn:
        pages = [open_problems(conn, world.county, now, limit=2, offset=o) for o in (0, 2, 4)]
        everything = open_problems(conn, world.county, now, limit=100, offset=0)
        total = count_open_problems(conn, world.county)
        in_village = open_problems(conn, world.village, now, limit=100, offset=0)

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [p for page in pages for p in page] == everything
    assert total == len(everything) == 5
    assert {p.problem_id for p in everything} == set(problems) - {problems[3]}
    assert [p.raised_at for p in everything] == sorted(p.raised_at for p in everything)
    tied = [p.problem_id for p in everything if p.raised_at == local(2026, 3, 3, 9)]
    assert tied == sorted(problems[1:3])
    assert everything[0].problem_id == problems[0]
    assert everything[0].age == timedelta(days=8)
    assert everything[0].raised_at.tzinfo is not None
    assert [p.problem_id for p in in_village] == [problems[0], problems[2], problems[4]]


def test_ties_in_the_open_list_are_broken_by_id(
    desk: Desk, read_side: ReadSide, world: World, open_list_plan: str
) -> None:
    same = local(2026, 3, 3, 9)
    problems = [desk.raise_(same) for _ in range(4)]
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        pages = [open_problems(conn, world.village, same, limit=1, offset=o) for o in range(4)]
    listed = [page[0].problem_id for page in pages]
    assert listed == sorted(problems)
    assert {page[0].age for page in pages} == {timedelta(0)}


def test_rebuilding_gives_the_same_rows_as_following_the_log(
    app: Grassroots, desk: Desk, read_side: ReadSide, world: World
) -> None:
    other_township = app.create_org_unit(
        name="锡林南路街道", level=OrgLevel.TOWNSHIP, parent_id=world.county
    )
    a = desk.raise_(local(2026, 3, 2, 9))
    read_side.catch_up()
    b = desk.raise_(local(2026, 3, 3, 9), world.township)
    desk.reroute(a, other_township, local(2026, 3, 4, 9))
    read_side.catch_up()
    desk.close(a, local(2026, 3, 5, 9))
    desk.reopen(a, local(2026, 3, 6, 9))
    read_side.catch_up()
    desk.close(b, local(2026, 3, 7, 9))
    desk.raise_(local(2026, 3, 8, 9))
    read_side.catch_up()
    runner = read_side.runner("problems")
    tables = (
        (problems_current, [problems_current.c.problem_id]),
        (problems_changes, [problems_changes.c.position]),
    )
    with read_side.engine.connect() as conn:
        incremental = [runner.projection.rows(conn, table, order) for table, order in tables]
        before = problem_figures(conn, world.county, "week", "2026-W10", local(2026, 3, 20))

    runner.rebuild()

    with read_side.engine.connect() as conn:
        rebuilt = [runner.projection.rows(conn, table, order) for table, order in tables]
        after = problem_figures(conn, world.county, "week", "2026-W10", local(2026, 3, 20))
    assert rebuilt == incremental
    assert [len(rows) for rows in rebuilt] == [3, 9]
    assert after == before
    assert counts(after) == (3, 2, 2)
