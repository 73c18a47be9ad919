"""policy information (政策信息): policies, notices, interpretations, search index

Revision ID: c1_policies
Revises: e1_evaluation
Create Date: 2026-12-03 19:30:00

The full-text index differs by database (see engine/policies/search.py):
PostgreSQL gets a generated tsvector column with a GIN index; SQLite gets an
FTS5 table over the same segmented words, kept in step by triggers. If a later
SQLite batch migration recreates the ``policy`` table, it drops these triggers:
such a migration must create them again (``_create_sqlite_index``).
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "c1_policies"
down_revision = "e1_evaluation"
branch_labels = None
depends_on = None

_PG_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(title_tokens, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_tokens, '')), 'B')"
)

_SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE policy_fts USING fts5("
    "title_tokens, body_tokens, content='policy', content_rowid='id', "
    "tokenize='unicode61')",
    "CREATE TRIGGER policy_fts_insert AFTER INSERT ON policy BEGIN "
    "INSERT INTO policy_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    "CREATE TRIGGER policy_fts_delete AFTER DELETE ON policy BEGIN "
    "INSERT INTO policy_fts(policy_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); END",
    "CREATE TRIGGER policy_fts_update AFTER UPDATE OF title_tokens, body_tokens "
    "ON policy BEGIN "
    "INSERT INTO policy_fts(policy_fts, rowid, title_tokens, body_tokens) "
    "VALUES ('delete', old.id, old.title_tokens, old.body_tokens); "
    "INSERT INTO policy_fts(rowid, title_tokens, body_tokens) "
    "VALUES (new.id, new.title_tokens, new.body_tokens); END",
    "INSERT INTO policy_fts(policy_fts) VALUES ('rebuild')",
)


def upgrade():
    op.create_table(
        "policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("issuing_body", sa.String(length=200), nullable=False),
        sa.Column("document_number", sa.String(length=100), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("doc_type", sa.String(length=50), nullable=True),
        sa.Column("region", sa.String(length=50), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("industries", sa.String(length=500), nullable=False),
        sa.Column("enterprise_sizes", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("apply_from", sa.Date(), nullable=True),
        sa.Column("apply_until", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("title_tokens", sa.Text(), nullable=False),
        sa.Column("body_tokens", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", engine.db.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", engine.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["policy.id"], name=op.f("fk_policy_parent_id_policy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy")),
        sa.UniqueConstraint("source_key", name=op.f("uq_policy_source_key")),
    )
    with op.batch_alter_table("policy", schema=None) as batch_op:
        for name in ("issuing_body", "kind", "level", "parent_id", "published_on"):
            batch_op.create_index(batch_op.f(f"ix_policy_{name}"), [name])
        batch_op.create_index(batch_op.f("ix_policy_status"), ["status"])

    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_appeal_policy_id"), ["policy_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_appeal_policy_id_policy"), "policy", ["policy_id"], ["id"]
        )

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE policy ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({_PG_VECTOR}) STORED"
        )
        op.execute(
            "CREATE INDEX ix_policy_search_vector ON policy USING GIN (search_vector)"
        )
    elif dialect == "sqlite":
        _create_sqlite_index()


def _create_sqlite_index():
    for statement in _SQLITE_INDEX:
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS policy_fts_{name}")
        op.execute("DROP TABLE IF EXISTS policy_fts")

    with op.batch_alter_table("appeal", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appeal_policy_id_policy"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_appeal_policy_id"))
        batch_op.drop_column("policy_id")
    op.drop_table("policy")
