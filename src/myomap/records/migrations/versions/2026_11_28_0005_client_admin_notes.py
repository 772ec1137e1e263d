"""Clients get administrative notes, separate from the clinical notes front desk may not see.

Existing ``notes`` stay clinical (hidden from front desk): nobody can tell afterwards whether
what was typed there was clinical, so the private reading is the safe one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('admin_notes', sa.Text(), nullable=True,
                                      comment='administrative notes (bookings, billing); front desk sees these'))
        batch_op.alter_column('notes', existing_type=sa.Text(), existing_nullable=True,
                              comment='clinical notes: therapists and owners only')


def downgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.alter_column('notes', existing_type=sa.Text(), existing_nullable=True, comment=None)
        batch_op.drop_column('admin_notes')
