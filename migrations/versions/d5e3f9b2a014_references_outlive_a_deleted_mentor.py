"""Apprenticeships outlive a deleted mentor account (mentor_id set to NULL), so the
references written in them stay with the apprentice

Revision ID: d5e3f9b2a014
Revises: c4d2e8a1f903
Create Date: 2026-12-01 21:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e3f9b2a014'
down_revision = 'c4d2e8a1f903'
branch_labels = None
depends_on = None

OPEN = "state IN ('requested', 'accepted')"


def upgrade():
    # SQLite rebuilds the table for this; the partial unique index is made again
    # explicitly, so it keeps its WHERE on every version of SQLAlchemy.
    op.drop_index('uq_apprenticeships_open_pair', table_name='apprenticeships')
    with op.batch_alter_table('apprenticeships', schema=None) as batch_op:
        batch_op.drop_constraint('fk_apprenticeships_mentor_id_users', type_='foreignkey')
        batch_op.alter_column('mentor_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            'fk_apprenticeships_mentor_id_users', 'users', ['mentor_id'], ['id'],
            ondelete='SET NULL',
        )
    op.create_index(
        'uq_apprenticeships_open_pair', 'apprenticeships', ['mentor_id', 'mentee_id'],
        unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN),
    )


def downgrade():
    op.execute("DELETE FROM apprenticeships WHERE mentor_id IS NULL")
    op.drop_index('uq_apprenticeships_open_pair', table_name='apprenticeships')
    with op.batch_alter_table('apprenticeships', schema=None) as batch_op:
        batch_op.drop_constraint('fk_apprenticeships_mentor_id_users', type_='foreignkey')
        batch_op.alter_column('mentor_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(
            'fk_apprenticeships_mentor_id_users', 'users', ['mentor_id'], ['id'],
            ondelete='CASCADE',
        )
    op.create_index(
        'uq_apprenticeships_open_pair', 'apprenticeships', ['mentor_id', 'mentee_id'],
        unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN),
    )
