"""What a projection remembers between its batches is only ever what its tables hold."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.projections import engine as engine_module
from grassroots.projections.engine import BatchStart, Projection
from grassroots.projections.ledger import ServiceLedger
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog, ProjectionRunner, tracking
from grassroots.simulation import HistoryShape, generate_history
from tests.integration.projections.conftest import snapshot

SHAPE = HistoryShape(weeks=4, volunteers=40, cadres=6)
# The read models that keep rows in memory from one batch to the next.
REMEMBERING = ("service_ledger", "activity_catalogue", "center_activity")


def _reset(read_side: ReadSide) -> None:
    with read_side.engine.begin() as conn:
        for runner in read_side.runners.values():
            conn.execute(tracking.update().where(tracking.c.name == runner.name).values(position=0))
            runner.projection.clear(conn)


def _read_side(app: Grassroots, engine: Engine) -> ReadSide:
    """Every read model, in batches of 23: small enough for many batches in a short history."""
    return ReadSide(
        engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=23
    )


def _never_remembering(monkeypatch: pytest.MonkeyPatch, read_side: ReadSide) -> None:
    # Each batch is told its memory no longer holds: every batch loads all it needs.
    for runner in read_side.runners.values():
        begin = runner.projection.begin_batch

        def forgetting(
            conn: sa.Connection, batch: Any, start: BatchStart, begin: Any = begin
        ) -> Any:
            return begin(conn, batch, start._replace(remembered=False))

        monkeypatch.setattr(runner.projection, "begin_batch", forgetting)


def test_remembering_gives_the_rows_of_loading_everything_each_batch(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    remembering, remembered = _first_catch_up(app, read_engine, seed=51)
    # From the log's start, memory held every row: no batch looked in the tables.
    assert all(_state(remembering, name).complete for name in REMEMBERING)

    loading = _read_side(app, read_engine)
    _never_remembering(monkeypatch, loading)
    loading.catch_up()

    assert not any(_state(loading, name).complete for name in REMEMBERING)
    assert sum(len(rows) for rows in remembered.values()) > 1000
    assert snapshot(read_engine) == remembered


def _first_catch_up(
    app: Grassroots, engine: Engine, *, seed: int
) -> tuple[ReadSide, dict[str, Any]]:
    """A history caught up from the start; its rows, the read models emptied again."""
    generate_history(app, seed=seed, shape=SHAPE)
    read_side = _read_side(app, engine)
    read_side.catch_up()
    rows = snapshot(engine)
    _reset(read_side)
    return read_side, rows


def _state(read_side: ReadSide, name: str) -> Any:
    """What the projection keeps for its next batch."""
    return read_side.runner(name).projection._remembered  # type: ignore[attr-defined]


def test_memory_past_its_cap_starts_afresh_and_looks_in_the_tables_again(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, expected = _first_catch_up(app, read_engine, seed=54)
    monkeypatch.setattr(engine_module, "MAX_REMEMBERED", 60)
    capped = _read_side(app, read_engine)
    capped.catch_up()

    # Each model outgrew the cap partway and went on from a fresh, incomplete memory.
    assert not any(_state(capped, name).complete for name in REMEMBERING)
    assert snapshot(read_engine) == expected


@pytest.mark.parametrize("name", REMEMBERING)
def test_a_batch_that_fails_after_its_handlers_ran_leaves_nothing_remembered(
    app: Grassroots, read_engine: Engine, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    generate_history(app, seed=52, shape=SHAPE)
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=41
    )
    read_side.catch_up()
    expected = snapshot(read_engine)
    _reset(read_side)

    # The fifth batch's handlers change the remembered rows and its rows are
    # written; then its transaction rolls back. Were those rows remembered, the
    # retry would count its hours and places on top of them.
    read_side = ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=41
    )
    projection = read_side.runner(name).projection
    flush = projection.flush_batch
    flushes = 0

    def failing_once(conn: sa.Connection, state: Any) -> None:
        nonlocal flushes
        flushes += 1
        flush(conn, state)
        if flushes == 5:
            raise RuntimeError("the database went away mid-batch")

    monkeypatch.setattr(projection, "flush_batch", failing_once)
    with pytest.raises(RuntimeError, match=f"projection {name} failed"):
        read_side.catch_up()
    read_side.catch_up()

    assert flushes > 5
    assert snapshot(read_engine) == expected


class _Recording(ServiceLedger):
    """The service-hour ledger, noting whether each batch began remembering."""

    def __init__(self) -> None:
        super().__init__()
        self.began: list[bool] = []
        # Whether each batch that went ahead began with a complete memory.
        self.complete: list[bool] = []
        self.fail_next = False

    def begin_batch(self, conn: sa.Connection, batch: Any, start: BatchStart) -> Any:
        self.began.append(start.remembered)
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("failed")
        state = super().begin_batch(conn, batch, start)
        self.complete.append(state.complete)
        return state


def _runner(app: Grassroots, engine: Engine, projection: Projection) -> ProjectionRunner:
    runner = ProjectionRunner(projection, engine, EventLog(app.recorder, app.mapper), batch_size=5)
    runner.ensure_tracking()
    return runner


def test_a_runner_lets_its_projection_remember_only_after_its_own_committed_batch(
    app: Grassroots, read_engine: Engine
) -> None:
    generate_history(app, seed=53, shape=SHAPE)
    recording = _Recording()
    runner = _runner(app, read_engine, recording)
    other = _runner(app, read_engine, ServiceLedger())

    for _ in range(3):
        assert runner.process_batch() > 0
    assert recording.began == [False, True, True]
    # From the log's start memory holds every row, and goes on holding them.
    assert recording.complete == [True, True, True]

    # Another runner moves the projection on: what this one remembers is behind.
    assert other.process_batch() > 0
    runner.process_batch()
    runner.process_batch()
    assert recording.began[3:] == [False, True]
    # Started afresh in the middle of the log, memory lacks what came before.
    assert recording.complete[3:] == [False, False]

    # A batch that fails leaves nothing known until one commits again.
    recording.fail_next = True
    with pytest.raises(RuntimeError):
        runner.process_batch()
    runner.process_batch()
    runner.process_batch()
    assert recording.began[5:] == [True, False, True]

    # Moved back to the start (a rebuild elsewhere): it starts from nothing, and
    # nothing is all the tables hold there.
    with read_engine.begin() as conn:
        conn.execute(tracking.update().where(tracking.c.name == runner.name).values(position=0))
        recording.clear(conn)
    runner.process_batch()
    assert recording.began[-1] is False
    assert recording.complete[-1] is True
