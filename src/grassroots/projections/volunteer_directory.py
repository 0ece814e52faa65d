"""The volunteer directory: each volunteer's name and masked phone number, for rosters.

Center staff call the roll by name; the activity catalogue knows volunteers only
by id. One table, ``volunteer_directory``, holds per volunteer the name as it is
now and the phone number already masked (``domain.volunteer.mask_phone``): the
full number is never written here, so no read of this model can hand it out.

Fed by ``Volunteer.Registered`` (a row) and ``Volunteer.ProfileChanged`` (the
name again). A phone number is given once, at registration, and never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.volunteer import Volunteer, mask_phone
from grassroots.projections.activity_catalogue import AttendanceRow, attendance_of
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
    "RosterLine",
    "VolunteerDirectory",
    "VolunteerName",
    "names_of",
    "roster_of",
    "volunteer_directory",
]

volunteer_directory = sa.Table(
    "volunteer_directory",
    metadata,
    sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    # Masked when written (138****1234): the full number is never stored here.
    sa.Column("phone_masked", sa.String(16), nullable=False),
)

_INSERT = Bulk.insert_into(volunteer_directory, sort_by=["volunteer_id"])
_RENAME = Bulk(
    volunteer_directory.update()
    .where(volunteer_directory.c.volunteer_id == sa.bindparam("b_volunteer_id"))
    .values(name=sa.bindparam("b_name")),
    sort_by=["b_volunteer_id"],
)


@dataclass
class _Batch:
    # Registered in this batch: inserted whole, with any later rename folded in.
    new: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    # Registered before this batch: only the name changes.
    renamed: dict[UUID, str] = field(default_factory=dict)


class VolunteerDirectory(Projection):
    name = "volunteer_directory"
    tables = (volunteer_directory,)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        # Nothing to load: a rename of a row made before is an update by key.
        return _Batch()

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        _INSERT.execute(conn, list(state.new.values()))
        _RENAME.execute(
            conn, [{"b_volunteer_id": v, "b_name": name} for v, name in state.renamed.items()]
        )

    @handles(Volunteer.Registered)
    def _registered(self, state: _Batch, e: Volunteer.Registered, ctx: EventContext) -> None:
        state.new[ctx.originator_id] = {
            "volunteer_id": ctx.originator_id,
            "name": e.name,
            "phone_masked": mask_phone(e.phone),
        }

    @handles(Volunteer.ProfileChanged)
    def _profile_changed(
        self, state: _Batch, e: Volunteer.ProfileChanged, ctx: EventContext
    ) -> None:
        row = state.new.get(ctx.originator_id)
        if row is not None:
            row["name"] = e.name
        else:
            state.renamed[ctx.originator_id] = e.name


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerName:
    volunteer_id: UUID
    name: str
    phone_masked: str


def names_of(conn: sa.Connection, volunteer_ids: Iterable[UUID]) -> dict[UUID, VolunteerName]:
    """The directory's entries for these volunteers; one this model never saw is absent."""
    found = rows_where_in(
        conn, sa.select(volunteer_directory), volunteer_directory.c.volunteer_id, set(volunteer_ids)
    )
    return {r.volunteer_id: VolunteerName(r.volunteer_id, r.name, r.phone_masked) for r in found}


@dataclass(frozen=True)
class RosterLine:
    """A line of an activity's roster: the catalogue's row and who the volunteer is.

    ``name`` and ``phone_masked`` are None only for a volunteer the directory has
    not caught up with yet (registered a moment ago).
    """

    attendance: AttendanceRow
    name: str | None
    phone_masked: str | None


def roster_of(
    conn: sa.Connection,
    activity_id: UUID,
    *,
    sign_up: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[RosterLine]:
    """An activity's lists and attendance (``attendance_of``) with each volunteer's name."""
    rows = attendance_of(conn, activity_id, sign_up=sign_up, limit=limit, offset=offset)
    names = names_of(conn, (r.volunteer_id for r in rows))
    lines = []
    for row in rows:
        known = names.get(row.volunteer_id)
        lines.append(
            RosterLine(
                row,
                None if known is None else known.name,
                None if known is None else known.phone_masked,
            )
        )
    return lines
