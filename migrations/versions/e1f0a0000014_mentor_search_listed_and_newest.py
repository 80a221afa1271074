"""Mentor search rows say whether the mentor is listed and when the profile was made, so the Mentors page takes its first mentors from mentor_search alone; a GIN index on the names on PostgreSQL

Revision ID: e1f0a0000014
Revises: e1f0a0000013
Create Date: 2026-12-03 13:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000014'
down_revision = 'e1f0a0000013'
branch_labels = None
depends_on = None

# Listed: as mentorapp.mentors.index decides it (frozen here as it was).
FILL = (
    "UPDATE mentor_search SET"
    " created_at = (SELECT mentor_profiles.created_at FROM mentor_profiles"
    "  WHERE mentor_profiles.user_id = mentor_search.user_id),"
    " listed = EXISTS (SELECT 1 FROM users JOIN mentor_applications"
    "  ON mentor_applications.user_id = users.id"
    "  WHERE users.id = mentor_search.user_id AND users.is_mentor"
    "  AND users.suspended_at IS NULL AND mentor_applications.vetted_at IS NOT NULL)"
)


def upgrade():
    # Plain ALTERs, not a batch: rebuilding the table on SQLite would drop the FTS
    # triggers that follow it.
    op.add_column(
        'mentor_search',
        sa.Column('listed', sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column('mentor_search', sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'ix_mentor_search_listed_newest',
        'mentor_search',
        ['listed', 'created_at', 'user_id'],
        unique=False,
    )
    op.execute(FILL)
    if op.get_bind().dialect.name == 'postgresql':
        # The names alone, so the mentors named by a word are found first however many
        # others hold it in their bio (mentorapp.mentors.search.first_matches).
        op.execute(
            "CREATE INDEX ix_mentor_search_name ON mentor_search"
            " USING gin (to_tsvector('simple', name))"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_mentor_search_name")
    op.drop_index('ix_mentor_search_listed_newest', table_name='mentor_search')
    op.drop_column('mentor_search', 'created_at')
    op.drop_column('mentor_search', 'listed')
