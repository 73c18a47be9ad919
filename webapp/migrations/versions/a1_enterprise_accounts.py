"""Registered enterprise accounts and the link from an appeal to its enterprise.

Revision ID: a1_enterprise_accounts
Revises: 90bf23856ccb
"""

import sqlalchemy as sa
from alembic import op

import engine.db

# revision identifiers, used by Alembic.
revision = "a1_enterprise_accounts"
down_revision = "90bf23856ccb"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "enterprise_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_account")),
        sa.UniqueConstraint(
            "credit_code", name=op.f("uq_enterprise_account_credit_code")
        ),
    )
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enterprise_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_appeal_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_appeal_enterprise_id_enterprise_account"),
            "enterprise_account",
            ["enterprise_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appeal_enterprise_id_enterprise_account"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_appeal_enterprise_id"))
        batch_op.drop_column("enterprise_id")

    op.drop_table("enterprise_account")
