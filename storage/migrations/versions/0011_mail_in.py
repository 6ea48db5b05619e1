"""mail in: emails from the division mailboxes, their attachments, and each mailbox's last contact

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mail_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('mailbox', sa.String(length=254), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('uid_key', sa.String(length=120), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('received_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('stored_at', storage.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('decision', sa.String(length=24), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('triaged_by', sa.String(length=80), nullable=True),
    sa.Column('triaged_at', storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('division_id', 'message_id', name='uq_mail_items_message'),
    sa.UniqueConstraint('mailbox', 'uid_key', name='uq_mail_items_uid')
    )
    with op.batch_alter_table('mail_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_mail_items_queue', ['division_id', 'status', 'received_at'], unique=False)
    op.create_table('mail_attachments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['mail_items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mail_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_attachments_item_id'), ['item_id'], unique=False)
    op.create_table('mailbox_contacts',
    sa.Column('mailbox', sa.String(length=254), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('last_ok_at', storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('failing_since', storage.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], ),
    sa.PrimaryKeyConstraint('mailbox')
    )


def downgrade() -> None:
    op.drop_table('mailbox_contacts')
    with op.batch_alter_table('mail_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_attachments_item_id'))
    op.drop_table('mail_attachments')
    with op.batch_alter_table('mail_items', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_items_queue')
        batch_op.drop_index(batch_op.f('ix_mail_items_case_id'))
    op.drop_table('mail_items')
