"""Supervisors: compliance, activity counts and problem figures over their subtree, and rule sets.

Every route takes an org unit (or a rule set) and first checks that the caller
supervises it, that is the unit or one of its ancestors is theirs; anything
else answers 404, like a unit that does not exist. The figures come from the
read models and are judged when asked (the status of a running period depends
on "now"), so the handlers pass the application's clock to the queries.

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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
import sqlalchemy as sa
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import Day, Id, Instant, query_day
from grassroots.api.pagination import PageRequest, page_request
from grassroots.api.problems import ApiProblem, language_of, problem_responses
from grassroots.api.scope import in_unit_scope, require_unit
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.compliance import (
    Month,
    Period,
    PeriodKind,
    Reason,
    Status,
    Week,
    period_bounds,
)
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.rules import PRESETS, RuleSet, RuleSetCandidate, RuleTerms, governing_choice
from grassroots.domain.values import iso_week_of, local_date
from grassroots.projections.center_activity import OrgUnitCounts, org_unit_counts
from grassroots.projections.compliance.facts import (
    compliance_rule_sets,
    compliance_rule_versions,
    compliance_visits,
)
from grassroots.projections.compliance.verdicts import (
    DEFAULT_TERMS,
    CadreStanding,
    GoverningRules,
    UncountedVisit,
    UnitCompliance,
    rejudge,
    unit_compliance,
)
from grassroots.projections.org_tree import org_closure, org_units
from grassroots.projections.problems import ProblemFigures, problem_figures

__all__ = ["ROUTES", "RuleSetController", "SupervisionController"]

T = TypeVar("T")

PresetName = Literal["inner-mongolia", "county-1-plus-3"]
# The preset that judges where no rule set governs (projections.compliance.verdicts.DEFAULT_TERMS).
DEFAULT_PRESET: PresetName = "inner-mongolia"

# The framework adds "; charset=utf-8" to text types.
CSV_MEDIA_TYPE = "text/csv"
# Spreadsheet programs take UTF-8 without a byte-order mark for the local code page.
BOM = "\ufeff"

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


# --- bodies ------------------------------------------------------------------------


Target = Annotated[int, Meta(ge=0, le=10_000)]


class ContactTargets(msgspec.Struct, kw_only=True):
    """The "1+100" list size per cadre kind; the seeds' when left out of the terms."""

    full_time: Annotated[Target, Meta(examples=[100])]
    seconded: Annotated[Target, Meta(examples=[100])]
    part_time: Annotated[Target, Meta(examples=[10])]


class RuleTermsBody(msgspec.Struct, kw_only=True):
    """The figures of one rule-set version ("8+4" visits, "1+100" contacts).

    A minimum left out (null) is not asked for; at least one must be set.
    """

    # ``gt=-1`` rather than ``ge=0``: the schema generator drops a zero bound on an
    # optional number, and the document must not admit negative figures.
    min_visits_per_month: Annotated[int, Meta(gt=-1, le=100, examples=[2])] | None = None
    min_days_per_month: Annotated[int, Meta(gt=-1, le=31, examples=[3])] | None = None
    monthly_mode: Annotated[
        Literal["either", "both"],
        Meta(description="Whether either monthly minimum is enough, or both are needed."),
    ] = "either"
    min_visit_minutes: Annotated[int, Meta(ge=0, le=1440, examples=[60])] = 60
    min_days_per_year: Annotated[int, Meta(gt=-1, le=366, examples=[12])] | None = None
    assigned_points_only: bool = True
    one_visit_per_day: bool = True
    contact_targets: ContactTargets | None = None

    def terms(self) -> RuleTerms:
        """The domain's terms; a rule it breaks (no minimum at all) is its 422."""
        fields: dict[str, Any] = {
            "min_visits_per_month": self.min_visits_per_month,
            "min_days_per_month": self.min_days_per_month,
            "monthly_mode": self.monthly_mode,
            "min_visit_minutes": self.min_visit_minutes,
            "min_days_per_year": self.min_days_per_year,
            "assigned_points_only": self.assigned_points_only,
            "one_visit_per_day": self.one_visit_per_day,
        }
        if self.contact_targets is not None:
            fields["contact_targets"] = msgspec.structs.asdict(self.contact_targets)
        return RuleTerms(**fields)


def terms_view(terms: RuleTerms) -> RuleTermsBody:
    return msgspec.convert(terms.to_data(), RuleTermsBody)


class PresetRules(msgspec.Struct, kw_only=True, tag_field="kind", tag="preset"):
    """Rules named by preset: ``inner-mongolia`` (2 visits or 3 days a month) or
    ``county-1-plus-3`` (3 visits a month and 12 days a year)."""

    preset: PresetName


class TermsRules(RuleTermsBody, kw_only=True, tag_field="kind", tag="terms"):
    """Rules given figure by figure."""


