"""storefront: credits as a list, and the terms of an apprenticeship

The free-text credits of every mentor become rows, one a line (a line longer than a
title holds is split at spaces, so nothing is lost). The text column stays, as the
plain-text summary of the list that the search indexes and the admins vet; it is left
as the mentor wrote it until they next change their list. (The photo of this change is
in e1f0a0000010.)

Revision ID: e1f0a0000007
Revises: e1f0a0000006
Create Date: 2026-12-02 18:45:00.000000

"""
import textwrap

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000007'
down_revision = 'e1f0a0000006'
branch_labels = None
depends_on = None

TITLE_MAX = 200


def credit_titles(text):
    """One title a line of the old free text; a line too long for a title is split."""
    titles = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if line:
            titles += textwrap.wrap(line, TITLE_MAX, break_long_words=True) or [line[:TITLE_MAX]]
    return titles


def upgrade():
    op.create_table(
        'mentor_credits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('mentor_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('artist', sa.String(length=200), nullable=False),
        sa.Column('role', sa.String(length=120), nullable=False),
        sa.Column('year', sa.Integer(), nullable=True),
        sa.Column('link', sa.String(length=300), nullable=False),
        sa.CheckConstraint(
            'year IS NULL OR year BETWEEN 1900 AND 2100', name=op.f('ck_mentor_credits_year_range')
        ),
        sa.ForeignKeyConstraint(
            ['mentor_id'], ['mentor_profiles.user_id'],
            name=op.f('fk_mentor_credits_mentor_id_mentor_profiles'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_credits')),
    )
    op.create_index(
        'ix_mentor_credits_mentor_position', 'mentor_credits', ['mentor_id', 'position'],
        unique=False,
    )
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms', sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column('terms_rate', sa.String(length=200), server_default='', nullable=False)
        )
        batch_op.add_column(sa.Column('typical_week', sa.Text(), server_default='', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_mentor_profiles_known_terms'),
            "terms IS NULL OR terms IN ('free', 'paid', 'work_for_learning')"
        )

    connection = op.get_bind()
    profiles = connection.execute(
        sa.text("SELECT user_id, credits FROM mentor_profiles WHERE credits <> ''")
    ).fetchall()
    rows = [
        {
            'mentor_id': user_id, 'position': position, 'title': title, 'artist': '',
            'role': '', 'year': None, 'link': '',
        }
        for user_id, text in profiles
        for position, title in enumerate(credit_titles(text))
    ]
    if rows:
        credits = sa.table(
            'mentor_credits',
            *(sa.column(name) for name in rows[0]),
        )
        op.bulk_insert(credits, rows)


def downgrade():
    # The text column holds every credit already (the summary of the list).
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_mentor_profiles_known_terms'), type_='check')
        batch_op.drop_column('typical_week')
        batch_op.drop_column('terms_rate')
        batch_op.drop_column('terms')
    op.drop_index('ix_mentor_credits_mentor_position', table_name='mentor_credits')
    op.drop_table('mentor_credits')
