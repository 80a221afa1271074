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
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sending_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_outbound_emails_next_attempt_at', ['next_attempt_at'], unique=False)
        batch_op.create_index('ix_outbound_emails_failed_at', ['failed_at'], unique=False)
    # Emails still waiting are due now: the first sweep hands them to the queue.
    op.execute(
        "UPDATE outbound_emails SET next_attempt_at = created_at WHERE sent_at IS NULL"
    )

    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('recheck_notice_at', sa.DateTime(timezone=True), nullable=True)
        )

    op.create_table(
        'task_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('payload', sa.Text(), nullable=True),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('error', sa.String(length=2000), nullable=True),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('retried_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_task_runs')),
    )
    op.create_index(
        'ix_task_runs_state_started_at', 'task_runs', ['state', 'started_at'], unique=False
    )


def downgrade():
    op.drop_index('ix_task_runs_state_started_at', table_name='task_runs')
    op.drop_table('task_runs')
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('recheck_notice_at')
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbound_emails_failed_at')
        batch_op.drop_index('ix_outbound_emails_next_attempt_at')
        batch_op.drop_column('failed_at')
        batch_op.drop_column('sending_since')
        batch_op.drop_column('next_attempt_at')
