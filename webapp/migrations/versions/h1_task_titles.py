"""process properties and task titles (任务标题) for processes without appeals

Revision ID: h1_task_titles
Revises: g1_policy_characters
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "h1_task_titles"
down_revision = "g1_policy_characters"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_definition") as batch:
        batch.add_column(sa.Column("properties", sa.JSON(), nullable=True))
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("title")
    with op.batch_alter_table("process_definition") as batch:
        batch.drop_column("properties")
