"""Cadre "8+4" compliance and "1+100" coverage, judged live from the stored facts.

A period's status (met / on track / behind / missed) depends on "now": the same
visits are "on track" on the 10th and "missed" on the 1st of the next month. A
status column would be stale the moment it was written, and a rebuild could not
reproduce it. So, in Marten's terms, the status is a live computation: the query
functions below load the facts (``facts``) and call the domain's ``judge`` with
the caller's ``now``. Nothing about the judgement (which visit counts, how days
and workdays are counted) lives here, so a change to the rules in the domain
applies to every period at once, past ones included, without a rebuild.

The terms a period is judged by are those of the governing rule set (the domain's
``governing_choice``, called here: the closest unit on the cadre's ancestry, ``org_closure``
depth, with a version in force; ties go to the later effective-from, then the
larger id) on the period's ``reference_day`` (its last day once it is over, today
while it runs). When no rule set governs, the Inner Mongolia preset applies and
``GoverningRules.rule_set_id`` is None to say so. Days are local dates in the
zone of the cadre's org unit.

The queries read the ``org_tree`` read model too (``org_closure`` for ancestry
and subtrees, ``org_units`` for time zones), so both must be run; a unit not in
``org_units`` yet is read in the default zone.

SQLite hands stored datetimes back naive, so every one read is made UTC-aware
again before it reaches the domain.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from grassroots.domain.compliance import (
    Judgement,
    Period,
    Reason,
    Status,
    VisitFacts,
    Year,
    judge,
    period_bounds,
    reference_day,
)
from grassroots.domain.rules import (
    INNER_MONGOLIA_TERMS,
    RuleSetCandidate,
    RuleTerms,
    governing_choice,
)
from grassroots.domain.values import DEFAULT_TIME_ZONE, in_utc, local_date, require_aware
from grassroots.projections.compliance.facts import (
    compliance_cadre_points,
    compliance_cadres,
    compliance_contacts,
    compliance_rule_sets,
    compliance_rule_versions,
    compliance_visits,
    compliance_youths_met,
)
from grassroots.projections.engine import rows_where_in
from grassroots.projections.instants import as_utc
from grassroots.projections.org_tree import SubtreeUnit, org_closure, org_units, subtree_of

__all__ = [
    "DEFAULT_TERMS",
    "ApplicableRuleSet",
    "CadreNotFound",
    "CadrePeriod",
    "CadreStanding",
    "Coverage",
    "GoverningRules",
    "MetContact",
    "PeriodShare",
    "RegisteredCadre",
    "RuleVersion",
    "UncountedVisit",
    "UnitCompliance",
    "UnitShare",
    "applicable_rule_sets",
    "cadre_names",
    "cadre_period",
    "cadre_standing",
    "cadres_in",
    "compliance_trend",
    "contact_coverage",
    "governing_rules",
    "recent_visits",
    "rejudge",
    "shares_by_unit",
    "unit_compliance",
    "unit_compliance_under",
    "youths_met_by_cadre",
]

# What applies where no rule set governs: the seeds' practice (GLOSSARY.md).
DEFAULT_TERMS = INNER_MONGOLIA_TERMS


class CadreNotFound(LookupError):
    """No cadre with this id in the read model (unknown, or not projected yet)."""


@dataclass(frozen=True)
class GoverningRules:
    """The terms a period is judged by, and the rule-set version they come from.

    ``rule_set_id`` (and the fields after it) are None when no rule set governs
    and the default, the Inner Mongolia preset, applies.
    """

    terms: RuleTerms
    rule_set_id: UUID | None = None
    rule_set_name: str | None = None
    org_unit_id: UUID | None = None
    version: int | None = None
    effective_from: date | None = None

    @property
    def is_default(self) -> bool:
        return self.rule_set_id is None


@dataclass(frozen=True)
class RuleVersion:
    """One version of a rule set: its terms, in force from ``effective_from``."""

    number: int
    effective_from: date
    terms: RuleTerms


@dataclass(frozen=True)
class ApplicableRuleSet:
    """A rule set on an org unit or one of its ancestors, ``levels_up`` from it (0: itself).

    ``governs`` is whether it is the one that judges the unit on the day asked.
    """

    rule_set_id: UUID
    name: str
    org_unit_id: UUID
    levels_up: int
    governs: bool
    versions: tuple[RuleVersion, ...]


@dataclass(frozen=True)
class UncountedVisit:
    """A visit in the period that did not count, and the domain's reason why."""

    visit_id: UUID
    point_id: UUID
    started_at: datetime
    ended_at: datetime | None
    reason: Reason


