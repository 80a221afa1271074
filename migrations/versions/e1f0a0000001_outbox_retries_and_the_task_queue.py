"""Email retries on the task queue (next attempt, failed for good) and task bookkeeping

Revision ID: e1f0a0000001
Revises: d5e3f9b2a014
Create Date: 2026-12-02 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000001'
down_revision = 'd5e3f9b2a014'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
