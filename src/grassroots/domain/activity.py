"""Activities (活动) posted by a center, and who has a place in them (报名 / 候补).

An activity holds its schedule, place and capacity, and two ordered lists: the
volunteers who hold a place and those waiting for one. Places go first come,
first served: when a place frees up (a withdrawal, a raised capacity) the
longest-waiting volunteer is promoted, recorded as its own event so the order
of the lists can always be replayed.

Scans and credit are not kept here but in one ``Attendance`` per volunteer.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, OutsideWindow
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import (
    Geofence,
    GeoPoint,
    in_utc,
    require_aware,
    require_instant,
    require_reason,
    require_text,
)

__all__ = [
    "MAX_ACTIVITY_LENGTH",
    "MAX_CAPACITY",
    "Activity",
    "Phase",
    "SignUpStatus",
    "phase_of",
    "staff_addition_area",
]

# One activity is one sitting. Credit from one attendance is capped at the
# scheduled length, so a week-long "activity" would let a single scan pair
# credit nights and days alike; a camp or a multi-day drive is posted as one
# activity per day. Twenty-four hours still leaves room for overnight duty
# (22:00-02:00) and long single-day events.
MAX_ACTIVITY_LENGTH = timedelta(hours=24)

# Large enough for a marathon's volunteer crew; a bigger number is a typo.
MAX_CAPACITY = 10_000

MAX_DESCRIPTION_LENGTH = 4000
MAX_CATEGORY_LENGTH = 50


class SignUpStatus(StrEnum):
    SIGNED_UP = "signed_up"
    WAIT_LISTED = "wait_listed"


class Activity(Aggregate):
    class Posted(Aggregate.Created):
        center_id: UUID
        title: str
        description: str
        category: str
        starts_at: datetime
        ends_at: datetime
        capacity: int | None
        location_lat: float
        location_lon: float
        geofence_radius_m: float
        location_required: bool
        sign_up_required: bool
        at: datetime

    class DetailsChanged(Aggregate.Event):
        title: str
        description: str
        category: str
        starts_at: datetime
        ends_at: datetime
        capacity: int | None
        location_lat: float
        location_lon: float
        geofence_radius_m: float
        location_required: bool
        sign_up_required: bool
        at: datetime

    class Cancelled(Aggregate.Event):
        reason: str
        at: datetime

    class SignedUp(Aggregate.Event):
        volunteer_id: UUID
        at: datetime

    class WaitListed(Aggregate.Event):
        volunteer_id: UUID
        at: datetime

    class Withdrawn(Aggregate.Event):
        volunteer_id: UUID
        at: datetime

    class Promoted(Aggregate.Event):
        volunteer_id: UUID
        at: datetime

    @classmethod
    def post(
        cls,
        *,
        center_id: UUID,
        title: str,
        description: str,
        category: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int | None,
        location: GeoPoint,
        geofence_radius_m: float,
        location_required: bool,
        sign_up_required: bool,
        at: datetime,
    ) -> Activity:
        """A new activity. ``capacity`` None means no limit. The application passes
        the center's location when the activity takes place at the center."""
        require_aware(at)
        starts, ends = _schedule(starts_at, ends_at, at=at)
        Geofence(location, geofence_radius_m)
        return cls(
            center_id=center_id,
            title=require_text(title, "title"),
            description=_description(description),
            category=require_text(category, "category", max_length=MAX_CATEGORY_LENGTH),
            starts_at=starts,
            ends_at=ends,
            capacity=_capacity(capacity),
            location_lat=location.lat,
            location_lon=location.lon,
            geofence_radius_m=float(geofence_radius_m),
            location_required=bool(location_required),
            sign_up_required=bool(sign_up_required),
            at=at,
        )

    @event(Posted)
    def __init__(
        self,
        center_id: UUID,
        title: str,
        description: str,
        category: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int | None,
        location_lat: float,
        location_lon: float,
        geofence_radius_m: float,
        location_required: bool,
        sign_up_required: bool,
        at: datetime,
    ) -> None:
        self.center_id = center_id
        self._set_details(
            title,
            description,
            category,
            starts_at,
            ends_at,
            capacity,
            location_lat,
            location_lon,
            geofence_radius_m,
            location_required,
            sign_up_required,
        )
        self.posted_at = at
        self.cancelled_at: datetime | None = None
        self.cancel_reason: str | None = None
        self._signed_up_ids: list[UUID] = []
        self._waiting_ids: list[UUID] = []

    def __deepcopy__(self, _memo: dict[int, object]) -> Activity:
        # An aggregate read from the cache is handed out as a copy. A general deep
        # copy walks every id of every sign-up, which made a check-in at an
        # activity with 1,000 sign-ups cost three times one with 10. Every other
        # attribute holds immutable values; only the lists are copied.
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, list):
                copy.__dict__[name] = list(value)
        return copy

    # --- queries -------------------------------------------------------------

    @property
    def signed_up(self) -> list[UUID]:
        """Volunteers holding a place, in the order they got it."""
        return list(self._signed_up_ids)

    @property
    def waiting(self) -> list[UUID]:
        """The waiting list, first in line first."""
        return list(self._waiting_ids)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and len(self._signed_up_ids) >= self.capacity

    @property
    def places_left(self) -> int | None:
        """Free places, or None when the activity takes anyone."""
        if self.capacity is None:
            return None
        return max(0, self.capacity - len(self._signed_up_ids))

    @property
    def geofence(self) -> Geofence:
        return Geofence(self.location, self.geofence_radius_m)

    def is_signed_up(self, volunteer_id: UUID) -> bool:
        return volunteer_id in self._signed_up_ids

    def status_of(self, volunteer_id: UUID) -> SignUpStatus | None:
        if volunteer_id in self._signed_up_ids:
            return SignUpStatus.SIGNED_UP
        if volunteer_id in self._waiting_ids:
            return SignUpStatus.WAIT_LISTED
        return None

    def check_in_window(self, policy: CreditPolicy) -> tuple[datetime, datetime]:
        """When a check-in is accepted: from ``margin`` before the start until the end."""
        return self.starts_at - timedelta(minutes=policy.check_in_margin_minutes), self.ends_at

    def require_check_in_allowed(self, volunteer_id: UUID) -> None:
        """Refuse a check-in this activity does not admit (the time window is the
        attendance's to check). Without a required sign-up anyone may walk in."""
        self._require_not_cancelled()
        if not self.sign_up_required:
            return
        status = self.status_of(volunteer_id)
        if status is SignUpStatus.WAIT_LISTED:
            raise NotAllowed(
                "you are on the waiting list and have no place yet", code="still-wait-listed"
            )
        if status is None:
            raise NotAllowed("this activity asks you to sign up first", code="not-signed-up")

    def require_may_be_added(
        self, volunteer_id: UUID, *, volunteer_units: Collection[UUID], area_id: UUID
    ) -> None:
        """Refuse staff adding a volunteer with minutes (补录) who has no tie to this activity.

        Staff may add a volunteer on the activity's list (holding a place or
        waiting), or one who lives in the center's area (``area_id``, from
        ``staff_addition_area``), such as a walk-in whose phone went flat; the
        volunteer's unit and its ancestors are ``volunteer_units``. Nobody else:
        not someone from another city who never signed up."""
        if self.status_of(volunteer_id) is not None or area_id in volunteer_units:
            return
        raise NotAllowed(
            "only a volunteer on this activity's list or living in the center's county "
            "can be added",
            code="not-on-activity-list",
        )

    # --- details and cancellation -------------------------------------------

    def change_details(
        self,
        *,
        at: datetime,
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
        policy: CreditPolicy | None = None,
    ) -> list[UUID]:
        """Change any details before the activity starts; None leaves a detail as it
        is (``capacity_unlimited`` lifts the limit). A raised capacity promotes from
        the waiting list in order; the promoted volunteers are returned.

        The schedule itself is frozen once check-in opens (``policy``'s margin before
        the start): a volunteer who has scanned in was credited against it."""
        require_aware(at)
        self._require_not_cancelled()
        if at >= self.starts_at:
            raise OutsideWindow(
                "an activity's details cannot change once it has started",
                code="activity-started",
            )
        reschedules = (starts_at is not None and starts_at != self.starts_at) or (
            ends_at is not None and ends_at != self.ends_at
        )
        if reschedules and policy is not None and at >= self.check_in_window(policy)[0]:
            raise OutsideWindow(
                "the schedule cannot change once check-in has opened",
                code="activity-check-in-open",
            )
        if capacity_unlimited and capacity is not None:
            raise InvalidValue(
                "give a capacity or lift the limit, not both", code="capacity-conflicting"
            )
        new_starts, new_ends = _schedule(
            self.starts_at if starts_at is None else starts_at,
            self.ends_at if ends_at is None else ends_at,
            at=at,
        )
        if capacity_unlimited:
            new_capacity = None
        elif capacity is None:
            new_capacity = self.capacity
        else:
            new_capacity = _capacity(capacity)
        if new_capacity is not None and new_capacity < len(self._signed_up_ids):
            raise NotAllowed(
                f"{len(self._signed_up_ids)} volunteers already hold a place",
                code="capacity-below-signed-up",
            )
        new_location = self.location if location is None else location
        new_radius = float(
            self.geofence_radius_m if geofence_radius_m is None else geofence_radius_m
        )
        Geofence(new_location, new_radius)
        new_title = self.title if title is None else require_text(title, "title")
        new_description = self.description if description is None else _description(description)
        new_category = (
            self.category
            if category is None
            else require_text(category, "category", max_length=MAX_CATEGORY_LENGTH)
        )
        new_location_required = (
            self.location_required if location_required is None else bool(location_required)
        )
        new_sign_up_required = (
            self.sign_up_required if sign_up_required is None else bool(sign_up_required)
        )
        unchanged = (
            new_title == self.title
            and new_description == self.description
            and new_category == self.category
            and new_starts == self.starts_at
            and new_ends == self.ends_at
            and new_capacity == self.capacity
            and new_location == self.location
            and new_radius == self.geofence_radius_m
            and new_location_required == self.location_required
            and new_sign_up_required == self.sign_up_required
        )
        if unchanged:
            return []
        self._details_changed(
            title=new_title,
            description=new_description,
            category=new_category,
            starts_at=new_starts,
            ends_at=new_ends,
            capacity=new_capacity,
            location_lat=new_location.lat,
            location_lon=new_location.lon,
            geofence_radius_m=new_radius,
            location_required=new_location_required,
            sign_up_required=new_sign_up_required,
            at=at,
        )
        return self._promote_waiting(at)

    @event(DetailsChanged)
    def _details_changed(
        self,
        title: str,
        description: str,
        category: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int | None,
        location_lat: float,
        location_lon: float,
        geofence_radius_m: float,
        location_required: bool,
        sign_up_required: bool,
        at: datetime,
    ) -> None:
        self._set_details(
            title,
            description,
            category,
            starts_at,
            ends_at,
            capacity,
            location_lat,
            location_lon,
            geofence_radius_m,
            location_required,
            sign_up_required,
        )

    def _set_details(
        self,
        title: str,
        description: str,
        category: str,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int | None,
        location_lat: float,
        location_lon: float,
        geofence_radius_m: float,
        location_required: bool,
        sign_up_required: bool,
    ) -> None:
        # Shared by Posted and DetailsChanged, which carry the same details.
        self.title = title
        self.description = description
        self.category = category
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.capacity = capacity
        self.location = GeoPoint(location_lat, location_lon)
        self.geofence_radius_m = geofence_radius_m
        self.location_required = location_required
        self.sign_up_required = sign_up_required

    def cancel(self, reason: str, *, at: datetime) -> None:
        """Cancel before the activity ends, also while it is under way (weather,
        safety). Once it has ended there is nothing left to cancel."""
        require_aware(at)
        self._require_not_cancelled()
        if at >= self.ends_at:
            raise OutsideWindow("the activity has already ended", code="activity-ended")
        self._cancelled(reason=require_reason(reason), at=at)

    @event(Cancelled)
    def _cancelled(self, reason: str, at: datetime) -> None:
        self.cancelled_at = at
        self.cancel_reason = reason

    # --- places ---------------------------------------------------------------

    def sign_up(self, volunteer_id: UUID, *, at: datetime) -> SignUpStatus:
        """Take a place, or join the waiting list when none is free. Signing up
        again records nothing and answers where the volunteer already stands.
        Joining late, while the activity is under way, is allowed."""
        require_aware(at)
        self._require_not_cancelled()
        if at >= self.ends_at:
            raise OutsideWindow("the activity has already ended", code="activity-ended")
        current = self.status_of(volunteer_id)
        if current is not None:
            return current
        if self.is_full:
            self._wait_listed(volunteer_id=volunteer_id, at=at)
            return SignUpStatus.WAIT_LISTED
        self._signed_up(volunteer_id=volunteer_id, at=at)
        return SignUpStatus.SIGNED_UP

    @event(SignedUp)
    def _signed_up(self, volunteer_id: UUID, at: datetime) -> None:
        self._signed_up_ids.append(volunteer_id)

    @event(WaitListed)
    def _wait_listed(self, volunteer_id: UUID, at: datetime) -> None:
        self._waiting_ids.append(volunteer_id)

    def withdraw(self, volunteer_id: UUID, *, at: datetime) -> UUID | None:
        """Give up a place or leave the waiting list, until the activity starts.

        After the start the list is the record of who was expected (a no-show is
        a no-show), and a place promoted then would go to someone with no time
        left to come. Returns the volunteer promoted into the freed place, if any.
        """
        require_aware(at)
        self._require_not_cancelled()
        if at >= self.starts_at:
            raise OutsideWindow(
                "withdrawing is possible only until the activity starts", code="activity-started"
            )
        status = self.status_of(volunteer_id)
        if status is None:
            raise NotAllowed(
                "this volunteer has neither a place nor a waiting-list spot",
                code="not-signed-up",
            )
        self._withdrawn(volunteer_id=volunteer_id, at=at)
        if status is SignUpStatus.WAIT_LISTED:
            return None
        promoted = self._promote_waiting(at)
        return promoted[0] if promoted else None

    @event(Withdrawn)
    def _withdrawn(self, volunteer_id: UUID, at: datetime) -> None:
        if volunteer_id in self._signed_up_ids:
            self._signed_up_ids.remove(volunteer_id)
        else:
            self._waiting_ids.remove(volunteer_id)

    @event(Promoted)
    def _promoted(self, volunteer_id: UUID, at: datetime) -> None:
        self._waiting_ids.remove(volunteer_id)
        self._signed_up_ids.append(volunteer_id)

    # --- helpers ---------------------------------------------------------------

    def _promote_waiting(self, at: datetime) -> list[UUID]:
        promoted: list[UUID] = []
        while self._waiting_ids and not self.is_full:
            first = self._waiting_ids[0]
            self._promoted(volunteer_id=first, at=at)
            promoted.append(first)
        return promoted

    def _require_not_cancelled(self) -> None:
        if self.is_cancelled:
            raise AlreadyClosed("the activity has been cancelled", code="activity-cancelled")


