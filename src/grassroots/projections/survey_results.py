"""Surveys (调研问卷) and their answers as a read model: the results a designer reads.

Updated asynchronously by the batched, exactly-once runner, like every read
model: an answer given a moment ago shows once the runner has applied it (the
results page follows the log live, see ``api/surveys.py``).

Four tables:

* ``surveys``: one row per survey, its terms as they are now, the version
  answered now (0 before the first publication) and whether it is closed;
* ``survey_questions``: the questions of every published version, and the
  draft as version 0 (replaced at each revision);
* ``survey_answers``: one row per answer as it stands now (a volunteer's
  second answer replaces the first: the row then holds the second, with the
  version it answered); the unit it counts under and whether it was anonymous,
  never who gave it;
* ``survey_answer_values``: one row per value of an answer (a multiple choice
  gives one row per option chosen), so counts, means and the pages of text
  answers are single SQL statements.

Figures are per version: an answer counts under the version it answered. The
breakdown by org unit counts each answer under the child of the survey's unit
that holds the answer's unit (the survey's unit itself, and answers that named
no unit, are cells of their own), and shows nothing but "fewer than 5" in a
cell with fewer answers (``domain.survey.cell_count``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.survey import (
    Audience,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
    cell_count,
    median_of,
)
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext, Projection, handles
from grassroots.projections.instants import as_utc
from grassroots.projections.org_tree import org_closure, org_units, subtree_of

__all__ = [
    "AnswerRow",
    "OptionCount",
    "QuestionResult",
    "SurveyResults",
    "SurveyResultsProjection",
    "SurveyRow",
    "UnitCell",
    "answer_rows",
    "breakdown_by_unit",
    "question_of",
    "questions_of",
    "survey_answer_values",
    "survey_answers",
    "survey_questions",
    "survey_results",
    "survey_row",
    "surveys",
    "surveys_under",
    "text_answers",
]

surveys = sa.Table(
    "surveys",
    metadata,
    sa.Column("survey_id", sa.Uuid, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("intro", sa.Text, nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False, index=True),
    sa.Column("audience", sa.String(32), nullable=False),
    sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    sa.Column("designed_by", sa.Uuid, nullable=False),
    sa.Column("designed_at", sa.DateTime(timezone=True), nullable=False),
)

survey_questions = sa.Table(
    "survey_questions",
    metadata,
    sa.Column("survey_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("question_key", sa.String(16), nullable=False),
    sa.Column("prompt", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("required", sa.Boolean, nullable=False),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("min_value", sa.Float, nullable=True),
    sa.Column("max_value", sa.Float, nullable=True),
)

survey_answers = sa.Table(
    "survey_answers",
    metadata,
    sa.Column("answer_id", sa.Uuid, primary_key=True),
    sa.Column("survey_id", sa.Uuid, nullable=False),
    sa.Column("survey_version", sa.Integer, nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=True),
    sa.Column("anonymous", sa.Boolean, nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("times_replaced", sa.Integer, nullable=False),
    sa.Index("ix_survey_answers_survey_version", "survey_id", "survey_version"),
)

survey_answer_values = sa.Table(
    "survey_answer_values",
    metadata,
    sa.Column("answer_id", sa.Uuid, primary_key=True),
    sa.Column("question_key", sa.String(16), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("survey_id", sa.Uuid, nullable=False),
    sa.Column("survey_version", sa.Integer, nullable=False),
    sa.Column("choice", sa.Integer, nullable=True),
    sa.Column("number", sa.Float, nullable=True),
    sa.Column("text", sa.Text, nullable=True),
    sa.Index("ix_survey_answer_values_question", "survey_id", "survey_version", "question_key"),
)


class SurveyResultsProjection(Projection):
    """One handler per event; each writes through the runner's connection."""

    name = "survey_results"
    tables = (surveys, survey_questions, survey_answers, survey_answer_values)

    @handles(Survey.Designed)
    def _designed(self, conn: sa.Connection, e: Survey.Designed, ctx: EventContext) -> None:
        conn.execute(
            surveys.insert().values(
                survey_id=ctx.originator_id,
                title=e.title,
                intro=e.intro,
                org_unit_id=e.org_unit_id,
                audience=e.audience,
                opens_at=as_utc(e.opens_at),
                closes_at=as_utc(e.closes_at),
                current_version=0,
                closed=False,
                designed_by=e.designed_by,
                designed_at=as_utc(e.at),
            )
        )
        _write_questions(conn, ctx.originator_id, 0, e.questions)

    @handles(Survey.Revised)
    def _revised(self, conn: sa.Connection, e: Survey.Revised, ctx: EventContext) -> None:
        conn.execute(
            surveys.update()
            .where(surveys.c.survey_id == ctx.originator_id)
            .values(
                title=e.title,
                intro=e.intro,
                audience=e.audience,
                opens_at=as_utc(e.opens_at),
                closes_at=as_utc(e.closes_at),
            )
        )
        conn.execute(
            survey_questions.delete().where(
                survey_questions.c.survey_id == ctx.originator_id,
                survey_questions.c.version == 0,
            )
        )
        _write_questions(conn, ctx.originator_id, 0, e.questions)

    @handles(Survey.Published)
    def _published(self, conn: sa.Connection, e: Survey.Published, ctx: EventContext) -> None:
        conn.execute(
            surveys.update()
            .where(surveys.c.survey_id == ctx.originator_id)
            .values(current_version=e.number)
        )
        _write_questions(conn, ctx.originator_id, e.number, e.questions)

    @handles(Survey.Closed)
    def _closed(self, conn: sa.Connection, e: Survey.Closed, ctx: EventContext) -> None:
        conn.execute(
            surveys.update().where(surveys.c.survey_id == ctx.originator_id).values(closed=True)
        )

    @handles(SurveyAnswer.Given)
    def _given(self, conn: sa.Connection, e: SurveyAnswer.Given, ctx: EventContext) -> None:
        conn.execute(
            survey_answers.insert().values(
                answer_id=ctx.originator_id,
                survey_id=e.survey_id,
                survey_version=e.survey_version,
                org_unit_id=e.org_unit_id,
                anonymous=e.anonymous,
                answered_at=as_utc(e.at),
                times_replaced=0,
            )
        )
        _write_values(conn, ctx.originator_id, e.survey_id, e.survey_version, e.answers)

    @handles(SurveyAnswer.Replaced)
    def _replaced(self, conn: sa.Connection, e: SurveyAnswer.Replaced, ctx: EventContext) -> None:
        c = survey_answers.c
        survey_id = conn.execute(
            sa.select(c.survey_id).where(c.answer_id == ctx.originator_id)
        ).scalar_one()
        conn.execute(
            survey_answers.update()
            .where(c.answer_id == ctx.originator_id)
            .values(
                survey_version=e.survey_version,
                org_unit_id=e.org_unit_id,
                answered_at=as_utc(e.at),
                times_replaced=c.times_replaced + 1,
            )
        )
        conn.execute(
            survey_answer_values.delete().where(
                survey_answer_values.c.answer_id == ctx.originator_id
            )
        )
        _write_values(conn, ctx.originator_id, survey_id, e.survey_version, e.answers)


