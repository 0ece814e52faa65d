"""The problems read model's handlers and calendar, without an application around them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from grassroots.domain.problem import Problem
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext
from grassroots.projections.org_tree import org_closure, org_units
from grassroots.projections.problems import (
    Problems,
    period_bounds,
    problem_figures,
    problems_changes,
    problems_current,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CADRE = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
STAFF = UUID("eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee")
VILLAGE = UUID("f0f0f0f0-f0f0-4f0f-8f0f-f0f0f0f0f0f0")
RAISED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine("sqlite://")
    metadata.create_all(engine, tables=[org_units, org_closure, problems_current, problems_changes])
    with engine.begin() as conn:
        conn.execute(
            org_closure.insert().values(ancestor_id=VILLAGE, descendant_id=VILLAGE, depth=0)
        )
    yield engine
    engine.dispose()


def feed(engine: sa.Engine, problem: Problem, first_position: int = 1) -> None:
    projection = Problems()
    with engine.begin() as conn:
        for offset, event in enumerate(problem.collect_events()):
            context = EventContext(
                position=first_position + offset,
                originator_id=problem.id,
                originator_version=event.originator_version,
                recorded_at=event.timestamp,
            )
            projection.handle(conn, event, context)


def test_a_change_dated_before_the_previous_one_is_dated_at_the_previous_one(
    engine: sa.Engine,
) -> None:
    problem = Problem.raise_problem(
        cadre_id=CADRE,
        title="路灯损坏",
        description="村口路灯不亮",
        org_unit_id=VILLAGE,
        at=RAISED_AT,
    )
    # A second server whose clock runs an hour behind answers and closes it.
    problem.answer("已报修", answered_by=STAFF, at=RAISED_AT - timedelta(hours=1))
    problem.close(closed_by=STAFF, at=RAISED_AT + timedelta(hours=3))
    feed(engine, problem)

    with engine.connect() as conn:
        changed = [
            (row.kind, row.changed_at.replace(tzinfo=UTC))
            for row in conn.execute(
                sa.select(problems_changes).order_by(problems_changes.c.version)
            )
        ]
        figures = problem_figures(conn, VILLAGE, "week", "2026-W10", RAISED_AT + timedelta(days=9))
    assert changed == [
        ("raised", RAISED_AT),
        ("answered", RAISED_AT),
        ("closed", RAISED_AT + timedelta(hours=3)),
    ]
    assert (figures.raised, figures.closed, figures.open_at_end) == (1, 1, 0)
    assert figures.median_time_to_close == timedelta(hours=3)


def test_instants_in_another_zone_are_stored_in_utc(engine: sa.Engine) -> None:
    problem = Problem.raise_problem(
        cadre_id=CADRE,
        title="路灯损坏",
        description="村口路灯不亮",
        org_unit_id=VILLAGE,
        at=RAISED_AT.astimezone(SHANGHAI),
    )
    feed(engine, problem)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(problems_current.c.raised_at)).scalar_one()
    # SQLite keeps no zone: the wall-clock value must be UTC's.
    assert stored == RAISED_AT.replace(tzinfo=None)


def test_an_unknown_unit_is_judged_on_shanghais_calendar(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        figures = problem_figures(conn, VILLAGE, "month", "2026-03", RAISED_AT)
    assert figures.starts_at == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert (figures.raised, figures.open_at_end, figures.oldest_open_age) == (0, 0, None)


@pytest.mark.parametrize(
    ("kind", "period", "start", "end"),
    [
        ("week", "2026-W10", datetime(2026, 3, 1, 16), datetime(2026, 3, 8, 16)),
        ("week", "2026-W53", datetime(2026, 12, 27, 16), datetime(2027, 1, 3, 16)),
        ("week", "2027-W01", datetime(2027, 1, 3, 16), datetime(2027, 1, 10, 16)),
        ("month", "2026-02", datetime(2026, 1, 31, 16), datetime(2026, 2, 28, 16)),
        ("month", "2026-12", datetime(2026, 11, 30, 16), datetime(2026, 12, 31, 16)),
    ],
)
def test_periods_are_bounded_by_local_midnights(
    kind: str, period: str, start: datetime, end: datetime
) -> None:
    assert period_bounds(kind, period, SHANGHAI) == (  # type: ignore[arg-type]
        start.replace(tzinfo=UTC),
        end.replace(tzinfo=UTC),
    )


def test_a_week_across_a_summer_time_change_is_a_hour_short() -> None:
    start, end = period_bounds("week", "2026-W13", ZoneInfo("Europe/Berlin"))
    assert end - start == timedelta(days=7, hours=-1)


@pytest.mark.parametrize(
    ("kind", "period"),
    [("week", "2026-10"), ("week", "2025-W53"), ("month", "2026-13"), ("month", "2026-W10")],
)
def test_a_malformed_or_impossible_period_is_refused(kind: str, period: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(period))):
        period_bounds(kind, period, SHANGHAI)  # type: ignore[arg-type]
