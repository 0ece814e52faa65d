"""Grassroots points: each point's name, org unit and whether it is retired.

A supervisor finds the points of their subtree here, to open a point's screen
(its rotating code). One table, ``grassroots_points``; the subtree is the
organisation tree's closure (``org_tree.subtree_of``).

Fed by ``GrassrootsPoint.Designated`` (a row) and ``GrassrootsPoint.Retired``
(the row marked). ``Relocated`` moves the geofence only, which this model does
not keep. Updated asynchronously, like every read model: a point designated a
moment ago may be missing for a moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import BatchStart, EventContext, Projection, handles
from grassroots.projections.org_tree import org_units, subtree_of

__all__ = ["GrassrootsPoints", "PointRow", "grassroots_points", "point_row", "points_under"]

grassroots_points = sa.Table(
    "grassroots_points",
    metadata,
    sa.Column("point_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False, index=True),
    sa.Column("retired", sa.Boolean, nullable=False),
)

_INSERT = Bulk.insert_into(grassroots_points, sort_by=["point_id"])
_RETIRE = Bulk(
    grassroots_points.update()
    .where(grassroots_points.c.point_id == sa.bindparam("b_point_id"))
    .values(retired=sa.bindparam("b_retired")),
    sort_by=["b_point_id"],
)


@dataclass
class _Batch:
    # Designated in this batch: inserted whole, a retirement in the same batch folded in.
    new: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    # Designated before this batch and retired in it.
    retired: set[UUID] = field(default_factory=set)


class GrassrootsPoints(Projection):
    name = "grassroots_points"
    tables = (grassroots_points,)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        # Nothing to load: a retirement of a row made before is an update by key.
        return _Batch()

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        _INSERT.execute(conn, list(state.new.values()))
        _RETIRE.execute(conn, [{"b_point_id": p, "b_retired": True} for p in state.retired])

    @handles(GrassrootsPoint.Designated)
    def _designated(self, state: _Batch, e: GrassrootsPoint.Designated, ctx: EventContext) -> None:
        state.new[ctx.originator_id] = {
            "point_id": ctx.originator_id,
            "name": e.name,
            "org_unit_id": e.org_unit_id,
            "retired": False,
        }

    @handles(GrassrootsPoint.Retired)
    def _retired(self, state: _Batch, e: GrassrootsPoint.Retired, ctx: EventContext) -> None:
        row = state.new.get(ctx.originator_id)
        if row is not None:
            row["retired"] = True
        else:
            state.retired.add(ctx.originator_id)


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PointRow:
    point_id: UUID
    name: str
    org_unit_id: UUID
    # None only for a unit the tree has not caught up with yet.
    unit_name: str | None
    retired: bool
    # The name of the unit above the point's: villages of one county may share a name
    # (two 光明村), and "东风镇 / 光明村" tells their points apart.
    parent_unit_name: str | None = None

    @property
    def place(self) -> str:
        return " / ".join(n for n in (self.parent_unit_name, self.unit_name) if n)


_PARENT = org_units.alias("parent_unit")
_SELECT = (
    sa.select(
        grassroots_points,
        org_units.c.name.label("unit_name"),
        _PARENT.c.name.label("parent_unit_name"),
    )
    .outerjoin(org_units, org_units.c.org_unit_id == grassroots_points.c.org_unit_id)
    .outerjoin(_PARENT, _PARENT.c.org_unit_id == org_units.c.parent_id)
)


def _row(r: Any) -> PointRow:
    return PointRow(r.point_id, r.name, r.org_unit_id, r.unit_name, r.retired, r.parent_unit_name)


def points_under(
    conn: sa.Connection, org_unit_id: UUID, *, include_retired: bool = False, below: bool = True
) -> list[PointRow]:
    """The points of the unit and every unit below it (of the unit alone when not
    ``below``), by unit name then point name."""
    c = grassroots_points.c
    in_place = c.org_unit_id.in_(subtree_of(org_unit_id)) if below else c.org_unit_id == org_unit_id
    query = _SELECT.where(in_place)
    if not include_retired:
        query = query.where(grassroots_points.c.retired.is_(False))
    found = [_row(r) for r in conn.execute(query)]
    # Sorted here, not in SQL: collations order Chinese names differently.
    return sorted(found, key=lambda p: (p.place, p.name, p.point_id))


def point_row(conn: sa.Connection, point_id: UUID) -> PointRow | None:
    """The point, or None when it is unknown (or not projected yet)."""
    found = conn.execute(_SELECT.where(grassroots_points.c.point_id == point_id)).first()
    return None if found is None else _row(found)
