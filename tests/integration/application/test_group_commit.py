"""Group commit: concurrent commands share one transaction, and lose only their own races."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording

from grassroots.application.errors import ConcurrentChange
from grassroots.application.group_committing import GroupCommitter
from grassroots.application.service import Grassroots
from grassroots.bootstrap import build_application
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.settings import Settings
from tests.conftest import DURABLE, Backend, FakeClock
from tests.integration.builders import CENTER_PLACE, World, build_world, post_activity
from tests.integration.conftest import SECRET

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Asia/Shanghai
TRIALS = 100
SCANS = 50
# Long enough that a group closes only when full: which commands share a
# transaction is then decided by the test, not by timing.
FOREVER = 60.0

pytestmark = DURABLE


def open_grouped(backend: Backend, data_dir: Path, clock: FakeClock, window_ms: str) -> Grassroots:
    settings = Settings.from_env(
        {
            "GRASSROOTS_DATABASE_URL": backend.database_url,
            "GRASSROOTS_SECRET_KEY": SECRET,
            "GRASSROOTS_DATA_DIR": str(data_dir),
            "GRASSROOTS_GROUP_COMMIT_WINDOW_MS": window_ms,
        }
    )
    return build_application(settings, clock=clock, schema=backend.schema)


@pytest.fixture
def grouped(backend: Backend, tmp_path: Path, clock: FakeClock) -> Iterator[Grassroots]:
    app = open_grouped(backend, tmp_path, clock, "2")
    yield app
    app.close()


@pytest.fixture
def world(grouped: Grassroots) -> World:
    return build_world(grouped)


class CountedSaves:
    """The application's save, counted, and made to fail once when asked."""

    def __init__(self, app: Grassroots) -> None:
        self.app = app
        self.calls: list[int] = []  # aggregates per call
        self.failures: list[BaseException] = []

    def __call__(self, *aggregates: Aggregate) -> list[Recording[UUID]]:
        self.calls.append(len(aggregates))
        try:
            return self.app.save(*aggregates)
        except BaseException as error:
            self.failures.append(error)
            raise


def group_of(app: Grassroots, size: int) -> CountedSaves:
    """Make ``app`` write commands in groups of exactly ``size``."""
    saves = CountedSaves(app)
    app.committer = GroupCommitter(
        saves, app.events, window_seconds=FOREVER, max_group=size, remember=app.remember_write
    )
    return saves


def at_once(jobs: Sequence[Callable[[], object]]) -> list[object]:
    """Run the jobs in threads of their own; each one's result or the exception it raised."""
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], object]) -> object:
        start.wait()
        try:
            return job()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))


def more_centers(app: Grassroots, world: World, count: int) -> list[UUID]:
    return [
        app.register_center(
            name=f"东风社区青年之家 {n}",
            org_unit_id=world.village,
            address=f"呼和浩特市新城区东风路 {n} 号",
            location=CENTER_PLACE,
            geofence_radius_m=150,
        )
        for n in range(count)
    ]


def renamed(app: Grassroots, center_id: UUID, name: str) -> Callable[[], object]:
    """A command already decided: the center, read now, to be renamed when run."""
    center = app.get(Center, center_id)
    center.change_details(name=name, at=app.now())
    return lambda: app.commit(center)


def test_fifty_identical_scans_at_once_check_in_once_every_time(
    grouped: Grassroots, world: World, clock: FakeClock
) -> None:
    app = grouped
    seen: list[int] = []
    app.on_write(seen.append)
    with ThreadPoolExecutor(SCANS) as pool:
        for trial in range(TRIALS):
            clock.set(START - timedelta(days=1))
            volunteer = app.register_volunteer(
                name="王小明",
                phone=f"138{trial:08d}",
                birth_date=datetime(2001, 5, 4).date(),
                org_unit_id=world.village,
            )
            activity = post_activity(app, world, starts_at=START + timedelta(days=trial))
            app.sign_up(activity, volunteer)
            clock.set(START + timedelta(days=trial, minutes=-10))
            token = app.venue_code(activity).token
            scan = scan_at_once(app, activity, volunteer, token)

            answers = set(pool.map(scan, range(SCANS)))

            attendance = Attendance.id_for(volunteer, activity)
            assert answers == {attendance}
            assert len(list(app.events.get(attendance))) == 1
    # Every write woke the read models, in order, up to the last event.
    assert seen == sorted(seen)
    assert seen[-1] == app.log_head()


def scan_at_once(
    app: Grassroots, activity: UUID, volunteer: UUID, token: str
) -> Callable[[int], UUID]:
    """The same scan by ``SCANS`` threads, released together."""
    barrier = threading.Barrier(SCANS)

    def scan(_: int) -> UUID:
        barrier.wait()
        return app.check_in(activity, volunteer, token=token).id

    return scan