class RuleSetRules(msgspec.Struct, kw_only=True, tag_field="kind", tag="rule_set"):
    """The rules of a stored rule set: its ``version``, the latest when left out.

    The rule set must govern the unit or lie in the caller's subtree.
    """

    rule_set_id: Id
    version: Annotated[int, Meta(ge=1, le=10_000, examples=[2])] | None = None


# Tagged by ``kind``, so a body names exactly one source of rules.
NewRules = Annotated[
    PresetRules | TermsRules,
    Meta(examples=[{"kind": "preset", "preset": "county-1-plus-3"}]),
]
OtherRules = Annotated[
    PresetRules | TermsRules | RuleSetRules,
    Meta(examples=[{"kind": "preset", "preset": "county-1-plus-3"}]),
]


class RuleSetDefinition(msgspec.Struct, kw_only=True):
    """A new rule set, its first version in force from ``effective_from``."""

    name: Annotated[str, Meta(min_length=1, max_length=200, examples=["新城区“1+3”下沉规则"])]
    effective_from: Day
    rules: NewRules


class RuleSetRevision(msgspec.Struct, kw_only=True):
    """A new version from ``effective_from``, which must come after the latest one's."""

    effective_from: Day
    rules: NewRules


class WhatIfRequest(msgspec.Struct, kw_only=True):
    """Re-judge a period (any day in it; today when left out) under other rules."""

    period: PeriodKind = "month"
    date: Day | None = None
    rules: OtherRules


# --- compliance views --------------------------------------------------------------


class StillNeeded(msgspec.Struct, kw_only=True):
    visits: Annotated[int, Meta(examples=[1])]
    days: Annotated[int, Meta(examples=[2])]


class UncountedVisitView(msgspec.Struct, kw_only=True):
    """A visit of the period that did not count, and why."""

    visit_id: UUID
    point_id: UUID
    started_at: Instant
    ended_at: Instant | None
    reason: Annotated[Reason, Meta(examples=["too-short"])]


class RulesView(msgspec.Struct, kw_only=True):
    """The rules a cadre was judged by: a rule-set version, or the default preset."""

    rule_set_id: UUID | None = None
    rule_set_name: str | None = None
    org_unit_id: UUID | None = None
    version: int | None = None
    effective_from: date | None = None
    # Set when no rule set governs and the default preset applies.
    preset: PresetName | None = None


class CadreComplianceView(msgspec.Struct, kw_only=True):
    cadre_id: UUID
    name: Annotated[str, Meta(examples=["李书记"])]
    kind: Annotated[str, Meta(examples=["full_time"])]
    org_unit_id: UUID
    status: Annotated[Status, Meta(examples=["behind"])]
    counted_visits: Annotated[int, Meta(examples=[1])]
    required_visits: Annotated[int | None, Meta(examples=[2])]
    visit_days: Annotated[int, Meta(description="Local days on site that counted.", examples=[1])]
    required_days: Annotated[int | None, Meta(examples=[3])]
    monthly_mode: Annotated[str, Meta(examples=["either"])]
    still_needed: StillNeeded
    remaining_workdays: Annotated[int, Meta(examples=[4])]
    uncounted_visits: list[UncountedVisitView]
    rules: RulesView


class ComplianceView(msgspec.Struct, kw_only=True):
    """The subtree's cadres in one period, those needing attention first (missed, behind, ...).

    The figures cover every cadre; ``cadres`` is one page of them.
    """

    org_unit_id: UUID
    period_kind: PeriodKind
    period: Annotated[str, Meta(examples=["2026-03"])]
    first_day: Day
    last_day: Day
    judged_at: Instant
    what_if: bool
    # The terms of a what-if, when given as terms or a preset rather than a rule set.
    what_if_terms: RuleTermsBody | None = None
    cadres_total: Annotated[int, Meta(examples=[12])]
    met: Annotated[int, Meta(examples=[9])]
    on_track: int
    behind: int
    missed: int
    met_share: Annotated[
        float | None, Meta(description="Met / total; null with no cadres.", examples=[0.75])
    ]
    cadres: list[CadreComplianceView]
    limit: int
    offset: int
    next_offset: int | None


# --- other views -------------------------------------------------------------------


class CountsView(msgspec.Struct, kw_only=True):
    posted: Annotated[int, Meta(examples=[6])]
    held: Annotated[int, Meta(examples=[5])]
    cancelled: Annotated[int, Meta(examples=[1])]
    sign_ups: Annotated[int, Meta(examples=[48])]
    signed_up_now: int
    check_ins: Annotated[int, Meta(examples=[41])]
    added_by_staff: int
    volunteers: Annotated[int, Meta(description="Distinct volunteers.", examples=[37])]
    credited_minutes: Annotated[int, Meta(examples=[4920])]


