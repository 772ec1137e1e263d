"""Posture assessments: a client's posture photos (one per view), their landmarks and cached results.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:20:13.857874
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('posture_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('height_cm', sa.Float(), nullable=True, comment="client's height, for offsets in cm"),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('patterns', sa.JSON(), nullable=False, comment='cached: the patterns of all views pooled (myomap.posture Pattern.to_dict)'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False, comment='bumped by every change, photos included'),
    sa.CheckConstraint('height_cm IS NULL OR (height_cm >= 50 AND height_cm <= 250)', name=op.f('ck_posture_assessments_height_range')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_posture_assessments_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinics.id'], name=op.f('fk_posture_assessments_clinic_id_clinics'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_posture_assessments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_posture_assessments_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posture_assessments'))
    )
    with op.batch_alter_table('posture_assessments', schema=None) as batch_op:
        batch_op.create_index('ix_posture_assessments_client_date', ['client_id', 'assessed_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posture_assessments_clinic_id'), ['clinic_id'], unique=False)

    op.create_table('posture_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('view', sa.String(length=16), nullable=False, comment='anterior, posterior, left or right'),
    sa.Column('content_type', sa.String(length=32), nullable=False, comment='of the stored image: image/jpeg or image/png'),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('image', sa.LargeBinary(), nullable=False, comment='the upright, re-encoded photo with no EXIF/XMP/GPS metadata'),
    sa.Column('landmarks', sa.JSON(), nullable=False, comment='{name: {x, y, visibility, source: model|therapist}} in image pixels'),
    sa.Column('model', sa.String(length=120), nullable=True, comment='pose model that found the model points'),
    sa.Column('result', sa.JSON(), nullable=False, comment='cached: metrics, patterns, warnings and scale computed from the landmarks'),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('landmarks_edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('landmarks_edited_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("view IN ('anterior', 'posterior', 'left', 'right')", name=op.f('ck_posture_photos_view_known')),
    sa.ForeignKeyConstraint(['assessment_id'], ['posture_assessments.id'], name=op.f('fk_posture_photos_assessment_id_posture_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['landmarks_edited_by_id'], ['users.id'], name=op.f('fk_posture_photos_landmarks_edited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_posture_photos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posture_photos')),
    sa.UniqueConstraint('assessment_id', 'view', name=op.f('uq_posture_photos_assessment_id'))
    )


def downgrade() -> None:
    op.drop_table('posture_photos')
    with op.batch_alter_table('posture_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posture_assessments_clinic_id'))
        batch_op.drop_index('ix_posture_assessments_client_date')

    op.drop_table('posture_assessments')
