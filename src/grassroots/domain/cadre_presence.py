"""Where a cadre is: one visit under way at a time.

A cadre is at one grassroots point at a time. Scanning the same point's code again
while its visit is under way (the phone reloaded, the page was opened twice) goes
back to that visit instead of starting a second one beside it; starting at another
point is refused until the visit under way has ended, and the refusal names it so
the cadre can go and end it. Saved in the same write as the visit it opens or
closes, so two starts racing at two points cannot both land (the store refuses the
second version).

Unlike a volunteer's attendance, a visit has no planned end: a stay of several days
is one visit (see ``compliance``). So a visit under way never lapses on its own; the
cadre ends it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import NotAllowed
from grassroots.domain.values import derived_id, require_aware

__all__ = ["CadrePresence", "VisitUnderWay"]


class VisitUnderWay(NotAllowed):
    """A visit was started while another, at another point, is still under way."""

    code = "visit-under-way"

    def __init__(self, visit_id: UUID, point_id: UUID) -> None:
        super().__init__(
            f"the visit {visit_id} at point {point_id} is still under way; end it first"
        )
        self.visit_id = visit_id
        self.point_id = point_id


class CadrePresence(Aggregate):
    class Started(Aggregate.Created):
        cadre_id: UUID

    class Arrived(Aggregate.Event):
        visit_id: UUID
        point_id: UUID
        at: datetime

    class Left(Aggregate.Event):
        visit_id: UUID
        at: datetime

    @staticmethod
    def id_for(cadre_id: UUID) -> UUID:
        return derived_id("cadre-presence", cadre_id)

    @staticmethod
    def create_id(cadre_id: UUID) -> UUID:
        return CadrePresence.id_for(cadre_id)

    @event(Started)
    def __init__(self, cadre_id: UUID) -> None:
        self.cadre_id = cadre_id
        self.visit_id: UUID | None = None
        self.point_id: UUID | None = None

    def visit_to_resume(self, point_id: UUID) -> UUID | None:
        """The visit under way at ``point_id``, which a new scan there goes back to."""
        return self.visit_id if self.point_id == point_id else None

    def arrive(self, visit_id: UUID, point_id: UUID, *, at: datetime) -> None:
        """Record ``visit_id`` as the one under way; refused while another one is."""
        if self.visit_id is not None and self.point_id is not None:
            raise VisitUnderWay(self.visit_id, self.point_id)
        self._arrived(visit_id=visit_id, point_id=point_id, at=require_aware(at))

    @event(Arrived)
    def _arrived(self, visit_id: UUID, point_id: UUID, at: datetime) -> None:
        self.visit_id = visit_id
        self.point_id = point_id

    def leave(self, visit_id: UUID, *, at: datetime) -> None:
        # Ending a visit that is not the one under way (one started before this
        # record was kept) changes nothing here.
        if self.visit_id != visit_id:
            return
        self._left(visit_id=visit_id, at=require_aware(at))

    @event(Left)
    def _left(self, visit_id: UUID, at: datetime) -> None:
        self.visit_id = None
        self.point_id = None
