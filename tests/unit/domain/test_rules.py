"""Rule sets: the "8+4" and "1+100" figures as data, versioned over time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.rules import (
    COUNTY_1_PLUS_3_TERMS,
    INNER_MONGOLIA_TERMS,
    PRESETS,
    RuleSet,
    RuleSetCandidate,
    RuleTerms,
    RuleVersion,
    governing_choice,
    governing_rule_set,
    governing_terms,
)

AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
LATER = datetime(2026, 6, 20, 2, 0, tzinfo=UTC)
REGION = UUID("11111111-1111-4111-8111-111111111111")
COUNTY = UUID("33333333-3333-4333-8333-333333333333")
JAN_1 = date(2026, 1, 1)
JUL_1 = date(2026, 7, 1)

STRICTER = RuleTerms(
    min_visits_per_month=4,
    min_days_per_month=4,
    monthly_mode="both",
    min_visit_minutes=90,
    min_days_per_year=40,
    assigned_points_only=False,
    one_visit_per_day=False,
    contact_targets={"part_time": 20, "full_time": 150, "seconded": 120},
)


def defined(
    *,
    effective_from: date = JAN_1,
    terms: RuleTerms = INNER_MONGOLIA_TERMS,
    org_unit_id: UUID = REGION,
    name: str = "内蒙古 8+4",
) -> RuleSet:
    rule_set = RuleSet.define(
        name=name, org_unit_id=org_unit_id, effective_from=effective_from, terms=terms, at=AT
    )
    rule_set.collect_events()
    return rule_set


def stored_and_loaded(events: Sequence[DomainEventProtocol[UUID]]) -> list[Any]:
    """The events as they come back from the event store's JSON encoding."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    return [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]


# --- the presets -----------------------------------------------------------------


def test_the_inner_mongolia_preset_asks_two_visits_or_three_days_a_month() -> None:
    terms = INNER_MONGOLIA_TERMS

    assert (terms.min_visits_per_month, terms.min_days_per_month, terms.monthly_mode) == (
        2,
        3,
        "either",
    )
    assert (terms.min_visit_minutes, terms.min_days_per_year) == (60, None)
    assert (terms.assigned_points_only, terms.one_visit_per_day) == (True, True)
    assert dict(terms.contact_targets) == {"full_time": 100, "seconded": 100, "part_time": 10}


def test_the_county_preset_asks_three_visits_a_month_and_twelve_days_a_year() -> None:
    terms = COUNTY_1_PLUS_3_TERMS

    assert (terms.min_visits_per_month, terms.min_days_per_month) == (3, None)
    assert (terms.min_visit_minutes, terms.min_days_per_year) == (60, 12)
    assert (terms.assigned_points_only, terms.one_visit_per_day) == (True, True)
    assert dict(terms.contact_targets) == {"full_time": 100, "seconded": 100, "part_time": 10}


def test_the_presets_are_listed_by_their_slugs() -> None:
    assert dict(PRESETS) == {
        "inner-mongolia": INNER_MONGOLIA_TERMS,
        "county-1-plus-3": COUNTY_1_PLUS_3_TERMS,
    }


def test_the_contact_target_depends_on_the_cadre_kind() -> None:
    assert [
        INNER_MONGOLIA_TERMS.contact_target(kind) for kind in ("full_time", "seconded", "part_time")
    ] == [100, 100, 10]
    assert STRICTER.contact_target("part_time") == 20


def test_asking_the_contact_target_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        INNER_MONGOLIA_TERMS.contact_target("volunteer")

    assert caught.value.code == "cadre-kind-invalid"


# --- terms as data ---------------------------------------------------------------


@pytest.mark.parametrize("terms", [INNER_MONGOLIA_TERMS, COUNTY_1_PLUS_3_TERMS, STRICTER])
def test_terms_survive_a_round_trip_through_plain_data(terms: RuleTerms) -> None:
    data = terms.to_data()

    restored = RuleTerms.from_data(json.loads(json.dumps(data)))

    assert restored == terms
    assert hash(restored) == hash(terms)


def test_terms_as_data_are_plain_json_primitives() -> None:
    assert STRICTER.to_data() == {
        "min_visits_per_month": 4,
        "min_days_per_month": 4,
        "monthly_mode": "both",
        "min_visit_minutes": 90,
        "min_days_per_year": 40,
        "assigned_points_only": False,
        "one_visit_per_day": False,
        "contact_targets": {"full_time": 150, "seconded": 120, "part_time": 20},
    }