@dataclass(frozen=True)
class CadreStanding:
    """One cadre's judgement in a unit roll-up."""

    cadre_id: UUID
    name: str
    kind: str
    org_unit_id: UUID
    judgement: Judgement
    rules: GoverningRules
    uncounted: tuple[UncountedVisit, ...]

    @property
    def status(self) -> Status:
        return self.judgement.status


@dataclass(frozen=True)
class UnitCompliance:
    """A supervisor's view of one period over an org unit's whole subtree.

    ``cadres`` holds every cadre registered in the subtree by the period's last
    day, ordered by name. ``share`` is the met share (None with no cadres);
    ``behind_or_missed`` lists those needing attention, the worst first.
    """

    org_unit_id: UUID
    period: str
    now: datetime
    cadres: tuple[CadreStanding, ...]

    @property
    def total(self) -> int:
        return len(self.cadres)

    @property
    def met(self) -> int:
        return sum(1 for cadre in self.cadres if cadre.status is Status.MET)

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.cadres else None

    def count(self, status: Status) -> int:
        return sum(1 for cadre in self.cadres if cadre.status is status)

    @property
    def behind_or_missed(self) -> tuple[CadreStanding, ...]:
        needing = [c for c in self.cadres if c.status in (Status.BEHIND, Status.MISSED)]
        # Stable sort: within one status the name order of ``cadres`` stays.
        return tuple(sorted(needing, key=lambda c: -c.status.severity))


@dataclass(frozen=True)
class MetContact:
    """A youth on the list who was met face to face in the year."""

    contact_id: UUID
    name: str
    walk_of_life: str
    meetings: int
    last_met_at: datetime


@dataclass(frozen=True)
class Coverage:
    """The "1+100" list of one cadre in one year.

    ``listed`` is the list's size at the year's end (or now, while the year
    runs); ``met`` are those of them met face to face during the year.
    """

    cadre_id: UUID
    year: int
    kind: str
    target: int
    listed: int
    met: tuple[MetContact, ...]
    rules: GoverningRules

    @property
    def met_face_to_face(self) -> int:
        return len(self.met)

    @property
    def still_to_list(self) -> int:
        return max(0, self.target - self.listed)

    @property
    def list_complete(self) -> bool:
        return self.listed >= self.target


def cadre_standing(conn: sa.Connection, cadre_id: UUID, period: Period, now: datetime) -> Judgement:
    """The cadre's status in a month, ISO week (or year) under the governing rules.

    What is still needed is the judgement's ``still_needed``; which rule set
    judged it is ``governing_rules``.
    """
    cadre = _one_cadre(conn, cadre_id)
    rules = _rules_for(cadre, period, now, _candidates(conn, _units_of(_cadre_is(cadre_id))))
    return _judge(cadre, _visits(conn, _cadre_is(cadre_id), period)[cadre_id], period, now, rules)


def recent_visits(conn: sa.Connection, cadre_id: UUID, *, limit: int = 10) -> list[VisitFacts]:
    """The cadre's latest visits, the most recently started first (ended or not).

    A visit still under way has no ``ended_at``; the cadre's phone shows it on top.
    """
    v = compliance_visits.c
    query = (
        sa.select(compliance_visits)
        .where(v.cadre_id == cadre_id)
        .order_by(v.started_at.desc(), v.visit_id)
        .limit(limit)
    )
    return [
        VisitFacts(
            visit_id=row.visit_id,
            point_id=row.point_id,
            started_at=as_utc(row.started_at),
            ended_at=None if row.ended_at is None else as_utc(row.ended_at),
            proof=row.proof,
            point_was_assigned=row.point_was_assigned,
        )
        for row in conn.execute(query)
    ]


