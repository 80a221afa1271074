"""Vetted mentors: mentor applications reviewed like listings; existing mentors grandfathered as approved

Every person who is a mentor already (or holds a mentor profile) gets an approved
application, vetted at the time of the upgrade, holding their credits, portfolio links
and studio as the version approved: nobody's running apprenticeship, waiting request
or place in the suggestions changes. People who become mentors from now on apply.

Revision ID: e1f0a0000003
Revises: e1f0a0000002
Create Date: 2026-12-02 10:10:00.000000

"""
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000003'
down_revision = 'e1f0a0000002'
branch_labels = None
depends_on = None


def _list(value):
    if isinstance(value, str):
        value = json.loads(value)
    return list(value or [])


def upgrade():
    applications = op.create_table('mentor_applications',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('evidence_links', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('approved_data', sa.JSON(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('vetted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'pending', 'approved', 'rejected', 'changes_requested')", name=op.f('ck_mentor_applications_known_state')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mentor_applications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mentor_applications'))
    )
    with op.batch_alter_table('mentor_applications', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_applications_state_submitted', ['state', 'submitted_at'], unique=False)

    # Existing mentors are grandfathered: approved now, with what their profile says.
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == 'sqlite':
        now = now.replace(tzinfo=None)  # stored as UTC without a zone, as the app does
    rows = bind.execute(sa.text(
        "SELECT users.id, mp.credits, mp.portfolio_links, mp.studio_id"
        " FROM users LEFT JOIN mentor_profiles mp ON mp.user_id = users.id"
        " WHERE users.is_mentor OR mp.user_id IS NOT NULL"
    )).all()
    grandfathered = []
    for user_id, credits, links, studio_id in rows:
        data = {
            "credits": credits or "",
            "portfolio_links": _list(links),
            "studio_id": studio_id,
            "evidence_links": [],
            "note": "",
        }
        grandfathered.append({
            "user_id": user_id, "state": "approved", "evidence_links": [], "note": "",
            "data": data, "approved_data": data, "review_note": "",
            "submitted_at": now, "decided_at": now, "vetted_at": now, "created_at": now,
        })
    if grandfathered:
        op.bulk_insert(applications, grandfathered)


def downgrade():
    with op.batch_alter_table('mentor_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_applications_state_submitted')

    op.drop_table('mentor_applications')
