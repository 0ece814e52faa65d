"""Small value objects and checks shared by the aggregates.

Everything here is pure: instants are passed in, never read from a clock.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grassroots.domain.errors import InvalidValue, ReasonRequired

__all__ = [
    "DEFAULT_TIME_ZONE",
    "FIRST_DAY",
    "FIRST_INSTANT",
    "FIRST_YEAR",
    "ID_NAMESPACE",
    "LAST_DAY",
    "LAST_INSTANT",
    "LAST_YEAR",
    "GeoPoint",
    "Geofence",
    "IsoWeek",
    "derived_id",
    "has_control_characters",
    "in_utc",
    "iso_week_of",
    "local_date",
    "mask_name",
    "require_aware",
    "require_day",
    "require_instant",
    "require_printable",
    "require_reason",
    "require_text",
    "require_year",
    "text_rule_pattern",
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


def in_utc(at: datetime, name: str = "at") -> datetime:
    """``at`` (aware, in any zone) as the same instant in UTC, as the domain stores instants.

    Python subtracts two datetimes sharing one tzinfo object by wall clock,
    ignoring offsets; in UTC the arithmetic is on instants whatever zone the
    caller used. A naive ``at`` is refused like ``require_aware`` does.
    """
    return require_aware(at, name).astimezone(UTC)


# --- the one range of instants and days ----------------------------------------------
#
# Every instant and calendar day a caller gives (an activity's schedule, a phone's
# clock, a query's `from`/`to`/`date`/`as_of`, a rule set's effective-from day)
# must fall in these years. The product's records start this century; anything
# past 2100 is a typo or a probe. The margin to Python's own limits (years 1 and
# 9999) is what matters: every day, ISO week, month and year derived from an
# instant in range, on a wall clock anywhere from UTC-14 to UTC+14, and every
# bound of such a period (a week's Monday, the day after a month's last one), is
# still a representable date, so no read model or query can overflow on one.
FIRST_YEAR = 2000
LAST_YEAR = 2100
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)
FIRST_INSTANT = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(LAST_YEAR, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)


def require_instant(at: datetime, name: str = "at") -> datetime:
    """An aware instant within the product's range (unchanged, in its own offset)."""
    require_aware(at, name)
    # Aware comparison works across offsets without converting, so even year 9999
    # at UTC-14 (past the last representable UTC instant) is compared, not overflowed.
    if not FIRST_INSTANT <= at <= LAST_INSTANT:
        raise InvalidValue(
            f"{name} must fall between {FIRST_INSTANT.isoformat()} and {LAST_INSTANT.isoformat()}",
            code="instant-out-of-range",
        )
    return at


def require_day(day: date, name: str = "date") -> date:
    """A calendar day within the product's range."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidValue(
            f"{name} must fall between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}",
            code="instant-out-of-range",
        )
    return day


def require_year(year: int, name: str = "year") -> int:
    """A calendar year within the product's range."""
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidValue(
            f"{name} must fall between {FIRST_YEAR} and {LAST_YEAR}", code="instant-out-of-range"
        )
    return year


# --- the one text rule ----------------------------------------------------------------
#
# Every text a person gives (names, titles, categories, addresses, reasons,
# descriptions, answers, work-log entries, device ids, query strings) passes
# this rule, refusing what nobody types and what breaks a store or a screen:
# - C0 controls (U+0000-U+001F, NUL included: PostgreSQL text cannot hold it)
#   and DEL (U+007F). Multi-line fields (descriptions, reasons, answers, work-log
#   entries) keep line feeds and tabs; a CR LF pair is taken as a line feed.
#   Single-line fields keep none of them.
# - C1 controls (U+0080-U+009F, e.g. U+0085 "next line", U+009B the terminal's
#   escape introducer).
# - Bidirectional embeddings, overrides (U+202A-U+202E) and isolates
#   (U+2066-U+2069), which make a text display in another order than it reads
#   ("Trojan source"); the marks U+200E/U+200F stay, as real right-to-left text needs them.
# - Surrogates (U+D800-U+DFFF): in a decoded text any one is unpaired, and cannot
#   be encoded as UTF-8, so no store or response could carry it.
# Written as regex escapes, not the characters themselves, so the same classes also
# go into the API's document (a JSON string cannot carry a lone surrogate).
_OTHER_REFUSED = r"\u007f-\u009f\u202a-\u202e\u2066-\u2069"
_IN_LINE = r"\u0000-\u001f" + _OTHER_REFUSED
_IN_LINES = r"\u0000-\u0008\u000b-\u001f" + _OTHER_REFUSED
_SURROGATES = r"\ud800-\udfff"
_REFUSED_SINGLE_LINE = re.compile(f"[{_IN_LINE}{_SURROGATES}]")
_REFUSED_MULTI_LINE = re.compile(f"[{_IN_LINES}{_SURROGATES}]")


def text_rule_pattern(*, multiline: bool = False, required: bool = False) -> str:
    """The text rule as a regular expression a whole text matching keeps to (for a
    schema stating the rule); ``required`` also asks for a character that is not
    white space, as ``require_text`` does once it has stripped the text.

    Surrogates are left out: a schema's pattern runs over Unicode scalar values,
    which hold none, and validators refuse a pattern naming them. The rule itself
    still refuses an unpaired one a JSON escape (``\\ud800``) smuggles in."""
    refused = _IN_LINES if multiline else _IN_LINE
    # In multi-line text a CR is kept only before a LF (taken as one line feed).
    allowed = f"(?:[^{refused}]|\\r\\n)" if multiline else f"[^{refused}]"
    if not required:
        return f"^{allowed}*$"
    return f"^{allowed}*[^\\s{refused}]{allowed}*$"


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` breaks the text rule (see above)."""
    if multiline:
        return _REFUSED_MULTI_LINE.search(text.replace("\r\n", "\n")) is not None
    return _REFUSED_SINGLE_LINE.search(text) is not None


def require_printable(text: str, name: str, *, multiline: bool = False) -> str:
    """``text`` itself, if it keeps to the text rule; CR LF becomes LF in multi-line text."""
    if has_control_characters(text, multiline=multiline):
        raise InvalidValue(
            f"{name} contains control, bidirectional-override or unpaired surrogate characters",
            code="text-control-character",
        )
    return text.replace("\r\n", "\n") if multiline else text


def require_text(
    value: str, name: str, *, max_length: int = 200, multiline: bool = False, required: bool = True
) -> str:
    """A text field: the text rule, then stripped, then not empty (if ``required``) nor too long."""
    # The rule is checked before stripping: str.strip() also drops some controls
    # (U+001C-U+001F, U+0085), and a refused character must be refused wherever it is.
    text = require_printable(value, name, multiline=multiline).strip()
    if required and not text:
        raise InvalidValue(f"{name} must not be empty", code=f"{name}-empty")
    if len(text) > max_length:
        raise InvalidValue(
            f"{name} is longer than {max_length} characters", code=f"{name}-too-long"
        )
    return text


def require_reason(reason: str, *, max_length: int = 500) -> str:
    text = require_printable(reason, "reason", multiline=True).strip()
    if not text:
        raise ReasonRequired("a reason is required")
    if len(text) > max_length:
        raise InvalidValue(f"reason is longer than {max_length} characters", code="reason-too-long")
    return text


def mask_name(name: str) -> str:
    """A person's name as shown to the public: the first character and a star for
    each other one (张三 → 张*, 王小明 → 王**), never fewer than one star."""
    text = name.strip()
    return text[:1] + "*" * max(1, len(text) - 1)


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
