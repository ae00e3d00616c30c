"""the report's narrative, versioned

`report_narrative` (partnership, cycle, section key, version, text, author, written_at): what a business manager
writes per section of a cycle's Section 11 report (the foreword, each section's analysis, the conclusion). Every
save adds a version; the highest is current and earlier texts are kept (issue 11, item 2).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_narrative',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('partnership_id', sa.Integer(), nullable=False),
                    sa.Column('cycle_id', sa.Integer(), nullable=False),
                    sa.Column('section_key', sa.String(length=80), nullable=False),
                    sa.Column('version', sa.Integer(), nullable=False),
                    sa.Column('text', sa.Text(), nullable=False),
                    sa.Column('author', sa.String(length=100), nullable=False),
                    sa.Column('written_at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('cycle_id', 'section_key', 'version'))
    op.create_index('ix_report_narrative_partnership_id', 'report_narrative', ['partnership_id'])


def downgrade() -> None:
    op.drop_index('ix_report_narrative_partnership_id', table_name='report_narrative')
    op.drop_table('report_narrative')
