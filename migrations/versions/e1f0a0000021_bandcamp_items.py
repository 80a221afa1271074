"""Bandcamp page links: the album or track numbers read from them, kept on the profile

Revision ID: e1f0a0000021
Revises: e1f0a0000014
Create Date: 2026-12-03 14:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1f0a0000021"
down_revision = "e1f0a0000014"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch: nothing to rebuild on SQLite.
    op.add_column(
        "mentor_profiles",
        sa.Column("bandcamp_items", sa.JSON(), server_default="{}", nullable=False),
    )


def downgrade():
    op.drop_column("mentor_profiles", "bandcamp_items")
