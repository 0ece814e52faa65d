""" "My sign-ups" and the ledger's titles and names.

The activity catalogue's attendance rows say when a volunteer got a place from
the waiting list (``promoted_at``) and the log position of their joining it
(``wait_listed_position``, which their place on it goes by), and a volunteer's
rows are found by an index of their own. The service ledger keeps each
activity's title and each center's name (``ledger_activities``,
``ledger_centers``) for its lines.

Both read models are rebuilt from the log rather than converted: their rows are
emptied and their positions go back to the start, so the read side replays the
log into them on its next start.

Revision ID: 0012
Revises: 0011_volunteer_directory
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011_volunteer_directory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ATTENDANCE = "activity_catalogue_attendance"
_BY_VOLUNTEER = "ix_activity_catalogue_attendance_volunteer"
_CATALOGUE = (
    "activity_catalogue_attendance",
    "activity_catalogue_activities",
    "activity_catalogue_centers",
)
_LEDGER = ("ledger_lines", "ledger_attendances", "ledger_volunteers", "ledger_zones")


def _start_again(name: str, tables: Sequence[str]) -> None:
    for table in tables:
        op.execute(f"DELETE FROM {table}")
    op.execute(f"UPDATE projection_tracking SET position = 0 WHERE name = '{name}'")


def upgrade() -> None:
    with op.batch_alter_table(_ATTENDANCE) as batch:
        batch.add_column(sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("wait_listed_position", sa.BigInteger, nullable=True))
    op.create_index(_BY_VOLUNTEER, _ATTENDANCE, ["volunteer_id"])
    op.create_table(
        "ledger_activities",
        sa.Column("activity_id", sa.Uuid, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
    )
    op.create_table(
        "ledger_centers",
        sa.Column("center_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )
    _start_again("activity_catalogue", _CATALOGUE)
    _start_again("service_ledger", _LEDGER)


def downgrade() -> None:
    op.drop_table("ledger_centers")
    op.drop_table("ledger_activities")
    op.drop_index(_BY_VOLUNTEER, table_name=_ATTENDANCE)
    with op.batch_alter_table(_ATTENDANCE) as batch:
        batch.drop_column("wait_listed_position")
        batch.drop_column("promoted_at")
    _start_again("activity_catalogue", _CATALOGUE)
    _start_again("service_ledger", _LEDGER)
