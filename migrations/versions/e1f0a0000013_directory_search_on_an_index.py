"""directory search on an index: search_text without accents, pg_trgm GIN on PostgreSQL, FTS5 trigrams on SQLite

Revision ID: e1f0a0000013
Revises: e1f0a0000012
Create Date: 2026-12-03 07:35:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000013'
down_revision = 'e1f0a0000012'
branch_labels = None
depends_on = None

# An external-content FTS5 table of trigrams over listings.search_text: MATCH '"word"'
# finds the substring, as LIKE '%word%' did, from the index. The triggers keep it in
# step with every insert, update and delete of a listing.
SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE listings_search USING fts5(search_text, content='listings',"
    " content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER listings_search_ai AFTER INSERT ON listings BEGIN"
    " INSERT INTO listings_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER listings_search_ad AFTER DELETE ON listings BEGIN"
    " INSERT INTO listings_search(listings_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER listings_search_au AFTER UPDATE OF search_text ON listings BEGIN"
    " INSERT INTO listings_search(listings_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO listings_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]
POSTGRES_INDEX = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_listings_search_text_trgm ON listings USING gin (search_text gin_trgm_ops)",
]


def _fold(text):
    """As mentorapp.places.gazetteer.fold (frozen here as it was)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().replace("-", " ").split())


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT listings.id, listings.name, listings.description, places.name "
        "FROM listings JOIN places ON places.id = listings.place_id"
    )).all()
    if rows:
        bind.execute(
            sa.text("UPDATE listings SET search_text = :t WHERE id = :i"),
            [
                {"t": "\n".join(_fold(part) for part in (name, description, city)), "i": i}
                for i, name, description, city in rows
            ],
        )
    for statement in SQLITE_INDEX if bind.dialect.name == 'sqlite' else POSTGRES_INDEX:
        op.execute(statement)
    if bind.dialect.name == 'sqlite':
        op.execute("INSERT INTO listings_search(listings_search) VALUES ('rebuild')")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for name in ("listings_search_au", "listings_search_ad", "listings_search_ai"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE listings_search")
    else:
        op.execute("DROP INDEX ix_listings_search_text_trgm")
    rows = bind.execute(sa.text(
        "SELECT listings.id, listings.name, listings.description, places.name "
        "FROM listings JOIN places ON places.id = listings.place_id"
    )).all()
    if rows:
        bind.execute(
            sa.text("UPDATE listings SET search_text = :t WHERE id = :i"),
            [
                {"t": "\n".join((name or "", description or "", city or "")).lower(), "i": i}
                for i, name, description, city in rows
            ],
        )
