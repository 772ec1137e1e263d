"""Palpation findings on the to-palpate list: tender, taut band, referral reproduced (null = not
checked), the trigger point palpated, a note, who palpated and when, and a version for
optimistic concurrency.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('palpation_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tender', sa.Boolean(), nullable=True, comment='local tenderness; null = not checked'))
        batch_op.add_column(sa.Column('taut_band', sa.Boolean(), nullable=True, comment='taut band felt; null = not checked'))
        batch_op.add_column(sa.Column('referral_reproduced', sa.Boolean(), nullable=True,
                                      comment="pressure reproduced the client's referred pain; null = not checked"))
        batch_op.add_column(sa.Column('trigger_point', sa.String(length=64), nullable=True,
                                      comment="trigger-point id palpated, from the muscle's trigger points in the atlas"))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True, comment="the therapist's palpation note"))
        batch_op.add_column(sa.Column('palpated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('palpated_by_id', sa.Integer(), nullable=True))
        # Existing rows start at version 1, as new ones do.
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False,
                                      comment='bumped by every change (optimistic concurrency)'))
        batch_op.create_foreign_key(batch_op.f('fk_palpation_targets_palpated_by_id_users'), 'users',
                                    ['palpated_by_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('palpation_targets', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_palpation_targets_palpated_by_id_users'), type_='foreignkey')
        batch_op.drop_column('version')
        batch_op.drop_column('palpated_by_id')
        batch_op.drop_column('palpated_at')
        batch_op.drop_column('note')
        batch_op.drop_column('trigger_point')
        batch_op.drop_column('referral_reproduced')
        batch_op.drop_column('taut_band')
        batch_op.drop_column('tender')
