"""Listings: lower-case name and text for the directory's search and order; an index for the yearly re-checks

Revision ID: c4d2e8a1f903
Revises: 48688be37bd9
Create Date: 2026-12-01 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d2e8a1f903'
down_revision = '48688be37bd9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.String(length=120).with_variant(sa.String(length=120, collation='C'), 'postgresql'), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_listings_public_by_name', ['state', 'unpublished_at', 'sort_name', 'id'], unique=False)
        batch_op.create_index('ix_listings_recheck_due', ['state', 'unpublished_at', 'recheck_due_at'], unique=False)
    # Fill them for the listings already there, lower-cased as Python does it (the app
    # keeps them from now on).
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT listings.id, listings.name, listings.description, places.name "
        "FROM listings JOIN places ON places.id = listings.place_id"
    )).all()
    for listing_id, name, description, city in rows:
        bind.execute(
            sa.text("UPDATE listings SET sort_name = :s, search_text = :t WHERE id = :i"),
            {
                "s": (name or "").lower()[:120],
                "t": "\n".join((name or "", description or "", city or "")).lower(),
                "i": listing_id,
            },
        )


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_index('ix_listings_recheck_due')
        batch_op.drop_index('ix_listings_public_by_name')
        batch_op.drop_column('search_text')
        batch_op.drop_column('sort_name')
