"""What a supervisor's routes share: the period asked about, paging and CSV files.

A supervisor's figures (``compliance``, ``activity_counts``, ``problem_figures``)
and rule sets (``rule_sets``) each have their own controller. Every route takes
an org unit (or a rule set) and first checks that the caller supervises it,
that is the unit or one of its ancestors is theirs; anything else answers 404,
like a unit that does not exist. The figures come from the read models and are
judged when asked (the status of a running period depends on "now"), so the
handlers pass the application's clock to the queries.

A period is named by its kind (``week``: ISO week, ``month``) and any day in
it; without a day, today in the unit's own time zone. The CSV exports hold the
whole subtree, start with a byte-order mark so spreadsheet programs read the
Chinese text as UTF-8, and neutralise cells that a spreadsheet would run as a
formula (a name starting with ``=``).

Blocking work (aggregates, SQL) runs in the API's bounded thread pool through
``Api.read``/``Api.write``, each handler's scope check in the same thread as
its query.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response
from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from grassroots.api.context import Api
from grassroots.api.downloads import attachment
from grassroots.api.fields import query_day
from grassroots.api.pagination import PageRequest
from grassroots.api.problems import language_of, problem_responses
from grassroots.domain.compliance import Month, PeriodKind, Week
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import iso_week_of, local_date
from grassroots.projections.org_tree import unit_names

__all__ = [
    "CSV_MEDIA_TYPE",
    "DEFAULT_PRESET",
    "READ_ERRORS",
    "DayParam",
    "PeriodParam",
    "PresetName",
    "RulesView",
    "Span",
    "csv_file",
    "csv_response",
    "names_of_units",
    "paged",
    "span_of",
    "wants_chinese",
]

T = TypeVar("T")

# The framework adds "; charset=utf-8" to text types.
CSV_MEDIA_TYPE = "text/csv"
# Spreadsheet programs take UTF-8 without a byte-order mark for the local code page.
BOM = "\ufeff"

READ_ERRORS = problem_responses(400, 401, 403, 404, 422, 429)

PresetName = Literal["inner-mongolia", "county-1-plus-3"]
# The preset that judges where no rule set governs (projections.compliance.verdicts.DEFAULT_TERMS).
DEFAULT_PRESET: PresetName = "inner-mongolia"

PeriodParam = Annotated[
    PeriodKind,
    QueryParameter(
        name="period",
        description="`week` (ISO week, Monday to Sunday) or `month`.",
        examples=[Example(value="month")],
    ),
]
DayParam = Annotated[
    date | None,
    QueryParameter(
        name="date",
        description="Any day in the period (YYYY-MM-DD); today in the unit's time zone "
        "when left out.",
        examples=[Example(value="2026-03-15")],
    ),
]


# Declared here, not with the compliance routes that use it: the document names a
# schema after its module when two share a name (``cadres`` has a RulesView too),
# and clients know this one as ``supervision_RulesView``.
class RulesView(msgspec.Struct, kw_only=True):
    """The rules a cadre was judged by: a rule-set version, or the default preset."""

    rule_set_id: UUID | None = None
    rule_set_name: str | None = None
    org_unit_id: UUID | None = None
    version: int | None = None
    effective_from: date | None = None
    # Set when no rule set governs and the default preset applies.
    preset: PresetName | None = None


@dataclass(frozen=True)
class Span:
    """The period a route was asked about."""

    kind: PeriodKind
    period: Month | Week

    @property
    def label(self) -> str:
        return str(self.period)


def span_of(kind: PeriodKind, day: date | None, unit: OrgUnit, now: datetime) -> Span:
    """The period of ``kind`` holding ``day``; without a day, today in the unit's zone."""
    # The product's range of days keeps a period's bounds, in any zone, representable.
    day = query_day(day) or local_date(now, ZoneInfo(unit.time_zone))
    if kind == "week":
        return Span(kind, iso_week_of(day))
    return Span(kind, Month.of(day))


def paged(rows: Sequence[T], page: PageRequest) -> tuple[list[T], int | None]:
    """One page of rows already in memory, and the offset of the next one."""
    chunk = list(rows[page.offset : page.offset + page.limit + 1])
    found = page.page(chunk)
    return found.items, found.next_offset


def names_of_units(api: Api, unit_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The org units' names, for CSV rows; a unit not in the tree yet is left out."""
    with api.engine.connect() as conn:
        return unit_names(conn, unit_ids)


def _cell(value: object) -> str:
    """A cell as text; one a spreadsheet would take for a formula is kept as text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_file(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A CSV file as spreadsheet programs read it: UTF-8 with a byte-order mark."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def csv_response(content: bytes, what: str, unit: OrgUnit, span: Span) -> Response[bytes]:
    """A CSV download named after the figures, the unit and the period."""
    return attachment(
        content,
        CSV_MEDIA_TYPE,
        f"{what}-{span.label}.csv",
        f"{unit.name}-{what}-{span.label}.csv",
    )


def wants_chinese(request: Request[Any, Any, Any]) -> bool:
    return language_of(request) != "en"
