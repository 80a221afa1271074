"""The programme dashboard counts requests by the date they were made: an index on it

Revision ID: e1f0a0000024
Revises: e1f0a0000023
Create Date: 2026-12-04 15:30:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e1f0a0000024"
down_revision = "e1f0a0000023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_apprenticeships_created_at", "apprenticeships", ["created_at"])


def downgrade():
    op.drop_index("ix_apprenticeships_created_at", table_name="apprenticeships")
