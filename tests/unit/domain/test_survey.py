"""Surveys: designed, revised, published as frozen versions, closed; answers checked
against the version they answer, one per volunteer and one per device and day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.domain.errors import InvalidValue
from grassroots.domain.survey import (
    Audience,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyAnsweredToday,
    SurveyAnswerMalformed,
    SurveyAnswerMissing,
    SurveyChoiceNotOffered,
    SurveyClosed,
    SurveyForVolunteersOnly,
    SurveyNotOpen,
    SurveyNumberOutOfRange,
    SurveyQuestionUnknown,
    SurveyState,
    cell_count,
    median_of,
)

DESIGNED_AT = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)
OPENS = datetime(2026, 6, 2, 0, 0, tzinfo=UTC)
CLOSES = datetime(2026, 6, 30, 0, 0, tzinfo=UTC)
DURING = OPENS + timedelta(days=3)
DESIGNER = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
TOWNSHIP = UUID("f0f0f0f0-f0f0-4f0f-8f0f-f0f0f0f0f0f0")
VOLUNTEER = UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
SECRET = b"s" * 32

QUESTIONS = [
    Question(
        "", "你最常参加哪类活动？", QuestionKind.SINGLE_CHOICE, options=("环保", "助老", "文艺")
    ),
    Question(
        "", "你希望增加哪些活动？", QuestionKind.MULTIPLE_CHOICE, False, ("读书", "运动", "志愿")
    ),
    Question("", "对青年之家的满意度", QuestionKind.RATING),
    Question("", "每月能参加几次？", QuestionKind.NUMBER, True, (), 0, 30),
    Question("", "其他建议", QuestionKind.TEXT, required=False),
]
GOOD = {"q1": 0, "q2": [2, 0], "q3": 4, "q4": 3, "q5": "  多办周末活动  "}


def designed(audience: Audience = Audience.ANYONE_WITH_LINK) -> Survey:
    return Survey.design(
        title="青年需求调研",
        intro="请花两分钟填写",
        org_unit_id=TOWNSHIP,
        audience=audience,
        opens_at=OPENS,
        closes_at=CLOSES,
        time_zone="Asia/Shanghai",
        questions=QUESTIONS,
        designed_by=DESIGNER,
        at=DESIGNED_AT,
    )


def published(audience: Audience = Audience.ANYONE_WITH_LINK) -> Survey:
    survey = designed(audience)
    survey.publish(published_by=DESIGNER, at=DESIGNED_AT)
    return survey


def test_a_designed_survey_is_a_draft_with_its_questions_keyed_by_position() -> None:
    survey = designed()
    assert survey.state is SurveyState.DRAFT
    assert [q.key for q in survey.draft] == ["q1", "q2", "q3", "q4", "q5"]
    assert survey.current_version == 0
    assert isinstance(survey.pending_events[0], Survey.Designed)


def test_publishing_freezes_the_draft_as_version_one() -> None:
    survey = designed()
    assert survey.publish(published_by=DESIGNER, at=DESIGNED_AT) == 1
    assert survey.state is SurveyState.PUBLISHED
    assert survey.questions_of(1) == survey.draft
    assert isinstance(survey.pending_events[-1], Survey.Published)


def test_a_revision_after_publishing_changes_only_the_draft_until_published_again() -> None:
    survey = published()
    survey.revise(
        title="青年需求调研（二）",
        intro="",
        audience=Audience.ANYONE_WITH_LINK,
        opens_at=OPENS,
        closes_at=CLOSES,
        questions=QUESTIONS[:2],
        revised_by=DESIGNER,
        at=DESIGNED_AT,
    )
    assert len(survey.questions_of(1)) == 5
    assert survey.current_version == 1
    assert survey.publish(published_by=DESIGNER, at=DESIGNED_AT) == 2
    assert len(survey.questions_of(2)) == 2
    assert len(survey.questions_of(1)) == 5


def test_publishing_again_without_a_change_records_nothing() -> None:
    survey = published()
    count = len(survey.pending_events)
    assert survey.publish(published_by=DESIGNER, at=DESIGNED_AT) == 1
    assert len(survey.pending_events) == count


def test_a_survey_without_questions_or_with_a_one_option_choice_is_refused() -> None:
    with pytest.raises(InvalidValue) as empty:
        Survey.design(
            title="t",
            intro="",
            org_unit_id=TOWNSHIP,
            audience=Audience.ANYONE_WITH_LINK,
            opens_at=OPENS,
            closes_at=CLOSES,
            time_zone="Asia/Shanghai",
            questions=[],
            designed_by=DESIGNER,
            at=DESIGNED_AT,
        )
    assert empty.value.code == "survey-questions-empty"
    with pytest.raises(InvalidValue) as few:
        Survey.design(
            title="t",
            intro="",
            org_unit_id=TOWNSHIP,
            audience=Audience.ANYONE_WITH_LINK,
            opens_at=OPENS,
            closes_at=CLOSES,
            time_zone="Asia/Shanghai",
            questions=[Question("", "?", QuestionKind.SINGLE_CHOICE, options=("唯一",))],
            designed_by=DESIGNER,
            at=DESIGNED_AT,
        )
    assert few.value.code == "survey-options-count"


def test_a_survey_that_closes_before_it_opens_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        Survey.design(
            title="t",
            intro="",
            org_unit_id=TOWNSHIP,
            audience=Audience.ANYONE_WITH_LINK,
            opens_at=CLOSES,
            closes_at=OPENS,
            time_zone="Asia/Shanghai",
            questions=QUESTIONS,
            designed_by=DESIGNER,
            at=DESIGNED_AT,
        )
    assert refused.value.code == "survey-window-invalid"


def test_a_good_answer_is_normalised_against_the_current_version() -> None:
    version, answers = published().accept(GOOD, anonymous=True, at=DURING)
    assert version == 1
    assert answers == {"q1": 0, "q2": [0, 2], "q3": 4, "q4": 3, "q5": "多办周末活动"}


def test_unanswered_optional_questions_are_left_out() -> None:
    _, answers = published().accept(
        {"q1": 1, "q3": 5, "q4": 0, "q5": " "}, anonymous=True, at=DURING
    )
    assert answers == {"q1": 1, "q3": 5, "q4": 0}


@pytest.mark.parametrize(
    ("change", "error", "code"),
    [
        ({"q3": None}, SurveyAnswerMissing, "survey-answer-missing"),
        ({"q1": 3}, SurveyChoiceNotOffered, "survey-choice-not-offered"),
        ({"q2": [0, 7]}, SurveyChoiceNotOffered, "survey-choice-not-offered"),
        ({"q4": 31}, SurveyNumberOutOfRange, "survey-number-out-of-range"),
        ({"q4": -0.5}, SurveyNumberOutOfRange, "survey-number-out-of-range"),
        ({"q3": 6}, SurveyNumberOutOfRange, "survey-rating-out-of-range"),
        ({"q3": "5"}, SurveyAnswerMalformed, "survey-answer-malformed"),
        ({"q1": True}, SurveyAnswerMalformed, "survey-answer-malformed"),
        ({"q2": [1, 1]}, SurveyAnswerMalformed, "survey-answer-malformed"),
        ({"q4": float("nan")}, SurveyAnswerMalformed, "survey-answer-malformed"),
        ({"q9": "?"}, SurveyQuestionUnknown, "survey-question-unknown"),
    ],
)
def test_each_kind_of_bad_answer_is_its_own_error(
    change: dict[str, object], error: type[Exception], code: str
) -> None:
    with pytest.raises(error) as refused:
        published().accept({**GOOD, **change}, anonymous=True, at=DURING)
    assert getattr(refused.value, "code", None) == code


def test_a_text_answer_with_control_characters_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        published().accept({**GOOD, "q5": "a\x00b"}, anonymous=True, at=DURING)
    assert refused.value.code == "text-control-character"


def test_no_answer_is_taken_before_the_window_or_before_publication() -> None:
    with pytest.raises(SurveyNotOpen):
        published().accept(GOOD, anonymous=True, at=OPENS - timedelta(seconds=1))
    with pytest.raises(SurveyNotOpen):
        designed().accept(GOOD, anonymous=True, at=DURING)


def test_no_answer_is_taken_after_the_window_or_once_closed() -> None:
    with pytest.raises(SurveyClosed):
        published().accept(GOOD, anonymous=True, at=CLOSES)
    survey = published()
    survey.close(closed_by=DESIGNER, at=DURING)
    assert survey.state is SurveyState.CLOSED
    with pytest.raises(SurveyClosed) as refused:
        survey.accept(GOOD, anonymous=False, at=DURING)
    assert refused.value.code == "survey-closed"


def test_a_closed_survey_is_neither_revised_nor_published() -> None:
    survey = published()
    survey.close(closed_by=DESIGNER, at=DURING)
    with pytest.raises(SurveyClosed):
        survey.publish(published_by=DESIGNER, at=DURING)


def test_a_survey_for_volunteers_only_refuses_an_anonymous_answer() -> None:
    survey = published(Audience.SUBTREE_VOLUNTEERS)
    with pytest.raises(SurveyForVolunteersOnly):
        survey.accept(GOOD, anonymous=True, at=DURING)
    assert survey.accept(GOOD, anonymous=False, at=DURING)[0] == 1


def test_a_volunteer_has_one_answer_id_per_survey() -> None:
    survey = UUID("11111111-1111-4111-8111-111111111111")
    assert SurveyAnswer.id_for_volunteer(survey, VOLUNTEER) == SurveyAnswer.id_for_volunteer(
        survey, VOLUNTEER
    )


def test_a_device_has_one_answer_id_per_survey_and_day_and_it_names_no_device() -> None:
    survey = UUID("11111111-1111-4111-8111-111111111111")
    first = SurveyAnswer.id_for_device(SECRET, survey, "device-1", date(2026, 6, 5))
    assert first == SurveyAnswer.id_for_device(SECRET, survey, "device-1", date(2026, 6, 5))
    assert first != SurveyAnswer.id_for_device(SECRET, survey, "device-1", date(2026, 6, 6))
    assert first != SurveyAnswer.id_for_device(SECRET, survey, "device-2", date(2026, 6, 5))
    assert first != SurveyAnswer.id_for_device(b"t" * 32, survey, "device-1", date(2026, 6, 5))


def test_a_volunteers_second_answer_replaces_the_first_and_both_are_events() -> None:
    survey_id = UUID("11111111-1111-4111-8111-111111111111")
    answer = SurveyAnswer.give(
        answer_id=SurveyAnswer.id_for_volunteer(survey_id, VOLUNTEER),
        survey_id=survey_id,
        survey_version=1,
        volunteer_id=VOLUNTEER,
        org_unit_id=TOWNSHIP,
        answers={"q1": 0},
        at=DURING,
    )
    answer.replace(survey_version=1, org_unit_id=TOWNSHIP, answers={"q1": 2}, at=DURING)
    assert answer.answers == {"q1": 2}
    assert [type(e) for e in answer.pending_events] == [
        SurveyAnswer.Given,
        SurveyAnswer.Replaced,
    ]


def test_an_anonymous_answer_is_never_replaced() -> None:
    survey_id = UUID("11111111-1111-4111-8111-111111111111")
    answer = SurveyAnswer.give(
        answer_id=SurveyAnswer.id_for_device(SECRET, survey_id, "d", date(2026, 6, 5)),
        survey_id=survey_id,
        survey_version=1,
        volunteer_id=None,
        org_unit_id=None,
        answers={"q1": 0},
        at=DURING,
    )
    assert answer.anonymous
    with pytest.raises(SurveyAnsweredToday) as refused:
        answer.replace(survey_version=1, org_unit_id=None, answers={"q1": 1}, at=DURING)
    assert refused.value.code == "survey-answered-today"


def test_a_breakdown_cell_below_five_answers_shows_no_count() -> None:
    assert cell_count(4) is None
    assert cell_count(0) is None
    assert cell_count(5) == 5


def test_the_median_of_no_values_is_none() -> None:
    assert median_of([]) is None
    assert median_of([1, 5, 2]) == 2.0
    assert median_of([1, 2]) == 1.5
