"""A refused write, as a page says it: in the page's language, with the API's status."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from grassroots.api.problems import ApiProblem, refusal_of
from grassroots.domain.errors import CodedError
from grassroots.pages.controllers import language_of

__all__ = ["invalid_field", "refusal_words"]


def refusal_words(request: Request[Any, Any, Any], error: Exception) -> tuple[str, int]:
    """The refusal in the page's language, and its status, as the API would answer."""
    if isinstance(error, ApiProblem):
        return str(error.detail), error.status_code
    if isinstance(error, CodedError):
        message, status = refusal_of(error)
        if message is not None:
            return (message.zh if language_of(request) == "zh" else message.en), status
        return error.message, status
    return str(error), 400


def invalid_field(error: msgspec.ValidationError) -> tuple[str, str]:
    """The field a body's validation error is about (its top-level name), and what
    msgspec said of it; ``""`` for a body refused whole."""
    said, _, where = str(error).rpartition(" - at `$.")
    if not said:
        return "", str(error)
    return where.rstrip("`").split(".")[0].split("[")[0], said
