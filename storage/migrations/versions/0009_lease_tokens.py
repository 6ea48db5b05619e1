"""lease tokens: each claim on an instance or an outbox row carries its own token, so that a worker commits
only while its claim still holds the row; instances also record when they were last claimed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', storage.models.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_token', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lease_token')
    with op.batch_alter_table('instances', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('lease_token')
