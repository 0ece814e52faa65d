"""The "8+4" judgement: did a cadre visit the assigned points enough in a period?

A pure function of facts passed in: the cadre's visits, the assigned points, the
period, the time zone, ``now`` and the rule terms. Nothing is read from a clock
or a store, so a past period can be re-judged under other terms ("what if")
without touching any event.

Which visits count (GLOSSARY.md, "The rules"): a visit is eligible when it has
ended, lasted at least ``min_visit_minutes`` in all, was at one of the cadre's
assigned points (when the terms ask for that) and was proven on site (a scan or
the geofence). An eligible visit counts as ONE visit, however long it lasted, in
the period of the local date it started on (in the org unit's zone). With
``one_visit_per_day`` an eligible visit that started on the same local date as
an earlier counted visit is not another visit ("same-day"); a visit starting on
a day that an earlier stay covered without starting on it is.

Days on site: every eligible visit, "same-day" ones included, gives each local
date on which it was on site for at least ``min_visit_minutes``, that is the
part of [started_at, ended_at] falling within that local day. A stay from
Monday 09:00 to Wednesday 18:00 is one visit and three days (Inner Mongolia's
"3 workdays" can be met by one stay); a visit from 23:30 to 01:00 counts as a
visit in the period of its first day but gives only the second day (60 minutes
against 30); a visit from 23:30 to 00:30 counts as a visit and gives no day. A
day goes to the period it falls in, whichever period the visit started in, so
a stay over a month end gives days to both months. A day counts once however
many visits cover it.

Weekends: the seeds ask for "3个工作日" (3 workdays) a month. We read that as
days worked at the point, not as Monday-to-Friday calendar days: the rule
measures presence at the grassroots, and a cadre on site on a Saturday has
worked there that day. So every day of presence, Saturday and Sunday included,
counts toward ``min_days_per_month`` and ``min_days_per_year``. Monday to Friday
matters only in the forecast (the remaining workdays, below) and in
``weekly_requirement``'s pro-rating.

A visit that does not count says why, with exactly one reason, the first that
applies in this order (the most fundamental first, so a supervisor sees what to
fix before anything else):

    "not-ended"           still under way (or never closed): its length is unknown
    "not-proven-on-site"  neither a scan nor the geofence proved presence
    "not-assigned-point"  the point is not one of the cadre's assigned points
    "too-short"           shorter than the minimum in all (exactly the minimum counts)
    "same-day"            an eligible visit that started on the local date of an
                          earlier counted visit; its days on site still count

A judgement lists the visits that started in the period. Visits that started
before it are not listed and add no visit, but an eligible one still gives the
period the days it spent in it.

Periods: a month is judged on the monthly minimums; a year on
``min_days_per_year`` alone (under terms without one, a year is met and
reports no requirement); an ISO week on the monthly minimums pro-rated to the
week, which is our choice, not the glossary's: the month is the one containing
the week's Thursday, and each minimum is scaled by the share of that month's
workdays falling in the week, rounded up (see ``weekly_requirement``).

Status:

    met        the requirement is met
    on_track   not met yet, reachable with workdays to spare
    behind     reachable only if every remaining workday that can still help is used
    missed     the period is over and not met, or it can no longer be reached

The forecast counts Monday-to-Friday local dates from today (the local date of
``now``; from the first day if the period has not begun) to the period's last
day, assuming the pace the rules are written for, one visit a day: each such
workday can add at most one visit and one day. A workday can still add a visit
while no counted visit started on it, and a day while it is not a counted day
yet; so today stays in the forecast only while it can still add something (a
stay that ended this morning made today a counted day, but a new visit today
would still be another visit). ``remaining_workdays`` reports the workdays that
can still add a visit or a day. Each unmet requirement is weighed against the
workdays that can still add to it: with monthly mode "either" the requirement
with the most to spare decides, with "both" the one with the least. A
requirement the terms do not set (None) is not judged. Public holidays and
adjusted working weekends are not modelled. Weekends are left out of the
forecast only, never out of what counts, so a status judged on a Saturday may
improve if the cadre is on site on the Sunday.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Literal, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from grassroots.domain.errors import InvalidValue
from grassroots.domain.rules import MonthlyMode, RuleTerms
from grassroots.domain.values import IsoWeek, in_utc, local_date, require_aware
from grassroots.domain.visit import Visit

__all__ = [
    "PROOFS",
    "REASONS",
    "Judgement",
    "Month",
    "Period",
    "PeriodKind",
    "Reason",
    "Shortfall",
    "Status",
    "TermsHistory",
    "VisitFacts",
    "VisitResult",
    "Week",
    "Year",
    "judge",
    "judge_year",
    "long_enough",
    "period_bounds",
    "reference_day",
    "weekly_requirement",
]

# The two spans a cadre's "8+4" standing and a unit's figures are read over: an
# ISO week (Monday to Sunday) or a calendar month.
PeriodKind = Literal["week", "month"]

PROOFS: tuple[str, ...] = ("qr", "geofence")

Reason = Literal["not-ended", "not-proven-on-site", "not-assigned-point", "too-short", "same-day"]
REASONS: tuple[Reason, ...] = (
    "not-ended",
    "not-proven-on-site",
    "not-assigned-point",
    "too-short",
    "same-day",
)


class Status(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"

    @property
    def severity(self) -> int:
        """0 for met up to 3 for missed: a larger number is a worse status."""
        return _SEVERITY[self]


_SEVERITY = {status: i for i, status in enumerate(Status)}


@dataclass(frozen=True)
class VisitFacts:
    """What the judgement needs to know about one visit.

    ``proof`` is "qr" or "geofence", or None when presence was not proven on site.
    ``point_was_assigned``, when known (Visit.Started records it), says whether
    the point was assigned to the cadre when the visit started, and then decides
    over the current assignment list: a cadre reassigned mid-month keeps the
    visits made to the old point. When None, the assigned point ids decide.
    """

    visit_id: UUID
    point_id: UUID
    started_at: datetime
    ended_at: datetime | None
    proof: str | None
    point_was_assigned: bool | None = None

    def __post_init__(self) -> None:
        require_aware(self.started_at, "started_at")
        if self.ended_at is not None:
            require_aware(self.ended_at, "ended_at")
            if self.ended_at < self.started_at:
                raise InvalidValue(
                    "a visit cannot end before it started", code="visit-end-before-start"
                )
        if self.proof is not None and self.proof not in PROOFS:
            raise InvalidValue(
                f"proof must be 'qr', 'geofence' or None, not {self.proof!r}",
                code="visit-proof-invalid",
            )

    @classmethod
    def of_visit(cls, visit: Visit) -> VisitFacts:
        """The facts of a Visit aggregate, as recorded when it started and ended."""
        return cls(
            visit_id=visit.id,
            point_id=visit.point_id,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            proof=visit.proof,
            point_was_assigned=visit.point_was_assigned,
        )


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, judged on the monthly minimums."""

    year: int
    month: int

    def __post_init__(self) -> None:
        _check_year(self.year)
        if isinstance(self.month, bool) or not isinstance(self.month, int):
            raise InvalidValue("month must be a whole number", code="period-invalid")
        if not 1 <= self.month <= 12:
            raise InvalidValue(f"there is no month {self.month}", code="period-invalid")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def of_week(cls, week: IsoWeek) -> Month:
        """The month an ISO week belongs to: that of its Thursday, as ISO gives a week
        to the year holding its Thursday (the weekly dispatch's month figures)."""
        return cls.of(week.monday + timedelta(days=3))

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


