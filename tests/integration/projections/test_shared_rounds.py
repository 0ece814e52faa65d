"""One read of the log for every projection: rounds give the rows of projections run alone."""

from __future__ import annotations

import gc
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.engine import BatchStart, Projection
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog, ProjectionRunner, tracking
from grassroots.simulation import HistoryShape, generate_history
from tests.integration.projections.conftest import snapshot

SHAPE = HistoryShape(weeks=4, volunteers=40, cadres=6)


def _positions(read_side: ReadSide) -> dict[str, int]:
    return {s.name: s.position for s in read_side.status()}


def _each_alone(read_side: ReadSide) -> None:
    for runner in read_side.runners.values():
        runner.rebuild()


def test_rounds_give_the_rows_of_each_projection_run_alone(
    app: Grassroots, read_engine: Engine
) -> None:
    generate_history(app, seed=21, shape=SHAPE)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=37
    )
    read_side.catch_up()
    shared = snapshot(read_engine)
    end = read_side.log.last_position()

    _each_alone(read_side)

    assert set(_positions(read_side).values()) == {end}
    assert sum(len(rows) for rows in shared.values()) > 1000
    assert snapshot(read_engine) == shared


def test_a_projection_behind_catches_up_and_then_shares_the_reads(
    app: Grassroots, read_engine: Engine
) -> None:
    generate_history(app, seed=22, shape=SHAPE)
    log = EventLog(app.recorder, app.mapper)
    read_side = ReadSide(read_engine, log, projections=ALL_PROJECTIONS, batch_size=50)
    read_side.catch_up()
    expected = snapshot(read_engine)
    laggard = read_side.runner("service_ledger")
    with read_engine.begin() as conn:
        conn.execute(tracking.update().where(tracking.c.name == laggard.name).values(position=0))
        laggard.projection.clear(conn)
    generate_history(app, seed=23, shape=SHAPE)  # the leaders have more to read too
    reads: list[tuple[int, tuple[str, ...]]] = []
    read_topics = log.read_topics

    def counting(**kwargs: Any) -> Any:
        reads.append((kwargs["after"], tuple(kwargs["topics"])))
        return read_topics(**kwargs)

    log.read_topics = counting  # type: ignore[method-assign]
    end = log.last_position()
    rounds = 0
    while len(set(_positions(read_side).values())) > 1 or min(_positions(read_side).values()) < end:
        read_side.process_round()
        rounds += 1
        assert rounds < 1000

    assert set(_positions(read_side).values()) == {end}
    # Early rounds read twice (the laggard alone, the leaders together); once merged,
    # one read serves every projection.
    assert any(len(topics) == len(laggard.topics) for _, topics in reads)
    every = tuple(sorted({t for r in read_side.runners.values() for t in r.topics}))
    assert reads[-1][1] == every
    log.read_topics = read_topics  # type: ignore[method-assign]
    caught_up = snapshot(read_engine)
    _each_alone(read_side)
    assert snapshot(read_engine) == caught_up
    assert sum(len(r) for r in caught_up.values()) > sum(len(r) for r in expected.values())


class _Broken(Exception):
    pass


def _break(projection: Projection, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: Any) -> None:
        raise _Broken("the read model's table is locked, say")

    monkeypatch.setattr(projection, "apply_batch", fail)


def test_a_failing_projection_does_not_hold_back_the_others_in_a_catch_up(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_history(app, seed=24, shape=SHAPE)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=40
    )
    broken = read_side.runner("problems")
    _break(broken.projection, monkeypatch)

    with pytest.raises(RuntimeError, match="problems") as raised:
        read_side.catch_up()

    assert isinstance(raised.value.__cause__, _Broken)
    end = read_side.log.last_position()
    positions = _positions(read_side)
    # It moved (with the others) over what it does not follow, and stopped before the
    # first event it does.
    ((first, _event),) = broken.log.read(after=0, limit=1, stop=end, topics=broken.topics)
    assert positions.pop("problems") < first.position
    assert set(positions.values()) == {end}
    with read_engine.connect() as conn:
        for table in broken.projection.tables:
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0

    monkeypatch.undo()
    read_side.catch_up()
    assert set(_positions(read_side).values()) == {end}


