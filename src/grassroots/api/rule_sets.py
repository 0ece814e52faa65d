"""Rule sets: the terms that judge the cadres of a subtree, listed, defined and revised.

A rule set lives on an org unit and governs its subtree from each version's
effective-from date; the closest one on a unit's ancestry with a version in
force governs (see ``projections.compliance.verdicts``). Only a supervisor of
the rule set's own unit, or above it, defines or revises it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_201_CREATED
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import LINE, Day, Id, query_day
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.api.scope import in_unit_scope, require_unit
from grassroots.api.supervision import DEFAULT_PRESET, READ_ERRORS, DayParam, PresetName
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.rules import PRESETS, RuleSet, RuleTerms
from grassroots.domain.values import local_date
from grassroots.projections.compliance.verdicts import (
    DEFAULT_TERMS,
    ApplicableRuleSet,
    GoverningRules,
    applicable_rule_sets,
)

__all__ = [
    "ROUTES",
    "OtherRules",
    "PresetRules",
    "RuleSetController",
    "RuleSetRules",
    "RuleTermsBody",
    "TermsRules",
    "rule_set_rules",
    "terms_of",
    "terms_view",
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

    name: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=200,
            examples=["新城区“1+3”下沉规则"],
            extra_json_schema=LINE,
        ),
    ]
    effective_from: Day
    rules: NewRules


class RuleSetRevision(msgspec.Struct, kw_only=True):
    """A new version from ``effective_from``, which must come after the latest one's."""

    effective_from: Day
    rules: NewRules


# --- views -------------------------------------------------------------------------


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


# --- reading and judging by rules --------------------------------------------------


def _rule_set_visible(app: Grassroots, caller: Caller, rule_set: RuleSet, unit_id: UUID) -> bool:
    """A rule set the caller may judge by: in their subtree, or governing the unit asked about."""
    if in_unit_scope(app, caller, rule_set.org_unit_id):
        return True
    return rule_set.org_unit_id == unit_id or rule_set.org_unit_id in app.ancestry(unit_id)


def terms_of(rules: PresetRules | TermsRules) -> RuleTerms:
    """The domain's terms; figures breaking one of its rules (no minimum at all) are a 422."""
    if isinstance(rules, PresetRules):
        return PRESETS[rules.preset]
    return rules.terms()


def rule_set_rules(
    app: Grassroots, caller: Caller, rule_set_id: UUID, version: int | None, unit_id: UUID
) -> GoverningRules:
    """A stored rule set's version (the latest without one), to judge the unit's cadres by."""
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


def _rule_set_view(found: ApplicableRuleSet) -> RuleSetView:
    return RuleSetView(
        rule_set_id=found.rule_set_id,
        name=found.name,
        org_unit_id=found.org_unit_id,
        levels_up=found.levels_up,
        governs=found.governs,
        versions=[
            RuleVersionView(
                version=v.number, effective_from=v.effective_from, terms=terms_view(v.terms)
            )
            for v in found.versions
        ],
    )


def _rule_sets(api: Api, caller: Caller, org_unit_id: UUID, day: date | None) -> RuleSetsView:
    unit = require_unit(api.app, caller, org_unit_id)
    on = query_day(day) or local_date(api.app.now(), ZoneInfo(unit.time_zone))
    with api.engine.connect() as conn:
        found = applicable_rule_sets(conn, org_unit_id, on)
    governing = next((r for r in found if r.governs), None)
    return RuleSetsView(
        org_unit_id=org_unit_id,
        on=on,
        governing_rule_set_id=None if governing is None else governing.rule_set_id,
        default_preset=DEFAULT_PRESET,
        default_terms=terms_view(DEFAULT_TERMS),
        rule_sets=[_rule_set_view(r) for r in found],
    )


def _define(app: Grassroots, caller: Caller, org_unit_id: UUID, body: RuleSetDefinition) -> UUID:
    require_unit(app, caller, org_unit_id)
    return app.define_rule_set(
        name=body.name,
        org_unit_id=org_unit_id,
        effective_from=body.effective_from,
        terms=terms_of(body.rules),
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
        terms=terms_of(body.rules),
    )


# --- routes -------------------------------------------------------------------------


class RuleSetController(Controller):
    path = "/api/v1"
    tags = ["supervision"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012

    @get(
        "/org-units/{org_unit_id:uuid}/rule-sets",
        operation_id="listUnitRuleSets",
        summary="The rule sets on the unit and its ancestors, and which governs (supervisor)",
        description="Closest first, each with all its versions. At most one rule set per "
        "level of the tree in practice, so the list is short and not paginated. Where "
        "none governs, the default preset applies.",
        responses=READ_ERRORS,
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
        "/org-units/{org_unit_id:uuid}/rule-sets",
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

    @post(
        "/rule-sets/{rule_set_id:uuid}/versions",
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


ROUTES: list[ControllerRouterHandler] = [RuleSetController]