class CenterCountsView(msgspec.Struct, kw_only=True):
    center_id: UUID
    name: Annotated[str, Meta(examples=["东风社区青年之家"])]
    org_unit_id: UUID
    counts: CountsView


class ActivityCountsView(msgspec.Struct, kw_only=True):
    """The subtree's totals (volunteers counted once across centers) and one page of centers."""

    org_unit_id: UUID
    period_kind: PeriodKind
    period: Annotated[str, Meta(examples=["2026-W10"])]
    totals: CountsView
    centers: list[CenterCountsView]
    limit: int
    offset: int
    next_offset: int | None


class ProblemFiguresView(msgspec.Struct, kw_only=True):
    """Problems routed into the subtree in one period."""

    org_unit_id: UUID
    period_kind: PeriodKind
    period: Annotated[str, Meta(examples=["2026-03"])]
    starts_at: Instant
    ends_at: Instant
    as_of: Instant
    raised: Annotated[int, Meta(examples=[7])]
    closed: Annotated[int, Meta(examples=[5])]
    open_at_end: Annotated[int, Meta(examples=[3])]
    oldest_open_age_seconds: Annotated[int | None, Meta(examples=[432000])]
    median_time_to_close_seconds: Annotated[int | None, Meta(examples=[172800])]


class RuleVersionView(msgspec.Struct, kw_only=True):
    version: Annotated[int, Meta(examples=[1])]
    effective_from: Day
    terms: RuleTermsBody


class RuleSetView(msgspec.Struct, kw_only=True):
    rule_set_id: UUID
    name: str
    org_unit_id: UUID
    levels_up: Annotated[
        int, Meta(description="0: defined on the unit itself; 1: on its parent; ...")
    ]
    governs: Annotated[bool, Meta(description="Whether it governs the unit on the day asked.")]
    versions: list[RuleVersionView]


class RuleSetsView(msgspec.Struct, kw_only=True):
    """The rule sets on the unit and its ancestors, closest first; one of them governs."""

    org_unit_id: UUID
    on: Day
    governing_rule_set_id: UUID | None
    default_preset: PresetName
    default_terms: RuleTermsBody
    rule_sets: list[RuleSetView]


class RuleSetVersioned(msgspec.Struct, kw_only=True):
    rule_set_id: UUID
    version: Annotated[int, Meta(examples=[1])]


# --- periods and scope ---------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    kind: PeriodKind
    period: Month | Week

    @property
    def label(self) -> str:
        return str(self.period)


def _span(kind: PeriodKind, day: date | None, unit: OrgUnit, now: datetime) -> _Span:
    # The product's range of days keeps a period's bounds, in any zone, representable.
    day = query_day(day) or local_date(now, ZoneInfo(unit.time_zone))
    if kind == "week":
        return _Span(kind, iso_week_of(day))
    return _Span(kind, Month.of(day))


def _rule_set_visible(app: Grassroots, caller: Caller, rule_set: RuleSet, unit_id: UUID) -> bool:
    """A rule set the caller may judge by: in their subtree, or governing the unit asked about."""
    if in_unit_scope(app, caller, rule_set.org_unit_id):
        return True
    return rule_set.org_unit_id == unit_id or rule_set.org_unit_id in app.ancestry(unit_id)


def _terms_of(rules: PresetRules | TermsRules) -> RuleTerms:
    """The domain's terms; figures breaking one of its rules (no minimum at all) are a 422."""
    if isinstance(rules, PresetRules):
        return PRESETS[rules.preset]
    return rules.terms()


def _paged(rows: Sequence[T], page: PageRequest) -> tuple[list[T], int | None]:
    chunk = list(rows[page.offset : page.offset + page.limit + 1])
    found = page.page(chunk)
    return found.items, found.next_offset


# --- compliance ------------------------------------------------------------------------


def _rules_view(rules: GoverningRules) -> RulesView:
    if rules.is_default:
        return RulesView(preset=DEFAULT_PRESET if rules.terms == DEFAULT_TERMS else None)
    return RulesView(
        rule_set_id=rules.rule_set_id,
        rule_set_name=rules.rule_set_name,
        org_unit_id=rules.org_unit_id,
        version=rules.version,
        effective_from=rules.effective_from,
    )


def _cadre_view(standing: CadreStanding) -> CadreComplianceView:
    judgement = standing.judgement
    return CadreComplianceView(
        cadre_id=standing.cadre_id,
        name=standing.name,
        kind=standing.kind,
        org_unit_id=standing.org_unit_id,
        status=judgement.status,
        counted_visits=judgement.counted_visits,
        required_visits=judgement.required_visits,
        visit_days=len(judgement.counted_days),
        required_days=judgement.required_days,
        monthly_mode=judgement.mode,
        still_needed=StillNeeded(
            visits=judgement.still_needed.visits, days=judgement.still_needed.days
        ),
        remaining_workdays=judgement.remaining_workdays,
        uncounted_visits=[
            UncountedVisitView(
                visit_id=v.visit_id,
                point_id=v.point_id,
                started_at=v.started_at,
                ended_at=v.ended_at,
                reason=v.reason,
            )
            for v in standing.uncounted
        ],
        rules=_rules_view(standing.rules),
    )


