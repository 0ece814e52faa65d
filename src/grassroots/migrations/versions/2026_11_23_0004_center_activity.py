"""Tables of the center activity read model.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "center_activity_zones",
        sa.Column("org_unit_id", sa.Uuid, primary_key=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
    )
    op.create_table(
        "center_activity_centers",
        sa.Column("center_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_center_activity_centers_org_unit", "center_activity_centers", ["org_unit_id"]
    )
    op.create_table(
        "center_activity_activities",
        sa.Column("activity_id", sa.Uuid, primary_key=True),
        sa.Column("center_id", sa.Uuid, nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_date", sa.Date, nullable=False),
        sa.Column("iso_week", sa.String(8), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("sign_ups", sa.Integer, nullable=False),
        sa.Column("signed_up_now", sa.Integer, nullable=False),
        sa.Column("check_ins", sa.Integer, nullable=False),
        sa.Column("added_by_staff", sa.Integer, nullable=False),
        sa.Column("credited_minutes", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_center_activity_activities_center_week",
        "center_activity_activities",
        ["center_id", "iso_week"],
    )
    op.create_index(
        "ix_center_activity_activities_center_month",
        "center_activity_activities",
        ["center_id", "month"],
    )
    op.create_table(
        "center_activity_places",
        sa.Column("activity_id", sa.Uuid, primary_key=True),
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    )
    op.create_table(
        "center_activity_attendances",
        sa.Column("attendance_id", sa.Uuid, primary_key=True),
        sa.Column("activity_id", sa.Uuid, nullable=False),
        sa.Column("volunteer_id", sa.Uuid, nullable=False),
    )
    op.create_index(
        "ix_center_activity_attendances_activity", "center_activity_attendances", ["activity_id"]
    )
    op.create_table(
        "center_activity_volunteers",
        sa.Column("center_id", sa.Uuid, primary_key=True),
        sa.Column("period_kind", sa.String(5), primary_key=True),
        sa.Column("period", sa.String(8), primary_key=True),
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    )
    op.create_index(
        "ix_center_activity_volunteers_period",
        "center_activity_volunteers",
        ["period_kind", "period"],
    )


def downgrade() -> None:
    op.drop_index("ix_center_activity_volunteers_period", table_name="center_activity_volunteers")
    op.drop_table("center_activity_volunteers")
    op.drop_index(
        "ix_center_activity_attendances_activity", table_name="center_activity_attendances"
    )
    op.drop_table("center_activity_attendances")
    op.drop_table("center_activity_places")
    op.drop_index(
        "ix_center_activity_activities_center_month", table_name="center_activity_activities"
    )
    op.drop_index(
        "ix_center_activity_activities_center_week", table_name="center_activity_activities"
    )
    op.drop_table("center_activity_activities")
    op.drop_index("ix_center_activity_centers_org_unit", table_name="center_activity_centers")
    op.drop_table("center_activity_centers")
    op.drop_table("center_activity_zones")
