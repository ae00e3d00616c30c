"""the data version every replica reads, and sign-in counting for names that are not accounts

`data_version` holds one row (id 1): a number bumped in the same transaction as every write (`db.write_session`
bumps it just before committing, so no write path can forget). Each app server reads it at the start of a script run
and keys its cached reads by it: a write through one replica is shown by every other on its next run.

`sign_in_guard` counts wrong sign-ins and locks for typed names that are not an account that may sign in (unknown,
disabled, or a demo account outside demo mode), keyed by a keyed digest of the name (never the name: it may be a
password typed in the wrong box), so such a name answers exactly as a real account would: "locked" after as many
failures, for as long.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    version = op.create_table('data_version',
                              sa.Column('id', sa.Integer(), nullable=False),
                              sa.Column('version', sa.BigInteger(), nullable=False, server_default='0'),
                              sa.CheckConstraint('id = 1', name='ck_data_version_one_row'),
                              sa.PrimaryKeyConstraint('id'))
    op.bulk_insert(version, [{'id': 1, 'version': 1}])
    op.create_table('sign_in_guard',
                    sa.Column('name_digest', sa.String(64), nullable=False),
                    sa.Column('failed_attempts', sa.Integer(), nullable=False, server_default='0'),
                    sa.Column('locked_at', sa.DateTime(), nullable=True),
                    sa.PrimaryKeyConstraint('name_digest'))


def downgrade() -> None:
    op.drop_table('sign_in_guard')
    op.drop_table('data_version')
