"""One event a handler cannot apply never stalls a read model for good; SQLite and PostgreSQL.

The poisoned event is an ordinary activity whose posting one handler of center
activity is made to refuse, as a far-future start once made it overflow.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic
from litestar.stores.memory import MemoryStore
from sqlalchemy.engine import Engine

from grassroots import projections_cli
from grassroots.api.consistency import WrittenPositions
from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.cli import main
from grassroots.domain.activity import Activity
from grassroots.projections.center_activity import CenterActivity
from grassroots.projections.failures import SkipRefused
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog, RebuildFailed
from grassroots.settings import Settings
from tests.conftest import Backend
from tests.integration.builders import World, build_world, post_activity
from tests.integration.conftest import SECRET
from tests.integration.projections.conftest import snapshot

START = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
NAME = CenterActivity.name


@dataclass
class Poison:
    """Center activity's handler of ``Activity.Posted`` refuses one activity while armed."""

    activity: UUID
    armed: bool = True
    calls: int = 0


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def activities(app: Grassroots, world: World) -> list[UUID]:
    """Three activities posted in turn; the middle one is the poisoned one."""
    return [post_activity(app, world, starts_at=START + timedelta(days=i)) for i in range(3)]


@pytest.fixture
def poison(monkeypatch: pytest.MonkeyPatch, activities: list[UUID]) -> Poison:
    poison = Poison(activities[1])
    posted = CenterActivity._handlers[Activity.Posted]

    def refusing(self: CenterActivity, target: Any, event: Any, context: Any) -> None:
        if poison.armed and event.originator_id == poison.activity:
            poison.calls += 1
            raise OverflowError("date value out of range")
        posted(self, target, event, context)

    monkeypatch.setitem(CenterActivity._handlers, Activity.Posted, refusing)
    return poison


def posted_at(side: ReadSide, activity: UUID) -> int:
    """Where the log holds the posting of ``activity``."""
    topic = get_topic(Activity.Posted)
    found = side.log.read_topics(
        after=0, limit=10_000, stop=side.log.last_position(), topics=[topic]
    )
    return next(c.position for _, c, _ in found if c.originator_id == activity)


def status(side: ReadSide) -> dict[str, Any]:
    return {s.name: s for s in side.status()}


def test_an_event_a_handler_cannot_apply_stops_only_that_read_model_just_before_it(
    read_side: ReadSide, activities: list[UUID], poison: Poison
) -> None:
    with pytest.raises(RuntimeError, match=NAME):
        read_side.catch_up()

    poisoned = posted_at(read_side, poison.activity)
    first = posted_at(read_side, activities[0])
    now = status(read_side)
    assert now[NAME].failed_at == poisoned
    assert first < poisoned
    assert now[NAME].position == poisoned - 1  # all before it applied
    assert now[NAME].error is not None
    assert now[NAME].error.startswith("OverflowError: date value out of range")
    assert get_topic(Activity.Posted) in now[NAME].error
    # Every other read model went on past it, to the log's end.
    assert all(s.lag == 0 and s.failed_at is None for n, s in now.items() if n != NAME)
    recorded = read_side.failures()[NAME]
    assert (recorded.position, recorded.originator_id, recorded.attempts) == (
        poisoned,
        poison.activity,
        1,
    )


