"""Attendance (出勤): one per volunteer per activity, and the credit it earns.

An attendance begins in one of two ways: the volunteer scans the venue code
(``CheckedIn``), or staff add a volunteer who came but never scanned
(``AddedByStaff``, 补录). A scanned attendance then closes by a second scan
(``CheckedOut``) or, when nobody scanned out, automatically at the scheduled end
(``AutoClosed``). Staff corrections (``Adjusted``) are ledger lines of their own:
they never rewrite the scan record, so both what was scanned and what was
corrected stay visible.

The scheduled interval is copied from the activity at check-in, so credit is
always computed against the schedule the volunteer actually came for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain import crediting
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, OutsideWindow
from grassroots.domain.values import (
    GeoPoint,
    derived_id,
    in_utc,
    require_aware,
    require_instant,
    require_printable,
    require_reason,
)

__all__ = ["CHECK_IN_PROOFS", "Attendance", "CheckOutPreview", "StaffLine"]

# How presence was proven at check-in. Only the venue's rotating code for now;
# the event keeps the field so another kind of proof needs no new event.
CHECK_IN_PROOFS = frozenset({"qr"})

MAX_DEVICE_ID_LENGTH = 200

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class StaffLine:
    """Minutes credited or removed by staff, with who and why: one ledger line."""

    minutes: int
    reason: str
    staff_id: UUID
    at: datetime


@dataclass(frozen=True)
class CheckOutPreview:
    """What checking out at one instant would credit, asked before deciding (nothing
    is recorded): the minutes then, and those a check-out at the scheduled end would
    earn. ``early``: the scheduled end is still to come, so leaving now ends the
    attendance before the activity does, and it cannot be opened again."""

    minutes: int
    minutes_at_end: int
    early: bool


class Attendance(Aggregate):
    class CheckedIn(Aggregate.Created):
        volunteer_id: UUID
        activity_id: UUID
        center_id: UUID
        scheduled_start: datetime
        scheduled_end: datetime
        proof: str
        token_step: int | None
        device_id: str | None
        client_time: datetime | None
        location_lat: float | None
        location_lon: float | None
        location_accuracy_m: float | None
        at: datetime

        def apply(self, aggregate: Any) -> None:
            aggregate.checked_in_at = self.at
            aggregate.proof = self.proof

    class AddedByStaff(Aggregate.Created):
        volunteer_id: UUID
        activity_id: UUID
        center_id: UUID
        scheduled_start: datetime
        scheduled_end: datetime
        minutes: int
        reason: str
        staff_id: UUID
        at: datetime

        def apply(self, aggregate: Any) -> None:
            aggregate.added_by_staff = True
            aggregate.staff_lines.append(
                StaffLine(self.minutes, self.reason, self.staff_id, self.at)
            )

    class CheckedOut(Aggregate.Event):
        """The second scan. Version 2 names the device it came from, as a
        check-in does; a version 1 event, stored before there was a field for
        it, reads with ``device_id`` None (``upcast_v1_v2``)."""

        class_version = 2

        at: datetime
        credited_minutes: int
        grace_minutes: int
        device_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["device_id"] = None

    class AutoClosed(Aggregate.Event):
        closed_at: datetime
        credited_minutes: int
        grace_minutes: int
        at: datetime

    class Adjusted(Aggregate.Event):
        minutes: int
        reason: str
        staff_id: UUID
        at: datetime

    @staticmethod
    def id_for(volunteer_id: UUID, activity_id: UUID) -> UUID:
        """The one attendance of this volunteer at this activity. A second creation
        under the same id is refused by the event store's unique key."""
        return derived_id("attendance", volunteer_id, activity_id)

    @classmethod
    def check_in(
        cls,
        *,
        volunteer_id: UUID,
        activity_id: UUID,
        center_id: UUID,
        scheduled_start: datetime,
        scheduled_end: datetime,
        policy: CreditPolicy,
        at: datetime,
        proof: str = "qr",
        token_step: int | None = None,
        device_id: str | None = None,
        client_time: datetime | None = None,
        location: GeoPoint | None = None,
        accuracy_m: float | None = None,
    ) -> Attendance:
        """Open an attendance by a scan, accepted from ``policy.check_in_margin_minutes``
        before the scheduled start until the scheduled end.

        ``at`` is the server's time of the scan and the only time trusted. The
        device id, the phone's own clock and its position are kept as evidence
        for later review; nothing is computed from them here.
        """
        require_aware(at)
        start, end = _schedule(scheduled_start, scheduled_end)
        if at < start - timedelta(minutes=policy.check_in_margin_minutes):
            raise OutsideWindow(
                f"check-in opens {policy.check_in_margin_minutes} minutes before the start",
                code="check-in-too-early",
            )
        if at >= end:
            raise OutsideWindow("the activity has already ended", code="check-in-after-end")
        if proof not in CHECK_IN_PROOFS:
            raise InvalidValue(f"unknown proof of presence {proof!r}", code="proof-unknown")
        if token_step is not None and (isinstance(token_step, bool) or token_step < 0):
            raise InvalidValue("a token step is a non-negative number", code="token-step-invalid")
        if client_time is not None:
            require_instant(client_time, "client_time")
        return cls._create(
            cls.CheckedIn,
            id=cls.id_for(volunteer_id, activity_id),
            volunteer_id=volunteer_id,
            activity_id=activity_id,
            center_id=center_id,
            scheduled_start=start,
            scheduled_end=end,
            proof=proof,
            token_step=token_step,
            device_id=_device_id(device_id),
            client_time=client_time,
            location_lat=None if location is None else location.lat,
            location_lon=None if location is None else location.lon,
            location_accuracy_m=_accuracy(location, accuracy_m),
            at=at,
        )

    @classmethod
    def add_by_staff(
        cls,
        *,
        volunteer_id: UUID,
        activity_id: UUID,
        center_id: UUID,
        scheduled_start: datetime,
        scheduled_end: datetime,
        minutes: int,
        reason: str,
        staff_id: UUID,
        at: datetime,
    ) -> Attendance:
        """Record a volunteer who came but never scanned (补录). The minutes are a
        staff line, not scan credit, and need a reason like any correction."""
        require_aware(at)
        start, end = _schedule(scheduled_start, scheduled_end)
        if at < start:
            raise OutsideWindow(
                "attendance can be added only once the activity has started",
                code="activity-not-started",
            )
        _require_whole_minutes(minutes)
        if minutes <= 0:
            raise InvalidValue(
                "an added attendance credits at least one minute", code="added-minutes-invalid"
            )
        if minutes > (end - start) // _MINUTE:
            raise NotAllowed(
                "credit cannot exceed the scheduled length of the activity",
                code="credit-above-scheduled-length",
            )
        return cls._create(
            cls.AddedByStaff,
            id=cls.id_for(volunteer_id, activity_id),
            volunteer_id=volunteer_id,
            activity_id=activity_id,
            center_id=center_id,
            scheduled_start=start,
            scheduled_end=end,
            minutes=minutes,
            reason=require_reason(reason),
            staff_id=staff_id,
            at=at,
        )

    def __init__(
        self,
        volunteer_id: UUID,
        activity_id: UUID,
        center_id: UUID,
        scheduled_start: datetime,
        scheduled_end: datetime,
    ) -> None:
        # Runs for both creation events (with the fields they share); each event's
        # own ``apply`` then records what only it carries.
        self.volunteer_id = volunteer_id
        self.activity_id = activity_id
        self.center_id = center_id
        self.scheduled_start = scheduled_start
        self.scheduled_end = scheduled_end
        self.checked_in_at: datetime | None = None
        self.proof: str | None = None
        self.added_by_staff = False
        self.checked_out_at: datetime | None = None
        self.checked_out_device_id: str | None = None
        self.auto_closed = False
        self.auto_closed_at: datetime | None = None
        self.scan_minutes = 0
        self.grace_minutes: int | None = None
        self.staff_lines: list[StaffLine] = []

    # --- queries -------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """Checked in by a scan and not closed yet."""
        return still_open(checked_in_at=self.checked_in_at, closed_at=self.closed_at)

    @property
    def closed_at(self) -> datetime | None:
        """When the attended interval ended: the check-out, or the scheduled end
        for an automatic close."""
        return self.checked_out_at if self.checked_out_at is not None else self.auto_closed_at

    @property
    def adjustment_minutes(self) -> int:
        """The sum of every staff line, the minutes of a staff-added attendance included."""
        return sum(line.minutes for line in self.staff_lines)

    @property
    def total_minutes(self) -> int:
        return self.scan_minutes + self.adjustment_minutes

    @property
    def scheduled_length_minutes(self) -> int:
        return (self.scheduled_end - self.scheduled_start) // _MINUTE

    def check_out_preview(self, *, at: datetime, policy: CreditPolicy) -> CheckOutPreview:
        """What ``check_out(at=at)`` would credit, and whether it would end the
        attendance before the scheduled end; for an open attendance only."""
        require_aware(at)
        checked_in_at = self._require_scanned_in()
        if not self.is_open:
            raise AlreadyClosed("the attendance is already closed", code="attendance-closed")
        # A clock a moment behind the check-in's previews no time served.
        at = max(at, checked_in_at)
        return CheckOutPreview(
            minutes=self._credit(checked_in_at, at, policy),
            minutes_at_end=self._credit(checked_in_at, max(self.scheduled_end, at), policy),
            early=at < self.scheduled_end,
        )

    def _credit(
        self, checked_in_at: datetime, checked_out_at: datetime, policy: CreditPolicy
    ) -> int:
        return crediting.credited_minutes(
            checked_in_at=checked_in_at,
            checked_out_at=checked_out_at,
            scheduled_start=self.scheduled_start,
            scheduled_end=self.scheduled_end,
            grace_minutes=policy.grace_minutes,
        )

    # --- commands ------------------------------------------------------------

    def check_out_time(self, *, seen_at: datetime | None, now: datetime) -> datetime:
        """When a check-out scan counts from: ``now``; or, for a scan held on the
        phone, when the server saw the code there (the volunteer was on site then,
        not necessarily since, so holding the page earns nothing), though never
        before the check-in."""
        require_aware(now)
        if seen_at is None:
            return now
        checked_in_at = self.checked_in_at
        return max(require_aware(seen_at), checked_in_at) if checked_in_at else seen_at

    def check_out(self, *, at: datetime, policy: CreditPolicy, device_id: str | None = None) -> int:
        """Close by a second scan and credit the overlap with the widened schedule.
        A repeated check-out records nothing and answers the credit of the first."""
        require_aware(at)
        checked_in_at = self._require_scanned_in()
        if self.auto_closed:
            raise AlreadyClosed(
                "the attendance was closed automatically at the scheduled end",
                code="attendance-auto-closed",
            )
        if self.checked_out_at is not None:
            return self.scan_minutes
        if at < checked_in_at:
            raise InvalidValue(
                "a check-out cannot come before the check-in", code="check-out-before-check-in"
            )
        minutes = self._credit(checked_in_at, at, policy)
        self._checked_out(
            at=at,
            credited_minutes=minutes,
            grace_minutes=policy.grace_minutes,
            device_id=_device_id(device_id),
        )
        return minutes

    @event(CheckedOut)
    def _checked_out(
        self, at: datetime, credited_minutes: int, grace_minutes: int, device_id: str | None
    ) -> None:
        self.checked_out_at = at
        self.checked_out_device_id = device_id
        self.scan_minutes = credited_minutes
        self.grace_minutes = grace_minutes

    def close_automatically(self, *, at: datetime, policy: CreditPolicy) -> int:
        """Close an attendance nobody scanned out of, once the scheduled end has
        passed, crediting up to the scheduled end (not the grace after it)."""
        require_aware(at)
        checked_in_at = self._require_scanned_in()
        if not self.is_open:
            raise AlreadyClosed("the attendance is already closed", code="attendance-closed")
        if at < self.scheduled_end:
            raise OutsideWindow(
                "an attendance closes automatically only after the scheduled end",
                code="activity-not-ended",
            )
        minutes = self._credit(checked_in_at, self.scheduled_end, policy)
        self._auto_closed(
            closed_at=self.scheduled_end,
            credited_minutes=minutes,
            grace_minutes=policy.grace_minutes,
            at=at,
        )
        return minutes

    @event(AutoClosed)
    def _auto_closed(
        self, closed_at: datetime, credited_minutes: int, grace_minutes: int, at: datetime
    ) -> None:
        self.auto_closed = True
        self.auto_closed_at = closed_at
        self.scan_minutes = credited_minutes
        self.grace_minutes = grace_minutes

    def adjust(self, *, minutes: int, reason: str, staff_id: UUID, at: datetime) -> int:
        """Add (positive) or remove (negative) minutes with a reason; the total
        stays between zero and the scheduled length. Returns the new total.

        An open attendance cannot be adjusted: its scan credit is not known yet,
        so the bounds could not be kept once it closes.
        """
        require_aware(at)
        if self.is_open:
            raise NotAllowed(
                "the attendance is still open; adjust it once it has closed",
                code="attendance-still-open",
            )
        _require_whole_minutes(minutes)
        if minutes == 0:
            raise InvalidValue("an adjustment changes at least one minute", code="adjustment-zero")
        text = require_reason(reason)
        total = self.total_minutes + minutes
        if total < 0:
            raise NotAllowed(
                f"the credit would fall below zero ({total} minutes)",
                code="credit-below-zero",
            )
        if total > self.scheduled_length_minutes:
            raise NotAllowed(
                "credit cannot exceed the scheduled length of the activity",
                code="credit-above-scheduled-length",
            )
        self._adjusted(minutes=minutes, reason=text, staff_id=staff_id, at=at)
        return total

    @event(Adjusted)
    def _adjusted(self, minutes: int, reason: str, staff_id: UUID, at: datetime) -> None:
        self.staff_lines.append(StaffLine(minutes, reason, staff_id, at))

    def _require_scanned_in(self) -> datetime:
        if self.checked_in_at is None:
            raise NotAllowed(
                "this attendance was added by staff and has no scan to close",
                code="not-checked-in",
            )
        return self.checked_in_at


