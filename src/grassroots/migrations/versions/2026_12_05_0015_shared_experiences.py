"""The shared experiences read model (心得交流): posts, the units they are featured
for, and who likes them.

A new read model: its runner starts at the log's beginning and fills the tables
on the read side's next start.

Revision ID: 0015_shared_experiences
Revises: 0014_open_problems_by_age
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_shared_experiences"
down_revision: str | None = "0014_open_problems_by_age"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shared_experiences",
        sa.Column("post_id", sa.Uuid, primary_key=True),
        sa.Column("author_id", sa.Uuid, nullable=False),
        sa.Column("author_name", sa.String(100), nullable=False),
        sa.Column("author_kind", sa.String(16), nullable=False),
        sa.Column("author_subject_id", sa.Uuid, nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("excerpt", sa.String(200), nullable=False),
        sa.Column("visit_id", sa.Uuid, nullable=True),
        sa.Column("activity_id", sa.Uuid, nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("versions", sa.Integer, nullable=False),
        sa.Column("photos", sa.Integer, nullable=False),
        sa.Column("comments", sa.Integer, nullable=False),
        sa.Column("likes", sa.Integer, nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        sa.Column("hidden", sa.Boolean, nullable=False),
        sa.Column("hidden_reason", sa.String(500), nullable=True),
        sa.Column("hidden_by", sa.Uuid, nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_shared_experiences_unit_written", "shared_experiences", ["org_unit_id", "written_at"]
    )
    op.create_index(
        "ix_shared_experiences_author_written", "shared_experiences", ["author_id", "written_at"]
    )
    op.create_table(
        "shared_experience_features",
        sa.Column("post_id", sa.Uuid, primary_key=True),
        sa.Column("org_unit_id", sa.Uuid, primary_key=True),
    )
    op.create_table(
        "shared_experience_likes",
        sa.Column("post_id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid, primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("shared_experience_likes")
    op.drop_table("shared_experience_features")
    op.drop_index("ix_shared_experiences_author_written", table_name="shared_experiences")
    op.drop_index("ix_shared_experiences_unit_written", table_name="shared_experiences")
    op.drop_table("shared_experiences")