def _schedule(starts_at: datetime, ends_at: datetime, *, at: datetime) -> tuple[datetime, datetime]:
    # Stored in UTC (see the glossary's "Time"); the caller may have used any zone.
    starts = in_utc(require_instant(starts_at, "starts_at"))
    ends = in_utc(require_instant(ends_at, "ends_at"))
    if ends <= starts:
        raise InvalidValue("an activity must end after it starts", code="activity-end-before-start")
    if ends - starts > MAX_ACTIVITY_LENGTH:
        raise InvalidValue(
            "an activity lasts at most 24 hours; post a long event as one activity a day",
            code="activity-too-long",
        )
    if starts <= at:
        raise OutsideWindow(
            "an activity must be scheduled to start in the future", code="activity-starts-in-past"
        )
    return starts, ends


def _capacity(capacity: int | None) -> int | None:
    if capacity is None:
        return None
    # bool is an int in Python; True as "one place" would be an accident.
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise InvalidValue("capacity must be a whole number", code="capacity-invalid")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidValue(
            f"capacity must be between 1 and {MAX_CAPACITY}", code="capacity-invalid"
        )
    return capacity


def _description(description: str) -> str:
    # The one text field of an activity that may be left empty, and may run over lines.
    return require_text(
        description,
        "description",
        max_length=MAX_DESCRIPTION_LENGTH,
        multiline=True,
        required=False,
    )


def staff_addition_area(center_units: Sequence[tuple[UUID, OrgLevel]]) -> UUID:
    """Whose residents a center's staff may add (补录) without a sign-up: the county
    (旗县市区) the center is in, or the center's own unit where it sits higher.
    ``center_units`` is the center's unit and then its ancestors, as (id, level)."""
    if not center_units:
        raise ValueError("a center belongs to an org unit: name it")
    for unit_id, level in center_units:
        if level.depth <= OrgLevel.COUNTY.depth:
            return unit_id
    return center_units[-1][0]


class Phase(StrEnum):
    """Where an activity stands in time, as the center desk groups them."""

    UPCOMING = "upcoming"
    RUNNING = "running"
    PAST = "past"


def phase_of(starts_at: datetime, ends_at: datetime, now: datetime) -> Phase:
    """Upcoming until its start, running from its start up to (not at) its end, then past."""
    if now < starts_at:
        return Phase.UPCOMING
    if now < ends_at:
        return Phase.RUNNING
    return Phase.PAST
