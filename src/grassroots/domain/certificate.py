"""Certificates of volunteer service (志愿服务证明): what a volunteer served in a period.

A certificate is issued once and never changes. It lists the activities served
in the period with their credited minutes, as the service ledger had them when
it was issued, and records the SHA-256 of the PDF rendered from exactly these
facts: a PDF shown later is genuine and unaltered when its bytes hash to that.

Its serial is what a reader types or scans: twelve characters of Crockford's
base 32 (digits and upper-case letters, no I, L, O or U) in three groups, so a
QR code of the verification URL stays in alphanumeric mode. The aggregate's id
is derived from the serial, so the serial finds the certificate with no index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.values import derived_id, require_aware, require_day

__all__ = [
    "MAX_PERIOD_DAYS",
    "SERIAL_RANDOM_BYTES",
    "Certificate",
    "CertificateFacts",
    "CertificateLine",
    "ServedMinutes",
    "certificate_lines",
    "check_period",
    "display_hours",
    "draw_up",
    "normalise_serial",
    "serial_from",
    "total_minutes",
]

# A year, leap day included: a certificate covers at most this many days.
MAX_PERIOD_DAYS = 366
# Sixty bits of chance behind a serial: enough that guessing one is hopeless.
SERIAL_RANDOM_BYTES = 8

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SERIAL_CHARS = 12
_SERIAL = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}")
# What a person may type for a character: Crockford's base 32 reads I and L as
# one, O as zero, and ignores hyphens and spaces.
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})


@dataclass(frozen=True)
class ServedMinutes:
    """One line of the service ledger as a certificate needs it: a credit or a
    correction of one attendance, named by its activity and center."""

    attendance_id: UUID
    service_date: date
    activity_title: str
    center_name: str
    minutes: int


@dataclass(frozen=True)
class CertificateLine:
    """One activity served, as the certificate shows it."""

    day: date
    activity_title: str
    center_name: str
    minutes: int

    def as_record(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "activity_title": self.activity_title,
            "center_name": self.center_name,
            "minutes": self.minutes,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> CertificateLine:
        return cls(
            day=date.fromisoformat(record["day"]),
            activity_title=record["activity_title"],
            center_name=record["center_name"],
            minutes=int(record["minutes"]),
        )


def check_period(from_day: date, to_day: date, *, today: date) -> None:
    """Refuse a period that ends before it starts, lasts over a year or is not yet over."""
    require_day(from_day, "from")
    require_day(to_day, "to")
    if to_day < from_day:
        raise InvalidValue("the period ends before it starts", code="certificate-period-invalid")
    if (to_day - from_day).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidValue(
            f"a certificate covers at most {MAX_PERIOD_DAYS} days",
            code="certificate-period-too-long",
        )
    if to_day > today:
        # Service not yet done cannot be certified; a period may end today.
        raise InvalidValue(
            "the period must not end after today", code="certificate-period-in-future"
        )


def certificate_lines(
    served: Iterable[ServedMinutes], from_day: date, to_day: date
) -> list[CertificateLine]:
    """The activities served in the period, one line per attendance, by day then title.

    A ledger line belongs to the day its activity was scheduled on, whenever it was
    recorded: a correction made later counts with the service it corrects. An
    attendance whose credit was corrected to nothing is left out.
    """
    summed: dict[UUID, CertificateLine] = {}
    for line in served:
        if not from_day <= line.service_date <= to_day:
            continue
        known = summed.get(line.attendance_id)
        minutes = line.minutes + (known.minutes if known else 0)
        summed[line.attendance_id] = CertificateLine(
            day=line.service_date,
            activity_title=line.activity_title,
            center_name=line.center_name,
            minutes=minutes,
        )
    kept = [line for line in summed.values() if line.minutes > 0]
    return sorted(kept, key=lambda line: (line.day, line.activity_title, line.center_name))


def total_minutes(lines: Iterable[CertificateLine]) -> int:
    return sum(line.minutes for line in lines)


def display_hours(minutes: int) -> str:
    """Minutes as hours for people to read: two decimals at most, none needless
    (90 → "1.5", 120 → "2", 50 → "0.83")."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = format(hours, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def serial_from(random: bytes) -> str:
    """A serial made of the first sixty bits of ``random`` ("7K3M-9QXD-2HFA")."""
    if len(random) < SERIAL_RANDOM_BYTES:
        raise ValueError(f"a serial needs {SERIAL_RANDOM_BYTES} random bytes")
    number = int.from_bytes(random[:SERIAL_RANDOM_BYTES], "big") >> 4
    chars = []
    for _ in range(_SERIAL_CHARS):
        number, digit = divmod(number, 32)
        chars.append(_ALPHABET[digit])
    text = "".join(reversed(chars))
    return "-".join(text[i : i + 4] for i in range(0, _SERIAL_CHARS, 4))


