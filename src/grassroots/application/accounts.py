"""Accounts and sessions: registering, logging in and out, refreshing, roles.

Passwords are hashed with argon2 (its parameters travel inside the hash, so
stronger settings later still verify old hashes). A refresh token is
``<session id>.<random secret>``; only the secret's SHA-256 is recorded, which
is enough for a 256-bit random value (no dictionary to guess from).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.domain import Aggregate

from grassroots.application.core import Core
from grassroots.application.errors import (
    AlreadyTaken,
    ConcurrentChange,
    CredentialsRejected,
    NotFound,
)
from grassroots.domain.account import (
    MAX_SESSION_LIFETIME,
    Account,
    Grant,
    RefreshOutcome,
    Role,
    Session,
    SessionEnded,
)
from grassroots.domain.cadre import Cadre
from grassroots.domain.center import Center
from grassroots.domain.errors import InvalidValue
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.volunteer import PhoneClaim, Volunteer

__all__ = [
    "AccountCommands",
    "IssuedSession",
    "password_hasher",
    "require_password",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

_SUBJECT_KINDS: dict[Role, type] = {
    Role.VOLUNTEER: Volunteer,
    Role.CENTER_STAFF: Center,
    Role.CADRE: Cadre,
    Role.SUPERVISOR: OrgUnit,
}


# argon2id as the OWASP Password Storage Cheat Sheet recommends: 19 MiB, two
# passes, one lane. The library's default (RFC 9106's low-memory option, 64 MiB,
# three passes, four lanes) took 64 MiB and about a second per hash here, so a
# burst of anonymous log-ins could take the server's memory; with these costs and
# the API's few hashing slots a hash takes 19 MiB and about 0.1 s (docs/performance.md).
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_LANES = 1


def password_hasher(*, fast: bool = False) -> PasswordHasher:
    """argon2id with the costs above; ``fast`` is for tests only."""
    if fast:
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_LANES
    )


def require_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidValue(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", code="password-too-short"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidValue(
            f"a password has at most {MAX_PASSWORD_LENGTH} characters", code="password-too-long"
        )
    return password


@dataclass(frozen=True)
class IssuedSession:
    account: Account
    session: Session
    refresh_token: str


class AccountCommands(Core):
    hasher: PasswordHasher = password_hasher()

    def use_password_hasher(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher

    def open_account(
        self, *, phone: str, name: str, password: str, grants: Sequence[Grant]
    ) -> UUID:
        """An account made by an administrator (staff, cadres, supervisors, administrators)."""
        for grant in grants:
            self._require_subject(grant)
        account = Account.open(
            phone=phone,
            name=name,
            password_hash=self.hasher.hash(require_password(password)),
            grants=list(grants),
            at=self.now(),
            id_secret=self.config.secret_key,
        )
        self._commit_new_account(account)
        return account.id

    def open_or_grant(
        self,
        *,
        phone: str,
        name: str,
        password: str,
        grant: Grant,
        others: Sequence[Aggregate] = (),
    ) -> tuple[UUID, bool]:
        """A role for whoever has this phone number: added to the account the number
        has (its name and password stay its own), or else a new account with this name
        and password. ``others`` are written in the same transaction (the new record a
        role names, such as a cadre's). The account's id, and whether it was opened."""
        if not any(other.id == grant.subject_id for other in others):
            self._require_subject(grant)
        known = self._account_id_for(phone)
        if known is not None:
            account = self.get(Account, known)
            account.grant(grant, at=self.now())
            self.commit(account, *others)
            return known, False
        account = Account.open(
            phone=phone,
            name=name,
            password_hash=self.hasher.hash(require_password(password)),
            grants=[grant],
            at=self.now(),
            id_secret=self.config.secret_key,
        )
        self._commit_new_account(account, *others)
        return account.id, True

    def register_volunteer_account(
        self, *, name: str, phone: str, password: str, birth_date: date, org_unit_id: UUID
    ) -> tuple[UUID, UUID]:
        """A volunteer registering themself: volunteer, phone claim and account in one write.

        Returns (account id, volunteer id).
        """
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
        account = Account.open(
            phone=phone,
            name=name,
            password_hash=self.hasher.hash(require_password(password)),
            grants=[Grant(Role.VOLUNTEER, volunteer.id)],
            at=self.now(),
            id_secret=self.config.secret_key,
        )
        self._commit_new_account(account, volunteer, claim)
        return account.id, volunteer.id

    def account(self, account_id: UUID) -> Account:
        return self.get(Account, account_id)

    def account_with_phone(self, phone: str) -> UUID | None:
        """The id of the account with this phone number, or None (an administrator
        finding one; a number that is not a phone number names none)."""
        return self._account_id_for(phone)

    def account_names(self, account_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Each account's display name: what others are shown instead of its id
        (an id is for those who administer accounts). None are ever deleted, so a
        name is missing only for an id that never named an account."""
        names: dict[UUID, str] = {}
        for account_id in set(account_ids):
            try:
                names[account_id] = self.get(Account, account_id).name
            except NotFound:
                continue
        return names

    def log_in(
        self,
        *,
        phone: str,
        password: str,
        lifetime: timedelta,
        max_lifetime: timedelta = MAX_SESSION_LIFETIME,
    ) -> IssuedSession:
        """A new session for the account with this phone and password."""
        account_id = self._account_id_for(phone)
        if account_id is None:
            # Spend the same time as a real check, so timing does not tell which
            # numbers have accounts.
            self._verify(self._dummy_hash(), password)
            raise _rejected()
        account = self.get(Account, account_id)
        if not self._verify(account.password_hash, password):
            raise _rejected()
        account.require_enabled()
        secret = secrets.token_urlsafe(32)
        session = Session.start(
            account_id=account.id,
            secret_hash=_digest(secret),
            at=self.now(),
            lifetime=lifetime,
            max_lifetime=max_lifetime,
            credentials_version=account.credentials_version,
        )
        changed: list[Aggregate] = [session]
        if self.hasher.check_needs_rehash(account.password_hash):
            # The same password under today's costs: not a change that ends sessions.
            account.rehash_password(self.hasher.hash(password), at=self.now())
            changed.append(account)
        self.commit(*changed)
        return IssuedSession(account, session, f"{session.id.hex}.{secret}")

    def refresh_session(
        self,
        refresh_token: str,
        *,
        lifetime: timedelta,
        max_lifetime: timedelta = MAX_SESSION_LIFETIME,
    ) -> IssuedSession:
        """Swap a refresh token for a new one (the old one stops working)."""
        session_id, secret = _parse_refresh(refresh_token)
        try:
            session = self.get(Session, session_id)
        except NotFound:
            # Also when the id names a record of another kind: an account's id is
            # derived from its phone, so the answer must not tell one from nothing.
            raise _session_ended() from None
        account = self.get(Account, session.account_id)
        account.require_enabled()
        session.require_current(account, self.now())
        new_secret = secrets.token_urlsafe(32)
        outcome = session.rotate(
            presented_hash=_digest(secret),
            new_hash=_digest(new_secret),
            at=self.now(),
            lifetime=lifetime,
            max_lifetime=max_lifetime,
        )
        self.commit(session)
        if outcome is RefreshOutcome.REUSED:
            raise SessionEnded("this refresh token was already used; the session has been ended")
        return IssuedSession(account, session, f"{session.id.hex}.{new_secret}")

    def session(self, session_id: UUID) -> Session:
        return self.get(Session, session_id)

    def log_out(self, session_id: UUID) -> None:
        session = self.get(Session, session_id)
        session.end("logged-out", at=self.now())
        self.commit(session)

    def change_password(
        self, account_id: UUID, *, current: str, new: str, kept_session_id: UUID | None = None
    ) -> None:
        """Change the password: every session of the account ends but ``kept_session_id``
        (the one whose holder just proved the current password)."""
        account = self.get(Account, account_id)
        if not self._verify(account.password_hash, current):
            raise _rejected("the current password is not right")
        account.change_password(self.hasher.hash(require_password(new)), at=self.now())
        changed: list[Aggregate] = [account]
        if kept_session_id is not None:
            kept = self.get(Session, kept_session_id)
            if kept.account_id == account.id and kept.is_open(self.now()):
                kept.reauthenticate(account, at=self.now())
                changed.append(kept)
        self.commit(*changed)

    def grant_role(self, account_id: UUID, grant: Grant) -> None:
        self._require_subject(grant)
        account = self.get(Account, account_id)
        account.grant(grant, at=self.now())
        self.commit(account)

    def revoke_role(self, account_id: UUID, grant: Grant) -> None:
        account = self.get(Account, account_id)
        account.revoke(grant, at=self.now())
        self.commit(account)

    def disable_account(self, account_id: UUID, *, reason: str) -> None:
        account = self.get(Account, account_id)
        account.disable(reason, at=self.now())
        self.commit(account)

    def enable_account(self, account_id: UUID) -> None:
        account = self.get(Account, account_id)
        account.enable(at=self.now())
        self.commit(account)

    def _require_subject(self, grant: Grant) -> None:
        kind = _SUBJECT_KINDS.get(grant.role)
        if kind is not None and grant.subject_id is not None:
            self.get(kind, grant.subject_id)

    def _account_id_for(self, phone: str) -> UUID | None:
        """The id of the account with this phone, keyed or made before ids were keyed."""
        try:
            ids = Account.ids_for(phone, self.config.secret_key)
        except InvalidValue:
            return None
        return next((i for i in ids if self.exists(i)), None)

    def _commit_new_account(self, account: Account, *others: Aggregate) -> None:
        # Accounts and claims made before ids were keyed keep their earlier ids. No
        # new record is ever given such an id, so finding none there now means none
        # will appear: looking before the write is safe. The keyed ids are left to
        # the store's unique key, which also holds between processes.
        legacy = [Account.legacy_id_for(account.phone)]
        legacy += [PhoneClaim.legacy_id_for(o.phone) for o in others if isinstance(o, PhoneClaim)]
        if any(self.exists(i) for i in legacy):
            raise _phone_taken()
        try:
            self.commit(account, *others)
        except ConcurrentChange:
            # The account's id (or the phone claim's, for a volunteer registered
            # before they had an account) is derived from the phone number.
            if any(self.exists(a.id) for a in (account, *others)):
                raise _phone_taken() from None
            raise

    def _dummy_hash(self) -> str:
        """A hash of a random password, made with the current costs, to verify against
        when the phone has no account."""
        cached: tuple[PasswordHasher, str] | None = getattr(self, "_dummy", None)
        if cached is None or cached[0] is not self.hasher:
            cached = (self.hasher, self.hasher.hash(secrets.token_urlsafe(16)))
            self._dummy = cached
        return cached[1]

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False


def _phone_taken() -> AlreadyTaken:
    # One answer whoever holds the number (a volunteer, staff, a cadre): docs/architecture.md's
    # Accounts section says what this tells a caller, and why it is answered at all.
    return AlreadyTaken("this phone number already has an account", code="phone-taken")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse_refresh(token: str) -> tuple[UUID, str]:
    head, _, secret = token.partition(".")
    try:
        session_id = UUID(hex=head)
    except ValueError:
        raise _session_ended() from None
    if not secret or len(secret) > 100:
        raise _session_ended()
    return session_id, secret


def _session_ended() -> SessionEnded:
    # A refresh token that names no session, or not in the shape we issue, is to
    # its holder a session that no longer holds (log in again), never a wrong
    # password: the same answer as a replayed or expired one.
    return SessionEnded("this refresh token is not valid; log in again")


def _rejected(
    message: str = "the phone number or the password is not right",
) -> CredentialsRejected:
    return CredentialsRejected(message)
