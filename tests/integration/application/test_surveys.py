"""Surveys on every event store: designed, published, answered by volunteers and
anonymously, one answer per person and per device and day, refusals write nothing."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from grassroots.application.service import Grassroots
from grassroots.domain.errors import CodedError
from grassroots.domain.survey import (
    Audience,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyAnsweredToday,
    SurveyClosed,
    SurveyForVolunteersOnly,
    SurveyOutsideAudience,
)
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import World, build_world, register_volunteer
from tests.integration.races import race_at_commit

QUESTIONS = [
    Question("", "你最常参加哪类活动？", QuestionKind.SINGLE_CHOICE, options=("环保", "助老")),
    Question("", "满意度", QuestionKind.RATING),
    Question("", "每月几次", QuestionKind.NUMBER, False, (), 0, 30),
]
ANSWER = {"q1": 1, "q2": 4, "q3": 2}


def design(app: Grassroots, world: World, audience: Audience = Audience.ANYONE_WITH_LINK) -> UUID:
    now = app.now()
    survey_id = app.design_survey(
        title="青年需求调研",
        intro="请花两分钟填写",
        org_unit_id=world.township,
        audience=audience,
        opens_at=now,
        closes_at=now + timedelta(days=14),
        questions=QUESTIONS,
        designed_by=uuid4(),
    )
    app.publish_survey(survey_id, published_by=uuid4())
    return survey_id


def log_length(app: Grassroots) -> int:
    return app.log_head()


def test_a_volunteers_second_answer_replaces_the_first_and_both_stay_in_the_log(
    app: Grassroots,
) -> None:
    world = build_world(app)
    volunteer = register_volunteer(app, world)
    survey_id = design(app, world, Audience.SUBTREE_VOLUNTEERS)

    first = app.answer_survey_as_volunteer(survey_id, volunteer, answers=ANSWER)
    second = app.answer_survey_as_volunteer(survey_id, volunteer, answers={**ANSWER, "q1": 0})

    assert first == second
    answer = app.get(SurveyAnswer, first)
    assert (answer.answers["q1"], answer.org_unit_id, answer.survey_version) == (
        0,
        world.village,
        1,
    )
    events = list(app.events.get(first))
    assert [type(e).__qualname__ for e in events] == ["SurveyAnswer.Given", "SurveyAnswer.Replaced"]


def test_an_anonymous_answer_is_taken_once_per_device_and_day(
    app: Grassroots, clock: FakeClock
) -> None:
    world = build_world(app)
    survey_id = design(app, world)

    answer_id = app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)
    before = log_length(app)
    with pytest.raises(SurveyAnsweredToday):
        app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)
    assert log_length(app) == before
    app.answer_survey_anonymously(survey_id, device_id="phone-2", answers=ANSWER)
    clock.advance(days=1)
    tomorrow = app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)

    assert tomorrow != answer_id
    stored = app.get(SurveyAnswer, answer_id)
    assert (stored.anonymous, stored.volunteer_id, stored.org_unit_id) == (True, None, None)


def test_an_anonymous_answer_may_name_a_unit_of_the_surveys_subtree_only(
    app: Grassroots,
) -> None:
    world = build_world(app)
    survey_id = design(app, world)

    answer_id = app.answer_survey_anonymously(
        survey_id, device_id="phone-1", answers=ANSWER, org_unit_id=world.village
    )
    with pytest.raises(SurveyOutsideAudience):
        app.answer_survey_anonymously(
            survey_id, device_id="phone-2", answers=ANSWER, org_unit_id=world.county
        )
    assert app.get(SurveyAnswer, answer_id).org_unit_id == world.village


def test_a_survey_for_the_subtrees_volunteers_refuses_strangers_and_anonymous_answers(
    app: Grassroots,
) -> None:
    world = build_world(app)
    outsider = app.register_volunteer(
        name="赵六",
        phone="13900139000",
        birth_date=datetime(2000, 1, 1, tzinfo=UTC).date(),
        org_unit_id=world.county,
    )
    survey_id = design(app, world, Audience.SUBTREE_VOLUNTEERS)
    before = log_length(app)

    with pytest.raises(SurveyForVolunteersOnly):
        app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)
    with pytest.raises(SurveyOutsideAudience):
        app.answer_survey_as_volunteer(survey_id, outsider, answers=ANSWER)
    assert log_length(app) == before


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"q1": 1, "q3": 2}, "survey-answer-missing"),
        ({"q1": 5, "q2": 4}, "survey-choice-not-offered"),
        ({"q1": 1, "q2": 4, "q3": 31}, "survey-number-out-of-range"),
    ],
)
def test_bad_answers_are_refused_with_their_own_code_and_write_nothing(
    app: Grassroots, answers: dict[str, object], code: str
) -> None:
    world = build_world(app)
    survey_id = design(app, world)
    before = log_length(app)

    with pytest.raises(CodedError) as refused:
        app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=answers)

    assert refused.value.code == code
    assert log_length(app) == before


def test_no_answer_is_taken_after_the_survey_closed(app: Grassroots, clock: FakeClock) -> None:
    world = build_world(app)
    volunteer = register_volunteer(app, world)
    survey_id = design(app, world)
    clock.advance(days=14)

    with pytest.raises(SurveyClosed):
        app.answer_survey_as_volunteer(survey_id, volunteer, answers=ANSWER)
    with pytest.raises(SurveyClosed):
        app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)


def test_answers_keep_the_version_they_answered(app: Grassroots) -> None:
    world = build_world(app)
    survey_id = design(app, world)
    first = app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)
    survey = app.get(Survey, survey_id)
    app.revise_survey(
        survey_id,
        title=survey.title,
        intro=survey.intro,
        audience=survey.audience,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        questions=QUESTIONS[:1],
        revised_by=uuid4(),
    )
    # Until it is published again, answers still answer version 1.
    app.answer_survey_anonymously(survey_id, device_id="phone-2", answers=ANSWER)
    assert app.publish_survey(survey_id, published_by=uuid4()) == 2
    second = app.answer_survey_anonymously(survey_id, device_id="phone-3", answers={"q1": 0})

    assert app.get(SurveyAnswer, first).survey_version == 1
    assert app.get(SurveyAnswer, second).survey_version == 2
    assert len(app.get(Survey, survey_id).questions_of(1)) == 3


@DURABLE
def test_a_second_answer_from_the_same_device_that_lands_first_wins_the_race(
    open_app: Callable[[], Grassroots],
) -> None:
    loser, winner = open_app(), open_app()
    world = build_world(winner)
    survey_id = design(winner, world)
    race = race_at_commit(
        loser,
        lambda: winner.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER),
    )

    with pytest.raises(SurveyAnsweredToday):
        loser.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)

    assert race.writes == [False]


@DURABLE
def test_a_volunteers_answer_that_loses_a_race_with_their_other_answer_replaces_it(
    open_app: Callable[[], Grassroots],
) -> None:
    loser, winner = open_app(), open_app()
    world = build_world(winner)
    volunteer = register_volunteer(winner, world)
    survey_id = design(winner, world)
    race = race_at_commit(
        loser,
        lambda: winner.answer_survey_as_volunteer(survey_id, volunteer, answers=ANSWER),
    )

    answer_id = loser.answer_survey_as_volunteer(survey_id, volunteer, answers={**ANSWER, "q1": 0})

    assert race.writes == [False, True]
    events = list(loser.events.get(answer_id))
    assert [type(e).__qualname__ for e in events] == ["SurveyAnswer.Given", "SurveyAnswer.Replaced"]
    assert loser.get(SurveyAnswer, answer_id).answers["q1"] == 0


@DURABLE
def test_answers_from_one_device_at_the_same_instant_are_taken_once(
    open_app: Callable[[], Grassroots],
) -> None:
    first, second = open_app(), open_app()
    world = build_world(first)
    survey_id = design(first, world)

    def answer(app: Grassroots) -> str:
        try:
            app.answer_survey_anonymously(survey_id, device_id="phone-1", answers=ANSWER)
        except SurveyAnsweredToday:
            return "refused"
        return "taken"

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(answer, [first, second] * 4))

    assert sorted(outcomes) == ["refused"] * 7 + ["taken"]
