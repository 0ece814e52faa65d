"""Scans, retries, staff corrections, crashing projections and rebuilds, in any order.

A hypothesis state machine drives the application (a fake clock, an SQLite file of
its own per example) and the read side's runners by hand. Whatever the order, each
volunteer's ledger total, once caught up, equals the minutes computed from the
attendance events by the domain's crediting rule; a repeated scan writes nothing and
answers as the first did; a batch that fails mid-way leaves its projection where it
was; and a rebuild of every read model gives the rows incremental catch-up gave.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS, build_application
from grassroots.domain.attendance import Attendance
from grassroots.domain.crediting import credited_minutes
from grassroots.domain.errors import DomainError
from grassroots.domain.qr_token import QrSubject, SubjectKind, current_token
from grassroots.migrating import sqlalchemy_url, upgrade
from grassroots.projections.database import create_read_engine
from grassroots.projections.engine import UNKNOWN_START, BatchStart, EventContext
from grassroots.projections.ledger import read_ledger
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog, ProjectionRunner
from tests.conftest import Backend, FakeClock
from tests.integration.builders import build_world
from tests.integration.conftest import settings_for
from tests.integration.projections.conftest import snapshot

VOLUNTEERS = 2
ACTIVITIES = 2
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VOLUNTEER = st.integers(0, VOLUNTEERS - 1)
ACTIVITY = st.integers(0, ACTIVITIES - 1)
STALE = st.sampled_from([False, False, False, True])  # mostly the code on the screen now


# How many ledger lines each example ended with, for the run's figures.
LINES_PER_EXAMPLE: list[int] = []


class Injected(Exception):
    """The failure put into a batch."""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated database, copied for each example (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "events.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


class ScansAndProjections(RuleBasedStateMachine):
    template: Path

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="faults-"))
        shutil.copy(self.template, self.dir / "events.sqlite3")
        url = f"sqlite:///{self.dir / 'events.sqlite3'}"
        self.clock = FakeClock(START)
        self.app: Grassroots = build_application(
            settings_for(Backend("sqlite", url), self.dir), clock=self.clock
        )
        self.engine = create_read_engine(sqlalchemy_url(url), writer=True)
        self.read_side = ReadSide(
            self.engine,
            EventLog(self.app.recorder, self.app.mapper),
            projections=ALL_PROJECTIONS,
            batch_size=4,
        )
        self.last_scan: tuple[str, int, int, str, Attendance] | None = None

    @initialize()
    def lay_out(self) -> None:
        world = build_world(self.app)
        self.staff = uuid4()
        self.volunteers = [
            self.app.register_volunteer(
                name=f"志愿者{n}",
                phone=f"1380000{n:04d}",
                birth_date=date(2000, 1, 1),
                org_unit_id=world.village,
            )
            for n in range(VOLUNTEERS)
        ]
        self.activities = [
            self.app.post_activity(
                world.center,
                title=f"活动{n}",
                description="状态机",
                category="community",
                starts_at=START + timedelta(minutes=20 + 50 * n),
                ends_at=START + timedelta(hours=6, minutes=50 * n),
                sign_up_required=False,
            )
            for n in range(ACTIVITIES)
        ]
        for runner in self.read_side.runners.values():
            runner.ensure_tracking()

    def teardown(self) -> None:
        try:
            if hasattr(self, "activities"):
                self.rebuild_gives_the_rows_of_catch_up()
        finally:
            self.engine.dispose()
            self.app.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    # --- time and scans ------------------------------------------------------

    @rule(minutes=st.integers(1, 30))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    def _token(self, activity: UUID, stale: bool) -> str:
        rotation = self.app.config.qr_rotation_seconds
        at = self.clock() - timedelta(seconds=3 * rotation if stale else 0)
        subject = QrSubject(SubjectKind.ACTIVITY, activity)
        return current_token(
            secret=self.app.config.secret_key, subject=subject, at=at, rotation_seconds=rotation
        )[0]

    def _scan(self, kind: str, v: int, a: int, token: str) -> Attendance | None:
        before = self.app.recorder.max_notification_id()
        act = self.app.check_in if kind == "check-in" else self.app.check_out
        try:
            return act(self.activities[a], self.volunteers[v], token=token)
        except DomainError:
            # Refused: nothing written.
            assert self.app.recorder.max_notification_id() == before
            return None

    @rule(v=VOLUNTEER, a=ACTIVITY, stale=STALE)
    def check_in(self, v: int, a: int, stale: bool) -> None:
        self._scan_now("check-in", v, a, stale)

    @rule(v=VOLUNTEER, a=ACTIVITY, stale=STALE)
    def check_out(self, v: int, a: int, stale: bool) -> None:
        self._scan_now("check-out", v, a, stale)

    @rule(v=VOLUNTEER, a=ACTIVITY, minutes=st.integers(1, 90))
    def a_whole_visit(self, v: int, a: int, minutes: int) -> None:
        self._scan_now("check-in", v, a, stale=False)
        self.clock.advance(minutes=minutes)
        self._scan_now("check-out", v, a, stale=False)

    def _scan_now(self, kind: str, v: int, a: int, stale: bool) -> None:
        token = self._token(self.activities[a], stale)
        attendance = self._scan(kind, v, a, token)
        if stale:
            assert attendance is None
        elif attendance is not None:
            self.last_scan = (kind, v, a, token, attendance)

    @precondition(lambda self: self.last_scan is not None)
    @rule()
    def the_same_scan_again(self) -> None:
        assert self.last_scan is not None
        kind, v, a, token, first = self.last_scan
        before = self.app.recorder.max_notification_id()
        again = self._scan(kind, v, a, token)
        # A phone that got no answer sends its scan again: nothing new is written,
        # and if it is still accepted it answers what the first one did.
        assert self.app.recorder.max_notification_id() == before
        if again is not None:
            assert again.id == first.id
            if kind == "check-out":
                assert again.checked_out_at == first.checked_out_at
                assert again.scan_minutes == first.scan_minutes

    @rule(
        v=VOLUNTEER,
        a=ACTIVITY,
        minutes=st.integers(-30, 30).filter(bool),
    )
    def staff_corrects(self, v: int, a: int, minutes: int) -> None:
        before = self.app.recorder.max_notification_id()
        try:
            self.app.adjust_attendance(
                self.activities[a],
                self.volunteers[v],
                minutes=minutes,
                reason="补录更正",
                staff_id=self.staff,
            )
        except DomainError:
            assert self.app.recorder.max_notification_id() == before

    # --- the read side -------------------------------------------------------

    def _runner(self, n: int) -> ProjectionRunner:
        runners = list(self.read_side.runners.values())
        return runners[n % len(runners)]

    @rule(n=st.integers(0, 50), batches=st.integers(1, 3), size=st.sampled_from([1, 3, 50]))
    def a_runner_stops_mid_catch_up(self, n: int, batches: int, size: int) -> None:
        runner = self._runner(n)
        runner.batch_size = size
        for _ in range(batches):
            runner.process_batch()

    @rule(n=st.integers(0, 50), keep=st.integers(0, 3))
    def a_batch_fails_half_applied(self, n: int, keep: int) -> None:
        runner = self._runner(n)
        projection = runner.projection
        applies = projection.apply_batch

        def failing(
            conn: sa.Connection,
            batch: Sequence[tuple[EventContext, Any]],
            start: BatchStart = UNKNOWN_START,
        ) -> None:
            applies(conn, batch[:keep], start)
            raise Injected

        before = runner.position()
        projection.apply_batch = failing  # type: ignore[method-assign]
        try:
            if runner.position() < runner.log.last_position():
                with pytest.raises(Injected):
                    runner.process_batch()
        finally:
            del projection.apply_batch
        assert runner.position() == before

    @rule(n=st.integers(0, 50))
    def one_read_model_is_rebuilt(self, n: int) -> None:
        self._runner(n).rebuild()

    # --- what must hold ------------------------------------------------------

    @invariant()
    def ledgers_hold_the_minutes_the_events_give(self) -> None:
        if not hasattr(self, "activities"):
            return
        self.read_side.catch_up()
        with self.engine.connect() as conn:
            for volunteer in self.volunteers:
                expected = sum(self._minutes_from_events(volunteer, a) for a in self.activities)
                lines = read_ledger(conn, volunteer)
                assert sum(line.minutes for line in lines) == expected
                assert (lines[-1].balance_after if lines else 0) == expected

    def _minutes_from_events(self, volunteer: UUID, activity: UUID) -> int:
        stored = self.app.recorder.select_events(Attendance.id_for(volunteer, activity))
        minutes = 0
        checked_in: Attendance.CheckedIn | None = None
        for event in (self.app.mapper.to_domain_event(e) for e in stored):
            if isinstance(event, Attendance.CheckedIn):
                checked_in = event
            elif isinstance(event, Attendance.CheckedOut | Attendance.AutoClosed):
                assert checked_in is not None
                scan_credit = credited_minutes(
                    checked_in_at=checked_in.at,
                    checked_out_at=(
                        event.at if isinstance(event, Attendance.CheckedOut) else event.closed_at
                    ),
                    scheduled_start=checked_in.scheduled_start,
                    scheduled_end=checked_in.scheduled_end,
                    grace_minutes=event.grace_minutes,
                )
                assert event.credited_minutes == scan_credit
                minutes += scan_credit
            elif isinstance(event, Attendance.Adjusted | Attendance.AddedByStaff):
                minutes += event.minutes
        return minutes

    def rebuild_gives_the_rows_of_catch_up(self) -> None:
        self.read_side.catch_up()
        incremental = snapshot(self.engine)
        LINES_PER_EXAMPLE.append(len(incremental["ledger_lines"]))
        for runner in self.read_side.runners.values():
            runner.rebuild()
        assert snapshot(self.engine) == incremental


def test_scans_retries_corrections_crashes_and_rebuilds_keep_the_ledgers_exact(
    migrated: Path, report: Callable[[str], None]
) -> None:
    ScansAndProjections.template = migrated
    run = ScansAndProjections.TestCase
    run.settings = settings(
        max_examples=30,
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    LINES_PER_EXAMPLE.clear()
    run().runTest()
    lines = sorted(LINES_PER_EXAMPLE)
    report(
        f"{len(lines)} examples; ledger lines at the end of each: median "
        f"{lines[len(lines) // 2]}, most {lines[-1]}, examples with none {lines.count(0)}"
    )
