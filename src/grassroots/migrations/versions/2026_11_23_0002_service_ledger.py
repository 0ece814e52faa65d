"""Projection tracking and the service-hour ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projection_tracking",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ledger_zones",
        sa.Column("org_unit_id", sa.Uuid, primary_key=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
    )
    op.create_table(
        "ledger_volunteers",
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
    )
    op.create_table(
        "ledger_attendances",
        sa.Column("attendance_id", sa.Uuid, primary_key=True),
        sa.Column("volunteer_id", sa.Uuid, nullable=False),
        sa.Column("activity_id", sa.Uuid, nullable=False),
        sa.Column("center_id", sa.Uuid, nullable=False),
        sa.Column("service_date", sa.Date, nullable=False),
        sa.Column("opened_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "ledger_lines",
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("attendance_id", sa.Uuid, nullable=False),
        sa.Column("activity_id", sa.Uuid, nullable=False),
        sa.Column("center_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("balance_after", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("staff_id", sa.Uuid, nullable=True),
        sa.Column("source_events", sa.Text, nullable=False),
        sa.Column("service_date", sa.Date, nullable=False),
        sa.Column("iso_week", sa.String(8), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_ledger_lines_volunteer_recorded", "ledger_lines", ["volunteer_id", "recorded_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_lines_volunteer_recorded", table_name="ledger_lines")
    for table in (
        "ledger_lines",
        "ledger_attendances",
        "ledger_volunteers",
        "ledger_zones",
        "projection_tracking",
    ):
        op.drop_table(table)
