"""The issued certificates read model: each volunteer's certificates of service.

A new read model: its runner starts at the log's beginning and fills the table
on the read side's next start.

Revision ID: 0017_issued_certificates
Revises: 0016_survey_results
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_issued_certificates"
down_revision: str | None = "0016_survey_results"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "issued_certificates",
        sa.Column("serial", sa.String(14), primary_key=True),
        sa.Column("volunteer_id", sa.Uuid, nullable=False),
        sa.Column("from_day", sa.Date, nullable=False),
        sa.Column("to_day", sa.Date, nullable=False),
        sa.Column("line_count", sa.Integer, nullable=False),
        sa.Column("total_minutes", sa.Integer, nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_index(
        "ix_issued_certificates_volunteer_issued",
        "issued_certificates",
        ["volunteer_id", "issued_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_issued_certificates_volunteer_issued", table_name="issued_certificates")
    op.drop_table("issued_certificates")
