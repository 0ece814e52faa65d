"""Accounts (who may log in, and as what) and their sessions.

An account's id is derived from its normalised phone number under a key from
the server's secret (``domain/ids.py``), so the event store's unique key refuses
a second account for the same number, and the id does not give the number away. The account
holds grants: a role, and for every role but the administrator's the record it
applies to (the volunteer, a center, the cadre, the supervised org unit).

A session is an aggregate of its own, so logging in every day does not make the
account longer to load. It keeps only the hash of its current refresh secret;
refreshing rotates the secret, and presenting an earlier one again (a copied
token) ends the session for both holders.

A session stands on the account's credentials as they were when it began: the
account counts its credential changes (a password change, a disable), and a
session holds only while its count is the account's. So a password change ends
every other session without listing them, and enabling a disabled account does
not bring its old sessions back. The session that proved the current password
to change it is carried over to the new count (``Session.Reauthenticated``).
A session also has an absolute end: refreshing slides its expiry, but never
past its start plus the longest life allowed.

Passwords and secrets are hashed by the application; the domain sees hashes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.ids import keyed_id
from grassroots.domain.values import derived_id, require_aware, require_reason, require_text
from grassroots.domain.volunteer import normalise_phone

__all__ = [
    "MAX_SESSION_LIFETIME",
    "Account",
    "Grant",
    "RefreshOutcome",
    "Role",
    "Session",
    "SessionEnded",
]


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    CENTER_STAFF = "center_staff"
    CADRE = "cadre"
    SUPERVISOR = "supervisor"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True, order=True)
class Grant:
    """A role, and the record it applies to (none for the administrator)."""

    role: Role
    subject_id: UUID | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.ADMINISTRATOR) != (self.subject_id is None):
            raise InvalidValue(
                "an administrator grant names no record; every other grant names one",
                code="grant-invalid",
            )

    def as_dict(self) -> dict[str, str | None]:
        return {
            "role": self.role.value,
            "subject_id": None if self.subject_id is None else str(self.subject_id),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grant:
        subject = data.get("subject_id")
        return cls(Role(data["role"]), None if subject is None else UUID(str(subject)))


class Account(Aggregate):
    class Opened(Aggregate.Created):
        phone: str
        name: str
        password_hash: str
        grants: list[dict[str, str | None]]
        at: datetime

    class PasswordChanged(Aggregate.Event):
        password_hash: str
        at: datetime

    class PasswordRehashed(Aggregate.Event):
        password_hash: str
        at: datetime

    class Granted(Aggregate.Event):
        grant: dict[str, str | None]
        at: datetime

    class Revoked(Aggregate.Event):
        grant: dict[str, str | None]
        at: datetime

    class Disabled(Aggregate.Event):
        reason: str
        at: datetime

    class Enabled(Aggregate.Event):
        at: datetime

    @staticmethod
    def id_for(phone: str, id_secret: bytes) -> UUID:
        """The id of a new account for this phone (keyed by the server's secret)."""
        return keyed_id(id_secret, "account", normalise_phone(phone))

    @staticmethod
    def legacy_id_for(phone: str) -> UUID:
        """The id an account for this phone was given before ids were keyed: such
        accounts keep it, so it must still be found and still be taken."""
        return derived_id("account", normalise_phone(phone))

    @staticmethod
    def ids_for(phone: str, id_secret: bytes) -> tuple[UUID, UUID]:
        """Every id an account for this phone may have, the one of new accounts first."""
        return Account.id_for(phone, id_secret), Account.legacy_id_for(phone)

    @classmethod
    def open(
        cls,
        *,
        phone: str,
        name: str,
        password_hash: str,
        grants: list[Grant],
        at: datetime,
        id_secret: bytes,
    ) -> Account:
        if not grants:
            raise InvalidValue("an account needs at least one role", code="grant-missing")
        return cls._create(
            cls.Opened,
            id=cls.id_for(phone, id_secret),
            phone=normalise_phone(phone),
            name=require_text(name, "name", max_length=50),
            password_hash=_require_hash(password_hash),
            grants=[g.as_dict() for g in sorted(set(grants))],
            at=require_aware(at),
        )

    @event(Opened)
    def __init__(
        self,
        phone: str,
        name: str,
        password_hash: str,
        grants: list[dict[str, str | None]],
        at: datetime,
    ) -> None:
        self.phone = phone
        self.name = name
        self.password_hash = password_hash
        self.grants: set[Grant] = {Grant.from_dict(g) for g in grants}
        self.disabled_reason: str | None = None
        # How many times the credentials changed: sessions begun under an earlier
        # count no longer hold.
        self.credentials_version = 0

    @property
    def is_disabled(self) -> bool:
        return self.disabled_reason is not None

    def require_enabled(self) -> None:
        if self.is_disabled:
            raise AlreadyClosed("this account is disabled", code="account-disabled")

    def change_password(self, password_hash: str, *, at: datetime) -> None:
        self._password_changed(password_hash=_require_hash(password_hash), at=require_aware(at))

    @event(PasswordChanged)
    def _password_changed(self, password_hash: str, at: datetime) -> None:
        self.password_hash = password_hash
        self.credentials_version += 1

    def rehash_password(self, password_hash: str, *, at: datetime) -> None:
        """The same password under the current hashing costs: no session ends."""
        self._password_rehashed(password_hash=_require_hash(password_hash), at=require_aware(at))

    @event(PasswordRehashed)
    def _password_rehashed(self, password_hash: str, at: datetime) -> None:
        self.password_hash = password_hash

    def holds(self, session: Session, at: datetime) -> bool:
        """Whether ``session`` still lets its holder act as this account."""
        return (
            session.account_id == self.id
            and not self.is_disabled
            and session.credentials_version == self.credentials_version
            and session.is_open(at)
        )

    def grant(self, grant: Grant, *, at: datetime) -> None:
        if grant in self.grants:
            return
        self._granted(grant=grant.as_dict(), at=require_aware(at))

    @event(Granted)
    def _granted(self, grant: dict[str, str | None], at: datetime) -> None:
        self.grants.add(Grant.from_dict(grant))

    def revoke(self, grant: Grant, *, at: datetime) -> None:
        if grant not in self.grants:
            raise NotAllowed("the account does not hold this role", code="grant-not-held")
        if len(self.grants) == 1:
            raise NotAllowed(
                "an account keeps at least one role; disable it instead", code="grant-last"
            )
        self._revoked(grant=grant.as_dict(), at=require_aware(at))

    @event(Revoked)
    def _revoked(self, grant: dict[str, str | None], at: datetime) -> None:
        self.grants.discard(Grant.from_dict(grant))

    def disable(self, reason: str, *, at: datetime) -> None:
        self.require_enabled()
        self._disabled(reason=require_reason(reason), at=require_aware(at))

    @event(Disabled)
    def _disabled(self, reason: str, at: datetime) -> None:
        self.disabled_reason = reason
        self.credentials_version += 1

    def enable(self, *, at: datetime) -> None:
        if not self.is_disabled:
            raise NotAllowed("this account is not disabled", code="account-not-disabled")
        self._enabled(at=require_aware(at))

    @event(Enabled)
    def _enabled(self, at: datetime) -> None:
        self.disabled_reason = None


# The longest a session may last from its log-in, however often it is refreshed.
MAX_SESSION_LIFETIME = timedelta(days=90)


class RefreshOutcome(StrEnum):
    ROTATED = "rotated"
    # An earlier secret came back: someone holds a copy. The session is ended
    # (that is recorded and must be saved) and the caller is refused.
    REUSED = "reused"


class SessionEnded(AlreadyClosed):
    code = "session-ended"


class Session(Aggregate):
    class Started(Aggregate.Created):
        class_version = 2

        account_id: UUID
        secret_hash: str
        at: datetime
        expires_at: datetime
        credentials_version: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Sessions recorded before credentials were counted: they hold only
            # for accounts whose credentials never changed.
            state["credentials_version"] = 0

    class Rotated(Aggregate.Event):
        secret_hash: str
        at: datetime
        expires_at: datetime

    class Ended(Aggregate.Event):
        reason: str
        at: datetime

    class Reauthenticated(Aggregate.Event):
        credentials_version: int
        at: datetime

    @classmethod
    def start(
        cls,
        *,
        account_id: UUID,
        secret_hash: str,
        at: datetime,
        lifetime: timedelta,
        max_lifetime: timedelta = MAX_SESSION_LIFETIME,
        credentials_version: int = 0,
    ) -> Session:
        """A session of the account whose credentials are at ``credentials_version``."""
        at = require_aware(at)
        return cls(
            account_id=account_id,
            secret_hash=_require_hash(secret_hash),
            at=at,
            expires_at=at + min(_require_lifetime(lifetime), _require_lifetime(max_lifetime)),
            credentials_version=credentials_version,
        )

    @event(Started)
    def __init__(
        self,
        account_id: UUID,
        secret_hash: str,
        at: datetime,
        expires_at: datetime,
        credentials_version: int,
    ):
        self.account_id = account_id
        self.secret_hash = secret_hash
        self.earlier_hashes: set[str] = set()
        self.started_at = at
        self.expires_at = expires_at
        self.ended_reason: str | None = None
        self.credentials_version = credentials_version

    def is_open(self, at: datetime) -> bool:
        return self.ended_reason is None and require_aware(at) < self.expires_at

    def require_open(self, at: datetime) -> None:
        if self.ended_reason is not None:
            raise SessionEnded(f"this session has ended ({self.ended_reason})")
        if require_aware(at) >= self.expires_at:
            raise SessionEnded("this session has expired; log in again")

    def rotate(
        self,
        *,
        presented_hash: str,
        new_hash: str,
        at: datetime,
        lifetime: timedelta,
        max_lifetime: timedelta = MAX_SESSION_LIFETIME,
    ) -> RefreshOutcome:
        self.require_open(at)
        if presented_hash in self.earlier_hashes:
            self._ended(reason="refresh-token-reused", at=at)
            return RefreshOutcome.REUSED
        if presented_hash != self.secret_hash:
            # To its holder an unknown token is a session that no longer holds: the
            # answer is the same as for an ended one, and tells a guesser nothing.
            raise SessionEnded("this refresh token is not valid; log in again")
        # Sliding, but never past the absolute end: a stolen refresh token kept
        # fresh cannot keep a session alive for ever.
        last = self.started_at + _require_lifetime(max_lifetime)
        self._rotated(
            secret_hash=_require_hash(new_hash),
            at=at,
            expires_at=min(at + _require_lifetime(lifetime), last),
        )
        return RefreshOutcome.ROTATED

    def require_current(self, account: Account, at: datetime) -> None:
        """Refuse a session the account's credentials have moved past (or a disable ended)."""
        self.require_open(at)
        if self.credentials_version != account.credentials_version:
            raise SessionEnded("this session ended when the password changed; log in again")

    def reauthenticate(self, account: Account, *, at: datetime) -> None:
        """Its holder proved the password again: carry it over to the account's credentials."""
        if self.credentials_version != account.credentials_version:
            self._reauthenticated(
                credentials_version=account.credentials_version, at=require_aware(at)
            )

    @event(Reauthenticated)
    def _reauthenticated(self, credentials_version: int, at: datetime) -> None:
        self.credentials_version = credentials_version

    @event(Rotated)
    def _rotated(self, secret_hash: str, at: datetime, expires_at: datetime) -> None:
        self.earlier_hashes.add(self.secret_hash)
        self.secret_hash = secret_hash
        self.expires_at = expires_at

    def end(self, reason: str, *, at: datetime) -> None:
        if self.ended_reason is not None:
            return
        self._ended(reason=require_reason(reason), at=require_aware(at))

    @event(Ended)
    def _ended(self, reason: str, at: datetime) -> None:
        self.ended_reason = reason


def _require_hash(value: str) -> str:
    if not value or len(value) > 512:
        raise InvalidValue("a stored secret must be a non-empty hash", code="hash-invalid")
    return value


def _require_lifetime(lifetime: timedelta) -> timedelta:
    if lifetime <= timedelta(0):
        raise InvalidValue("a session must last a positive time", code="lifetime-invalid")
    return lifetime
