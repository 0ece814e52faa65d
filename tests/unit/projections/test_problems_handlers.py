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


def _history() -> list[tuple[EventContext, object]]:
    """Two problems' events interleaved in one log, with every kind of change."""
    other_unit = UUID("f1f1f1f1-f1f1-4f1f-8f1f-f1f1f1f1f1f1")
    first = Problem.raise_problem(
        cadre_id=CADRE,
        title="路灯损坏",
        description="村口路灯不亮",
        org_unit_id=VILLAGE,
        at=RAISED_AT,
    )
    second = Problem.raise_problem(
        cadre_id=CADRE,
        title="道路积水",
        description="雨后积水",
        org_unit_id=VILLAGE,
        at=RAISED_AT.astimezone(SHANGHAI),
    )
    first.reroute(org_unit_id=other_unit, reason="归乡镇处理", at=RAISED_AT + timedelta(hours=1))
    # Answered by a server whose clock runs behind: dated at the reroute.
    first.answer("已报修", answered_by=STAFF, at=RAISED_AT)
    first.close(closed_by=STAFF, at=RAISED_AT + timedelta(hours=3))
    first.reopen(reason="仍未修好", reopened_by=CADRE, at=RAISED_AT + timedelta(hours=4))
    first.answer("已更换灯泡", answered_by=STAFF, at=RAISED_AT + timedelta(hours=5))
    first.close(closed_by=STAFF, at=RAISED_AT + timedelta(hours=6))
    second.answer("已安排抽水", answered_by=STAFF, at=RAISED_AT + timedelta(hours=2))
    events = [(first, e) for e in first.collect_events()]
    events += [(second, e) for e in second.collect_events()]
    # Interleave by instant, as a log of two cadres' work would be.
    events.sort(key=lambda pair: pair[1].timestamp)
    return [
        (EventContext(position, p.id, e.originator_version, e.timestamp), e)
        for position, (p, e) in enumerate(events, start=1)
    ]


def _all_rows(conn: sa.Connection) -> list[list[tuple[object, ...]]]:
    return [
        Problems.rows(conn, problems_current, [problems_current.c.problem_id]),
        Problems.rows(conn, problems_changes, [problems_changes.c.position]),
    ]


def test_a_history_split_into_two_batches_anywhere_gives_the_rows_of_one_batch(
    engine: sa.Engine,
) -> None:
    # A batch loads what it needs from earlier batches' rows: the runner may cut
    # the log at any position, between a problem's raising and its changes too.
    history = _history()
    projection = Problems()
    with engine.begin() as conn:
        projection.apply_batch(conn, history)
        whole = _all_rows(conn)
    for split in range(1, len(history)):
        with engine.begin() as conn:
            projection.clear(conn)
        for part in (history[:split], history[split:]):
            with engine.begin() as conn:
                projection.apply_batch(conn, part)
        with engine.connect() as conn:
            assert _all_rows(conn) == whole, f"split at {split}"
    assert [len(rows) for rows in whole] == [2, 9]
    assert sorted(str(row[5]) for row in whole[0]) == ["answered", "closed"]  # their states


def test_a_batch_is_written_with_a_fixed_number_of_statements(engine: sa.Engine) -> None:
    history = _history()
    executed: list[str] = []
    projection = Problems()
    with engine.begin() as conn:
        projection.apply_batch(conn, history[:1])  # the first problem's raising
    # At the cursor: bulk writes go to the driver as text, past SQLAlchemy's statements.
    sa.event.listen(engine, "before_cursor_execute", lambda *args: executed.append(str(args[2])))
    with engine.begin() as conn:
        projection.apply_batch(conn, history[1:])
    # One read of the problem raised before, then one insert (the second
    # problem), one update (the first) and one insert of history lines, however
    # many events the batch holds.
    assert len(executed) == 4
