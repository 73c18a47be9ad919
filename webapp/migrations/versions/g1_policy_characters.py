"""policy search: a character index for one-character queries (一字查询)

Revision ID: g1_policy_characters
Revises: f1_social_service
Create Date: 2026-12-04 10:00:00

PostgreSQL only: a generated column holding every distinct character of an
item's title and body as a lexeme, under a GIN index, so that a query such as
税 finds 个税 and 税收 through an index (see engine/policies/search.py). SQLite
matches single characters with LIKE and needs nothing here.
"""

from alembic import op

revision = "g1_policy_characters"
down_revision = "f1_social_service"
branch_labels = None
depends_on = None

# One space after every character, so that the "simple" parser makes each one a
# lexeme; strip() drops the positions, which a character match does not use.
_PG_CHARACTERS = (
    "strip(to_tsvector('simple', regexp_replace("
    "lower(title || ' ' || body), '(.)', '\\1 ', 'g')))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE policy ADD COLUMN character_vector tsvector "
        f"GENERATED ALWAYS AS ({_PG_CHARACTERS}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_policy_character_vector ON policy USING GIN (character_vector)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_policy_character_vector")
    op.execute("ALTER TABLE policy DROP COLUMN IF EXISTS character_vector")
