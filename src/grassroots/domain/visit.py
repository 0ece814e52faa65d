"""A cadre's downtime visit (下沉 / 走访) to a grassroots point.

The events carry every fact the "8+4" judgement needs (which point, whether it
was assigned to the cadre when the visit started, how presence was proven,
start and end), so a later rule set can re-judge old visits without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.values import Geofence, GeoPoint, require_aware, require_text

__all__ = ["LocationProof", "QrProof", "Visit", "VisitProof"]

MAX_LOG_ENTRIES = 200


@dataclass(frozen=True)
class QrProof:
    """The cadre scanned the point's rotating code; the caller verified the token."""

    token_step: int


@dataclass(frozen=True)
class LocationProof:
    """The cadre's phone reported a position; the visit checks it against the point's fence."""

    position: GeoPoint
    accuracy_m: float


VisitProof = QrProof | LocationProof


class Visit(Aggregate):
    class Started(Aggregate.Created):
        cadre_id: UUID
        point_id: UUID
        point_was_assigned: bool
        proof: str
        token_step: int | None
        location_lat: float | None
        location_lon: float | None
        location_accuracy_m: float | None
        at: datetime

    class LogWritten(Aggregate.Event):
        text: str
        at: datetime

    class ProblemRaised(Aggregate.Event):
        problem_id: UUID
        title: str
        at: datetime

    class YouthMet(Aggregate.Event):
        contact_id: UUID | None
        name: str
        at: datetime

    class Ended(Aggregate.Event):
        at: datetime

    @classmethod
    def start(
        cls,
        *,
        cadre_id: UUID,
        point_id: UUID,
        point_was_assigned: bool,
        point_geofence: Geofence,
        proof: VisitProof,
        at: datetime,
    ) -> Visit:
        """Start a visit proven by a scan or by a position inside the point's geofence.

        A visit to a point not assigned to the cadre is still recorded (the work
        happened) but the judgement will not count it; the event says so.
        """
        require_aware(at)
        if isinstance(proof, QrProof):
            return cls(
                cadre_id=cadre_id,
                point_id=point_id,
                point_was_assigned=point_was_assigned,
                proof="qr",
                token_step=proof.token_step,
                location_lat=None,
                location_lon=None,
                location_accuracy_m=None,
                at=at,
            )
        if proof.accuracy_m > point_geofence.max_accuracy_m:
            raise NotAllowed(
                "the reported location is too imprecise to prove presence",
                code="location-too-imprecise",
            )
        if not point_geofence.admits(proof.position, proof.accuracy_m):
            raise NotAllowed("the reported location is outside the point", code="outside-geofence")
        return cls(
            cadre_id=cadre_id,
            point_id=point_id,
            point_was_assigned=point_was_assigned,
            proof="geofence",
            token_step=None,
            location_lat=proof.position.lat,
            location_lon=proof.position.lon,
            location_accuracy_m=float(proof.accuracy_m),
            at=at,
        )

    @event(Started)
    def __init__(
        self,
        cadre_id: UUID,
        point_id: UUID,
        point_was_assigned: bool,
        proof: str,
        token_step: int | None,
        location_lat: float | None,
        location_lon: float | None,
        location_accuracy_m: float | None,
        at: datetime,
    ) -> None:
        self.cadre_id = cadre_id
        self.point_id = point_id
        self.point_was_assigned = point_was_assigned
        self.proof = proof
        self.started_at = at
        self.last_activity_at = at
        self.ended_at: datetime | None = None
        self.log: list[tuple[datetime, str]] = []
        self.problem_ids: list[UUID] = []
        self.youths_met: list[tuple[UUID | None, str]] = []

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None

    def write_log(self, text: str, *, at: datetime) -> None:
        self._require_under_way(at)
        if len(self.log) >= MAX_LOG_ENTRIES:
            raise NotAllowed("the work log of this visit is full", code="visit-log-full")
        self._log_written(text=require_text(text, "text", max_length=4000, multiline=True), at=at)

    @event(LogWritten)
    def _log_written(self, text: str, at: datetime) -> None:
        self.log.append((at, text))
        self.last_activity_at = max(self.last_activity_at, at)

    def note_problem(self, *, problem_id: UUID, title: str, at: datetime) -> None:
        self._require_under_way(at)
        if problem_id in self.problem_ids:
            return
        self._problem_raised(problem_id=problem_id, title=require_text(title, "title"), at=at)

    @event(ProblemRaised)
    def _problem_raised(self, problem_id: UUID, title: str, at: datetime) -> None:
        self.problem_ids.append(problem_id)
        self.last_activity_at = max(self.last_activity_at, at)

    def meet_youth(self, *, name: str, at: datetime, contact_id: UUID | None = None) -> None:
        """Record a youth met face to face; ``contact_id`` links one on the cadre's list."""
        self._require_under_way(at)
        self._youth_met(
            contact_id=contact_id, name=require_text(name, "name", max_length=50), at=at
        )

    @event(YouthMet)
    def _youth_met(self, contact_id: UUID | None, name: str, at: datetime) -> None:
        self.youths_met.append((contact_id, name))
        self.last_activity_at = max(self.last_activity_at, at)

    def end(self, *, at: datetime) -> None:
        self._require_under_way(at)
        if at < self.last_activity_at:
            raise InvalidValue(
                "a visit cannot end before its last recorded work", code="end-before-last-entry"
            )
        self._ended(at=at)

    @event(Ended)
    def _ended(self, at: datetime) -> None:
        self.ended_at = at

    def _require_under_way(self, at: datetime) -> None:
        require_aware(at)
        if self.ended_at is not None:
            raise AlreadyClosed("the visit has ended", code="visit-ended")
        if at < self.started_at:
            raise InvalidValue("this happens before the visit started", code="before-visit-start")