def test_terms_stored_before_the_optional_fields_existed_take_their_defaults() -> None:
    restored = RuleTerms.from_data(
        {"min_visits_per_month": 2, "min_days_per_month": 3, "monthly_mode": "either"}
    )

    assert restored == INNER_MONGOLIA_TERMS


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"min_days_per_month": 3, "monthly_mode": "either"}, "rule-terms-malformed"),
        (
            {"min_visits_per_month": "2", "min_days_per_month": 3, "monthly_mode": "either"},
            "rule-terms-malformed",
        ),
        (
            {"min_visits_per_month": 2, "min_days_per_month": 3, "monthly_mode": "any"},
            "rule-terms-mode-invalid",
        ),
        (
            {
                "min_visits_per_month": 2,
                "min_days_per_month": 3,
                "monthly_mode": "either",
                "one_visit_per_day": "yes",
            },
            "rule-terms-malformed",
        ),
        (
            {
                "min_visits_per_month": 2,
                "min_days_per_month": 3,
                "monthly_mode": "either",
                "contact_targets": [100, 100, 10],
            },
            "rule-terms-targets-invalid",
        ),
    ],
)
def test_malformed_stored_terms_are_refused(data: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        RuleTerms.from_data(data)

    assert caught.value.code == code


def test_the_contact_targets_cannot_be_changed_through_the_callers_dict() -> None:
    targets = {"full_time": 100, "seconded": 100, "part_time": 10}
    terms = RuleTerms(
        min_visits_per_month=2,
        min_days_per_month=None,
        monthly_mode="either",
        contact_targets=targets,
    )

    targets["part_time"] = 0

    assert terms.contact_target("part_time") == 10
    with pytest.raises(TypeError):
        terms.contact_targets["part_time"] = 0  # type: ignore[index]


def _terms(**changes: Any) -> RuleTerms:
    fields: dict[str, Any] = {
        "min_visits_per_month": 2,
        "min_days_per_month": 3,
        "monthly_mode": "either",
    }
    fields.update(changes)
    return RuleTerms(**fields)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"min_visits_per_month": -1}, "rule-terms-count-invalid"),
        ({"min_days_per_month": 32}, "rule-terms-count-invalid"),
        ({"min_days_per_year": 367}, "rule-terms-count-invalid"),
        ({"min_visits_per_month": True}, "rule-terms-count-invalid"),
        ({"min_visits_per_month": 2.5}, "rule-terms-count-invalid"),
        (
            {"min_visits_per_month": None, "min_days_per_month": None},
            "rule-terms-no-requirement",
        ),
        ({"monthly_mode": "any"}, "rule-terms-mode-invalid"),
        ({"min_visit_minutes": -1}, "rule-terms-min-visit-minutes-invalid"),
        ({"min_visit_minutes": 24 * 60 + 1}, "rule-terms-min-visit-minutes-invalid"),
        ({"one_visit_per_day": 1}, "rule-terms-flag-invalid"),
        ({"assigned_points_only": None}, "rule-terms-flag-invalid"),
        (
            {"contact_targets": {"full_time": 100, "seconded": 100, "part_time": 10, "x": 1}},
            "cadre-kind-invalid",
        ),
        (
            {"contact_targets": {"full_time": 100, "seconded": 100}},
            "rule-terms-targets-incomplete",
        ),
        (
            {"contact_targets": {"full_time": 100, "seconded": -1, "part_time": 10}},
            "rule-terms-targets-invalid",
        ),
    ],
)
def test_invalid_terms_are_refused(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        _terms(**changes)

    assert caught.value.code == code


def test_a_yearly_minimum_alone_is_enough_of_a_requirement() -> None:
    terms = _terms(min_visits_per_month=None, min_days_per_month=None, min_days_per_year=12)

    assert (terms.min_visits_per_month, terms.min_days_per_month, terms.min_days_per_year) == (
        None,
        None,
        12,
    )


def test_zero_minimums_are_allowed() -> None:
    terms = _terms(min_visits_per_month=0, min_days_per_month=0, min_visit_minutes=0)

    assert (terms.min_visits_per_month, terms.min_days_per_month, terms.min_visit_minutes) == (
        0,
        0,
        0,
    )


# --- defining and revising a rule set ------------------------------------------


def test_defining_a_rule_set_records_its_first_version_as_plain_data() -> None:
    rule_set = RuleSet.define(
        name="  内蒙古 8+4 ",
        org_unit_id=REGION,
        effective_from=JAN_1,
        terms=INNER_MONGOLIA_TERMS,
        at=AT,
    )

    events = rule_set.collect_events()

    assert [type(e) for e in events] == [RuleSet.Defined]
    e: Any = events[0]
    assert (e.originator_id, e.originator_version) == (rule_set.id, 1)
    assert (e.name, e.org_unit_id, e.effective_from, e.at) == (
        "内蒙古 8+4",
        REGION,
        "2026-01-01",
        AT,
    )
    assert e.terms == INNER_MONGOLIA_TERMS.to_data()
    assert (rule_set.name, rule_set.org_unit_id) == ("内蒙古 8+4", REGION)
    assert rule_set.versions == [RuleVersion(1, JAN_1, INNER_MONGOLIA_TERMS)]


def test_revising_records_a_new_version_and_keeps_the_first() -> None:
    rule_set = defined()

    rule_set.revise(effective_from=JUL_1, terms=COUNTY_1_PLUS_3_TERMS, at=LATER)

    events = rule_set.collect_events()
    assert [type(e) for e in events] == [RuleSet.Revised]
    e: Any = events[0]
    assert (e.originator_version, e.effective_from, e.at) == (2, "2026-07-01", LATER)
    assert e.terms == COUNTY_1_PLUS_3_TERMS.to_data()
    assert rule_set.versions == [
        (1, JAN_1, INNER_MONGOLIA_TERMS),
        (2, JUL_1, COUNTY_1_PLUS_3_TERMS),
    ]


def test_a_rule_set_replays_from_its_stored_events() -> None:
    rule_set = RuleSet.define(
        name="内蒙古 8+4",
        org_unit_id=REGION,
        effective_from=JAN_1,
        terms=INNER_MONGOLIA_TERMS,
        at=AT,
    )
    rule_set.revise(effective_from=JUL_1, terms=STRICTER, at=LATER)

    replayed: RuleSet | None = None
    for loaded in stored_and_loaded(rule_set.collect_events()):
        replayed = loaded.mutate(replayed)

    assert isinstance(replayed, RuleSet)
    assert (replayed.id, replayed.version, replayed.name, replayed.org_unit_id) == (
        rule_set.id,
        2,
        "内蒙古 8+4",
        REGION,
    )
    assert replayed.versions == [(1, JAN_1, INNER_MONGOLIA_TERMS), (2, JUL_1, STRICTER)]


@pytest.mark.parametrize("effective_from", [JAN_1, date(2025, 12, 31)])
def test_a_revision_must_take_effect_after_the_latest_version(effective_from: date) -> None:
    rule_set = defined()

    with pytest.raises(NotAllowed) as caught:
        rule_set.revise(effective_from=effective_from, terms=STRICTER, at=LATER)

    assert caught.value.code == "rule-set-revision-out-of-order"
    assert rule_set.collect_events() == []
    assert rule_set.versions == [(1, JAN_1, INNER_MONGOLIA_TERMS)]


def test_a_revision_is_ordered_against_the_latest_version_not_the_first() -> None:
    rule_set = defined()
    rule_set.revise(effective_from=JUL_1, terms=STRICTER, at=LATER)

    with pytest.raises(NotAllowed) as caught:
        rule_set.revise(effective_from=date(2026, 3, 1), terms=COUNTY_1_PLUS_3_TERMS, at=LATER)

    assert caught.value.code == "rule-set-revision-out-of-order"


def test_a_revision_the_day_after_the_latest_is_allowed() -> None:
    rule_set = defined()

    rule_set.revise(effective_from=date(2026, 1, 2), terms=STRICTER, at=LATER)

    assert [v.number for v in rule_set.versions] == [1, 2]


@pytest.mark.parametrize(
    ("changes", "error", "code"),
    [
        ({"name": "  "}, InvalidValue, "name-empty"),
        ({"at": datetime(2026, 1, 5, 2, 0)}, InvalidValue, "naive-datetime"),
        (
            {"effective_from": datetime(2026, 1, 1, tzinfo=UTC)},
            InvalidValue,
            "rule-set-effective-from-invalid",
        ),
        ({"terms": INNER_MONGOLIA_TERMS.to_data()}, InvalidValue, "rule-terms-malformed"),
    ],
)
def test_a_rule_set_is_not_defined_from_bad_input(
    changes: dict[str, Any], error: type[Exception], code: str
) -> None:
    arguments: dict[str, Any] = {
        "name": "内蒙古 8+4",
        "org_unit_id": REGION,
        "effective_from": JAN_1,
        "terms": INNER_MONGOLIA_TERMS,
        "at": AT,
    }
    arguments.update(changes)

    with pytest.raises(error) as caught:
        RuleSet.define(**arguments)

    assert getattr(caught.value, "code", None) == code


def test_a_revision_needs_an_aware_instant() -> None:
    rule_set = defined()

    with pytest.raises(InvalidValue) as caught:
        rule_set.revise(effective_from=JUL_1, terms=STRICTER, at=datetime(2026, 6, 20))

    assert caught.value.code == "naive-datetime"
    assert rule_set.collect_events() == []


# --- which terms are in force ----------------------------------------------------


def test_the_terms_in_force_change_on_the_exact_effective_date() -> None:
    rule_set = defined()
    rule_set.revise(effective_from=JUL_1, terms=COUNTY_1_PLUS_3_TERMS, at=LATER)

    assert rule_set.terms_on(date(2025, 12, 31)) is None
    assert rule_set.terms_on(JAN_1) == INNER_MONGOLIA_TERMS
    assert rule_set.terms_on(date(2026, 6, 30)) == INNER_MONGOLIA_TERMS
    assert rule_set.terms_on(JUL_1) == COUNTY_1_PLUS_3_TERMS
    assert rule_set.terms_on(date(2030, 1, 1)) == COUNTY_1_PLUS_3_TERMS
    assert rule_set.version_on(date(2026, 6, 30)) == (1, JAN_1, INNER_MONGOLIA_TERMS)
    assert rule_set.version_on(date(2025, 12, 31)) is None


# --- which rule set governs ------------------------------------------------------


def test_the_closest_ancestor_with_terms_in_force_governs() -> None:
    region = defined(org_unit_id=REGION, terms=INNER_MONGOLIA_TERMS)
    county = defined(org_unit_id=COUNTY, terms=COUNTY_1_PLUS_3_TERMS, effective_from=JUL_1)
    candidates = [(2, county), (0, region)]

    assert governing_terms(candidates, date(2026, 6, 30)) == INNER_MONGOLIA_TERMS
    assert governing_terms(candidates, JUL_1) == COUNTY_1_PLUS_3_TERMS
    assert governing_rule_set(candidates, JUL_1) is county
    assert governing_rule_set(list(reversed(candidates)), JUL_1) is county


def test_a_deeper_rule_set_governs_with_the_version_in_force_that_day() -> None:
    region = defined(org_unit_id=REGION, terms=INNER_MONGOLIA_TERMS)
    county = defined(org_unit_id=COUNTY, terms=COUNTY_1_PLUS_3_TERMS)
    county.revise(effective_from=JUL_1, terms=STRICTER, at=LATER)

    assert governing_terms([(0, region), (2, county)], date(2026, 3, 1)) == COUNTY_1_PLUS_3_TERMS
    assert governing_terms([(0, region), (2, county)], date(2026, 8, 1)) == STRICTER


def test_no_terms_govern_before_any_rule_set_takes_effect() -> None:
    region = defined(org_unit_id=REGION)

    assert governing_terms([(0, region)], date(2025, 12, 31)) is None
    assert governing_terms([], JAN_1) is None
    assert governing_rule_set([(0, region)], date(2025, 12, 31)) is None


def test_two_rule_sets_on_one_unit_are_settled_by_the_later_decision() -> None:
    older = defined(org_unit_id=COUNTY, terms=COUNTY_1_PLUS_3_TERMS, effective_from=JAN_1)
    newer = defined(org_unit_id=COUNTY, terms=STRICTER, effective_from=date(2026, 3, 1))

    assert governing_terms([(2, newer), (2, older)], date(2026, 2, 28)) == COUNTY_1_PLUS_3_TERMS
    assert governing_terms([(2, older), (2, newer)], date(2026, 3, 1)) == STRICTER


def test_the_governing_choice_hands_back_whatever_the_caller_holds_for_the_winner() -> None:
    # Stored rows and views go through the same choice as aggregates: the closest
    # unit with a version in force, then the later decision, then the larger id.
    low, high = UUID(int=1), UUID(int=2)

    def candidate(depth: int, rule_set_id: UUID, *dates: date) -> RuleSetCandidate[str]:
        return RuleSetCandidate(depth, rule_set_id, dates, f"{depth}/{rule_set_id.int}")

    region = candidate(-2, high, JAN_1)
    county = candidate(-1, low, JUL_1, date(2026, 3, 1))
    twin = candidate(-1, high, date(2026, 2, 1))

    assert governing_choice([county, region], date(2026, 2, 28)) == "-2/2"
    assert governing_choice([region, twin, county], date(2026, 3, 1)) == "-1/1"
    assert governing_choice([region, twin], date(2026, 3, 1)) == "-1/2"
    assert governing_choice([candidate(-1, low, JAN_1), twin], date(2026, 1, 31)) == "-1/1"
    assert governing_choice([candidate(0, low, JAN_1), candidate(0, high, JAN_1)], JAN_1) == "0/2"
    assert governing_choice([region], date(2025, 12, 31)) is None


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(9999, 12, 31)])
def test_a_rule_set_in_force_outside_the_range_of_days_is_refused(day: date) -> None:
    with pytest.raises(InvalidValue) as refused:
        defined(effective_from=day)
    assert refused.value.code == "instant-out-of-range"
    with pytest.raises(InvalidValue):
        defined().revise(effective_from=day, terms=STRICTER, at=LATER)
