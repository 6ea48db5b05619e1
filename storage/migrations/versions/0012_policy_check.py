"""policy check: each process version records the policy rules file and hash it was validated against, and each
breach of the rules with the analyst's justification

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_versions') as batch_op:
        batch_op.add_column(sa.Column('policy_check', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_versions') as batch_op:
        batch_op.drop_column('policy_check')
