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


OPEN = "state = 'open'"


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('reported_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('apprenticeship_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('reported_name', sa.String(length=80), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("subject IN ('person', 'profile', 'message', 'reference')", name=op.f('ck_reports_known_subject')),
    sa.CheckConstraint("reason IN ('harassment', 'inappropriate', 'spam', 'in_person_safety', 'impersonation', 'other')", name=op.f('ck_reports_known_reason')),
    sa.CheckConstraint("state IN ('open', 'dismissed', 'warned', 'hidden', 'suspended')", name=op.f('ck_reports_known_state')),
    sa.CheckConstraint('reporter_id <> reported_id', name=op.f('ck_reports_not_oneself')),
    sa.ForeignKeyConstraint(['apprenticeship_id'], ['apprenticeships.id'], name=op.f('fk_reports_apprenticeship_id_apprenticeships'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_reports_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reported_id'], ['users.id'], name=op.f('fk_reports_reported_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_reports_reporter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_reported_state', ['reported_id', 'state'], unique=False)
        batch_op.create_index('ix_reports_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_reports_subject', ['subject', 'subject_id', 'state'], unique=False)
        batch_op.create_index('uq_reports_open_subject', ['reporter_id', 'subject', 'subject_id'], unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

    op.create_table('blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('blocker_id <> blocked_id', name=op.f('ck_blocks_not_oneself')),
    sa.ForeignKeyConstraint(['blocked_id'], ['users.id'], name=op.f('fk_blocks_blocked_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_id'], ['users.id'], name=op.f('fk_blocks_blocker_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocks')),
    sa.UniqueConstraint('blocker_id', 'blocked_id', name=op.f('uq_blocks_blocker_id'))
    )
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.create_index('ix_blocks_blocked', ['blocked_id'], unique=False)

    # The sending limits count a person's messages of the last hour.
    op.create_index('ix_apprenticeship_messages_author_created', 'apprenticeship_messages', ['author_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_apprenticeship_messages_author_created', table_name='apprenticeship_messages')
    with op.batch_alter_table('blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_blocks_blocked')
    op.drop_table('blocks')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('uq_reports_open_subject', sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
        batch_op.drop_index('ix_reports_subject')
        batch_op.drop_index('ix_reports_state_created')
        batch_op.drop_index('ix_reports_reported_state')
    op.drop_table('reports')