def test_a_conflict_in_a_group_fails_only_the_loser(
    grouped: Grassroots, world: World, backend: Backend, tmp_path: Path, clock: FakeClock
) -> None:
    app = grouped
    stale, fine, also_fine = more_centers(app, world, 3)
    jobs = [
        renamed(app, stale, "慢了一步"),
        renamed(app, fine, "第一家"),
        renamed(app, also_fine, "第二家"),
    ]
    # Another process renames the first center after this one has read it.
    other = open_grouped(backend, tmp_path, clock, "off")
    other.change_center_details(stale, name="先到的名字")
    other.close()
    saves = group_of(app, 3)

    outcomes = at_once(jobs)

    assert isinstance(outcomes[0], ConcurrentChange)
    assert outcomes[1:] == [None, None]
    assert app.get(Center, stale).name == "先到的名字"
    assert (app.get(Center, fine).name, app.get(Center, also_fine).name) == ("第一家", "第二家")
    # One transaction refused for the loser, then one for the other two together.
    assert saves.calls == [3, 2]


def test_two_changes_to_one_record_in_a_group_keep_the_first_and_the_rest(
    grouped: Grassroots, world: World
) -> None:
    app = grouped
    contested, other = more_centers(app, world, 2)
    jobs = [
        renamed(app, contested, "甲"),
        renamed(app, contested, "乙"),
        renamed(app, other, "丙"),
    ]
    saves = group_of(app, 3)

    outcomes = at_once(jobs)

    assert sorted(isinstance(o, ConcurrentChange) for o in outcomes[:2]) == [False, True]
    assert None in outcomes[:2]
    assert outcomes[2] is None
    assert app.get(Center, contested).name in {"甲", "乙"}
    assert app.get(Center, contested).version == 2
    assert app.get(Center, other).name == "丙"
    # The clash is seen before writing: one transaction, with the two that do not clash.
    assert saves.calls == [2]


def test_a_crash_while_writing_fails_every_command_of_the_group_and_writes_nothing(
    grouped: Grassroots, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = grouped
    centers = more_centers(app, world, 3)
    jobs = [renamed(app, center, f"改名 {n}") for n, center in enumerate(centers)]
    head = app.log_head()
    group_of(app, 3)
    crash_after_inserting(app, monkeypatch)

    outcomes = at_once(jobs)

    assert [str(o) for o in outcomes] == ["the disk is full"] * 3
    assert app.log_head() == head
    assert [app.get(Center, c).version for c in centers] == [1, 1, 1]


def crash_after_inserting(app: Grassroots, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorder fails once, inside its transaction."""
    recorder: Any = app.recorder
    crashed: list[bool] = []

    def fail() -> None:
        if not crashed:
            crashed.append(True)
            raise RuntimeError("the disk is full")

    # Inside the recorder's transaction: on SQLite after the rows went in; on
    # PostgreSQL before them (a failure after them is the library's to roll back).
    insert = recorder._insert_events

    def insert_then_fail(*args: Any, **kwargs: Any) -> Any:
        inserted = insert(*args, **kwargs)
        fail()
        return inserted

    monkeypatch.setattr(recorder, "_insert_events", insert_then_fail)


def test_grouped_writes_number_the_log_without_gaps_and_each_command_knows_its_place(
    grouped: Grassroots, world: World
) -> None:
    app = grouped
    centers = more_centers(app, world, 24)
    head = app.log_head()
    jobs = [renamed(app, center, f"新名 {n}") for n, center in enumerate(centers)]
    saves = group_of(app, 8)
    places: list[int] = []
    lock = threading.Lock()

    def job_then_place(job: Callable[[], object]) -> Callable[[], object]:
        def run() -> None:
            job()
            with lock:
                places.append(app.last_write_position())

        return run

    outcomes = at_once([job_then_place(job) for job in jobs])

    assert outcomes == [None] * 24
    assert saves.calls == [8, 8, 8]
    written = app.recorder.select_notifications(head + 1, 100)
    assert [n.id for n in written] == list(range(head + 1, head + 25))
    # Each command's thread remembers the position of its own event, not its group's last.
    assert sorted(places) == [n.id for n in written]
    assert {n.originator_id for n in written} == set(centers)


def test_a_command_run_by_a_listener_during_a_group_write_is_written_not_queued(
    grouped: Grassroots, world: World
) -> None:
    app = grouped
    first, second = more_centers(app, world, 2)
    follow_up = renamed(app, second, "随后改名")
    pending = [follow_up]

    def run_follow_up(_: int) -> None:
        while pending:
            pending.pop()()

    app.on_write(run_follow_up)
    job = threading.Thread(target=renamed(app, first, "先改名"), daemon=True)

    job.start()
    job.join(timeout=30)  # a guard against hanging the suite, not a speed check

    assert not job.is_alive()
    assert (app.get(Center, first).name, app.get(Center, second).name) == ("先改名", "随后改名")
