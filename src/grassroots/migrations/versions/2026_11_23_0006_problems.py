"""Tables of the problems read model.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "problems_current",
        sa.Column("problem_id", sa.Uuid, primary_key=True),
        sa.Column("cadre_id", sa.Uuid, nullable=False),
        sa.Column("visit_id", sa.Uuid, nullable=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("times_reopened", sa.Integer, nullable=False),
        sa.Column("times_rerouted", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_problems_current_unit_state_raised",
        "problems_current",
        ["org_unit_id", "state", "raised_at"],
    )
    op.create_table(
        "problems_changes",
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("problem_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_problems_changes_problem_version",
        "problems_changes",
        ["problem_id", "version"],
        unique=True,
    )
    op.create_index("ix_problems_changes_kind_changed", "problems_changes", ["kind", "changed_at"])
    op.create_index("ix_problems_changes_changed", "problems_changes", ["changed_at"])


def downgrade() -> None:
    op.drop_index("ix_problems_changes_changed", table_name="problems_changes")
    op.drop_index("ix_problems_changes_kind_changed", table_name="problems_changes")
    op.drop_index("ix_problems_changes_problem_version", table_name="problems_changes")
    op.drop_table("problems_changes")
    op.drop_index("ix_problems_current_unit_state_raised", table_name="problems_current")
    op.drop_table("problems_current")