def normalise_serial(typed: str) -> str:
    """A serial as issued, from what a reader typed or a link carried (any case,
    with or without hyphens, I/L for 1 and O for 0); refused when it cannot be one."""
    text = re.sub(r"[\s-]", "", typed.upper()).translate(_TYPED)
    serial = "-".join(text[i : i + 4] for i in range(0, len(text), 4))
    if len(text) != _SERIAL_CHARS or not _SERIAL.fullmatch(serial):
        raise InvalidValue("not a certificate serial", code="certificate-serial-invalid")
    return serial


@dataclass(frozen=True)
class CertificateFacts:
    """Everything a certificate shows, before its PDF is rendered and hashed."""

    serial: str
    volunteer_name: str
    from_day: date
    to_day: date
    lines: tuple[CertificateLine, ...]
    issued_at: datetime

    @property
    def total_minutes(self) -> int:
        return total_minutes(self.lines)


def draw_up(
    *,
    serial: str,
    volunteer_name: str,
    from_day: date,
    to_day: date,
    served: Iterable[ServedMinutes],
    today: date,
    at: datetime,
) -> CertificateFacts:
    """The facts of a certificate of the service in the period, as of ``at``
    (``today`` is its day in the volunteer's zone); refused when there are none."""
    check_period(from_day, to_day, today=today)
    lines = certificate_lines(served, from_day, to_day)
    if not lines:
        raise NotAllowed("no credited service in the period to certify", code="certificate-empty")
    return CertificateFacts(
        serial=normalise_serial(serial),
        volunteer_name=volunteer_name,
        from_day=from_day,
        to_day=to_day,
        lines=tuple(lines),
        issued_at=require_aware(at),
    )


class Certificate(Aggregate):
    class Issued(Aggregate.Created):
        serial: str
        volunteer_id: UUID
        volunteer_name: str
        from_day: str
        to_day: str
        lines: list[dict[str, Any]]
        total_minutes: int
        pdf_sha256: str
        at: datetime

    @staticmethod
    def id_for(serial: str) -> UUID:
        return derived_id("certificate", normalise_serial(serial))

    @classmethod
    def issue(cls, facts: CertificateFacts, *, volunteer_id: UUID, pdf_sha256: str) -> Certificate:
        """The certificate of ``facts`` (see ``draw_up``), whose PDF hashes to ``pdf_sha256``."""
        if not facts.lines:
            raise NotAllowed(
                "no credited service in the period to certify", code="certificate-empty"
            )
        if any(not facts.from_day <= line.day <= facts.to_day for line in facts.lines):
            raise InvalidValue(
                "a line falls outside the period", code="certificate-line-outside-period"
            )
        if not re.fullmatch(r"[0-9a-f]{64}", pdf_sha256):
            raise InvalidValue("not a SHA-256 digest", code="certificate-digest-invalid")
        serial = normalise_serial(facts.serial)
        return cls._create(
            cls.Issued,
            id=cls.id_for(serial),
            serial=serial,
            volunteer_id=volunteer_id,
            volunteer_name=facts.volunteer_name,
            from_day=facts.from_day.isoformat(),
            to_day=facts.to_day.isoformat(),
            lines=[line.as_record() for line in facts.lines],
            total_minutes=facts.total_minutes,
            pdf_sha256=pdf_sha256,
            at=require_aware(facts.issued_at),
        )

    @event(Issued)
    def __init__(
        self,
        serial: str,
        volunteer_id: UUID,
        volunteer_name: str,
        from_day: str,
        to_day: str,
        lines: list[dict[str, Any]],
        total_minutes: int,
        pdf_sha256: str,
        at: datetime,
    ) -> None:
        self.serial = serial
        self.volunteer_id = volunteer_id
        self.total_minutes = total_minutes
        self.pdf_sha256 = pdf_sha256
        self.facts = CertificateFacts(
            serial=serial,
            volunteer_name=volunteer_name,
            from_day=date.fromisoformat(from_day),
            to_day=date.fromisoformat(to_day),
            lines=tuple(CertificateLine.from_record(r) for r in lines),
            issued_at=at,
        )

    def certifies(self, pdf_sha256: str) -> bool:
        """Whether a PDF hashing to ``pdf_sha256`` is this certificate, unaltered."""
        return pdf_sha256.lower() == self.pdf_sha256
