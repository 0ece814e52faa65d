"""Cadre "8+4" compliance and "1+100" coverage, fed from the log, on SQLite and PostgreSQL.

The read model stores facts; every status here is computed when asked, with the
``now`` the test passes in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.cadre import CadreKind
from grassroots.domain.compliance import Month, Status, Year
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.qr_token import QrSubject, SubjectKind, mint_token
from grassroots.domain.rules import COUNTY_1_PLUS_3_TERMS, INNER_MONGOLIA_TERMS, RuleTerms
from grassroots.domain.values import GeoPoint
from grassroots.projections.compliance.facts import CadreCompliance
from grassroots.projections.compliance.verdicts import (
    CadreNotFound,
    GoverningRules,
    applicable_rule_sets,
    cadre_standing,
    contact_coverage,
    governing_rules,
    rejudge,
    unit_compliance,
    unit_compliance_under,
)
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, register_cadre

MARCH = Month(2026, 3)
APRIL = Month(2026, 4)
# 1 April 2026, 10:00 in Asia/Shanghai: March is over.
AFTER_MARCH = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)


def shanghai(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    """A wall-clock time in Asia/Shanghai (UTC+8, no daylight saving), as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def utc(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def read_side(app: Grassroots, read_engine: Engine) -> ReadSide:
    return ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=[OrgTree, CadreCompliance]
    )


def point_token(app: Grassroots, point_id: UUID) -> str:
    return mint_token(
        secret=app.config.secret_key,
        subject=QrSubject(SubjectKind.POINT, point_id),
        at=app.now(),
        rotation_seconds=app.config.qr_rotation_seconds,
    )


def visit(
    app: Grassroots,
    clock: FakeClock,
    cadre: UUID,
    point: UUID,
    start: datetime,
    minutes: int = 90,
) -> UUID:
    """A visit proven by the point's code, ended ``minutes`` later."""
    clock.set(start)
    visit_id = app.start_visit(cadre, point, token=point_token(app, point))
    clock.advance(minutes=minutes)
    app.end_visit(visit_id)
    return visit_id


def cadre_at(app: Grassroots, world: World, unit: UUID, name: str, **options: Any) -> UUID:
    return app.register_cadre(
        name=name,
        kind=options.get("kind", CadreKind.FULL_TIME),
        org_unit_id=unit,
        point_ids=[world.point],
    )


