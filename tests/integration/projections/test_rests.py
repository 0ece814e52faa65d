"""While writes stream in, the rounds rest between them; a lone write is applied at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide, Round
from grassroots.projections.runner import EventLog

# Written 30 ms apart: 0.6 s of writes, six slow rounds' worth.
WRITES = 20


class _Watched(ReadSide):
    """A read side whose live rounds are slow, keeping how many batches each applied."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rounds: list[int] = []
        self.resting = threading.Event()
        # Called in the read side's thread as each round ends.
        self.after_round: Callable[[Round], None] = lambda _done: None

    def _live_round(self) -> Round:
        # A round taking a tenth of a second more, outside any transaction (on SQLite
        # a transaction would hold back the writes): writes a few milliseconds apart
        # then arrive while a round runs, as they stream in under load.
        time.sleep(0.1)
        done = super()._live_round()
        self.rounds.append(done.applied)
        self.after_round(done)
        return done

    def rest_after(self, round_seconds: float) -> float:
        self.resting.set()
        return super().rest_after(round_seconds)


def _watched(app: Grassroots, engine: Engine, *, max_rest_seconds: float) -> _Watched:
    # A ratio this large makes every rest the cap: the tests see what a rest does
    # without depending on how long a round took on this machine.
    return _Watched(
        engine,
        EventLog(app.recorder, app.mapper),
        projections=[OrgTree],
        rest_ratio=1e9,
        max_rest_seconds=max_rest_seconds,
    )


def _quiet(read_side: _Watched, timeout: float = 10.0) -> int:
    """Until a round from now on has found nothing to apply (the writes no longer
    stream in); how many rounds there were by then.

    A round is counted when it ends, after its read models have announced their
    positions: one that ``wait_for`` has just seen may not be counted yet.
    """
    mark = len(read_side.rounds)
    deadline = time.monotonic() + timeout
    while not (len(read_side.rounds) > mark and read_side.rounds[-1] == 0):
        assert time.monotonic() < deadline, read_side.rounds
        time.sleep(0.01)
    return len(read_side.rounds)


def _write_a_city(app: Grassroots, read_side: ReadSide, region: UUID, n: int) -> None:
    """One event in the log, and the wake-up the application's own writes give in the server."""
    app.create_org_unit(name=f"第{n}市", level=OrgLevel.CITY, parent_id=region)
    read_side.wake()


def test_a_stream_of_writes_is_gathered_into_a_few_rounds(
    app: Grassroots, read_engine: Engine
) -> None:
    region = app.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
    read_side = _watched(app, read_engine, max_rest_seconds=2.0)
    with read_side.running():
        assert read_side.wait_for(app.log_head(), timeout=10)
        before = _quiet(read_side)

        for n in range(WRITES):
            _write_a_city(app, read_side, region, n)
            time.sleep(0.03)
        assert read_side.wait_for(app.log_head(), timeout=10)
        _quiet(read_side)

        # The first round takes what is there at once, the next what came meanwhile,
        # and then the rest holds the rounds while the writes go on: the other
        # writes land in one round, not in one round each.
        busy = [applied for applied in read_side.rounds[before:] if applied]
        assert 1 <= len(busy) <= 3, read_side.rounds[before:]
        assert read_side.resting.is_set()


def test_a_write_after_a_quiet_spell_is_applied_without_a_rest(
    app: Grassroots, read_engine: Engine
) -> None:
    region = app.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
    # A rest here would be half a minute: the waits below would run out first.
    read_side = _watched(app, read_engine, max_rest_seconds=30.0)
    with read_side.running():
        assert read_side.wait_for(app.log_head(), timeout=10)
        for n in range(3):
            _quiet(read_side)
            _write_a_city(app, read_side, region, n)
            assert read_side.wait_for(app.log_head(), timeout=5)
        assert not read_side.resting.is_set()


def test_two_busy_rounds_with_nothing_written_during_the_second_do_not_rest(
    app: Grassroots, read_engine: Engine
) -> None:
    """A check-in and its check-out a moment later are applied in two rounds; the next
    volunteer's scans, a moment after that, are no stream and find no rest."""
    region = app.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
    # A rest here would be half a minute: the wait below would run out first.
    read_side = _watched(app, read_engine, max_rest_seconds=30.0)
    with read_side.running():
        assert read_side.wait_for(app.log_head(), timeout=10)
        _quiet(read_side)
        busy: list[int] = []

        def write_once_after_the_first(done: Round) -> None:
            # Between the two rounds: the second round applies it, and nothing is
            # written while the second runs.
            if done.applied:
                busy.append(done.applied)
                if len(busy) == 1:
                    _write_a_city(app, read_side, region, 1)

        read_side.after_round = write_once_after_the_first
        _write_a_city(app, read_side, region, 0)
        # The round after the second finds nothing; after a rest it would come too late.
        _quiet(read_side, timeout=5)
        assert busy == [1, 1]

        _write_a_city(app, read_side, region, 2)
        assert read_side.wait_for(app.log_head(), timeout=5)
        assert not read_side.resting.is_set()


def test_stopping_ends_a_rest_at_once(app: Grassroots, read_engine: Engine) -> None:
    region = app.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
    read_side = _watched(app, read_engine, max_rest_seconds=60.0)
    read_side.start()
    thread = read_side._thread
    assert thread is not None
    n = 0
    while not read_side.resting.wait(0.005):
        _write_a_city(app, read_side, region, n)
        n += 1
        assert n < 500, "the rounds never rested under a stream of writes"

    read_side.stop(timeout=10)

    # A rest waits on the stop signal: the thread ends now, not after its minute.
    assert not thread.is_alive()
