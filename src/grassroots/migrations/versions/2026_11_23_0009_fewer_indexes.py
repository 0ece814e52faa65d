"""Indexes a catch-up paid for and no read needed.

Every secondary index is written for every row a batch inserts, and on SQLite
for every indexed column an update sets; together the read models' indexes
were about a tenth of a catch-up's time. These three served reads that their
table's primary key serves as well:

* ``ledger_lines (volunteer_id, recorded_at)``: an "as of" read takes one
  volunteer's lines by the key (volunteer, position) and keeps those recorded
  by then; it reads them all up to that instant anyway.
* ``center_activity_volunteers (period_kind, period)``: every count names the
  center (or joins the subtree's centers), which leads the key.
* ``activity_catalogue_attendance (activity_id, first_position)``: an
  activity's lists are its rows by the key's first column, put in order
  among themselves.

The catalogue's unique index on the attendance id now leaves out the rows
without one (sign-ups nobody has come to yet), which are most rows.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ATTENDANCE = "activity_catalogue_attendance"
_BY_ATTENDANCE = "ix_activity_catalogue_attendance_attendance"


def upgrade() -> None:
    op.drop_index("ix_ledger_lines_volunteer_recorded", table_name="ledger_lines")
    op.drop_index("ix_center_activity_volunteers_period", table_name="center_activity_volunteers")
    op.drop_index("ix_activity_catalogue_attendance_activity", table_name=_ATTENDANCE)
    op.drop_index(_BY_ATTENDANCE, table_name=_ATTENDANCE)
    opened = sa.text("attendance_id IS NOT NULL")
    op.create_index(
        _BY_ATTENDANCE,
        _ATTENDANCE,
        ["attendance_id"],
        unique=True,
        sqlite_where=opened,
        postgresql_where=opened,
    )


def downgrade() -> None:
    op.drop_index(_BY_ATTENDANCE, table_name=_ATTENDANCE)
    op.create_index(_BY_ATTENDANCE, _ATTENDANCE, ["attendance_id"], unique=True)
    op.create_index(
        "ix_activity_catalogue_attendance_activity", _ATTENDANCE, ["activity_id", "first_position"]
    )
    op.create_index(
        "ix_center_activity_volunteers_period",
        "center_activity_volunteers",
        ["period_kind", "period"],
    )
    op.create_index(
        "ix_ledger_lines_volunteer_recorded", "ledger_lines", ["volunteer_id", "recorded_at"]
    )