def _worst_first(standings: Iterable[CadreStanding]) -> list[CadreStanding]:
    # Stable: within one status the name order of the read model stays.
    return sorted(standings, key=lambda s: -s.status.severity)


def _compliance_view(
    result: UnitCompliance,
    span: _Span,
    page: PageRequest | None,
    *,
    what_if_terms: RuleTerms | None = None,
    what_if: bool = False,
) -> ComplianceView:
    ordered = _worst_first(result.cadres)
    first, last = period_bounds(span.period)
    if page is None:
        shown, limit, offset, next_offset = ordered, len(ordered), 0, None
    else:
        shown, next_offset = _paged(ordered, page)
        limit, offset = page.limit, page.offset
    return ComplianceView(
        org_unit_id=result.org_unit_id,
        period_kind=span.kind,
        period=span.label,
        first_day=first,
        last_day=last,
        judged_at=result.now,
        what_if=what_if,
        what_if_terms=None if what_if_terms is None else terms_view(what_if_terms),
        cadres_total=result.total,
        met=result.count(Status.MET),
        on_track=result.count(Status.ON_TRACK),
        behind=result.count(Status.BEHIND),
        missed=result.count(Status.MISSED),
        met_share=result.share,
        cadres=[_cadre_view(s) for s in shown],
        limit=limit,
        offset=offset,
        next_offset=next_offset,
    )


def _rejudged(
    conn: sa.Connection,
    actual: UnitCompliance,
    period: Period,
    terms: RuleTerms,
    rules: GoverningRules,
) -> UnitCompliance:
    """The same cadres and stored visits judged under ``terms``; nothing is written."""
    judgements = {
        s.cadre_id: rejudge(conn, s.cadre_id, period, actual.now, terms) for s in actual.cadres
    }
    # The visits that do not count under the other terms are not those that did
    # not count under the governing ones: their details are read again, at once.
    uncounted_ids = {
        v.visit_id for j in judgements.values() for v in j.visits if v.reason is not None
    }
    details: dict[UUID, sa.Row[Any]] = {}
    ids = sorted(uncounted_ids)
    for i in range(0, len(ids), 500):
        query = sa.select(compliance_visits).where(
            compliance_visits.c.visit_id.in_(ids[i : i + 500])
        )
        details.update((row.visit_id, row) for row in conn.execute(query))
    standings = []
    for standing in actual.cadres:
        judgement = judgements[standing.cadre_id]
        standings.append(
            CadreStanding(
                cadre_id=standing.cadre_id,
                name=standing.name,
                kind=standing.kind,
                org_unit_id=standing.org_unit_id,
                judgement=judgement,
                rules=rules,
                uncounted=tuple(
                    _uncounted(details[v.visit_id], v.reason)
                    for v in judgement.visits
                    if v.reason is not None
                ),
            )
        )
    return UnitCompliance(actual.org_unit_id, actual.period, actual.now, tuple(standings))


def _uncounted(row: sa.Row[Any], reason: Reason) -> UncountedVisit:
    return UncountedVisit(
        visit_id=row.visit_id,
        point_id=row.point_id,
        started_at=_aware(row.started_at),
        ended_at=None if row.ended_at is None else _aware(row.ended_at),
        reason=reason,
    )


