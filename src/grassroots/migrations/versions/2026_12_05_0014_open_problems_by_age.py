"""The open problems in the order the open list reads them (a partial index).

The open list of a city or the region used to sort every open problem of its
subtree for one page; with this index it walks them oldest first and stops at
the page's end. Closed problems, the many, are not in the index.

Revision ID: 0014_open_problems_by_age
Revises: 0013_grassroots_points
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_open_problems_by_age"
down_revision: str | None = "0013_grassroots_points"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("state != 'closed'")


def upgrade() -> None:
    op.create_index(
        "ix_problems_current_open_raised",
        "problems_current",
        ["raised_at", "problem_id"],
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_problems_current_open_raised", table_name="problems_current")