@dataclass(frozen=True, order=True)
class Year:
    """A calendar year, judged on ``min_days_per_year``."""

    year: int

    def __post_init__(self) -> None:
        _check_year(self.year)

    def __str__(self) -> str:
        return f"{self.year:04d}"

    @classmethod
    def of(cls, day: date) -> Year:
        return cls(day.year)

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, 12, 31)


# An ISO week (Monday to Sunday), judged on the pro-rated monthly minimums.
Week = IsoWeek

Period = Month | IsoWeek | Year


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise InvalidValue(f"year {year!r} is out of range", code="period-invalid")


def period_bounds(period: Period) -> tuple[date, date]:
    """The first and last local dates of ``period``, both included."""
    if isinstance(period, IsoWeek):
        try:
            monday = period.monday
        except ValueError:
            raise InvalidValue(f"there is no ISO week {period}", code="period-invalid") from None
        return monday, monday + timedelta(days=6)
    return period.first_day, period.last_day


class Shortfall(NamedTuple):
    """What is still needed to meet the period's requirement."""

    visits: int
    days: int


@dataclass(frozen=True)
class VisitResult:
    """Whether one visit counted as a visit and, if not, why.

    A "same-day" visit is not counted as a visit, but the days it spent on site
    still count, like those of a counted visit.
    """

    visit_id: UUID
    counted: bool
    reason: Reason | None