def test_a_failing_projection_is_retried_while_the_others_follow_the_log(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_history(app, seed=25, shape=SHAPE)
    read_side = ReadSide(
        read_engine,
        EventLog(app.recorder, app.mapper),
        projections=ALL_PROJECTIONS,
        batch_size=60,
        poll_seconds=0.05,
        retry_seconds=0.1,
    )
    broken = read_side.runner("cadre_compliance")
    attempts = 0
    apply_batch = broken.projection.apply_batch

    def flaky(conn: sa.Connection, batch: Any, start: BatchStart) -> None:
        nonlocal attempts
        attempts += 1
        if attempts <= 3:
            raise _Broken("not yet")
        apply_batch(conn, batch, start)

    monkeypatch.setattr(broken.projection, "apply_batch", flaky)
    end = read_side.log.last_position()
    with read_side.running():
        others = [r for r in read_side.runners.values() if r is not broken]
        assert all(r.wait_for(end, timeout=30) for r in others)
        # While it is marked failing a wait returns at once (waiting cannot help a
        # stuck read model); the read side's retries are what must bring it through.
        deadline = time.monotonic() + 30
        while not broken.wait_for(end, timeout=0.5) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert broken.reached(end)
    assert attempts > 3
    together = snapshot(read_engine)

    monkeypatch.undo()
    _each_alone(read_side)
    assert snapshot(read_engine) == together


def test_two_read_sides_sharing_reads_at_once_count_nothing_twice(
    app: Grassroots, read_engine: Engine
) -> None:
    generate_history(app, seed=26, shape=SHAPE)
    log = EventLog(app.recorder, app.mapper)
    sides = [
        ReadSide(read_engine, log, projections=ALL_PROJECTIONS, batch_size=30, poll_seconds=0.01)
        for _ in range(2)
    ]
    end = log.last_position()
    for side in sides:
        side.start()
    try:
        deadline = time.monotonic() + 60
        while set(_positions(sides[0]).values()) != {end}:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        for side in sides:
            side.stop()
    raced = snapshot(read_engine)

    _each_alone(sides[0])

    assert snapshot(read_engine) == raced


def test_a_workers_catch_up_applies_its_batches_with_the_collector_paused_and_restores_it(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_history(app, seed=24, shape=SHAPE)
    read_side = ReadSide(
        read_engine,
        EventLog(app.recorder, app.mapper),
        projections=ALL_PROJECTIONS,
        batch_size=200,
        pause_collector=True,
    )
    seen: list[bool] = []
    runner = read_side.runner("service_ledger")
    apply = runner.apply

    def watching(*args: Any) -> bool:
        seen.append(gc.isenabled())
        return apply(*args)

    runner.apply = watching  # type: ignore[method-assign]
    assert gc.isenabled()
    read_side.catch_up()
    assert len(seen) > 3
    assert not any(seen)
    assert gc.isenabled()

    # A rebuild of one read model on its own does the same (it builds with a runner of its own).
    seen.clear()
    built = ProjectionRunner.apply

    def building(self: ProjectionRunner, *args: Any) -> bool:
        seen.append(gc.isenabled())
        return built(self, *args)

    monkeypatch.setattr(ProjectionRunner, "apply", building)
    runner.rebuild()
    assert len(seen) > 1
    assert not any(seen)
    assert gc.isenabled()


def test_a_catch_up_leaves_the_collector_running_unless_told_to_pause_it(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_history(app, seed=27, shape=SHAPE)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=200
    )
    seen: list[bool] = []
    applied = ProjectionRunner.apply

    def watching(self: ProjectionRunner, *args: Any) -> bool:
        seen.append(gc.isenabled())
        return applied(self, *args)

    monkeypatch.setattr(ProjectionRunner, "apply", watching)
    read_side.catch_up()
    read_side.runner("service_ledger").rebuild()

    assert len(seen) > 3
    assert all(seen)


def test_projections_with_nothing_to_apply_move_their_positions_in_one_commit(
    app: Grassroots, read_engine: Engine
) -> None:
    read_side, start, end = _caught_up_then_a_new_unit(app, read_engine, seed=24)
    (topic,) = _topics(read_side, start, end)
    followers = [r for r in read_side.runners.values() if r.follows(topic)]
    commits: list[int] = []
    sa.event.listen(read_engine, "commit", lambda _conn: commits.append(1))

    read_side.process_round()

    assert 0 < len(followers) < len(read_side.runners) - 1
    assert len(commits) == len(followers) + 1
    assert set(_positions(read_side).values()) == {end}
    shared = snapshot(read_engine)
    _each_alone(read_side)
    assert snapshot(read_engine) == shared


def test_projections_moved_together_lose_their_race_whole_and_then_move_each_alone(
    app: Grassroots, read_engine: Engine
) -> None:
    read_side, start, end = _caught_up_then_a_new_unit(app, read_engine, seed=25)
    written = _topics(read_side, start, end)
    idle = [r for r in read_side.runners.values() if not any(r.follows(t) for t in written)]
    first, second = idle[0], idle[1]
    # Another worker moved one of them meanwhile.
    with read_engine.begin() as conn:
        conn.execute(tracking.update().where(tracking.c.name == second.name).values(position=end))

    moved = ProjectionRunner.advance_together(read_engine, [first, second], start, end)
    after = _positions(read_side)
    read_side.process_round()

    assert moved is False
    assert (after[first.name], after[second.name]) == (start, end)  # nothing written
    assert set(_positions(read_side).values()) == {end}


def _caught_up_then_a_new_unit(
    app: Grassroots, read_engine: Engine, *, seed: int
) -> tuple[ReadSide, int, int]:
    """A read side caught up on a history, then one event (a new village) that only a
    few read models follow: the read side, and the log's positions before and after it."""
    generate_history(app, seed=seed, shape=SHAPE)
    log = EventLog(app.recorder, app.mapper)
    read_side = ReadSide(read_engine, log, projections=ALL_PROJECTIONS)
    read_side.catch_up()
    start = log.last_position()
    app.create_org_unit(name="新设社区", level=OrgLevel.VILLAGE, parent_id=_a_township(read_side))
    return read_side, start, log.last_position()


def _topics(read_side: ReadSide, start: int, end: int) -> set[str]:
    """The topics of the events in (start, end] that any read model follows."""
    every = sorted({t for r in read_side.runners.values() for t in r.topics})
    logged = read_side.log.read_topics(after=start, limit=100, stop=end, topics=every)
    return {topic for topic, _context, _event in logged}


def _a_township(read_side: ReadSide) -> Any:
    from grassroots.projections.org_tree import org_units

    with read_side.engine.connect() as conn:
        return (
            conn.execute(
                sa.select(org_units.c.org_unit_id).where(
                    org_units.c.level == OrgLevel.TOWNSHIP.value
                )
            )
            .scalars()
            .first()
        )
