"""The programme dashboard's figures kept per span (dates and cohort), worked out in the background

Revision ID: e1f0a0000027
Revises: e1f0a0000024
Create Date: 2026-12-04 20:45:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "e1f0a0000027"
down_revision = "e1f0a0000024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("charts", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_snapshots")),
        sa.UniqueConstraint("scope", name=op.f("uq_dashboard_snapshots_scope")),
    )


def downgrade():
    op.drop_table("dashboard_snapshots")