def _aware(value: datetime) -> datetime:
    """SQLite hands stored UTC instants back naive; PostgreSQL aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _compliance(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None
) -> tuple[OrgUnit, _Span, UnitCompliance]:
    unit = require_unit(api.app, caller, org_unit_id)
    now = api.app.now()
    span = _span(kind, day, unit, now)
    with api.engine.connect() as conn:
        return unit, span, unit_compliance(conn, org_unit_id, span.period, now)


def _what_if(
    api: Api, caller: Caller, org_unit_id: UUID, body: WhatIfRequest, page: PageRequest
) -> ComplianceView:
    app = api.app
    unit = require_unit(app, caller, org_unit_id)
    what_if_terms: RuleTerms | None = None
    if isinstance(body.rules, RuleSetRules):
        rules = _rule_set_rules(
            app, caller, body.rules.rule_set_id, body.rules.version, org_unit_id
        )
    else:
        what_if_terms = _terms_of(body.rules)
        rules = GoverningRules(what_if_terms)
    now = app.now()
    span = _span(body.period, body.date, unit, now)
    with api.engine.connect() as conn:
        actual = unit_compliance(conn, org_unit_id, span.period, now)
        result = _rejudged(conn, actual, span.period, rules.terms, rules)
    return _compliance_view(result, span, page, what_if=True, what_if_terms=what_if_terms)


def _rule_set_rules(
    app: Grassroots, caller: Caller, rule_set_id: UUID, version: int | None, unit_id: UUID
) -> GoverningRules:
    rule_set = app.get(RuleSet, rule_set_id)
    if not _rule_set_visible(app, caller, rule_set, unit_id):
        raise NotFound("rule_set", rule_set_id)
    versions = rule_set.versions
    number = len(versions) if version is None else version
    if not 1 <= number <= len(versions):
        raise ApiProblem(
            404,
            "rule-set-version-not-found",
            f"the rule set has versions 1 to {len(versions)}, not {number}",
        )
    chosen = versions[number - 1]
    return GoverningRules(
        terms=chosen.terms,
        rule_set_id=rule_set.id,
        rule_set_name=rule_set.name,
        org_unit_id=rule_set.org_unit_id,
        version=chosen.number,
        effective_from=chosen.effective_from,
    )


# --- rule sets ----------------------------------------------------------------------


def _rule_sets(api: Api, caller: Caller, org_unit_id: UUID, day: date | None) -> RuleSetsView:
    unit = require_unit(api.app, caller, org_unit_id)
    on = query_day(day) or local_date(api.app.now(), ZoneInfo(unit.time_zone))
    sets, versions = compliance_rule_sets.c, compliance_rule_versions.c
    query = (
        sa.select(
            org_closure.c.depth,
            sets.rule_set_id,
            sets.name,
            sets.org_unit_id,
            versions.version,
            versions.effective_from,
            versions.terms,
        )
        .select_from(
            org_closure.join(
                compliance_rule_sets, sets.org_unit_id == org_closure.c.ancestor_id
            ).join(compliance_rule_versions, versions.rule_set_id == sets.rule_set_id)
        )
        .where(org_closure.c.descendant_id == org_unit_id)
    )
    with api.engine.connect() as conn:
        rows = conn.execute(query).all()
    found: dict[UUID, RuleSetView] = {}
    for row in rows:
        view = found.setdefault(
            row.rule_set_id,
            RuleSetView(
                rule_set_id=row.rule_set_id,
                name=row.name,
                org_unit_id=row.org_unit_id,
                levels_up=int(row.depth),
                governs=False,
                versions=[],
            ),
        )
        view.versions.append(
            RuleVersionView(
                version=int(row.version),
                effective_from=row.effective_from,
                terms=msgspec.json.decode(row.terms, type=RuleTermsBody),
            )
        )
    for view in found.values():
        view.versions.sort(key=lambda v: v.version)
    governing = governing_choice(
        (
            RuleSetCandidate(
                # ``levels_up`` counts away from the unit; the domain's depth grows towards it.
                depth=-view.levels_up,
                rule_set_id=view.rule_set_id,
                effective_dates=tuple(v.effective_from for v in view.versions),
                of=view,
            )
            for view in found.values()
        ),
        on,
    )
    if governing is not None:
        governing.governs = True
    return RuleSetsView(
        org_unit_id=org_unit_id,
        on=on,
        governing_rule_set_id=None if governing is None else governing.rule_set_id,
        default_preset=DEFAULT_PRESET,
        default_terms=terms_view(DEFAULT_TERMS),
        rule_sets=sorted(found.values(), key=lambda v: (v.levels_up, v.name, v.rule_set_id)),
    )


def _define(app: Grassroots, caller: Caller, org_unit_id: UUID, body: RuleSetDefinition) -> UUID:
    require_unit(app, caller, org_unit_id)
    return app.define_rule_set(
        name=body.name,
        org_unit_id=org_unit_id,
        effective_from=body.effective_from,
        terms=_terms_of(body.rules),
    )


def _revise(app: Grassroots, caller: Caller, rule_set_id: UUID, body: RuleSetRevision) -> int:
    rule_set = app.get(RuleSet, rule_set_id)
    # Only a supervisor of the rule set's own unit (or above it) changes it: one
    # further down is governed by it, not in charge of it.
    if not in_unit_scope(app, caller, rule_set.org_unit_id):
        raise NotFound("rule_set", rule_set_id)
    return app.revise_rule_set(
        rule_set_id,
        effective_from=body.effective_from,
        terms=_terms_of(body.rules),
    )


# --- activity counts and problem figures -------------------------------------------


def _counts_view(counts: Any) -> CountsView:
    return CountsView(**asdict(counts))


def _activity_counts(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None
) -> tuple[OrgUnit, _Span, OrgUnitCounts]:
    unit = require_unit(api.app, caller, org_unit_id)
    span = _span(kind, day, unit, api.app.now())
    with api.engine.connect() as conn:
        return unit, span, org_unit_counts(conn, org_unit_id, kind, span.label)


def _activity_counts_view(found: OrgUnitCounts, page: PageRequest) -> ActivityCountsView:
    centers, next_offset = _paged(found.centers, page)
    return ActivityCountsView(
        org_unit_id=found.org_unit_id,
        period_kind=found.period_kind,
        period=found.period,
        totals=_counts_view(found.totals),
        centers=[
            CenterCountsView(
                center_id=c.center_id,
                name=c.name,
                org_unit_id=c.org_unit_id,
                counts=_counts_view(c.counts),
            )
            for c in centers
        ],
        limit=page.limit,
        offset=page.offset,
        next_offset=next_offset,
    )


def _problem_figures(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None
) -> ProblemFigures:
    unit = require_unit(api.app, caller, org_unit_id)
    now = api.app.now()
    span = _span(kind, day, unit, now)
    with api.engine.connect() as conn:
        return problem_figures(conn, org_unit_id, kind, span.label, now)


def _seconds(value: Any) -> int | None:
    return None if value is None else int(value.total_seconds())


# --- CSV ---------------------------------------------------------------------------

_STATUS_ZH = {
    Status.MET: "已达标",
    Status.ON_TRACK: "进度正常",
    Status.BEHIND: "落后",
    Status.MISSED: "未达标",
}
_STATUS_EN = {
    Status.MET: "met",
    Status.ON_TRACK: "on track",
    Status.BEHIND: "behind",
    Status.MISSED: "missed",
}
_REASON_ZH: dict[str, str] = {
    "not-ended": "未结束",
    "not-proven-on-site": "未经现场核验",
    "not-assigned-point": "非指定联系点",
    "too-short": "时长不足",
    "same-day": "同日已计",
}
_KIND_ZH = {"full_time": "专职", "seconded": "挂职", "part_time": "兼职"}
_MODE_ZH = {"either": "满足其一", "both": "同时满足"}

_COMPLIANCE_COLUMNS = (
    ("姓名", "name"),
    ("干部编号", "cadre id"),
    ("类别", "kind"),
    ("所属组织", "org unit"),
    ("状态", "status"),
    ("计入走访次数", "visits counted"),
    ("要求走访次数", "visits required"),
    ("在岗天数", "visit days"),
    ("要求天数", "days required"),
    ("达标方式", "mode"),
    ("尚差次数", "visits still needed"),
    ("尚差天数", "days still needed"),
    ("剩余工作日", "workdays left"),
    ("未计入的走访", "visits not counted"),
    ("适用规则", "rule set"),
    ("规则版本", "rule set version"),
)

_COUNT_FIELDS = (
    ("posted", "发布活动数"),
    ("held", "已举办"),
    ("cancelled", "已取消"),
    ("sign_ups", "报名人次"),
    ("signed_up_now", "当前报名"),
    ("check_ins", "签到人次"),
    ("added_by_staff", "补录人次"),
    ("volunteers", "志愿者人数"),
    ("credited_minutes", "服务时长（分钟）"),
)


def _cell(value: object) -> str:
    """A cell as text; one a spreadsheet would take for a formula is kept as text."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return (BOM + out.getvalue()).encode("utf-8")