def rejudge(
    conn: sa.Connection, cadre_id: UUID, period: Period, now: datetime, terms: RuleTerms
) -> Judgement:
    """What if: the same stored facts judged under ``terms`` instead of the governing ones."""
    cadre = _one_cadre(conn, cadre_id)
    visits = _visits(conn, _cadre_is(cadre_id), period)[cadre_id]
    return _judge(cadre, visits, period, now, GoverningRules(terms))


def governing_rules(
    conn: sa.Connection, cadre_id: UUID, period: Period, now: datetime
) -> GoverningRules:
    """The rule-set version (or the default preset) that judges this cadre's period."""
    cadre = _one_cadre(conn, cadre_id)
    return _rules_for(cadre, period, now, _candidates(conn, _units_of(_cadre_is(cadre_id))))


def unit_compliance(
    conn: sa.Connection, org_unit_id: UUID, period: Period, now: datetime
) -> UnitCompliance:
    """Every cadre in the unit's subtree with their status, the met share, and who lags.

    A cadre registered after the period's last (local) day is left out: the
    period was over before they had any duty in it.
    """
    where = compliance_cadres.c.org_unit_id.in_(subtree_of(org_unit_id))
    candidates = _candidates(conn, _units_of(where))
    return _unit_compliance(
        conn, org_unit_id, period, now, _rules_by_place(period, now, candidates)
    )


def unit_compliance_under(
    conn: sa.Connection, org_unit_id: UUID, period: Period, now: datetime, rules: GoverningRules
) -> UnitCompliance:
    """What if: ``unit_compliance`` with every cadre judged under ``rules``; nothing is written."""
    return _unit_compliance(conn, org_unit_id, period, now, lambda _cadre: rules)


def _unit_compliance(
    conn: sa.Connection,
    org_unit_id: UUID,
    period: Period,
    now: datetime,
    rules_of: Callable[[_Cadre], GoverningRules],
) -> UnitCompliance:
    require_aware(now, "now")
    where = compliance_cadres.c.org_unit_id.in_(subtree_of(org_unit_id))
    ids = _Ids()
    visits = _visits(conn, where, period, ids)
    _, last = period_bounds(period)
    standings = []
    idle: _IdleJudgements = {}
    for cadre in _cadres(conn, where, ids):
        if local_date(cadre.registered_at, cadre.zone) > last:
            continue
        standings.append(
            _standing(cadre, visits[cadre.cadre_id], period, now, rules_of(cadre), idle)
        )
    return UnitCompliance(org_unit_id, str(period), now, tuple(standings))


# A cadre without a visit in the period is judged on no facts at all: the
# judgement then depends only on the period, ``now``, the zone and the terms (the
# assigned points matter only to visits), so in one read cadres alike share one.
# Most of a county's cadres have no visit yet early in a week.
_IdleJudgements = dict[tuple[ZoneInfo, RuleTerms], Judgement]


def _standing(
    cadre: _Cadre,
    facts: Sequence[VisitFacts],
    period: Period,
    now: datetime,
    rules: GoverningRules,
    idle: _IdleJudgements,
) -> CadreStanding:
    judgement = _judge_once(cadre, facts, period, now, rules, idle)
    by_id = {f.visit_id: f for f in facts}
    uncounted = tuple(
        UncountedVisit(
            visit_id=result.visit_id,
            point_id=by_id[result.visit_id].point_id,
            started_at=by_id[result.visit_id].started_at,
            ended_at=by_id[result.visit_id].ended_at,
            reason=result.reason,
        )
        for result in judgement.visits
        if result.reason is not None
    )
    return CadreStanding(
        cadre_id=cadre.cadre_id,
        name=cadre.name,
        kind=cadre.kind,
        org_unit_id=cadre.org_unit_id,
        judgement=judgement,
        rules=rules,
        uncounted=uncounted,
    )


@dataclass(frozen=True)
class PeriodShare:
    """How many cadres of a subtree met one period's requirement, of how many judged."""

    period: str
    total: int
    met: int

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total else None


