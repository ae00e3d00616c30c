"""a subgroup chair's themes

`user_theme` (user_id, theme_id): the themes a chair's pages open filtered to (DESIGN §2: "subgroup chairs —
everything filtered to their themes"). A default view, not a permission: reads stay within the user's partnerships.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 05:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_theme',
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('theme_id', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('user_id', 'theme_id'))


def downgrade() -> None:
    op.drop_table('user_theme')
