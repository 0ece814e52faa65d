"""Small value objects and checks shared by the aggregates.

Everything here is pure: instants are passed in, never read from a clock.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grassroots.domain.errors import InvalidValue, ReasonRequired

__all__ = [
    "DEFAULT_TIME_ZONE",
    "ID_NAMESPACE",
    "GeoPoint",
    "Geofence",
    "IsoWeek",
    "derived_id",
    "has_control_characters",
    "iso_week_of",
    "local_date",
    "require_aware",
    "require_printable",
    "require_reason",
    "require_text",
    "time_zone",
]

DEFAULT_TIME_ZONE = "Asia/Shanghai"

# Deterministic ids (one attendance per volunteer and activity, one phone per
# volunteer) are uuid5 names under this namespace, so the event store's unique
# (id, version) key enforces the uniqueness, not a read-then-write check.
ID_NAMESPACE = UUID("7d0f6c55-3c1e-4b7a-9a43-5a1f0e2b9c11")

EARTH_RADIUS_M = 6_371_008.8


def derived_id(kind: str, *parts: object) -> UUID:
    """The id named by ``kind`` and ``parts``: equal inputs give the same id."""
    # JSON keeps the parts apart: ("a/b",) and ("a", "b") must not name the same id.
    if _PLAIN_KIND.fullmatch(kind) and all(type(p) is UUID for p in parts):
        # The same text JSON gives, without the encoder: ids of ids (an attendance
        # is named by its volunteer and activity) are made for every scan and
        # again by the read models, and nothing in them needs escaping.
        name = '["' + '", "'.join([kind, *map(str, parts)]) + '"]'
    else:
        name = json.dumps([kind, *(str(p) for p in parts)], ensure_ascii=False)
    return uuid5(ID_NAMESPACE, name)


_PLAIN_KIND = re.compile(r"[a-z_]+")


def require_aware(at: datetime, name: str = "at") -> datetime:
    """Refuse naive datetimes: instants are stored in UTC and need a zone to mean anything."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValue(f"{name} must carry a time zone", code="naive-datetime")
    return at


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def require_printable(text: str, name: str) -> str:
    """Refuse control characters (tabs and line breaks aside): nobody types them,
    and a NUL cannot even be stored in a PostgreSQL text column, so a read model
    fed such an event could never apply it."""
    if has_control_characters(text):
        raise InvalidValue(f"{name} contains control characters", code="text-control-character")
    return text


def require_text(value: str, name: str, *, max_length: int = 200) -> str:
    text = require_printable(value.strip(), name)
    if not text:
        raise InvalidValue(f"{name} must not be empty", code=f"{name}-empty")
    if len(text) > max_length:
        raise InvalidValue(
            f"{name} is longer than {max_length} characters", code=f"{name}-too-long"
        )
    return text


def require_reason(reason: str, *, max_length: int = 500) -> str:
    text = require_printable(reason.strip(), "reason")
    if not text:
        raise ReasonRequired("a reason is required")
    if len(text) > max_length:
        raise InvalidValue(f"reason is longer than {max_length} characters", code="reason-too-long")
    return text


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InvalidValue(f"unknown time zone {name!r}", code="time-zone-unknown") from e


def local_date(at: datetime, zone: ZoneInfo) -> date:
    """The calendar date of ``at`` on a wall clock in ``zone``."""
    return require_aware(at).astimezone(zone).date()


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]


def iso_week_of(day: date) -> IsoWeek:
    iso = day.isocalendar()
    return IsoWeek(iso.year, iso.week)


@dataclass(frozen=True)
class GeoPoint:
    """A WGS-84 position in decimal degrees."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise InvalidValue(f"latitude {self.lat} is out of range", code="latitude-invalid")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise InvalidValue(f"longitude {self.lon} is out of range", code="longitude-invalid")

    def distance_m(self, other: GeoPoint) -> float:
        """Great-circle distance in metres (haversine)."""
        phi1, phi2 = math.radians(self.lat), math.radians(other.lat)
        dphi = phi2 - phi1
        dlmb = math.radians(other.lon - self.lon)
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Geofence:
    """A circle around a place. A reported position counts as inside when the
    circle of its reported accuracy touches the fence, but only for fixes good
    enough to mean anything: a phone that claims 5 km accuracy proves nothing."""

    centre: GeoPoint
    radius_m: float
    max_accuracy_m: float = 100.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.radius_m) and 10.0 <= self.radius_m <= 5_000.0):
            raise InvalidValue(
                "geofence radius must be between 10 and 5000 metres", code="geofence-radius-invalid"
            )

    def admits(self, position: GeoPoint, accuracy_m: float) -> bool:
        if not math.isfinite(accuracy_m) or accuracy_m < 0:
            raise InvalidValue(
                "location accuracy must be a positive number", code="accuracy-invalid"
            )
        if accuracy_m > self.max_accuracy_m:
            return False
        return self.centre.distance_m(position) - accuracy_m <= self.radius_m