def _write_questions(
    conn: sa.Connection, survey_id: UUID, version: int, questions: Sequence[dict[str, object]]
) -> None:
    rows = []
    for position, data in enumerate(questions):
        q = Question.from_data(data)
        rows.append(
            {
                "survey_id": survey_id,
                "version": version,
                "position": position,
                "question_key": q.key,
                "prompt": q.prompt,
                "kind": q.kind.value,
                "required": q.required,
                "options": json.dumps(list(q.options), ensure_ascii=False),
                "min_value": q.min_value,
                "max_value": q.max_value,
            }
        )
    if rows:
        conn.execute(survey_questions.insert(), rows)


def _write_values(
    conn: sa.Connection,
    answer_id: UUID,
    survey_id: UUID,
    version: int,
    answers: dict[str, object],
) -> None:
    rows: list[dict[str, Any]] = []

    def row(key: str, seq: int, **value: Any) -> dict[str, Any]:
        return {
            "answer_id": answer_id,
            "question_key": key,
            "seq": seq,
            "survey_id": survey_id,
            "survey_version": version,
            "choice": None,
            "number": None,
            "text": None,
            **value,
        }

    for key, value in sorted(answers.items()):
        if isinstance(value, list):
            rows.extend(row(key, seq, choice=int(v)) for seq, v in enumerate(value))
        elif isinstance(value, str):
            rows.append(row(key, 0, text=value))
        elif isinstance(value, int | float):
            # Choices and ratings are whole numbers; the question's kind tells them
            # apart when read, so both columns are filled where both could apply.
            whole = isinstance(value, int)
            rows.append(row(key, 0, choice=int(value) if whole else None, number=float(value)))
    if rows:
        conn.execute(survey_answer_values.insert(), rows)


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    survey_id: UUID
    title: str
    intro: str
    org_unit_id: UUID
    audience: Audience
    opens_at: datetime
    closes_at: datetime
    current_version: int
    closed: bool
    designed_by: UUID

    def is_open(self, now: datetime) -> bool:
        return (
            not self.closed and self.current_version > 0 and self.opens_at <= now < self.closes_at
        )


