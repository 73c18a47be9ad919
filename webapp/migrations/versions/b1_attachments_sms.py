"""attachments and SMS delivery

The ``attachment`` table (files uploaded with task forms) and the SMS delivery
columns of the notification outbox.

Revision ID: b1_attachments_sms
Revises: a1_enterprise_accounts
"""

import sqlalchemy as sa
from alembic import op

import engine.db

# revision identifiers, used by Alembic.
revision = "b1_attachments_sms"
down_revision = "a1_enterprise_accounts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_key", sa.String(length=100), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("step_id", sa.String(length=100), nullable=True),
        sa.Column("field_id", sa.String(length=100), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", engine.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["process_instance.id"],
            name=op.f("fk_attachment_instance_id_process_instance"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        for column in ("business_key", "instance_id", "task_id"):
            batch_op.create_index(
                batch_op.f(f"ix_attachment_{column}"), [column], unique=False
            )

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sms_phone", sa.String(length=30)))
        batch_op.add_column(
            sa.Column("sms_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("sms_next_at", engine.db.UTCDateTime()))
        batch_op.add_column(sa.Column("sms_sent_at", engine.db.UTCDateTime()))
        batch_op.add_column(sa.Column("sms_error", sa.Text()))
        batch_op.create_index(
            batch_op.f("ix_notification_sms_next_at"), ["sms_next_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_sms_next_at"))
        for column in (
            "sms_error",
            "sms_sent_at",
            "sms_next_at",
            "sms_attempts",
            "sms_phone",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("attachment", schema=None) as batch_op:
        for column in ("task_id", "instance_id", "business_key"):
            batch_op.drop_index(batch_op.f(f"ix_attachment_{column}"))
    op.drop_table("attachment")
