"""Every failure as RFC 9457 problem details, in Chinese or English.

A problem's ``type`` is ``/problems/<code>`` (served, so it can be looked up),
``code`` repeats the stable machine-readable code, ``title`` and ``detail`` are
for people, in the language ``Accept-Language`` prefers (zh-CN unless English is
preferred). Errors of the domain and the application carry their code; the
framework's own (bad JSON, unknown route, body too large) get one here. A
failure nobody foresaw answers 500 with nothing internal in it, and is logged.

A database that cannot be reached (refused, silent past the bound, no pooled
connection within it, SQLite locked past its timeout) is an outage, not a bug:
it answers 503 ``service-unavailable`` with ``Retry-After``, from one place
(``is_outage``), whichever layer the error rose through.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

import eventsourcing.persistence
import msgspec
import psycopg
import sqlalchemy.exc
from litestar import Request, Response, get
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import FromPath
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from msgspec import Meta

from grassroots.api.field_messages import field_message
from grassroots.api.messages import Message, message_for
from grassroots.application.errors import (
    ApplicationError,
    Conflict,
    CredentialsRejected,
    NotFound,
)
from grassroots.domain.errors import (
    CodedError,
    DomainError,
    InvalidValue,
    NotAllowed,
    ReasonRequired,
    TokenRejected,
)

__all__ = [
    "OUTAGE_RETRY_AFTER_SECONDS",
    "PROBLEM_MEDIA_TYPE",
    "ApiProblem",
    "FieldProblem",
    "Problem",
    "exception_handlers",
    "is_outage",
    "language_of",
    "problem_responses",
    "problem_type",
    "refusal_of",
]

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldProblem(msgspec.Struct, kw_only=True):
    """One field of the request that did not validate."""

    field: Annotated[str | None, Meta(examples=["phone"])] = None
    message: Annotated[str, Meta(examples=["长度不能少于 11 个字符"])]
    source: Annotated[str | None, Meta(examples=["body"])] = None


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, with the stable ``code`` beside ``type``."""

    type: Annotated[
        str,
        Meta(
            description="`/problems/<code>`: GET it for the code's titles in both languages.",
            examples=["/problems/session-ended"],
        ),
    ]
    code: Annotated[
        str, Meta(description="Stable and machine-readable.", examples=["session-ended"])
    ]
    title: Annotated[
        str,
        Meta(
            description="For people, in the language Accept-Language prefers.",
            examples=["登录已失效，请重新登录"],
        ),
    ]
    status: Annotated[int, Meta(ge=400, le=599, examples=[401])]
    detail: Annotated[str | None, Meta(examples=["登录已失效，请重新登录"])] = None
    instance: Annotated[
        str | None,
        Meta(description="The path that was asked for.", examples=["/api/v1/me"]),
    ] = None
    errors: Annotated[
        list[FieldProblem] | None,
        Meta(description="The fields that did not validate (400 only)."),
    ] = None
    retry_after_seconds: Annotated[
        int | None, Meta(description="As the Retry-After header (429, 503).", examples=[5])
    ] = None


class ApiProblem(HTTPException):
    """A failure decided in the API layer (forbidden, rate limited), with its code."""

    def __init__(
        self,
        status_code: int,
        code: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(detail=detail or code, status_code=status_code, headers=headers)
        self.code = code
        self.retry_after_seconds = retry_after_seconds


def problem_type(code: str) -> str:
    return f"/problems/{code}"


def language_of(request: Request[Any, Any, Any]) -> str:
    """ "en" when the caller prefers English over Chinese, else "zh-CN"."""
    header = request.headers.get("accept-language", "")
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"


# Statuses by the class of error; a code listed in the message catalogue may
# name its own (message.status) where the class's would mislead.
_STATUS_BY_CLASS: tuple[tuple[type[CodedError], int], ...] = (
    (NotFound, 404),
    (CredentialsRejected, 401),
    (Conflict, 409),
    (TokenRejected, 422),
    (InvalidValue, 422),
    (ReasonRequired, 422),
    (NotAllowed, 409),
    (DomainError, 422),
    (ApplicationError, 400),
)


def refusal_of(error: CodedError) -> tuple[Message | None, int]:
    """The catalogue's words for a refused command and the status the API answers it
    with: pages say a refusal as the API does, from this one reading of the error."""
    message = message_for(error.code, *_class_codes(error))
    return message, _status_of(error, message)


def _status_of(error: CodedError, message: Message | None) -> int:
    if message is not None and message.status is not None:
        return message.status
    for kind, status in _STATUS_BY_CLASS:
        if isinstance(error, kind):
            return status
    return 400


def _respond(
    request: Request[Any, Any, Any],
    *,
    code: str,
    status: int,
    english_detail: str | None,
    fallbacks: tuple[str, ...] = (),
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
    retry_after_seconds: int | None = None,
) -> Response[Problem]:
    language = language_of(request)
    message = message_for(code, *fallbacks)
    if message is None:
        title = english_detail or code
        detail = english_detail
    elif language == "en":
        title = message.en
        detail = english_detail or message.en
    else:
        title = message.zh
        # The domain's own sentences are English; a Chinese reader gets the
        # catalogue's sentence, and the code says exactly what happened.
        detail = message.zh_detail or message.zh
    body = Problem(
        type=problem_type(code),
        code=code,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        retry_after_seconds=retry_after_seconds,
    )
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Content-Language": language, **(headers or {})},
    )


