"""one-time submission tokens (防重复提交) on appeals

Revision ID: i1_submission_tokens
Revises: h1_task_titles
Create Date: 2026-12-04 10:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "i1_submission_tokens"
down_revision = "h1_task_titles"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appeal") as batch:
        batch.add_column(
            sa.Column("submission_token_hash", sa.String(length=64), nullable=True)
        )
        batch.create_unique_constraint(
            op.f("uq_appeal_submission_token_hash"), ["submission_token_hash"]
        )


def downgrade():
    with op.batch_alter_table("appeal") as batch:
        batch.drop_constraint(op.f("uq_appeal_submission_token_hash"), type_="unique")
        batch.drop_column("submission_token_hash")
