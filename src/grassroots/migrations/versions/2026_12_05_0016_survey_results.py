"""The survey results read model: surveys, their questions per version, the answers
as they stand now and one row per value of an answer.

A new read model: its runner starts at the log's beginning and fills the tables
on the read side's next start.

Revision ID: 0016_survey_results
Revises: 0015_shared_experiences
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_survey_results"
down_revision: str | None = "0015_shared_experiences"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("survey_id", sa.Uuid, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("intro", sa.Text, nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("audience", sa.String(32), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("closed", sa.Boolean, nullable=False),
        sa.Column("designed_by", sa.Uuid, nullable=False),
        sa.Column("designed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_surveys_org_unit_id", "surveys", ["org_unit_id"])
    op.create_table(
        "survey_questions",
        sa.Column("survey_id", sa.Uuid, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("question_key", sa.String(16), nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("min_value", sa.Float, nullable=True),
        sa.Column("max_value", sa.Float, nullable=True),
    )
    op.create_table(
        "survey_answers",
        sa.Column("answer_id", sa.Uuid, primary_key=True),
        sa.Column("survey_id", sa.Uuid, nullable=False),
        sa.Column("survey_version", sa.Integer, nullable=False),
        sa.Column("org_unit_id", sa.Uuid, nullable=True),
        sa.Column("anonymous", sa.Boolean, nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_replaced", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_survey_answers_survey_version", "survey_answers", ["survey_id", "survey_version"]
    )
    op.create_table(
        "survey_answer_values",
        sa.Column("answer_id", sa.Uuid, primary_key=True),
        sa.Column("question_key", sa.String(16), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("survey_id", sa.Uuid, nullable=False),
        sa.Column("survey_version", sa.Integer, nullable=False),
        sa.Column("choice", sa.Integer, nullable=True),
        sa.Column("number", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
    )
    op.create_index(
        "ix_survey_answer_values_question",
        "survey_answer_values",
        ["survey_id", "survey_version", "question_key"],
    )


def downgrade() -> None:
    op.drop_index("ix_survey_answer_values_question", table_name="survey_answer_values")
    op.drop_table("survey_answer_values")
    op.drop_index("ix_survey_answers_survey_version", table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_table("survey_questions")
    op.drop_index("ix_surveys_org_unit_id", table_name="surveys")
    op.drop_table("surveys")
