"""The bodies and views of the survey routes (``api/surveys.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from grassroots.api.fields import LINE, LINES, OPTIONAL_LINES, Id, Instant
from grassroots.domain.survey import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    Audience,
    Question,
    QuestionKind,
    SurveyState,
)

__all__ = [
    "AnonymousAnswerBody",
    "AnswerReceipt",
    "NewSurvey",
    "OptionView",
    "QuestionDesign",
    "QuestionResultView",
    "QuestionView",
    "SurveyAnswerBody",
    "SurveyBreakdownView",
    "SurveyDesign",
    "SurveyForm",
    "SurveyResultsView",
    "SurveySummaryView",
    "SurveyView",
    "UnitCellView",
    "question_view",
]


class QuestionDesign(msgspec.Struct, kw_only=True):
    prompt: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=500,
            examples=["你最常参加哪类活动？"],
            extra_json_schema=LINES,
        ),
    ]
    kind: QuestionKind
    required: bool = True
    options: Annotated[
        list[Annotated[str, Meta(max_length=200)]],
        Meta(max_length=MAX_OPTIONS, description="Choices only: 2 to 20 options."),
    ] = msgspec.field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None


class SurveyDesign(msgspec.Struct, kw_only=True):
    title: Annotated[
        str, Meta(min_length=1, max_length=200, examples=["青年需求调研"], extra_json_schema=LINE)
    ]
    intro: Annotated[str, Meta(max_length=4000, extra_json_schema=OPTIONAL_LINES)] = ""
    audience: Audience = Audience.ANYONE_WITH_LINK
    opens_at: Instant
    closes_at: Instant
    questions: Annotated[list[QuestionDesign], Meta(min_length=1, max_length=MAX_QUESTIONS)]


class NewSurvey(SurveyDesign, kw_only=True):
    org_unit_id: Id


class QuestionView(msgspec.Struct, kw_only=True):
    key: Annotated[str, Meta(examples=["q1"])]
    prompt: str
    kind: QuestionKind
    required: bool
    options: list[str]
    min_value: float | None
    max_value: float | None


class SurveyView(msgspec.Struct, kw_only=True):
    survey_id: UUID
    title: str
    intro: str
    org_unit_id: UUID
    audience: Audience
    opens_at: datetime
    closes_at: datetime
    state: SurveyState
    current_version: Annotated[int, Meta(description="0 before the first publication.")]
    questions: Annotated[
        list[QuestionView],
        Meta(description="The questions answered now (empty before publishing)."),
    ]
    draft: Annotated[list[QuestionView], Meta(description="The draft, as the next version.")]
    has_unpublished_changes: bool
    url: Annotated[str, Meta(description="The page the survey's QR code opens.")]


class SurveyForm(msgspec.Struct, kw_only=True):
    """What a respondent sees: the questions answered now, and whether it takes answers."""

    survey_id: UUID
    title: str
    intro: str
    audience: Audience
    version: int
    open: bool
    opens_at: datetime
    closes_at: datetime
    questions: list[QuestionView]


AnswerValue = int | float | str | list[int]


class SurveyAnswerBody(msgspec.Struct, kw_only=True):
    answers: Annotated[
        dict[Annotated[str, Meta(max_length=16)], AnswerValue],
        Meta(
            max_length=MAX_QUESTIONS,
            description="Per question key: an option's number (from 0) for a single choice, "
            "a list of them for a multiple choice, 1-5 for a rating, a number, or a text.",
            examples=[{"q1": 0, "q2": [0, 2], "q3": 4, "q4": 3, "q5": "多办周末活动"}],
        ),
    ]


class AnonymousAnswerBody(SurveyAnswerBody, kw_only=True):
    org_unit_id: Annotated[
        UUID | None, Meta(description="The respondent's unit, in the survey's subtree; optional.")
    ] = None


class AnswerReceipt(msgspec.Struct, kw_only=True):
    survey_id: UUID
    version: int
    replaced: Annotated[bool, Meta(description="A volunteer's earlier answer was replaced.")]


class OptionView(msgspec.Struct, kw_only=True):
    option: str
    count: int
    share: Annotated[float, Meta(description="Of all answers to the version, 0 to 1.")]


class QuestionResultView(msgspec.Struct, kw_only=True):
    key: str
    prompt: str
    kind: QuestionKind
    answered: int
    options: list[OptionView]
    mean: float | None
    median: float | None
    text_answers: int


class SurveyResultsView(msgspec.Struct, kw_only=True):
    survey_id: UUID
    version: int
    answers: int
    questions: list[QuestionResultView]


class UnitCellView(msgspec.Struct, kw_only=True):
    org_unit_id: Annotated[UUID | None, Meta(description="null: answers that named no unit.")]
    name: str | None
    answers: Annotated[int | None, Meta(description='null when "fewer than 5".')]
    fewer_than_five: bool
    label: Annotated[str, Meta(examples=["少于5份", "12"])]
    means: dict[str, float | None]
    option_counts: dict[str, list[int]]


class SurveyBreakdownView(msgspec.Struct, kw_only=True):
    survey_id: UUID
    version: int
    cells: list[UnitCellView]


class SurveySummaryView(msgspec.Struct, kw_only=True):
    survey_id: UUID
    title: str
    org_unit_id: UUID
    audience: Audience
    opens_at: datetime
    closes_at: datetime
    current_version: int
    closed: bool


def question_view(q: Question) -> QuestionView:
    return QuestionView(
        key=q.key,
        prompt=q.prompt,
        kind=q.kind,
        required=q.required,
        options=list(q.options),
        min_value=q.min_value,
        max_value=q.max_value,
    )
