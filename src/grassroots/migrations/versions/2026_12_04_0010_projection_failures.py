"""Where a read model is stuck, and the events an operator chose to pass over.

``projection_failures`` holds, per read model, the one event its handlers could
not apply (the runner applied everything before it and stands just before it),
with the error and how often it was tried. ``projection_skips`` is the audit of
events passed over by an operator, with a reason and who decided: a runner and
a rebuild both leave them out, so the skips are part of what a read model is.
``projection_tracking.skips`` counts them: a runner's conditional update names
the count it knows, so a skip recorded meanwhile makes its batch lose the race
and look again rather than apply the skipped event.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "projection_tracking",
        sa.Column("skips", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "projection_failures",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("originator_id", sa.Uuid, nullable=False),
        sa.Column("originator_version", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_table(
        "projection_skips",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("originator_id", sa.Uuid, nullable=False),
        sa.Column("originator_version", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("operator", sa.String(120), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("skipped_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("projection_skips")
    op.drop_table("projection_failures")
    with op.batch_alter_table("projection_tracking") as batch:
        batch.drop_column("skips")
