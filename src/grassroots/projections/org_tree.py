"""The organisation tree as a read model: units, and every (ancestor, descendant) pair.

Other read models roll their figures up the tree by joining ``org_closure``:
a county sees the sum over every unit whose ancestors include it. The closure
holds each unit as its own ancestor at depth 0, so "a unit and everything
below it" is one join.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import (
    BatchStart,
    EventContext,
    Projection,
    handles,
    rows_where_in,
)

__all__ = [
    "OrgTree",
    "OrgUnitRow",
    "SubtreeUnit",
    "ancestry_of",
    "org_closure",
    "org_unit",
    "org_units",
    "org_units_page",
    "subtree_of",
    "subtree_units",
    "unit_names",
]

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


@dataclass
class _Batch:
    """A batch's new units and closure rows, written together at its end.

    ``ancestors`` holds each unit's closure rows (ancestor, depth; itself at 0)
    as far as this batch has needed them: those it created, and the parents it
    read. A move changes ancestors, so it writes what is pending and starts over.
    """

    conn: sa.Connection
    units: list[dict[str, Any]] = field(default_factory=list)
    closure: list[dict[str, Any]] = field(default_factory=list)
    ancestors: dict[UUID, list[tuple[UUID, int]]] = field(default_factory=dict)

    def ancestors_of(self, unit: UUID) -> list[tuple[UUID, int]]:
        found = self.ancestors.get(unit)
        if found is None:
            query = sa.select(org_closure.c.ancestor_id, org_closure.c.depth).where(
                org_closure.c.descendant_id == unit
            )
            found = self.ancestors[unit] = [(a, d) for a, d in self.conn.execute(query)]
        return found

    def flush(self) -> None:
        _INSERT_UNITS.execute(self.conn, self.units)
        _INSERT_CLOSURE.execute(self.conn, self.closure)
        self.units.clear()
        self.closure.clear()
        self.ancestors.clear()


class OrgTree(Projection):
    name = "org_tree"
    tables = (org_units, org_closure)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        return _Batch(conn)

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        state.flush()

    @handles(OrgUnit.Created)
    def _created(self, state: _Batch, e: OrgUnit.Created, ctx: EventContext) -> None:
        unit = ctx.originator_id
        state.units.append(
            {
                "org_unit_id": unit,
                "name": e.name,
                "level": e.level,
                "parent_id": e.parent_id,
                "time_zone": e.time_zone,
            }
        )
        # Itself at depth 0, then its parent's ancestors one level further up (an
        # unknown parent has none).
        above = [] if e.parent_id is None else state.ancestors_of(e.parent_id)
        mine = state.ancestors[unit] = [(unit, 0), *((a, d + 1) for a, d in above)]
        state.closure.extend({"ancestor_id": a, "descendant_id": unit, "depth": d} for a, d in mine)

    @handles(OrgUnit.Renamed)
    def _renamed(self, state: _Batch, e: OrgUnit.Renamed, ctx: EventContext) -> None:
        state.flush()
        state.conn.execute(
            org_units.update()
            .where(org_units.c.org_unit_id == ctx.originator_id)
            .values(name=e.name)
        )

    @handles(OrgUnit.Moved)
    def _moved(self, state: _Batch, e: OrgUnit.Moved, ctx: EventContext) -> None:
        state.flush()
        conn = state.conn
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


_INSERT_UNITS = Bulk.insert_into(org_units, sort_by=["org_unit_id"])
_INSERT_CLOSURE = Bulk.insert_into(org_closure, sort_by=["ancestor_id", "descendant_id"])


def subtree_of(org_unit_id: UUID) -> sa.Select[tuple[UUID]]:
    """The ids of a unit and every unit below it, for ``IN (...)`` filters."""
    return sa.select(org_closure.c.descendant_id).where(org_closure.c.ancestor_id == org_unit_id)


# --- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class OrgUnitRow:
    """One org unit as the tree stores it."""

    org_unit_id: UUID
    name: str
    level: OrgLevel
    parent_id: UUID | None
    time_zone: str


def _unit_row(row: Any) -> OrgUnitRow:
    return OrgUnitRow(
        org_unit_id=row.org_unit_id,
        name=row.name,
        level=OrgLevel(row.level),
        parent_id=row.parent_id,
        time_zone=row.time_zone,
    )


def org_units_page(
    conn: sa.Connection,
    *,
    parent_id: UUID | None = None,
    level: OrgLevel | None = None,
    limit: int,
    offset: int = 0,
) -> list[OrgUnitRow]:
    """Units by name (then id), the children of ``parent_id`` or one ``level`` if given."""
    c = org_units.c
    select = sa.select(org_units)
    if parent_id is not None:
        select = select.where(c.parent_id == parent_id)
    if level is not None:
        select = select.where(c.level == level.value)
    select = select.order_by(c.name, c.org_unit_id).limit(limit).offset(offset)
    return [_unit_row(r) for r in conn.execute(select)]


def org_unit(conn: sa.Connection, org_unit_id: UUID) -> OrgUnitRow | None:
    """The unit, or None when it is unknown (or not projected yet)."""
    row = conn.execute(sa.select(org_units).where(org_units.c.org_unit_id == org_unit_id)).first()
    return None if row is None else _unit_row(row)


def ancestry_of(conn: sa.Connection, org_unit_id: UUID) -> list[UUID] | None:
    """The unit's ancestors, nearest first; None when the tree does not hold the unit
    (unknown, or not projected yet). A unit at the top has an empty ancestry."""
    c = org_closure.c
    rows = conn.execute(
        sa.select(c.ancestor_id, c.depth).where(c.descendant_id == org_unit_id).order_by(c.depth)
    ).all()
    if not rows:
        return None
    return [row.ancestor_id for row in rows if row.depth > 0]


def unit_names(conn: sa.Connection, org_unit_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of those units that the tree holds; the others are left out."""
    u = org_units.c
    found = rows_where_in(conn, sa.select(u.org_unit_id, u.name), u.org_unit_id, set(org_unit_ids))
    return {row.org_unit_id: row.name for row in found}


@dataclass(frozen=True)
class SubtreeUnit:
    """A unit of a subtree, ``depth`` levels below its root (0: the root), and every
    unit of the subtree at or below it (itself included)."""

    unit: OrgUnitRow
    depth: int
    members: frozenset[UUID]


def subtree_units(conn: sa.Connection, org_unit_id: UUID) -> list[SubtreeUnit]:
    """Every unit of the subtree, root first, then by depth and name, each with its members.

    Two queries whatever the size, so a roll-up over the subtree (figures of each
    unit summed over its members) needs no query per unit. Empty when the root is
    not in the tree (yet).
    """
    inner = org_closure.alias("inner")
    pairs = conn.execute(
        sa.select(inner.c.ancestor_id, inner.c.descendant_id).where(
            inner.c.ancestor_id.in_(subtree_of(org_unit_id))
        )
    ).all()
    members: dict[UUID, set[UUID]] = {}
    for ancestor, descendant in pairs:
        members.setdefault(ancestor, set()).add(descendant)
    rows = conn.execute(
        sa.select(org_units, org_closure.c.depth)
        .join(org_closure, org_closure.c.descendant_id == org_units.c.org_unit_id)
        .where(org_closure.c.ancestor_id == org_unit_id)
    ).all()
    found = [
        SubtreeUnit(_unit_row(row), row.depth, frozenset(members.get(row.org_unit_id, ())))
        for row in rows
    ]
    # Sorted here, not in SQL: collations order Chinese names differently.
    return sorted(found, key=lambda u: (u.depth, u.unit.name, u.unit.org_unit_id))
