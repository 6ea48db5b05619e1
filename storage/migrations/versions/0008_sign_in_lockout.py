"""sign-in lockout: unsuccessful sign-ins and a locked-until time per username tried

Revision ID: 0008
Revises: 0007_reports
Create Date: 2026-12-23
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0008'
down_revision = '0007_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_failed_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('username')
    )
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failures_last_failed_at'), ['last_failed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failures_last_failed_at'))
    op.drop_table('sign_in_failures')