def test_a_month_met_under_the_default_preset_is_missed_under_the_county_preset(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    cadre = register_cadre(app, world)
    visit(app, clock, cadre, world.point, shanghai(3, 3))
    visit(app, clock, cadre, world.point, shanghai(3, 10))

    read_side.catch_up()

    with read_side.engine.connect() as conn:
        standing = cadre_standing(conn, cadre, MARCH, AFTER_MARCH)
        rules = governing_rules(conn, cadre, MARCH, AFTER_MARCH)
        what_if = rejudge(conn, cadre, MARCH, AFTER_MARCH, COUNTY_1_PLUS_3_TERMS)
    # No rule set anywhere: the Inner Mongolia preset (2 visits or 3 days) judges.
    assert rules.is_default
    assert rules.terms == INNER_MONGOLIA_TERMS
    assert standing.status is Status.MET
    assert standing.counted_visits == 2
    assert standing.counted_days == (date(2026, 3, 3), date(2026, 3, 10))
    assert tuple(standing.still_needed) == (0, 0)
    # The same two visits under "1+3" (3 visits a month) miss by one.
    assert what_if.status is Status.MISSED
    assert what_if.counted_visits == 2
    assert what_if.still_needed.visits == 1
    assert what_if.terms == COUNTY_1_PLUS_3_TERMS


def test_while_the_month_runs_the_status_and_what_is_still_needed_follow_now(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    cadre = register_cadre(app, world)
    visit(app, clock, cadre, world.point, shanghai(3, 3))
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        early = cadre_standing(conn, cadre, MARCH, shanghai(3, 4, 12))
        last_day = cadre_standing(conn, cadre, MARCH, shanghai(3, 31, 12))
        over = cadre_standing(conn, cadre, MARCH, AFTER_MARCH)
    # One visit of two: plenty of workdays left early on, one left on Tuesday the 31st.
    assert early.status is Status.ON_TRACK
    assert early.still_needed.visits == 1
    assert last_day.status is Status.BEHIND
    assert over.status is Status.MISSED


def test_a_revision_in_the_middle_of_the_year_governs_the_later_months_only(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    rule_set = app.define_rule_set(
        name="内蒙古自治区团干部下沉规则",
        org_unit_id=world.region,
        effective_from=date(2026, 1, 1),
        terms=INNER_MONGOLIA_TERMS,
    )
    cadre = register_cadre(app, world)
    for day in (2, 9):
        visit(app, clock, cadre, world.point, shanghai(6, day))
        visit(app, clock, cadre, world.point, shanghai(7, day))
    clock.set(shanghai(7, 20))
    assert (
        app.revise_rule_set(rule_set, effective_from=date(2026, 7, 1), terms=COUNTY_1_PLUS_3_TERMS)
        == 2
    )
    read_side.catch_up()

    now = shanghai(8, 15)
    with read_side.engine.connect() as conn:
        june = cadre_standing(conn, cadre, Month(2026, 6), now)
        july = cadre_standing(conn, cadre, Month(2026, 7), now)
        june_rules = governing_rules(conn, cadre, Month(2026, 6), now)
        july_rules = governing_rules(conn, cadre, Month(2026, 7), now)
    assert (june_rules.rule_set_id, june_rules.version) == (rule_set, 1)
    assert (july_rules.rule_set_id, july_rules.version) == (rule_set, 2)
    assert july_rules.effective_from == date(2026, 7, 1)
    # Two visits each month: enough under the first version, short under the second.
    assert june.status is Status.MET
    assert july.status is Status.MISSED
    assert july.still_needed.visits == 1


def test_a_countys_rule_set_overrides_the_regions_for_its_subtree_from_its_first_day(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    clock.set(shanghai(1, 5))
    other_county = app.create_org_unit(name="回民区", level=OrgLevel.COUNTY, parent_id=world.city)
    region_rules = app.define_rule_set(
        name="自治区规则",
        org_unit_id=world.region,
        effective_from=date(2026, 1, 1),
        terms=INNER_MONGOLIA_TERMS,
    )
    county_rules = app.define_rule_set(
        name="新城区“1+3”",
        org_unit_id=world.county,
        effective_from=date(2026, 3, 1),
        terms=COUNTY_1_PLUS_3_TERMS,
    )
    inside = cadre_at(app, world, world.township, "街道团工委书记")
    outside = cadre_at(app, world, other_county, "回民区团委书记")
    for cadre in (inside, outside):
        for day in (3, 10):
            visit(app, clock, cadre, world.point, shanghai(2, day))
            visit(app, clock, cadre, world.point, shanghai(3, day))
    read_side.catch_up()

    february = Month(2026, 2)
    with read_side.engine.connect() as conn:
        inside_feb = governing_rules(conn, inside, february, AFTER_MARCH)
        inside_march = governing_rules(conn, inside, MARCH, AFTER_MARCH)
        outside_march = governing_rules(conn, outside, MARCH, AFTER_MARCH)
        statuses = {
            (cadre, month): cadre_standing(conn, cadre, month, AFTER_MARCH).status
            for cadre in (inside, outside)
            for month in (february, MARCH)
        }
    assert inside_feb.rule_set_id == region_rules  # the county's rules begin in March
    assert inside_march.rule_set_id == county_rules
    assert inside_march.org_unit_id == world.county
    assert outside_march.rule_set_id == region_rules
    assert statuses == {
        (inside, february): Status.MET,
        (inside, MARCH): Status.MISSED,
        (outside, february): Status.MET,
        (outside, MARCH): Status.MET,
    }


def test_the_rule_sets_over_a_unit_are_listed_closest_first_with_the_one_that_governs(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    clock.set(shanghai(1, 5))
    region_rules = app.define_rule_set(
        name="自治区规则",
        org_unit_id=world.region,
        effective_from=date(2026, 1, 1),
        terms=INNER_MONGOLIA_TERMS,
    )
    county_rules = app.define_rule_set(
        name="新城区“1+3”",
        org_unit_id=world.county,
        effective_from=date(2026, 3, 1),
        terms=INNER_MONGOLIA_TERMS,
    )
    app.revise_rule_set(county_rules, effective_from=date(2026, 4, 1), terms=COUNTY_1_PLUS_3_TERMS)
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        in_february = applicable_rule_sets(conn, world.village, date(2026, 2, 15))
        in_april = applicable_rule_sets(conn, world.village, date(2026, 4, 15))
        above_it = applicable_rule_sets(conn, world.city, date(2026, 4, 15))
    assert [(r.rule_set_id, r.governs) for r in in_february] == [
        (county_rules, False),  # not in force before March
        (region_rules, True),
    ]
    assert [(r.rule_set_id, r.governs) for r in in_april] == [
        (county_rules, True),
        (region_rules, False),
    ]
    county, region = in_april
    assert county.levels_up < region.levels_up
    assert [(v.number, v.effective_from, v.terms) for v in county.versions] == [
        (1, date(2026, 3, 1), INNER_MONGOLIA_TERMS),
        (2, date(2026, 4, 1), COUNTY_1_PLUS_3_TERMS),
    ]
    # The county's rule set governs below it, never above it.
    assert [r.rule_set_id for r in above_it] == [region_rules]


def test_a_what_if_judges_the_same_cadres_and_visits_under_the_rules_given(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    cadre = register_cadre(app, world)
    visit(app, clock, cadre, world.point, shanghai(3, 3))
    short = visit(app, clock, cadre, world.point, shanghai(3, 10), minutes=30)
    read_side.catch_up()

    under_county = GoverningRules(COUNTY_1_PLUS_3_TERMS)
    with read_side.engine.connect() as conn:
        actual = unit_compliance(conn, world.county, MARCH, AFTER_MARCH)
        what_if = unit_compliance_under(conn, world.county, MARCH, AFTER_MARCH, under_county)
        alone = rejudge(conn, cadre, MARCH, AFTER_MARCH, COUNTY_1_PLUS_3_TERMS)
    assert [c.cadre_id for c in what_if.cadres] == [c.cadre_id for c in actual.cadres]
    (standing,) = [c for c in what_if.cadres if c.cadre_id == cadre]
    assert standing.rules is under_county
    assert standing.judgement == alone
    assert standing.status is Status.MISSED
    assert [(v.visit_id, v.reason) for v in standing.uncounted] == [(short, "too-short")]


def test_visits_that_did_not_count_are_listed_with_their_reasons(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    other_point = app.designate_point(
        name="海拉尔东路街道联系点",
        org_unit_id=world.township,
        location=GeoPoint(40.8500, 111.7600),
        geofence_radius_m=200,
    )
    cadre = register_cadre(app, world)
    counted = visit(app, clock, cadre, world.point, shanghai(3, 3))
    too_short = visit(app, clock, cadre, world.point, shanghai(3, 10), minutes=59)
    elsewhere = visit(app, clock, cadre, other_point, shanghai(3, 17))
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        standing = cadre_standing(conn, cadre, MARCH, AFTER_MARCH)
        unit = unit_compliance(conn, world.county, MARCH, AFTER_MARCH)
    assert [(v.visit_id, v.counted, v.reason) for v in standing.visits] == [
        (counted, True, None),
        (too_short, False, "too-short"),
        (elsewhere, False, "not-assigned-point"),
    ]
    (lagging,) = unit.behind_or_missed
    assert lagging.cadre_id == cadre
    assert lagging.status is Status.MISSED
    assert [(u.visit_id, u.point_id, u.reason) for u in lagging.uncounted] == [
        (too_short, world.point, "too-short"),
        (elsewhere, other_point, "not-assigned-point"),
    ]
    assert lagging.uncounted[0].started_at == shanghai(3, 10)
    assert lagging.uncounted[0].ended_at == shanghai(3, 10, 9, 59)


def test_a_visit_belongs_to_the_month_of_its_local_date_in_shanghai(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    cadre = register_cadre(app, world)
    # 28 February 16:30 UTC is 1 March 00:30 in Shanghai; 31 March 14:00 UTC is 22:00
    # there, still March; 31 March 16:30 UTC is 1 April 00:30.
    first_of_march = visit(app, clock, cadre, world.point, utc(2, 28, 16, 30))
    last_of_march = visit(app, clock, cadre, world.point, utc(3, 31, 14, 0))
    first_of_april = visit(app, clock, cadre, world.point, utc(3, 31, 16, 30))
    read_side.catch_up()

    now = shanghai(5, 1)
    with read_side.engine.connect() as conn:
        february = cadre_standing(conn, cadre, Month(2026, 2), now)
        march = cadre_standing(conn, cadre, MARCH, now)
        april = cadre_standing(conn, cadre, APRIL, now)
    assert february.visits == ()
    assert [v.visit_id for v in march.visits] == [first_of_march, last_of_march]
    assert march.counted_days == (date(2026, 3, 1), date(2026, 3, 31))
    assert march.status is Status.MET
    assert [v.visit_id for v in april.visits] == [first_of_april]
    assert april.counted_days == (date(2026, 4, 1),)


def test_a_units_roll_up_gives_the_met_share_and_who_is_behind_or_missed(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    other_county = app.create_org_unit(name="回民区", level=OrgLevel.COUNTY, parent_id=world.city)
    empty_township = app.create_org_unit(
        name="通道街街道", level=OrgLevel.TOWNSHIP, parent_id=other_county
    )
    met = cadre_at(app, world, world.county, "甲")
    behind = cadre_at(app, world, world.township, "乙")
    missed = cadre_at(app, world, world.village, "丙")
    elsewhere = cadre_at(app, world, other_county, "丁")
    for cadre, days in ((met, (3, 10)), (behind, (17,)), (elsewhere, ())):
        for day in days:
            visit(app, clock, cadre, world.point, shanghai(3, day))
    # Registered after March: no duty in March, so not in March's roll-up.
    clock.set(shanghai(4, 2))
    later = cadre_at(app, world, world.village, "戊")
    read_side.catch_up()

    # Tuesday 31 March, noon: one workday left.
    now = shanghai(3, 31, 12)
    with read_side.engine.connect() as conn:
        county = unit_compliance(conn, world.county, MARCH, now)
        township = unit_compliance(conn, world.township, MARCH, now)
        singles = {c: cadre_standing(conn, c, MARCH, now) for c in (met, behind, missed)}
    # Ordered by name, in code-point order: 丙 (U+4E19), 乙 (U+4E59), 甲 (U+7532).
    assert [c.cadre_id for c in county.cadres] == [missed, behind, met]
    assert {c.cadre_id: c.status for c in county.cadres} == {
        met: Status.MET,
        behind: Status.BEHIND,
        missed: Status.MISSED,
    }
    assert (county.met, county.total) == (1, 3)
    assert county.share == pytest.approx(1 / 3)
    assert county.count(Status.BEHIND) == 1
    # The worst first.
    assert [c.cadre_id for c in county.behind_or_missed] == [missed, behind]
    # The roll-up judges each cadre exactly as a question about that cadre alone would.
    assert all(c.judgement == singles[c.cadre_id] for c in county.cadres)
    assert {c.cadre_id for c in township.cadres} == {behind, missed}
    assert township.share == 0.0
    assert later not in {c.cadre_id for c in county.cadres}

    with read_side.engine.connect() as conn:
        april = unit_compliance(conn, world.county, APRIL, shanghai(4, 3))
        nobody = unit_compliance(conn, empty_township, APRIL, shanghai(4, 3))
    assert later in {c.cadre_id for c in april.cadres}
    assert (nobody.total, nobody.share, nobody.behind_or_missed) == (0, None, ())


def test_coverage_counts_the_list_against_the_target_and_the_listed_youths_met(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    clock.set(shanghai(12, 20, year=2025))
    cadre = register_cadre(app, world)
    a = app.add_contact(cadre, name="张青", phone="13900000001", walk_of_life="外卖骑手")
    b = app.add_contact(cadre, name="王蒙", phone="13900000002", walk_of_life="大学生")
    app.add_contact(cadre, name="赵敏", phone="13900000003", walk_of_life="个体户")
    # A visit across midnight of New Year's Eve, Shanghai time.
    clock.set(shanghai(12, 31, 23, 0, year=2025))
    eve = app.start_visit(cadre, world.point, token=point_token(app, world.point))
    clock.advance(minutes=30)
    app.record_youth_met(eve, name="张青", contact_id=a)  # 23:30, still 2025
    clock.advance(minutes=60)
    app.record_youth_met(eve, name="王蒙", contact_id=b)  # 00:30, already 2026
    app.end_visit(eve)
    clock.set(shanghai(3, 10))
    spring = app.start_visit(cadre, world.point, token=point_token(app, world.point))
    clock.advance(minutes=10)
    app.record_youth_met(spring, name="张青", contact_id=a)
    app.record_youth_met(spring, name="路过的青年")  # not on the list
    clock.advance(minutes=80)
    app.end_visit(spring)
    clock.set(shanghai(4, 1))
    app.remove_contact(cadre, b, reason="已迁往外地")
    read_side.catch_up()

    now = shanghai(5, 1)
    with read_side.engine.connect() as conn:
        year_2025 = contact_coverage(conn, cadre, 2025, now)
        year_2026 = contact_coverage(conn, cadre, 2026, now)
    # 2025 as it stood at its end: all three listed; only 张青 met before midnight.
    assert (year_2025.target, year_2025.listed) == (100, 3)
    assert [(m.contact_id, m.meetings) for m in year_2025.met] == [(a, 1)]
    # 2026 so far: 王蒙 was met on New Year's morning but has since left the list.
    assert (year_2026.target, year_2026.listed, year_2026.still_to_list) == (100, 2, 98)
    assert [(m.contact_id, m.name, m.meetings) for m in year_2026.met] == [(a, "张青", 1)]
    assert year_2026.met_face_to_face == 1
    assert year_2026.met[0].last_met_at == shanghai(3, 10, 9, 10)
    assert year_2026.rules.is_default


def test_the_contact_target_follows_the_cadre_kind_and_the_governing_rule_set(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    part_timer = cadre_at(app, world, world.village, "兼职团干部", kind=CadreKind.PART_TIME)
    app.add_contact(part_timer, name="张青", phone="13900000001", walk_of_life="牧民")
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        before = contact_coverage(conn, part_timer, 2026, shanghai(5, 1))
    assert (before.kind, before.target, before.listed) == ("part_time", 10, 1)
    assert not before.list_complete

    app.define_rule_set(
        name="全国标准",
        org_unit_id=world.county,
        effective_from=date(2026, 1, 1),
        terms=RuleTerms(
            min_visits_per_month=2,
            min_days_per_month=None,
            monthly_mode="either",
            contact_targets={"full_time": 100, "seconded": 100, "part_time": 100},
        ),
    )
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        after = contact_coverage(conn, part_timer, 2026, shanghai(5, 1))
    assert after.target == 100
    assert not after.rules.is_default


def test_an_unknown_cadre_is_reported_as_not_found(
    app: Grassroots, read_side: ReadSide, world: World
) -> None:
    read_side.catch_up()
    with read_side.engine.connect() as conn, pytest.raises(CadreNotFound):
        cadre_standing(conn, world.county, MARCH, AFTER_MARCH)


def test_a_year_is_judged_on_the_yearly_minimum_of_the_governing_terms(
    app: Grassroots, read_side: ReadSide, world: World, clock: FakeClock
) -> None:
    app.define_rule_set(
        name="新城区“1+3”",
        org_unit_id=world.county,
        effective_from=date(2026, 1, 1),
        terms=COUNTY_1_PLUS_3_TERMS,
    )
    cadre = register_cadre(app, world)
    for month in range(1, 7):
        for day in (5, 12):
            visit(app, clock, cadre, world.point, shanghai(month, day))
    read_side.catch_up()

    with read_side.engine.connect() as conn:
        year = cadre_standing(conn, cadre, Year(2026), shanghai(7, 1))
    assert year.required_days == 12
    assert len(year.counted_days) == 12
    assert year.status is Status.MET


def test_rebuilding_gives_the_same_rows_as_following_the_log(
    app: Grassroots, read_engine: Engine, world: World, clock: FakeClock
) -> None:
    read_side = ReadSide(
        read_engine,
        EventLog(app.recorder, app.mapper),
        projections=[OrgTree, CadreCompliance],
        batch_size=5,
    )
    rule_set = app.define_rule_set(
        name="自治区规则",
        org_unit_id=world.region,
        effective_from=date(2026, 1, 1),
        terms=INNER_MONGOLIA_TERMS,
    )
    cadre = register_cadre(app, world)
    other = cadre_at(app, world, world.village, "兼职团干部", kind=CadreKind.PART_TIME)
    contact = app.add_contact(cadre, name="张青", phone="13900000001", walk_of_life="大学生")
    read_side.catch_up()
    for day in (3, 4, 10):
        clock.set(shanghai(3, day))
        visit_id = app.start_visit(cadre, world.point, token=point_token(app, world.point))
        clock.advance(minutes=20)
        app.record_youth_met(visit_id, name="张青", contact_id=contact)
        app.record_youth_met(visit_id, name="李青")
        clock.advance(minutes=50)
        app.end_visit(visit_id)
        read_side.catch_up()  # incremental, in uneven steps
    visit(app, clock, other, world.point, shanghai(3, 5), minutes=30)  # too short
    app.reassign_points(other, [])
    clock.set(shanghai(3, 20))
    app.start_visit(cadre, world.point, token=point_token(app, world.point))  # never ended
    app.remove_contact(cadre, contact, reason="不再联系")
    app.add_contact(cadre, name="张青", phone="13900000001", walk_of_life="青年教师")
    app.revise_rule_set(rule_set, effective_from=date(2026, 6, 1), terms=COUNTY_1_PLUS_3_TERMS)
    read_side.catch_up()

    runner = read_side.runner("cadre_compliance")
    projection = runner.projection

    def snapshot() -> dict[str, list[tuple[Any, ...]]]:
        with read_engine.connect() as conn:
            return {
                table.name: projection.rows(conn, table, list(table.primary_key.columns))
                for table in projection.tables
            }

    def standing() -> tuple[object, ...]:
        with read_engine.connect() as conn:
            return (
                cadre_standing(conn, cadre, MARCH, AFTER_MARCH),
                unit_compliance(conn, world.region, MARCH, AFTER_MARCH),
                contact_coverage(conn, cadre, 2026, AFTER_MARCH),
            )

    incremental, judged = snapshot(), standing()
    assert {name: len(rows) for name, rows in incremental.items()} == {
        "compliance_cadres": 2,
        "compliance_cadre_points": 1,
        "compliance_visits": 5,
        "compliance_rule_sets": 1,
        "compliance_rule_versions": 2,
        "compliance_contacts": 2,
        "compliance_youths_met": 3,
    }

    runner.rebuild()

    assert snapshot() == incremental
    assert standing() == judged
