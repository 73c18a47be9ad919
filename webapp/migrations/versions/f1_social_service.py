"""business records (业务记录) for the social-service flow

Revision ID: f1_social_service
Revises: c1_policies
Create Date: 2026-12-03 19:25:00

"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "f1_social_service"
down_revision = "c1_policies"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "business_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=50), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_business_record_instance_id_process_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_record")),
        sa.UniqueConstraint(
            "collection", "key", name=op.f("uq_business_record_collection")
        ),
    )
    with op.batch_alter_table("business_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_business_record_collection_status",
            ["collection", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_business_record_instance_id"),
            ["instance_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("business_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_business_record_instance_id"))
        batch_op.drop_index("ix_business_record_collection_status")
    op.drop_table("business_record")
