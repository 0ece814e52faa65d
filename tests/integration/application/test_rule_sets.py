"""Rule sets as versioned data, persisted like everything else."""

from __future__ import annotations

from datetime import date

from grassroots.application.service import Grassroots
from grassroots.domain.rules import COUNTY_1_PLUS_3_TERMS, INNER_MONGOLIA_TERMS, RuleSet
from tests.integration.builders import build_world


def test_a_revised_rule_set_keeps_its_earlier_version_for_earlier_days(app: Grassroots) -> None:
    world = build_world(app)
    rule_set_id = app.define_rule_set(
        name="内蒙古 8+4",
        org_unit_id=world.region,
        effective_from=date(2026, 1, 1),
        terms=INNER_MONGOLIA_TERMS,
    )

    version = app.revise_rule_set(
        rule_set_id, effective_from=date(2026, 7, 1), terms=COUNTY_1_PLUS_3_TERMS
    )

    rule_set = app.get(RuleSet, rule_set_id)
    assert version == 2
    assert rule_set.terms_on(date(2026, 6, 30)) == INNER_MONGOLIA_TERMS
    assert rule_set.terms_on(date(2026, 7, 1)) == COUNTY_1_PLUS_3_TERMS
    assert rule_set.terms_on(date(2025, 12, 31)) is None
