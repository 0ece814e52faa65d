"""Errors the application adds to the domain's.

ApplicationError
├── NotFound          no such aggregate (or not of the kind asked for)
├── CredentialsRejected   a log-in or refresh that does not prove who the caller is
└── Conflict          the write lost to another one, or a unique value is taken
    ├── ConcurrentChange    another request changed the same aggregate first; retry
    └── AlreadyTaken        a value that must be unique is in use (a phone number)
"""

from __future__ import annotations

from uuid import UUID

from grassroots.domain.errors import CodedError

__all__ = [
    "AlreadyTaken",
    "ApplicationError",
    "ConcurrentChange",
    "Conflict",
    "CredentialsRejected",
    "NotFound",
]


class ApplicationError(CodedError):
    code = "application-error"


class NotFound(ApplicationError):
    code = "not-found"

    def __init__(self, kind: str, id: UUID) -> None:
        super().__init__(f"no {kind} with id {id}", code=f"{kind.replace('_', '-')}-not-found")
        self.kind = kind
        self.id = id


class CredentialsRejected(ApplicationError):
    code = "credentials-rejected"


class Conflict(ApplicationError):
    code = "conflict"


class ConcurrentChange(Conflict):
    code = "concurrent-change"


class AlreadyTaken(Conflict):
    code = "already-taken"