def _survey(r: Any) -> SurveyRow:
    return SurveyRow(
        survey_id=r.survey_id,
        title=r.title,
        intro=r.intro,
        org_unit_id=r.org_unit_id,
        audience=Audience(r.audience),
        opens_at=as_utc(r.opens_at),
        closes_at=as_utc(r.closes_at),
        current_version=r.current_version,
        closed=r.closed,
        designed_by=r.designed_by,
    )


def survey_row(conn: sa.Connection, survey_id: UUID) -> SurveyRow | None:
    """The survey, or None when it is unknown (or not projected yet)."""
    found = conn.execute(sa.select(surveys).where(surveys.c.survey_id == survey_id)).first()
    return None if found is None else _survey(found)


def surveys_under(
    conn: sa.Connection,
    org_unit_id: UUID,
    *,
    limit: int,
    offset: int = 0,
    designed_by: UUID | None = None,
) -> list[SurveyRow]:
    """The surveys put to the unit's subtree or to any unit below it, latest designed
    first; only those one account designed when ``designed_by`` is given."""
    query = sa.select(surveys).where(surveys.c.org_unit_id.in_(subtree_of(org_unit_id)))
    if designed_by is not None:
        query = query.where(surveys.c.designed_by == designed_by)
    query = (
        query.order_by(surveys.c.designed_at.desc(), surveys.c.survey_id)
        .limit(limit)
        .offset(offset)
    )
    return [_survey(r) for r in conn.execute(query)]


def questions_of(conn: sa.Connection, survey_id: UUID, version: int) -> list[Question]:
    """The questions of a version (0: the draft), in their order; empty if there is none."""
    c = survey_questions.c
    query = (
        sa.select(survey_questions)
        .where(c.survey_id == survey_id, c.version == version)
        .order_by(c.position)
    )
    return [
        Question(
            key=r.question_key,
            prompt=r.prompt,
            kind=QuestionKind(r.kind),
            required=r.required,
            options=tuple(json.loads(r.options)),
            min_value=r.min_value,
            max_value=r.max_value,
        )
        for r in conn.execute(query)
    ]


@dataclass(frozen=True)
class OptionCount:
    option: str
    count: int
    # Of the answers to the version (not of those who answered this question).
    share: float


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    answered: int
    options: list[OptionCount]
    mean: float | None
    median: float | None
    texts: int


@dataclass(frozen=True)
class SurveyResults:
    survey_id: UUID
    version: int
    answers: int
    questions: list[QuestionResult]


def question_of(conn: sa.Connection, survey_id: UUID, version: int, key: str) -> Question | None:
    """One question of a version by its key; None if the version asks no such question."""
    return next((q for q in questions_of(conn, survey_id, version) if q.key == key), None)


def _answer_count(conn: sa.Connection, survey_id: UUID, version: int) -> int:
    c = survey_answers.c
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(survey_answers)
            .where(c.survey_id == survey_id, c.survey_version == version)
        ).scalar_one()
    )


