"""Evaluation (服务评价): flow facts on appeals, department assessments.

Revision ID: e1_evaluation
Revises: b1_attachments_sms
"""

import sqlalchemy as sa
from alembic import op

revision = "e1_evaluation"
down_revision = "b1_attachments_sms"
branch_labels = None
depends_on = None

_FACT_TIMES = (
    "dispatched_at",
    "accept_due_at",
    "accepted_at",
    "handling_due_at",
    "finished_at",
    "followup_at",
)


def upgrade() -> None:
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_department", sa.String(50)))
        for name in _FACT_TIMES:
            batch_op.add_column(sa.Column(name, sa.DateTime()))
        batch_op.add_column(sa.Column("handling_days", sa.Float()))
        batch_op.add_column(sa.Column("followup_outcome", sa.String(30)))
        batch_op.add_column(sa.Column("followup_rating", sa.String(30)))
        batch_op.create_index(
            batch_op.f("ix_appeal_lead_department"), ["lead_department"]
        )
        batch_op.create_index(batch_op.f("ix_appeal_submitted_at"), ["submitted_at"])

    op.create_table(
        "department_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("score", sa.Numeric(5, 1), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("assessor", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
            name=op.f("fk_department_assessment_department_code_department"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_assessment")),
    )
    with op.batch_alter_table("department_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_department_assessment_department_code"),
            ["department_code"],
        )
    op.create_table(
        "appeal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("department", sa.String(50)),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_event_appeal_id_appeal")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_event")),
    )
    with op.batch_alter_table("appeal_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appeal_event_appeal_id"), ["appeal_id"])


def downgrade() -> None:
    op.drop_table("appeal_event")
    op.drop_table("department_assessment")
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appeal_submitted_at"))
        batch_op.drop_index(batch_op.f("ix_appeal_lead_department"))
        for name in ("followup_rating", "followup_outcome", "handling_days"):
            batch_op.drop_column(name)
        for name in _FACT_TIMES:
            batch_op.drop_column(name)
        batch_op.drop_column("lead_department")
