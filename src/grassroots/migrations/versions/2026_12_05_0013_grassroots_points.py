"""The grassroots points read model: each point's name, org unit and whether it is retired.

A new read model: its runner starts at the log's beginning and fills the table
on the read side's next start.

Revision ID: 0013_grassroots_points
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_grassroots_points"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "grassroots_points",
        sa.Column("point_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("retired", sa.Boolean, nullable=False),
    )
    op.create_index("ix_grassroots_points_org_unit_id", "grassroots_points", ["org_unit_id"])


def downgrade() -> None:
    op.drop_index("ix_grassroots_points_org_unit_id", table_name="grassroots_points")
    op.drop_table("grassroots_points")
