"""Cohorts: an intake (its members and each mentor's places for it), its runs (previews)
with one placement per mentee; programme invitations on apprenticeships (cohort_id,
requested_by 'programme')

Revision ID: e1f0a0000023
Revises: e1f0a0000022
Create Date: 2026-12-04 14:03:06.699615

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1f0a0000023"
down_revision = "e1f0a0000022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("pins", sa.JSON(), nullable=False),
        sa.Column("forbids", sa.JSON(), nullable=False),
        sa.Column("drops", sa.JSON(), nullable=False),
        sa.Column("committed_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_cohorts_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
    )
    op.create_table(
        "cohort_members",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "side IN ('mentee', 'mentor')", name=op.f("ck_cohort_members_known_side")
        ),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity >= 0",
            name=op.f("ck_cohort_members_capacity_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_cohort_members_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cohort_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", "side", "user_id", name=op.f("pk_cohort_members")),
    )
    with op.batch_alter_table("cohort_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cohort_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=120), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("pins", sa.JSON(), nullable=False),
        sa.Column("forbids", sa.JSON(), nullable=False),
        sa.Column("drops", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("commit_state", sa.String(length=10), nullable=True),
        sa.Column("commit_total", sa.Integer(), nullable=False),
        sa.Column("commit_done", sa.Integer(), nullable=False),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "commit_state IS NULL OR commit_state IN ('queued', 'running', 'finished')",
            name=op.f("ck_cohort_runs_known_commit_state"),
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'finished', 'failed')",
            name=op.f("ck_cohort_runs_known_state"),
        ),
        sa.CheckConstraint(
            "strategy IN ('optimal', 'stable')", name=op.f("ck_cohort_runs_known_strategy")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_cohort_runs_cohort_id_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_cohort_runs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_runs")),
    )
    with op.batch_alter_table("cohort_runs", schema=None) as batch_op:
        batch_op.create_index("ix_cohort_runs_cohort", ["cohort_id", "id"], unique=False)

    op.create_table(
        "cohort_placements",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("why", sa.String(length=200), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("outcome_note", sa.String(length=300), nullable=False),
        sa.Column("apprenticeship_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('invited', 'skipped')",
            name=op.f("ck_cohort_placements_known_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["apprenticeship_id"],
            ["apprenticeships.id"],
            name=op.f("fk_cohort_placements_apprenticeship_id_apprenticeships"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mentee_id"],
            ["users.id"],
            name=op.f("fk_cohort_placements_mentee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_cohort_placements_mentor_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["cohort_runs.id"],
            name=op.f("fk_cohort_placements_run_id_cohort_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "mentee_id", name=op.f("pk_cohort_placements")),
    )
    with op.batch_alter_table("cohort_placements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cohort_placements_run_mentor", ["run_id", "mentor_id"], unique=False
        )

    with op.batch_alter_table("apprenticeships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cohort_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_apprenticeships_cohort_id", ["cohort_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_apprenticeships_cohort_id_cohorts"),
            "cohorts",
            ["cohort_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(op.f("ck_apprenticeships_known_requester"), type_="check")
        batch_op.create_check_constraint(
            "known_requester", "requested_by IN ('mentee', 'mentor', 'programme')"
        )


def downgrade():
    # Programme invitations go with their cohorts.
    op.execute("DELETE FROM apprenticeships WHERE requested_by = 'programme'")
    with op.batch_alter_table("apprenticeships", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_apprenticeships_known_requester"), type_="check")
        batch_op.create_check_constraint("known_requester", "requested_by IN ('mentee', 'mentor')")
        batch_op.drop_constraint(
            batch_op.f("fk_apprenticeships_cohort_id_cohorts"), type_="foreignkey"
        )
        batch_op.drop_index("ix_apprenticeships_cohort_id")
        batch_op.drop_column("cohort_id")

    with op.batch_alter_table("cohort_placements", schema=None) as batch_op:
        batch_op.drop_index("ix_cohort_placements_run_mentor")

    op.drop_table("cohort_placements")
    with op.batch_alter_table("cohort_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_cohort_runs_cohort")

    op.drop_table("cohort_runs")
    with op.batch_alter_table("cohort_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_members_user_id"))

    op.drop_table("cohort_members")
    op.drop_table("cohorts")
