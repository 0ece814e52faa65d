"""Commands on volunteers: registration (one per phone number), profile, suspension."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from grassroots.application.core import Core
from grassroots.application.errors import AlreadyTaken, ConcurrentChange, NotFound
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.volunteer import PhoneClaim, Volunteer

__all__ = ["VolunteerCommands"]


class VolunteerCommands(Core):
    def register_volunteer(
        self, *, name: str, phone: str, birth_date: date, org_unit_id: UUID
    ) -> UUID:
        unit = self.get(OrgUnit, org_unit_id)
        volunteer, claim = Volunteer.register(
            name=name,
            phone=phone,
            birth_date=birth_date,
            org_unit_id=org_unit_id,
            at=self.now(),
            id_secret=self.config.secret_key,
            time_zone_name=unit.time_zone,
        )
        if self.exists(PhoneClaim.legacy_id_for(phone)):
            raise _phone_taken()
        try:
            # Both in one write: the claim's id is derived from the phone number,
            # so the store itself refuses a second volunteer with the same number.
            self.commit(volunteer, claim)
        except ConcurrentChange:
            if self.exists(claim.id):
                raise _phone_taken() from None
            raise
        return volunteer.id

    def volunteer_id_for_phone(self, phone: str) -> UUID:
        claim_ids = PhoneClaim.ids_for(phone, self.config.secret_key)
        for claim_id in claim_ids:
            if (claim := self.find(PhoneClaim, claim_id)) is not None:
                return claim.volunteer_id
        raise NotFound("volunteer", claim_ids[0])

    def change_volunteer_profile(
        self,
        volunteer_id: UUID,
        *,
        name: str | None = None,
        birth_date: date | None = None,
        org_unit_id: UUID | None = None,
    ) -> None:
        volunteer = self.get(Volunteer, volunteer_id)
        if org_unit_id is not None:
            self.get(OrgUnit, org_unit_id)
        unit = self.get(OrgUnit, org_unit_id or volunteer.org_unit_id)
        volunteer.change_profile(
            at=self.now(),
            name=name,
            birth_date=birth_date,
            org_unit_id=org_unit_id,
            time_zone_name=unit.time_zone,
        )
        self.commit(volunteer)

    def suspend_volunteer(self, volunteer_id: UUID, *, reason: str) -> None:
        volunteer = self.get(Volunteer, volunteer_id)
        volunteer.suspend(reason, at=self.now())
        self.commit(volunteer)

    def reinstate_volunteer(self, volunteer_id: UUID) -> None:
        volunteer = self.get(Volunteer, volunteer_id)
        volunteer.reinstate(at=self.now())
        self.commit(volunteer)


def _phone_taken() -> AlreadyTaken:
    # Claims made before ids were keyed keep their earlier id, and no new claim is
    # ever made under such an id, so a look for one there cannot go stale: checking
    # it before the write is as safe as the store's unique key for the keyed id.
    return AlreadyTaken("this phone number is already registered", code="phone-taken")
