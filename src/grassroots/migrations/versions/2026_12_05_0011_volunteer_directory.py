"""The volunteer directory read model: names and masked phone numbers for rosters.

A new read model: its runner starts at the log's beginning and fills the table
on the read side's next start.

Revision ID: 0011_volunteer_directory
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_volunteer_directory"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "volunteer_directory",
        sa.Column("volunteer_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phone_masked", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("volunteer_directory")