def _coded_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    assert isinstance(error, CodedError)
    _, status = refusal_of(error)
    if status >= 500:
        # A misconfigured server, not a caller's mistake: someone must see it.
        log.error("server-side error on %s %s", request.method, request.url.path, exc_info=error)
    return _respond(
        request,
        code=error.code,
        status=status,
        english_detail=error.message,
        fallbacks=_class_codes(error),
    )


def _class_codes(error: CodedError) -> tuple[str, ...]:
    return tuple(
        kind.code
        for kind in type(error).__mro__
        if isinstance(kind, type) and issubclass(kind, CodedError) and "code" in kind.__dict__
    )


_HTTP_CODES = {
    400: "invalid-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "no-such-route",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
    429: "rate-limited",
}


def _http_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    assert isinstance(error, HTTPException)
    status = error.status_code
    if status >= 500 and not isinstance(error, ApiProblem):
        return _internal_error(request, error)
    if isinstance(error, ApiProblem):
        return _respond(
            request,
            code=error.code,
            status=status,
            english_detail=error.detail if error.detail != error.code else None,
            headers=error.headers,
            retry_after_seconds=error.retry_after_seconds,
        )
    code = _HTTP_CODES.get(status, "invalid-request")
    errors = None
    if isinstance(error, ValidationException):
        errors = _field_problems(error.extra, language_of(request))
    detail = error.detail if not isinstance(error, NotFoundException) else None
    return _respond(
        request,
        code=code,
        status=status,
        english_detail=detail,
        errors=errors,
        headers=error.headers,
    )


def _field_problems(extra: Any, language: str) -> list[FieldProblem] | None:
    """The fields that did not validate, each said in the caller's language."""
    if not isinstance(extra, list):
        return None
    found = []
    for item in extra:
        if isinstance(item, dict):
            source = item.get("source")
            found.append(
                FieldProblem(
                    field=None if item.get("key") is None else str(item.get("key")),
                    message=field_message(str(item.get("message", "")), language),
                    # The framework names a query or path parameter's source by its
                    # enum ("ParamType.QUERY"); the document says "query".
                    source=None if source is None else str(getattr(source, "value", source)),
                )
            )
    return found or None


def _internal_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _respond(
        request,
        code="internal-error",
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        english_detail=None,
    )


# How long a client should wait before trying again after an outage answer.
OUTAGE_RETRY_AFTER_SECONDS = 5

# SQLite's errors that mean "busy", not a mistake in the statement.
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
# PostgreSQL's SQLSTATEs that mean the server is away or full: connection exceptions
# (class 08), shut down or restarting (57P01-57P03), too many connections (53300).
_POSTGRES_OUTAGE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database is out of reach (not that a statement is wrong)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.OperationalError):
            return any(text in str(current) for text in _SQLITE_BUSY)
        if isinstance(current, psycopg.OperationalError | psycopg.InterfaceError):
            # A failed connect, a pool timeout (no connection within the bound) and a
            # closed connection carry no SQLSTATE; a server that answers says why.
            state = current.sqlstate if isinstance(current, psycopg.Error) else None
            if state is None:
                return "cursor" not in str(current)
            return state.startswith(_POSTGRES_OUTAGE_STATES)
        if isinstance(current, sqlalchemy.exc.TimeoutError):
            return True  # SQLAlchemy's pool had no connection within the bound
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.orig is not None:
            current = current.orig
            continue
        current = current.__cause__
    return False


def _database_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    if not is_outage(error):
        return _internal_error(request, error)
    # One line, not a trace: during an outage every request says the same.
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return _respond(
        request,
        code="service-unavailable",
        status=503,
        english_detail=None,
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)},
        retry_after_seconds=OUTAGE_RETRY_AFTER_SECONDS,
    )