def still_open(*, checked_in_at: datetime | None, closed_at: datetime | None) -> bool:
    """An attendance scanned in and neither scanned out nor closed automatically:
    its credit is not known yet, so it cannot be corrected."""
    return checked_in_at is not None and closed_at is None


def _schedule(scheduled_start: datetime, scheduled_end: datetime) -> tuple[datetime, datetime]:
    start = in_utc(require_instant(scheduled_start, "scheduled_start"))
    end = in_utc(require_instant(scheduled_end, "scheduled_end"))
    if end <= start:
        raise InvalidValue(
            "the scheduled end must come after the start", code="activity-end-before-start"
        )
    return start, end


def _require_whole_minutes(minutes: int) -> None:
    # bool is an int in Python; True as "one minute" would be an accident.
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise InvalidValue("minutes must be a whole number", code="minutes-invalid")


def _device_id(device_id: str | None) -> str | None:
    if device_id is None:
        return None
    text = require_printable(device_id, "device_id").strip()
    if len(text) > MAX_DEVICE_ID_LENGTH:
        raise InvalidValue(
            f"device id is longer than {MAX_DEVICE_ID_LENGTH} characters",
            code="device-id-too-long",
        )
    return text or None


def _accuracy(location: GeoPoint | None, accuracy_m: float | None) -> float | None:
    if accuracy_m is None:
        return None
    if location is None:
        raise InvalidValue("a location accuracy needs a location", code="accuracy-without-location")
    if not math.isfinite(accuracy_m) or accuracy_m < 0:
        raise InvalidValue("location accuracy must be a positive number", code="accuracy-invalid")
    return float(accuracy_m)
