"""Youth-league cadres (团干部): their kind, assigned grassroots points and "1+100" list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.ids import keyed_id
from grassroots.domain.values import require_aware, require_reason, require_text
from grassroots.domain.volunteer import normalise_phone

__all__ = ["Cadre", "CadreKind", "Contact"]

# A cadre usually has one township-level and one village-level point; a few
# more are allowed for cadres covering a whole street, but not an open list.
MAX_ASSIGNED_POINTS = 5


class CadreKind(StrEnum):
    FULL_TIME = "full_time"  # 专职
    SECONDED = "seconded"  # 挂职
    PART_TIME = "part_time"  # 兼职


@dataclass(frozen=True)
class Contact:
    """A youth on a cadre's direct-contact list."""

    id: UUID
    name: str
    phone: str
    walk_of_life: str


class Cadre(Aggregate):
    class Registered(Aggregate.Created):
        name: str
        kind: str
        org_unit_id: UUID
        point_ids: list[UUID]
        at: datetime

    class PointsReassigned(Aggregate.Event):
        point_ids: list[UUID]
        at: datetime

    class ContactAdded(Aggregate.Event):
        contact_id: UUID
        name: str
        phone: str
        walk_of_life: str
        at: datetime

    class ContactRemoved(Aggregate.Event):
        contact_id: UUID
        reason: str
        at: datetime

    @classmethod
    def register(
        cls,
        *,
        name: str,
        kind: CadreKind,
        org_unit_id: UUID,
        point_ids: Sequence[UUID],
        at: datetime,
    ) -> Cadre:
        return cls(
            name=require_text(name, "name", max_length=50),
            kind=_checked_kind(kind).value,
            org_unit_id=org_unit_id,
            point_ids=_checked_points(point_ids),
            at=require_aware(at),
        )

    @event(Registered)
    def __init__(
        self, name: str, kind: str, org_unit_id: UUID, point_ids: list[UUID], at: datetime
    ) -> None:
        self.name = name
        self.kind = CadreKind(kind)
        self.org_unit_id = org_unit_id
        self.point_ids = list(point_ids)
        self.contacts: dict[UUID, Contact] = {}
        # The id each removed youth had, by phone: listed again, they get it back.
        self._former_contact_ids: dict[str, UUID] = {}

    def reassign_points(self, point_ids: Sequence[UUID], *, at: datetime) -> None:
        points = _checked_points(point_ids)
        if set(points) != set(self.point_ids):
            self._points_reassigned(point_ids=points, at=require_aware(at))

    @event(PointsReassigned)
    def _points_reassigned(self, point_ids: list[UUID], at: datetime) -> None:
        self.point_ids = list(point_ids)

    def contact_id_for(self, phone: str, id_secret: bytes) -> UUID:
        """The id of a youth on this cadre's list: one per phone, so a youth listed,
        removed and listed again is one contact. Keyed by the server's secret, since
        supervisors see contact ids but not the phones behind them."""
        number = normalise_phone(phone)
        former = self._former_contact_ids.get(number)
        if former is not None:
            return former
        return keyed_id(id_secret, "contact", str(self.id), number)

    def add_contact(
        self, *, name: str, phone: str, walk_of_life: str, at: datetime, id_secret: bytes
    ) -> UUID:
        number = normalise_phone(phone)
        # By phone, not by id: contacts listed before ids were keyed keep earlier ids.
        if any(c.phone == number for c in self.contacts.values()):
            raise NotAllowed("this youth is already on the list", code="contact-already-listed")
        contact_id = self.contact_id_for(number, id_secret)
        self._contact_added(
            contact_id=contact_id,
            name=require_text(name, "name", max_length=50),
            phone=normalise_phone(phone),
            walk_of_life=require_text(walk_of_life, "walk_of_life", max_length=50),
            at=require_aware(at),
        )
        return contact_id

    @event(ContactAdded)
    def _contact_added(
        self, contact_id: UUID, name: str, phone: str, walk_of_life: str, at: datetime
    ) -> None:
        self.contacts[contact_id] = Contact(contact_id, name, phone, walk_of_life)

    def remove_contact(self, contact_id: UUID, *, reason: str, at: datetime) -> None:
        if contact_id not in self.contacts:
            raise NotAllowed("this youth is not on the list", code="contact-not-listed")
        self._contact_removed(
            contact_id=contact_id, reason=require_reason(reason), at=require_aware(at)
        )

    @event(ContactRemoved)
    def _contact_removed(self, contact_id: UUID, reason: str, at: datetime) -> None:
        removed = self.contacts.pop(contact_id)
        self._former_contact_ids[removed.phone] = contact_id

    def is_assigned_to(self, point_id: UUID) -> bool:
        return point_id in self.point_ids


def _checked_kind(kind: CadreKind | str) -> CadreKind:
    try:
        return CadreKind(kind)
    except ValueError:
        raise InvalidValue(f"unknown cadre kind {kind!r}", code="cadre-kind-invalid") from None


def _checked_points(point_ids: Sequence[UUID]) -> list[UUID]:
    points = list(dict.fromkeys(point_ids))
    if len(points) != len(point_ids):
        raise InvalidValue("a point is listed twice", code="points-duplicated")
    if len(points) > MAX_ASSIGNED_POINTS:
        raise InvalidValue(
            f"at most {MAX_ASSIGNED_POINTS} grassroots points per cadre", code="points-too-many"
        )
    return points