@dataclass(frozen=True)
class Judgement:
    """The judgement of one cadre over one period under one set of terms.

    ``required_visits``/``required_days`` are None when the terms set no such
    requirement for this kind of period (a year is judged on days only; a month
    under terms with only a yearly minimum requires nothing). ``still_needed`` is
    (0, 0) once met; otherwise each figure is that requirement's own shortfall,
    and under mode "either" meeting one of them is enough. ``visits`` lists every
    visit that started in the period, in start order.

    ``counted_visits`` counts the visits that started in the period and counted.
    ``counted_days`` holds, in order, every local date in the period on which an
    eligible visit was on site for at least the minimum, whichever period the
    visit started in, weekends included. ``remaining_workdays`` is the number of
    workdays, from today to the last day, that can still add a visit or a day.
    """

    period: str
    first_day: date
    last_day: date
    status: Status
    counted_visits: int
    counted_days: tuple[date, ...]
    required_visits: int | None
    required_days: int | None
    mode: MonthlyMode
    still_needed: Shortfall
    remaining_workdays: int
    visits: tuple[VisitResult, ...]
    terms: RuleTerms


@lru_cache(maxsize=1024)
def weekly_requirement(week: IsoWeek, monthly_minimum: int) -> int:
    """A monthly minimum pro-rated to ``week``; our choice, not the glossary's.

    The month is the one containing the week's Thursday (the same rule that
    assigns a week to its ISO year), so every week takes its requirement from
    exactly one month. The minimum is multiplied by the share of that month's
    workdays (Monday to Friday) that fall in this week, and rounded up: a week
    holding 5 of January 2026's 22 workdays asks ceil(2 x 5 / 22) = 1 of a
    2-visit minimum. Rounding up keeps a week from asking nothing of a small
    minimum, so a weekly check errs on the side of an early warning.

    Two consequences worth knowing. A week that straddles two months takes only
    the Thursday month's workdays into its share (30-31 March 2026 add nothing
    to the week of 30 March, which is April's), so the weekly figures are a
    pace, not an exact split of the month. And the week's own visits are all
    those on its seven days, including days in the other month.
    """
    monday, sunday = period_bounds(week)
    month = Month.of(monday + timedelta(days=3))
    month_workdays = _workdays(month.first_day, month.last_day)
    shared = _workdays(max(monday, month.first_day), min(sunday, month.last_day))
    # Integer ceiling: no float rounding near whole numbers.
    return -(-monthly_minimum * shared // month_workdays)


# Remembered, like ``weekly_requirement``: every cadre judged over the same week
# asks for the same months' workdays, which was most of the time of judging a
# thousand cadres.
@lru_cache(maxsize=1024)
def _workdays(first: date, last: date) -> int:
    return sum(1 for day in _days(first, last) if day.weekday() < 5)


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=i) for i in range((last - first).days + 1))


