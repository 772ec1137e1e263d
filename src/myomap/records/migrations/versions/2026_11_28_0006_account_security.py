"""Account security: API tokens expire, two-factor sign-in (TOTP secret, single-use recovery
codes, a clinic setting requiring it), sessions with an idle timeout and a pending second step,
failed sign-ins counted per trusted browser, and emails unique per clinic (so adding a user
reveals nothing about other clinics).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('salt', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True, comment='null = never'))

    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('require_two_factor', sa.Boolean(), server_default=sa.false(), nullable=False, comment='owners and therapists must sign in with a code too'))

    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=64), nullable=True, comment='trusted-browser id, when the attempt came from one'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True, comment='base32 TOTP secret; never shown again after enrolment'))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True, comment='time step of the last accepted code, so a code works once'))
        batch_op.drop_constraint(batch_op.f('uq_users_email'), type_='unique')
        batch_op.create_index(batch_op.f('ix_users_email'), ['email'], unique=False)
        batch_op.create_unique_constraint('uq_users_clinic_id_email', ['clinic_id', 'email'])

    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True, comment='last request (coarse), for the idle timeout'))
        batch_op.add_column(sa.Column('idle_minutes', sa.Integer(), nullable=True,
                                      comment='ends after this long without a request (the setting at sign-in)'))
        batch_op.add_column(sa.Column('pending', sa.String(length=20), nullable=True,
                                      comment="'two_factor': a code is still to give; 'enrol': two-factor enrolment is due; null = signed in"))



def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_column('pending')
        batch_op.drop_column('idle_minutes')
        batch_op.drop_column('last_seen_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_clinic_id_email', type_='unique')
        batch_op.drop_index(batch_op.f('ix_users_email'))
        batch_op.create_unique_constraint(batch_op.f('uq_users_email'), ['email'])
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('sign_in_failures', schema=None) as batch_op:
        batch_op.drop_column('device')

    with op.batch_alter_table('clinics', schema=None) as batch_op:
        batch_op.drop_column('require_two_factor')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