def _msgspec_error(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    # Raised where the API converts a value itself (path parts, query strings).
    return _respond(request, code="invalid-request", status=400, english_detail=str(error))


exception_handlers: dict[type[Exception] | int, Any] = {
    CodedError: _coded_error,
    msgspec.ValidationError: _msgspec_error,
    HTTPException: _http_error,
    # Errors a database outage raises, as each layer names them; is_outage decides.
    eventsourcing.persistence.OperationalError: _database_error,
    eventsourcing.persistence.InterfaceError: _database_error,
    psycopg.OperationalError: _database_error,
    psycopg.InterfaceError: _database_error,
    sqlalchemy.exc.OperationalError: _database_error,
    sqlalchemy.exc.InterfaceError: _database_error,
    sqlalchemy.exc.TimeoutError: _database_error,
    sqlite3.OperationalError: _database_error,
    Exception: _internal_error,
}


class ProblemType(msgspec.Struct, kw_only=True):
    code: str
    title_zh: str
    title_en: str


def _example(
    code: str,
    status: int,
    instance: str,
    *,
    detail: str | None = None,
    errors: list[FieldProblem] | None = None,
    retry_after_seconds: int | None = None,
) -> Example:
    """A problem as a zh-CN client would receive it, for the OpenAPI document."""
    message = message_for(code)
    assert message is not None, code
    body = Problem(
        type=problem_type(code),
        code=code,
        title=message.zh,
        status=status,
        detail=detail or message.zh_detail or message.zh,
        instance=instance,
        errors=errors,
        retry_after_seconds=retry_after_seconds,
    )
    return Example(summary=f"{code} ({message.en})", value=msgspec.to_builtins(body))


@get(
    "/problems/{code:str}",
    operation_id="getProblemType",
    summary="What a problem type means",
    tags=["problems"],
    include_in_schema=True,
    cache=3600,
    opt={"public": True},
    responses={
        404: ResponseSpec(
            data_container=Problem,
            generate_examples=False,
            description="No problem type with this code",
            media_type=PROBLEM_MEDIA_TYPE,
            examples=[_example("problem-type-unknown", 404, "/problems/no-such-code")],
        )
    },
)
async def describe_problem(code: FromPath[str]) -> ProblemType:
    message = message_for(code)
    if message is None:
        raise ApiProblem(404, "problem-type-unknown", f"no problem type {code!r}")
    return ProblemType(code=code, title_zh=message.zh, title_en=message.en)


_STATUS_TEXT = {
    400: "The request is malformed (problem details list the fields)",
    401: "Not logged in (`not-authenticated`), or the session has ended: logged out, "
    "expired, ended by a password change, or its refresh token replayed or unknown "
    "(`session-ended`: log in again). An access token past its few minutes is "
    "`not-authenticated`: refresh it.",
    403: "The caller's role does not allow this",
    404: "No such record, or not one the caller may see",
    409: "The request conflicts with the record's current state",
    413: "The body is too large",
    422: "A value breaks a rule (the code says which)",
    429: "Too many requests; Retry-After says when to try again",
    503: "The database is out of reach for now; Retry-After says when to try again",
}

_ACTIVITY = "/api/v1/activities/6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f"

# Real answers, as a zh-CN client gets them (the titles come from the catalogue).
_EXAMPLES: dict[int, tuple[Example, ...]] = {
    400: (
        _example(
            "invalid-request",
            400,
            "/api/v1/sessions",
            detail="Validation failed for POST /api/v1/sessions",
            errors=[FieldProblem(field="phone", message="长度不能少于 11 个字符", source="body")],
        ),
    ),
    401: (
        _example("not-authenticated", 401, "/api/v1/me"),
        _example("session-ended", 401, "/api/v1/sessions/refresh"),
    ),
    403: (_example("forbidden", 403, f"{_ACTIVITY}/attendance"),),
    404: (_example("activity-not-found", 404, _ACTIVITY),),
    409: (_example("activity-cancelled", 409, f"{_ACTIVITY}/sign-ups"),),
    413: (_example("body-too-large", 413, "/api/v1/volunteers"),),
    422: (
        _example(
            "capacity-invalid",
            422,
            "/api/v1/centers/6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f/activities",
        ),
    ),
    429: (_example("rate-limited", 429, "/api/v1/sessions", retry_after_seconds=30),),
    503: (_example("service-unavailable", 503, _ACTIVITY, retry_after_seconds=5),),
}


def problem_responses(
    *statuses: int, codes: Mapping[int, Sequence[str]] | None = None, instance: str | None = None
) -> dict[int, ResponseSpec]:
    """The documented failures of a route, each as problem details with real examples.

    ``codes`` names, for a status, the problems this route answers with it (the
    log-in's 401 is a wrong password, not an ended session): the description
    and the examples then say exactly those, at ``instance`` (the route's path).
    """
    specs = {}
    for status in statuses:
        named = (codes or {}).get(status)
        if named:
            examples = [_example(code, status, instance or "/api/v1") for code in named]
            description = "; ".join(f"{_english(code)} (`{code}`)" for code in named)
        else:
            examples = list(_EXAMPLES.get(status, ()))
            description = _STATUS_TEXT.get(status, "A problem")
        specs[status] = ResponseSpec(
            data_container=Problem,
            # The framework's generated examples are random strings and numbers.
            generate_examples=False,
            description=description,
            media_type=PROBLEM_MEDIA_TYPE,
            examples=examples or None,
        )
    return specs


def _english(code: str) -> str:
    message = message_for(code)
    assert message is not None, code
    return message.en
