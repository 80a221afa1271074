"""profile photos: users.photo_key, and photo_removals (files still to delete)

Revision ID: e1f0a0000010
Revises: e1f0a0000009
Create Date: 2026-12-03 06:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000010'
down_revision = 'e1f0a0000009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('photo_removals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('photo_key', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo_removals'))
    )
    with op.batch_alter_table('photo_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_removals_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_key', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_photo_key'), ['photo_key'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_photo_key'), type_='unique')
        batch_op.drop_column('photo_key')

    with op.batch_alter_table('photo_removals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_removals_created_at'))

    op.drop_table('photo_removals')
