"""tools waiting list pause 

Revision ID: e1f0a0000008
Revises: e1f0a0000007
Create Date: 2026-12-02 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000008'
down_revision = 'e1f0a0000007'
branch_labels = None
depends_on = None


def upgrade():
    # The DAW and tools each side works in (keys of profiles.vocabulary.TOOLS).
    for table in ("mentor_profiles", "mentee_profiles"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tools", sa.JSON(), server_default="[]", nullable=False))
    # A mentor's pause, until a day (mentorapp/availability).
    with op.batch_alter_table("mentor_profiles") as batch:
        batch.add_column(sa.Column("paused_until", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("mentor_profiles") as batch:
        batch.drop_column("paused_until")
    for table in ("mentor_profiles", "mentee_profiles"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tools")
