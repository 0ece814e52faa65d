"""The organisation tree read model: units and their closure.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_units",
        sa.Column("org_unit_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Uuid, nullable=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
    )
    op.create_table(
        "org_closure",
        sa.Column("ancestor_id", sa.Uuid, primary_key=True),
        sa.Column("descendant_id", sa.Uuid, primary_key=True),
        sa.Column("depth", sa.Integer, nullable=False),
    )
    op.create_index("ix_org_closure_descendant", "org_closure", ["descendant_id"])


def downgrade() -> None:
    op.drop_index("ix_org_closure_descendant", table_name="org_closure")
    op.drop_table("org_closure")
    op.drop_table("org_units")
