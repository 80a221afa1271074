"""tools waiting list pause

Revision ID: e1f0a0000008
Revises: e1f0a0000007
Create Date: 2026-12-02 18:45:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "e1f0a0000008"
down_revision = "e1f0a0000007"
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
    # Mentees waiting for a place with a full mentor (mentorapp/availability).
    op.create_table(
        "waiting_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_waiting_list_entries_mentor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["users.id"],
            name=op.f("fk_waiting_list_entries_mentee_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waiting_list_entries")),
        sa.UniqueConstraint("mentor_id", "mentee_id", name="uq_waiting_list_entries_pair"),
    )
    op.create_index(
        "ix_waiting_list_entries_order", "waiting_list_entries", ["mentor_id", "joined_at", "id"]
    )
    op.create_index(
        op.f("ix_waiting_list_entries_mentee_id"), "waiting_list_entries", ["mentee_id"]
    )


def downgrade():
    op.drop_index(op.f("ix_waiting_list_entries_mentee_id"), table_name="waiting_list_entries")
    op.drop_index("ix_waiting_list_entries_order", table_name="waiting_list_entries")
    op.drop_table("waiting_list_entries")
    with op.batch_alter_table("mentor_profiles") as batch:
        batch.drop_column("paused_until")
    for table in ("mentor_profiles", "mentee_profiles"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tools")
