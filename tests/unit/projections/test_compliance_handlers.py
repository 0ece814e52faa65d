"""The compliance read model's handlers and rule-set choice, on an in-memory SQLite database.

Events come from real aggregates and pass through the event store's JSON
encoding first, so the handlers see them exactly as the runner hands them over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex

from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.compliance import Month, Status, Year
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.rules import (
    COUNTY_1_PLUS_3_TERMS,
    INNER_MONGOLIA_TERMS,
    RuleSet,
    RuleTerms,
    governing_rule_set,
)
from grassroots.domain.values import Geofence, GeoPoint
from grassroots.domain.visit import QrProof, Visit
from grassroots.projections.compliance.facts import (
    CadreCompliance,
    compliance_contacts,
    compliance_visits,
    compliance_youths_met,
)
from grassroots.projections.compliance.verdicts import contact_coverage, governing_rules, rejudge
from grassroots.projections.engine import EventContext
from grassroots.projections.org_tree import OrgTree

ID_SECRET = b"a server secret of at least 32 bytes"

SHANGHAI = ZoneInfo("Asia/Shanghai")
POINT = UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")
FENCE = Geofence(GeoPoint(40.8426, 111.7492), 150)
MARCH = Month(2026, 3)
AFTER_MARCH = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)


def local(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


class Log:
    """Feeds aggregates' new events to the org tree and compliance projections in order."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.position = 0
        self.projections = (OrgTree(), CadreCompliance())
        transcoder = JSONTranscoder()
        for transcoding in (UUIDAsHex(), DatetimeAsISO()):
            transcoder.register(transcoding)
        self.mapper: Mapper[UUID] = Mapper(transcoder=transcoder)

    def feed(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            for pending in aggregate.collect_events():
                event: Any = self.mapper.to_domain_event(self.mapper.to_stored_event(pending))
                # Gaps in the positions, as the log may have.
                self.position += 3
                context = EventContext(
                    self.position, event.originator_id, event.originator_version, event.timestamp
                )
                for projection in self.projections:
                    projection.handle(self.conn, event, context)


@pytest.fixture
def conn() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    tables = [*OrgTree.tables, *CadreCompliance.tables]
    tables[0].metadata.create_all(engine, tables=tables)
    with engine.connect() as connection:
        yield connection
    engine.dispose()


@pytest.fixture
def log(conn: sa.Connection) -> Log:
    return Log(conn)


def unit(log: Log, level: OrgLevel, parent: OrgUnit | None = None) -> OrgUnit:
    created = OrgUnit.create(
        name=level.value,
        level=level,
        parent_id=None if parent is None else parent.id,
        parent_level=None if parent is None else parent.level,
        at=local(1, 1),
    )
    log.feed(created)
    return created


@pytest.fixture
def tree(log: Log) -> list[OrgUnit]:
    """Region, city, county, township, village: each the parent of the next."""
    units: list[OrgUnit] = []
    for level in OrgLevel:
        units.append(unit(log, level, units[-1] if units else None))
    return units


def cadre_in(log: Log, org_unit: OrgUnit, kind: CadreKind = CadreKind.FULL_TIME) -> Cadre:
    cadre = Cadre.register(
        name="李书记", kind=kind, org_unit_id=org_unit.id, point_ids=[POINT], at=local(1, 2)
    )
    log.feed(cadre)
    return cadre


def visit(log: Log, cadre: Cadre, start: datetime, minutes: int | None = 90) -> Visit:
    started = Visit.start(
        cadre_id=cadre.id,
        point_id=POINT,
        point_was_assigned=cadre.is_assigned_to(POINT),
        point_geofence=FENCE,
        proof=QrProof(token_step=1),
        at=start,
    )
    if minutes is not None:
        started.end(at=start + timedelta(minutes=minutes))
    log.feed(started)
    return started


def test_instants_are_stored_in_utc_and_read_back_aware(
    conn: sa.Connection, log: Log, tree: list[OrgUnit]
) -> None:
    cadre = cadre_in(log, tree[2])
    # 1 March, 00:30 in Shanghai: 28 February in UTC.
    first = visit(log, cadre, local(3, 1, 0, 30))
    open_visit = visit(log, cadre, local(3, 2), minutes=None)

    stored = conn.execute(
        sa.select(compliance_visits.c.started_at).where(compliance_visits.c.visit_id == first.id)
    ).scalar_one()
    judgement = rejudge(conn, cadre.id, MARCH, AFTER_MARCH, INNER_MONGOLIA_TERMS)

    assert stored.replace(tzinfo=UTC) == datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    assert judgement.counted_days == (date(2026, 3, 1),)
    assert [(v.visit_id, v.reason) for v in judgement.visits] == [
        (first.id, None),
        (open_visit.id, "not-ended"),
    ]


def test_a_youth_met_off_the_list_leaves_no_row_and_one_on_it_names_the_cadre(
    conn: sa.Connection, log: Log, tree: list[OrgUnit]
) -> None:
    cadre = cadre_in(log, tree[4])
    contact = cadre.add_contact(
        id_secret=ID_SECRET, name="张青", phone="13900000001", walk_of_life="牧民", at=local(2, 1)
    )
    log.feed(cadre)
    met = Visit.start(
        cadre_id=cadre.id,
        point_id=POINT,
        point_was_assigned=True,
        point_geofence=FENCE,
        proof=QrProof(token_step=1),
        at=local(3, 3),
    )
    met.meet_youth(name="路过的青年", at=local(3, 3, 9, 5))
    met.meet_youth(name="张青", contact_id=contact, at=local(3, 3, 9, 10))
    log.feed(met)

    rows = conn.execute(
        sa.select(compliance_youths_met.c.cadre_id, compliance_youths_met.c.contact_id)
    ).all()
    assert rows == [(cadre.id, contact)]


def test_a_youth_listed_again_is_a_new_entry_and_each_year_sees_its_own_list(
    conn: sa.Connection, log: Log, tree: list[OrgUnit]
) -> None:
    cadre = cadre_in(log, tree[4], CadreKind.PART_TIME)
    contact = cadre.add_contact(
        id_secret=ID_SECRET,
        name="张青",
        phone="13900000001",
        walk_of_life="牧民",
        at=local(11, 1, year=2025),
    )
    cadre.remove_contact(contact, reason="迁往外地", at=local(12, 31, 23, 0, year=2025))
    cadre.add_contact(
        id_secret=ID_SECRET,
        name="张青",
        phone="13900000001",
        walk_of_life="教师",
        at=local(1, 1, 0, 30),
    )
    log.feed(cadre)

    entries = conn.execute(
        sa.select(compliance_contacts.c.contact_id, compliance_contacts.c.removed_at).order_by(
            compliance_contacts.c.position
        )
    ).all()
    late_2025 = contact_coverage(conn, cadre.id, 2025, local(6, 1))
    in_2026 = contact_coverage(conn, cadre.id, 2026, local(6, 1))

    assert [contact_id for contact_id, _ in entries] == [contact, contact]
    assert entries[0].removed_at is not None
    assert entries[1].removed_at is None
    assert (late_2025.listed, late_2025.target) == (0, 10)
    assert (in_2026.listed, in_2026.still_to_list) == (1, 9)


def _defined(org_unit: OrgUnit, effective_from: date, terms: RuleTerms) -> RuleSet:
    return RuleSet.define(
        name="规则",
        org_unit_id=org_unit.id,
        effective_from=effective_from,
        terms=terms,
        at=local(1, 1),
    )


YEARLY_ONLY = RuleTerms(
    min_visits_per_month=None, min_days_per_month=None, monthly_mode="either", min_days_per_year=5
)


@pytest.mark.parametrize(
    "layout",
    [
        # (level index, effective from, revisions as (effective from, terms)) per rule set
        pytest.param([(0, date(2026, 1, 1), [])], id="the-region-alone"),
        pytest.param(
            [(0, date(2026, 1, 1), []), (2, date(2026, 4, 1), [])],
            id="the-county-only-from-its-first-day",
        ),
        pytest.param(
            [(0, date(2026, 1, 1), []), (2, date(2026, 1, 1), [(date(2026, 3, 15), YEARLY_ONLY)])],
            id="the-county-revised-in-the-month",
        ),
        pytest.param(
            [(2, date(2026, 1, 1), []), (2, date(2026, 2, 1), [])],
            id="two-on-one-unit-the-later-decision",
        ),
        pytest.param(
            [(2, date(2026, 2, 1), []), (2, date(2026, 2, 1), [])],
            id="two-on-one-unit-the-larger-id",
        ),
        pytest.param([(3, date(2026, 1, 1), [])], id="below-the-cadre-governs-nothing"),
    ],
)
@pytest.mark.parametrize(
    "now", [local(3, 10), local(3, 31, 23), AFTER_MARCH, local(2, 15)], ids=str
)
def test_the_governing_rules_are_the_domains_choice(
    conn: sa.Connection,
    log: Log,
    tree: list[OrgUnit],
    layout: list[tuple[int, date, list[tuple[date, RuleTerms]]]],
    now: datetime,
) -> None:
    cadre = cadre_in(log, tree[2])
    candidates: list[tuple[int, RuleSet]] = []
    presets = (INNER_MONGOLIA_TERMS, COUNTY_1_PLUS_3_TERMS)
    for i, (level, effective_from, revisions) in enumerate(layout):
        rule_set = _defined(tree[level], effective_from, presets[i % 2])
        for revised_from, terms in revisions:
            rule_set.revise(effective_from=revised_from, terms=terms, at=local(1, 1))
        log.feed(rule_set)
        if level <= 2:  # on the cadre's unit or above it
            candidates.append((level, rule_set))

    found = governing_rules(conn, cadre.id, MARCH, now)

    # The day that decides is March's last once it is over, else today (from the 1st).
    day = min(date(2026, 3, 31), max(date(2026, 3, 1), now.date()))
    expected = governing_rule_set(candidates, day)
    if expected is None:
        assert found.is_default
        assert found.terms == INNER_MONGOLIA_TERMS
    else:
        version = expected.version_on(day)
        assert version is not None
        assert (found.rule_set_id, found.version) == (expected.id, version.number)
        assert found.terms == version.terms
        assert found.org_unit_id == expected.org_unit_id


def test_a_year_and_a_month_can_be_rejudged_under_any_terms(
    conn: sa.Connection, log: Log, tree: list[OrgUnit]
) -> None:
    cadre = cadre_in(log, tree[3])
    for day in (2, 3, 4):
        visit(log, cadre, local(3, day))

    month = rejudge(conn, cadre.id, MARCH, AFTER_MARCH, COUNTY_1_PLUS_3_TERMS)
    year = rejudge(conn, cadre.id, Year(2026), AFTER_MARCH, YEARLY_ONLY)

    assert month.status is Status.MET
    assert (year.status, year.required_days, len(year.counted_days)) == (Status.ON_TRACK, 5, 3)


def _history() -> list[tuple[EventContext, Any]]:
    """Every kind of event the projection reads, several touching rows of earlier ones.

    Points reassigned twice, a youth listed, removed and listed again, a visit
    meeting youths on and off the list before it ends, and a rule set revised
    twice: split anywhere, a batch meets rows an earlier batch wrote.
    """
    region = OrgUnit.create(
        name="自治区", level=OrgLevel.REGION, parent_id=None, parent_level=None, at=local(1, 1)
    )
    cadre = Cadre.register(
        name="李书记",
        kind=CadreKind.FULL_TIME,
        org_unit_id=region.id,
        point_ids=[POINT],
        at=local(1, 2),
    )
    other = Cadre.register(
        name="王书记", kind=CadreKind.PART_TIME, org_unit_id=region.id, point_ids=[], at=local(1, 2)
    )
    second_point = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
    cadre.reassign_points([POINT, second_point], at=local(1, 3))
    contact = cadre.add_contact(
        id_secret=ID_SECRET, name="张青", phone="13900000001", walk_of_life="牧民", at=local(1, 4)
    )
    other.add_contact(
        id_secret=ID_SECRET, name="张青", phone="13900000001", walk_of_life="牧民", at=local(1, 4)
    )
    visit = Visit.start(
        cadre_id=cadre.id,
        point_id=second_point,
        point_was_assigned=True,
        point_geofence=FENCE,
        proof=QrProof(token_step=1),
        at=local(2, 1),
    )
    visit.meet_youth(name="路过的青年", at=local(2, 1, 9, 5))
    visit.meet_youth(name="张青", contact_id=contact, at=local(2, 1, 9, 10))
    visit.end(at=local(2, 1, 11))
    cadre.remove_contact(contact, reason="迁往外地", at=local(2, 2))
    cadre.add_contact(
        id_secret=ID_SECRET, name="张青", phone="13900000001", walk_of_life="教师", at=local(2, 3)
    )
    cadre.reassign_points([POINT], at=local(2, 4))
    rule_set = _defined(region, date(2026, 1, 1), INNER_MONGOLIA_TERMS)
    rule_set.revise(effective_from=date(2026, 3, 1), terms=COUNTY_1_PLUS_3_TERMS, at=local(2, 5))
    rule_set.revise(effective_from=date(2026, 6, 1), terms=YEARLY_ONLY, at=local(2, 6))
    open_visit = Visit.start(
        cadre_id=other.id,
        point_id=POINT,
        point_was_assigned=False,
        point_geofence=FENCE,
        proof=QrProof(token_step=1),
        at=local(3, 1),
    )

    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    pending = [
        event
        for aggregate in (cadre, other, visit, rule_set, open_visit)
        for event in aggregate.collect_events()
    ]
    # In time order, as the log would hold them; each aggregate's own stay in order.
    pending.sort(key=lambda event: event.timestamp)
    history = []
    for i, stored in enumerate(pending):
        event: Any = mapper.to_domain_event(mapper.to_stored_event(stored))
        context = EventContext(
            3 * (i + 1), event.originator_id, event.originator_version, event.timestamp
        )
        history.append((context, event))
    return history


def _project(batches: list[list[tuple[EventContext, Any]]]) -> list[list[tuple[Any, ...]]]:
    """Every row of every table after applying ``batches`` in order to an empty database."""
    engine = sa.create_engine("sqlite://")
    tables = CadreCompliance.tables
    tables[0].metadata.create_all(engine, tables=tables)
    projection = CadreCompliance()
    try:
        with engine.begin() as connection:
            for batch in batches:
                projection.apply_batch(connection, batch)
            return [
                CadreCompliance.rows(connection, table, table.primary_key.columns)
                for table in tables
            ]
    finally:
        engine.dispose()


def test_the_rows_are_the_same_wherever_the_log_is_split_into_batches() -> None:
    history = _history()
    one_by_one = _project([[item] for item in history])

    assert one_by_one == _project([history])
    for cut in range(1, len(history)):
        assert _project([history[:cut], history[cut:]]) == one_by_one, cut
    for first in range(1, len(history) - 1):
        for second in range(first + 1, len(history)):
            batches = [history[:first], history[first:second], history[second:]]
            assert _project(batches) == one_by_one, (first, second)


def test_a_split_history_keeps_each_entry_removal_and_version_where_it_belongs() -> None:
    history = _history()
    rows = dict(
        zip(
            (table.name for table in CadreCompliance.tables),
            _project([history[: len(history) // 2], history[len(history) // 2 :]]),
            strict=True,
        )
    )

    versions = [(version, terms) for _, version, _, terms in rows["compliance_rule_versions"]]
    assert [version for version, _ in versions] == [1, 2, 3]
    assert [entry[-1] is None for entry in rows["compliance_contacts"]] == [False, True, True]
    assert len(rows["compliance_cadre_points"]) == 1
    assert [visit[4] is None for visit in rows["compliance_visits"]].count(True) == 1
    assert len(rows["compliance_youths_met"]) == 1
