"""A province's history written by the bulk loader: the shape asked for, in events the
application reads back and its read models take in."""

from __future__ import annotations

from datetime import timedelta

from grassroots.application.service import Grassroots
from grassroots.domain.values import IsoWeek
from grassroots.loading import ProvinceShape, generate_province
from grassroots.projections.compliance.verdicts import unit_compliance
from grassroots.projections.ledger import read_ledger
from grassroots.projections.org_tree import subtree_units
from grassroots.projections.read_side import ReadSide
from grassroots.simulation import FIRST_MONDAY

SHAPE = ProvinceShape(
    weeks=2,
    cities=3,
    counties=7,
    centers_per_city=4,
    activities_per_city_year=260,
    volunteers=90,
    capital_counties=2,
    cadres_per_county=5,
    visits_per_cadre_week=0.5,
    regulars_per_city=2,
    regular_share=0.9,
)


def test_the_loader_writes_the_province_it_is_asked_for(
    app: Grassroots, read_side: ReadSide
) -> None:
    province = generate_province(app, seed=3, shape=SHAPE, batch=50)
    read_side.catch_up()

    assert province.events == app.recorder.max_notification_id()
    assert [len(c) for c in province.counties] == [2, 3, 2]
    assert len(province.centers) == 3 * 4
    assert len(province.volunteers) == 90
    assert province.cadres == 2 * 5
    monday = FIRST_MONDAY + timedelta(days=7, hours=12)
    iso = monday.date().isocalendar()
    with read_side.engine.connect() as conn:
        units = subtree_units(conn, province.region)
        capital = unit_compliance(
            conn, province.cities[0], IsoWeek(iso.year, iso.week), monday + timedelta(days=7)
        )
        other = unit_compliance(
            conn, province.cities[1], IsoWeek(iso.year, iso.week), monday + timedelta(days=7)
        )
    # The region, its cities and their counties, as the org tree read model has them.
    assert len(units) == 1 + 3 + 7
    # Every cadre belongs to the capital.
    assert capital.total == 10
    assert other.cadres == ()
    for runner in read_side.runners.values():
        assert runner.position() == province.events


def test_a_citys_regulars_come_far_more_often_than_the_others(
    app: Grassroots, read_side: ReadSide
) -> None:
    province = generate_province(app, seed=3, shape=SHAPE, batch=50)
    read_side.catch_up()

    assert len(province.regulars) == 3 * 2
    assert set(province.regulars) <= set(province.volunteers)
    with read_side.engine.connect() as conn:
        lines = {v: len(read_ledger(conn, v)) for v in province.volunteers}
    others = [n for v, n in lines.items() if v not in province.regulars]
    regulars = [lines[v] for v in province.regulars]
    # Each regular signs up for nine in ten of their city's ten activities (and comes
    # to six in ten of those); the others share what is left among twenty-eight.
    assert sum(regulars) / len(regulars) > 3 * sum(others) / len(others)
