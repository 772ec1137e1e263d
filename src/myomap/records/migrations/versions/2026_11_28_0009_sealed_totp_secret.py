"""The authenticator secret is kept sealed (Fernet, under a key derived from the app's secret
key; ``records/accounts/sealing.py``), which needs a longer column than plain base32.

A secret saved in clear before this revision stays readable and is sealed the next time it is
used (a sign-in code, enrolment or turning two-factor off): the migration cannot seal it itself,
as the app's secret key is not part of the database.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 12:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PLAIN = 'base32 TOTP secret; never shown again after enrolment'
_SEALED = 'TOTP secret sealed with the app key (sealing.py); never shown after enrolment'


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True, comment=_SEALED, existing_comment=_PLAIN)


def downgrade() -> None:
    # A sealed secret does not fit the old column and cannot be opened here: those users enrol again.
    op.execute(sa.text("DELETE FROM recovery_codes WHERE user_id IN "
                       "(SELECT id FROM users WHERE length(totp_secret) > 64)"))
    op.execute(sa.text("UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL "
                       "WHERE length(totp_secret) > 64"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True, comment=_PLAIN, existing_comment=_SEALED)
