"""Pain drawings can be corrected: a version for concurrent edits, signing (a signed drawing is
final), and deletion with a reason that keeps the row so the clinic owner can restore it.

Existing drawings start at version 1, unsigned and not deleted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USERS = ('updated_by_id', 'signed_by_id', 'deleted_by_id')


def upgrade() -> None:
    with op.batch_alter_table('pain_drawings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1',
                                      comment='bumped by every change'))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='once signed the drawing can no longer be edited or deleted'))
        batch_op.add_column(sa.Column('signed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='set: hidden from lists, kept for the owner to restore'))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deleted_reason', sa.Text(), nullable=True))
        for column in _USERS:
            batch_op.create_foreign_key(batch_op.f(f'fk_pain_drawings_{column}_users'), 'users', [column], ['id'],
                                        ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('pain_drawings', schema=None) as batch_op:
        for column in _USERS:
            batch_op.drop_constraint(batch_op.f(f'fk_pain_drawings_{column}_users'), type_='foreignkey')
        for column in ('deleted_reason', 'deleted_by_id', 'deleted_at', 'signed_by_id', 'signed_at',
                       'updated_by_id', 'updated_at', 'version'):
            batch_op.drop_column(column)
