"""Volunteers (志愿者), and the claim that lets one phone number register only one of them.

The claim is an aggregate of its own whose id is derived from the normalised
phone number, keyed by the server's secret (``domain/ids.py``). Registering
saves the volunteer and the claim in one atomic write, so two registrations
racing with the same number cannot both land: the event store's unique
(id, version) key refuses the second claim.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.ids import keyed_id
from grassroots.domain.values import (
    derived_id,
    local_date,
    require_aware,
    require_reason,
    require_text,
    time_zone,
)

__all__ = ["PhoneClaim", "Volunteer", "mask_phone", "normalise_phone"]

_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalise_phone(raw: str) -> str:
    """A mainland China mobile number as 11 digits, without country code or separators."""
    # Chinese input methods often type full-width digits and signs; NFKC folds them
    # to ASCII, and the pattern then refuses digits of any other script.
    digits = re.sub(r"[\s\-().]", "", unicodedata.normalize("NFKC", raw))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MAINLAND_MOBILE.fullmatch(digits):
        raise InvalidValue("not a mainland mobile phone number", code="phone-invalid")
    return digits


# Digits kept at each end of a masked number: the carrier's prefix and the last four,
# enough for staff calling the roll to tell two volunteers of the same name apart.
_MASK_HEAD = 3
_MASK_TAIL = 4


def mask_phone(phone: str) -> str:
    """A phone number as staff may see it: ``138****1234``.

    The middle always becomes four stars, whatever its length, so the mask does
    not tell how long the number was. A number too short to keep both ends and
    hide anything is hidden whole.
    """
    if len(phone) <= _MASK_HEAD + _MASK_TAIL:
        return "*" * len(phone)
    return f"{phone[:_MASK_HEAD]}****{phone[-_MASK_TAIL:]}"


class PhoneClaim(Aggregate):
    class Claimed(Aggregate.Created):
        phone: str
        volunteer_id: UUID
        at: datetime

    @staticmethod
    def id_for(phone: str, id_secret: bytes) -> UUID:
        """The id of a new claim on this phone (keyed by the server's secret)."""
        return keyed_id(id_secret, "phone", normalise_phone(phone))

    @staticmethod
    def legacy_id_for(phone: str) -> UUID:
        """The id a claim on this phone was given before ids were keyed."""
        return derived_id("phone", normalise_phone(phone))

    @staticmethod
    def ids_for(phone: str, id_secret: bytes) -> tuple[UUID, UUID]:
        """Every id a claim on this phone may have, the one of new claims first."""
        return PhoneClaim.id_for(phone, id_secret), PhoneClaim.legacy_id_for(phone)

    @event(Claimed)
    def __init__(self, phone: str, volunteer_id: UUID, at: datetime) -> None:
        self.phone = phone
        self.volunteer_id = volunteer_id


class Volunteer(Aggregate):
    class Registered(Aggregate.Created):
        name: str
        phone: str
        birth_date: str
        org_unit_id: UUID
        at: datetime

    class ProfileChanged(Aggregate.Event):
        name: str
        birth_date: str
        org_unit_id: UUID
        at: datetime

    class Suspended(Aggregate.Event):
        reason: str
        at: datetime

    class Reinstated(Aggregate.Event):
        at: datetime

    @classmethod
    def register(
        cls,
        *,
        name: str,
        phone: str,
        birth_date: date,
        org_unit_id: UUID,
        at: datetime,
        id_secret: bytes,
        time_zone_name: str = "Asia/Shanghai",
    ) -> tuple[Volunteer, PhoneClaim]:
        """The new volunteer and the phone claim that must be saved with it."""
        _check_birth_date(birth_date, local_date(require_aware(at), time_zone(time_zone_name)))
        number = normalise_phone(phone)
        volunteer = cls(
            name=require_text(name, "name", max_length=50),
            phone=number,
            birth_date=birth_date.isoformat(),
            org_unit_id=org_unit_id,
            at=at,
        )
        claim = PhoneClaim._create(
            PhoneClaim.Claimed,
            id=PhoneClaim.id_for(number, id_secret),
            phone=number,
            volunteer_id=volunteer.id,
            at=at,
        )
        return volunteer, claim

    @event(Registered)
    def __init__(
        self, name: str, phone: str, birth_date: str, org_unit_id: UUID, at: datetime
    ) -> None:
        self.name = name
        self.phone = phone
        self.birth_date = date.fromisoformat(birth_date)
        self.org_unit_id = org_unit_id
        self.suspension_reason: str | None = None

    @property
    def is_suspended(self) -> bool:
        return self.suspension_reason is not None

    def change_profile(
        self,
        *,
        at: datetime,
        name: str | None = None,
        birth_date: date | None = None,
        org_unit_id: UUID | None = None,
        time_zone_name: str = "Asia/Shanghai",
    ) -> None:
        new_name = self.name if name is None else require_text(name, "name", max_length=50)
        new_birth = self.birth_date if birth_date is None else birth_date
        _check_birth_date(new_birth, local_date(require_aware(at), time_zone(time_zone_name)))
        new_unit = self.org_unit_id if org_unit_id is None else org_unit_id
        if (new_name, new_birth, new_unit) == (self.name, self.birth_date, self.org_unit_id):
            return
        self._profile_changed(
            name=new_name, birth_date=new_birth.isoformat(), org_unit_id=new_unit, at=at
        )

    @event(ProfileChanged)
    def _profile_changed(self, name: str, birth_date: str, org_unit_id: UUID, at: datetime) -> None:
        self.name = name
        self.birth_date = date.fromisoformat(birth_date)
        self.org_unit_id = org_unit_id

    def suspend(self, reason: str, *, at: datetime) -> None:
        if self.is_suspended:
            raise AlreadyClosed("the volunteer is already suspended", code="volunteer-suspended")
        self._suspended(reason=require_reason(reason), at=require_aware(at))

    @event(Suspended)
    def _suspended(self, reason: str, at: datetime) -> None:
        self.suspension_reason = reason

    def reinstate(self, *, at: datetime) -> None:
        if not self.is_suspended:
            raise NotAllowed("the volunteer is not suspended", code="volunteer-not-suspended")
        self._reinstated(at=require_aware(at))

    @event(Reinstated)
    def _reinstated(self, at: datetime) -> None:
        self.suspension_reason = None

    def require_active(self) -> None:
        if self.is_suspended:
            raise AlreadyClosed("the volunteer is suspended", code="volunteer-suspended")


def _check_birth_date(birth_date: date, today: date) -> None:
    if birth_date >= today:
        raise InvalidValue("birth date must be in the past", code="birth-date-invalid")
    if today.year - birth_date.year > 120:
        raise InvalidValue("birth date is implausibly early", code="birth-date-invalid")
