"""The grassroots points read model, fed from the real application's log, on SQLite
and PostgreSQL: the points of a subtree, retired ones marked, a rebuild equal to the
incremental run."""

from __future__ import annotations

from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from grassroots.projections.grassroots_points import (
    GrassrootsPoints,
    grassroots_points,
    point_row,
    points_under,
)
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.integration.builders import World, build_world

PLACE = GeoPoint(40.85, 111.75)


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def _read_side(app: Grassroots, read_engine: Engine, batch_size: int) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    return ReadSide(
        read_engine, log, projections=[OrgTree, GrassrootsPoints], batch_size=batch_size
    )


def _point(app: Grassroots, name: str, unit: UUID) -> UUID:
    return app.designate_point(name=name, org_unit_id=unit, location=PLACE, geofence_radius_m=200)


def _rows(read_engine: Engine) -> list[tuple[object, ...]]:
    with read_engine.connect() as conn:
        query = sa.select(grassroots_points).order_by(grassroots_points.c.point_id)
        return [tuple(r) for r in conn.execute(query)]


def test_a_subtree_lists_its_points_below_it_and_not_its_neighbours_nor_retired_ones(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=2)
    other_township = app.create_org_unit(
        name="中山东路街道", level=OrgLevel.TOWNSHIP, parent_id=world.county
    )
    elsewhere = _point(app, "中山东路联系点", other_township)
    at_township = _point(app, "街道联系点", world.township)
    read_side.catch_up()
    # Retired in a later batch than its designation, then one retired in the same batch.
    app.retire_point(at_township, reason="并入东风社区联系点")
    same_batch = _point(app, "临时联系点", world.village)
    app.retire_point(same_batch, reason="活动结束")
    read_side.catch_up()

    with read_engine.connect() as conn:
        township = points_under(conn, world.township)
        with_retired = points_under(conn, world.township, include_retired=True)
        county = points_under(conn, world.county)
        one = point_row(conn, world.point)
        unknown = point_row(conn, UUID(int=7))

    assert [(p.name, p.unit_name) for p in township] == [("东风社区联系点", "东风社区")]
    assert {p.point_id: p.retired for p in with_retired} == {
        world.point: False,
        at_township: True,
        same_batch: True,
    }
    assert {p.point_id for p in county} == {world.point, elsewhere}
    assert one is not None
    assert one.org_unit_id == world.village
    assert not one.retired
    assert unknown is None


def test_rebuilding_from_the_log_gives_the_rows_of_the_incremental_run(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=1)
    points = [_point(app, f"联系点{n}", world.village) for n in range(5)]
    read_side.catch_up()
    app.retire_point(points[1], reason="撤销")
    app.relocate_point(points[2], location=GeoPoint(40.9, 111.8), geofence_radius_m=300)
    app.retire_point(points[3], reason="撤销")
    read_side.catch_up()
    incremental = _rows(read_engine)

    for runner in read_side.runners.values():
        runner.rebuild()

    assert len(incremental) == 6
    assert sum(1 for row in incremental if row[-1]) == 2
    assert _rows(read_engine) == incremental


def test_points_of_two_villages_of_one_name_are_told_apart_by_the_unit_above(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=50)
    east = app.create_org_unit(name="东风镇", level=OrgLevel.TOWNSHIP, parent_id=world.county)
    west = app.create_org_unit(name="团结乡", level=OrgLevel.TOWNSHIP, parent_id=world.county)
    points = {
        township: _point(
            app,
            "光明村团员青年联系点",
            app.create_org_unit(name="光明村", level=OrgLevel.VILLAGE, parent_id=township),
        )
        for township in (east, west)
    }
    read_side.catch_up()

    with read_engine.connect() as conn:
        listed = {p.point_id: p.place for p in points_under(conn, world.county)}
        top = point_row(conn, world.point)

    assert listed[points[east]] == "东风镇 / 光明村"
    assert listed[points[west]] == "团结乡 / 光明村"
    assert top is not None
    assert top.place == "海拉尔东路街道 / 东风社区"
