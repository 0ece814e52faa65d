"""Tables of the activity catalogue read model.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_catalogue_centers",
        sa.Column("center_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("location_lat", sa.Float, nullable=False),
        sa.Column("location_lon", sa.Float, nullable=False),
        sa.Column("geofence_radius_m", sa.Float, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ix_activity_catalogue_centers_org_unit",
        "activity_catalogue_centers",
        ["org_unit_id", "name"],
    )
    op.create_table(
        "activity_catalogue_activities",
        sa.Column("activity_id", sa.Uuid, primary_key=True),
        sa.Column("center_id", sa.Uuid, nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.String(50), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=True),
        sa.Column("sign_up_required", sa.Boolean, nullable=False),
        sa.Column("location_required", sa.Boolean, nullable=False),
        sa.Column("location_lat", sa.Float, nullable=True),
        sa.Column("location_lon", sa.Float, nullable=True),
        sa.Column("geofence_radius_m", sa.Float, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cancel_reason", sa.String(500), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_up", sa.Integer, nullable=False),
        sa.Column("waiting", sa.Integer, nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_activity_catalogue_activities_starts", "activity_catalogue_activities", ["starts_at"]
    )
    op.create_index(
        "ix_activity_catalogue_activities_center_starts",
        "activity_catalogue_activities",
        ["center_id", "starts_at"],
    )
    op.create_index(
        "ix_activity_catalogue_activities_category_starts",
        "activity_catalogue_activities",
        ["category", "starts_at"],
    )
    op.create_table(
        "activity_catalogue_attendance",
        sa.Column("attendance_id", sa.Uuid, primary_key=True),
        sa.Column("activity_id", sa.Uuid, nullable=False),
        sa.Column("volunteer_id", sa.Uuid, nullable=False),
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
    )
    op.create_index(
        "ix_activity_catalogue_attendance_activity",
        "activity_catalogue_attendance",
        ["activity_id", "first_position"],
    )


def downgrade() -> None:
    op.drop_index(
        "ix_activity_catalogue_attendance_activity", table_name="activity_catalogue_attendance"
    )
    op.drop_table("activity_catalogue_attendance")
    for index in (
        "ix_activity_catalogue_activities_category_starts",
        "ix_activity_catalogue_activities_center_starts",
        "ix_activity_catalogue_activities_starts",
    ):
        op.drop_index(index, table_name="activity_catalogue_activities")
    op.drop_table("activity_catalogue_activities")
    op.drop_index("ix_activity_catalogue_centers_org_unit", table_name="activity_catalogue_centers")
    op.drop_table("activity_catalogue_centers")