def test_a_failing_read_model_is_retried_after_a_growing_pause_and_logged_in_full_once(
    app: Grassroots,
    read_engine: Engine,
    activities: list[UUID],
    poison: Poison,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    side = ReadSide(
        read_engine,
        EventLog(app.recorder, app.mapper),
        projections=ALL_PROJECTIONS,
        monotonic=lambda: now[0],
    )
    for runner in side.runners.values():
        runner.ensure_tracking()
    tried_at: list[float] = []
    caplog.set_level(logging.WARNING, logger="grassroots.projections.read_side")
    for now[0] in (0.0, 0.5, 0.99, 1.0, 2.0, 2.99, 3.0, 5.0, 6.99, 7.0):
        calls = poison.calls
        side._live_round()
        if poison.calls > calls:
            tried_at.append(now[0])

    assert tried_at == [0.0, 1.0, 3.0, 7.0]  # pauses of 1, 2 and 4 seconds
    assert side.failures()[NAME].attempts == 4
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert len(warnings) == 3
    assert all(r.exc_info is None for r in warnings)


def test_a_retry_once_the_handler_is_fixed_applies_the_event_and_ends_the_failure(
    read_side: ReadSide, read_engine: Engine, poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()

    poison.armed = False
    assert read_side.retry(NAME) is None

    now = status(read_side)[NAME]
    assert (now.failed_at, now.error, now.lag) == (None, None, 0)
    assert read_side.failures() == {}
    caught_up = snapshot(read_engine)
    read_side.runner(NAME).rebuild()
    assert snapshot(read_engine) == caught_up


def test_a_retry_that_fails_again_counts_the_attempt_and_says_why(
    read_side: ReadSide, poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()

    again = read_side.retry(NAME)

    assert again is not None
    assert again.attempts == 2
    assert again.error.startswith("OverflowError")


def test_a_skipped_event_is_audited_passed_over_and_left_out_by_a_rebuild(
    read_side: ReadSide, read_engine: Engine, activities: list[UUID], poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    poisoned = posted_at(read_side, poison.activity)

    skip = read_side.skip(NAME, poisoned, reason="starts in the year 9999", operator="ops-li")
    read_side.catch_up()

    assert (skip.position, skip.topic, skip.operator, skip.reason) == (
        poisoned,
        get_topic(Activity.Posted),
        "ops-li",
        "starts in the year 9999",
    )
    assert skip.originator_id == poison.activity
    assert skip.error is not None
    assert skip.error.startswith("OverflowError")
    now = status(read_side)[NAME]
    assert (now.failed_at, now.lag) == (None, 0)
    incremental = snapshot(read_engine)
    calls = poison.calls
    read_side.runner(NAME).rebuild()
    assert snapshot(read_engine) == incremental
    assert poison.calls == calls  # the rebuild never handed it the skipped event


def test_a_skip_recorded_elsewhere_makes_a_runner_that_did_not_know_it_lose_its_race(
    app: Grassroots, read_engine: Engine, read_side: ReadSide, poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    runner = read_side.runner(NAME)
    start, end = runner.position(), read_side.log.last_position()
    batch = read_side.log.read(after=start, limit=10_000, stop=end, topics=runner.topics)
    elsewhere = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS
    )
    elsewhere.skip(NAME, posted_at(read_side, poison.activity), reason="bad", operator="ops")
    calls = poison.calls

    assert runner.apply(start, end, batch) is False  # nothing written: it knew no skip
    assert runner.position() == start
    assert runner.apply(start, end, batch) is True  # the skips read again, the event left out
    assert poison.calls == calls


def test_an_event_already_applied_or_not_read_by_the_model_cannot_be_skipped(
    read_side: ReadSide, activities: list[UUID], poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    applied = posted_at(read_side, activities[0])

    with pytest.raises(SkipRefused, match="already applied"):
        read_side.skip(NAME, applied, reason="by mistake", operator="ops-li")
    with pytest.raises(SkipRefused, match="reason"):
        read_side.skip(NAME, posted_at(read_side, poison.activity), reason=" ", operator="x")
    with pytest.raises(SkipRefused, match="holds no event"):
        read_side.skip(NAME, read_side.log.last_position() + 5, reason="typo", operator="x")


def test_reading_ones_own_writes_does_not_wait_for_a_failing_read_model(
    app: Grassroots, read_engine: Engine, read_side: ReadSide, world: World, poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    post_activity(app, world, starts_at=START + timedelta(days=9))
    written = app.last_write_position()
    with pytest.raises(RuntimeError):
        read_side.catch_up()  # the healthy ones apply the new write
    # Another process's read side knows only what the record says.
    elsewhere = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS
    )
    waits: list[int] = []
    for side in (read_side, elsewhere):
        stuck = side.runner(NAME)
        original = stuck.wait_for

        def counted(position: int, timeout: float, original: Any = original) -> bool:
            waits.append(position)
            return bool(original(position, timeout))

        stuck.wait_for = counted  # type: ignore[method-assign]

    assert read_side.wait_for(written, timeout=5.0) is True
    assert elsewhere.wait_for(written, timeout=5.0) is True
    assert waits == []


async def test_a_settle_after_a_write_returns_at_once_while_a_read_model_fails(
    app: Grassroots, read_side: ReadSide, world: World, poison: Poison
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    post_activity(app, world, starts_at=START + timedelta(days=9))
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    written = WrittenPositions(MemoryStore(), read_side, wait_seconds=5.0)
    account = uuid4()
    await written.wrote(account, app.last_write_position())

    assert await written.settle(account) is True


def test_a_rebuild_that_meets_a_failing_event_keeps_the_previous_rows_and_position(
    read_side: ReadSide, read_engine: Engine, poison: Poison
) -> None:
    poison.armed = False
    read_side.catch_up()
    before = snapshot(read_engine)
    position = read_side.runner(NAME).position()
    poison.armed = True

    with pytest.raises(RebuildFailed) as failed:
        read_side.runner(NAME).rebuild()

    poisoned = posted_at(read_side, poison.activity)
    assert f"stopped at position {poisoned}" in str(failed.value)
    assert "OverflowError" in str(failed.value)
    assert snapshot(read_engine) == before
    assert read_side.runner(NAME).position() == position


def _settings(backend: Backend, tmp_path: Path) -> Settings:
    return Settings.from_env(_env(backend, tmp_path))


def _env(backend: Backend, tmp_path: Path) -> dict[str, str]:
    env = {
        "GRASSROOTS_DATABASE_URL": backend.database_url,
        "GRASSROOTS_SECRET_KEY": SECRET,
        "GRASSROOTS_DATA_DIR": str(tmp_path),
    }
    if backend.schema:
        env["GRASSROOTS_DATABASE_SCHEMA"] = backend.schema
    return env


def test_the_commands_show_skip_and_rebuild_a_failing_read_model(
    read_side: ReadSide,
    read_engine: Engine,
    backend: Backend,
    tmp_path: Path,
    poison: Poison,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(RuntimeError):
        read_side.catch_up()
    settings = _settings(backend, tmp_path)
    poisoned = posted_at(read_side, poison.activity)
    before = snapshot(read_engine)

    shown, listed, rebuilt, errors = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
    assert projections_cli.status(settings, out=shown) == 0
    assert projections_cli.failures(settings, out=listed) == 0
    assert projections_cli.rebuild(settings, NAME, out=rebuilt, err=errors) == 1
    assert snapshot(read_engine) == before

    assert f"failing at {poisoned}" in shown.getvalue()
    assert str(poison.activity) in listed.getvalue()
    assert "OverflowError" in listed.getvalue()
    assert f"stopped at position {poisoned}" in errors.getvalue()
    assert "keeps its previous rows" in errors.getvalue()

    for variable, value in _env(backend, tmp_path).items():
        monkeypatch.setenv(variable, value)
    skipping = ["projections", "skip", NAME, str(poisoned), "--reason", "bad date"]
    assert main([*skipping, "--operator", "ops-li"]) == 0
    assert projections_cli.retry(settings, NAME, out=io.StringIO()) == 0
    assert projections_cli.rebuild(settings, NAME, out=io.StringIO(), err=errors) == 0
    listed = io.StringIO()
    assert projections_cli.failures(settings, out=listed) == 0
    assert "ops-li" in listed.getvalue()
    assert "bad date" in listed.getvalue()
    assert status(read_side)[NAME].lag == 0
