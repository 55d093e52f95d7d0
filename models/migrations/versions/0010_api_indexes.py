"""HTTP API: API keys, indexes behind every API filter, full-text search over articles.

Revision ID: 0010_api_indexes
Revises: 0009_claim_checks

SQLite: `article_fts` indexes article.title and text (porter stemmer), kept in step by triggers
(the update trigger fires only when the title or text change). PostgreSQL: a GIN index on one
english tsvector expression; queries must use `ARTICLE_TSVECTOR` (api/http/queries.py) verbatim.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010_api_indexes"
down_revision: str | None = "0009_claim_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_EXPRESSION = (
    "to_tsvector('english', coalesce(title, '') || ' ' || left(coalesce(text, ''), 200000))"
)
INDEXES = [
    ("ix_mention_entity_article", "mention", ["entity_id", "article_id"]),
    ("ix_entitysentiment_entity_article", "entitysentiment", ["entity_id", "article_id"]),
    ("ix_article_published_id", "article", ["published_at", "id"]),
    ("ix_article_source_id_id", "article", ["source_id", "id"]),
    ("ix_claim_article_sentence", "claim", ["article_id", "sentence_index"]),
    ("ix_claim_subject_id_value", "claim", ["subject_id", "value"]),
    ("ix_claim_metric_value", "claim", ["metric", "value"]),
]


def _sqlite_fts() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE article_fts USING fts5(title, text, content='article', "
        "content_rowid='id', tokenize='porter unicode61')"
    )
    op.execute(
        "CREATE TRIGGER article_fts_ai AFTER INSERT ON article BEGIN "
        "INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER article_fts_ad AFTER DELETE ON article BEGIN "
        "INSERT INTO article_fts(article_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER article_fts_au AFTER UPDATE OF title, text ON article BEGIN "
        "INSERT INTO article_fts(article_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO article_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.create_table(
        "apikey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "scope", sa.Enum("READ", "WRITE", "ADMIN", name="keyscope"), nullable=False
        ),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_apikey_prefix", "apikey", ["prefix"], unique=False)
    op.create_index("ix_apikey_key_hash", "apikey", ["key_hash"], unique=True)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_fts()
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_article_fts ON article USING GIN ({PG_EXPRESSION})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("article_fts_ai", "article_fts_ad", "article_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_article_fts")
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_index("ix_apikey_key_hash", table_name="apikey")
    op.drop_index("ix_apikey_prefix", table_name="apikey")
    op.drop_table("apikey")
    if dialect == "postgresql":
        op.execute("DROP TYPE IF EXISTS keyscope")
