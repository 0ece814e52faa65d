"""The contract every read model keeps with its base class, checked for each of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.domain.account import Grant, Role
from grassroots.domain.certificate import Certificate, ServedMinutes, draw_up
from grassroots.domain.experience import AuthorKind, ExperiencePost
from grassroots.domain.problem import Problem
from grassroots.domain.survey import Audience, Question, QuestionKind, Survey
from grassroots.projections.engine import Projection
from grassroots.projections.runner import EventLog
from grassroots.simulation import HistoryShape, generate_history

SMALL = HistoryShape(weeks=1, townships=1, villages_per_township=1, volunteers=6, cadres=2)


@pytest.mark.parametrize("kind", ALL_PROJECTIONS, ids=lambda kind: kind.name)
def test_each_read_model_writes_rows_when_handed_one_event_at_a_time(
    app: Grassroots, read_engine: Engine, kind: type[Projection]
) -> None:
    generate_history(app, seed=5, shape=SMALL)
    # A small history may raise no problem by chance: raise one for sure.
    problem = Problem.raise_problem(
        cadre_id=uuid4(),
        title="活动场地不足",
        description="需要协调场地",
        org_unit_id=uuid4(),
        visit_id=uuid4(),
        at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
    )
    app.save(problem)
    # Nor does it write experience posts.
    post = ExperiencePost.write(
        author_id=uuid4(),
        author_name="李书记",
        author_kind=AuthorKind.CADRE,
        author_subject_id=uuid4(),
        org_unit_id=uuid4(),
        title="走访体会",
        text="先听后说",
        at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    )
    post.like(by=uuid4(), at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    app.save(post)
    # Nor does it design a survey.
    survey = Survey.design(
        title="青年需求调研",
        intro="",
        org_unit_id=uuid4(),
        audience=Audience.ANYONE_WITH_LINK,
        opens_at=datetime(2026, 3, 2, tzinfo=UTC),
        closes_at=datetime(2026, 3, 9, tzinfo=UTC),
        time_zone="Asia/Shanghai",
        questions=[Question("", "满意度", QuestionKind.RATING)],
        designed_by=uuid4(),
        at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
    )
    app.save(survey)
    # Nor does it issue a certificate.
    facts = draw_up(
        serial="7K3M-9QXD-2HFA",
        volunteer_name="王小明",
        from_day=date(2026, 3, 1),
        to_day=date(2026, 3, 2),
        served=[ServedMinutes(uuid4(), date(2026, 3, 2), "社区环境清洁", "东风社区青年之家", 60)],
        today=date(2026, 3, 2),
        at=datetime(2026, 3, 2, 4, 0, tzinfo=UTC),
    )
    app.save(Certificate.issue(facts, volunteer_id=uuid4(), pdf_sha256="0" * 64))
    # Nor does it open an account an administrator makes.
    app.use_password_hasher(password_hasher(fast=True))
    app.open_account(
        phone="13900000009",
        name="张老师",
        password="correct horse battery",
        grants=[Grant(Role.ADMINISTRATOR)],
    )
    log = EventLog(app.recorder, app.mapper)
    events = log.read(after=0, limit=100_000, stop=log.last_position(), topics=kind.topics())
    assert events, f"the history has no event {kind.name} reads"
    projection = kind()

    with read_engine.begin() as conn:
        for context, event in events:
            projection.handle(conn, event, context)

    with read_engine.connect() as conn:
        written = {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in kind.tables
        }
    assert sum(written.values()) > 0, written
