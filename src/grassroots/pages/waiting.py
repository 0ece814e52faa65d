"""A page's answer when it is refused before its handler runs, for a while.

The rate limits are a guard on the whole app (``api/rate_limits.py``): they refuse a
request before any handler, with an ``ApiProblem`` the API answers as problem JSON.
On the pages' router that refusal is answered here instead, as the missing page is
answered by ``controllers.unknown_page``: a page in the person's language saying how
many seconds to wait (from ``Retry-After``), with the same status and ``Retry-After``.
An ``ApiProblem`` that says nothing about waiting is left to the API's answer.
"""

from __future__ import annotations

import math
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from grassroots.api.problems import ApiProblem, exception_handlers
from grassroots.pages.controllers import _safe_next, page

__all__ = ["retry_after_seconds", "wait_page"]

# Refusals that end by themselves (a rate limit, a phone's guessing delay), as
# opposed to a busy service.
_TOO_MANY = 429


def retry_after_seconds(error: HTTPException) -> int | None:
    """The seconds a refusal asks to wait, if it asks to wait at all."""
    if isinstance(error, ApiProblem) and error.retry_after_seconds is not None:
        return max(1, error.retry_after_seconds)
    raw = (error.headers or {}).get("Retry-After")
    try:
        return max(1, math.ceil(float(raw))) if raw is not None else None
    except ValueError:
        return None


def wait_page(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """The page saying to wait N seconds, or the API's problem for any other refusal."""
    seconds = retry_after_seconds(error) if isinstance(error, HTTPException) else None
    if seconds is None or not isinstance(error, HTTPException):
        answer: Response[Any] = exception_handlers[HTTPException](request, error)
        return answer
    status = error.status_code
    # Asking again is asking for this page: the form or the scan page, by GET.
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    again = _safe_next(asked)
    response = page(
        request,
        "wait.html",
        status=status,
        reason="wait.too_many" if status == _TOO_MANY else "wait.busy",
        seconds=seconds,
        again=again,
    )
    response.headers["Retry-After"] = str(seconds)
    return response
