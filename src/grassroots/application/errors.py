"""Errors the application adds to the domain's.

ApplicationError
├── NotFound          no such aggregate (or not of the kind asked for)
└── Conflict          the write lost to another one, or a unique value is taken
    ├── ConcurrentChange    another request changed the same aggregate first; retry
    └── AlreadyTaken        a value that must be unique is in use (a phone number)
"""

from __future__ import annotations

from uuid import UUID

from grassroots.domain.errors import CodedError

__all__ = ["AlreadyTaken", "ApplicationError", "ConcurrentChange", "Conflict", "NotFound"]


class ApplicationError(CodedError):
    code = "application-error"


class NotFound(ApplicationError):
    code = "not-found"

    def __init__(self, kind: str, id: UUID) -> None:
        super().__init__(f"no {kind} with id {id}", code=f"{kind.replace('_', '-')}-not-found")
        self.kind = kind
        self.id = id


class Conflict(ApplicationError):
    code = "conflict"


class ConcurrentChange(Conflict):
    code = "concurrent-change"


class AlreadyTaken(Conflict):
    code = "already-taken"