def _unit_names(api: Api, unit_ids: set[UUID]) -> dict[UUID, str]:
    names: dict[UUID, str] = {}
    ids = sorted(unit_ids)
    with api.engine.connect() as conn:
        for i in range(0, len(ids), 500):
            query = sa.select(org_units.c.org_unit_id, org_units.c.name).where(
                org_units.c.org_unit_id.in_(ids[i : i + 500])
            )
            names.update((row.org_unit_id, row.name) for row in conn.execute(query))
    return names


def _compliance_csv(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None, zh: bool
) -> tuple[OrgUnit, _Span, bytes]:
    unit, span, result = _compliance(api, caller, org_unit_id, kind, day)
    names = _unit_names(api, {s.org_unit_id for s in result.cadres})
    status = _STATUS_ZH if zh else _STATUS_EN

    def reasons(standing: CadreStanding) -> str:
        counted = Counter(v.reason for v in standing.uncounted)
        label: Callable[[str], str] = (lambda r: _REASON_ZH.get(r, r)) if zh else str
        return "; ".join(f"{label(r)} ×{n}" for r, n in sorted(counted.items()))

    def rule_name(rules: GoverningRules) -> str:
        if rules.rule_set_name is not None:
            return rules.rule_set_name
        return "默认规则（内蒙古）" if zh else f"default ({DEFAULT_PRESET})"

    rows = []
    for s in _worst_first(result.cadres):
        j = s.judgement
        rows.append(
            (
                s.name,
                s.cadre_id,
                _KIND_ZH.get(s.kind, s.kind) if zh else s.kind,
                names.get(s.org_unit_id, str(s.org_unit_id)),
                status[j.status],
                j.counted_visits,
                j.required_visits,
                len(j.counted_days),
                j.required_days,
                _MODE_ZH.get(j.mode, j.mode) if zh else j.mode,
                j.still_needed.visits,
                j.still_needed.days,
                j.remaining_workdays,
                reasons(s),
                rule_name(s.rules),
                s.rules.version,
            )
        )
    header = [zh_name if zh else en_name for zh_name, en_name in _COMPLIANCE_COLUMNS]
    return unit, span, _csv(header, rows)


