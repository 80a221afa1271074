"""CSV imports resumable by a task: checkpoints per committed batch

The job keeps its file (gzip-compressed) instead of its parsed rows, a state, a lease
for the worker that holds it, and counts; what became of each row moves to a table of
its own (listing_import_rows), written with each batch. Imports made before keep their
report: their refused rows come from the old JSON list, their imported rows from the
audit trail ("Row 7 of listings.csv (import #3)"). One still unfinished had lost its
thread: it is marked failed, saying which rows to import again.

Revision ID: e1f0a0000002
Revises: e1f0a0000001
Create Date: 2026-12-02 10:10:00.000000

"""
import json
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e1f0a0000002'
down_revision = 'e1f0a0000001'
branch_labels = None
depends_on = None

_ROW_NOTE = re.compile(r"^Row (\d+) of .* \(import #(\d+)\)$")


def upgrade():
    op.create_table('listing_import_rows',
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('imported', 'refused')", name=op.f('ck_listing_import_rows_known_outcome')),
    sa.ForeignKeyConstraint(['job_id'], ['listing_imports.id'], name=op.f('fk_listing_import_rows_job_id_listing_imports'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['listing_id'], ['listings.id'], name=op.f('fk_listing_import_rows_listing_id_listings'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('job_id', 'number', name=op.f('pk_listing_import_rows'))
    )
    with op.batch_alter_table('listing_import_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_import_rows_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index('ix_listing_import_rows_outcome', ['job_id', 'outcome', 'number'], unique=False)

    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('state', sa.String(length=20), nullable=False, server_default='finished'))
        batch_op.add_column(sa.Column('failure', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('refused_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('runs', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))

    _keep_old_reports()

    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.drop_column('rows')
        batch_op.drop_column('refused')
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.alter_column('refused_count', new_column_name='refused')
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.alter_column('state', server_default=None)
        batch_op.alter_column('failure', server_default=None)
        batch_op.alter_column('refused', server_default=None)
        batch_op.alter_column('runs', server_default=None)
        batch_op.create_check_constraint('known_state', "state IN ('queued', 'running', 'finished', 'failed')")
        batch_op.create_index('ix_listing_imports_admin_id', ['admin_id', 'id'], unique=False)
        batch_op.create_index('ix_listing_imports_state', ['state'], unique=False)


def _keep_old_reports():
    bind = op.get_bind()
    outcomes = sa.table(
        'listing_import_rows',
        sa.column('job_id', sa.Integer), sa.column('number', sa.Integer),
        sa.column('outcome', sa.String), sa.column('name', sa.String),
        sa.column('reasons', sa.Text), sa.column('listing_id', sa.Integer),
    )
    jobs = bind.execute(sa.text(
        "SELECT id, rows, refused, done, total, finished_at FROM listing_imports"
    )).all()
    for job_id, rows, refused, done, total, finished_at in jobs:
        rows = json.loads(rows) if isinstance(rows, str) else (rows or [])
        refused = json.loads(refused) if isinstance(refused, str) else (refused or [])
        names = {number: (cells or {}).get('name', '')[:200] for number, cells in rows}
        found = {}
        for number, reason in refused:
            found[number] = {'job_id': job_id, 'number': number, 'outcome': 'refused',
                             'name': names.get(number, ''), 'reasons': reason, 'listing_id': None}
        for listing_id, note in bind.execute(sa.text(
            "SELECT subject_id, reason FROM audit_log WHERE action = 'listing_imported' "
            "AND subject = 'listing' AND reason LIKE :tail"
        ), {'tail': f'%(import #{job_id})'}):
            match = _ROW_NOTE.match(note or '')
            if match and int(match.group(2)) == job_id:
                number = int(match.group(1))
                found.setdefault(number, {'job_id': job_id, 'number': number, 'outcome': 'imported',
                                          'name': names.get(number, ''), 'reasons': '',
                                          'listing_id': listing_id})
        if found:
            bind.execute(outcomes.insert(), list(found.values()))
        values = {'id': job_id, 'refused': len(refused), 'state': 'finished', 'failure': ''}
        if finished_at is None:
            first = rows[done][0] if done < len(rows) else None
            values |= {'state': 'failed', 'failure': (
                "The import stopped before it finished (the server restarted while it ran)."
                + (f" Rows from {first} on were not imported: import them again." if first else "")
            )}
        bind.execute(sa.text(
            "UPDATE listing_imports SET refused_count = :refused, state = :state, "
            "failure = :failure WHERE id = :id"
        ), values)


def downgrade():
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_imports_state')
        batch_op.drop_index('ix_listing_imports_admin_id')
        batch_op.drop_constraint('known_state', type_='check')
        batch_op.add_column(sa.Column('rows', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('refused_list', sa.JSON(), nullable=False, server_default='[]'))
    bind = op.get_bind()
    # The refused rows go back into the job's list; the rows themselves were not kept.
    refused = {}
    for job_id, number, reasons in bind.execute(sa.text(
        "SELECT job_id, number, reasons FROM listing_import_rows WHERE outcome = 'refused' "
        "ORDER BY job_id, number"
    )):
        refused.setdefault(job_id, []).append([number, reasons])
    for job_id, items in refused.items():
        bind.execute(sa.text("UPDATE listing_imports SET refused_list = :r WHERE id = :i"),
                     {'r': json.dumps(items), 'i': job_id})
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.drop_column('started_at')
        batch_op.drop_column('enqueued_at')
        batch_op.drop_column('runs')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('lease_token')
        batch_op.drop_column('refused')
        batch_op.drop_column('failure')
        batch_op.drop_column('state')
        batch_op.drop_column('file')
    with op.batch_alter_table('listing_imports', schema=None) as batch_op:
        batch_op.alter_column('refused_list', new_column_name='refused')
    op.drop_index('ix_listing_import_rows_outcome', table_name='listing_import_rows')
    op.drop_index(op.f('ix_listing_import_rows_listing_id'), table_name='listing_import_rows')
    op.drop_table('listing_import_rows')