def _requirements(period: Period, terms: RuleTerms) -> tuple[int | None, int | None, MonthlyMode]:
    if isinstance(period, Year):
        # A year has one requirement at most, so the mode is moot; "both" reads
        # as "every requirement set", which is what is judged.
        return None, terms.min_days_per_year, "both"
    if isinstance(period, Month):
        return terms.min_visits_per_month, terms.min_days_per_month, terms.monthly_mode
    visits, days = terms.min_visits_per_month, terms.min_days_per_month
    return (
        None if visits is None else weekly_requirement(period, visits),
        None if days is None else weekly_requirement(period, days),
        terms.monthly_mode,
    )


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``zone``, in UTC.

    Where a DST change skips midnight, the first instant of the day is the
    change itself, which is what the fold=0 reading of the skipped time gives.
    """
    return in_utc(datetime(day.year, day.month, day.day, tzinfo=zone))


def _days_on_site(
    started_at: datetime,
    ended_at: datetime,
    *,
    zone: ZoneInfo,
    minimum: timedelta,
    first: date,
    last: date,
) -> Iterable[date]:
    """The local dates from ``first`` to ``last`` on which a visit was on site long enough.

    A day qualifies when the part of [started_at, ended_at] within it lasts at
    least ``minimum``. A day the visit only touches at its end (it ended at
    midnight) is not a day on site even when the minimum is 0; a visit of no
    length is on site on the day it began (it counts at all only when the
    minimum is 0).
    """
    start, end = in_utc(started_at), in_utc(ended_at)
    for day in _days(max(first, local_date(start, zone)), min(last, local_date(end, zone))):
        on_site = min(end, _midnight(day + timedelta(days=1), zone)) - max(
            start, _midnight(day, zone)
        )
        if on_site >= minimum and (on_site > timedelta(0) or start == end):
            yield day


def _reason(facts: VisitFacts, assigned: Collection[UUID], terms: RuleTerms) -> Reason | None:
    if facts.ended_at is None:
        return "not-ended"
    if facts.proof is None:
        return "not-proven-on-site"
    if terms.assigned_points_only:
        was_assigned = (
            facts.point_id in assigned
            if facts.point_was_assigned is None
            else facts.point_was_assigned
        )
        if not was_assigned:
            return "not-assigned-point"
    if not long_enough(facts.started_at, facts.ended_at, terms):
        return "too-short"
    return None


def long_enough(started_at: datetime, ended_at: datetime, terms: RuleTerms) -> bool:
    """Whether a visit from ``started_at`` to ``ended_at`` lasts the minimum that
    ``terms`` ask of a visit to count (exactly the minimum counts)."""
    # In UTC: two instants sharing a zone with a DST change would otherwise be
    # subtracted on the wall clock.
    length = in_utc(ended_at) - in_utc(started_at)
    return length >= timedelta(minutes=terms.min_visit_minutes)


def judge(
    visits: Iterable[VisitFacts],
    *,
    assigned_point_ids: Collection[UUID],
    period: Period,
    zone: ZoneInfo,
    now: datetime,
    terms: RuleTerms,
) -> Judgement:
    """Judge one cadre's ``visits`` over ``period`` under ``terms`` (see the module doc).

    A month is judged on the monthly minimums, an ISO week on the monthly
    minimums pro-rated by ``weekly_requirement``, a year on ``min_days_per_year``
    alone (a year under terms without one is met, with no requirement). The
    order of ``visits`` does not matter; a visit id given twice is refused.
    """
    require_aware(now, "now")
    first, last = period_bounds(period)
    facts = list(visits)
    if len({f.visit_id for f in facts}) != len(facts):
        raise InvalidValue("a visit is listed twice", code="visit-duplicated")
    assigned = frozenset(assigned_point_ids)

    # Start order, with the id as a tie-break, so the first visit of a day is
    # well defined and the input order cannot change the outcome.
    in_period = sorted(
        (f for f in facts if first <= local_date(f.started_at, zone) <= last),
        key=lambda f: (f.started_at, f.visit_id),
    )
    reasons = {f.visit_id: _reason(f, assigned, terms) for f in facts}
    results: list[VisitResult] = []
    visit_days: set[date] = set()  # the start dates of the counted visits
    for f in in_period:
        reason = reasons[f.visit_id]
        day = local_date(f.started_at, zone)
        if reason is None and terms.one_visit_per_day and day in visit_days:
            reason = "same-day"
        if reason is None:
            visit_days.add(day)
        results.append(VisitResult(f.visit_id, reason is None, reason))
    counted_visits = sum(1 for r in results if r.counted)

    # Days come from every eligible visit, wherever it started: a stay that
    # began before the period still gives the period the days it spent in it.
    minimum = timedelta(minutes=terms.min_visit_minutes)
    counted_days = {
        day
        for f in facts
        if f.ended_at is not None and reasons[f.visit_id] is None
        for day in _days_on_site(
            f.started_at, f.ended_at, zone=zone, minimum=minimum, first=first, last=last
        )
    }

    required_visits, required_days, mode = _requirements(period, terms)
    short_visits = 0 if required_visits is None else max(0, required_visits - counted_visits)
    short_days = 0 if required_days is None else max(0, required_days - len(counted_days))

    # The forecast: the workdays left, and which of them can still add a visit
    # (no counted visit started on it) or a day (not a counted day yet).
    today = local_date(now, zone)
    workdays = [day for day in _days(max(today, first), last) if day.weekday() < 5]
    can_add_visit = sum(1 for day in workdays if day not in visit_days)
    can_add_day = sum(1 for day in workdays if day not in counted_days)
    remaining = sum(1 for day in workdays if day not in visit_days or day not in counted_days)

    judged_requirements = [
        (short, capacity)
        for required, short, capacity in (
            (required_visits, short_visits, can_add_visit),
            (required_days, short_days, can_add_day),
        )
        if required is not None
    ]
    shortfalls = [short for short, _ in judged_requirements]
    if not shortfalls:
        shortfall = 0
    elif mode == "either":
        shortfall = min(shortfalls)
    else:
        shortfall = max(shortfalls)

    if shortfall == 0:
        status = Status.MET
    else:
        # Workdays to spare for each unmet requirement: negative when it can no
        # longer be reached, zero when every workday that can add to it is needed.
        spare = [capacity - short for short, capacity in judged_requirements if short > 0]
        slack = max(spare) if mode == "either" else min(spare)
        if today > last or slack < 0:  # (after the end, nothing can be added anyway)
            status = Status.MISSED
        elif slack == 0:
            status = Status.BEHIND
        else:
            status = Status.ON_TRACK

    return Judgement(
        period=str(period),
        first_day=first,
        last_day=last,
        status=status,
        counted_visits=counted_visits,
        counted_days=tuple(sorted(counted_days)),
        required_visits=required_visits,
        required_days=required_days,
        mode=mode,
        still_needed=(
            Shortfall(0, 0) if status is Status.MET else Shortfall(short_visits, short_days)
        ),
        remaining_workdays=remaining,
        visits=tuple(results),
        terms=terms,
    )


# A rule set's history: (effective-from, terms) pairs in any order, or a function
# from a local date to the terms in force then, such as RuleSet.terms_on.
TermsHistory = Sequence[tuple[date, RuleTerms]] | Callable[[date], RuleTerms | None]


def reference_day(period: Period, *, zone: ZoneInfo, now: datetime) -> date:
    """The day whose terms judge ``period``: its last day once it is over, else today.

    Today is the local date of ``now``; before the period begins it is the first day.
    """
    first, last = period_bounds(period)
    return min(last, max(first, local_date(now, zone)))


def _terms_on(history: TermsHistory, day: date) -> RuleTerms | None:
    if callable(history):
        return history(day)
    starts = [start for start, _ in history]
    if len(set(starts)) != len(starts):
        raise InvalidValue(
            "two versions take effect on the same day", code="rule-set-versions-ambiguous"
        )
    in_force = [(start, terms) for start, terms in history if start <= day]
    return max(in_force, key=lambda version: version[0])[1] if in_force else None


def judge_year(
    visits: Iterable[VisitFacts],
    *,
    assigned_point_ids: Collection[UUID],
    year: Year,
    zone: ZoneInfo,
    now: datetime,
    terms: TermsHistory,
) -> Judgement | None:
    """Judge ``year`` under a rule set that may have been revised during it.

    The whole year is judged by the terms in force on its ``reference_day``: the
    31st of December once the year is over, today while it runs. Those terms
    decide everything, including which of the year's earlier visits count (a
    longer minimum visit re-judges the spring's visits too): a yearly minimum
    can only be judged over the whole year under one set of rules, and the
    latest is the one the cadre is being held to. Returns None when no version
    is in force on that day (the rule set begins later).
    """
    require_aware(now, "now")
    in_force = _terms_on(terms, reference_day(year, zone=zone, now=now))
    if in_force is None:
        return None
    return judge(
        visits,
        assigned_point_ids=assigned_point_ids,
        period=year,
        zone=zone,
        now=now,
        terms=in_force,
    )
