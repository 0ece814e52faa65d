"""Commands on activities and attendance: posting, sign-ups, venue codes, scans, corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from grassroots.application.core import Core
from grassroots.application.errors import ConcurrentChange, NotFound
from grassroots.application.retrying import retried
from grassroots.domain.activity import Activity, SignUpStatus, staff_addition_area
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.errors import NotAllowed
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.presence import Presence
from grassroots.domain.qr_token import (
    QrSubject,
    SubjectKind,
    current_token,
    held_scan_at,
    next_rotation_at,
)
from grassroots.domain.values import GeoPoint
from grassroots.domain.volunteer import Volunteer

__all__ = ["ActivityCommands", "ScanContext", "VenueCode"]


@dataclass(frozen=True)
class VenueCode:
    """The token a venue screen shows: it should be replaced at ``replaced_at`` and
    is still accepted until ``expires_at`` (one rotation later), so a volunteer who
    scanned just before the change is not turned away."""

    token: str
    replaced_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ScanContext:
    """What the phone sent with a scan. Kept as evidence, never trusted for time."""

    device_id: str | None = None
    client_time: datetime | None = None
    location: GeoPoint | None = None
    accuracy_m: float | None = None


class ActivityCommands(Core):
    def post_activity(
        self,
        center_id: UUID,
        *,
        title: str,
        description: str,
        category: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int | None = None,
        sign_up_required: bool = True,
        location_required: bool = False,
        location: GeoPoint | None = None,
        geofence_radius_m: float | None = None,
    ) -> UUID:
        """Post an activity; it takes place at the center unless another location is given."""
        center = self.get(Center, center_id)
        center.require_open()
        place = location or center.location
        activity = Activity.post(
            center_id=center_id,
            title=title,
            description=description,
            category=category,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            location=place,
            geofence_radius_m=geofence_radius_m or center.geofence_radius_m,
            location_required=location_required,
            sign_up_required=sign_up_required,
            at=self.now(),
        )
        self.commit(activity)
        return activity.id

    def change_activity_details(
        self,
        activity_id: UUID,
        *,
        title: str | None = None,
        description: str | None = None,
        category: str | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        capacity: int | None = None,
        capacity_unlimited: bool = False,
        location: GeoPoint | None = None,
        geofence_radius_m: float | None = None,
        location_required: bool | None = None,
        sign_up_required: bool | None = None,
    ) -> list[UUID]:
        """Change details before the start; the volunteers promoted from the waiting list."""
        activity = self.get(Activity, activity_id)
        promoted = activity.change_details(
            title=title,
            description=description,
            category=category,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            capacity_unlimited=capacity_unlimited,
            location=location,
            geofence_radius_m=geofence_radius_m,
            location_required=location_required,
            sign_up_required=sign_up_required,
            policy=self.config.credit_policy,
            at=self.now(),
        )
        self.commit(activity)
        return promoted

    def cancel_activity(self, activity_id: UUID, *, reason: str) -> None:
        activity = self.get(Activity, activity_id)
        activity.cancel(reason, at=self.now())
        self.commit(activity)

    def sign_up(self, activity_id: UUID, volunteer_id: UUID) -> SignUpStatus:
        self.get(Volunteer, volunteer_id).require_active()
        activity = self.get(Activity, activity_id)
        status = activity.sign_up(volunteer_id, at=self.now())
        self.commit(activity)
        return status

    def withdraw(self, activity_id: UUID, volunteer_id: UUID) -> UUID | None:
        """Give up a place; the volunteer promoted into it from the waiting list, if any."""
        activity = self.get(Activity, activity_id)
        promoted = activity.withdraw(volunteer_id, at=self.now())
        self.commit(activity)
        return promoted

    def venue_code(self, activity_id: UUID) -> VenueCode:
        """The code the venue screen shows now, and when the next one replaces it."""
        self.get(Activity, activity_id)
        return self.rotating_code(QrSubject(SubjectKind.ACTIVITY, activity_id))

    def rotating_code(self, subject: QrSubject) -> VenueCode:
        """The current code of an activity or a grassroots point (no existence check)."""
        now = self.now()
        token, expires_at = current_token(
            secret=self.config.secret_key,
            subject=subject,
            at=now,
            rotation_seconds=self.config.qr_rotation_seconds,
        )
        replaced_at = next_rotation_at(now, self.config.qr_rotation_seconds)
        return VenueCode(token=token, replaced_at=replaced_at, expires_at=expires_at)

    def check_in(
        self,
        activity_id: UUID,
        volunteer_id: UUID,
        *,
        token: str,
        scan: ScanContext | None = None,
        seen_at: datetime | None = None,
    ) -> Attendance:
        """Check in by scanning the venue code. A repeated scan changes nothing and
        answers with the attendance that the first one opened.

        ``seen_at``: when the server itself saw ``token`` fresh on this phone (a held
        scan, never the phone's word); the code is then checked at that instant,
        if it is recent enough (``held_scan_at``), and everything else at now."""
        # Another check-in of the same volunteer may land first (here or at another
        # venue); look again with what it wrote: same answer, or checked in elsewhere.
        return retried(
            lambda: self._check_in(
                activity_id, volunteer_id, token=token, scan=scan, seen_at=seen_at
            )
        )

    def _verified_step(self, activity_id: UUID, token: str, at: datetime) -> int:
        return self.code_step(QrSubject(SubjectKind.ACTIVITY, activity_id), token, at)

    def _check_in(
        self,
        activity_id: UUID,
        volunteer_id: UUID,
        *,
        token: str,
        scan: ScanContext | None,
        seen_at: datetime | None,
    ) -> Attendance:
        scan = scan or ScanContext()
        now = self.now()
        activity = self.get(Activity, activity_id)
        step = self._verified_step(
            activity_id, token, now if seen_at is None else held_scan_at(seen_at, now)
        )
        attendance_id = Attendance.id_for(volunteer_id, activity_id)
        if (already := self.find(Attendance, attendance_id)) is not None:
            return already
        self.read(Volunteer, volunteer_id).require_active()
        activity.require_check_in_allowed(volunteer_id)
        self._require_on_site(activity, scan)
        presence = self._presence(volunteer_id)
        presence.enter(
            activity_id,
            open_until=activity.ends_at
            + timedelta(minutes=self.config.credit_policy.grace_minutes),
            at=now,
        )
        attendance = Attendance.check_in(
            volunteer_id=volunteer_id,
            activity_id=activity_id,
            center_id=activity.center_id,
            scheduled_start=activity.starts_at,
            scheduled_end=activity.ends_at,
            policy=self.config.credit_policy,
            at=now,
            token_step=step,
            device_id=scan.device_id,
            client_time=scan.client_time,
            location=scan.location,
            accuracy_m=scan.accuracy_m,
        )
        try:
            self.commit(attendance, presence)
        except ConcurrentChange:
            if (opened := self.find(Attendance, attendance_id)) is not None:
                # Two scans raced; the other one opened the attendance. Same answer.
                return opened
            raise
        return attendance

    def check_out(
        self,
        activity_id: UUID,
        volunteer_id: UUID,
        *,
        token: str,
        scan: ScanContext | None = None,
        seen_at: datetime | None = None,
    ) -> Attendance:
        """Check out by scanning the venue code again. A repeated scan records nothing
        and answers the credit of the first, also when the two race each other.
        ``seen_at`` as for ``check_in``; a held check-out counts from when the code was
        seen (``Attendance.check_out_time``), so holding a page earns no minutes."""
        now = self.now()
        held = None if seen_at is None else held_scan_at(seen_at, now)
        self._verified_step(activity_id, token, now if held is None else held)
        # A scan that loses the race reads the attendance again: the winner's
        # check-out is there, and it answers that credit without writing.
        device_id = scan.device_id if scan is not None else None
        return retried(lambda: self._check_out(activity_id, volunteer_id, now, held, device_id))

    def _check_out(
        self,
        activity_id: UUID,
        volunteer_id: UUID,
        now: datetime,
        held: datetime | None,
        device_id: str | None,
    ) -> Attendance:
        attendance = self._attendance(activity_id, volunteer_id)
        attendance.check_out(
            at=attendance.check_out_time(seen_at=held, now=now),
            policy=self.config.credit_policy,
            device_id=device_id,
        )
        self.commit(attendance, *self._left(volunteer_id, activity_id, now))
        return attendance

    def close_attendance_automatically(self, activity_id: UUID, volunteer_id: UUID) -> Attendance:
        """Close an attendance left open when its activity ended (credit up to the end)."""
        attendance = self._attendance(activity_id, volunteer_id)
        now = self.now()
        attendance.close_automatically(at=now, policy=self.config.credit_policy)
        self.commit(attendance, *self._left(volunteer_id, activity_id, now))
        return attendance

    def adjust_attendance(
        self, activity_id: UUID, volunteer_id: UUID, *, minutes: int, reason: str, staff_id: UUID
    ) -> Attendance:
        """A staff correction of credited minutes: its own event, never an overwrite.
        A volunteer who came but never scanned is added with the minutes (补录), if
        on the activity's list or living in the center's county."""
        activity = self.get(Activity, activity_id)
        attendance = self.find(Attendance, Attendance.id_for(volunteer_id, activity_id))
        if attendance is not None:
            attendance.adjust(minutes=minutes, reason=reason, staff_id=staff_id, at=self.now())
        else:
            volunteer = self.get(Volunteer, volunteer_id)
            center = self.get(Center, activity.center_id)
            activity.require_may_be_added(
                volunteer_id,
                volunteer_units={u.id for u in self._units_up(volunteer.org_unit_id)},
                area_id=staff_addition_area(
                    [(u.id, u.level) for u in self._units_up(center.org_unit_id)]
                ),
            )
            attendance = Attendance.add_by_staff(
                volunteer_id=volunteer_id,
                activity_id=activity_id,
                center_id=activity.center_id,
                scheduled_start=activity.starts_at,
                scheduled_end=activity.ends_at,
                minutes=minutes,
                reason=reason,
                staff_id=staff_id,
                at=self.now(),
            )
        self.commit(attendance)
        return attendance

    def attendance(self, activity_id: UUID, volunteer_id: UUID) -> Attendance:
        return self._attendance(activity_id, volunteer_id)

    def _attendance(self, activity_id: UUID, volunteer_id: UUID) -> Attendance:
        attendance_id = Attendance.id_for(volunteer_id, activity_id)
        try:
            return self.get(Attendance, attendance_id)
        except NotFound:
            raise NotAllowed(
                "there is no check-in for this volunteer at this activity",
                code="not-checked-in",
            ) from None

    def _units_up(self, unit_id: UUID) -> list[OrgUnit]:
        """The org unit and its ancestors, nearest first (five levels at most)."""
        units = [self.get(OrgUnit, unit_id)]
        while (parent := units[-1].parent_id) is not None and len(units) < len(OrgLevel):
            units.append(self.get(OrgUnit, parent))
        return units

    def _presence(self, volunteer_id: UUID) -> Presence:
        presence = self.find(Presence, Presence.id_for(volunteer_id))
        return Presence(volunteer_id=volunteer_id) if presence is None else presence

    def _left(self, volunteer_id: UUID, activity_id: UUID, at: datetime) -> list[Presence]:
        presence = self.find(Presence, Presence.id_for(volunteer_id))
        if presence is None:
            return []
        presence.leave(activity_id, at=at)
        return [presence]

    @staticmethod
    def _require_on_site(activity: Activity, scan: ScanContext) -> None:
        if not activity.location_required:
            return
        if scan.location is None or scan.accuracy_m is None:
            raise NotAllowed(
                "this activity asks for your location to check in", code="location-required"
            )
        if not activity.geofence.admits(scan.location, scan.accuracy_m):
            raise NotAllowed("you are not at the activity's venue", code="outside-geofence")
