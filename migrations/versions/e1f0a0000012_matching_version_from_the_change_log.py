"""matching version from the change log: no matching_state row to queue on

Revision ID: e1f0a0000012
Revises: e1f0a0000010
Create Date: 2026-12-03 07:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000012'
down_revision = 'e1f0a0000010'
branch_labels = None
depends_on = None


def upgrade():
    # The change log's ids are the version now (suggestions/index.py): writers only insert.
    with op.batch_alter_table('matching_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_matching_changes_version'))
        batch_op.drop_column('version')
    op.drop_table('matching_state')


def downgrade():
    op.create_table('matching_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_state'))
    )
    with op.batch_alter_table('matching_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(batch_op.f('ix_matching_changes_version'), ['version'], unique=False)
    op.execute("UPDATE matching_changes SET version = id")
    op.execute(
        "INSERT INTO matching_state (id, version) "
        "SELECT 1, COALESCE(MAX(id), 0) + 1 FROM matching_changes"
    )
