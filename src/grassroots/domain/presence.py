"""Where a volunteer is checked in: one open attendance at a time.

A venue code is a code on a wall, so a photo of it could be scanned from
anywhere. Freshness and the geofence limit that; this aggregate closes the rest:
while an attendance is open, a check-in at another activity is refused. It is
saved in the same write as the attendance it opens or closes, so two check-ins
racing at two venues cannot both land (the store refuses the second version).

An attendance left open (no check-out) stops counting as open once its
activity's end plus the grace has passed, even before it is closed
automatically, so a forgotten check-out never locks a volunteer out.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import NotAllowed
from grassroots.domain.values import derived_id, require_aware

__all__ = ["CheckedInElsewhere", "Presence"]


class CheckedInElsewhere(NotAllowed):
    code = "checked-in-elsewhere"


class Presence(Aggregate):
    class Started(Aggregate.Created):
        volunteer_id: UUID

    class Entered(Aggregate.Event):
        activity_id: UUID
        open_until: datetime
        at: datetime

    class Left(Aggregate.Event):
        activity_id: UUID
        at: datetime

    @staticmethod
    def id_for(volunteer_id: UUID) -> UUID:
        return derived_id("presence", volunteer_id)

    @staticmethod
    def create_id(volunteer_id: UUID) -> UUID:
        return Presence.id_for(volunteer_id)

    @event(Started)
    def __init__(self, volunteer_id: UUID) -> None:
        self.volunteer_id = volunteer_id
        self.activity_id: UUID | None = None
        self.open_until: datetime | None = None

    def open_activity(self, at: datetime) -> UUID | None:
        """The activity the volunteer is still checked in at, if any, at ``at``."""
        if self.activity_id is None or self.open_until is None:
            return None
        return self.activity_id if require_aware(at) < self.open_until else None

    def enter(self, activity_id: UUID, *, open_until: datetime, at: datetime) -> None:
        current = self.open_activity(at)
        if current is not None and current != activity_id:
            raise CheckedInElsewhere(
                f"you are still checked in at another activity ({current}); check out there first"
            )
        self._entered(activity_id=activity_id, open_until=require_aware(open_until), at=at)

    @event(Entered)
    def _entered(self, activity_id: UUID, open_until: datetime, at: datetime) -> None:
        self.activity_id = activity_id
        self.open_until = open_until

    def leave(self, activity_id: UUID, *, at: datetime) -> None:
        # Leaving an activity that is no longer the open one changes nothing.
        if self.activity_id != activity_id:
            return
        self._left(activity_id=activity_id, at=require_aware(at))

    @event(Left)
    def _left(self, activity_id: UUID, at: datetime) -> None:
        self.activity_id = None
        self.open_until = None
