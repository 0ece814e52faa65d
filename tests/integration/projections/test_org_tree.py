"""The org tree read model: every unit sees its whole subtree, also after a move."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.org_tree import OrgTree, org_closure, org_units, subtree_of
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.integration.builders import build_world


def test_a_unit_sees_itself_and_everything_below_it_and_a_move_carries_the_subtree(
    app: Grassroots, read_engine: Engine
) -> None:
    world = build_world(app)
    other_county = app.create_org_unit(name="回民区", level=OrgLevel.COUNTY, parent_id=world.city)
    read_side = ReadSide(read_engine, EventLog(app.recorder, app.mapper), projections=[OrgTree])
    read_side.catch_up()

    def subtree(unit: object) -> set[object]:
        with read_engine.connect() as conn:
            return set(conn.execute(subtree_of(unit)).scalars())  # type: ignore[arg-type]

    assert subtree(world.county) == {world.county, world.township, world.village}
    assert subtree(world.region) >= {world.city, world.county, world.village, other_county}

    app.move_org_unit(world.township, parent_id=other_county)
    app.rename_org_unit(world.township, "海拉尔东路街道（新）")
    read_side.catch_up()

    assert subtree(world.county) == {world.county}
    assert subtree(other_county) == {other_county, world.township, world.village}
    assert subtree(world.city) >= {world.township, world.village, other_county, world.county}
    with read_engine.connect() as conn:
        depth = conn.execute(
            sa.select(org_closure.c.depth).where(
                org_closure.c.ancestor_id == world.region,
                org_closure.c.descendant_id == world.village,
            )
        ).scalar()
        name = conn.execute(
            sa.select(org_units.c.name).where(org_units.c.org_unit_id == world.township)
        ).scalar()
    assert depth == 4
    assert name == "海拉尔东路街道（新）"
    runner = read_side.runner("org_tree")
    with read_engine.connect() as conn:
        before = OrgTree.rows(conn, org_closure, list(org_closure.c))
    runner.rebuild()
    with read_engine.connect() as conn:
        assert OrgTree.rows(conn, org_closure, list(org_closure.c)) == before