def survey_results(conn: sa.Connection, survey_id: UUID, version: int) -> SurveyResults:
    """Counts and shares per option, mean and median of ratings and numbers, the
    number of text answers: per question of the version."""
    total = _answer_count(conn, survey_id, version)
    v = survey_answer_values.c
    of_version = (v.survey_id == survey_id, v.survey_version == version)
    answered: dict[str, int] = dict(
        conn.execute(
            sa.select(v.question_key, sa.func.count(sa.distinct(v.answer_id)))
            .where(*of_version)
            .group_by(v.question_key)
        ).all()
    )
    choices: dict[tuple[str, int], int] = {
        (r.question_key, r.choice): r.n
        for r in conn.execute(
            sa.select(v.question_key, v.choice, sa.func.count().label("n"))
            .where(*of_version, v.choice.is_not(None))
            .group_by(v.question_key, v.choice)
        )
    }
    numbers: dict[str, list[float]] = defaultdict(list)
    for r in conn.execute(
        sa.select(v.question_key, v.number)
        .where(*of_version, v.number.is_not(None))
        .order_by(v.question_key, v.number)
    ):
        numbers[r.question_key].append(r.number)
    results = []
    for q in questions_of(conn, survey_id, version):
        count = int(answered.get(q.key, 0))
        options = []
        if q.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            for index, option in enumerate(q.options):
                n = choices.get((q.key, index), 0)
                options.append(OptionCount(option, n, n / total if total else 0.0))
        values = numbers.get(q.key, []) if q.kind in _NUMERIC else []
        results.append(
            QuestionResult(
                question=q,
                answered=count,
                options=options,
                mean=sum(values) / len(values) if values else None,
                median=median_of(values),
                texts=count if q.kind is QuestionKind.TEXT else 0,
            )
        )
    return SurveyResults(survey_id, version, total, results)


_NUMERIC = (QuestionKind.RATING, QuestionKind.NUMBER)


def text_answers(
    conn: sa.Connection,
    survey_id: UUID,
    version: int,
    question_key: str,
    *,
    limit: int,
    offset: int,
) -> list[str]:
    """One page of the text answers to a question, latest answers first."""
    v, a = survey_answer_values.c, survey_answers.c
    query = (
        sa.select(v.text)
        .join(survey_answers, a.answer_id == v.answer_id)
        .where(
            v.survey_id == survey_id,
            v.survey_version == version,
            v.question_key == question_key,
            v.text.is_not(None),
        )
        .order_by(a.answered_at.desc(), v.answer_id)
        .limit(limit)
        .offset(offset)
    )
    return [r.text for r in conn.execute(query)]


@dataclass(frozen=True)
class UnitCell:
    """One cell of the breakdown: a unit (None: answers that named no unit) and its
    figures, or only "fewer than 5" (``answers`` None, no figures)."""

    org_unit_id: UUID | None
    name: str | None
    answers: int | None
    # Per question key: the mean of a rating or number, or the count per option.
    means: dict[str, float | None]
    option_counts: dict[str, list[int]]

    @property
    def fewer_than_five(self) -> bool:
        return self.answers is None


