"""The survey results read model, fed from the real application's log, on SQLite and
PostgreSQL: counts and shares, mean and median, pages of text answers, the breakdown
by unit with its "fewer than 5" cells, a replaced answer counted once, a rebuild equal
to the incremental run."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.survey import Audience, Question, QuestionKind
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from grassroots.projections.survey_results import (
    SurveyResultsProjection,
    answer_rows,
    breakdown_by_unit,
    questions_of,
    survey_results,
    survey_row,
    surveys_under,
    text_answers,
)
from tests.integration.builders import World, build_world
from tests.integration.projections.conftest import snapshot

QUESTIONS = [
    Question(
        "", "最常参加哪类活动？", QuestionKind.SINGLE_CHOICE, options=("环保", "助老", "文艺")
    ),
    Question("", "希望增加", QuestionKind.MULTIPLE_CHOICE, False, ("读书", "运动")),
    Question("", "满意度", QuestionKind.RATING),
    Question("", "每月几次", QuestionKind.NUMBER, False, (), 0, 30),
    Question("", "建议", QuestionKind.TEXT, required=False),
]


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def _read_side(app: Grassroots, read_engine: Engine, batch_size: int) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    return ReadSide(
        read_engine, log, projections=[OrgTree, SurveyResultsProjection], batch_size=batch_size
    )


def _survey(app: Grassroots, world: World) -> UUID:
    now = app.now()
    survey_id = app.design_survey(
        title="青年需求调研",
        intro="",
        org_unit_id=world.township,
        audience=Audience.ANYONE_WITH_LINK,
        opens_at=now,
        closes_at=now + timedelta(days=10),
        questions=QUESTIONS,
        designed_by=uuid4(),
    )
    app.publish_survey(survey_id, published_by=uuid4())
    return survey_id


def test_results_count_each_option_and_take_the_mean_and_median_of_ratings_and_numbers(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=3)
    survey_id = _survey(app, world)
    given = [
        {"q1": 0, "q2": [0, 1], "q3": 5, "q4": 4, "q5": "多办读书会"},
        {"q1": 0, "q2": [1], "q3": 3, "q4": 2},
        {"q1": 2, "q3": 4, "q5": "周末开放"},
        {"q1": 1, "q3": 1, "q4": 10},
    ]
    for n, answers in enumerate(given):
        app.answer_survey_anonymously(survey_id, device_id=f"phone-{n}", answers=answers)
    read_side.catch_up()

    with read_engine.connect() as conn:
        results = survey_results(conn, survey_id, 1)
        first_page = text_answers(conn, survey_id, 1, "q5", limit=1, offset=0)
        second_page = text_answers(conn, survey_id, 1, "q5", limit=1, offset=1)
        row = survey_row(conn, survey_id)
        listed = surveys_under(conn, world.county, limit=10)
        draft = questions_of(conn, survey_id, 0)

    assert results.answers == 4
    q1, q2, q3, q4, q5 = results.questions
    assert [(o.option, o.count, o.share) for o in q1.options] == [
        ("环保", 2, 0.5),
        ("助老", 1, 0.25),
        ("文艺", 1, 0.25),
    ]
    assert [o.count for o in q2.options] == [1, 2]
    assert q2.answered == 2
    assert (q3.mean, q3.median) == (3.25, 3.5)
    assert (q4.answered, q4.mean, q4.median) == (3, 16 / 3, 4.0)
    assert q5.texts == 2
    assert first_page + second_page in (["周末开放", "多办读书会"], ["多办读书会", "周末开放"])
    assert len(first_page) == 1
    assert row is not None
    assert row.current_version == 1
    assert [s.survey_id for s in listed] == [survey_id]
    assert [q.key for q in draft] == ["q1", "q2", "q3", "q4", "q5"]


def test_a_replaced_answer_counts_once_with_its_latest_values(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=2)
    volunteer = app.register_volunteer(
        name="王小明",
        phone="13800138000",
        birth_date=app.now().date().replace(year=2001),
        org_unit_id=world.village,
    )
    survey_id = _survey(app, world)
    app.answer_survey_as_volunteer(survey_id, volunteer, answers={"q1": 0, "q3": 2})
    read_side.catch_up()
    app.answer_survey_as_volunteer(survey_id, volunteer, answers={"q1": 1, "q3": 5})
    read_side.catch_up()

    with read_engine.connect() as conn:
        results = survey_results(conn, survey_id, 1)
        rows = answer_rows(conn, survey_id, 1, limit=10)

    assert results.answers == 1
    assert [o.count for o in results.questions[0].options] == [0, 1, 0]
    assert results.questions[2].mean == 5.0
    assert [(r.unit_name, r.values) for r in rows] == [("东风社区", {"q1": [1], "q3": [5]})]


def test_the_breakdown_by_unit_shows_fewer_than_five_instead_of_small_cells(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=4)
    other = app.create_org_unit(name="西风社区", level=OrgLevel.VILLAGE, parent_id=world.township)
    survey_id = _survey(app, world)
    for n in range(6):
        app.answer_survey_anonymously(
            survey_id, device_id=f"a{n}", answers={"q1": n % 2, "q3": 4}, org_unit_id=world.village
        )
    for n in range(2):
        app.answer_survey_anonymously(
            survey_id, device_id=f"b{n}", answers={"q1": 2, "q3": 1}, org_unit_id=other
        )
    app.answer_survey_anonymously(survey_id, device_id="c", answers={"q1": 2, "q3": 1})
    read_side.catch_up()

    with read_engine.connect() as conn:
        cells = breakdown_by_unit(conn, survey_id, 1)

    by_name = {c.name: c for c in cells}
    assert by_name["东风社区"].answers == 6
    assert by_name["东风社区"].means == {"q3": 4.0}
    assert by_name["东风社区"].option_counts["q1"] == [3, 3, 0]
    assert by_name["西风社区"].fewer_than_five
    assert (by_name["西风社区"].means, by_name["西风社区"].option_counts) == ({}, {})
    assert by_name[None].fewer_than_five
    assert [c.name for c in cells][-1] is None


def test_rebuilding_from_the_log_gives_the_rows_of_the_incremental_run(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=1)
    volunteer = app.register_volunteer(
        name="王小明",
        phone="13800138000",
        birth_date=app.now().date().replace(year=2001),
        org_unit_id=world.village,
    )
    survey_id = _survey(app, world)
    app.answer_survey_as_volunteer(survey_id, volunteer, answers={"q1": 0, "q2": [1], "q3": 2})
    app.answer_survey_anonymously(survey_id, device_id="x", answers={"q1": 1, "q3": 3, "q5": "好"})
    app.answer_survey_as_volunteer(survey_id, volunteer, answers={"q1": 2, "q3": 4, "q4": 1.5})
    app.close_survey(survey_id, closed_by=uuid4())
    read_side.catch_up()
    incremental = snapshot(read_engine)

    for runner in read_side.runners.values():
        runner.rebuild()

    assert len(incremental["survey_answers"]) == 2
    assert len(incremental["survey_answer_values"]) == 6
    assert snapshot(read_engine) == incremental
