"""The account directory read model: accounts, their roles, whether they are disabled.

A new read model: its runner starts at the log's beginning and fills the tables
on the read side's next start.

Revision ID: 0018_account_directory
Revises: 0017_issued_certificates
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_account_directory"
down_revision: str | None = "0017_issued_certificates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_directory",
        sa.Column("account_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phone_masked", sa.String(16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("disabled_reason", sa.String(500), nullable=True),
    )
    op.create_index("ix_account_directory_opened", "account_directory", ["opened_at", "position"])
    op.create_table(
        "account_grants",
        sa.Column("account_id", sa.Uuid, primary_key=True),
        sa.Column("role", sa.String(16), primary_key=True),
        sa.Column("subject_id", sa.Uuid, primary_key=True),
    )
    op.create_index("ix_account_grants_subject", "account_grants", ["subject_id"])


def downgrade() -> None:
    op.drop_index("ix_account_grants_subject", table_name="account_grants")
    op.drop_table("account_grants")
    op.drop_index("ix_account_directory_opened", table_name="account_directory")
    op.drop_table("account_directory")
