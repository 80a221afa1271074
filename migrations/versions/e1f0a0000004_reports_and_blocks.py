"""Reports about people and content, blocks between people, moderation actions

Revision ID: e1f0a0000004
Revises: e1f0a0000003
Create Date: 2026-12-02 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000004'
down_revision = 'e1f0a0000003'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