def compliance_trend(
    conn: sa.Connection, org_unit_id: UUID, periods: Sequence[Period], now: datetime
) -> list[PeriodShare]:
    """The met share of the unit's subtree in each period, as ``unit_compliance`` judges it.

    A handful of queries whatever the number of periods and cadres: the cadres,
    their rule sets and every visit of the whole span are read once, and each
    period is judged in memory from the visits of its own search window, the
    same rows ``unit_compliance`` would read for it alone.
    """
    require_aware(now, "now")
    if not periods:
        return []
    where = compliance_cadres.c.org_unit_id.in_(subtree_of(org_unit_id))
    ids = _Ids()
    cadres = _cadres(conn, where, ids)
    candidates = _candidates(conn, _units_of(where))
    windows = [_search_window(period) for period in periods]
    span = (min(lo for lo, _ in windows), max(hi for _, hi in windows))
    visits = _visits_between(conn, where, *span, ids=ids)
    trend = []
    for period, (lo, hi) in zip(periods, windows, strict=True):
        _, last = period_bounds(period)
        total = met = 0
        idle: _IdleJudgements = {}
        rules_of = _rules_by_place(period, now, candidates)
        for cadre in cadres:
            if local_date(cadre.registered_at, cadre.zone) > last:
                continue
            facts = [f for f in visits[cadre.cadre_id] if lo <= f.started_at < hi]
            rules = rules_of(cadre)
            judgement = _judge_once(cadre, facts, period, now, rules, idle)
            total += 1
            met += judgement.status is Status.MET
        trend.append(PeriodShare(str(period), total, met))
    return trend


@dataclass(frozen=True)
class UnitShare:
    """The statuses of the cadres registered in a unit's subtree, and the met share."""

    org_unit_id: UUID
    name: str
    level: str
    depth: int
    parent_id: UUID | None
    total: int
    met: int
    on_track: int
    behind: int
    missed: int

    @property
    def share(self) -> float | None:
        return self.met / self.total if self.total else None


def shares_by_unit(result: UnitCompliance, units: Sequence[SubtreeUnit]) -> list[UnitShare]:
    """Each unit of the subtree (``org_tree.subtree_units``) with its cadres' statuses rolled up.

    A cadre counts for their own unit and every unit above it, up to the root.
    """
    # Counted per cadre's own unit first, then summed over each unit's members: a
    # pass over the cadres, not one per unit.
    own: dict[UUID, Counter[Status]] = defaultdict(Counter)
    for cadre in result.cadres:
        own[cadre.org_unit_id][cadre.status] += 1
    shares = []
    for member in units:
        counted: Counter[Status] = Counter()
        for unit in member.members & own.keys():
            counted.update(own[unit])
        shares.append(
            UnitShare(
                org_unit_id=member.unit.org_unit_id,
                name=member.unit.name,
                level=member.unit.level.value,
                depth=member.depth,
                parent_id=member.unit.parent_id,
                total=sum(counted.values()),
                met=counted[Status.MET],
                on_track=counted[Status.ON_TRACK],
                behind=counted[Status.BEHIND],
                missed=counted[Status.MISSED],
            )
        )
    return shares


@dataclass(frozen=True)
class CadrePeriod:
    """One cadre's period for a drill-down: the standing, and every visit read for it.

    ``visits`` are the facts of the visits that started in the period, in start
    order, beside the judgement's verdict on each (``standing.judgement.visits``).
    """

    standing: CadreStanding
    visits: tuple[VisitFacts, ...]


def cadre_period(conn: sa.Connection, cadre_id: UUID, period: Period, now: datetime) -> CadrePeriod:
    """The cadre's standing in the period (as ``unit_compliance`` lists it) and its visits."""
    require_aware(now, "now")
    cadre = _one_cadre(conn, cadre_id)
    rules = _rules_for(cadre, period, now, _candidates(conn, _units_of(_cadre_is(cadre_id))))
    facts = _visits(conn, _cadre_is(cadre_id), period)[cadre_id]
    standing = _standing(cadre, facts, period, now, rules, {})
    started = {r.visit_id for r in standing.judgement.visits}
    listed = sorted((f for f in facts if f.visit_id in started), key=lambda f: f.started_at)
    return CadrePeriod(standing, tuple(listed))


