"""Mentor search: folded words per mentor, and the database's own full-text index on them (FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL), filled for the mentors already there

Revision ID: e1f0a0000009
Revises: e1f0a0000008
Create Date: 2026-12-02 18:45:00.000000

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'e1f0a0000009'
down_revision = 'e1f0a0000008'
branch_labels = None
depends_on = None

# The FTS5 table reads its text from mentor_search (external content); these triggers
# keep it in step with every insert, update and delete there, cascades included.
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE mentor_search_fts USING fts5(name, body, content='mentor_search',"
    " content_rowid='user_id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER mentor_search_ai AFTER INSERT ON mentor_search BEGIN"
    " INSERT INTO mentor_search_fts(rowid, name, body) VALUES (new.user_id, new.name, new.body);"
    " END",
    "CREATE TRIGGER mentor_search_ad AFTER DELETE ON mentor_search BEGIN"
    " INSERT INTO mentor_search_fts(mentor_search_fts, rowid, name, body)"
    " VALUES ('delete', old.user_id, old.name, old.body); END",
    "CREATE TRIGGER mentor_search_au AFTER UPDATE ON mentor_search BEGIN"
    " INSERT INTO mentor_search_fts(mentor_search_fts, rowid, name, body)"
    " VALUES ('delete', old.user_id, old.name, old.body);"
    " INSERT INTO mentor_search_fts(rowid, name, body) VALUES (new.user_id, new.name, new.body);"
    " END",
]
# The name weighs most (A), the rest less (B); the text is folded already, so the
# 'simple' configuration (lower case, no stemming, no stop words) is all it needs.
POSTGRES_INDEX = [
    "CREATE FUNCTION mentor_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " NEW.vector := setweight(to_tsvector('simple', coalesce(NEW.name, '')), 'A')"
    " || setweight(to_tsvector('simple', coalesce(NEW.body, '')), 'B');"
    " RETURN NEW; END $$",
    "CREATE TRIGGER mentor_search_vector BEFORE INSERT OR UPDATE OF name, body"
    " ON mentor_search FOR EACH ROW EXECUTE FUNCTION mentor_search_vector()",
]


def _words(text):
    """As mentorapp.mentors.index folds text (frozen here as it was)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"[^\W_]+", stripped.casefold()))


def upgrade():
    op.create_table(
        'mentor_search',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mentor_search_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mentor_search')),
    )
    op.create_index('ix_mentor_search_vector', 'mentor_search', ['vector'], unique=False, postgresql_using='gin')
    bind = op.get_bind()
    for statement in SQLITE_INDEX if bind.dialect.name == 'sqlite' else POSTGRES_INDEX:
        op.execute(statement)
    rows = bind.execute(sa.text(
        "SELECT mentor_profiles.user_id, users.display_name, mentor_profiles.headline,"
        " mentor_profiles.bio, mentor_profiles.credits, places.name, places.country"
        " FROM mentor_profiles JOIN users ON users.id = mentor_profiles.user_id"
        " LEFT JOIN places ON places.id = mentor_profiles.place_id"
    )).all()
    if rows:
        bind.execute(
            sa.text("INSERT INTO mentor_search (user_id, name, body) VALUES (:i, :n, :b)"),
            [
                {"i": row[0], "n": _words(row[1]), "b": _words("\n".join(p or "" for p in row[2:]))}
                for row in rows
            ],
        )


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for trigger in ('mentor_search_ai', 'mentor_search_ad', 'mentor_search_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS mentor_search_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS mentor_search_vector ON mentor_search")
        op.execute("DROP FUNCTION IF EXISTS mentor_search_vector()")
    op.drop_index('ix_mentor_search_vector', table_name='mentor_search', postgresql_using='gin')
    op.drop_table('mentor_search')
