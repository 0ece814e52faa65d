"""Many identical scans at once: every one answers the same attendance, none a conflict.

A phone on a bad connection sends its scan again and again; the API promises
that a repeated scan answers the same credit. Scans racing for one attendance
lose version races to each other, and the application retries them itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from grassroots.application.service import Grassroots
from grassroots.domain.attendance import Attendance
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import build_world, post_activity, register_volunteer

START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)
SCANS = 50
PROCESSES = 4


@DURABLE
def test_fifty_identical_check_outs_at_once_all_answer_the_same_credit(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    apps = [open_app() for _ in range(PROCESSES)]
    world = build_world(apps[0])
    volunteer = register_volunteer(apps[0], world)
    activity = post_activity(apps[0], world, starts_at=START)
    apps[0].sign_up(activity, volunteer)
    clock.set(START)
    apps[0].check_in(activity, volunteer, token=apps[0].venue_code(activity).token)
    clock.set(START + timedelta(hours=1, minutes=10))
    token = apps[0].venue_code(activity).token
    barrier = threading.Barrier(SCANS)

    def scan(app: Grassroots) -> tuple[int, datetime | None]:
        barrier.wait()
        attendance = app.check_out(activity, volunteer, token=token)
        return attendance.total_minutes, attendance.checked_out_at

    with ThreadPoolExecutor(max_workers=SCANS) as pool:
        answers = list(pool.map(scan, [apps[i % PROCESSES] for i in range(SCANS)]))

    assert set(answers) == {(70, START + timedelta(hours=1, minutes=10))}
    recorded = list(apps[0].events.get(Attendance.id_for(volunteer, activity)))
    assert [type(e).__name__ for e in recorded] == ["CheckedIn", "CheckedOut"]


@DURABLE
def test_fifty_identical_check_ins_at_once_all_answer_the_same_attendance(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    apps = [open_app() for _ in range(PROCESSES)]
    world = build_world(apps[0])
    volunteer = register_volunteer(apps[0], world)
    activity = post_activity(apps[0], world, starts_at=START)
    apps[0].sign_up(activity, volunteer)
    clock.set(START)
    token = apps[0].venue_code(activity).token
    barrier = threading.Barrier(SCANS)

    def scan(app: Grassroots) -> tuple[object, datetime | None]:
        barrier.wait()
        attendance = app.check_in(activity, volunteer, token=token)
        return attendance.id, attendance.checked_in_at

    with ThreadPoolExecutor(max_workers=SCANS) as pool:
        answers = list(pool.map(scan, [apps[i % PROCESSES] for i in range(SCANS)]))

    assert set(answers) == {(Attendance.id_for(volunteer, activity), START)}
    assert len(list(apps[0].events.get(Attendance.id_for(volunteer, activity)))) == 1
