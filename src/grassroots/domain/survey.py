"""Surveys (调研问卷) put to the youths of an org subtree, and the answers they give.

A supervisor or a cadre designs a ``Survey``: a title, an introduction, the
questions, the audience (the youths of one org unit's subtree: anyone with the
link or QR code, or only registered volunteers of the subtree) and the window
it is open in. The questions are a draft until published; publishing freezes
them as a numbered version. A later change is a revision of the draft, and
publishing it again makes version 2: every answer keeps the version it
answered, so a question never changes under the answers already given.

Answers are aggregates of their own (``SurveyAnswer``), one per survey and
respondent, so a thousand youths answering at once never contend on the
survey's version number. The respondent is named by the answer's id:

* a volunteer who is logged in: the id is derived from (survey, volunteer), so
  a person has one answer; a second answer replaces the first (``Replaced``),
  both kept as events;
* anyone with the link, anonymously: the id is keyed by the server's secret
  from (survey, device, local day), so the event store's unique key refuses a
  second answer from the same device on the same day, even from two requests
  at the same instant. The device and the person are recorded nowhere.

Errors raised here (each its own code, so its own problem type):

    InvalidValue
    ├── SurveyAnswerMissing        a required question left unanswered
    ├── SurveyQuestionUnknown      an answer to a question the version does not ask
    ├── SurveyAnswerMalformed      an answer of the wrong kind (text for a rating)
    ├── SurveyChoiceNotOffered     a choice the question does not offer
    └── SurveyNumberOutOfRange     a number (or a rating) outside its range
    NotAllowed
    ├── SurveyNotOpen              before the window, or never published
    ├── SurveyClosed               after the window, or closed by its designer
    ├── SurveyAnsweredToday        a second anonymous answer from a device on one day
    ├── SurveyForVolunteersOnly    an anonymous answer to a survey for volunteers only
    └── SurveyOutsideAudience      a volunteer outside the survey's subtree
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, OutsideWindow
from grassroots.domain.ids import keyed_id
from grassroots.domain.values import (
    derived_id,
    in_utc,
    require_aware,
    require_instant,
    require_printable,
    require_text,
)

__all__ = [
    "FEWER_THAN",
    "MAX_OPTIONS",
    "MAX_QUESTIONS",
    "MAX_TEXT_ANSWER",
    "RATING_RANGE",
    "Audience",
    "Question",
    "QuestionKind",
    "Survey",
    "SurveyAnswer",
    "SurveyAnswerMalformed",
    "SurveyAnswerMissing",
    "SurveyAnsweredToday",
    "SurveyChoiceNotOffered",
    "SurveyClosed",
    "SurveyForVolunteersOnly",
    "SurveyNotOpen",
    "SurveyNumberOutOfRange",
    "SurveyOutsideAudience",
    "SurveyQuestionUnknown",
    "SurveyState",
    "cell_count",
    "median_of",
    "question_key",
    "validate_answers",
]

MAX_QUESTIONS = 50
MAX_OPTIONS = 20
MAX_TEXT_ANSWER = 2000
MAX_DEVICE_ID = 200
RATING_RANGE = (1, 5)
# A breakdown cell with fewer answers than this shows "fewer than 5", never the
# count or the figures: with so few, a figure could point at the person.
FEWER_THAN = 5

AnswerValue = int | float | str | list[int]


class SurveyAnswerMissing(InvalidValue):
    code = "survey-answer-missing"


class SurveyQuestionUnknown(InvalidValue):
    code = "survey-question-unknown"


class SurveyAnswerMalformed(InvalidValue):
    code = "survey-answer-malformed"


class SurveyChoiceNotOffered(InvalidValue):
    code = "survey-choice-not-offered"


class SurveyNumberOutOfRange(InvalidValue):
    code = "survey-number-out-of-range"


class SurveyNotOpen(OutsideWindow):
    code = "survey-not-open"


class SurveyClosed(AlreadyClosed):
    code = "survey-closed"


class SurveyAnsweredToday(NotAllowed):
    code = "survey-answered-today"


class SurveyForVolunteersOnly(NotAllowed):
    code = "survey-volunteers-only"


class SurveyOutsideAudience(NotAllowed):
    code = "survey-outside-audience"


class QuestionKind(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    RATING = "rating"
    TEXT = "text"
    NUMBER = "number"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


class Audience(StrEnum):
    ANYONE_WITH_LINK = "anyone_with_link"
    SUBTREE_VOLUNTEERS = "subtree_volunteers"


class SurveyState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"


def question_key(position: int) -> str:
    """The key of the question at ``position`` (0-based) in its version: q1, q2, ..."""
    return f"q{position + 1}"


@dataclass(frozen=True)
class Question:
    """One question of a version. ``options`` only for choices; the bounds only for numbers."""

    key: str
    prompt: str
    kind: QuestionKind
    required: bool = True
    options: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None

    def to_data(self) -> dict[str, object]:
        return {
            "key": self.key,
            "prompt": self.prompt,
            "kind": self.kind.value,
            "required": self.required,
            "options": list(self.options),
            "min_value": self.min_value,
            "max_value": self.max_value,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Question:
        return cls(
            key=str(data["key"]),
            prompt=str(data["prompt"]),
            kind=QuestionKind(data["kind"]),
            required=bool(data["required"]),
            options=tuple(str(o) for o in data["options"]),
            min_value=data["min_value"],
            max_value=data["max_value"],
        )


def _checked_questions(questions: Sequence[Question]) -> tuple[Question, ...]:
    """The questions as designed, checked and keyed by position (q1, q2, ...)."""
    if not questions:
        raise InvalidValue("a survey asks at least one question", code="survey-questions-empty")
    if len(questions) > MAX_QUESTIONS:
        raise InvalidValue(
            f"a survey asks at most {MAX_QUESTIONS} questions", code="survey-questions-too-many"
        )
    checked: list[Question] = []
    for position, question in enumerate(questions):
        kind = QuestionKind(question.kind)
        prompt = require_text(question.prompt, "prompt", max_length=500, multiline=True)
        options: tuple[str, ...] = ()
        min_value = max_value = None
        if kind in CHOICE_KINDS:
            options = tuple(require_text(o, "option", max_length=200) for o in question.options)
            if not 2 <= len(options) <= MAX_OPTIONS:
                raise InvalidValue(
                    f"a choice offers 2 to {MAX_OPTIONS} options", code="survey-options-count"
                )
            if len(set(options)) != len(options):
                raise InvalidValue(
                    "a choice offers each option once", code="survey-options-repeated"
                )
        elif question.options:
            raise InvalidValue("only choices offer options", code="survey-options-not-a-choice")
        if kind is QuestionKind.NUMBER:
            min_value, max_value = question.min_value, question.max_value
            for bound in (min_value, max_value):
                if bound is not None and not _is_number(bound):
                    raise InvalidValue("a bound is a finite number", code="survey-number-bounds")
            if min_value is not None and max_value is not None and min_value > max_value:
                raise InvalidValue(
                    "the lowest number allowed is above the highest", code="survey-number-bounds"
                )
        elif question.min_value is not None or question.max_value is not None:
            raise InvalidValue("only numbers have bounds", code="survey-number-bounds")
        checked.append(
            Question(
                key=question_key(position),
                prompt=prompt,
                kind=kind,
                required=bool(question.required),
                options=options,
                min_value=min_value,
                max_value=max_value,
            )
        )
    return tuple(checked)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and (isinstance(value, int) or math.isfinite(value))
    )


def _is_missing(value: object) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def validate_answers(
    questions: Sequence[Question], answers: Mapping[str, object]
) -> dict[str, AnswerValue]:
    """The answers to one version's questions, checked and normalised (text
    stripped, choices sorted), or the first error found. Unanswered optional
    questions are left out."""
    known = {q.key for q in questions}
    for key in answers:
        if key not in known:
            raise SurveyQuestionUnknown(f"this survey asks no question {key!r}")
    given: dict[str, AnswerValue] = {}
    for q in questions:
        value = answers.get(q.key)
        if _is_missing(value):
            if q.required:
                raise SurveyAnswerMissing(f"question {q.key} must be answered")
            continue
        given[q.key] = _checked_answer(q, value)
    return given


def _checked_answer(q: Question, value: object) -> AnswerValue:
    if q.kind is QuestionKind.SINGLE_CHOICE:
        if not isinstance(value, int) or isinstance(value, bool):
            raise SurveyAnswerMalformed(f"question {q.key} takes the number of one option")
        _require_offered(q, value)
        return value
    if q.kind is QuestionKind.MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise SurveyAnswerMalformed(f"question {q.key} takes a list of option numbers")
        for choice in value:
            _require_offered(q, choice)
        if len(set(value)) != len(value):
            raise SurveyAnswerMalformed(f"question {q.key} names an option twice")
        return sorted(value)
    if q.kind is QuestionKind.RATING:
        if not isinstance(value, int) or isinstance(value, bool):
            raise SurveyAnswerMalformed(f"question {q.key} takes a whole rating")
        low, high = RATING_RANGE
        if not low <= value <= high:
            raise SurveyNumberOutOfRange(
                f"question {q.key} is rated from {low} to {high}",
                code="survey-rating-out-of-range",
            )
        return value
    if q.kind is QuestionKind.NUMBER:
        if not _is_number(value):
            raise SurveyAnswerMalformed(f"question {q.key} takes a number")
        assert isinstance(value, int | float)
        if (q.min_value is not None and value < q.min_value) or (
            q.max_value is not None and value > q.max_value
        ):
            raise SurveyNumberOutOfRange(
                f"question {q.key} takes a number from {q.min_value} to {q.max_value}"
            )
        return value
    if not isinstance(value, str):
        raise SurveyAnswerMalformed(f"question {q.key} takes a text")
    text = require_printable(value, "answer", multiline=True).strip()
    if len(text) > MAX_TEXT_ANSWER:
        raise InvalidValue(
            f"an answer is at most {MAX_TEXT_ANSWER} characters", code="answer-too-long"
        )
    return text


def _require_offered(q: Question, choice: int) -> None:
    if not 0 <= choice < len(q.options):
        raise SurveyChoiceNotOffered(f"question {q.key} offers no option {choice}")


def median_of(values: Iterable[float]) -> float | None:
    """The median of ``values``, or None when there are none."""
    found = list(values)
    return float(statistics.median(found)) if found else None


def cell_count(count: int) -> int | None:
    """A breakdown cell's count as it may be shown: None ("fewer than 5") below
    ``FEWER_THAN``, so a small cell never points at the few who answered."""
    return count if count >= FEWER_THAN else None


class Survey(Aggregate):
    class Designed(Aggregate.Created):
        title: str
        intro: str
        org_unit_id: UUID
        audience: str
        opens_at: datetime
        closes_at: datetime
        time_zone: str
        questions: list[dict[str, object]]
        designed_by: UUID
        at: datetime

    class Revised(Aggregate.Event):
        title: str
        intro: str
        audience: str
        opens_at: datetime
        closes_at: datetime
        questions: list[dict[str, object]]
        revised_by: UUID
        at: datetime

    class Published(Aggregate.Event):
        """The draft frozen as ``number``: every answer names the version it answered."""

        number: int
        questions: list[dict[str, object]]
        published_by: UUID
        at: datetime

    class Closed(Aggregate.Event):
        closed_by: UUID
        at: datetime

    @classmethod
    def design(
        cls,
        *,
        title: str,
        intro: str,
        org_unit_id: UUID,
        audience: Audience,
        opens_at: datetime,
        closes_at: datetime,
        time_zone: str,
        questions: Sequence[Question],
        designed_by: UUID,
        at: datetime,
    ) -> Survey:
        title, intro, opens, closes = _checked_terms(title, intro, opens_at, closes_at)
        return cls(
            title=title,
            intro=intro,
            org_unit_id=org_unit_id,
            audience=Audience(audience).value,
            opens_at=opens,
            closes_at=closes,
            time_zone=time_zone,
            questions=[q.to_data() for q in _checked_questions(questions)],
            designed_by=designed_by,
            at=require_aware(at),
        )

    @event(Designed)
    def __init__(
        self,
        title: str,
        intro: str,
        org_unit_id: UUID,
        audience: str,
        opens_at: datetime,
        closes_at: datetime,
        time_zone: str,
        questions: list[dict[str, object]],
        designed_by: UUID,
        at: datetime,
    ) -> None:
        self.title = title
        self.intro = intro
        self.org_unit_id = org_unit_id
        self.audience = Audience(audience)
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.time_zone = time_zone
        self.draft = tuple(Question.from_data(q) for q in questions)
        self.designed_by = designed_by
        self.versions: list[tuple[Question, ...]] = []
        self.closed = False

    @property
    def state(self) -> SurveyState:
        if self.closed:
            return SurveyState.CLOSED
        return SurveyState.PUBLISHED if self.versions else SurveyState.DRAFT

    @property
    def current_version(self) -> int:
        """The number of the version answered now (0 before the first publication)."""
        return len(self.versions)

    def questions_of(self, version: int) -> tuple[Question, ...]:
        if not 1 <= version <= len(self.versions):
            raise InvalidValue(
                f"this survey has no version {version}", code="survey-version-unknown"
            )
        return self.versions[version - 1]

    @property
    def has_unpublished_changes(self) -> bool:
        return not self.versions or self.versions[-1] != self.draft

    def revise(
        self,
        *,
        title: str,
        intro: str,
        audience: Audience,
        opens_at: datetime,
        closes_at: datetime,
        questions: Sequence[Question],
        revised_by: UUID,
        at: datetime,
    ) -> None:
        """Change the draft (and the survey's terms). Published questions stay as
        they were until the draft is published as a new version."""
        self._require_not_closed()
        title, intro, opens, closes = _checked_terms(title, intro, opens_at, closes_at)
        self._revised(
            title=title,
            intro=intro,
            audience=Audience(audience).value,
            opens_at=opens,
            closes_at=closes,
            questions=[q.to_data() for q in _checked_questions(questions)],
            revised_by=revised_by,
            at=require_aware(at),
        )

    @event(Revised)
    def _revised(
        self,
        title: str,
        intro: str,
        audience: str,
        opens_at: datetime,
        closes_at: datetime,
        questions: list[dict[str, object]],
        revised_by: UUID,
        at: datetime,
    ) -> None:
        self.title = title
        self.intro = intro
        self.audience = Audience(audience)
        self.opens_at = opens_at
        self.closes_at = closes_at
        self.draft = tuple(Question.from_data(q) for q in questions)

    def publish(self, *, published_by: UUID, at: datetime) -> int:
        """Freeze the draft as the next version; answers from now on answer it.
        Publishing with nothing changed since the last version changes nothing."""
        self._require_not_closed()
        if self.has_unpublished_changes:
            self._published(
                number=len(self.versions) + 1,
                questions=[q.to_data() for q in self.draft],
                published_by=published_by,
                at=require_aware(at),
            )
        return self.current_version

    @event(Published)
    def _published(
        self, number: int, questions: list[dict[str, object]], published_by: UUID, at: datetime
    ) -> None:
        self.versions.append(tuple(Question.from_data(q) for q in questions))

    def close(self, *, closed_by: UUID, at: datetime) -> None:
        self._require_not_closed()
        self._closed(closed_by=closed_by, at=require_aware(at))

    @event(Closed)
    def _closed(self, closed_by: UUID, at: datetime) -> None:
        self.closed = True

    def accept(
        self, answers: Mapping[str, object], *, anonymous: bool, at: datetime
    ) -> tuple[int, dict[str, AnswerValue]]:
        """The version answered and the answers checked against it, if the survey
        takes an answer of this kind at ``at``; the first refusal otherwise."""
        require_aware(at)
        if self.closed or at >= self.closes_at:
            raise SurveyClosed("the survey is closed")
        if not self.versions or at < self.opens_at:
            raise SurveyNotOpen("the survey is not open yet")
        if anonymous and self.audience is Audience.SUBTREE_VOLUNTEERS:
            raise SurveyForVolunteersOnly("log in as a volunteer to answer this survey")
        version = self.current_version
        return version, validate_answers(self.versions[-1], answers)

    def require_in_audience(self, org_unit_id: UUID, ancestry: Sequence[UUID]) -> None:
        """Refuse a respondent's unit outside the survey's subtree (``ancestry``:
        the unit's ancestors)."""
        if org_unit_id != self.org_unit_id and self.org_unit_id not in ancestry:
            raise SurveyOutsideAudience("this survey is for the youths of another unit")

    def _require_not_closed(self) -> None:
        if self.closed:
            raise SurveyClosed("the survey is closed")


def _checked_terms(
    title: str, intro: str, opens_at: datetime, closes_at: datetime
) -> tuple[str, str, datetime, datetime]:
    opens = in_utc(require_instant(opens_at, "opens_at"))
    closes = in_utc(require_instant(closes_at, "closes_at"))
    if closes <= opens:
        raise InvalidValue("a survey closes after it opens", code="survey-window-invalid")
    return (
        require_text(title, "title"),
        require_text(intro, "intro", max_length=4000, multiline=True, required=False),
        opens,
        closes,
    )


class SurveyAnswer(Aggregate):
    """One respondent's answer to one survey, and its replacements."""

    class Given(Aggregate.Created):
        survey_id: UUID
        survey_version: int
        anonymous: bool
        volunteer_id: UUID | None
        org_unit_id: UUID | None
        answers: dict[str, object]
        at: datetime

    class Replaced(Aggregate.Event):
        survey_version: int
        org_unit_id: UUID | None
        answers: dict[str, object]
        at: datetime

    @staticmethod
    def id_for_volunteer(survey_id: UUID, volunteer_id: UUID) -> UUID:
        """A volunteer's one answer to a survey: a second one replaces it."""
        return derived_id("survey_answer", survey_id, volunteer_id)

    @staticmethod
    def id_for_device(secret: bytes, survey_id: UUID, device_id: str, day: date) -> UUID:
        """An anonymous answer from one device on one local day. Keyed by the
        server's secret, so the id tells nothing of the device; a second answer
        under it is refused by the event store's unique key."""
        device = require_text(device_id, "device_id", max_length=MAX_DEVICE_ID)
        return keyed_id(secret, "survey_answer", str(survey_id), device, day.isoformat())

    @classmethod
    def give(
        cls,
        *,
        answer_id: UUID,
        survey_id: UUID,
        survey_version: int,
        volunteer_id: UUID | None,
        org_unit_id: UUID | None,
        answers: Mapping[str, AnswerValue],
        at: datetime,
    ) -> SurveyAnswer:
        return cls._create(
            cls.Given,
            id=answer_id,
            survey_id=survey_id,
            survey_version=survey_version,
            anonymous=volunteer_id is None,
            volunteer_id=volunteer_id,
            org_unit_id=org_unit_id,
            answers=dict(answers),
            at=require_aware(at),
        )

    @event(Given)
    def __init__(
        self,
        survey_id: UUID,
        survey_version: int,
        anonymous: bool,
        volunteer_id: UUID | None,
        org_unit_id: UUID | None,
        answers: dict[str, object],
        at: datetime,
    ) -> None:
        self.survey_id = survey_id
        self.survey_version = survey_version
        self.anonymous = anonymous
        self.volunteer_id = volunteer_id
        self.org_unit_id = org_unit_id
        self.answers = answers
        self.answered_at = at

    def replace(
        self,
        *,
        survey_version: int,
        org_unit_id: UUID | None,
        answers: Mapping[str, AnswerValue],
        at: datetime,
    ) -> None:
        """A volunteer's second answer: it replaces the first, which stays in the log.
        Anonymous answers are never replaced (a second one is refused)."""
        if self.anonymous:
            raise SurveyAnsweredToday("this device has answered the survey today")
        self._replaced(
            survey_version=survey_version,
            org_unit_id=org_unit_id,
            answers=dict(answers),
            at=require_aware(at),
        )

    @event(Replaced)
    def _replaced(
        self,
        survey_version: int,
        org_unit_id: UUID | None,
        answers: dict[str, object],
        at: datetime,
    ) -> None:
        self.survey_version = survey_version
        self.org_unit_id = org_unit_id
        self.answers = answers
        self.answered_at = at
