"""Dates of birth, guardian consent, mentors who take under-18s, code of conduct acceptance

Existing accounts keep NULL for the date of birth and the accepted code of conduct:
they are asked for both at their next sign-in (mentorapp.trust.conduct). Existing
mentors take apprentices aged 18 and over only until they say otherwise.

Revision ID: e1f0a0000006
Revises: e1f0a0000005
Create Date: 2026-12-02 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000006'
down_revision = 'e1f0a0000005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('date_of_birth', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('conduct_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('conduct_accepted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('takes_minors', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        'guardian_consents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('minor_id', sa.Integer(), nullable=False),
        sa.Column('guardian_email', sa.String(length=254), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('guardian_name', sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "state IN ('waiting', 'given', 'refused', 'replaced')",
            name=op.f('ck_guardian_consents_known_state'),
        ),
        sa.ForeignKeyConstraint(
            ['minor_id'], ['users.id'],
            name=op.f('fk_guardian_consents_minor_id_users'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_guardian_consents')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_guardian_consents_token_hash')),
    )
    op.create_index(
        'ix_guardian_consents_minor_created', 'guardian_consents', ['minor_id', 'created_at'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_guardian_consents_minor_created', table_name='guardian_consents')
    op.drop_table('guardian_consents')
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.drop_column('takes_minors')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('conduct_accepted_at')
        batch_op.drop_column('conduct_version')
        batch_op.drop_column('date_of_birth')
