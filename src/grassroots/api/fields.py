"""Field types shared by the request and response bodies, with their examples."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from msgspec import Meta

from grassroots.api.problems import ApiProblem
from grassroots.domain.errors import InvalidValue
from grassroots.domain.values import require_day, require_instant, text_rule_pattern

__all__ = [
    "INSTANT_DESCRIPTION",
    "LINE",
    "LINES",
    "OPTIONAL_LINES",
    "Day",
    "GivenPassword",
    "Id",
    "Instant",
    "Name",
    "Password",
    "Phone",
    "Reason",
    "Text",
    "query_day",
    "query_instant",
]

Id = Annotated[UUID, Meta(examples=["6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f"])]
Phone = Annotated[
    str,
    Meta(
        min_length=11,
        max_length=20,
        description="A mainland mobile number; +86, spaces and full-width digits are accepted.",
        examples=["13800138000"],
    ),
]
Password = Annotated[
    str,
    Meta(
        min_length=8,
        max_length=128,
        description="8 to 128 characters.",
        examples=["correct horse 42"],
    ),
]
# A password being checked, not chosen: any length the form allows.
GivenPassword = Annotated[str, Meta(min_length=1, max_length=128, examples=["correct horse 42"])]
# The text rule (domain/values.py) stated in the document for a client to check
# before sending; stated only, so a text breaking it still meets the rule's own
# problem (`text-control-character`, `name-empty`), which says what is wrong.
LINE = {"extra": {"pattern": text_rule_pattern(required=True)}}
LINES = {"extra": {"pattern": text_rule_pattern(multiline=True, required=True)}}
OPTIONAL_LINES = {"extra": {"pattern": text_rule_pattern(multiline=True)}}
Name = Annotated[str, Meta(min_length=1, max_length=50, examples=["李明"], extra_json_schema=LINE)]
Text = Annotated[
    str,
    Meta(max_length=2000, examples=["社区环境整治，请穿运动鞋"], extra_json_schema=OPTIONAL_LINES),
]
Reason = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=500,
        examples=["扫码时手机没电，现场核实到场"],
        extra_json_schema=LINES,
    ),
]
Day = Annotated[date, Meta(examples=["2004-05-04"])]
# Answers give instants in UTC: one form whatever zone the org unit keeps, no
# ambiguity across a zone's rule changes, and a screen shows local time (the
# org unit's zone) itself. The examples are in UTC too, so no reader takes a
# +08:00 for what the API answers.
INSTANT_DESCRIPTION = (
    "An instant (RFC 3339). Requests may give any offset; answers always give UTC "
    "(`Z`), and screens show it in the org unit's zone (Asia/Shanghai by default): "
    "`2026-03-07T01:00:00Z` is 09:00 in Hohhot."
)
Instant = Annotated[
    datetime,
    Meta(tz=True, description=INSTANT_DESCRIPTION, examples=["2026-03-07T01:00:00Z"]),
]


def query_instant(value: datetime | None, name: str) -> datetime | None:
    """A query's instant: with its offset (a bare local time is ambiguous), and in
    the product's range of instants, like every instant a body gives."""
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ApiProblem(400, "invalid-request", f"{name} needs an offset, e.g. Z or +08:00")
    try:
        return require_instant(value, name)
    except InvalidValue as refused:
        # A query parameter the route cannot use is a malformed request (400), as
        # each route documents, not a rule of the record broken (422); the
        # detail names the range.
        raise ApiProblem(400, "invalid-request", refused.message) from None


def query_day(value: date | None, name: str = "date") -> date | None:
    """A query's calendar day, in the product's range of days."""
    if value is None:
        return None
    try:
        return require_day(value, name)
    except InvalidValue as refused:
        raise ApiProblem(400, "invalid-request", refused.message) from None
