"""One visit under way per cadre: a second scan at the point resumes it, a start at
another point waits for its end, and simultaneous starts leave exactly one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.application.errors import ConcurrentChange
from grassroots.application.service import Grassroots
from grassroots.domain.cadre_presence import CadrePresence, VisitUnderWay
from grassroots.domain.errors import TokenExpired
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.qr_token import QrSubject, SubjectKind
from grassroots.domain.visit import QrProof, Visit
from tests.conftest import DURABLE, FakeClock
from tests.integration.application.test_visits_and_problems import point_token
from tests.integration.builders import World, build_world, register_cadre
from tests.integration.races import race_at_commit

START = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def event_count(app: Grassroots) -> int:
    return app.recorder.max_notification_id() or 0


def second_point(app: Grassroots, world: World) -> UUID:
    return app.designate_point(
        name="前进村联系点", org_unit_id=world.village, center_id=world.center
    )


def start(app: Grassroots, cadre: UUID, point: UUID) -> UUID:
    return app.start_visit(cadre, point, token=point_token(app, point))


def test_scanning_the_point_again_while_its_visit_is_under_way_resumes_it(
    app: Grassroots, clock: FakeClock
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    clock.set(START)
    first = start(app, cadre, world.point)
    clock.advance(minutes=20)
    before = event_count(app)

    again = start(app, cadre, world.point)

    assert again == first
    assert event_count(app) == before, "nothing is written for a resumed visit"
    assert app.get(Visit, first).started_at == START


def test_a_start_elsewhere_while_a_visit_is_under_way_is_refused_naming_it(
    app: Grassroots, clock: FakeClock
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    other = second_point(app, world)
    clock.set(START)
    first = start(app, cadre, world.point)
    before = event_count(app)

    with pytest.raises(VisitUnderWay) as refused:
        start(app, cadre, other)

    assert (refused.value.visit_id, refused.value.point_id) == (first, world.point)
    assert event_count(app) == before

    clock.advance(minutes=70)
    app.end_visit(first)
    later = start(app, cadre, other)

    assert later != first
    presence = app.get(CadrePresence, CadrePresence.id_for(cadre))
    assert presence.visit_to_resume(other) == later
    kinds = [type(e).__name__ for e in app.events.get(presence.id)]
    assert kinds == ["Started", "Arrived", "Left", "Arrived"]


def test_after_a_visit_ends_the_same_point_starts_a_new_one(
    app: Grassroots, clock: FakeClock
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    clock.set(START)
    first = start(app, cadre, world.point)
    clock.advance(minutes=70)
    app.end_visit(first)
    clock.advance(days=1)

    assert start(app, cadre, world.point) != first


def test_ending_a_visit_started_before_presence_was_kept_still_works(
    app: Grassroots, clock: FakeClock
) -> None:
    # As the demo's and older stores' visits: written without a presence record.
    world = build_world(app)
    cadre = register_cadre(app, world)
    clock.set(START)
    old = Visit.start(
        cadre_id=cadre,
        point_id=world.point,
        point_was_assigned=True,
        point_geofence=app.get(GrassrootsPoint, world.point).geofence,
        proof=QrProof(token_step=0),
        at=START,
    )
    app.commit(old)
    clock.advance(minutes=70)

    app.end_visit(old.id)

    assert app.get(Visit, old.id).is_ended
    assert not app.exists(CadrePresence.id_for(cadre))


@DURABLE
def test_a_start_that_loses_the_race_reads_the_winners_visit_and_is_refused(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    first, second = open_app(), open_app()
    world = build_world(first)
    cadre = register_cadre(first, world)
    other = second_point(first, world)
    clock.set(START)
    token = point_token(second, other)
    race = race_at_commit(second, lambda: start(first, cadre, world.point))

    with pytest.raises(VisitUnderWay):
        second.start_visit(cadre, other, token=token)

    assert race.writes == [False]
    presence = second.get(CadrePresence, CadrePresence.id_for(cadre))
    assert presence.visit_to_resume(world.point) is not None


@DURABLE
def test_simultaneous_starts_at_two_points_leave_exactly_one_visit_under_way(
    open_app: Callable[[], Grassroots], clock: FakeClock
) -> None:
    apps = [open_app() for _ in range(4)]
    world = build_world(apps[0])
    cadre = register_cadre(apps[0], world)
    points = (world.point, second_point(apps[0], world))
    clock.set(START)
    tokens = {p: point_token(apps[0], p) for p in points}
    jobs = [(app, point) for app in apps for point in points]
    barrier = threading.Barrier(len(jobs))

    def scan(job: tuple[Grassroots, UUID]) -> tuple[UUID, UUID] | str:
        app, point = job
        barrier.wait()
        try:
            return point, app.start_visit(cadre, point, token=tokens[point])
        except (VisitUnderWay, ConcurrentChange) as e:
            return e.code

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(scan, jobs))

    started = {o for o in outcomes if isinstance(o, tuple)}
    assert len(started) == 1, outcomes  # every winner at the point got the same visit
    ((point, visit),) = started
    refused = [o for o in outcomes if isinstance(o, str)]
    assert set(refused) <= {"visit-under-way", "concurrent-change"}
    visits = [
        e for e in apps[0].recorder.select_notifications(1, 10_000) if e.topic.endswith("Started")
    ]
    assert sum(1 for e in visits if "visit:Visit" in e.topic) == 1
    presence = apps[0].get(CadrePresence, CadrePresence.id_for(cadre))
    assert presence.visit_to_resume(point) == visit
    assert apps[0].get(Visit, visit).point_id == point
    assert not apps[1].get(Visit, visit).is_ended
    with pytest.raises(VisitUnderWay):
        start(apps[2], cadre, next(p for p in points if p != point))


def test_a_scan_held_on_the_phone_starts_the_visit_within_five_minutes_only(
    app: Grassroots, clock: FakeClock
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    clock.set(START)
    token = point_token(app, world.point)
    seen_at = app.code_seen_fresh(QrSubject(SubjectKind.POINT, world.point), token)
    assert seen_at == START
    clock.advance(minutes=6)
    with pytest.raises(TokenExpired):
        app.start_visit(cadre, world.point, token=token, seen_at=seen_at)
    with pytest.raises(TokenExpired):
        app.start_visit(cadre, world.point, token=token)
    clock.set(START + timedelta(minutes=2))

    visit = app.start_visit(cadre, world.point, token=token, seen_at=seen_at)

    assert app.get(Visit, visit).started_at == START + timedelta(minutes=2)
    assert (
        app.code_seen_fresh(QrSubject(SubjectKind.POINT, world.point), token) is None
    )  # stale by now
