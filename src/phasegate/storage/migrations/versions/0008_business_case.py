"""A project's business case: benefits with indicators and measurements, the uncertainty
register with its assessments, and the cost and people plans by year.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    # A published status report keeps the registers' state of its day (top risks, plan).
    op.add_column("status_reports", sa.Column("register", JSON, nullable=True))
    op.create_table(
        "resource_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind in ('unit', 'competence')", name=op.f("ck_resource_terms_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_terms")),
        sa.UniqueConstraint("kind", "name", name=op.f("uq_resource_terms_kind_name")),
    )
    op.create_table(
        "benefits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind in ('economic', 'quality', 'time', 'other')", name=op.f("ck_benefits_kind")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["people.id"], name=op.f("fk_benefits_owner_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_benefits_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_benefits")),
    )
    op.create_index(op.f("ix_benefits_owner_id"), "benefits", ["owner_id"], unique=False)
    op.create_index(op.f("ix_benefits_project_id"), "benefits", ["project_id"], unique=False)
    op.create_table(
        "people_plan_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("competence_id", sa.Integer(), nullable=False),
        sa.Column("fte", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["competence_id"],
            ["resource_terms.id"],
            name=op.f("fk_people_plan_lines_competence_id_resource_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_people_plan_lines_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["resource_terms.id"],
            name=op.f("fk_people_plan_lines_unit_id_resource_terms"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people_plan_lines")),
    )
    op.create_index(
        op.f("ix_people_plan_lines_project_id"), "people_plan_lines", ["project_id"], unique=False
    )
    op.create_table(
        "project_plans",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_plans_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["people.id"], name=op.f("fk_project_plans_updated_by_people")
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_plans")),
    )
    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.BigInteger(), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("consequence", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("probability_after", sa.Integer(), nullable=True),
        sa.Column("consequence_after", sa.Integer(), nullable=True),
        sa.Column("score_after", sa.Integer(), nullable=True),
        sa.Column("response", sa.String(length=10), nullable=False),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("review_asked_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind in ('risk', 'opportunity')", name=op.f("ck_risks_kind")),
        sa.CheckConstraint(
            "response in ('avoid', 'reduce', 'transfer', 'accept')", name=op.f("ck_risks_response")
        ),
        sa.CheckConstraint("status in ('open', 'closed')", name=op.f("ck_risks_status")),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_risks_owner_id_people")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_risks_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
    )
    op.create_index(op.f("ix_risks_owner_id"), "risks", ["owner_id"], unique=False)
    op.create_index(op.f("ix_risks_project_id"), "risks", ["project_id"], unique=False)
    op.create_index("ix_risks_review", "risks", ["status", "next_review_on"], unique=False)
    op.create_index("ix_risks_score", "risks", ["status", "score"], unique=False)
    op.create_table(
        "cost_plan_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            "kind in ('investment', 'operating')", name=op.f("ck_cost_plan_lines_kind")
        ),
        sa.ForeignKeyConstraint(
            ["benefit_id"], ["benefits.id"], name=op.f("fk_cost_plan_lines_benefit_id_benefits")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_cost_plan_lines_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_plan_lines")),
    )
    op.create_index(
        op.f("ix_cost_plan_lines_project_id"), "cost_plan_lines", ["project_id"], unique=False
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("benefit_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("baseline", sa.BigInteger(), nullable=False),
        sa.Column("baseline_on", sa.Date(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=False),
        sa.Column("plan_cycle", sa.String(length=100), nullable=True),
        sa.Column(
            "plan_dates",
            JSON,
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "direction in ('higher', 'lower')", name=op.f("ck_indicators_direction")
        ),
        sa.CheckConstraint("target <> baseline", name=op.f("ck_indicators_target")),
        sa.ForeignKeyConstraint(
            ["benefit_id"], ["benefits.id"], name=op.f("fk_indicators_benefit_id_benefits")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_indicators_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
    )
    op.create_index(op.f("ix_indicators_benefit_id"), "indicators", ["benefit_id"], unique=False)
    op.create_index(op.f("ix_indicators_project_id"), "indicators", ["project_id"], unique=False)
    op.create_table(
        "risk_assessments",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("consequence", sa.Integer(), nullable=False),
        sa.Column("probability_after", sa.Integer(), nullable=True),
        sa.Column("consequence_after", sa.Integer(), nullable=True),
        sa.Column("response", sa.String(length=10), nullable=False),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("assessed_by", sa.Integer(), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "channel in ('form', 'email', 'api', 'import')",
            name=op.f("ck_risk_assessments_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["people.id"], name=op.f("fk_risk_assessments_assessed_by_people")
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_risk_assessments_risk_id_risks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    op.create_index(
        op.f("ix_risk_assessments_risk_id"), "risk_assessments", ["risk_id"], unique=False
    )
    op.create_table(
        "measurements",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.CheckConstraint(
            "channel in ('form', 'email', 'api', 'import')", name=op.f("ck_measurements_channel")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_measurements_indicator_id_indicators"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["people.id"], name=op.f("fk_measurements_recorded_by_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurements")),
    )
    op.create_index(
        "ix_measurements_latest",
        "measurements",
        ["indicator_id", "measured_on", "id"],
        unique=False,
    )
    op.create_table(
        "measurements_due",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicators.id"],
            name=op.f("fk_measurements_due_indicator_id_indicators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurements_due")),
        sa.UniqueConstraint(
            "indicator_id", "due_on", name=op.f("uq_measurements_due_indicator_id_due_on")
        ),
    )
    op.create_index(
        "ix_measurements_due_waiting", "measurements_due", ["asked_at", "due_on"], unique=False
    )


def downgrade() -> None:
    with op.batch_alter_table("status_reports") as batch_op:
        batch_op.drop_column("register")
    op.drop_table("measurements_due")
    op.drop_table("measurements")
    op.drop_table("risk_assessments")
    op.drop_table("indicators")
    op.drop_table("cost_plan_lines")
    op.drop_table("risks")
    op.drop_table("project_plans")
    op.drop_table("people_plan_lines")
    op.drop_table("benefits")
    op.drop_table("resource_terms")
