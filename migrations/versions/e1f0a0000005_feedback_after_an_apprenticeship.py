"""Feedback when an apprenticeship ends: ratings, private words, testimonials

Revision ID: e1f0a0000005
Revises: e1f0a0000004
Create Date: 2026-12-02 10:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000005'
down_revision = 'e1f0a0000004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('apprenticeship_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('private_words', sa.Text(), nullable=False),
    sa.Column('testimonial', sa.Text(), nullable=False),
    sa.Column('testimonial_signed', sa.Boolean(), nullable=False),
    sa.Column('testimonial_shown', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_feedback_rating_range')),
    sa.CheckConstraint("side IN ('mentor', 'mentee')", name=op.f('ck_feedback_known_side')),
    sa.CheckConstraint("side = 'mentee' OR testimonial = ''", name=op.f('ck_feedback_testimonial_by_apprentice')),
    sa.ForeignKeyConstraint(['apprenticeship_id'], ['apprenticeships.id'], name=op.f('fk_feedback_apprenticeship_id_apprenticeships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_feedback_author_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    op.create_index('uq_feedback_one_per_side', 'feedback', ['apprenticeship_id', 'side'], unique=True)


def downgrade():
    op.drop_index('uq_feedback_one_per_side', table_name='feedback')
    op.drop_table('feedback')
