"""Rotating venue QR tokens.

A venue screen shows a code that changes every ``rotation_seconds``, so a scan shows
the code was seen moments ago: a photo passed around is worthless within half a
minute (at the default 15 seconds). A token is accepted
during the time step it was minted for and the one after, so a scan started just
before the code changes still counts.

Layout: 35 bytes, written as 56 characters of RFC 4648 base32 without padding::

    offset  size  field
         0     1  version          0x01
         1     1  subject kind     0x01 activity, 0x02 point
         2    16  subject id       UUID bytes, big-endian
        18     5  step             unsigned big-endian: floor(unix seconds / rotation)
        23    12  tag              HMAC-SHA256(subject key, bytes 0..22), first 12 bytes

The subject key is HMAC-SHA256(secret, b"grassroots/qr/v1/" + kind + b"/" + id), so
a tag computed for one subject says nothing about any other.

Why these sizes: 35 bytes is a whole number of 5-byte base32 groups, so the text has
no padding and no spare bits (changing any character changes the bytes, so no two
spellings of one token exist apart from letter case). 56 characters of the base32
alphabet (A-Z, 2-7) fit QR "alphanumeric" mode at version 3 with error correction M
(29x29 modules). A 96-bit tag is far beyond what can be guessed online within the
half-minute a token lives. Five step bytes reach past the year 9999 even with a
one-second rotation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

from grassroots.domain.errors import (
    InvalidValue,
    TokenExpired,
    TokenForged,
    TokenForOtherSubject,
    TokenMalformed,
)
from grassroots.domain.values import require_aware

__all__ = [
    "DEFAULT_ROTATION_SECONDS",
    "HELD_SCAN",
    "MIN_SECRET_BYTES",
    "POINT_PATH",
    "QR_ALPHANUMERIC",
    "SCAN_PATH",
    "TOKEN_ALPHABET",
    "TOKEN_LENGTH",
    "TOKEN_VERSION",
    "QrSubject",
    "SubjectKind",
    "VerifiedToken",
    "current_token",
    "held_scan_at",
    "mint_token",
    "next_rotation_at",
    "scan_url",
    "scanned_subject",
    "step_at",
    "subject_key",
    "verify_token",
]

DEFAULT_ROTATION_SECONDS = 15
MIN_SECRET_BYTES = 16
TOKEN_VERSION = 1
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

# The characters QR "alphanumeric" mode holds (5.5 bits each instead of 8 in byte
# mode): a code made only of them stays a small, quickly read symbol.
QR_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# The path a scanned code opens, upper case for the same reason.
SCAN_PATH = "/S/"
# The path a grassroots point's code opens: the cadre's visit starts there.
POINT_PATH = "/P/"

_KEY_CONTEXT = b"grassroots/qr/v1/"
_STEP_BYTES = 5
_TAG_BYTES = 12
_SIGNED_BYTES = 1 + 1 + 16 + _STEP_BYTES
_TOKEN_BYTES = _SIGNED_BYTES + _TAG_BYTES
TOKEN_LENGTH = _TOKEN_BYTES * 8 // 5
_MAX_STEP = 2 ** (8 * _STEP_BYTES) - 1
_ALPHABET_SET = frozenset(TOKEN_ALPHABET)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SubjectKind(StrEnum):
    ACTIVITY = "activity"
    POINT = "point"


# The wire codes are fixed here rather than derived from the enum's order, so
# adding a kind can never renumber the ones already printed on screens.
_KIND_CODES: dict[SubjectKind, int] = {SubjectKind.ACTIVITY: 0x01, SubjectKind.POINT: 0x02}
_KINDS_BY_CODE: dict[int, SubjectKind] = {code: kind for kind, code in _KIND_CODES.items()}
_NOUNS: dict[SubjectKind, str] = {
    SubjectKind.ACTIVITY: "activity",
    SubjectKind.POINT: "grassroots point",
}


@dataclass(frozen=True)
class QrSubject:
    """What a code admits to: an activity (volunteer check-in) or a grassroots point
    (start of a cadre's visit)."""

    kind: SubjectKind
    id: UUID

    def __post_init__(self) -> None:
        # Subjects are built from request data too; a wrong type must fail here as a
        # domain error, not as an AttributeError deep inside the signing code.
        try:
            kind = SubjectKind(self.kind)
        except ValueError as e:
            raise InvalidValue(
                f"unknown QR subject kind {self.kind!r}", code="qr-subject-kind-unknown"
            ) from e
        if not isinstance(self.id, UUID):
            raise InvalidValue("a QR subject is named by a UUID", code="qr-subject-id-invalid")
        object.__setattr__(self, "kind", kind)


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check. It is accepted for ``valid_from <= t <
    expires_at``: ``expires_at`` is the end of the step after the token's own, the
    first instant at which the token is refused as stale."""

    subject: QrSubject
    step: int
    valid_from: datetime
    expires_at: datetime


def _require_rotation(rotation_seconds: int) -> int:
    # bool is an int; a rotation of True seconds is a bug, not a setting.
    if (
        not isinstance(rotation_seconds, int)
        or isinstance(rotation_seconds, bool)
        or rotation_seconds < 1
    ):
        raise InvalidValue(
            "the rotation period must be a whole number of seconds, at least 1",
            code="qr-rotation-invalid",
        )
    return rotation_seconds


def step_at(at: datetime, rotation_seconds: int) -> int:
    """The number of the time step holding ``at``: floor(unix seconds / rotation)."""
    require_aware(at)
    period = timedelta(seconds=_require_rotation(rotation_seconds))
    # Integer timedelta division: float timestamps round near step boundaries.
    return (at - _EPOCH) // period


def _step_start(step: int, rotation_seconds: int) -> datetime:
    try:
        return _EPOCH + timedelta(seconds=step * rotation_seconds)
    except OverflowError as e:
        raise InvalidValue(
            "the instant is beyond the range of dates", code="instant-out-of-range"
        ) from e


def next_rotation_at(at: datetime, rotation_seconds: int) -> datetime:
    """When the screen must show the next code: the start of the step after ``at``'s."""
    return _step_start(step_at(at, rotation_seconds) + 1, rotation_seconds)


def _require_secret(secret: bytes) -> bytes:
    if len(secret) < MIN_SECRET_BYTES:
        raise InvalidValue(
            f"the QR secret must be at least {MIN_SECRET_BYTES} bytes", code="qr-secret-too-short"
        )
    return secret


def subject_key(secret: bytes, subject: QrSubject) -> bytes:
    """The key that signs ``subject``'s tokens, derived from the server secret."""
    _require_secret(secret)
    # The separator keeps kind and id apart even if a future kind's name ends
    # with bytes that could be mistaken for the start of an id.
    label = _KEY_CONTEXT + subject.kind.value.encode("ascii") + b"/" + subject.id.bytes
    return hmac.new(secret, label, hashlib.sha256).digest()


def _tag(key: bytes, signed: bytes) -> bytes:
    return hmac.new(key, signed, hashlib.sha256).digest()[:_TAG_BYTES]


def _signed_part(subject: QrSubject, step: int) -> bytes:
    return (
        bytes((TOKEN_VERSION, _KIND_CODES[subject.kind]))
        + subject.id.bytes
        + step.to_bytes(_STEP_BYTES, "big")
    )


def mint_token(*, secret: bytes, subject: QrSubject, at: datetime, rotation_seconds: int) -> str:
    """The token the screen for ``subject`` shows at ``at``."""
    step = step_at(at, rotation_seconds)
    if not 0 <= step <= _MAX_STEP:
        raise InvalidValue(
            "QR tokens can only be minted for instants after 1970", code="instant-out-of-range"
        )
    signed = _signed_part(subject, step)
    raw = signed + _tag(subject_key(secret, subject), signed)
    return base64.b32encode(raw).decode("ascii")


def current_token(
    *, secret: bytes, subject: QrSubject, at: datetime, rotation_seconds: int
) -> tuple[str, datetime]:
    """The token for ``at`` and the instant it stops being accepted.

    The screen should replace the code earlier, at :func:`next_rotation_at`; the
    second value is when a photo of this code becomes worthless.
    """
    token = mint_token(secret=secret, subject=subject, at=at, rotation_seconds=rotation_seconds)
    step = step_at(at, rotation_seconds)
    return token, _step_start(step + 2, rotation_seconds)


def _decode(token: str) -> bytes:
    # Everything here is cheap and length-bounded before any decoding, so an
    # arbitrarily long or strange input costs nothing.
    if not isinstance(token, str):
        raise TokenMalformed("the code is not text", code="token-not-text")
    if len(token) != TOKEN_LENGTH:
        raise TokenMalformed("the code has the wrong length", code="token-wrong-length")
    # Scanners and keyboards may lowercase the text, so case is ignored; but only
    # for ASCII, because str.upper maps some other letters onto ASCII ones
    # ("ı" -> "I", "ſ" -> "S") and a changed token must never pass.
    if not token.isascii():
        raise TokenMalformed("the code has characters outside its alphabet", code="token-alphabet")
    text = token.upper()
    if not _ALPHABET_SET.issuperset(text):
        raise TokenMalformed("the code has characters outside its alphabet", code="token-alphabet")
    try:
        return base64.b32decode(text)
    except binascii.Error as e:  # unreachable after the checks above; kept as a backstop
        raise TokenMalformed("the code is not base32", code="token-not-base32") from e


def _parse(token: str) -> tuple[QrSubject, int, bytes, bytes]:
    raw = _decode(token)
    if raw[0] != TOKEN_VERSION:
        raise TokenMalformed(f"unknown code version {raw[0]}", code="token-version-unknown")
    kind = _KINDS_BY_CODE.get(raw[1])
    if kind is None:
        raise TokenMalformed("the code names an unknown kind of subject", code="token-kind-unknown")
    subject = QrSubject(kind, UUID(bytes=raw[2:18]))
    step = int.from_bytes(raw[18:_SIGNED_BYTES], "big")
    return subject, step, raw[:_SIGNED_BYTES], raw[_SIGNED_BYTES:]


def verify_token(
    token: str, *, secret: bytes, expected: QrSubject, at: datetime, rotation_seconds: int
) -> VerifiedToken:
    """Check a scanned token for ``expected`` at ``at``; raise a TokenRejected if it fails.

    The checks run in a fixed order (shape, tag, subject, time) so the error says
    the most basic thing wrong: a forged code is reported as forged even when it
    also names another subject or an old step.
    """
    current = step_at(at, rotation_seconds)
    # A short secret is a configuration error, refused whatever the token holds.
    _require_secret(secret)
    named, step, signed, tag = _parse(token)
    # The tag is checked under the key of the subject the token names, not the
    # expected one, so a genuine code for another place is told apart from a forgery.
    if not hmac.compare_digest(tag, _tag(subject_key(secret, named), signed)):
        raise TokenForged("the code was not issued by this server", code="token-forged")
    if named != expected:
        if named.kind != expected.kind:
            raise TokenForOtherSubject(
                "the code is for another kind of place",
                code="token-other-kind",
            )
        raise TokenForOtherSubject(
            f"the code is for another {_NOUNS[named.kind]}",
            code=f"token-other-{named.kind.value}",
        )
    if step > current:
        raise TokenExpired("the code is from a later time", code="token-from-future")
    if step < current - 1:
        raise TokenExpired("the code has expired; scan the screen again", code="token-stale")
    return VerifiedToken(
        subject=named,
        step=step,
        valid_from=_step_start(step, rotation_seconds),
        expires_at=_step_start(step + 2, rotation_seconds),
    )


# How long a code the server saw fresh on a phone stays good on that phone: long
# enough to log in or register after scanning logged out, or to read the page before
# tapping. The phone that presents it is the one that opened the code while it was on
# the screen (the page holds it in a cookie, not in the address), so a photo sent on
# still has only the code's own half-minute.
HELD_SCAN = timedelta(minutes=5)


def held_scan_at(seen_at: datetime, now: datetime) -> datetime:
    """The instant a held scan's code is checked at: when the server saw it on the
    phone, if that was at most ``HELD_SCAN`` before ``now`` (and not after it)."""
    require_aware(seen_at, "seen_at")
    require_aware(now, "now")
    if seen_at > now:
        raise TokenExpired("the scan was held from a later time", code="token-from-future")
    if now - seen_at > HELD_SCAN:
        raise TokenExpired("the code has expired; scan the screen again", code="token-stale")
    return seen_at


def scan_url(public_url: str, token: str, *, path: str = SCAN_PATH) -> str:
    """What a venue code encodes: ``<PUBLIC URL>/S/<TOKEN>``, upper case where case
    does not matter; a grassroots point's code opens ``POINT_PATH`` instead.

    A phone's camera or WeChat's scanner opens it as a web address. Scheme and host
    are case-insensitive and tokens are base32, so for a public URL without a path
    the whole text stays in QR alphanumeric mode (a small symbol). A path keeps its
    case (it is case-sensitive); lower-case letters in it put the code in byte mode,
    larger but still read.
    """
    parts = urlsplit(public_url.rstrip("/"))
    base = urlunsplit((parts.scheme.upper(), parts.netloc.upper(), parts.path, "", ""))
    return f"{base}{path}{token.upper()}"


def scanned_subject(token: str, *, secret: bytes) -> QrSubject:
    """The subject a scanned token names, once its tag shows this server minted it.

    A page opened from a code knows only the token; this finds the activity (or
    point) to check in at. Time is not looked at here: :func:`verify_token` does
    that when the scan is recorded, so a code that expires meanwhile is refused
    then, in the words of a stale code.
    """
    _require_secret(secret)
    named, _step, signed, tag = _parse(token)
    if not hmac.compare_digest(tag, _tag(subject_key(secret, named), signed)):
        raise TokenForged("the code was not issued by this server", code="token-forged")
    return named