def _activity_counts_csv(
    api: Api, caller: Caller, org_unit_id: UUID, kind: PeriodKind, day: date | None, zh: bool
) -> tuple[OrgUnit, _Span, bytes]:
    unit, span, found = _activity_counts(api, caller, org_unit_id, kind, day)
    names = _unit_names(api, {c.org_unit_id for c in found.centers})
    header = (
        ["青年之家", "青年之家编号", "所属组织", *(zh_name for _, zh_name in _COUNT_FIELDS)]
        if zh
        else ["center", "center id", "org unit", *(name for name, _ in _COUNT_FIELDS)]
    )
    rows: list[list[object]] = [
        [
            c.name,
            c.center_id,
            names.get(c.org_unit_id, str(c.org_unit_id)),
            *(getattr(c.counts, name) for name, _ in _COUNT_FIELDS),
        ]
        for c in found.centers
    ]
    rows.append(
        [
            "合计" if zh else "total",
            "",
            unit.name,
            *(getattr(found.totals, name) for name, _ in _COUNT_FIELDS),
        ]
    )
    return unit, span, _csv(header, rows)


def _csv_response(content: bytes, what: str, unit: OrgUnit, span: _Span) -> Response[bytes]:
    plain = f"{what}-{span.label}.csv"
    full = quote(f"{unit.name}-{what}-{span.label}.csv")
    return Response(
        content,
        media_type=CSV_MEDIA_TYPE,
        headers={
            # ``filename`` for old clients, ``filename*`` (RFC 6266) with the unit's name.
            "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{full}",
            "Cache-Control": "no-store",
        },
    )


def _wants_chinese(request: Request[Any, Any, Any]) -> bool:
    return language_of(request) != "en"


# --- routes -------------------------------------------------------------------------

_READ_ERRORS = problem_responses(400, 401, 403, 404, 422, 429)


