"""A cadre's visit, proven by the point's code or by location, with its work and problems."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grassroots.application.service import Grassroots
from grassroots.domain.errors import InvalidValue, NotAllowed, TokenForOtherSubject
from grassroots.domain.problem import Problem, ProblemState
from grassroots.domain.qr_token import QrSubject, SubjectKind, mint_token
from grassroots.domain.values import GeoPoint
from grassroots.domain.visit import Visit
from tests.conftest import FakeClock
from tests.integration.builders import CENTER_PLACE, build_world, register_cadre


def point_token(app: Grassroots, point_id: object) -> str:
    return mint_token(
        secret=app.config.secret_key,
        subject=QrSubject(SubjectKind.POINT, point_id),  # type: ignore[arg-type]
        at=app.now(),
        rotation_seconds=app.config.qr_rotation_seconds,
    )


def test_a_visit_started_by_scanning_the_point_records_the_proof_and_its_work(
    app: Grassroots, clock: FakeClock
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    clock.set(datetime(2026, 3, 3, 1, 0, tzinfo=UTC))

    visit_id = app.start_visit(cadre, world.point, token=point_token(app, world.point))
    clock.advance(minutes=30)
    app.log_visit(visit_id, "走访社区青年之家，了解活动开展情况")
    problem_id = app.raise_problem(
        cadre,
        title="活动场地不足",
        description="周末活动需要更大的场地",
        org_unit_id=world.township,
        visit_id=visit_id,
    )
    app.record_youth_met(visit_id, name="张青")
    clock.advance(minutes=45)
    app.end_visit(visit_id)

    visit = app.get(Visit, visit_id)
    assert (visit.proof, visit.point_was_assigned) == ("qr", True)
    assert visit.problem_ids == [problem_id]
    assert visit.ended_at == datetime(2026, 3, 3, 2, 15, tzinfo=UTC)
    problem = app.get(Problem, problem_id)
    assert (problem.visit_id, problem.org_unit_id) == (visit_id, world.township)


def test_a_visit_can_be_proven_by_location_inside_the_points_fence_only(
    app: Grassroots,
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)

    with pytest.raises(NotAllowed) as far:
        app.start_visit(cadre, world.point, location=GeoPoint(40.86, 111.7492), accuracy_m=10)
    visit_id = app.start_visit(cadre, world.point, location=CENTER_PLACE, accuracy_m=20)

    assert far.value.code == "outside-geofence"
    assert app.get(Visit, visit_id).proof == "geofence"


def test_a_visit_needs_some_proof_and_the_right_points_code(app: Grassroots) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    other_point = app.designate_point(
        name="另一个联系点", org_unit_id=world.village, location=GeoPoint(40.9, 111.8)
    )

    with pytest.raises(InvalidValue):
        app.start_visit(cadre, world.point)
    with pytest.raises(TokenForOtherSubject):
        app.start_visit(cadre, world.point, token=point_token(app, other_point))


def test_a_problem_goes_from_raised_to_answered_to_closed_and_back_when_reopened(
    app: Grassroots,
) -> None:
    world = build_world(app)
    cadre = register_cadre(app, world)
    problem_id = app.raise_problem(
        cadre, title="路灯损坏", description="社区东门路灯不亮", org_unit_id=world.township
    )
    answerer = world.township

    app.answer_problem(problem_id, answer="已联系维修", answered_by=answerer)
    app.close_problem(problem_id, closed_by=answerer)
    app.reopen_problem(problem_id, reason="仍未修好", reopened_by=cadre)

    assert app.get(Problem, problem_id).state is ProblemState.OPEN
