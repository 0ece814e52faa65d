"""Commands on rule sets: the "8+4" and "1+100" rules as versioned data."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from grassroots.application.core import Core
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.rules import RuleSet, RuleTerms

__all__ = ["RuleSetCommands"]


class RuleSetCommands(Core):
    def define_rule_set(
        self, *, name: str, org_unit_id: UUID, effective_from: date, terms: RuleTerms
    ) -> UUID:
        """Rules for the subtree under ``org_unit_id`` from ``effective_from`` on."""
        self.get(OrgUnit, org_unit_id)
        rule_set = RuleSet.define(
            name=name,
            org_unit_id=org_unit_id,
            effective_from=effective_from,
            terms=terms,
            at=self.now(),
        )
        self.commit(rule_set)
        return rule_set.id

    def revise_rule_set(self, rule_set_id: UUID, *, effective_from: date, terms: RuleTerms) -> int:
        """A new version from ``effective_from``; earlier versions stay as they were."""
        rule_set = self.get(RuleSet, rule_set_id)
        rule_set.revise(effective_from=effective_from, terms=terms, at=self.now())
        self.commit(rule_set)
        return len(rule_set.versions)
