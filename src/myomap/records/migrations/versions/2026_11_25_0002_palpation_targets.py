"""Palpation targets: muscles a therapist marks "to palpate" from a drawing's referral ranking.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:16:14.725586
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('palpation_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('drawing_id', sa.Integer(), nullable=False),
    sa.Column('muscle_id', sa.String(length=64), nullable=False, comment='muscle id from the trigger-point atlas'),
    sa.Column('side', sa.String(length=8), nullable=False, comment='left, right, both or either'),
    sa.Column('reason', sa.Text(), nullable=True, comment='why it was suggested, as shown then'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_palpation_targets_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_palpation_targets_clinic_id_clinics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_palpation_targets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['drawing_id'], ['pain_drawings.id'], name=op.f('fk_palpation_targets_drawing_id_pain_drawings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_palpation_targets')),
    sa.UniqueConstraint('drawing_id', 'muscle_id', 'side', name=op.f('uq_palpation_targets_drawing_id'))
    )
    with op.batch_alter_table('palpation_targets', schema=None) as batch_op:
        batch_op.create_index('ix_palpation_targets_client', ['client_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_palpation_targets_clinic_id'), ['clinic_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('palpation_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_palpation_targets_clinic_id'))
        batch_op.drop_index('ix_palpation_targets_client')

    op.drop_table('palpation_targets')
