"""The organisation tree as a read model: units, and every (ancestor, descendant) pair.

Other read models roll their figures up the tree by joining ``org_closure``:
a county sees the sum over every unit whose ancestors include it. The closure
holds each unit as its own ancestor at depth 0, so "a unit and everything
below it" is one join.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.org_unit import OrgUnit
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext, Projection, handles

__all__ = ["OrgTree", "org_closure", "org_units", "subtree_of"]

org_units = sa.Table(
    "org_units",
    metadata,
    sa.Column("org_unit_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("parent_id", sa.Uuid, nullable=True),
    sa.Column("time_zone", sa.String(64), nullable=False),
)

org_closure = sa.Table(
    "org_closure",
    metadata,
    sa.Column("ancestor_id", sa.Uuid, primary_key=True),
    sa.Column("descendant_id", sa.Uuid, primary_key=True),
    sa.Column("depth", sa.Integer, nullable=False),
    sa.Index("ix_org_closure_descendant", "descendant_id"),
)


class OrgTree(Projection):
    name = "org_tree"
    tables = (org_units, org_closure)

    @handles(OrgUnit.Created)
    def _created(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        unit = ctx.originator_id
        conn.execute(
            org_units.insert().values(
                org_unit_id=unit,
                name=e.name,
                level=e.level,
                parent_id=e.parent_id,
                time_zone=e.time_zone,
            )
        )
        conn.execute(org_closure.insert().values(ancestor_id=unit, descendant_id=unit, depth=0))
        if e.parent_id is not None:
            conn.execute(
                org_closure.insert().from_select(
                    ["ancestor_id", "descendant_id", "depth"],
                    sa.select(
                        org_closure.c.ancestor_id,
                        sa.literal(unit, sa.Uuid),
                        org_closure.c.depth + 1,
                    ).where(org_closure.c.descendant_id == e.parent_id),
                )
            )

    @handles(OrgUnit.Renamed)
    def _renamed(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        conn.execute(
            org_units.update()
            .where(org_units.c.org_unit_id == ctx.originator_id)
            .values(name=e.name)
        )

    @handles(OrgUnit.Moved)
    def _moved(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        unit = ctx.originator_id
        conn.execute(
            org_units.update().where(org_units.c.org_unit_id == unit).values(parent_id=e.parent_id)
        )
        subtree = [
            (row.descendant_id, row.depth)
            for row in conn.execute(
                sa.select(org_closure.c.descendant_id, org_closure.c.depth).where(
                    org_closure.c.ancestor_id == unit
                )
            )
        ]
        members = [d for d, _ in subtree]
        # Cut the subtree loose from its old ancestors (its inner pairs stay) ...
        conn.execute(
            org_closure.delete().where(
                org_closure.c.descendant_id.in_(members),
                org_closure.c.ancestor_id.not_in(members),
            )
        )
        # ... and hang it under the new parent's ancestors.
        new_ancestors = list(
            conn.execute(
                sa.select(org_closure.c.ancestor_id, org_closure.c.depth).where(
                    org_closure.c.descendant_id == e.parent_id
                )
            )
        )
        rows = [
            {"ancestor_id": ancestor, "descendant_id": member, "depth": up + 1 + down}
            for ancestor, up in new_ancestors
            for member, down in subtree
        ]
        if rows:
            conn.execute(org_closure.insert(), rows)


def subtree_of(org_unit_id: UUID) -> sa.Select[tuple[UUID]]:
    """The ids of a unit and every unit below it, for ``IN (...)`` filters."""
    return sa.select(org_closure.c.descendant_id).where(org_closure.c.ancestor_id == org_unit_id)
