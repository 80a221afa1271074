"""CSV imports resumable by a task: checkpoints per committed batch

Revision ID: e1f0a0000002
Revises: e1f0a0000001
Create Date: 2026-12-02 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000002'
down_revision = 'e1f0a0000001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
