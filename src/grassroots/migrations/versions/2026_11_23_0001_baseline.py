"""Baseline: the read-model schema starts here.

The write side keeps its events in the event store's own tables (created by
the event-store library). Read models arrive with the projections; this first
revision only marks the database as managed, so every later revision has a
known starting point on SQLite and PostgreSQL alike.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
