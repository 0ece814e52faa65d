"""Tables of the cadre compliance read model.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "compliance_cadres",
        sa.Column("cadre_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_compliance_cadres_org_unit", "compliance_cadres", ["org_unit_id"])
    op.create_table(
        "compliance_cadre_points",
        sa.Column("cadre_id", sa.Uuid, primary_key=True),
        sa.Column("point_id", sa.Uuid, primary_key=True),
    )
    op.create_table(
        "compliance_visits",
        sa.Column("visit_id", sa.Uuid, primary_key=True),
        sa.Column("cadre_id", sa.Uuid, nullable=False),
        sa.Column("point_id", sa.Uuid, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proof", sa.String(16), nullable=True),
        sa.Column("point_was_assigned", sa.Boolean, nullable=True),
    )
    op.create_index(
        "ix_compliance_visits_cadre_started", "compliance_visits", ["cadre_id", "started_at"]
    )
    op.create_table(
        "compliance_rule_sets",
        sa.Column("rule_set_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
    )
    op.create_index("ix_compliance_rule_sets_org_unit", "compliance_rule_sets", ["org_unit_id"])
    op.create_table(
        "compliance_rule_versions",
        sa.Column("rule_set_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("terms", sa.Text, nullable=False),
    )
    op.create_table(
        "compliance_contacts",
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("cadre_id", sa.Uuid, nullable=False),
        sa.Column("contact_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("walk_of_life", sa.String(50), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_compliance_contacts_cadre_contact", "compliance_contacts", ["cadre_id", "contact_id"]
    )
    op.create_table(
        "compliance_youths_met",
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("cadre_id", sa.Uuid, nullable=False),
        sa.Column("visit_id", sa.Uuid, nullable=False),
        sa.Column("contact_id", sa.Uuid, nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_compliance_youths_met_cadre_met", "compliance_youths_met", ["cadre_id", "met_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_compliance_youths_met_cadre_met", table_name="compliance_youths_met")
    op.drop_index("ix_compliance_contacts_cadre_contact", table_name="compliance_contacts")
    op.drop_index("ix_compliance_rule_sets_org_unit", table_name="compliance_rule_sets")
    op.drop_index("ix_compliance_visits_cadre_started", table_name="compliance_visits")
    op.drop_index("ix_compliance_cadres_org_unit", table_name="compliance_cadres")
    for table in (
        "compliance_youths_met",
        "compliance_contacts",
        "compliance_rule_versions",
        "compliance_rule_sets",
        "compliance_visits",
        "compliance_cadre_points",
        "compliance_cadres",
    ):
        op.drop_table(table)
