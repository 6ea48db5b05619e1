"""stage outcomes and letter senders: each stage's own outcome on the case, and each letter's From address

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_outcomes', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender', sa.String(length=254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('sender')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('stage_outcomes')