class SupervisionController(Controller):
    path = "/api/v1/org-units"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/compliance",
        operation_id="getUnitCompliance",
        summary='"8+4" compliance of every cadre in the subtree (supervisor)',
        description="The share of cadres who met the period's requirement and, per cadre, "
        "the status (met / on_track / behind / missed), visits and days counted against "
        "those required, why visits did not count and what is still needed. Those "
        "needing attention come first. `cadres` is paginated; the figures cover all.",
        responses=_READ_ERRORS,
    )
    async def compliance(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> ComplianceView:
        caller = request.user
        _, span, result = await api.read(
            caller.account_id, _compliance, api, caller, org_unit_id, period, day
        )
        return _compliance_view(result, span, page)

    @get(
        "/{org_unit_id:uuid}/compliance.csv",
        operation_id="exportUnitCompliance",
        summary="Compliance of the subtree as CSV (supervisor)",
        description="Every cadre of the subtree, those needing attention first; UTF-8 with "
        "a byte-order mark. Column names in Chinese, or English by `Accept-Language`.",
        media_type=CSV_MEDIA_TYPE,
        response_description="A CSV file",
        responses=_READ_ERRORS,
    )
    async def compliance_csv(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> Response[bytes]:
        caller = request.user
        unit, span, content = await api.read(
            caller.account_id,
            _compliance_csv,
            api,
            caller,
            org_unit_id,
            period,
            day,
            _wants_chinese(request),
        )
        return _csv_response(content, "compliance", unit, span)

    @post(
        "/{org_unit_id:uuid}/compliance/what-if",
        operation_id="whatIfUnitCompliance",
        summary="Re-judge the subtree's compliance under other rules, writing nothing (supervisor)",
        description="The same answer as the compliance route, judged under the `rules` "
        "given (a preset, figures, or a stored rule set's version) instead of the "
        "governing ones. Nothing is stored.",
        status_code=HTTP_200_OK,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def what_if(
        self,
        org_unit_id: FromPath[UUID],
        data: JSONBody[WhatIfRequest],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> ComplianceView:
        caller = request.user
        return await api.read(caller.account_id, _what_if, api, caller, org_unit_id, data, page)

    @get(
        "/{org_unit_id:uuid}/activity-counts",
        operation_id="getUnitActivityCounts",
        summary="Activity counts per youth center in the subtree, and the total (supervisor)",
        description="Posted, held, cancelled, sign-ups, check-ins, distinct volunteers and "
        "credited minutes per center; `centers` is paginated, `totals` covers all of them.",
        responses=_READ_ERRORS,
    )
    async def activity_counts(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> ActivityCountsView:
        caller = request.user
        _, _, found = await api.read(
            caller.account_id, _activity_counts, api, caller, org_unit_id, period, day
        )
        return _activity_counts_view(found, page)

    @get(
        "/{org_unit_id:uuid}/activity-counts.csv",
        operation_id="exportUnitActivityCounts",
        summary="Activity counts per youth center as CSV (supervisor)",
        description="Every center of the subtree and a last row with the totals; UTF-8 "
        "with a byte-order mark.",
        media_type=CSV_MEDIA_TYPE,
        response_description="A CSV file",
        responses=_READ_ERRORS,
    )
    async def activity_counts_csv(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> Response[bytes]:
        caller = request.user
        unit, span, content = await api.read(
            caller.account_id,
            _activity_counts_csv,
            api,
            caller,
            org_unit_id,
            period,
            day,
            _wants_chinese(request),
        )
        return _csv_response(content, "activity-counts", unit, span)

    @get(
        "/{org_unit_id:uuid}/problem-figures",
        operation_id="getUnitProblemFigures",
        summary="Problems raised, closed and open in the subtree (supervisor)",
        description="Raised and closed in the period, open at its end (or now), the oldest "
        "open problem's age and the median time to close, in seconds.",
        responses=_READ_ERRORS,
    )
    async def problem_figures(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        period: PeriodParam = "month",
        day: DayParam = None,
    ) -> ProblemFiguresView:
        caller = request.user
        found = await api.read(
            caller.account_id, _problem_figures, api, caller, org_unit_id, period, day
        )
        return ProblemFiguresView(
            org_unit_id=found.org_unit_id,
            period_kind=found.period_kind,
            period=found.period,
            starts_at=found.starts_at,
            ends_at=found.ends_at,
            as_of=found.as_of,
            raised=found.raised,
            closed=found.closed,
            open_at_end=found.open_at_end,
            oldest_open_age_seconds=_seconds(found.oldest_open_age),
            median_time_to_close_seconds=_seconds(found.median_time_to_close),
        )

    @get(
        "/{org_unit_id:uuid}/rule-sets",
        operation_id="listUnitRuleSets",
        summary="The rule sets on the unit and its ancestors, and which governs (supervisor)",
        description="Closest first, each with all its versions. At most one rule set per "
        "level of the tree in practice, so the list is short and not paginated. Where "
        "none governs, the default preset applies.",
        responses=_READ_ERRORS,
    )
    async def rule_sets(
        self,
        org_unit_id: FromPath[UUID],
        request: Request[Caller, Token, Any],
        api: ApiDep,
        day: DayParam = None,
    ) -> RuleSetsView:
        caller = request.user
        return await api.read(caller.account_id, _rule_sets, api, caller, org_unit_id, day)

    @post(
        "/{org_unit_id:uuid}/rule-sets",
        operation_id="defineRuleSet",
        summary="Define a rule set for the unit's subtree (supervisor)",
        description="The first version takes effect on `effective_from`. `rules` names a "
        'preset (`{"kind": "preset", "preset": "county-1-plus-3"}`) or gives the figures '
        '(`{"kind": "terms", "min_visits_per_month": 3, ...}`).',
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 422, 429),
    )
    async def define_rule_set(
        self,
        org_unit_id: FromPath[UUID],
        data: JSONBody[RuleSetDefinition],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> RuleSetVersioned:
        caller = request.user
        rule_set_id = await api.write(
            caller.account_id, _define, api.app, caller, org_unit_id, data
        )
        return RuleSetVersioned(rule_set_id=rule_set_id, version=1)


class RuleSetController(Controller):
    path = "/api/v1/rule-sets"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012

    @post(
        "/{rule_set_id:uuid}/versions",
        operation_id="reviseRuleSet",
        summary="Revise a rule set with a new version (supervisor of its unit)",
        description="The new version takes effect on `effective_from`, which must come after "
        "the latest version's; earlier versions are never changed, so past periods keep "
        "the terms that governed them.",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def revise(
        self,
        rule_set_id: FromPath[UUID],
        data: JSONBody[RuleSetRevision],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> RuleSetVersioned:
        caller = request.user
        version = await api.write(caller.account_id, _revise, api.app, caller, rule_set_id, data)
        return RuleSetVersioned(rule_set_id=rule_set_id, version=version)


ROUTES: list[ControllerRouterHandler] = [SupervisionController, RuleSetController]
