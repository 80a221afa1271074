"""profile photos (placeholder: filled in by the change that needs it)

Revision ID: e1f0a0000010
Revises: e1f0a0000009
Create Date: 2026-12-03 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000010'
down_revision = 'e1f0a0000009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
