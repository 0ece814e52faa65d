"""The activity catalogue's attendance rows keyed by activity and volunteer.

The attendance's own id is kept beside them once the attendance opens (the
opening event names it), so the read model never derives it. A read model is
rebuilt from the log rather than converted: the table is made anew, the
catalogue's other rows are emptied, and its position goes back to the start,
so the read side replays the log into it on its next start.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "activity_catalogue_attendance"
_BY_ACTIVITY = "ix_activity_catalogue_attendance_activity"
_BY_ATTENDANCE = "ix_activity_catalogue_attendance_attendance"


def _columns_after_key() -> list[sa.Column[object]]:
    return [
        sa.Column("first_position", sa.BigInteger, nullable=False),
        sa.Column("sign_up", sa.String(16), nullable=True),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("auto_closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added_by_staff", sa.Boolean, nullable=False),
        sa.Column("scan_minutes", sa.Integer, nullable=False),
        sa.Column("adjustment_minutes", sa.Integer, nullable=False),
        sa.Column("adjustments", sa.Integer, nullable=False),
        sa.Column("credited_minutes", sa.Integer, nullable=False),
    ]


def _start_the_catalogue_again() -> None:
    op.execute("DELETE FROM activity_catalogue_activities")
    op.execute("DELETE FROM activity_catalogue_centers")
    op.execute("UPDATE projection_tracking SET position = 0 WHERE name = 'activity_catalogue'")


def upgrade() -> None:
    op.drop_index(_BY_ACTIVITY, table_name=_TABLE)
    op.drop_table(_TABLE)
    op.create_table(
        _TABLE,
        sa.Column("activity_id", sa.Uuid, primary_key=True),
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
        sa.Column("attendance_id", sa.Uuid, nullable=True),
        *_columns_after_key(),
    )
    op.create_index(_BY_ACTIVITY, _TABLE, ["activity_id", "first_position"])
    op.create_index(_BY_ATTENDANCE, _TABLE, ["attendance_id"], unique=True)
    _start_the_catalogue_again()


def downgrade() -> None:
    op.drop_index(_BY_ATTENDANCE, table_name=_TABLE)
    op.drop_index(_BY_ACTIVITY, table_name=_TABLE)
    op.drop_table(_TABLE)
    op.create_table(
        _TABLE,
        sa.Column("attendance_id", sa.Uuid, primary_key=True),
        sa.Column("activity_id", sa.Uuid, nullable=False),
        sa.Column("volunteer_id", sa.Uuid, nullable=False),
        *_columns_after_key(),
    )
    op.create_index(_BY_ACTIVITY, _TABLE, ["activity_id", "first_position"])
    _start_the_catalogue_again()
