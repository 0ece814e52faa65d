"""What more than one cadre resource shows: a problem as its raiser or its unit sees it,
and the text fields a problem is written with (raised on a visit or on its own)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.security.jwt import Token
from msgspec import Meta

from grassroots.api.auth import Caller
from grassroots.api.fields import LINE, LINES
from grassroots.application.service import Grassroots
from grassroots.domain.problem import Problem, ProblemState

__all__ = [
    "AnswerView",
    "CallerRequest",
    "LongText",
    "ProblemView",
    "ReopeningView",
    "Title",
    "problem_view",
]

CallerRequest = Request[Caller, Token, Any]

Title = Annotated[
    str, Meta(min_length=1, max_length=200, examples=["村里篮球场照明坏了"], extra_json_schema=LINE)
]
LongText = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=4000,
        examples=["晚上打球的青年反映灯不亮，已两周"],
        extra_json_schema=LINES,
    ),
]


class AnswerView(msgspec.Struct, kw_only=True):
    answered_at: datetime
    answered_by_name: Annotated[
        str | None, Meta(description="Who answered, by the name of their account.")
    ]
    answered_by: Annotated[
        UUID | None, Meta(description="The answering account: shown to administrators only.")
    ] = None
    answer: str


class ReopeningView(msgspec.Struct, kw_only=True):
    reopened_at: datetime
    reason: Annotated[str, Meta(description="Why the raiser found the answer not enough.")]


class ProblemView(msgspec.Struct, kw_only=True):
    problem_id: UUID
    cadre_id: UUID
    visit_id: UUID | None
    title: str
    description: str
    org_unit_id: UUID
    state: ProblemState
    raised_at: datetime
    answers: list[AnswerView]
    # Each time the cadre who raised it opened it again, oldest first.
    reopenings: list[ReopeningView]


def problem_view(app: Grassroots, caller: Caller, problem: Problem) -> ProblemView:
    """The problem as ``caller`` may see it: answers name who gave them, and only an
    administrator (who administers accounts) is shown the answering account's id."""
    names = app.account_names(by for _, by, _ in problem.answers)
    show_ids = caller.is_administrator
    return ProblemView(
        problem_id=problem.id,
        cadre_id=problem.cadre_id,
        visit_id=problem.visit_id,
        title=problem.title,
        description=problem.description,
        org_unit_id=problem.org_unit_id,
        state=problem.state,
        raised_at=problem.raised_at,
        answers=[
            AnswerView(
                answered_at=at,
                answered_by_name=names.get(by),
                answered_by=by if show_ids else None,
                answer=a,
            )
            for at, by, a in problem.answers
        ],
        reopenings=[ReopeningView(reopened_at=at, reason=why) for at, why in problem.reopenings],
    )