def breakdown_by_unit(conn: sa.Connection, survey_id: UUID, version: int) -> list[UnitCell]:
    """The version's answers per unit just below the survey's unit (the unit itself
    and "no unit" as cells of their own), by name; small cells show nothing."""
    survey = survey_row(conn, survey_id)
    if survey is None:
        return []
    root = survey.org_unit_id
    a, v = survey_answers.c, survey_answer_values.c
    children = sa.select(org_units.c.org_unit_id).where(org_units.c.parent_id == root)
    # Each answer's cell: the child of the root that holds its unit, else its unit
    # (the root itself, or a unit the tree does not hold), else None.
    holder = (
        sa.select(org_closure.c.ancestor_id)
        .where(
            org_closure.c.descendant_id == a.org_unit_id,
            org_closure.c.ancestor_id.in_(children),
        )
        .scalar_subquery()
    )
    cell = sa.func.coalesce(holder, a.org_unit_id).label("cell")
    cells = (
        sa.select(a.answer_id, cell)
        .where(a.survey_id == survey_id, a.survey_version == version)
        .subquery()
    )
    counts: dict[UUID | None, int] = {
        r.cell: r.n
        for r in conn.execute(
            sa.select(cells.c.cell, sa.func.count().label("n")).group_by(cells.c.cell)
        )
    }
    questions = questions_of(conn, survey_id, version)
    kinds = {q.key: q for q in questions}
    means: dict[UUID | None, dict[str, float | None]] = defaultdict(dict)
    option_counts: dict[UUID | None, dict[str, list[int]]] = defaultdict(dict)
    for r in conn.execute(
        sa.select(
            cells.c.cell,
            v.question_key,
            sa.func.avg(v.number).label("mean"),
        )
        .join(cells, cells.c.answer_id == v.answer_id)
        .where(v.number.is_not(None))
        .group_by(cells.c.cell, v.question_key)
    ):
        q = kinds.get(r.question_key)
        if q is not None and q.kind in _NUMERIC:
            means[r.cell][r.question_key] = float(r.mean)
    for r in conn.execute(
        sa.select(cells.c.cell, v.question_key, v.choice, sa.func.count().label("n"))
        .join(cells, cells.c.answer_id == v.answer_id)
        .where(v.choice.is_not(None))
        .group_by(cells.c.cell, v.question_key, v.choice)
    ):
        q = kinds.get(r.question_key)
        if q is None or q.kind not in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            continue
        row = option_counts[r.cell].setdefault(r.question_key, [0] * len(q.options))
        if 0 <= r.choice < len(row):
            row[r.choice] = r.n
    names = dict(
        conn.execute(
            sa.select(org_units.c.org_unit_id, org_units.c.name).where(
                org_units.c.org_unit_id.in_([c for c in counts if c is not None])
            )
        ).all()
    )
    result = []
    for unit_id, n in counts.items():
        shown = cell_count(n)
        result.append(
            UnitCell(
                org_unit_id=unit_id,
                name=names.get(unit_id) if unit_id is not None else None,
                answers=shown,
                means=dict(means[unit_id]) if shown is not None else {},
                option_counts=dict(option_counts[unit_id]) if shown is not None else {},
            )
        )
    # Sorted here, not in SQL: collations order Chinese names differently.
    return sorted(result, key=lambda c: (c.org_unit_id is None, c.name or "", str(c.org_unit_id)))


@dataclass(frozen=True)
class AnswerRow:
    """One answer as exported: when, under which unit, and its values per question."""

    answered_at: datetime
    unit_name: str | None
    values: dict[str, list[int | float | str]]


def answer_rows(
    conn: sa.Connection, survey_id: UUID, version: int, *, limit: int, offset: int = 0
) -> list[AnswerRow]:
    """A page of the version's answers, earliest first: who answered is never in them."""
    a, v = survey_answers.c, survey_answer_values.c
    page = (
        sa.select(a.answer_id, a.answered_at, org_units.c.name.label("unit_name"))
        .outerjoin(org_units, org_units.c.org_unit_id == a.org_unit_id)
        .where(a.survey_id == survey_id, a.survey_version == version)
        .order_by(a.answered_at, a.answer_id)
        .limit(limit)
        .offset(offset)
    ).subquery()
    kinds = {q.key: q.kind for q in questions_of(conn, survey_id, version)}
    rows: dict[UUID, AnswerRow] = {}
    order: list[UUID] = []
    for r in conn.execute(sa.select(page).order_by(page.c.answered_at, page.c.answer_id)):
        rows[r.answer_id] = AnswerRow(as_utc(r.answered_at), r.unit_name, {})
        order.append(r.answer_id)
    for r in conn.execute(
        sa.select(v.answer_id, v.question_key, v.choice, v.number, v.text)
        .where(v.answer_id.in_(sa.select(page.c.answer_id)))
        .order_by(v.answer_id, v.question_key, v.seq)
    ):
        kind = kinds.get(r.question_key)
        value: int | float | str
        if kind is QuestionKind.TEXT:
            value = r.text
        elif kind is QuestionKind.NUMBER:
            value = int(r.number) if float(r.number).is_integer() else float(r.number)
        else:
            value = r.choice
        rows[r.answer_id].values.setdefault(r.question_key, []).append(value)
    return [rows[answer_id] for answer_id in order]
