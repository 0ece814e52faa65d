"""Problems (问题反馈) brought back from the grassroots and routed to the unit that must answer.

How long a problem stays open is what supervisors watch, so every change of
state is its own event with its own instant.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed, NotAllowed
from grassroots.domain.values import require_aware, require_reason, require_text

__all__ = ["Problem", "ProblemState"]


class ProblemState(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


class Problem(Aggregate):
    class Raised(Aggregate.Created):
        cadre_id: UUID
        visit_id: UUID | None
        title: str
        description: str
        org_unit_id: UUID
        at: datetime

    class Rerouted(Aggregate.Event):
        org_unit_id: UUID
        reason: str
        at: datetime

    class Answered(Aggregate.Event):
        answer: str
        answered_by: UUID
        at: datetime

    class Closed(Aggregate.Event):
        closed_by: UUID
        at: datetime

    class Reopened(Aggregate.Event):
        reason: str
        reopened_by: UUID
        at: datetime

    @classmethod
    def raise_problem(
        cls,
        *,
        cadre_id: UUID,
        title: str,
        description: str,
        org_unit_id: UUID,
        at: datetime,
        visit_id: UUID | None = None,
    ) -> Problem:
        return cls(
            cadre_id=cadre_id,
            visit_id=visit_id,
            title=require_text(title, "title"),
            description=require_text(description, "description", max_length=4000, multiline=True),
            org_unit_id=org_unit_id,
            at=require_aware(at),
        )

    @event(Raised)
    def __init__(
        self,
        cadre_id: UUID,
        visit_id: UUID | None,
        title: str,
        description: str,
        org_unit_id: UUID,
        at: datetime,
    ) -> None:
        self.cadre_id = cadre_id
        self.visit_id = visit_id
        self.title = title
        self.description = description
        self.org_unit_id = org_unit_id
        self.raised_at = at
        self.state = ProblemState.OPEN
        self.answers: list[tuple[datetime, UUID, str]] = []
        # Each reopening by the raiser: when, and why the answer did not settle it.
        self.reopenings: list[tuple[datetime, str]] = []

    @property
    def may_be_answered(self) -> bool:
        """An answer is taken until the problem is closed (``answer`` refuses after)."""
        return self.state is not ProblemState.CLOSED

    @property
    def may_be_closed(self) -> bool:
        """Closing needs an answer first: a problem is closed by dealing with it."""
        return self.state is ProblemState.ANSWERED

    @property
    def may_be_reopened(self) -> bool:
        """Only a closed problem is reopened (by the cadre who raised it)."""
        return self.state is ProblemState.CLOSED

    def reroute(self, *, org_unit_id: UUID, reason: str, at: datetime) -> None:
        self._require_not_closed()
        if org_unit_id == self.org_unit_id:
            return
        self._rerouted(org_unit_id=org_unit_id, reason=require_reason(reason), at=require_aware(at))

    @event(Rerouted)
    def _rerouted(self, org_unit_id: UUID, reason: str, at: datetime) -> None:
        self.org_unit_id = org_unit_id

    def answer(self, text: str, *, answered_by: UUID, at: datetime) -> None:
        self._require_not_closed()
        self._answered(
            answer=require_text(text, "answer", max_length=4000, multiline=True),
            answered_by=answered_by,
            at=require_aware(at),
        )

    @event(Answered)
    def _answered(self, answer: str, answered_by: UUID, at: datetime) -> None:
        self.answers.append((at, answered_by, answer))
        self.state = ProblemState.ANSWERED

    def close(self, *, closed_by: UUID, at: datetime) -> None:
        """Closing needs an answer first: a problem is closed by dealing with it."""
        self._require_not_closed()
        if not self.may_be_closed:
            raise NotAllowed("answer the problem before closing it", code="problem-unanswered")
        self._closed(closed_by=closed_by, at=require_aware(at))

    @event(Closed)
    def _closed(self, closed_by: UUID, at: datetime) -> None:
        self.state = ProblemState.CLOSED

    def reopen(self, *, reason: str, reopened_by: UUID, at: datetime) -> None:
        if not self.may_be_reopened:
            raise NotAllowed("only a closed problem can be reopened", code="problem-not-closed")
        if reopened_by != self.cadre_id:
            raise NotAllowed(
                "only the cadre who raised the problem can reopen it", code="problem-not-yours"
            )
        self._reopened(reason=require_reason(reason), reopened_by=reopened_by, at=require_aware(at))

    @event(Reopened)
    def _reopened(self, reason: str, reopened_by: UUID, at: datetime) -> None:
        self.state = ProblemState.OPEN
        self.reopenings.append((at, reason))

    def _require_not_closed(self) -> None:
        if self.state is ProblemState.CLOSED:
            raise AlreadyClosed("the problem is closed", code="problem-closed")
