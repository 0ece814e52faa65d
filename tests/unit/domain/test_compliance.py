"""The "8+4" judgement: which visits count, and a cadre's status in a week, month or year."""

from __future__ import annotations

from collections.abc import Sequence
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
from grassroots.domain.values import Geofence, GeoPoint
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
    late = visit(datetime(2026, 1, 31, 15, 30, tzinfo=UTC))  # 23:30 in Shanghai
    now = local(2026, 2, 10)

    january = judged([late], period=Month(2026, 1), now=now, terms=terms)
    february = judged([late], period=Month(2026, 2), now=now, terms=terms)

    assert (january.counted_visits, january.counted_days) == (1, (date(2026, 1, 31),))
    assert january.visits == (VisitResult(late.visit_id, True, None),)
    assert (february.counted_visits, february.counted_days, february.visits) == (0, (), ())


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
def test_a_visit_belongs_to_the_local_date_it_started_on_even_if_it_ends_next_day(
    terms: RuleTerms,
) -> None:
    overnight = visit(local(2026, 3, 31, 23, 30), minutes=120)

    march = judged([overnight], now=AFTER_MARCH, terms=terms)
    april = judged([overnight], period=Month(2026, 4), now=AFTER_MARCH, terms=terms)

    assert march.counted_days == (date(2026, 3, 31),)
    assert april.visits == ()


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


@st.composite
def visit_facts(draw: st.DrawFn, visit_id: UUID) -> VisitFacts:
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, 40)))
    start = local(day.year, day.month, day.day, draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    return visit(
        start,
        minutes=draw(st.one_of(st.none(), st.integers(0, 180))),
        point=draw(st.sampled_from([POINT, VILLAGE_POINT, OTHER_POINT])),
        proof=draw(st.sampled_from(["qr", "geofence", None])),
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
    added_hour=st.integers(0, 22),
    now=instants,
    terms=st.sampled_from(ALL_TERMS),
    period=st.sampled_from(PERIODS),
)
def test_adding_a_visit_that_counts_never_makes_the_status_worse(
    visits: list[VisitFacts],
    added_day: int,
    added_hour: int,
    now: datetime,
    terms: RuleTerms,
    period: Period,
) -> None:
    day = FIRST_DAY + timedelta(days=added_day)
    added = visit(
        local(day.year, day.month, day.day, added_hour), minutes=60, visit_id=UUID(int=999)
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
    if terms.one_visit_per_day:
        assert judgement.counted_visits == len(judgement.counted_days)


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