def youths_met_by_cadre(conn: sa.Connection, org_unit_id: UUID, period: Period) -> dict[UUID, int]:
    """Face-to-face meetings with youths on the cadres' "1+100" lists, per cadre of the
    subtree, on local dates (the cadre's unit's zone) in the period.

    A youth met twice counts twice: this is work done, not coverage (``contact_coverage``).
    """
    first, last = period_bounds(period)
    lo, hi = _search_window(period)
    met = compliance_youths_met.c
    rows = conn.execute(
        sa.select(met.cadre_id, met.met_at, org_units.c.time_zone)
        .select_from(
            compliance_youths_met.join(
                compliance_cadres, compliance_cadres.c.cadre_id == met.cadre_id
            ).outerjoin(org_units, org_units.c.org_unit_id == compliance_cadres.c.org_unit_id)
        )
        .where(
            compliance_cadres.c.org_unit_id.in_(subtree_of(org_unit_id)),
            met.met_at >= lo,
            met.met_at < hi,
        )
    )
    zones: dict[str, ZoneInfo] = {}
    counts: Counter[UUID] = Counter()
    for cadre_id, met_at, zone_name in rows:
        name = zone_name or DEFAULT_TIME_ZONE
        zone = zones.get(name) or zones.setdefault(name, ZoneInfo(name))
        if first <= local_date(as_utc(met_at), zone) <= last:
            counts[cadre_id] += 1
    return dict(counts)


def applicable_rule_sets(
    conn: sa.Connection, org_unit_id: UUID, on: date
) -> tuple[ApplicableRuleSet, ...]:
    """The rule sets on the unit and its ancestors, closest first, and which governs ``on``.

    The one that governs is the domain's ``governing_choice``, the same as judges
    the unit's cadres; where none does, the default terms apply.
    """
    candidates = _candidates(conn, [org_unit_id]).get(org_unit_id, [])
    chosen = _chosen(candidates, on)
    found = [
        ApplicableRuleSet(
            rule_set_id=c.rule_set_id,
            name=c.name,
            org_unit_id=c.org_unit_id,
            levels_up=c.distance,
            governs=chosen is c,
            versions=tuple(sorted(c.versions, key=lambda v: v.number)),
        )
        for c in candidates
    ]
    return tuple(sorted(found, key=lambda r: (r.levels_up, r.name, r.rule_set_id)))


def contact_coverage(conn: sa.Connection, cadre_id: UUID, year: int, now: datetime) -> Coverage:
    """The cadre's "1+100" list against the target for their kind, and who was met.

    The target comes from the terms governing the year (on its reference day).
    The list is taken as it stood when the year ended (local midnight), or now
    while the year runs; a youth counts as met when they are on that list and a
    visit recorded meeting them face to face on a local date in the year.
    """
    require_aware(now, "now")
    period = Year(year)
    cadre = _one_cadre(conn, cadre_id)
    rules = _rules_for(cadre, period, now, _candidates(conn, _units_of(_cadre_is(cadre_id))))
    year_end = datetime.combine(date(year, 12, 31) + timedelta(days=1), time.min, cadre.zone)
    as_of = in_utc(min(now, year_end))

    entries = conn.execute(
        sa.select(compliance_contacts)
        .where(
            compliance_contacts.c.cadre_id == cadre_id,
            compliance_contacts.c.added_at <= as_of,
            sa.or_(
                compliance_contacts.c.removed_at.is_(None),
                compliance_contacts.c.removed_at > as_of,
            ),
        )
        .order_by(compliance_contacts.c.position)
    ).all()
    listed = {row.contact_id: row for row in entries}

    lo, hi = _search_window(period)
    meetings: dict[UUID, list[datetime]] = defaultdict(list)
    for contact_id, met_at in conn.execute(
        sa.select(compliance_youths_met.c.contact_id, compliance_youths_met.c.met_at).where(
            compliance_youths_met.c.cadre_id == cadre_id,
            compliance_youths_met.c.met_at >= lo,
            compliance_youths_met.c.met_at < hi,
        )
    ):
        at = as_utc(met_at)
        if contact_id in listed and at <= as_of and local_date(at, cadre.zone).year == year:
            meetings[contact_id].append(at)
    met = tuple(
        MetContact(
            contact_id=contact_id,
            name=listed[contact_id].name,
            walk_of_life=listed[contact_id].walk_of_life,
            meetings=len(times),
            last_met_at=max(times),
        )
        for contact_id, times in sorted(
            meetings.items(), key=lambda item: (listed[item[0]].name, item[0])
        )
    )
    return Coverage(
        cadre_id=cadre_id,
        year=year,
        kind=cadre.kind,
        target=rules.terms.contact_target(cadre.kind),
        listed=len(listed),
        met=met,
        rules=rules,
    )


