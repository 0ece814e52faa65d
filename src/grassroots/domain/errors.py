"""The domain's errors, one small hierarchy.

    DomainError                      a rule of the domain was broken; nothing was recorded
    ├── InvalidValue                 a value is malformed (empty name, bad phone, end before start)
    ├── NotAllowed                   the command is not allowed in the aggregate's current state
    │   ├── OutsideWindow            a scan or change falls outside the time it is allowed in
    │   ├── AlreadyClosed            the thing is cancelled, closed, ended or suspended
    │   └── CapacityReached          no place is left and no waiting list applies
    ├── ReasonRequired               a correction or cancellation came without a reason
    └── TokenRejected                a rotating QR token did not verify
        ├── TokenMalformed           not a token at all, or truncated
        ├── TokenForged              the tag does not match
        ├── TokenExpired             a step other than the current or the previous one
        └── TokenForOtherSubject     a genuine token for another activity or point

Every error has a stable machine-readable ``code`` that the API maps to a problem type.
"""

from __future__ import annotations

__all__ = [
    "AlreadyClosed",
    "CapacityReached",
    "CodedError",
    "DomainError",
    "InvalidValue",
    "NotAllowed",
    "OutsideWindow",
    "ReasonRequired",
    "TokenExpired",
    "TokenForOtherSubject",
    "TokenForged",
    "TokenMalformed",
    "TokenRejected",
]


class CodedError(Exception):
    """An error with a stable machine-readable ``code`` beside its human message."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class DomainError(CodedError):
    """A rule of the domain was broken; the aggregate recorded nothing."""

    code = "domain-error"


class InvalidValue(DomainError):
    code = "invalid-value"


class NotAllowed(DomainError):
    code = "not-allowed"


class OutsideWindow(NotAllowed):
    code = "outside-window"


class AlreadyClosed(NotAllowed):
    code = "already-closed"


class CapacityReached(NotAllowed):
    code = "capacity-reached"


class ReasonRequired(DomainError):
    code = "reason-required"


class TokenRejected(DomainError):
    code = "token-rejected"


class TokenMalformed(TokenRejected):
    code = "token-malformed"


class TokenForged(TokenRejected):
    code = "token-forged"


class TokenExpired(TokenRejected):
    code = "token-expired"


class TokenForOtherSubject(TokenRejected):
    code = "token-other-subject"
