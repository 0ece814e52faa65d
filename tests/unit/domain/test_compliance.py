"""The "8+4" judgement: which visits count, and a cadre's status in a week, month or year."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots.domain.compliance import (
    Judgement,
    Month,
    Period,
    Reason,
    Shortfall,
    Status,
    VisitFacts,
    VisitResult,
    Week,
    Year,
    judge,
    judge_year,
    period_bounds,
    reference_day,
    weekly_requirement,
)
from grassroots.domain.errors import InvalidValue
from grassroots.domain.rules import (
    COUNTY_1_PLUS_3_TERMS,
    INNER_MONGOLIA_TERMS,
    RuleSet,
    RuleTerms,
)
from grassroots.domain.values import Geofence, GeoPoint, local_date
from grassroots.domain.visit import QrProof, Visit

SHANGHAI = ZoneInfo("Asia/Shanghai")
POINT = UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")
VILLAGE_POINT = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
OTHER_POINT = UUID("dddddddd-dddd-4ddd-8ddd-dddddddddddd")
ASSIGNED = frozenset({POINT, VILLAGE_POINT})
MARCH = Month(2026, 3)
PRESETS = pytest.mark.parametrize(
    "terms", [INNER_MONGOLIA_TERMS, COUNTY_1_PLUS_3_TERMS], ids=["inner-mongolia", "county"]
)

_next_id = 0


def new_id() -> UUID:
    global _next_id
    _next_id += 1
    return UUID(int=_next_id)


def local(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def visit(
    started_at: datetime,
    minutes: float | None = 90,
    *,
    point: UUID = POINT,
    proof: str | None = "qr",
    visit_id: UUID | None = None,
    point_was_assigned: bool | None = None,
) -> VisitFacts:
    return VisitFacts(
        visit_id=new_id() if visit_id is None else visit_id,
        point_id=point,
        started_at=started_at,
        ended_at=None if minutes is None else started_at + timedelta(minutes=minutes),
        proof=proof,
        point_was_assigned=point_was_assigned,
    )


def stay(started_at: datetime, ended_at: datetime, **changes: Any) -> VisitFacts:
    """A visit from ``started_at`` to ``ended_at``, possibly over several days."""
    return visit(started_at, minutes=(ended_at - started_at) / timedelta(minutes=1), **changes)


def on(*days: date) -> list[VisitFacts]:
    """One good visit, 09:00 to 10:30 local, on each of ``days``."""
    return [visit(local(d.year, d.month, d.day)) for d in days]


def judged(
    visits: Sequence[VisitFacts],
    *,
    period: Period = MARCH,
    now: datetime,
    terms: RuleTerms = INNER_MONGOLIA_TERMS,
    assigned: frozenset[UUID] = ASSIGNED,
) -> Judgement:
    return judge(
        visits, assigned_point_ids=assigned, period=period, zone=SHANGHAI, now=now, terms=terms
    )


def terms_with(base: RuleTerms = INNER_MONGOLIA_TERMS, **changes: Any) -> RuleTerms:
    fields: dict[str, Any] = {
        "min_visits_per_month": base.min_visits_per_month,
        "min_days_per_month": base.min_days_per_month,
        "monthly_mode": base.monthly_mode,
        "min_visit_minutes": base.min_visit_minutes,
        "min_days_per_year": base.min_days_per_year,
        "assigned_points_only": base.assigned_points_only,
        "one_visit_per_day": base.one_visit_per_day,
        "contact_targets": base.contact_targets,
    }
    fields.update(changes)
    return RuleTerms(**fields)


AFTER_MARCH = local(2026, 4, 3)


# --- periods ---------------------------------------------------------------------


def test_periods_are_labelled_and_bounded_by_local_dates() -> None:
    assert (str(Month(2026, 1)), str(Year(2026)), str(Week(2026, 5))) == (
        "2026-01",
        "2026",
        "2026-W05",
    )
    assert period_bounds(Month(2026, 2)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert period_bounds(Month(2024, 2)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds(Month(2026, 12)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_bounds(Year(2026)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_bounds(Week(2026, 1)) == (date(2025, 12, 29), date(2026, 1, 4))
    assert (Month.of(date(2026, 3, 31)), Year.of(date(2026, 3, 31))) == (MARCH, Year(2026))


@pytest.mark.parametrize(
    "make",
    [lambda: Month(2026, 13), lambda: Month(2026, 0), lambda: Year(0), lambda: Month(True, 1)],
)
def test_a_period_that_does_not_exist_is_refused(make: Any) -> None:
    with pytest.raises(InvalidValue) as caught:
        make()

    assert caught.value.code == "period-invalid"


def test_an_iso_week_that_does_not_exist_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        period_bounds(Week(2026, 54))

    assert caught.value.code == "period-invalid"


# --- the facts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"started_at": datetime(2026, 3, 2, 9, 0)}, "naive-datetime"),
        ({"ended_at": datetime(2026, 3, 2, 11, 0)}, "naive-datetime"),
        ({"ended_at": local(2026, 3, 2, 8, 59)}, "visit-end-before-start"),
        ({"proof": "photo"}, "visit-proof-invalid"),
    ],
)
def test_malformed_visit_facts_are_refused(changes: dict[str, Any], code: str) -> None:
    fields: dict[str, Any] = {
        "visit_id": new_id(),
        "point_id": POINT,
        "started_at": local(2026, 3, 2, 9, 0),
        "ended_at": local(2026, 3, 2, 10, 0),
        "proof": "qr",
    }
    fields.update(changes)

    with pytest.raises(InvalidValue) as caught:
        VisitFacts(**fields)

    assert caught.value.code == code


def test_the_facts_of_a_visit_aggregate_are_what_its_events_recorded() -> None:
    started = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    aggregate = Visit.start(
        cadre_id=new_id(),
        point_id=OTHER_POINT,
        point_was_assigned=True,
        point_geofence=Geofence(GeoPoint(40.6574, 109.8403), 200.0),
        proof=QrProof(token_step=29_470_000),
        at=started,
    )
    aggregate.end(at=started + timedelta(minutes=75))

    facts = VisitFacts.of_visit(aggregate)

    assert facts == VisitFacts(
        visit_id=aggregate.id,
        point_id=OTHER_POINT,
        started_at=started,
        ended_at=started + timedelta(minutes=75),
        proof="qr",
        point_was_assigned=True,
    )


def test_a_visit_listed_twice_is_refused() -> None:
    twice = visit(local(2026, 3, 2))

    with pytest.raises(InvalidValue) as caught:
        judged([twice, twice], now=AFTER_MARCH)

    assert caught.value.code == "visit-duplicated"


def test_now_must_carry_a_time_zone() -> None:
    with pytest.raises(InvalidValue) as caught:
        judged([], now=datetime(2026, 3, 2, 9, 0))

    assert caught.value.code == "naive-datetime"


# --- which day a visit belongs to ---------------------------------------------


@PRESETS
def test_a_visit_starting_at_23_30_on_31_january_in_shanghai_belongs_to_january(
    terms: RuleTerms,
) -> None:
    # 23:30 in Shanghai to 01:00: 30 minutes on 31 January, 60 on 1 February.
    late = visit(datetime(2026, 1, 31, 15, 30, tzinfo=UTC))
    now = local(2026, 2, 10)

    january = judged([late], period=Month(2026, 1), now=now, terms=terms)
    february = judged([late], period=Month(2026, 2), now=now, terms=terms)

    # The visit is January's; the only day it spent the minimum on is February's.
    assert (january.counted_visits, january.counted_days) == (1, ())
    assert january.visits == (VisitResult(late.visit_id, True, None),)
    assert (february.counted_visits, february.counted_days, february.visits) == (
        0,
        (date(2026, 2, 1),),
        (),
    )


@PRESETS
def test_a_visit_starting_at_00_10_on_1_february_in_shanghai_belongs_to_february(
    terms: RuleTerms,
) -> None:
    early = visit(datetime(2026, 1, 31, 16, 10, tzinfo=UTC))  # 00:10 on 1 February in Shanghai
    now = local(2026, 2, 10)

    january = judged([early], period=Month(2026, 1), now=now, terms=terms)
    february = judged([early], period=Month(2026, 2), now=now, terms=terms)

    assert (january.counted_visits, january.counted_days, january.visits) == (0, (), ())
    assert (february.counted_visits, february.counted_days) == (1, (date(2026, 2, 1),))


@PRESETS
def test_an_overnight_visit_counts_where_it_started_and_gives_the_day_it_was_long_on(
    terms: RuleTerms,
) -> None:
    overnight = visit(local(2026, 3, 31, 23, 30), minutes=120)  # 30 minutes, then 90

    march = judged([overnight], now=AFTER_MARCH, terms=terms)
    april = judged([overnight], period=Month(2026, 4), now=AFTER_MARCH, terms=terms)

    assert (march.counted_visits, march.counted_days) == (1, ())
    assert march.visits == (VisitResult(overnight.visit_id, True, None),)
    assert (april.counted_visits, april.counted_days, april.visits) == (
        0,
        (date(2026, 4, 1),),
        (),
    )


def test_a_visit_long_in_all_but_short_on_each_day_is_a_visit_without_a_day() -> None:
    split = visit(local(2026, 3, 2, 23, 30), minutes=60)  # 30 minutes on each side of midnight

    judgement = judged([split], now=AFTER_MARCH, terms=COUNTY_1_PLUS_3_TERMS)

    assert judgement.visits == (VisitResult(split.visit_id, True, None),)
    assert (judgement.counted_visits, judgement.counted_days) == (1, ())


@PRESETS
def test_visits_on_31_december_and_1_january_fall_in_different_years(terms: RuleTerms) -> None:
    new_years_eve = visit(datetime(2025, 12, 31, 15, 0, tzinfo=UTC))  # 23:00 local
    new_years_day = visit(datetime(2025, 12, 31, 16, 30, tzinfo=UTC))  # 00:30 local, 1 January
    both = [new_years_eve, new_years_day]
    now = local(2027, 1, 10)

    last_year = judge_year(
        both,
        assigned_point_ids=ASSIGNED,
        year=Year(2025),
        zone=SHANGHAI,
        now=now,
        terms=[(date(2025, 1, 1), terms)],
    )
    this_year = judge_year(
        both,
        assigned_point_ids=ASSIGNED,
        year=Year(2026),
        zone=SHANGHAI,
        now=now,
        terms=[(date(2025, 1, 1), terms)],
    )

    assert last_year is not None
    assert this_year is not None
    assert (last_year.counted_days, last_year.visits) == (
        (date(2025, 12, 31),),
        (VisitResult(new_years_eve.visit_id, True, None),),
    )
    assert (this_year.counted_days, this_year.visits) == (
        (date(2026, 1, 1),),
        (VisitResult(new_years_day.visit_id, True, None),),
    )


# --- which visits count -------------------------------------------------------


@PRESETS
@pytest.mark.parametrize(
    ("minutes", "counted", "reason"),
    [
        (59, False, "too-short"),
        (59 + 59 / 60, False, "too-short"),
        (60, True, None),
        (61, True, None),
    ],
)
def test_a_visit_counts_only_from_the_minimum_length(
    terms: RuleTerms, minutes: float, counted: bool, reason: Reason | None
) -> None:
    short = visit(local(2026, 3, 2), minutes=minutes)

    judgement = judged([short], now=AFTER_MARCH, terms=terms)

    assert judgement.visits == (VisitResult(short.visit_id, counted, reason),)
    assert judgement.counted_visits == (1 if counted else 0)


@PRESETS
def test_a_visit_to_a_point_not_assigned_to_the_cadre_does_not_count(terms: RuleTerms) -> None:
    elsewhere = visit(local(2026, 3, 2), point=OTHER_POINT)

    judgement = judged([elsewhere], now=AFTER_MARCH, terms=terms)

    assert judgement.visits == (VisitResult(elsewhere.visit_id, False, "not-assigned-point"),)
    assert (judgement.counted_visits, judgement.counted_days) == (0, ())


def test_any_point_counts_when_the_terms_do_not_ask_for_assigned_points() -> None:
    elsewhere = visit(local(2026, 3, 2), point=OTHER_POINT)

    judgement = judged([elsewhere], now=AFTER_MARCH, terms=terms_with(assigned_points_only=False))

    assert judgement.visits == (VisitResult(elsewhere.visit_id, True, None),)


def test_the_assignment_recorded_when_the_visit_started_decides_over_the_current_list() -> None:
    # The cadre was moved from OTHER_POINT to POINT after the first visit.
    old_point = visit(local(2026, 3, 2), point=OTHER_POINT, point_was_assigned=True)
    dropped = visit(local(2026, 3, 3), point=POINT, point_was_assigned=False)

    judgement = judged([old_point, dropped], now=AFTER_MARCH)

    assert judgement.visits == (
        VisitResult(old_point.visit_id, True, None),
        VisitResult(dropped.visit_id, False, "not-assigned-point"),
    )


@PRESETS
def test_a_visit_not_proven_on_site_does_not_count(terms: RuleTerms) -> None:
    unproven = visit(local(2026, 3, 2), proof=None)
    by_location = visit(local(2026, 3, 3), proof="geofence")

    judgement = judged([unproven, by_location], now=AFTER_MARCH, terms=terms)

    assert judgement.visits == (
        VisitResult(unproven.visit_id, False, "not-proven-on-site"),
        VisitResult(by_location.visit_id, True, None),
    )


@PRESETS
def test_a_visit_still_under_way_does_not_count(terms: RuleTerms) -> None:
    open_visit = visit(local(2026, 3, 2), minutes=None)

    judgement = judged([open_visit], now=AFTER_MARCH, terms=terms)

    assert judgement.visits == (VisitResult(open_visit.visit_id, False, "not-ended"),)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"minutes": None, "proof": None, "point": OTHER_POINT}, "not-ended"),
        ({"minutes": 10, "proof": None, "point": OTHER_POINT}, "not-proven-on-site"),
        ({"minutes": 10, "point": OTHER_POINT}, "not-assigned-point"),
        ({"minutes": 10}, "too-short"),
    ],
)
def test_a_visit_failing_several_tests_gives_the_most_fundamental_reason(
    changes: dict[str, Any], reason: Reason
) -> None:
    failing = visit(local(2026, 3, 2), **changes)

    judgement = judged([failing], now=AFTER_MARCH)

    assert judgement.visits == (VisitResult(failing.visit_id, False, reason),)


@PRESETS
def test_two_visits_on_one_day_count_one_day_and_one_visit(terms: RuleTerms) -> None:
    morning = visit(local(2026, 3, 2, 9, 0))
    afternoon = visit(local(2026, 3, 2, 14, 0), point=VILLAGE_POINT)

    judgement = judged([afternoon, morning], now=AFTER_MARCH, terms=terms)

    assert (judgement.counted_visits, judgement.counted_days) == (1, (date(2026, 3, 2),))
    assert judgement.visits == (
        VisitResult(morning.visit_id, True, None),
        VisitResult(afternoon.visit_id, False, "same-day"),
    )


def test_an_ineligible_visit_earlier_that_day_leaves_the_later_one_to_count() -> None:
    brief = visit(local(2026, 3, 2, 8, 0), minutes=30)
    proper = visit(local(2026, 3, 2, 14, 0))

    judgement = judged([brief, proper], now=AFTER_MARCH)

    assert judgement.visits == (
        VisitResult(brief.visit_id, False, "too-short"),
        VisitResult(proper.visit_id, True, None),
    )


def test_without_one_visit_per_day_two_visits_on_one_day_count_twice_but_one_day() -> None:
    morning = visit(local(2026, 3, 2, 9, 0))
    afternoon = visit(local(2026, 3, 2, 14, 0))

    judgement = judged(
        [morning, afternoon], now=AFTER_MARCH, terms=terms_with(one_visit_per_day=False)
    )

    assert (judgement.counted_visits, judgement.counted_days) == (2, (date(2026, 3, 2),))
    assert judgement.status is Status.MET


# --- stays over several days --------------------------------------------------

MONDAY_TO_WEDNESDAY = (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))


def three_day_stay() -> VisitFacts:
    """Monday 2 March 09:00 to Wednesday 4 March 18:00: one visit, three days on site."""
    return stay(local(2026, 3, 2, 9, 0), local(2026, 3, 4, 18, 0))


def test_a_three_day_stay_meets_the_inner_mongolia_month_by_days_with_one_visit() -> None:
    three_days = three_day_stay()

    judgement = judged([three_days], now=local(2026, 3, 4, 19, 0))

    assert judgement.visits == (VisitResult(three_days.visit_id, True, None),)
    assert (judgement.counted_visits, judgement.counted_days) == (1, MONDAY_TO_WEDNESDAY)
    assert (judgement.status, judgement.still_needed) == (Status.MET, (0, 0))


def test_the_same_stay_is_one_visit_under_the_county_rule() -> None:
    three_days = three_day_stay()

    march = judged([three_days], now=AFTER_MARCH, terms=COUNTY_1_PLUS_3_TERMS)
    year = judged(
        [three_days], period=Year(2026), now=local(2027, 1, 4), terms=COUNTY_1_PLUS_3_TERMS
    )

    assert (march.counted_visits, march.counted_days) == (1, MONDAY_TO_WEDNESDAY)
    assert (march.status, march.still_needed) == (Status.MISSED, (2, 0))
    # Its three days do count toward the county's 12 days a year.
    assert (year.counted_days, year.still_needed) == (MONDAY_TO_WEDNESDAY, (0, 9))


def test_a_stay_over_the_month_end_gives_its_days_to_both_months() -> None:
    over_month_end = stay(local(2026, 3, 30, 9, 0), local(2026, 4, 1, 17, 0))
    now = local(2026, 4, 1, 18, 0)

    march = judged([over_month_end], now=now)
    april = judged([over_month_end], period=Month(2026, 4), now=now)
    week = judged([over_month_end], period=Week(2026, 14), now=now)

    # The visit is March's, where it started; each day goes to its own month.
    assert (march.counted_visits, march.counted_days) == (1, (date(2026, 3, 30), date(2026, 3, 31)))
    assert march.visits == (VisitResult(over_month_end.visit_id, True, None),)
    assert (april.counted_visits, april.counted_days, april.visits) == (
        0,
        (date(2026, 4, 1),),
        (),
    )
    assert (week.counted_visits, week.counted_days) == (
        1,
        (date(2026, 3, 30), date(2026, 3, 31), date(2026, 4, 1)),
    )


def test_a_stay_that_began_in_the_previous_month_gives_this_month_days_but_no_visit() -> None:
    from_february = stay(local(2026, 2, 27, 9, 0), local(2026, 3, 2, 12, 0))

    judgement = judged([from_february], now=AFTER_MARCH)

    assert (judgement.counted_visits, judgement.visits) == (0, ())
    assert judgement.counted_days == (date(2026, 3, 1), date(2026, 3, 2))


@pytest.mark.parametrize(
    ("ended_at", "days"),
    [
        # 30 minutes on Wednesday: only Monday and Tuesday count.
        (local(2026, 3, 4, 0, 30), MONDAY_TO_WEDNESDAY[:2]),
        (local(2026, 3, 4, 0, 59, 59), MONDAY_TO_WEDNESDAY[:2]),
        # Exactly the minimum on Wednesday counts.
        (local(2026, 3, 4, 1, 0), MONDAY_TO_WEDNESDAY),
        # Ending at midnight is not a day on Wednesday at all.
        (local(2026, 3, 4, 0, 0), MONDAY_TO_WEDNESDAY[:2]),
    ],
)
def test_a_stay_gives_only_the_days_it_spent_the_minimum_on(
    ended_at: datetime, days: tuple[date, ...]
) -> None:
    long_stay = stay(local(2026, 3, 2, 9, 0), ended_at)

    judgement = judged([long_stay], now=AFTER_MARCH)

    assert judgement.visits == (VisitResult(long_stay.visit_id, True, None),)
    assert (judgement.counted_visits, judgement.counted_days) == (1, days)


def test_a_stay_starting_late_in_the_evening_gives_no_day_for_that_evening() -> None:
    late_start = stay(local(2026, 3, 2, 23, 30), local(2026, 3, 4, 10, 0))

    judgement = judged([late_start], now=AFTER_MARCH, terms=COUNTY_1_PLUS_3_TERMS)

    assert (judgement.counted_visits, judgement.counted_days) == (
        1,
        (date(2026, 3, 3), date(2026, 3, 4)),
    )


def test_a_day_of_a_stay_needs_the_terms_minimum_not_the_default() -> None:
    terms = terms_with(min_visit_minutes=120)
    # 90 minutes on Wednesday: enough under the default, not under these terms.
    long_stay = stay(local(2026, 3, 2, 9, 0), local(2026, 3, 4, 1, 30))

    assert judged([long_stay], now=AFTER_MARCH).counted_days == MONDAY_TO_WEDNESDAY
    stricter = judged([long_stay], now=AFTER_MARCH, terms=terms)
    assert stricter.counted_days == MONDAY_TO_WEDNESDAY[:2]


def test_a_stay_too_short_in_all_gives_no_visit_and_no_day() -> None:
    brief = stay(local(2026, 3, 2, 23, 40), local(2026, 3, 3, 0, 30))

    judgement = judged([brief], now=AFTER_MARCH)

    assert judgement.visits == (VisitResult(brief.visit_id, False, "too-short"),)
    assert (judgement.counted_visits, judgement.counted_days) == (0, ())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"proof": None}, "not-proven-on-site"),
        ({"point": OTHER_POINT}, "not-assigned-point"),
    ],
)
def test_a_stay_that_does_not_count_gives_no_day(changes: dict[str, Any], reason: Reason) -> None:
    ineligible = stay(local(2026, 3, 2, 9, 0), local(2026, 3, 4, 18, 0), **changes)

    judgement = judged([ineligible], now=AFTER_MARCH)

    assert judgement.visits == (VisitResult(ineligible.visit_id, False, reason),)
    assert judgement.counted_days == ()


def test_a_weekend_day_of_presence_counts_as_a_day() -> None:
    saturday = visit(local(2026, 3, 7, 9, 0))
    friday_to_sunday = stay(local(2026, 3, 13, 9, 0), local(2026, 3, 15, 17, 0))

    year = judged([saturday], period=Year(2026), now=local(2026, 3, 8), terms=COUNTY_1_PLUS_3_TERMS)
    month = judged([friday_to_sunday], now=local(2026, 3, 15, 18, 0))

    assert year.counted_days == (date(2026, 3, 7),)
    assert (month.counted_visits, month.counted_days, month.status) == (
        1,
        (date(2026, 3, 13), date(2026, 3, 14), date(2026, 3, 15)),
        Status.MET,
    )


def test_a_weekend_counts_but_is_not_forecast() -> None:
    # Friday 27 March to Saturday 28 March, judged that Saturday evening under
    # terms asking 3 days: two are done, and only 30 and 31 March are forecast.
    terms = terms_with(min_visits_per_month=None, min_days_per_month=3)
    weekend = stay(local(2026, 3, 27, 9, 0), local(2026, 3, 28, 17, 0))

    saturday = judged([weekend], now=local(2026, 3, 28, 18, 0), terms=terms)

    assert saturday.counted_days == (date(2026, 3, 27), date(2026, 3, 28))
    assert (saturday.remaining_workdays, saturday.still_needed, saturday.status) == (
        2,
        (0, 1),
        Status.ON_TRACK,
    )


def test_a_stay_starting_the_day_of_a_counted_visit_is_same_day_but_gives_its_days() -> None:
    morning = visit(local(2026, 3, 2, 9, 0))
    afternoon_stay = stay(local(2026, 3, 2, 14, 0), local(2026, 3, 4, 18, 0))

    judgement = judged([afternoon_stay, morning], now=AFTER_MARCH)

    assert judgement.visits == (
        VisitResult(morning.visit_id, True, None),
        VisitResult(afternoon_stay.visit_id, False, "same-day"),
    )
    assert (judgement.counted_visits, judgement.counted_days) == (1, MONDAY_TO_WEDNESDAY)


def test_a_visit_starting_on_a_day_a_stay_covered_is_another_visit() -> None:
    # The one-visit-a-day rule is about the day a visit starts on: the stay
    # started on Monday, so Wednesday evening's visit is Wednesday's first.
    three_days = three_day_stay()
    wednesday_evening = visit(local(2026, 3, 4, 19, 0))

    judgement = judged([three_days, wednesday_evening], now=AFTER_MARCH)

    assert judgement.visits == (
        VisitResult(three_days.visit_id, True, None),
        VisitResult(wednesday_evening.visit_id, True, None),
    )
    assert (judgement.counted_visits, judgement.counted_days) == (2, MONDAY_TO_WEDNESDAY)


def test_a_day_covered_by_two_stays_counts_once() -> None:
    first = stay(local(2026, 3, 2, 9, 0), local(2026, 3, 3, 12, 0))
    second = stay(local(2026, 3, 3, 14, 0), local(2026, 3, 4, 18, 0), point=VILLAGE_POINT)

    judgement = judged([first, second], now=AFTER_MARCH)

    assert (judgement.counted_visits, judgement.counted_days) == (2, MONDAY_TO_WEDNESDAY)


BERLIN = ZoneInfo("Europe/Berlin")


def berlin_visit(started_at: datetime, ended_at: datetime) -> VisitFacts:
    return VisitFacts(
        visit_id=new_id(), point_id=POINT, started_at=started_at, ended_at=ended_at, proof="qr"
    )


def test_a_visit_is_measured_in_real_time_across_a_clock_change() -> None:
    # On 29 March 2026 Berlin's clocks jump from 02:00 to 03:00. From 01:30 to
    # 03:10 on the clock, 40 minutes passed, though the clock shows 100.
    across_the_change = berlin_visit(
        datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN), datetime(2026, 3, 29, 3, 10, tzinfo=BERLIN)
    )
    # From Saturday 22:00 to Sunday 03:00 on the clock: 2 hours on the Saturday
    # and 2 hours (not the 3 the clock shows) on the Sunday.
    overnight = berlin_visit(
        datetime(2026, 3, 28, 22, 0, tzinfo=BERLIN), datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)
    )

    def in_berlin(visit: VisitFacts, terms: RuleTerms) -> Judgement:
        return judge(
            [visit],
            assigned_point_ids=ASSIGNED,
            period=MARCH,
            zone=BERLIN,
            now=datetime(2026, 4, 2, tzinfo=BERLIN),
            terms=terms,
        )

    assert in_berlin(across_the_change, INNER_MONGOLIA_TERMS).visits == (
        VisitResult(across_the_change.visit_id, False, "too-short"),
    )
    long_days = in_berlin(overnight, terms_with(min_visit_minutes=121))
    assert (long_days.counted_visits, long_days.counted_days) == (1, ())
    assert in_berlin(overnight, terms_with(min_visit_minutes=120)).counted_days == (
        date(2026, 3, 28),
        date(2026, 3, 29),
    )


@pytest.mark.parametrize(
    ("terms", "status", "still_needed"),
    [
        # One visit short; a new visit may still start today or tomorrow.
        (COUNTY_1_PLUS_3_TERMS, Status.ON_TRACK, (1, 0)),
        # Also one day short, and today is already a counted day: only the 31st
        # can add a day, so every workday that can help is needed.
        (
            terms_with(min_visits_per_month=3, min_days_per_month=6, monthly_mode="both"),
            Status.BEHIND,
            (1, 1),
        ),
    ],
)
def test_a_stay_that_ended_this_morning_leaves_today_for_another_visit(
    terms: RuleTerms, status: Status, still_needed: tuple[int, int]
) -> None:
    # Monday 30 March 10:00; the stay ran from Friday 27 March to 09:30 today.
    weekend_stay = stay(local(2026, 3, 27, 9, 0), local(2026, 3, 30, 9, 30))
    visits = [*on(date(2026, 3, 10)), weekend_stay]

    judgement = judged(visits, now=local(2026, 3, 30, 10, 0), terms=terms)

    assert (judgement.counted_visits, len(judgement.counted_days)) == (2, 5)
    assert (judgement.remaining_workdays, judgement.status, judgement.still_needed) == (
        2,
        status,
        still_needed,
    )


def test_a_whole_judgement_reports_every_figure() -> None:
    counted = visit(local(2026, 3, 10))
    short = visit(local(2026, 3, 11), minutes=45)
    outside = visit(local(2026, 2, 27))

    judgement = judged([short, outside, counted], now=local(2026, 3, 30, 10, 0))

    assert judgement == Judgement(
        period="2026-03",
        first_day=date(2026, 3, 1),
        last_day=date(2026, 3, 31),
        status=Status.ON_TRACK,
        counted_visits=1,
        counted_days=(date(2026, 3, 10),),
        required_visits=2,
        required_days=3,
        mode="either",
        still_needed=Shortfall(visits=1, days=2),
        remaining_workdays=2,
        visits=(
            VisitResult(counted.visit_id, True, None),
            VisitResult(short.visit_id, False, "too-short"),
        ),
        terms=INNER_MONGOLIA_TERMS,
    )


# --- either or both -----------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "status", "still_needed"),
    [("either", Status.MET, (0, 0)), ("both", Status.MISSED, (1, 0))],
)
def test_either_minimum_suffices_or_both_are_needed(
    mode: str, status: Status, still_needed: tuple[int, int]
) -> None:
    terms = terms_with(
        min_visits_per_month=4, min_days_per_month=2, monthly_mode=mode, one_visit_per_day=False
    )
    visits = [
        visit(local(2026, 3, 2, 9, 0)),
        visit(local(2026, 3, 2, 14, 0)),
        visit(local(2026, 3, 3, 9, 0)),
    ]

    judgement = judged(visits, now=AFTER_MARCH, terms=terms)

    assert (judgement.counted_visits, len(judgement.counted_days)) == (3, 2)
    assert (judgement.mode, judgement.status, judgement.still_needed) == (
        mode,
        status,
        still_needed,
    )


@pytest.mark.parametrize(("mode", "status"), [("either", Status.ON_TRACK), ("both", Status.BEHIND)])
def test_the_smaller_shortfall_decides_for_either_and_the_larger_for_both(
    mode: str, status: Status
) -> None:
    # Visits short by 1, days short by 2, two workdays left (30 and 31 March).
    terms = terms_with(
        min_visits_per_month=3, min_days_per_month=3, monthly_mode=mode, one_visit_per_day=False
    )
    visits = [visit(local(2026, 3, 2, 9, 0)), visit(local(2026, 3, 2, 14, 0))]

    judgement = judged(visits, now=local(2026, 3, 30, 10, 0), terms=terms)

    assert (judgement.still_needed, judgement.remaining_workdays) == ((1, 2), 2)
    assert judgement.status is status


# --- statuses in a month ------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "days", "status", "remaining", "still_needed"),
    [
        # Monday 30 March: 30 and 31 March are left.
        (local(2026, 3, 30, 10, 0), [], Status.BEHIND, 2, (2, 3)),
        (local(2026, 3, 30, 10, 0), [date(2026, 3, 10)], Status.ON_TRACK, 2, (1, 2)),
        (local(2026, 3, 30, 10, 0), [date(2026, 3, 10), date(2026, 3, 11)], Status.MET, 2, (0, 0)),
        # Tuesday 31 March: one workday left.
        (local(2026, 3, 31, 10, 0), [], Status.MISSED, 1, (2, 3)),
        (local(2026, 3, 31, 10, 0), [date(2026, 3, 10)], Status.BEHIND, 1, (1, 2)),
        # A weekend is not a workday: from Saturday 28 March, 30 and 31 are left.
        (local(2026, 3, 28, 10, 0), [], Status.BEHIND, 2, (2, 3)),
        (local(2026, 3, 27, 10, 0), [], Status.ON_TRACK, 3, (2, 3)),
        # Before the month begins, every workday of it is left.
        (local(2026, 2, 20, 10, 0), [], Status.ON_TRACK, 22, (2, 3)),
        # The month is over.
        (local(2026, 4, 1, 0, 30), [date(2026, 3, 10)], Status.MISSED, 0, (1, 2)),
        (local(2026, 4, 1, 0, 30), [date(2026, 3, 10), date(2026, 3, 31)], Status.MET, 0, (0, 0)),
    ],
)
def test_the_inner_mongolia_status_in_march(
    now: datetime,
    days: list[date],
    status: Status,
    remaining: int,
    still_needed: tuple[int, int],
) -> None:
    judgement = judged(on(*days), now=now)

    assert (judgement.status, judgement.remaining_workdays, judgement.still_needed) == (
        status,
        remaining,
        still_needed,
    )


@pytest.mark.parametrize(
    ("now", "days", "status", "remaining"),
    [
        # Friday 27 March: 27, 30 and 31 March are left; 3 visits are needed.
        (local(2026, 3, 27, 10, 0), [], Status.BEHIND, 3),
        (local(2026, 3, 27, 10, 0), [date(2026, 3, 10)], Status.ON_TRACK, 3),
        (local(2026, 3, 30, 10, 0), [], Status.MISSED, 2),
        (local(2026, 3, 30, 10, 0), [date(2026, 3, 10)], Status.BEHIND, 2),
        (
            local(2026, 3, 30, 10, 0),
            [date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 14)],
            Status.MET,
            2,
        ),
    ],
)
def test_the_county_status_in_march(
    now: datetime, days: list[date], status: Status, remaining: int
) -> None:
    judgement = judged(on(*days), now=now, terms=COUNTY_1_PLUS_3_TERMS)

    assert (judgement.required_visits, judgement.required_days) == (3, None)
    assert (judgement.status, judgement.remaining_workdays) == (status, remaining)


def test_today_stays_a_remaining_workday_until_it_has_a_counted_visit() -> None:
    now = local(2026, 3, 30, 18, 0)
    earlier = judged(on(date(2026, 3, 27)), now=now)
    today = judged(on(date(2026, 3, 30)), now=now)

    # One visit short either way; today's visit used up today, leaving only the 31st.
    assert (earlier.remaining_workdays, earlier.status) == (2, Status.ON_TRACK)
    assert (today.remaining_workdays, today.status) == (1, Status.BEHIND)


def test_a_visit_still_under_way_today_leaves_today_among_the_remaining_workdays() -> None:
    under_way = visit(local(2026, 3, 30, 9, 0), minutes=None)

    judgement = judged([under_way], now=local(2026, 3, 30, 10, 0))

    assert (judgement.remaining_workdays, judgement.status) == (2, Status.BEHIND)


def test_the_month_ends_at_local_midnight() -> None:
    one_visit = on(date(2026, 3, 10))

    last_minute = judged(one_visit, now=datetime(2026, 3, 31, 15, 59, tzinfo=UTC))
    midnight = judged(one_visit, now=datetime(2026, 3, 31, 16, 0, tzinfo=UTC))

    assert (last_minute.status, last_minute.remaining_workdays) == (Status.BEHIND, 1)
    assert (midnight.status, midnight.remaining_workdays) == (Status.MISSED, 0)


def test_a_month_under_terms_with_only_a_yearly_minimum_asks_nothing() -> None:
    terms = terms_with(min_visits_per_month=None, min_days_per_month=None, min_days_per_year=12)

    judgement = judged([], now=local(2026, 3, 10), terms=terms)

    assert (judgement.status, judgement.required_visits, judgement.required_days) == (
        Status.MET,
        None,
        None,
    )


# --- statuses in a year -------------------------------------------------------


def mondays(count: int) -> list[date]:
    return [date(2026, 1, 5) + timedelta(weeks=i) for i in range(count)]


@pytest.mark.parametrize(
    ("now", "day_count", "status", "remaining"),
    [
        # Tuesday 29 December: 29, 30 and 31 December are left; 12 days are needed.
        (local(2026, 12, 29, 10, 0), 8, Status.MISSED, 3),
        (local(2026, 12, 29, 10, 0), 9, Status.BEHIND, 3),
        (local(2026, 12, 29, 10, 0), 10, Status.ON_TRACK, 3),
        (local(2026, 12, 29, 10, 0), 12, Status.MET, 3),
        (local(2027, 1, 2, 10, 0), 11, Status.MISSED, 0),
        (local(2027, 1, 2, 10, 0), 12, Status.MET, 0),
    ],
)
def test_the_county_year_needs_twelve_days(
    now: datetime, day_count: int, status: Status, remaining: int
) -> None:
    judgement = judged(
        on(*mondays(day_count)), period=Year(2026), now=now, terms=COUNTY_1_PLUS_3_TERMS
    )

    assert (judgement.required_visits, judgement.required_days) == (None, 12)
    assert (judgement.period, judgement.status, judgement.remaining_workdays) == (
        "2026",
        status,
        remaining,
    )
    assert judgement.counted_days == tuple(mondays(day_count))


def test_a_year_without_a_yearly_minimum_is_met_with_no_requirement() -> None:
    judgement = judged(on(date(2026, 3, 2)), period=Year(2026), now=local(2026, 3, 10))

    assert (
        judgement.status,
        judgement.required_visits,
        judgement.required_days,
        judgement.still_needed,
        judgement.counted_days,
    ) == (Status.MET, None, None, (0, 0), (date(2026, 3, 2),))


# --- weeks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "minimum", "expected"),
    [
        # 26-30 January: 5 of January's 22 workdays.
        (Week(2026, 5), 2, 1),
        (Week(2026, 5), 3, 1),
        (Week(2026, 5), 10, 3),
        (Week(2026, 5), 22, 5),
        (Week(2026, 5), 0, 0),
        # 29 December 2025 - 4 January 2026 is January's (Thursday the 1st): 2 of 22.
        (Week(2026, 1), 10, 1),
        (Week(2026, 1), 12, 2),
        # 29 June - 5 July is July's (Thursday the 2nd): 3 of July's 23 workdays.
        (Week(2026, 27), 10, 2),
        (Week(2026, 27), 23, 3),
        # 27 April - 3 May is April's (Thursday the 30th): 4 of April's 22 workdays.
        (Week(2026, 18), 10, 2),
        (Week(2026, 18), 11, 2),
        (Week(2026, 18), 12, 3),
    ],
)
def test_a_weekly_requirement_is_the_monthly_one_pro_rated_by_workdays_and_rounded_up(
    week: Week, minimum: int, expected: int
) -> None:
    assert weekly_requirement(week, minimum) == expected


def test_a_week_is_judged_on_its_seven_days_against_the_pro_rated_minimums() -> None:
    sunday = visit(local(2026, 2, 1, 10, 0))  # Sunday of 2026-W05, a week of January's

    judgement = judged([sunday], period=Week(2026, 5), now=local(2026, 2, 2))

    assert (judgement.period, judgement.first_day, judgement.last_day) == (
        "2026-W05",
        date(2026, 1, 26),
        date(2026, 2, 1),
    )
    assert (judgement.required_visits, judgement.required_days, judgement.mode) == (1, 1, "either")
    assert (judgement.status, judgement.counted_days) == (Status.MET, (date(2026, 2, 1),))


def test_a_visit_in_december_counts_for_the_first_week_of_january() -> None:
    judgement = judged(
        on(date(2025, 12, 29)),
        period=Week(2026, 1),
        now=local(2026, 1, 5),
        terms=COUNTY_1_PLUS_3_TERMS,
    )

    assert (judgement.required_visits, judgement.status, judgement.counted_visits) == (
        1,
        Status.MET,
        1,
    )


@pytest.mark.parametrize(
    ("now", "status", "remaining"),
    [
        (local(2026, 1, 29, 10, 0), Status.ON_TRACK, 2),
        (local(2026, 1, 30, 10, 0), Status.BEHIND, 1),
        (local(2026, 1, 31, 10, 0), Status.MISSED, 0),
        (local(2026, 2, 2, 10, 0), Status.MISSED, 0),
    ],
)
def test_a_week_runs_short_of_workdays_like_a_month(
    now: datetime, status: Status, remaining: int
) -> None:
    judgement = judged([], period=Week(2026, 5), now=now)

    assert (judgement.status, judgement.remaining_workdays, judgement.still_needed) == (
        status,
        remaining,
        (1, 1),
    )


# --- a rule set revised during the year ---------------------------------------

HISTORY = [(date(2026, 7, 1), COUNTY_1_PLUS_3_TERMS), (date(2026, 1, 1), INNER_MONGOLIA_TERMS)]


def year_2026(
    visits: Sequence[VisitFacts], now: datetime, terms: Any = HISTORY
) -> Judgement | None:
    return judge_year(
        visits,
        assigned_point_ids=ASSIGNED,
        year=Year(2026),
        zone=SHANGHAI,
        now=now,
        terms=terms,
    )


def test_a_running_year_is_judged_by_the_terms_in_force_today() -> None:
    judgement = year_2026(on(date(2026, 3, 2)), now=local(2026, 6, 30, 23, 0))

    assert judgement is not None
    assert (judgement.terms, judgement.status, judgement.required_days) == (
        INNER_MONGOLIA_TERMS,
        Status.MET,
        None,
    )


def test_a_year_revised_mid_way_is_judged_by_the_terms_in_force_at_its_end() -> None:
    judgement = year_2026(on(*mondays(11)), now=local(2027, 1, 4))

    assert judgement is not None
    assert (judgement.terms, judgement.required_days, judgement.status) == (
        COUNTY_1_PLUS_3_TERMS,
        12,
        Status.MISSED,
    )
    assert judgement.still_needed == (0, 1)


def test_the_new_terms_take_over_on_their_effective_date_in_local_time() -> None:
    # 1 July 00:30 in Shanghai is still 30 June in UTC.
    judgement = year_2026([], now=datetime(2026, 6, 30, 16, 30, tzinfo=UTC))

    assert judgement is not None
    assert judgement.terms == COUNTY_1_PLUS_3_TERMS


def test_a_longer_minimum_from_mid_year_re_judges_the_visits_made_before_it() -> None:
    longer = terms_with(COUNTY_1_PLUS_3_TERMS, min_visit_minutes=90)
    history = [(date(2026, 1, 1), COUNTY_1_PLUS_3_TERMS), (date(2026, 7, 1), longer)]
    february = visit(local(2026, 2, 2), minutes=60)

    in_spring = year_2026([february], now=local(2026, 3, 1), terms=history)
    at_year_end = year_2026([february], now=local(2027, 1, 4), terms=history)

    assert in_spring is not None
    assert at_year_end is not None
    assert in_spring.visits == (VisitResult(february.visit_id, True, None),)
    assert at_year_end.visits == (VisitResult(february.visit_id, False, "too-short"),)


def test_a_rule_sets_own_history_can_be_passed_as_is() -> None:
    rule_set = RuleSet.define(
        name="内蒙古 8+4",
        org_unit_id=new_id(),
        effective_from=date(2026, 1, 1),
        terms=INNER_MONGOLIA_TERMS,
        at=local(2026, 1, 1),
    )
    rule_set.revise(
        effective_from=date(2026, 7, 1), terms=COUNTY_1_PLUS_3_TERMS, at=local(2026, 6, 1)
    )

    judgement = year_2026(on(*mondays(12)), now=local(2027, 1, 4), terms=rule_set.terms_on)

    assert judgement is not None
    assert (judgement.terms, judgement.status) == (COUNTY_1_PLUS_3_TERMS, Status.MET)


def test_no_judgement_is_made_before_any_terms_are_in_force() -> None:
    later = [(date(2026, 9, 1), COUNTY_1_PLUS_3_TERMS)]

    assert year_2026([], now=local(2026, 8, 31, 23, 0), terms=later) is None
    assert year_2026([], now=local(2026, 9, 1, 0, 0), terms=later) is not None


def test_two_versions_taking_effect_on_one_day_are_refused() -> None:
    clash = [(date(2026, 1, 1), INNER_MONGOLIA_TERMS), (date(2026, 1, 1), COUNTY_1_PLUS_3_TERMS)]

    with pytest.raises(InvalidValue) as caught:
        year_2026([], now=local(2026, 3, 1), terms=clash)

    assert caught.value.code == "rule-set-versions-ambiguous"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2025, 11, 1), date(2026, 1, 1)),
        (local(2026, 5, 17, 23, 59), date(2026, 5, 17)),
        (datetime(2026, 5, 17, 16, 0, tzinfo=UTC), date(2026, 5, 18)),
        (local(2027, 2, 1), date(2026, 12, 31)),
    ],
)
def test_the_reference_day_is_today_clamped_to_the_period(now: datetime, expected: date) -> None:
    assert reference_day(Year(2026), zone=SHANGHAI, now=now) == expected


# --- properties ---------------------------------------------------------------

ALL_TERMS = [
    INNER_MONGOLIA_TERMS,
    COUNTY_1_PLUS_3_TERMS,
    terms_with(min_visits_per_month=4, min_days_per_month=2, one_visit_per_day=False),
    terms_with(
        min_visits_per_month=3, min_days_per_month=3, monthly_mode="both", one_visit_per_day=False
    ),
]
PERIODS: list[Period] = [MARCH, Year(2026), Week(2026, 12), Week(2026, 14), Week(2026, 10)]
FIRST_DAY = date(2026, 2, 25)


# Built once: Hypothesis validates a strategy the first time it draws from it.
DAY_OFFSETS = st.integers(0, 40)
HOURS = st.integers(0, 23)
MINUTES_OF_HOUR = st.integers(0, 59)
# Mostly visits of a few hours; some stays of up to four days.
VISIT_MINUTES = st.one_of(st.none(), st.integers(0, 180), st.integers(0, 4 * 24 * 60))
POINTS = st.sampled_from([POINT, VILLAGE_POINT, OTHER_POINT])
PROOF_KINDS = st.sampled_from(["qr", "geofence", None])


@st.composite
def visit_facts(draw: st.DrawFn, visit_id: UUID) -> VisitFacts:
    day = FIRST_DAY + timedelta(days=draw(DAY_OFFSETS))
    start = local(day.year, day.month, day.day, draw(HOURS), draw(MINUTES_OF_HOUR))
    return visit(
        start,
        minutes=draw(VISIT_MINUTES),
        point=draw(POINTS),
        proof=draw(PROOF_KINDS),
        visit_id=visit_id,
    )


@st.composite
def visit_lists(draw: st.DrawFn) -> list[VisitFacts]:
    count = draw(st.integers(0, 12))
    return [draw(visit_facts(UUID(int=i + 1))) for i in range(count)]


instants = st.integers(0, 50 * 24).map(lambda hours: local(2026, 2, 20, 0) + timedelta(hours=hours))


@settings(max_examples=200, deadline=None)
@given(
    visits=visit_lists(),
    data=st.data(),
    now=instants,
    terms=st.sampled_from(ALL_TERMS),
    period=st.sampled_from(PERIODS),
)
def test_the_order_of_the_visits_does_not_change_the_judgement(
    visits: list[VisitFacts], data: st.DataObject, now: datetime, terms: RuleTerms, period: Period
) -> None:
    shuffled = data.draw(st.permutations(visits))

    assert judged(shuffled, period=period, now=now, terms=terms) == judged(
        visits, period=period, now=now, terms=terms
    )


@settings(max_examples=300, deadline=None)
@given(
    visits=visit_lists(),
    added_day=st.integers(0, 40),
    added_minute_of_day=st.integers(0, 24 * 60 - 1),
    added_minutes=st.one_of(st.integers(60, 180), st.integers(60, 4 * 24 * 60)),
    now=instants,
    terms=st.sampled_from(ALL_TERMS),
    period=st.sampled_from(PERIODS),
)
def test_adding_a_visit_that_counts_never_makes_the_status_worse(
    visits: list[VisitFacts],
    added_day: int,
    added_minute_of_day: int,
    added_minutes: int,
    now: datetime,
    terms: RuleTerms,
    period: Period,
) -> None:
    day = FIRST_DAY + timedelta(days=added_day)
    hour, minute = divmod(added_minute_of_day, 60)
    added = visit(
        local(day.year, day.month, day.day, hour, minute),
        minutes=added_minutes,
        visit_id=UUID(int=999),
    )

    before = judged(visits, period=period, now=now, terms=terms)
    after = judged([*visits, added], period=period, now=now, terms=terms)

    assert after.status.severity <= before.status.severity
    assert after.counted_visits >= before.counted_visits
    assert set(before.counted_days) <= set(after.counted_days)


@settings(max_examples=200, deadline=None)
@given(visits=visit_lists(), now=instants, terms=st.sampled_from(ALL_TERMS))
def test_the_counts_agree_with_the_per_visit_results(
    visits: list[VisitFacts], now: datetime, terms: RuleTerms
) -> None:
    judgement = judged(visits, now=now, terms=terms)

    counted = [r for r in judgement.visits if r.counted]
    assert judgement.counted_visits == len(counted)
    assert all(r.reason is None for r in counted)
    assert all(r.reason is not None for r in judgement.visits if not r.counted)
    assert list(judgement.counted_days) == sorted(set(judgement.counted_days))
    # A stay can give several days or none, so visits and days no longer match
    # one for one; with one visit a day, the counted visits start on distinct days.
    by_id = {v.visit_id: v for v in visits}
    start_days = [local_date(by_id[r.visit_id].started_at, SHANGHAI) for r in counted]
    if terms.one_visit_per_day:
        assert len(set(start_days)) == len(start_days)


def wall_clock_days_on_site(facts: VisitFacts, minimum: int) -> set[date]:
    """An independent reckoning of a visit's days on site, on Shanghai's clock (no DST there)."""
    assert facts.ended_at is not None
    start = facts.started_at.astimezone(SHANGHAI).replace(tzinfo=None)
    end = facts.ended_at.astimezone(SHANGHAI).replace(tzinfo=None)
    days: set[date] = set()
    day = start.date()
    while datetime.combine(day, datetime.min.time()) < end or day == start.date():
        midnight = datetime.combine(day, datetime.min.time())
        on_site = min(end, midnight + timedelta(days=1)) - max(start, midnight)
        if on_site >= timedelta(minutes=minimum) and (on_site or start == end):
            days.add(day)
        day += timedelta(days=1)
    return days


def counts_at_all(facts: VisitFacts, terms: RuleTerms) -> bool:
    return (
        facts.ended_at is not None
        and facts.proof is not None
        and facts.point_id in ASSIGNED
        and facts.ended_at - facts.started_at >= timedelta(minutes=terms.min_visit_minutes)
    )


@settings(max_examples=200, deadline=None)
@given(
    visits=visit_lists(),
    now=instants,
    terms=st.sampled_from(ALL_TERMS),
    period=st.sampled_from(PERIODS),
)
def test_the_counted_days_are_the_days_some_eligible_visit_spent_the_minimum_on(
    visits: list[VisitFacts], now: datetime, terms: RuleTerms, period: Period
) -> None:
    first, last = period_bounds(period)
    expected = {
        day
        for facts in visits
        if counts_at_all(facts, terms)
        for day in wall_clock_days_on_site(facts, terms.min_visit_minutes)
        if first <= day <= last
    }

    judgement = judged(visits, period=period, now=now, terms=terms)

    assert set(judgement.counted_days) == expected


@settings(max_examples=300, deadline=None)
@given(
    visits=visit_lists(),
    data=st.data(),
    extra_minutes=st.one_of(st.integers(0, 120), st.integers(0, 3 * 24 * 60)),
    now=instants,
    terms=st.sampled_from(ALL_TERMS),
    period=st.sampled_from(PERIODS),
)
def test_lengthening_a_visit_never_lowers_what_counts(
    visits: list[VisitFacts],
    data: st.DataObject,
    extra_minutes: int,
    now: datetime,
    terms: RuleTerms,
    period: Period,
) -> None:
    ended = [i for i, v in enumerate(visits) if v.ended_at is not None]
    if not ended:
        return
    i = data.draw(st.sampled_from(ended))
    original = visits[i]
    assert original.ended_at is not None
    longer = replace(original, ended_at=original.ended_at + timedelta(minutes=extra_minutes))

    before = judged(visits, period=period, now=now, terms=terms)
    after = judged([*visits[:i], longer, *visits[i + 1 :]], period=period, now=now, terms=terms)

    assert set(before.counted_days) <= set(after.counted_days)
    assert after.counted_visits >= before.counted_visits
    assert after.status.severity <= before.status.severity
    if counts_at_all(original, terms):
        # A visit that counted already keeps its place: only days can be added.
        assert after.counted_visits == before.counted_visits
        assert after.visits == before.visits


@given(
    week=st.builds(Week, st.integers(2000, 2100), st.integers(1, 52)),
    minimum=st.integers(0, 31),
)
def test_a_week_never_asks_more_than_the_month(week: Week, minimum: int) -> None:
    assert 0 <= weekly_requirement(week, minimum) <= minimum


def test_statuses_are_ordered_from_met_to_missed() -> None:
    assert [s.severity for s in (Status.MET, Status.ON_TRACK, Status.BEHIND, Status.MISSED)] == [
        0,
        1,
        2,
        3,
    ]
    assert [str(s) for s in Status] == ["met", "on_track", "behind", "missed"]


@pytest.mark.parametrize(
    ("week", "month"),
    [
        (Week(2026, 13), Month(2026, 3)),  # 23-29 March
        (Week(2026, 14), Month(2026, 4)),  # 30 March - 5 April: Thursday 2 April
        (Week(2026, 18), Month(2026, 4)),  # 27 April - 3 May: Thursday 30 April
        (Week(2026, 1), Month(2026, 1)),  # 29 December - 4 January: Thursday 1 January
        (Week(2026, 53), Month(2026, 12)),  # 28 December - 3 January 2027
    ],
)
def test_a_week_belongs_to_the_month_of_its_thursday(week: Week, month: Month) -> None:
    assert Month.of_week(week) == month
