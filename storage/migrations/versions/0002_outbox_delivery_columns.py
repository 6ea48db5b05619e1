"""outbox delivery columns: addressee, delivery (email/post), reply-to, support adjustments, lease owner

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressee', sa.String(length=120), server_default='', nullable=False))
        batch_op.add_column(sa.Column('delivery', sa.String(length=16), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('adjustments', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('last_attempt_at', storage.models.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('lease_owner')
        batch_op.drop_column('adjustments')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('delivery')
        batch_op.drop_column('addressee')

