"""admins step down only with a second admin's confirmation; the people search on trigram indexes (PostgreSQL)

Revision ID: e1f0a0000022
Revises: e1f0a0000021
Create Date: 2026-12-04 14:10:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "e1f0a0000022"
down_revision = "e1f0a0000021"
branch_labels = None
depends_on = None

# The admins' people search matches LIKE '%word%' on the name and the email: PostgreSQL
# answers it from these (pg_trgm is there since e1f0a0000013). SQLite scans the users
# table, which stays well under the page's budget at 100,000 people (bench/exports.py).
POSTGRES_INDEXES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_users_display_name_trgm ON users USING gin (lower(display_name) gin_trgm_ops)",
    "CREATE INDEX ix_users_email_trgm ON users USING gin (email gin_trgm_ops)",
]


def upgrade():
    op.create_table(
        "admin_step_downs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('confirmed', 'cancelled')",
            name=op.f("ck_admin_step_downs_known_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_admin_step_downs_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["users.id"],
            name=op.f("fk_admin_step_downs_person_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_step_downs")),
    )
    op.create_index(
        "uq_admin_step_downs_pending",
        "admin_step_downs",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text("decided_at IS NULL"),
        postgresql_where=sa.text("decided_at IS NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_INDEXES:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_users_email_trgm")
        op.execute("DROP INDEX ix_users_display_name_trgm")
    op.drop_index("uq_admin_step_downs_pending", table_name="admin_step_downs")
    op.drop_table("admin_step_downs")