# --- the pieces the queries share ---------------------------------------------


@dataclass(frozen=True)
class _Cadre:
    cadre_id: UUID
    name: str
    kind: str
    org_unit_id: UUID
    registered_at: datetime
    zone: ZoneInfo
    point_ids: frozenset[UUID]


@dataclass(frozen=True)
class _Candidate:
    """A rule set on an ancestor of some unit, ``distance`` levels up (0: the unit itself)."""

    distance: int
    rule_set_id: UUID
    name: str
    org_unit_id: UUID
    versions: tuple[RuleVersion, ...]


@dataclass(frozen=True)
class RegisteredCadre:
    """A cadre as the administration lists them: who, which kind, which points."""

    cadre_id: UUID
    name: str
    kind: str
    point_ids: frozenset[UUID]


def cadres_in(conn: sa.Connection, org_unit_id: UUID) -> list[RegisteredCadre]:
    """The cadres registered in this unit (not those below it), by name."""
    found = _cadres(conn, compliance_cadres.c.org_unit_id == org_unit_id)
    return [RegisteredCadre(c.cadre_id, c.name, c.kind, c.point_ids) for c in found]


def cadre_names(conn: sa.Connection, cadre_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of those cadres the read model holds; the others are left out."""
    c = compliance_cadres.c
    found = rows_where_in(conn, sa.select(c.cadre_id, c.name), c.cadre_id, set(cadre_ids))
    return {row.cadre_id: row.name for row in found}


def _cadre_is(cadre_id: UUID) -> sa.ColumnElement[bool]:
    return compliance_cadres.c.cadre_id == cadre_id


def _one_cadre(conn: sa.Connection, cadre_id: UUID) -> _Cadre:
    found = _cadres(conn, _cadre_is(cadre_id))
    if not found:
        raise CadreNotFound(f"no cadre {cadre_id} in the compliance read model")
    return found[0]


def _cadres(
    conn: sa.Connection, where: sa.ColumnElement[bool], ids: _Ids | None = None
) -> list[_Cadre]:
    ids = ids or _Ids()
    c, cp = compliance_cadres.c, compliance_cadre_points.c
    points: dict[UUID, set[UUID]] = defaultdict(set)
    for cadre_id, point_id in conn.execute(
        sa.select(_raw(cp.cadre_id), _raw(cp.point_id)).where(
            cp.cadre_id.in_(sa.select(c.cadre_id).where(where))
        )
    ):
        points[ids(cadre_id)].add(ids(point_id))
    rows = conn.execute(
        sa.select(
            _raw(c.cadre_id),
            c.name,
            c.kind,
            _raw(c.org_unit_id),
            c.registered_at,
            org_units.c.time_zone,
        )
        .select_from(
            compliance_cadres.outerjoin(org_units, org_units.c.org_unit_id == c.org_unit_id)
        )
        .where(where)
    ).all()
    zones: dict[str, ZoneInfo] = {}
    cadres = []
    for raw_id, name, kind, unit_id, registered_at, zone in rows:
        cadre_id = ids(raw_id)
        cadres.append(
            _Cadre(
                cadre_id=cadre_id,
                name=name,
                kind=kind,
                org_unit_id=ids(unit_id),
                registered_at=as_utc(registered_at),
                zone=_zone(zones, zone),
                point_ids=frozenset(points[cadre_id]),
            )
        )
    # Sorted here, not in SQL: collations differ between databases for Chinese names.
    return sorted(cadres, key=lambda c: (c.name, c.cadre_id))


class _Ids:
    """Ids read as the database hands them (text on SQLite, UUIDs on PostgreSQL), each
    made a UUID once per read: a county's thousand cadres share a few units and points,
    and each cadre's id comes back in every query of the read. Converting every cell
    afresh was a fifth of a county's compliance."""

    def __init__(self) -> None:
        self._known: dict[object, UUID] = {}

    def __call__(self, raw: object) -> UUID:
        if isinstance(raw, UUID):
            # PostgreSQL's driver made it already; remembering it would only cost a hash.
            return raw
        found = self._known.get(raw)
        if found is None:
            found = self._known[raw] = UUID(hex=str(raw))
        return found


def _raw(column: sa.ColumnElement[UUID]) -> sa.ColumnElement[Any]:
    """An id column without the type's conversion of each cell (``_Ids`` converts)."""
    return sa.type_coerce(column, sa.String)


def _zone(known: dict[str, ZoneInfo], name: str | None) -> ZoneInfo:
    """The zone by name, built once per query: a thousand cadres share a few zones."""
    name = name or DEFAULT_TIME_ZONE
    zone = known.get(name)
    if zone is None:
        zone = known[name] = ZoneInfo(name)
    return zone


def _search_window(period: Period) -> tuple[datetime, datetime]:
    """UTC instants surely covering the period's local dates in any zone (offsets < 1 day).

    The SQL only narrows the rows; the domain decides which local date each belongs to.
    """
    first, last = period_bounds(period)
    return (
        datetime.combine(first - timedelta(days=1), time.min, UTC),
        datetime.combine(last + timedelta(days=2), time.min, UTC),
    )


def _visits(
    conn: sa.Connection, cadres: sa.ColumnElement[bool], period: Period, ids: _Ids | None = None
) -> defaultdict[UUID, list[VisitFacts]]:
    return _visits_between(conn, cadres, *_search_window(period), ids=ids)


def _visits_between(
    conn: sa.Connection,
    cadres: sa.ColumnElement[bool],
    lo: datetime,
    hi: datetime,
    *,
    ids: _Ids | None = None,
) -> defaultdict[UUID, list[VisitFacts]]:
    ids = ids or _Ids()
    v = compliance_visits.c
    found: defaultdict[UUID, list[VisitFacts]] = defaultdict(list)
    for cadre_id, visit_id, point_id, started_at, ended_at, proof, assigned in conn.execute(
        sa.select(
            _raw(v.cadre_id),
            _raw(v.visit_id),
            _raw(v.point_id),
            v.started_at,
            v.ended_at,
            v.proof,
            v.point_was_assigned,
        ).where(
            v.cadre_id.in_(sa.select(compliance_cadres.c.cadre_id).where(cadres)),
            v.started_at >= lo,
            v.started_at < hi,
        )
    ):
        found[ids(cadre_id)].append(
            VisitFacts(
                visit_id=ids(visit_id),
                point_id=ids(point_id),
                started_at=as_utc(started_at),
                ended_at=None if ended_at is None else as_utc(ended_at),
                proof=proof,
                point_was_assigned=assigned,
            )
        )
    return found


def _units_of(cadres: sa.ColumnElement[bool]) -> sa.Select[tuple[UUID]]:
    """The org units of the cadres selected by ``cadres``."""
    return sa.select(compliance_cadres.c.org_unit_id).where(cadres)


def _candidates(
    conn: sa.Connection, units: sa.Select[tuple[UUID]] | Sequence[UUID]
) -> dict[UUID, list[_Candidate]]:
    """For each org unit in ``units`` (ids, or a query of them), the rule sets on its ancestry."""
    query = (
        sa.select(
            org_closure.c.descendant_id,
            org_closure.c.depth,
            compliance_rule_sets.c.rule_set_id,
            compliance_rule_sets.c.name,
            compliance_rule_sets.c.org_unit_id,
            compliance_rule_versions.c.version,
            compliance_rule_versions.c.effective_from,
            compliance_rule_versions.c.terms,
        )
        .select_from(
            org_closure.join(
                compliance_rule_sets,
                compliance_rule_sets.c.org_unit_id == org_closure.c.ancestor_id,
            ).join(
                compliance_rule_versions,
                compliance_rule_versions.c.rule_set_id == compliance_rule_sets.c.rule_set_id,
            )
        )
        .where(org_closure.c.descendant_id.in_(units))
    )
    terms_cache: dict[tuple[UUID, int], RuleTerms] = {}
    grouped: dict[tuple[UUID, UUID], list[Any]] = defaultdict(list)
    for row in conn.execute(query):
        grouped[(row.descendant_id, row.rule_set_id)].append(row)
    candidates: dict[UUID, list[_Candidate]] = defaultdict(list)
    for (unit, rule_set_id), rows in grouped.items():
        versions = []
        for row in rows:
            key = (rule_set_id, row.version)
            if key not in terms_cache:
                terms_cache[key] = RuleTerms.from_data(json.loads(row.terms))
            versions.append(RuleVersion(row.version, row.effective_from, terms_cache[key]))
        head = rows[0]
        candidates[unit].append(
            _Candidate(
                distance=head.depth,
                rule_set_id=rule_set_id,
                name=head.name,
                org_unit_id=head.org_unit_id,
                versions=tuple(sorted(versions, key=lambda v: v.effective_from)),
            )
        )
    return candidates


def _chosen(candidates: Sequence[_Candidate], day: date) -> _Candidate | None:
    """The domain's ``governing_choice`` over stored rows."""
    return governing_choice(
        (
            RuleSetCandidate(
                # Closure depth counts levels up; the domain's depth grows towards the cadre.
                depth=-c.distance,
                rule_set_id=c.rule_set_id,
                effective_dates=tuple(v.effective_from for v in c.versions),
                of=c,
            )
            for c in candidates
        ),
        day,
    )


def _governing(candidates: Sequence[_Candidate], day: date) -> GoverningRules:
    """The governing rule set's version in force on ``day``, or the default terms."""
    chosen = _chosen(candidates, day)
    if chosen is None:
        return GoverningRules(DEFAULT_TERMS)
    # Versions are sorted by effective_from: the last one begun by ``day`` is in force.
    version = [v for v in chosen.versions if v.effective_from <= day][-1]
    return GoverningRules(
        terms=version.terms,
        rule_set_id=chosen.rule_set_id,
        rule_set_name=chosen.name,
        org_unit_id=chosen.org_unit_id,
        version=version.number,
        effective_from=version.effective_from,
    )


def _rules_for(
    cadre: _Cadre, period: Period, now: datetime, candidates: Mapping[UUID, list[_Candidate]]
) -> GoverningRules:
    day = reference_day(period, zone=cadre.zone, now=now)
    return _governing(candidates.get(cadre.org_unit_id, []), day)


def _rules_by_place(
    period: Period, now: datetime, candidates: Mapping[UUID, list[_Candidate]]
) -> Callable[[_Cadre], GoverningRules]:
    """``_rules_for``, worked out once per unit and zone for one period.

    A cadre's rules depend only on their unit and zone: a county's thousand cadres
    sit in a few dozen units and share one zone, so one read works out each pair once.
    """
    known: dict[tuple[UUID, ZoneInfo], GoverningRules] = {}

    def rules_of(cadre: _Cadre) -> GoverningRules:
        key = (cadre.org_unit_id, cadre.zone)
        found = known.get(key)
        if found is None:
            found = known[key] = _rules_for(cadre, period, now, candidates)
        return found

    return rules_of


def _judge_once(
    cadre: _Cadre,
    visits: Sequence[VisitFacts],
    period: Period,
    now: datetime,
    rules: GoverningRules,
    idle: _IdleJudgements,
) -> Judgement:
    """``_judge``, sharing the judgement of no visits among cadres alike (``_IdleJudgements``)."""
    if visits:
        return _judge(cadre, visits, period, now, rules)
    key = (cadre.zone, rules.terms)
    found = idle.get(key)
    if found is None:
        found = idle[key] = _judge(cadre, (), period, now, rules)
    return found


def _judge(
    cadre: _Cadre,
    visits: Iterable[VisitFacts],
    period: Period,
    now: datetime,
    rules: GoverningRules,
) -> Judgement:
    return judge(
        visits,
        assigned_point_ids=cadre.point_ids,
        period=period,
        zone=cadre.zone,
        now=now,
        terms=rules.terms,
    )
