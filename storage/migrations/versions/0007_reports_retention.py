"""reporting and retention: categories, retention runs, anonymisation marks, and a narrow
redaction path through the append-only event log (see docs/retention.md)

Revision ID: 0007_reports
Revises: 0003
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0007_reports'
down_revision = '0003'
branch_labels = None
depends_on = None

# An UPDATE of an event passes only while the anonymisation transaction holds a permit for its case,
# the case is not under legal hold, and nothing but `data` changes. DELETE stays refused.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND EXISTS (SELECT 1 FROM retention_permits p WHERE p.case_id = OLD.case_id)
     AND (SELECT c.legal_hold FROM cases c WHERE c.id = OLD.case_id) IS NULL
     AND NEW.id = OLD.id AND NEW.case_id IS NOT DISTINCT FROM OLD.case_id AND NEW.at = OLD.at
     AND NEW.kind = OLD.kind AND NEW.actor = OLD.actor AND NEW.element IS NOT DISTINCT FROM OLD.element
     AND NEW.version_id IS NOT DISTINCT FROM OLD.version_id THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the event log is append-only';
END $$ LANGUAGE plpgsql
"""
_PG_ORIGINAL = ("CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'the event log is append-only'; END $$ LANGUAGE plpgsql")
_SQLITE_UPDATE = """
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT EXISTS (SELECT 1 FROM retention_permits p WHERE p.case_id = OLD.case_id)
  OR (SELECT c.legal_hold FROM cases c WHERE c.id = OLD.case_id) IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.case_id IS NOT OLD.case_id OR NEW.at IS NOT OLD.at OR NEW.kind IS NOT OLD.kind
  OR NEW.actor IS NOT OLD.actor OR NEW.element IS NOT OLD.element OR NEW.version_id IS NOT OLD.version_id
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END
"""
_SQLITE_ORIGINAL = ("CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
                    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END")


def upgrade() -> None:
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('retention_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('as_of', sa.String(length=10), nullable=False),
    sa.Column('anonymised', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('case_anonymisations',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['retention_runs.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('retention_permits',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_retention_until', ['retention_until'], unique=False)
        batch_op.create_index('ix_cases_received_at', ['received_at'], unique=False)
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_deadlines_kind_due_at', ['kind', 'due_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(_SQLITE_UPDATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_ORIGINAL)
    else:
        op.execute("DROP TRIGGER IF EXISTS events_no_update")
        op.execute(_SQLITE_ORIGINAL)
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_kind_due_at')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_received_at')
        batch_op.drop_index('ix_cases_retention_until')
    op.drop_table('retention_permits')
    op.drop_table('case_anonymisations')
    op.drop_table('retention_runs')
    op.drop_table('categories')
