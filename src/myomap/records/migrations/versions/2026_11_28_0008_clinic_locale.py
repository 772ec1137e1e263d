"""Each clinic writes dates its own way: a ``locale`` per clinic, set by its owner.

Until now the locale was one deployment setting (``MYOMAP_LOCALE``); existing clinics keep what
they showed, that setting's value when the migration runs (en-GB when it is not set). The
commands that run migrations have already refused an unknown value when they read the settings.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 11:00:00.000000
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=10), nullable=False, server_default='en-GB',
                                      comment='how its pages write dates and times (a key of myomap.dates.DATE_FORMATS)'))
    deployment = os.environ.get('MYOMAP_LOCALE', '').strip()
    if deployment:
        op.execute(sa.text('UPDATE clinics SET locale = :locale').bindparams(locale=deployment))


def downgrade() -> None:
    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.drop_column('locale')
